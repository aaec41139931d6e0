"""nn.PairwiseDistance and nn.CosineSimilarity against torch."""
import pytest
import torch

import ember
from tests.oracle import check


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.PairwiseDistance(),
    lambda lib: lib.nn.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True),
    lambda lib: lib.nn.PairwiseDistance(p=3.0),
])
@pytest.mark.parametrize("shapes", [[(4, 5), (4, 5)], [(4, 5), (1, 5)], [(5,), (5,)]])
def test_pairwise_distance(make, shapes):
    check(lambda lib, a, b: make(lib)(a, b), shapes, dtype="float64")


@pytest.mark.parametrize("dim,shapes", [(1, [(4, 5), (4, 5)]), (-1, [(2, 3, 4), (3, 4)]), (0, [(6,), (6,)])])
def test_cosine_similarity(dim, shapes):
    check(lambda lib, a, b: lib.nn.CosineSimilarity(dim=dim)(a, b), shapes, dtype="float64")


def test_reprs_match_torch():
    assert repr(ember.nn.PairwiseDistance(p=1.0)) == repr(torch.nn.PairwiseDistance(p=1.0))
    assert repr(ember.nn.CosineSimilarity(dim=0)) == repr(torch.nn.CosineSimilarity(dim=0))
