"""repr/str of tensors against PyTorch's, character for character.

Every case builds the same data in ember and torch and requires
``repr(ember_t) == repr(torch_t).replace("torch.", "ember.")``.
"""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import pair, random_array, to_ember, to_torch

DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.fixture(autouse=True)
def _restore_print_options():
    """Every test starts and ends with the default options in both libraries."""
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


def expected(t):
    return repr(t).replace("torch.", "ember.")


def assert_same_repr(e, t):
    want = expected(t)
    got = repr(e)
    assert got == want, f"\nember:\n{got}\ntorch:\n{want}"
    assert str(e) == got
    assert f"{e}" == (f"{e.item()}" if e.dim() == 0 and type(e) is ember.Tensor else got)   # 0-d: the number, as torch


def from_array(arr, requires_grad=False):
    return to_ember(arr, requires_grad), to_torch(arr, requires_grad)


def _cast(arr, dtype):
    if dtype == "bfloat16":
        import ml_dtypes
        return np.asarray(arr, np.float32).astype(ml_dtypes.bfloat16)
    with np.errstate(over="ignore", invalid="ignore"):   # e.g. 1e10 -> inf in float16
        return np.asarray(arr).astype(dtype)


# ----------------------------------------------------------------- literal anchors
# A few exact strings, so that the comparison cannot pass by both sides agreeing on
# something odd (and so that a broken oracle conversion would show).
@pytest.mark.parametrize("data, dtype, text", [
    ([[1, 7], [3, 15]], "int64", "tensor([[ 1,  7],\n        [ 3, 15]])"),
    ([1.0, 2.0], "float32", "tensor([1., 2.])"),
    (3.0, "float32", "tensor(3.)"),
    ([1.12345, -2.5], "float32", "tensor([ 1.1235, -2.5000])"),
    ([1e-5, 1.0], "float32", "tensor([1.0000e-05, 1.0000e+00])"),
    ([1.0, 2.0], "float64", "tensor([1., 2.], dtype=ember.float64)"),
    ([True, False], "bool", "tensor([ True, False])"),
    ([1, 2], "int32", "tensor([1, 2], dtype=ember.int32)"),
    ([float("nan"), float("inf"), -1.0], "float32", "tensor([nan, inf, -1.])"),
    ([1 + 2j, complex(0, -3.5)], "complex64", "tensor([1.+2.0000j, 0.-3.5000j])"),
])
def test_literal(data, dtype, text):
    e, t = from_array(_cast(data, dtype))
    assert repr(e) == text
    assert expected(t) == text


def test_empty_literals():
    assert repr(ember.tensor([])) == "tensor([])"
    assert repr(ember.zeros(2, 0)) == "tensor([], size=(2, 0))"
    assert repr(ember.zeros(0, dtype=ember.int64)) == "tensor([], dtype=ember.int64)"


def test_comparison_is_not_trivial():
    """Different data must give different strings (the helper really compares)."""
    arr = random_array((4, 3))
    e = to_ember(arr)
    t = to_torch(arr + 1)
    with pytest.raises(AssertionError):
        assert_same_repr(e, t)
    with pytest.raises(AssertionError):
        assert_same_repr(to_ember(arr.astype("float64")), to_torch(arr))


# ----------------------------------------------------------------- random data table
SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 2, 3, 2)]
RANGES = {                      # (low, high) of uniform data
    "unit": (-2.0, 2.0),
    "positive": (0.0, 1.0),
    "negative": (-50.0, -0.5),
    "tiny": (1e-7, 5e-5),
    "tiny_mixed_sign": (-5e-6, 5e-6),
    "huge": (1e8, 1e10),
    "hundreds": (-999.0, 999.0),
    "ints_small": (-20, 20),     # rounded below: int mode
    "ints_huge": (-3e9, 3e9),    # rounded: int mode with sci notation
}


def _range_data(shape, kind, dtype):
    low, high = RANGES[kind]
    arr = np.random.default_rng(hash((shape, kind, dtype)) % 2**32).uniform(low, high, size=shape)
    if kind.startswith("ints"):
        arr = np.round(arr)
    return _cast(arr, dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("kind", list(RANGES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_ranges(shape, kind, dtype):
    assert_same_repr(*from_array(_range_data(shape, kind, dtype)))


@pytest.mark.parametrize("kind", ["unit", "tiny", "huge", "ints_small", "hundreds"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_types(kind, dtype):
    if dtype == "float16" and kind == "huge":
        pytest.skip("out of float16's range")
    assert_same_repr(*from_array(_range_data((3, 5), kind, dtype)))


def test_mixed_magnitudes():
    assert_same_repr(*from_array(np.array([1e-3, 2.0, 3e3], np.float32)))      # ratio > 1000: sci
    assert_same_repr(*from_array(np.array([1e-3, 2.0, 0.9], np.float32)))      # ratio < 1000: fixed
    assert_same_repr(*from_array(np.array([1.0, 1000.0], np.float32)))         # ratio == 1000: fixed
    assert_same_repr(*from_array(np.array([1.0, 1001.0], np.float32)))
    assert_same_repr(*from_array(np.array([[1e-4, 1e-4], [2e-4, 0]], np.float64)))  # min == 1e-4
    assert_same_repr(*from_array(np.array([1e8, 2e7], np.float64)))            # max == 1e8
    assert_same_repr(*from_array(np.array([123456789.0, 1.5], np.float64)))
    assert_same_repr(*from_array(np.array([9.99996, 1.0], np.float32)))        # rounds up to 10.0000
    assert_same_repr(*from_array(np.array([1e-300, 1e300, -1e-200], np.float64)))  # 3-digit exponents


@pytest.mark.parametrize("data", [
    [0.0, 0.0], [-0.0, 0.0, 1.0], [-0.0], [0.0], [float("nan")], [float("inf"), float("-inf")],
    [float("nan"), 0.0], [float("nan"), 1.5, -2.25], [float("inf"), 1e-5, 3.0], [float("-inf"), 12345.0],
    [float("nan"), float("inf"), 1e10], [-1.0, 2.0, -3.0], [0.5, float("nan"), -0.0],
    [[float("nan"), 1.0], [2.0, float("-inf")]],
])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_nonfinite_and_zeros(data, dtype):
    assert_same_repr(*from_array(_cast(data, dtype)))


@pytest.mark.parametrize("value", [3.0, -0.0, 0.0, 2.5, -1e-6, 1e10, float("nan"), float("-inf"), 7, True,
                                   1 + 1j, -2.5 - 0.0j])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "complex64", "complex128"])
def test_zero_dim(value, dtype):
    if isinstance(value, complex) and not dtype.startswith("complex"):
        return
    if not isinstance(value, (complex, bool)) and not (abs(value) < 2**31) and dtype in ("int64", "int32", "bool"):
        return
    assert_same_repr(*from_array(np.array(value).astype(dtype)))


@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 3, 4), (1, 1, 1, 1)], ids=str)
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_integer_and_bool(shape, dtype):
    for low, high in [(-2, 2), (0, 9), (-1000, 10), (-3, 100000)]:
        if dtype in ("int8", "uint8", "int16"):
            high = min(high, 100)
        if dtype == "uint8":
            low = 0
        assert_same_repr(*pair(shape, dtype, low=low, high=high))


def test_integer_extremes():
    for dtype in ("int64", "int32", "int8", "uint8"):
        info = np.iinfo(dtype)
        assert_same_repr(*from_array(np.array([info.min, 0, info.max], dtype)))
    assert_same_repr(*from_array(np.array([True, True])))
    assert_same_repr(*from_array(np.array([[False], [False]])))


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e6, 1e12])
def test_complex(shape, dtype, scale):
    arr = (random_array(shape, dtype) * scale).astype(dtype)
    assert_same_repr(*from_array(arr))


@pytest.mark.parametrize("data", [
    [1 + 0j, -0.0 - 0.0j, 0.0 + 0.0j], [complex("nan+infj"), 1 - 2j], [3j, 1.5], [1e-8 + 1j, 2e5 - 3j],
    [complex(float("inf"), float("nan")), 0j], [1 + 1j, 2 + 2j], [[-1 - 1j], [100 + 0.25j]],
])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_special(data, dtype):
    assert_same_repr(*from_array(np.array(data, dtype)))


# ----------------------------------------------------------------- empty tensors
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3), (0, 3, 1), (1, 0, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "bool", "complex64",
                                   "complex128", "bfloat16"])
def test_empty(shape, dtype):
    assert_same_repr(*from_array(_cast(np.zeros(shape), dtype)))


def test_empty_requires_grad():
    assert_same_repr(*from_array(np.zeros((0,), np.float32), requires_grad=True))
    assert_same_repr(*from_array(np.zeros((3, 0), np.float64), requires_grad=True))


# ----------------------------------------------------------------- summarisation
@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 40), (11, 11, 11), (2, 1000), (1000, 2), (7, 7, 7, 7),
                                   (3, 1, 400), (1, 1, 1001)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "complex64", "float64"])
def test_summarised(shape, dtype):
    assert_same_repr(*pair(shape, dtype, low=-100, high=100))


def test_summarised_formatter_uses_only_shown_values():
    """A huge value hidden by the summary must not switch the shown values to sci mode."""
    arr = np.ones(2000, np.float32) * 1.5
    arr[1000] = 1e12
    assert_same_repr(*from_array(arr))
    arr2 = np.full((50, 50), 2.0, np.float32)
    arr2[25, 25] = 1e-9
    arr2[0, 25] = float("nan")
    assert_same_repr(*from_array(arr2))
    arr3 = np.full((50, 50), 2.0, np.float32)
    arr3[0, 0] = 1e-9
    assert_same_repr(*from_array(arr3))


# ----------------------------------------------------------------- line wrapping
@pytest.mark.parametrize("shape", [(30,), (3, 25), (2, 2, 30), (100,), (13,)], ids=str)
@pytest.mark.parametrize("kind", ["unit", "huge", "ints_small", "tiny_mixed_sign"])
def test_wrapping(shape, kind):
    assert_same_repr(*from_array(_range_data(shape, kind, "float32")))


def test_wrapping_complex_and_ints():
    assert_same_repr(*pair((40,), "complex128"))
    assert_same_repr(*pair((3, 40), "int64", low=-10**12, high=10**12))
    assert_same_repr(*pair((120,), "bool"))


# ----------------------------------------------------------------- autograd suffixes
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (40,)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "complex64"])
def test_requires_grad_leaf(shape, dtype):
    assert_same_repr(*pair(shape, dtype, requires_grad=True))


@pytest.mark.parametrize("fn", [
    lambda x: x * 2, lambda x: x + 1, lambda x: x.sum(), lambda x: x.exp(), lambda x: -x, lambda x: x / 3,
    lambda x: x.mean(), lambda x: x * x,
], ids=["mul", "add", "sum", "exp", "neg", "div", "mean", "square"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grad_fn(fn, dtype):
    e, t = pair((2, 3), dtype, requires_grad=True)
    out_e, out_t = fn(e), fn(t)
    assert out_e.grad_fn is not None
    assert_same_repr(out_e, out_t)


def test_grad_fn_literal_and_no_grad():
    e, t = pair((2,), "float32", requires_grad=True)
    assert repr(e * 2).endswith(", grad_fn=<MulBackward0>)")
    assert repr(e).endswith(", requires_grad=True)")
    with ember.no_grad(), torch.no_grad():
        assert_same_repr(e * 2, t * 2)
    assert_same_repr(e.detach(), t.detach())


def test_suffix_wraps_to_new_line():
    """Suffixes that do not fit on the last line go on a line of their own."""
    for shape in [(8,), (9,), (10,), (2, 8), (2, 9), (3, 2, 7)]:
        for dtype in ["float64", "float16", "complex128"]:
            assert_same_repr(*pair(shape, dtype, requires_grad=True))
            e, t = pair(shape, dtype, requires_grad=True)
            assert_same_repr(e * 2, t * 2)


# ----------------------------------------------------------------- print options
OPTION_CASES = [
    dict(precision=2), dict(precision=0), dict(precision=10), dict(threshold=5), dict(threshold=0),
    dict(edgeitems=1, threshold=10), dict(edgeitems=0, threshold=10), dict(edgeitems=0),
    dict(linewidth=40), dict(linewidth=200), dict(linewidth=5),
    dict(sci_mode=True), dict(sci_mode=False), dict(sci_mode=True, precision=2),
    dict(profile="short"), dict(profile="full"), dict(profile="default"),
    dict(profile="short", precision=6), dict(profile="full", linewidth=120),
]
OPTION_DATA = [
    ("unit", (7,)), ("unit", (3, 4)), ("tiny", (5,)), ("huge", (2, 3)), ("ints_small", (12,)),
    ("hundreds", (30, 40)), ("unit", (1200,)), ("ints_huge", (4, 4)), ("unit", ()), ("unit", (11, 3, 3)),
]


@pytest.mark.parametrize("options", OPTION_CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_printoptions(options):
    torch.set_printoptions(**options)
    ember.set_printoptions(**options)
    for kind, shape in OPTION_DATA:
        assert_same_repr(*from_array(_range_data(shape, kind, "float32")))
    for dtype in ["int64", "bool", "complex64", "int32"]:
        assert_same_repr(*pair((3, 14), dtype))
    assert_same_repr(*from_array(np.array([0.0, float("nan"), float("inf")], np.float32)))
    assert_same_repr(*from_array(np.zeros((2, 0), np.int32)))
    assert_same_repr(*pair((4, 5), "float64", requires_grad=True))


def test_set_printoptions_semantics():
    ember.set_printoptions(precision=2, sci_mode=True)
    assert ember.printing.get_printoptions() == dict(DEFAULTS, precision=2, sci_mode=True)
    ember.set_printoptions(linewidth=100)           # sci_mode not given: back to None, precision kept
    assert ember.printing.get_printoptions() == dict(DEFAULTS, precision=2, linewidth=100)
    ember.set_printoptions(profile="full")
    assert ember.printing.get_printoptions() == dict(DEFAULTS, threshold=math.inf)
    ember.set_printoptions(profile="short")
    assert ember.printing.get_printoptions() == dict(DEFAULTS, precision=2, edgeitems=2)
    ember.set_printoptions(profile="default")
    assert ember.printing.get_printoptions() == DEFAULTS
    assert torch._tensor_str.get_printoptions() == DEFAULTS


def test_printoptions_context_manager():
    arr = np.array([1.123456, 2.0], np.float32)
    with ember.printing.printoptions(precision=1), torch._tensor_str.printoptions(precision=1):
        assert_same_repr(*from_array(arr))
        assert repr(to_ember(arr)) == "tensor([1.1, 2.0])"
    assert repr(to_ember(arr)) == "tensor([1.1235, 2.0000])"


def test_full_profile_prints_everything():
    ember.set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    e, t = pair((3000,), "int64", low=0, high=9)
    assert "..." not in repr(e)
    assert_same_repr(e, t)


# ----------------------------------------------------------------- default dtype
@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
def test_default_dtype_changes_suffix(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    for dtype in ["float32", "float64", "float16", "bfloat16", "complex64", "complex128", "int64"]:
        assert_same_repr(*pair((3,), dtype))
        assert_same_repr(*from_array(_cast(np.zeros((0,)), dtype)))


# ----------------------------------------------------------------- views and layouts
def test_non_contiguous_views():
    arr = random_array((4, 6), "float32")
    e, t = from_array(arr)
    assert_same_repr(e.t(), t.t())
    assert_same_repr(e[:, ::2], t[:, ::2])
    assert_same_repr(e[1], t[1])
    eb, tb = from_array(random_array((4, 6), "bool"))
    assert_same_repr(eb.t(), tb.t())


# ----------------------------------------------------------------- fuzz
def _fuzz_array(r):
    ndim = int(r.integers(0, 4))
    shape = tuple(int(s) for s in r.integers(1, 6, size=ndim))
    if r.random() < 0.15 and ndim:
        shape = shape[:-1] + (int(r.integers(200, 1500)),)   # long rows / summaries
    dtype = r.choice(["float32", "float64", "float16", "bfloat16", "complex64", "int64", "int32", "bool"])
    if dtype in ("int64", "int32"):
        hi = int(10 ** r.integers(0, 9))
        return r.integers(-hi, hi + 1, size=shape).astype(dtype)
    if dtype == "bool":
        return r.random(shape) < 0.5
    exp_lo, exp_hi = sorted(r.uniform(-12, 12, size=2))
    if dtype == "float16":
        exp_lo, exp_hi = np.clip([exp_lo, exp_hi], -4, 4)

    def part():
        mag = 10.0 ** r.uniform(exp_lo, exp_hi, size=shape)
        vals = mag * np.where(r.random(shape) < 0.3, -1, 1)
        if r.random() < 0.3:
            vals = np.round(vals)
        special = r.random(shape)
        vals = np.where(special < 0.05, 0.0, vals)
        vals = np.where((special > 0.05) & (special < 0.08), np.nan, vals)
        vals = np.where((special > 0.08) & (special < 0.10), -np.inf, vals)
        return np.asarray(vals)

    if dtype == "complex64":
        out = np.empty(shape, dtype)
        out.real, out.imag = part(), part()
        return out
    return _cast(part(), dtype)


def test_fuzz():
    r = np.random.default_rng(12345)
    options = [dict(), dict(precision=2), dict(linewidth=60), dict(edgeitems=2, threshold=50), dict(sci_mode=False)]
    for i in range(400):
        opts = options[i % len(options)]
        torch.set_printoptions(profile="default", **opts)
        ember.set_printoptions(profile="default", **opts)
        arr = _fuzz_array(r)
        rg = bool(r.random() < 0.2) and arr.dtype.kind in "fcV"
        assert_same_repr(*from_array(arr, requires_grad=rg))


# ----------------------------------------------------------------- subclasses and hooks
def test_subclass_prefix():
    class MyT(ember.Tensor):
        pass

    class MyTorchT(torch.Tensor):
        pass

    arr = random_array((2, 3))
    e, t = from_array(arr)
    e.__class__ = MyT
    t = t.as_subclass(MyTorchT)
    t.__class__.__name__ = e.__class__.__name__ = "MyT"
    assert repr(e).startswith("MyT([[")
    assert_same_repr(e, t)


def test_parameter_hook_prints_plain_prefix():
    """A Parameter (``_is_param``) prints with ``tensor(``; nn adds its own header line."""
    class Parameter(ember.Tensor):
        _is_param = True

    arr = random_array((2, 2))
    e = to_ember(arr, requires_grad=True)
    e.__class__ = Parameter
    t = torch.nn.Parameter(to_torch(arr))
    assert "Parameter containing:\n" + repr(e) == expected(t)


def test_tensor_contents():
    e = to_ember(random_array((2, 2), "float64"), requires_grad=True)
    assert ember.printing.tensor_repr(e, tensor_contents="[...]") == \
        "tensor([...], dtype=ember.float64, requires_grad=True)"
