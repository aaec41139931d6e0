"""Tensor methods about where a tensor's memory lives: ``share_memory_``/``is_shared``,
``pin_memory``/``is_pinned``.

Shared memory is real: ``share_memory_`` moves the data into an anonymous shared mapping, so processes forked
afterwards (multiprocessing's "fork" start method) read and write the same numbers. As in PyTorch it moves the
tensor's own data; views made before the move keep the old memory. Pinned memory only exists for an
accelerator, and ember has none: ``pin_memory`` raises as CPU-only PyTorch does, ``is_pinned`` is False.
"""
import mmap

import numpy as np

from ..tensor import attach


def _mapping(arr):
    """The mmap an array's memory belongs to, if any (following NumPy's chain of bases)."""
    while arr is not None:
        if isinstance(arr, mmap.mmap):
            return arr
        arr = getattr(arr, "base", None) if not isinstance(arr, memoryview) else arr.obj
    return None


def is_shared(self):
    return _mapping(self._data) is not None


def share_memory_(self):
    """Move the data into shared memory (a no-op when it is there already); returns self."""
    if not is_shared(self):
        arr = self._data
        mapped = mmap.mmap(-1, max(arr.nbytes, 1))      # anonymous and MAP_SHARED: inherited by forked children
        shared = np.frombuffer(mapped, dtype=arr.dtype, count=arr.size).reshape(arr.shape)
        shared[...] = arr
        self._data = shared
    return self


def pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


def is_pinned(self, device=None):
    return False


attach(share_memory_=share_memory_, is_shared=is_shared, pin_memory=pin_memory, is_pinned=is_pinned)
