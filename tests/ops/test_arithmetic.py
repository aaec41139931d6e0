"""Elementwise arithmetic of two or three operands against torch: values, dtypes (PyTorch's
promotion), gradients (second order for the smooth ones), float32 and float64, broadcast / 0-d /
empty shapes, operators (reflected and in-place), out= and in-place forms, gradcheck in float64."""
import operator

import pytest
import torch

import ember
from elementwise_cases import check_gradcheck, check_inplace, check_out, check_values_and_grads
from oracle import assert_same, pair, same_error

ANY, POS, NONZERO = (-2.0, 2.0), (0.5, 2.0), (0.5, 2.0)
# name -> (fn, domains, smooth: second derivative and gradcheck)
BINARY = {
    "add": (lambda lib, x, y: lib.add(x, y), (ANY, ANY), True),
    "add_alpha": (lambda lib, x, y: lib.add(x, y, alpha=0.5), (ANY, ANY), True),
    "sub": (lambda lib, x, y: lib.sub(x, y), (ANY, ANY), True),
    "sub_alpha": (lambda lib, x, y: x.sub(y, alpha=2), (ANY, ANY), True),
    "rsub": (lambda lib, x, y: lib.rsub(x, y), (ANY, ANY), True),
    "mul": (lambda lib, x, y: lib.mul(x, y), (ANY, ANY), True),
    "div": (lambda lib, x, y: lib.div(x, y), (ANY, NONZERO), True),
    "div_trunc": (lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"), (ANY, NONZERO), False),
    "div_floor": (lambda lib, x, y: lib.div(x, y, rounding_mode="floor"), (ANY, NONZERO), False),
    "true_divide": (lambda lib, x, y: lib.true_divide(x, y), (ANY, NONZERO), True),
    "remainder": (lambda lib, x, y: lib.remainder(x, y), (ANY, NONZERO), False),
    "fmod": (lambda lib, x, y: lib.fmod(x, y), (ANY, NONZERO), False),
    "pow": (lambda lib, x, y: lib.pow(x, y), (POS, ANY), True),
    "float_power": (lambda lib, x, y: lib.float_power(x, y), (POS, ANY), True),
    "atan2": (lambda lib, x, y: lib.atan2(x, y), (ANY, NONZERO), True),
    "maximum": (lambda lib, x, y: lib.maximum(x, y), (ANY, ANY), False),
    "minimum": (lambda lib, x, y: lib.minimum(x, y), (ANY, ANY), False),
    "fmax": (lambda lib, x, y: lib.fmax(x, y), (ANY, ANY), False),
    "fmin": (lambda lib, x, y: lib.fmin(x, y), (ANY, ANY), False),
    "hypot": (lambda lib, x, y: lib.hypot(x, y), (NONZERO, ANY), True),
    "xlogy": (lambda lib, x, y: lib.xlogy(x, y), (ANY, POS), True),
    "copysign": (lambda lib, x, y: lib.copysign(x, y), (NONZERO, ANY), False),
    "lerp_scalar": (lambda lib, x, y: lib.lerp(x, y, 0.3), (ANY, ANY), True),
}
TERNARY = {
    "lerp": (lambda lib, x, y, w: lib.lerp(x, y, w), (ANY, ANY, ANY), True),
    "addcmul": (lambda lib, x, y, z: lib.addcmul(x, y, z, value=0.5), (ANY, ANY, ANY), True),
    "addcdiv": (lambda lib, x, y, z: lib.addcdiv(x, y, z, value=2), (ANY, ANY, POS), True),
    "where": (lambda lib, c, x, y: lib.where(c > 0, x, y), (ANY, ANY, ANY), True),
}
PAIRS = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((4, 1), (1, 5)), ((0, 3), (3,)), ((), ())]
TRIPLES = [((3, 4), (3, 4), (3, 4)), ((2, 1, 4), (3, 1), (4,)), ((), (2,), ()), ((0, 2), (2,), (1, 2))]


@pytest.mark.parametrize("shapes", PAIRS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, dtype, shapes):
    fn, domains, smooth = BINARY[name]
    check_values_and_grads(fn, shapes, domains, dtype, second_order=smooth and dtype == "float64")


@pytest.mark.parametrize("shapes", TRIPLES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(TERNARY))
def test_ternary(name, dtype, shapes):
    fn, domains, smooth = TERNARY[name]
    check_values_and_grads(fn, shapes, domains, dtype, second_order=smooth and dtype == "float64")


@pytest.mark.parametrize("name", sorted(n for n in {**BINARY, **TERNARY} if {**BINARY, **TERNARY}[n][2]))
def test_gradcheck(name):
    fn, domains, _ = {**BINARY, **TERNARY}[name]
    shapes = [(2, 3), (3,), (2, 1)][:len(domains)]
    check_gradcheck(fn, shapes, domains)


PROMOTION = [("int64", "float32"), ("int32", "int64"), ("uint8", "int8"), ("bool", "int32"), ("float32", "float64"),
             ("bool", "float32"), ("int64", "complex64"), ("float32", "complex128")]


@pytest.mark.parametrize("da,db", PROMOTION)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "pow", "remainder", "atan2", "floor_divide"])
def test_type_promotion(name, da, db):
    """Mixed dtypes: the result dtype (or the refusal) is torch's."""
    e1, t1 = pair((2, 3), da, low=1, high=3)
    e2, t2 = pair((3,), db, low=1, high=3)
    try:
        t_out = getattr(torch, name)(t1, t2)
    except Exception:  # noqa: BLE001 - then ember raises the same class
        same_error(lambda lib: getattr(lib, name)(*((e1, e2) if lib is ember else (t1, t2))))
        return
    assert_same(getattr(ember, name)(e1, e2), t_out, rtol=1e-5)


SCALARS = [2, -1.5, True, 0.5]


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("sym", ["+", "-", "*", "/", "//", "%", "**"])
def test_operators_with_numbers(sym, scalar, dtype):
    """x op number and number op x: values and dtypes (Python numbers do not widen a tensor's category)."""
    op = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
          "%": operator.mod, "**": operator.pow}[sym]
    e, t = pair((2, 3), dtype, low=1, high=3)
    for args in ((e, scalar), (scalar, e)):
        targs = tuple(t if a is e else a for a in args)
        try:
            t_out = op(*targs)
        except Exception:  # noqa: BLE001
            same_error(lambda lib: op(*(args if lib is ember else targs)))
            continue
        assert_same(op(*args), t_out, rtol=1e-5)


@pytest.mark.parametrize("sym", ["+", "-", "*", "/", "**", "@"])
def test_tensor_operators_with_gradients(sym):
    op = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow,
          "@": operator.matmul}[sym]
    shapes = [(3, 4), (4, 2)] if sym == "@" else [(3, 4), (4,)]
    check_values_and_grads(lambda lib, x, y: op(x, y), shapes, [POS, POS], "float64", second_order=True)


IN_PLACE_OPERATORS = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
                      "**=": operator.ipow, "//=": operator.ifloordiv, "%=": operator.imod}


@pytest.mark.parametrize("sym", sorted(IN_PLACE_OPERATORS))
def test_in_place_operators(sym):
    iop = IN_PLACE_OPERATORS[sym]
    e, t = pair((2, 3), "float64", low=0.5, high=2)
    e2, t2 = pair((3,), "float64", low=0.5, high=2)
    v = e._version
    e_ret, t_ret = iop(e, e2), iop(t, t2)
    assert e_ret is e and t_ret is t and e._version > v
    assert_same(e, t)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
                                  "pow", "float_power", "atan2", "maximum", "minimum", "fmax", "fmin", "hypot", "xlogy",
                                  "copysign"])
def test_out(name):
    check_out(name, [(3, 4), (4,)], [POS, POS], dtype="float64" if name == "float_power" else "float32")


def test_out_ternary():
    check_out("lerp", [(3, 4), (4,), (3, 4)], [ANY, ANY, ANY])
    check_out("addcmul", [(3, 4), (4,), (3, 1)], [ANY, ANY, ANY], value=2)
    check_out("addcdiv", [(3, 4), (4,), (3, 1)], [ANY, ANY, POS], value=0.5)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
                                  "pow", "atan2", "hypot", "xlogy", "copysign", "lerp", "addcmul", "addcdiv"])
def test_inplace(name):
    n = 3 if name in ("lerp", "addcmul", "addcdiv") else 2
    # torch has no derivative for floor_divide_: values only there
    check_inplace(name, [(3, 4), (4,), (3, 1)][:n], [POS] * n, dtype="float64", grad=name != "floor_divide")


def test_float_power_inplace_needs_double():
    same_error(lambda lib: lib.ones(2).float_power_(2))
    e, t = pair((3,), "float64", low=0.5, high=2)
    assert_same(e.float_power_(1.5), t.float_power_(1.5))


def test_inplace_result_must_fit_dtype():
    same_error(lambda lib: lib.ones(2, dtype=lib.int64).div_(2))
    same_error(lambda lib: lib.ones(2, dtype=lib.int64).add_(1.5))


ERRORS = [
    ("broadcast", lambda lib: lib.ones(2, 3) + lib.ones(4)),
    ("broadcast_fn", lambda lib: lib.atan2(lib.ones(2, 3), lib.ones(2))),
    ("inplace_broadcast", lambda lib: lib.ones(3).add_(lib.ones(2, 3))),
    ("bool_sub", lambda lib: lib.tensor([True]) - lib.tensor([False])),
    ("int_div_zero", lambda lib: lib.tensor([1]) // lib.tensor([0])),
    ("int_neg_pow", lambda lib: lib.tensor([2]) ** -1),
    ("alpha_float_on_int", lambda lib: lib.add(lib.tensor([1]), lib.tensor([1]), alpha=0.5)),
    ("complex_remainder", lambda lib: lib.remainder(lib.tensor([1j]), 2)),
    ("rounding_mode", lambda lib: lib.div(lib.ones(2), 2, rounding_mode="round")),
    ("lerp_dtype", lambda lib: lib.lerp(lib.ones(2), lib.ones(2, dtype=lib.float64), 0.5)),
    ("addcdiv_int", lambda lib: lib.addcdiv(lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64),
                                            lib.ones(2, dtype=lib.int64))),
    ("bad_operand", lambda lib: lib.add(lib.ones(2), "a")),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    same_error(fn)


def test_broadcast_error_names_op_shapes_and_rule():
    with pytest.raises(RuntimeError) as info:
        ember.ones(2, 3) * ember.ones(4)
    msg = str(info.value)
    assert "mul" in msg and "(2x3)" in msg and "(4)" in msg and "must match" in msg
