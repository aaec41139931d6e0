"""The probs/logits parameter pair that the Bernoulli-trial and categorical distributions share:
exactly one is given, stored (with ``_param`` naming it), and the other derived lazily."""
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = []


class ProbsOrLogits:
    """A mixin for a Distribution parameterised by ``probs`` or ``logits``; ``_is_binary`` says
    whether they are of one event (sigmoid) or over the last dim (softmax)."""

    _is_binary = True

    def _init_probs_or_logits(self, probs, logits, *others):
        """Store the one of probs/logits given, broadcast with ``others`` (returned, in its dtype)."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        *others, param = broadcast_all(*others, given)
        setattr(self, name, param)
        self._param = param
        return [other.type_as(param) for other in others]

    def _expand_probs_or_logits(self, new, shape):
        """Give ``new`` whichever of probs/logits this holds already, expanded to ``shape``."""
        if "probs" in self.__dict__:
            new.probs = new._param = self.probs.expand(shape)
        if "logits" in self.__dict__:
            new.logits = new._param = self.logits.expand(shape)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=self._is_binary)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=self._is_binary)


class ShapedProbsOrLogits(ProbsOrLogits):
    """ProbsOrLogits with PyTorch's ``param_shape``: the shape of the parameter given."""

    @property
    def param_shape(self):
        return self._param.size()


class OfCategorical:
    """A mixin for a Distribution built on a Categorical ``self._categorical``: its parameters."""

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape


class OfRelaxed:
    """A mixin for a relaxed (Concrete) TransformedDistribution: the parameters of its ``base_dist``."""

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
