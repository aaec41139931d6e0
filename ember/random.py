"""Random numbers: ``Generator`` objects, the global default generator, the
random creation functions (rand, randn, randint, randperm, normal, bernoulli,
multinomial, poisson and the ``*_like`` forms) and the in-place samplers
(``uniform_``, ``normal_``, ``bernoulli_``, ``exponential_``, ``geometric_``,
``cauchy_``, ``log_normal_``, ``random_``) as Tensor methods.

Each ``Generator`` is backed by a NumPy ``np.random.Generator(np.random.PCG64(seed))``.
The same seed gives the same stream *in ember* (across runs and machines with
the same NumPy), but the numbers are NOT bitwise equal to PyTorch's streams for
the same seed: PyTorch uses a Mersenne Twister and its own sampling kernels.
Distributions, dtypes, shapes and errors follow PyTorch.

``get_state()`` returns a uint8 tensor (PCG64 state, increment, the cached
half-word and the initial seed), which ``set_state()`` accepts back.
"""
import builtins
import contextlib

import numpy as np

from . import dtypes
from .autograd import grad_mode
from .autograd.node import node_class
from .creation import size_arg
from .devices import CPU, to_device
from .tensor import Tensor, attach, make_tensor

_gstate = grad_mode.state
_FLOAT, _COMPLEX = dtypes._FLOAT, dtypes._COMPLEX
_DEFAULT_SEED = 67280421310721          # PyTorch's default CPU seed
_MASK64 = (1 << 64) - 1
_STATE_BYTES = 56

# PyTorch's scalar-type names, used in its "not implemented for" messages.
_TORCH_NAMES = {
    dtypes.bool: "Bool", dtypes.uint8: "Byte", dtypes.int8: "Char", dtypes.int16: "Short", dtypes.int32: "Int",
    dtypes.int64: "Long", dtypes.float16: "Half", dtypes.bfloat16: "BFloat16", dtypes.float32: "Float",
    dtypes.float64: "Double", dtypes.complex64: "ComplexFloat", dtypes.complex128: "ComplexDouble",
}
_MANTISSA = {dtypes.float16: 11, dtypes.bfloat16: 8, dtypes.float32: 24, dtypes.float64: 53}


# ------------------------------------------------------------------ Generator
class Generator:
    """A random number generator: ``ember.Generator(device='cpu')``.

    ``manual_seed(s)`` makes its stream reproducible; ``get_state``/``set_state``
    save and restore it as a uint8 tensor.
    """

    __slots__ = ("_np_rng", "_seed", "_device")

    def __init__(self, device="cpu"):
        self._device = to_device(device)
        self._set_seed(_DEFAULT_SEED)

    def _set_seed(self, seed):
        self._seed = seed
        self._np_rng = None

    @property
    def _rng(self):
        """The NumPy generator, made on first use: numpy.random costs 7 MB and ~15 ms to import."""
        if self._np_rng is None:
            self._np_rng = np.random.Generator(np.random.PCG64(self._seed))
        return self._np_rng

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        """Seed this generator; returns it. It takes a Python int only, as PyTorch's (torch.manual_seed
        converts its argument with int() first)."""
        if seed.__class__ is not builtins.int:
            if isinstance(seed, np.integer):
                raise TypeError("an integer is required")
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._set_seed(_check_seed(seed))
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed used."""
        import secrets
        s = secrets.randbits(64)
        self._set_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The full state as a uint8 tensor (for ``set_state``)."""
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
               + builtins.int(st["has_uint32"]).to_bytes(8, "little")
               + builtins.int(st["uinteger"]).to_bytes(8, "little") + self._seed.to_bytes(8, "little"))
        return make_tensor(np.frombuffer(raw, np.uint8).copy(), dtypes.uint8)

    def set_state(self, new_state):
        """Restore a state from ``get_state()``; returns self."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a ember.ByteTensor, but got {type(new_state).__name__}")
        if new_state._dtype is not dtypes.uint8:
            raise TypeError("RNG state must be a ember.ByteTensor")
        if new_state._data.size != _STATE_BYTES:
            raise RuntimeError(f"Expected a PCG64 generator state of size {_STATE_BYTES} but found the input RNG "
                               f"state size to be {new_state._data.size}")
        raw = np.ascontiguousarray(new_state._data).reshape(-1).tobytes()
        bg = np.random.PCG64()
        bg.state = {"bit_generator": "PCG64",
                    "state": {"state": builtins.int.from_bytes(raw[0:16], "little"),
                              "inc": builtins.int.from_bytes(raw[16:32], "little")},
                    "has_uint32": builtins.int.from_bytes(raw[32:40], "little"),
                    "uinteger": builtins.int.from_bytes(raw[40:48], "little")}
        self._np_rng = np.random.Generator(bg)
        self._seed = builtins.int.from_bytes(raw[48:56], "little")
        return self

    def __repr__(self):
        return f"<ember.Generator object (device={self._device}, initial_seed={self._seed})>"


def _check_seed(seed):
    if isinstance(seed, Tensor):
        seed = seed.item()
    seed = builtins.int(seed)           # as torch.manual_seed: floats truncate, 'a' is a ValueError
    if not -(1 << 63) <= seed <= _MASK64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _MASK64


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (returns it)."""
    return default_generator.manual_seed(_check_seed(seed))


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Restore the default generator's state on exit."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _rng(generator):
    if generator is None:
        return default_generator._rng
    if generator.__class__ is not Generator:
        raise TypeError(f"argument 'generator' must be ember.Generator, not {type(generator).__name__}")
    return generator._rng


# ------------------------------------------------------------------ sampling kernels (arrays)
def _uniform01(rng, shape, dt):
    """Uniform [0, 1) in real floating dtype ``dt``; never rounds up to 1."""
    if dt is dtypes.float64:
        return rng.random(shape)
    if dt is dtypes.float32:
        return rng.random(shape, dtype=np.float32)
    bits = _MANTISSA[dt]
    return (rng.integers(0, 1 << bits, shape) * (1.0 / (1 << bits))).astype(dt.np)


def _standard_normal(rng, shape, dt):
    if dt is dtypes.float64:
        return rng.standard_normal(shape)
    return rng.standard_normal(shape, dtype=np.float32).astype(dt.np, copy=False)


def _complex_parts(fn, rng, shape, dt):
    """Complex samples with real and imaginary parts drawn independently by ``fn``."""
    real = dt.to_real()
    out = np.empty(shape, dt.np)
    out.real = fn(rng, shape, real)
    out.imag = fn(rng, shape, real)
    return out


def _not_implemented(kernel, dt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_TORCH_NAMES[dt]}\'')


def _float_dtype(dt, kernel, complex_ok=True, shape=None):
    """Refuse dtypes the kernel lacks; with ``shape``, an empty result skips the check, as PyTorch's
    normal, bernoulli and log_normal kernels do (its uniform and poisson checks come first)."""
    if shape is not None and 0 in shape:
        return
    if dt.category < _FLOAT or (dt.category == _COMPLEX and not complex_ok):
        raise _not_implemented(kernel, dt)


def _uniform_values(rng, shape, dt, low=0.0, high=1.0):
    if dt.is_complex:
        u = _complex_parts(_uniform01, rng, shape, dt)
        span = high - low
        return (low + span * u.real) + 1j * (low + span * u.imag)
    u = _uniform01(rng, shape, dt)
    if low == 0.0 and high == 1.0:
        return u
    r = low + (high - low) * u.astype(np.float64)
    return r.astype(dt.np)


def _normal_values(rng, shape, dt, mean=0.0, std=1.0):
    if dt.is_complex:
        z = _complex_parts(_standard_normal, rng, shape, dt) * np.sqrt(0.5).astype(dt.to_real().np)
        return z * std + mean if (mean != 0.0 or std != 1.0) else z
    z = _standard_normal(rng, shape, dt)
    if mean == 0.0 and std == 1.0:
        return z
    return z * std + mean


# ------------------------------------------------------------------ argument helpers
def _dtype_arg(dtype, op, default=None, out=None):
    if dtype is not None:
        return dtypes.to_dtype(dtype, "dtype", op)
    if out is not None:
        return out._dtype
    return dtypes.get_default_dtype() if default is None else default


def _sizes(size, kw_size, op):
    if kw_size is not None:
        if size:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        size = (kw_size,)
    if not size:
        raise TypeError(f"{op}() missing 1 required positional argument: 'size'")
    return size_arg(size, op)


def _finish(data, dt, requires_grad, op, out):
    if data.dtype != dt.np:
        data = data.astype(dt.np)
    if out is not None:
        from .ops._common import write_out
        return write_out(out, data, dt, (), op)
    t = make_tensor(data, dt)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _tensor_arg(x, name, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _zero_grads(F, g, *args):
    return g * 0


def _zero_grads2(F, g, *args):
    z = g * 0
    return z, z


_nodes = {name: node_class(name, _zero_grads) for name in (
    "NormalBackward0", "NormalBackward1", "NormalBackward2", "UniformBackward0", "BernoulliBackward0",
    "BernoulliBackward1", "BernoulliBackward2", "ExponentialBackward0", "GeometricBackward0", "CauchyBackward0",
    "LogNormalBackward0", "RandomBackward0", "RandomBackward1", "RandomBackward2", "PoissonBackward0")}
_nodes["NormalBackward3"] = node_class("NormalBackward3", _zero_grads2)


def _record_zero(name, out, inputs):
    """Random outputs depend on their tensor parameters with a zero derivative, as in PyTorch."""
    if _gstate.enabled and builtins.any(t is not None and t._rg for t in inputs):
        from .ops._common import record
        record(_nodes[name], out, inputs)
    return out


# ------------------------------------------------------------------ creation functions
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    """Uniform samples in [0, 1)."""
    shape = _sizes(size, kw.pop("size", None), "rand")
    _no_extra(kw, "rand")
    to_device(device)
    dt = _dtype_arg(dtype, "rand", out=out)
    _float_dtype(dt, "check_uniform_bounds")
    return _finish(_uniform_values(_rng(generator), shape, dt), dt, requires_grad, "rand", out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    """Standard normal samples (complex: real and imaginary parts each of variance 1/2)."""
    shape = _sizes(size, kw.pop("size", None), "randn")
    _no_extra(kw, "randn")
    to_device(device)
    dt = _dtype_arg(dtype, "randn", out=out)
    _float_dtype(dt, "normal_kernel_cpu", shape=shape)
    return _finish(_normal_values(_rng(generator), shape, dt), dt, requires_grad, "randn", out)


def _no_extra(kw, op):
    if kw:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kw))}'")


def _int_arg(v, name, op):
    if isinstance(v, Tensor):
        v = v.__index__()
    if isinstance(v, builtins.bool) or not isinstance(v, (builtins.int, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(v).__name__}")
    return builtins.int(v)


def _check_random_bounds(low, high, dt):
    """PyTorch's random_ bounds check for [low, high) in dtype ``dt``."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dt.category == _COMPLEX:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    if dt.category < _FLOAT:
        lo, hi = (0, 1) if dt is dtypes.bool else (np.iinfo(dt.np).min, np.iinfo(dt.np).max)
        name = {dtypes.bool: "bool", dtypes.uint8: "unsigned char", dtypes.int8: "signed char"}.get(dt, dt.name)
        if not lo <= low <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= high - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")


def _integers(rng, low, high, shape):
    """Integers uniform in [low, high) as int64 (or uint64 past int64's range)."""
    if high - 1 > np.iinfo(np.int64).max:
        return rng.integers(low, high, shape, dtype=np.uint64)
    return rng.integers(low, high, shape, dtype=np.int64)


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False, **kw):
    """randint(high, size) / randint(low, high, size): integers uniform in [low, high)."""
    low = kw.pop("low", None)
    high = kw.pop("high", None)
    size = kw.pop("size", None)
    _no_extra(kw, "randint")
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)) or (args and args[-1].__class__.__name__
                                                                          == "Size"):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError("randint() received an invalid combination of arguments: expected (high, size) or "
                        "(low, high, size)")
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected (high, size) or (low, high, size)")
    low = 0 if low is None else _int_arg(low, "low", "randint")
    high = _int_arg(high, "high", "randint")
    shape = size_arg((size,), "randint")
    to_device(device)
    dt = _dtype_arg(dtype, "randint", dtypes.int64, out)
    _check_random_bounds(low, high, dt)
    return _finish(_integers(_rng(generator), low, high, shape), dt, requires_grad, "randint", out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0 .. n-1."""
    n = _int_arg(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    to_device(device)
    dt = _dtype_arg(dtype, "randperm", dtypes.int64, out)
    if dt is dtypes.bool or dt.is_complex:
        raise _not_implemented("randperm", dt)
    if dt.category < _FLOAT and n > 0 and n - 1 > np.iinfo(dt.np).max:
        raise RuntimeError(f"value cannot be converted to type {dt.np.name}_t without overflow")
    return _finish(_rng(generator).permutation(n), dt, requires_grad, "randperm", out)


_MISSING = object()


def normal(mean=_MISSING, std=_MISSING, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """normal(mean, std): Tensor/Tensor, Tensor/float, float/Tensor, or float/float with ``size``."""
    if mean is _MISSING:
        raise TypeError("normal() missing required argument 'mean'")
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if std is _MISSING:
        if not mt:
            raise TypeError("normal() received an invalid combination of arguments: (float mean) needs std and "
                            "size")
        std = 1.0
    rng = _rng(generator)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected (float mean, float std, tuple of ints size, ...)")
        shape = size_arg((size,), "normal")
        _check_std(std)
        to_device(device)
        dt = _dtype_arg(dtype, "normal", out=out)
        _float_dtype(dt, "normal_kernel_cpu", shape=shape)
        return _finish(_normal_values(rng, shape, dt, builtins.float(mean), builtins.float(std)), dt,
                       requires_grad, "normal", out)
    if size is not None:
        raise TypeError("normal(): 'size' is only accepted when mean and std are numbers")
    if mt and st:
        dt = mean._dtype            # as PyTorch: the output takes mean's dtype
        shape = _broadcast_shape(mean._data.shape, std._data.shape)
        _float_dtype(dt, "normal_kernel_cpu", shape=shape)
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        m, s, name, inputs = mean._data, std._data, "NormalBackward3", (mean, std)
    elif mt:
        dt, shape = mean._dtype, mean._data.shape
        _check_std(std)
        _float_dtype(dt, "normal_kernel_cpu", shape=shape)
        m, s, name, inputs = mean._data, std, "NormalBackward1", (mean,)
    else:
        dt, shape = std._dtype, std._data.shape
        _float_dtype(dt, "normal_kernel_cpu", shape=shape)
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        m, s, name, inputs = mean, std._data, "NormalBackward2", (std,)
    with np.errstate(all="ignore"):
        data = (_normal_values(rng, shape, dt) * s + m).astype(dt.np, copy=False)
    if out is not None:
        return _finish(data, dt, False, "normal", out)
    return _record_zero(name, make_tensor(data, dt), inputs)


def _broadcast_shape(a, b):
    if a == b:
        return a
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, builtins.max(len(a), len(b)) + 1):
            x, y = (a[-i] if i <= len(a) else 1), (b[-i] if i <= len(b) else 1)
            if x != y and 1 not in (x, y):
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                   f"non-singleton dimension {builtins.max(len(a), len(b)) - i}") from None
        raise


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def _fmt(v):
    return repr(builtins.int(v)) if builtins.float(v).is_integer() else repr(v)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 1 with probability ``input`` (or ``p``, shaped like input), in input's dtype."""
    _tensor_arg(input, "input", "bernoulli")
    dt = input._dtype
    rng = _rng(generator)
    if p is None:
        _float_dtype(dt, "bernoulli_tensor_cpu_p_", complex_ok=False, shape=input._data.shape)
        probs = input._data
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        data = _uniform01(rng, probs.shape, dtypes.float64) < probs
        name = "BernoulliBackward0"
    else:
        p = _check_p(p)
        if dt.is_complex and input._data.size:
            raise _not_implemented("bernoulli_scalar_cpu_", dt)
        data = rng.random(input._data.shape) < p
        name = None                     # bernoulli(input, p) has no derivative in PyTorch
    data = data.astype(dt.np)
    if out is not None:
        return _finish(data, dt, False, "bernoulli", out)
    if name is None:
        r = make_tensor(data, dt)
        if _gstate.enabled and input._rg:
            from .ops._common import record, refusing_node
            record(refusing_node("bernoulli"), r, (input,))
        return r
    return _record_zero(name, make_tensor(data, dt), (input,))


def _check_p(p):
    if isinstance(p, Tensor):
        return p
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return builtins.float(p)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (non-negative weights), with or without replacement."""
    _tensor_arg(input, "input", "multinomial")
    n = _int_arg(num_samples, "num_samples", "multinomial")
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input._dtype.category != _FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TORCH_NAMES[input._dtype]}")
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = input._data.shape[-1]
    if not replacement and n > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    lead = input._data.shape[:-1]
    probs = input._data.astype(np.float64).reshape(int(np.prod(lead)), k)   # not -1: k may be 0
    if probs.shape[0] == 0:
        return _finish(np.zeros(lead + (n,), np.int64), dtypes.int64, False, "multinomial", out)
    if not (np.isfinite(probs).all() and (probs >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = probs.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    rows = probs.shape[0]
    if replacement:
        cdf = np.cumsum(probs, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows, n))
        if rows == 1:
            idx = np.searchsorted(cdf[0], u[0], side="right")[None]
        else:   # one searchsorted over all rows: shift row r's cdf and draws by r
            offs = np.arange(rows, dtype=np.float64)[:, None]
            idx = np.searchsorted((cdf + offs).ravel(), (u + offs).ravel(), side="right").reshape(rows, n)
            idx -= np.arange(rows)[:, None] * k
        idx = np.minimum(idx, k - 1)
    else:       # exponential race: the n smallest E_i / p_i are a weighted sample without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential((rows, k)) / probs
        idx = np.argsort(keys, axis=1, kind="stable")[:, :n]
    idx = idx.astype(np.int64).reshape(input._data.shape[:-1] + (n,))
    return _finish(idx, dtypes.int64, False, "multinomial", out)


def poisson(input, generator=None):
    """Poisson samples with rates ``input``, in input's dtype."""
    _tensor_arg(input, "input", "poisson")
    dt = input._dtype
    _float_dtype(dt, "poisson_cpu", complex_ok=False)
    rates = input._data
    if (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    data = np.asarray(_rng(generator).poisson(rates.astype(np.float64))).astype(dt.np)   # 0-d gives a scalar
    return _record_zero("PoissonBackward0", make_tensor(data, dt), (input,))


def _like(input, dtype, op):
    _tensor_arg(input, "input", op)
    return input._data.shape, (input._dtype if dtype is None else dtypes.to_dtype(dtype, "dtype", op))


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "rand_like")
    to_device(device)
    _float_dtype(dt, "check_uniform_bounds")
    return _finish(_uniform_values(_rng(generator), shape, dt), dt, requires_grad, "rand_like", None)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype, "randn_like")
    to_device(device)
    _float_dtype(dt, "normal_kernel_cpu", shape=shape)
    return _finish(_normal_values(_rng(generator), shape, dt), dt, requires_grad, "randn_like", None)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "randint_like")
    if high is None:
        low, high = 0, low
    low, high = _int_arg(low, "low", "randint_like"), _int_arg(high, "high", "randint_like")
    to_device(device)
    _check_random_bounds(low, high, dt)
    return _finish(_integers(_rng(generator), low, high, shape), dt, requires_grad, "randint_like", None)


# ------------------------------------------------------------------ in-place samplers (Tensor methods)
def _fill(self, values, node_name):
    """Write ``values`` into self (every view sees it), bump the version, keep autograd right."""
    if _gstate.enabled and self._rg:
        from .ops.inplace import apply_inplace

        def compute(snap):
            r = make_tensor(np.asarray(values).astype(self._dtype.np, copy=False), self._dtype)
            from .ops._common import record
            record(_nodes[node_name], r, (snap,))
            return r
        return apply_inplace(self, compute)
    np.copyto(self._data, values, casting="unsafe")
    self._vbox[0] += 1
    return self


def _inplace_start(self, op):
    from .ops._common import check_inplace
    check_inplace(self, op)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    from_ = kw.pop("from", from_)
    _no_extra(kw, "uniform_")
    _inplace_start(self, "uniform_")
    dt = self._dtype
    _float_dtype(dt, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > "
                           f"to={_fmt(to)}")
    vals = _uniform_values(_rng(generator), self._data.shape, dt, builtins.float(from_), builtins.float(to))
    return _fill(self, vals, "UniformBackward0")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _inplace_start(self, "normal_")
    _check_std(std)
    dt = self._dtype
    _float_dtype(dt, "normal_kernel_cpu", shape=self._data.shape)
    vals = _normal_values(_rng(generator), self._data.shape, dt, builtins.float(mean), builtins.float(std))
    return _fill(self, vals, "NormalBackward0")


def bernoulli_(self, p=0.5, *, generator=None):
    _inplace_start(self, "bernoulli_")
    p = _check_p(p)
    dt = self._dtype
    rng = _rng(generator)
    if isinstance(p, Tensor):
        if dt.is_complex and self._data.size:
            raise _not_implemented("bernoulli_tensor_cpu_self_", dt)
        probs = p._data
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        vals = rng.random(self._data.shape) < np.broadcast_to(probs, self._data.shape)
        name = "BernoulliBackward1"
    else:
        if dt.is_complex and self._data.size:
            raise _not_implemented("bernoulli_scalar_cpu_", dt)
        vals = rng.random(self._data.shape) < p
        name = "BernoulliBackward2"
    return _fill(self, vals, name)


def _continuous_only(dt, what, shape=None):
    if dt.category != _FLOAT and not (shape is not None and 0 in shape):
        spelled = {dtypes.complex64: "ComplexFloat", dtypes.complex128: "ComplexDouble"}.get(dt, _TORCH_NAMES[dt])
        raise RuntimeError(f"{what} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {spelled}")


def exponential_(self, lambd=1.0, *, generator=None):
    _inplace_start(self, "exponential_")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    _continuous_only(self._dtype, "Exponential", self._data.shape)   # an empty tensor passes, as in PyTorch
    vals = _rng(generator).standard_exponential(self._data.shape) / lambd
    return _fill(self, vals, "ExponentialBackward0")


def geometric_(self, p, *, generator=None):
    _inplace_start(self, "geometric_")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    dt = self._dtype
    if (dt is dtypes.bool or dt.is_complex) and self._data.size:
        raise _not_implemented("geometric_cpu", dt)
    return _fill(self, _rng(generator).geometric(p, self._data.shape), "GeometricBackward0")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    _inplace_start(self, "cauchy_")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    _continuous_only(self._dtype, "Cauchy")
    vals = median + sigma * _rng(generator).standard_cauchy(self._data.shape)
    return _fill(self, vals, "CauchyBackward0")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _inplace_start(self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    _float_dtype(self._dtype, "log_normal_cpu", complex_ok=False, shape=self._data.shape)
    return _fill(self, _rng(generator).lognormal(mean, std, self._data.shape), "LogNormalBackward0")


def random_(self, *args, generator=None, **kw):
    """random_(): [0, 2**mantissa] for floats, [0, max] for ints; random_(to): [0, to); random_(from, to)."""
    if len(args) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(args)} given)")
    has_from = len(args) == 2 or "from" in kw
    from_ = args[0] if len(args) == 2 else kw.pop("from", None)
    to = args[-1] if args else kw.pop("to", None)
    _no_extra(kw, "random_")
    _inplace_start(self, "random_")
    dt = self._dtype
    if has_from:
        low, name = _int_arg(from_, "from", "random_"), "RandomBackward0"
    else:
        low, name = 0, ("RandomBackward1" if to is not None else "RandomBackward2")
    if to is None:             # up to the top of the dtype's range
        if dt.is_complex and self._data.size:
            raise _not_implemented("random_kernel_cpu", dt)
        high = (1 << _MANTISSA[dt]) + 1 if dt.category == _FLOAT else \
            (2 if dt is dtypes.bool else builtins.int(np.iinfo(dt.np).max) + 1)
    else:
        high = _int_arg(to, "to", "random_")
    if has_from or to is not None:
        _check_random_bounds(low, high, dt)
    return _fill(self, _integers(_rng(generator), low, high, self._data.shape), name)


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


attach(uniform_=uniform_, normal_=normal_, bernoulli_=bernoulli_, exponential_=exponential_,
       geometric_=geometric_, cauchy_=cauchy_, log_normal_=log_normal_, random_=random_,
       bernoulli=_bernoulli_method, multinomial=_multinomial_method)

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "poisson", "rand_like", "randn_like", "randint_like"]
