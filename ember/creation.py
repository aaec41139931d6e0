"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, eye,
arange/linspace/logspace and the ``*_like`` forms. Random creation lives in
``ember/random.py``."""
import builtins
import math
import warnings

import numpy as np

from . import dtypes
from .devices import to_device
from .tensor import Tensor, make_tensor

_FLOAT = dtypes._FLOAT


# ------------------------------------------------------------------ argument helpers
def size_arg(size, op):
    """``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and ``zeros(ember.Size(...))`` all mean (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.__index__()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(shape)}")
        if s < 0:
            raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {s}: {list(size)} "
                               f"(every size must be >= 0)")
        shape.append(int(s))
    return tuple(shape)


def finish_creation(data, dtype, requires_grad, op, device=None, out=None):
    """Check ``device``/``requires_grad``, then wrap (or write into ``out=``)."""
    to_device(device)
    if out is not None:
        from .ops._common import write_out
        return write_out(out, data, dtype, (), op)
    t = make_tensor(data, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_or_default(dtype, op):
    return dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype, "dtype", op)


# ------------------------------------------------------------------ from data
def _scalar_type_dtype(arr, data):
    """dtype PyTorch infers for nested sequences: Python numbers map to int64, the default
    float dtype, its complex type or bool; NumPy scalars and arrays keep their own dtype; all
    of them are then promoted together. NumPy's own inference agrees when it says int64 or
    bool; otherwise (float64 from Python floats, or NumPy scalars mixed in) look at the leaves."""
    if arr.dtype == np.int64 or arr.dtype == np.bool_:
        return dtypes.from_numpy_dtype(arr.dtype)
    leaves = [data]
    while leaves and isinstance(leaves[0], (list, tuple)):
        leaves = [y for x in leaves for y in x]      # rectangular: np.array accepted it
    result = None
    for t in set(map(type, leaves)):
        if t is np.ndarray:
            found = [dtypes.from_numpy_dtype(a.dtype) for a in leaves if type(a) is np.ndarray]
        else:
            found = [_scalar_dtype(t)]
        for dt in found:
            result = dt if result is None else dtypes.promote_types(result, dt)
    return result if result is not None else dtypes.get_default_dtype()


def _scalar_dtype(t):
    if issubclass(t, np.generic):
        return dtypes.from_numpy_dtype(np.dtype(t))
    if issubclass(t, bool):
        return dtypes.bool
    if issubclass(t, int):
        return dtypes.int64
    if issubclass(t, float):
        return dtypes.get_default_dtype()
    if issubclass(t, complex):
        return dtypes.get_default_dtype().to_complex()
    raise TypeError(f"tensor(): could not infer dtype of {t.__name__}")


def _ragged_error(data):
    """Walk nested sequences to report the first ragged dimension as PyTorch does."""
    def shape_of(x):
        return len(x) if isinstance(x, (list, tuple)) else None

    level = [data]
    dim = 0
    while level:
        lengths = [shape_of(x) for x in level]
        first = lengths[0]
        for n in lengths:
            if n != first:
                if first is None or n is None:
                    raise TypeError(f"tensor(): nested sequences mix numbers and sequences at dim {dim}")
                raise ValueError(f"expected sequence of length {first} at dim {dim} (got {n})")
        if first is None:
            break
        level = [y for x in level for y in x]
        dim += 1
    _leaf_error(level)


def _leaf_error(leaves):
    """The error PyTorch gives for the first element that is no number (or an int beyond int64)."""
    for x in leaves:
        if isinstance(x, int) and not -2 ** 63 <= x < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        if not isinstance(x, (bool, int, float, complex, np.generic, Tensor)):
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
    raise TypeError("tensor(): could not build a tensor from this data")


def array_from_data(data, dtype=None, op="tensor"):
    """(array, ember dtype) for Python/NumPy data, inferring the dtype PyTorch would."""
    if isinstance(data, Tensor):
        arr, inferred = data._data, data._dtype
    elif isinstance(data, np.ndarray):
        arr, inferred = data, dtypes.from_numpy_dtype(data.dtype)
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
        inferred = dtypes.from_numpy_dtype(arr.dtype)
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.VisibleDeprecationWarning)
                arr = np.array(data)
        except (ValueError, np.exceptions.VisibleDeprecationWarning):
            _ragged_error(data)
        if arr.dtype == object:
            _ragged_error(data)
        if arr.dtype.kind in "USV":
            raise TypeError(f"new(): invalid data type '{type(arr.flat[0]).__name__}'")
        if _has_tensor(data):
            inferred = dtypes.from_numpy_dtype(arr.dtype)
        else:
            inferred = _scalar_type_dtype(arr, data)
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype, "dtype", op)
    else:
        dtype = inferred
    return arr, dtype


def _has_tensor(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, Tensor)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than ember.tensor("
                      "sourceTensor).", UserWarning, stacklevel=2)
    arr, dt = array_from_data(data, dtype)
    if not isinstance(data, (Tensor, np.ndarray, np.generic)):
        _check_python_values(arr, dt)
    return finish_creation(np.array(arr, dtype=dt.np), dt, requires_grad, "tensor", device)


def _check_python_values(arr, dt):
    """Python numbers out of an integer dtype's range raise, as torch (NumPy would wrap: 333 -> int8 77).
    As torch, an unsigned dtype takes negatives down to -max (they wrap: -1 -> 255)."""
    if dt.np.kind not in "iu" or arr.dtype.kind not in "iuf" or not arr.size:
        return
    if arr.dtype == np.uint64 and arr.max() >= 2 ** 63:      # NumPy took ints past int64 as uint64
        raise ValueError("Overflow when unpacking long long")
    info = np.iinfo(dt.np)
    lo = -int(info.max) if dt.np.kind == "u" else int(info.min)
    if arr.dtype.kind == "f" and np.isnan(arr).any() or arr.min() < lo or arr.max() > info.max:
        raise RuntimeError(f"value cannot be converted to type {dt.np.name} without overflow (the range of "
                           f"{dt.np.name} is [{info.min}, {info.max}])")


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a tensor or NumPy array when no conversion is needed."""
    if isinstance(data, Tensor):
        to_device(device)
        return data if dtype is None or dtype is data._dtype else data.to(dtype)
    arr, dt = array_from_data(data, dtype, "as_tensor")
    if isinstance(data, np.ndarray) and arr.dtype == dt.np:
        to_device(device)
        return from_numpy(arr)
    return finish_creation(np.asarray(arr, dtype=dt.np), dt, False, "as_tensor", device)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array  with array.copy().) ")
    return make_tensor(ndarray, dtypes.from_numpy_dtype(ndarray.dtype))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    if copy:
        t = tensor(obj.detach() if isinstance(obj, Tensor) else obj, dtype=dtype, device=device)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t


# ------------------------------------------------------------------ filled
def _filled(fill, op, size, out, dtype, device, requires_grad):
    shape = size_arg(size, op)
    dt = _dtype_or_default(dtype, op) if dtype is not None or out is None else out._dtype
    if fill is None:
        data = np.empty(shape, dt.np)
    else:
        data = np.full(shape, fill, dt.np) if fill else np.zeros(shape, dt.np)
    return finish_creation(data, dt, requires_grad, op, device, out)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          **kw):
    return _filled(0, "zeros", _kw_size(size, kw, "zeros"), out, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw):
    return _filled(1, "ones", _kw_size(size, kw, "ones"), out, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None, **kw):
    return _filled(None, "empty", _kw_size(size, kw, "empty"), out, dtype, device, requires_grad)


def _kw_size(size, kw, op):
    """``zeros(size=(2, 3))`` as well as ``zeros(2, 3)``."""
    if kw:
        if "size" not in kw or len(kw) > 1 or size:
            bad = next(k for k in kw if k != "size") if any(k != "size" for k in kw) else "size"
            raise TypeError(f"{op}() got an unexpected keyword argument '{bad}'")
        return (kw["size"],)
    if not size:                            # zeros(()) is a 0-d tensor; zeros() is an error, as in PyTorch
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')
    return size


def _fill_dtype(value):
    if isinstance(value, Tensor):
        return value._dtype
    if isinstance(value, bool):
        return dtypes.bool
    if isinstance(value, (int, np.integer)):
        return dtypes.int64
    if isinstance(value, complex):
        return dtypes.get_default_dtype().to_complex()
    return dtypes.get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    shape = size_arg((size,), "full")
    dt = dtypes.to_dtype(dtype, "dtype", "full") if dtype is not None else _fill_dtype(fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return finish_creation(np.full(shape, fill_value, dt.np), dt, requires_grad, "full", device, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {v}")
    dt = _dtype_or_default(dtype, "eye")
    return finish_creation(np.eye(n, m, dtype=dt.np), dt, requires_grad, "eye", device, out)


# ------------------------------------------------------------------ ranges
def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False):
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    for v in (start, end):
        if not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        is_float = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dt = (dtypes.get_default_dtype() if is_float else dtypes.int64) if out is None else out._dtype
    else:
        dt = dtypes.to_dtype(dtype, "dtype", "arange")
    if dt is dtypes.bool or dt.is_complex:
        name = {dtypes.bool: "Bool", dtypes.complex64: "ComplexFloat", dtypes.complex128: "ComplexDouble"}[dt]
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{name}\'')
    if dt.category < _FLOAT:
        # As ATen: the bounds and step are first converted (truncated) to int64; int64 also sizes the
        # range in integers, the other integer types size it in doubles from the original values.
        xs, xe, xstep = builtins.int(start), builtins.int(end), builtins.int(step)
        if dt is dtypes.int64:
            if xstep == 0:
                raise ValueError("arange: step must be nonzero (after conversion to int64)")
            sgn = (xstep > 0) - (xstep < 0)
            q = xe - xs + xstep - sgn
            n = abs(q) // abs(xstep) * (1 if (q >= 0) == (xstep > 0) else -1)
        else:
            n = math.ceil((end - start) / step)
        data = xs + np.arange(max(n, 0), dtype=np.int64) * xstep
    else:
        n = max(0, math.ceil((end - start) / step))
        acc = np.float32 if dt.itemsize == 2 else np.float64     # ATen's CPU accumulate type
        data = acc(start) + np.arange(n, dtype=acc) * acc(step)
    return finish_creation(data.astype(dt.np), dt, requires_grad, "arange", device, out)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative (got {steps})")
    dt = _dtype_or_default(dtype, "linspace")
    data = _linspace(start, end, steps)
    return finish_creation(data.astype(dt.np), dt, requires_grad, "linspace", device, out)


def _linspace(start, end, steps):
    # PyTorch fills the first half from start and the second half from end, so both ends are exact.
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(idx < half, start + step * idx, end - step * (steps - 1 - idx))


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _number(start), _number(end)
    dt = _dtype_or_default(dtype, "logspace")
    data = np.power(float(base), _linspace(start, end, steps))
    return finish_creation(data.astype(dt.np), dt, requires_grad, "logspace", device, out)


# ------------------------------------------------------------------ *_like
def _like(input, dtype, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input._data.shape, (input._dtype if dtype is None else dtypes.to_dtype(dtype, "dtype", op))


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "zeros_like")
    return finish_creation(np.zeros(shape, dt.np), dt, requires_grad, "zeros_like", device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "ones_like")
    return finish_creation(np.ones(shape, dt.np), dt, requires_grad, "ones_like", device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "empty_like")
    return finish_creation(np.empty(shape, dt.np), dt, requires_grad, "empty_like", device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "full_like")
    return finish_creation(np.full(shape, fill_value, dt.np), dt, requires_grad, "full_like", device)


# ------------------------------------------------------------------ legacy constructors
def legacy_tensor_new(cls, *args, **kwargs):
    """``ember.Tensor(...)``: sizes give an uninitialised float tensor, data gives a float copy."""
    if cls is not Tensor:
        return object.__new__(cls)
    return legacy_new(args, kwargs, dtypes.get_default_dtype())


def legacy_new(args, kwargs, dt):
    """The legacy constructor in dtype dt: ``ember.Tensor(2, 3)`` and ``x.new([1, 2])`` (x's dtype)."""
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"Tensor(): unexpected keyword argument '{next(iter(kwargs))}'")
    if not args:
        return finish_creation(np.empty((0,), dt.np), dt, False, "Tensor", device)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, dtypes.dtype)) and not \
            (isinstance(args[0], tuple) and all(isinstance(a, int) for a in args[0]) and args[0].__class__.__name__
             == "Size"):
        arr, _ = array_from_data(args[0])
        return finish_creation(np.array(arr, dtype=dt.np), dt, False, "Tensor", device)
    return finish_creation(np.empty(size_arg(args, "Tensor"), dt.np), dt, False, "Tensor", device)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A 0-d tensor holding the number s, in the default float dtype unless dtype says otherwise."""
    if isinstance(s, Tensor):
        s = s.item()
    dt = _dtype_or_default(dtype, "scalar_tensor")
    if isinstance(s, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return finish_creation(np.asarray(s, dt.np), dt, requires_grad, "scalar_tensor", device)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialized tensor of ``size`` whose elements lie ``stride`` elements apart."""
    shape = size_arg((size,), "empty_strided")
    stride = tuple(int(s) for s in stride)
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(stride)})")
    dt = _dtype_or_default(dtype, "empty_strided")
    need = 1 + builtins.sum((n - 1) * st for n, st in zip(shape, stride)) if all(shape) else 0
    storage = np.empty(need, dt.np)
    data = np.lib.stride_tricks.as_strided(storage, shape, tuple(st * storage.itemsize for st in stride))
    return finish_creation(data, dt, requires_grad, "empty_strided", device)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over the memory of a Python buffer (bytes, bytearray, array.array, ...), sharing it."""
    dt = dtypes.to_dtype(dtype, "dtype", "frombuffer")
    view = memoryview(buffer)
    length, item = view.nbytes, dt.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable: the tensor shares its memory but cannot be written "
                      "to (copy the buffer, e.g. bytearray(buf), to get a writable tensor).", UserWarning,
                      stacklevel=2)
    data = np.frombuffer(view.cast("B"), np.uint8, count * item, offset).view(dt.np)
    return finish_creation(data, dt, requires_grad, "frombuffer")


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialized tensor of ``size`` whose dimensions lie in memory in the order ``physical_layout``
    (outermost first)."""
    shape = size_arg((size,), "empty_permuted")
    order = tuple(int(d) for d in physical_layout)
    if len(order) != len(shape):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(shape)} is not equal to len(physical_layout) = {len(order)}")
    if sorted(order) != list(range(len(shape))):
        raise RuntimeError("Duplicate dim not allowed")
    dt = _dtype_or_default(dtype, "empty_permuted")
    data = np.empty(tuple(shape[d] for d in order), dt.np).transpose(np.argsort(order))
    return finish_creation(data, dt, requires_grad, "empty_permuted", device)


def inclusive_range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    """torch.range, deprecated there: start, start + step, ... up to and including end. (Exported as
    ember.range by ember/__init__; named otherwise here so this module keeps the builtin range.)"""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    start, end, step = (_number(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = _dtype_or_default(dtype, "range")
    n = int(math.floor((end - start) / step)) + 1
    data = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    return finish_creation(data, dt, requires_grad, "range", device, out)


__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "eye", "arange",
           "linspace", "logspace", "zeros_like", "ones_like", "empty_like", "full_like", "scalar_tensor",
           "empty_strided", "frombuffer", "empty_permuted"]
