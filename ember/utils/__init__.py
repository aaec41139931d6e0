"""ember.utils: helpers around the core library, as torch.utils (``data``: datasets and loaders)."""
from . import data  # noqa: F401

_LAZY_MODULES = frozenset(("checkpoint", "_pytree"))


def __getattr__(name):
    """``ember.utils.checkpoint`` loads on first use (PEP 562), as ``torch.utils.checkpoint`` is reachable."""
    if name in _LAZY_MODULES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
