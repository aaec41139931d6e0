"""Comparison, logic and bitwise ops against torch: values and dtypes over float/int/bool inputs,
broadcast / 0-d / empty shapes, operators, out= and in-place forms, where (its gradient too)."""
import operator

import numpy as np
import pytest
import torch

import ember
from elementwise_cases import check_out
from oracle import assert_same, check, pair, same_error

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
PAIRS = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((4, 1), (1, 5)), ((0, 3), (3,))]
BINARY = ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "bitwise_and",
          "bitwise_or", "bitwise_xor", "isclose", "equal", "allclose", "maximum"]
UNARY = ["isnan", "isinf", "isfinite", "isneginf", "isposinf", "logical_not", "bitwise_not", "signbit"]
SPECIAL = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 2.0])


def _same_outcome(fn, e_args, t_args):
    """torch's result (value and dtype), or torch's exception class."""
    try:
        t_out = fn(torch, *t_args)
    except Exception:  # noqa: BLE001 - then ember raises the same class
        same_error(lambda lib: fn(lib, *(e_args if lib is ember else t_args)))
        return
    assert_same(fn(ember, *e_args), t_out)


@pytest.mark.parametrize("shapes", PAIRS, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary(name, dtype, shapes):
    # small integers make equal elements common
    e1, t1 = pair(shapes[0], dtype, low=0, high=2)
    e2, t2 = pair(shapes[1], dtype, low=0, high=2)
    if dtype.startswith("float"):
        e1, t1 = e1.round(), t1.round()
    _same_outcome(lambda lib, a, b: getattr(lib, name)(a, b), (e1, e2), (t1, t2))


@pytest.mark.parametrize("da,db", [("int64", "float32"), ("bool", "int64"), ("uint8", "int8"), ("float32", "float64")])
@pytest.mark.parametrize("name", BINARY)
def test_mixed_dtypes(name, da, db):
    e1, t1 = pair((2, 3), da, low=0, high=2)
    e2, t2 = pair((3,), db, low=0, high=2)
    _same_outcome(lambda lib, a, b: getattr(lib, name)(a, b), (e1, e2), (t1, t2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, dtype):
    data = SPECIAL.astype(dtype) if dtype.startswith("float") else np.array([0, 1, 2, 3]).astype(dtype)
    e, t = ember.tensor(data), torch.tensor(data)
    _same_outcome(lambda lib, x: getattr(lib, name)(x), (e,), (t,))


@pytest.mark.parametrize("sym", ["==", "!=", "<", "<=", ">", ">=", "&", "|", "^", "<<", ">>"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_operators(sym, dtype):
    op = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
          ">=": operator.ge, "&": operator.and_, "|": operator.or_, "^": operator.xor, "<<": operator.lshift,
          ">>": operator.rshift}[sym]
    e1, t1 = pair((2, 3), dtype, low=0, high=3)
    e2, t2 = pair((3,), dtype, low=0, high=3)
    for ea, ta in (((e1, e2), (t1, t2)), ((e1, 1), (t1, 1)), ((2, e1), (2, t1))):
        _same_outcome(lambda lib, a, b: op(a, b), ea, ta)
    _same_outcome(lambda lib, a: ~a, (e1,), (t1,))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                                  "bitwise_and", "bitwise_or", "bitwise_xor"])
def test_out(name):
    check_out(name, [(3, 4), (4,)], [(0, 2), (0, 2)], dtype="int64")


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                                  "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_inplace(name, dtype):
    e, t = pair((3, 4), dtype, low=0, high=2)
    other = () if name in ("logical_not", "bitwise_not") else pair((4,), dtype, low=0, high=2)
    v = e._version
    try:
        t_ret = getattr(t, name + "_")(*other[1:])
    except Exception:  # noqa: BLE001
        same_error(lambda lib: getattr(e if lib is ember else t, name + "_")(*other[:1] if lib is ember else other[1:]))
        return
    e_ret = getattr(e, name + "_")(*other[:1])
    assert e_ret is e and e._version > v
    assert_same(e, t_ret)


def test_inplace_comparison_cuts_the_gradient():
    check(lambda lib, x, y: (x * 2).lt_(y) * x, [(3, 4), (4,)], dtype="float64")


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()), ((), (2,), (2, 1)),
                                    ((0, 2), (2,), (1,))], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_where_values_and_gradients(shapes, dtype):
    check(lambda lib, c, x, y: lib.where(c > 0, x, y), list(shapes), dtype=dtype, second_order=dtype == "float64")


def test_where_scalar_operands_and_promotion():
    check(lambda lib, c, x: lib.where(c > 0, x, 0.5), [(3, 4), (4,)], dtype="float64")
    e, t = pair((3,), "int64")
    assert_same(ember.where(e > 0, e, 1.5), torch.where(t > 0, t, 1.5))
    assert_same(ember.where(e > 0, e, ember.zeros(3)), torch.where(t > 0, t, torch.zeros(3)))


def test_where_one_argument_form_is_nonzero():
    e, t = pair((3, 4), "int64", low=0, high=1)
    assert_same(ember.where(e), torch.where(t))
    assert_same(ember.where(ember.tensor(1)), torch.where(torch.tensor(1)))


def test_where_out():
    c = pair((3, 4), "bool")
    a, b = pair((3, 4), "float32"), pair((4,), "float32")
    eo, to = ember.empty(0), torch.empty(0)
    ember.where(c[0], a[0], b[0], out=eo), torch.where(c[1], a[1], b[1], out=to)
    assert_same(eo, to)


@pytest.mark.parametrize("kw", [{}, {"rtol": 0.1}, {"atol": 0.5}, {"equal_nan": True}], ids=str)
def test_isclose_allclose_arguments(kw):
    a = np.array([1.0, np.nan, 2.0, np.inf, 1e-9])
    b = np.array([1.05, np.nan, 2.4, np.inf, 0.0])
    assert_same(ember.isclose(ember.tensor(a), ember.tensor(b), **kw), torch.isclose(torch.tensor(a), torch.tensor(b), **kw))
    assert ember.allclose(ember.tensor(a), ember.tensor(b), **kw) == torch.allclose(torch.tensor(a), torch.tensor(b), **kw)


def test_equal_shapes_and_dtypes():
    assert ember.equal(ember.ones(2), ember.ones(2)) is torch.equal(torch.ones(2), torch.ones(2))
    assert ember.equal(ember.ones(2), ember.ones(3)) is torch.equal(torch.ones(2), torch.ones(3))


ERRORS = [
    ("broadcast", lambda lib: lib.eq(lib.ones(2, 3), lib.ones(4))),
    ("bitwise_float", lambda lib: lib.bitwise_and(lib.ones(2), lib.ones(2))),
    ("invert_float", lambda lib: ~lib.ones(2)),
    ("complex_order", lambda lib: lib.tensor([1j]) < lib.tensor([2j])),
    ("where_cond_dtype", lambda lib: lib.where(lib.ones(2), lib.ones(2), lib.zeros(2))),
    ("where_broadcast", lambda lib: lib.where(lib.ones(2, dtype=lib.bool), lib.ones(3), lib.zeros(3))),
    ("logical_non_tensor", lambda lib: lib.logical_and(lib.ones(2), 1)),
    ("shift_bool", lambda lib: lib.tensor([True]) << lib.tensor([True])),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    same_error(fn)
