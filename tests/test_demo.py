"""The demos behind ``python -m ember``, run tiny (a few steps) so that breakage shows up in
CI without waiting for real training. The full runs' numbers are in the README."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from ember.__main__ import main
from ember.examples import chargpt

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_outputs(result, name):
    assert os.path.getsize(result["plot"]) > 1000
    with open(result["plot"], "rb") as f:
        assert f.read(8) == PNG_MAGIC
    ours = ember.load(result["checkpoint"])
    theirs = torch.load(result["checkpoint"])          # PyTorch reads the same file
    assert set(ours["model"]) == set(theirs["model"]) and ours["model"]
    for key, value in ours["model"].items():
        np.testing.assert_array_equal(value.numpy(), theirs["model"][key].numpy())
    assert ours["optimizer"]["state"], f"{name}: optimizer state was saved after training"


def test_digits_tiny(tmp_path, capsys):
    out = main(["--demo", "digits", "--out", str(tmp_path), "--quiet", "--digits-epochs", "2",
                "--digits-hidden", "32"])["digits"]
    assert 0.5 < out["test_accuracy"] <= 1.0        # 2 epochs of a tiny MLP: far above chance (0.1)
    assert out["history"]["epoch"] == [1, 2] and out["history"]["train"][1] < out["history"]["train"][0]
    check_outputs(out, "digits")
    assert "test accuracy" in capsys.readouterr().out


GPT_TINY = ["--gpt-layers", "1", "--gpt-embd", "16", "--gpt-heads", "2", "--gpt-block", "16", "--gpt-batch", "4",
            "--gpt-eval-every", "2", "--gpt-sample", "20", "--gpt-dropout", "0.1"]


def test_chargpt_tiny_on_the_standard_library(tmp_path, capsys):
    out = main(["--demo", "gpt", "--out", str(tmp_path), "--quiet", "--gpt-steps", "3", "--corpus-chars", "20000",
                *GPT_TINY])["gpt"]
    assert out["evals"]["step"] == [2, 3] and all(np.isfinite(out["evals"]["val"]))
    assert 2.0 < out["baseline"] < 4.6                 # Python source: a few nats per character
    assert len(out["sample"]) == len("def ") + 20 and out["sample"].startswith("def ")
    check_outputs(out, "chargpt")
    ckpt = ember.load(out["checkpoint"])
    assert ckpt["config"]["n_embd"] == 16 and "\n" in ckpt["chars"]
    assert "unigram baseline" in capsys.readouterr().out


def test_chargpt_learns_a_repetitive_corpus(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. " * 400)
    out = main(["--demo", "gpt", "--out", str(tmp_path), "--quiet", "--corpus", str(corpus), "--gpt-steps", "60",
                "--gpt-lr", "1e-2", *GPT_TINY, "--gpt-eval-every", "30"])["gpt"]
    assert out["val_loss"] < 0.5 * out["baseline"], out["evals"]
    assert out["sample"].startswith("e ")           # "def ": the characters the corpus has


def test_attention_is_causal():
    ember.manual_seed(0)
    model = chargpt.GPT(vocab_size=11, block=8, n_layer=2, n_head=2, n_embd=16, dropout=0.0).eval()
    idx = ember.randint(0, 11, (2, 8))
    changed = idx.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 11          # alter the future only
    a, _ = model(idx)
    b, _ = model(changed)
    np.testing.assert_allclose(a[:, :5].detach().numpy(), b[:, :5].detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[:, 5:].detach().numpy(), b[:, 5:].detach().numpy())


def test_unigram_baseline_is_the_character_entropy():
    rng = np.random.default_rng(0)
    ids = rng.choice(4, size=200_000, p=[0.5, 0.25, 0.125, 0.125])
    h = -(0.5 * np.log(0.5) + 0.25 * np.log(0.25) + 2 * 0.125 * np.log(0.125))
    assert abs(chargpt.unigram_baseline(ids[:100_000], ids[100_000:], 4) - h) < 0.01


def test_char_windows_are_shifted_pairs():
    ds = chargpt.CharWindows(np.arange(10, dtype=np.int64), block=4)
    assert len(ds) == 6
    x, y = ds[2]
    assert x.tolist() == [2, 3, 4, 5] and y.tolist() == [3, 4, 5, 6]


def test_tour_runs(capsys):
    out = main(["--demo", "tour"])["tour"]
    assert abs(out["a"] - 3) < 0.05 and abs(out["b"] + 1) < 0.05
    assert "dy/dw" in capsys.readouterr().out


def test_help_explains_the_options():
    run = subprocess.run([sys.executable, "-m", "ember", "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    for option in ("--demo", "--out", "--digits-epochs", "--gpt-steps", "--gpt-layers", "--gpt-embd", "--corpus"):
        assert option in run.stdout


def test_bad_option_is_refused():
    with pytest.raises(SystemExit):
        main(["--demo", "nope"])
