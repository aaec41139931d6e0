"""Max, sum and dot product of each row of a 2-D array, and the L2-sized blocks of rows they run in.

The fused row kernels (softmax, log_softmax; layer_norm and rms_norm take the sums) reduce short rows:
64 scores of an attention row, 128 features of a GPT layer. NumPy's own reductions
over a short last axis run their inner loop once per row, so at rows of 64 ``x.max(1)``
costs ~4 elementwise passes and ``x.sum(1)`` ~3 (ad hoc, one thread, 64k float32). Here:

- rowmax is a tree of np.maximum over adjacent pairs of columns. With an even row
  length the pairs of all rows are ``flat[0::2]`` and ``flat[1::2]``, one strided 1-D
  loop with no per-row calls, so a level costs about a pass over what is left:
  ~3x faster than ``x.max(1)`` at rows of 64 and 128 (odd widths fold their last
  column into the first). From 256 numbers a row NumPy's per-row loop wins and is used.
  Bitwise the same maxima; a NaN in a row gives NaN, as np.maximum and torch's max do.
- rowsum and rowdot are np.einsum: ~3x faster than ``x.sum(1)`` at rows of 64, and a
  dot product without the product's temporary. einsum sums in SIMD lanes, torch's
  vectorised kernels' order, not NumPy's pairwise one: as accurate for short rows,
  ~1e-7 relative on rows of millions of float32.

``by_blocks`` runs a kernel over blocks of about ``BLOCK`` numbers of rows, so the
passes of one block read data still in L2 instead of streaming the whole array
through memory once a pass; the intra-op threads take slices of rows (``_rows.rowwise``).
"""
import numpy as np

from ._rows import rowwise

BLOCK = 1 << 16      # 256 KB of float32 a block: a kernel's block arrays and temporaries stay in L2
_TREE_BELOW = 256    # row lengths below which the pairwise tree beats NumPy's per-row max


def by_blocks(kernel, arrays, args=()):
    """kernel(*blocks, *args) over matching blocks of rows of the 2-D ``arrays`` (None entries pass as None),
    each intra-op thread taking a slice of the rows; the kernel's results, one a block, in row order."""
    if arrays[0].size <= BLOCK:         # one block anyway: no thread or block bookkeeping (small batches)
        return [kernel(*arrays, *args)]
    return [r for part in rowwise(_in_blocks, arrays, (kernel, args)) for r in part]


def _in_blocks(*slices_kernel_args):
    *arrays, kernel, args = slices_kernel_args
    step = max(BLOCK // max(arrays[0].shape[1], 1), 1)
    return [kernel(*(None if a is None else a[lo:lo + step] for a in arrays), *args)
            for lo in range(0, max(len(arrays[0]), 1), step)]           # row-less arrays: one empty block


def rowmax(x):
    """Max of each row of a C-contiguous 2-D array with at least one column (a new 1-D array)."""
    n, d = x.shape
    if d >= _TREE_BELOW:
        return x.max(axis=1)
    h = x
    while d > 1:
        half = d // 2
        if d % 2 == 0:
            flat = h.reshape(-1)            # every level's result is C-contiguous, as x is
            p = np.maximum(flat[0::2], flat[1::2]).reshape(n, half)
        else:
            p = np.maximum(h[:, 0:d - 1:2], h[:, 1:d - 1:2])
            np.maximum(p[:, 0], h[:, d - 1], out=p[:, 0])
        h, d = p, half
    return h.reshape(n) if h is not x else x.reshape(n).copy()


def rowsum(x):
    """Sum of each row of a 2-D array."""
    return np.einsum("ij->i", x)


def rowmean(x):
    """Mean of each row of a 2-D array."""
    m = rowsum(x)
    m *= 1.0 / max(x.shape[1], 1)
    return m


def rowdot(a, b):
    """Dot product of matching rows of two 2-D arrays."""
    return np.einsum("ij,ij->i", a, b)
