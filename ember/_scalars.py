"""Python numbers as cached read-only 0-d arrays, for the hot elementwise paths.

NumPy 2 converts a Python number operand to the array's dtype ("weak" scalar, NEP 50) and then runs
the same loop as for a 0-d array of that dtype, so ``x * 1.5`` and ``x * array(1.5, x.dtype)`` are
bitwise equal. The conversion costs about 3,000 instructions a call (as much as the multiply of a
small array itself), and ``x * 1.0001``, ``x + 0.5``, ``g * lr`` repeat the same few numbers every
step: each is converted once and kept in its dtype's ``weak_numbers``. Call sites look there first
(``dt.weak_numbers.get(v) or weak(v, dt)``: a dict lookup, no call) and come here on a miss.
"""
import numpy as np

_LIMIT = 256        # numbers kept per dtype; beyond that the dtype's cache starts again


def weak(v, dt):
    """``v`` (a Python int or float) as a 0-d array of ember dtype ``dt``, cached; or ``v`` itself where
    caching would be wrong: NaN (never equal to itself, so never found) and zeros (0.0 == -0.0, so
    the two would share an entry)."""
    cache = dt.weak_numbers
    a = cache.get(v)
    if a is None:
        if v != v or v == 0:
            return v
        if len(cache) >= _LIMIT:
            cache.clear()
        a = np.array(v, dt.np)
        a.flags.writeable = False
        cache[v] = a
    return a
