"""ember.utils._pytree against torch.utils._pytree: the same leaves in the same order, round trips, tree_map."""
from collections import OrderedDict, namedtuple

import pytest
import torch.utils._pytree as tpt

import ember.utils._pytree as ept

Point = namedtuple("Point", ["x", "y"])
TREES = [1, (1, 2), [1, (2, 3), {"b": 4, "a": [5, 6]}], {"k": None, "j": (7,)}, Point(1, [2, 3]),
         OrderedDict([("z", 1), ("y", (2, 3))]), (), [[], {}], "a string is a leaf"]


@pytest.mark.parametrize("tree", TREES, ids=repr)
def test_flatten_unflatten_map_match_torch(tree):
    e_leaves, e_spec = ept.tree_flatten(tree)
    t_leaves, _ = tpt.tree_flatten(tree)
    assert e_leaves == t_leaves
    rebuilt = ept.tree_unflatten(e_leaves, e_spec)
    assert rebuilt == tree and type(rebuilt) is type(tree)
    double = lambda v: v * 2 if isinstance(v, int) else v
    assert ept.tree_map(double, tree) == tpt.tree_map(double, tree)
    assert ept.tree_leaves(tree) == tpt.tree_leaves(tree)


def test_unflatten_with_wrong_number_of_leaves_raises_like_torch():
    spec = ept.tree_structure((1, 2))
    with pytest.raises(ValueError):
        tpt.tree_unflatten([1], tpt.tree_structure((1, 2)))
    with pytest.raises(ValueError):
        ept.tree_unflatten([1], spec)
