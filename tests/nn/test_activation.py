"""nn activations (functional and modules) against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, pair, same_error

A = [
    # name, fn(lib, x), second order
    ("relu", lambda lib, x: lib.nn.functional.relu(x), False),
    ("relu6", lambda lib, x: lib.nn.functional.relu6(x * 4), False),
    ("leaky_relu", lambda lib, x: lib.nn.functional.leaky_relu(x, 0.2), False),
    ("elu", lambda lib, x: lib.nn.functional.elu(x, 0.7), True),
    ("selu", lambda lib, x: lib.nn.functional.selu(x), True),
    ("celu", lambda lib, x: lib.nn.functional.celu(x, 1.5), True),
    ("gelu", lambda lib, x: lib.nn.functional.gelu(x), True),
    ("gelu_tanh", lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), True),
    ("silu", lambda lib, x: lib.nn.functional.silu(x), True),
    ("mish", lambda lib, x: lib.nn.functional.mish(x), True),
    ("softplus", lambda lib, x: lib.nn.functional.softplus(x), True),
    ("softplus_beta", lambda lib, x: lib.nn.functional.softplus(x * 10, beta=2, threshold=5), True),
    ("softsign", lambda lib, x: lib.nn.functional.softsign(x), True),
    ("tanh", lambda lib, x: lib.nn.functional.tanh(x), False),
    ("tanhshrink", lambda lib, x: lib.nn.functional.tanhshrink(x), False),
    ("sigmoid", lambda lib, x: lib.nn.functional.sigmoid(x), False),
    ("logsigmoid", lambda lib, x: lib.nn.functional.logsigmoid(x * 20), True),
    ("hardtanh", lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 1.2), False),
    ("hardsigmoid", lambda lib, x: lib.nn.functional.hardsigmoid(x * 4), False),
    ("hardswish", lambda lib, x: lib.nn.functional.hardswish(x * 4), True),
    ("hardshrink", lambda lib, x: lib.nn.functional.hardshrink(x), False),
    ("softshrink", lambda lib, x: lib.nn.functional.softshrink(x, 0.3), False),
    ("threshold", lambda lib, x: lib.nn.functional.threshold(x, 0.1, 20.0), False),
    ("glu", lambda lib, x: lib.nn.functional.glu(x), False),
    ("glu0", lambda lib, x: lib.nn.functional.glu(x, 0), False),
    ("softmax", lambda lib, x: lib.nn.functional.softmax(x, 1), True),
    ("softmax0", lambda lib, x: lib.nn.functional.softmax(x, dim=0), True),
    ("log_softmax", lambda lib, x: lib.nn.functional.log_softmax(x, -1), True),
    ("softmin", lambda lib, x: lib.nn.functional.softmin(x, 1), True),
    ("softmax_dtype", lambda lib, x: lib.nn.functional.softmax(x, 1, dtype=lib.float64), False),
    ("log_softmax_dtype", lambda lib, x: lib.nn.functional.log_softmax(x, 1, dtype=lib.float64), False),
    ("softmax_method", lambda lib, x: x.softmax(-1), False),
    ("relu_method", lambda lib, x: x.relu(), False),
    ("rrelu_eval", lambda lib, x: lib.nn.functional.rrelu(x), False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,so", A, ids=[a[0] for a in A])
def test_activation(name, fn, so, dtype):
    check(fn, [(4, 6)], dtype=dtype, second_order=so and dtype == "float64")


@pytest.mark.parametrize("name,fn,so", A[:24], ids=[a[0] for a in A[:24]])
def test_activation_half(name, fn, so):
    check(fn, [(3, 4)], dtype="float16", grad_rtol=2e-2, grad_atol=2e-2)
    check(fn, [(3, 4)], dtype="bfloat16", grad_rtol=5e-2, grad_atol=5e-2)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_shapes(shape):
    for d in range(-len(shape), len(shape)) if shape else [0, -1]:
        check(lambda lib, x: lib.nn.functional.softmax(x, d), [shape], dtype="float64", second_order=True)
        check(lambda lib, x: lib.nn.functional.log_softmax(x, d), [shape], dtype="float64", second_order=True)


@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_implicit_dim_warns(ndim):
    shape = (2, 3, 4, 5)[:ndim]
    xe, xt = pair(shape)
    for name in ["softmax", "log_softmax", "softmin"]:
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            e = getattr(ember.nn.functional, name)(xe)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = getattr(torch.nn.functional, name)(xt)
        assert_same(e, t)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        e = ember.nn.Softmax()(xe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.Softmax()(xt)
    assert_same(e, t)


def test_nan_and_inf():
    x = np.array([[np.nan, 1.0, 2.0], [-np.inf, 0.0, 1.0], [1000.0, -1000.0, 0.0]], dtype=np.float32)
    for fn in [lambda lib, x: lib.nn.functional.relu(x), lambda lib, x: lib.nn.functional.gelu(x),
               lambda lib, x: lib.nn.functional.softmax(x, 1), lambda lib, x: lib.nn.functional.log_softmax(x, 1),
               lambda lib, x: lib.nn.functional.silu(x), lambda lib, x: lib.nn.functional.softplus(x),
               lambda lib, x: lib.nn.functional.logsigmoid(x), lambda lib, x: lib.nn.functional.elu(x),
               lambda lib, x: lib.nn.functional.leaky_relu(x), lambda lib, x: lib.nn.functional.hardtanh(x)]:
        check(fn, [x], grad=False)


def test_prelu():
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(2, 3, 4), (3,)], dtype="float64", second_order=True)
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(2, 3), (1,)], dtype="float64")
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(5,), (1,)])
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(2, 3, 4, 5), (3,)])
    _same_error_pair(lambda lib, x, w: lib.nn.functional.prelu(x, w), (2, 3), (4,))


def _same_error_pair(fn, *shapes):
    """Run fn on the same random tensors in both libraries; both must raise the same class."""
    ps = [pair(s) for s in shapes]
    errs = []
    for lib, k in ((ember, 0), (torch, 1)):
        try:
            fn(lib, *[p[k] for p in ps])
        except Exception as e:  # noqa: BLE001
            errs.append(type(e))
        else:
            errs.append(None)
    assert errs[1] is not None, "torch did not raise"
    assert errs[0] is errs[1], errs


def test_prelu_module():
    for n in (1, 3):
        me, mt = ember.nn.PReLU(n, init=0.1), torch.nn.PReLU(n, init=0.1)
        assert repr(me) == repr(mt)
        xe, xt = pair((2, 3, 4), requires_grad=True)
        ye, yt = me(xe), mt(xt)
        assert_same(ye, yt)
        ye.sum().backward()
        yt.sum().backward()
        assert_same(me.weight.grad, mt.weight.grad, rtol=1e-5, atol=1e-5)
        assert_same(xe.grad, xt.grad)


def test_inplace():
    for name, kw in [("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.3}), ("elu", {}),
                     ("selu", {}), ("celu", {}), ("hardtanh", {}), ("silu", {}), ("mish", {}), ("hardswish", {}),
                     ("hardsigmoid", {}), ("threshold", {"threshold": 0.5, "value": -1.0})]:
        def fn(lib, x):
            y = x * 2
            r = getattr(lib.nn.functional, name)(y, inplace=True, **kw)
            assert r is y
            return y
        check(fn, [(3, 4)], dtype="float64")
    for name in ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_"]:
        def fn(lib, x):
            y = x * 2
            getattr(lib.nn.functional, name)(y)
            return y
        check(fn, [(3, 4)], dtype="float64")
    check(lambda lib, x: lib.nn.functional.threshold_((x * 2), 0.1, 3.0), [(3, 4)], dtype="float64")


def test_int_relu():
    a = np.array([-2, 0, 3], dtype=np.int64)
    check(lambda lib, x: lib.nn.functional.relu(x), [a], grad=False)
    check(lambda lib, x: lib.nn.functional.hardtanh(x, -1, 1), [a], grad=False)


MODULES = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(), lambda nn: nn.ReLU6(True),
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, inplace=True), lambda nn: nn.ELU(),
    lambda nn: nn.ELU(0.5, True), lambda nn: nn.SELU(), lambda nn: nn.SELU(True), lambda nn: nn.CELU(2.0),
    lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Mish(),
    lambda nn: nn.Softplus(), lambda nn: nn.Softplus(2, 10), lambda nn: nn.Softsign(), lambda nn: nn.Tanh(),
    lambda nn: nn.Tanhshrink(), lambda nn: nn.Sigmoid(), lambda nn: nn.LogSigmoid(), lambda nn: nn.Hardtanh(),
    lambda nn: nn.Hardtanh(-2, 3, True), lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardswish(),
    lambda nn: nn.Hardshrink(), lambda nn: nn.Softshrink(0.2), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20, True), lambda nn: nn.GLU(), lambda nn: nn.GLU(0), lambda nn: nn.Softmax(dim=-1),
    lambda nn: nn.LogSoftmax(1), lambda nn: nn.Softmin(0), lambda nn: nn.PReLU(), lambda nn: nn.PReLU(4),
    lambda nn: nn.RReLU(),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module(i):
    me, mt = MODULES[i](ember.nn), MODULES[i](torch.nn)
    assert repr(me) == repr(mt)
    me.eval(), mt.eval()
    check(lambda lib, x: (me if lib is ember else mt)(x * 1), [(4, 4)])
    assert repr(ember.nn.Sequential(me, ember.nn.ReLU())) == repr(torch.nn.Sequential(mt, torch.nn.ReLU()))


def test_errors():
    for fn in [lambda lib, x: lib.nn.functional.softmax(x, 3), lambda lib, x: lib.nn.functional.glu(x, 1),
               lambda lib, x: lib.nn.functional.gelu(x, approximate="bad"),
               lambda lib, x: lib.nn.functional.log_softmax(x, -3)]:
        _same_error_pair(fn, (2, 3))


def test_grad_fn_names():
    xe, xt = pair((3, 4), requires_grad=True)
    for name in ["relu", "gelu", "silu", "mish", "elu", "leaky_relu", "hardswish", "logsigmoid", "softplus"]:
        assert getattr(ember.nn.functional, name)(xe).grad_fn.name() == \
            getattr(torch.nn.functional, name)(xt).grad_fn.name()
    assert ember.nn.functional.softmax(xe, 1).grad_fn.name() == "SoftmaxBackward0"
    assert ember.nn.functional.log_softmax(xe, 1).grad_fn.name() == "LogSoftmaxBackward0"


def test_softmax2d():
    assert repr(ember.nn.Softmax2d()) == repr(torch.nn.Softmax2d())
    for shape in [(2, 3, 4, 5), (3, 4, 5)]:
        check(lambda lib, x: lib.nn.Softmax2d()(x), [shape])
    _same_error_pair(lambda lib, x: lib.nn.Softmax2d()(x), (4, 5))
