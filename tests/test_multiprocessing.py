"""ember.multiprocessing: Python's multiprocessing plus torch's sharing strategies and spawn."""
import multiprocessing

import pytest
import torch.multiprocessing as tmp

import ember
import ember.multiprocessing as emp


def test_reexports_python_multiprocessing():
    for name in ["Process", "Queue", "Pool", "get_context", "cpu_count", "set_start_method", "Manager"]:
        assert getattr(emp, name) is getattr(multiprocessing, name) is getattr(tmp, name)


def test_sharing_strategies_match_torch():
    assert emp.get_all_sharing_strategies() == tmp.get_all_sharing_strategies()
    assert emp.get_sharing_strategy() == tmp.get_sharing_strategy()
    try:
        for s in emp.get_all_sharing_strategies():
            emp.set_sharing_strategy(s)
            assert emp.get_sharing_strategy() == s
    finally:
        emp.set_sharing_strategy(tmp.get_sharing_strategy())
    with pytest.raises(AssertionError):
        tmp.set_sharing_strategy("bogus")
    with pytest.raises(AssertionError):
        emp.set_sharing_strategy("bogus")


def _square_into(i, q):
    q.put((i, (ember.arange(3.0) * i).sum().item()))


def _fail(i):
    if i == 1:
        raise ValueError("boom from 1")


def test_spawn_runs_fn_with_its_index_and_reports_errors():
    ctx = multiprocessing.get_context("fork")
    q = ctx.SimpleQueue()
    emp.spawn(_square_into, args=(q,), nprocs=2, start_method="fork")
    assert sorted(q.get() for _ in range(2)) == [(0, 0.0), (1, 3.0)]
    with pytest.raises(emp.ProcessRaisedException, match="boom from 1"):
        emp.spawn(_fail, nprocs=2, start_method="fork")
