"""nn.utils.skip_init (torch.nn.utils.init)."""
import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` whose parameter values are unspecified (the caller overwrites them).
    torch builds it on the meta device and allocates uninitialized memory; ember has no meta device, so it runs
    the ordinary initialization: the values are as unspecified as torch's, only the time is not saved."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
