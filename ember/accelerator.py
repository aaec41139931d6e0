"""ember.accelerator: the device-generic queries of torch.accelerator. This build has no accelerator."""


def is_available():
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    return None


def current_device_index():
    return -1


def synchronize(device=None):
    """Nothing runs asynchronously on the CPU: a no-op."""
