"""ember.autograd.graph: the graph's public types and saved-tensor hooks.

``Node`` is the base class of every ``grad_fn``; ``saved_tensors_hooks(pack,
unpack)`` changes how ops store the tensors they save for backward (pack runs
when a Node is recorded, unpack when backward reads the value back).
"""
from collections import namedtuple

from .node import Node, saved_hooks_stack

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "increment_version", "register_multi_grad_hook",
           "saved_tensors_hooks", "save_on_cpu",
           "disable_saved_tensors_hooks"]

GradientEdge = namedtuple("GradientEdge", ("node", "output_nr", "ownership_token"), defaults=(None,))
GradientEdge.__doc__ = "An edge of the graph: the Node a gradient goes to and which of its outputs it belongs to."


def get_gradient_edge(tensor):
    """The edge through which ``tensor``'s gradient flows (its grad_fn, or its AccumulateGrad for a leaf)."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    if tensor._grad_fn is not None:
        return GradientEdge(tensor._grad_fn, tensor._out_nr)
    return GradientEdge(tensor._accumulator(), 0)


def increment_version(tensor):
    """Bump the version counter(s), as an in-place op would."""
    tensors = tensor if isinstance(tensor, (list, tuple)) else (tensor,)
    for t in tensors:
        t._vbox[0] += 1


_disabled = {"message": None}


class saved_tensors_hooks:
    """Context manager: every tensor saved for backward inside goes through ``pack_hook``
    (which may return anything) and comes back through ``unpack_hook`` (which must
    return a Tensor with the same value). The innermost pair applies."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled["message"] is not None:
            raise RuntimeError(_disabled["message"])
        saved_hooks_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        saved_hooks_stack.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept as CPU copies (on ember's CPU backend: plain copies)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            from ..tensor import make_tensor
            return t.device, make_tensor(t._data.copy(), t._dtype)

        def unpack(packed):
            return packed[1]
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Inside, entering ``saved_tensors_hooks`` raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._prev = _disabled["message"]
        _disabled["message"] = self.error_message
        return self

    def __exit__(self, *exc):
        _disabled["message"] = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` once per backward for a group of tensors.

    mode="all": after the gradients of every tensor of the group that this backward reaches
    have been computed, ``fn(grads)`` with one gradient per tensor (None for those it does not reach).
    mode="any": ``fn(grad)`` with the first of the group's gradients computed.
    Returns a handle whose ``remove()`` takes the hook off every tensor."""
    from . import engine
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    if mode == "all":
        for i, t in enumerate(tensors):
            if not t.requires_grad:     # torch asserts; mode="any" skips such tensors
                raise AssertionError(f"register_multi_grad_hook: tensor {i} does not require grad")
        nodes = [get_gradient_edge(t).node for t in tensors]
        pending = {}        # task id -> [gradients so far, how many are still to come]

        def inner(i):
            def hook(grad):
                task = engine.current_task()
                state = pending.get(task.id)
                if state is None:
                    state = pending[task.id] = [[None] * len(tensors), sum(map(task.will_execute, nodes))]
                state[0][i] = grad
                state[1] -= 1
                if state[1] == 0:
                    del pending[task.id]
                    fn(state[0])
            return hook
        handles = [t.register_hook(inner(i)) for i, t in enumerate(tensors)]
    else:
        fired = [None]      # id of the last backward call that called fn

        def hook(grad):
            task = engine.current_task()
            if task.id != fired[0]:
                fired[0] = task.id
                fn(grad)
        handles = [t.register_hook(hook) for t in tensors if t.requires_grad]
    return _MultiHandle(handles)


class _MultiHandle:
    """The handle register_multi_grad_hook returns: one remove() for all the tensors' hooks."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
