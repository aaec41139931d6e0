"""LayerNorm and RMSNorm over the trailing ``normalized_shape`` dimensions, and the legacy CrossMapLRN2d."""
import numbers

import numpy as np

from .. import init
from .._functional import layer as _layer
from ..parameter import Parameter
from .module import Module, _param

__all__ = ["LayerNorm", "RMSNorm", "CrossMapLRN2d"]


def _shape_arg(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (normalized_shape,)
    return tuple(normalized_shape)


def _empty(shape, device, dtype):
    from ...creation import empty
    return empty(shape, device=device, dtype=dtype)


class _TrailingNorm(Module):
    """What LayerNorm and RMSNorm share: the normalized shape, eps, and the affine parameters
    (weight; bias only when ``bias`` is not None, RMSNorm registers none)."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps, elementwise_affine, bias, device, dtype):
        super().__init__()
        self.normalized_shape = _shape_arg(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        affine = [("weight", elementwise_affine)] + ([("bias", elementwise_affine and bias)] if bias is not None else [])
        for name, present in affine:
            if present:
                setattr(self, name, Parameter(_empty(self.normalized_shape, device, dtype)))
            else:
                self.register_parameter(name, None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if getattr(self, "bias", None) is not None:
                init.zeros_(self.bias)


class LayerNorm(_TrailingNorm):
    """(x - mean) / sqrt(var + eps) * weight + bias, statistics over the last len(normalized_shape) dims.

    weight starts at ones and bias at zeros; ``elementwise_affine=False`` has neither, ``bias=False`` no bias.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__(normalized_shape, eps, elementwise_affine, bool(bias), device, dtype)

    def forward(self, input):
        return _layer._norm(input, self.normalized_shape, _param(self, "weight"), _param(self, "bias"), self.eps, True,
                            self)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(_TrailingNorm):
    """x / sqrt(mean(x^2) + eps) * weight over the trailing dims; eps=None uses finfo(input.dtype).eps."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__(normalized_shape, eps, elementwise_affine, None, device, dtype)

    def forward(self, input):
        return _layer._norm(input, self.normalized_shape, _param(self, "weight"), None, self.eps, False, self)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


def _cross_map_lrn2d():
    """The autograd Function of CrossMapLRN2d (made on first use: autograd.Function loads after nn)."""
    from ...autograd import Function
    from ...tensor import make_tensor

    class CrossMapLRN2d(Function):
        # Lua Torch's cross-channel LRN as PyTorch keeps it: the channel window's running sum of squares starts
        # with channels [0, pre_pad) and drops channel c - pre_pad only once c > pre_pad (so a window may hold
        # one channel more than ``size``); the backward is that code's formula, not the exact derivative
        @staticmethod
        def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
            if input.dim() != 4:
                raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
            x = input._data
            sq = x * x
            channels = x.shape[1]
            pre_pad = int((size - 1) / 2 + 1)
            scale = np.empty_like(x)
            scale[:, 0] = sq[:, :min(pre_pad, channels)].sum(1)
            for c in range(1, channels):
                scale[:, c] = scale[:, c - 1]
                if c < channels - pre_pad + 1:
                    scale[:, c] += sq[:, c + pre_pad - 1]
                if c > pre_pad:
                    scale[:, c] -= sq[:, c - pre_pad]
            scale = scale * (alpha / size) + k
            out = make_tensor(np.power(scale, -beta) * x, input._dtype)
            ctx.scale, ctx.size, ctx.alpha, ctx.beta = scale, size, alpha, beta
            ctx.save_for_backward(input, out)
            return out

        @staticmethod
        def backward(ctx, grad_output):
            input, output = ctx.saved_tensors
            x, y, g, scale, size = input._data, output._data, grad_output._data, ctx.scale, ctx.size
            channels = x.shape[1]
            lead = int(size - (size - 1) / 2)
            if lead > size - 1:         # size 1: PyTorch's narrow of its padded buffer fails the same way
                raise RuntimeError(f"start ({lead}) + length ({channels}) exceeds dimension size "
                                   f"({channels + size - 1}).")
            padded = np.zeros((x.shape[0], channels + size - 1) + x.shape[2:], x.dtype)
            padded[:, lead:lead + channels] = g * y / scale
            run = np.concatenate([np.zeros_like(padded[:, :1]), np.cumsum(padded, 1)], 1)
            window = run[:, size:size + channels] - run[:, :channels]      # padded[c : c + size] summed
            grad = np.power(scale, -ctx.beta) * g - (2 * ctx.alpha * ctx.beta / size) * x * window
            return make_tensor(grad.astype(x.dtype, copy=False), input._dtype), None, None, None, None

    return CrossMapLRN2d


class CrossMapLRN2d(Module):
    """Legacy cross-channel local response normalization of (N, C, H, W) input (PyTorch's Lua-Torch port)."""

    _function = None

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        if CrossMapLRN2d._function is None:
            CrossMapLRN2d._function = _cross_map_lrn2d()
        return CrossMapLRN2d._function.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
