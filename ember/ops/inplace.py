"""In-place ops and views, the PyTorch way.

An in-place op computes its result out of place from a snapshot of the old
value, writes it into the tensor's own memory (so every view sees it), bumps
the shared version counter, and rebases the tensor's history onto the new
Node. When the tensor is a view, its base's history is rebased too
(``CopySlices``): the base's gradient keeps the part outside the view and
sends the part inside through the op.

A view remembers how it was cut from its base as a ``ViewFn``: a pair of
functions, one on arrays and one on Tensors, so the same region can be taken
from a gradient on either backward path.
"""
import weakref

import numpy as np

from ..autograd.grad_mode import inference_made as _inference_made
from ..tensor import make_tensor
from ._common import OVERLAP_MESSAGE, _gstate, has_internal_overlap, node_class, record, writable_alias


class ViewFn:
    """How a view is cut from its base: ``on_array(a)`` and ``on_tensor(t)``, composable."""

    __slots__ = ("on_array", "on_tensor")

    def __init__(self, on_array, on_tensor):
        self.on_array, self.on_tensor = on_array, on_tensor

    def then(self, other):
        a1, t1, a2, t2 = self.on_array, self.on_tensor, other.on_array, other.on_tensor
        return ViewFn(lambda a: a2(a1(a)), lambda t: t2(t1(t)))


def make_view(base, data, view_fn):
    """A Tensor over ``data`` (a NumPy view of base's array) that shares base's version counter."""
    t = make_tensor(data, base._dtype)
    t._vbox = base._vbox
    if _inference_made[0]:
        t._inference = base._inference      # a view is an inference tensor exactly when its base is
    mv = base.__dict__.get("_multi_view")
    if mv is not None:          # a view of an output of split/unbind is as restricted as that output
        t._multi_view = mv
    if base._view_fn is not None:
        root = base._base
        t._base, t._view_fn = root, base._view_fn.then(view_fn)
    else:
        root = base
        t._base, t._view_fn = base, view_fn
    if _gstate.enabled:
        _register_view(root, t)
    return t


def _register_view(root, view):
    """Remember a view (weakly) so an in-place write to its base can refresh its grad_fn."""
    views = root.__dict__.get("_views")
    if views is None:
        root._views = [weakref.ref(view)]
        return
    views.append(weakref.ref(view))
    n = len(views)
    if n >= 32 and not n & (n - 1):          # prune dead entries at powers of two: amortized O(1)
        views[:] = [r for r in views if r() is not None]


def _refresh_views(root, skip=None):
    """root's history changed in place: every live view of it now reads its values through
    root's new grad_fn (PyTorch regenerates a view's grad_fn the same way)."""
    views = root.__dict__.get("_views")
    if not views:
        return
    live = []
    shape = root._data.shape
    for ref in views:
        v = ref()
        if v is None:
            continue
        live.append(ref)
        if v is skip or v._vbox is not root._vbox:
            continue
        _set_history(v, TakeRegionBackward((root,), (), (shape, v._view_fn)), 0)
    views[:] = live


# ----------------------------------------------------------- region ops (linear, mutually adjoint)
def _take_region_formula(F, g, base_shape, vf):
    return F.place_region(g, base_shape, vf)


def _place_region_formula(F, g, vf):
    return F.take_region(g, vf)


TakeRegionBackward = node_class("AsStridedBackward0", _take_region_formula)
PlaceRegionBackward = node_class("AsStridedScatterBackward0", _place_region_formula)


def take_region(x, vf):
    """The view ``vf`` of x, as a copy, differentiable."""
    r = make_tensor(np.array(vf.on_array(x._data)), x._dtype)
    if _gstate.enabled and x._rg:
        record(TakeRegionBackward, r, (x,), (), (x._data.shape, vf))
    return r


def _write_region(a, vf, values, add):
    """Write ``values`` into the view ``vf`` of ``a`` (or add them, where ``add``). Through the view itself
    when it is a plain writable window of ``a``; else (an expand, whose elements share one element of ``a``,
    or a view rebuilt as a copy) through the flat index of every element of the view: several of them
    landing on one element of ``a`` add up there, as an expand's backward sums."""
    v = vf.on_array(a)
    if v.flags.writeable and 0 not in v.strides and np.may_share_memory(v, a):
        if add:
            v += values
        else:
            v[...] = values
        return
    idx = np.asarray(vf.on_array(np.arange(a.size).reshape(a.shape))).reshape(-1)
    flat = a.reshape(-1)
    if add:
        np.add.at(flat, idx, np.broadcast_to(values, v.shape).reshape(-1))
    else:
        flat[idx] = np.broadcast_to(values, v.shape).reshape(-1)


def place_region(g, base_shape, vf):
    """Zeros of ``base_shape`` with the view ``vf`` filled by g, differentiable."""
    z = np.zeros(base_shape, g._data.dtype)
    _write_region(z, vf, g._data, add=True)
    r = make_tensor(z, g._dtype)
    if _gstate.enabled and g._rg:
        record(PlaceRegionBackward, r, (g,), (), (vf,))
    return r


def _array_place_region(g, base_shape, vf):
    z = np.zeros(base_shape, g.dtype)
    _write_region(z, vf, g, add=True)
    return z


def _array_zero_region(g, vf):
    g = g.copy()
    _write_region(g, vf, 0, add=False)
    return g


def _tensor_zero_region(g, vf):
    mask = np.ones(g._data.shape, g._data.dtype)
    _write_region(mask, vf, 0, add=False)
    return g * make_tensor(mask, g._dtype)


def _copy_slices_formula(F, g, vf):
    return F.zero_region(g, vf), F.take_region(g, vf)


CopySlices = node_class("CopySlices", _copy_slices_formula)


def _overlapping_copy_slices_formula(F, g, vf):
    # PyTorch runs a fill-like op on an expand()ed view of a tensor that requires grad, and refuses its
    # gradient (the view's elements share memory locations, so no region of the base is "the view's")
    raise RuntimeError(OVERLAP_MESSAGE)


OverlappingCopySlices = node_class("CopySlices", _overlapping_copy_slices_formula)


def _define_namespace():
    from ..autograd.formulas import define
    define("take_region", lambda g, vf: vf.on_array(g), take_region)
    define("place_region", _array_place_region, place_region)
    define("zero_region", _array_zero_region, _tensor_zero_region)


_define_namespace()


# ----------------------------------------------------------- the in-place driver
def check_multi_view(t):
    """In-place under grad on an output of split/chunk/unbind (or a view of one) is an error in PyTorch."""
    mv = t.__dict__.get("_multi_view") if _gstate.enabled else None
    if mv is not None:
        raise RuntimeError(f"Output {mv[0]} of {mv[1]}Backward0 is a view and is being modified inplace. This view is "
                           f"the output of a function that returns multiple views. Such functions do not allow the "
                           f"output views to be modified inplace. You should replace the inplace operation by an "
                           f"out-of-place one.")


def apply_inplace(self, compute, others=()):
    """Run ``compute(old_self) -> Tensor`` and make its result self's new value and history."""
    recording = _gstate.enabled and (self._rg or any(getattr(o, "_rg", False) for o in others))
    if recording:
        check_multi_view(self)
    if not recording:
        r = compute(self)
        _write(self, r)
        return self
    snap = make_tensor(self._data.copy(), self._dtype, self._rg, self._grad_fn)
    snap._out_nr = self._out_nr
    base = self._base
    if self._view_fn is not None and base._rg and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation "
                           "(wrap it in `with ember.no_grad():` or clone() the leaf first).")
    r = compute(snap)
    _write(self, r)
    if r._grad_fn is not None:
        _rebase(self, r)
    return self


def _write(self, r):
    dst = self._data
    if r._data.shape != dst.shape:
        raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                           f"{list(r._data.shape)}")
    if not dst.flags.writeable:     # an expand()ed tensor the op may write (check_inplace said so)
        alias = writable_alias(dst)
        dst = dst if alias is None else alias
    if 0 in dst.strides and has_internal_overlap(dst):
        # an expand()ed tensor (a fill-like op, which PyTorch runs there): write only the elements the op
        # changed, so a memory location takes the new value if any of its elements got one (PyTorch's
        # kernels write just those), not whatever its last element held
        new = r._data.astype(dst.dtype, copy=False)
        np.copyto(dst, new, where=new != dst)
    else:
        np.copyto(dst, r._data, casting="unsafe")
    self._vbox[0] += 1


def _rebase(self, r):
    """self now holds r's value: take over r's history, and rebase the base if self is a view."""
    vf = self._view_fn
    if vf is None:
        _set_history(self, r._grad_fn, r._out_nr)
        if "_views" in self.__dict__:
            _refresh_views(self)
        return
    base = self._base
    old_base = make_tensor(base._data, base._dtype, base._rg, base._grad_fn)
    old_base._out_nr = base._out_nr
    carrier = make_tensor(base._data, base._dtype)
    node = OverlappingCopySlices if 0 in self._data.strides and has_internal_overlap(self._data) else CopySlices
    record(node, carrier, (old_base, r), (), (vf,))
    _set_history(base, carrier._grad_fn, 0)
    _set_history(self, TakeRegionBackward((base,), (), (base._data.shape, vf)), 0)
    _refresh_views(base, self)


def _set_history(t, fn, nr):
    """t's value is now fn's output nr. A gradient t retains moves to fn, as PyTorch moves its hook (the
    old node would hand it the gradient of the overwritten value)."""
    old_fn, old_nr = t._grad_fn, t._out_nr
    t._grad_fn, t._out_nr, t._rg = fn, nr, True
    if t._retains_grad:
        if old_fn is not None:
            old_fn._unretain(old_nr, t)
        fn._retain(nr, t)
