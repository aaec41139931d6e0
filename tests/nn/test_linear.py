"""nn.Identity, nn.Linear, nn.Bilinear against torch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_layer, same_message_parts
from oracle import check, same_error

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cfg,shape", [((5, 3), (4, 5)), ((5, 3, False), (4, 5)), ((7, 2), (2, 3, 7)),
                                       ((4, 6), (4,)), ((3, 1), (2, 2, 2, 3)), ((1, 8, False), (6, 1))])
def test_linear_matches_torch(cfg, shape, dtype):
    compare_layer(lambda lib: lib.nn.Linear(*cfg), [shape], dtype)


def test_linear_repr_and_state():
    for args in [(784, 10), (3, 4, False)]:
        em, tm = ember.nn.Linear(*args), torch.nn.Linear(*args)
        assert repr(em) == repr(tm)
        assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    seq = lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Identity(), lib.nn.Linear(8, 2, bias=False))
    assert repr(seq(ember)) == repr(seq(torch))
    assert ember.nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64


def test_identity():
    m = ember.nn.Identity(54, unused_argument1=0.1)
    x = ember.randn(3, 4)
    assert m(x) is x
    assert repr(m) == repr(torch.nn.Identity(54, unused_argument1=0.1))


@pytest.mark.parametrize("bias", [True, False])
def test_linear_second_order(bias):
    if bias:
        check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b) ** 2, [(3, 4), (5, 4), (5,)], "float64",
              second_order=True)
    else:
        check(lambda lib, x, w: lib.nn.functional.linear(x, w).tanh(), [(2, 3, 4), (5, 4)], "float64",
              second_order=True)


def test_linear_default_init_bounds():
    m = ember.nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.02 * bound      # uniform(-bound, bound) has std bound/sqrt(3)


def test_linear_integer_and_vector_weight():
    ints = [np.arange(12).reshape(4, 3) - 5, np.arange(6).reshape(2, 3), np.array([1, -2])]
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), ints, grad=False)
    check(lambda lib, x, w: lib.nn.functional.linear(x, w), [(4, 3), (3,)], "float64")


@pytest.mark.parametrize("bias_shape", [(), (4, 2), (1, 2)])
def test_linear_broadcast_bias(bias_shape):
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(4, 3), (2, 3), bias_shape], "float64")


def test_linear_bad_input():
    e, _ = same_error(lambda lib: lib.nn.Linear(784, 10)(lib.randn(4, 783)))
    same_message_parts(e, "Linear(in_features=784, out_features=10", "783 features", "784")
    same_error(lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 3, dtype=lib.float64)))
    same_error(lambda lib: lib.nn.functional.linear(lib.randn(4, 3), lib.randn(2, 4)))
    same_error(lambda lib: lib.nn.functional.linear(lib.ones(4, 3, dtype=lib.bool), lib.ones(2, 3, dtype=lib.bool)))
    same_error(lambda lib: lib.nn.functional.linear(lib.ones(4, 3), lib.ones(2, 3), lib.ones(3)))
    same_error(lambda lib: lib.nn.functional.linear([1.0, 2.0], lib.randn(2, 2)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cfg,s1,s2", [((3, 5, 2), (4, 3), (4, 5)), ((3, 5, 2, False), (2, 4, 3), (2, 4, 5)),
                                       ((2, 2, 1), (2,), (2,))])
def test_bilinear_matches_torch(cfg, s1, s2, dtype):
    em, tm = compare_layer(lambda lib: lib.nn.Bilinear(*cfg), [s1, s2], dtype)
    assert list(em.state_dict()) == list(tm.state_dict())


def test_bilinear_init_and_bad_input():
    m = ember.nn.Bilinear(16, 3, 4)
    assert np.abs(m.weight.detach().numpy()).max() <= 0.25 and np.abs(m.bias.detach().numpy()).max() <= 0.25
    e, _ = same_error(lambda lib: lib.nn.Bilinear(3, 5, 2)(lib.randn(4, 3), lib.randn(4, 6)))
    same_message_parts(e, "Bilinear(in1_features=3, in2_features=5, out_features=2", "6", "5")
    same_error(lambda lib: lib.nn.Bilinear(3, 5, 2)(lib.randn(4, 3), lib.randn(3, 5)))
    same_error(lambda lib: lib.nn.Bilinear(0, 5, 2))


def test_lazy_linear_materializes_as_torch():
    """LazyLinear: uninitialized until the first input, then a Linear of in_features = the input's last dim."""
    import numpy as np
    import torch
    import ember
    x = np.random.default_rng().standard_normal((6, 7)).astype(np.float32)
    seen = {}
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.LazyLinear(4), lib.nn.ReLU(), lib.nn.LazyLinear(2, bias=False))
        before = (repr(m), type(m[0].weight).__name__, m[0].in_features, list(m.state_dict()))
        out = m(lib.tensor(x))
        after = (repr(m), type(m[0]).__name__, type(m[0].weight).__name__, [tuple(p.shape) for p in m.parameters()])
        seen[lib.__name__] = (before, after, tuple(out.shape))
    assert seen["ember"] == seen["torch"]


def test_lazy_linear_trains_like_linear():
    import numpy as np
    import ember
    m = ember.nn.LazyLinear(3)
    x = ember.tensor(np.random.default_rng().standard_normal((5, 4)).astype(np.float32))
    y = m(x)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ w.T + b, rtol=1e-5, atol=1e-6)
    assert np.abs(w).max() <= 1 / 2 + 1e-6 and np.abs(w).min() > 0     # kaiming_uniform over in_features=4
    y.sum().backward()
    np.testing.assert_allclose(m.bias.grad.numpy(), np.full(3, 5.0))
