"""LayerNorm and RMSNorm over the trailing ``normalized_shape`` dimensions."""
import numbers

from .. import init
from .._functional import layer as _layer
from ..parameter import Parameter
from .module import Module, _param

__all__ = ["LayerNorm", "RMSNorm"]


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
