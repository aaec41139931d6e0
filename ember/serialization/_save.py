"""ember.save: PyTorch's zip checkpoint, written without torch."""
import collections
import contextlib
import io
import os
import pickle
import pickletools
import re
import secrets
import struct
import sys
import zipfile

import numpy as np

from .. import dtypes
from ..devices import device as _device
from ..size import Size
from ..tensor import Tensor, _contiguous_strides, make_tensor
from ._format import _ALIGNMENT, _ARCHIVE_VERSION, _STORAGE_NAMES, DEFAULT_PROTOCOL

# PyTorch's names are written without importing torch: the C pickler writes placeholders that
# live here (GLOBAL "ember.serialization._save _torch__<module>__<name>", and ember dtypes as their
# own GLOBAL "ember.dtypes <name>"), and _torch_globals() then rewrites those opcodes to torch's names.
_TORCH_NAMES = {}     # "ember.serialization._save <placeholder>" -> "<torch module> <name>"


def _torch_placeholder(module, name):
    def placeholder(*args):
        raise TypeError(f"{module}.{name} is a name ember writes into checkpoints, not a function")
    placeholder.__qualname__ = placeholder.__name__ = f"_torch__{module.replace('.', '_')}__{name}"
    globals()[placeholder.__name__] = placeholder
    _TORCH_NAMES[f"{__name__} {placeholder.__name__}"] = f"{module} {name}"
    return placeholder


_REBUILD_TENSOR = _torch_placeholder("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _torch_placeholder("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_STATE = _torch_placeholder("torch._utils", "_rebuild_parameter_with_state")
_REBUILD_FROM_TYPE = _torch_placeholder("torch._tensor", "_rebuild_from_type_v2")
_TORCH_TENSOR = _torch_placeholder("torch", "Tensor")
_TORCH_DEVICE = _torch_placeholder("torch", "device")
_TORCH_SIZE = _torch_placeholder("torch", "Size")
_TORCH_STORAGES = {dt: _torch_placeholder("torch", name) for dt, name in _STORAGE_NAMES.items()}


_DTYPE_NAMES = frozenset(d.name for d in dtypes.ALL)
_PLACEHOLDER_BYTES = re.compile(b"c" + re.escape(__name__.encode()) + rb"\n_torch__|cember\.dtypes\n")


def _torch_globals(data, expected):
    """``data`` (a protocol 2/3 pickle) with the placeholder GLOBAL opcodes renamed to torch's names.

    ``expected`` is how many such opcodes the pickler wrote (each name once: globals are memoized). A
    byte search finds them; if it finds another number, some string in the data holds the same bytes,
    and a full opcode walk finds the real ones instead."""
    hits = [m.start() for m in _PLACEHOLDER_BYTES.finditer(data)]
    if len(hits) != expected:
        hits = [pos for op, arg, pos in pickletools.genops(data) if op.name == "GLOBAL" and _torch_name(arg)]
    parts, done = [], 0
    for pos in hits:
        end = data.index(b"\n", data.index(b"\n", pos) + 1) + 1      # 'c' module '\n' name '\n'
        new = _torch_name(data[pos + 1:end - 1].decode().replace("\n", " "))
        parts += [data[done:pos], b"c" + new.replace(" ", "\n").encode() + b"\n"]
        done = end
    parts.append(data[done:])
    return b"".join(parts)


def _torch_name(arg):
    """torch's "module name" for a placeholder GLOBAL argument, else None."""
    if arg.startswith("ember.dtypes "):
        name = arg[len("ember.dtypes "):]
        return "torch " + name if name in _DTYPE_NAMES else None
    return _TORCH_NAMES.get(arg)


class _Record:
    """One storage to write: ``data/<key>`` holds ``root``'s bytes, read as ``dtype``."""

    __slots__ = ("key", "root", "dtype", "pid")

    def __init__(self, key, root, dtype):
        self.key, self.root, self.dtype = key, root, dtype
        numel = root.nbytes // dtype.itemsize
        self.pid = ("storage", _TORCH_STORAGES[dtype], key, "cpu", numel)


class _Storages:
    """Groups the tensors being saved by the NumPy buffer they view: one record per buffer."""

    def __init__(self):
        self.records = []
        self._by_root = {}

    def locate(self, t):
        """(record, offset, stride) of tensor ``t``, in elements, as torch stores them."""
        arr, item = t._data, t._dtype.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        placed = self._place(arr, root, item) if arr.size else None
        if placed is None:   # no shareable layout (empty, or a view NumPy can express and torch cannot)
            root = np.ascontiguousarray(arr)
            placed = 0, _contiguous_strides(arr.shape)
        record = self._by_root.get(id(root))
        if record is None:
            record = _Record(str(len(self.records)), root, t._dtype)
            self.records.append(record)
            self._by_root[id(root)] = record
        elif record.dtype is not t._dtype:
            raise RuntimeError(f"ember.save: cannot save multiple tensors that view the same data as different "
                               f"types ({record.dtype} and {t._dtype}); save a copy of one of them (.clone())")
        return (record,) + placed

    @staticmethod
    def _place(arr, root, item):
        if not (root.flags.c_contiguous or root.flags.f_contiguous) or root.nbytes % item:
            return None
        low = np.lib.array_utils.byte_bounds(root)[0]
        offset, rest = divmod(arr.__array_interface__["data"][0] - low, item)
        if rest:
            return None
        strides = []
        for size, step, contiguous in zip(arr.shape, arr.strides, _contiguous_strides(arr.shape)):
            if size == 1:
                strides.append(contiguous)
            elif step < 0 or step % item:
                return None
            else:
                strides.append(step // item)
        return offset, tuple(strides)


class _Pickler(pickle.Pickler):
    """Writes ember tensors, devices and sizes through the torch placeholders (dtypes pickle by name)."""

    def __init__(self, file, storages, protocol):
        super().__init__(file, protocol=protocol)
        self._storages = storages
        self.written = set()       # the placeholders and dtypes written, for _torch_globals

    def persistent_id(self, obj):
        if type(obj) is not _Record:
            return None
        self.written.add(obj.pid[1])
        return obj.pid

    def reducer_override(self, obj):
        cls = obj.__class__
        if cls is dtypes.dtype:
            self.written.add(obj)
            return NotImplemented         # pickled by name: GLOBAL ember.dtypes <name>
        if cls is _device:
            self.written.add(_TORCH_DEVICE)
            return _TORCH_DEVICE, (str(obj),)
        if cls is Size:
            self.written.add(_TORCH_SIZE)
            return _TORCH_SIZE, (tuple(obj),)
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def _reduce_tensor(self, t):
        from ..nn.parameter import Parameter
        record, offset, stride = self._storages.locate(t)
        args = (record, offset, tuple(t._data.shape), stride, t._rg, collections.OrderedDict())
        # A user's attributes (t.note = ...); ember's own bookkeeping is underscored.
        state = {k: v for k, v in t.__dict__.items() if not k.startswith("_")}
        if isinstance(t, Parameter):
            plain = make_tensor(t._data, t._dtype)
            if state:
                self.written.add(_REBUILD_PARAMETER_STATE)
                return _REBUILD_PARAMETER_STATE, (plain, t._rg, collections.OrderedDict(), state)
            self.written.add(_REBUILD_PARAMETER)
            return _REBUILD_PARAMETER, (plain, t._rg, collections.OrderedDict())
        self.written.add(_REBUILD_TENSOR)
        if type(t) is Tensor and not state:
            return _REBUILD_TENSOR, args
        self.written.add(_REBUILD_FROM_TYPE)
        if type(t) is Tensor:
            self.written.add(_TORCH_TENSOR)
        return _REBUILD_FROM_TYPE, (_REBUILD_TENSOR, _TORCH_TENSOR if type(t) is Tensor else type(t), args, state)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path or a writable binary file) in PyTorch's checkpoint format.

    ``torch.load`` reads the file back (with its default ``weights_only=True`` when ``obj`` holds
    only tensors, containers, numbers and strings), and so does ``ember.load``.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember does not implement torch.save(_use_new_zipfile_serialization=False) "
                                  "yet: it writes the zip format only")
    if pickle_module is not pickle:
        raise NotImplementedError("ember does not implement torch.save(pickle_module=...) yet")
    if pickle_protocol not in (2, 3):
        raise ValueError(f"ember.save writes pickle protocol 2 (torch's default) or 3, not {pickle_protocol}: "
                         "PyTorch's weights_only loader reads those")
    storages = _Storages()
    buf = io.BytesIO()
    pickler = _Pickler(buf, storages, pickle_protocol)
    pickler.dump(obj)
    structure = _torch_globals(buf.getvalue(), len(pickler.written))
    with _open_for_writing(f) as (fh, prefix):
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
            write = _RecordWriter(zf, prefix)
            write("data.pkl", structure)
            write(".format_version", b"1")
            write(".storage_alignment", str(_ALIGNMENT).encode())
            if not _disable_byteorder_record:
                write("byteorder", sys.byteorder.encode())
            for record in storages.records:
                write(f"data/{record.key}", record.root.ravel(order="K").view(np.uint8))
            write("version", f"{_ARCHIVE_VERSION}\n".encode())
            write(".data/serialization_id", "".join(secrets.choice("0123456789") for _ in range(40)).encode())


class _RecordWriter:
    """Writes zip records whose bytes start on a 64-byte boundary (an "FB" padding extra field, as
    PyTorch's writer does), so storages can be memory-mapped in place."""

    def __init__(self, zf, prefix):
        self.zf, self.prefix = zf, prefix

    def __call__(self, name, data):
        info = zipfile.ZipInfo(f"{self.prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        size = memoryview(data).nbytes
        zip64_extra = 20 if size * 1.05 > zipfile.ZIP64_LIMIT else 0
        start = self.zf.fp.tell() + 30 + len(info.filename.encode("utf-8")) + zip64_extra
        pad = -(start + 4) % _ALIGNMENT
        info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
        self.zf.writestr(info, data)


@contextlib.contextmanager
def _open_for_writing(f):
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        prefix = os.path.splitext(os.path.basename(path))[0] or "archive"
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        with open(path, "wb") as fh:
            yield fh, prefix
    elif hasattr(f, "write"):
        yield f, "archive"
    else:
        raise TypeError(f"ember.save: f must be a path or a writable binary file, not {type(f).__name__}")
