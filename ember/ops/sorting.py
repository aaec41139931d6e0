"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian,
mode, unique, unique_consecutive, bincount, histc.

Values come from NumPy's sorts. Indices among ties are PyTorch's: sort is stable;
median/nanmedian pick by (value, index) order; topk, kthvalue and mode use
C++ selection algorithms whose tie order is theirs alone (libstdc++'s
nth_element/partial_sort/sort, ATen's quick-select). Rows whose answer depends on
that order are replayed through small Python ports of those algorithms
(``_stl``); rows without ties take the vectorised path.

Gradients of value-selecting ops scatter into the chosen indices
(``F.scatter_dim`` from reduction.py, whose own derivative is a gather).
"""
import builtins as _b

import numpy as np

from .. import dtypes
from ..tensor import attach, make_tensor
from ._common import _gstate, node_class, record, refusing_node, to_tensor_arg, write_out
from .arithmetic import _TORCH_NAMES
from .reduction import _results, _restore, _wrap, real_only, return_types

_FLOAT = dtypes._FLOAT


# ---------------------------------------------------------------- ports of the C++ selection algorithms
class _stl:
    """libstdc++'s std::sort / nth_element / partial_sort and ATen's quick_select_template,
    on a Python list ``a`` with a strict-weak-order ``comp``, step for step."""

    @staticmethod
    def lg(n):
        return n.bit_length() - 1

    @staticmethod
    def unguarded_linear_insert(a, last, comp):
        val = a[last]
        nxt = last - 1
        while comp(val, a[nxt]):
            a[last] = a[nxt]
            last = nxt
            nxt -= 1
        a[last] = val

    @staticmethod
    def insertion_sort(a, first, last, comp):
        if first == last:
            return
        for i in range(first + 1, last):
            val = a[i]
            if comp(val, a[first]):
                a[first + 1:i + 1] = a[first:i]
                a[first] = val
            else:
                _stl.unguarded_linear_insert(a, i, comp)

    @staticmethod
    def final_insertion_sort(a, first, last, comp):
        if last - first > 16:
            _stl.insertion_sort(a, first, first + 16, comp)
            for i in range(first + 16, last):
                _stl.unguarded_linear_insert(a, i, comp)
        else:
            _stl.insertion_sort(a, first, last, comp)

    @staticmethod
    def move_median_to_first(a, result, x, y, z, comp):
        if comp(a[x], a[y]):
            if comp(a[y], a[z]):
                j = y
            elif comp(a[x], a[z]):
                j = z
            else:
                j = x
        elif comp(a[x], a[z]):
            j = x
        elif comp(a[y], a[z]):
            j = z
        else:
            j = y
        a[result], a[j] = a[j], a[result]

    @staticmethod
    def unguarded_partition(a, first, last, pivot, comp):
        while True:
            while comp(a[first], a[pivot]):
                first += 1
            last -= 1
            while comp(a[pivot], a[last]):
                last -= 1
            if not first < last:
                return first
            a[first], a[last] = a[last], a[first]
            first += 1

    @staticmethod
    def unguarded_partition_pivot(a, first, last, comp):
        mid = first + (last - first) // 2
        _stl.move_median_to_first(a, first, first + 1, mid, last - 1, comp)
        return _stl.unguarded_partition(a, first + 1, last, first, comp)

    @staticmethod
    def push_heap(a, first, hole, top, value, comp):
        parent = (hole - 1) // 2
        while hole > top and comp(a[first + parent], value):
            a[first + hole] = a[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        a[first + hole] = value

    @staticmethod
    def adjust_heap(a, first, hole, length, value, comp):
        top = second = hole
        while second < (length - 1) // 2:
            second = 2 * (second + 1)
            if comp(a[first + second], a[first + second - 1]):
                second -= 1
            a[first + hole] = a[first + second]
            hole = second
        if (length & 1) == 0 and second == (length - 2) // 2:
            second = 2 * (second + 1)
            a[first + hole] = a[first + second - 1]
            hole = second - 1
        _stl.push_heap(a, first, hole, top, value, comp)

    @staticmethod
    def pop_heap(a, first, last, result, comp):
        value = a[result]
        a[result] = a[first]
        _stl.adjust_heap(a, first, 0, last - first, value, comp)

    @staticmethod
    def make_heap(a, first, last, comp):
        length = last - first
        if length < 2:
            return
        parent = (length - 2) // 2
        while True:
            _stl.adjust_heap(a, first, parent, length, a[first + parent], comp)
            if parent == 0:
                return
            parent -= 1

    @staticmethod
    def heap_select(a, first, middle, last, comp):
        _stl.make_heap(a, first, middle, comp)
        for i in range(middle, last):
            if comp(a[i], a[first]):
                _stl.pop_heap(a, first, middle, i, comp)

    @staticmethod
    def sort_heap(a, first, last, comp):
        while last - first > 1:
            last -= 1
            _stl.pop_heap(a, first, last, last, comp)

    @staticmethod
    def partial_sort(a, first, middle, last, comp):
        _stl.heap_select(a, first, middle, last, comp)
        _stl.sort_heap(a, first, middle, comp)

    @staticmethod
    def introsort_loop(a, first, last, depth, comp):
        while last - first > 16:
            if depth == 0:
                _stl.partial_sort(a, first, last, last, comp)
                return
            depth -= 1
            cut = _stl.unguarded_partition_pivot(a, first, last, comp)
            _stl.introsort_loop(a, cut, last, depth, comp)
            last = cut

    @staticmethod
    def sort(a, first, last, comp):
        if first != last:
            _stl.introsort_loop(a, first, last, _stl.lg(last - first) * 2, comp)
            _stl.final_insertion_sort(a, first, last, comp)

    @staticmethod
    def nth_element(a, first, nth, last, comp):
        if first == last or nth == last:
            return
        depth = _stl.lg(last - first) * 2
        while last - first > 3:
            if depth == 0:
                _stl.heap_select(a, first, nth + 1, last, comp)
                a[first], a[nth] = a[nth], a[first]
                return
            depth -= 1
            cut = _stl.unguarded_partition_pivot(a, first, last, comp)
            if cut <= nth:
                first = cut
            else:
                last = cut
        _stl.insertion_sort(a, first, last, comp)

    @staticmethod
    def quick_select(a, k, gt):
        """ATen's quick_select_template (kthvalue): Sedgewick's median-of-three select."""
        L, R = 0, len(a) - 1
        while True:
            if R <= L:
                return
            if R == L + 1:
                if gt(a[L], a[R]):
                    a[L], a[R] = a[R], a[L]
                return
            P = (L + R) >> 1
            a[P], a[L + 1] = a[L + 1], a[P]
            if gt(a[L + 1], a[R]):
                a[L + 1], a[R] = a[R], a[L + 1]
            if gt(a[L], a[R]):
                a[L], a[R] = a[R], a[L]
            if gt(a[L + 1], a[L]):
                a[L + 1], a[L] = a[L], a[L + 1]
            i, j, piv = L + 1, R, a[L]
            while True:
                i += 1
                while gt(piv, a[i]):
                    i += 1
                j -= 1
                while gt(a[j], piv):
                    j -= 1
                if j < i:
                    break
                a[i], a[j] = a[j], a[i]
            a[L], a[j] = a[j], a[L]
            if j <= k:
                L = i
            if j >= k:
                R = j - 1


def _gt(p, q):
    return p[0] > q[0]


def _lt(p, q):
    return p[0] < q[0]


# ---------------------------------------------------------------- helpers
def _is_float(x):
    return x.dtype.kind in "fc" or x.dtype.name == "bfloat16"


def _rows(x, d):
    """x with axis d last, as a 2-D (rows, n) array, and the function putting a (rows, m) result back."""
    xm = np.moveaxis(x, d, -1)
    lead = xm.shape[:-1]

    def back(a):
        return np.moveaxis(a.reshape(lead + (a.shape[-1],)), -1, d)
    return xm.reshape(int(np.prod(lead)), x.shape[d]), back   # not -1: a 0-size row length makes it ambiguous


def _ranks(rows):
    """Dense integer ranks of the values (NaN ranked above everything), for the C++ comparators."""
    if rows.dtype.name == "bfloat16" or rows.dtype == np.float16:
        rows = rows.astype(np.float32)
    _, inv = np.unique(rows, return_inverse=True)
    return inv.reshape(rows.shape)


def _eq(a, b):
    e = a == b
    if _is_float(a):
        e |= np.isnan(a) & np.isnan(b)
    return e


def _stable_argsort(x, d, descending):
    if x.dtype.name == "bfloat16":
        x = x.astype(np.float32)
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    r = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return (n - 1) - np.flip(r, d)


def _select_formula(F, g, shape, idx, dim, keepdim):
    return F.scatter_dim(_restore(g, shape, (dim,), keepdim), idx, dim, shape)


def _full_select_formula(F, g, shape, idx, dim):
    return F.scatter_dim(g, idx, dim, shape)


def _even_formula(F, g, x, out):
    return F.expand(g, x.shape) * F.even_mask(x, out, tuple(range(x.ndim)), True)


SortBackward0 = node_class("SortBackward0", _full_select_formula)
TopkBackward0 = node_class("TopkBackward0", _full_select_formula)
KthvalueBackward0 = node_class("KthvalueBackward0", _select_formula)
MedianBackward1 = node_class("MedianBackward1", _select_formula)
NanmedianBackward1 = node_class("NanmedianBackward1", _select_formula)
ModeBackward0 = node_class("ModeBackward0", _select_formula)
MedianBackward0 = node_class("MedianBackward0", _even_formula)
NanmedianBackward0 = node_class("NanmedianBackward0", _even_formula)


def _selected(input, idx, d, keepdim, op, node, out):
    """(values, indices) of a one-per-row selection along d; idx has d kept as size 1."""
    x = input._data
    v = np.take_along_axis(x, idx, d) if x.ndim else x.copy()
    values = make_tensor(v if keepdim or not x.ndim else v.squeeze(d), input._dtype)
    indices = make_tensor(idx if keepdim or not x.ndim else idx.squeeze(d), dtypes.int64)
    if input._rg and _gstate.enabled and out is None:
        record(node, values, (input,), (), (x.shape, idx, d, keepdim or not x.ndim))
    return _results(op, values, indices, out)


_COMPLEX_ERRORS = {"sort": (RuntimeError, "Sort does not support complex dtypes on CPU"),
                   "argsort": (RuntimeError, "Sort does not support complex dtypes on CPU"),
                   "topk": (RuntimeError, "topk does not support complex dtypes on CPU")}


_BOOL_ERRORS = {"kthvalue": (NotImplementedError, "\"kthvalue_cpu\" not implemented for 'Bool'"),
                "topk": (RuntimeError, "topk does not support bool dtypes on CPU")}


def _orderable(input, op):
    """median's kernels take neither complex nor bool tensors."""
    if input._dtype is dtypes.bool:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool'")
    real_only(input, NotImplementedError, f"\"{op}_cpu\" not implemented for '{{dtype}}'")


def _dim_setup(input, dim, op, need_nonempty=True):
    x = input._data
    d = _wrap(dim, x.ndim, op)
    if need_nonempty and x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    # PyTorch checks the dim before the dtype
    if input._dtype is dtypes.bool and op in _BOOL_ERRORS:
        cls, message = _BOOL_ERRORS[op]
        raise cls(message)
    real_only(input, *_COMPLEX_ERRORS.get(op, (NotImplementedError, f"\"{op}_cpu\" not implemented for '{{dtype}}'")))
    return x, d


# ---------------------------------------------------------------- sort, argsort, msort
_EMULATE_LIMIT = 1 << 17   # elements beyond which tie order falls back to a stable sort


def _sort_indices(x, d, descending, stable):
    """PyTorch's sort order: stable=True is a stable sort; stable=False is std::sort, which keeps
    ties in order only for rows of at most 16 elements; longer rows with ties are replayed."""
    idx = _stable_argsort(x, d, descending).astype(np.int64, copy=False)
    n = x.shape[d]
    if stable or n <= 16 or x.size == 0:
        return idx
    rows, back = _rows(x, d)
    irows, _ = _rows(idx, d)
    s = np.take_along_axis(rows, irows, 1)
    todo = np.nonzero(_eq(s[:, 1:], s[:, :-1]).any(1))[0]
    if not todo.size or todo.size * n > _EMULATE_LIMIT:
        return idx
    irows = irows.copy()
    comp = _gt if descending else _lt
    for t, r in zip(todo, _ranks(rows[todo])):
        a = list(zip(r.tolist(), range(n)))
        _stl.sort(a, 0, n, comp)
        irows[t] = [p[1] for p in a]
    return back(irows)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    input = to_tensor_arg(input, "input", "sort")
    if isinstance(dim, bool):             # sort(input, stable, dim, descending) overload
        stable, dim = dim, -1
    x, d = _dim_setup(input, dim, "sort", False)
    if x.ndim == 0:
        idx = np.zeros((), np.int64)
        v = x.copy()
    else:
        idx = _sort_indices(x, d, descending, stable)
        v = np.take_along_axis(x, idx, d)
    values = make_tensor(v, input._dtype)
    indices = make_tensor(idx, dtypes.int64)
    if input._rg and _gstate.enabled and out is None:
        record(SortBackward0, values, (input,), (), (x.shape, idx, d))
    return _results("sort", values, indices, out)


def argsort(input, dim=-1, descending=False, stable=False, *, out=None):
    input = to_tensor_arg(input, "input", "argsort")
    x, d = _dim_setup(input, dim, "argsort", False)
    idx = np.zeros((), np.int64) if x.ndim == 0 else _sort_indices(x, d, descending, stable)
    return make_tensor(idx, dtypes.int64) if out is None else write_out(out, idx, dtypes.int64, (), "argsort")


def msort(input, *, out=None):
    input = to_tensor_arg(input, "input", "msort")
    r = sort(input, 0).values
    return r if out is None else write_out(out, r._data, r._dtype, (input,), "msort")


# ---------------------------------------------------------------- topk


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    input = to_tensor_arg(input, "input", "topk")
    x, d = _dim_setup(input, dim, "topk", False)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, dimension {d} has size {n})")
    if x.ndim == 0:
        idx = np.zeros((), np.int64)
    else:
        rows, back = _rows(x, d)
        order = _stable_argsort(rows, 1, largest)
        idx_rows = order[:, :k].astype(np.int64)
        if k and rows.shape[0]:
            s = np.take_along_axis(rows, order[:, :_b.min(k + 1, n)], 1)
            partial = k * 64 <= n
            if not sorted and not partial and rows.size <= _EMULATE_LIMIT:
                todo = np.arange(rows.shape[0])
            else:
                amb = _eq(s[:, 1:k], s[:, :k - 1]).any(1)
                if k < n:
                    amb |= _eq(s[:, k - 1], s[:, k])
                todo = np.nonzero(amb)[0]
            if todo.size:
                ranks = _ranks(rows[todo])
                comp = _gt if largest else _lt
                for t, r in zip(todo, ranks):
                    a = list(zip(r.tolist(), range(n)))
                    if partial:
                        _stl.partial_sort(a, 0, k, n, comp)
                    else:
                        _stl.nth_element(a, 0, k - 1, n, comp)
                        if sorted:
                            _stl.sort(a, 0, k - 1, comp)
                    idx_rows[t] = [p[1] for p in a[:k]]
        idx = back(idx_rows)
    v = np.take_along_axis(x, idx, d) if x.ndim else x.copy()
    values = make_tensor(v, input._dtype)
    indices = make_tensor(idx, dtypes.int64)
    if input._rg and _gstate.enabled and out is None:
        record(TopkBackward0, values, (input,), (), (x.shape, idx, d))
    return _results("topk", values, indices, out)


# ---------------------------------------------------------------- kthvalue, median, nanmedian, mode
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    input = to_tensor_arg(input, "input", "kthvalue")
    x, d = _dim_setup(input, dim, "kthvalue")
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if x.ndim == 0:
        return _selected(input, np.zeros((), np.int64), 0, keepdim, "kthvalue", KthvalueBackward0, out)
    rows, back = _rows(x, d)
    order = _stable_argsort(rows, 1, False)
    sel = order[:, k - 1:k].astype(np.int64)
    if rows.shape[0]:
        kv = np.take_along_axis(rows, sel, 1)
        todo = np.nonzero(_eq(rows, kv).sum(1) > 1)[0]
        if todo.size:
            ranks = _ranks(rows[todo])
            for t, r in zip(todo, ranks):
                a = list(zip(r.tolist(), range(n)))
                _stl.quick_select(a, k - 1, _gt)
                sel[t, 0] = a[k - 1][1]
    return _selected(input, back(sel), d, keepdim, "kthvalue", KthvalueBackward0, out)


def _median_full(input, ignore_nan, op, node):
    x = input._data
    flat = x.reshape(-1)
    if _is_float(flat):
        nan = np.isnan(flat)
        if ignore_nan:
            flat = flat[~nan]
        elif nan.any():
            flat = flat[:0]
            v = np.asarray(np.nan, x.dtype)
            flat = None
    if flat is None:
        pass
    elif flat.size == 0:   # NaN, or for integer dtypes NaN cast to them, as PyTorch (int64: its minimum)
        with np.errstate(invalid="ignore"):
            v = np.asarray(np.nan).astype(x.dtype)
    else:
        m = (flat.size - 1) // 2
        v = np.partition(flat, m)[m] if x.dtype.name != "bfloat16" else np.sort(flat)[m]
        v = np.asarray(v, x.dtype)
    r = make_tensor(v, input._dtype)
    if input._rg and _gstate.enabled:
        record(node, r, (input,), (input, r))
    return r


def _median_dim(input, dim, keepdim, out, ignore_nan, op, node):
    x, d = _dim_setup(input, dim, op)
    _orderable(input, op)
    if x.ndim == 0:
        return _selected(input, np.zeros((), np.int64), 0, keepdim, op, node, out)
    rows, back = _rows(x, d)
    n = rows.shape[1]
    order = _stable_argsort(rows, 1, False)     # NaN last, ties by index: PyTorch's (value, index) order
    if _is_float(rows):
        nan = np.isnan(rows)
        if ignore_nan:
            pos = np.maximum((n - nan.sum(1) - 1) // 2, 0)
        else:
            pos = np.full(rows.shape[0], (n - 1) // 2)
        sel = np.take_along_axis(order, pos[:, None], 1)
        if not ignore_nan:
            has = nan.any(1)
            sel[has, 0] = np.argmax(nan[has], 1)
    else:
        sel = order[:, (n - 1) // 2:(n - 1) // 2 + 1]
    return _selected(input, back(sel.astype(np.int64)), d, keepdim, op, node, out)


def median(input, dim=None, keepdim=False, *, out=None):
    input = to_tensor_arg(input, "input", "median")
    if dim is None:
        if input._data.size:        # PyTorch's kernel returns nan for an empty input before the dtype check
            _orderable(input, "median")
        r = _median_full(input, False, "median", MedianBackward0)
        return r if out is None else write_out(out, r._data, r._dtype, (input,), "median")
    return _median_dim(input, dim, keepdim, out, False, "median", MedianBackward1)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    input = to_tensor_arg(input, "input", "nanmedian")
    if dim is None:
        if input._data.size:
            _orderable(input, "nanmedian")
        r = _median_full(input, True, "nanmedian", NanmedianBackward0)
        return r if out is None else write_out(out, r._data, r._dtype, (input,), "nanmedian")
    return _median_dim(input, dim, keepdim, out, True, "nanmedian", NanmedianBackward1)


def mode(input, dim=-1, keepdim=False, *, out=None):
    input = to_tensor_arg(input, "input", "mode")
    x, d = _dim_setup(input, dim, "mode")
    if x.ndim == 0:
        return _selected(input, np.zeros((), np.int64), 0, keepdim, "mode", ModeBackward0, out)
    rows, back = _rows(x, d)
    R, n = rows.shape
    sel = np.zeros((R, 1), np.int64)
    if R and n:
        s = np.sort(rows.astype(np.float32) if rows.dtype.name == "bfloat16" else rows, 1)
        start = np.ones((R, n), bool)
        start[:, 1:] = s[:, 1:] != s[:, :-1]
        run = np.cumsum(start, 1) - 1
        counts = np.zeros((R, n), np.int64)
        np.add.at(counts, (np.repeat(np.arange(R), n), run.reshape(-1)), 1)
        best = np.argmax(counts, 1)                       # the first (smallest) value of highest count
        pos_start = np.argmax(start & (run == best[:, None]), 1)
        value = s[np.arange(R), pos_start]
        freq = counts[np.arange(R), best]
        hit = rows == value[:, None]
        sel[:, 0] = n - 1 - np.argmax(hit[:, ::-1], 1)    # last occurrence (std::sort is stable for n <= 16)
        todo = np.nonzero(freq > 1)[0] if n > 16 else ()
        if len(todo):
            ranks = _ranks(rows[todo])
            for t, r in zip(todo, ranks):
                a = list(zip(r.tolist(), range(n)))
                _stl.sort(a, 0, n, _lt)
                vr = r[sel[t, 0]]
                last = _b.max(i for i, p in enumerate(a) if p[0] == vr)
                sel[t, 0] = a[last][1]
    return _selected(input, back(sel), d, keepdim, "mode", ModeBackward0, out)


# ---------------------------------------------------------------- unique
_UNIQUE_NODES = {"_unique2": "Unique2Backward0", "unique_dim": "UniqueDimBackward0",
                 "unique_consecutive": "UniqueConsecutiveBackward0"}


def _unique_result(values, input, inverse, counts, return_inverse, return_counts, kernel):
    out = make_tensor(values, input._dtype)
    if _gstate.enabled and input._rg:         # PyTorch records a node that refuses the gradient
        record(refusing_node(kernel, _UNIQUE_NODES[kernel]), out, (input,))
    if not return_inverse and not return_counts:
        return out
    res = [out]
    if return_inverse:
        res.append(make_tensor(np.asarray(inverse, np.int64), dtypes.int64))
    if return_counts:
        res.append(make_tensor(np.asarray(counts, np.int64), dtypes.int64))
    return tuple(res)


def _no_complex_unique(input, kernel):
    if input._dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TORCH_NAMES[input._dtype.name]}'")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    input = to_tensor_arg(input, "input", "unique")
    _no_complex_unique(input, "unique" if dim is None else "unique_dim")
    x = input._data
    flags = (return_inverse, return_counts)
    if dim is None:
        flat = x.reshape(-1)
        vals, inv, cnt = np.unique(flat, return_inverse=True, return_counts=True, equal_nan=False)
        return _unique_result(vals, input, inv.reshape(x.shape), cnt, *flags, "_unique2")
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap(dim, x.ndim, "unique")
    if x.shape[d] == 0:
        return _unique_result(x.copy(), input, np.zeros(0), np.zeros(0), *flags, "unique_dim")
    if x.size == 0:
        raise RuntimeError(f"Number of zero sized dimensions is more than one, so unique cannot be applied")
    vals, inv, cnt = np.unique(x, return_inverse=True, return_counts=True, axis=d, equal_nan=False)
    return _unique_result(vals, input, inv.reshape(-1), cnt, *flags, "unique_dim")


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    input = to_tensor_arg(input, "input", "unique_consecutive")
    _no_complex_unique(input, "unique" if dim is None else "unique_dim")
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        keep = np.ones(flat.shape[0], bool)
        keep[1:] = flat[1:] != flat[:-1]
        inv = (np.cumsum(keep) - 1).reshape(x.shape)
        vals = flat[keep]
    else:
        if x.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap(dim, x.ndim, "unique_consecutive")
        m = np.moveaxis(x, d, 0).reshape(x.shape[d], -1)
        keep = np.ones(m.shape[0], bool)
        keep[1:] = (m[1:] != m[:-1]).any(1)
        inv = np.cumsum(keep) - 1
        vals = np.compress(keep, x, axis=d)
    starts = np.nonzero(keep)[0]
    cnt = np.diff(np.append(starts, keep.shape[0]))
    return _unique_result(vals, input, inv, cnt, return_inverse, return_counts, "unique_consecutive")


# ---------------------------------------------------------------- bincount, histc
def bincount(input, weights=None, minlength=0):
    input = to_tensor_arg(input, "input", "bincount")
    x = input._data
    if input._dtype.category != dtypes._INT:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_TORCH_NAMES[input._dtype.name]}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return make_tensor(np.bincount(x, minlength=minlength).astype(np.int64), dtypes.int64)
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    rt = weights._dtype if weights._dtype in (dtypes.float32, dtypes.float64) else dtypes.float64
    res = np.bincount(x, weights=w.real.astype(np.float64), minlength=minlength)    # complex weights: real parts
    r = make_tensor(res.astype(rt.np), rt)
    if _gstate.enabled and weights._rg:
        record(refusing_node("bincount"), r, (weights,))      # no derivative in PyTorch
    return r


def histc(input, bins=100, min=0, max=0, *, out=None):
    input = to_tensor_arg(input, "input", "histc")
    x = input._data
    if input._dtype.category != _FLOAT:
        raise RuntimeError(f"\"histogram_cpu\" not implemented for '{input._dtype.name.capitalize()}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    ft = x.dtype.type
    lo, hi = ft(min), ft(max)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - ft(1), hi + ft(1)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    flat = x.reshape(-1)
    flat = flat[(flat >= lo) & (flat <= hi)]
    pos = ((flat - lo) / (hi - lo) * ft(bins)).astype(np.int64)
    pos[pos == bins] = bins - 1
    res = np.bincount(pos, minlength=bins).astype(x.dtype)
    if out is not None:
        return write_out(out, res, input._dtype, (), "histc")
    return make_tensor(res, input._dtype)


attach(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, median=median, nanmedian=nanmedian,
       mode=mode, unique=unique, unique_consecutive=unique_consecutive, bincount=bincount, histc=histc)

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
           "unique_consecutive", "bincount", "histc"]
