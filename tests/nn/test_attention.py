"""scaled_dot_product_attention and nn.MultiheadAttention against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error
from seq_oracle import compare_module

F32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)


def _causal_free_bool(shape):
    m = np.random.rand(*shape) > 0.4
    m[..., 0] = True                    # every row attends somewhere
    return m


SDPA = [
    # name, shapes (q, k, v), extra inputs, kwargs builder
    ("plain", [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)], {}),
    ("3d", [(4, 5, 8), (4, 7, 8), (4, 7, 3)], {}),
    ("scale", [(2, 2, 4, 4), (2, 2, 4, 4), (2, 2, 4, 4)], dict(scale=0.3)),
    ("causal", [(2, 2, 5, 4), (2, 2, 5, 4), (2, 2, 5, 6)], dict(is_causal=True)),
    ("causal_rect", [(1, 2, 3, 4), (1, 2, 6, 4), (1, 2, 6, 2)], dict(is_causal=True)),
    ("gqa", [(2, 4, 5, 4), (2, 2, 6, 4), (2, 2, 6, 3)], dict(enable_gqa=True)),
    ("broadcast_kv", [(2, 3, 5, 4), (2, 1, 6, 4), (2, 1, 6, 3)], {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,shapes,kw", SDPA, ids=[s[0] for s in SDPA])
def test_sdpa(name, shapes, kw, dtype):
    check(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw), shapes, dtype=dtype,
          **(F32 if dtype == "float32" else {}))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_masks(dtype):
    q, k, v = (2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)
    kw = F32 if dtype == "float32" else {}
    bool_mask = _causal_free_bool((5, 6))
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
          [q, k, v, bool_mask], dtype=dtype, **kw)
    bool_mask4 = _causal_free_bool((2, 1, 5, 6))
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
          [q, k, v, bool_mask4], dtype=dtype, **kw)
    # a float mask is differentiable too
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
          [q, k, v, (3, 5, 6)], dtype=dtype, **kw)


def test_sdpa_fully_masked_rows_give_zero():
    m = np.ones((3, 5), bool)
    m[1] = False
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
          [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6), m], dtype="float64", second_order=True)


def test_sdpa_second_order_and_gradcheck():
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
          [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), (3, 5)], dtype="float64", second_order=True)
    d = dict(dtype=ember.float64, requires_grad=True)
    q, k, v, m = ember.randn(1, 2, 3, 4, **d), ember.randn(1, 2, 4, 4, **d), ember.randn(1, 2, 4, 2, **d), \
        ember.randn(3, 4, **d)
    sdpa = ember.nn.functional.scaled_dot_product_attention
    assert ember.autograd.gradcheck(lambda q, k, v, m: sdpa(q, k, v, attn_mask=m), (q, k, v, m))
    assert ember.autograd.gradgradcheck(lambda q, k, v: sdpa(q, k, v, is_causal=True, scale=0.7), (q, k, v))


def test_sdpa_dropout():
    ember.manual_seed(0)
    q = ember.randn(2, 2, 6, 4, requires_grad=True)
    out = ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    full = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    assert out.shape == full.shape and not np.allclose(out.detach().numpy(), full.detach().numpy())
    out.sum().backward()
    assert q.grad is not None and np.isfinite(q.grad.numpy()).all()
    assert np.allclose(ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=1.0).detach().numpy(), 0)


def test_sdpa_mask_and_causal_raises():
    # torch raises this on its math path (some of its other backends ignore the mask silently)
    x = ember.ones(1, 2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        ember.nn.functional.scaled_dot_product_attention(x, x, x, attn_mask=ember.ones(3, 3, dtype=ember.bool),
                                                         is_causal=True)


SDPA_BAD = [
    ("dtype", lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 4, dtype=lib.float64), lib.ones(1, 2, 3, 4))),
    ("mask_dtype", lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 4), attn_mask=lib.ones(3, 3, dtype=lib.long))),
    ("embed", lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 5), lib.ones(1, 2, 3, 4))),
]


@pytest.mark.parametrize("name,fn", SDPA_BAD, ids=[b[0] for b in SDPA_BAD])
def test_sdpa_errors(name, fn):
    same_error(fn)


def _kpm(n, s):
    m = np.random.rand(n, s) > 0.6
    m[:, 0] = False                    # every sequence keeps a key
    return m


E, H, L, S, N = 8, 2, 5, 6, 3
# name, constructor kwargs, input shapes/arrays builder, call kwargs
MHA = [
    ("self", {}, lambda: [(L, N, E)], dict(self_attn=True)),
    ("cross", {}, lambda: [(L, N, E), (S, N, E), (S, N, E)], {}),
    ("batch_first", dict(batch_first=True), lambda: [(N, L, E), (N, S, E), (N, S, E)], {}),
    ("batch_first_self", dict(batch_first=True), lambda: [(N, L, E)], dict(self_attn=True)),
    ("kdim_vdim", dict(kdim=5, vdim=3), lambda: [(L, N, E), (S, N, 5), (S, N, 3)], {}),
    ("no_weights", {}, lambda: [(L, N, E), (S, N, E), (S, N, E)], dict(need_weights=False)),
    ("per_head_weights", {}, lambda: [(L, N, E), (S, N, E), (S, N, E)], dict(average_attn_weights=False)),
    ("key_padding", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), _kpm(N, S)], dict(kpm=True)),
    ("key_padding_no_weights", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), _kpm(N, S)],
     dict(kpm=True, need_weights=False)),
    ("float_key_padding", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), np.random.randn(N, S)],
     dict(kpm=True, float_mask=True)),
    ("bool_attn_mask", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), ~_causal_free_bool((L, S))], dict(mask=True)),
    ("float_attn_mask_3d", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), np.random.randn(N * H, L, S)],
     dict(mask=True, float_mask=True, need_weights=False)),
    ("both_masks", {}, lambda: [(L, N, E), (S, N, E), (S, N, E), ~_causal_free_bool((L, S)), _kpm(N, S)],
     dict(mask=True, kpm=True)),
    ("causal_hint", {}, lambda: [(L, N, E), np.triu(np.ones((L, L), bool), 1)],
     dict(self_attn=True, mask=True, is_causal=True, need_weights=False)),
    ("bias_kv_zero_attn", dict(add_bias_kv=True, add_zero_attn=True),
     lambda: [(L, N, E), (S, N, E), (S, N, E), _kpm(N, S)], dict(kpm=True)),
    ("no_bias", dict(bias=False), lambda: [(L, N, E), (S, N, E), (S, N, E)], {}),
    ("unbatched", {}, lambda: [(L, E), (S, E), (S, E)], {}),
]


def _mha_call(opts):
    def call(m, *xs):
        xs = list(xs)
        q = xs.pop(0)
        k, v = (q, q) if opts.get("self_attn") else (xs.pop(0), xs.pop(0))
        kw = {}
        if opts.get("mask"):
            kw["attn_mask"] = xs.pop(0)
        if opts.get("kpm"):
            kw["key_padding_mask"] = xs.pop(0)
        for name in ("need_weights", "average_attn_weights", "is_causal"):
            if name in opts:
                kw[name] = opts[name]
        return m(q, k, v, **kw)
    return call


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw,inputs,opts", MHA, ids=[m[0] for m in MHA])
def test_multihead_attention(name, kw, inputs, opts, dtype):
    arrays = [a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in inputs()]
    compare_module(lambda lib: lib.nn.MultiheadAttention(E, H, **kw), arrays, dtype, call=_mha_call(opts),
                   grad_inputs=True, **(F32 if dtype == "float32" else {}))


def test_multihead_attention_dropout_trains():
    m = ember.nn.MultiheadAttention(E, H, dropout=0.3)
    x = ember.randn(L, N, E, requires_grad=True)
    out, w = m(x, x, x)
    (out.sum() + w.sum()).backward()
    assert x.grad is not None and m.in_proj_weight.grad is not None


def test_state_dict_layout_and_repr():
    for kw in ({}, dict(kdim=5, vdim=3), dict(add_bias_kv=True), dict(bias=False)):
        em, tm = ember.nn.MultiheadAttention(E, H, **kw), torch.nn.MultiheadAttention(E, H, **kw)
        assert list(em.state_dict()) == list(tm.state_dict())
        assert [tuple(v.shape) for v in em.state_dict().values()] == \
            [tuple(v.shape) for v in tm.state_dict().values()]
        assert repr(em) == repr(tm)
    em = ember.nn.MultiheadAttention(E, H)
    assert abs(em.in_proj_bias.detach().numpy()).max() == 0 and abs(em.out_proj.bias.detach().numpy()).max() == 0
    bound = (6 / (E + 3 * E)) ** 0.5                 # xavier_uniform of the (3E, E) packed weight
    assert abs(em.in_proj_weight.detach().numpy()).max() <= bound


def test_module_paths():
    import ember.nn.modules.activation as act
    import ember.nn.modules.transformer as tr
    assert act.MultiheadAttention is ember.nn.MultiheadAttention
    assert tr.TransformerEncoderLayer is ember.nn.TransformerEncoderLayer
    from ember.nn.modules.linear import NonDynamicallyQuantizableLinear
    assert isinstance(ember.nn.MultiheadAttention(E, H).out_proj, NonDynamicallyQuantizableLinear)


MHA_BAD = [
    ("heads", lambda lib: lib.nn.MultiheadAttention(6, 4)),
    ("zero_heads", lambda lib: lib.nn.MultiheadAttention(6, 0)),
    ("attn_mask_shape", lambda lib: lib.nn.MultiheadAttention(E, H)(lib.ones(L, N, E), lib.ones(S, N, E),
                                                                     lib.ones(S, N, E),
                                                                     attn_mask=lib.ones(L, L, dtype=lib.bool))),
    ("embed_dim", lambda lib: lib.nn.MultiheadAttention(E, H)(lib.ones(L, N, 4), lib.ones(S, N, 4),
                                                               lib.ones(S, N, 4))),
    ("causal_without_mask", lambda lib: lib.nn.MultiheadAttention(E, H)(lib.ones(L, N, E), lib.ones(L, N, E),
                                                                         lib.ones(L, N, E), is_causal=True)),
    ("kpm_dims", lambda lib: lib.nn.MultiheadAttention(E, H)(lib.ones(L, N, E), lib.ones(S, N, E),
                                                              lib.ones(S, N, E),
                                                              key_padding_mask=lib.ones(N, S, 1, dtype=lib.bool))),
]


@pytest.mark.parametrize("name,fn", MHA_BAD, ids=[b[0] for b in MHA_BAD])
def test_mha_errors(name, fn):
    same_error(fn)


def test_sdpa_float16_runs_in_float32():
    q = np.random.randn(1, 2, 3, 4).astype(np.float16)
    e = ember.nn.functional.scaled_dot_product_attention(*(ember.tensor(q),) * 3)
    t = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(q),) * 3)
    assert_same(e, t, rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sdpa_low_precision_grads(dtype):
    check(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
          [(2, 2, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8)], dtype=dtype, rtol=3e-2, atol=3e-2, grad_rtol=6e-2,
          grad_atol=6e-2)
