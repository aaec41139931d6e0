"""``ember.testing.make_tensor``: a random tensor for tests, with torch.testing's defaults and checks.

Values are uniform in ``[low, high)`` (integers: ``randint(ceil(low), ceil(high))``); the defaults per dtype
are torch's (bool [0, 2), unsigned [0, 10), signed [-9, 10), floating and complex [-9, 9)), bounds outside the
dtype's finite range are clamped to it, and the same requests raise the same errors.
"""
import collections.abc
import functools
import math
import warnings

__all__ = ["make_tensor"]


def _modify_low_high(dtype, low, high, lowest, highest, default_low, default_high, integral):
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and not integral:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=4)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} only "
                         f"supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    # integers: ceil both (randint's upper bound is exclusive), so no value falls below low
    return (math.ceil(low), math.ceil(high)) if integral else (low, high)


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    import ember
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    integral = not (dtype.is_floating_point or dtype.is_complex)
    if requires_grad and integral:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and functools.reduce(lambda a, b: a * b, shape, 1) > 1
    if noncontiguous:       # twice the last dimension, then every other element: a strided view
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is ember.bool:
        low, high = _modify_low_high(dtype, low, high, 0, 2, 0, 2, True)
        result = ember.randint(low, high, shape, dtype=dtype, device=device)
    elif integral:
        info = ember.iinfo(dtype)
        # randint cannot draw int64's maximum (its bounds go through int64), as torch's cannot
        low, high = _modify_low_high(dtype, low, high, info.min, info.max + (dtype is not ember.int64),
                                     -9, 10, True)
        result = ember.randint(low, high, shape, dtype=dtype, device=device)
    else:
        info = ember.finfo(dtype)
        low, high = _modify_low_high(dtype, low, high, info.min, info.max, -9, 9, False)
        result = ember.empty(shape, dtype=dtype, device=device)
        target = ember.view_as_real(result) if dtype.is_complex else result
        if high - low >= info.max:          # the width itself would overflow: draw half-width and double
            target.uniform_(low / 2, high / 2).mul_(2)
        else:
            target.uniform_(low, high)
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if integral else ember.finfo(dtype).tiny
    if not integral:
        result.requires_grad = requires_grad
    return result
