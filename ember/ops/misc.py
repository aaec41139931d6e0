"""Filling and copying into existing tensors, and the ``new_*`` constructors.

``copy_``, ``fill_`` and ``zero_`` write in place (bumping the version
counter); with autograd recording they rebase the tensor's history like any
in-place op, so ``x.copy_(w)`` passes gradient to ``w``.
"""
import numpy as np

from .. import creation, dtypes
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, check_inplace, node_class, record
from .inplace import apply_inplace

# copy_(src): the result is src broadcast to self's shape and cast to self's dtype; the old value's gradient is
# zeros (not None: as in PyTorch, a leaf whose every use was overwritten still gets a .grad of zeros).
CopyBackwards = node_class("CopyBackwards", lambda F, g: (F.zeros_like(g), g))
# fill_(0-d tensor) is the same gradient under PyTorch's name; fill_(number) and zero_ pass nothing back
FillBackward3 = node_class("FillBackward3", CopyBackwards.formula)
FillBackward2 = node_class("FillBackward2", lambda F, g: F.zeros_like(g))
ZeroBackward0 = node_class("ZeroBackward0", lambda F, g: F.zeros_like(g))


def _broadcast_copy(old, src, node=CopyBackwards):
    """src broadcast to old's shape and cast to old's dtype, as a recorded op."""
    try:
        data = np.broadcast_to(src._data, old._data.shape)
    except ValueError:
        raise RuntimeError(f"copy_: the source of shape {list(src.shape)} must be broadcastable to the "
                           f"destination's shape {list(old.shape)}") from None
    if old._dtype.is_complex is False and src._dtype.is_complex:
        data = data.real
    r = make_tensor(data.astype(old._dtype.np), old._dtype)
    if _gstate.enabled and (src._rg or old._rg) and old._dtype.category >= dtypes._FLOAT:
        record(node, r, (old, src))
    return r


def _filled(old, value, node):
    """A tensor like old holding ``value`` everywhere, as a recorded op."""
    r = make_tensor(np.full(old._data.shape, value, old._dtype.np), old._dtype)
    if _gstate.enabled and old._rg:
        record(node, r, (old,))
    return r


def copy_(self, other, non_blocking=False):
    src = other                       # PyTorch's keyword name is "other"
    if isinstance(src, (bool, int, float, complex)):     # PyTorch takes a number as a 0-d tensor
        src = make_tensor(np.asarray(src), dtypes.result_type_of((dtypes.operand_kind(src),)))
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    check_inplace(self, "copy_", overlap_ok=src is self)
    return apply_inplace(self, lambda t: _broadcast_copy(t, src), (src,))


def fill_(self, value):
    return _fill(self, value, FillBackward2)


def _fill(self, value, node):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    # PyTorch fills an expand()ed tensor with a number, not with a tensor's value
    data = check_inplace(self, "fill_", overlap_ok=not isinstance(value, Tensor))
    if isinstance(value, Tensor):
        return apply_inplace(self, lambda t: _broadcast_copy(t, value, FillBackward3), (value,))
    if not _gstate.enabled or not self._rg:
        data.fill(value)
        self._vbox[0] += 1
        return self
    return apply_inplace(self, lambda t: _filled(t, value, node))


def zero_(self):
    return _fill(self, 0, ZeroBackward0)


def _new(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
        if "size" in kw:                       # x.new_zeros(size=(2, 3)): PyTorch's keyword
            if size:
                raise TypeError(f"new_{fn.__name__}() got multiple values for argument 'size'")
            size = (kw.pop("size"),)
        if not size:
            raise TypeError(f'new_{fn.__name__}() missing 1 required positional arguments: "size"')
        if kw:
            raise TypeError(f"new_{fn.__name__}() got an unexpected keyword argument '{next(iter(kw))}'")
        return fn(*size, dtype=self._dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)
    method.__name__ = "new_" + fn.__name__
    return method


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return creation.full(size, fill_value, dtype=self._dtype if dtype is None else dtype, device=device,
                         requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A new tensor of data, of self's dtype (whatever data's, tensors and arrays too) unless ``dtype``."""
    if isinstance(data, Tensor):
        data = data.detach()._data
    arr, _ = creation.array_from_data(data)
    return creation.tensor(arr, dtype=self._dtype if dtype is None else dtype, device=device,
                           requires_grad=requires_grad)


def resize_(self, *sizes, memory_format=None, **kwargs):
    """Give self the shape ``sizes`` (or ``size=``): its first elements (in memory order) are kept, new ones
    are uninitialized; shrinking keeps the memory, growing moves to new memory."""
    shape = creation.size_arg(creation._kw_size(sizes, kwargs, "resize_"), "resize_")
    if self._rg:
        raise RuntimeError("cannot resize variables that require grad")
    flat = self._data.reshape(-1)
    n = int(np.prod(shape))
    if n <= flat.size:
        data = flat[:n].reshape(shape)
    else:
        data = np.empty(n, self._data.dtype)
        data[:flat.size] = flat
        data = data.reshape(shape)
    self._data = data
    self._vbox[0] += 1
    return self


def resize_as_(self, the_template, *, memory_format=None):
    return resize_(self, the_template._data.shape)


def fill_diagonal_(self, fill_value, wrap=False):
    """Write fill_value on the main diagonal (all dims equal, or a matrix; a tall matrix restarts the
    diagonal every ncols + 1 rows when wrap=True). Differentiable like masked_fill: zero gradient there."""
    from .indexing import masked_fill
    x = self._data
    if x.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if x.ndim > 2 and len(set(x.shape)) > 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(x.shape, bool)
    if x.ndim == 2 and wrap:
        mask.reshape(-1)[::x.shape[1] + 1] = True
    else:
        k = np.arange(min(x.shape))
        mask[(k,) * x.ndim] = True
    check_inplace(self, "fill_diagonal_", overlap_ok=True)
    value = np.asarray(fill_value).astype(self._dtype.np).item()      # integer tensors truncate, as PyTorch
    return apply_inplace(self, lambda t: masked_fill(t, make_tensor(mask, dtypes.bool), value))


def _elementwise_python(self, op, fn, others):
    """apply_/map_/map2_: fn on Python numbers, element by element (others broadcast to self's shape)."""
    if self._rg:
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use var.detach().{op}() instead.")
    arrays = [np.broadcast_to(o._data, self._data.shape).reshape(-1) for o in others]
    flat = self._data.reshape(-1)
    res = np.asarray([fn(*vals) for vals in zip(flat.tolist(), *(a.tolist() for a in arrays))])
    if res.size and res.dtype.kind not in "biufc":      # PyTorch converts each result as a Python number
        bad = next(r for r in res.tolist() if not isinstance(r, (bool, int, float, complex)))
        raise TypeError(f"must be real number, not {type(bad).__name__}")
    self._data[...] = res.astype(self._dtype.np).reshape(self._data.shape)
    self._vbox[0] += 1
    return self


def apply_(self, callable):
    return _elementwise_python(self, "apply_", callable, ())


def map_(self, tensor, callable):
    return _elementwise_python(self, "map_", callable, (tensor,))


def map2_(self, x, y, callable):
    return _elementwise_python(self, "map2_", callable, (x, y))


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                      pin_memory=False):
    return creation.empty_strided(size, stride, dtype=self._dtype if dtype is None else dtype, device=device,
                                  requires_grad=requires_grad)


attach(new=lambda self, *args, **kwargs: creation.legacy_new(args, kwargs, self._dtype),   # legacy x.new(2, 3)
       resize_=resize_, resize_as_=resize_as_, fill_diagonal_=fill_diagonal_, apply_=apply_, map_=map_,
       map2_=map2_, new_empty_strided=new_empty_strided, copy_=copy_, fill_=fill_, zero_=zero_,
       new_zeros=_new(creation.zeros), new_ones=_new(creation.ones), new_empty=_new(creation.empty),
       new_full=new_full, new_tensor=new_tensor)
__all__ = []
