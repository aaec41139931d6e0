"""Transformer layers, stacks and the full Transformer against torch (copied weights, eval mode or
dropout 0 so the numbers are deterministic)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same
from seq_oracle import compare_module

F32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)
E, H, FF, S, T, N = 8, 2, 16, 5, 4, 3


def _kpm(n, s):
    m = np.random.rand(n, s) > 0.6
    m[:, 0] = False
    return m


def _square_mask(lib, n):
    return lib.nn.Transformer.generate_square_subsequent_mask(n)


ENCODER_LAYER = [
    ("post_norm", {}, lambda: [(S, N, E)], {}),
    ("pre_norm_gelu", dict(norm_first=True, activation="gelu"), lambda: [(S, N, E)], {}),
    ("batch_first_kpm", dict(batch_first=True), lambda: [(N, S, E), _kpm(N, S)], dict(kpm=True)),
    ("causal_mask", {}, lambda: [(S, N, E), np.triu(np.full((S, S), -np.inf), 1)], dict(mask=True, causal=True)),
    ("bool_mask_no_bias", dict(bias=False), lambda: [(S, N, E), np.triu(np.ones((S, S), bool), 1)],
     dict(mask=True)),
    ("callable_activation", dict(activation=None), lambda: [(S, N, E)], {}),
    ("unbatched", {}, lambda: [(S, E)], {}),
]


def _enc_call(opts):
    def call(m, x, *rest):
        rest = list(rest)
        kw = {}
        if opts.get("mask"):
            kw["src_mask"] = rest.pop(0)
            if opts.get("causal"):
                kw["is_causal"] = True
        if opts.get("kpm"):
            kw["src_key_padding_mask"] = rest.pop(0)
        return m(x, **kw)
    return call


def _activation(lib, kw):
    kw = dict(kw)
    if kw.get("activation", "x") is None:
        kw["activation"] = lib.nn.functional.silu
    return kw


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw,inputs,opts", ENCODER_LAYER, ids=[e[0] for e in ENCODER_LAYER])
def test_encoder_layer(name, kw, inputs, opts, dtype):
    compare_module(lambda lib: lib.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, **_activation(lib, kw)),
                   inputs(), dtype, call=_enc_call(opts), train=True, **(F32 if dtype == "float32" else {}))


def test_encoder_layer_eval_with_dropout():
    compare_module(lambda lib: lib.nn.TransformerEncoderLayer(E, H, FF, batch_first=True), [(N, S, E)], "float32",
                   **F32)


DECODER_LAYER = [
    ("post_norm", {}, dict()),
    ("pre_norm_batch_first", dict(norm_first=True, batch_first=True), dict()),
    ("masks", {}, dict(masks=True)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw,opts", DECODER_LAYER, ids=[d[0] for d in DECODER_LAYER])
def test_decoder_layer(name, kw, opts, dtype):
    bf = kw.get("batch_first", False)
    shapes = [(N, T, E), (N, S, E)] if bf else [(T, N, E), (S, N, E)]
    extra = [np.triu(np.full((T, T), -np.inf, dtype), 1), _kpm(N, T), _kpm(N, S)] if opts.get("masks") else []

    def call(m, tgt, mem, *masks):
        if not masks:
            return m(tgt, mem)
        return m(tgt, mem, tgt_mask=masks[0], tgt_key_padding_mask=masks[1], memory_key_padding_mask=masks[2],
                 tgt_is_causal=False)
    compare_module(lambda lib: lib.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, **kw), shapes + extra, dtype,
                   call=call, train=True, **(F32 if dtype == "float32" else {}))


def test_encoder_stack_with_norm_and_causal_detection():
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(E), enable_nested_tensor=False)
    mask = np.triu(np.full((S, S), -np.inf), 1).astype("float64")
    em, tm = compare_module(make, [(S, N, E), mask, _kpm(N, S)], "float64",
                            call=lambda m, x, mk, kpm: m(x, mask=mk, src_key_padding_mask=kpm), train=True)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.layers[0] is not em.layers[1]                      # deep copies, as torch's _get_clones


def test_decoder_stack():
    def make(lib):
        return lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0), 2,
                                         norm=lib.nn.LayerNorm(E))
    mask = np.triu(np.full((T, T), -np.inf), 1)
    compare_module(make, [(T, N, E), (S, N, E), mask], "float64",
                   call=lambda m, t, mem, mk: m(t, mem, tgt_mask=mk), train=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer(dtype, batch_first):
    def make(lib):
        return lib.nn.Transformer(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=1,
                                  dim_feedforward=FF, dropout=0.0, batch_first=batch_first)
    shapes = [(N, S, E), (N, T, E)] if batch_first else [(S, N, E), (T, N, E)]
    mask = np.triu(np.full((T, T), -np.inf), 1).astype(dtype)
    em, tm = compare_module(make, shapes + [mask], dtype, call=lambda m, s, t, mk: m(s, t, tgt_mask=mk),
                            train=True, **(F32 if dtype == "float32" else {}))
    assert list(em.state_dict()) == list(tm.state_dict())


def test_generate_square_subsequent_mask():
    assert_same(ember.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))
    assert_same(ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64),
                torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))


def test_transformer_init_and_errors():
    em = ember.nn.Transformer(E, H, 1, 1, FF)
    # xavier_uniform on every matrix: linear1 (FF, E) within sqrt(6 / (FF + E))
    w = em.encoder.layers[0].linear1.weight.detach().numpy()
    assert abs(w).max() <= (6 / (FF + E)) ** 0.5
    with pytest.raises(RuntimeError, match="batch number"):
        em(ember.randn(S, 2, E), ember.randn(T, 3, E))
    with pytest.raises(RuntimeError, match="d_model"):
        em(ember.randn(S, 2, 4), ember.randn(T, 2, 4))
    with pytest.raises(RuntimeError, match="relu/gelu"):
        ember.nn.TransformerEncoderLayer(E, H, activation="tanh")
