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
import os
import threading

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
    """How many threads an operation over ``numbers`` numbers gets."""
    return min(get_num_threads(), max(numbers // MIN_PER_THREAD, 1))


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
