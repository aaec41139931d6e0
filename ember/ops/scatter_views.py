"""The ``*_scatter`` ops: a copy of input with one view of it (a selected index,
a slice, a diagonal, a strided window) replaced by src.

Each is clone + copy_ into the view of the clone, so the gradient comes from the
in-place machinery (inplace.py's CopySlices): input's gradient is g with the
region zeroed, src's gradient is g's region; the result shows PyTorch's node name.
One helper, one table of views.
"""
from ..tensor import attach
from ._common import shown_as, to_tensor_arg, write_out
from .copy_variants import slice_view
from .linalg import diagonal
from .shape import as_strided, select
from .unary import clone


def _scatter_into(op, input, src, region, out=None):
    input = to_tensor_arg(input, "input", op)
    src = to_tensor_arg(src, "src", op)
    result = clone(input)
    view = region(result)
    if view._data.shape != src._data.shape:
        raise RuntimeError(f"{op}: expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(view._data.shape)}")
    view.copy_(src)
    if out is not None:
        return write_out(out, result._data, result._dtype, (input, src), op)
    return shown_as(result, "".join(w.capitalize() for w in op.split("_")) + "Backward0")   # SliceScatterBackward0


def select_scatter(input, src, dim, index):
    return _scatter_into("select_scatter", input, src, lambda r: select(r, dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1, *, out=None):
    return _scatter_into("slice_scatter", input, src, lambda r: slice_view(r, dim, start, end, step), out)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    return _scatter_into("diagonal_scatter", input, src, lambda r: diagonal(r, offset, dim1, dim2))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    return _scatter_into("as_strided_scatter", input, src, lambda r: as_strided(r, size, stride, storage_offset))


attach(select_scatter=select_scatter, slice_scatter=slice_scatter, diagonal_scatter=diagonal_scatter,
       as_strided_scatter=as_strided_scatter)

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter"]
