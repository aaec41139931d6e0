"""Drop-in mode: ``python -m ember.run`` and ``ember.compat.install()`` make ``import torch`` give ember."""
import os
import subprocess
import sys

import pytest

import ember
from _runner import ROOT, _env

HERE = os.path.dirname(os.path.abspath(__file__))


def _run(*args, cwd=HERE):
    return subprocess.run([sys.executable, "-m", "ember.run", *args], capture_output=True, text=True, env=_env(),
                          cwd=cwd, timeout=120)


def test_script_imports_resolve_to_ember_and_missing_names_say_so():
    done = _run(os.path.join(HERE, "probe_dropin.py"), "--flag", "value")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PROBE OK" in done.stdout


def test_module_form_and_usage(tmp_path):
    (tmp_path / "tinymod.py").write_text("import sys, torch\nprint(torch.__name__, sys.argv[1:])\n")
    done = _run("-m", "tinymod", "x", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ember ['x']"
    usage = _run("--help")
    assert usage.returncode == 0 and "python -m ember.run SCRIPT" in usage.stdout
    assert _run().returncode == 2
    missing = _run(str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "nope.py" in missing.stderr


def test_an_error_in_the_script_shows_the_script_traceback(tmp_path):
    (tmp_path / "bad.py").write_text("import torch\n\ndef f():\n    return torch.ones(2) @ torch.ones(3)\n\nf()\n")
    done = _run(str(tmp_path / "bad.py"), cwd=tmp_path)
    assert done.returncode != 0
    assert 'bad.py", line 4, in f' in done.stderr and "RuntimeError" in done.stderr


def test_install_refuses_when_real_torch_is_loaded():
    import torch  # noqa: F401  (the test process has the oracle loaded)
    with pytest.raises(RuntimeError, match="real torch is imported already"):
        ember.compat.install()
    assert not ember.compat.is_installed()


def test_install_in_a_fresh_interpreter_then_uninstall():
    code = ("import ember.compat as c; c.install(); import torch, torch.nn; assert torch.nn.Linear is "
            "__import__('ember').nn.Linear; assert str(torch.int64) == 'torch.int64'; c.uninstall(); import sys; "
            "assert 'torch' not in sys.modules; import ember; assert str(ember.int64) == 'ember.int64'; "
            "assert str(ember.ones(2).shape) == 'ember.Size([2])'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


SPAWNED = """
import multiprocessing as mp
import torch
from torch.utils.data import DataLoader, Dataset


def name(_):
    import torch
    return torch.__name__ + " " + str(torch.ones(1).dtype)


class Squares(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.tensor(float(i * i))


if __name__ == "__main__":
    with mp.get_context("spawn").Pool(1) as pool:
        print(pool.map(name, [0]))
    loader = DataLoader(Squares(), batch_size=2, num_workers=1, multiprocessing_context="spawn")
    print([b.tolist() for b in loader])
"""


def test_spawned_processes_get_ember_too(tmp_path):
    """DataLoader workers started with "spawn" (macOS's default) import the script again: torch is ember there."""
    (tmp_path / "spawned.py").write_text(SPAWNED)
    done = _run(str(tmp_path / "spawned.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["['ember torch.float32']", "[[0.0, 1.0], [4.0, 9.0]]"]
