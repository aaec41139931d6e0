"""nn.Parameter and nn.Buffer."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter when assigned as an attribute.

    Shares memory and the version counter with ``data``; requires grad by default.
    """

    _is_param = True    # printing shows the plain ``tensor(`` prefix after "Parameter containing:"

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, not {type(data).__name__}")
        self = object.__new__(cls)
        self._data = data._data
        self._dtype = data._dtype
        self._rg = False
        self._grad_fn = None
        self._vbox = data._vbox
        Tensor.requires_grad_(self, requires_grad)
        return self

    @classmethod
    def _from_tensor(cls, t, like):
        return cls(t, like._rg)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (_plain(self), self._rg))


# What an uninitialized tensor still answers, as PyTorch's UninitializedTensorMixin._allowed_methods (plus
# ember's own helpers): any other method raises ValueError; attributes (dtype, requires_grad, grad) answer.
_UNINIT_ALLOWED = frozenset({"size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
                             "short", "int", "long", "cuda", "cpu", "to", "get_device", "materialize",
                             "cls_to_become", "share_memory_"})


def _uninitialized_use(t, what):
    kind = "buffer" if isinstance(t, UninitializedBuffer) else "parameter"
    return ValueError(f"Attempted to use an uninitialized {kind} in {what}. This error happens when you are using a "
                      f"`LazyModule` or explicitly manipulating `torch.nn.parameter.Uninitialized{kind.title()}` "
                      f"objects. When using LazyModules Call `forward` with a dummy batch to initialize the "
                      f"parameters before calling torch functions")


class UninitializedTensorMixin:
    """A tensor without a shape yet (a Lazy module's, until its first input): ``materialize(shape)`` gives it
    storage and turns it into ``cls_to_become``. Until then its methods refuse (ValueError) and its shape raises
    RuntimeError, as PyTorch's; ember's own code reaches its fields directly."""

    def __getattribute__(self, name):
        if name[0] != "_" and name not in _UNINIT_ALLOWED:
            attr = getattr(type(self), name, None)
            if callable(attr) and not isinstance(attr, property):
                raise _uninitialized_use(self, f"<method '{name}' of 'torch._C.TensorBase' objects>")
        return object.__getattribute__(self, name)

    def materialize(self, shape, device=None, dtype=None):
        from ..creation import empty
        data = empty(shape, dtype=self._dtype if dtype is None else dtype)
        self._data, self._dtype = data._data, data._dtype
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
                           "the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._rg,))       # as PyTorch's: the dtype is not kept (the default's on load)

    @classmethod
    def _from_tensor(cls, t, like):           # deepcopy: a fresh uninitialized tensor of like's kind
        return cls(like._rg, None, like._dtype)


def _refuse(name):
    def op(self, *args, **kwargs):
        raise _uninitialized_use(self, f"<method '{name}' of 'torch._C.TensorBase' objects>")
    return op


def _keeps_uninitialized(name):
    """A conversion (to, double, ...) of an uninitialized tensor: one of the same kind in the new dtype (a
    module's .to() converts a lazy buffer and keeps it lazy)."""
    convert = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        t = convert(self, *args, **kwargs)
        return self if t is self else type(self)(self._rg, None, t._dtype)
    method.__name__ = name
    return method


for _name in ("to", "half", "float", "double", "char", "short", "int", "long", "cpu", "cuda"):
    setattr(UninitializedTensorMixin, _name, _keeps_uninitialized(_name))


# Python operators look their method up on the type, past __getattribute__
for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
              "__matmul__", "__rmatmul__", "__pow__", "__rpow__", "__neg__", "__getitem__", "__setitem__",
              "__iadd__", "__isub__", "__imul__", "__itruediv__", "__lt__", "__le__", "__gt__", "__ge__", "__len__",
              "__iter__", "__bool__", "__float__", "__int__", "__array__"):
    setattr(UninitializedTensorMixin, _name, _refuse(_name))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Lazy module's parameter before its first input; becomes a Parameter."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..creation import empty
        return Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A Lazy module's buffer (running statistics) before its first input; becomes a Tensor."""

    cls_to_become = Tensor
    __deepcopy__ = _refuse("Tensor.__deepcopy__")       # a Parameter's deepcopy is its own; a buffer's, a Tensor op

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from ..creation import empty
        data = empty(0, dtype=dtype)
        self = object.__new__(cls)
        self._data, self._dtype, self._rg, self._grad_fn, self._vbox = data._data, data._dtype, False, None, data._vbox
        Tensor.requires_grad_(self, requires_grad)
        return self


def _plain(p):
    from ..tensor import make_tensor
    return make_tensor(p._data.copy(), p._dtype)


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` holds for the plain tensors Buffer() returns (flagged ``_is_buffer``)."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False) or \
            super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A marker: ``module.x = nn.Buffer(t, persistent=True)`` registers ``t`` as a buffer. As PyTorch's, it
    returns a plain Tensor (a detached view of t keeping its requires_grad) flagged for the Module."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        t = Tensor.requires_grad_(data.detach(), data._rg)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param):
    """Whether ``param`` is an uninitialized parameter or buffer (a Lazy module's, before its first input)."""
    return isinstance(param, UninitializedTensorMixin)
