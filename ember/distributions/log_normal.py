from numbers import Number

import ember

from . import constraints
from .distribution import Distribution
from .normal import Normal
from .utils import broadcast_all

__all__ = ["LogNormal"]


class LogNormal(Distribution):
    """exp(X) for X ~ Normal(loc, scale). PyTorch builds it as a TransformedDistribution of
    ``base_dist`` (a Normal) by exp; here the few formulas that needs are written out."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(*broadcast_all(loc, scale), validate_args=validate_args)
        batch_shape = (ember.Size() if isinstance(loc, Number) and isinstance(scale, Number)
                       else self.base_dist.batch_shape)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogNormal, _instance)
        batch_shape = ember.Size(batch_shape)
        new.base_dist = self.base_dist.expand(batch_shape)
        super(LogNormal, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def rsample(self, sample_shape=ember.Size()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        # the base density at log(value) with the change of variables' log|d log(y)/dy| = -log(y)
        if self._validate_args:
            self._validate_sample(value)
        y = value.log()
        return self.base_dist.log_prob(y) - y

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.base_dist.cdf(value.log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc
