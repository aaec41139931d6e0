"""Drop-in mode: ``import torch`` gives ember, so unmodified PyTorch scripts run on it.

``install()`` (what ``python -m ember.run SCRIPT`` calls first) puts a finder on
``sys.meta_path`` that answers every ``torch`` / ``torch.X.Y`` import with the ember
module ``ember`` / ``ember.X.Y``: ``torch.nn is ember.nn``, ``torch.Tensor is ember.Tensor``.

What ember lacks fails where the script uses it, with the name it asked for
("ember does not implement torch.X yet"), while imports of it still succeed, since a real
torch always has them and scripts import more than a given run uses:

- a missing public submodule (``import torch.fx``) gives a stand-in module;
- ``from torch.nn import Missing`` gives a stand-in class: calling, subclassing-then-calling
  or reading an attribute of it raises ``NotImplementedError``; ``isinstance(x, Missing)`` is False;
- a missing attribute read directly (``torch.nn.Missing``, or a Tensor method such as
  ``t.some_method()``) raises ``EmberNotImplementedError``, a ``NotImplementedError`` that is also
  an ``AttributeError``, so ``hasattr``/``getattr(..., default)`` feature checks see "absent";
- a missing private module (``import torch._dynamo``) raises ``EmberModuleNotImplementedError``,
  a ``ModuleNotFoundError`` (for ``try: import ... except ImportError`` checks).

This module also holds the small platform functions of the torch namespace
(``compile``, ``set_default_device``, the legacy ``FloatTensor``-style constructors …);
``ember/__init__`` exports them.
"""
import dis
import importlib
import importlib.abc
import importlib.machinery
import numbers
import os
import sys
import types
import warnings

__all__ = ["install", "uninstall", "is_installed", "EmberNotImplementedError", "EmberModuleNotImplementedError",
           "compile", "set_default_device", "get_default_device", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "FloatTensor", "DoubleTensor", "HalfTensor",
           "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",
           "set_deterministic_debug_mode", "get_deterministic_debug_mode", "set_warn_always",
           "is_warn_always_enabled", "set_flush_denormal", "set_anomaly_enabled"]


class EmberNotImplementedError(NotImplementedError, AttributeError):
    """A torch name ember does not implement (also an AttributeError, for hasattr-style checks)."""


class EmberModuleNotImplementedError(ModuleNotFoundError, NotImplementedError):
    """A torch module ember does not implement (also a ModuleNotFoundError, for try-import checks)."""


def _torch_name(ember_name):
    return "torch" + ember_name[len("ember"):]


# ---------------------------------------------------------------------- the torch -> ember finder
class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``torch[.X]`` to the already-imported ember module ``ember[.X]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        module = _ember_module(fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(module, "__path__"),
                                              loader_state=module)

    def create_module(self, spec):
        return spec.loader_state

    def exec_module(self, module):
        """The ember module is imported already: nothing to run."""


def _ember_module(torch_name):
    name = "ember" + torch_name[len("torch"):]      # every torch path ember has lives at the same path
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name is None or not name.startswith(e.name):   # a dependency inside ember is missing: say so
            raise
    else:
        _add_fallback(module, _torch_name(module.__name__))
        return module
    if any(part.startswith("_") for part in torch_name.split(".")):
        raise EmberModuleNotImplementedError(f"ember does not implement {torch_name} yet", name=torch_name)
    stand_in = types.ModuleType(torch_name, f"ember does not implement {torch_name} yet: a stand-in whose "
                                            "names fail when used")
    stand_in.__path__ = []          # so that its submodules import as stand-ins too
    stand_in._ember_stand_in = True
    _add_fallback(stand_in, torch_name)
    return stand_in


def _add_fallback(module, torch_name):
    """Give a module a ``__getattr__`` that imports ember submodules on first use (as
    ``torch.distributed`` is there after ``import torch``) and names what ember lacks."""
    own = module.__dict__.get("__getattr__")
    if getattr(own, "_ember_fallback", False):
        return

    def __getattr__(name):
        if own is not None:
            try:
                return own(name)
            except AttributeError:
                pass
        if name.startswith("_"):
            raise AttributeError(f"module '{torch_name}' has no attribute '{name}'")
        if getattr(module, "_ember_stand_in", False):
            return _stand_in(f"{torch_name}.{name}")     # a missing module has only missing names
        try:
            return importlib.import_module(f"{module.__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{module.__name__}.{name}":
                raise
        caller = sys._getframe(1)
        if caller.f_code.co_code[caller.f_lasti] == _IMPORT_FROM:
            return _stand_in(f"{torch_name}.{name}")      # `from torch.x import name`: fail when used
        raise EmberNotImplementedError(f"ember does not implement {torch_name}.{name} yet")

    __getattr__._ember_fallback = True
    module.__getattr__ = __getattr__


class _StandIn(type):
    """The type of stand-ins for torch names ember lacks: using one raises, naming it."""

    def __call__(cls, *args, **kwargs):
        raise NotImplementedError(f"ember does not implement {cls._torch_name} yet")

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(f"ember does not implement {cls._torch_name}.{name} yet")

    def __instancecheck__(cls, obj):
        return False

    def __subclasscheck__(cls, other):
        return other is cls

    def __repr__(cls):
        return f"<stand-in for {cls._torch_name}: ember does not implement it yet>"


def _stand_in(torch_name):
    return _StandIn(torch_name.rpartition(".")[2], (), {"_torch_name": torch_name, "__module__": "ember.compat"})


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]
_finder = _TorchFinder()


def install():
    """Make ``import torch`` (and every ``torch.*`` module) resolve to ember in this process."""
    loaded = sys.modules.get("torch")
    if loaded is not None and not loaded.__name__.startswith("ember") and not getattr(loaded, "_ember_shim", False):
        raise RuntimeError("ember.compat.install(): the real torch is imported already in this process; call "
                           "install() before anything imports torch (or run the script with python -m ember.run)")
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    import ember
    from .tensor import Tensor, attach
    _add_fallback(ember, "torch")
    if "__getattr__" not in Tensor.__dict__:
        attach(__getattr__=_tensor_getattr)
    _name_things("torch")
    _add_shim_to_path()
    sys.modules["torch"] = ember


# Processes started with multiprocessing's "spawn"/"forkserver" (DataLoader workers on macOS, or
# Python >= 3.14) rebuild sys.path from this one but not sys.meta_path: a ``torch`` package first on
# sys.path that installs drop-in mode lets their ``import torch`` give ember too.
_SHIM = "_ember_shim = True   # written by ember.compat.install(): import torch gives ember\n" \
        "import ember.compat\nember.compat.install()\n"
_shim_dir = []


def _add_shim_to_path():
    if not _shim_dir:
        import atexit
        import shutil
        import tempfile
        folder = tempfile.mkdtemp(prefix="ember-dropin-")
        atexit.register(shutil.rmtree, folder, True)
        os.mkdir(os.path.join(folder, "torch"))
        with open(os.path.join(folder, "torch", "__init__.py"), "w") as f:
            f.write(_SHIM)
        _shim_dir.append(folder)
    if _shim_dir[0] not in sys.path:
        sys.path.insert(0, _shim_dir[0])


def _name_things(prefix):
    """Print dtypes and sizes as ``<prefix>.float32`` / ``<prefix>.Size([2])``: in drop-in mode the script
    expects torch's names (``str(x.dtype) == "torch.float32"``), and tensor reprs follow."""
    from .dtypes import dtype
    from .size import Size
    dtype.__repr__ = lambda self: f"{prefix}.{self.name}"
    Size.__repr__ = Size.__str__ = lambda self: f"{prefix}.Size([{', '.join(str(s) for s in self)}])"


def _tensor_getattr(self, name):
    """Tensor attributes ember lacks, in drop-in mode (only reached when normal lookup fails)."""
    if name.startswith("_"):
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
    raise EmberNotImplementedError(f"ember does not implement torch.Tensor.{name} yet")


def uninstall():
    """Undo ``install()``: forget the torch aliases (ember stays imported)."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
        _name_things("ember")
    if _shim_dir and _shim_dir[0] in sys.path:
        sys.path.remove(_shim_dir[0])
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        module = sys.modules[name]
        if module.__name__.startswith("ember") or getattr(module, "_ember_stand_in", False):
            del sys.modules[name]


def is_installed():
    return _finder in sys.meta_path


# ---------------------------------------------------------------------- torch-namespace platform functions
_eager_noticed = set()


def warn_runs_eagerly(api, stacklevel=3):
    """One UserWarning per compiling API (``ember.compile``, ``ember.jit.script``...): ember has no compiler,
    so the model/function passes through unchanged."""
    if api not in _eager_noticed:
        _eager_noticed.add(api)
        warnings.warn(f"{api}: ember runs eagerly and has no compiler; the model/function is returned unchanged",
                      UserWarning, stacklevel=stacklevel)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """``torch.compile``: ember runs eagerly, so this returns ``model`` unchanged (it tells you once)."""
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    warn_runs_eagerly("ember.compile")
    return model


def set_default_device(device):
    """Only the CPU exists here: None/"cpu" are accepted, other devices raise as unavailable."""
    from .devices import to_device
    to_device(device)


def get_default_device():
    from .devices import CPU
    return CPU


_matmul_precision = ["highest"]


def set_float32_matmul_precision(precision):
    """Recorded only: NumPy's float32 matmul is always full precision ("highest")."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision():
    return _matmul_precision[0]


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: every ember kernel is deterministic already."""
    _deterministic.update(mode=bool(mode), warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled():
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0/"default": off; 1/"warn": deterministic algorithms, warn only; 2/"error": deterministic algorithms."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


_warn_always = [False]


def set_warn_always(b):
    """Recorded for is_warn_always_enabled(): ember's warnings follow Python's own filters."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


def set_flush_denormal(mode):
    """NumPy offers no control of denormal flushing: as PyTorch on a CPU without it, report False."""
    return False


def set_anomaly_enabled(enabled, check_nan=True):
    from .autograd.anomaly_mode import set_detect_anomaly
    set_detect_anomaly(enabled, check_nan)


# ---------------------------------------------------------------------- legacy typed constructors
class _LegacyTensorType(type):
    """``ember.LongTensor(3)`` / ``ember.FloatTensor([1, 2])`` build tensors of one dtype, and
    ``isinstance(t, ember.LongTensor)`` checks the dtype, as PyTorch's legacy types do."""

    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args, device=None):
        from .creation import empty, tensor
        from .devices import to_device
        from .size import Size
        from .tensor import Tensor
        to_device(device)
        if not args:
            return empty(0, dtype=cls.dtype)
        if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
            data = args[0]
            if isinstance(data, Tensor):
                if data.dtype is not cls.dtype:
                    raise TypeError(f"expected {cls.dtype} (got {data.dtype})")
                return data
            return tensor(data, dtype=cls.dtype)
        if not all(isinstance(a, numbers.Integral) for a in (args[0] if isinstance(args[0], Size) else args)):
            raise TypeError(f"{cls.__name__}(): sizes must be integers, got {args!r}")
        return empty(*args, dtype=cls.dtype)

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_type(name, dtype_name):
    from . import dtypes
    return _LegacyTensorType(name, (), {"dtype": getattr(dtypes, dtype_name), "__module__": "ember",
                                        "__doc__": f"Legacy constructor of {dtype_name} tensors (ember.{name})."})


FloatTensor = _legacy_type("FloatTensor", "float32")
DoubleTensor = _legacy_type("DoubleTensor", "float64")
HalfTensor = _legacy_type("HalfTensor", "float16")
BFloat16Tensor = _legacy_type("BFloat16Tensor", "bfloat16")
LongTensor = _legacy_type("LongTensor", "int64")
IntTensor = _legacy_type("IntTensor", "int32")
ShortTensor = _legacy_type("ShortTensor", "int16")
CharTensor = _legacy_type("CharTensor", "int8")
ByteTensor = _legacy_type("ByteTensor", "uint8")
BoolTensor = _legacy_type("BoolTensor", "bool")


# ---------------------------------------------------------------------- torch.version
version = types.ModuleType("ember.version", "Versions, as torch.version: no CUDA/HIP in this build.")
version.__version__ = sys.modules["ember"].__version__
version.cuda = None
version.hip = None
version.debug = False
version.git_version = "unknown"
sys.modules["ember.version"] = version
