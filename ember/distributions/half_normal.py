import math
from numbers import Number

import ember

from . import constraints
from .distribution import Distribution
from .half import Half
from .normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(Half, Distribution):
    """|X| for X ~ Normal(0, scale). PyTorch builds it as a TransformedDistribution of
    ``base_dist`` by abs; the formulas are written out here."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        self.base_dist = Normal(0, scale, validate_args=False)
        batch_shape = ember.Size() if isinstance(scale, Number) else self.base_dist.batch_shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(HalfNormal, _instance)
        batch_shape = ember.Size(batch_shape)
        new.base_dist = self.base_dist.expand(batch_shape)
        super(HalfNormal, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def rsample(self, sample_shape=ember.Size()):
        return self.base_dist.rsample(sample_shape).abs()
