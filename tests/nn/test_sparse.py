"""nn.Embedding / nn.EmbeddingBag and their functional forms against torch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_layer, copy_state, same_message_parts
from oracle import assert_same, check, rng, same_error

DTYPES = ["float32", "float64"]


def _idx(shape, n, dtype="int64"):
    return rng().integers(0, n, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 0}, {"padding_idx": -2}, {"scale_grad_by_freq": True},
                                {"padding_idx": 3, "scale_grad_by_freq": True}])
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), ()])
def test_embedding_matches_torch(kw, shape, dtype):
    compare_layer(lambda lib: lib.nn.Embedding(10, 4, **kw), [_idx(shape, 10)], dtype)


def test_embedding_int32_indices_and_repeats():
    idx = np.array([[1, 1, 1], [2, 1, 9]], dtype="int32")
    compare_layer(lambda lib: lib.nn.Embedding(10, 3, scale_grad_by_freq=True), [idx], "float64")


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (2.0, 3.0), (0.7, float("inf"))])
def test_embedding_max_norm_renormalises_in_place(max_norm, norm_type):
    make = lambda lib: lib.nn.Embedding(8, 5, max_norm=max_norm, norm_type=norm_type)
    em, tm = make(ember), make(torch)
    copy_state(em, tm)
    idx = np.array([[0, 2, 2], [5, 7, 0]])
    v0 = em.weight._version
    e_out = em(ember.tensor(idx))
    t_out = tm(torch.tensor(idx))
    assert_same(e_out, t_out)
    assert_same(em.weight, tm.weight)           # the looked-up rows were scaled in place, the rest untouched
    assert em.weight._version > v0
    g = rng().standard_normal(tuple(t_out.shape)).astype("float32")
    e_out.backward(ember.tensor(g))
    t_out.backward(torch.tensor(g))
    assert_same(em.weight.grad, tm.weight.grad)


def test_embedding_padding_row_is_zero_and_gets_no_grad():
    m = ember.nn.Embedding(6, 3, padding_idx=2)
    assert not m.weight[2].detach().numpy().any() and m.weight[1].detach().numpy().any()
    m(ember.tensor([2, 2, 1])).sum().backward()
    assert not m.weight.grad[2].numpy().any()


def test_embedding_second_order():
    idx = ember.tensor([[0, 3, 3], [1, 0, 2]]), torch.tensor([[0, 3, 3], [1, 0, 2]])
    for kw in [{}, {"padding_idx": 3}]:
        check(lambda lib, w: lib.nn.functional.embedding(idx[lib is torch], w, **kw) ** 3, [(4, 2)], "float64",
              second_order=True)
    # With scale_grad_by_freq the backward B(g) = scatter(g / freq) is a heuristic, not a derivative.
    # PyTorch's double backward drops the 1/freq (embedding_dense_double_backward ignores it); ember
    # differentiates its own backward: dB^T(v)/dg = v[idx] / freq[idx]. Check that against NumPy.
    w = ember.randn(4, 2, dtype=ember.float64, requires_grad=True)
    g = ember.randn(2, 3, 2, dtype=ember.float64, requires_grad=True)
    out = ember.nn.functional.embedding(idx[0], w, padding_idx=3, scale_grad_by_freq=True)
    (gw,) = ember.autograd.grad(out, w, g, create_graph=True)
    v = rng().standard_normal((4, 2))
    (gg,) = ember.autograd.grad((gw * ember.tensor(v)).sum(), g)
    i = idx[1].numpy()
    freq = np.bincount(i.ravel(), minlength=4)[i][..., None]
    np.testing.assert_allclose(gg.numpy(), np.where(i[..., None] == 3, 0, v[i] / freq), rtol=1e-12)


def test_embedding_functional_options():
    idx = _idx((4, 3), 6)
    for kw in [{}, {"padding_idx": 1}, {"scale_grad_by_freq": True}]:
        check(lambda lib, i, w: lib.nn.functional.embedding(i, w, **kw), [idx, (6, 3)], "float64")


def test_from_pretrained_and_freeze():
    w = rng().standard_normal((4, 3))
    for kw in [{}, {"freeze": False}, {"padding_idx": 1, "max_norm": 2.0}]:
        em = ember.nn.Embedding.from_pretrained(ember.tensor(w), **kw)
        tm = torch.nn.Embedding.from_pretrained(torch.tensor(w), **kw)
        assert_same_repr(em, tm)
        assert em.weight.requires_grad == tm.weight.requires_grad
        assert_same(em(ember.tensor([1, 3])), tm(torch.tensor([1, 3])))
    frozen = ember.nn.Embedding(5, 2, _freeze=True)
    assert not frozen.weight.requires_grad
    given = ember.randn(5, 2)
    assert ember.nn.Embedding(5, 2, _weight=given).weight.data_ptr() == given.data_ptr()


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 0}, {"max_norm": 1.0}, {"norm_type": 1.0},
                                {"scale_grad_by_freq": True, "sparse": True}, {"max_norm": 2, "norm_type": 3}])
def test_embedding_repr_and_state(kw):
    em, tm = ember.nn.Embedding(10, 3, **kw), torch.nn.Embedding(10, 3, **kw)
    assert_same_repr(em, tm)
    assert list(em.state_dict()) == list(tm.state_dict())


def test_embedding_default_init_is_standard_normal():
    w = ember.nn.Embedding(1000, 100).weight.detach().numpy()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


def test_embedding_bad_input():
    e, _ = same_error(lambda lib: lib.nn.Embedding(10, 3)(lib.tensor([[1, 10]])))
    same_message_parts(e, "Embedding(10, 3)", "10", "0 to 9")
    same_error(lambda lib: lib.nn.Embedding(10, 3)(lib.tensor([-1, 2])))
    same_error(lambda lib: lib.nn.Embedding(10, 3)(lib.tensor([1.0, 2.0])))
    same_error(lambda lib: lib.nn.Embedding(10, 3, padding_idx=10))
    same_error(lambda lib: lib.nn.Embedding(10, 3, padding_idx=-11))
    same_error(lambda lib: lib.nn.Embedding(4, 3, _weight=lib.randn(3, 3)))
    same_error(lambda lib: lib.nn.Embedding.from_pretrained(lib.randn(3)))
    same_error(lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.randn(4, 2)))


def test_sparse_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="sparse"):
        ember.nn.Embedding(4, 2, sparse=True)(ember.tensor([1]))


BAGS = [  # (module kwargs, input, offsets, per_sample_weights?)
    ({}, np.array([[1, 2, 4], [4, 3, 9]]), None, False),
    ({"mode": "sum"}, np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4]), False),
    ({"mode": "max"}, np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 3, 3, 5]), False),
    ({"mode": "mean"}, np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 2, 2]), False),
    ({"mode": "sum"}, np.array([1, 2, 4, 5, 4, 3]), np.array([0, 2, 5]), True),
    ({"mode": "sum", "include_last_offset": True}, np.array([1, 2, 4, 5, 4, 3]), np.array([0, 2, 6]), False),
    ({"mode": "mean", "padding_idx": 2}, np.array([[1, 2, 2], [2, 2, 2], [0, 3, 2]]), None, False),
    ({"mode": "max", "padding_idx": 4}, np.array([1, 2, 4, 5, 4, 3]), np.array([0, 3]), False),
    ({"mode": "sum", "padding_idx": 0}, np.array([[0, 1], [3, 0]]), None, True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw,idx,offsets,psw", BAGS)
def test_embedding_bag_matches_torch(kw, idx, offsets, psw, dtype):
    make = lambda lib: lib.nn.EmbeddingBag(10, 3, **kw)
    em, tm = make(ember), make(torch)
    assert_same_repr(em, tm)
    tm.to(getattr(torch, dtype))
    em.to(getattr(ember, dtype))
    copy_state(em, tm)
    w = rng().uniform(0.5, 2, idx.shape).astype(dtype) if psw else None
    args = lambda lib: [lib.tensor(idx), None if offsets is None else lib.tensor(offsets)]
    e_psw = ember.tensor(w, requires_grad=True) if psw else None
    t_psw = torch.tensor(w, requires_grad=True) if psw else None
    e_out, t_out = em(*args(ember), e_psw), tm(*args(torch), t_psw)
    assert_same(e_out, t_out)
    g = rng().standard_normal(tuple(t_out.shape)).astype(dtype)
    e_out.backward(ember.tensor(g))
    t_out.backward(torch.tensor(g))
    assert_same(em.weight.grad, tm.weight.grad)
    if psw:
        assert_same(e_psw.grad, t_psw.grad)


def test_embedding_bag_scale_grad_by_freq_as_torch_computes_it():
    # PyTorch's CPU kernel scales some rows by the frequency of another row (for [[3, 3], [5, 6]] in sum
    # mode row 5 gets 0.5, not the documented 1 / its own count): ember follows the kernel (torch is the
    # specification; nn.Embedding uses the documented rule in both libraries)
    idx = np.array([[3, 3], [5, 6]])
    for mode in ("sum", "mean"):
        we, wt = ember.ones(10, 1, requires_grad=True), torch.ones(10, 1, requires_grad=True)
        ember.nn.functional.embedding_bag(ember.tensor(idx), we, mode=mode, scale_grad_by_freq=True).sum().backward()
        torch.nn.functional.embedding_bag(torch.tensor(idx), wt, mode=mode, scale_grad_by_freq=True).sum().backward()
        assert_same(we.grad, wt.grad)


def test_embedding_bag_functional_and_max_norm():
    w = rng().standard_normal((6, 4))
    idx, offs = np.array([0, 2, 2, 5, 1]), np.array([0, 1, 3])
    for kw in [{"mode": "sum"}, {"mode": "mean", "max_norm": 1.0}, {"mode": "max"}]:
        we, wt = ember.tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
        e = ember.nn.functional.embedding_bag(ember.tensor(idx), we, ember.tensor(offs), **kw)
        t = torch.nn.functional.embedding_bag(torch.tensor(idx), wt, torch.tensor(offs), **kw)
        assert_same(e, t)
        assert_same(we, wt)


@pytest.mark.parametrize("kw", [{}, {"mode": "sum"}, {"mode": "max", "padding_idx": 2, "max_norm": 2},
                                {"norm_type": 1.0, "scale_grad_by_freq": True, "include_last_offset": True}])
def test_embedding_bag_repr_state_pretrained(kw):
    em, tm = ember.nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
    assert_same_repr(em, tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    w = rng().standard_normal((4, 3))
    for freeze in (True, False):
        em = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(w), freeze=freeze)
        tm = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=freeze)
        assert em.weight.requires_grad == tm.weight.requires_grad
        assert_same(em(ember.tensor([[1, 3]])), tm(torch.tensor([[1, 3]])))


def test_embedding_bag_bad_input():
    w = lambda lib: lib.randn(10, 3)
    F = lambda lib: lib.nn.functional.embedding_bag
    same_error(lambda lib: F(lib)(lib.tensor([[1, 2], [3, 4]]), w(lib), lib.tensor([0])))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib)))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([1, 2])))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([0, 5])))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([[0, 1]])))
    same_error(lambda lib: F(lib)(lib.tensor([[[1, 2, 3]]]), w(lib)))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 13]), w(lib), lib.tensor([0, 1])))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3.0]), w(lib), lib.tensor([0, 1])))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([0, 1]), mode="foo"))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([0, 1]), mode="max",
                                  scale_grad_by_freq=True))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([0, 1]), mode="mean",
                                  per_sample_weights=lib.ones(3)))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), w(lib), lib.tensor([0, 1]), mode="sum",
                                  per_sample_weights=lib.ones(2)))
    same_error(lambda lib: F(lib)(lib.tensor([1, 2, 3]), lib.randn(10), lib.tensor([0, 1])))
    same_error(lambda lib: lib.nn.EmbeddingBag(10, 3, padding_idx=10))
