"""Collation, as torch.utils.data._utils.collate: a list of samples becomes one batch.

``default_collate`` stacks tensors and NumPy arrays along a new first dimension, turns
Python numbers into tensors (float -> float64, int -> int64), keeps strings as lists,
and recurses into dicts, named tuples, tuples and lists (tuples come back as lists, as
in torch). ``collate(batch, collate_fn_map=...)`` is the same walk with a table of
per-type functions that users can extend.
"""
import collections.abc
import copy
import re

import numpy as np

from .... import dtypes
from ....creation import as_tensor, tensor
from ....ops.joining import stack
from ....tensor import Tensor

np_str_obj_array_pattern = re.compile(r"[SaUO]")   # NumPy dtype codes that cannot become tensors

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                                  "found {}")


def _rebuild(elem, values):
    """A container like ``elem`` (same type where that type can be rebuilt) holding ``values``."""
    elem_type = type(elem)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(values)
                return clone
            return elem_type(values)
        except TypeError:
            return dict(values)
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            clone[:] = values
            return clone
        return elem_type(values)
    except TypeError:
        return list(values)


def default_convert(data):
    """Turn NumPy arrays and scalars inside ``data`` into tensors, leaving everything else
    as it is (the collate function of a DataLoader with ``batch_size=None``)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):   # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples of one structure) by walking the structure of
    ``batch[0]``; leaves go to the function ``collate_fn_map`` gives for their type."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        for i, d in enumerate(batch):
            missing = [k for k in elem if k not in d]
            if missing:
                raise KeyError(f"default_collate: item {i} of the batch lacks key(s) {missing} that item 0 has")
        return _rebuild(elem, {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return elem_type(*(collate(list(s), collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for i, e in enumerate(batch):
            if len(e) != size:
                raise RuntimeError(f"each element in list of batch should be of equal size: item {i} of the batch "
                                   f"has {len(e)} elements, item 0 has {size}")
        columns = [collate(list(s), collate_fn_map=collate_fn_map) for s in zip(*batch)]
        return columns if isinstance(elem, tuple) else _rebuild(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _check_same_shape(batch, what):
    shape = batch[0].shape
    for i, b in enumerate(batch):
        if b.shape != shape:
            raise RuntimeError(
                f"default_collate: cannot stack {what} of different shapes: item {i} of the batch has shape "
                f"{list(b.shape)} but item 0 has {list(shape)}. Make every sample the same shape (pad or crop "
                f"in the dataset) or pass a collate_fn that pads.")


def collate_tensor_fn(batch, *, collate_fn_map=None):
    _check_same_shape(batch, "tensors")
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(np.asarray(batch))     # NumPy scalars keep their dtype (np.int16 -> int16)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=dtypes.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch (see the module docstring for the rules).

    >>> default_collate([(0, 1.5), (2, 3.5)])
    [tensor([0, 2]), tensor([1.5000, 3.5000], dtype=ember.float64)]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
