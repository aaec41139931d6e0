"""Running the slices of an update on several threads.

NumPy releases the GIL inside its element-wise loops, so the slices of a large
update (see ``_functional.pieces``) run in parallel on ``ember.get_num_threads()``
threads, PyTorch's intra-op setting: one thread does the work alone when it is 1
or when there is too little work to share. The pool is made again in a forked
child (a pool's threads do not survive ``fork``).
"""
import os
from concurrent.futures import ThreadPoolExecutor

from ..threads import get_num_threads

MIN_PER_THREAD = 1 << 17    # numbers: below this a second thread costs more than it saves

_pool = {}                  # (pid, workers) -> executor


def _executor(workers):
    key = (os.getpid(), workers)
    pool = _pool.get(key)
    if pool is None:
        pool = _pool[key] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ember-optim")
    return pool


def thread_count(numbers):
    """How many threads an update of ``numbers`` numbers gets."""
    return min(get_num_threads(), max(numbers // MIN_PER_THREAD, 1))


def overlapping(arrays):
    """Whether some arrays may share memory (a parameter listed twice, views of one buffer): then their
    updates must run one after the other, in order."""
    return len({id(a if a.base is None else a.base) for a in arrays}) < len(arrays)


def run_slices(kernel, tasks, numbers, serial=False):
    """``kernel(*task)`` for every task; ``numbers`` is the work in all (how many numbers the tasks update).

    Tasks are dealt round-robin to the threads; this thread takes the first share. ``serial``: in order,
    on this thread."""
    threads = 1 if serial else min(thread_count(numbers), len(tasks))
    if threads <= 1:
        for task in tasks:
            kernel(*task)
        return
    futures = [_executor(threads - 1).submit(_run_share, kernel, tasks[i::threads]) for i in range(1, threads)]
    _run_share(kernel, tasks[0::threads])
    for f in futures:
        f.result()


def _run_share(kernel, tasks):
    for task in tasks:
        kernel(*task)
