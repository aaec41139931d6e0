"""Padding layers (as torch.nn.modules.padding): shells over F.pad.

``padding`` is an int (the same on every side) or a tuple (left, right[, top, bottom[, front, back]]),
last dimension first, as F.pad takes it.
"""
from .. import functional as F
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


def _sides(padding, n):
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n


class _PadNd(Module):
    """A padding of ``_dims`` spatial dims in one F.pad mode; the subclasses only name the mode and rank."""

    __constants__ = ["padding"]
    _mode = None
    _dims = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, 2 * self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"{type(self).__name__}: expected {self._dims + 1}D or {self._dims + 2}D input (got "
                             f"{input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """(C, W) or (N, C, W): wrap around."""
    _dims = 1


class CircularPad2d(_CircularPadNd):
    """(C, H, W) or (N, C, H, W): wrap around."""
    _dims = 2


class CircularPad3d(_CircularPadNd):
    """(C, D, H, W) or (N, C, D, H, W): wrap around."""
    _dims = 3


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """(C, W) or (N, C, W): mirror without repeating the edge."""
    _dims = 1


class ReflectionPad2d(_ReflectionPadNd):
    """(C, H, W) or (N, C, H, W): mirror without repeating the edge."""
    _dims = 2


class ReflectionPad3d(_ReflectionPadNd):
    """(C, D, H, W) or (N, C, D, H, W): mirror without repeating the edge."""
    _dims = 3


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """(C, W) or (N, C, W): repeat the edge."""
    _dims = 1


class ReplicationPad2d(_ReplicationPadNd):
    """(C, H, W) or (N, C, H, W): repeat the edge."""
    _dims = 2


class ReplicationPad3d(_ReplicationPadNd):
    """(C, D, H, W) or (N, C, D, H, W): repeat the edge."""
    _dims = 3


class _ConstantPadNd(_PadNd):
    """Pad with ``value`` (negative paddings crop)."""

    __constants__ = ["padding", "value"]
    _mode = "constant"

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    _dims = 3


class _ZeroPad:
    """ConstantPad with value 0, printed with the padding only."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    extra_repr = _PadNd.extra_repr


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    pass


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    pass


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    pass
