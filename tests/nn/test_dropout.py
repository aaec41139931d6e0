"""Dropout layers against torch. The random streams differ from PyTorch's, so masks are compared by
their law and structure: the same kept fraction, the same affine map on kept and dropped elements,
gradients that follow the mask, identity in eval mode, the same errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr
from oracle import assert_same, pair, random_array, same_error

N = 40000


def _affine_structure(x, out):
    """(kept fraction, scale on kept, shift on kept, value of dropped) of out = a*x + c (kept) / d (dropped)."""
    x, out = x.astype(np.float64).ravel(), out.astype(np.float64).ravel()
    vals, counts = np.unique(np.round(out, 5), return_counts=True)
    dropped_value = vals[counts.argmax()]                 # every dropped element has the same value
    kept = np.abs(out - dropped_value) > 1e-5
    a, c = np.polyfit(x[kept], out[kept], 1)
    return kept.mean(), a, c, dropped_value


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_law_as_torch(name, p, dtype):
    shape = (N // 4, 4) if name != "feature_alpha_dropout" else (N // 4, 4, 3)
    arr = random_array(shape, dtype, low=0.5, high=2.0)     # no input is ever 0: dropped ones are recognisable
    e = getattr(ember.nn.functional, name)(ember.tensor(arr), p, True)
    t = getattr(torch.nn.functional, name)(torch.tensor(arr), p, True)
    assert e.dtype == ember.float32 if dtype == "float32" else e.dtype == ember.float64
    ek, ea, ec, ed = _affine_structure(arr, e.numpy())
    tk, ta, tc, td = _affine_structure(arr, t.numpy())
    assert abs(ek - tk) < 0.03 and abs(ek - (1 - p)) < 0.02
    np.testing.assert_allclose([ea, ec, ed], [ta, tc, td], rtol=1e-5, atol=1e-5)
    if name == "feature_alpha_dropout":           # whole (sample, channel) rows share one draw
        kept = np.abs(e.numpy() - ed) > 1e-5
        assert (kept == kept[..., :1]).all()


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout"])
def test_gradient_follows_mask(name):
    x = ember.tensor(random_array((200, 5), "float64", low=0.5, high=2.0), requires_grad=True)
    out = getattr(ember.nn.functional, name)(x, 0.3, True)
    _, a, _, d = _affine_structure(x.detach().numpy(), out.detach().numpy())
    kept = np.abs(out.detach().numpy() - d) > 1e-5
    g = ember.tensor(random_array((200, 5), "float64"), requires_grad=True)
    (gx,) = ember.autograd.grad(out, x, g, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), np.where(kept, g.detach().numpy() * a, 0), rtol=1e-12)
    v = random_array((200, 5), "float64")                 # the backward is linear in g with the same mask
    (gg,) = ember.autograd.grad((gx * ember.tensor(v)).sum(), g)
    np.testing.assert_allclose(gg.numpy(), np.where(kept, v * a, 0), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Dropout(), lambda lib: lib.nn.Dropout(0.2, inplace=True),
                                  lambda lib: lib.nn.AlphaDropout(0.1), lambda lib: lib.nn.FeatureAlphaDropout()])
def test_modules_repr_and_eval_identity(make):
    em, tm = make(ember), make(torch)
    assert_same_repr(em, tm)
    xe, xt = pair((4, 3, 2))
    assert em.training
    em.eval()
    tm.eval()
    assert em(xe) is xe and tm(xt) is xt
    em.train()
    out = em(xe)
    assert out.shape == xe.shape


def test_training_false_and_p_zero_return_input():
    for lib in (ember, torch):
        x = lib.randn(3, 4)
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
        assert lib.nn.functional.dropout(x, 0.0) is x
        assert lib.nn.functional.alpha_dropout(x, 0.5) is x      # training defaults to False


def test_p_one_gives_zeros_and_nan_propagates():
    arr = random_array((3, 4), "float32")
    arr[0, 0] = np.nan
    for name in ["dropout", "alpha_dropout"]:
        assert_same(getattr(ember.nn.functional, name)(ember.tensor(arr), 1.0, True),
                    getattr(torch.nn.functional, name)(torch.tensor(arr), 1.0, True))


def test_inplace():
    x = ember.tensor(random_array((100, 10), "float32", low=0.5, high=2.0))
    before = x.clone()
    v = x._version
    out = ember.nn.functional.dropout(x, 0.5, True, inplace=True)
    assert out is x and x._version > v
    kept = x.numpy() != 0
    np.testing.assert_allclose(x.numpy()[kept], before.numpy()[kept] * 2, rtol=1e-6)
    leaf = ember.randn(3, requires_grad=True)
    same_error(lambda lib: lib.nn.functional.dropout(lib.randn(3, requires_grad=True), 0.5, True, True))
    y = leaf * 2
    ember.nn.functional.dropout(y, 0.5, True, inplace=True).sum().backward()
    assert leaf.grad is not None


def test_seeded_masks_repeat():
    ember.manual_seed(3)
    a = ember.nn.functional.dropout(ember.ones(50), 0.5)
    ember.manual_seed(3)
    b = ember.nn.functional.dropout(ember.ones(50), 0.5)
    assert (a.numpy() == b.numpy()).all()


def test_bad_input():
    for name in ["dropout", "alpha_dropout", "feature_alpha_dropout"]:
        same_error(lambda lib: getattr(lib.nn.functional, name)(lib.randn(3), 1.5, True))
        same_error(lambda lib: getattr(lib.nn.functional, name)(lib.randn(3), -0.1, True))
    same_error(lambda lib: lib.nn.Dropout(2.0))
    same_error(lambda lib: lib.nn.AlphaDropout(-1))


CHANNEL = [("dropout1d", (400, 30, 3)), ("dropout1d", (600, 4)), ("dropout2d", (200, 40, 2, 2)),
           ("dropout2d", (300, 30, 4)), ("dropout3d", (100, 50, 2, 1, 2)), ("dropout3d", (500, 3, 2, 2))]


@pytest.mark.parametrize("name,shape", CHANNEL)
def test_channel_dropout_same_law_as_torch(name, shape):
    arr = random_array(shape, "float32", low=0.5, high=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = getattr(ember.nn.functional, name)(ember.tensor(arr), 0.4)
        t = getattr(torch.nn.functional, name)(torch.tensor(arr), 0.4)
    assert tuple(e.shape) == tuple(t.shape)
    ek, ea, ec, ed = _affine_structure(arr, e.numpy())
    tk, ta, tc, td = _affine_structure(arr, t.numpy())
    unbatched = (name == "dropout1d" and len(shape) == 2) or (name == "dropout3d" and len(shape) == 4)
    draws = shape[0] if unbatched else shape[0] * shape[1]
    tol = 5 * np.sqrt(0.24 / draws)                            # 5 sigma of a kept fraction of `draws` channels
    assert abs(ek - tk) < 1.5 * tol and abs(ek - 0.6) < tol
    np.testing.assert_allclose([ea, ec, ed], [ta, tc, td], rtol=1e-5, atol=1e-5)
    kept = e.numpy() != 0
    per_channel = kept.reshape(shape[0], -1) if unbatched else kept.reshape(shape[0], shape[1], -1)
    assert (per_channel == per_channel[..., :1]).all()         # one draw per channel


def test_channel_dropout_warnings_errors_modules():
    for fn, shape in [("dropout2d", (2, 3, 4)), ("dropout2d", (2, 3)), ("dropout3d", (2, 3, 4))]:
        for lib in (ember, torch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                getattr(lib.nn.functional, fn)(lib.randn(*shape), 0.5)
            msgs = [(x.category, str(x.message)) for x in w]
            if lib is ember:
                e_msgs = msgs
            else:
                assert e_msgs == msgs and msgs
    same_error(lambda lib: lib.nn.functional.dropout1d(lib.randn(2, 3, 4, 5), 0.5))
    same_error(lambda lib: lib.nn.functional.dropout1d(lib.randn(2, 3), 1.5))
    for cls in ["Dropout1d", "Dropout2d", "Dropout3d"]:
        em, tm = getattr(ember.nn, cls)(0.3), getattr(torch.nn, cls)(0.3)
        assert_same_repr(em, tm)
        x = ember.randn(2, 3, 4, 4, 4) if cls == "Dropout3d" else ember.randn(2, 3, 4)
        em.eval()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")               # Dropout2d on 3-D input warns, as PyTorch's
            out = em(x)
        np.testing.assert_array_equal(out.numpy(), x.numpy())


def test_channel_dropout_inplace_and_grad():
    x = ember.tensor(random_array((50, 8, 3), "float64", low=0.5, high=2.0), requires_grad=True)
    y = x * 1.0
    out = ember.nn.functional.dropout1d(y, 0.5, True, inplace=True)
    assert out is y
    g = random_array((50, 8, 3), "float64")
    out.backward(ember.tensor(g))
    kept = out.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 2 * g, 0), rtol=1e-12)
    u = ember.randn(8, 3)
    assert ember.nn.functional.dropout1d(u, 0.5, True, inplace=True) is u
