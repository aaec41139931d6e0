"""softmax / log_softmax row kernels (ember/nn/_functional/_softmax.py, _rowstats.py) against torch.

The last-axis path runs blocks of rows with a pairwise max tree and einsum sums; the
cases cover even and odd row lengths (the tree folds odd widths), rows from 256 on
(NumPy's max), one-column rows, the GPT's causal attention rows (-inf above the
diagonal), +inf/NaN/all -inf rows, other axes and non-contiguous inputs (NumPy's
reductions), on one thread and on two (slices of several blocks, the last partial)."""
import math

import numpy as np
import pytest

import ember
from ember.nn._functional._rowstats import rowmax
from oracle import check

SHAPES = [(32, 4, 64, 64), (7, 64), (5, 3, 33), (6, 7), (9, 1), (4, 300), (3,), (2, 0, 5)]
THREADED = (4100, 64)       # 262,400 numbers: two threads of four 64k blocks each, the last one partial
# float32 gradients: log_softmax's g - exp(y) sum(g) cancels terms up to |sum(g)| ~ 16 at rows of 64
# numbers of +-2, whose float32 rounding (~1e-6) either library makes its own way.
GRAD_ATOL = {"float32": 1e-5, "float64": None}


@pytest.fixture
def two_threads(monkeypatch):
    from ember import _parallel
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 2)


def _input(shape, dtype, causal=False):
    x = np.random.default_rng().standard_normal(shape) * 3
    if causal:
        t = shape[-1]
        x[..., ~np.tril(np.ones((t, t), bool))] = -math.inf
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_last_dim_matches_torch(op, shape, dtype):
    check(lambda lib, x: getattr(lib.nn.functional, op)(x, dim=-1), [_input(shape, dtype)], dtype=dtype,
          grad_atol=GRAD_ATOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_causal_attention_rows_match_torch(op, dtype):
    """The GPT step's scores: (batch 32, heads 4, 64, 64), -inf above the diagonal (log_softmax's -inf have
    no gradient to compare, so only softmax's backward is checked there)."""
    x = _input((32, 4, 64, 64), dtype, causal=True)
    check(lambda lib, x: getattr(lib.nn.functional, op)(x, dim=-1), [x], dtype=dtype, grad=op == "softmax",
          grad_atol=GRAD_ATOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_threaded_matches_torch(op, dtype, two_threads):
    check(lambda lib, x: getattr(lib.nn.functional, op)(x, dim=-1), [_input(THREADED, dtype)], dtype=dtype,
          grad_atol=GRAD_ATOL[dtype])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1])
def test_other_axes_and_strided_inputs_match_torch(op, dim):
    check(lambda lib, x: getattr(lib.nn.functional, op)(x.transpose(0, 2), dim=dim), [_input((5, 4, 6), "float32")])
    check(lambda lib, x: getattr(lib.nn.functional, op)(x[:, ::2], dim=-1), [_input((5, 12), "float32")])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_nonfinite_rows_match_torch(op):
    x = _input((5, 64), "float32")
    x[0, 3], x[1, 60], x[2, :] = math.inf, math.nan, -math.inf
    x[3, :63] = -math.inf
    with np.errstate(invalid="ignore", divide="ignore"):
        check(lambda lib, x: getattr(lib.nn.functional, op)(x, dim=-1), [x], grad=False)


def test_half_precision_matches_torch():
    check(lambda lib, x: lib.nn.functional.softmax(x, dim=-1), [_input((6, 64), "float32").astype(ember.bfloat16.np)],
          dtype="bfloat16")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("d", [1, 2, 3, 7, 33, 64, 100, 128, 255, 256, 300])
def test_rowmax_is_numpy_max(d, dtype):
    x = np.random.default_rng().standard_normal((37, d)).astype(dtype)
    x[5, d // 2] = math.nan
    x[6, d - 1] = math.inf
    x[7, :] = -math.inf
    before = x.copy()
    np.testing.assert_array_equal(rowmax(x), x.max(axis=1))
    np.testing.assert_array_equal(x, before)          # the input is left alone (d = 1 included)
