"""Intra-op parallelism: the pieces of one large array operation on several threads.

NumPy releases the GIL inside its element-wise loops, reductions and copies, so
the slices of one big operation run truly in parallel on ``ember.get_num_threads()``
threads, PyTorch's intra-op setting (PyTorch's own elementwise kernels use every
core it is given). ``set_num_threads(1)`` turns this off.

The workers are plain threads fed through a pair of locks each, not a
``concurrent.futures`` pool: handing a task over costs ~10 us instead of ~40 us,
which sets how small an array can still gain (``MIN_PER_THREAD``). Workers are
made again in a forked child (threads do not survive ``fork``).
"""
import math
import os
import threading

import numpy as np

from .threads import get_num_threads

MIN_PER_THREAD = 1 << 17    # numbers per thread below which a second thread costs more than it saves


class _Worker:
    """One daemon thread that runs the task it is handed, then signals ``done``."""

    def __init__(self):
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._task = None
        self._error = None
        threading.Thread(target=self._loop, name="ember-intraop", daemon=True).start()

    def _loop(self):
        while True:
            self._go.acquire()
            fn, tasks = self._task
            try:
                for task in tasks:
                    fn(*task)
            except BaseException as e:     # handed back to the caller in wait()
                self._error = e
            self._done.release()

    def start(self, fn, tasks):
        self._task = (fn, tasks)
        self._go.release()

    def wait(self):
        self._done.acquire()
        self._task = None
        err, self._error = self._error, None
        if err is not None:
            raise err


_workers = []
_lock = threading.Lock()        # one caller at a time uses the workers; others run serially


def _reset_after_fork():
    global _lock
    _workers.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_after_fork)


def thread_count(numbers):
    """How many threads an operation over ``numbers`` numbers gets. Small work answers 1 before
    asking BLAS its thread count (a ctypes call): this check sits on every op's path."""
    if numbers < 2 * MIN_PER_THREAD:
        return 1
    return min(get_num_threads(), numbers // MIN_PER_THREAD)


def run_tasks(fn, tasks, threads):
    """``fn(*task)`` for every task, dealt round-robin over ``threads`` threads (this one included)."""
    if threads <= 1 or len(tasks) <= 1 or not _lock.acquire(blocking=False):
        for task in tasks:                  # serial: small work, or a worker thread's own nested call
            fn(*task)
        return
    try:
        threads = min(threads, len(tasks))
        while len(_workers) < threads - 1:
            _workers.append(_Worker())
        helpers = _workers[:threads - 1]
        for i, w in enumerate(helpers, 1):
            w.start(fn, tasks[i::threads])
        error = None
        try:
            for task in tasks[0::threads]:
                fn(*task)
        except BaseException as e:
            error = e
        for w in helpers:
            try:
                w.wait()
            except BaseException as e:
                error = error or e
        if error is not None:
            raise error
    finally:
        _lock.release()


def chunks(n, parts):
    """``parts`` (start, stop) ranges covering ``range(n)`` in nearly equal pieces."""
    step, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + step + (i < extra)
        out.append((start, stop))
        start = stop
    return out


# ---------------------------------------------------------------- one large NumPy call, split
# The helpers below run one ufunc call, reduction or scan in pieces along one axis, each piece on its
# own thread, writing into one output. A call below two threads' worth of numbers goes straight to
# NumPy after one size test: the small-tensor path is Python overhead and must stay as it is.
# Worker threads start with NumPy's default error state (np.errstate is per thread), so each piece
# runs under the caller's.

_ndarray = np.ndarray
_SPREAD = 8     # an axis this many times the thread count long splits evenly enough (at most 1/8 idle)


def _split_axis(shape, threads, axes):
    """The axis of ``axes`` to cut ``shape`` along: the first long enough to share evenly, else the
    longest one that gives every thread at least two rows; None when none does. (Never pieces one row
    long: NumPy 2.4's ``negative`` misreads an (n, 1) view written into an (n, 1) view.)"""
    best = None
    for i in axes:
        if shape[i] >= _SPREAD * threads:
            return i
        if shape[i] >= 2 * threads and (best is None or shape[i] > shape[best]):
            best = i
    return best


def _cut(a, ndim, axis, lo, hi):
    """Piece [lo, hi) along output axis ``axis`` of operand ``a`` (broadcast against ``ndim`` dims):
    operands that do not span the axis (missing, or of length 1 there) are passed whole."""
    if a.__class__ is not np.ndarray:
        return a
    i = axis - (ndim - a.ndim)
    if i < 0 or a.shape[i] == 1:
        return a
    return a[(slice(None),) * i + (slice(lo, hi),)]


def _first(a):
    """A 1-element view of array ``a`` (for asking a function its result dtype)."""
    return a[(slice(0, 1),) * a.ndim] if a.__class__ is np.ndarray else a


def _piece(err, fn, args, kw):
    with np.errstate(**err):
        fn(*args, **kw)


def _same_place(a, out):
    return a.shape == out.shape and a.strides == out.strides and a.ctypes.data == out.ctypes.data


def ufunc(f, a, b=None, c=None, out=None):
    """``f(a[, b[, c]], out=out)`` for an elementwise ``f`` (a NumPy ufunc, or any function with a
    ufunc's ``out=``), on several threads when the output is large: the output is cut along one axis
    and every operand that spans that axis with it. Bitwise the serial result. (A fixed number of
    operands: the small-call test then costs ~0.1 us, a ``*args`` loop twice that.)"""
    big = MIN_PER_THREAD << 1
    if out is None and (a.__class__ is not _ndarray or a.size < big) and (
            b.__class__ is not _ndarray or b.size < big) and (c.__class__ is not _ndarray or c.size < big):
        return f(a) if b is None else f(a, b) if c is None else f(a, b, c)
    args = (a,) if b is None else (a, b) if c is None else (a, b, c)
    if out is not None and out.size < big:
        return f(*args, out=out)
    shape = np.broadcast_shapes(*[np.shape(x) for x in args])
    threads = thread_count(math.prod(shape))
    axis = _split_axis(shape, threads, range(len(shape))) if threads > 1 else None
    if out is not None and (out.shape != shape or any(    # NumPy buffers overlapping operands; pieces would race
            x.__class__ is np.ndarray and np.may_share_memory(x, out) and not _same_place(x, out) for x in args)):
        axis = None
    if axis is None:
        return f(*args) if out is None else f(*args, out=out)
    if out is None:
        out = np.empty(shape, f(*[_first(x) for x in args]).dtype)
    nd, err = len(shape), np.geterr()
    tasks = [(err, f, [_cut(x, nd, axis, lo, hi) for x in args], {"out": _cut(out, nd, axis, lo, hi)})
             for lo, hi in chunks(shape[axis], min(threads, shape[axis]))]
    run_tasks(_piece, tasks, threads)
    return out


def _where(condition, x, y, out=None):
    """np.where with a ufunc's ``out=`` (NumPy's has none), so that ``ufunc`` can split it."""
    res = np.where(condition, x, y)
    if out is None:
        return res
    out[...] = res
    return out


def where(condition, x, y):
    """``np.where(condition, x, y)`` on several threads when the result is large."""
    return ufunc(_where, condition, x, y)


def reduce(uf, x, axis=None, keepdims=False, dtype=None):
    """``uf.reduce(x, axis, dtype, keepdims=keepdims)`` (``axis``: None for all, an int or a tuple), on
    several threads when ``x`` is large: cut along a kept axis (each piece reduces its own outputs:
    bitwise the serial result), else along a reduced one (partial results per piece, then combined:
    a sum may round differently)."""
    if x.size < MIN_PER_THREAD << 1 or x.ndim == 0:
        return uf.reduce(x, axis, dtype, keepdims=keepdims)
    threads = thread_count(x.size)
    dims = tuple(range(x.ndim)) if axis is None else (axis % x.ndim,) if axis.__class__ is int else \
        tuple(d % x.ndim for d in axis)
    kept = [i for i in range(x.ndim) if i not in dims]
    cut = _split_axis(x.shape, threads, kept) if threads > 1 else None
    along_kept = cut is not None
    if cut is None and threads > 1:
        cut = _split_axis(x.shape, threads, dims)
    if cut is None:
        return uf.reduce(x, axis, dtype, keepdims=keepdims)
    err = np.geterr()
    pieces = chunks(x.shape[cut], min(threads, x.shape[cut]))
    kshape = tuple(1 if i in dims else s for i, s in enumerate(x.shape))
    if along_kept:
        res = np.empty(kshape, uf.reduce(_first(x), dims, dtype, keepdims=True).dtype)
        run_tasks(_piece, [(err, uf.reduce, (_cut(x, x.ndim, cut, lo, hi), dims, dtype, _cut(res, x.ndim, cut, lo, hi)),
                            {"keepdims": True}) for lo, hi in pieces], threads)
    else:
        partials = [None] * len(pieces)

        def part(i, lo, hi):
            with np.errstate(**err):
                partials[i] = uf.reduce(_cut(x, x.ndim, cut, lo, hi), dims, dtype, keepdims=True)
        run_tasks(part, [(i, lo, hi) for i, (lo, hi) in enumerate(pieces)], threads)
        res = uf.reduce(np.concatenate(partials, cut), cut, dtype, keepdims=True)
    if keepdims:
        return res
    res = res.reshape([s for i, s in enumerate(x.shape) if i not in dims])
    return res[()] if res.ndim == 0 else res      # a full reduction gives a NumPy scalar, as uf.reduce does


def accumulate(uf, x, axis, dtype=None, out=None):
    """``uf.accumulate(x, axis, dtype, out)`` (a scan: cumsum is np.add's), on several threads when ``x``
    is large: cut along another axis when there is a long one (bitwise the serial result), else along
    the scan axis: each piece scans on its own, then the pieces after the first are combined with the
    running total carried from the pieces before them (a sum may round differently)."""
    if x.size < MIN_PER_THREAD << 1 or x.ndim == 0:
        return uf.accumulate(x, axis, dtype, out)
    threads = thread_count(x.size)
    axis %= x.ndim
    cut = _split_axis(x.shape, threads, [i for i in range(x.ndim) if i != axis]) if threads > 1 else None
    if threads == 1 or out is not None and np.may_share_memory(x, out) and not _same_place(x, out) or \
            cut is None and x.shape[axis] < 2 * threads:
        return uf.accumulate(x, axis, dtype, out)
    if out is None:
        out = np.empty(x.shape, uf.accumulate(_first(x), axis, dtype).dtype)
    err, nd = np.geterr(), x.ndim
    if cut is not None:
        run_tasks(_piece, [(err, uf.accumulate, (_cut(x, nd, cut, lo, hi), axis, dtype, _cut(out, nd, cut, lo, hi)),
                            {}) for lo, hi in chunks(x.shape[cut], min(threads, x.shape[cut]))], threads)
        return out
    pieces = chunks(x.shape[axis], threads)
    run_tasks(_piece, [(err, uf.accumulate, (_cut(x, nd, axis, lo, hi), axis, dtype, _cut(out, nd, axis, lo, hi)),
                        {}) for lo, hi in pieces], threads)
    carry = None                           # the total of every piece before this one
    tasks = []
    for lo, hi in pieces:
        if carry is not None:              # this piece's second half pass, in two halves to share it
            for a, b in chunks(hi - lo, 2 if hi - lo >= 4 else 1):
                part = _cut(out, nd, axis, lo + a, lo + b)
                tasks.append((err, uf, (part, carry), {"out": part}))
        last = _cut(out, nd, axis, hi - 1, hi)
        carry = last.copy() if carry is None else uf(carry, last)
    run_tasks(_piece, tasks, threads)
    return out
