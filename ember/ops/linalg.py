"""Linear algebra: forward beside derivative. Products go straight to BLAS
through NumPy's matmul."""
import numpy as np

from .. import dtypes
from ..tensor import attach, make_tensor
from ._common import _gstate, node_class, record, to_tensor_arg, write_out


def _matmul_formula(F, g, a, b):
    # Vectors are promoted to matrices for the product and squeezed back; the engine sums batch broadcasting.
    a2 = a.reshape((1,) + tuple(a.shape)) if a.ndim == 1 else a
    b2 = b.reshape(tuple(b.shape) + (1,)) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.reshape(tuple(g2.shape[:-1]) + (1,) + tuple(g2.shape[-1:])) if b.ndim > 1 else g2.reshape((1, 1))
    if b.ndim == 1:
        g2 = g2.reshape(tuple(g2.shape) + (1,))
    ga = g2 @ F.conj(b2).mT
    gb = F.conj(a2).mT @ g2
    if a.ndim == 1:
        ga = ga.reshape(tuple(ga.shape[:-2]) + tuple(ga.shape[-1:]))
    if b.ndim == 1:
        gb = gb.reshape(tuple(gb.shape[:-1]))
    return ga, gb


MmBackward0 = node_class("MmBackward0", _matmul_formula)
MvBackward0 = node_class("MvBackward0", _matmul_formula)
DotBackward0 = node_class("DotBackward0", _matmul_formula)
BmmBackward0 = node_class("BmmBackward0", _matmul_formula)
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", _matmul_formula)


def _node_for(na, nb):
    if na == 2 and nb == 2:
        return MmBackward0
    if na == 1 and nb == 1:
        return DotBackward0
    if na == 2 and nb == 1:
        return MvBackward0
    return BmmBackward0 if na == nb == 3 else UnsafeViewBackward0


def matmul(input, other, *, out=None):
    input = to_tensor_arg(input, "input", "matmul")
    other = to_tensor_arg(other, "other", "matmul")
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                           f"{b.ndim}D")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input._dtype.name} != "
                           f"{other._dtype.name} (matmul; convert one with .to(...))")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        raise RuntimeError(f"matmul: {_shape_str(a.shape)} @ {_shape_str(b.shape)}: inner sizes {ka} and {kb} differ "
                           f"(mat1 and mat2 shapes cannot be multiplied)")
    dt = input._dtype
    if dt is dtypes.bool:
        raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    try:
        res = np.matmul(a, b)
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {_shape_str(a.shape)} and {_shape_str(b.shape)} cannot be "
                           f"broadcast together") from None
    if out is not None:
        return write_out(out, np.asarray(res), dt, (input, other), "matmul")
    r = make_tensor(res, dt)
    if _gstate.enabled and (input._rg or other._rg):
        record(_node_for(a.ndim, b.ndim), r, (input, other), (input, other))
    return r


def _shape_str(shape):
    return "(" + "x".join(str(s) for s in shape) + ")"


def _rmatmul(self, other):
    return matmul(other, self)


attach(matmul=matmul, __matmul__=matmul, __rmatmul__=_rmatmul)
__all__ = ["matmul"]
