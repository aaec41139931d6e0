"""Tensor storages (untyped_storage, storage) against torch: sizes, bytes, values, sharing, text, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember


CASES = [
    ("float32 1-d", lambda lib: lib.randn(5)),
    ("int16 2-d", lambda lib: lib.arange(6, dtype=lib.int16).reshape(2, 3)),
    ("float64 empty", lambda lib: lib.zeros(0, dtype=lib.float64)),
    ("bool", lambda lib: lib.tensor([True, False, True])),
]


def _pair(make):
    e = make(ember)
    return e, torch.from_numpy(e.numpy().copy())


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_untyped_storage_matches_torch(name, make):
    e, t = _pair(make)
    es, ts = e.untyped_storage(), t.untyped_storage()
    assert (es.nbytes(), es.size(), len(es), es.element_size()) == (ts.nbytes(), ts.size(), len(ts), ts.element_size())
    assert es.tolist() == ts.tolist()
    assert str(es) == str(ts)
    assert es.data_ptr() == e.data_ptr()


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_typed_storage_matches_torch(name, make):
    e, t = _pair(make)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es, ts = e.storage(), t.storage()
    assert (es.size(), len(es), es.nbytes(), es.element_size()) == (ts.size(), len(ts), ts.nbytes(), ts.element_size())
    assert es.tolist() == ts.tolist()
    assert str(es).splitlines()[:-1] == str(ts).splitlines()[:-1]
    if len(ts):
        assert es[-1] == ts[-1] and type(es[0]) is type(ts[0])


def test_typed_storage_warns_once_a_process(monkeypatch):
    monkeypatch.setattr(ember.storage, "_typed_warned", False)
    a = ember.ones(2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        a.storage()
        a.storage()
    assert [x.category for x in w] == [UserWarning] and "TypedStorage is deprecated" in str(w[0].message)


def test_views_share_storage_copies_do_not():
    for lib in (ember, torch):
        a = lib.arange(12.).reshape(3, 4)
        ptr = a.untyped_storage().data_ptr()
        shared = [a[1:], a.t(), a.view(-1), a[:, 2], a.detach(), lib.from_numpy(a.numpy())]
        fresh = [a.clone(), a.t().contiguous(), a + 0]
        assert all(v.untyped_storage().data_ptr() == ptr for v in shared), lib
        assert all(v.untyped_storage().nbytes() == 48 for v in shared), lib
        assert all(v.untyped_storage().data_ptr() != ptr for v in fresh), lib


def test_storage_writes_reach_the_tensor():
    results = []
    for lib in (ember, torch):
        a = lib.zeros(2, dtype=lib.int32)
        s = a.untyped_storage()
        s[0] = 7
        s[5] = 1
        results.append(a.tolist())
    assert results[0] == results[1]


def test_storage_errors_match_torch():
    for lib in (ember, torch):
        s = lib.ones(2).untyped_storage()
        with pytest.raises(IndexError):
            s[8]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ts = lib.ones(2).storage()
        with pytest.raises(RuntimeError):
            ts[0:1]
        with pytest.raises(IndexError):
            ts[2]


def test_new_storage_and_is_storage():
    e, t = ember.UntypedStorage(5), torch.UntypedStorage(5)
    assert e.nbytes() == t.nbytes() and len(e) == len(t)
    assert ember.is_storage(e) and not ember.is_storage(ember.ones(1)) and not ember.is_storage(np.ones(1))
    assert e[1:3].nbytes() == t[1:3].nbytes()
