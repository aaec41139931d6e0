"""The two namespaces a derivative formula runs with.

A formula such as ``lambda F, g, x: g * F.cos(x)`` is written once. The engine
calls it with ``array_ns`` and NumPy arrays for a plain backward (fast), or with
``tensor_ns`` and ember Tensors under ``create_graph=True`` (differentiable, so
second derivatives come for free). Both namespaces offer the same functions
with ember's signatures; operators, ``.mT``, ``.reshape`` and ``.shape`` are
shared by arrays and Tensors already.

Op families add the helpers their formulas need with ``define``. The array
functions split large arrays over the intra-op threads (``_parallel``); the
operators inside formulas (``g * x``) are NumPy's own and run on one.
"""
import functools

import numpy as np

from .. import _parallel as par
from .._scalars import weak
from ..dtypes import _FLOAT, _by_np


class _Namespace:
    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"<formula namespace {self._name}>"


array_ns = _Namespace("arrays")
tensor_ns = _Namespace("tensors")


def define(name, array_impl, tensor_impl):
    """Offer ``F.name`` to formulas: ``array_impl`` on arrays, ``tensor_impl`` on Tensors."""
    setattr(array_ns, name, staticmethod(array_impl).__func__)
    setattr(tensor_ns, name, tensor_impl)


def _ember(name):
    """A tensor_ns entry that is the ember function of the same name, looked up lazily."""
    def call(*args, **kwargs):
        import ember
        fn = getattr(ember, name)
        setattr(tensor_ns, name, fn)
        return fn(*args, **kwargs)
    return call


def array_sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (the one un-broadcasting helper)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if axes:
        g = par.reduce(np.add, g, axes, True)
    return g.reshape(shape)


def array_scale(g, c):
    """g * c for a real Python number c, with c as a cached 0-d array (ember._scalars: the same result,
    without NumPy's per-call conversion of the number)."""
    dt = _by_np.get(g.dtype)
    return g * (dt.weak_numbers.get(c) or weak(c, dt)) if dt is not None and dt.category == _FLOAT else g * c


def array_conj(x):
    return x.conj() if x.dtype.kind == "c" else x


def array_sum(x, dim=None, keepdim=False):
    return par.reduce(np.add, x, dim, keepdim)


def array_expand(x, shape):
    """A broadcast view of x. The gradient of a full reduction (a single value) is built directly
    with zero strides: np.broadcast_to costs ~3 us of Python per call. It is left writeable (setting
    the flag costs as much as the view): nothing writes into a gradient in place. The engine copies
    a view before it keeps it as .grad, sums gradients out of place, and ember's in-place ops check
    for expanded memory as torch's do."""
    if x.size == 1:
        return np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
    return np.broadcast_to(x, shape)


# Name -> NumPy function with the same meaning as the ember function of that name.
_NUMPY_SAME = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "sqrt": np.sqrt,
    "abs": np.abs, "sign": np.sign, "reciprocal": np.reciprocal, "square": np.square, "maximum": np.maximum,
    "minimum": np.minimum,
}
for _n, _f in _NUMPY_SAME.items():
    define(_n, functools.partial(par.ufunc, _f), _ember(_n))
define("where", par.where, _ember("where"))
define("matmul", np.matmul, _ember("matmul"))
define("conj", array_conj, _ember("conj"))
define("sum", array_sum, _ember("sum"))
define("scale", array_scale, lambda g, c: g * c)
define("expand", array_expand, _ember("broadcast_to"))
define("zeros_like", np.zeros_like, _ember("zeros_like"))
define("ones_like", np.ones_like, _ember("ones_like"))
