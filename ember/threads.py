"""Thread settings, as torch.set_num_threads / get_num_threads.

The intra-op thread count is OpenBLAS's (matrix products in NumPy), and the
optimizers split large updates over as many threads. NumPy's wheels ship OpenBLAS with
prefixed symbol names; we find the library NumPy loaded and call its
``set_num_threads`` through ctypes. On a busy two-core machine one thread is
often several times faster than two (the threads spin waiting for each other),
so this knob matters. Without a known BLAS the settings are remembered and
have no effect, as PyTorch's are on a build without OpenMP.
"""
import ctypes
import glob
import os

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_",
            "openblas_get_num_threads")

_blas = None            # (set, get) ctypes functions, found on first use
_interop = [1]


def _loaded_libraries():
    """Paths of NumPy's bundled shared libraries, then those the process has mapped."""
    root = os.path.dirname(np.__file__)
    paths = glob.glob(os.path.join(root + ".libs", "*")) + glob.glob(os.path.join(root, ".dylibs", "*"))
    try:
        with open("/proc/self/maps") as f:
            paths += [line.split()[-1] for line in f if "blas" in line.lower() and "/" in line]
    except OSError:
        pass
    return list(dict.fromkeys(paths))


def _find_blas():
    global _blas
    if _blas is None:
        _blas = (None, None)
        for path in _loaded_libraries():
            if "blas" not in os.path.basename(path).lower():
                continue
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            setter = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
            getter = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
            if setter is not None and getter is not None:
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                _blas = (setter, getter)
                break
    return _blas


_requested = [None]


def _check_count(n, fn):
    if n.__class__ is not int or n < 1:
        raise RuntimeError(f"{fn}: expected a positive integer number of threads, got {n!r}")


def set_num_threads(num_threads):
    """Set the number of threads used for intra-op parallelism (BLAS)."""
    _check_count(num_threads, "set_num_threads")
    _requested[0] = num_threads
    setter, _ = _find_blas()
    if setter is not None:
        setter(num_threads)


def get_num_threads():
    """The number of threads used for intra-op parallelism."""
    _, getter = _find_blas()
    if getter is not None:
        return getter()
    return _requested[0] or os.cpu_count() or 1


def set_num_interop_threads(num_threads):
    """Accepted for compatibility: ember runs ops one after another."""
    _check_count(num_threads, "set_num_interop_threads")
    _interop[0] = num_threads


def get_num_interop_threads():
    return _interop[0]
