"""Tensor.apply_ (ops/misc.py), share_memory_/is_shared, pin_memory/is_pinned and type(legacy class) against torch (CPU)."""
import multiprocessing

import numpy as np
import pytest
import torch

import ember
from oracle import random_array, assert_same, same_error


@pytest.mark.parametrize("dtype,fn", [("float32", lambda v: v * 2 - 1), ("float64", lambda v: v ** 2),
                                      ("int64", lambda v: v * 2.5), ("int32", lambda v: -v),
                                      ("bool", lambda v: not v), ("complex64", lambda v: v * 1j)])
@pytest.mark.parametrize("shape", [(5,), (2, 3), ()])
def test_apply_matches_torch(dtype, fn, shape):
    a = random_array(shape, dtype, low=-4, high=4)
    out = []
    for lib in (ember, torch):
        t = lib.tensor(a)
        assert t.apply_(fn) is t
        out.append(t)
    assert_same(*out)


def test_apply_writes_through_views():
    a = random_array((3, 4), "float32")
    out = []
    for lib in (ember, torch):
        t = lib.tensor(a)
        t[:, ::2].apply_(lambda v: v + 10)
        out.append(t)
    assert_same(*out)


@pytest.mark.parametrize("case", [
    lambda lib: lib.ones(3, requires_grad=True).apply_(lambda v: v),
    lambda lib: lib.ones(3).apply_(lambda v: "a"),
    lambda lib: lib.ones(3).apply_(lambda v: None),
    lambda lib: lib.ones(3).pin_memory(),
    lambda lib: lib.ones(3).type(int),
    lambda lib: lib.ones(3).type("bogus"),
    lambda lib: lib.ones(3).type("torch.cuda.FloatTensor"),
])
def test_errors_match_torch(case):
    same_error(case)


def test_pinned_and_shared_flags_match_torch():
    for lib in (ember, torch):
        t = lib.tensor(random_array((2, 3)))
        assert t.is_pinned() is False and t.is_shared() is False
        assert t.share_memory_() is t
        assert t.is_shared() is True
        assert t.share_memory_() is t and t.is_shared()
        assert (t + 1).is_shared() is False


def _fill(t):
    t.fill_(7.0)


def test_shared_memory_is_seen_by_a_forked_process():
    t = ember.zeros(4).share_memory_()
    p = multiprocessing.get_context("fork").Process(target=_fill, args=(t,))
    p.start()
    p.join()
    assert p.exitcode == 0
    np.testing.assert_array_equal(t.numpy(), np.full(4, 7.0, np.float32))


@pytest.mark.parametrize("legacy", ["LongTensor", "IntTensor", "FloatTensor", "DoubleTensor", "BoolTensor",
                                    "ByteTensor", "HalfTensor"])
def test_type_with_legacy_classes(legacy):
    a = random_array((2, 3), "float32", low=-3, high=3)
    out = [lib.tensor(a).type(getattr(lib, legacy)) for lib in (ember, torch)]
    assert_same(*out)
    out = [lib.tensor(a).type(f"torch.{legacy}") for lib in (ember, torch)]
    assert_same(*out)
    t = ember.tensor(a).type(getattr(ember, legacy))
    assert t.type(getattr(ember, legacy)) is t


def _sgd_step(model):
    with ember.no_grad():
        for p in model.parameters():
            p.sub_(1.0)


def test_module_share_memory_hogwild():
    for lib in (ember, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
        assert model.share_memory() is model
        assert all(t.is_shared() for t in list(model.parameters()) + list(model.buffers()))
    model = ember.nn.Linear(3, 2).share_memory()
    before = [p.detach().clone() for p in model.parameters()]
    p = multiprocessing.get_context("fork").Process(target=_sgd_step, args=(model,))
    p.start()
    p.join()
    assert p.exitcode == 0
    for b, a in zip(before, model.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.numpy() - 1.0)
