"""ember.fft: PyTorch's discrete Fourier transforms (torch.fft) on NumPy's pocketfft.

Every public transform reduces, as in PyTorch, to three differentiable primitives:

* ``_fft_c2c(x, dim, norm, forward)``: complex -> complex;
* ``_fft_r2c(x, dim, norm, onesided)``: real -> complex, always the forward (e^-i) direction;
* ``_fft_c2r(x, dim, norm, last_dim_size)``: Hermitian half-spectrum -> real, the inverse (e^+i) direction.

``norm`` is PyTorch's normalisation mode of the primitive: the scale applied, one of
_NONE, _BY_ROOT_N (1/sqrt(n)), _BY_N (1/n) with n the product of the signal sizes.
The public functions choose it from ``norm=`` and the direction (``_norm_mode``), trim
or zero-pad the input to ``n``/``s`` with differentiable ops, and conjugate where
PyTorch does (ifft of a real input, ihfft, hfft), so the recorded graph, gradients
and result dtypes are PyTorch's.

Gradients are adjoint transforms (PyTorch's derivatives.yaml): a DFT matrix's
adjoint is the opposite direction with the same scale, so c2c's backward is c2c
in the other direction; r2c's is the zero-padded inverse c2c's real part; c2r's is
a one-sided r2c with the entries that stand for two conjugate bins doubled.
"""
import numpy as np

from . import dtypes
from .autograd.formulas import define
from .ops._common import _gstate, make_tensor, node_class, record, to_tensor_arg, write_out
from .ops.reduction import _wrap

_NONE, _BY_ROOT_N, _BY_N = 0, 1, 2
# NumPy's norm= string that applies our scale, per direction: numpy's "backward" scales the inverse by 1/n.
_NP_NORM = {True: {_NONE: "backward", _BY_ROOT_N: "ortho", _BY_N: "forward"},
            False: {_NONE: "forward", _BY_ROOT_N: "ortho", _BY_N: "backward"}}
_TORCH_NAMES = {dtypes.float16: "Half", dtypes.bfloat16: "BFloat16", dtypes.complex64: "ComplexFloat",
                dtypes.complex128: "ComplexDouble", dtypes.float32: "Float", dtypes.float64: "Double"}


# ------------------------------------------------------------------ primitives on arrays
def _c2c_array(x, dim, norm, forward):
    if not dim:
        return x.copy()
    fn = np.fft.fftn if forward else np.fft.ifftn
    return fn(x, axes=dim, norm=_NP_NORM[forward][norm])


def _r2c_array(x, dim, norm, onesided):
    fn = np.fft.rfftn if onesided else np.fft.fftn
    return fn(x, axes=dim, norm=_NP_NORM[True][norm])


def _c2r_array(x, dim, norm, last_dim_size):
    s = [x.shape[d] for d in dim[:-1]] + [last_dim_size]
    return np.fft.irfftn(x, s=s, axes=dim, norm=_NP_NORM[False][norm])


# ------------------------------------------------------------------ backward helpers (arrays / Tensors)
def _r2c_backward(F, g, dim, norm, onesided, last_dim_size):
    """The real part of the inverse c2c of g, zero-filled to the full length when one-sided."""
    if onesided:
        g = F.fft_resize(g, dim[-1:], [last_dim_size])
    return F.real(F.fft_c2c(g, dim, norm, False))


def _doubling(n_full, n_half, axis, ndim):
    """Weights 2 on the one-sided bins 1..n_full-n_half, which stand for a conjugate pair."""
    w = np.ones(n_half)
    w[1:1 + max(n_full - n_half, 0)] = 2.0
    return w.reshape((n_half,) + (1,) * (ndim - axis - 1))


def _c2r_backward_array(g, dim, norm):
    gi = _r2c_array(g, dim, norm, True)
    return gi * _doubling(g.shape[dim[-1]], gi.shape[dim[-1]], dim[-1], gi.ndim).astype(gi.real.dtype)


def _c2r_backward_tensor(g, dim, norm):
    gi = _fft_r2c(g, dim, norm, True)
    w = _doubling(g.shape[dim[-1]], gi.shape[dim[-1]], dim[-1], gi.ndim).astype(gi._data.real.dtype)
    return gi * make_tensor(w, dtypes.from_numpy_dtype(w.dtype))


def _resize_array(x, dims, sizes):
    """Trim or zero-pad array x to ``sizes`` along ``dims``."""
    index = [slice(None)] * x.ndim
    pad = [(0, 0)] * x.ndim
    for d, n in zip(dims, sizes):
        index[d] = slice(0, n)
        pad[d] = (0, max(n - x.shape[d], 0))
    return np.pad(x[tuple(index)], pad)


def _resize(x, dims, sizes):
    """PyTorch's resize_fft_input on a Tensor: slice where longer, zero-pad where shorter."""
    from . import cat, zeros
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if have > n:
            x = x.narrow(d, 0, n)
        elif have < n:
            shape = list(x.shape)
            shape[d] = n - have
            x = cat([x, zeros(shape, dtype=x.dtype)], d)
    return x


FftC2CBackward0 = node_class("FftC2CBackward0", lambda F, g, dim, norm, forward: F.fft_c2c(g, dim, norm, not forward))
FftR2CBackward0 = node_class("FftR2CBackward0", _r2c_backward)
FftC2RBackward0 = node_class("FftC2RBackward0", lambda F, g, dim, norm: F.fft_c2r_backward(g, dim, norm))


# ------------------------------------------------------------------ primitives on Tensors
def _out(data, dtype, node, x, args):
    y = make_tensor(np.asarray(data).astype(dtype.np, order="C", copy=False), dtype)   # keeps 0-d 0-d
    if x._rg and _gstate.enabled:
        record(node, y, (x,), (), args)
    return y


def _fft_c2c(x, dim, norm, forward):
    return _out(_c2c_array(x._data, dim, norm, forward), x._dtype, FftC2CBackward0, x, (dim, norm, forward))


def _fft_r2c(x, dim, norm, onesided):
    n_last = x.shape[dim[-1]] if dim else 0
    return _out(_r2c_array(x._data, dim, norm, onesided), x._dtype.to_complex(), FftR2CBackward0, x,
                (dim, norm, onesided, n_last))


def _fft_c2r(x, dim, norm, last_dim_size):
    return _out(_c2r_array(x._data, dim, norm, last_dim_size), x._dtype.to_real(), FftC2RBackward0, x,
                (dim, norm))


define("fft_c2c", _c2c_array, _fft_c2c)
define("fft_resize", _resize_array, _resize)
define("fft_c2r_backward", _c2r_backward_array, _c2r_backward_tensor)


# ------------------------------------------------------------------ argument handling (PyTorch's)
def _norm_mode(norm, forward):
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _BY_ROOT_N
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _promote(x, op, require_complex):
    """PyTorch's promote_tensor_fft: integers -> default float; float32/64 only on cpu; complex if asked."""
    x = to_tensor_arg(x, "input", f"fft_{op}")
    dt = x._dtype
    if dt.is_complex:
        return x
    if not dt.is_floating_point:
        dt = dtypes.get_default_dtype()
    if dt not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"Unsupported dtype {_TORCH_NAMES[dt]}")
    if require_complex:
        dt = dt.to_complex()
    return x if dt is x._dtype else x.to(dt)


def _promote_real(input, op, what):
    """_promote of an input that must be real: complex is PyTorch's RuntimeError naming the op."""
    if to_tensor_arg(input, "input", f"fft_{op}")._dtype.is_complex:
        raise RuntimeError(f"{op} expects a {what} input tensor, but got {_TORCH_NAMES[input._dtype]}")
    return _promote(input, op, False)


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _dim1(x, dim, op):
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _wrap(dim, x.ndim, op)


def _shape_and_dims(x, s, dim):
    """PyTorch's canonicalize_fft_shape_and_dim_args: the transformed dims and their signal sizes."""
    nd = x.ndim
    if dim is not None:
        dims = [_wrap(d, nd, "fftn") for d in ((dim,) if isinstance(dim, int) else dim)]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = [int(v) for v in ((s,) if isinstance(s, int) else s)]
        if dim is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        if dim is None:
            dims = list(range(nd - len(s), nd))
        shape = [x.shape[d] if v == -1 else v for d, v in zip(dims, s)]
    elif dim is None:
        dims, shape = list(range(nd)), list(x.shape)
    else:
        shape = [x.shape[d] for d in dims]
    for v in shape:
        _check_n(v)
    return dims, shape


def _some_shape_and_dims(x, s, dim, op):
    """_shape_and_dims for the transforms that need at least one dim (the one-sided ones)."""
    dims, shape = _shape_and_dims(x, s, dim)
    if not dims:
        raise RuntimeError(f"{op} must transform at least one axis")
    return dims, shape


def _c2r_sizes(x, s, dims, shape):
    """The real output's size in the last dim (default 2 * (bins - 1)); ``shape`` becomes the bins it reads."""
    s_last = None if s is None else s if isinstance(s, int) else list(s)[-1]
    last = _check_n(2 * (x.shape[dims[-1]] - 1) if s_last is None or s_last == -1 else shape[-1])
    shape[-1] = last // 2 + 1
    return last


def _finish(y, out, x, op):
    if out is None:
        return y
    return write_out(out, y._data, y._dtype, (x,), op)


# ------------------------------------------------------------------ one-dimensional transforms
def _signal_1d(x, n, dim, op):
    """x trimmed or zero-padded to ``n`` along ``dim`` (as it is when n is None), and that dim."""
    d = _dim1(x, dim, op)
    if n is not None:
        x = _resize(x, [d], [_check_n(n)])
    return x, d


def _c2c_1d(op, input, n, dim, norm, forward, out):
    x, d = _signal_1d(_promote(input, op, False), n, dim, op)
    if x._dtype.is_complex:
        y = _fft_c2c(x, (d,), _norm_mode(norm, forward), forward)
    else:                       # a real input: a two-sided r2c (conjugated for the inverse direction)
        y = _fft_r2c(x, (d,), _norm_mode(norm, forward), False)
        if not forward:
            y = y.conj()
    return _finish(y, out, input, op)


def _r2c_1d(op, input, n, dim, norm, forward, out):
    x, d = _signal_1d(_promote_real(input, op, "real"), n, dim, op)
    y = _fft_r2c(x, (d,), _norm_mode(norm, forward), True)
    return _finish(y if forward else y.conj(), out, input, op)


def _c2r_1d(op, input, n, dim, norm, forward, out):
    x = _promote(input, op, True)
    d = _dim1(x, dim, op)
    last = _check_n(2 * (x.shape[d] - 1) if n is None else n)
    if n is not None:
        x = _resize(x, [d], [last // 2 + 1])
    if forward:                 # hfft: the c2r (inverse-direction) primitive on the conjugate
        x = x.conj()
    return _finish(_fft_c2r(x, (d,), _norm_mode(norm, forward), last), out, input, op)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform."""
    return _c2c_1d("fft", input, n, dim, norm, True, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional inverse discrete Fourier transform."""
    return _c2c_1d("ifft", input, n, dim, norm, False, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-sided (n // 2 + 1 bins) Fourier transform of a real signal."""
    return _r2c_1d("rfft", input, n, dim, norm, True, out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of hfft: the one-sided inverse transform of a real signal."""
    return _r2c_1d("ihfft", input, n, dim, norm, False, out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of rfft: a real signal of length n (default 2 * (bins - 1)) from a one-sided spectrum."""
    return _c2r_1d("irfft", input, n, dim, norm, False, out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The transform of a Hermitian-symmetric signal given by its one-sided half: a real spectrum."""
    return _c2r_1d("hfft", input, n, dim, norm, True, out)


# ------------------------------------------------------------------ n-dimensional transforms
def _c2c_nd(op, input, s, dim, norm, forward, out):
    x = _promote(input, op, True)
    dims, shape = _shape_and_dims(x, s, dim)
    y = _fft_c2c(_resize(x, dims, shape), tuple(dims), _norm_mode(norm, forward), forward)
    return _finish(y, out, input, op)


def _rfftn(op, input, s, dim, norm, out):
    x = _promote_real(input, op, "real-valued")
    dims, shape = _some_shape_and_dims(x, s, dim, op)
    y = _fft_r2c(_resize(x, dims, shape), tuple(dims), _norm_mode(norm, True), True)
    return _finish(y, out, input, op)


def _irfftn(op, input, s, dim, norm, out):
    x = _promote(input, op, True)
    dims, shape = _some_shape_and_dims(x, s, dim, op)
    last = _c2r_sizes(x, s, dims, shape)
    y = _fft_c2r(_resize(x, dims, shape), tuple(dims), _norm_mode(norm, False), last)
    return _finish(y, out, input, op)


def _hfftn(op, input, s, dim, norm, out):
    """c2c forward over all but the last dim, then hfft (c2r of the conjugate) over the last."""
    x = _promote(input, op, True)
    dims, shape = _some_shape_and_dims(x, s, dim, op)
    last = _c2r_sizes(x, s, dims, shape)
    mode = _norm_mode(norm, True)
    x = _resize(x, dims, shape)
    if len(dims) > 1:
        x = _fft_c2c(x, tuple(dims[:-1]), mode, True)
    return _finish(_fft_c2r(x.conj(), (dims[-1],), mode, last), out, input, op)


def _ihfftn(op, input, s, dim, norm, out):
    """The one-sided r2c over the last dim, conjugated, then inverse c2c over the others."""
    x = _promote_real(input, op, "real-valued")
    dims, shape = _some_shape_and_dims(x, s, dim, op)
    mode = _norm_mode(norm, False)
    y = _fft_r2c(_resize(x, dims, shape), (dims[-1],), mode, True).conj()
    if len(dims) > 1:
        y = _fft_c2c(y, tuple(dims[:-1]), mode, False)
    return _finish(y, out, input, op)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional discrete Fourier transform (over all dims by default)."""
    return _c2c_nd("fftn", input, s, dim, norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2c_nd("ifftn", input, s, dim, norm, False, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional transform of a real signal, one-sided in the last transformed dim."""
    return _rfftn("rfftn", input, s, dim, norm, out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _irfftn("irfftn", input, s, dim, norm, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c_nd("fft2", input, s, dim, norm, True, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c_nd("ifft2", input, s, dim, norm, False, out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _rfftn("rfft2", input, s, dim, norm, out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _irfftn("irfft2", input, s, dim, norm, out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional transform of a Hermitian-symmetric signal given by its one-sided half."""
    return _hfftn("hfftn", input, s, dim, norm, out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _ihfftn("ihfftn", input, s, dim, norm, out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _hfftn("hfft2", input, s, dim, norm, out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _ihfftn("ihfft2", input, s, dim, norm, out)


# ------------------------------------------------------------------ frequencies and shifts
def _freq(values, n, d, out, dtype, requires_grad):
    dt = dtype or dtypes.get_default_dtype()
    data = values.astype(dt.np) * np.asarray(1.0 / (n * d), dt.np)
    if out is not None:
        return write_out(out, data, dt, (), "fftfreq")
    return make_tensor(data, dt).requires_grad_(requires_grad)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of fft(n samples spaced d apart): [0, 1, ..., -(n//2), ..., -1] / (n d)."""
    k = np.arange(n)
    k[(n + 1) // 2:] -= n
    return _freq(k, n, d, out, dtype, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of rfft: [0, 1, ..., n//2] / (n d)."""
    return _freq(np.arange(n // 2 + 1), n, d, out, dtype, requires_grad)


def _shift(input, dim, op, half):
    from . import roll
    x = to_tensor_arg(input, "input", op)
    dims = range(x.ndim) if dim is None else ((dim,) if isinstance(dim, int) else dim)
    dims = [_wrap(d, x.ndim, op) for d in dims]
    return roll(x, [half(x.shape[d]) for d in dims], dims)


def fftshift(input, dim=None):
    """Move the zero-frequency bin to the centre (a roll by size // 2)."""
    return _shift(input, dim, "fftshift", lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of fftshift (a roll by (size + 1) // 2)."""
    return _shift(input, dim, "ifftshift", lambda n: (n + 1) // 2)


__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]
