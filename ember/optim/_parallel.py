"""Running the slices of an update on several threads (see ``ember/_parallel.py``).

The slices of a large update (``_functional.pieces``) are dealt over the
intra-op threads; one thread does the work alone when ``get_num_threads()`` is 1,
when there is too little work to share, or when parameters overlap in memory.
"""
import numpy as np

from .. import _parallel


def overlapping(arrays):
    """Whether some arrays may share memory (a parameter listed twice, views of one buffer): then their
    updates must run one after the other, in order."""
    return len({id(_owner(a)) for a in arrays}) < len(arrays)


def _owner(a):
    """The array owning ``a``'s memory (through as_strided's holder objects too: complex parameters' real views)."""
    while a.base is not None:
        a = a.base if isinstance(a.base, np.ndarray) else a.base.base
    return a


def run_slices(kernel, tasks, numbers, serial=False):
    """``kernel(*task)`` for every task; ``numbers`` is the work in all (how many numbers the tasks update).
    ``serial``: in order, on this thread."""
    _parallel.run_tasks(kernel, tasks, 1 if serial else _parallel.thread_count(numbers))
