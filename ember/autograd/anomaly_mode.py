"""Anomaly detection: with it on, every Node remembers the forward stack that
created it, and a backward that produces NaN raises an error naming the
user's source line of the failing op."""
from .node import anomaly


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._prev = None

    def __enter__(self):
        import warnings
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)
        self._prev = dict(anomaly)
        anomaly.update(enabled=True, check_nan=self.check_nan)
        return self

    def __exit__(self, *exc):
        anomaly.update(self._prev)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off; takes effect at once and works as a context manager."""

    def __init__(self, mode, check_nan=True):
        self._prev = dict(anomaly)
        anomaly.update(enabled=bool(mode), check_nan=check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        anomaly.update(self._prev)
        return False


def is_anomaly_enabled():
    return anomaly["enabled"]


def is_anomaly_check_nan_enabled():
    return anomaly["check_nan"]
