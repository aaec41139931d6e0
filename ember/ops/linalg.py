"""Linear algebra products and diagonals: forward beside derivative.

Products go straight to BLAS through NumPy's matmul (no copies on the way in;
transposed views are handled by BLAS's transpose flags). Every product's
gradient is the one ``_matmul_formula``; ``einsum`` differentiates any
subscripts (repeated indices and indices summed within one operand included)
by an einsum of the incoming gradient with the other operands. Decompositions
(inv, det, svd, ...) live in ``ember/linalg.py``.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import dtypes
from ..autograd.formulas import define
from ..tensor import Tensor, attach, make_tensor
from ._broadcast import shape_str
from ._common import _gstate, check_inplace, node_class, promote, record, to_tensor_arg, write_out
from .inplace import ViewFn, apply_inplace, make_view
from .reduction import _wrap as wrap_dim

_FLOAT = dtypes._FLOAT


def _unsq(x, pos):
    """x with a size-1 axis inserted at ``pos`` (-1 or -2), for arrays and Tensors alike."""
    s = tuple(x.shape)
    return x.reshape(s + (1,)) if pos == -1 else x.reshape(s[:-1] + (1,) + s[-1:])


def _sq(x, pos):
    s = tuple(x.shape)
    return x.reshape(s[:-1]) if pos == -1 else x.reshape(s[:-2] + s[-1:])


def _const(arr, like):
    """A constant for a formula: ``arr`` as an array on the fast path, as a Tensor under create_graph."""
    return arr.astype(like.dtype, copy=False)


def _const_tensor(arr, like):
    return make_tensor(np.asarray(arr, like._dtype.np), like._dtype)


define("const", _const, _const_tensor)


# ================================================================== matmul and friends
def _matmul_formula(F, g, a, b, needs=(True, True), ndims=None):
    """``ndims`` = the operands' ranks, when an operand was not saved (None: only the other one's gradient
    needs it, and PyTorch saves it only then)."""
    # Vectors are promoted to matrices for the product and squeezed back; the engine sums batch broadcasting.
    na, nb = ndims or (a.ndim, b.ndim)
    g2 = g
    if na == 1:
        g2 = _unsq(g2, -2) if nb > 1 else g2.reshape((1, 1))
    if nb == 1:
        g2 = _unsq(g2, -1)
    ga = gb = None
    if needs[0]:
        ga = g2 @ F.conj(_unsq(b, -1) if nb == 1 else b).mT
        if na == 1:
            ga = _sq(ga, -2)
    if needs[1]:
        gb = F.conj(_unsq(a, -2) if na == 1 else a).mT @ g2
        if nb == 1:
            gb = _sq(gb, -1)
    return ga, gb


MmBackward0 = node_class("MmBackward0", _matmul_formula)
MvBackward0 = node_class("MvBackward0", _matmul_formula)
DotBackward0 = node_class("DotBackward0", _matmul_formula)
BmmBackward0 = node_class("BmmBackward0", _matmul_formula)
MatmulBackward0 = node_class("UnsafeViewBackward0", _matmul_formula)


def _node_for(na, nb):
    if na == 2 and nb == 2:
        return MmBackward0
    if na == 1 and nb == 1:
        return DotBackward0
    if na == 2 and nb == 1:
        return MvBackward0
    return BmmBackward0 if na == nb == 3 else MatmulBackward0


def _refuse_bool(kernel):
    """PyTorch's BLAS-backed products have no bool kernels: the class and name of its refusal."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _product_kernel(na, nb):
    """The kernel torch.matmul of operands of ranks na, nb dispatches to (as its errors name it)."""
    if nb >= 3:
        return "bmm"
    if nb == 2:
        return "addmm_impl_cpu_"
    return "dot" if na == 1 else "addmv_impl_cpu"


def _check_dtypes(input, other, op):
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{op}: expected both operands to have the same dtype, but got {input._dtype.name} and "
                           f"{other._dtype.name} (convert one with .to(...))")
    if input._dtype is dtypes.bool:
        _refuse_bool({"mm": "addmm_impl_cpu_", "mv": "addmv_impl_cpu", "bmm": "bmm"}.get(
            op, _product_kernel(input._data.ndim, other._data.ndim)))


def _product(input, other, op, node, out):
    """np.matmul of two checked operands, recorded with ``node``."""
    a, b = input._data, other._data
    if out is not None:
        if out.__class__ is Tensor and out._dtype is input._dtype and not out._rg and not (
                _gstate.enabled and (input._rg or other._rg)):
            shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + a.shape[-2:-1] + b.shape[-1:] \
                if a.ndim >= 2 and b.ndim >= 2 else None
            if shape is not None and out._data.shape == shape and out._data.flags.c_contiguous:
                np.matmul(a, b, out=out._data)     # straight into out's memory
                out._vbox[0] += 1
                return out
        return write_out(out, np.asarray(np.matmul(a, b)), input._dtype, (input, other), op)
    res = np.matmul(a, b)
    if res.__class__ is not np.ndarray:
        res = np.asarray(res)
    r = make_tensor(res, input._dtype)
    if _gstate.enabled and (input._rg or other._rg):
        record(node, r, (input, other), (input if other._rg else None, other if input._rg else None),
               ((input._rg, other._rg), (a.ndim, b.ndim)))
    return r


def matmul(input, other, *, out=None):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        to_tensor_arg(input, "input", "matmul")
        to_tensor_arg(other, "other", "matmul")
    a, b = input._data, other._data
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {na}D and "
                           f"{nb}D")
    if input._dtype is not other._dtype or input._dtype is dtypes.bool:
        _check_dtypes(input, other, "matmul")
    ka = a.shape[-1]
    kb = b.shape[0] if nb == 1 else b.shape[-2]
    if ka != kb:
        raise RuntimeError(f"matmul: {shape_str(a.shape)} @ {shape_str(b.shape)}: inner sizes {ka} and {kb} differ "
                           f"(mat1 and mat2 shapes cannot be multiplied)")
    if na > 2 or nb > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2] if nb > 1 else ())
        except ValueError:
            raise RuntimeError(f"matmul: {shape_str(a.shape)} @ {shape_str(b.shape)}: batch dimensions "
                               f"{shape_str(a.shape[:-2])} and {shape_str(b.shape[:-2])} cannot be broadcast "
                               f"together") from None
    return _product(input, other, "matmul", _node_for(na, nb), out)


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):         # NumPy then computes ``t @ array`` (and wraps it as a Tensor)
        return NotImplemented
    return matmul(self, other)


def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


def mm(input, mat2, *, out=None):
    input = to_tensor_arg(input, "input", "mm")
    mat2 = to_tensor_arg(mat2, "mat2", "mm")
    if input._data.ndim != 2:
        raise RuntimeError(f"mm: self must be a matrix, got a {input._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mm: mat2 must be a matrix, got a {mat2._data.ndim}-D tensor")
    _check_dtypes(input, mat2, "mm")
    if input._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mm: {shape_str(input._data.shape)} @ {shape_str(mat2._data.shape)}: mat1 and mat2 "
                           f"shapes cannot be multiplied (inner sizes {input._data.shape[1]} and "
                           f"{mat2._data.shape[0]} differ)")
    return _product(input, mat2, "mm", MmBackward0, out)


def bmm(input, mat2, *, out=None):
    input = to_tensor_arg(input, "input", "bmm")
    mat2 = to_tensor_arg(mat2, "mat2", "bmm")
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError(f"bmm: batch1 must be a 3D tensor, got {a.ndim}-D")
    if b.ndim != 3:
        raise RuntimeError(f"bmm: batch2 must be a 3D tensor, got {b.ndim}-D")
    _check_dtypes(input, mat2, "bmm")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        rule = (f"inner sizes {a.shape[2]} and {b.shape[1]} differ" if a.shape[2] != b.shape[1] else
                f"batch sizes {a.shape[0]} and {b.shape[0]} differ")
        raise RuntimeError(f"bmm: {shape_str(a.shape)} @ {shape_str(b.shape)}: {rule} (expected size for first "
                           f"two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but got: "
                           f"[{b.shape[0]}, {b.shape[1]}])")
    return _product(input, mat2, "bmm", BmmBackward0, out)


def mv(input, vec, *, out=None):
    input = to_tensor_arg(input, "input", "mv")
    vec = to_tensor_arg(vec, "vec", "mv")
    a, b = input._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"mv: vector + matrix @ vector expected, got {a.ndim}-D matrix and {b.ndim}-D vector")
    _check_dtypes(input, vec, "mv")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mv: {shape_str(a.shape)} @ {shape_str(b.shape)}: inner sizes {a.shape[1]} and "
                           f"{b.shape[0]} differ (size mismatch, got input "
                           f"({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]}))")
    return _product(input, vec, "mv", MvBackward0, out)


def _check_vectors(input, other, op):
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{op}: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{op}: expected both vectors to have same dtype, but found {input._dtype.name} and "
                           f"{other._dtype.name}")
    if input._dtype is dtypes.bool:
        _refuse_bool("dot")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"{op}: inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
                           f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
                           f"respectively")


def dot(input, tensor, *, out=None):
    input = to_tensor_arg(input, "input", "dot")
    tensor = to_tensor_arg(tensor, "tensor", "dot")
    _check_vectors(input, tensor, "dot")
    return _product(input, tensor, "dot", DotBackward0, out)


VdotBackward0 = node_class("VdotBackward0", lambda F, g, a, b: (F.conj(g) * b, g * a))


def vdot(input, other, *, out=None):
    input = to_tensor_arg(input, "input", "vdot")
    other = to_tensor_arg(other, "other", "vdot")
    _check_vectors(input, other, "vdot")
    res = np.asarray(np.vdot(input._data, other._data))
    if out is not None:
        return write_out(out, res, input._dtype, (input, other), "vdot")
    r = make_tensor(res, input._dtype)
    if _gstate.enabled and (input._rg or other._rg):
        record(VdotBackward0, r, (input, other), (input, other))
    return r


def outer(input, vec2, *, out=None):
    input = to_tensor_arg(input, "input", "outer")
    vec2 = to_tensor_arg(vec2, "vec2", "outer")
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: expected 1D tensors, got {input._data.ndim}D and {vec2._data.ndim}D")
    r = input.reshape(input._data.shape[0], 1) * vec2
    if out is not None:
        return write_out(out, r._data, r._dtype, (input, vec2), "outer")
    return r


ger = outer


def inner(input, other, *, out=None):
    input = to_tensor_arg(input, "input", "inner")
    other = to_tensor_arg(other, "other", "inner")
    if input._data.ndim == 0 or other._data.ndim == 0:
        r = input * other
    else:
        if input._dtype is dtypes.bool and other._dtype is dtypes.bool:
            _refuse_bool("dot" if input._data.ndim == other._data.ndim == 1 else "addmm_impl_cpu_")
        if input._data.shape[-1] != other._data.shape[-1]:
            raise RuntimeError(f"inner: {shape_str(input._data.shape)} and {shape_str(other._data.shape)}: "
                               f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(input._data.shape)} and {list(other._data.shape)}")
        r = tensordot(input, other, dims=([-1], [-1]))
    if out is not None:
        return write_out(out, r._data, r._dtype, (input, other), "inner")
    return r


# ------------------------------------------------------------------ addmm family: beta * input + alpha * (a @ b)
def _addmm_formula(F, g, a, b, beta, alpha, needs, batch_sum):
    gi = None
    if needs[0]:
        gi = g if beta == 1 else g * beta
    gp = g if alpha == 1 else g * alpha
    if batch_sum:
        gp = gp.reshape((1,) + tuple(gp.shape))
    ga, gb = _matmul_formula(F, gp, a, b, needs[1:])
    return gi, ga, gb


def _addr_formula(F, g, a, b, beta, alpha, needs, batch_sum):
    gi = (g if beta == 1 else g * beta) if needs[0] else None
    gp = g if alpha == 1 else g * alpha
    ga = gp @ F.conj(b) if needs[1] else None
    gb = gp.mT @ F.conj(a) if needs[2] else None
    return gi, ga, gb


AddmmBackward0 = node_class("AddmmBackward0", _addmm_formula)
AddmvBackward0 = node_class("AddmvBackward0", _addmm_formula)
BaddbmmBackward0 = node_class("BaddbmmBackward0", _addmm_formula)
AddbmmBackward0 = node_class("AddbmmBackward0", _addmm_formula)
AddrBackward0 = node_class("AddrBackward0", _addr_formula)


def _scaled_add(op, node, input, a, b, beta, alpha, out, shape_check, compute, batch_sum=False):
    input = to_tensor_arg(input, "input", op)
    for t in (a, b):
        to_tensor_arg(t, "mat", op)
    shape_check(a._data, b._data)
    dt = input._dtype
    if a._dtype is not dt or b._dtype is not dt:
        raise RuntimeError(f"{op}: expected all operands to have the same dtype, but got {dt.name}, {a._dtype.name} "
                           f"and {b._dtype.name}")
    prod = compute(a._data, b._data)
    try:
        np.broadcast_shapes(input._data.shape, prod.shape)
        if np.broadcast_shapes(input._data.shape, prod.shape) != prod.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"{op}: the input of shape {list(input._data.shape)} cannot be broadcast to the product's "
                           f"shape {list(prod.shape)}") from None
    if dt.category < _FLOAT:   # PyTorch truncates float factors on integer tensors
        alpha, beta = int(alpha), int(beta)
    if alpha != 1:
        prod *= alpha
    if beta != 0:   # beta == 0 ignores input entirely (nan and inf in it are not propagated), as PyTorch does
        x = input._data
        prod += x if beta == 1 else x * beta
    if out is not None:
        return write_out(out, prod, dt, (input, a, b), op)
    r = make_tensor(prod, dt)
    if _gstate.enabled and (input._rg or a._rg or b._rg):
        record(node, r, (input, a, b), (a, b), (beta, alpha, (input._rg, a._rg, b._rg), batch_sum))
    return r


def _mm_shapes(op, n1, n2):
    def check(a, b):
        if a.ndim != n1 or b.ndim != n2:
            raise RuntimeError(f"{op}: expected {n1}-D and {n2}-D operands, got {a.ndim}-D and {b.ndim}-D")
        if n1 == 3 and n2 == 3 and a.shape[0] != b.shape[0]:
            raise RuntimeError(f"{op}: batch1 and batch2 must have same number of batches, got {a.shape[0]} and "
                               f"{b.shape[0]}")
        k2 = b.shape[0] if n2 == 1 else b.shape[-2]
        if a.shape[-1] != k2:
            raise RuntimeError(f"{op}: {shape_str(a.shape)} @ {shape_str(b.shape)}: shapes cannot be multiplied "
                               f"(inner sizes {a.shape[-1]} and {k2} differ)")
    return check


def _outer_shapes(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"addr: expected 1-D vectors, got {a.ndim}-D and {b.ndim}-D")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    return _scaled_add("addmm", AddmmBackward0, input, mat1, mat2, beta, alpha, out, _mm_shapes("addmm", 2, 2),
                       np.matmul)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return _scaled_add("addmv", AddmvBackward0, input, mat, vec, beta, alpha, out, _mm_shapes("addmv", 2, 1),
                       np.matmul)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _scaled_add("baddbmm", BaddbmmBackward0, input, batch1, batch2, beta, alpha, out,
                       _mm_shapes("baddbmm", 3, 3), np.matmul)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _scaled_add("addbmm", AddbmmBackward0, input, batch1, batch2, beta, alpha, out,
                       _mm_shapes("addbmm", 3, 3), lambda a, b: np.matmul(a, b).sum(0), batch_sum=True)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    return _scaled_add("addr", AddrBackward0, input, vec1, vec2, beta, alpha, out, _outer_shapes,
                       lambda a, b: np.multiply.outer(a, b))


def _inplace_of(fn, name):
    def method(self, *args, **kwargs):
        check_inplace(self, name)
        return apply_inplace(self, lambda t: fn(t, *args, **kwargs), [a for a in args if isinstance(a, Tensor)])
    method.__name__ = name
    return method


# ================================================================== einsum
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _parse_einsum(equation, shapes):
    """Explicit subscripts (one string per operand, and the output) with '...' spelled out as letters."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(terms) < len(shapes) else
                           "einsum(): fewer operands were provided than specified in the equation")
    for ch in eq:
        if ch not in _LETTERS and ch not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(ch)} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
    used = set(c for c in eq if c in _LETTERS)
    free = [c for c in _LETTERS if c not in used]
    ell_len = 0
    for t, shape in zip(terms, shapes):
        n_named = len(t.replace("...", ""))
        if "..." in t:
            if t.count("...") > 1:
                raise RuntimeError("einsum(): found more than one '...' in the subscripts of one operand")
            if len(shape) < n_named:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_named}) is more than "
                                   f"the number of dimensions ({len(shape)}) for operand {terms.index(t)}")
            ell_len = max(ell_len, len(shape) - n_named)
        elif n_named != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_named}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {terms.index(t)}"
                               f"{'' if n_named > len(shape) else ' and no ellipsis was given'}")
    if ell_len > len(free):
        raise RuntimeError("einsum(): too many dimensions")
    ell = "".join(free[:ell_len])
    subs = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            k = len(shape) - len(t.replace("...", ""))
            t = t.replace("...", ell[ell_len - k:])
        subs.append(t)
    if rhs is None:
        counts = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        if rhs.count("...") > 1:
            raise RuntimeError("einsum(): found more than one '...' in the output")
        out = rhs.replace("...", ell)
        seen = set()
        all_in = set("".join(subs))
        for c in out:
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in all_in:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   f"operand")
            seen.add(c)
    return subs, out, "".join(free[ell_len:])


def _einsum_arrays(eq, arrays):
    # Small problems: NumPy's C einsum directly (the path search costs ~30 us). Larger ones and chains:
    # optimize, which routes pairwise contractions to BLAS through tensordot.
    if arrays and arrays[0].dtype.name == "bfloat16":    # no NumPy loops: accumulate in float32, as PyTorch
        arrays = [a.astype(np.float32) for a in arrays]
    opt = False
    if len(arrays) > 2:
        opt = True
    elif len(arrays) == 2:
        sizes = {}
        for sub, arr in zip(eq.split("->")[0].split(","), arrays):
            for c, n in zip(sub, arr.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        loop = 1
        for n in sizes.values():
            loop *= n
        opt = loop > 32768
    res = np.einsum(eq, *arrays, optimize=opt)
    return res if res.__class__ is np.ndarray else np.asarray(res)


_parse_cache = {}


def _parse_einsum_cached(equation, shapes):
    key = (equation, shapes)
    hit = _parse_cache.get(key)
    if hit is None:
        hit = _parse_einsum(equation, shapes)
        if len(_parse_cache) > 1024:
            _parse_cache.clear()
        _parse_cache[key] = hit
    return hit


def _einsum_grad(F, g, ops, subs, out, i, spare):
    """The gradient of operand i: an einsum of g with the other operands (conjugated), plus identity
    matrices for subscripts repeated within operand i and ones for subscripts summed only there."""
    s_i = subs[i]
    shape_i = tuple(ops[i].shape)
    others = [s for j, s in enumerate(subs) if j != i]
    terms, operands, consts = [out], [g], []
    for j, s in enumerate(subs):
        if j != i:
            terms.append(s)
            operands.append(F.conj(ops[j]))
    spare = list(spare)
    target, seen = [], {}
    available = set(out).union(*others) if others else set(out)
    for pos, c in enumerate(s_i):
        if c in seen:
            f = spare.pop()
            target.append(f)
            n = shape_i[pos]
            consts.append((c + f, np.eye(n)))
        else:
            seen[c] = pos
            target.append(c)
            if c not in available:
                consts.append((c, np.ones(shape_i[pos])))
    for t, arr in consts:
        terms.append(t)
        operands.append(F.const(arr, g))
    grad = F.einsum(",".join(terms) + "->" + "".join(target), *operands)
    # a size-1 dim of operand i that broadcast against size n elsewhere gets size n here: it is summed by
    # the engine; a size-n dim of operand i summed against a size-1 one elsewhere gets size 1: it is the
    # same for every position, so it expands
    full = tuple(n if m == 1 else m for m, n in zip(grad.shape, shape_i))
    return grad if tuple(grad.shape) == full else F.expand(grad, full)


def _einsum_formula(F, g, *rest):
    *ops, subs, out, spare, needs = rest
    return tuple(_einsum_grad(F, g, ops, subs, out, i, spare) if needs[i] else None for i in range(len(ops)))


EinsumBackward0 = node_class("EinsumBackward0", _einsum_formula)


_SUBSCRIPTS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_equation(args):
    """The equation and operands of einsum's sublist form: op1, sub1, op2, sub2, ..., [out_sub], the
    subscripts ints in [0, 52) or Ellipsis."""
    def letters(sub):
        text = []
        for s in sub:
            if s is Ellipsis:
                text.append("...")
            elif isinstance(s, int) and 0 <= s < 52:
                text.append(_SUBSCRIPTS[s])
            else:
                raise ValueError(f"einsum(): expected subscript to be within the range [0, 52), but got {s}")
        return "".join(text)
    operands, subs = args[0::2], args[1::2]
    n = len(subs)
    equation = ",".join(letters(s) for s in subs)
    if len(operands) > n:           # an odd count: the last item is the output's sublist
        operands, equation = operands[:n], equation + "->" + letters(operands[n])
    return equation, tuple(operands)


def einsum(equation, *operands, out=None):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)) and isinstance(equation, str):
        operands = tuple(operands[0])
    if isinstance(equation, Tensor):
        equation, operands = _sublist_equation((equation,) + operands)
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a string or the first operand, not "
                        f"{type(equation).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for k, t in enumerate(operands):
        to_tensor_arg(t, f"operands[{k}]", "einsum")
    dt = operands[0]._dtype
    for t in operands[1:]:
        if t._dtype is not dt:
            raise RuntimeError(f"einsum(): expected all operands to have the same dtype, but got {dt.name} and "
                               f"{t._dtype.name}")
    subs, out_sub, spare = _parse_einsum_cached(equation, tuple(t._data.shape for t in operands))
    eq = ",".join(subs) + "->" + out_sub
    try:
        res = _einsum_arrays(eq, [t._data for t in operands])
    except ValueError as e:
        raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes "
                           f"{[list(t._data.shape) for t in operands]} for equation '{equation}': {e}") from None
    if res.dtype != dt.np:
        res = res.astype(dt.np)
    r = make_tensor(res, dt)
    if _gstate.enabled and any(t._rg for t in operands):
        record(EinsumBackward0, r, operands, operands,
               (subs, out_sub, spare, tuple(t._rg for t in operands)))
    if out is not None:
        return write_out(out, r._data, dt, operands, "einsum")
    return r


def _tensor_einsum(eq, *ops):
    return einsum(eq, *[o if isinstance(o, Tensor) else make_tensor(o) for o in ops])


define("einsum", lambda eq, *ops: _einsum_arrays(eq, ops), _tensor_einsum)


def tensordot(a, b, dims=2, out=None):
    a = to_tensor_arg(a, "a", "tensordot")
    b = to_tensor_arg(b, "b", "tensordot")
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length, got {len(da)} and {len(db)}")
        da = [wrap_dim(d, na, "tensordot") for d in da]
        db = [wrap_dim(d, nb, "tensordot") for d in db]
    for x, y in zip(da, db):
        if a._data.shape[x] != b._data.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a._data.shape[x]} in dim "
                               f"{x} and second has size {b._data.shape[y]} in dim {y}")
    if a._dtype is dtypes.bool and b._dtype is dtypes.bool:     # torch reshapes to one mm (or dot)
        _refuse_bool("dot" if len(da) == na and len(db) == nb else "addmm_impl_cpu_")
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for x, y in zip(da, db):
        sb[y] = sa[x]
    out_sub = "".join(c for k, c in enumerate(sa) if k not in da) + "".join(c for k, c in enumerate(sb) if k not in db)
    return einsum("".join(sa) + "," + "".join(sb) + "->" + out_sub, a, b, out=out)


def kron(input, other, *, out=None):
    input = to_tensor_arg(input, "input", "kron")
    other = to_tensor_arg(other, "other", "kron")
    dt = promote(input, other)         # einsum wants one dtype; kron promotes, as torch's
    input, other = input.to(dt), other.to(dt)
    nd = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (nd - input._data.ndim) + input._data.shape
    sb = (1,) * (nd - other._data.ndim) + other._data.shape
    a = input.reshape(sa) if sa != input._data.shape else input
    b = other.reshape(sb) if sb != other._data.shape else other
    la, lb = _LETTERS[:nd], _LETTERS[nd:2 * nd]
    r = einsum(la + "," + lb + "->" + "".join(x + y for x, y in zip(la, lb)), a, b)
    r = r.reshape(tuple(x * y for x, y in zip(sa, sb)))
    if out is not None:
        return write_out(out, r._data, r._dtype, (input, other), "kron")
    return r


# ================================================================== cross
def _cross_formula(F, g, a, b, dim):
    return F.cross(b, g, dim), F.cross(g, a, dim)


LinalgCrossBackward0 = node_class("LinalgCrossBackward0", _cross_formula)


def _cross(input, other, dim, op, out=None):
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}: inputs must have the same number of dimensions, got {a.ndim} and {b.ndim}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{op}: the shapes {list(a.shape)} and {list(b.shape)} cannot be broadcast") from None
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.", UserWarning, stacklevel=3)
        dims = [d for d, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError(f"{op}: no dimension of size 3 in input")
        dim = dims[0]
    dim = wrap_dim(dim, len(shape), op)
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and {b.shape[dim]}")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{op}: expected both inputs to have the same dtype, but got {input._dtype.name} and "
                           f"{other._dtype.name}")
    res = np.cross(np.broadcast_to(a, shape), np.broadcast_to(b, shape), axis=dim).astype(input._dtype.np, copy=False)
    if out is not None:
        return write_out(out, res, input._dtype, (input, other), op)
    r = make_tensor(res, input._dtype)
    if _gstate.enabled and (input._rg or other._rg):
        record(LinalgCrossBackward0, r, (input, other), (input, other), (dim,))
    return r


def cross(input, other, dim=None, *, out=None):
    return _cross(to_tensor_arg(input, "input", "cross"), to_tensor_arg(other, "other", "cross"), dim, "cross", out)


def _array_cross(a, b, dim):
    return np.cross(a, b, axis=dim)


define("cross", _array_cross, lambda a, b, dim: _cross(a, b, dim, "cross"))


# ================================================================== diagonals
def _diag_view(a, offset, d1, d2):
    """The writeable strided view of a's diagonal ``offset`` across axes d1, d2 (moved to the end)."""
    a2 = np.moveaxis(a, (d1, d2), (-2, -1))
    a2 = a2[..., :, offset:] if offset >= 0 else a2[..., -offset:, :]
    n = max(0, min(a2.shape[-2], a2.shape[-1]))
    return as_strided(a2, a2.shape[:-2] + (n,), a2.strides[:-2] + (a2.strides[-2] + a2.strides[-1],))


def _array_diagonal(g, offset=0, dim1=0, dim2=1):
    return _diag_view(g, offset, dim1 % g.ndim, dim2 % g.ndim)


def _array_diag_scatter(g, shape, offset, d1, d2):
    z = np.zeros(shape, g.dtype)
    _diag_view(z, offset, d1, d2)[...] = g
    return z


def _diagonal_formula(F, g, shape, offset, d1, d2):
    return F.diagonal_scatter_zeros(g, shape, offset, d1, d2)


def _scatter_formula(F, g, offset, d1, d2):
    return F.diagonal(g, offset, d1, d2)


DiagonalBackward0 = node_class("DiagonalBackward0", _diagonal_formula)
DiagonalBackwardBackward0 = node_class("DiagonalBackwardBackward0", _scatter_formula)
DiagEmbedBackward0 = node_class("DiagEmbedBackward0", _scatter_formula)


def _diag_dims(ndim, dim1, dim2, op):
    d1, d2 = wrap_dim(dim1, ndim, op), wrap_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}: dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal as a view sharing memory and version counter with ``input``."""
    input = to_tensor_arg(input, "input", "diagonal")
    x = input._data
    d1, d2 = _diag_dims(x.ndim, dim1, dim2, "diagonal")
    vf = ViewFn(lambda a: _diag_view(a, offset, d1, d2), lambda t: diagonal(t, offset, d1, d2))
    r = make_view(input, _diag_view(x, offset, d1, d2), vf)
    if _gstate.enabled and input._rg:
        record(DiagonalBackward0, r, (input,), (), (x.shape, offset, d1, d2))
    return r


def _scatter(g, shape, offset, d1, d2, node):
    """Zeros of ``shape`` with g on the diagonal (offset, d1, d2), differentiable."""
    r = make_tensor(_array_diag_scatter(g._data, shape, offset, d1, d2), g._dtype)
    if _gstate.enabled and g._rg:
        record(node, r, (g,), (), (offset, d1, d2))
    return r


define("diagonal", _array_diagonal, diagonal)
define("diagonal_scatter_zeros", _array_diag_scatter,
       lambda g, shape, offset, d1, d2: _scatter(g, shape, offset, d1, d2, DiagonalBackwardBackward0))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    input = to_tensor_arg(input, "input", "diag_embed")
    x = input._data
    nd = x.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2, "diag_embed")
    n = (x.shape[-1] if x.ndim else 1) + abs(offset)
    rest = list(x.shape[:-1])
    shape = []
    for k in range(nd):
        shape.append(n if k in (d1, d2) else rest.pop(0))
    if x.ndim == 0:
        input = input.reshape(1)
    return _scatter(input, tuple(shape), offset, d1, d2, DiagEmbedBackward0)


def _array_diag_embed(g, offset=0, dim1=-2, dim2=-1):
    nd = g.ndim + 1
    d1, d2 = dim1 % nd, dim2 % nd
    n = g.shape[-1] + abs(offset)
    rest = list(g.shape[:-1])
    shape = tuple(n if k in (d1, d2) else rest.pop(0) for k in range(nd))
    return _array_diag_scatter(g, shape, offset, d1, d2)


define("diag_embed", _array_diag_embed, diag_embed)


DiagBackward0 = node_class("DiagonalBackward0", _diagonal_formula)


def diag(input, diagonal=0, *, out=None):
    input = to_tensor_arg(input, "input", "diag")
    x = input._data
    if x.ndim == 1:
        r = diag_embed(input, diagonal, 0, 1)
    elif x.ndim == 2:
        r = make_tensor(np.array(_diag_view(x, diagonal, 0, 1)), input._dtype)
        if _gstate.enabled and input._rg:
            record(DiagBackward0, r, (input,), (), (x.shape, diagonal, 0, 1))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    if out is not None:
        return write_out(out, r._data, r._dtype, (input,), "diag")
    return r


def diagflat(input, offset=0):
    """The flattened input laid on diagonal ``offset`` of a square matrix."""
    return diag(to_tensor_arg(input, "input", "diagflat").reshape(-1), offset)


TraceBackward0 = node_class("TraceBackward0", lambda F, g, shape: g * F.const(np.eye(*shape), g))


def trace(input):
    input = to_tensor_arg(input, "input", "trace")
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if input._dtype is dtypes.bool:
        _refuse_bool("trace")
    dt = dtypes.int64 if input._dtype.category < _FLOAT else input._dtype
    r = make_tensor(np.asarray(np.trace(x), dt.np), dt)
    if _gstate.enabled and input._rg:
        record(TraceBackward0, r, (input,), (), (x.shape,))
    return r


# ------------------------------------------------------------------ tril / triu
TrilBackward0 = node_class("TrilBackward0", lambda F, g, k: F.tril(g, k))
TriuBackward0 = node_class("TriuBackward0", lambda F, g, k: F.triu(g, k))


def _tri(input, k, out, op, np_fn, node):
    input = to_tensor_arg(input, "input", op)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got {x.ndim}")
    res = np_fn(x, k)
    if out is not None:
        return write_out(out, res, input._dtype, (input,), op)
    r = make_tensor(res, input._dtype)
    if _gstate.enabled and input._rg:
        record(node, r, (input,), (), (k,))
    return r


def tril(input, diagonal=0, *, out=None):
    return _tri(input, diagonal, out, "tril", np.tril, TrilBackward0)


def triu(input, diagonal=0, *, out=None):
    return _tri(input, diagonal, out, "triu", np.triu, TriuBackward0)


define("tril", lambda x, k=0: np.tril(x, k), tril)
define("triu", lambda x, k=0: np.triu(x, k), triu)


def _tril_(self, diagonal=0):
    check_inplace(self, "tril_", overlap_ok=True)
    return apply_inplace(self, lambda t: tril(t, diagonal))


def _triu_(self, diagonal=0):
    check_inplace(self, "triu_", overlap_ok=True)
    return apply_inplace(self, lambda t: triu(t, diagonal))


# ================================================================== top-level aliases of ember.linalg
def _from_linalg(name, alias=None):
    def fn(*args, **kwargs):
        from .. import linalg
        return getattr(linalg, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = alias or name
    fn.__doc__ = f"As torch.{alias or name}; see ember.linalg.{name}."
    return fn


inverse = _from_linalg("inv", "inverse")
det = _from_linalg("det")
slogdet = _from_linalg("slogdet")
logdet = _from_linalg("logdet")
matrix_power = _from_linalg("matrix_power")
pinverse = _from_linalg("_pinverse", "pinverse")
svd = _from_linalg("_svd_legacy", "svd")
chain_matmul = _from_linalg("_chain_matmul", "chain_matmul")
matrix_exp = _from_linalg("matrix_exp")
cholesky = _from_linalg("_cholesky_legacy", "cholesky")
qr = _from_linalg("_qr_legacy", "qr")
cholesky_solve = _from_linalg("_cholesky_solve", "cholesky_solve")
cholesky_inverse = _from_linalg("_cholesky_inverse", "cholesky_inverse")
triangular_solve = _from_linalg("_triangular_solve", "triangular_solve")
nuclear_norm = _from_linalg("_nuclear_norm", "nuclear_norm")
frobenius_norm = _from_linalg("_frobenius_norm", "frobenius_norm")
lu = _from_linalg("_lu_legacy", "lu")
lu_unpack = _from_linalg("lu_unpack")
lu_solve = _from_linalg("_lu_solve_legacy", "lu_solve")


attach(matmul=matmul, __matmul__=_matmul_operator, __rmatmul__=_rmatmul, mm=mm, bmm=bmm, mv=mv, dot=dot, vdot=vdot,
       inner=inner, outer=outer, ger=ger, addmm=addmm, addmv=addmv, baddbmm=baddbmm, addbmm=addbmm, addr=addr,
       addmm_=_inplace_of(addmm, "addmm_"), addmv_=_inplace_of(addmv, "addmv_"),
       baddbmm_=_inplace_of(baddbmm, "baddbmm_"), addbmm_=_inplace_of(addbmm, "addbmm_"),
       addr_=_inplace_of(addr, "addr_"),
       kron=kron, cross=cross, diagonal=diagonal, diag=diag, diagflat=diagflat, diag_embed=diag_embed,
       trace=trace,
       tril=tril, triu=triu, tril_=_tril_, triu_=_triu_,
       inverse=inverse, det=det, slogdet=slogdet, logdet=logdet, matrix_power=matrix_power, pinverse=pinverse,
       svd=svd)
__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "baddbmm",
           "addbmm", "addr", "einsum", "tensordot", "kron", "cross", "diagonal", "diag", "diagflat", "diag_embed",
           "trace",
           "tril", "triu", "inverse", "det", "slogdet", "logdet", "matrix_power", "pinverse", "svd",
           "chain_matmul", "matrix_exp", "cholesky", "qr",
           "cholesky_solve", "cholesky_inverse", "triangular_solve", "nuclear_norm", "frobenius_norm",
           "lu", "lu_unpack", "lu_solve"]
