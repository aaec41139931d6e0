"""Data types: ember.float32 and friends, and PyTorch's type-promotion rules.

Each dtype wraps one NumPy dtype (bfloat16 comes from ml_dtypes). Promotion is
PyTorch's, not NumPy's: categories bool < integer < floating < complex, a float
tensor beats any integer tensor whatever their sizes, and Python scalars and
zero-dimensional tensors only matter when they belong to a higher category.
"""
import builtins
import functools

import ml_dtypes
import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32`` …), backed by a NumPy dtype."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "category", "weak_numbers")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name not in ("bool", "uint8")
        self.weak_numbers = {}      # Python number -> read-only 0-d array of this dtype (ember._scalars)

    def __repr__(self):
        return "ember." + self.name

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float64: complex128, complex128: complex128}.get(self, complex64)

    def __reduce__(self):  # dtypes are singletons, also across pickling: stored as ember.dtypes.<name>
        return self.name


bool = dtype("bool", np.bool_, _BOOL)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
float16 = dtype("float16", np.float16, _FLOAT)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)

# PyTorch's aliases are the same objects, as in torch (torch.float is torch.float32).
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128)
_by_np = {d.np: d for d in ALL}
_by_name = {d.name: d for d in ALL}
_by_name.update(half=half, float=float, double=double, short=short, int=int, long=long,
                cfloat=cfloat, cdouble=cdouble)


def from_numpy_dtype(np_dtype):
    """The ember dtype of a NumPy dtype; TypeError for types PyTorch lacks."""
    try:
        return _by_np[np_dtype]
    except KeyError:
        d = np.dtype(np_dtype)
        if d in _by_np:
            return _by_np[d]
        raise TypeError(f"can't convert np.ndarray of type {d}. The only supported types are: "
                        "float64, float32, float16, bfloat16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


def to_dtype(value, arg="dtype", fn="tensor"):
    """Check that a ``dtype=`` argument is an ember dtype (PyTorch rejects strings)."""
    if value.__class__ is dtype:
        return value
    if isinstance(value, type) and issubclass(value, (np.generic, builtins.float, builtins.int,
                                                      builtins.bool, builtins.complex)):
        return _python_type_dtype(value)
    raise TypeError(f"{fn}(): argument '{arg}' must be ember.dtype, not {type(value).__name__}"
                    + (f" (did you mean ember.{value}?)" if isinstance(value, str) and value in _by_name else ""))


def _python_type_dtype(t):
    if t in _PY_SCALARS:
        return _python_scalar_dtype(t)
    return from_numpy_dtype(np.dtype(t))


# ---------------------------------------------------------------- default dtype
_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    result_type_of.cache_clear()


# ---------------------------------------------------------------- promotion
@functools.lru_cache(maxsize=None)
def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to, by PyTorch's table."""
    a, b = type1, type2
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo.itemsize * 2 > hi.itemsize:
            return complex128
        return hi
    if {a, b} == {float16, bfloat16}:
        return float32
    return _by_np[np.promote_types(a.np, b.np)]


def _combine_categories(higher, lower):
    # Mirrors PyTorch's ResultTypeState: a lower tier only matters when its category is higher.
    if higher is None:
        return lower
    if lower is None or higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _python_scalar_dtype(t):
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return get_default_dtype()
    return get_default_dtype().to_complex()


@functools.lru_cache(maxsize=None)
def result_type_of(kinds):
    """Promote operand kinds: (tier, dtype) pairs, tier 2 = tensor with dims, 1 = 0-dim, 0 = scalar."""
    tiers = [None, None, None]
    for tier, d in kinds:
        tiers[tier] = d if tiers[tier] is None else promote_types(tiers[tier], d)
    return _combine_categories(tiers[2], _combine_categories(tiers[1], tiers[0]))


def operand_kind(x):
    """The promotion kind of one operand: a Tensor, a Python/NumPy scalar."""
    d = getattr(x, "_dtype", None)
    if d is not None:
        return (2 if x._data.ndim else 1, d)
    t = type(x)
    if t in _PY_SCALARS:
        return (0, _python_scalar_dtype(t))
    if isinstance(x, (np.floating, np.integer)) or x.__class__ is np.complex128:
        # as PyTorch: NumPy's numbers count as the Python numbers they convert to (int tensor +
        # np.float64(0.5) is float32, bool tensor + np.int32(1) is int64)
        return (0, _python_scalar_dtype(builtins.float if isinstance(x, np.floating) else
                                        builtins.int if isinstance(x, np.integer) else builtins.complex))
    if isinstance(x, np.generic):
        return (1, from_numpy_dtype(x.dtype))
    raise TypeError(f"expected a Tensor or a Python number, got {type(x).__name__}")


_PY_SCALARS = {builtins.bool, builtins.int, builtins.float, builtins.complex}


def result_type(tensor, other):
    """ember.result_type: the dtype an arithmetic op on both operands (Tensors or numbers) returns."""
    return result_type_of((operand_kind(tensor), operand_kind(other)))


def can_cast(from_, to):
    """Whether PyTorch allows casting ``from_`` to ``to`` in a same-kind in-place op."""
    return from_.category <= to.category


# ---------------------------------------------------------------- finfo / iinfo
class finfo:
    """Machine limits of a floating dtype, with PyTorch's attribute names."""

    def __init__(self, type=None):
        type = get_default_dtype() if type is None else type
        if type.category not in (_FLOAT, _COMPLEX):
            raise TypeError("finfo(): argument 'type' must be a floating point or complex dtype, got " + str(type))
        info = ml_dtypes.finfo(type.to_real().np)
        self.dtype = type.to_real().name
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.tiny)
        self.resolution = 10.0 ** -builtins.int(info.precision)   # PyTorch's: a power of ten, exactly

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, with PyTorch's attribute names."""

    def __init__(self, type):
        if type.category != _INT:
            raise TypeError(f"{type} is not supported by ember.iinfo (it takes integer dtypes)")
        info = np.iinfo(type.np)
        self.dtype = type.name
        self.bits = info.bits
        self.min = builtins.int(info.min)
        self.max = builtins.int(info.max)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"   # %g as torch: -2.14748e+09
