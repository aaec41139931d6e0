"""NumPy's keyword names where PyTorch takes them: ``x.sum(axis=0, keepdims=True)``, ``torch.cat(ts, axis=1)``.

PyTorch's argument parser accepts ``axis`` for ``dim`` and ``keepdims`` for ``keepdim`` in every function and
Tensor method it binds from C++. ember's functions are plain Python, so ``install`` wraps the ones that take a
``dim`` or ``keepdim`` argument with a translation of those two keywords (a check of the keyword dict: calls
without keywords pass straight through).
"""
import functools
import types

_ALIASES = (("axis", "dim"), ("keepdims", "keepdim"))


def _translating(fn, accepted):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs:
            for alias, name in _ALIASES:
                if alias in kwargs and name in accepted:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument '{name}' "
                                        f"('{alias}' is its NumPy name)")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    call._numpy_aliases = True
    return call


def numpy_names(op, dim, keepdim, axis, keepdims):
    """(dim, keepdim) for a function that takes NumPy's ``axis``/``keepdims`` itself (``sum``: hot enough
    that a wrapper's call would show), with the wrapper's error when both names of one argument come."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}() got multiple values for argument 'dim' ('axis' is its NumPy name)")
        dim = axis
    if keepdims is not None:
        if keepdim is not False:
            raise TypeError(f"{op}() got multiple values for argument 'keepdim' ('keepdims' is its NumPy name)")
        keepdim = keepdims
    return dim, keepdim


def _wrapped(fn):
    if not isinstance(fn, types.FunctionType) or getattr(fn, "_numpy_aliases", False):
        return None
    code = fn.__code__                     # the parameter names, without inspect.signature's cost at import
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    accepted = {name for _, name in _ALIASES if name in params}
    if not accepted or any(alias in params for alias, _ in _ALIASES):
        return None
    return _translating(fn, accepted)


def install(namespace, cls):
    """Wrap the dim-taking functions of ``namespace`` (a module dict) and methods of ``cls`` in place."""
    for name, value in list(namespace.items()):
        if not name.startswith("_"):
            w = _wrapped(value)
            if w is not None:
                namespace[name] = w
    for name, value in list(vars(cls).items()):
        if not name.startswith("_"):
            w = _wrapped(value)
            if w is not None:
                setattr(cls, name, w)
