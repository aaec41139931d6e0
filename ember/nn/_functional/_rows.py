"""Running a fused kernel over slices of its rows, on the intra-op threads (``ember/_parallel.py``).

A fused kernel (softmax, layer_norm, GELU, dropout, pooling, the im2col copies) treats
the slices of one axis independently: each row of a softmax, each sample of a pooling.
Written as ``kernel(*slices, *args)`` that reads its inputs' slices and writes its
outputs' slices in place, it runs here on matching slices of every operand, one slice
per thread; NumPy releases the GIL in its loops, so the slices run truly in parallel.
Below ``MIN_PER_THREAD`` numbers a thread, or with ``set_num_threads(1)``, the kernel
runs once on the whole arrays, with no slicing at all. NumPy's error state is per
thread, so each slice runs under the caller's (a worker would otherwise warn where
the caller ignores).
"""
import numpy as np

from ... import _parallel


def other_axis(ndim, axis):
    """An axis to slice when the kernel reduces along ``axis`` (None: a 1-d array has no other)."""
    if axis != 0:
        return 0
    return 1 if ndim > 1 else None


def rowwise(kernel, arrays, args=(), axis=0):
    """``kernel(*slices, *args)`` over matching slices along ``axis`` of ``arrays`` (None entries pass as None).

    The arrays share their length along ``axis``; ``args`` go to every call unsliced (weights, scalars).
    Returns the kernel's results, one per slice in order (partial sums the caller adds up)."""
    first = arrays[0]
    n = first.shape[axis] if axis is not None and axis < first.ndim else 0
    threads = min(_parallel.thread_count(first.size), n)
    if threads <= 1:
        return [kernel(*arrays, *args)]
    lead = (slice(None),) * axis
    results = [None] * threads
    err = np.geterr()

    def part(i, lo, hi):
        cut = lead + (slice(lo, hi),)
        with np.errstate(**err):
            results[i] = kernel(*(None if a is None else a[cut] for a in arrays), *args)

    _parallel.run_tasks(part, [(i,) + span for i, span in enumerate(_parallel.chunks(n, threads))], threads)
    return results


def contiguous(a, axis=0):
    """A C-contiguous copy of ``a`` (a transposed view, say), made by slices of ``axis`` on the threads."""
    out = np.empty(a.shape, a.dtype)
    rowwise(np.copyto, (out, a), axis=axis)
    return out


def add_rows(out, b):
    """out += b in place, on the threads when b broadcasts against each row of out (a bias)."""
    if b.ndim < out.ndim:
        rowwise(_iadd, (out,), (b,))
    else:
        out += b


def _iadd(out, b):
    out += b
