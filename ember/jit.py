"""ember.jit (torch.jit): ember has no TorchScript, so the compiling entry points hand back what they are given
(``script``/``trace`` warn once that ember runs eagerly, as ``ember.compile`` does) and the annotations and
decorators TorchScript code is sprinkled with are identities. ``fork`` runs its function at once; ``wait``
gives the result. Saving and loading TorchScript archives is not possible and says so."""
import typing

from .compat import warn_runs_eagerly

__all__ = ["script", "trace", "trace_module", "ignore", "unused", "export", "is_scripting", "is_tracing", "Final",
           "annotate", "fork", "wait", "Future", "save", "load", "interface", "script_if_tracing", "Attribute",
           "freeze", "optimize_for_inference", "ScriptModule", "ScriptFunction", "Error"]

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    warn_runs_eagerly("ember.jit.script")
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    warn_runs_eagerly("ember.jit.trace")
    return func


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
                 strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg=False, _store_inputs=True):
    warn_runs_eagerly("ember.jit.trace_module")
    return mod


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def ignore(drop=False, **kwargs):
    """``@ignore`` and ``@ignore(drop=...)`` both leave the function as it is."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def script_if_tracing(fn):
    return fn


def is_scripting():
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def Attribute(value, type=None):    # noqa: N802  (torch's name)
    return value


class Future:
    """A finished future: ``fork`` has already run the function."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True

    def then(self, callback):
        return Future(callback(self))


def fork(func, *args, **kwargs):
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


def _no_torchscript(api):
    raise NotImplementedError(f"ember.jit.{api}: ember has no TorchScript, so it cannot {api} TorchScript "
                              f"archives; use ember.save/ember.load on the model's state_dict instead")


def save(m, f, _extra_files=None):
    _no_torchscript("save")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    _no_torchscript("load")


class ScriptModule:
    """Only for ``isinstance`` checks: nothing ember makes is a ScriptModule."""


class ScriptFunction:
    """Only for ``isinstance`` checks: nothing ember makes is a ScriptFunction."""


class Error(RuntimeError):
    pass
