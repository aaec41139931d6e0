"""Convolutions (functional and modules), unfold/fold, against torch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_layer
from oracle import assert_same, check, pair, same_error

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

# float32 sums of many products: weight gradients, and outputs that cancel to ~1e-2 (an output of -0.0075 was
# 1.3e-6 off torch's, one run in ~20, at the default atol 1e-6)
F32 = dict(atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)

# name, conv dims, input shape, weight shape, kwargs
CONV = [
    ("1d", 1, (3, 4, 11), (5, 4, 3), {}),
    ("1d_stride_pad", 1, (2, 4, 12), (6, 2, 4), dict(stride=3, padding=2, groups=2)),
    ("1d_same_dil", 1, (2, 3, 9), (4, 3, 4), dict(padding="same", dilation=2)),
    ("1d_valid", 1, (2, 3, 9), (4, 3, 2), dict(padding="valid")),
    ("2d", 2, (2, 3, 7, 6), (4, 3, 3, 3), {}),
    ("2d_stride_tuple", 2, (2, 3, 9, 8), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 2))),
    ("2d_dilation", 2, (2, 2, 9, 9), (3, 2, 3, 2), dict(dilation=(2, 3), padding=1)),
    ("2d_groups", 2, (2, 6, 6, 5), (9, 2, 3, 3), dict(groups=3, padding=1)),
    ("2d_depthwise", 2, (2, 4, 6, 6), (8, 1, 3, 3), dict(groups=4, stride=2, padding=1)),
    ("2d_same_even", 2, (2, 3, 6, 7), (2, 3, 2, 4), dict(padding="same")),
    ("2d_1x1", 2, (3, 5, 4, 4), (7, 5, 1, 1), {}),
    ("3d", 3, (2, 2, 5, 4, 5), (3, 2, 2, 3, 2), dict(padding=1)),
    ("3d_stride_groups", 3, (1, 4, 6, 5, 5), (4, 2, 3, 2, 2), dict(stride=(2, 1, 2), groups=2, dilation=(1, 2, 1))),
]


def _conv(d, kw):
    return lambda lib, x, w, b: getattr(lib.nn.functional, f"conv{d}d")(x, w, b, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,d,xs,ws,kw", CONV, ids=[c[0] for c in CONV])
def test_conv_functional(name, d, xs, ws, kw, dtype):
    check(_conv(d, kw), [xs, ws, (ws[0],)], dtype=dtype, **(F32 if dtype == "float32" else {}))


@pytest.mark.parametrize("name,d,xs,ws,kw", CONV[::3], ids=[c[0] for c in CONV[::3]])
def test_conv_second_order(name, d, xs, ws, kw):
    check(lambda lib, x, w: getattr(lib.nn.functional, f"conv{d}d")(x, w, **kw), [xs, ws], dtype="float64",
          second_order=True)


def test_conv_unbatched_and_no_bias():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), [(3, 5, 5), (2, 3, 3, 3)])
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w), [(3, 8), (2, 3, 3)])


def test_conv_grad_fn_name():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    y = ember.nn.functional.conv2d(x, ember.randn(3, 2, 3, 3))
    assert y.grad_fn.name() == "ConvolutionBackward0"


# name, dims, input shape, weight shape (C_in, C_out/groups, *K), kwargs
CONVT = [
    ("1d", 1, (2, 4, 6), (4, 3, 3), {}),
    ("1d_stride_outpad", 1, (2, 4, 5), (4, 2, 4), dict(stride=3, padding=1, output_padding=2)),
    ("2d", 2, (2, 4, 5, 6), (4, 3, 3, 2), {}),
    ("2d_stride", 2, (2, 4, 4, 5), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ("2d_groups_dil", 2, (2, 4, 4, 4), (4, 2, 2, 3), dict(groups=2, dilation=(2, 1), padding=(1, 0))),
    ("2d_outpad_dilation", 2, (1, 2, 3, 4), (2, 2, 3, 3), dict(stride=2, dilation=3, output_padding=2)),
    ("3d", 3, (1, 2, 3, 4, 3), (2, 3, 2, 2, 3), dict(stride=(1, 2, 2), padding=(0, 1, 1))),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,d,xs,ws,kw", CONVT, ids=[c[0] for c in CONVT])
def test_conv_transpose_functional(name, d, xs, ws, kw, dtype):
    b = (ws[1] * kw.get("groups", 1),)
    check(lambda lib, x, w, bb: getattr(lib.nn.functional, f"conv_transpose{d}d")(x, w, bb, **kw), [xs, ws, b],
          dtype=dtype, **(F32 if dtype == "float32" else {}))


@pytest.mark.parametrize("name,d,xs,ws,kw", CONVT[::2], ids=[c[0] for c in CONVT[::2]])
def test_conv_transpose_second_order(name, d, xs, ws, kw):
    check(lambda lib, x, w: getattr(lib.nn.functional, f"conv_transpose{d}d")(x, w, **kw), [xs, ws],
          dtype="float64", second_order=True)


def test_gradcheck_functional():
    F = ember.nn.functional
    x = ember.randn(1, 2, 4, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 1, 2, 3, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=1, groups=2),
                                    (x, w, b))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, dilation=2, padding=1, groups=2), (x, w))
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, output_padding=1,
                                                                       groups=2), (x, w, b))
    x1 = ember.randn(2, 2, 5, dtype=ember.float64, requires_grad=True)
    w1 = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w: F.conv1d(x, w, padding="same", dilation=2), (x1, w1))
    x3 = ember.randn(1, 1, 3, 3, 3, dtype=ember.float64, requires_grad=True)
    w3 = ember.randn(2, 1, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w: F.conv3d(x, w, stride=2, padding=1), (x3, w3))
    assert ember.autograd.gradgradcheck(lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), (x,))
    c = ember.randn(1, 4, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda c: F.fold(c, (3, 4), 2, stride=(1, 2)), (c,))


UNFOLD = [
    ("plain", (2, 3, 5, 6), dict(kernel_size=2)),
    ("all", (2, 3, 6, 7), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))),
    ("unbatched", (3, 4, 4), dict(kernel_size=3, padding=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,xs,kw", UNFOLD, ids=[u[0] for u in UNFOLD])
def test_unfold_and_fold(name, xs, kw, dtype):
    _, t = check(lambda lib, x: lib.nn.functional.unfold(x, **kw), [xs], dtype=dtype)
    check(lambda lib, c: lib.nn.functional.fold(c, xs[-2:], **kw), [tuple(t.shape)], dtype=dtype)


def test_unfold_fold_modules():
    check(lambda lib, x: lib.nn.Unfold(kernel_size=(2, 3), padding=1, stride=2)(x), [(2, 3, 5, 6)])
    check(lambda lib, c: lib.nn.Fold(output_size=(4, 5), kernel_size=2)(c), [(2, 8, 12)])
    assert repr(ember.nn.Fold((4, 5), 2)) == repr(torch.nn.Fold((4, 5), 2))
    assert repr(ember.nn.Unfold(3, padding=1)) == repr(torch.nn.Unfold(3, padding=1))


# layer, input shape, kwargs
MODULES = [
    ("Conv1d", (2, 4, 10), dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1)),
    ("Conv1d", (2, 4, 10), dict(in_channels=4, out_channels=4, kernel_size=3, padding="same", groups=4,
                                bias=False)),
    ("Conv1d", (2, 2, 9), dict(in_channels=2, out_channels=3, kernel_size=4, padding=2, padding_mode="reflect")),
    ("Conv2d", (2, 3, 8, 7), dict(in_channels=3, out_channels=5, kernel_size=3)),
    ("Conv2d", (2, 4, 8, 8), dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 1),
                                  padding=(1, 0), dilation=(1, 2), groups=2)),
    ("Conv2d", (2, 3, 7, 6), dict(in_channels=3, out_channels=2, kernel_size=3, padding=1,
                                  padding_mode="replicate")),
    ("Conv2d", (2, 3, 7, 6), dict(in_channels=3, out_channels=2, kernel_size=(3, 2), padding="same",
                                  padding_mode="circular")),
    ("Conv2d", (2, 3, 7, 6), dict(in_channels=3, out_channels=2, kernel_size=3, padding=(2, 1),
                                  padding_mode="reflect")),
    ("Conv3d", (1, 2, 5, 5, 4), dict(in_channels=2, out_channels=3, kernel_size=2, padding=1)),
    ("Conv3d", (1, 2, 5, 5, 4), dict(in_channels=2, out_channels=2, kernel_size=3, padding=1,
                                     padding_mode="circular")),
    ("ConvTranspose1d", (2, 3, 6), dict(in_channels=3, out_channels=4, kernel_size=3, stride=2, padding=1)),
    ("ConvTranspose2d", (2, 4, 5, 4), dict(in_channels=4, out_channels=6, kernel_size=3, stride=2,
                                           output_padding=1, groups=2)),
    ("ConvTranspose2d", (2, 2, 4, 4), dict(in_channels=2, out_channels=3, kernel_size=(2, 3), dilation=2,
                                           bias=False)),
    ("ConvTranspose3d", (1, 2, 3, 3, 3), dict(in_channels=2, out_channels=2, kernel_size=2, stride=2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,xs,kw", MODULES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MODULES)])
def test_conv_modules(layer, xs, kw, dtype):
    compare_layer(lambda lib: getattr(lib.nn, layer)(**kw), [xs], dtype, **(F32 if dtype == "float32" else {}))


def test_conv_module_state_dict_and_init():
    em, tm = ember.nn.Conv2d(3, 8, 5), torch.nn.Conv2d(3, 8, 5)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["weight", "bias"]
    assert tuple(em.weight.shape) == (8, 3, 5, 5)
    bound = 1 / (3 * 25) ** 0.5       # kaiming_uniform(a=sqrt(5)) and the bias both give 1/sqrt(fan_in)
    for p in (em.weight, em.bias):
        v = p.detach().numpy()
        assert abs(v).max() <= bound and abs(v).max() > bound / 2
    et = ember.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(et.weight.shape) == (4, 3, 3, 3)
    assert list(et.state_dict()) == ["weight", "bias"]


def test_conv_transpose_output_size():
    em = ember.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    xe, xt = pair((1, 2, 4, 5))
    for size in ([8, 10], [1, 3, 7, 9]):
        ye, yt = em(xe, output_size=size), tm(xt, output_size=size)
        assert tuple(ye.shape) == tuple(yt.shape)
        assert abs(ye.detach().numpy() - yt.detach().numpy()).max() < 1e-5
    with pytest.raises(ValueError):
        em(xe, output_size=[20, 20])
    with pytest.raises(ValueError):
        tm(xt, output_size=[20, 20])


REPRS = [
    ("Conv2d", (3, 16, 3), {}),
    ("Conv2d", (3, 16, (3, 5)), dict(stride=2, padding=(1, 2), dilation=2, groups=1, bias=False)),
    ("Conv2d", (4, 8, 3), dict(padding="same", groups=4, padding_mode="reflect")),
    ("Conv1d", (2, 4, 5), dict(padding="valid")),
    ("Conv3d", (2, 4, 3), dict(stride=(1, 2, 3))),
    ("ConvTranspose2d", (4, 2, 3), dict(stride=2, output_padding=1, groups=2)),
    ("ConvTranspose1d", (4, 2, 3), dict(dilation=2, bias=False)),
]


@pytest.mark.parametrize("layer,args,kw", REPRS)
def test_conv_repr(layer, args, kw):
    assert_same_repr(getattr(ember.nn, layer)(*args, **kw), getattr(torch.nn, layer)(*args, **kw))


BAD = [
    ("channels", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 4, 5, 5), lib.ones(2, 3, 3, 3))),
    ("groups_weight", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 4, 5, 5), lib.ones(3, 2, 3, 3),
                                                           groups=2)),
    ("kernel_too_big", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 2, 2), lib.ones(1, 1, 3, 3))),
    ("input_dims", lambda lib: lib.nn.functional.conv2d(lib.ones(5, 5), lib.ones(1, 1, 3, 3))),
    ("same_strided", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 5, 5), lib.ones(1, 1, 3, 3), stride=2,
                                                          padding="same")),
    ("bad_padding_string", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 5, 5), lib.ones(1, 1, 3, 3),
                                                                padding="full")),
    ("bias_size", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 1, 5), lib.ones(2, 1, 3), lib.ones(3))),
    ("dtype_mismatch", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 1, 5), lib.ones(2, 1, 3,
                                                                                       dtype=lib.float64))),
    ("transpose_channels", lambda lib: lib.nn.functional.conv_transpose2d(lib.ones(1, 3, 4, 4),
                                                                          lib.ones(2, 2, 3, 3))),
    ("module_groups", lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2)),
    ("module_padding_string", lambda lib: lib.nn.Conv2d(3, 4, 3, padding="full")),
    ("module_same_strided", lambda lib: lib.nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    ("module_padding_mode", lambda lib: lib.nn.Conv2d(3, 4, 3, padding_mode="mirror")),
    ("transpose_padding_mode", lambda lib: lib.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")),
    ("module_channels", lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.ones(1, 2, 5, 5))),
    ("reflect_too_wide", lambda lib: lib.nn.Conv1d(1, 1, 3, padding=3, padding_mode="reflect")(lib.ones(1, 1, 3))),
    ("fold_blocks", lambda lib: lib.nn.functional.fold(lib.ones(1, 4, 5), (3, 3), 2)),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_conv_errors(name, fn):
    same_error(fn)


def test_conv_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"weight of size \[2, 3, 3, 3\].*input\[1, 4, 5, 5\]"):
        ember.nn.functional.conv2d(ember.ones(1, 4, 5, 5), ember.ones(2, 3, 3, 3))


def test_cnn_classifier_trains_like_torch():
    """A classic CNN (conv, batchnorm, relu, maxpool, dropout-free head) trained 3 SGD steps: same losses."""
    def make(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                             nn.Flatten(), nn.Linear(32, 3))
    tm, em = make(torch), make(ember)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    topt, eopt = torch.optim.SGD(tm.parameters(), lr=0.1), ember.optim.SGD(em.parameters(), lr=0.1)
    for _ in range(3):
        xe, xt = pair((8, 1, 12, 12))
        y = np.random.randint(0, 3, 8)
        losses = []
        for lib, m, opt, x in ((ember, em, eopt, xe), (torch, tm, topt, xt)):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(x), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss)
        assert_same(losses[0], losses[1], rtol=1e-4, atol=1e-5)
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, rtol=1e-4, atol=1e-5, what=k)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_conv_low_precision(dtype):
    """Half types compute in float32 and round once, as PyTorch's CPU kernels."""
    # the bias gradient sums 72 upstream values: torch rounds its partial sums to bfloat16's 8-bit
    # mantissa on the way, so near-cancelling sums can differ by a few tenths
    grad_atol = 6e-2 if dtype == "float16" else 3e-1
    tol = dict(rtol=3e-2, atol=3e-2, grad_rtol=6e-2, grad_atol=grad_atol)
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1, groups=1), [(2, 3, 6, 6), (4, 3, 3, 3),
                                                                                        (4,)], dtype=dtype, **tol)
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2), [(2, 3, 4, 4), (3, 2, 3, 3)],
          dtype=dtype, **tol)
