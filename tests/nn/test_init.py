"""nn.init against torch: gains and fans exactly, deterministic initialisers exactly, random ones by
their law (bounds, mean, std compared with torch's own samples of the same shape), the default
initialisation of each layer of this package, errors and warnings."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import same_error

SHAPES = [(300, 200), (64, 32, 3, 3), (128, 16, 5), (50, 400)]


def _pair(shape):
    return ember.empty(*shape), torch.empty(*shape)


def _same_law(e, t, bound=None):
    """ember's sample e and torch's sample t of one law: same mean, std and range (within sampling error)."""
    e, t = e.detach().numpy().ravel().astype(np.float64), t.detach().numpy().ravel().astype(np.float64)
    std = t.std()
    tol = 6 * std / math.sqrt(t.size)
    assert abs(e.mean() - t.mean()) < 2 * tol, (e.mean(), t.mean())
    assert abs(e.std() - std) < max(0.03, 6 / math.sqrt(t.size)) * std, (e.std(), std)   # std's sampling error
    if bound is not None:
        assert np.abs(e).max() <= bound * (1 + 1e-6) and np.abs(t).max() <= bound * (1 + 1e-6)
        assert np.abs(e).max() > (0.97 if e.size > 1000 else 0.5) * bound


@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("conv1d", None), ("conv_transpose3d", None),
                                                ("sigmoid", None), ("tanh", None), ("relu", None),
                                                ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                                ("selu", None)])
def test_calculate_gain(nonlinearity, param):
    assert ember.nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_calculate_gain_errors():
    same_error(lambda lib: lib.nn.init.calculate_gain("leaky_relu", True))
    same_error(lambda lib: lib.nn.init.calculate_gain("leaky_relu", "a"))
    same_error(lambda lib: lib.nn.init.calculate_gain("swish"))


@pytest.mark.parametrize("shape", SHAPES + [(3, 4, 0)])
def test_fans(shape):
    e, t = _pair(shape)
    assert ember.nn.init._calculate_fan_in_and_fan_out(e) == torch.nn.init._calculate_fan_in_and_fan_out(t)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,kw,bound", [
    ("uniform_", {"a": -0.3, "b": 0.7}, None),
    ("normal_", {"mean": 0.5, "std": 2.0}, None),
    ("trunc_normal_", {"std": 1.5, "a": -1.0, "b": 2.0}, 2.0),
    ("trunc_normal_", {"mean": 0.2, "std": 0.02}, None),
    ("trunc_normal_", {"a": 1.5, "b": 3.0}, None),                 # under 30% of the mass: the uniform proposals
    ("xavier_uniform_", {"gain": 1.5}, "xavier"),
    ("xavier_normal_", {}, None),
    ("kaiming_uniform_", {}, "kaiming"),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, "kaiming"),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, "kaiming"),
    ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"}, None),
    ("kaiming_normal_", {"nonlinearity": "tanh"}, None),
    ("orthogonal_", {"gain": 2.0}, None),
])
def test_random_initialisers_follow_torch(name, kw, bound, shape):
    e, t = _pair(shape)
    out = getattr(ember.nn.init, name)(e, **kw)
    getattr(torch.nn.init, name)(t, **kw)
    assert out is e
    if bound == "xavier":
        fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(t)
        bound = kw.get("gain", 1) * math.sqrt(6 / (fi + fo))
    elif bound == "kaiming":
        fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(t)
        fan = fo if kw.get("mode") == "fan_out" else fi
        bound = math.sqrt(3) * torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) \
            / math.sqrt(fan)
    _same_law(e, t, bound)
    if name == "trunc_normal_":
        lo, hi = kw.get("a", -2.0), kw.get("b", 2.0)
        assert e.min().item() >= lo and e.max().item() <= hi


@pytest.mark.parametrize("shape", [(30, 20), (20, 30), (8, 4, 3, 3)])
def test_orthogonal_is_orthogonal(shape):
    e = ember.nn.init.orthogonal_(ember.empty(*shape), gain=1.5).detach().numpy().reshape(shape[0], -1)
    small = min(e.shape)
    gram = e @ e.T if e.shape[0] == small else e.T @ e
    np.testing.assert_allclose(gram, 2.25 * np.eye(small), atol=1e-4)


@pytest.mark.parametrize("name,args,shape", [
    ("constant_", (0.37,), (3, 4)), ("ones_", (), (2, 3, 4)), ("zeros_", (), (5,)), ("eye_", (), (3, 5)),
    ("eye_", (), (4, 2)), ("dirac_", (), (4, 3, 5)), ("dirac_", (2,), (6, 2, 3, 3)), ("dirac_", (), (2, 4, 3, 3, 3)),
])
def test_deterministic_initialisers_equal_torch(name, args, shape):
    e, t = ember.randn(*shape), torch.randn(*shape)
    getattr(ember.nn.init, name)(e, *args)
    getattr(torch.nn.init, name)(t, *args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_sparse_zeroes_the_same_count_per_column():
    e, t = _pair((40, 30))
    ember.nn.init.sparse_(e, 0.25, std=0.5)
    torch.nn.init.sparse_(t, 0.25, std=0.5)
    np.testing.assert_array_equal((e.numpy() == 0).sum(0), (t.numpy() == 0).sum(0))
    nz = e.numpy()[e.numpy() != 0]
    assert abs(nz.std() - 0.5) < 0.05


def test_parameters_stay_leaves_and_versions_bump():
    p = ember.nn.Parameter(ember.empty(20, 10))
    for fn in [lambda t: ember.nn.init.kaiming_uniform_(t), lambda t: ember.nn.init.eye_(t),
               lambda t: ember.nn.init.orthogonal_(t), lambda t: ember.nn.init.sparse_(t, 0.1),
               lambda t: ember.nn.init.trunc_normal_(t), lambda t: ember.nn.init.zeros_(t)]:
        v = p._version
        assert fn(p) is p
        assert p.is_leaf and p.requires_grad and p._version > v


def test_generator_makes_it_reproducible():
    g = ember.Generator().manual_seed(5)
    a = ember.nn.init.xavier_normal_(ember.empty(4, 5), generator=g).numpy().copy()
    g.manual_seed(5)
    b = ember.nn.init.xavier_normal_(ember.empty(4, 5), generator=g).numpy()
    np.testing.assert_array_equal(a, b)


def test_errors_and_warnings():
    same_error(lambda lib: lib.nn.init.xavier_uniform_(lib.empty(5)))
    same_error(lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3, 4), mode="fan_avg"))
    same_error(lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3, 4), nonlinearity="swish"))
    same_error(lambda lib: lib.nn.init.eye_(lib.empty(2, 3, 4)))
    same_error(lambda lib: lib.nn.init.dirac_(lib.empty(2, 3)))
    same_error(lambda lib: lib.nn.init.dirac_(lib.empty(3, 3, 3), groups=2))
    same_error(lambda lib: lib.nn.init.orthogonal_(lib.empty(3)))
    same_error(lambda lib: lib.nn.init.sparse_(lib.empty(3, 4, 5), 0.1))
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        with pytest.warns(UserWarning, match="mean is more than 2 std"):
            lib.nn.init.trunc_normal_(lib.empty(3), mean=10.0)
        for old in ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                    "kaiming_normal", "orthogonal", "eye", "dirac", "sparse"]:
            assert callable(getattr(lib.nn.init, old))
        with pytest.warns(FutureWarning, match="nn.init.uniform` is now deprecated"):
            lib.nn.init.uniform(lib.empty(3))


LAYERS = [
    lambda lib: lib.nn.Linear(300, 200),
    lambda lib: lib.nn.Linear(7, 500),
    lambda lib: lib.nn.Bilinear(30, 20, 50),
    lambda lib: lib.nn.Embedding(500, 64, padding_idx=3),
    lambda lib: lib.nn.EmbeddingBag(500, 64),
    lambda lib: lib.nn.LayerNorm((4, 50)),
    lambda lib: lib.nn.RMSNorm(100),
]


@pytest.mark.parametrize("make", LAYERS)
def test_default_layer_init_follows_torch(make):
    em, tm = make(ember), make(torch)
    for (name, e), t in zip(em.named_parameters(), tm.parameters()):
        assert tuple(e.shape) == tuple(t.shape), name
        if t.detach().std() == 0:                              # constant (ones / zeros): exactly equal
            np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
            continue
        bound = t.detach().abs().max().item() if isinstance(tm, (torch.nn.Linear, torch.nn.Bilinear)) else None
        if bound is not None:                                  # uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
            bound = 1 / math.sqrt(tm.weight.shape[1])
        _same_law(e, t, bound)
    if isinstance(tm, torch.nn.Embedding):
        assert not em.weight[3].detach().numpy().any()
