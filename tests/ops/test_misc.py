import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, pair, same_error


@pytest.mark.parametrize("dst_shape,src_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3), ())])
def test_copy_broadcasts_and_passes_gradient_to_source(dst_shape, src_shape):
    def fn(lib, w):
        y = lib.zeros(dst_shape, dtype=lib.float64)
        y.copy_(w * 2)
        return y * y
    check(fn, [src_shape], dtype="float64", second_order=True)


def test_copy_into_view_of_intermediate_reaches_both():
    def fn(lib, x, w):
        y = x * 1.5
        y[1:3].copy_(w)
        return y.exp()
    check(fn, [(4, 3), (3,)], dtype="float64")


def test_copy_casts_dtype_and_bumps_version():
    e_dst, t_dst = pair((2, 3), "int32")
    e_src, t_src = pair((2, 3), "float32")
    v = e_dst._version
    e_dst.copy_(e_src)
    t_dst.copy_(t_src)
    assert_same(e_dst, t_dst)
    assert e_dst._version == v + 1


def test_fill_zero_and_new_constructors():
    e, t = pair((3, 2), "float32")
    assert_same(e.clone().fill_(2.5), t.clone().fill_(2.5))
    assert_same(e.clone().zero_(), t.clone().zero_())
    for name, args in [("new_zeros", (2, 3)), ("new_ones", ((4,),)), ("new_full", ((2,), 7))]:
        assert_same(getattr(e, name)(*args), getattr(t, name)(*args))
    assert_same(e.new_tensor([1, 2]), t.new_tensor([1, 2]))
    assert_same(e.new_zeros(2, dtype=ember.int64), t.new_zeros(2, dtype=torch.int64))


def test_fill_with_tensor_value_is_differentiable():
    check(lambda lib, x, v: (x * 1).fill_(v) * x, [(3,), ()], dtype="float64")


def test_zero_on_leaf_requiring_grad_is_refused():
    same_error(lambda lib: lib.ones(3, requires_grad=True).zero_())


def test_copy_shape_mismatch_raises_like_torch():
    same_error(lambda lib: lib.zeros(3, 4).copy_(lib.ones(5)))


def test_fill_under_no_grad_updates_leaf():
    e = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        e.fill_(4.0)
    np.testing.assert_array_equal(e.detach().numpy(), [4.0, 4.0, 4.0])


@pytest.mark.parametrize("dtype", [None, "float64", "int32"])
def test_new_empty_and_type_as(dtype):
    e, t = pair((3, 2), "float32")
    kw_e = {} if dtype is None else {"dtype": getattr(ember, dtype)}
    kw_t = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    ne, nt = e.new_empty((2, 4), **kw_e), t.new_empty((2, 4), **kw_t)
    assert tuple(ne.shape) == tuple(nt.shape) and str(ne.dtype).split(".")[-1] == str(nt.dtype).split(".")[-1]
    i_e, i_t = pair((3,), "int64")
    assert_same(e.type_as(i_e), t.type_as(i_t))
    assert_same(i_e.type_as(e), i_t.type_as(t))
    check(lambda lib, x, y: x.type_as(y) * x, [(3,), (2,)], dtype="float64")
