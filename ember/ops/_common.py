"""What every op family shares: operand promotion, recording a Node, ``out=``
and in-place writes. Kept small: each helper has one job."""
import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.node import SavedOutput, node_class
from ..tensor import Tensor, make_tensor

_gstate = grad_mode.state
_inference_made = grad_mode.inference_made
_FLOAT_CAT = dtypes._FLOAT
# The dtypes the hot paths take (tensor-number ops, full sums, exact unary nodes): float32 and float64,
# whose NumPy results keep their dtype and whose formulas keep their inputs' shapes and dtypes
HOT_FLOATS = (dtypes.float32, dtypes.float64)
_result_type_of = dtypes.result_type_of
_operand_kind = dtypes.operand_kind

__all__ = ["Tensor", "make_tensor", "node_class", "record", "promote", "as_array", "finish", "grad_on",
           "check_inplace", "bump", "to_tensor_arg"]


def grad_on(*tensors):
    """True when an op on these operands must record a Node."""
    if not _gstate.enabled:
        return False
    for t in tensors:
        if t is not None and t.__class__ is not float and t.__class__ is not int and getattr(t, "_rg", False):
            return True
    return False


def record(node_cls, out, inputs, saved=(), args=()):
    """Attach a ``node_cls`` Node to ``out`` (a Tensor or tuple of Tensors).

    inputs: the op's tensor operands in formula order (None for non-tensors).
    saved: Tensors the formula needs (the output itself may be one: it is saved
    without a reference cycle). args: non-tensor values the formula needs.
    """
    if out.__class__ is not tuple:            # the common single-output op, without the loops below
        if saved:
            saved = tuple([SavedOutput(s) if s is out else s for s in saved])
        node = node_cls(inputs, saved, args)
        if out._dtype.category >= _FLOAT_CAT:
            out._grad_fn = node
            out._rg = True
        return out
    outs = out
    diff = [(i, o) for i, o in enumerate(outs) if o is not None and o._dtype.category >= _FLOAT_CAT]
    for i, o in diff:
        if i:
            o._out_nr = i       # before saving: a saved output remembers which output it is
    saved = tuple(SavedOutput(s) if any(s is o for o in outs) else s for s in saved)
    node = node_cls(inputs, saved, args)
    for _, o in diff:
        o._grad_fn = node
        o._rg = True
    if node.nout > 1:
        node._out_meta = [(o._data.shape, o._dtype) for o in outs]
    return out


_PASS_THROUGH = {}      # grad_fn name -> a Node class that hands its gradient on unchanged


def shown_as(out, name, private_base=False):
    """``out`` (an op's fresh result) with the grad_fn name PyTorch's kernel for that op shows, where ember
    computes it another way (a composite, or one kernel for every rank): behind a pass-through node of that
    name, so printing the tensor or ``grad_fn.name()`` reads as in PyTorch. Unchanged when it already does,
    when it has no grad_fn, and for views (a new tensor would lose the view's link to its base), unless
    ``private_base``: the view's base is the op's own intermediate, which nothing else can reach."""
    fn = out._grad_fn
    if fn is None or fn.name() == name or out._base is not None and not private_base:
        return out
    cls = _PASS_THROUGH.get(name)
    if cls is None:
        cls = _PASS_THROUGH[name] = node_class(name, lambda F, g: g)
    shown = make_tensor(out._data, out._dtype)
    shown._vbox = out._vbox
    return record(cls, shown, (out,))


_REFUSING = {}


def refusing_node(kernel, name=None):
    """The node PyTorch records for an op without a derivative, which raises at backward. Of its two kinds:
    an op with no derivative entry (``kernel`` as aten names it) gets a node named NotImplemented raising
    RuntimeError; one whose entry says not_implemented gets its own node ``name``, raising
    NotImplementedError."""
    cls = _REFUSING.get((kernel, name))
    if cls is None:
        def formula(F, g):
            if name is None:
                raise RuntimeError(f"derivative for aten::{kernel} is not implemented")
            raise NotImplementedError(f"the derivative for '{kernel}' is not implemented.")
        cls = _REFUSING[(kernel, name)] = node_class(name or "NotImplemented", formula)
    return cls


def promote(a, b):
    """The result dtype of a binary op on ``a`` and ``b`` (Tensors or Python numbers)."""
    da = getattr(a, "_dtype", None)
    if da is not None and da is getattr(b, "_dtype", None):
        return da
    return _result_type_of((_operand_kind(a), _operand_kind(b)))


def as_array(x, dtype):
    """The array of operand ``x`` in ``dtype`` (a Python scalar becomes a 0-d array of it)."""
    if isinstance(x, Tensor):
        data = x._data
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    return np.asarray(x, dtype.np) if dtype is not dtypes.bool or x.__class__ is bool else np.asarray(x).astype(bool)


def to_tensor_arg(x, name, op):
    """Accept a Tensor argument; explain what came otherwise."""
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def finish(data, dtype, out=None, inputs=(), op="op"):
    """Wrap a result array as a Tensor, or write it into ``out=``."""
    if data.__class__ is not np.ndarray or data.dtype != dtype.np:
        data = np.asarray(data).astype(dtype.np, copy=False)
    if out is None:
        return make_tensor(data, dtype)
    return write_out(out, data, dtype, inputs, op)


def write_out(out, data, dtype, inputs=(), op="op", exact=None):
    """Write ``data`` into the tensor given as ``out=``, resizing it as PyTorch does. ``exact``: the dtypes
    out may have (PyTorch's index and mask results, float_power's double, go into no other)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if exact is not None and out._dtype not in exact:
        raise RuntimeError(f"{op}(): expected out tensor to have dtype {' or '.join(d.name for d in exact)}, but "
                           f"got {out._dtype.name} instead")
    if _gstate.enabled and (out._rg or any(getattr(t, "_rg", False) for t in inputs)):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad.")
    if not dtypes.can_cast(dtype, out._dtype):
        raise RuntimeError(f"{op}(): result type {dtype.name} can't be cast to the desired output type "
                           f"{out._dtype.name} of out=")
    if out._data.shape == data.shape:
        np.copyto(writable_data(out, op), data, casting="unsafe")
    else:
        if out._data.size:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(data.shape)}. This behavior is deprecated.", UserWarning, stacklevel=3)
        out._data = data.astype(out._dtype.np)
    out._vbox[0] += 1
    return out


OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
                   "location. Please clone() the tensor before performing the operation.")

# In-place ops PyTorch still runs on an expand()ed tensor, with its deprecation warning (the rest of the
# overlap-tolerant ones, fill_/zero_/tril_/triu_/fill_diagonal_, run silently).
_OVERLAP_WARNS = {"masked_fill_": "tensor[mask] = scalar", "index_fill_": "tensor[mask] = scalar",
                  "index_put_": "tensor[indices] = tensor"}


def has_internal_overlap(a):
    """Whether several elements of ``a`` are one memory location, as PyTorch's has_internal_overlap sees
    it: a zero stride over a dimension of more than one element (an expand()ed view)."""
    return a.size > 1 and any(s == 0 and n > 1 for n, s in zip(a.shape, a.strides))


def writable_alias(a):
    """A writable array over a's own memory (NumPy makes every broadcast view read-only), or None when
    the memory itself is read-only."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not root.flags.writeable or not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    offset = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, root, offset, a.strides)


def check_leaf_inplace(t, op):
    """In-place ops may not change a leaf that requires grad while grad mode records, nor an inference
    tensor outside inference mode."""
    if _inference_made[0] and t._inference and not _gstate.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                           "clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if t._rg and t._grad_fn is None and _gstate.enabled:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
                           f"(wrap the update in `with ember.no_grad():`, or clone() the tensor first).")


def check_inplace(t, op, overlap_ok=False):
    """An in-place op may not overwrite a leaf that requires grad while grad mode records, nor, unless
    ``overlap_ok`` (the fill-like ops PyTorch allows there), a tensor whose elements share memory.
    Returns the array the op may write: NumPy makes every broadcast view read-only, so a writable alias
    of the same memory where t is one. An expand without overlap (to sizes of 1) keeps the alias as its
    array; an overlapping one stays read-only, so that the next op, which may not be fill-like, refuses."""
    check_leaf_inplace(t, op)
    return writable_data(t, op, overlap_ok)


def writable_data(t, op, overlap_ok=False):
    """The array of t that an in-place op or out= writes (see check_inplace)."""
    a = t._data
    if a.flags.writeable and 0 not in a.strides:    # the common case, in two cheap tests
        return a
    overlaps = has_internal_overlap(a)
    if overlaps and not overlap_ok:
        raise RuntimeError(f"{op}: {OVERLAP_MESSAGE}")
    alias = a if a.flags.writeable else writable_alias(a)
    if alias is None:
        raise RuntimeError(f"{op}: the tensor's memory is read-only. Please clone() the tensor before performing "
                           f"the operation.")
    if overlaps and op in _OVERLAP_WARNS:
        import warnings
        warnings.warn(f"Use of {op} on expanded tensors is deprecated. Please clone() the tensor before performing "
                      f"this operation. This also applies to advanced indexing e.g. {_OVERLAP_WARNS[op]}",
                      UserWarning, stacklevel=4)
    if not overlaps:
        t._data = alias
    return alias


def bump(t):
    t._vbox[0] += 1
    return t
