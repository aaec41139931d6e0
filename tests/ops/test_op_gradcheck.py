"""gradcheck (finite differences, float64) for every differentiable op of the families not covered
by the elementwise tables: reductions, scans, sorting, linear algebra, shape ops, joining, indexing.
(test_unary.py and test_arithmetic.py run gradcheck for their ops.)"""
import numpy as np
import pytest

import ember
from oracle import random_array


def _spd(n):
    a = np.random.default_rng().standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def _distinct(shape):
    """Values far apart: sorting, max and median are differentiable there."""
    n = int(np.prod(shape))
    return (np.random.default_rng().permutation(n) * 0.5 + 0.1).reshape(shape).astype(np.float64)


IDX = np.array([[0, 2, 1], [1, 0, 0]])
# name -> (fn(*tensors), input arrays or shapes)
CASES = {
    # reductions
    "sum_dim": (lambda x: x.sum(1), [(2, 3)]),
    "sum_tuple_keepdim": (lambda x: x.sum((0, 2), keepdim=True), [(2, 3, 2)]),
    "nansum": (lambda x: ember.nansum(x, 0), [(2, 3)]),
    "mean": (lambda x: x.mean(-1), [(2, 3)]),
    "nanmean": (lambda x: ember.nanmean(x), [(2, 3)]),
    "prod": (lambda x: x.prod(1), [(2, 3)]),
    "max_dim": (lambda x: x.max(1).values, [_distinct((2, 3))]),
    "max_full": (lambda x: x.max(), [_distinct((2, 3))]),
    "amax": (lambda x: x.amax(0), [_distinct((2, 3))]),
    "amin": (lambda x: ember.amin(x, (0, 1)), [_distinct((2, 3))]),
    "aminmax": (lambda x: ember.aminmax(x, dim=1), [_distinct((2, 3))]),
    "var": (lambda x: x.var(1), [(2, 3)]),
    "std": (lambda x: x.std(0, correction=0), [(2, 3)]),
    "var_mean": (lambda x: ember.var_mean(x, 1), [(2, 3)]),
    "std_mean": (lambda x: ember.std_mean(x, 0), [(2, 3)]),
    "norm": (lambda x: x.norm(), [(2, 3)]),
    "norm_p3": (lambda x: ember.norm(x, 3, dim=1), [(2, 3)]),
    "vector_norm": (lambda x: ember.linalg.vector_norm(x, 1.5, dim=0), [(2, 3)]),
    "matrix_norm": (lambda x: ember.linalg.matrix_norm(x), [(3, 3)]),
    "logsumexp": (lambda x: ember.logsumexp(x, 1), [(2, 3)]),
    "cumsum": (lambda x: x.cumsum(1), [(2, 3)]),
    "cumprod": (lambda x: x.cumprod(1), [(2, 3)]),
    "cummax": (lambda x: ember.cummax(x, 1).values, [_distinct((2, 3))]),
    "cummin": (lambda x: ember.cummin(x, 0).values, [_distinct((2, 3))]),
    "median": (lambda x: x.median(1).values, [_distinct((2, 3))]),
    "kthvalue": (lambda x: ember.kthvalue(x, 2, 1).values, [_distinct((2, 3))]),
    "topk": (lambda x: x.topk(2).values, [_distinct((2, 3))]),
    "sort": (lambda x: x.sort(1, descending=True).values, [_distinct((2, 3))]),
    "msort": (lambda x: ember.msort(x), [_distinct((2, 3))]),
    # linear algebra
    "matmul": (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    "matmul_batched_broadcast": (lambda a, b: ember.matmul(a, b), [(2, 1, 2, 3), (3, 3, 1)]),
    "matmul_vec": (lambda a, b: ember.matmul(a, b), [(3,), (2, 3, 2)]),
    "mm": (lambda a, b: ember.mm(a, b), [(2, 3), (3, 2)]),
    "bmm": (lambda a, b: ember.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "mv": (lambda a, b: ember.mv(a, b), [(2, 3), (3,)]),
    "dot": (lambda a, b: ember.dot(a, b), [(3,), (3,)]),
    "vdot": (lambda a, b: ember.vdot(a, b), [(3,), (3,)]),
    "outer": (lambda a, b: ember.outer(a, b), [(3,), (2,)]),
    "addmm": (lambda c, a, b: ember.addmm(c, a, b, beta=0.5, alpha=2), [(2,), (2, 3), (3, 2)]),
    "addmv": (lambda c, a, b: ember.addmv(c, a, b), [(2,), (2, 3), (3,)]),
    "baddbmm": (lambda c, a, b: ember.baddbmm(c, a, b), [(2, 2, 2), (2, 2, 3), (2, 3, 2)]),
    "einsum": (lambda a, b: ember.einsum("bij,jk->bik", a, b), [(2, 2, 3), (3, 2)]),
    "einsum_trace": (lambda a: ember.einsum("ii->", a), [(3, 3)]),
    "tensordot": (lambda a, b: ember.tensordot(a, b, dims=([1], [0])), [(2, 3), (3, 2)]),
    "kron": (lambda a, b: ember.kron(a, b), [(2, 2), (2, 1)]),
    "cross": (lambda a, b: ember.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    "trace": (lambda a: ember.trace(a), [(3, 3)]),
    "diag": (lambda a: ember.diag(a, 1), [(3, 3)]),
    "diag_vec": (lambda a: ember.diag(a), [(3,)]),
    "diag_embed": (lambda a: ember.diag_embed(a), [(2, 3)]),
    "diagonal": (lambda a: ember.diagonal(a, 0, 1, 2), [(2, 3, 3)]),
    "tril": (lambda a: ember.tril(a, -1), [(3, 3)]),
    "triu": (lambda a: ember.triu(a), [(3, 3)]),
    "inv": (lambda a: ember.linalg.inv(a), [_spd(3)]),
    "det": (lambda a: ember.linalg.det(a), [_spd(3)]),
    "slogdet": (lambda a: ember.linalg.slogdet(a).logabsdet, [_spd(3)]),
    "solve": (lambda a, b: ember.linalg.solve(a, b), [_spd(3), (3, 2)]),
    "cholesky": (lambda a: ember.linalg.cholesky(a @ a.mT), [_spd(3)]),
    "qr": (lambda a: ember.linalg.qr(a).R, [(3, 3)]),
    "svdvals": (lambda a: ember.linalg.svd(a).S, [(3, 2)]),
    "eigh_values": (lambda a: ember.linalg.eigh(a + a.mT).eigenvalues, [_spd(3)]),
    "pinv": (lambda a: ember.linalg.pinv(a), [(3, 2)]),
    "linalg_norm": (lambda a: ember.linalg.norm(a), [(3, 2)]),
    "matrix_power": (lambda a: ember.linalg.matrix_power(a, 3), [(3, 3)]),
    # shape and views
    "view": (lambda x: x.view(3, 2), [(2, 3)]),
    "reshape_noncontiguous": (lambda x: x.t().reshape(-1), [(2, 3)]),
    "flatten": (lambda x: x.flatten(1), [(2, 3, 2)]),
    "unflatten": (lambda x: x.unflatten(1, (2, 2)), [(2, 4)]),
    "squeeze_unsqueeze": (lambda x: x.unsqueeze(0).squeeze(2), [(2, 1, 3)]),
    "transpose": (lambda x: x.transpose(0, 2), [(2, 3, 2)]),
    "permute": (lambda x: x.permute(2, 0, 1), [(2, 3, 2)]),
    "movedim": (lambda x: x.movedim(0, -1), [(2, 3, 2)]),
    "expand": (lambda x: x.expand(2, 3, 4), [(3, 1)]),
    "broadcast_tensors": (lambda a, b: ember.broadcast_tensors(a, b), [(3, 1), (4,)]),
    "repeat": (lambda x: x.repeat(2, 1, 2), [(2, 3)]),
    "repeat_interleave": (lambda x: x.repeat_interleave(2, dim=1), [(2, 3)]),
    "tile": (lambda x: ember.tile(x, (2,)), [(2, 3)]),
    "flip": (lambda x: x.flip(0, 1), [(2, 3)]),
    "roll": (lambda x: x.roll((1, -1), (0, 1)), [(2, 3)]),
    "rot90": (lambda x: ember.rot90(x, 1), [(2, 3)]),
    "narrow": (lambda x: x.narrow(1, 1, 2), [(2, 3)]),
    "unfold": (lambda x: x.unfold(1, 2, 1), [(2, 4)]),
    "as_strided": (lambda x: x.as_strided((2, 2), (1, 2)), [(2, 3)]),
    "atleast_3d": (lambda x: ember.atleast_3d(x), [(3,)]),
    # joining and splitting
    "cat": (lambda a, b: ember.cat([a, b], 1), [(2, 3), (2, 1)]),
    "stack": (lambda a, b: ember.stack([a, b], -1), [(2, 3), (2, 3)]),
    "hstack": (lambda a, b: ember.hstack([a, b]), [(2, 3), (2, 1)]),
    "vstack": (lambda a, b: ember.vstack([a, b]), [(3,), (3,)]),
    "dstack": (lambda a, b: ember.dstack([a, b]), [(2, 3), (2, 3)]),
    "split": (lambda x: x.split([1, 2], 1), [(2, 3)]),
    "chunk": (lambda x: x.chunk(2, 0), [(3, 2)]),
    "tensor_split": (lambda x: ember.tensor_split(x, [1], 1), [(2, 3)]),
    "unbind": (lambda x: x.unbind(1), [(2, 3)]),
    "meshgrid": (lambda a, b: ember.meshgrid(a, b, indexing="ij"), [(2,), (3,)]),
    # indexing
    "getitem_basic": (lambda x: x[1:, ::2, None, ...], [(3, 4)]),
    "getitem_advanced": (lambda x: x[[0, 2, 0], 1:], [(3, 4)]),
    "getitem_mask": (lambda x: x[x > 0], [(3, 4)]),
    "gather": (lambda x: x.gather(1, ember.tensor(IDX)), [(2, 3)]),
    "scatter": (lambda x, s: x.scatter(1, ember.tensor([[0, 2], [1, 0]]), s), [(2, 3), (2, 2)]),
    "scatter_add": (lambda x, s: x.scatter_add(1, ember.tensor(IDX), s), [(2, 3), (2, 3)]),
    "scatter_reduce_sum": (lambda x, s: x.scatter_reduce(1, ember.tensor(IDX), s, "sum"), [(2, 3), (2, 3)]),
    "index_select": (lambda x: x.index_select(1, ember.tensor([2, 0, 2])), [(2, 3)]),
    "index_add": (lambda x, s: x.index_add(0, ember.tensor([1, 0, 1]), s), [(2, 3), (3, 3)]),
    "index_copy": (lambda x, s: x.index_copy(1, ember.tensor([2, 0]), s), [(2, 3), (2, 2)]),
    "index_fill": (lambda x: x.index_fill(1, ember.tensor([1]), 0.5), [(2, 3)]),
    "index_put": (lambda x, v: x.index_put((ember.tensor([0, 1]),), v, accumulate=True), [(2, 3), (3,)]),
    "masked_fill": (lambda x: x.masked_fill(x > 0, 0.5), [(2, 3)]),
    "masked_scatter": (lambda x, s: x.masked_scatter(x > 0, s), [(2, 3), (6,)]),
    "masked_select": (lambda x: x.masked_select(x > 0), [(2, 3)]),
    "take": (lambda x: x.take(ember.tensor([0, 5, 5])), [(2, 3)]),
    "take_along_dim": (lambda x: ember.take_along_dim(x, ember.tensor(IDX), 1), [(2, 3)]),
    "setitem": (lambda x, v: _setitem(x, v), [(3, 4), (4,)]),
    # misc
    "clone": (lambda x: x.clone(), [(2, 3)]),
    "copy_": (lambda x, s: (x * 1).copy_(s), [(2, 3), (3,)]),
    "type_as": (lambda x, y: x.type_as(y), [(2, 3), (1,)]),
}


def _setitem(x, v):
    y = x * 1
    y[1] = v
    y[0, :2] = v[1:3] * 2
    return y


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, inputs = CASES[name]
    arrays = [random_array(a, "float64") if isinstance(a, tuple) else a for a in inputs]
    tensors = [ember.tensor(a).requires_grad_() for a in arrays]
    assert ember.autograd.gradcheck(fn, tensors)


@pytest.mark.parametrize("name", ["prod", "cumprod", "logsumexp", "matmul", "inv", "det", "var", "norm", "cross",
                                  "einsum", "gather", "setitem", "solve", "cholesky"])
def test_gradgradcheck(name):
    """Second derivatives, by finite differences of the first (a representative subset)."""
    fn, inputs = CASES[name]
    arrays = [random_array(a, "float64") if isinstance(a, tuple) else a for a in inputs]
    tensors = [ember.tensor(a).requires_grad_() for a in arrays]
    assert ember.autograd.gradgradcheck(fn, tensors)
