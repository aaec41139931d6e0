"""F.interpolate / nn.Upsample*, F.grid_sample, F.affine_grid, pixel (un)shuffle and channel
shuffle against torch: values, shapes, dtypes, input (and grid / theta) gradients, reprs, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr
from oracle import check, random_array, same_error

DTYPES = ["float32", "float64"]

INTERPOLATE = [  # (input shape, interpolate keyword arguments)
    ((2, 3, 5), dict(scale_factor=1.5, mode="linear")),
    ((2, 3, 5), dict(scale_factor=0.6, mode="linear", align_corners=True)),
    ((2, 3, 7), dict(size=3, mode="linear")),
    ((2, 3, 4), dict(size=1, mode="linear", align_corners=True)),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=0.6, mode="bilinear", align_corners=False)),
    ((2, 3, 5, 7), dict(scale_factor=(1.5, 0.6), mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5, 7), dict(size=(8, 4), mode="bilinear", align_corners=True)),
    ((1, 2, 1, 6), dict(size=(3, 6), mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=1.5, mode="bicubic")),
    ((2, 3, 5, 7), dict(scale_factor=0.6, mode="bicubic", align_corners=True)),
    ((2, 3, 6, 5), dict(size=(3, 9), mode="bicubic")),
    ((2, 3, 5, 7), dict(scale_factor=(0.6, 1.7), mode="bicubic", recompute_scale_factor=True)),
    ((1, 2, 3, 4, 5), dict(scale_factor=1.5, mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(size=(2, 5, 3), mode="trilinear", align_corners=True)),
    ((2, 3, 5), dict(scale_factor=1.5, mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=0.6, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(11, 3), mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=1.5, mode="nearest-exact")),
    ((2, 3, 5, 7), dict(size=(3, 4), mode="nearest-exact")),
    ((1, 2, 3, 4, 5), dict(scale_factor=(2, 0.6, 1.5), mode="nearest")),
    ((1, 2, 6, 4, 5), dict(scale_factor=0.5, mode="area")),
    ((2, 3, 7, 5), dict(size=(3, 2), mode="area")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kw", INTERPOLATE, ids=lambda v: str(v))
def test_interpolate(shape, kw, dtype):
    # bicubic sums 16 taps whose weights' magnitudes add up to ~2 (negative lobes): float32 rounding reaches 1e-6
    atol = 3e-6 if kw["mode"] == "bicubic" and dtype == "float32" else None
    check(lambda lib, x: lib.nn.functional.interpolate(x, **kw), [shape], dtype=dtype, atol=atol)


@pytest.mark.parametrize("kw", [dict(scale_factor=1.5, mode="bilinear"), dict(size=(3, 8), mode="bicubic"),
                                dict(scale_factor=2), dict(scale_factor=0.6, mode="nearest-exact")])
def test_interpolate_non_finite_input_stays_local(kw):
    x = random_array((1, 2, 5, 6), "float64")
    x[0, 0, 1, 2], x[0, 1, 3, 4] = np.inf, np.nan     # only the outputs these feed become inf / nan, as in torch
    with np.errstate(invalid="ignore"):                # 0-weight taps times inf give nan there, as torch's do
        check(lambda lib, x: lib.nn.functional.interpolate(x, **kw), [x], dtype="float64")


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("shape,scale", [((2, 3, 20), 1.04), ((2, 3, 10), 2.09), ((1, 2, 3, 20), 1.04),
                                         ((1, 2, 3, 10), (1.5, 2.09)), ((1, 2, 2, 3, 10), (1, 2, 2.09))], ids=str)
def test_interpolate_nearest_scale_edge_cases(mode, shape, scale):
    # 20 * 1.04 -> 20 and 10 * 2.09 -> 20 outputs: PyTorch's 2-D nearest kernel then copies / halves the index,
    # its 1-D / 3-D ones (and nearest-exact) map through 1/scale. Its backward always copies / halves, which
    # disagrees with its own 1-D / 3-D forward; ember's gradient follows its forward, so only 2-D grads compare.
    grad = len(shape) == 4 or mode == "nearest-exact"
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=scale, mode=mode), [shape], grad=grad)


@pytest.mark.parametrize("mode,shape", [("linear", (2, 3, 7)), ("bilinear", (2, 3, 4, 7)), ("bicubic", (2, 3, 4, 7)),
                                        ("trilinear", (1, 2, 3, 4, 7))])
def test_interpolate_unchanged_size_with_scale(mode, shape):
    # 7 * 1.04 -> 7: PyTorch's linear kernels leave such an axis as it is, its bicubic one resamples it through
    # 1/1.04 (and its bicubic backward then copies, disagreeing with its forward: ember's follows the forward)
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=1.04, mode=mode), [shape],
          grad=mode != "bicubic", atol=3e-6)


def test_interpolate_uint8_nearest():
    x = random_array((1, 2, 3, 4), "uint8", 0, 255)
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=1.5), [x], grad=False)


@pytest.mark.parametrize("kw", [dict(scale_factor=1.5, mode="bicubic", align_corners=True),
                                dict(size=(3, 5), mode="bilinear"), dict(scale_factor=0.6, mode="nearest")])
def test_interpolate_gradcheck(kw):
    x = ember.tensor(random_array((1, 2, 4, 3), "float64"), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.nn.functional.interpolate(x, **kw), (x,))


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Upsample(size=(3, 7), mode="bilinear"), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Upsample(scale_factor=(1.5, 0.6), mode="bicubic", align_corners=True), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Upsample(scale_factor=1.5, mode="trilinear", recompute_scale_factor=True), (1, 2, 3, 4, 5)),
    (lambda lib: lib.nn.Upsample(size=7, mode="linear"), (2, 3, 4)),
    (lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=3), (2, 3, 4, 5)),
    (lambda lib: lib.nn.UpsamplingNearest2d(size=(5, 2)), (2, 3, 4, 5)),
    (lambda lib: lib.nn.UpsamplingBilinear2d(scale_factor=1.5), (2, 3, 4, 5)),
    (lambda lib: lib.nn.UpsamplingBilinear2d(size=(6, 3)), (2, 3, 4, 5)),
])
def test_upsample_modules(make, shape):
    assert_same_repr(make(ember), make(torch))
    check(lambda lib, x: make(lib)(x), [shape], atol=3e-6)      # 3e-6: the bicubic case (see test_interpolate)


def _bad_interpolate():
    x = (1, 2, 3, 4)
    return [
        (x, dict(size=4, scale_factor=2)), (x, dict()), (x, dict(size=(2, 3, 4))), (x, dict(scale_factor=(2, 3, 4))),
        (x, dict(size=(2.0, 3))), (x, dict(size=4, recompute_scale_factor=True)),
        (x, dict(size=4, align_corners=True)), (x, dict(size=4, mode="foo")), (x, dict(size=4, mode="linear")),
        (x, dict(size=4, mode="trilinear")), ((1, 2, 3), dict(size=4, mode="bilinear")),
        ((1, 2, 3, 4, 5), dict(size=4, mode="bicubic")), ((2, 3), dict(size=4)), (x, dict(size=(0, 4))),
        (x, dict(scale_factor=0.1, mode="bilinear")), (x, dict(scale_factor=-1.0)),
        (x, dict(size=4, mode="nearest", antialias=True)), ((1, 2, 0, 4), dict(size=4)),
    ]


@pytest.mark.parametrize("shape,kw", _bad_interpolate(), ids=lambda v: str(v))
def test_interpolate_errors(shape, kw):
    x = random_array(shape)
    same_error(lambda lib: lib.nn.functional.interpolate(lib.tensor(x), **kw))


def test_interpolate_integer_input_errors():
    x = random_array((1, 2, 3, 4), "int64")
    same_error(lambda lib: lib.nn.functional.interpolate(lib.tensor(x), scale_factor=2))
    same_error(lambda lib: lib.nn.functional.interpolate(lib.tensor(x), scale_factor=2, mode="bilinear"))


def test_interpolate_lanczos_is_refused():
    # antialiased bilinear/bicubic are compared with torch in tests/programs/test_prog_nn_sweep.py
    with pytest.raises(NotImplementedError, match="lanczos"):
        ember.nn.functional.interpolate(ember.randn(1, 2, 6, 6), size=(3, 3), mode="lanczos", antialias=True)


# ------------------------------------------------------------------ grid_sample / affine_grid
GRID_SHAPES = [((2, 3, 5, 7), (2, 4, 6, 2)), ((1, 2, 1, 4), (1, 3, 2, 2)), ((2, 2, 3, 4, 5), (2, 3, 2, 4, 3))]


GRID_INTERPOLATING = [("bilinear", s) for s in GRID_SHAPES] + [("bicubic", s) for s in GRID_SHAPES if len(s[0]) == 4]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode,shapes", GRID_INTERPOLATING, ids=str)
def test_grid_sample_interpolating(mode, shapes, padding_mode, align_corners, dtype):
    grid = random_array(shapes[1], dtype, -1.4, 1.4)       # some points fall outside the image
    # the grid's gradient sums taps x channels of terms up to ~10 that nearly cancel, in another order than
    # PyTorch's: float32 rounding reaches ~1e-5 there (forward values and float64 keep the default tolerances)
    atol = 1e-4 if dtype == "float32" else None
    check(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                          align_corners=align_corners),
          [shapes[0], grid], dtype=dtype, grad_atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("shapes", GRID_SHAPES, ids=str)
def test_grid_sample_nearest(shapes, padding_mode, align_corners, dtype):
    grid = random_array(shapes[1], dtype, -1.4, 1.4)       # its gradient: all zeros in both libraries
    check(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode="nearest", padding_mode=padding_mode,
                                                          align_corners=align_corners), [shapes[0], grid], dtype=dtype)


def test_grid_sample_default_align_corners_warns():
    x, g = ember.randn(1, 1, 3, 3), ember.rand(1, 2, 2, 2) * 2 - 1
    with pytest.warns(UserWarning, match="align_corners"):
        ember.nn.functional.grid_sample(x, g)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck(padding_mode, mode):
    x = ember.tensor(random_array((1, 2, 3, 4), "float64"), requires_grad=True)
    g = ember.tensor(random_array((1, 2, 3, 2), "float64", -1.2, 1.2), requires_grad=True)
    fn = lambda x, g: ember.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners=False)  # noqa: E731
    assert ember.autograd.gradcheck(fn, (x, g))
    assert ember.autograd.gradgradcheck(fn, (x, g))


@pytest.mark.parametrize("args", [
    ((1, 2, 3, 4), (1, 3, 3, 2), "float32", "float64", {}),
    ((1, 2, 3, 4), (2, 3, 3, 2), "float32", "float32", {}),
    ((1, 2, 3, 4), (1, 3, 3, 3), "float32", "float32", {}),
    ((1, 2, 3, 4), (1, 3, 3, 3, 2), "float32", "float32", {}),
    ((2, 3, 4), (1, 3, 2), "float32", "float32", {}),
    ((1, 2, 0, 4), (1, 3, 3, 2), "float32", "float32", {}),
    ((1, 2, 3, 4), (1, 3, 3, 2), "int64", "int64", {}),
    ((1, 2, 3, 4), (1, 3, 3, 2), "float32", "float32", dict(mode="foo")),
    ((1, 2, 3, 4), (1, 3, 3, 2), "float32", "float32", dict(padding_mode="foo")),
    ((1, 2, 3, 4, 5), (1, 3, 3, 3, 3), "float32", "float32", dict(mode="bicubic")),
], ids=str)
def test_grid_sample_errors(args):
    xs, gs, xd, gd, kw = args
    x, g = random_array(xs, xd), random_array(gs, gd)
    same_error(lambda lib: lib.nn.functional.grid_sample(lib.tensor(x), lib.tensor(g), align_corners=False, **kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("theta,size", [((2, 2, 3), (2, 3, 4, 5)), ((1, 2, 3), (1, 1, 1, 3)),
                                        ((2, 3, 4), (2, 3, 4, 5, 3))], ids=str)
def test_affine_grid(theta, size, align_corners, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # unit-size grids with align_corners warn in both libraries
        check(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners=align_corners), [theta],
              dtype=dtype)


def test_affine_grid_then_grid_sample_gradcheck():
    theta = ember.tensor(random_array((1, 2, 3), "float64", -0.8, 0.8), requires_grad=True)
    x = ember.tensor(random_array((1, 2, 4, 3), "float64"), requires_grad=True)
    F = ember.nn.functional
    assert ember.autograd.gradcheck(
        lambda t, x: F.grid_sample(x, F.affine_grid(t, (1, 2, 3, 3), align_corners=True), align_corners=True),
        (theta, x))


@pytest.mark.parametrize("theta,size,dt", [
    ((1, 2, 3), (1, 1, 2, 2), "int64"), ((1, 2, 3), (1, 1, 2), "float32"), ((1, 3, 3), (1, 1, 2, 2), "float32"),
    ((1, 2, 3), (1, 1, 3, 4, 5), "float32"), ((1, 2, 3), (1, 1, 0, 2), "float32"),
], ids=str)
def test_affine_grid_errors(theta, size, dt):
    t = random_array(theta, dt)
    same_error(lambda lib: lib.nn.functional.affine_grid(lib.tensor(t), size, align_corners=False))


# ------------------------------------------------------------------ pixel and channel shuffles
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,shape,factor", [
    ("pixel_shuffle", (2, 8, 3, 5), 2), ("pixel_shuffle", (9, 2, 3), 3), ("pixel_shuffle", (2, 3, 4, 3, 2), 2),
    ("pixel_shuffle", (2, 3, 4, 5), 1), ("pixel_unshuffle", (2, 3, 4, 6), 2), ("pixel_unshuffle", (1, 6, 9), 3),
    ("pixel_unshuffle", (2, 1, 2, 4, 6), 2), ("channel_shuffle", (2, 6, 4, 3), 3), ("channel_shuffle", (2, 6, 5), 2),
    ("channel_shuffle", (1, 8, 2, 2, 3), 4),
])
def test_shuffles(fn, shape, factor, dtype):
    check(lambda lib, x: getattr(lib.nn.functional, fn)(x, factor), [shape], dtype=dtype)


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.PixelShuffle(2), (2, 8, 3, 5)), (lambda lib: lib.nn.PixelUnshuffle(3), (2, 2, 6, 3)),
    (lambda lib: lib.nn.ChannelShuffle(2), (2, 4, 3, 3)),
])
def test_shuffle_modules(make, shape):
    assert_same_repr(make(ember), make(torch))
    check(lambda lib, x: make(lib)(x), [shape])


def test_shuffles_gradcheck():
    F = ember.nn.functional
    x = ember.tensor(random_array((1, 4, 2, 3), "float64"), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.pixel_unshuffle(F.pixel_shuffle(x, 2) * 2, 2), (x,))
    assert ember.autograd.gradcheck(lambda x: F.channel_shuffle(x, 2), (x,))


@pytest.mark.parametrize("fn,shape,factor", [
    ("pixel_shuffle", (2, 3), 2), ("pixel_shuffle", (5, 2, 3), 2), ("pixel_shuffle", (4, 2, 3), 0),
    ("pixel_shuffle", (4, 2, 3), -1), ("pixel_unshuffle", (4, 3, 4), 2), ("pixel_unshuffle", (4, 4, 3), 2),
    ("pixel_unshuffle", (4, 4, 4), 0), ("pixel_unshuffle", (4, 4), 2), ("channel_shuffle", (2, 5, 3), 2),
    ("channel_shuffle", (2, 6, 3), 0), ("channel_shuffle", (2, 6), 2),
])
def test_shuffle_errors(fn, shape, factor):
    x = random_array(shape)
    same_error(lambda lib: getattr(lib.nn.functional, fn)(lib.tensor(x), factor))
