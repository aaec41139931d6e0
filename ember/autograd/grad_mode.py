"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flag is thread-local, as in PyTorch. Each mode is a context manager and a
decorator (also for generator functions)."""
import functools
import inspect
import threading
import warnings


class _GradState(threading.local):
    enabled = True
    inference = False


state = _GradState()
# Inference tensors, cheaply: how many inference_mode(True) blocks are open in any thread, and whether an
# inference tensor was ever made. Making a tensor, saving one for backward and writing one in place test
# these first, so a program that never enters inference_mode pays one list load there.
inference_open = [0]
inference_made = [False]
# torch.autograd.set_multithreading_enabled: PyTorch's engine may run CPU backward on worker threads;
# ember's engine runs on the calling thread, so the switch is only remembered (process-wide, as torch's).
_multithreading = {"enabled": True}


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


def is_multithreading_enabled():
    return _multithreading["enabled"]


class _Mode:
    """Base of the grad-mode context managers: subclasses set ``_target``."""

    _target = None

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._target

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def clone(self):
        return self.__class__()

    def __call__(self, fn):
        if inspect.isclass(fn):
            # torch still accepts it (deprecated): calls of the result build the class inside the mode
            warnings.warn("Decorating classes is deprecated and will be disabled in future versions. You should "
                          "only decorate functions or methods. To preserve the current behavior of class "
                          "decoration, you can directly decorate the `__init__` method and nothing else.",
                          FutureWarning, stacklevel=2)
            cls = fn
            fn = lambda *args, **kwargs: cls(*args, **kwargs)  # noqa: E731
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                # the mode holds while the generator runs, not while its caller does (between yields),
                # also when the caller throws into it or closes it
                gen = fn(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with self.clone():
                                response = gen.throw(exc)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper


class _NoParamMode(_Mode):
    """A mode that may also decorate without parentheses: ``@ember.no_grad``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):
    """Ops inside record no graph: results never require grad."""
    _target = False


class enable_grad(_NoParamMode):
    """Turns recording back on inside a no_grad region."""
    _target = True


class set_grad_enabled(_Mode):
    """set_grad_enabled(mode): takes effect at once, and works as a context manager too."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self._target = mode
        self._prev = state.enabled
        state.enabled = self._target

    def __enter__(self):
        state.enabled = self._target

    def __call__(self, fn):
        state.enabled = self._prev          # used as a decorator: the mode applies inside calls only
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self._target)


class inference_mode(_Mode):
    """Like no_grad, and tensors made inside are inference tensors (``is_inference()``): outside the mode
    they may not be saved for backward, written in place or set to require grad, as in PyTorch."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)             # bare @inference_mode
        return super().__new__(cls)

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return
        self.mode = bool(mode)
        self._target = not self.mode

    def __enter__(self):
        self._prev, self._prev_inf = state.enabled, state.inference
        state.enabled = self._target if self.mode else state.enabled
        state.inference = self.mode
        inference_open[0] += self.mode

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev, self._prev_inf
        inference_open[0] -= self.mode
        return False

    def clone(self):
        return inference_mode(self.mode)


class set_multithreading_enabled(_Mode):
    """set_multithreading_enabled(mode): takes effect at once, and works as a context manager and decorator."""

    def __init__(self, mode):
        self._target = bool(mode)
        self._prev = _multithreading["enabled"]
        _multithreading["enabled"] = self._target

    def __enter__(self):
        _multithreading["enabled"] = self._target

    def __exit__(self, *exc):
        _multithreading["enabled"] = self._prev
        return False

    def __call__(self, fn):
        _multithreading["enabled"] = self._prev      # as a decorator: the setting applies inside calls only
        return super().__call__(fn)

    def clone(self):
        return set_multithreading_enabled(self._target)
