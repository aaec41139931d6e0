"""What the location-scale distributions (Normal, Laplace, Cauchy) share: constraints, construction
and expand; and the mean and mode of the distributions centred at ``loc``."""
import ember

from . import constraints
from .utils import broadcast_all

__all__ = []


class LocScale:
    """A mixin for a reparameterisable Distribution on the reals given by ``loc`` and ``scale`` alone,
    broadcast together."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        # the distribution class itself (Normal, say), not this mixin, is what a subclass with its own
        # __init__ is checked against and named by
        cls = next(c for c in reversed(type(self).__mro__) if issubclass(c, LocScale) and c is not LocScale)
        new = self._get_checked_instance(cls, _instance)
        batch_shape = ember.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        super(LocScale, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new


class CentredAtLoc:
    """A mixin for a Distribution symmetric and unimodal about ``loc``: that is its mean and mode."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc
