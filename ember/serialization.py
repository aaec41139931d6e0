"""ember.save / ember.load in PyTorch's own checkpoint format, and safetensors files.

A checkpoint is an uncompressed zip archive, as ``torch.save`` writes it::

    <name>/data.pkl                the object structure (pickle protocol 2)
    <name>/.format_version         "1"  (storages numbered in order)
    <name>/.storage_alignment      "64" (each record's bytes start on a 64-byte boundary)
    <name>/byteorder               "little" or "big"
    <name>/data/0, data/1, ...     the raw bytes of one storage each
    <name>/version                 "3"  (the archive format)
    <name>/.data/serialization_id  40 digits

In data.pkl a tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, OrderedDict())`` and its storage a persistent id ``('storage', torch.FloatStorage,
'0', 'cpu', numel)``. ember writes those names as text (torch is never imported) and maps them back
to ember on loading. Tensors that view one NumPy buffer are saved against one storage, so views
stay views (same offset and strides) after a round trip, in torch and in ember.

Loading is safe by default (``weights_only=True``): the structure is read by an allow-list
unpickler that builds tensors, containers, numbers, strings, dtypes, devices, sizes and numeric
NumPy arrays, and refuses any other global with a ``pickle.UnpicklingError`` naming it. Nothing
from the file is ever called. ``add_safe_globals`` / ``safe_globals`` extend the list for trusted
classes; ``weights_only=False`` is plain pickle, for files you trust.
"""
import _compat_pickle
import collections
import contextlib
import io
import mmap as _mmap
import os
import pickle
import pickletools
import re
import secrets
import struct
import sys
import zipfile
import zlib

import numpy as np

from . import dtypes
from .devices import device as _device, to_device
from .size import Size
from .tensor import Tensor, _contiguous_strides, make_tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint", "save_file", "load_file", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_ARCHIVE_VERSION = 3        # what torch.save writes in <name>/version
_MAX_ARCHIVE_VERSION = 10   # the newest archive format PyTorch's reader accepts

_STORAGE_NAMES = {
    dtypes.float32: "FloatStorage", dtypes.float64: "DoubleStorage", dtypes.float16: "HalfStorage",
    dtypes.bfloat16: "BFloat16Storage", dtypes.int64: "LongStorage", dtypes.int32: "IntStorage",
    dtypes.int16: "ShortStorage", dtypes.int8: "CharStorage", dtypes.uint8: "ByteStorage",
    dtypes.bool: "BoolStorage", dtypes.complex64: "ComplexFloatStorage", dtypes.complex128: "ComplexDoubleStorage",
}
_STORAGE_DTYPES = {name: dt for dt, name in _STORAGE_NAMES.items()}


# ====================================================================== saving
# PyTorch's names are written without importing torch: the C pickler writes placeholders that
# live here (GLOBAL "ember.serialization _torch__<module>__<name>", and ember dtypes as their own
# GLOBAL "ember.dtypes <name>"), and _torch_globals() then rewrites those opcodes to torch's names.
_TORCH_NAMES = {}     # "ember.serialization <placeholder>" -> "<torch module> <name>"


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
_PLACEHOLDER_BYTES = re.compile(rb"cember\.(?:serialization\n_torch__|dtypes\n)")


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
        from .nn.parameter import Parameter
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


# ====================================================================== the allow-list
_user_globals = {}       # "module.qualname" -> object, from add_safe_globals


def _global_name(obj):
    if isinstance(obj, tuple):
        obj, name = obj
        return name, obj
    return f"{obj.__module__}.{obj.__qualname__}", obj


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in ``weights_only`` loads."""
    for g in safe_globals:
        name, obj = _global_name(g)
        _user_globals[name] = obj


def get_safe_globals():
    """The globals added with ``add_safe_globals``."""
    return list(_user_globals.values())


def clear_safe_globals():
    _user_globals.clear()


class safe_globals:
    """``with ember.serialization.safe_globals([MyClass]): ember.load(...)``: allowed inside the block only."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = dict(_user_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_globals.clear()
        _user_globals.update(self._saved)
        return False


def _user_allowed(full_name):
    obj = _user_globals.get(full_name)
    if obj is None and full_name.startswith("torch."):   # a torch file naming a class ember provides
        obj = _user_globals.get("ember." + full_name[6:])
    return obj


# ---------------------------------------------------------------------- what a checkpoint may build
class _Storage:
    """A loaded storage: a flat NumPy array of one dtype (what torch's TypedStorage holds)."""

    __slots__ = ("array", "dtype", "file")

    def __init__(self, array, dtype, file):
        self.array, self.dtype, self.file = array, dtype, file

    device = _device("cpu")

    def size(self):
        return self.array.size

    def nbytes(self):
        return self.array.nbytes

    def cpu(self):
        return self


def _rebuild_tensor(storage, storage_offset, size, stride):
    if type(storage) is not _Storage:
        raise pickle.UnpicklingError(f"a tensor's storage must be a storage record, not {type(storage).__name__}")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    offset = _ints((storage_offset,), "storage offset")[0]
    if len(size) != len(stride):
        raise pickle.UnpicklingError(f"tensor size {list(size)} and stride {list(stride)} differ in length")
    item = storage.dtype.itemsize
    if 0 in size:
        return make_tensor(np.empty(size, storage.dtype.np), storage.dtype)
    end = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if end > storage.array.size:
        raise RuntimeError(f"ember.load: '{storage.file}' is corrupt: a tensor of size {list(size)}, stride "
                           f"{list(stride)} and offset {offset} needs {end} elements but its storage holds "
                           f"{storage.array.size}")
    view = np.ndarray(size, storage.dtype.np, buffer=storage.array, offset=offset * item,
                      strides=tuple(s * item for s in stride))
    return make_tensor(view, storage.dtype)


def _ints(values, what):
    if not isinstance(values, (tuple, list)) or not all(type(v) is int and v >= 0 for v in values):
        raise pickle.UnpicklingError(f"a tensor's {what} must be non-negative integers, got {values!r}")
    return tuple(values)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if metadata:   # torch records the lazy conj/neg bits here; ember has no lazy bits
        raise NotImplementedError(f"ember does not implement tensors with metadata {metadata!r} yet "
                                  f"(in '{storage.file}'): resolve them in torch first, e.g. t.resolve_conj()")
    t.requires_grad_(bool(requires_grad))
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    from .nn.parameter import Parameter
    if func not in (_rebuild_tensor_v2, _rebuild_parameter):
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2 may only rebuild tensors, not call {func!r}")
    t = func(*args)
    if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2 may only rebuild Tensor subclasses, not {new_type!r}")
    if new_type is Parameter and type(t) is not Parameter:
        t = Parameter(t, t._rg)
    elif type(t) is not new_type:
        t.__class__ = new_type        # a user's Tensor subclass (allowed with add_safe_globals)
    return _set_state(t, state)


def _set_state(obj, state):
    if state is None:
        return obj
    if isinstance(state, tuple) and len(state) == 2:
        state = {**(state[0] or {}), **(state[1] or {})}
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise pickle.UnpicklingError(f"a tensor's state must be a dict of attributes, got {type(state).__name__}")
    if any(k.startswith("_") or hasattr(Tensor, k) for k in state):
        raise pickle.UnpicklingError(f"a tensor's state may not set ember's own attributes {sorted(state)}")
    obj.__dict__.update(state)
    return obj


def _encode(text, encoding="latin1"):
    """``_codecs.encode``: how protocol 2 stores bytes (a latin-1 string)."""
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode may only turn a string into latin-1 bytes")
    return text.encode("latin1")


def _numeric_dtype(d):
    d = np.dtype(d)
    if d.kind not in "biufc" or d.fields is not None or d.subdtype is not None:
        raise pickle.UnpicklingError(f"only numeric NumPy arrays load with weights_only=True, not dtype {d}")
    return d


def _np_dtype(spec, align=False, copy=True):
    if not isinstance(spec, str):
        raise pickle.UnpicklingError(f"numpy.dtype({spec!r}) is not a numeric dtype name")
    return _numeric_dtype(spec)


def _np_reconstruct(subtype, shape, typecode):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"only plain numpy.ndarray loads with weights_only=True, not {subtype}")
    return np.ndarray.__new__(np.ndarray, (0,), "b")


def _np_scalar(dt, data):
    dt = _numeric_dtype(dt)
    if type(data) is not bytes or len(data) != dt.itemsize:
        raise pickle.UnpicklingError(f"a NumPy {dt} scalar needs {dt.itemsize} bytes")
    return np.frombuffer(data, dt)[0]


def _allowed_globals():
    from .nn.parameter import Parameter
    allowed = {
        "collections.OrderedDict": collections.OrderedDict, "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.frozenset": frozenset, "builtins.bytearray": bytearray,
        "builtins.complex": complex, "_codecs.encode": _encode,
        "torch._utils._rebuild_tensor": _rebuild_tensor, "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": Tensor, "torch.nn.parameter.Parameter": Parameter,
        "torch.device": _device, "torch.Size": Size,
    }
    for dt in dtypes.ALL:
        allowed[f"torch.{dt.name}"] = dt
    for name in _STORAGE_DTYPES:
        allowed[f"torch.{name}"] = name   # a storage type is its name: persistent_load reads it
    for np_module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[f"{np_module}._reconstruct"] = _np_reconstruct
        allowed[f"{np_module}.scalar"] = _np_scalar
    allowed["numpy.ndarray"] = np.ndarray
    allowed["numpy.dtype"] = _np_dtype
    return allowed


_NOT_CALLABLE = (np.ndarray, Tensor)   # allowed as arguments (a type to rebuild), never called


_ALLOWED = {}


def _allowed():
    if not _ALLOWED:
        _ALLOWED.update(_allowed_globals())
    return _ALLOWED


def _refuse(opcode):
    def refuse(self):
        raise pickle.UnpicklingError(f"Weights only load failed: '{self._name}' uses the pickle opcode {opcode}, "
                                     "which weights_only loading does not allow")
    return refuse


class _WeightsUnpickler(pickle._Unpickler):
    """pickle's own unpickler with every opcode that can reach code restricted to the allow-list."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, name, persistent_load):
        super().__init__(file, encoding="utf-8")
        self._name = name
        self.persistent_load = persistent_load
        self._callables = {id(v) for v in (*_allowed().values(), *_user_globals.values())
                           if callable(v) and v not in _NOT_CALLABLE}

    def find_class(self, module, name):
        if (module, name) in _compat_pickle.NAME_MAPPING:    # protocol 2 writes Python 2's names
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        obj = _allowed().get(full)
        if obj is None:
            obj = _user_allowed(full)
        if obj is not None:
            return obj
        if module.startswith("torch") and (name.startswith("_rebuild") or name.endswith("Storage")
                                           or module == "torch" and name[:1].islower()):
            raise NotImplementedError(f"ember does not implement {full} yet: '{self._name}' holds a PyTorch "
                                      f"object (a tensor kind, storage or dtype) that ember cannot represent")
        raise pickle.UnpicklingError(
            f"Weights only load failed: '{self._name}' asks for the global {full}, which is not on ember's "
            f"allow-list (tensors, containers, numbers, strings, dtypes, numeric NumPy arrays). Nothing was "
            f"loaded. If you trust this file, allow it with ember.serialization.add_safe_globals([{full}]) "
            f"or load it with ember.load(..., weights_only=False), which can run code from the file.")

    def _check_callable(self, func, what):
        if id(func) not in self._callables:
            raise pickle.UnpicklingError(f"Weights only load failed: '{self._name}' tries to {what} {func!r}, "
                                         "which is not on ember's allow-list")

    def load_reduce(self):
        self._check_callable(self.stack[-2], "call")
        super().load_reduce()

    def load_newobj(self):
        self._check_callable(self.stack[-2], "create")
        super().load_newobj()

    def load_newobj_ex(self):
        self._check_callable(self.stack[-3], "create")
        super().load_newobj_ex()

    def load_build(self):
        state, inst = self.stack[-1], self.stack[-2]
        if type(inst) is collections.OrderedDict and isinstance(state, dict):
            self.stack.pop()
            inst.__dict__.update(state)          # a state_dict's _metadata
        elif isinstance(inst, np.dtype):
            if not (isinstance(state, tuple) and len(state) == 8 and state[2:5] == (None, None, None)):
                raise pickle.UnpicklingError(f"'{self._name}': unsupported NumPy dtype state {state!r}")
            super().load_build()
        elif type(inst) is np.ndarray:
            if not (isinstance(state, tuple) and len(state) == 5 and isinstance(state[2], np.dtype)
                    and type(state[4]) is bytes):
                raise pickle.UnpicklingError(f"'{self._name}': only numeric NumPy arrays load with weights_only")
            _numeric_dtype(state[2])
            super().load_build()
        elif id(type(inst)) in self._callables and type(inst).__module__ not in ("builtins", "collections"):
            super().load_build()                 # a class the user allowed
        else:
            raise pickle.UnpicklingError(f"Weights only load failed: '{self._name}' tries to set the state of a "
                                         f"{type(inst).__name__}, which is not on ember's allow-list")

    for _op in ("INST", "OBJ", "EXT1", "EXT2", "EXT4", "PERSID"):   # never needed by a checkpoint
        dispatch[getattr(pickle, _op)[0]] = _refuse(_op)
    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.BUILD[0]] = load_build
    del _op


class _FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: ordinary pickle, with torch's names read as ember's."""

    def __init__(self, file, name, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._name = name
        self.persistent_load = persistent_load

    def find_class(self, module, name):
        if not module.startswith("torch"):
            return super().find_class(module, name)
        full = f"{module}.{name}"
        if full in _allowed():
            return _allowed()[full]
        import importlib
        try:
            target = importlib.import_module("ember" + module[5:])
            for part in name.split("."):
                target = getattr(target, part)
            return target
        except (ImportError, AttributeError):
            raise NotImplementedError(f"ember does not implement {full} yet (needed by '{self._name}')") from None


# ====================================================================== loading
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


def _unpickle(file, name, persistent_load, weights_only, pickle_load_args):
    if weights_only:
        return _WeightsUnpickler(file, name, persistent_load).load()
    return _FullUnpickler(file, name, persistent_load, **{"encoding": "utf-8", **pickle_load_args}).load()


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


# ====================================================================== safetensors
def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("ember.serialization's safetensors helpers need the safetensors package: "
                          "pip install 'ember[safetensors]'") from None
    return safetensors.numpy


def save_file(tensors, filename, metadata=None):
    """Write a dict {name: Tensor} to a .safetensors file (as safetensors.torch.save_file does)."""
    st = _safetensors_numpy()
    arrays = {}
    for key, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"save_file: tensors[{key!r}] is a {type(t).__name__}, not a Tensor")
        arrays[key] = np.ascontiguousarray(t.detach()._data)
    st.save_file(arrays, filename, metadata=metadata)


def load_file(filename, device="cpu"):
    """Read a .safetensors file into a dict {name: Tensor} (as safetensors.torch.load_file does)."""
    to_device(device)
    st = _safetensors_numpy()
    return {key: make_tensor(np.array(arr), dtypes.from_numpy_dtype(arr.dtype))
            for key, arr in st.load_file(filename).items()}
