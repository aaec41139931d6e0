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
    raise RuntimeError("ember has no CUDA backend: there is no current CUDA device")


def synchronize(device=None):
    """Nothing to wait for without a GPU."""
