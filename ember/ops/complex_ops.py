"""Complex numbers: real/imag (views of complex tensors), angle, polar, complex,
view_as_real and view_as_complex.

Gradients follow PyTorch's convention: a complex gradient is the conjugate
Wirtinger derivative, i.e. d(loss)/d(re) + i d(loss)/d(im).
"""
import math

import numpy as np

from .. import dtypes
from ..autograd.formulas import _ember, define
from ..tensor import Tensor, attach, make_tensor
from ._common import _gstate, node_class, record, to_tensor_arg, write_out
from .arithmetic import _COMPLEX, _FLOAT, _TORCH_NAMES, _finish, _inplace
from .inplace import ViewFn, make_view


def _view(base, data, dtype, node, vf):
    r = make_view(base, data, vf)
    r._dtype = dtype
    if base._rg and _gstate.enabled:
        record(node, r, (base,))
    return r


# ------------------------------------------------------------------ real / imag
RealBackward0 = node_class("RealBackward0", lambda F, g: g)     # the engine makes g complex (imaginary part 0)
ImagBackward0 = node_class("ImagBackward0", lambda F, g: g * 1j)


def real(input):
    """The real part: a view for complex tensors, the tensor itself otherwise."""
    input = to_tensor_arg(input, "input", "real")
    if not input._dtype.is_complex:
        return input
    return _view(input, input._data.real, input._dtype.to_real(), RealBackward0,
                 ViewFn(lambda a: a.real, lambda t: real(t)))


def imag(input):
    """The imaginary part of a complex tensor, as a view."""
    input = to_tensor_arg(input, "input", "imag")
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _view(input, input._data.imag, input._dtype.to_real(), ImagBackward0,
                 ViewFn(lambda a: a.imag, lambda t: imag(t)))


# ------------------------------------------------------------------ view_as_real / view_as_complex
def _array_as_complex(g):
    out = np.empty(g.shape[:-1], np.complex128 if g.dtype == np.float64 else np.complex64)
    out.real, out.imag = g[..., 0], g[..., 1]
    return out


def _array_as_real(g):
    return np.stack([g.real, g.imag], -1)


def _tensor_as_complex(g):
    return complex(g[..., 0], g[..., 1])


def _tensor_as_real(g):
    return view_as_real(g if _last_contiguous(g._data) else g.clone())


def _last_contiguous(a):
    return a.ndim == 0 or a.shape[-1] <= 1 or a.strides[-1] == a.itemsize


ViewAsRealBackward0 = node_class("ViewAsRealBackward0", lambda F, g: F.as_complex(g))
ViewAsComplexBackward0 = node_class("ViewAsComplexBackward0", lambda F, g: F.as_real(g))


def view_as_real(input):
    """A complex tensor seen as a float tensor with a trailing dimension of 2 (re, im)."""
    input = to_tensor_arg(input, "input", "view_as_real")
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    rdt = input._dtype.to_real()
    x = input._data
    if _last_contiguous(x):
        data = x[..., None].view(rdt.np)
    else:
        data = _array_as_real(x)
    return _view(input, data, rdt, ViewAsRealBackward0,
                 ViewFn(lambda a: a[..., None].view(a.real.dtype) if a.dtype.kind == "c" else a,
                        lambda t: view_as_real(t)))


def view_as_complex(input):
    """A float tensor whose last dimension is 2 (re, im), seen as a complex tensor."""
    input = to_tensor_arg(input, "input", "view_as_complex")
    dt = input._dtype
    if dt not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {_TORCH_NAMES[dt.name]}")
    x = input._data
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if x.strides[-1] != x.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * x.itemsize) for s in x.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    cdt = dt.to_complex()
    data = x.view(cdt.np)[..., 0]
    return _view(input, data, cdt, ViewAsComplexBackward0,
                 ViewFn(lambda a: a.view(np.complex128 if a.dtype == np.float64 else np.complex64)[..., 0],
                        lambda t: view_as_complex(t)))


# ------------------------------------------------------------------ angle
def _angle_formula(F, g, x):
    if not F.is_complex(x):
        return F.zeros_like(g)
    a2 = F.real(x * F.conj(x))
    zero = a2 == 0
    return F.where(zero, 0, g * x / F.where(zero, 1, a2) * 1j)


AngleBackward0 = node_class("AngleBackward0", _angle_formula)


def angle(input, *, out=None):
    input = to_tensor_arg(input, "input", "angle")
    dt = input._dtype
    x = input._data
    if dt.category == _COMPLEX:
        rdt = dt.to_real()
        res = np.angle(x)
    else:
        rdt = dt if dt.category == _FLOAT else dtypes.get_default_dtype()
        xf = x.astype(rdt.np, copy=False)
        res = np.where(xf < 0, np.asarray(math.pi, rdt.np), np.zeros((), rdt.np))
        if rdt.category == _FLOAT:
            res = np.where(np.isnan(xf), xf, res)
    return _finish(res, rdt, out, (input,), "angle", AngleBackward0, (input,))


# ------------------------------------------------------------------ complex / polar
ComplexBackward0 = node_class("ComplexBackward0", lambda F, g: (F.real(g), F.imag(g)))


def _polar_formula(F, g, theta, out):
    gr, gi = F.real(g), F.imag(g)
    return gr * F.cos(theta) + gi * F.sin(theta), gi * F.real(out) - gr * F.imag(out)


PolarBackward0 = node_class("PolarBackward0", _polar_formula)


def _check_pair(a, b, op, names):
    _ok = (dtypes.float32, dtypes.float64, dtypes.float16)
    a = to_tensor_arg(a, names[0], op)
    b = to_tensor_arg(b, names[1], op)
    if a._dtype not in _ok or b._dtype not in _ok:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_TORCH_NAMES[a._dtype.name]} and {_TORCH_NAMES[b._dtype.name]}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"Expected object of scalar type {_TORCH_NAMES[a._dtype.name]} but got scalar type "
                           f"{_TORCH_NAMES[b._dtype.name]} for second argument")
    if a._dtype is dtypes.float16:
        raise NotImplementedError("complex32 (ComplexHalf) tensors are not supported by ember")
    return a, b, a._dtype.to_complex()


def _build_complex(re, im, cdt):
    shape = np.broadcast_shapes(re.shape, im.shape)
    res = np.empty(shape, cdt.np)
    res.real, res.imag = re, im
    return res


def complex(real, imag, *, out=None):
    """A complex tensor from its real and imaginary parts (same float dtype)."""
    re, im, cdt = _check_pair(real, imag, "complex", ("real", "imag"))
    res = _build_complex(re._data, im._data, cdt)
    return _finish(res, cdt, out, (re, im), "complex", ComplexBackward0)


def polar(abs, angle, *, out=None):
    """abs * (cos(angle) + i sin(angle))."""
    r, th, cdt = _check_pair(abs, angle, "polar", ("abs", "angle"))
    x, t = r._data, th._data
    res = _build_complex(x * np.cos(t), x * np.sin(t), cdt)
    if out is not None:
        return write_out(out, res, cdt, (r, th), "polar")
    z = make_tensor(res, cdt)
    if _gstate.enabled and (r._rg or th._rg):
        record(PolarBackward0, z, (r, th), (th, z))
    return z


define("as_complex", _array_as_complex, _tensor_as_complex)
define("as_real", _array_as_real, _tensor_as_real)
define("real", np.real, _ember("real"))
define("imag", np.imag, _ember("imag"))

attach(real=property(real), imag=property(imag), angle=angle, angle_=_inplace(angle, "angle_"))

__all__ = ["real", "imag", "view_as_real", "view_as_complex", "angle", "complex", "polar"]
