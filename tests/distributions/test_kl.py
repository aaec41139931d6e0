"""kl_divergence against torch's on the same parameters: values (inf where the support of p
leaves q's), shapes, dtypes and gradients for every registered pair ember has; the
exponential-family (Bregman) rule; dispatch to the most specific registration."""
import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, assert_same, random_array, rng, to_ember, to_torch

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-7, atol=1e-9)}


def _u(shape, lo, hi):
    return lambda dt: random_array(shape, dt, lo, hi)


def _lower_cholesky(batch, n):
    def draw(dt):
        a = rng().uniform(-0.5, 0.5, size=batch + (n, n))
        return (np.tril(a, -1) + np.diag(rng().uniform(0.5, 1.5, n))).astype(dt)
    return draw


SPECS = {   # name -> (build from lib.distributions, parameter draws); batch shapes broadcast to (2, 3)
    "Normal": (lambda D, a, b: D.Normal(a, b), {"a": _u((3,), -2, 2), "b": _u((2, 1), 0.5, 2)}),
    "Uniform": (lambda D, a, b: D.Uniform(a, b), {"a": _u((2, 3), -2, -0.5), "b": _u((3,), 0.2, 2)}),
    "UniformPositive": (lambda D, a, b: D.Uniform(a, b), {"a": _u((2, 3), 0.05, 0.4), "b": _u((3,), 0.5, 0.95)}),
    "Exponential": (lambda D, r: D.Exponential(r), {"r": _u((2, 3), 0.5, 2)}),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), {"a": _u((2, 3), -2, 2), "b": _u((3,), 0.5, 2)}),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), {"a": _u((2, 3), -1, 1), "b": _u((3,), 0.3, 1)}),
    "Gamma": (lambda D, c, r: D.Gamma(c, r), {"c": _u((2, 3), 0.5, 3), "r": _u((3,), 0.5, 2)}),
    "Beta": (lambda D, a, b: D.Beta(a, b), {"a": _u((2, 3), 0.5, 3), "b": _u((3,), 0.5, 3)}),
    "Dirichlet": (lambda D, c: D.Dirichlet(c), {"c": _u((2, 3, 4), 0.5, 3)}),
    "Bernoulli": (lambda D, p: D.Bernoulli(probs=p), {"p": _u((2, 3), 0.05, 0.95)}),
    "BernoulliLogits": (lambda D, x: D.Bernoulli(logits=x), {"x": _u((2, 3), -3, 3)}),
    "Categorical": (lambda D, p: D.Categorical(probs=p), {"p": _u((2, 3, 5), 0.05, 1)}),
    "CategoricalLogits": (lambda D, x: D.Categorical(logits=x), {"x": _u((3, 5), -3, 3)}),
    "OneHotCategorical": (lambda D, p: D.OneHotCategorical(probs=p), {"p": _u((2, 3, 5), 0.05, 1)}),
    "MultivariateNormal": (lambda D, loc, L: D.MultivariateNormal(loc, scale_tril=L),
                           {"loc": _u((2, 3, 4), -1, 1), "L": _lower_cholesky((3,), 4)}),
    "MultivariateNormalCov": (lambda D, loc, L: D.MultivariateNormal(loc, scale_tril=L),
                              {"loc": _u((4,), -1, 1), "L": _lower_cholesky((2, 1), 4)}),
    "Independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1), {"a": _u((2, 3), -2, 2), "b": _u((3,), .5, 2)}),
    "Poisson": (lambda D, r: D.Poisson(r), {"r": _u((2, 3), 0.5, 5)}),
    "Geometric": (lambda D, p: D.Geometric(probs=p), {"p": _u((2, 3), 0.1, 0.9)}),
    "Binomial": (lambda D, p: D.Binomial(lib_tensor(D, [6.0, 6.0, 8.0]), probs=p), {"p": _u((2, 3), 0.1, 0.9)}),
    "BinomialFewer": (lambda D, x: D.Binomial(lib_tensor(D, [6.0, 4.0, 8.0]), logits=x), {"x": _u((2, 3), -2, 2)}),
    "HalfNormal": (lambda D, s: D.HalfNormal(s), {"s": _u((2, 3), 0.5, 2)}),
    "Cauchy": (lambda D, a, b: D.Cauchy(a, b), {"a": _u((2, 3), -2, 2), "b": _u((3,), 0.5, 2)}),
    "Gumbel": (lambda D, a, b: D.Gumbel(a, b), {"a": _u((2, 3), -2, 2), "b": _u((3,), 0.5, 2)}),
    "Pareto": (lambda D, a, b: D.Pareto(a, b), {"a": _u((2, 3), 0.5, 2), "b": _u((3,), 0.5, 3)}),
    "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(probs=p), {"p": _u((2, 3), 0.05, 0.35)}),
    "LowRankMultivariateNormal": (lambda D, loc, W, d: D.LowRankMultivariateNormal(loc, W, d),
                                  {"loc": _u((2, 3, 4), -1, 1), "W": _u((3, 4, 2), -1, 1), "d": _u((4,), 0.5, 2)}),
}


def lib_tensor(D, values):
    """A constant tensor of the library that ``D`` (its distributions module) belongs to."""
    lib = torch if D is torch.distributions else ember
    return lib.tensor(values, dtype=lib.get_default_dtype())

PAIRS = [
    ("Normal", "Normal"), ("Uniform", "Uniform"), ("Exponential", "Exponential"), ("Laplace", "Laplace"),
    ("LogNormal", "LogNormal"), ("Gamma", "Gamma"), ("Beta", "Beta"), ("Dirichlet", "Dirichlet"),
    ("Bernoulli", "Bernoulli"), ("Bernoulli", "BernoulliLogits"), ("BernoulliLogits", "BernoulliLogits"),
    ("Categorical", "Categorical"), ("Categorical", "CategoricalLogits"), ("OneHotCategorical", "OneHotCategorical"),
    ("MultivariateNormal", "MultivariateNormal"), ("MultivariateNormal", "MultivariateNormalCov"),
    ("Independent", "Independent"),
    ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"), ("Beta", "UniformPositive"),
    ("Exponential", "Gamma"), ("Exponential", "Normal"), ("Exponential", "Uniform"), ("Exponential", "Beta"),
    ("Gamma", "Exponential"), ("Gamma", "Normal"), ("Gamma", "Uniform"), ("Laplace", "Normal"),
    ("Laplace", "Gamma"), ("Normal", "Laplace"), ("Normal", "Gamma"), ("Normal", "Uniform"),
    ("Uniform", "Normal"), ("Uniform", "Gamma"), ("UniformPositive", "Gamma"), ("Uniform", "Exponential"),
    ("UniformPositive", "Exponential"), ("UniformPositive", "Beta"), ("Uniform", "Beta"),
    ("Poisson", "Poisson"), ("Geometric", "Geometric"), ("Binomial", "Binomial"), ("Binomial", "BinomialFewer"),
    ("HalfNormal", "HalfNormal"), ("Cauchy", "Cauchy"), ("Bernoulli", "Poisson"), ("Poisson", "Bernoulli"),
    ("Poisson", "Binomial"), ("Gumbel", "Gumbel"), ("Pareto", "Pareto"),
    ("LowRankMultivariateNormal", "LowRankMultivariateNormal"), ("MultivariateNormal", "LowRankMultivariateNormal"),
    ("LowRankMultivariateNormal", "MultivariateNormal"), ("LowRankMultivariateNormal", "MultivariateNormalCov"),
    ("ContinuousBernoulli", "ContinuousBernoulli"),
]


def _pair_leaves(names, dtype):
    arrays = [{k: gen(dtype) for k, gen in SPECS[n][1].items()} for n in names]
    if names == ("Uniform", "Uniform"):      # q's ends inside p's (KL inf) or outside, column by column
        arrays[1]["a"] = arrays[0]["a"] - np.array([0.5, -0.2, 0.3], dtype)
        arrays[1]["b"] = arrays[0]["b"] + np.array([0.4, 0.3, -0.1], dtype)
    return arrays


def _build(lib, names, arrays, conv):
    leaves = [{k: conv(a, True) for k, a in arr.items()} for arr in arrays]
    dists = [SPECS[n][0](lib.distributions, **lv) for n, lv in zip(names, leaves)]
    return dists, [t for lv in leaves for t in lv.values()]


def _compare(fn_e, fn_t, names, dtype):
    arrays = _pair_leaves(names, dtype)
    (ep, eq), e_leaves = _build(ember, names, arrays, to_ember)
    (tp, tq), t_leaves = _build(torch, names, arrays, to_torch)
    e, t = fn_e(ep, eq), fn_t(tp, tq)
    assert_same(e, t, **TOL[dtype])
    assert e.requires_grad == t.requires_grad     # the infinite KLs are constants in both
    if not t.requires_grad:
        return
    w = random_array(tuple(t.shape), dtype)
    t_grads = torch.autograd.grad(t, t_leaves, to_torch(w), allow_unused=True)
    e_grads = ember.autograd.grad(e, e_leaves, to_ember(w), allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not as_numpy(eg).any()
        else:
            assert eg is not None, f"no gradient for leaf {i}"
            assert_same(eg, tg, what=f"grad of leaf {i}", **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("names", PAIRS, ids=["-".join(p) for p in PAIRS])
def test_kl_divergence(names, dtype):
    _compare(ember.distributions.kl_divergence, torch.distributions.kl_divergence, names, dtype)


@pytest.mark.parametrize("name", ["Normal", "Exponential", "Gamma", "Beta", "Dirichlet", "Bernoulli"])
def test_exponential_family_bregman_rule(name):
    # the generic rule PyTorch uses for exponential families without a closed form
    _compare(ember.distributions.kl._kl_expfamily_expfamily, torch.distributions.kl._kl_expfamily_expfamily,
             (name, name), "float64")


def test_binomial_with_more_trials_in_q_is_not_implemented():
    for lib in (ember, torch):
        D = lib.distributions
        p, q = D.Binomial(lib.tensor([2.0, 3.0]), lib.tensor([0.3, 0.5])), D.Binomial(5, lib.tensor([0.3, 0.5]))
        with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
            D.kl_divergence(p, q)


def test_unregistered_pair_raises_as_torch():
    for lib in (ember, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError, match="No KL"):
            D.kl_divergence(D.Categorical(probs=lib.tensor([0.5, 0.5])), D.Normal(0.0, 1.0))


def test_dispatch_picks_the_most_specific_registration():
    D = ember.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    assert_same(D.kl_divergence(p, q), torch.distributions.kl_divergence(
        torch.distributions.Normal(0.0, 1.0), torch.distributions.Normal(1.0, 2.0)))

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p, q):
        return ember.tensor(-1.0)

    try:
        assert D.kl_divergence(p, q).item() == -1.0           # the new, more specific rule wins
        assert D.kl_divergence(q, p).item() != -1.0           # the reverse pair still uses Normal-Normal
    finally:
        del D.kl._KL_REGISTRY[MyNormal, D.Normal]
        D.kl._KL_MEMOIZE.clear()


def test_register_kl_rejects_non_distributions():
    with pytest.raises(TypeError):
        ember.distributions.register_kl(int, ember.distributions.Normal)
