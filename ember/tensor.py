"""The Tensor: one backend array plus autograd state.

Ops live in ``ember/ops/*`` by family and attach their methods to Tensor there;
this file holds what a tensor *is*: its attributes, conversions, NumPy interop,
Python protocols and the autograd entry points.
"""
import numbers
import warnings
import weakref

import numpy as np

from . import dtypes
from .autograd import grad_mode
from .autograd.node import AccumulateGrad
from .devices import CPU, to_device
from .size import Size

_gstate = grad_mode.state
_inference_open = grad_mode.inference_open
_new = object.__new__
_from_np = dtypes._by_np


class Tensor:
    """A multi-dimensional array with autograd, as torch.Tensor."""

    # Hot attributes are slots; rare ones (hooks, retained grads, view base) live in
    # __dict__ with class-level defaults, so making a tensor sets only five fields.
    __slots__ = ("_data", "_dtype", "_rg", "_grad_fn", "_vbox", "__dict__", "__weakref__")

    _grad = None
    _out_nr = 0
    _base = None
    _hooks = None
    _post_acc_hooks = None
    _acc = None
    _retains_grad = False
    _view_fn = None
    _is_param = False
    _inference = False
    __array_priority__ = 1000       # numpy scalars defer to Tensor operators

    def __new__(cls, *args, **kwargs):
        from .creation import legacy_tensor_new
        return legacy_tensor_new(cls, *args, **kwargs)

    # ------------------------------------------------------------------ attributes
    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return CPU

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        item = self._dtype.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size <= 1 or 0 in self._data.shape:
            strides = _contiguous_strides(self._data.shape)  # NumPy leaves strides of empty/size-1 arrays loose
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim, "stride")]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def storage_offset(self):
        base = self._data.base if self._data.base is not None else self._data
        if not isinstance(base, np.ndarray):
            return 0
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self._dtype.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "strided"

    def get_device(self):
        return -1

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if requires_grad and self._dtype.category < dtypes._FLOAT:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients "
                               f"(this one is {self._dtype})")
        if requires_grad and self._inference and not _gstate.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._rg = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                          UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: grad is {list(value.shape)}, "
                                   f"tensor is {list(self.shape)}")
            if value._dtype is not self._dtype:
                raise RuntimeError(f"assigned grad has data of a different type: grad is {value._dtype}, "
                                   f"tensor is {self._dtype}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        if self._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vbox[0]

    def is_inference(self):
        return self._inference

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is not None and not self._retains_grad:
            self._grad_fn._retain(self._out_nr, self)
            self._retains_grad = True

    def _accumulator(self):
        """This leaf's AccumulateGrad node, made on first use and kept (it holds the leaf weakly)."""
        node = self._acc
        if node is None:
            node = self._acc = AccumulateGrad(self)
        return node

    def register_hook(self, hook):
        """hook(grad) -> None or a replacement gradient, called when this tensor's gradient is computed."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_tensor_hook(self._out_nr, hook)
        if self._hooks is None:
            self._hooks = []
        from .autograd.node import _RemovableHandle
        self._hooks.append(hook)
        self._hooks_changed()
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        from .autograd.node import _RemovableHandle
        self._post_acc_hooks.append(hook)
        self._hooks_changed()
        return _RemovableHandle(self._post_acc_hooks, hook)

    def _hooks_changed(self):
        # a leaf's node with hooks leaves the engine's plain path (AccumulateGrad checks when it is made)
        if self._acc is not None:
            self._acc._special = True

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        fn = self._grad_fn
        if fn is not None and gradient is None and inputs is None and not create_graph and self._data.ndim == 0 \
                and self._dtype.category == dtypes._FLOAT:
            # the usual loss.backward() on a real scalar: none of autograd.backward's checks can fail
            one = _autograd._ONES.get(self._dtype) or _autograd._one(self._dtype)
            _autograd.engine.execute([(fn, self._out_nr)], [one], bool(retain_graph), False)
            return
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing this one's memory and version counter, outside the graph."""
        t = make_tensor(self._data, self._dtype)
        t._vbox = self._vbox
        t._base = self if self._base is None else self._base
        if self._inference:
            t._inference = True
        return t

    def _is_view(self):
        return self._view_fn is not None      # a detach()ed alias shares memory (and _base) but is no view

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._rg = False
        return self

    @property
    def data(self):
        t = make_tensor(self._data, self._dtype)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        if self._rg and value._dtype.category < dtypes._FLOAT:
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._data = value._data
        self._dtype = value._dtype

    @property
    def T(self):
        if self._data.ndim > 2:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                          "deprecated; use x.mT or x.permute(*torch.arange(x.ndim - 1, -1, -1)).", UserWarning,
                          stacklevel=2)
        elif self._data.ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        return self.permute(tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                               f"{self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self._dtype.is_complex else self.T

    @property
    def mH(self):
        return self.mT.conj() if self._dtype.is_complex else self.mT

    # ------------------------------------------------------------------ conversions
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar "
                               f"(item() needs exactly one element; index it first, e.g. t[0].item(), "
                               f"or reduce it with t.sum().item())")
        return _to_python(self._data.reshape(()).item(), self._dtype)

    def tolist(self):
        if self._data.ndim == 0:
            return self.item()
        if self._dtype is dtypes.bfloat16:
            return self._data.astype(np.float32).tolist()
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        arr = self._data
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        to_device("cuda" if device is None else device)

    def to(self, *args, **kwargs):
        """to(dtype) / to(device, dtype=None) / to(tensor): a converted tensor, or self if nothing changes."""
        dtype, copy = _parse_to(args, kwargs)
        if dtype is None or dtype is self._dtype:
            return self.clone() if copy else self
        from .ops.unary import cast
        return cast(self, dtype)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _LEGACY_TYPE_NAMES[self._dtype]
        if isinstance(dtype, type):             # a legacy tensor type: t.type(ember.LongTensor)
            legacy = vars(dtype).get("dtype")
            if not isinstance(legacy, dtypes.dtype):
                raise ValueError(f"invalid type: {dtype.__name__!r}")
            dtype = legacy
        if isinstance(dtype, str):
            name = dtype.replace("torch.", "").replace("ember.", "")
            if name.startswith("cuda."):
                to_device("cuda")
            dtype = _TYPE_NAME_TO_DTYPE.get(name)
            if dtype is None:
                raise ValueError(f"invalid type: {name!r}")
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other._dtype)

    def float(self, memory_format=None):
        return self.to(dtypes.float32)

    def double(self, memory_format=None):
        return self.to(dtypes.float64)

    def half(self, memory_format=None):
        return self.to(dtypes.float16)

    def bfloat16(self, memory_format=None):
        return self.to(dtypes.bfloat16)

    def long(self, memory_format=None):
        return self.to(dtypes.int64)

    def int(self, memory_format=None):
        return self.to(dtypes.int32)

    def short(self, memory_format=None):
        return self.to(dtypes.int16)

    def char(self, memory_format=None):
        return self.to(dtypes.int8)

    def byte(self, memory_format=None):
        return self.to(dtypes.uint8)

    def bool(self, memory_format=None):
        return self.to(dtypes.bool)

    def cfloat(self):
        return self.to(dtypes.complex64)

    def cdouble(self):
        return self.to(dtypes.complex128)

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_complex(self):
        return self._dtype.is_complex

    def is_signed(self):
        return self._dtype.is_signed

    # ------------------------------------------------------------------ Python protocols
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (it has "
                               f"{self._data.size} elements; use .any() or .all())")
        return builtins_bool(self._data.reshape(()).item())

    def __float__(self):
        self._check_scalar("float")
        return builtins_float(self._data.reshape(()).real if self._dtype.is_complex else self._data.reshape(()))

    def __int__(self):
        self._check_scalar("int")
        return builtins_int(self._data.reshape(()).real if self._dtype.is_complex else self._data.reshape(()))

    def __complex__(self):
        self._check_scalar("complex")
        return complex(self._data.reshape(()))

    def __index__(self):
        if self._dtype.category not in (dtypes._INT, dtypes._BOOL) or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins_int(self._data.reshape(()))

    def _check_scalar(self, kind):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars "
                             f"(this one has {self._data.size}; cannot convert to {kind})")

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from .printing import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self._data.ndim == 0 and type(self) is Tensor:   # as torch: f"{t}" of a 0-d tensor is its number
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (np.array(self._data), self._dtype, self._rg))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment. If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = make_tensor(self._data.copy(), self._dtype, self._rg)
        if type(self) is not Tensor:
            new = type(self)._from_tensor(new, self)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("_grad", "_acc")})
        memo[id(self)] = new
        return new

    def __setstate__(self, state):
        self.__dict__.update(state)


builtins_bool, builtins_float, builtins_int = bool, float, int


def _rebuild(data, dtype, requires_grad):
    return make_tensor(data, dtype, requires_grad)


def make_tensor(data, dtype=None, requires_grad=False, grad_fn=None):
    """Build a Tensor around an array without the public constructor's parsing."""
    t = _new(Tensor)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    t._data = data
    t._dtype = _from_np[data.dtype] if dtype is None else dtype
    t._rg = requires_grad
    t._grad_fn = grad_fn
    t._vbox = [0]
    if _inference_open[0] and _gstate.inference:
        _mark_inference(t)
    return t


def _mark_inference(t):
    t._inference = True
    grad_mode.inference_made[0] = True


def wrap(data):
    """A tensor around ``data`` (an ndarray or NumPy scalar), dtype taken from it."""
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    t = _new(Tensor)
    t._data = data
    t._dtype = _from_np[data.dtype]
    t._rg = False
    t._grad_fn = None
    t._vbox = [0]
    if _inference_open[0] and _gstate.inference:
        _mark_inference(t)
    return t


def _to_python(value, dtype):
    if dtype is dtypes.bfloat16:
        return builtins_float(value)
    return value


def _contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _wrap_dim(dim, ndim, op="op"):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _parse_to(args, kwargs):
    """Parse Tensor.to's overloads into (dtype or None, copy)."""
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    n_bools = 0
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a._dtype
        elif isinstance(a, bool):   # positional non_blocking, then copy, as in PyTorch
            n_bools += 1
            if n_bools == 2:
                copy = a
        elif isinstance(a, (str, numbers.Integral)) or a.__class__.__name__ == "device":
            device = a
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
    to_device(device)
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype, "dtype", "to")
    return dtype, copy


_LEGACY_TYPE_NAMES = {
    dtypes.float32: "ember.FloatTensor", dtypes.float64: "ember.DoubleTensor", dtypes.float16: "ember.HalfTensor",
    dtypes.bfloat16: "ember.BFloat16Tensor", dtypes.int64: "ember.LongTensor", dtypes.int32: "ember.IntTensor",
    dtypes.int16: "ember.ShortTensor", dtypes.int8: "ember.CharTensor", dtypes.uint8: "ember.ByteTensor",
    dtypes.bool: "ember.BoolTensor", dtypes.complex64: "ember.ComplexFloatTensor",
    dtypes.complex128: "ember.ComplexDoubleTensor",
}
_TYPE_NAME_TO_DTYPE = {v.split(".")[1]: k for k, v in _LEGACY_TYPE_NAMES.items()}
_TYPE_NAME_TO_DTYPE.update({d.name: d for d in dtypes.ALL})


def attach(**methods):
    """Op families add their Tensor methods here: ``attach(mul=mul, __mul__=mul)``."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


# ember.autograd was imported (for grad_mode) before Tensor existed: hand it the class now.
from . import autograd as _autograd  # noqa: E402
_autograd._bind(Tensor, wrap)
