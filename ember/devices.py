"""Devices. ``cpu`` computes with NumPy; the array backend of a device is the
module every kernel on it calls, so a CuPy backend for ``cuda`` can slot in."""
import numpy as np


class device:
    """ember.device("cpu"), ember.device("cpu", 0), ember.device("cuda:0") …"""

    __slots__ = ("type", "index")

    def __new__(cls, type, index=None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool):
            # PyTorch reads a bare index as "the current accelerator"; this build has none.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str, not {type.__class__.__name__}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit() or index is not None:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _KNOWN_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device "
                               f"string: {type}")
        self = object.__new__(cls)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)
        return self

    def __setattr__(self, name, value):
        raise AttributeError("ember.device is immutable")

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):  # `with ember.device("cpu"):` is accepted, as in PyTorch
        return self

    def __exit__(self, *exc):
        return False


_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta")
CPU = device("cpu")


class DeviceUnavailableError(RuntimeError, AssertionError):
    """A device this build has no backend for. PyTorch builds without CUDA raise
    AssertionError ("Torch not compiled with CUDA enabled"); this error is both
    a RuntimeError and an AssertionError, so either ``except`` catches it."""


def to_device(value):
    """Check a ``device=`` argument: cpu is the only backend this build has."""
    if value is None or value is CPU:
        return CPU
    d = device(value)
    if d.type != "cpu":
        raise DeviceUnavailableError(f"ember has no {d.type} backend: device '{d}' is not available in this build "
                           "(only 'cpu' is). Use device='cpu', or pick the device with "
                           "'cuda' if ember.cuda.is_available() else 'cpu'.")
    return CPU


def backend(dev):
    """The array module that computes on ``dev``."""
    return np
