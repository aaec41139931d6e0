"""ember.cuda: this build has no GPU backend, so the queries answer as PyTorch's
do on a machine without one: counts are 0, seeding and cache calls are accepted
and ignored, and anything that needs a device raises (RuntimeError and
AssertionError at once, as PyTorch's "Torch not compiled with CUDA enabled")."""
from . import amp  # noqa: F401  (torch.cuda.amp.GradScaler / autocast)


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def manual_seed(seed):
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def manual_seed_all(seed):
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def seed():
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def seed_all():
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def empty_cache():
    """Nothing is cached: a no-op, as in PyTorch without CUDA."""


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def current_device():
    raise _unavailable()


def synchronize(device=None):
    """Raises, as PyTorch does without CUDA."""
    raise _unavailable()


def get_device_name(device=None):
    raise _unavailable()


def get_device_properties(device=None):
    raise _unavailable()


def get_device_capability(device=None):
    raise _unavailable()


def set_device(device):
    raise _unavailable()


def get_rng_state(device="cuda"):
    raise _unavailable()


def set_rng_state(new_state, device="cuda"):
    raise _unavailable()


class device:
    """``with ember.cuda.device(i):`` raises for a real index, as PyTorch without CUDA; -1/None are no-ops."""

    def __init__(self, device):
        self.idx = -1 if device is None else getattr(device, "index", device)

    def __enter__(self):
        if self.idx is not None and self.idx >= 0:
            raise _unavailable()
        return self

    def __exit__(self, *exc):
        return False


def _unavailable():
    from ..devices import DeviceUnavailableError
    return DeviceUnavailableError("ember has no CUDA backend: there is no CUDA device (ember.cuda.is_available() "
                                  "is False)")
