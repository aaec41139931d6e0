"""Shape ops, joining and splitting against torch: values, dtypes, gradients (second order for a subset)."""
import numpy as np
import pytest

import ember
from oracle import check, same_error

# (name, fn(lib, x), input shape, second_order)
UNARY_CASES = [
    ("view", lambda lib, x: x.view(4, 3), (3, 4), True),
    ("view_infer", lambda lib, x: x.view(-1, 2), (3, 4), False),
    ("view_0d", lambda lib, x: x.view(1, 1), (), False),
    ("view_empty", lambda lib, x: x.view(0, 5), (5, 0), False),
    ("reshape", lambda lib, x: x.reshape((2, -1)), (3, 4), True),
    ("reshape_copy", lambda lib, x: x.t().reshape(12), (3, 4), True),
    ("lib_reshape", lambda lib, x: lib.reshape(x, (6, 2)), (3, 4), False),
    ("flatten", lambda lib, x: x.flatten(), (2, 3, 4), False),
    ("flatten_mid", lambda lib, x: lib.flatten(x, 1, 2), (2, 3, 4, 5), True),
    ("flatten_0d", lambda lib, x: x.flatten(), (), False),
    ("unflatten", lambda lib, x: x.unflatten(1, (2, -1)), (3, 4), False),
    ("ravel", lambda lib, x: lib.ravel(x.t()), (3, 4), False),
    ("squeeze", lambda lib, x: x.squeeze(), (1, 3, 1, 4), False),
    ("squeeze_dim", lambda lib, x: x.squeeze(2), (1, 3, 1, 4), False),
    ("squeeze_tuple", lambda lib, x: x.squeeze((0, 1, -2)), (1, 3, 1, 4), False),
    ("squeeze_0d", lambda lib, x: x.squeeze(0), (), False),
    ("unsqueeze", lambda lib, x: x.unsqueeze(-1), (3, 4), True),
    ("unsqueeze_0d", lambda lib, x: x.unsqueeze(0), (), False),
    ("transpose", lambda lib, x: x.transpose(0, 2), (2, 3, 4), True),
    ("swapaxes", lambda lib, x: lib.swapaxes(x, -1, 0), (2, 3, 4), False),
    ("permute", lambda lib, x: x.permute(2, 0, 1), (2, 3, 4), True),
    ("permute_list", lambda lib, x: lib.permute(x, [1, -1, 0]), (2, 3, 4), False),
    ("movedim", lambda lib, x: lib.movedim(x, 0, -1), (2, 3, 4), False),
    ("movedim_multi", lambda lib, x: x.moveaxis((0, 1), (2, 0)), (2, 3, 4), False),
    ("t", lambda lib, x: x.t(), (3, 4), False),
    ("t_1d", lambda lib, x: x.t(), (3,), False),
    ("T", lambda lib, x: x.mT, (2, 3, 4), False),
    ("expand", lambda lib, x: x.expand(2, 3, 4), (3, 1), True),
    ("expand_neg", lambda lib, x: x.expand(5, -1, -1), (3, 4), False),
    ("broadcast_to", lambda lib, x: lib.broadcast_to(x, (2, 3)), (), False),
    ("repeat", lambda lib, x: x.repeat(2, 1, 3), (3, 4), True),
    ("repeat_0d", lambda lib, x: x.repeat(3), (), False),
    ("tile", lambda lib, x: lib.tile(x, (2,)), (3, 4), False),
    ("repeat_interleave", lambda lib, x: x.repeat_interleave(2, dim=1), (3, 4), True),
    ("repeat_interleave_flat", lambda lib, x: lib.repeat_interleave(x, 3), (2, 2), False),
    ("repeat_interleave_t", lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0), (3, 4), False),
    ("narrow", lambda lib, x: x.narrow(1, 1, 2), (3, 4), True),
    ("narrow_neg", lambda lib, x: lib.narrow(x, -1, -3, 2), (3, 4), False),
    ("select", lambda lib, x: x.select(1, -1), (3, 4), True),
    ("flip", lambda lib, x: x.flip(0, 2), (2, 3, 4), True),
    ("fliplr", lambda lib, x: lib.fliplr(x), (3, 4), False),
    ("flipud", lambda lib, x: lib.flipud(x), (3, 4), False),
    ("roll", lambda lib, x: x.roll(1, 0), (3, 4), True),
    ("roll_multi", lambda lib, x: lib.roll(x, (1, -2), (0, 1)), (3, 4), False),
    ("roll_flat", lambda lib, x: lib.roll(x, 5), (3, 4), False),
    ("rot90", lambda lib, x: x.rot90(1, (0, 1)), (3, 4), True),
    ("rot90_k3", lambda lib, x: lib.rot90(x, -3, [1, 2]), (2, 3, 4), False),
    ("unfold", lambda lib, x: x.unfold(1, 3, 2), (2, 7), True),
    ("unfold_overlap", lambda lib, x: x.unfold(0, 3, 1), (5, 2), True),
    ("unfold_0d", lambda lib, x: x.unfold(0, 1, 1), (), False),
    ("as_strided", lambda lib, x: x.as_strided((3, 3), (1, 1)), (12,), False),
    ("as_strided_off", lambda lib, x: lib.as_strided(x, (2, 2), (3, 1), 1), (3, 4), False),
    ("contiguous", lambda lib, x: x.t().contiguous(), (3, 4), False),
    ("atleast_1d", lambda lib, x: lib.atleast_1d(x), (), False),
    ("atleast_2d", lambda lib, x: lib.atleast_2d(x), (3,), False),
    ("atleast_3d_1", lambda lib, x: lib.atleast_3d(x), (3,), False),
    ("atleast_3d_2", lambda lib, x: lib.atleast_3d(x), (3, 4), False),
    ("split", lambda lib, x: x.split(2, 1), (3, 5), True),
    ("split_sizes", lambda lib, x: lib.split(x, [1, 3, 1], 1), (3, 5), False),
    ("chunk", lambda lib, x: x.chunk(3, 0), (5, 2), True),
    ("chunk_more", lambda lib, x: x.chunk(4, 0), (2, 2), False),
    ("tensor_split_n", lambda lib, x: x.tensor_split(3, 1), (2, 7), False),
    ("tensor_split_idx", lambda lib, x: lib.tensor_split(x, [1, 5, 9], 1), (2, 7), False),
    ("hsplit", lambda lib, x: lib.hsplit(x, 2), (2, 4), False),
    ("vsplit", lambda lib, x: lib.vsplit(x, [1]), (3, 4), False),
    ("unbind", lambda lib, x: x.unbind(1), (3, 4), True),
    ("split_use_one", lambda lib, x: x.split(1, 0)[1] * 2, (3, 4), False),
    ("unbind_use_one", lambda lib, x: lib.unbind(x)[2], (3, 4), False),
    ("meshgrid_ij", lambda lib, x: lib.meshgrid(x, x[:2], indexing="ij"), (3,), False),
    ("meshgrid_xy", lambda lib, x: lib.meshgrid(x, x[:2], x[:1], indexing="xy"), (3,), True),
    ("broadcast_tensors", lambda lib, x: lib.broadcast_tensors(x, x[:, :1, None]), (3, 4), False),
    ("view_as", lambda lib, x: x.view_as(lib.zeros(2, 6)), (3, 4), False),
    ("expand_as", lambda lib, x: x.expand_as(lib.zeros(2, 3, 4)), (3, 1), False),
    ("empty_cat_input", lambda lib, x: x.reshape(0, 4).t().flip(0), (0,), False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shape,second", UNARY_CASES, ids=[c[0] for c in UNARY_CASES])
def test_shape_ops(name, fn, shape, second, dtype):
    check(fn, [shape], dtype=dtype, second_order=second and dtype == "float64")


INT_CASES = ["view", "transpose", "permute", "repeat", "flip", "roll", "unfold", "split", "unbind", "narrow",
             "select", "expand", "squeeze", "rot90"]


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("name,fn,shape,second", [c for c in UNARY_CASES if c[0] in INT_CASES],
                         ids=INT_CASES)
def test_shape_ops_int(name, fn, shape, second, dtype):
    check(fn, [shape], dtype=dtype, grad=False)


JOIN_CASES = [
    ("cat0", lambda lib, a, b: lib.cat([a, b]), [(2, 3), (4, 3)], True),
    ("cat1", lambda lib, a, b: lib.cat((a, b), dim=-1), [(2, 3), (2, 1)], True),
    ("cat_empty_legacy", lambda lib, a, b: lib.cat([a, b, a]), [(2, 3), (0,)], False),
    ("concat", lambda lib, a, b: lib.concat([a, b], 0), [(1,), (3,)], False),
    ("concatenate", lambda lib, a, b: lib.concatenate([a, b], axis=1), [(2, 0), (2, 2)], False),
    ("stack", lambda lib, a, b: lib.stack([a, b], 1), [(2, 3), (2, 3)], True),
    ("stack_0d", lambda lib, a, b: lib.stack([a, b]), [(), ()], False),
    ("hstack", lambda lib, a, b: lib.hstack([a, b]), [(2,), (3,)], False),
    ("hstack2", lambda lib, a, b: lib.hstack([a, b]), [(2, 1), (2, 3)], False),
    ("vstack", lambda lib, a, b: lib.vstack([a, b]), [(3,), (2, 3)], False),
    ("dstack", lambda lib, a, b: lib.dstack([a, b]), [(3,), (1, 3)], False),
    ("column_stack", lambda lib, a, b: lib.column_stack([a, b]), [(3,), (3, 2)], False),
    ("cat_mixed_dtype", lambda lib, a, b: lib.cat([a, b.double()]), [(2,), (3,)], False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes,second", JOIN_CASES, ids=[c[0] for c in JOIN_CASES])
def test_join_ops(name, fn, shapes, second, dtype):
    check(fn, shapes, dtype=dtype, second_order=second and dtype == "float64")


def test_cat_int_and_out():
    check(lambda lib, a, b: lib.cat([a, b], 1), [(2, 2), (2, 3)], dtype="int64", grad=False)
    check(lambda lib, a, b: lib.cat([a, b.float()], 1), [(2, 2), (2, 3)], dtype="int32", grad=False)
    for lib in (ember,):
        out = lib.empty(0)
        r = lib.stack([lib.ones(2), lib.zeros(2)], out=out)
        assert r is out and out.shape == (2, 2)


def test_broadcast_shapes():
    import torch
    assert tuple(ember.broadcast_shapes((3, 1), (1, 4), (4,))) == tuple(torch.broadcast_shapes((3, 1), (1, 4), (4,)))
    same_error(lambda lib: lib.broadcast_shapes((3,), (4,)))


def test_inplace_metadata_ops():
    check(lambda lib, x: (x * 1).unsqueeze_(0).squeeze_(2).transpose_(0, 1).squeeze_(1).t_() * 2, [(3, 1, 4)], dtype="float64")


ERROR_CASES = [
    ("view_bad", lambda lib, x: x.view(5)),
    ("view_noncontig", lambda lib, x: x.t().view(12)),
    ("view_two_infer", lambda lib, x: x.view(-1, -1)),
    ("reshape_bad", lambda lib, x: x.reshape(5, -1)),
    ("transpose_range", lambda lib, x: x.transpose(0, 2)),
    ("permute_len", lambda lib, x: x.permute(0)),
    ("permute_dup", lambda lib, x: x.permute(0, 0)),
    ("expand_bad", lambda lib, x: x.expand(3, 5)),
    ("expand_few", lambda lib, x: x.expand(4)),
    ("squeeze_range", lambda lib, x: x.squeeze(3)),
    ("unsqueeze_range", lambda lib, x: x.unsqueeze(4)),
    ("narrow_bad", lambda lib, x: x.narrow(0, 2, 2)),
    ("select_bad", lambda lib, x: x.select(1, 4)),
    ("t_3d", lambda lib, x: x.unsqueeze(0).t()),
    ("flatten_bad", lambda lib, x: x.flatten(1, 0)),
    ("unflatten_bad", lambda lib, x: x.unflatten(1, (3, 2))),
    ("repeat_few", lambda lib, x: x.repeat(2)),
    ("cat_shape", lambda lib, x: lib.cat([x, x.t()], 1)),
    ("cat_ndim", lambda lib, x: lib.cat([x, x[0]])),
    ("cat_0d", lambda lib, x: lib.cat([x[0, 0], x[0, 0]])),
    ("cat_empty_list", lambda lib, x: lib.cat([])),
    ("stack_shape", lambda lib, x: lib.stack([x, x[:2]])),
    ("split_sizes_sum", lambda lib, x: x.split([1, 1], 0)),
    ("chunk_zero", lambda lib, x: x.chunk(0)),
    ("unfold_big", lambda lib, x: x.unfold(0, 5, 1)),
    ("roll_mismatch", lambda lib, x: x.roll((1, 2), 0)),
    ("rot90_dims", lambda lib, x: x.rot90(1, (0, 0))),
    ("flip_dup", lambda lib, x: x.flip(0, 0)),
    ("movedim_dup", lambda lib, x: x.movedim((0, 0), (0, 1))),
    ("meshgrid_bad", lambda lib, x: lib.meshgrid(x, indexing="zz")),
    ("broadcast_tensors_bad", lambda lib, x: lib.broadcast_tensors(x, x[:2, :2])),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors(name, fn):
    import torch
    x = np.arange(12.0).reshape(3, 4)
    errs = []
    for lib in (ember, torch):
        errs.append(lib.tensor(x))
    e_err, t_err = same_error(lambda lib: fn(lib, errs[0] if lib is ember else errs[1]))


def test_cat_error_message_names_shapes():
    with pytest.raises(RuntimeError, match=r"cat.*\(2x3\) and \(4x5\)"):
        ember.cat([ember.zeros(2, 3), ember.zeros(4, 5)], 1)


def test_view_dtype():
    import torch
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    e, t = ember.tensor(a).view(ember.int32), torch.tensor(a).view(torch.int32)
    assert e.dtype == ember.int32 and np.array_equal(e.numpy(), t.numpy())
    e, t = ember.tensor(a).view(ember.int16), torch.tensor(a).view(torch.int16)
    assert tuple(e.shape) == tuple(t.shape) and np.array_equal(e.numpy(), t.numpy())
