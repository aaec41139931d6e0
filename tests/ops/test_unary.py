"""Elementwise functions of one tensor against torch: values, dtypes, gradients (second order for the
smooth ones), float32 and float64, 0-d / empty / regular shapes, integer inputs, out= and in-place
forms, and gradcheck in float64."""
import numpy as np
import pytest
import torch

import ember
from elementwise_cases import check_gradcheck, check_inplace, check_out, check_values_and_grads
from oracle import assert_same, pair, same_error

ANY, POS, UNIT, OPEN_UNIT, ABOVE1 = (-2.0, 2.0), (0.2, 2.0), (-0.9, 0.9), (0.1, 0.9), (1.2, 3.0)
# name -> (domain, smooth: second derivative compared and gradcheck run)
UNARY = {
    "neg": (ANY, True), "abs": (ANY, True), "sign": (ANY, False), "sgn": (ANY, False),
    "reciprocal": (POS, True), "sqrt": (POS, True), "rsqrt": (POS, True), "square": (ANY, True),
    "exp": (ANY, True), "exp2": (ANY, True), "expm1": (ANY, True), "log": (POS, True), "log2": (POS, True),
    "log10": (POS, True), "log1p": (UNIT, True), "sin": (ANY, True), "cos": (ANY, True), "tan": (UNIT, True),
    "asin": (UNIT, True), "acos": (UNIT, True), "atan": (ANY, True), "sinh": (ANY, True), "cosh": (ANY, True),
    "tanh": (ANY, True), "asinh": (ANY, True), "acosh": (ABOVE1, True), "atanh": (UNIT, True),
    "sigmoid": (ANY, True), "logit": (OPEN_UNIT, True), "erf": (ANY, True), "erfc": (ANY, True),
    "erfinv": (UNIT, True), "lgamma": (POS, True), "digamma": (POS, True), "floor": (ANY, False),
    "ceil": (ANY, False), "round": (ANY, False), "trunc": (ANY, False), "frac": (ANY, True),
    "nan_to_num": (ANY, True), "angle": (ANY, False),
}
SHAPES = [(3, 4), (), (1,), (0, 3), (2, 1, 3)]
NAMES = sorted(UNARY)


def _fn(name):
    return lambda lib, x: getattr(lib, name)(x)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_values_and_gradients(name, dtype, shape):
    domain, smooth = UNARY[name]
    special = name in ("erfinv", "digamma", "lgamma")   # scipy's and torch's series differ in the last bits
    tol = {"rtol": 1e-4 if dtype == "float32" else 1e-8, "atol": 1e-5 if dtype == "float32" else 1e-10} \
        if special else {}
    check_values_and_grads(_fn(name), [shape], [domain], dtype, second_order=smooth and dtype == "float64", **tol)


@pytest.mark.parametrize("name", NAMES)
def test_method_form(name):
    check_values_and_grads(lambda lib, x: getattr(x, name)(), [(2, 3)], [UNARY[name][0]], "float32",
                           rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", NAMES)
def test_integer_and_bool_inputs(name, dtype):
    """Integer inputs: the result dtype (default float for float-valued functions) or the refusal as torch."""
    e, t = pair((2, 5), dtype, low=0, high=3)
    try:
        t_out = getattr(torch, name)(t)
    except Exception:  # noqa: BLE001 - then ember must raise the same class
        same_error(lambda lib: getattr(lib, name)(e if lib is ember else t))
        return
    assert_same(getattr(ember, name)(e), t_out)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "angle"])
def test_out(name):
    check_out(name, [(3, 4)], [UNARY[name][0]])


@pytest.mark.parametrize("name", [n for n in NAMES if hasattr(torch.Tensor, n + "_")])
def test_inplace(name):
    # torch has no derivative for asinh_/acosh_/atanh_ (ember's is the out-of-place one): values only there
    check_inplace(name, [(3, 4)], [UNARY[name][0]], dtype="float32", grad=name not in ("asinh", "acosh", "atanh"))


@pytest.mark.parametrize("name", [n for n in NAMES if UNARY[n][1]])
def test_gradcheck(name):
    check_gradcheck(_fn(name), [(2, 3)], [UNARY[name][0]])


@pytest.mark.parametrize("name", ["exp", "sin", "abs", "sqrt", "sgn", "neg", "reciprocal", "tanh", "log"])
def test_complex_inputs(name):
    check_values_and_grads(_fn(name), [(3,)], [POS], "complex128")


CLAMPS = [
    ("scalar_bounds", lambda lib, x: lib.clamp(x, -0.5, 0.7)),
    ("min_only", lambda lib, x: x.clamp(min=0.1)),
    ("max_only", lambda lib, x: lib.clip(x, max=0.3)),
    ("tensor_bounds", lambda lib, x: lib.clamp(x, min=x.detach() * 0 - 0.5, max=x.detach() * 0 + 0.5)),
    ("round_decimals", lambda lib, x: lib.round(x, decimals=2)),
    ("round_neg_decimals", lambda lib, x: (x * 100).round(decimals=-1)),
    ("logit_eps", lambda lib, x: lib.logit(x, eps=0.2)),
    ("nan_to_num_args", lambda lib, x: lib.nan_to_num(lib.log(x), nan=0.5, posinf=2.0, neginf=-3.0)),
    ("positive_op", lambda lib, x: +x),
    ("neg_op", lambda lib, x: -x),
    ("abs_op", lambda lib, x: abs(x)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn", CLAMPS, ids=[c[0] for c in CLAMPS])
def test_argument_forms(name, fn, dtype):
    check_values_and_grads(fn, [(3, 4)], [ANY], dtype, second_order=dtype == "float64")


def test_clamp_tensor_bounds_gradients_reach_bounds():
    check_values_and_grads(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), [(3, 4), (4,), (3, 1)],
                           [ANY, (-1.0, 0.0), (0.0, 1.0)], "float64", second_order=True)


def test_nan_to_num_replaces_nan_and_infinities():
    a = np.array([np.nan, np.inf, -np.inf, 1.5], np.float32)
    assert_same(ember.nan_to_num(ember.tensor(a)), torch.nan_to_num(torch.tensor(a)))


def test_errors():
    same_error(lambda lib: -lib.tensor([True]))
    same_error(lambda lib: lib.abs(lib.tensor([True])))
    same_error(lambda lib: lib.clamp(lib.ones(2)))
    same_error(lambda lib: lib.floor(lib.tensor([1j])))
    same_error(lambda lib: lib.ones(2, dtype=lib.int64).sqrt_())
