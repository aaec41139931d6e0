"""The table of distributions the tests run, each as PyTorch code on ``lib`` (ember or torch).

A case names how to build the distribution from its parameters, how to draw each
parameter (NumPy arrays, fresh each run, shapes chosen so parameters broadcast), and how
to draw values inside the support for log_prob/cdf (with extra leading sample dims, so
values broadcast against the batch too).
"""
from collections import namedtuple

import numpy as np

from oracle import random_array, rng

Case = namedtuple("Case", "id make params value icdf methods")
# methods: the properties/functions both libraries must agree on, besides log_prob


def _uniform(shape, low, high):
    return lambda dt: random_array(shape, dt, low, high)


def _simplex(shape):
    def draw(dt):
        x = rng().dirichlet(np.ones(shape[-1]), size=shape[:-1])
        return x.astype(dt)
    return draw


def _one_hot(shape):
    def draw(dt):
        idx = rng().integers(0, shape[-1], size=shape[:-1])
        return np.eye(shape[-1], dtype=dt)[idx]
    return draw


def _integers(shape, high):
    return lambda dt: rng().integers(0, high, size=shape).astype(dt)


def _counts(shape, low, high):
    return lambda dt: rng().integers(low, high + 1, size=shape).astype(dt)


def _multinomial_counts(shape, total):
    def draw(dt):
        return rng().multinomial(total, np.ones(shape[-1]) / shape[-1], size=shape[:-1]).astype(dt)
    return draw


def _corr_cholesky(batch, n):
    def draw(dt):
        a = rng().uniform(-1, 1, size=batch + (n, n))
        c = a @ np.swapaxes(a, -1, -2) + np.eye(n)
        d = np.sqrt(np.diagonal(c, axis1=-2, axis2=-1))
        return np.linalg.cholesky(c / d[..., :, None] / d[..., None, :]).astype(dt)
    return draw


def _bits(shape):
    return lambda dt: (rng().random(shape) < 0.5).astype(dt)


def _lower_cholesky(batch, n):
    def draw(dt):
        a = rng().uniform(-0.5, 0.5, size=batch + (n, n))
        lower = np.tril(a, -1) + np.diag(rng().uniform(0.5, 1.5, n))
        return lower.astype(dt)
    return draw


def _spd(batch, n):
    def draw(dt):
        a = rng().uniform(-1, 1, size=batch + (n, n))
        return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dt)
    return draw


_SCALAR = ("mean", "variance", "stddev", "entropy")
_CONTINUOUS = _SCALAR + ("mode", "cdf")

CASES = [
    Case("Normal", lambda lib, loc, scale: lib.distributions.Normal(loc, scale),
         {"loc": _uniform((3,), -2, 2), "scale": _uniform((2, 1), 0.5, 2)}, _uniform((4, 2, 3), -3, 3), True,
         _CONTINUOUS),
    Case("Uniform", lambda lib, low, high: lib.distributions.Uniform(low, high),
         {"low": _uniform((2, 3), -2, -1), "high": _uniform((3,), 1, 2)}, _uniform((4, 2, 3), -1, 1), True,
         _SCALAR + ("cdf",)),
    Case("Exponential", lambda lib, rate: lib.distributions.Exponential(rate),
         {"rate": _uniform((2, 3), 0.5, 2)}, _uniform((4, 1, 3), 0.1, 3), True, _CONTINUOUS),
    Case("Laplace", lambda lib, loc, scale: lib.distributions.Laplace(loc, scale),
         {"loc": _uniform((2, 3), -2, 2), "scale": _uniform((3,), 0.5, 2)}, _uniform((4, 2, 3), -3, 3), True,
         _CONTINUOUS),
    Case("LogNormal", lambda lib, loc, scale: lib.distributions.LogNormal(loc, scale),
         {"loc": _uniform((3,), -1, 1), "scale": _uniform((2, 1), 0.3, 1)}, _uniform((4, 2, 3), 0.1, 3), True,
         _CONTINUOUS),
    Case("Gamma", lambda lib, concentration, rate: lib.distributions.Gamma(concentration, rate),
         {"concentration": _uniform((2, 3), 0.5, 3), "rate": _uniform((3,), 0.5, 2)}, _uniform((4, 2, 3), 0.1, 3),
         False, _SCALAR + ("mode",)),
    Case("Beta", lambda lib, a, b: lib.distributions.Beta(a, b),
         {"a": _uniform((2, 3), 0.5, 3), "b": _uniform((3,), 0.5, 3)}, _uniform((4, 2, 3), 0.05, 0.95), False,
         _SCALAR),
    Case("Beta-mode", lambda lib, a, b: lib.distributions.Beta(a, b),
         {"a": _uniform((2, 3), 1.2, 3), "b": _uniform((3,), 1.2, 3)}, _uniform((2, 3), 0.05, 0.95), False,
         ("mode",)),
    Case("Dirichlet", lambda lib, c: lib.distributions.Dirichlet(c),
         {"c": _uniform((2, 4), 0.5, 3)}, _simplex((3, 2, 4)), False, _SCALAR + ("mode",)),
    Case("Dirichlet-vertex-mode", lambda lib, c: lib.distributions.Dirichlet(c),
         {"c": _uniform((3, 4), 0.2, 0.9)}, _simplex((3, 4)), False, ("mode",)),
    Case("Bernoulli-probs", lambda lib, p: lib.distributions.Bernoulli(probs=p),
         {"p": _uniform((2, 3), 0.1, 0.9)}, _bits((4, 2, 3)), False, _SCALAR + ("mode", "logits")),
    Case("Bernoulli-logits", lambda lib, x: lib.distributions.Bernoulli(logits=x),
         {"x": _uniform((2, 3), -3, 3)}, _bits((4, 1, 3)), False, _SCALAR + ("mode", "probs")),
    Case("Categorical-probs", lambda lib, p: lib.distributions.Categorical(probs=p),
         {"p": _uniform((2, 3, 5), 0.1, 1)}, _integers((4, 2, 3), 5), False, ("entropy", "probs", "logits", "mode")),
    Case("Categorical-logits", lambda lib, x: lib.distributions.Categorical(logits=x),
         {"x": _uniform((3, 4), -3, 3)}, _integers((5, 1), 4), False, ("entropy", "probs", "logits", "mode")),
    Case("OneHotCategorical", lambda lib, p: lib.distributions.OneHotCategorical(probs=p),
         {"p": _uniform((2, 5), 0.1, 1)}, _one_hot((4, 2, 5)), False, _SCALAR[:2] + ("entropy", "mode", "logits")),
    Case("MultivariateNormal-scale_tril", lambda lib, loc, L: lib.distributions.MultivariateNormal(loc, scale_tril=L),
         {"loc": _uniform((2, 3), -1, 1), "L": _lower_cholesky((), 3)}, _uniform((4, 2, 3), -2, 2), False,
         ("mean", "variance", "entropy", "covariance_matrix", "precision_matrix", "scale_tril")),
    Case("MultivariateNormal-covariance", lambda lib, loc, S: lib.distributions.MultivariateNormal(loc, S),
         {"loc": _uniform((3,), -1, 1), "S": _spd((2,), 3)}, _uniform((4, 1, 3), -2, 2), False,
         ("variance", "entropy", "scale_tril", "precision_matrix")),
    Case("MultivariateNormal-precision",
         lambda lib, loc, P: lib.distributions.MultivariateNormal(loc, precision_matrix=P),
         {"loc": _uniform((2, 4), -1, 1), "P": _spd((2,), 4)}, _uniform((3, 2, 4), -2, 2), False,
         ("variance", "entropy", "scale_tril", "covariance_matrix")),
    Case("Independent-Normal",
         lambda lib, loc, scale: lib.distributions.Independent(lib.distributions.Normal(loc, scale), 1),
         {"loc": _uniform((2, 3), -2, 2), "scale": _uniform((3,), 0.5, 2)}, _uniform((4, 2, 3), -3, 3), False,
         ("mean", "variance", "entropy")),
    Case("Cauchy", lambda lib, loc, scale: lib.distributions.Cauchy(loc, scale),
         {"loc": _uniform((2, 3), -2, 2), "scale": _uniform((3,), 0.5, 2)}, _uniform((4, 2, 3), -3, 3), True,
         _CONTINUOUS),
    Case("HalfNormal", lambda lib, scale: lib.distributions.HalfNormal(scale),
         {"scale": _uniform((2, 3), 0.5, 2)}, _uniform((4, 2, 3), 0.01, 3), True, _CONTINUOUS),
    Case("Chi2", lambda lib, df: lib.distributions.Chi2(df),
         {"df": _uniform((2, 3), 0.5, 6)}, _uniform((4, 2, 3), 0.1, 5), False, _SCALAR + ("mode", "df")),
    Case("StudentT", lambda lib, df, loc, scale: lib.distributions.StudentT(df, loc, scale),
         {"df": _uniform((2, 3), 0.5, 5), "loc": _uniform((3,), -1, 1), "scale": _uniform((2, 1), 0.5, 2)},
         _uniform((4, 2, 3), -3, 3), False, _SCALAR + ("mode",)),
    Case("Poisson", lambda lib, rate: lib.distributions.Poisson(rate),
         {"rate": _uniform((2, 3), 0.5, 5)}, _counts((4, 2, 3), 0, 8), False, _SCALAR[:3] + ("mode",)),
    Case("Geometric-probs", lambda lib, p: lib.distributions.Geometric(probs=p),
         {"p": _uniform((2, 3), 0.1, 0.9)}, _counts((4, 2, 3), 0, 6), False, _SCALAR + ("mode", "logits")),
    Case("Geometric-logits", lambda lib, x: lib.distributions.Geometric(logits=x),
         {"x": _uniform((3,), -2, 2)}, _counts((4, 1, 3), 0, 6), False, _SCALAR + ("probs",)),
    Case("Binomial-probs", lambda lib, p: lib.distributions.Binomial(6, probs=p),
         {"p": _uniform((2, 3), 0.1, 0.9)}, _counts((4, 2, 3), 0, 6), False, _SCALAR + ("mode", "logits")),
    Case("Binomial-counts-logits", lambda lib, n, x: lib.distributions.Binomial(n, logits=x),
         {"n": _counts((2, 3), 5, 9), "x": _uniform((3,), -2, 2)}, _counts((4, 2, 3), 0, 5), False,
         _SCALAR[:3] + ("mode", "probs")),
    Case("MixtureSameFamily-Normal",
         lambda lib, w, loc, scale: lib.distributions.MixtureSameFamily(
             lib.distributions.Categorical(logits=w), lib.distributions.Normal(loc, scale)),
         {"w": _uniform((2, 4), -1, 1), "loc": _uniform((2, 4), -2, 2), "scale": _uniform((4,), 0.5, 2)},
         _uniform((5, 2), -3, 3), False, ("mean", "variance", "cdf")),
    Case("MixtureSameFamily-Independent",
         lambda lib, w, loc, scale: lib.distributions.MixtureSameFamily(
             lib.distributions.Categorical(logits=w),
             lib.distributions.Independent(lib.distributions.Normal(loc, scale), 1)),
         {"w": _uniform((3,), -1, 1), "loc": _uniform((3, 2), -2, 2), "scale": _uniform((3, 2), 0.5, 2)},
         _uniform((5, 2), -3, 3), False, ("mean", "variance")),
    Case("Transformed-Tanh",
         lambda lib, loc, scale: lib.distributions.TransformedDistribution(
             lib.distributions.Normal(loc, scale), [lib.distributions.TanhTransform()]),
         {"loc": _uniform((3,), -1, 1), "scale": _uniform((2, 1), 0.5, 2)}, _uniform((4, 2, 3), -0.9, 0.9), True,
         ("cdf",)),
    Case("Transformed-Affine-Exp",
         lambda lib, loc, scale: lib.distributions.TransformedDistribution(
             lib.distributions.Normal(loc, scale),
             [lib.distributions.AffineTransform(0.5, -1.5), lib.distributions.ExpTransform()]),
         {"loc": _uniform((2, 3), -1, 1), "scale": _uniform((3,), 0.5, 1)}, _uniform((4, 2, 3), 0.1, 3), True,
         ("cdf",)),
    Case("Transformed-StickBreaking",
         lambda lib, loc, scale: lib.distributions.TransformedDistribution(
             lib.distributions.Normal(loc, scale), lib.distributions.StickBreakingTransform()),
         {"loc": _uniform((2, 3), -1, 1), "scale": _uniform((3,), 0.5, 1)}, _simplex((3, 2, 4)), False, ()),
    # values within a few scales of loc: the cdf goes through the base Uniform, whose support
    # [tiny, 1 - eps] a doubly exponential tail leaves (in both libraries)
    Case("Gumbel", lambda lib, loc, scale: lib.distributions.Gumbel(loc, scale),
         {"loc": _uniform((2, 3), -1, 1), "scale": _uniform((3,), 1, 2)}, _uniform((4, 2, 3), -2, 2), True,
         _CONTINUOUS),
    Case("RelaxedBernoulli", lambda lib, t, p: lib.distributions.RelaxedBernoulli(t, probs=p),
         {"t": _uniform((), 0.3, 2), "p": _uniform((2, 3), 0.1, 0.9)}, _uniform((4, 2, 3), 0.05, 0.95), False,
         ("logits",)),
    Case("LogitRelaxedBernoulli",
         lambda lib, t, x: lib.distributions.relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=x),
         {"t": _uniform((2, 1), 0.3, 2), "x": _uniform((3,), -2, 2)}, _uniform((4, 2, 3), -3, 3), False, ("probs",)),
    Case("RelaxedOneHotCategorical", lambda lib, t, x: lib.distributions.RelaxedOneHotCategorical(t, logits=x),
         {"t": _uniform((), 0.3, 2), "x": _uniform((2, 4), -2, 2)}, _simplex((3, 2, 4)), False, ("probs",)),
    Case("ExpRelaxedCategorical",
         lambda lib, t, p: lib.distributions.relaxed_categorical.ExpRelaxedCategorical(t, probs=p),
         {"t": _uniform((), 0.3, 2), "p": _uniform((2, 4), 0.1, 1)},
         lambda dt: np.log(_simplex((3, 2, 4))(dt)), False, ("logits",)),
    Case("Multinomial", lambda lib, p: lib.distributions.Multinomial(7, probs=p),
         {"p": _uniform((2, 4), 0.1, 1)}, _multinomial_counts((3, 2, 4), 7), False,
         ("mean", "variance", "entropy", "logits")),
    Case("HalfCauchy", lambda lib, scale: lib.distributions.HalfCauchy(scale),
         {"scale": _uniform((2, 3), 0.5, 2)}, _uniform((4, 2, 3), 0.01, 3), True, _CONTINUOUS),
    Case("Pareto", lambda lib, scale, alpha: lib.distributions.Pareto(scale, alpha),
         {"scale": _uniform((2, 3), 0.2, 0.9), "alpha": _uniform((3,), 0.5, 4)}, _uniform((4, 2, 3), 1, 4), True,
         _CONTINUOUS),
    Case("Weibull", lambda lib, scale, k: lib.distributions.Weibull(scale, k),
         {"scale": _uniform((2, 3), 0.5, 2), "k": _uniform((3,), 0.5, 3)}, _uniform((4, 2, 3), 0.1, 3), True,
         _CONTINUOUS),
    Case("InverseGamma", lambda lib, c, rate: lib.distributions.InverseGamma(c, rate),
         {"c": _uniform((2, 3), 0.5, 4), "rate": _uniform((3,), 0.5, 2)}, _uniform((4, 2, 3), 0.1, 3), False,
         _SCALAR + ("mode",)),
    Case("LogisticNormal", lambda lib, loc, scale: lib.distributions.LogisticNormal(loc, scale),
         {"loc": _uniform((2, 3), -1, 1), "scale": _uniform((3,), 0.5, 1)}, _simplex((3, 2, 4)), False, ()),
    Case("NegativeBinomial-probs", lambda lib, n, p: lib.distributions.NegativeBinomial(n, probs=p),
         {"n": _uniform((2, 3), 0.5, 5), "p": _uniform((3,), 0.1, 0.9)}, _counts((4, 2, 3), 0, 8), False,
         _SCALAR[:3] + ("mode", "logits")),
    Case("NegativeBinomial-logits", lambda lib, x: lib.distributions.NegativeBinomial(3.0, logits=x),
         {"x": _uniform((2, 3), -2, 1)}, _counts((4, 2, 3), 0, 8), False, _SCALAR[:3] + ("probs",)),
    Case("LowRankMultivariateNormal",
         lambda lib, loc, W, d: lib.distributions.LowRankMultivariateNormal(loc, W, d),
         {"loc": _uniform((2, 4), -1, 1), "W": _uniform((4, 2), -1, 1), "d": _uniform((2, 4), 0.5, 2)},
         _uniform((3, 2, 4), -2, 2), False,
         ("variance", "entropy", "scale_tril", "covariance_matrix", "precision_matrix")),
    Case("Kumaraswamy", lambda lib, a, b: lib.distributions.Kumaraswamy(a, b),
         {"a": _uniform((2, 3), 0.5, 3), "b": _uniform((3,), 0.5, 3)}, _uniform((4, 2, 3), 0.05, 0.95), True,
         _SCALAR + ("mode", "cdf")),
    Case("FisherSnedecor", lambda lib, d1, d2: lib.distributions.FisherSnedecor(d1, d2),
         {"d1": _uniform((2, 3), 1, 6), "d2": _uniform((3,), 1, 8)}, _uniform((4, 2, 3), 0.1, 3), False,
         ("mean", "variance", "mode")),
    # probs away from 1/2 outside the Taylor band: 1 / (2p - 1) there magnifies float32 rounding (torch's own
    # float32 variance gradient is off by 1e-4 relative at p = 0.3-0.35, and the test failed 1 run in ~20)
    Case("ContinuousBernoulli-probs", lambda lib, p: lib.distributions.ContinuousBernoulli(probs=p),
         {"p": _uniform((2, 3), 0.05, 0.28)}, _uniform((4, 2, 3), 0.02, 0.98), True,
         _SCALAR + ("cdf", "logits")),
    Case("ContinuousBernoulli-near-half", lambda lib, x: lib.distributions.ContinuousBernoulli(logits=x),
         {"x": _uniform((3,), -0.003, 0.003)}, _uniform((4, 3), 0.02, 0.98), True, _SCALAR + ("cdf", "probs")),
    Case("VonMises", lambda lib, loc, k: lib.distributions.VonMises(loc, k),
         {"loc": _uniform((2, 3), -3, 3), "k": _uniform((3,), 0.5, 6)}, _uniform((4, 2, 3), -3, 3), False,
         ("mean", "variance")),
    Case("GeneralizedPareto", lambda lib, loc, scale, c: lib.distributions.GeneralizedPareto(loc, scale, c),
         {"loc": _uniform((2, 3), -1, 0), "scale": _uniform((3,), 0.5, 2), "c": _uniform((3,), 0.05, 0.9)},
         _uniform((4, 2, 3), 0.1, 3), True, _SCALAR + ("mode", "cdf")),
    Case("LKJCholesky", lambda lib, c: lib.distributions.LKJCholesky(3, c),
         {"c": _uniform((2,), 0.5, 3)}, _corr_cholesky((4, 2), 3), False, ()),
    Case("Wishart-scale_tril", lambda lib, df, L: lib.distributions.Wishart(df, scale_tril=L),
         {"df": _uniform((2,), 3, 6), "L": _lower_cholesky((), 3)}, _spd((4, 2), 3), False,
         ("mean", "variance", "entropy", "mode", "covariance_matrix", "precision_matrix")),
    Case("Wishart-covariance", lambda lib, df, S: lib.distributions.Wishart(df, covariance_matrix=S),
         {"df": _uniform((), 3, 6), "S": _spd((2,), 3)}, _spd((4, 2), 3), False,
         ("mean", "variance", "entropy", "scale_tril", "precision_matrix")),
    Case("Wishart-precision", lambda lib, df, P: lib.distributions.Wishart(df, precision_matrix=P),
         {"df": _uniform((2,), 4, 7), "P": _spd((), 3)}, _spd((3, 1), 3), False,
         ("mean", "entropy", "scale_tril", "covariance_matrix")),
]
