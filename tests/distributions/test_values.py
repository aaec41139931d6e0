"""Distributions against torch.distributions on the same parameters and values: log_prob,
entropy, cdf, icdf, moments and derived parameters (values, shapes, dtypes) and the gradients
of each with respect to every parameter (and the value, for continuous distributions)."""
import numpy as np
import pytest
import torch

import ember
from dist_cases import CASES
from oracle import as_numpy, assert_same, random_array, to_ember, to_torch

# float64: torch's digamma/trigamma agree with scipy's to ~1e-8 relative, not to the last bits
TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-7, atol=1e-9)}
DISCRETE = ("Bernoulli", "Categorical", "OneHot", "Poisson", "Geometric", "Binomial", "Multinomial",
            "NegativeBinomial")   # values are counts


def _outputs(lib, case, params, value, u):
    d = case.make(lib, **params)
    out = {"log_prob": d.log_prob(value)}
    for m in case.methods:
        out[m] = d.cdf(value) if m == "cdf" else d.entropy() if m == "entropy" else getattr(d, m)
    if case.icdf:
        out["icdf"] = d.icdf(u)
    return d, out


# torch's float64 log_prob raises here ("Double did not match Float"): its float32 run is the oracle
TORCH_FLOAT32_ONLY = ("GeneralizedPareto",)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_against_torch(case, dtype):
    arrays = {k: gen(dtype) for k, gen in case.params.items()}
    value = case.value(dtype)
    u = random_array(value.shape, dtype, 0.05, 0.95)
    value_grad = not case.id.startswith(DISCRETE)
    t_cast = (lambda a: a.astype(np.float32)) if dtype == "float64" and case.id in TORCH_FLOAT32_ONLY else np.asarray
    e_params = {k: to_ember(a, True) for k, a in arrays.items()}
    t_params = {k: to_torch(t_cast(a), True) for k, a in arrays.items()}
    e_value, t_value = to_ember(value, value_grad), to_torch(t_cast(value), value_grad)
    u_torch = t_cast(u)
    check = dict(TOL["float32"], check_dtype=False) if t_cast is not np.asarray else TOL[dtype]
    e_dist, e_out = _outputs(ember, case, e_params, e_value, to_ember(u))
    t_dist, t_out = _outputs(torch, case, t_params, t_value, to_torch(u_torch))
    assert tuple(e_dist.batch_shape) == tuple(t_dist.batch_shape)
    assert tuple(e_dist.event_shape) == tuple(t_dist.event_shape)
    e_leaves = list(e_params.values()) + ([e_value] if value_grad else [])
    t_leaves = list(t_params.values()) + ([t_value] if value_grad else [])
    for name, t in t_out.items():
        e = e_out[name]
        assert_same(e, t, what=f"{case.id}.{name}", **check)
        if not t.requires_grad:
            continue
        w = random_array(tuple(t.shape), dtype)
        t_grads = torch.autograd.grad(t, t_leaves, to_torch(t_cast(w)), allow_unused=True, retain_graph=True)
        e_grads = ember.autograd.grad(e, e_leaves, to_ember(w), allow_unused=True, retain_graph=True)
        for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
            if tg is None:
                assert eg is None or not as_numpy(eg).any(), f"{case.id}.{name}: grad {i} should be None/zero"
                continue
            assert eg is not None, f"{case.id}.{name}: ember gave no gradient for input {i}"
            assert_same(eg, tg, what=f"{case.id}.{name} grad of input {i}", **check)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_cdf(dtype):
    # torch's igamma has no derivative in the concentration: compare value, and gradients in rate and x
    conc, rate = random_array((2, 3), dtype, 0.5, 3), random_array((3,), dtype, 0.5, 2)
    x = random_array((4, 2, 3), dtype, 0.1, 3)
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        r, v = conv(rate, True), conv(x, True)
        out = lib.distributions.Gamma(conv(conc), r).cdf(v)
        res.append((out, lib.autograd.grad(out.sum(), [r, v])))
    (e, eg), (t, tg) = res
    assert_same(e, t, **TOL[dtype])
    assert_same(list(eg), list(tg), **TOL[dtype])


def test_gamma_cdf_concentration_gradient_is_missing_as_in_torch():
    for lib in (ember, torch):
        c = lib.tensor([1.5], requires_grad=True)
        out = lib.distributions.Gamma(c, 1.0).cdf(lib.tensor([0.7]))
        with pytest.raises(RuntimeError, match="igamma: input"):
            out.sum().backward()


@pytest.mark.parametrize("case", [c for c in CASES if not c.id.startswith("Multivariate")], ids=lambda c: c.id)
def test_expand(case):
    dtype = "float32" if case.id in TORCH_FLOAT32_ONLY else "float64"
    arrays = {k: gen(dtype) for k, gen in case.params.items()}
    e = case.make(ember, **{k: to_ember(a) for k, a in arrays.items()})
    t = case.make(torch, **{k: to_torch(a) for k, a in arrays.items()})
    shape = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert type(ee) is type(e) and tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    value = te.sample((3,))
    assert_same(ee.log_prob(to_ember(value.numpy())), te.log_prob(value), **TOL[dtype])


def test_multivariate_normal_expand_keeps_parameterisation():
    arrays = {"loc": random_array((3,), "float64"), "S": np.eye(3) * 2 + 0.5}
    e = ember.distributions.MultivariateNormal(to_ember(arrays["loc"]), to_ember(arrays["S"])).expand((4, 2))
    t = torch.distributions.MultivariateNormal(to_torch(arrays["loc"]), to_torch(arrays["S"])).expand((4, 2))
    assert "covariance_matrix" in e.__dict__ and tuple(e.batch_shape) == (4, 2)
    value = random_array((5, 1, 1, 3), "float64")
    assert_same(e.log_prob(to_ember(value)), t.log_prob(to_torch(value)), **TOL["float64"])


@pytest.mark.parametrize("name,args", [("Bernoulli", {"probs": [0.2, 0.7]}), ("Categorical", {"probs": [[0.2, 0.8]]}),
                                       ("OneHotCategorical", {"logits": [[0.1, 0.5, -1.0]]})])
def test_enumerate_support(name, args):
    for expand in (True, False):
        res = [getattr(lib.distributions, name)(**{k: lib.tensor(v) for k, v in args.items()})
               .enumerate_support(expand) for lib in (ember, torch)]
        assert_same(*res)


def test_scalar_parameters_give_scalar_batch():
    for lib in (ember, torch):
        D = lib.distributions
        for d in (D.Normal(0.0, 1.0), D.Gamma(2.0, 3.0), D.Exponential(1.5), D.Beta(2.0, 3.0), D.Bernoulli(0.3)):
            assert tuple(d.batch_shape) == () and d.sample().shape == ()
    e, t = ember.distributions.Normal(1.0, 2.0), torch.distributions.Normal(1.0, 2.0)
    assert_same(e.log_prob(ember.tensor(0.5)), t.log_prob(torch.tensor(0.5)))
    assert_same(e.entropy(), t.entropy())
    assert repr(e) == repr(t)
