from numbers import Number

import numpy as np

import ember
from ember.autograd.formulas import define
from ember.ops._common import _gstate, make_tensor, node_class, record

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


# ------------------------------------------------------------------ standard gamma samples, reparameterised
def _standard_gamma_grad_array(alpha, x):
    """dx/dalpha of a Gamma(alpha, 1) sample x at a fixed CDF value u = P(alpha, x) (implicit
    reparameterisation): -(dP/dalpha) / (dP/dx). dP/dalpha by a central difference of the
    regularised incomplete gamma function (scipy has no closed form); dP/dx is the density."""
    from scipy import special        # on first use: scipy.special costs ~0.5 s to import
    a, xx = alpha.astype(np.float64), x.astype(np.float64)
    h = 1e-5 * a
    dp_da = (special.gammainc(a + h, xx) - special.gammainc(a - h, xx)) / (2 * h)
    log_pdf = (a - 1) * np.log(xx) - xx - special.gammaln(a)
    pdf = np.exp(log_pdf)
    grad = np.where(pdf > 0, -dp_da / np.where(pdf > 0, pdf, 1.0), 0.0)
    return grad.astype(alpha.dtype)


def _standard_gamma_grad_tensor(alpha, x):
    # treated as a constant under create_graph (PyTorch's _standard_gamma_grad has no derivative either)
    return make_tensor(_standard_gamma_grad_array(alpha._data, x._data), alpha.dtype)


define("standard_gamma_grad", _standard_gamma_grad_array, _standard_gamma_grad_tensor)
StandardGammaBackward0 = node_class("StandardGammaBackward0",
                                    lambda F, g, alpha, x: g * F.standard_gamma_grad(alpha, x))


def _standard_gamma(concentration):
    """Samples of Gamma(concentration, 1) from ember's generator, differentiable in concentration."""
    from ember.random import _rng
    a = np.asarray(concentration._data)
    x = np.asarray(_rng(None).standard_gamma(a.astype(np.float64))).astype(a.dtype)   # 0-d: a float
    np.maximum(x, np.finfo(a.dtype).tiny, out=x)       # never exactly 0, so logs stay finite
    out = make_tensor(x, concentration.dtype)
    if concentration.requires_grad and _gstate.enabled:
        record(StandardGammaBackward0, out, (concentration,), (concentration, out))
    return out


# ------------------------------------------------------------------ the regularised lower incomplete gamma
def _igamma_formula(F, g, a, x, lgamma_a, a_requires_grad):
    if a_requires_grad:
        raise RuntimeError("the derivative for 'igamma: input' is not implemented.")
    return None, g * F.exp((a - 1) * F.log(x) - x - lgamma_a)     # the gamma density at x


IgammaBackward0 = node_class("IgammaBackward0", _igamma_formula)


def _gammainc(a, x):
    """P(a, x) of same-shaped tensors, differentiable in x (as PyTorch's, whose derivative in a is missing)."""
    from scipy import special
    a, x = ember.broadcast_tensors(a, x)
    out = make_tensor(special.gammainc(a._data, x._data).astype(a._data.dtype), a.dtype)
    if (a.requires_grad or x.requires_grad) and _gstate.enabled:
        record(IgammaBackward0, out, (a, x), (a, x, ember.lgamma(a)), (a.requires_grad,))
    return out


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, Number) and isinstance(rate, Number)
        super().__init__(ember.Size() if scalar else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = ember.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        return _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value):
        value = ember.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate) + ember.xlogy(self.concentration - 1, value)
                - self.rate * value - ember.lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - ember.log(self.rate) + ember.lgamma(self.concentration)
                + (1.0 - self.concentration) * ember.digamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return _gammainc(self.concentration, self.rate * value)

    @property
    def _natural_params(self):
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x, y):
        return ember.lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())
