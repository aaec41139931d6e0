"""Batches of ember and torch side by side."""
import numpy as np
import torch

import ember


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
