"""GELU's kernels (approximate='none'), blocked for L2; float32 the way PyTorch's CPU kernel computes it.

PyTorch's GELU kernel for float32, and for float16/bfloat16, which it computes in
float32, does not call an accurate erf: its vectorised path (ATen's
Vectorized<float>::erf) is the Abramowitz-Stegun 7.1.26 form (torch.erf itself stays accurate)

    erf(z) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) exp(-z^2),  t = 1 / (1 + p z),  z >= 0,

with the sign of z, and its backward kernel gets Phi(x) = (1 + erf(x/sqrt2)) / 2
from the same form. Measured against exact 0.5 x (1 + erf(x/sqrt2)), torch 2.13's
float32 GELU is up to 1.2e-6 off (about 10 ulp of erf near -1; 14% relative at
x = -5, where its 1 + erf cancels). PyTorch's kernel is the specification, so
ember's float32 GELU uses the same form: twenty cheap SIMD passes, no table
look-ups, 2-3x faster than the accurate float32 erf table kernel it replaces.
Its values are not torch's bit for bit (torch evaluates with FMAs and SLEEF's
exp); they keep A-S's own error (1.5e-7 in erf, 3.3e-7 in gelu) without the
cancellation: with h = erfc(|x|/sqrt2) / 2 = t poly(t) exp(-x^2/2) / 2 (the 1/2 folded into
the coefficients), Phi(x) = h for x < 0 and 1 - h otherwise, so

    gelu(x) = max(x, 0) - |x| h,   gelu'(x) = Phi(x) + x phi(x),   phi(x) = exp(-x^2/2) / sqrt(2 pi).

The float32 backward divides the saved output instead (Phi = gelu(x) / x, half
the passes); half precision, whose output is too coarse, recomputes Phi.
+-inf give NaN, as torch's float32 kernel (|x| h is inf * 0). float64 GELU stays
exact (torch's float64 kernel is exact to 1 ulp); its forward is scipy's erf.

Every pass runs on blocks of ``_BLOCK`` numbers, so it reads data still in L2
rather than streaming the whole array through memory twenty times.
"""
import math

import numpy as np

_BLOCK = 1 << 16      # 256 KB of float32 a buffer: a block's four or five arrays stay in L2
_F = np.float32
_P = _F(0.3275911 / math.sqrt(2.0))                  # p of the form, applied to |x| rather than z = |x|/sqrt2
_HALF_A = tuple(_F(a / 2) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_F2 = (np.float32, np.float32)                       # the scratch of the erf kernels: |x| and t


def _blocks(kernel, arrays, scratch=_F2):
    """kernel(*blocks, *scratch_blocks) over matching ``_BLOCK``-long pieces of flat arrays;
    ``scratch`` gives the dtypes of the block-sized buffers the kernel works in."""
    n = arrays[0].size
    bufs = [np.empty(min(n, _BLOCK), dt) for dt in scratch]
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        kernel(*(a[lo:hi] for a in arrays), *(b[:hi - lo] for b in bufs))


def _half_erfc(a, h, t):
    """h = erfc(a/sqrt2) / 2 for a = |x| (float32 blocks); ``t`` is scratch and ends holding exp(-a^2/2)."""
    np.multiply(a, _P, out=t)
    t += 1
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = _HALF_A
    np.multiply(t, a5, out=h)
    for c in (a4, a3, a2, a1):
        h += c
        h *= t
    np.multiply(a, a, out=t)
    t *= _F(-0.5)
    np.exp(t, out=t)
    h *= t


def _gelu_block(x, out, a, t):
    np.abs(x, out=a)
    _half_erfc(a, out, t)
    out *= a
    np.maximum(x, 0, out=t)
    np.subtract(t, out, out=out)


def gelu32(x, out):
    """out = gelu(x), flat float32 arrays."""
    _blocks(_gelu_block, (x, out))


def _ndtr_block(x, out, a, t):
    np.abs(x, out=a)
    _half_erfc(a, out, t)
    np.subtract(_F(0.5), out, out=out)
    np.copysign(out, x, out=out)
    out += _F(0.5)                                   # 1/2 -+ (1/2 - h): h below 0, 1 - h above (-0.0 gives 1/2)


def ndtr32(x, out):
    """out = Phi(x), flat float32 arrays."""
    _blocks(_ndtr_block, (x, out))


def _grad_block(g, x, out, a, t):
    _ndtr_block(x, out, a, t)                        # leaves exp(-x^2/2) in t, shared with phi
    t *= x
    t *= _F(_INV_SQRT_2PI)
    out += t
    out *= g


def gelu_grad32(g, x, out):
    """out = g gelu'(x) from x alone, flat float32 arrays (g may be float16/bfloat16).

    For half-precision inputs, whose saved GELU output is too coarse to give Phi."""
    _blocks(_grad_block, (g, x, out))


def _grad_from_out_block(g, x, y, out, t, zero):
    np.multiply(x, x, out=t)
    t *= -0.5
    np.exp(t, out=t)
    t *= _INV_SQRT_2PI
    t *= x                                           # x phi(x)
    np.divide(y, x, out=out)                         # Phi(x) = gelu(x) / x: eight passes instead of the erf's twenty
    np.equal(x, 0, out=zero)
    if zero.any():                                   # 0 / 0; a plain divide and this patch take half the time
        np.copyto(out, 0.5, where=zero)              # of a masked divide
    out += t
    out *= g


def gelu_grad_from_out(g, x, y, out):
    """out = g gelu'(x) given y = gelu(x) in x's precision (float32 or float64), flat arrays."""
    _blocks(_grad_from_out_block, (g, x, y, out), (x.dtype, bool))
