"""Products, einsum and diagonals (ember/ops/linalg.py) against torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, same_error

DTYPES = ["float32", "float64"]

# (name, fn(lib, *tensors), input shapes)
PRODUCTS = [
    ("matmul 1x1", lambda lib, a, b: lib.matmul(a, b), [(4,), (4,)]),
    ("matmul 2x1", lambda lib, a, b: lib.matmul(a, b), [(3, 4), (4,)]),
    ("matmul 1x2", lambda lib, a, b: lib.matmul(a, b), [(4,), (4, 5)]),
    ("matmul 1x3", lambda lib, a, b: lib.matmul(a, b), [(4,), (2, 4, 5)]),
    ("matmul 3x1", lambda lib, a, b: lib.matmul(a, b), [(2, 3, 4), (4,)]),
    ("matmul 2x2", lambda lib, a, b: a @ b, [(3, 4), (4, 5)]),
    ("matmul 3x2", lambda lib, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    ("matmul 2x3", lambda lib, a, b: a @ b, [(3, 4), (2, 4, 5)]),
    ("matmul bcast", lambda lib, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    ("matmul 4x4", lambda lib, a, b: a.matmul(b), [(2, 3, 3, 4), (2, 3, 4, 2)]),
    ("matmul T", lambda lib, a, b: a.mT @ b, [(4, 3), (4, 5)]),
    ("mm", lambda lib, a, b: lib.mm(a, b), [(3, 4), (4, 5)]),
    ("bmm", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    ("mv", lambda lib, a, b: a.mv(b), [(3, 4), (4,)]),
    ("dot", lambda lib, a, b: lib.dot(a, b), [(5,), (5,)]),
    ("vdot", lambda lib, a, b: lib.vdot(a, b), [(5,), (5,)]),
    ("inner", lambda lib, a, b: lib.inner(a, b), [(2, 3, 4), (5, 4)]),
    ("inner 1d", lambda lib, a, b: a.inner(b), [(4,), (4,)]),
    ("outer", lambda lib, a, b: lib.outer(a, b), [(3,), (4,)]),
    ("ger", lambda lib, a, b: a.ger(b), [(3,), (4,)]),
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0), [(3, 5), (3, 4), (4, 5)]),
    ("addmm bcast", lambda lib, c, a, b: lib.addmm(c, a, b), [(5,), (3, 4), (4, 5)]),
    ("addmm beta0", lambda lib, c, a, b: c.addmm(a, b, beta=0), [(3, 5), (3, 4), (4, 5)]),
    ("addmv", lambda lib, c, a, b: lib.addmv(c, a, b, beta=2, alpha=-1), [(3,), (3, 4), (4,)]),
    ("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=0.3), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    ("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, beta=1.5), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    ("addr", lambda lib, c, a, b: lib.addr(c, a, b, beta=2, alpha=3), [(3, 4), (3,), (4,)]),
    ("tensordot 2", lambda lib, a, b: lib.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("tensordot lists", lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])), [(2, 3, 4), (4, 2, 5)]),
    ("tensordot 0", lambda lib, a, b: lib.tensordot(a, b, dims=0), [(2, 3), (4,)]),
    ("kron", lambda lib, a, b: lib.kron(a, b), [(2, 3), (3, 2)]),
    ("kron mixed", lambda lib, a, b: a.kron(b), [(2, 3), (4,)]),
    ("cross", lambda lib, a, b: lib.cross(a, b, dim=1), [(2, 3, 4), (2, 3, 4)]),
    ("cross bcast", lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (1, 3)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,shapes", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_products(name, fn, shapes, dtype):
    check(fn, shapes, dtype=dtype)


SECOND_ORDER = [
    ("matmul", lambda lib, a, b: (a @ b).tanh(), [(2, 3, 4), (4,)]),
    ("matmul 1x3", lambda lib, a, b: (a @ b) * (a @ b), [(4,), (2, 4, 3)]),
    ("mm", lambda lib, a, b: lib.mm(a, b) * lib.mm(a, b), [(3, 4), (4, 3)]),
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b, alpha=2.0) ** 2, [(3,), (3, 4), (4, 3)]),
    ("einsum", lambda lib, a, b: lib.einsum("bij,jk->bik", a, b).sin(), [(2, 3, 4), (4, 2)]),
    ("einsum diag", lambda lib, a: lib.einsum("ii->i", a) ** 3, [(3, 3)]),
    ("diagonal", lambda lib, a: lib.diagonal(a, 1).exp(), [(3, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", SECOND_ORDER, ids=[p[0] for p in SECOND_ORDER])
def test_second_order(name, fn, shapes):
    check(fn, shapes, dtype="float64", second_order=True)


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),               # implicit output
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ii->", [(4, 4)]),                        # trace
    ("ii->i", [(4, 4)]),                       # diagonal
    ("iij->ij", [(3, 3, 2)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),                       # index summed within one operand
    ("ij->ji", [(3, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 2)]),
    ("ab,cd,bc->", [(2, 3), (4, 2), (3, 4)]),
    ("ij,ij->ij", [(3, 1), (3, 4)]),           # broadcast a size-1 subscript
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
    (" i j , j k -> i k ", [(2, 3), (3, 2)]),
    ("bii,bj->bij", [(2, 3, 3), (2, 4)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e[0] for e in EINSUM])
def test_einsum(eq, shapes, dtype):
    check(lambda lib, *ts: lib.einsum(eq, *ts), shapes, dtype=dtype)


def test_einsum_list_operands():
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), [(2, 3), (3, 4)])


DIAG = [
    ("diagonal", lambda lib, a: lib.diagonal(a), [(3, 4)]),
    ("diagonal off", lambda lib, a: a.diagonal(1), [(3, 4)]),
    ("diagonal neg", lambda lib, a: a.diagonal(-2), [(4, 3)]),
    ("diagonal dims", lambda lib, a: lib.diagonal(a, 1, 2, 0), [(3, 2, 4)]),
    ("diagonal big off", lambda lib, a: a.diagonal(5), [(3, 4)]),
    ("linalg.diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=-1), [(2, 3, 4)]),
    ("diag 1d", lambda lib, a: lib.diag(a), [(3,)]),
    ("diag 1d off", lambda lib, a: lib.diag(a, -2), [(3,)]),
    ("diag 2d", lambda lib, a: a.diag(1), [(3, 4)]),
    ("diag_embed", lambda lib, a: lib.diag_embed(a), [(2, 3)]),
    ("diag_embed off", lambda lib, a: lib.diag_embed(a, 1, 0, 2), [(2, 3)]),
    ("diag_embed neg", lambda lib, a: a.diag_embed(-1, 1, 0), [(2, 3)]),
    ("trace", lambda lib, a: lib.trace(a), [(3, 4)]),
    ("tril", lambda lib, a: lib.tril(a), [(3, 4)]),
    ("tril k", lambda lib, a: a.tril(-1), [(2, 4, 3)]),
    ("triu", lambda lib, a: lib.triu(a, 1), [(3, 4)]),
    ("triu neg", lambda lib, a: a.triu(-1), [(2, 4, 4)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,shapes", DIAG, ids=[d[0] for d in DIAG])
def test_diagonals(name, fn, shapes, dtype):
    check(fn, shapes, dtype=dtype)


def test_integer_products():
    a = np.arange(6).reshape(2, 3)
    b = np.arange(12).reshape(3, 4)
    for fn in (lambda lib, x, y: x @ y, lambda lib, x, y: lib.mm(x, y), lambda lib, x, y: lib.einsum("ij,jk", x, y),
               lambda lib, x, y: lib.trace(x @ y[:, :3])):
        check(fn, [a, b], grad=False)


def test_diagonal_is_a_view():
    a = ember.zeros(3, 3)
    d = a.diagonal()
    v0 = a._version
    d.add_(1.0)
    assert a._version == v0 + 1
    np.testing.assert_array_equal(a.numpy(), np.eye(3))
    assert d.data_ptr() == a.data_ptr()
    assert d._vbox is a._vbox


def test_inplace_through_diagonal_reaches_base_gradient():
    def fn(lib, x):
        y = x * 1.0
        y.diagonal().mul_(3.0)
        return y
    check(fn, [(3, 3)], dtype="float64")


@pytest.mark.parametrize("name", ["tril_", "triu_"])
def test_tri_inplace(name):
    def fn(lib, x):
        y = x * 2.0
        getattr(y, name)(1 if name == "tril_" else -1)
        return y
    check(fn, [(3, 4)], dtype="float64")


def test_out_arguments():
    for fn in (lambda lib, a, b: lib.matmul(a, b, out=lib.empty(3, 5)),
               lambda lib, a, b: lib.mm(a, b, out=lib.zeros(3, 5)),
               lambda lib, a, b: lib.addmm(lib.ones(5), a, b, out=lib.zeros(3, 5)),
               lambda lib, a, b: lib.tril(a, out=lib.zeros(3, 4))):
        check(fn, [(3, 4), (4, 5)], grad=False)
    with pytest.warns(UserWarning, match="resized"):
        r = ember.matmul(ember.ones(3, 4), ember.ones(4, 5), out=ember.zeros(2, 2))
    assert r.shape == (3, 5)


def test_out_writes_in_place():
    a, b = ember.ones(4, 4), ember.ones(4, 4)
    o = ember.zeros(4, 4)
    ptr = o.data_ptr()
    r = ember.matmul(a, b, out=o)
    assert r is o and o.data_ptr() == ptr and o._version == 1
    np.testing.assert_array_equal(o.numpy(), np.full((4, 4), 4.0))


ERRORS = [
    ("matmul inner", lambda lib, a, b: lib.matmul(a, b), [(2, 3), (4, 5)]),
    ("matmul 0d", lambda lib, a, b: lib.matmul(a, b), [(), (3,)]),
    ("matmul batch", lambda lib, a, b: lib.matmul(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("matmul 1x1", lambda lib, a, b: lib.matmul(a, b), [(3,), (4,)]),
    ("mm 3d", lambda lib, a, b: lib.mm(a, b), [(2, 3, 4), (4, 5)]),
    ("mm shapes", lambda lib, a, b: lib.mm(a, b), [(2, 3), (4, 5)]),
    ("bmm 2d", lambda lib, a, b: lib.bmm(a, b), [(3, 4), (4, 5)]),
    ("bmm batch", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("mv", lambda lib, a, b: lib.mv(a, b), [(3, 4), (5,)]),
    ("dot 2d", lambda lib, a, b: lib.dot(a, b), [(3, 4), (3, 4)]),
    ("dot size", lambda lib, a, b: lib.dot(a, b), [(3,), (4,)]),
    ("addmm shape", lambda lib, c, a, b: lib.addmm(c, a, b), [(4, 4), (3, 4), (4, 5)]),
    ("einsum ops", lambda lib, a, b: lib.einsum("ij->i", a, b), [(3, 4), (4,)]),
    ("einsum dims", lambda lib, a: lib.einsum("ijk->i", a), [(3, 4)]),
    ("einsum size", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(3, 4), (5, 6)]),
    ("einsum out", lambda lib, a: lib.einsum("ij->k", a), [(3, 4)]),
    ("tensordot", lambda lib, a, b: lib.tensordot(a, b, dims=([0], [0])), [(3, 4), (4, 3)]),
    ("cross", lambda lib, a, b: lib.cross(a, b, dim=1), [(3, 4), (3, 4)]),
    ("trace 3d", lambda lib, a: lib.trace(a), [(2, 3, 3)]),
    ("tril 1d", lambda lib, a: lib.tril(a), [(3,)]),
    ("diagonal 1d", lambda lib, a: lib.diagonal(a), [(3,)]),
    ("diagonal same", lambda lib, a: lib.diagonal(a, 0, 1, 1), [(3, 3)]),
    ("diag 3d", lambda lib, a: lib.diag(a), [(2, 2, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn, shapes):
    arrays = [np.ones(s, np.float32) for s in shapes]
    e_args = [ember.tensor(a) for a in arrays]
    t_args = [torch.tensor(a) for a in arrays]
    errs = []
    for lib, args in ((ember, e_args), (torch, t_args)):
        try:
            fn(lib, *args)
            errs.append(None)
        except Exception as ex:  # noqa: BLE001
            errs.append(ex)
    assert errs[1] is not None, "torch did not raise"
    assert errs[0] is not None, f"ember did not raise; torch: {errs[1]}"
    assert type(errs[0]) is type(errs[1]), f"ember {type(errs[0]).__name__}: {errs[0]}; torch {errs[1]!r}"


def test_matmul_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: \(2x3\) @ \(4x5\): inner sizes 3 and 4 differ"):
        ember.matmul(ember.zeros(2, 3), ember.zeros(4, 5))


def test_mixed_dtype_errors():
    for fn in (lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.float64)),
               lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.float64)),
               lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(3, 2, dtype=lib.float64))):
        same_error(fn)


def test_matmul_is_blas_no_copy():
    """float32 matmul hands NumPy the operands' own arrays (transposed views included)."""
    a = ember.tensor(np.random.rand(64, 32).astype(np.float32))
    b = ember.tensor(np.random.rand(64, 16).astype(np.float32))
    r = a.mT @ b
    np.testing.assert_allclose(r.numpy(), a.numpy().T @ b.numpy(), rtol=1e-5)
    assert r.dtype is ember.float32 and r.is_contiguous()


def test_grad_only_where_needed():
    a = ember.ones(3, 4, requires_grad=True)
    b = ember.ones(4, 5)
    (a @ b).sum().backward()
    assert b.grad is None
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 4), 5.0))
