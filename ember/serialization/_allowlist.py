"""What a checkpoint may build: the allow-list unpickler behind ``weights_only=True``, the rebuild
functions its torch names map to, and ``add_safe_globals`` for the user's own trusted classes."""
import _compat_pickle
import collections
import pickle

import numpy as np

from .. import dtypes
from ..devices import device as _device
from ..size import Size
from ..tensor import Tensor, make_tensor
from ._format import _STORAGE_DTYPES

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
    from ..nn.parameter import Parameter
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    from ..nn.parameter import Parameter
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
    from ..nn.parameter import Parameter
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


def _unpickle(file, name, persistent_load, weights_only, pickle_load_args):
    if weights_only:
        return _WeightsUnpickler(file, name, persistent_load).load()
    return _FullUnpickler(file, name, persistent_load, **{"encoding": "utf-8", **pickle_load_args}).load()
