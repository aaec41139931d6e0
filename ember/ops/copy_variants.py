"""The ``*_copy`` functions: each view op's result as a fresh contiguous tensor
(``torch.permute_copy(x, (1, 0))`` is ``x.permute(1, 0).clone()``).

One table maps each name to the view it copies, written with PyTorch's
argument names; the gradient flows through the view's own node and clone's.
"""
from ..tensor import attach
from ._common import to_tensor_arg, write_out
from .complex_ops import view_as_complex, view_as_real
from .joining import split, split_with_sizes, unbind
from .linalg import diagonal
from .shape import as_strided, expand, narrow, permute, select, squeeze, t, transpose, unfold, unsqueeze, view
from .unary import clone


def slice_view(input, dim=0, start=None, end=None, step=1):
    """input[..., start:end:step] along dim (a view), as torch's slice."""
    from .reduction import _wrap
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return input[(slice(None),) * _wrap(dim, nd, "slice") + (slice(start, end, step),)]


_VIEWS = {
    "permute_copy": lambda input, dims: permute(input, dims),
    "transpose_copy": transpose,
    "t_copy": t,
    "expand_copy": lambda input, size, *, implicit=False: expand(input, size),
    "squeeze_copy": squeeze,
    "unsqueeze_copy": unsqueeze,
    "select_copy": select,
    "slice_copy": slice_view,
    "narrow_copy": narrow,
    "diagonal_copy": diagonal,
    "detach_copy": lambda input: input.detach(),
    "alias_copy": lambda input: input[...],
    "view_copy": lambda input, size: view(input, size),
    "view_as_real_copy": view_as_real,
    "view_as_complex_copy": view_as_complex,
    "unfold_copy": unfold,
    "as_strided_copy": as_strided,
    "split_copy": lambda input, split_size, dim=0: split(input, split_size, dim),
    "split_with_sizes_copy": split_with_sizes,
    "unbind_copy": unbind,
}


def _copy_form(name, view_fn):
    op = name

    def fn(input, *args, out=None, **kwargs):
        r = view_fn(to_tensor_arg(input, "input", op), *args, **kwargs)
        if isinstance(r, tuple):
            copies = tuple(clone(p) for p in r)
            if out is None:
                return copies
            if len(out) != len(copies):
                raise RuntimeError(f"{op}(): expected out= to hold {len(copies)} tensors, got {len(out)}")
            for o, c in zip(out, copies):
                write_out(o, c._data, c._dtype, (input,), op)
            return None
        c = clone(r)
        return c if out is None else write_out(out, c._data, c._dtype, (input,), op)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: a contiguous copy of torch.{name[:-5]}'s view."
    return fn


_FUNCTIONS = {name: _copy_form(name, v) for name, v in _VIEWS.items()}
globals().update(_FUNCTIONS)
attach(narrow_copy=_FUNCTIONS["narrow_copy"])

__all__ = list(_FUNCTIONS)
