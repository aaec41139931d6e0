"""Custom autograd Functions: ``class Exp(ember.autograd.Function)`` with static
``forward``/``backward`` (or ``forward`` + ``setup_context``), as in PyTorch.

Each Function subclass gets a Node subclass ``<Name>Backward`` (made by the
metaclass). One instance of it is both the ``ctx`` the user's methods receive
and the ``grad_fn`` of the outputs, so attributes set on ``ctx`` are visible on
``out.grad_fn`` as in PyTorch. Its ``apply`` (called by the engine) wraps the
incoming gradients as Tensors, runs the user's ``backward`` (grad mode is on
only under ``create_graph``), checks what came back and unwraps it.
"""
import functools
import inspect
import warnings

from . import grad_mode
from .node import Node, SavedOutput, _pack_all, saved_hooks_stack

_gstate = grad_mode.state

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "InplaceFunction", "NestedIOFunction",
           "once_differentiable"]


def _Tensor():
    from ..tensor import Tensor
    return Tensor


class FunctionCtx:
    """What ``forward``/``setup_context`` may call on ``ctx``."""

    def save_for_backward(self, *tensors):
        Tensor = _Tensor()
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        Tensor = _Tensor()
        for t in tensors:
            if not (t is None or isinstance(t, Tensor)):
                raise AssertionError("save_for_forward expects all arguments to be tensors; you should save "
                                     "non-tensors as attributes on ctx.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_shared_storage(self, *pairs):
        warnings.warn("`mark_shared_storage` is deprecated. Tensors with shared storages are automatically "
                      "tracked. Note that calls to `set_()` are not tracked", FutureWarning, stacklevel=2)


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of one call of a custom Function; subclassed per Function."""

    _forward_cls = None
    _special = True          # its apply runs the user's backward
    materialize_grads = True
    to_save = None
    non_differentiable = None
    dirty_tensors = None

    def __init__(self):      # the real set-up happens in Function.apply
        pass

    @property
    def saved_tensors(self):
        return tuple(self.unpack_saved(True))

    @property
    def saved_variables(self):
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def _user_backward(self):
        cls = self._forward_cls
        has_vjp = cls.vjp is not Function.vjp
        has_backward = cls.backward is not Function.backward
        if has_vjp and has_backward:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You "
                               "should only implement one of them.")
        return cls.vjp if has_vjp else cls.backward

    def apply(self, grads, create_graph):
        """Engine entry: grads per output (arrays, or Tensors under create_graph) -> grads per tensor input."""
        from ..tensor import Tensor, wrap
        import numpy as np
        args = []
        for g, meta in zip(grads, self._fn_out_meta):
            if g is None:
                if meta is not None and self.materialize_grads:
                    z = np.zeros(meta[0], meta[1].np)
                    args.append(wrap(z))
                else:
                    args.append(None)
            else:
                args.append(g if create_graph else wrap(g))
        res = self._user_backward()(self, *args)
        if type(res) is not tuple:
            res = (res,)
        is_tensor = self._is_tensor_input
        n = len(is_tensor)
        if len(res) > n and all(r is None for r in res[n:]):
            res = res[:n]
        if len(res) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                               f"got {len(res)})")
        out = []
        for i, (r, is_t) in enumerate(zip(res, is_tensor)):
            if not is_t:
                if r is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at position "
                                       f"{i + 1}, but the corresponding forward input was not a Variable")
                continue
            if r is None:
                out.append(None)
            elif isinstance(r, Tensor):
                out.append(r if create_graph else r._data)
            else:
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
        return tuple(out)


class FunctionMeta(type):
    """Gives every Function subclass its Node class ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of custom differentiable operations; call them with ``MyFn.apply(...)``."""

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
                      f"so you should invoke them on the class itself. Instantiating an autograd function will "
                      f"raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-"
                           "style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    generate_vmap_rule = False

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("ember does not implement vmap for autograd.Function")

    @classmethod
    def apply(cls, *args, **kwargs):
        setup = cls.setup_context is not Function.setup_context
        if setup:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        elif kwargs:
            args, kwargs = _kwargs_to_positional(cls.forward, args, kwargs), {}
        return _apply(cls, setup, args, kwargs)


def _kwargs_to_positional(forward, args, kwargs):
    """Old-style apply(..., name=value): as PyTorch, each keyword fills forward's positional parameter of that
    name (after ctx), so it counts among the inputs (needs_input_grad, gradients expected from backward);
    the filled positions must leave no gap."""
    code = inspect.unwrap(forward).__code__
    names = code.co_varnames[1:code.co_argcount]
    args = list(args)
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{key}'")
        i = names.index(key)
        if i < len(args) and args[i] is not _MISSING:
            raise TypeError(f"forward() got multiple values for argument '{key}'")
        args.extend([_MISSING] * (i + 1 - len(args)))
        args[i] = value
    for i, a in enumerate(args):
        if a is _MISSING:
            raise TypeError(f"forward() missing required argument: '{names[i]}' (position {i})")
    return tuple(args)


_MISSING = object()


def _apply(cls, setup, args, kwargs):
    Tensor = _Tensor()
    is_tensor = tuple(isinstance(a, Tensor) for a in args)
    tensors = [a for a, t in zip(args, is_tensor) if t]
    executable = _gstate.enabled and any(t._rg for t in tensors)
    ctx = cls._backward_cls()
    Node.__init__(ctx, tensors if executable else (), (), ())
    ctx._out_meta = None                        # the engine must not materialize: apply does (or not)
    ctx._is_tensor_input = is_tensor
    ctx.needs_input_grad = tuple(t and a._rg for a, t in zip(args, is_tensor))
    prev = _gstate.enabled
    _gstate.enabled = False
    try:
        if setup:
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args)
    finally:
        _gstate.enabled = prev
    return _wrap_outputs(ctx, tensors, output, executable)


def _alias(t):
    """A new Tensor viewing ``t`` whole (PyTorch's view_as_self for an input returned as an output)."""
    from ..ops.inplace import ViewFn, make_view
    return make_view(t, t._data.view(), ViewFn(_same, _same))


def _same(x):
    return x


def _wrap_outputs(ctx, inputs, output, executable):
    Tensor = _Tensor()
    is_tuple = type(output) is tuple
    outs = output if is_tuple else (output,)
    input_ids = {id(t) for t in inputs}
    dirty = {id(t) for t in ctx.dirty_tensors or ()}
    non_diff = {id(t) for t in ctx.non_differentiable or ()}
    for t in ctx.dirty_tensors or ():
        t._vbox[0] += 1                            # as PyTorch: a dirty tensor's version moves on
    if dirty and not dirty.issubset({id(o) for o in outs}):
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as output. "
                           "The inputs that are modified inplace must all be outputs of the Function.")
    n_tensor_outs = sum(isinstance(o, Tensor) for o in outs)
    result, meta = [], []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            result.append(o)
            meta.append(None)
            continue
        meta.append((o._data.shape, o._dtype))
        key = id(o)
        is_input, is_dirty = key in input_ids, key in dirty
        differentiable = executable and key not in non_diff and o._dtype.category >= _float_category()
        if not differentiable:
            if not o._rg:
                if is_input and not is_dirty:
                    o = _alias(o)
            elif is_input:
                o = o.detach()
            else:
                o._rg, o._grad_fn = False, None
        elif is_dirty:
            if o._grad_fn is None and o._rg:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            if not is_input:
                warnings.warn("Only input Tensors should be given to ctx.mark_dirty(). If a Tensor is not an input, "
                              "there is no need to pass it to mark_dirty().", UserWarning, stacklevel=4)
            if o._view_fn is not None:
                base = o._base
                if base._rg and base._grad_fn is None:
                    raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                                       "operation.")
                if n_tensor_outs > 1:
                    raise RuntimeError("If your Function modifies inplace an input that is a view of another Tensor, "
                                       "your Function cannot return more than one Tensor. This is not supported "
                                       "by the current autograd engine. You should either make sure the input is "
                                       "not a view (using .clone() for example) or make your Function only return "
                                       "one Tensor (potentially splitting it into two Functions: one doing the "
                                       "inplace that returns a single Tensor and a second one that does the other "
                                       "operations). You can ask on the forum https://discuss.pytorch.org/ if you "
                                       "need help to do this change.")
                from ..ops.inplace import _rebase
                from ..tensor import make_tensor
                r = make_tensor(o._data, o._dtype, True, ctx)
                r._out_nr = i
                _rebase(o, r)
            else:
                o._grad_fn, o._out_nr, o._rg = ctx, i, True
        else:
            if is_input:
                o = _alias(o)
            o._grad_fn, o._rg = ctx, True
            if i:
                o._out_nr = i
        result.append(o)
    ctx.nout = len(outs)
    ctx._fn_out_meta = meta
    to_save = ctx.to_save
    if to_save:
        if executable:
            saved = tuple(SavedOutput(t) if t is not None and t._grad_fn is ctx else t for t in to_save)
            ctx._versions = tuple(None if s is None else s._vbox[0] for s in saved)
            ctx._saved = _pack_all(ctx, saved) if saved_hooks_stack else saved
        ctx.to_save = None
    return tuple(result) if is_tuple else result[0]


def _float_category():
    from .. import dtypes
    return dtypes._FLOAT


# ------------------------------------------------------------------ once_differentiable
class DelayedError(Node):
    """Stands in the graph of a once_differentiable backward's results: differentiating it raises."""

    msg = ""
    _special = True

    def apply(self, grads, create_graph):
        raise RuntimeError(self.msg)


def once_differentiable(fn):
    """Mark a ``backward`` as not differentiable: it runs under no_grad, and a double
    backward through its results raises."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from ..tensor import Tensor, make_tensor
        prev = _gstate.enabled
        _gstate.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _gstate.enabled = prev
        if not prev:
            return outputs
        needing = [a for a in args if isinstance(a, Tensor) and a._rg]
        if not needing:
            return outputs
        outs = outputs if type(outputs) is tuple else (outputs,)
        err = DelayedError(needing)
        err.msg = "trying to differentiate twice a function that was marked with @once_differentiable"
        err._out_meta = None
        wrapped = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                w = make_tensor(o._data, o._dtype, True, err)
                w._out_nr = i
                o = w
            wrapped.append(o)
        err.nout = len(outs) if len(outs) > 1 else 1
        return tuple(wrapped) if type(outputs) is tuple else wrapped[0]
    return wrapper


class InplaceFunction(Function):
    """A Function that may work in place (``inplace`` kept for PyTorch compatibility)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Deprecated in PyTorch; present so that code naming it imports."""
