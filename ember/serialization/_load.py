"""ember.load: checkpoints in PyTorch's zip format (and its legacy pre-1.6 format), read safely."""
import contextlib
import io
import mmap as _mmap
import os
import pickle
import pickletools
import struct
import sys
import zipfile
import zlib

import numpy as np

from ..devices import device as _device, to_device
from ._allowlist import _Storage, _allowed, _unpickle, _user_allowed
from ._format import _MAX_ARCHIVE_VERSION, _STORAGE_DTYPES

def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load what ``ember.save`` or ``torch.save`` wrote.

    ``map_location``: None, "cpu", an ember.device, a dict {saved location: new location} or a
    function ``(storage, location) -> storage``; ember computes on the CPU, so every storage
    ends up there. ``weights_only`` (default True): only tensors, containers, numbers, strings,
    dtypes and numeric NumPy arrays (plus ``add_safe_globals``); False runs full pickle.
    ``mmap=True`` maps the file's storages instead of reading them (copy on write).
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_load_args and weights_only:
        raise TypeError(f"ember.load: {sorted(pickle_load_args)} only apply with weights_only=False")
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError(f"ember does not implement torch.load(pickle_module={pickle_module.__name__}) "
                                  "yet: it unpickles with the standard pickle module")
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    with _open_for_reading(f, name, mmap) as (zf, fh, mapped):
        try:
            if zf is None:
                return _LegacyReader(fh, name, map_location, weights_only, pickle_load_args).load()
            reader = _Reader(zf, fh, name, map_location, mapped)
            return _unpickle(io.BytesIO(reader.record("data.pkl")), name, reader.persistent_load, weights_only,
                             pickle_load_args)
        except (EOFError, ValueError, struct.error, IndexError, KeyError) as e:
            raise pickle.UnpicklingError(f"ember.load: '{name}' is corrupt: its structure does not unpickle "
                                         f"({type(e).__name__}: {e})") from e


@contextlib.contextmanager
def _open_for_reading(f, name, use_mmap):
    if isinstance(f, (str, os.PathLike)):
        fh = open(f, "rb")
    elif hasattr(f, "read"):
        fh = f
    else:
        raise TypeError(f"ember.load: f must be a path or a readable binary file, not {type(f).__name__}")
    try:
        start = fh.read(4)
        fh.seek(-len(start), os.SEEK_CUR)
        if not start:
            raise EOFError(f"ember.load: '{name}' is empty (0 bytes): it is no checkpoint (was it fully written?)")
        if start[:1] == b"\x80":      # a pickle: PyTorch's format before 1.6
            if use_mmap:
                raise RuntimeError(f"ember.load: mmap=True needs the zip format, and '{name}' is in PyTorch's "
                                   "legacy (pre-1.6) format")
            yield None, fh, None
            return
        if start[:2] != b"PK":
            raise RuntimeError(f"ember.load: '{name}' is no checkpoint: neither the zip archive torch.save "
                               "writes nor its legacy pickle format")
        try:
            zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as e:
            raise RuntimeError(f"ember.load: '{name}' is corrupt or truncated ({e}); the checkpoint was not "
                               "fully written or copied") from e
        mapped = None
        if use_mmap:
            try:
                fileno = fh.fileno()
            except (AttributeError, OSError, io.UnsupportedOperation):
                raise ValueError(f"ember.load(mmap=True) needs a file on disk (a path or an open file), not "
                                 f"{type(fh).__name__}") from None
            mapped = _mmap.mmap(fileno, 0, access=_mmap.ACCESS_COPY)
        with zf:
            yield zf, fh, mapped
    finally:
        if fh is not f:
            fh.close()


class _Reader:
    """Reads one checkpoint's records: checks its format, hands out storages by key."""

    def __init__(self, zf, fh, name, map_location, mapped):
        self.zf, self.fh, self.name, self.map_location, self.mapped = zf, fh, name, map_location, mapped
        names = zf.namelist()
        if not names:
            raise RuntimeError(f"ember.load: '{name}' is an empty zip archive, not a checkpoint")
        self.prefix = names[0].split("/", 1)[0]
        records = {n[len(self.prefix) + 1:] for n in names if n.startswith(self.prefix + "/")}
        if "constants.pkl" in records or any(r.startswith("code/") for r in records):
            raise NotImplementedError(f"ember does not implement torch.jit.load yet: '{name}' is a TorchScript "
                                      "archive; save the model's state_dict with torch.save instead")
        if "data.pkl" not in records:
            raise RuntimeError(f"ember.load: '{name}' is a zip archive without a {self.prefix}/data.pkl record: "
                               "it is no checkpoint, or a corrupt one")
        self.records = records
        version = self._number("version", 1)
        if version > _MAX_ARCHIVE_VERSION:
            raise RuntimeError(f"ember.load: '{name}' has archive format version {version}, newer than the "
                               f"newest ember reads ({_MAX_ARCHIVE_VERSION}); it was written by a newer PyTorch. "
                               f"Re-save it with an older one.")
        order = self.record("byteorder").decode() if "byteorder" in records else "little"
        if order not in ("little", "big"):
            raise ValueError(f"ember.load: '{name}' has an unknown byte order record {order!r}")
        self.swap = order != sys.byteorder
        self.storages = {}

    def _number(self, record, default):
        if record not in self.records:
            return default
        text = self.record(record).decode(errors="replace").strip()
        if not text.isdigit():
            raise RuntimeError(f"ember.load: '{self.name}' has an unreadable {record} record {text!r}")
        return int(text)

    def record(self, name):
        try:
            return self.zf.read(f"{self.prefix}/{name}")
        except KeyError:
            raise RuntimeError(f"ember.load: '{self.name}' lacks the record {self.prefix}/{name}: the "
                               "checkpoint is incomplete") from None
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise RuntimeError(f"ember.load: '{self.name}' is corrupt or truncated: reading {self.prefix}/{name} "
                               f"failed ({e})") from e

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] in ("storage", b"storage")):
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' has an unsupported persistent id {pid!r} "
                                         "(only storages are allowed)")
        _, storage_type, key, location, numel = pid
        dt = _STORAGE_DTYPES.get(storage_type) if isinstance(storage_type, str) else None
        if dt is None:
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' has an unknown storage type {storage_type!r}")
        if not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' has a malformed storage record {pid!r}")
        storage = self.storages.get(key)
        if storage is None:
            storage = self._restore(_Storage(self._read_storage(key, dt, numel), dt, self.name), location)
            self.storages[key] = storage
        elif storage.dtype is not dt:
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' reads storage {key} as two dtypes")
        return storage

    def _read_storage(self, key, dt, numel):
        name = f"data/{key}"
        if name not in self.records:
            raise RuntimeError(f"ember.load: '{self.name}' lacks the record {self.prefix}/{name}: the checkpoint "
                               "is incomplete")
        info = self.zf.getinfo(f"{self.prefix}/{name}")
        if info.file_size != numel * dt.itemsize:
            raise RuntimeError(f"ember.load: '{self.name}' is corrupt: {self.prefix}/{name} holds "
                               f"{info.file_size} bytes but its storage of {numel} {dt} elements needs "
                               f"{numel * dt.itemsize}")
        if info.compress_type != zipfile.ZIP_STORED:      # re-zipped with compression: zipfile inflates it
            array = np.frombuffer(bytearray(self.record(name)), dt.np)
        elif self.mapped is not None:
            array = np.frombuffer(self.mapped, dt.np, numel, self._data_offset(info))
        else:
            array = self._read_stored(info).view(dt.np)
        return array.byteswap() if self.swap else array

    def _read_stored(self, info):
        """An uncompressed record's bytes, read straight into a writable buffer, CRC checked."""
        buf = np.empty(info.file_size, np.uint8)    # not bytearray(): that zero-fills first
        self.fh.seek(self._data_offset(info))
        if self.fh.readinto(memoryview(buf)) != info.file_size:
            raise RuntimeError(f"ember.load: '{self.name}' is truncated: {info.filename} is cut short")
        if zlib.crc32(buf) != info.CRC:
            raise RuntimeError(f"ember.load: '{self.name}' is corrupt: {info.filename} fails its CRC check "
                               "(the bytes changed after saving)")
        return buf

    def _data_offset(self, info):
        if self.mapped is not None:
            header = self.mapped[info.header_offset:info.header_offset + 30]
        else:
            self.fh.seek(info.header_offset)
            header = self.fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise RuntimeError(f"ember.load: '{self.name}' is corrupt: bad zip header for {info.filename}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def _restore(self, storage, location):
        return _restore(storage, location, self.map_location, self.name)


def _restore(storage, location, target, name):
    """Apply ``map_location`` to a storage saved on ``location``; ember keeps every storage on the CPU."""
    if callable(target) and not isinstance(target, (str, _device)):
        result = target(storage, location)
        if result is None:
            target = None
        elif type(result) is _Storage:
            return result
        else:
            raise TypeError(f"ember.load: map_location returned {type(result).__name__}; it must return the "
                            "storage it was given (ember keeps every storage on the CPU)")
    if isinstance(target, dict):
        target = target.get(location, location)
    if target is None:
        if not str(location).startswith("cpu"):
            raise RuntimeError(f"Attempting to deserialize object on a {str(location).split(':')[0].upper()} "
                               f"device but ember has no such backend ('{name}' was saved on {location}). "
                               "Use ember.load(..., map_location='cpu') to load it on the CPU.")
        return storage
    to_device(target)
    return storage


_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL = 1001


class _LegacyReader:
    """PyTorch's format before 1.6: pickles of (magic, protocol, sys_info, the object, storage keys),
    then each storage as an 8-byte element count and its raw bytes, in key order."""

    def __init__(self, fh, name, map_location, weights_only, pickle_load_args):
        self.fh, self.name, self.map_location = fh, name, map_location
        self.weights_only, self.pickle_load_args = weights_only, pickle_load_args
        self.storages = {}

    def _plain(self):
        return _unpickle(self.fh, self.name, self._no_storage, True, {})

    def _no_storage(self, pid):
        raise pickle.UnpicklingError(f"ember.load: '{self.name}' has a storage where none belongs")

    def load(self):
        if self._plain() != _LEGACY_MAGIC:
            raise RuntimeError(f"ember.load: '{self.name}' is no checkpoint (invalid magic number)")
        protocol = self._plain()
        if protocol != _LEGACY_PROTOCOL:
            raise RuntimeError(f"ember.load: '{self.name}' has legacy protocol version {protocol}; ember reads "
                               f"{_LEGACY_PROTOCOL}")
        sys_info = self._plain()
        swap = isinstance(sys_info, dict) and sys_info.get("little_endian", True) != (sys.byteorder == "little")
        result = _unpickle(self.fh, self.name, self.persistent_load, self.weights_only, self.pickle_load_args)
        for key in self._plain():
            storage = self.storages.get(key)
            if storage is None:
                raise RuntimeError(f"ember.load: '{self.name}' is corrupt: storage {key!r} has no record")
            self._fill(storage, swap)
        return result

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] in ("storage", b"storage")):
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' has an unsupported persistent id {pid!r} "
                                         "(only storages are allowed)")
        _, storage_type, key, location, numel, view = pid
        dt = _STORAGE_DTYPES.get(storage_type) if isinstance(storage_type, str) else None
        if dt is None or type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"ember.load: '{self.name}' has a malformed storage record {pid!r}")
        storage = self.storages.get(key)
        if storage is None:
            storage = _Storage(np.empty(numel, dt.np), dt, self.name)
            self.storages[key] = storage = _restore(storage, location, self.map_location, self.name)
        if view is not None:
            _, offset, size = view
            return _Storage(storage.array[offset:offset + size], dt, self.name)
        return storage

    def _fill(self, storage, swap):
        head = self.fh.read(8)
        numel = int.from_bytes(head, "little") if len(head) == 8 else -1
        if numel != storage.array.size:
            raise RuntimeError(f"ember.load: '{self.name}' is corrupt or truncated: a storage of "
                               f"{storage.array.size} elements is recorded with {numel}")
        raw = self.fh.read(storage.array.nbytes)
        if len(raw) != storage.array.nbytes:
            raise RuntimeError(f"ember.load: '{self.name}' is truncated: a storage needs {storage.array.nbytes} "
                               f"bytes, {len(raw)} are left")
        values = np.frombuffer(raw, storage.dtype.np)
        storage.array[...] = values.byteswap() if swap else values


def get_unsafe_globals_in_checkpoint(f):
    """The globals in a checkpoint's structure that ``weights_only`` loading would refuse."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    with _open_for_reading(f, name, False) as (zf, fh, _):
        if zf is None:
            raise NotImplementedError("ember does not implement get_unsafe_globals_in_checkpoint for the legacy "
                                      "(pre-1.6) format yet")
        data = _Reader(zf, fh, name, None, None).record("data.pkl")
    found = []
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            full = arg.replace(" ", ".")
            if full not in _allowed() and _user_allowed(full) is None and full not in found:
                found.append(full)
    return found
