"""Sampling: shapes and dtypes as torch's, reproducibility under ember.manual_seed, sample
moments against the distribution's own (torch-checked) mean and variance, and the
reparameterisation: the gradient of a Monte-Carlo average of rsample equals the gradient
of the exact expectation (E[x] and E[x^2] = variance + mean^2).

ember's streams are not torch's, so samples are compared in distribution, with a fixed
seed (deterministic) and tolerances of several standard errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import to_ember, to_torch

N = 40000


def _params(seed, dtype):
    r = np.random.default_rng(seed)
    u = lambda shape, lo, hi: r.uniform(lo, hi, shape).astype(dtype)     # noqa: E731
    L = np.tril(r.uniform(-0.4, 0.4, (3, 3)), -1) + np.diag(r.uniform(0.6, 1.2, 3))
    return {
        "Normal": (lambda D, loc, scale: D.Normal(loc, scale), {"loc": u((3,), -2, 2), "scale": u((2, 1), 0.5, 2)}),
        "Uniform": (lambda D, low, high: D.Uniform(low, high), {"low": u((2, 3), -2, -1), "high": u((3,), 1, 2)}),
        "Exponential": (lambda D, rate: D.Exponential(rate), {"rate": u((2, 3), 0.5, 2)}),
        "Laplace": (lambda D, loc, scale: D.Laplace(loc, scale), {"loc": u((2, 3), -2, 2), "scale": u((3,), 0.5, 2)}),
        "LogNormal": (lambda D, loc, scale: D.LogNormal(loc, scale),
                      {"loc": u((3,), -1, 1), "scale": u((2, 1), .2, .4)}),
        "Gamma": (lambda D, c, rate: D.Gamma(c, rate), {"c": u((2, 3), 0.3, 4), "rate": u((3,), 0.5, 2)}),
        "Beta": (lambda D, a, b: D.Beta(a, b), {"a": u((2, 3), 0.5, 3), "b": u((3,), 0.5, 3)}),
        "Dirichlet": (lambda D, c: D.Dirichlet(c), {"c": u((2, 4), 0.5, 3)}),
        "MultivariateNormal": (lambda D, loc, L: D.MultivariateNormal(loc, scale_tril=L),
                               {"loc": u((2, 3), -1, 1), "L": L.astype(dtype)}),
        "Independent": (lambda D, loc, scale: D.Independent(D.Normal(loc, scale), 2),
                        {"loc": u((2, 3), -2, 2), "scale": u((3,), 0.5, 2)}),
        "HalfNormal": (lambda D, scale: D.HalfNormal(scale), {"scale": u((2, 3), 0.5, 2)}),
        "Chi2": (lambda D, df: D.Chi2(df), {"df": u((2, 3), 0.5, 6)}),
        "StudentT": (lambda D, df, loc, scale: D.StudentT(df, loc, scale),
                     {"df": u((2, 3), 6, 9), "loc": u((3,), -1, 1), "scale": u((2, 1), 0.5, 2)}),
        "Cauchy": (lambda D, loc, scale: D.Cauchy(loc, scale), {"loc": u((2, 3), -2, 2), "scale": u((3,), 0.5, 2)}),
        "Poisson": (lambda D, rate: D.Poisson(rate), {"rate": u((2, 3), 0.5, 5)}),
        "Geometric": (lambda D, p: D.Geometric(probs=p), {"p": u((2, 3), 0.2, 0.9)}),
        "Binomial": (lambda D, n, p: D.Binomial(n, probs=p), {"n": np.array([3.0, 7.0, 12.0], dtype),
                                                             "p": u((2, 3), 0.1, 0.9)}),
        "MixtureSameFamily": (lambda D, w, loc, scale: D.MixtureSameFamily(D.Categorical(logits=w),
                                                                           D.Normal(loc, scale)),
                              {"w": u((2, 4), -1, 1), "loc": u((2, 4), -3, 3), "scale": u((4,), 0.3, 1)}),
        "Gumbel": (lambda D, loc, scale: D.Gumbel(loc, scale), {"loc": u((2, 3), -2, 2), "scale": u((3,), 0.5, 2)}),
        "Multinomial": (lambda D, p: D.Multinomial(9, probs=p), {"p": u((2, 4), 0.1, 1)}),
        "RelaxedBernoulli": (lambda D, t, p: D.RelaxedBernoulli(t, probs=p), {"t": u((), 0.3, 2),
                                                                              "p": u((2, 3), 0.1, 0.9)}),
        "RelaxedOneHotCategorical": (lambda D, t, x: D.RelaxedOneHotCategorical(t, logits=x),
                                     {"t": u((), 0.3, 2), "x": u((2, 4), -1, 1)}),
        "Pareto": (lambda D, scale, alpha: D.Pareto(scale, alpha),
                   {"scale": u((2, 3), 0.5, 2), "alpha": u((3,), 5, 8)}),
        "Weibull": (lambda D, scale, k: D.Weibull(scale, k), {"scale": u((2, 3), 0.5, 2), "k": u((3,), 0.7, 3)}),
        "InverseGamma": (lambda D, c, rate: D.InverseGamma(c, rate), {"c": u((2, 3), 5, 8), "rate": u((3,), 0.5, 2)}),
        "NegativeBinomial": (lambda D, n, p: D.NegativeBinomial(n, probs=p), {"n": u((2, 3), 0.5, 5),
                                                                             "p": u((3,), 0.1, 0.8)}),
        "HalfCauchy": (lambda D, scale: D.HalfCauchy(scale), {"scale": u((2, 3), 0.5, 2)}),
        "LogisticNormal": (lambda D, loc, scale: D.LogisticNormal(loc, scale), {"loc": u((2, 3), -1, 1),
                                                                                "scale": u((3,), 0.5, 1)}),
        "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), {"a": u((2, 3), 0.5, 3), "b": u((3,), 0.5, 3)}),
        "FisherSnedecor": (lambda D, d1, d2: D.FisherSnedecor(d1, d2), {"d1": u((2, 3), 2, 6), "d2": u((3,), 12, 16)}),
        "LowRankMultivariateNormal": (lambda D, loc, W, d: D.LowRankMultivariateNormal(loc, W, d),
                                      {"loc": u((2, 3), -1, 1), "W": u((3, 2), -1, 1), "d": u((3,), 0.5, 1.5)}),
        "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(probs=p), {"p": u((2, 3), 0.05, 0.95)}),
        "GeneralizedPareto": (lambda D, loc, scale, c: D.GeneralizedPareto(loc, scale, c),
                              {"loc": u((2, 3), -1, 1), "scale": u((3,), 0.5, 2), "c": u((3,), -0.3, 0.2)}),
        "VonMises": (lambda D, loc, k: D.VonMises(loc, k), {"loc": u((2, 3), -1, 1), "k": u((3,), 0.5, 6)}),
        "Wishart": (lambda D, df, L: D.Wishart(df, scale_tril=L), {"df": u((2,), 5, 8), "L": L.astype(dtype)}),
        "Bernoulli": (lambda D, p: D.Bernoulli(probs=p), {"p": u((2, 3), 0.1, 0.9)}),
        "Categorical": (lambda D, p: D.Categorical(probs=p), {"p": u((2, 4), 0.1, 1)}),
        "OneHotCategorical": (lambda D, x: D.OneHotCategorical(logits=x), {"x": u((2, 4), -1, 1)}),
    }


NAMES = list(_params(0, "float64"))
# relaxed distributions have no closed-form moments: their samples are checked by shape and, below,
# against the discrete distribution they tend to at low temperature
NO_MOMENTS = ("RelaxedBernoulli", "RelaxedOneHotCategorical", "HalfCauchy", "LogisticNormal")
REPARAM = [n for n in NAMES if n not in ("Bernoulli", "Categorical", "OneHotCategorical", "Cauchy", "Poisson",
                                         "Geometric", "Binomial", "MixtureSameFamily", "Multinomial",
                                         "NegativeBinomial", "VonMises")
           and n not in NO_MOMENTS]
MOMENTS = [n for n in NAMES if n not in NO_MOMENTS]


def _build(name, lib, dtype, requires_grad=False, seed=0):
    make, arrays = _params(seed, dtype)[name]
    conv = to_ember if lib is ember else to_torch
    leaves = {k: conv(a, requires_grad) for k, a in arrays.items()}
    return make(lib.distributions, **leaves), leaves


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_reproducibility(name, dtype):
    e, _ = _build(name, ember, dtype)
    t, _ = _build(name, torch, dtype)
    for shape in ((), (5,), (2, 3)):
        es, ts = e.sample(shape), t.sample(shape)
        assert tuple(es.shape) == tuple(ts.shape)
        assert str(es.dtype).split(".")[-1] == str(ts.dtype).split(".")[-1]
        assert not es.requires_grad
        if t.has_rsample:
            assert tuple(e.rsample(shape).shape) == tuple(t.rsample(shape).shape)
    ember.manual_seed(123)
    a = e.sample((4,))
    ember.manual_seed(123)
    b = e.sample((4,))
    assert np.array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), e.sample((4,)).numpy())      # the stream moved on


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", MOMENTS)
def test_sample_moments(name, dtype):
    ember.manual_seed(0)
    d, _ = _build(name, ember, dtype)
    x = d.sample((N,)).double().numpy()
    if name == "Categorical":        # frequencies of each category against probs
        probs = d.probs.double().numpy()
        freq = (x[..., None] == np.arange(probs.shape[-1])).mean(0)
        np.testing.assert_allclose(freq, probs, atol=6 * np.sqrt(0.25 / N))
        return
    if name == "Cauchy":             # no moments: the fraction of samples below quantiles instead
        for q in (0.1, 0.5, 0.9):
            below = (x < d.icdf(ember.tensor(q, dtype=d.loc.dtype)).double().numpy()).mean(0)
            np.testing.assert_allclose(below, q, atol=6 * np.sqrt(q * (1 - q) / N))
        return
    if name == "VonMises":           # circular: E[cos(x - loc)] = I1/I0 = 1 - the circular variance
        c = np.cos(x - d.loc.double().numpy())
        np.testing.assert_allclose(c.mean(0), 1 - d.variance.double().numpy(), atol=6 * np.sqrt(c.var(0).max() / N))
        assert np.all(np.abs(x) <= np.pi)
        return
    mean, var = d.mean.double().numpy(), d.variance.double().numpy()
    assert np.all(np.abs(x.mean(0) - mean) <= 6 * np.sqrt(var / N) + 1e-6), (x.mean(0), mean)
    # the sample variance's standard error, from the sample's own fourth central moment
    m4 = ((x - x.mean(0)) ** 4).mean(0)
    assert np.all(np.abs(x.var(0) - var) <= 6 * np.sqrt(np.maximum(m4 - var ** 2, 0) / N) + 1e-6), (x.var(0), var)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", REPARAM)
def test_rsample_gradient_is_the_gradient_of_the_expectation(name, dtype):
    ember.manual_seed(1)
    d, leaves = _build(name, ember, dtype, requires_grad=True)
    params = list(leaves.values())
    x = d.rsample((N,))
    assert x.requires_grad
    for estimate, exact in ((x.mean(0), d.mean), (x.pow(2).mean(0), d.variance + d.mean.pow(2))):
        mc = ember.autograd.grad(estimate.sum(), params, retain_graph=True, allow_unused=True)
        ex = ember.autograd.grad(exact.sum(), params, retain_graph=True, allow_unused=True)
        for g_mc, g_ex in zip(mc, ex):
            g_ex = np.zeros(g_mc.shape) if g_ex is None else g_ex.double().numpy()
            g_mc = g_mc.double().numpy()
            np.testing.assert_allclose(g_mc, g_ex, rtol=0.06, atol=0.04 * max(1.0, np.abs(g_ex).max()))


def test_relaxed_samples_approach_the_discrete_ones_at_low_temperature():
    # at temperature -> 0 a RelaxedBernoulli sample is 1 with probability probs; a relaxed one-hot
    # sample's largest entry is category k with probability probs[k]
    ember.manual_seed(0)
    D = ember.distributions
    p = ember.tensor([0.2, 0.5, 0.9])
    x = D.RelaxedBernoulli(ember.tensor(0.01), probs=p).sample((N,)).numpy()
    np.testing.assert_allclose((x > 0.5).mean(0), p.numpy(), atol=6 * np.sqrt(0.25 / N))
    probs = ember.tensor([0.1, 0.6, 0.3])
    y = D.RelaxedOneHotCategorical(ember.tensor(0.05), probs=probs).sample((N,)).numpy()
    assert np.allclose(y.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(np.bincount(y.argmax(-1), minlength=3) / N, probs.numpy(), atol=6 * np.sqrt(0.25 / N))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lkj_cholesky_samples(dtype):
    # valid correlation Cholesky factors; in 2-D the correlation r has (r + 1) / 2 ~ Beta(eta, eta),
    # so mean 0 and variance 1 / (2 eta + 1)
    ember.manual_seed(0)
    eta = np.array([0.5, 1.0, 4.0], dtype)
    d = ember.distributions.LKJCholesky(2, ember.tensor(eta))
    L = d.sample((N,))
    assert tuple(L.shape) == (N, 3, 2, 2) and str(L.dtype) == f"ember.{dtype}"
    assert bool(ember.distributions.constraints.corr_cholesky.check(L).all())
    r = L[..., 1, 0].double().numpy()
    var = 1 / (2 * eta + 1)
    assert np.all(np.abs(r.mean(0)) <= 6 * np.sqrt(var / N)), r.mean(0)
    np.testing.assert_allclose(r.var(0), var, rtol=0.05)
    assert tuple(ember.distributions.LKJCholesky(4, ember.ones(2)).sample((5,)).shape) == (5, 2, 4, 4)


def test_sample_is_not_differentiable_and_rsample_is():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    d = ember.distributions.Normal(loc, 1.0)
    assert not d.sample().requires_grad
    d.rsample((3,)).sum().backward()
    assert np.allclose(loc.grad.numpy(), [3.0, 3.0])


def test_has_rsample_flags_match_torch():
    for name in NAMES:
        e, _ = _build(name, ember, "float64")
        t, _ = _build(name, torch, "float64")
        assert e.has_rsample == t.has_rsample, name
        assert e.has_enumerate_support == t.has_enumerate_support, name


def test_standard_gamma_gradient_matches_torch():
    # the implicit reparameterisation dx/dalpha at the same (alpha, x) pairs as torch's kernel
    from scipy import special
    from ember.distributions.gamma import _standard_gamma_grad_array
    alpha = np.array([0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 20.0, 50.0, 200.0])
    for q in (0.01, 0.3, 0.5, 0.9, 0.999):
        x = special.gammaincinv(alpha, q)
        want = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
        np.testing.assert_allclose(_standard_gamma_grad_array(alpha, x), want, rtol=2e-3)
