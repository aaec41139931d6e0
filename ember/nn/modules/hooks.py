"""Hook handles, and the hooks registered for every Module at once (PyTorch's
torch.nn.modules.module.register_module_forward_hook and friends: profilers, debuggers).

Module.__call__ runs the global hooks before each module's own; the registration hooks run when a
module, parameter or buffer is registered and may replace it.
"""
import itertools
import weakref
from collections import OrderedDict


class RemovableHandle:
    """Removes the hook it was returned for: ``handle.remove()`` (also a context manager)."""

    _next_id = itertools.count()

    def __init__(self, *hook_dicts):
        self.id = next(RemovableHandle._next_id)
        self._dicts = [weakref.ref(d) for d in hook_dicts]

    def remove(self):
        for ref in self._dicts:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    # a pickled module keeps its handles (a Lazy module holds its hooks' handles): the dicts by value
    def __getstate__(self):
        return self.id, [ref() for ref in self._dicts]

    def __setstate__(self, state):
        self.id, dicts = state
        self._dicts = [weakref.ref(d) for d in dicts if d is not None]
        # ids stay unique in this process's hook dicts, which now hold the unpickled ids too
        RemovableHandle._next_id = itertools.count(max(next(RemovableHandle._next_id), self.id + 1))


class _HookDict(OrderedDict):
    """An OrderedDict that weakref can point to (plain dicts cannot be weakly referenced)."""


forward_pre_hooks = _HookDict()
forward_hooks = _HookDict()
forward_hooks_with_kwargs = _HookDict()
forward_hooks_always_called = _HookDict()
backward_pre_hooks = _HookDict()
backward_hooks = _HookDict()
# the ids of every global forward/backward hook: Module.__call__'s one check for them
call_hooks = _HookDict()
buffer_registration_hooks = _HookDict()
module_registration_hooks = _HookDict()
parameter_registration_hooks = _HookDict()


def _add(hook, store, *extra):
    handle = RemovableHandle(store, *extra)
    store[handle.id] = hook
    return handle


def _add_call_hook(hook, store, *extra):
    handle = _add(hook, store, call_hooks, *extra)
    call_hooks[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook):
    """hook(module, args) -> None or new args, before every module's forward (and its own pre-hooks)."""
    return _add_call_hook(hook, forward_pre_hooks)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """hook(module, args, output) (or (module, args, kwargs, output)) -> None or a new output, after every
    module's forward; always_call: also when forward raised."""
    handle = _add_call_hook(hook, forward_hooks, forward_hooks_with_kwargs, forward_hooks_always_called)
    if with_kwargs:
        forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """hook(module, grad_output) -> None or a new grad_output, for every module."""
    return _add_call_hook(hook, backward_pre_hooks)


def register_module_full_backward_hook(hook):
    """hook(module, grad_input, grad_output) -> None or a new grad_input, for every module."""
    return _add_call_hook(hook, backward_hooks)


register_module_backward_hook = register_module_full_backward_hook    # ember runs every backward hook in full


def register_module_buffer_registration_hook(hook):
    """hook(module, name, buffer) -> None or the buffer to register instead."""
    return _add(hook, buffer_registration_hooks)


def register_module_module_registration_hook(hook):
    """hook(module, name, submodule) -> None or the submodule to register instead."""
    return _add(hook, module_registration_hooks)


def register_module_parameter_registration_hook(hook):
    """hook(module, name, param) -> None or the parameter to register instead."""
    return _add(hook, parameter_registration_hooks)


def registered(hooks, module, name, value):
    """``value`` after the registration ``hooks`` (each may return a replacement)."""
    for hook in hooks.values():
        out = hook(module, name, value)
        if out is not None:
            value = out
    return value
