"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad 1d/2d/3d) against
torch: outputs, input gradients, dtypes, reprs and the exception classes of bad input."""
import pytest
import torch

import ember
from layer_oracle import assert_same_repr
from oracle import check, random_array, same_error

# (layer name without the rank, constructor arguments after the padding)
KINDS = [("ZeroPad", ()), ("ConstantPad", (1.5,)), ("ReflectionPad", ()), ("ReplicationPad", ()), ("CircularPad", ())]
PADDINGS = {1: [2, (1, 3), (0, 2)], 2: [1, (1, 2, 0, 3), (2, 0, 1, 1)], 3: [1, (1, 0, 2, 1, 0, 2)]}
SHAPES = {1: [(2, 3, 5), (3, 5)], 2: [(2, 3, 4, 5), (3, 4, 5)], 3: [(2, 2, 3, 4, 5), (2, 3, 4, 5)]}
CASES = [(kind, extra, d, p, s) for kind, extra in KINDS for d in (1, 2, 3) for p in PADDINGS[d] for s in SHAPES[d]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind,extra,d,padding,shape", CASES, ids=str)
def test_padding_layer(kind, extra, d, padding, shape, dtype):
    make = lambda lib: getattr(lib.nn, f"{kind}{d}d")(padding, *extra)  # noqa: E731
    assert_same_repr(make(ember), make(torch))
    check(lambda lib, x: make(lib)(x), [shape], dtype=dtype)


@pytest.mark.parametrize("kind", ["ZeroPad2d", "ConstantPad2d"])
def test_negative_padding_crops(kind):
    extra = (0.5,) if kind == "ConstantPad2d" else ()
    check(lambda lib, x: getattr(lib.nn, kind)((-1, 2, 1, -2), *extra)(x), [(2, 3, 5, 6)])


def test_constant_pad_keeps_integer_dtype():
    x = random_array((2, 3, 4), "int64", -5, 5)
    check(lambda lib, x: lib.nn.ConstantPad1d(2, 7)(x), [x], grad=False)


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.ReflectionPad1d(3), (2, 3, 3)),            # pad not smaller than the input
    (lambda lib: lib.nn.ReflectionPad2d((1, 1, 4, 0)), (1, 2, 4, 5)),
    (lambda lib: lib.nn.CircularPad1d(1), (2, 3, 4, 5)),             # wrong rank: ValueError in both
    (lambda lib: lib.nn.CircularPad2d(1), (4, 5)),
    (lambda lib: lib.nn.CircularPad3d(1), (2, 3, 4, 5, 6, 7)),
    (lambda lib: lib.nn.CircularPad1d(6), (2, 3, 4)),                 # wraps around more than once
    (lambda lib: lib.nn.ReplicationPad2d(1), (5,)),
], ids=str)
def test_padding_layer_errors(make, shape):
    x = random_array(shape)
    same_error(lambda lib: make(lib)(lib.tensor(x)))


def test_padding_layers_gradcheck():
    x = ember.tensor(random_array((1, 2, 3, 4), "float64"), requires_grad=True)
    for layer in (ember.nn.ReflectionPad2d((2, 1, 1, 2)), ember.nn.ReplicationPad2d(2), ember.nn.CircularPad2d(1),
                  ember.nn.ConstantPad2d((1, -1, 0, 2), 3.0)):
        assert ember.autograd.gradcheck(layer, (x,)), layer
