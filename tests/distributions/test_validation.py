"""validate_args, constraints and constructor errors as torch's: the same exception classes
and messages (up to the library's name), the same constraint checks and reprs."""
import numpy as np
import pytest
import torch

import ember
from dist_cases import CASES
from oracle import random_array, same_error, to_ember, to_torch


def _same_message(call):
    e, t = same_error(call)
    assert str(e).replace("ember", "torch") == str(t), (str(e), str(t))


@pytest.mark.parametrize("call", [
    lambda lib: lib.distributions.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, -1.0])),
    lambda lib: lib.distributions.Gamma(lib.tensor([0.0]), lib.tensor([1.0])),
    lambda lib: lib.distributions.Bernoulli(probs=lib.tensor([1.5])),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor([[0.5, -0.5]])),
    lambda lib: lib.distributions.Uniform(lib.tensor([1.0]), lib.tensor([0.0])),
    lambda lib: lib.distributions.Dirichlet(lib.tensor([[1.0, -2.0]])),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), scale_tril=lib.tensor([[1.0, 0.5], [0.0, 1.0]])),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
])
def test_invalid_parameters(call):
    # the message names the parameter, its shape, the distribution, the constraint and the values
    _same_message(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(0.5),
    lambda lib: lib.distributions.Normal(lib.zeros(3), 1.0).log_prob(lib.zeros(2)),
    lambda lib: lib.distributions.Exponential(lib.ones(2)).log_prob(lib.tensor([1.0, -1.0])),
    lambda lib: lib.distributions.Bernoulli(lib.tensor([0.3])).log_prob(lib.tensor([0.5])),
    lambda lib: lib.distributions.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor([3])),
    lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.2, 0.2])),
    lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.2, 0.2, 0.2])),
    lambda lib: lib.distributions.Beta(2.0, 2.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Categorical(),
    lambda lib: lib.distributions.Bernoulli(probs=lib.tensor(0.5), logits=lib.tensor(0.0)),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor(0.5)),
    lambda lib: lib.distributions.Dirichlet(lib.tensor(0.5)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.tensor(0.0), lib.eye(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.ones(2)),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(lib.zeros(3), 1.0), 2),
])
def test_errors_and_messages(call):
    _same_message(call)


def test_validation_can_be_turned_off():
    for lib in (ember, torch):
        D = lib.distributions
        d = D.Normal(lib.tensor([0.0]), lib.tensor([-1.0]), validate_args=False)
        assert D.Exponential(lib.ones(1), validate_args=False).log_prob(lib.tensor([-1.0])).item() == 1.0
        assert d.batch_shape == (1,)
        D.Distribution.set_default_validate_args(False)
        try:
            D.Gamma(lib.tensor([-1.0]), lib.tensor([1.0]))
        finally:
            D.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D.Gamma(lib.tensor([-1.0]), lib.tensor([1.0]))


def test_uniform_log_prob_outside_support_without_validation():
    res = [lib.distributions.Uniform(lib.tensor([0.0, 0.0]), lib.tensor([1.0, 2.0]), validate_args=False)
           .log_prob(lib.tensor([1.5, 1.5])) for lib in (ember, torch)]
    np.testing.assert_array_equal(res[0].numpy(), res[1].numpy())


CONSTRAINTS = [
    ("real", None), ("positive", None), ("nonnegative", None), ("unit_interval", None), ("boolean", None),
    ("simplex", None), ("real_vector", None), ("one_hot", None), ("nonnegative_integer", None),
    ("lower_cholesky", None), ("lower_triangular", None), ("positive_definite", None),
    ("positive_semidefinite", None), ("symmetric", None),
    ("square", None), ("interval", (-0.5, 0.5)), ("half_open_interval", (-0.5, 0.5)), ("greater_than", (0.3,)),
    ("greater_than_eq", (0.0,)), ("less_than", (0.3,)), ("integer_interval", (0, 2)),
]


@pytest.mark.parametrize("name,args", CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraint_checks(name, args):
    r = np.random.default_rng(0)
    values = [random_array((4, 3, 3), "float64", -1, 1), np.round(r.uniform(-1, 3, (4, 3, 3))),
              (r.random((4, 3, 3)) < 0.3).astype(np.float64), np.eye(3)[r.integers(0, 3, (4, 3))],
              np.broadcast_to(np.eye(3) * 2 + 0.5, (4, 3, 3)).copy(), np.tril(r.uniform(0.1, 1, (4, 3, 3))),
              r.dirichlet(np.ones(3), (4, 3)), np.full((4, 3, 3), np.nan)]
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        c = getattr(lib.distributions.constraints, name)
        c = c(*args) if args else c
        res.append((repr(c), c.event_dim, c.is_discrete, [c.check(conv(v)).numpy() for v in values]))
    (er, ed, edisc, ev), (tr, td, tdisc, tv) = res
    assert (er, ed, edisc) == (tr, td, tdisc)
    for a, b in zip(ev, tv):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_support_and_arg_constraints(case):
    arrays = {k: gen("float64") for k, gen in case.params.items()}
    e = case.make(ember, **{k: to_ember(a) for k, a in arrays.items()})
    t = case.make(torch, **{k: to_torch(a) for k, a in arrays.items()})
    assert type(e.support).__name__ == type(t.support).__name__
    assert e.support.event_dim == t.support.event_dim and e.support.is_discrete == t.support.is_discrete
    assert sorted(e.arg_constraints) == sorted(t.arg_constraints)
    for k in t.arg_constraints:
        assert type(e.arg_constraints[k]).__name__ == type(t.arg_constraints[k]).__name__
    assert repr(e).replace("ember", "torch") == repr(t)
