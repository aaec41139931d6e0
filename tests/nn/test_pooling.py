"""Pooling (functional and modules) against torch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_layer
from oracle import assert_same, check, pair, same_error, to_ember, to_torch

MAX = [
    ("1d", 1, (2, 3, 11), dict(kernel_size=3)),
    ("1d_all", 1, (2, 3, 12), dict(kernel_size=4, stride=3, padding=2, dilation=2, ceil_mode=True)),
    ("2d", 2, (2, 3, 8, 8), dict(kernel_size=2)),
    ("2d_overlap", 2, (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ("2d_ceil", 2, (2, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 3), ceil_mode=True)),
    ("2d_dilation", 2, (1, 2, 9, 9), dict(kernel_size=3, stride=1, padding=(1, 1), dilation=(2, 3))),
    ("2d_unbatched", 2, (3, 6, 5), dict(kernel_size=2, stride=1)),
    ("2d_gaps", 2, (2, 2, 8, 9), dict(kernel_size=2, stride=3)),
    ("2d_tiled_padded", 2, (2, 2, 6, 6), dict(kernel_size=2, padding=1)),
    ("3d", 3, (1, 2, 5, 6, 5), dict(kernel_size=2, stride=(1, 2, 2), padding=1, ceil_mode=True)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,d,xs,kw", MAX, ids=[m[0] for m in MAX])
def test_max_pool(name, d, xs, kw, dtype):
    # distinct values: the argmax (and so the gradient) is unambiguous
    arr = np.random.permutation(np.prod(xs)).reshape(xs).astype(dtype) / 7
    check(lambda lib, x: getattr(lib.nn.functional, f"max_pool{d}d")(x, **kw), [arr], dtype=dtype)
    e, t = getattr(ember.nn.functional, f"max_pool{d}d")(to_ember(arr), return_indices=True, **kw), \
        getattr(torch.nn.functional, f"max_pool{d}d")(to_torch(arr), return_indices=True, **kw)
    assert_same(e, t)


def test_max_pool_ties_nan_and_inf():
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 1, 2] = np.nan
    x[0, 0, 3, 3] = -np.inf
    for arr in (x, np.full((1, 1, 3, 3), -np.inf, np.float32)):
        e = ember.nn.functional.max_pool2d(to_ember(arr), 2, 1, padding=1, return_indices=True)
        t = torch.nn.functional.max_pool2d(to_torch(arr), 2, 1, padding=1, return_indices=True)
        assert_same(e, t)


def test_max_pool_gradients_of_ties():
    arr = np.round(np.random.rand(2, 2, 6, 6) * 3).astype("float64")    # many ties, overlapping windows
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 1, 1), [arr], dtype="float64")


def test_gradcheck_functional():
    """Pooling gradients are linear in the incoming gradient: gradgradcheck tests their own derivatives."""
    F, gc, ggc = ember.nn.functional, ember.autograd.gradcheck, ember.autograd.gradgradcheck
    x = ember.tensor(np.random.permutation(2 * 36).reshape(1, 2, 6, 6) / 10.0, requires_grad=True)
    for fn in (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), lambda x: F.max_pool1d(x[0], 2, dilation=2),
               lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), lambda x: F.avg_pool1d(x[0], 3, 2, 1),
               lambda x: F.adaptive_avg_pool2d(x, (4, 3)), lambda x: F.adaptive_max_pool2d(x, (4, 4)),
               lambda x: F.lp_pool2d(x + 0.5, 2.0, 2)):
        assert gc(fn, (x,)) and ggc(fn, (x,))
    v, i = F.max_pool2d(x, 2, return_indices=True)
    assert ggc(lambda v: F.max_unpool2d(v, i, 2), (v.detach().requires_grad_(),))


AVG = [
    ("1d", 1, (2, 3, 10), dict(kernel_size=3)),
    ("1d_pad_nocount", 1, (2, 3, 10), dict(kernel_size=4, stride=2, padding=2, count_include_pad=False)),
    ("1d_ceil", 1, (2, 3, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("2d", 2, (2, 3, 8, 7), dict(kernel_size=2)),
    ("2d_pad", 2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("2d_pad_nocount_ceil", 2, (2, 2, 7, 8), dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True,
                                                    count_include_pad=False)),
    ("2d_ceil_count", 2, (1, 2, 6, 6), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
    ("2d_divisor", 2, (2, 2, 6, 6), dict(kernel_size=3, stride=2, padding=1, divisor_override=5)),
    ("2d_unbatched", 2, (3, 5, 5), dict(kernel_size=2, stride=1)),
    ("3d", 3, (1, 2, 5, 4, 6), dict(kernel_size=2, stride=(1, 2, 2), padding=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,d,xs,kw", AVG, ids=[a[0] for a in AVG])
def test_avg_pool(name, d, xs, kw, dtype):
    check(lambda lib, x: getattr(lib.nn.functional, f"avg_pool{d}d")(x, **kw), [xs], dtype=dtype)


ADAPTIVE = [
    ("avg1d", "adaptive_avg_pool1d", (2, 3, 10), 4),
    ("avg1d_up", "adaptive_avg_pool1d", (2, 3, 3), 5),
    ("avg2d", "adaptive_avg_pool2d", (2, 3, 7, 9), (3, 4)),
    ("avg2d_one", "adaptive_avg_pool2d", (2, 3, 5, 5), 1),
    ("avg2d_none", "adaptive_avg_pool2d", (2, 3, 5, 6), (None, 4)),
    ("avg2d_unbatched", "adaptive_avg_pool2d", (3, 5, 6), (2, 3)),
    ("avg3d", "adaptive_avg_pool3d", (1, 2, 5, 4, 6), (2, 3, 4)),
    ("max1d", "adaptive_max_pool1d", (2, 3, 10), 4),
    ("max2d", "adaptive_max_pool2d", (2, 3, 7, 9), (3, 4)),
    ("max2d_up", "adaptive_max_pool2d", (2, 3, 3, 4), (5, 6)),
    ("max2d_one", "adaptive_max_pool2d", (2, 3, 5, 5), 1),
    ("max3d", "adaptive_max_pool3d", (1, 2, 5, 4, 6), (2, 3, 4)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,xs,out", ADAPTIVE, ids=[a[0] for a in ADAPTIVE])
def test_adaptive_pool(name, fn, xs, out, dtype):
    check(lambda lib, x: getattr(lib.nn.functional, fn)(x, out), [xs], dtype=dtype)
    if fn.startswith("adaptive_max"):
        arr = np.random.permutation(np.prod(xs)).reshape(xs).astype(dtype)
        assert_same(getattr(ember.nn.functional, fn)(to_ember(arr), out, return_indices=True),
                    getattr(torch.nn.functional, fn)(to_torch(arr), out, return_indices=True))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, output_size=(8, 10))])
def test_max_unpool2d(kw):
    out_size = kw.pop("output_size", None)
    arr = np.random.permutation(2 * 3 * 8 * 10).reshape(2, 3, 8, 10).astype("float64")
    xe, xt = to_ember(arr), to_torch(arr)
    ve, ie = ember.nn.functional.max_pool2d(xe, return_indices=True, **kw)
    vt, it = torch.nn.functional.max_pool2d(xt, return_indices=True, **kw)
    check(lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i, output_size=out_size, **kw),
          [vt.numpy(), it.numpy()], dtype="float64")
    um_e = ember.nn.MaxUnpool2d(**kw)(ve, ie, output_size=out_size)
    um_t = torch.nn.MaxUnpool2d(**kw)(vt, it, output_size=out_size)
    assert_same(um_e, um_t)


def test_max_unpool1d_and_repeated_indices():
    v = np.random.rand(1, 2, 4)
    i = np.array([[[0, 1, 1, 5], [2, 2, 3, 7]]])
    check(lambda lib, v, i: lib.nn.functional.max_unpool1d(v, i, 2), [v, i], dtype="float64")


LP = [
    ("2d_p2", (2, 3, 6, 6), (2.0, 2)),
    ("2d_p3_stride", (2, 3, 7, 7), (3.0, (3, 2), 2)),
    ("2d_p1_ceil", (2, 2, 7, 6), (1.0, 3, 2, True)),
    ("2d_inf", (2, 2, 6, 6), (float("inf"), 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,xs,args", LP, ids=[p[0] for p in LP])
def test_lp_pool2d(name, xs, args, dtype):
    check(lambda lib, x: lib.nn.functional.lp_pool2d(x.abs() + 0.1, *args), [xs], dtype=dtype)
    check(lambda lib, x: lib.nn.LPPool2d(*args)(x.abs() + 0.1), [xs], dtype=dtype)


def test_lp_pool1d():
    check(lambda lib, x: lib.nn.functional.lp_pool1d(x.abs() + 0.1, 2, 3, 2), [(2, 3, 9)], dtype="float64")


MODULES = [
    ("MaxPool1d", (2, 3, 10), dict(kernel_size=3, stride=2, padding=1)),
    ("MaxPool2d", (2, 3, 8, 8), dict(kernel_size=2)),
    ("MaxPool2d", (2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)),
    ("MaxPool3d", (1, 2, 4, 4, 4), dict(kernel_size=2)),
    ("AvgPool1d", (2, 3, 10), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", (2, 3, 8, 8), dict(kernel_size=2)),
    ("AvgPool2d", (2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=4)),
    ("AvgPool3d", (1, 2, 4, 4, 4), dict(kernel_size=2, stride=1)),
    ("AdaptiveAvgPool1d", (2, 3, 10), dict(output_size=3)),
    ("AdaptiveAvgPool2d", (2, 3, 9, 8), dict(output_size=(4, 3))),
    ("AdaptiveAvgPool2d", (2, 3, 9, 8), dict(output_size=1)),
    ("AdaptiveMaxPool1d", (2, 3, 10), dict(output_size=4)),
    ("AdaptiveMaxPool2d", (2, 3, 9, 8), dict(output_size=(4, 3))),
    ("LPPool1d", (2, 3, 10), dict(norm_type=2, kernel_size=3)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,xs,kw", MODULES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MODULES)])
def test_pool_modules(layer, xs, kw, dtype):
    arr = (np.random.permutation(np.prod(xs)).reshape(xs) / np.prod(xs) + 0.1).astype(dtype)
    compare_layer(lambda lib: getattr(lib.nn, layer)(**kw), [arr], dtype)


def test_pool_module_return_indices():
    xe, xt = pair((2, 3, 8, 8))
    assert_same(ember.nn.MaxPool2d(2, return_indices=True)(xe), torch.nn.MaxPool2d(2, return_indices=True)(xt))
    assert_same(ember.nn.AdaptiveMaxPool2d(3, return_indices=True)(xe),
                torch.nn.AdaptiveMaxPool2d(3, return_indices=True)(xt))


REPRS = [
    ("MaxPool2d", (2,), {}), ("MaxPool2d", ((3, 2),), dict(stride=1, padding=1, dilation=2, ceil_mode=True)),
    ("MaxPool1d", (3,), dict(return_indices=True)), ("AvgPool2d", (3,), dict(stride=2, padding=1)),
    ("AvgPool1d", (3,), {}), ("AvgPool3d", (2,), {}), ("AdaptiveAvgPool2d", ((1, 1),), {}),
    ("AdaptiveAvgPool1d", (4,), {}), ("AdaptiveMaxPool2d", (3,), dict(return_indices=True)),
    ("MaxUnpool2d", (2,), {}), ("MaxUnpool1d", (3,), dict(stride=2)), ("LPPool2d", (2, 3), dict(stride=2)),
]


@pytest.mark.parametrize("layer,args,kw", REPRS)
def test_pool_repr(layer, args, kw):
    assert_same_repr(getattr(ember.nn, layer)(*args, **kw), getattr(torch.nn, layer)(*args, **kw))


BAD = [
    ("pad_too_big", lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2)),
    ("output_too_small", lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 4, 4), 5)),
    ("avg_pad_too_big", lambda lib: lib.nn.functional.avg_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2)),
    ("zero_stride", lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 4, 4), 2, 0)),
    ("bad_dims", lambda lib: lib.nn.functional.max_pool2d(lib.ones(4, 4), 2)),
    ("avg_bad_dims", lambda lib: lib.nn.functional.avg_pool2d(lib.ones(2, 1, 1, 4, 4), 2)),
    ("divisor_zero", lambda lib: lib.nn.functional.avg_pool2d(lib.ones(1, 1, 4, 4), 2, divisor_override=0)),
    ("unpool_size", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 2, 2,
                                                                                                 dtype=lib.long),
                                                               2, output_size=(9, 9))),
    # increasing values put the maxima in the last row and column, outside the default 7x9 output
    ("unpool_default_size_too_small", lambda lib: lib.nn.functional.max_unpool2d(
        *lib.nn.functional.max_pool2d(lib.arange(80.0).reshape(1, 1, 8, 10), 3, 2, 1, return_indices=True), 3, 2, 1)),
    ("unpool_index", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2), lib.full((1, 1, 2, 2), 99,
                                                                                                dtype=lib.long), 2)),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_pool_errors(name, fn):
    same_error(fn)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_pool_low_precision(dtype):
    tol = dict(rtol=3e-2, atol=3e-2, grad_rtol=6e-2, grad_atol=6e-2)
    arr = (np.random.permutation(2 * 3 * 36).reshape(2, 3, 6, 6) / 50).astype(np.float32)
    check(lambda lib, x: lib.nn.functional.max_pool2d(x.to(getattr(lib, dtype)), 2), [arr], **tol)
    check(lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1), [(2, 3, 6, 6)], dtype=dtype, **tol)
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 2), [(2, 3, 6, 6)], dtype=dtype, **tol)
