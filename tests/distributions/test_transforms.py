"""Transforms against torch's: forward, inverse, log|det J| (values and gradients), shapes,
sign, bijectivity and domains; a transformed distribution's samples follow its cdf."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, random_array, rng, to_ember, to_torch

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-10)}


def _simplex(shape):
    return lambda dt: rng().dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype(dt)


# name -> (build from lib.distributions, parameter draws, x draw in the domain)
TRANSFORMS = {
    "Exp": (lambda D: D.ExpTransform(), {}, lambda dt: random_array((2, 3), dt)),
    "Power": (lambda D, e: D.PowerTransform(e), {"e": lambda dt: random_array((3,), dt, 0.5, 2)},
              lambda dt: random_array((2, 3), dt, 0.2, 2)),
    "Sigmoid": (lambda D: D.SigmoidTransform(), {}, lambda dt: random_array((2, 3), dt, -4, 4)),
    "Softplus": (lambda D: D.SoftplusTransform(), {}, lambda dt: random_array((2, 3), dt, -3, 3)),
    "Tanh": (lambda D: D.TanhTransform(), {}, lambda dt: random_array((2, 3), dt, -3, 3)),
    "Affine": (lambda D, a, b: D.AffineTransform(a, b), {"a": lambda dt: random_array((3,), dt),
                                                        "b": lambda dt: random_array((2, 1), dt, 0.5, 2)},
               lambda dt: random_array((2, 3), dt)),
    "Affine-negative-event": (lambda D, a, b: D.AffineTransform(a, b, event_dim=1),
                              {"a": lambda dt: random_array((3,), dt),
                               "b": lambda dt: random_array((3,), dt, -2, -0.5)},
                              lambda dt: random_array((2, 3), dt)),
    "StickBreaking": (lambda D: D.StickBreakingTransform(), {}, lambda dt: random_array((2, 3), dt)),
    "Reshape": (lambda D: D.ReshapeTransform((2, 3), (3, 2)), {}, lambda dt: random_array((4, 2, 3), dt)),
    "Independent-Exp": (lambda D: D.IndependentTransform(D.ExpTransform(), 1), {},
                        lambda dt: random_array((2, 3), dt)),
    "Compose": (lambda D, b: D.ComposeTransform([D.AffineTransform(0.3, b), D.SigmoidTransform(),
                                                 D.PowerTransform(2.0)]),
                {"b": lambda dt: random_array((3,), dt, 0.5, 2)}, lambda dt: random_array((2, 3), dt)),
    "Exp-inverse": (lambda D: D.ExpTransform().inv, {}, lambda dt: random_array((2, 3), dt, 0.1, 3)),
    "CorrCholesky": (lambda D: D.CorrCholeskyTransform(), {}, lambda dt: random_array((2, 6), dt)),
    "Cat": (lambda D: D.CatTransform([D.ExpTransform(), D.TanhTransform()], dim=1, lengths=[1, 2]), {},
            lambda dt: random_array((4, 3), dt)),
    "Cat-event": (lambda D: D.CatTransform([D.IndependentTransform(D.ExpTransform(), 1),
                                            D.SigmoidTransform()], dim=-1, lengths=[2, 2]), {},
                  lambda dt: random_array((4, 4), dt)),
    "Stack": (lambda D: D.StackTransform([D.SigmoidTransform(), D.AffineTransform(1.0, 3.0)], dim=-1), {},
              lambda dt: random_array((3, 2), dt)),
    "CumulativeDistribution": (lambda D, loc: D.CumulativeDistributionTransform(D.Normal(loc, 2.0)),
                               {"loc": lambda dt: random_array((3,), dt)}, lambda dt: random_array((2, 3), dt)),
}
NO_JACOBIAN = {   # not bijective (or not given one by torch): forward and inverse only
    "LowerCholesky": (lambda D: D.LowerCholeskyTransform(), {}, lambda dt: random_array((2, 3, 3), dt)),
    "PositiveDefinite": (lambda D: D.PositiveDefiniteTransform(), {}, lambda dt: random_array((2, 3, 3), dt)),
    "Softmax": (lambda D: D.SoftmaxTransform(), {}, lambda dt: random_array((2, 4), dt)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(NO_JACOBIAN))
def test_transform_without_jacobian(name, dtype):
    make, _, draw = NO_JACOBIAN[name]
    x = draw(dtype)
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        t = make(lib.distributions)
        xt = conv(x, True)
        y = t(xt)
        g = lib.autograd.grad((y * conv(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype))).sum(),
                              xt)[0]
        res.append((y, t.inv(y.detach()), g, t.codomain.check(y.detach()), type(t.codomain).__name__))
    for e, t in zip(*res):
        if isinstance(t, str):
            assert e == t
        else:
            assert_same(e, t, **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform(name, dtype):
    make, params, draw = TRANSFORMS[name]
    arrays = {k: g(dtype) for k, g in params.items()}
    x = draw(dtype)
    seed = int(rng().integers(1 << 30))
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        leaves = {k: conv(a, True) for k, a in arrays.items()}
        t = make(lib.distributions, **leaves)
        xt = conv(x, True)
        y = t(xt)
        back = t.inv(y.detach())
        ladj = t.log_abs_det_jacobian(xt, y)
        # the same random weights in both runs (a per-test seed, drawn once the shapes are known)
        w = random_array(tuple(ladj.shape), dtype, rng=np.random.default_rng(seed))
        v = random_array(tuple(y.shape), dtype, rng=np.random.default_rng(seed + 1))
        loss = (ladj * conv(w)).sum() + (y * conv(v)).sum()
        grads = lib.autograd.grad(loss, [xt] + list(leaves.values()))
        try:
            sign = t.sign
        except NotImplementedError:      # transforms that are not monotone elementwise
            sign = "none"
        res.append((y, back, ladj, list(grads), sign, t.bijective, t.domain.event_dim, t.codomain.event_dim,
                    tuple(t.forward_shape(lib.Size(x.shape))), tuple(t.inverse_shape(lib.Size(y.shape))),
                    type(t.codomain).__name__, type(t.domain).__name__))
    (ey, eb, el, eg, es, *e_rest), (ty, tb, tl, tg, ts, *t_rest) = res
    assert_same(ey, ty, **TOL[dtype])
    assert_same(eb, tb, **TOL[dtype])
    assert_same(el, tl, **TOL[dtype])
    assert_same(eg, tg, **TOL[dtype])
    if isinstance(ts, torch.Tensor):
        assert_same(es, ts)
    else:
        assert es == ts
    assert e_rest == t_rest


def test_cache_returns_the_forward_input():
    for lib in (ember, torch):
        t = lib.distributions.TanhTransform(cache_size=1)
        x = lib.tensor([20.0])         # tanh(20) rounds to 1: only the cache recovers x
        assert t.inv(t(x)) is x
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        ember.distributions.ExpTransform(cache_size=2)


def test_equality_and_repr():
    for lib in (ember, torch):
        D = lib.distributions
        assert D.ExpTransform() == D.ExpTransform() and D.ExpTransform() != D.TanhTransform()
        assert D.AffineTransform(1.0, 2.0) == D.AffineTransform(1.0, 2.0) != D.AffineTransform(1.0, 3.0)
        assert D.ComposeTransform([D.ExpTransform()]).inv == D.ComposeTransform([D.ExpTransform().inv])
    for e, t in ((ember.distributions.ExpTransform().inv, torch.distributions.ExpTransform().inv),
                 (ember.distributions.ComposeTransform([ember.distributions.SigmoidTransform()]),
                  torch.distributions.ComposeTransform([torch.distributions.SigmoidTransform()]))):
        assert repr(e) == repr(t)


def test_transformed_samples_follow_the_cdf():
    # a tanh-squashed Gaussian policy as in SAC: the fraction below c equals cdf(c)
    ember.manual_seed(0)
    D = ember.distributions
    d = D.TransformedDistribution(D.Normal(ember.tensor([0.3, -0.5]), ember.tensor([0.8, 1.5])),
                                  [D.TanhTransform(cache_size=1)])
    x = d.sample((40000,))
    assert tuple(x.shape) == (40000, 2) and x.dtype == ember.float32 and not x.requires_grad
    for c in (-0.5, 0.0, 0.7):
        below = (x.numpy() < c).mean(0)
        np.testing.assert_allclose(below, d.cdf(ember.tensor([c, c])).numpy(), atol=6 * 0.5 / 200)


def test_rsample_then_log_prob_differentiates_through_the_cache():
    res = []
    for lib in (ember, torch):
        D = lib.distributions
        loc = lib.tensor([0.3, -0.5], requires_grad=True)
        d = D.TransformedDistribution(D.Normal(loc, 1.0), [D.TanhTransform(cache_size=1)])
        base = lib.tensor([[0.2, -1.0], [2.0, 0.4]])
        y = d.transforms[0](loc + base)       # the cached pair, as rsample makes it
        lp = d.log_prob(y).sum()
        res.append(lib.autograd.grad(lp, loc)[0])
    assert_same(res[0], res[1], rtol=1e-5, atol=1e-6)


def test_kl_between_transformed_distributions():
    res = []
    for lib in (ember, torch):
        D = lib.distributions
        a = lib.tensor([0.3, -0.5], requires_grad=True)
        p = D.TransformedDistribution(D.Normal(a, 1.0), [D.ExpTransform()])
        q = D.TransformedDistribution(D.Normal(0.0, 2.0), [D.ExpTransform()])
        kl = D.kl_divergence(p, q)
        res.append((kl, lib.autograd.grad(kl.sum(), a)[0]))
        with pytest.raises(NotImplementedError):
            D.kl_divergence(p, D.TransformedDistribution(D.Normal(0.0, 2.0), [D.SigmoidTransform()]))
    assert_same(list(res[0]), list(res[1]))


REGISTRY_CASES = [  # (constraint built from lib.distributions.constraints, input shape)
    (lambda C: C.real, (2, 3)), (lambda C: C.positive, (2, 3)), (lambda C: C.nonnegative, (2, 3)),
    (lambda C: C.greater_than(1.5), (2, 3)), (lambda C: C.greater_than_eq(-1.0), (3,)),
    (lambda C: C.less_than(0.5), (2, 3)), (lambda C: C.unit_interval, (2, 3)), (lambda C: C.interval(-2.0, 3.0), (4,)),
    (lambda C: C.half_open_interval(0.0, 2.0), (2, 3)), (lambda C: C.simplex, (2, 3)),
    (lambda C: C.independent(C.positive, 1), (2, 3)), (lambda C: C.real_vector, (3,)),
    (lambda C: C.lower_cholesky, (2, 3, 3)), (lambda C: C.positive_definite, (3, 3)),
    (lambda C: C.positive_semidefinite, (2, 3, 3)),
    (lambda C: C.cat([C.positive, C.interval(0.0, 2.0)], dim=-1, lengths=[2, 1]), (4, 3)),
    (lambda C: C.stack([C.real, C.positive, C.unit_interval], dim=0), (3, 2)),
    (lambda C: C.corr_cholesky, (2, 3)),
]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("case", range(len(REGISTRY_CASES)))
def test_biject_to_and_transform_to(registry, case):
    make, shape = REGISTRY_CASES[case]
    x = random_array(shape, "float64")
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        D = lib.distributions
        c = make(D.constraints)
        try:
            t = getattr(D, registry)(c)
        except NotImplementedError as err:
            res.append(("raises", str(err)))
            continue
        y = t(conv(x))
        out = [type(t).__name__, repr(t), y, bool(c.check(y).all())]
        if t.bijective:
            out.append(t.log_abs_det_jacobian(conv(x), y))
        res.append(out)
    e, t = res
    assert len(e) == len(t) and e[:2] == t[:2]
    for a, b in zip(e[2:], t[2:]):
        if isinstance(b, torch.Tensor):
            assert_same(a, b, **TOL["float64"])
        else:
            assert a == b


def test_registry_errors_as_torch():
    for lib in (ember, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
            D.biject_to(D.constraints.boolean)
        with pytest.raises(TypeError):
            D.biject_to.register(int, lambda c: None)
