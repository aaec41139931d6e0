"""ember.testing.make_tensor against torch.testing.make_tensor: dtypes, shapes, ranges, flags and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.testing

import ember
import ember.testing
from oracle import same_error

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]


def make(lib, *shape, dtype, **kw):
    return lib.testing.make_tensor(*shape, dtype=getattr(lib, dtype), device="cpu", **kw)


def values(t):
    t = t.detach()
    if t.dtype in (ember.bfloat16, torch.bfloat16):
        t = t.float()
    return t.numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), ((2, 5),), ([7],), ()])
def test_default_ranges_shapes_dtypes(dtype, shape):
    e, t = make(ember, *shape, dtype=dtype), make(torch, *shape, dtype=dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    lo, hi = {"bool": (0, 1), "uint8": (0, 9)}.get(dtype, (-9, 9))
    for arr in (values(e), values(t)):
        parts = [arr.real, arr.imag] if np.iscomplexobj(arr) else [arr]
        for p in parts:
            assert np.all(p >= lo) and np.all(p <= hi)


@pytest.mark.parametrize("dtype", ["int32", "float32", "float64", "complex64"])
def test_low_high_requires_grad_noncontiguous_exclude_zero(dtype):
    for lib in (ember, torch):
        floating = dtype != "int32"
        t = make(lib, 6, 5, dtype=dtype, low=-2, high=3, requires_grad=floating, noncontiguous=True,
                 exclude_zero=True)
        assert tuple(t.shape) == (6, 5) and not t.is_contiguous()
        assert t.requires_grad is floating
        arr = values(t)
        parts = [arr.real, arr.imag] if np.iscomplexobj(arr) else [arr]
        assert all(np.all(p >= -2) and np.all(p < 3) for p in parts)
        assert np.all(arr != 0)
        big = make(lib, 1000, dtype="float32", low=-1e40, high=1e40)       # clamped to the finite range
        assert np.all(np.isfinite(values(big)))


@pytest.mark.parametrize("case", [
    lambda lib: make(lib, 2, dtype="int64", requires_grad=True),
    lambda lib: make(lib, 2, dtype="float32", low=3, high=1),
    lambda lib: make(lib, 2, dtype="int32", low=3, high=3),
    lambda lib: make(lib, 2, dtype="float32", low=float("nan")),
    lambda lib: make(lib, 2, dtype="uint8", low=-5, high=-1),
    lambda lib: make(lib, 2, 2, dtype="float32", noncontiguous=True, memory_format=lib.contiguous_format),
])
def test_errors_match_torch(case):
    same_error(case)


def test_low_equal_high_warns_for_floats_like_torch():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="low==high"):
            make(lib, 3, dtype="float32", low=1.0, high=1.0)
