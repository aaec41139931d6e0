"""ember.utils.data and torch.utils.data side by side: batches as comparable pictures, errors by class."""
import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata

LIBS = ((ember, edata), (torch, tdata))


def same_error(build):
    """``build(lib, data_module)`` raises for (ember, ember.utils.data) and for (torch,
    torch.utils.data), with the same exception class; returns ember's exception."""
    errors = []
    for lib, module in LIBS:
        with pytest.raises(Exception) as info:
            build(lib, module)
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1]), errors
    return errors[0]


def structure(obj):
    """A library-neutral picture of a batch: tensors become (dtype name, shape, values),
    containers keep their type name; so ember's and torch's batches compare with ==."""
    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return ("dict", {k: structure(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, tuple(structure(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [structure(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ("ndarray", obj.dtype.str, obj.shape, obj.tolist())
    return obj
