"""Dropout layers: random in training mode, the identity in eval mode (``module.eval()``)."""
from .._functional import layer as _layer
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]
    _alpha = _feature = False
    _op = "dropout"

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return _layer._dropout(input, self.p, self.training, self.inplace, self._alpha, self._feature, self._op,
                               self)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p, scale the rest by 1/(1-p)."""


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU's zero mean and unit variance."""
    _alpha = True
    _op = "alpha_dropout"


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of (N, C, *) inputs."""
    _alpha = _feature = True
    _op = "feature_alpha_dropout"


class _ChannelDropout(_DropoutNd):
    _spatial = 1

    def forward(self, input):
        return _layer._channel_dropout(input, self.p, self.training, self.inplace, self._spatial, self)


class Dropout1d(_ChannelDropout):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""


class Dropout2d(_ChannelDropout):
    """Zero whole channels of (N, C, H, W) inputs."""
    _spatial = 2


class Dropout3d(_ChannelDropout):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _spatial = 3
