"""Storages: the flat memory behind tensors, as ``torch.UntypedStorage`` and ``torch.TypedStorage``.

A tensor is an ndarray, and its storage is the whole block of memory the array (or the array it is a
view of) lives in: views share their base's storage, so ``a.untyped_storage().data_ptr() ==
b.untyped_storage().data_ptr()`` tells whether two tensors share memory, as in PyTorch. An
UntypedStorage is that block as bytes (a uint8 array over it); a TypedStorage, PyTorch's deprecated
older form, is the same block read as the tensor's dtype.
"""
import warnings

import numpy as np

from .devices import CPU


def _block(arr):
    """The array spanning the whole memory ``arr`` belongs to (NumPy keeps a view's owner in ``base``)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _as_bytes(arr):
    """arr's memory as a flat uint8 view (C or Fortran order: both are one block)."""
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        return arr.reshape(-1, order="A").view(np.uint8)
    return np.ascontiguousarray(arr).reshape(-1).view(np.uint8)     # strided memory of no block: a copy


def _checked(idx, n):
    if not -n <= idx < n:
        raise IndexError(f"index {idx} out of range for storage of size {n}")
    return idx


class UntypedStorage:
    """Bytes of memory: ``UntypedStorage(n)`` allocates n zeroed bytes; ``tensor.untyped_storage()``
    is the memory of a tensor, shared with it."""

    def __init__(self, size=0, *, device=None):
        if isinstance(size, UntypedStorage):
            size = size._bytes.copy()
        self._bytes = size if isinstance(size, np.ndarray) else np.zeros(int(size), np.uint8)

    @classmethod
    def _of(cls, arr):
        return cls(_as_bytes(_block(arr)))

    device = CPU
    is_cuda = False
    is_sparse = False

    def data_ptr(self):
        return self._bytes.__array_interface__["data"][0]

    def nbytes(self):
        return self._bytes.size

    size = nbytes
    __len__ = nbytes

    def element_size(self):
        return 1

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage(self._bytes[idx])
        return int(self._bytes[_checked(idx, self._bytes.size)])

    def __setitem__(self, idx, value):
        self._bytes[idx if isinstance(idx, slice) else _checked(idx, self._bytes.size)] = value

    def tolist(self):
        return self._bytes.tolist()

    def fill_(self, value):
        self._bytes[...] = value
        return self

    def copy_(self, src, non_blocking=False):
        if src.nbytes() != self.nbytes():
            raise RuntimeError(f"copy_(): storages have different sizes ({self.nbytes()} and {src.nbytes()} bytes)")
        self._bytes[...] = src._bytes
        return self

    def clone(self):
        return UntypedStorage(self._bytes.copy())

    def cpu(self):
        return self

    def untyped(self):
        return self

    def is_shared(self):
        from .ops.host_memory import _mapping
        return _mapping(self._bytes) is not None

    def is_pinned(self, device="cuda"):
        return False

    def type(self):
        return "torch.storage.UntypedStorage"

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        return _listing(self, f"[torch.storage.UntypedStorage(device=cpu) of size {self.nbytes()}]")

    __str__ = __repr__


class TypedStorage:
    """PyTorch's deprecated typed view of a storage: the memory read as ``dtype`` elements."""

    is_cuda = False
    is_sparse = False
    device = CPU

    def __init__(self, untyped, dtype):
        self._untyped_storage = untyped
        self.dtype = dtype

    def _values(self):
        b = self._untyped_storage._bytes
        n = b.size // self.dtype.itemsize
        return b[:n * self.dtype.itemsize].view(self.dtype.np)

    def untyped(self):
        return self._untyped_storage

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        return self._values()[_checked(idx, self.size())].item()

    def __setitem__(self, idx, value):
        self._values()[idx] = value

    def tolist(self):
        return self._values().tolist()

    def __iter__(self):
        return iter(self.tolist())

    def fill_(self, value):
        self._values()[...] = value
        return self

    def cpu(self):
        return self

    def is_shared(self):
        return self._untyped_storage.is_shared()

    def type(self):
        return "torch.storage.TypedStorage"

    def __repr__(self):
        return _listing(self, f"[torch.storage.TypedStorage(dtype={self.dtype}, device=cpu) of size {self.size()}]")

    __str__ = __repr__


def _listing(storage, summary):
    """PyTorch's text of a storage: each element on a line after a space, then the summary."""
    return " " + "\n ".join(str(v) for v in storage.tolist()) + "\n" + summary


def untyped_storage(self):
    """The memory this tensor lives in (its base's, for a view), as bytes shared with it."""
    return UntypedStorage._of(self._data)


_typed_warned = False      # PyTorch warns about TypedStorage once a process


def storage(self):
    global _typed_warned
    if not _typed_warned:
        _typed_warned = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
                      "storage class. This should only matter to you if you are using storages directly.  To access "
                      "UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=2)
    return TypedStorage(untyped_storage(self), self._dtype)


def is_storage(obj):
    return isinstance(obj, (UntypedStorage, TypedStorage))


def _attach():
    from .tensor import attach
    attach(untyped_storage=untyped_storage, storage=storage)


_attach()
