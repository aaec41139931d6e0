"""Samplers against torch.utils.data: the deterministic ones give torch's exact output,
the random ones torch's lengths, value ranges, uniqueness rules and exception
classes (not its random order: the generators differ)."""
import numpy as np
import pytest
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from batches import same_error


@pytest.mark.parametrize("n", [1, 5, 17])
def test_sequential_sampler_matches_torch(n):
    e, t = edata.SequentialSampler(range(n)), tdata.SequentialSampler(range(n))
    assert list(e) == list(t) and len(e) == len(t) == n


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                                      (2, 5, True), (1, 1, False), (33, 8, False)])
def test_batch_sampler_matches_torch(n, batch_size, drop_last):
    e = edata.BatchSampler(edata.SequentialSampler(range(n)), batch_size, drop_last)
    t = tdata.BatchSampler(tdata.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(e) == list(t)
    assert len(e) == len(t)
    assert list(edata.BatchSampler(range(n), batch_size, drop_last)) == list(t)   # any iterable works


@pytest.mark.parametrize("n, num_samples", [(7, None), (7, 3), (7, 7), (5, 12), (1, 4)])
def test_random_sampler_without_replacement(n, num_samples):
    e = edata.RandomSampler(range(n), num_samples=num_samples, generator=ember.Generator().manual_seed(0))
    t = tdata.RandomSampler(range(n), num_samples=num_samples)
    got = list(e)
    assert len(e) == len(t) == len(got) == len(list(t))
    full, rest = divmod(len(got), n)
    for k in range(full):             # every block of n is a permutation
        assert sorted(got[k * n:(k + 1) * n]) == list(range(n))
    assert len(set(got[full * n:])) == rest


@pytest.mark.parametrize("n, num_samples", [(4, None), (4, 100), (10, 33), (3, 1)])
def test_random_sampler_with_replacement(n, num_samples):
    e = edata.RandomSampler(range(n), replacement=True, num_samples=num_samples)
    t = tdata.RandomSampler(range(n), replacement=True, num_samples=num_samples)
    got = list(e)
    assert len(e) == len(t) == len(got) == len(list(t))
    assert all(isinstance(i, int) and 0 <= i < n for i in got)
    if len(got) >= 100:
        assert len(set(got)) == n       # with 100 draws from 4, each index shows up (fails with p < 1e-12)


def test_random_sampler_seeds_and_epochs():
    a = list(edata.RandomSampler(range(50), generator=ember.Generator().manual_seed(5)))
    b = list(edata.RandomSampler(range(50), generator=ember.Generator().manual_seed(5)))
    assert a == b
    s = edata.RandomSampler(range(50))          # no generator: a new order every pass, from the default one
    ember.manual_seed(2)
    first, second = list(s), list(s)
    assert first != second
    ember.manual_seed(2)
    assert list(s) == first


@pytest.mark.parametrize("build", [
    lambda lib, m: m.RandomSampler(range(3), replacement=1),
    lambda lib, m: m.RandomSampler(range(3), num_samples=0),
    lambda lib, m: m.RandomSampler(range(3), num_samples=2.0),
    lambda lib, m: m.RandomSampler([]),
    lambda lib, m: m.BatchSampler(range(3), 0, False),
    lambda lib, m: m.BatchSampler(range(3), True, False),
    lambda lib, m: m.BatchSampler(range(3), 2, 1),
    lambda lib, m: m.WeightedRandomSampler([1.0, 2.0], 0),
    lambda lib, m: m.WeightedRandomSampler([1.0, 2.0], True),
    lambda lib, m: m.WeightedRandomSampler([1.0, 2.0], 2, replacement="yes"),
    lambda lib, m: m.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda lib, m: list(m.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
    lambda lib, m: list(m.WeightedRandomSampler([1.0, -2.0], 3)),
    lambda lib, m: list(m.Sampler()),
])
def test_sampler_errors_match_torch(build):
    same_error(build)


def test_subset_random_sampler():
    idx = [9, 2, 4, 40]
    e, t = edata.SubsetRandomSampler(idx), tdata.SubsetRandomSampler(idx)
    got = list(e)
    assert len(e) == len(t) == 4 and sorted(got) == sorted(list(t)) == sorted(idx)
    g1, g2 = ember.Generator().manual_seed(1), ember.Generator().manual_seed(1)
    assert list(edata.SubsetRandomSampler(idx, g1)) == list(edata.SubsetRandomSampler(idx, g2))


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0, 0.0, 2.0]
    e = edata.WeightedRandomSampler(w, 600, generator=ember.Generator().manual_seed(0))
    t = tdata.WeightedRandomSampler(w, 600)
    assert len(e) == len(t) == 600
    assert str(e.weights.dtype) == "ember.float64" and str(t.weights.dtype) == "torch.float64"
    got = np.bincount(list(e), minlength=5)
    assert got[0] == got[3] == 0 and got.sum() == 600
    assert 0.4 < got[2] / 600 < 0.6         # p = 1/2; 600 draws put it within 0.1 with p > 0.999
    nr = list(edata.WeightedRandomSampler(w, 3, replacement=False))
    assert sorted(nr) == [1, 2, 4]            # the three positive weights, each once


def test_weighted_sampler_accepts_tensors_and_numpy():
    for w in (ember.tensor([1.0, 2.0]), np.array([1, 2]), (1, 2)):
        s = edata.WeightedRandomSampler(w, 4)
        assert len(list(s)) == 4 and set(s) <= {0, 1}


def test_samplers_are_generic_like_torch():
    class Mine(edata.Sampler[int]):
        def __iter__(self):
            return iter([2, 1])
    assert list(Mine()) == [2, 1]
    assert edata.Dataset[int] is not None and edata.DataLoader[int] is not None


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (2, 4, False),
                                                    (7, 2, True), (1, 1, False)])
def test_distributed_sampler_matches_torch_without_shuffle(n, replicas, drop_last):
    for rank in range(replicas):
        e = edata.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(e) == list(t) and len(e) == len(t)


def test_distributed_sampler_shuffles_one_order_for_all_replicas():
    def shards(epoch):
        out = []
        for rank in range(3):
            s = edata.DistributedSampler(range(12), num_replicas=3, rank=rank, seed=5)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    first = shards(0)
    assert sorted(sum(first, [])) == list(range(12))      # the replicas split one permutation
    assert shards(0) == first and shards(1) != first


@pytest.mark.parametrize("build", [
    lambda lib, m: m.DistributedSampler(range(4), num_replicas=2, rank=2),
    lambda lib, m: m.DistributedSampler(range(4), num_replicas=2, rank=-1),
    lambda lib, m: m.DistributedSampler(range(4)),                  # no process group: ValueError in both
    lambda lib, m: m.DistributedSampler(range(4), num_replicas=2),
])
def test_distributed_sampler_errors_match_torch(build):
    same_error(build)


def test_distributed_sampler_without_a_process_group_says_so():
    with pytest.raises(ValueError, match="pass num_replicas= and rank="):
        edata.DistributedSampler(range(4))
