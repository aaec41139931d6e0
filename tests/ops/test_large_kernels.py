"""The large-array kernels against torch: float32/float64 sums as matrix-vector products with ones
(ember/ops/reduction.py ``_ones_sum``), the long float32 scan with a double running total (``_long_cumsum_f32``), the
blocked sigmoid and the blocked sigmoid/tanh backward (ember/ops/unary.py). They only run above the
threading threshold (or, for the scan, on lines of at least one scan chunk), so the inputs here are that
large; each runs at one thread and at two (pieces on the intra-op threads), on contiguous and
non-contiguous inputs, with inf and nan."""
import numpy as np
import pytest
import torch

import ember
from ember import _parallel
from ember.ops import reduction
from oracle import check, random_array

BIG = 2 * _parallel.MIN_PER_THREAD      # the size at which the large paths start
LINE = reduction._SCAN_CHUNK


@pytest.fixture(params=[1, 2], autouse=True)
def threads(request, monkeypatch):
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: request.param)
    return request.param


def _with_specials(shape, *values):
    """Random float32 data with each of ``values`` at a random position."""
    a = random_array(shape)
    flat = a.reshape(-1)
    for v, i in zip(values, np.random.default_rng().choice(flat.size, len(values), replace=False)):
        flat[i] = v
    return a


SUMS = {   # name: (fn(lib, x), input shape); every shape is at least BIG numbers
    "sum full 1-d": (lambda lib, x: x.sum(), (BIG + 37,)),
    "sum full 2-d": (lambda lib, x: x.sum(), (512, 1024)),
    "sum dim -1": (lambda lib, x: x.sum(-1), (256, 2048)),
    "sum dim -1 keepdim": (lambda lib, x: x.sum(1, keepdim=True), (256, 2048)),
    "sum trailing dims": (lambda lib, x: x.sum((1, 2)), (64, 32, 256)),
    "sum short rows": (lambda lib, x: x.sum(-1), (BIG // 4, 4)),
    "sum rows not cut in pieces": (lambda lib, x: x.sum(-1), (300, 1000)),
    "sum long rows (other path)": (lambda lib, x: x.sum(-1), (5, reduction._MAX_ROW + 1)),
    "sum full, 1-d, not a multiple of the row": (lambda lib, x: x.sum(), (BIG + reduction._ONES_ROW // 2,)),
    "sum dims (0, 1) keepdim": (lambda lib, x: x.sum((0, 1), keepdim=True), (512, 1024)),
    "sum dim 0 (other path)": (lambda lib, x: x.sum(0), (256, 2048)),
    "sum transposed": (lambda lib, x: x.mT.sum(-1), (1024, 512)),
    "sum strided": (lambda lib, x: x[:, ::2].sum(), (512, 2048)),
    "mean full": (lambda lib, x: x.mean(), (BIG * 2,)),
    "mean dim -1": (lambda lib, x: x.mean(-1), (128, 4096)),
    "var full": (lambda lib, x: x.var(), (BIG,)),
    "std dim -1": (lambda lib, x: x.std(-1), (128, 4096)),
    "nansum full": (lambda lib, x: x.nansum(), (BIG,)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(SUMS))
def test_large_sums_match_torch(name, dtype):
    fn, shape = SUMS[name]
    # atol: ember's and torch's float32 rounding of sums of 65k-1M numbers of magnitude ~1 that cancel to
    # ~1 (each ~eps * sqrt(n); 1e-4 failed 1 run in ~20 on rows of 65k), still < 0.1 * eps * sum |x|
    tol = {"float32": (1e-5, 5e-4), "float64": (1e-12, 1e-10)}[dtype]
    check(fn, [shape], dtype=dtype, rtol=tol[0], atol=tol[1])


@pytest.mark.parametrize("dims", [None, -1])
def test_large_sum_of_negative_zeros_is_positive_zero_as_in_torch(dims):
    x = -np.zeros((256, 2048), np.float32)
    e, t = ember.tensor(x).sum(dims).numpy(), torch.from_numpy(x).sum(dims).numpy()
    assert np.array_equal(np.signbit(e), np.signbit(t)) and not np.signbit(t).any()


@pytest.mark.parametrize("values", [(np.nan,), (np.inf,), (-np.inf,), (np.inf, -np.inf), (np.inf, np.nan)])
@pytest.mark.parametrize("how", ["full", "full, 1-d with a tail", "dim -1", "dim -1, rows not cut", "mean"])
def test_large_sums_propagate_inf_and_nan(values, how):
    fn, shape = {"full": (lambda lib, x: x.sum(), (256, 2048)),
                 "full, 1-d with a tail": (lambda lib, x: x.sum(), (BIG + 100,)),
                 "dim -1": (lambda lib, x: x.sum(-1), (256, 2048)),
                 "dim -1, rows not cut": (lambda lib, x: x.sum(-1), (300, 1000)),
                 "mean": (lambda lib, x: x.mean(), (256, 2048))}[how]
    check(fn, [_with_specials(shape, *values)], grad=False, atol=5e-4)


def test_large_float32_sum_is_as_accurate_as_torch():
    """Against a float64 reference: the full sum (rows of ones-products, then pairwise) stays well inside
    float32's error bound (measured ~1.3e-3 of eps * sum|x|, as torch's cascade); row sums within a few
    ulps of each row's sum |x| (measured max 0.15 on normal rows, 1.8 on positive ones; torch 0.13 and
    1.7; the float64 sum rounded once to float32 alone reaches ~1)."""
    x = np.random.default_rng().standard_normal(1 << 22).astype(np.float32)
    bound = np.finfo(np.float32).eps * np.abs(x).astype(np.float64).sum()
    ref = x.astype(np.float64).sum()
    err_ember = abs(float(ember.tensor(x).sum()) - ref)
    err_torch = abs(float(torch.from_numpy(x).sum()) - ref)
    assert err_ember < 0.01 * bound, (err_ember, err_torch, bound)
    rows = x.reshape(2048, -1)
    ref_rows = rows.astype(np.float64).sum(1)
    row_bound = np.finfo(np.float32).eps * np.abs(rows).astype(np.float64).sum(1)
    assert (np.abs(ember.tensor(rows).sum(1).numpy() - ref_rows) / row_bound).max() < 1
    positive = (1 + 1e-3 * np.random.default_rng().random((2048, 2048))).astype(np.float32)
    ref_pos, pos_bound = positive.astype(np.float64).sum(1), np.finfo(np.float32).eps * positive.sum(1, np.float64)
    assert (np.abs(ember.tensor(positive).sum(1).numpy() - ref_pos) / pos_bound).max() < 5


SCANS = {   # name: (fn(lib, x), input shape)
    "cumsum 1-d": (lambda lib, x: x.cumsum(0), (2 * BIG + 5,)),
    "cumsum lines": (lambda lib, x: x.cumsum(-1), (3, LINE + 3)),
    "cumsum many lines": (lambda lib, x: lib.cumsum(x, 1), (5, LINE)),
    "cumsum strided": (lambda lib, x: x[:, ::2].cumsum(1), (2, 2 * LINE + 2)),
    "cumsum flipped": (lambda lib, x: x.flip(0).cumsum(0), (BIG,)),
    "cumsum short lines (other path)": (lambda lib, x: x.cumsum(1), (BIG // 64, 64)),
}


@pytest.mark.parametrize("name", list(SCANS))
def test_large_cumsum_matches_torch(name):
    """Forward (torch's double running total: the float32 tolerance holds also where the running sum
    crosses zero) and backward (a reversed cumsum, through the same kernel)."""
    fn, shape = SCANS[name]
    check(fn, [shape])


def test_large_cumsum_crossing_zero():
    """Mean-zero data over 1M values: the running sum wanders far and back through 0, where any float32
    accumulation shows (~1e-4 off); a double one is within a rounding."""
    x = np.random.default_rng().standard_normal(1 << 20).astype(np.float32)
    check(lambda lib, x: x.cumsum(0), [x], grad=False)


@pytest.mark.parametrize("values", [(np.nan,), (np.inf,), (np.inf, -np.inf), (3e38, 3e38, -1e38)])
def test_large_cumsum_inf_nan_overflow(values):
    """The last case: a double running total beyond float32's range gives inf there and finite values
    again after. (Not one that cancels back to ~1: a piece's pairwise carry then keeps the small values
    the serial order rounds away, as any second order of additions would.)"""
    check(lambda lib, x: x.cumsum(0), [_with_specials((BIG,), *values)], grad=False)


@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
def test_large_sigmoid_tanh_and_their_blocked_backward_match_torch(op):
    """Forward and backward (a blocked kernel on large float arrays: contiguous gradients, a broadcast
    one from a sum, a transposed input) and the second order (the formula on tensors)."""
    f = lambda lib, x: getattr(lib, op)(x)      # noqa: E731
    check(f, [(BIG + 3,)], low=-30.0, high=30.0)
    check(lambda lib, x: f(lib, x.mT), [(512, 1024)], low=-30.0, high=30.0)
    # (the forward is a float32 sum of 524,288 values of either sign: its rounding, not tanh's, sets the
    # tolerance; the backward is the point here)
    check(lambda lib, x: f(lib, x).sum(), [(512, 1024)], low=-5.0, high=5.0, atol=2e-3)
    check(f, [(512, 1024)], dtype="float64", low=-5.0, high=5.0, second_order=True)


def test_large_sigmoid_tails_and_specials():
    """Tiny values keep their relative accuracy (no 0.5 * tanh(x / 2) + 0.5 shortcut), and the limits and
    nan are torch's."""
    x = random_array((BIG,), low=-100.0, high=100.0)
    x[:8] = [-20.0, -50.0, -87.0, -88.0, -104.0, np.inf, -np.inf, np.nan]
    e = ember.sigmoid(ember.tensor(x)).numpy()
    t = torch.sigmoid(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-6, atol=0, equal_nan=True)
    assert abs(e[0] / (1 / (1 + np.exp(20.0))) - 1) < 1e-6


@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_blocked_backward_is_bitwise_the_formula(op, dtype):
    from ember.autograd.formulas import array_ns
    from ember.ops import unary
    g, out = random_array((BIG + 5,), dtype), random_array((BIG + 5,), dtype, 0.0, 1.0)
    formula = {"sigmoid": unary._sigmoid_formula, "tanh": unary._tanh_formula}[op]
    blocked = getattr(array_ns, op + "_backward")(g, out)
    assert np.array_equal(blocked, formula(array_ns, g, out))
    strided = getattr(array_ns, op + "_backward")(g[::2], out[::2])      # pieces fall back to the formula
    assert np.array_equal(strided, formula(array_ns, g[::2], out[::2]))
