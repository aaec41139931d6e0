"""Indexing: ``t[key]`` and its gradient.

Basic keys (ints, slices, None, Ellipsis) give views that share memory and the
version counter; keys with tensors, lists or bool masks give copies (advanced
indexing, NumPy's rules, which PyTorch follows). The gradient of an index is the
incoming gradient added into zeros at the same places (``np.add.at``, so
repeated indices accumulate).
"""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, node_class, record
from .inplace import ViewFn, make_view


def normalize_key(key, op="index"):
    """A key NumPy understands: Tensors become arrays; PyTorch's restrictions are enforced."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            if k._dtype.category >= dtypes._FLOAT:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            k = k._data
        elif isinstance(k, slice):
            if k.step is not None and _as_int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            k = slice(_as_int(k.start), _as_int(k.stop), _as_int(k.step))
        elif isinstance(k, list):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)")
        out.append(k)
    return tuple(out)


def _as_int(v):
    if v is None or isinstance(v, int):
        return v
    if isinstance(v, Tensor):
        return int(v)
    return v.__index__()


def _is_basic(key):
    return all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)) and not isinstance(k, bool)
               for k in key)


def _index_formula(F, g, shape, key):
    return F.index_put_zeros(g, shape, key)


def _index_put_zeros_formula(F, g, key):
    return g[key]


IndexBackward0 = node_class("IndexBackward0", _index_formula)
SliceBackward0 = node_class("SliceBackward0", _index_formula)
IndexPutZerosBackward = node_class("IndexPutBackward0", _index_put_zeros_formula)


def _array_index_put_zeros(g, shape, key):
    z = np.zeros(shape, g.dtype)
    if _is_basic(key):
        z[key] = g
    else:
        np.add.at(z, key, g)
    return z


def index_put_zeros(g, shape, key):
    """Zeros of ``shape`` with g added at ``key`` (the adjoint of indexing), differentiable."""
    r = make_tensor(_array_index_put_zeros(g._data, shape, key), g._dtype)
    if g._rg and _gstate.enabled:
        record(IndexPutZerosBackward, r, (g,), (), (key,))
    return r


def _define_namespace():
    from ..autograd.formulas import define
    define("index_put_zeros", _array_index_put_zeros, index_put_zeros)


_define_namespace()


def getitem(self, key):
    key = normalize_key(key)
    x = self._data
    try:
        data = x[key]
    except IndexError as e:
        raise IndexError(f"{e} (indexing a tensor of shape {list(x.shape)})") from None
    if _is_basic(key):
        r = make_view(self, data if isinstance(data, np.ndarray) else x[key + (None,)].reshape(()),
                      ViewFn(lambda a: a[key], lambda t: t[key]))
        node = SliceBackward0
    else:
        r = make_tensor(np.asarray(data), self._dtype)
        node = IndexBackward0
    if self._rg and _gstate.enabled:
        record(node, r, (self,), (), (x.shape, key))
    return r


attach(__getitem__=getitem)
__all__ = []
