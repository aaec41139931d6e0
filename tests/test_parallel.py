"""ember/_parallel.py: one large NumPy call split over threads (ufunc, where, reduce, accumulate).

The split is forced on small inputs (MIN_PER_THREAD = 1, two or three threads). Every case checks
that the split really happened, compares with torch, and, for elementwise ops, requires the very
bytes of the serial result.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import _parallel
from oracle import assert_same, check, random_array, to_ember, to_torch


@pytest.fixture(params=[2, 3])
def split(request, monkeypatch):
    """Threaded path forced; yields the list of task counts each run_tasks call received."""
    calls = []
    run = _parallel.run_tasks

    def spy(fn, tasks, threads):
        calls.append(len(tasks) if threads > 1 else 1)
        return run(fn, tasks, threads)
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: request.param)
    monkeypatch.setattr(_parallel, "run_tasks", spy)
    return calls


def _serial(monkeypatch, fn):
    with monkeypatch.context() as m:
        m.setattr(_parallel, "MIN_PER_THREAD", 1 << 60)
        return fn()


def _with_nan(a):
    a = a.copy()
    a.reshape(-1)[::5] = np.nan
    return a


def _bytes(t):
    return t.numpy().tobytes(), t.numpy().dtype, tuple(t.shape)


# name -> (fn(lib, *tensors), make the input arrays, split expected)
ELEMENTWISE = {
    "add broadcast": (lambda lib, x, y: x + y, lambda: [random_array((13, 7)), random_array((7,))], True),
    "sub outer": (lambda lib, x, y: x - y, lambda: [random_array((5, 1, 9)), random_array((4, 1))], True),
    "mul python float": (lambda lib, x: x * 2.5, lambda: [random_array((1001,))], True),
    "div float64": (lambda lib, x, y: x / y, lambda: [random_array((17, 6), "float64"), random_array((17, 6), "float64")],
                    True),
    "pow": (lambda lib, x, y: lib.pow(x.abs(), y), lambda: [random_array((31,)), random_array((31,))], True),
    "exp nan": (lambda lib, x: lib.exp(x), lambda: [_with_nan(random_array((11, 8)))], True),
    "sqrt of negatives": (lambda lib, x: lib.sqrt(x), lambda: [random_array((45,))], True),
    "tanh": (lambda lib, x: lib.tanh(x), lambda: [random_array((8, 9, 3))], True),
    "sigmoid": (lambda lib, x: lib.sigmoid(x), lambda: [random_array((19, 4), low=-30, high=30)], True),
    "rsqrt": (lambda lib, x: lib.rsqrt(x), lambda: [random_array((33,))], True),
    "erf (scipy)": (lambda lib, x: lib.erf(x), lambda: [random_array((40,), "float64")], True),
    "neg float16": (lambda lib, x: -x, lambda: [random_array((12, 10), "float16")], True),
    "sign bool": (lambda lib, x: lib.sign(x), lambda: [random_array((25,), "bool")], True),
    "abs int32": (lambda lib, x: lib.abs(x), lambda: [random_array((6, 9), "int32", -50, 50)], True),
    "add int64": (lambda lib, x, y: x + y, lambda: [random_array((26,), "int64", -9, 9),
                                                   random_array((26,), "int64", -9, 9)], True),
    "maximum nan": (lambda lib, x, y: lib.maximum(x, y), lambda: [_with_nan(random_array((9, 8))),
                                                                  random_array((8,))], True),
    "lt int16": (lambda lib, x, y: x < y, lambda: [random_array((21,), "int16", -3, 3),
                                                  random_array((21,), "int16", -3, 3)], True),
    "eq broadcast": (lambda lib, x, y: x == y, lambda: [random_array((10, 1), "int8", 0, 3),
                                                       random_array((12,), "int8", 0, 3)], True),
    "logical_and bool": (lambda lib, x, y: lib.logical_and(x, y), lambda: [random_array((30,), "bool"),
                                                                          random_array((30,), "bool")], True),
    "bitwise_xor uint8": (lambda lib, x, y: x ^ y, lambda: [random_array((27,), "uint8", 0, 255),
                                                           random_array((27,), "uint8", 0, 255)], True),
    "isnan": (lambda lib, x: lib.isnan(x), lambda: [_with_nan(random_array((24,)))], True),
    "where": (lambda lib, c, x, y: lib.where(c, x, y), lambda: [random_array((14, 6), "bool"), random_array((14, 6)),
                                                               random_array((6,))], True),
    "transposed": (lambda lib, x, y: x.t() * y, lambda: [random_array((9, 14)), random_array((14, 9))], True),
    "strided": (lambda lib, x: x[::3, 1:] + 1.0, lambda: [random_array((40, 5))], True),
    "add_ in place": (lambda lib, x, y: x.clone().add_(y), lambda: [random_array((16, 5)), random_array((5,))], True),
    "out=": (lambda lib, x, y: lib.mul(x, y, out=lib.empty(13, 3)), lambda: [random_array((13, 3)),
                                                                           random_array((13, 3))], True),
    "empty": (lambda lib, x, y: x * y, lambda: [random_array((0, 5)), random_array((5,))], False),
    "0-d": (lambda lib, x: lib.exp(x), lambda: [random_array(())], False),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_split_is_bitwise_serial(split, monkeypatch, name):
    fn, make, splits = ELEMENTWISE[name]
    arrays = make()
    with np.errstate(all="ignore"):
        expected = fn(torch, *[to_torch(a) for a in arrays])
    got = fn(ember, *[to_ember(a) for a in arrays])
    assert (max(split, default=1) > 1) == splits, split
    assert_same(got, expected)
    assert _bytes(got) == _bytes(_serial(monkeypatch, lambda: fn(ember, *[to_ember(a) for a in arrays])))


# name -> (fn(lib, x), shape, dtype); gradients too where the input is float
REDUCTIONS = {
    "sum all": (lambda lib, x: x.sum(), (1001,), "float32"),
    "sum all 2-d": (lambda lib, x: x.sum(), (3, 101), "float64"),
    "sum kept rows": (lambda lib, x: x.sum(1), (37, 11), "float32"),
    "sum over a long dim, short kept dim": (lambda lib, x: x.sum(1), (3, 200), "float32"),
    "sum dims (0, 2) keepdim": (lambda lib, x: x.sum((0, 2), keepdim=True), (5, 12, 7), "float64"),
    "sum float16": (lambda lib, x: x.sum(0), (300, 3), "float16"),
    "sum int32 to int64": (lambda lib, x: x.sum(), (77,), "int32"),
    "sum bool": (lambda lib, x: x.sum(), (64,), "bool"),
    "mean": (lambda lib, x: x.mean(0), (50, 7), "float32"),
    "prod": (lambda lib, x: (x * 0.1 + 1).prod(), (90,), "float64"),
    "max": (lambda lib, x: x.max(), (99,), "float32"),
    "amax dim 0": (lambda lib, x: x.amax(0), (24, 31), "float32"),
    "amin dim 1": (lambda lib, x: x.amin(1), (31, 24), "float32"),
    "var": (lambda lib, x: x.var(), (203,), "float32"),
    "std dim": (lambda lib, x: x.std(1), (9, 40), "float64"),
    "norm strided": (lambda lib, x: x[:, ::2].norm(), (20, 30), "float32"),
    "norm 1 dim": (lambda lib, x: lib.linalg.vector_norm(x, 1, 0), (60, 3), "float32"),
    "logsumexp": (lambda lib, x: lib.logsumexp(x, 1), (5, 80), "float32"),
    "cumsum 1-d": (lambda lib, x: x.cumsum(0), (1001,), "float32"),
    "cumsum along the only long dim": (lambda lib, x: x.cumsum(1), (2, 250), "float64"),
    "cumsum across": (lambda lib, x: x.cumsum(0), (30, 40), "float32"),
    "cumsum int32": (lambda lib, x: x.cumsum(0), (301,), "int32"),
    "cumprod": (lambda lib, x: (x * 0.01 + 1).cumprod(0), (400,), "float64"),
    "all": (lambda lib, x: x.all(), (70,), "bool"),
    "any dim": (lambda lib, x: (x > 1.9).any(1), (12, 30), "float32"),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_split_matches_torch(split, name):
    fn, shape, dtype = REDUCTIONS[name]
    check(fn, [shape], dtype=dtype)
    assert max(split, default=1) > 1, split


def test_reduction_nan_propagates(split):
    x = _with_nan(random_array((60,)))
    assert_same(ember.tensor(x).max(), torch.tensor(x).max())
    assert_same(ember.tensor(x).sum(), torch.tensor(x).sum())


def test_backward_of_broadcast_sums_over_threads(split):
    """The engine's sum_to and the formula namespace's functions run on the split path too."""
    check(lambda lib, x, y: lib.where(x > 0, lib.tanh(x * y), x.exp()), [(40, 9), (9,)], dtype="float64")
    assert max(split, default=1) > 1


def test_worker_exception_propagates(split):
    def fail_after_first_piece(x, out=None):
        if x[0] != 0:
            raise ValueError("piece")
        return np.negative(x, out=out)
    with pytest.raises(ValueError, match="piece"):
        _parallel.ufunc(fail_after_first_piece, np.arange(40.0))
    assert np.array_equal(_parallel.ufunc(np.negative, np.arange(40.0)), -np.arange(40.0))   # workers still serve


def test_workers_use_the_callers_error_state(split):
    x = np.ones(40)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        _parallel.ufunc(np.divide, x, np.where(np.arange(40) == 39, 0.0, 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.log(ember.tensor(np.linspace(-1.0, 1.0, 40)))     # ember ignores NumPy's warnings, in every piece


def test_nested_calls(split):
    def outer(x, out=None):
        return _parallel.ufunc(np.multiply, _parallel.ufunc(np.add, x, 1.0), 2.0, out=out)
    x = random_array((50, 4), "float64")
    assert np.array_equal(_parallel.ufunc(outer, x), (x + 1.0) * 2.0)


def test_overlapping_out_keeps_numpys_answer(split):
    a, ref = np.arange(60.0), np.arange(60.0)
    np.add(ref[:-1], ref[1:], out=ref[1:])           # NumPy buffers the overlap
    _parallel.ufunc(np.add, a[:-1], a[1:], out=a[1:])
    assert np.array_equal(a, ref)


def test_one_thread_never_splits(monkeypatch):
    def no_split(fn, tasks, threads):
        raise AssertionError("split at one thread")
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 1)
    monkeypatch.setattr(_parallel, "run_tasks", no_split)
    x = ember.randn(30, 7)
    assert_same(x * x + 1, torch.tensor(x.numpy()) ** 2 + 1)
    x.sum(), x.cumsum(0), x.amax(1), ember.where(x > 0, x, 0.0)


def test_set_num_threads_one_turns_it_off():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert _parallel.thread_count(1 << 30) == 1
    finally:
        ember.set_num_threads(before)
