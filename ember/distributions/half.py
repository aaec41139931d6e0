"""What HalfNormal and HalfCauchy share: |X| for X ~ ``base_dist``, a distribution symmetric about 0
with a ``scale``: on [0, inf) the density is twice the base's, the cdf 2 F - 1."""
import math

import ember

__all__ = []


class Half:
    """A mixin for a Distribution that is |X|, X ~ ``self.base_dist`` (symmetric about 0)."""

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    def _log_prob_value(self, value):
        return value

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = self._log_prob_value(value)
        return ember.where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
