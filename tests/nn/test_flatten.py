"""nn.Flatten and nn.Unflatten against torch."""
import pytest
import torch

import ember
from layer_oracle import compare_layer
from oracle import same_error


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.Flatten(), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Flatten(0, 2), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Flatten(-3, -2), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Flatten(start_dim=0), (6,)),
    (lambda lib: lib.nn.Unflatten(1, (2, 5)), (3, 10)),
    (lambda lib: lib.nn.Unflatten(-1, [2, -1]), (3, 4, 6)),
    (lambda lib: lib.nn.Unflatten(0, lib.Size([2, 2, 1])), (4, 3)),
])
def test_flatten_matches_torch(make, shape, dtype):
    compare_layer(make, [shape], dtype)


def test_flatten_is_a_view():
    x = ember.randn(2, 3, 4)
    y = ember.nn.Flatten()(x)
    y[0, 0] = 100.0
    assert x[0, 0, 0].item() == 100.0


def test_sequential_repr():
    make = lambda lib: lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Unflatten(1, (3, 4)), lib.nn.Flatten(0, -1))
    assert repr(make(ember)) == repr(make(torch))


def test_bad_input():
    same_error(lambda lib: lib.nn.Unflatten(1, 5))
    same_error(lambda lib: lib.nn.Unflatten(1, (2.0, 5)))
    same_error(lambda lib: lib.nn.Unflatten(1, (2, 4))(lib.randn(3, 10)))
    same_error(lambda lib: lib.nn.Flatten(3)(lib.randn(3, 10)))
    same_error(lambda lib: lib.nn.Flatten(1, 0)(lib.randn(3, 10, 2)))
