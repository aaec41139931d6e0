"""View semantics against torch: shared memory, shared version counter, ._base, and gradients of in-place
writes through views."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

# ops that return views in torch: (name, fn(lib, x) on a contiguous (2, 3, 4) float tensor, writable)
VIEWS = [
    ("view", lambda lib, x: x.view(6, 4), True),
    ("view_as", lambda lib, x: x.view_as(lib.zeros(4, 6)), True),
    ("reshape", lambda lib, x: x.reshape(4, 6), True),
    ("flatten", lambda lib, x: x.flatten(1), True),
    ("ravel", lambda lib, x: x.ravel(), True),
    ("unflatten", lambda lib, x: x.unflatten(2, (2, 2)), True),
    ("transpose", lambda lib, x: x.transpose(0, 2), True),
    ("permute", lambda lib, x: x.permute(1, 2, 0), True),
    ("movedim", lambda lib, x: x.movedim(0, -1), True),
    ("t", lambda lib, x: x[0].t(), True),
    ("mT", lambda lib, x: x.mT, True),
    ("getitem_int", lambda lib, x: x[1], True),
    ("getitem_slice", lambda lib, x: x[:, 1:, ::2], True),
    ("getitem_none_ell", lambda lib, x: x[None, ..., 2], True),
    ("squeeze", lambda lib, x: x[:1].squeeze(0), True),
    ("unsqueeze", lambda lib, x: x.unsqueeze(1), True),
    ("narrow", lambda lib, x: x.narrow(2, 1, 2), True),
    ("select", lambda lib, x: x.select(1, 2), True),
    ("expand", lambda lib, x: x[:, :1].expand(2, 5, 4), False),
    ("split", lambda lib, x: x.split(2, 2)[1], True),
    ("chunk", lambda lib, x: x.chunk(3, 1)[2], True),
    ("unbind", lambda lib, x: x.unbind(2)[3], True),
    ("tensor_split", lambda lib, x: x.tensor_split(2, 1)[0], True),
    ("unfold", lambda lib, x: x.unfold(2, 2, 2), True),
    ("as_strided", lambda lib, x: x.as_strided((2, 2), (4, 1), 1), True),
    ("detach", lambda lib, x: x.detach(), True),
    ("contiguous_noop", lambda lib, x: x.contiguous(), True),
]


def _pair():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    return ember.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("name,fn,writable", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shares_memory_and_version(name, fn, writable):
    ex, tx = _pair()
    ev, tv = fn(ember, ex), fn(torch, tx)
    assert np.array_equal(ev.numpy(), tv.numpy())
    assert np.shares_memory(ev.numpy(), ex.numpy()) or name == "contiguous_noop"
    if name not in ("contiguous_noop", "detach"):   # torch: detach()._base is None (ember keeps it)
        assert (ev._base is ex) == (tv._base is tx), f"{name}: ._base differs from torch"
    if not writable:
        return
    ev[...] = -1.0
    tv[...] = -1.0
    assert np.array_equal(ex.numpy(), tx.numpy()), f"{name}: write through the view did not reach the base"
    assert ex._version == tx._version and ev._version == tv._version, \
        f"{name}: versions ember {ex._version}/{ev._version} torch {tx._version}/{tv._version}"
    ex[0, 0, 0] = 5.0
    tx[0, 0, 0] = 5.0
    assert ev._version == tv._version and np.array_equal(ev.numpy(), tv.numpy())


COPIES = [
    ("reshape_noncontig", lambda lib, x: x.transpose(0, 1).reshape(-1)),
    ("flip", lambda lib, x: x.flip(0)),
    ("roll", lambda lib, x: x.roll(1, 1)),
    ("repeat", lambda lib, x: x.repeat(1, 1, 1)),
    ("cat", lambda lib, x: lib.cat([x])),
    ("stack", lambda lib, x: lib.stack([x])),
    ("adv_index", lambda lib, x: x[[0, 1]]),
    ("mask_index", lambda lib, x: x[lib.ones(2, dtype=lib.bool)]),
    ("contiguous", lambda lib, x: x.transpose(0, 2).contiguous()),
    ("gather", lambda lib, x: x.gather(0, lib.zeros(1, 3, 4, dtype=lib.int64))),
    ("clone", lambda lib, x: x.clone()),
]


@pytest.mark.parametrize("name,fn", COPIES, ids=[c[0] for c in COPIES])
def test_copies_do_not_alias(name, fn):
    ex, tx = _pair()
    ev, tv = fn(ember, ex), fn(torch, tx)
    assert np.array_equal(ev.numpy(), tv.numpy())
    assert not np.shares_memory(ev.numpy(), ex.numpy())
    assert ev._base is None and tv._base is None
    ev[...] = 0.0
    assert ex._version == 0 and ex.numpy()[1, 2, 3] == 23


# In-place writes through views must give the same gradients as torch.
WRITE_GRAD = [
    ("getitem_setitem", lambda lib, y, w: y[1].__setitem__(slice(None), w[0] * 3)),
    ("slice_mul", lambda lib, y, w: y[:, 1:].mul_(w[:, :3])),
    ("transpose_add", lambda lib, y, w: y.transpose(0, 1).add_(w.t())),
    ("view_setitem", lambda lib, y, w: y.view(-1).__setitem__(slice(2, 5), w[0, :3])),
    ("select_setitem_adv", lambda lib, y, w: y.select(1, 2).__setitem__([0, 2], w[1, :2] ** 2)),
    ("narrow_exp", lambda lib, y, w: y.narrow(1, 0, 2).exp_()),
    ("nested_view", lambda lib, y, w: y[1:].t()[2].__setitem__(0, w.sum())),
    ("unsqueeze_mul", lambda lib, y, w: y.unsqueeze(0).mul_(2)),
    ("index_add_on_view", lambda lib, y, w: y[0:2].index_add_(1, lib.tensor([0, 0]), w[:2, :2])),
    ("masked_fill_on_view", lambda lib, y, w: y.t().masked_fill_(lib.tensor([[True, False, True]]), w[0, 0])),
]


@pytest.mark.parametrize("name,op", WRITE_GRAD, ids=[c[0] for c in WRITE_GRAD])
def test_inplace_through_view_gradients(name, op):
    def fn(lib, x, w):
        y = x * 2
        op(lib, y, w)
        return y * x
    check(fn, [(3, 4), (3, 4)], dtype="float64")


def test_write_to_view_of_leaf_raises():
    from oracle import same_error
    same_error(lambda lib: lib.ones(3, 4, requires_grad=True)[0].__setitem__(0, 1.0))
    same_error(lambda lib: lib.ones(3, 4, requires_grad=True).t().mul_(2))


@pytest.mark.parametrize("op", [lambda y: y.unbind(0)[1].__setitem__(0, 1.0),
                                lambda y: y.split(2, 1)[1].__setitem__(Ellipsis, 2.0),
                                lambda y: y.chunk(2)[0].index_fill_(0, y.new_zeros(1, dtype=torch.int64)
                                                                    if isinstance(y, torch.Tensor) else
                                                                    ember.zeros(1, dtype=ember.int64), 1.0)])
def test_inplace_on_multi_output_view_raises(op):
    from oracle import same_error
    same_error(lambda lib: op(lib.ones(4, 4, requires_grad=True) * 1))
    for lib in (ember, torch):          # fine without grad
        op(lib.ones(4, 4))


def test_view_of_leaf_under_no_grad_is_fine():
    for lib in (ember, torch):
        x = lib.ones(3, 4, requires_grad=True)
        with lib.no_grad():
            x[0] = 5.0
            x.t()[1].mul_(2)
        assert x._version == 2
        (x * x).sum().backward()
        assert float(x.grad[0, 0]) == 10.0 and float(x.grad[1, 1]) == 4.0 and float(x.grad[0, 1]) == 20.0


def test_saved_tensor_modified_through_view_is_detected():
    from oracle import same_error

    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = y.exp()         # saves its output
        z[0] = 2.0          # version bump through setitem
        z.sum().backward()
    same_error(fn)


def test_detach_shares_version():
    for lib in (ember, torch):
        x = lib.ones(3)
        d = x.detach()
        d[0] = 4.0
        assert x._version == 1 and float(x[0]) == 4.0
