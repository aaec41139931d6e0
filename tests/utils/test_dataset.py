"""Datasets and random_split against torch.utils.data: same items, lengths, split
sizes, warnings and exception classes (random orders differ: ember's generator is not
torch's, so only what does not depend on the stream is compared)."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from batches import LIBS, same_error, structure

R = np.random.default_rng()


class Squares:
    """A map-style dataset that is not a Dataset subclass (any __getitem__/__len__ works)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


def make_stream(data):
    def build(module):
        class Stream(module.IterableDataset):
            def __init__(self, items):
                self.items = items

            def __iter__(self):
                return iter(self.items)

            def __len__(self):
                return len(self.items)
        return Stream(data)
    return build


def test_tensor_dataset_items_match_torch():
    xs, ys = R.standard_normal((6, 3)).astype("float32"), R.integers(0, 5, 6)
    e = edata.TensorDataset(ember.from_numpy(xs), ember.from_numpy(ys))
    t = tdata.TensorDataset(torch.from_numpy(xs), torch.from_numpy(ys))
    assert len(e) == len(t) == 6
    for i in (0, 3, -1, slice(1, 4)):
        assert structure(e[i]) == structure(t[i])


@pytest.mark.parametrize("build", [
    lambda lib, m: m.TensorDataset(lib.zeros(3, 2), lib.zeros(4)),
    lambda lib, m: m.StackDataset([1, 2], [1]),
    lambda lib, m: m.StackDataset([1], y=[2]),
    lambda lib, m: m.StackDataset(),
    lambda lib, m: m.ConcatDataset([]),
    lambda lib, m: m.ConcatDataset([[1, 2], make_stream([1])(m)]),
    lambda lib, m: list(m.ChainDataset([make_stream([1])(m), [2, 3]])),
    lambda lib, m: m.ConcatDataset([[1, 2], [3]])[-4],
    lambda lib, m: m.random_split(range(10), [3, 3]),
    lambda lib, m: m.random_split(range(10), [0.5, 1.5, -1.0]),
    lambda lib, m: m.random_split(range(10), [1.2, -0.2]),
    lambda lib, m: m.Dataset()[0],
], ids=["tensor_sizes", "stack_sizes", "stack_args_and_kwargs", "stack_empty", "concat_empty", "concat_iterable",
        "chain_map_style", "concat_index", "split_sum", "split_fraction_range", "split_fraction_sum_1", "abstract"])
def test_errors_match_torch(build):
    same_error(build)


def test_stack_dataset_tuple_and_dict():
    xs = R.standard_normal((5, 2)).astype("float32")
    got = [edata.StackDataset(edata.TensorDataset(ember.from_numpy(xs)), Squares(5)),
           edata.StackDataset(x=ember.from_numpy(xs), y=Squares(5))]
    want = [tdata.StackDataset(tdata.TensorDataset(torch.from_numpy(xs)), Squares(5)),
            tdata.StackDataset(x=torch.from_numpy(xs), y=Squares(5))]
    for e, t in zip(got, want):
        assert len(e) == len(t) == 5
        assert structure(e[2]) == structure(t[2])
        assert structure(e.__getitems__([4, 0, 1])) == structure(t.__getitems__([4, 0, 1]))


def test_concat_dataset_indexing_matches_torch():
    parts = [Squares(3), Squares(0), Squares(4), [10, 11]]
    e, t = edata.ConcatDataset(parts), tdata.ConcatDataset(parts)
    assert e.cumulative_sizes == t.cumulative_sizes == [3, 3, 7, 9]
    assert [e[i] for i in range(-9, 9)] == [t[i] for i in range(-9, 9)]
    both = edata.Dataset.__add__(Squares(2), Squares(3))
    assert isinstance(both, edata.ConcatDataset) and len(both) == 5


def test_chain_dataset_and_iterable_plus():
    e = make_stream([1, 2])(edata) + make_stream([3])(edata)
    t = make_stream([1, 2])(tdata) + make_stream([3])(tdata)
    assert isinstance(e, edata.ChainDataset)
    assert list(e) == list(t) == [1, 2, 3] and len(e) == len(t) == 3


def test_subset_matches_torch():
    xs = R.standard_normal((8, 2)).astype("float32")
    idx = [5, 1, 7]
    e = edata.Subset(edata.TensorDataset(ember.from_numpy(xs)), idx)
    t = tdata.Subset(tdata.TensorDataset(torch.from_numpy(xs)), idx)
    assert len(e) == len(t) == 3
    assert structure(e[1]) == structure(t[1])
    assert structure(e.__getitems__([2, 0])) == structure(t.__getitems__([2, 0]))


def test_subset_subclass_overriding_getitem_only_raises_as_torch():
    for _, m in LIBS:
        class Bad(m.Subset):
            def __getitem__(self, i):
                return 0
        with pytest.raises(NotImplementedError, match="__getitems__"):
            Bad([1, 2], [0])


@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.5]), (30, [0.3, 0.3, 0.4]), (7, [0.1, 0.2, 0.3, 0.4]),
    (5, [5]), (3, [1.0]), (100, [0.8, 0.1, 0.1]),
])
def test_random_split_sizes_match_torch_and_partition(n, lengths):
    e = edata.random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    t = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in e] == [len(s) for s in t]
    assert all(isinstance(s, edata.Subset) for s in e)
    items = [x for s in e for x in s]
    assert sorted(items) == list(range(n))      # disjoint and complete


def test_random_split_zero_length_warns_as_torch():
    for _, m in LIBS:
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
            m.random_split(range(2), [0.5, 0.0, 0.5])


def test_random_split_reproducible_with_a_seed_and_uses_the_default_generator():
    a = edata.random_split(range(20), [0.5, 0.5], generator=ember.Generator().manual_seed(3))
    b = edata.random_split(range(20), [0.5, 0.5], generator=ember.Generator().manual_seed(3))
    assert [list(s) for s in a] == [list(s) for s in b]
    ember.manual_seed(1)
    c = edata.random_split(range(20), [10, 10])
    ember.manual_seed(1)
    d = edata.random_split(range(20), [10, 10])
    assert [list(s) for s in c] == [list(s) for s in d]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert {len(s) for s in edata.random_split(range(20), [0.25] * 4)} == {5}
