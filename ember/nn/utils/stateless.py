"""nn.utils.stateless.functional_call (torch.nn.utils.stateless; ``ember.func.functional_call`` is the current
form): call a module with some of its parameters and buffers replaced by given tensors, for this call only.

The given tensors go straight into the owning submodule's ``_parameters`` / ``_buffers`` entries (they need not
be Parameters, so they may carry a graph: gradients then flow to whatever made them), and the originals are put
back afterwards, even when the call raises.
"""
import warnings
from contextlib import contextmanager

from ...tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()    # "no such attribute": swapping it in deletes, swapping it back out restores absence


def _swap_tensor(module, name, tensor):
    """Put ``tensor`` at ``module.<name>`` and return what was there."""
    for store in (module._parameters, module._buffers):
        if name in store:
            orig = store[name]
            if tensor is _MISSING:
                del store[name]
            else:
                store[name] = tensor
            return orig
    orig = getattr(module, name, _MISSING)
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif orig is not _MISSING:
        delattr(module, name)
    return orig


def _swap_all(module, named):
    """Swap every ``dotted.name -> tensor``; returns the originals (undoing the done part if one fails)."""
    origs = {}
    try:
        for name, tensor in named.items():
            if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
                raise TypeError(f"{tensor} is not an instance of torch.Tensor")
            prefix, _, attr = name.rpartition(".")
            origs[name] = _swap_tensor(module.get_submodule(prefix), attr, tensor)
    except Exception:
        _swap_all(module, origs)
        raise
    return origs


def _named_tensors(module):
    return {**dict(module.named_parameters(remove_duplicate=False)),
            **dict(module.named_buffers(remove_duplicate=False))}


def _untie(module, given):
    """With tied weights (one tensor under several names), a value given for one name replaces all of them."""
    names_of = {}
    for name, t in _named_tensors(module).items():
        names_of.setdefault(id(t), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    untied = dict(given)
    for name in given:
        if name not in tied:
            continue
        values = {id(given[n]) for n in tied[name] if n in given}
        if len(values) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(tied[name])}, which are tied. "
                             f"Consider using tie_weights=False")
        for other in tied[name]:
            untied[other] = given[name]
    return untied


@contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    named = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        valid, keys = set(_named_tensors(module)), set(named)
        errors = []
        if keys - valid:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, sorted(keys - valid)))}.")
        if valid - keys:
            errors.append(f"Missing key(s): {', '.join(map(repr, sorted(valid - keys)))}.")
        if errors:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                                 "\n\t".join(errors)))
    origs = {}
    try:
        origs = _swap_all(module, named)
        yield
    finally:
        # what the call left in the slots (a module may reassign a buffer) goes back to the caller's dict
        used = _swap_all(module, origs)
        parameters_and_buffers.update({k: used[k] for k in parameters_and_buffers if k in used})


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named parameters/buffers replaced for the call (deprecated in torch
    in favour of ``torch.func.functional_call``, as here)."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
