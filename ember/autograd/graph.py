"""ember.autograd.graph: the graph's public types and saved-tensor hooks.

``Node`` is the base class of every ``grad_fn``; ``saved_tensors_hooks(pack,
unpack)`` changes how ops store the tensors they save for backward (pack runs
when a Node is recorded, unpack when backward reads the value back).
"""
from collections import namedtuple

from .node import Node, saved_hooks_stack

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "increment_version", "saved_tensors_hooks", "save_on_cpu",
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
