"""Tensor printing: ``repr(tensor)`` in PyTorch's exact format.

A port of the behaviour of ``torch/_tensor_str.py``: one formatter per tensor
(per real/imaginary part for complex tensors) picks integer mode (``1.``),
fixed point (``1.2346``) or scientific notation (``1.2346e+05``) from the
nonzero finite values, pads every element to a common width, wraps rows at
``linewidth``, summarises with ``...`` above ``threshold`` elements, and adds
the suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=True``).

Everything runs on NumPy arrays (float16/bfloat16 are formatted through
float32, which holds their values exactly); the width scan is vectorised, so
printing a large tensor costs only the elements actually shown.
"""
import contextlib
import dataclasses
import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr", "tensor_str"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set options for printing (as ``torch.set_printoptions``).

    precision: digits after the point (default 4); threshold: element count above
    which tensors are summarised (default 1000); edgeitems: items shown at each end
    of a summarised dimension (default 3); linewidth: characters per line (default
    80); profile: "default", "short" or "full", applied first; sci_mode: True/False
    forces scientific notation on/off, None (the default, and what any call without
    it restores) lets the formatter choose.
    """
    if profile is not None:
        # PyTorch ignores an unknown profile name silently.
        for key, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, key, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict, usable as ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (arguments as ``set_printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------- arrays
def _host(data):
    """The tensor's data as a NumPy array whose values format as PyTorch's do."""
    if not isinstance(data, np.ndarray):
        data = data.get() if hasattr(data, "get") else np.asarray(data)   # e.g. a CuPy array
    if data.dtype.kind == "V" or data.dtype.name == "bfloat16" or data.dtype == np.float16:
        return data.astype(np.float32)     # exact: float32 holds every half/bfloat16 value
    return data


def _summarized(arr):
    """The values the formatter sees when summarising (PyTorch's get_summarized_data)."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        n = arr.shape[0]
        # arr[-0:] is the whole array, so edgeitems=0 keeps every value here, as in PyTorch.
        return np.concatenate((arr[:e], arr[-e:])) if n > 2 * e else arr
    if not e:
        return arr[(slice(0, 0),) * arr.ndim]
    n = arr.shape[0]
    rows = list(range(e)) + list(range(n - e, n)) if n > 2 * e else range(n)
    return np.stack([_summarized(arr[i]) for i in rows])


# --------------------------------------------------------------------------- formatter
class _Formatter:
    """Chooses the notation and the common width of one real array's elements."""

    __slots__ = ("floating_dtype", "int_mode", "sci_mode", "max_width")

    def __init__(self, arr):
        self.floating_dtype = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        vals = arr.reshape(-1)
        if not self.floating_dtype:
            if vals.size:
                if vals.dtype.kind == "b":
                    widths = [len(str(bool(v))) for v in np.unique(vals)]
                else:
                    widths = [len(str(vals.max().item())), len(str(vals.min().item()))]
                self.max_width = max(self.max_width, *widths)
            return

        nonzero_finite = vals[np.isfinite(vals) & (vals != 0)]
        if nonzero_finite.size == 0:
            return          # no valid number: int mode, width 1
        absolute = np.abs(nonzero_finite.astype(np.float64))
        nz_min = absolute.min()
        nz_max = absolute.max()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):     # 1e300 / 1e-300 is inf, as in PyTorch
                ratio = nz_max / nz_min
            self.sci_mode = bool(ratio > 1000.0 or nz_max > 1.0e8 or nz_min < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # The printed width only grows with |value| within one sign (and, in scientific
        # notation, with the exponent's size, largest at either end), so the widest
        # element is one of: the largest, the smallest, the smallest positive and the
        # largest negative value.
        candidates = [nonzero_finite.max(), nonzero_finite.min()]
        positive = nonzero_finite[nonzero_finite > 0]
        if positive.size:
            candidates.append(positive.min())
        negative = nonzero_finite[nonzero_finite < 0]
        if negative.size:
            candidates.append(negative.max())
        candidates = [float(c) for c in candidates]
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{{:.{p}e}}".format(v)) for v in candidates]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in candidates]   # + 1 for the trailing "."
        else:
            widths = [len(f"{{:.{p}f}}".format(v)) for v in candidates]
        self.max_width = max(self.max_width, *widths)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(value, formatter1, formatter2):
    real_str = formatter1.format(value.real)
    imag_str = (formatter2.format(value.imag) + "j").lstrip()
    if imag_str[0] == "+" or imag_str[0] == "-":      # negative numbers, +0.0, -0.0
        return real_str + imag_str
    return real_str + "+" + imag_str


def _vector_str(arr, indent, summarize, formatter1, formatter2=None):
    element_length = formatter1.width() + 2          # the element, a comma and a space
    if formatter2 is not None:
        element_length += formatter2.width() + 1     # the imaginary part and its "j"
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    if formatter2 is not None:
        def fmt(values):
            return [_complex_str(v, formatter1, formatter2) for v in values]
    else:
        fmt1 = formatter1.format

        def fmt(values):
            return [fmt1(v) for v in values]

    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = fmt(arr[:e].tolist()) + [" ..."] + fmt(arr[-e:].tolist())
    else:
        data = fmt(arr.tolist())

    lines = [", ".join(data[i:i + elements_per_line]) for i in range(0, len(data), elements_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(arr, indent, summarize, formatter1, formatter2=None):
    dim = arr.ndim
    if dim == 0:
        value = arr.item()
        if formatter2 is not None:
            return _complex_str(value, formatter1, formatter2)
        return formatter1.format(value)
    if dim == 1:
        return _vector_str(arr, indent, summarize, formatter1, formatter2)

    n = arr.shape[0]
    e = PRINT_OPTS.edgeitems
    if summarize and n > 2 * e:
        slices = ([_tensor_str_with_formatter(arr[i], indent + 1, summarize, formatter1, formatter2)
                   for i in range(e)]
                  + ["..."]
                  + [_tensor_str_with_formatter(arr[i], indent + 1, summarize, formatter1, formatter2)
                     for i in range(n - e, n)])
    else:
        slices = [_tensor_str_with_formatter(arr[i], indent + 1, summarize, formatter1, formatter2)
                  for i in range(n)]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _array_str(arr, indent):
    """The bracketed body of a tensor's repr, for an array of host values."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    if arr.dtype.kind == "c":
        real, imag = arr.real, arr.imag
        real_formatter = _Formatter(_summarized(real) if summarize else real)
        imag_formatter = _Formatter(_summarized(imag) if summarize else imag)
        return _tensor_str_with_formatter(arr, indent, summarize, real_formatter, imag_formatter)
    formatter = _Formatter(_summarized(arr) if summarize else arr)
    return _tensor_str_with_formatter(arr, indent, summarize, formatter)


def tensor_str(t, indent=0):
    """The bracketed body of ``repr(t)`` (no ``tensor(`` prefix, no suffixes)."""
    return _array_str(_host(t._data), indent)


def _add_suffixes(tensor_str, suffixes, indent, force_newline):
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


# --------------------------------------------------------------------------- repr
def _grad_fn_name(t):
    fn = t._grad_fn
    if fn is None:
        return None
    name = getattr(fn, "name", None)
    # PyTorch prints the class: CopySlices, not name()'s torch::autograd::CopySlices
    return name().rpartition("::")[2] if callable(name) else type(fn).__name__


def tensor_repr(t, tensor_contents=None):
    """``repr(t)`` as PyTorch prints it, with ``ember.`` for ``torch.``.

    ``nn.Parameter`` adds its ``Parameter containing:\\n`` line around this;
    a Parameter prints here with the plain ``tensor(`` prefix, as in PyTorch.
    Other Tensor subclasses print with their class name as the prefix.
    """
    from . import dtypes
    from .tensor import Tensor

    cls = type(t)
    is_param = bool(getattr(t, "_is_param", False))
    is_plain = cls is Tensor or (is_param and cls.__name__ == "Parameter")
    prefix = "tensor(" if is_plain else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    custom_contents = tensor_contents is not None
    if custom_contents:
        tensor_str_ = tensor_contents

    device = t.device
    if getattr(device, "type", "cpu") != "cpu":
        suffixes.append("device='" + str(device) + "'")

    dtype = t._dtype
    default = dtypes.get_default_dtype()
    default_complex = dtypes.complex128 if default is dtypes.float64 else dtypes.complex64
    has_default_dtype = dtype in (default, default_complex, dtypes.int64, dtypes.bool)

    data = t._data
    shape = tuple(data.shape)
    if data.size == 0:
        # Print the shape when it is not (0,), as NumPy does; with no elements to
        # tell an int64 tensor from a float one, any non-default dtype is shown.
        if len(shape) != 1:
            suffixes.append("size=" + str(shape))
        if dtype is not default:
            suffixes.append("dtype=" + str(dtype))
        if not custom_contents:
            tensor_str_ = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(shape))
        if not has_default_dtype:
            suffixes.append("dtype=" + str(dtype))
        if not custom_contents:
            tensor_str_ = _array_str(_host(data), indent)

    try:
        grad_fn_name = _grad_fn_name(t)
    except RuntimeError:
        grad_fn_name = "Invalid"
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif t._rg:
        suffixes.append("requires_grad=True")

    string_repr = _add_suffixes(prefix + tensor_str_, suffixes, indent, force_newline=False)
    if is_param and not is_plain:
        string_repr = f"Parameter({string_repr})"
    return string_repr
