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
        self.requires_grad_(requires_grad)
        return self

    @classmethod
    def _from_tensor(cls, t, like):
        return cls(t, like._rg)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (_plain(self), self._rg))


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a Lazy module's, until its first input):
    ``materialize(shape)`` gives it storage of that shape and makes it a Parameter."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..creation import empty
        return Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)

    def materialize(self, shape, device=None, dtype=None):
        from ..creation import empty
        data = empty(shape, dtype=self._dtype if dtype is None else dtype)
        self._data, self._dtype = data._data, data._dtype
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"


def _plain(p):
    from ..tensor import make_tensor
    return make_tensor(p._data.copy(), p._dtype)


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """A marker: ``module.x = nn.Buffer(t, persistent=True)`` registers ``t`` as a buffer."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        self = object.__new__(cls)
        self._data, self._dtype, self._rg, self._grad_fn, self._vbox = \
            data._data, data._dtype, data._rg, None, data._vbox
        self.persistent = persistent
        return self


def is_lazy(param):
    return False
