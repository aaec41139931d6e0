"""ember.backends.cudnn: settable cuDNN flags with PyTorch's defaults (no effect: no cuDNN here)."""
import contextlib

enabled = True
benchmark = False
benchmark_limit = None      # PyTorch's CPU build reports None
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags inside the block, restore them after."""
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    module = globals()
    saved = {n: module[n] for n in names}
    module.update(enabled=enabled, benchmark=benchmark, deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(saved)
