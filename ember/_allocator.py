"""Tuning of glibc's malloc for the large, short-lived arrays a training step makes.

A step allocates and frees many arrays of a few hundred KB to a few MB (activations, gradients,
kernel temporaries). glibc serves each one above its mmap threshold with a fresh mmap and gives it
back with munmap on free, or trims the heap top back to the OS: the next array of that size then
faults its pages in again, one minor page fault per 4 KB. The GPT benchmark step took ~14,000 of
them (about 2 us each here): 231-242 ms a step at two threads, against 189-213 ms with the
thresholds below (three alternating runs each, ad hoc; peak RSS the same, 168-171 MB).

So ``import ember`` raises the mmap threshold to glibc's largest (32 MB: bigger arrays still get
their own mapping) and keeps up to 256 MB of freed heap for reuse before trimming, as setting
MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ would at start-up. Where the user set either
variable, or on another C library or platform, malloc is left alone.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1      # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20


def tune():
    """Set the thresholds; returns whether they were set."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ \
            or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):   # not glibc (musl, ...)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
