"""Indexing against torch: getitem/setitem keys, gather/scatter/index_*/masked_*/take/put, nonzero, searchsorted."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error

R = np.random.default_rng(0)
IDX = np.array([2, 0, 2, 1])
MASK = R.random((3, 4)) < 0.5
MASK_ROW = np.array([True, False, True, True])

# getitem: (name, key builder(lib) -> key, shape, second_order)
GET_CASES = [
    ("int", lambda lib: 1, (3, 4), True),
    ("neg_int", lambda lib: -1, (3, 4), False),
    ("slice", lambda lib: slice(1, None), (3, 4), True),
    ("slice_step", lambda lib: (slice(None), slice(None, None, 2)), (3, 4), False),
    ("slice_clamp", lambda lib: slice(-10, 10), (3, 4), False),
    ("empty_slice", lambda lib: slice(2, 1), (3, 4), False),
    ("int_int", lambda lib: (2, 3), (3, 4), False),
    ("none", lambda lib: (None, 1, None), (3, 4), False),
    ("ellipsis", lambda lib: (Ellipsis, 1), (2, 3, 4), False),
    ("ellipsis_mid", lambda lib: (0, Ellipsis, None, slice(1, 3)), (2, 3, 4), False),
    ("0d_ellipsis", lambda lib: Ellipsis, (), False),
    ("0d_none", lambda lib: None, (), False),
    ("list", lambda lib: [2, 0, 2], (3, 4), True),
    ("tensor_idx", lambda lib: lib.tensor(IDX), (3, 4), True),
    ("tensor_idx_2d", lambda lib: lib.tensor([[0, 1], [2, 2]]), (3, 4), False),
    ("tensor_idx_int32", lambda lib: lib.tensor(IDX, dtype=lib.int32), (3, 4), False),
    ("0d_int_tensor", lambda lib: lib.tensor(1), (3, 4), False),
    ("adv_second_dim", lambda lib: (slice(None), lib.tensor([3, 0, 3])), (3, 4), True),
    ("adv_pair", lambda lib: (lib.tensor([0, 2]), lib.tensor([1, 3])), (3, 4), False),
    ("adv_broadcast", lambda lib: (lib.tensor([[0], [2]]), lib.tensor([1, 3, 0])), (3, 4), False),
    ("adv_separated", lambda lib: (lib.tensor([0, 1]), slice(None), lib.tensor([0, 3])), (2, 3, 4), True),
    ("int_slice_adv", lambda lib: (0, slice(None), [0, 1]), (2, 3, 4), False),
    ("slice_int_adv", lambda lib: (slice(None), 0, [0, 1]), (2, 3, 4), False),
    ("adv_none_adv", lambda lib: ([0, 1], None, [0, 1]), (2, 3, 4), False),
    ("none_adv_int", lambda lib: (None, [0, 1], slice(None), 0), (2, 3, 4), False),
    ("ellipsis_adv", lambda lib: (Ellipsis, [1, 1]), (2, 3, 4), False),
    ("mask", lambda lib: lib.tensor(MASK), (3, 4), True),
    ("mask_row", lambda lib: lib.tensor(MASK_ROW), (4, 2), False),
    ("mask_dim1", lambda lib: (slice(None), lib.tensor(MASK_ROW)), (3, 4), False),
    ("mask_and_idx", lambda lib: (lib.tensor(MASK_ROW[:3]), slice(1, 3)), (3, 4), False),
    ("bool_true", lambda lib: True, (3, 4), False),
    ("bool_false", lambda lib: False, (3, 4), False),
    ("0d_bool_true", lambda lib: lib.tensor(True), (3,), False),
    ("0d_bool_false", lambda lib: lib.tensor(False), (3,), False),
    ("empty_idx", lambda lib: lib.tensor([], dtype=lib.int64), (3, 4), False),
    ("dup_idx", lambda lib: ([1, 1, 1], [0, 0, 3]), (3, 4), True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,key,shape,second", GET_CASES, ids=[c[0] for c in GET_CASES])
def test_getitem(name, key, shape, second, dtype):
    check(lambda lib, x: x[key(lib)], [shape], dtype=dtype, second_order=second and dtype == "float64")


@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("name", ["int", "slice_step", "tensor_idx", "mask", "adv_separated"])
def test_getitem_int(name, dtype):
    _, key, shape, _ = next(c for c in GET_CASES if c[0] == name)
    check(lambda lib, x: x[key(lib)], [shape], dtype=dtype, grad=False)


GET_ERRORS = [
    ("int_range", lambda lib, x: x[3]),
    ("int_range2", lambda lib, x: x[0, -5]),
    ("neg_step", lambda lib, x: x[::-1]),
    ("too_many", lambda lib, x: x[0, 0, 0]),
    ("float_idx", lambda lib, x: x[1.0]),
    ("float_tensor_idx", lambda lib, x: x[lib.tensor([0.0])]),
    ("adv_range", lambda lib, x: x[lib.tensor([0, 7])]),
    ("mask_shape", lambda lib, x: x[lib.tensor([True, False])]),
    ("0d_int", lambda lib, x: x[0, 0][0]),
    ("set_shape", lambda lib, x: x.__setitem__(0, lib.ones(3))),
]


@pytest.mark.parametrize("name,fn", GET_ERRORS, ids=[c[0] for c in GET_ERRORS])
def test_getitem_errors(name, fn):
    arr = np.arange(12.0).reshape(3, 4)
    same_error(lambda lib: fn(lib, lib.tensor(arr)))


def test_index_error_message():
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        ember.zeros(3, 4)[3]
    with pytest.raises(IndexError, match="dimension 1 with size 4"):
        ember.zeros(3, 4)[:, ember.tensor([5])]


# setitem: (name, key(lib), value(lib, v) where v is a float tensor of value shape, x shape, value shape)
SET_CASES = [
    ("int", lambda lib: 1, (3, 4), (4,)),
    ("int_bcast", lambda lib: 1, (3, 4), (1,)),
    ("slice", lambda lib: (slice(None), slice(1, 3)), (3, 4), (3, 2)),
    ("slice_bcast", lambda lib: (slice(None), slice(1, 3)), (3, 4), (2,)),
    ("scalar_pos", lambda lib: (1, 2), (3, 4), ()),
    ("ellipsis", lambda lib: (Ellipsis, 0), (2, 3, 4), (2, 3)),
    ("adv", lambda lib: lib.tensor([2, 0]), (3, 4), (2, 4)),
    ("adv_pair", lambda lib: ([0, 2], [1, 3]), (3, 4), (2,)),
    ("mask", lambda lib: lib.tensor(MASK), (3, 4), ()),
    ("int_slice_adv", lambda lib: (0, slice(None), [0, 1]), (2, 3, 4), (3, 2)),
    ("leading_one", lambda lib: 0, (3, 4), (1, 4)),
]


@pytest.mark.parametrize("name,key,shape,vshape", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_setitem_grad(name, key, shape, vshape):
    def fn(lib, x, v):
        y = x * 2
        y[key(lib)] = v * 3
        return y * y
    check(fn, [shape, vshape], dtype="float64", second_order=name in ("slice", "adv", "mask"))


@pytest.mark.parametrize("name,key,shape,vshape", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_setitem_nograd(name, key, shape, vshape):
    def fn(lib, x, v):
        y = x.clone()
        y[key(lib)] = v
        return y
    check(fn, [shape, vshape], dtype="int64", grad=False)


def test_setitem_scalars_and_casts():
    def fn(lib, x):
        y = x * 1
        y[0] = 5
        y[1, 1:] = 2.5
        y[lib.tensor(MASK[:, :3])] = lib.tensor(-1, dtype=lib.int64)
        return y
    check(fn, [(3, 3)], dtype="float32")

    def fn_int(lib, x):
        y = x.clone()
        y[0] = lib.tensor([1.7, 2.2, -3.9])
        y[1] = True
        return y
    check(fn_int, [(3, 3)], dtype="int32", grad=False)


def test_setitem_on_leaf_and_view():
    same_error(lambda lib: lib.ones(3, requires_grad=True).__setitem__(0, 2.0))

    def fn(lib, x, v):
        y = x * 1
        row = y[1]
        row[1:3] = v
        return y
    check(fn, [(3, 4), (2,)], dtype="float64")


# (name, fn(lib, x, src), x shape, src shape, second_order)
IDX2 = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
SC_IDX = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
OPS = [
    ("gather0", lambda lib, x, s: lib.gather(x, 0, lib.tensor(IDX2)), (3, 4), (1,), True),
    ("gather1", lambda lib, x, s: x.gather(1, lib.tensor([[0, 0], [3, 1], [2, 2]])), (3, 4), (1,), True),
    ("gather_small", lambda lib, x, s: x.gather(0, lib.tensor([[1]])), (3, 4), (1,), False),
    ("gather_0d", lambda lib, x, s: x.gather(0, lib.tensor(0)), (), (1,), False),
    ("scatter_src", lambda lib, x, s: x.scatter(0, lib.tensor(SC_IDX[:, :3]), s), (3, 4), (2, 3), True),
    ("scatter_value", lambda lib, x, s: lib.scatter(x, 1, lib.tensor([[0], [3], [1]]), 2.5), (3, 4), (1,), False),
    ("scatter_add", lambda lib, x, s: x.scatter_add(0, lib.tensor(IDX2), s), (3, 4), (2, 4), True),
    ("scatter_add_big_src", lambda lib, x, s: lib.scatter_add(x, 1, lib.tensor([[0], [0], [3]]), s.detach()), (3, 4),
     (3, 5), False),
    ("scatter_reduce_add", lambda lib, x, s: x.detach().scatter(0, lib.tensor(IDX2), s.detach(), reduce="add"),
     (3, 4), (2, 4), False),
    ("index_select", lambda lib, x, s: x.index_select(1, lib.tensor([3, 0, 3])), (3, 4), (1,), True),
    ("index_select_0d", lambda lib, x, s: lib.index_select(x, 0, lib.tensor(2)), (3, 4), (1,), False),
    ("index_select_i32", lambda lib, x, s: x.index_select(0, lib.tensor([1, 1], dtype=lib.int32)), (3, 4), (1,),
     False),
    ("index_add", lambda lib, x, s: x.index_add(0, lib.tensor([2, 0, 2]), s), (3, 4), (3, 4), True),
    ("index_add_alpha", lambda lib, x, s: lib.index_add(x, 1, lib.tensor([1, 3]), s, alpha=2), (3, 4), (3, 2),
     False),
    ("index_copy", lambda lib, x, s: x.index_copy(1, lib.tensor([3, 0]), s), (3, 4), (3, 2), True),
    ("index_fill", lambda lib, x, s: x.index_fill(1, lib.tensor([3, 0]), -1.5), (3, 4), (1,), False),
    ("index_fill_t", lambda lib, x, s: x.index_fill(0, lib.tensor([1]), s.sum()), (3, 4), (2,), False),
    ("index_put", lambda lib, x, s: x.index_put((lib.tensor([0, 2]), lib.tensor([1, 1])), s), (3, 4), (2,), True),
    ("index_put_acc", lambda lib, x, s: lib.index_put(x, (lib.tensor([0, 0]), lib.tensor([1, 1])), s, True),
     (3, 4), (2,), True),
    ("index_put_mask", lambda lib, x, s: x.index_put((lib.tensor(MASK),), s.sum()), (3, 4), (2,), False),
    ("masked_fill", lambda lib, x, s: x.masked_fill(lib.tensor(MASK), 0.5), (3, 4), (1,), False),
    ("masked_fill_t", lambda lib, x, s: lib.masked_fill(x, lib.tensor(MASK_ROW), s.sum()), (3, 4), (2,), True),
    ("masked_fill_bcast", lambda lib, x, s: x.masked_fill(lib.tensor(MASK), 0.5), (4,), (1,), False),
    ("masked_scatter", lambda lib, x, s: x.masked_scatter(lib.tensor(MASK), s), (3, 4), (3, 5), True),
    ("masked_select", lambda lib, x, s: x.masked_select(lib.tensor(MASK)), (3, 4), (1,), True),
    ("masked_select_bcast", lambda lib, x, s: lib.masked_select(x, lib.tensor(MASK_ROW)), (3, 4), (1,), False),
    ("take", lambda lib, x, s: x.take(lib.tensor([[0, 11], [5, -1]])), (3, 4), (1,), True),
    ("take_along_dim", lambda lib, x, s: lib.take_along_dim(x, lib.tensor([[0], [2], [1]]), 1), (3, 4), (1,), True),
    ("take_along_bcast", lambda lib, x, s: x.take_along_dim(lib.tensor([[0, 3]]), dim=1), (3, 4), (1,), False),
    ("take_along_none", lambda lib, x, s: lib.take_along_dim(x, lib.tensor([3, 0])), (3, 4), (1,), False),
    ("put", lambda lib, x, s: x.put(lib.tensor([1, 6]), s), (3, 4), (2,), True),
    ("put_acc", lambda lib, x, s: x.put(lib.tensor([1, 1]), s, accumulate=True), (3, 4), (2,), False),
    ("repeat_interleave_grad", lambda lib, x, s: x.repeat_interleave(lib.tensor([2, 0, 1]), dim=0), (3, 4), (1,),
     False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,xs,ss,second", OPS, ids=[c[0] for c in OPS])
def test_index_ops(name, fn, xs, ss, second, dtype):
    check(fn, [xs, ss], dtype=dtype, second_order=second and dtype == "float64")


@pytest.mark.parametrize("name,fn,xs,ss,second", [c for c in OPS if "fill" not in c[0]],
                         ids=[c[0] for c in OPS if "fill" not in c[0]])
def test_index_ops_int(name, fn, xs, ss, second):
    check(fn, [xs, ss], dtype="int64", grad=False)


SR_IDX = np.array([[0, 1, 0, 2], [0, 1, 2, 2], [1, 1, 0, 0]])


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(reduce, include_self):
    check(lambda lib, x, s: x.scatter_reduce(0, lib.tensor(SR_IDX), s, reduce, include_self=include_self),
          [(3, 4), (3, 4)], dtype="float64", low=0.5, high=2.0)
    check(lambda lib, x, s: lib.scatter_reduce(x, 1, lib.tensor(SR_IDX[:2]), s, reduce, include_self=include_self),
          [(3, 4), (2, 4)], dtype="int64", grad=False, low=1, high=5)


def test_scatter_reduce_ties_grad():
    x = np.array([[1.0, 2.0], [3.0, 3.0]])
    s = np.array([[3.0, 2.0], [1.0, 2.0]])
    for reduce in ("amax", "amin"):
        check(lambda lib, x, s: x.scatter_reduce(0, lib.tensor([[1, 0], [1, 0]]), s, reduce), [x, s], dtype="float64")


def test_scatter_multiply():
    check(lambda lib, x, s: x.scatter(0, lib.tensor(IDX2), s, reduce="multiply"), [(3, 4), (2, 4)], grad=False)


INPLACE = [
    ("scatter_", lambda lib, y, s: y.scatter_(0, lib.tensor(SC_IDX[:, :3]), s[:, :3])),
    ("scatter_add_", lambda lib, y, s: y.scatter_add_(0, lib.tensor(IDX2), s)),
    ("scatter_reduce_", lambda lib, y, s: y.scatter_reduce_(0, lib.tensor(IDX2), s, "sum", include_self=False)),
    ("index_add_", lambda lib, y, s: y.index_add_(0, lib.tensor([2, 0]), s)),
    ("index_copy_", lambda lib, y, s: y.index_copy_(0, lib.tensor([2, 0]), s)),
    ("index_fill_", lambda lib, y, s: y.index_fill_(1, lib.tensor([2, 0]), 7.0)),
    ("index_put_", lambda lib, y, s: y.index_put_((lib.tensor([1, 0]),), s, accumulate=True)),
    ("masked_fill_", lambda lib, y, s: y.masked_fill_(lib.tensor(MASK), s[0, 0])),
    ("masked_scatter_", lambda lib, y, s: y.masked_scatter_(lib.tensor(MASK[:, :]), s.repeat(2, 1))),
    ("put_", lambda lib, y, s: y.put_(lib.tensor([0, 5]), s[0, :2])),
]


@pytest.mark.parametrize("name,op", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_index_ops(name, op):
    def fn(lib, x, s):
        y = x * 1
        r = op(lib, y, s)
        assert r is y
        return y * x
    check(fn, [(3, 4), (2, 4)], dtype="float64")


OP_ERRORS = [
    ("gather_dtype", lambda lib, x: x.gather(0, lib.tensor([[0]], dtype=lib.int16))),
    ("gather_ndim", lambda lib, x: x.gather(0, lib.tensor([0]))),
    ("gather_range", lambda lib, x: x.gather(0, lib.tensor([[5]]))),
    ("gather_size", lambda lib, x: x.gather(0, lib.tensor([[0, 0, 0, 0, 0]]))),
    ("scatter_dtype_src", lambda lib, x: x.scatter(0, lib.tensor([[0]]), lib.ones(1, 1, dtype=lib.float64))),
    ("index_select_range", lambda lib, x: x.index_select(0, lib.tensor([3]))),
    ("index_select_2d", lambda lib, x: x.index_select(0, lib.tensor([[0]]))),
    ("index_select_float", lambda lib, x: x.index_select(0, lib.tensor([0.0]))),
    ("index_add_shape", lambda lib, x: x.index_add(0, lib.tensor([0]), lib.ones(2, 4))),
    ("masked_fill_dtype", lambda lib, x: x.masked_fill(lib.tensor([1, 0, 1, 0]), 1.0)),
    ("masked_fill_value_dim", lambda lib, x: x.masked_fill(lib.tensor(MASK), lib.ones(2))),
    ("masked_fill_inplace_bcast", lambda lib, x: x[0].masked_fill_(lib.tensor(MASK), 1.0)),
    ("masked_scatter_few", lambda lib, x: x.masked_scatter(lib.ones(3, 4, dtype=lib.bool), lib.ones(3))),
    ("take_range", lambda lib, x: x.take(lib.tensor([12]))),
    ("put_count", lambda lib, x: x.put(lib.tensor([0, 1]), lib.ones(3))),
    ("index_put_dtype", lambda lib, x: x.index_put((lib.tensor([0]),), lib.ones(4, dtype=lib.float64))),
    ("searchsorted_side", lambda lib, x: lib.searchsorted(x[0], x[1], right=True, side="left")),
]


@pytest.mark.parametrize("name,fn", OP_ERRORS, ids=[c[0] for c in OP_ERRORS])
def test_index_op_errors(name, fn):
    arr = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    same_error(lambda lib: fn(lib, lib.tensor(arr)))


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_nonzero_argwhere(dtype):
    a = R.integers(0, 2, (3, 4)).astype(dtype)
    check(lambda lib, x: lib.nonzero(x), [a], grad=False)
    check(lambda lib, x: x.nonzero(as_tuple=True), [a], grad=False)
    check(lambda lib, x: lib.argwhere(x), [a], grad=False)
    for z in (np.array(0, dtype), np.array(1, dtype), np.zeros((0, 3), dtype)):
        check(lambda lib, x: lib.nonzero(x), [z], grad=False)
        check(lambda lib, x: lib.nonzero(x, as_tuple=True), [z], grad=False)


def test_searchsorted_bucketize():
    seq = np.sort(R.integers(0, 10, 8)).astype(np.float32)
    vals = R.integers(-1, 11, (2, 5)).astype(np.float32)
    for kw in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        check(lambda lib, s, v: lib.searchsorted(s, v, **kw), [seq, vals], grad=False)
    check(lambda lib, s, v: lib.searchsorted(s, 3.0), [seq, vals], grad=False)
    seq2 = np.sort(R.random((2, 6)), axis=1)
    check(lambda lib, s, v: lib.searchsorted(s, v, side="right"), [seq2, R.random((2, 3))], grad=False)
    unsorted = R.random(6)
    check(lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.argsort(s) if hasattr(lib, "argsort") else None),
          [unsorted, R.random(4)], grad=False) if hasattr(ember, "argsort") else None
    check(lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.tensor(np.argsort(unsorted))), [unsorted, R.random(4)],
          grad=False)
    check(lambda lib, s, v: lib.bucketize(v, s), [seq, vals], grad=False)
    check(lambda lib, s, v: lib.bucketize(v, s, right=True, out_int32=True), [seq, vals], grad=False)
    out = ember.empty(0, dtype=ember.int64)
    r = ember.bucketize(ember.tensor(vals), ember.tensor(seq), out=out)
    assert r is out and np.array_equal(out.numpy(), torch.bucketize(torch.tensor(vals), torch.tensor(seq)).numpy())


def test_out_arguments():
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    for fn in (lambda lib, o: lib.gather(lib.tensor(x), 1, lib.tensor([[0], [1], [2]]), out=o),
               lambda lib, o: lib.index_select(lib.tensor(x), 0, lib.tensor([2, 0]), out=o),
               lambda lib, o: lib.masked_select(lib.tensor(x), lib.tensor(MASK), out=o),
               lambda lib, o: lib.take(lib.tensor(x), lib.tensor([5, 1]), out=o),
               lambda lib, o: lib.cat([lib.tensor(x), lib.tensor(x)], 1, out=o)):
        eo, to = ember.empty(0), torch.empty(0)
        er, tr = fn(ember, eo), fn(torch, to)
        assert er is eo and np.array_equal(eo.numpy(), to.numpy())


def test_index_of_result_is_copy_and_basic_is_view():
    x = ember.zeros(2, 3)
    assert x[[0]]._base is None
    v = x[0]
    assert v._base is x
