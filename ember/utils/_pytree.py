"""ember.utils._pytree (torch.utils._pytree's core): nested tuples, lists, dicts and namedtuples as trees
whose leaves are everything else. ``tree_flatten`` gives the leaves in order plus a spec that
``tree_unflatten`` rebuilds the same structure from; the function transforms (ember.func) map over them."""
from collections import OrderedDict, namedtuple

__all__ = ["TreeSpec", "LeafSpec", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_map", "tree_structure"]

TreeSpec = namedtuple("TreeSpec", ["type", "context", "children_specs"])


class LeafSpec(TreeSpec):
    def __new__(cls):
        return super().__new__(cls, None, None, [])

    def __repr__(self):
        return "*"


_LEAF = LeafSpec()


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _children(tree):
    """(children, context) of a container node, or None for a leaf."""
    if isinstance(tree, (dict, OrderedDict)):
        keys = list(tree)
        return [tree[k] for k in keys], keys
    if isinstance(tree, (list, tuple)):
        return list(tree), None
    return None


def tree_flatten(tree):
    parts = _children(tree)
    if parts is None:
        return [tree], _LEAF
    children, context = parts
    leaves, specs = [], []
    for child in children:
        child_leaves, child_spec = tree_flatten(child)
        leaves.extend(child_leaves)
        specs.append(child_spec)
    return leaves, TreeSpec(type(tree), context, specs)


def _build(kind, context, values):
    if issubclass(kind, dict):
        return kind(zip(context, values))
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return kind(*values)
    return kind(values)


def _num_leaves(spec):
    return 1 if isinstance(spec, LeafSpec) else sum(_num_leaves(s) for s in spec.children_specs)


def tree_unflatten(leaves, spec):
    leaves = list(leaves)
    if len(leaves) != _num_leaves(spec):
        raise ValueError(f"tree_unflatten(leaves, spec): `leaves` has length {len(leaves)} but the spec refers "
                         f"to a pytree that holds {_num_leaves(spec)} items ({spec}).")
    return _unflatten(iter(leaves), spec)


def _unflatten(it, spec):
    if isinstance(spec, LeafSpec):
        return next(it)
    return _build(spec.type, spec.context, [_unflatten(it, s) for s in spec.children_specs])


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_structure(tree):
    return tree_flatten(tree)[1]


def tree_map(fn, tree, *rests):
    leaves, spec = tree_flatten(tree)
    others = [spec_leaves(r, spec) for r in rests]
    return tree_unflatten([fn(*xs) for xs in zip(leaves, *others)], spec)


def spec_leaves(tree, spec):
    """The leaves of ``tree``, which must have the structure ``spec`` describes."""
    leaves, other = tree_flatten(tree)
    if other != spec:
        raise ValueError(f"Tree structure mismatch: expected {spec}, got {other}")
    return leaves
