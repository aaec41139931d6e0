"""ember.cuda: this build has no GPU backend, so the queries answer as PyTorch's
do on a machine without one."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def manual_seed_all(seed):
    """Accepted and ignored, as PyTorch does when CUDA is absent."""


def current_device():
    raise _unavailable()


def synchronize(device=None):
    """Raises, as PyTorch does without CUDA."""
    raise _unavailable()


def _unavailable():
    from .devices import DeviceUnavailableError
    return DeviceUnavailableError("ember has no CUDA backend: there is no CUDA device (ember.cuda.is_available() "
                                  "is False)")
