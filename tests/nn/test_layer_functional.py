"""nn.functional layer kernels against torch: pad, one_hot, normalize, distances, and the functional
forms of linear/bilinear/embedding/layer_norm/rms_norm with every argument."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, rng, same_error

F = lambda lib: lib.nn.functional  # noqa: E731

CASES = [
    # name, fn(lib, *tensors), input shapes, second order
    ("linear", lambda lib, x, w, b: F(lib).linear(x, w, b), [(3, 4), (2, 4), (2,)], True),
    ("linear_nobias_3d", lambda lib, x, w: F(lib).linear(x, w), [(2, 3, 4), (5, 4)], True),
    ("bilinear", lambda lib, a, b, w, c: F(lib).bilinear(a, b, w, c), [(3, 2), (3, 4), (5, 2, 4), (5,)], True),
    # PyTorch's layer_norm double backward connects the bias gradient (a constant: g summed) to the graph,
    # ember's does not; its second-order contribution is zero either way, so bias is checked to first order.
    ("layer_norm", lambda lib, x, w, b: F(lib).layer_norm(x, (3, 4), w, b, 1e-3), [(2, 3, 4), (3, 4), (3, 4)], False),
    ("layer_norm_w", lambda lib, x, w: F(lib).layer_norm(x, (3, 4), w, None, 1e-3), [(2, 3, 4), (3, 4)], True),
    ("layer_norm_list", lambda lib, x: F(lib).layer_norm(x, [4]), [(5, 4)], True),
    ("rms_norm", lambda lib, x, w: F(lib).rms_norm(x, (4,), w), [(3, 4), (4,)], True),
    ("normalize", lambda lib, x: F(lib).normalize(x), [(3, 4)], True),
    ("normalize_p1", lambda lib, x: F(lib).normalize(x, 1.0, 0), [(3, 4)], False),
    ("normalize_p3_dim", lambda lib, x: F(lib).normalize(x, p=3, dim=-1, eps=0.5), [(2, 3, 4)], True),
    ("cosine_similarity", lambda lib, a, b: F(lib).cosine_similarity(a, b), [(3, 4), (3, 4)], True),
    ("cosine_similarity_dim", lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=-1, eps=1e-3),
     [(2, 3, 4), (3, 4)], True),
    ("pairwise_distance", lambda lib, a, b: F(lib).pairwise_distance(a, b), [(3, 4), (3, 4)], True),
    ("pairwise_distance_p1", lambda lib, a, b: F(lib).pairwise_distance(a, b, 1.0, 1e-3, True), [(3, 4), (4,)],
     False),
    ("pairwise_distance_p3", lambda lib, a, b: F(lib).pairwise_distance(a, b, p=3), [(2, 5, 4), (5, 4)], True),
    ("pdist", lambda lib, x: F(lib).pdist(x), [(5, 3)], False),       # torch has no pdist double backward
    ("pdist_p1", lambda lib, x: F(lib).pdist(x, 1), [(4, 3)], False),
    ("pdist_p3", lambda lib, x: F(lib).pdist(x, p=3), [(4, 2)], False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes,so", CASES, ids=[c[0] for c in CASES])
def test_functional_matches_torch(name, fn, shapes, so, dtype):
    tol = {"grad_rtol": 1e-4, "grad_atol": 1e-5} if dtype == "float32" else {}
    check(fn, shapes, dtype, second_order=so and dtype == "float64", **tol)


PADS = [
    ("constant", (1, 2), (3, 4)), ("constant", (1, 0, 2, 3), (2, 3, 4)), ("constant", (-1, 2, 0, -1), (3, 4)),
    ("constant", (1, 1, 1, 1, 1, 1), (2, 2, 2, 2)), ("constant", (0, 0), (3,)), ("constant", (2, -3), (5,)),
    ("reflect", (2, 1), (2, 4)), ("reflect", (1, 2, 2, 1), (2, 3, 4)), ("reflect", (1, 1, 2, 0, 1, 2), (1, 2, 3, 4, 5)),
    ("reflect", (-1, 2), (2, 4)), ("replicate", (3, 1), (2, 3)), ("replicate", (1, 2, 3, 0), (1, 2, 3, 4)),
    ("replicate", (2, 2, 1, 1, 0, 3), (2, 3, 4, 5)), ("replicate", (-1, 2), (2, 4)), ("circular", (2, 3), (2, 3)),
    ("circular", (1, 2, 2, 1), (2, 3, 4)), ("circular", (1, 1, 1, 1, 1, 1), (2, 2, 2, 3, 3)),
    ("circular", (-1, 2), (2, 4)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode,p,shape", PADS)
def test_pad_matches_torch(mode, p, shape, dtype):
    check(lambda lib, x: F(lib).pad(x, p, mode), [shape], dtype, second_order=dtype == "float64" and mode == "constant")


def test_pad_value_and_ints():
    check(lambda lib, x: F(lib).pad(x, (1, 2, 0, 1), value=-3.5), [(2, 3)], "float64", second_order=True)
    check(lambda lib, x: F(lib).pad(x, (1, 1), value=2.5), [np.arange(6).reshape(2, 3)], grad=False)
    check(lambda lib, x: F(lib).pad(x, [1, 1], "reflect"), [np.arange(6).reshape(2, 3)], grad=False)


def test_pad_bad_input():
    x = lambda lib: lib.randn(2, 3)
    same_error(lambda lib: F(lib).pad(x(lib), (1, 2, 3)))
    same_error(lambda lib: F(lib).pad(x(lib), (1, 1, 1, 1, 1, 1)))
    same_error(lambda lib: F(lib).pad(x(lib), (-4, 1)))
    same_error(lambda lib: F(lib).pad(x(lib), (1, 1), mode="foo"))
    same_error(lambda lib: F(lib).pad(x(lib), (3, 3), mode="reflect"))
    same_error(lambda lib: F(lib).pad(x(lib), (4, 3), mode="circular"))
    same_error(lambda lib: F(lib).pad(x(lib), (1, 3), mode="replicate", value=2))
    same_error(lambda lib: F(lib).pad(lib.randn(5), (1, 1), mode="reflect"))
    same_error(lambda lib: F(lib).pad(lib.randn(2, 3), (1, 1, 1, 1), mode="replicate"))


@pytest.mark.parametrize("num_classes", [-1, 7])
def test_one_hot(num_classes):
    idx = rng().integers(0, 5, size=(3, 4))
    assert_same(F(ember).one_hot(ember.tensor(idx), num_classes), F(torch).one_hot(torch.tensor(idx), num_classes))
    assert_same(F(ember).one_hot(ember.tensor([], dtype=ember.int64), 3),
                F(torch).one_hot(torch.tensor([], dtype=torch.int64), 3))


def test_one_hot_bad_input():
    same_error(lambda lib: F(lib).one_hot(lib.tensor([1, 2]), 2))
    same_error(lambda lib: F(lib).one_hot(lib.tensor([-1, 2])))
    same_error(lambda lib: F(lib).one_hot(lib.tensor([1.0, 2.0])))
    same_error(lambda lib: F(lib).one_hot(lib.tensor([1, 2], dtype=lib.int32), 3))
    same_error(lambda lib: F(lib).one_hot(lib.tensor([], dtype=lib.int64)))


def test_distance_edge_cases():
    # zero vectors: the eps clamp gives 0 similarity (no NaN), gradients as PyTorch's
    z = np.zeros((2, 3))
    z[1] = [1.0, 2.0, 3.0]
    check(lambda lib, a, b: F(lib).cosine_similarity(a, b), [z, (2, 3)], "float64")
    same_error(lambda lib: F(lib).cosine_similarity(lib.arange(6).reshape(2, 3), lib.arange(6).reshape(2, 3), 0))
    out = ember.tensor(np.zeros((3, 4)))
    e = F(ember).normalize(ember.tensor(z.reshape(3, 2).repeat(2, 1)), out=out)
    t = F(torch).normalize(torch.tensor(z.reshape(3, 2).repeat(2, 1)))
    assert e is out
    assert_same(e, t)


def test_distance_bad_input():
    same_error(lambda lib: F(lib).cosine_similarity(lib.randn(4, 3), lib.randn(4, 2)))
    same_error(lambda lib: F(lib).pdist(lib.randn(2, 3, 4)))
    same_error(lambda lib: F(lib).pdist(lib.randn(4, 3), -1))
    same_error(lambda lib: F(lib).pairwise_distance(lib.randn(4, 3), lib.randn(4, 2)))


def test_embedding_functional_every_argument():
    idx = rng().integers(0, 6, size=(4, 3))
    for kw in [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True}]:
        check(lambda lib, i, w: F(lib).embedding(i, w, **kw), [idx, (6, 3)], "float64")
    w = rng().standard_normal((6, 3))
    for kw in [{"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1}]:
        we, wt = ember.tensor(w.copy()), torch.tensor(w.copy())
        assert_same(F(ember).embedding(ember.tensor(idx), we, **kw), F(torch).embedding(torch.tensor(idx), wt, **kw))
        assert_same(we, wt)


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x: F(lib).layer_norm(x, (4,)), [(0, 4)]),
    (lambda lib, x: F(lib).layer_norm(x, (0,)), [(3, 0)]),
    (lambda lib, x: F(lib).rms_norm(x, (0,)), [(3, 0)]),
    (lambda lib, x, w, b: F(lib).linear(x, w, b), [(0, 4), (3, 4), (3,)]),
    (lambda lib, x, w, b: F(lib).linear(x, w, b), [(2, 0), (3, 0), (3,)]),
    (lambda lib, w: F(lib).embedding(lib.zeros(0, 3, dtype=lib.long), w), [(5, 2)]),
    (lambda lib, w: F(lib).embedding(lib.tensor(2), w), [(5, 2)]),
])
def test_empty_and_scalar_inputs(fn, shapes):
    check(fn, shapes, "float64")


def test_dtype_errors_match_torch():
    same_error(lambda lib: F(lib).layer_norm(lib.ones(3, 4, dtype=lib.long), (4,)))
    same_error(lambda lib: F(lib).rms_norm(lib.ones(3, 4, dtype=lib.long), (4,)))
    same_error(lambda lib: F(lib).layer_norm(lib.randn(3, 4), (4,), lib.randn(4, dtype=lib.float64)))
    same_error(lambda lib: F(lib).layer_norm(lib.randn(3, 4), ()))
    same_error(lambda lib: F(lib).dropout(lib.ones(3, 4, dtype=lib.long), 0.5))
    same_error(lambda lib: F(lib).embedding(lib.tensor([1]), lib.randn(5)))
    same_error(lambda lib: lib.nn.Linear(3, 2)(lib.tensor(1.0)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_layers(dtype):
    tol = dict(rtol=2e-2, atol=2e-2) if dtype == "float16" else dict(rtol=6e-2, atol=6e-2)
    check(lambda lib, x, w, b: F(lib).linear(x, w, b), [(4, 8), (3, 8), (3,)], dtype, **tol)
    check(lambda lib, w: F(lib).embedding(lib.tensor([[1, 2, 1]]), w), [(4, 3)], dtype, **tol)


def test_non_contiguous_and_partly_frozen_inputs():
    check(lambda lib, x, w, b: F(lib).linear(x.transpose(0, 1), w, b), [(5, 3, 4), (2, 4), (2,)], "float64")
    check(lambda lib, x, w: F(lib).linear(x, w.detach()), [(3, 4), (2, 4)], "float64")
    check(lambda lib, x, w, b: F(lib).linear(x.detach(), w, b), [(3, 4), (2, 4), (2,)], "float64")
    check(lambda lib, x, w: F(lib).layer_norm(x.mT, (3,), w.detach()), [(3, 5), (3,)], "float64")
    check(lambda lib, x, b: F(lib).layer_norm(x.detach(), (5,), None, b), [(3, 5), (5,)], "float64")
