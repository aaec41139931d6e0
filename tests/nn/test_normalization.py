"""nn.LayerNorm / nn.RMSNorm and F.layer_norm / F.rms_norm against torch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_layer, same_message_parts
from oracle import check, same_error

DTYPES = ["float32", "float64"]
LN = [((5,), {}, (3, 5)), ((4, 5), {}, (2, 3, 4, 5)), (6, {"eps": 1e-3}, (2, 6)), ((3,), {"bias": False}, (4, 3)),
      ((2, 3), {"elementwise_affine": False}, (5, 2, 3)), ((7,), {}, (7,))]
RMS = [((5,), {}, (3, 5)), ((4, 5), {"eps": 1e-4}, (2, 3, 4, 5)), (6, {"elementwise_affine": False}, (2, 6)),
       ((3,), {}, (3,))]


def _randomise(m):
    """Random affine parameters (the defaults, ones and zeros, would hide mistakes)."""
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-2, 2)
    return m


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,ns,kw,shape", [("LayerNorm",) + c for c in LN] + [("RMSNorm",) + c for c in RMS])
def test_norm_layers_match_torch(cls, ns, kw, shape, dtype):
    make = lambda lib: getattr(lib.nn, cls)(ns, **kw)
    compare_layer(lambda lib: make(lib) if lib is ember else _randomise(make(lib)), [shape], dtype,
                  grad_rtol=1e-4 if dtype == "float32" else None, grad_atol=1e-5 if dtype == "float32" else None)


def test_functional_second_order():
    check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (4,), w, b) ** 2, [(3, 4), (4,), (4,)], "float64",
          second_order=True)
    check(lambda lib, x: lib.nn.functional.layer_norm(x, (2, 3), eps=0.1).sin(), [(2, 2, 3)], "float64",
          second_order=True)
    check(lambda lib, x, w: lib.nn.functional.rms_norm(x, (4,), w, 1e-3) ** 2, [(3, 4), (4,)], "float64",
          second_order=True)
    check(lambda lib, x: lib.nn.functional.rms_norm(x, [3]).exp(), [(2, 3)], "float64", second_order=True)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision(dtype):
    tol = dict(rtol=2e-2, atol=2e-2) if dtype == "float16" else dict(rtol=5e-2, atol=5e-2)
    check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b), [(4, 8), (8,), (8,)], dtype, **tol)
    check(lambda lib, x, w: lib.nn.functional.rms_norm(x, (8,), w), [(4, 8), (8,)], dtype, **tol)


def test_nan_propagates():
    x = np.random.default_rng(0).standard_normal((2, 4))
    x[0, 1] = np.nan
    check(lambda lib, x: lib.nn.functional.layer_norm(x, (4,)), [x], "float64")


@pytest.mark.parametrize("make", [lambda lib: lib.nn.LayerNorm(4), lambda lib: lib.nn.LayerNorm([2, 3], 1e-3),
                                  lambda lib: lib.nn.LayerNorm(4, elementwise_affine=False, bias=False),
                                  lambda lib: lib.nn.LayerNorm(4, bias=False), lambda lib: lib.nn.RMSNorm(4),
                                  lambda lib: lib.nn.RMSNorm([4, 5], eps=1e-3, elementwise_affine=False)])
def test_repr_state_and_init(make):
    em, tm = make(ember), make(torch)
    assert_same_repr(em, tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    for (k, e), t in zip(em.state_dict().items(), tm.state_dict().values()):
        np.testing.assert_array_equal(e.numpy(), t.numpy())            # ones and zeros, as PyTorch


def test_bad_input():
    e, _ = same_error(lambda lib: lib.nn.LayerNorm(5)(lib.randn(4, 6)))
    same_message_parts(e, "LayerNorm((5,)", "[4, 6]", "[*, 5]")
    e, _ = same_error(lambda lib: lib.nn.RMSNorm((2, 3))(lib.randn(3, 2)))
    same_message_parts(e, "RMSNorm((2, 3)", "[3, 2]")
    same_error(lambda lib: lib.nn.functional.layer_norm(lib.randn(3, 4), (4,), lib.randn(3)))
    same_error(lambda lib: lib.nn.functional.layer_norm(lib.randn(3, 4), (4,), None, lib.randn(5)))
    same_error(lambda lib: lib.nn.functional.layer_norm(lib.randn(4), (2, 4)))
    same_error(lambda lib: lib.nn.functional.rms_norm(lib.randn(3, 4), (4,), lib.randn(4, 1)))
