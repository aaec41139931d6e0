"""ember.linalg (ember/linalg.py) against torch.linalg: values, dtypes, gradients, errors.

Inputs are built well conditioned: n*I added for inverses and solves, A A^T + n*I
for Cholesky and eigh, distinct singular values for SVD. Singular vectors and
eigenvectors are compared through sign-invariant functions (U*U, U @ Vh), so the
tests do not depend on which sign LAPACK picks.
"""
import numpy as np
import pytest
import torch

import ember
from oracle import check, rng

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-3, atol=1e-4), "float64": {}}  # LAPACK builds differ in float32 rounding


def well_conditioned(shape, dtype):
    n = shape[-1]
    a = rng().uniform(-1, 1, size=shape) + n * np.eye(n)
    return a.astype(dtype)


def spd(shape, dtype):
    n = shape[-1]
    x = rng().uniform(-1, 1, size=shape)
    return (x @ np.swapaxes(x, -1, -2) + n * np.eye(n)).astype(dtype)


def distinct_svals(shape, dtype):
    """A matrix with well separated singular values (so SVD gradients are well conditioned)."""
    m, n = shape[-2:]
    k = min(m, n)
    q1, _ = np.linalg.qr(rng().normal(size=shape[:-2] + (m, m)))
    q2, _ = np.linalg.qr(rng().normal(size=shape[:-2] + (n, n)))
    s = np.zeros(shape[:-2] + (m, n))
    idx = np.arange(k)
    s[..., idx, idx] = np.linspace(3.0, 1.0, k)
    return (q1 @ s @ q2).astype(dtype)


SQUARE = [(3, 3), (2, 4, 4)]

CASES = [
    # name, fn, input builders (shape, maker), second order
    ("inv", lambda lib, a: lib.linalg.inv(a), [well_conditioned], True),
    ("inverse", lambda lib, a: lib.inverse(a), [well_conditioned], False),
    ("Tensor.inverse", lambda lib, a: a.inverse(), [well_conditioned], False),
    ("det", lambda lib, a: lib.linalg.det(a), [well_conditioned], True),
    ("det method", lambda lib, a: a.det(), [well_conditioned], False),
    ("slogdet", lambda lib, a: lib.linalg.slogdet(a), [well_conditioned], False),
    ("logdet", lambda lib, a: lib.logdet(a), [spd], False),
    ("solve", lambda lib, a, b: lib.linalg.solve(a, b), [well_conditioned, "B"], False),
    ("solve vec", lambda lib, a, b: lib.linalg.solve(a, b), [well_conditioned, "b"], False),
    ("solve right", lambda lib, a, b: lib.linalg.solve(a, b, left=False), [well_conditioned, "Bt"], False),
    ("cholesky", lambda lib, a: lib.linalg.cholesky(a), [spd], False),
    ("cholesky upper", lambda lib, a: lib.linalg.cholesky(a, upper=True), [spd], False),
    ("eigh vals", lambda lib, a: lib.linalg.eigh(a)[0], [spd], False),
    ("eigh vecs", lambda lib, a: lib.linalg.eigh(a)[1] ** 2, [spd], False),
    ("eigh U", lambda lib, a: lib.linalg.eigh(a, UPLO="U").eigenvalues, [spd], False),
    ("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a), [spd], False),
    ("matrix_power 3", lambda lib, a: lib.linalg.matrix_power(a, 3), [well_conditioned], False),
    ("matrix_power -2", lambda lib, a: lib.linalg.matrix_power(a, -2), [well_conditioned], False),
    ("matrix_power 0", lambda lib, a: lib.linalg.matrix_power(a, 0), [well_conditioned], False),
    ("matrix_power method", lambda lib, a: a.matrix_power(5), [well_conditioned], False),
    ("pinv square", lambda lib, a: lib.linalg.pinv(a), [well_conditioned], False),
    ("pinv hermitian", lambda lib, a: lib.linalg.pinv(a, hermitian=True), [spd], False),
]


def _inputs(makers, shape, dtype):
    out = []
    for m in makers:
        if m == "B":
            out.append(rng().uniform(-1, 1, size=shape[:-1] + (2,)).astype(dtype))
        elif m == "b":
            out.append(rng().uniform(-1, 1, size=shape[:-1]).astype(dtype))
        elif m == "Bt":
            out.append(rng().uniform(-1, 1, size=shape[:-2] + (2, shape[-1])).astype(dtype))
        else:
            out.append(m(shape, dtype))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SQUARE, ids=["2d", "batched"])
@pytest.mark.parametrize("name,fn,makers,so", CASES, ids=[c[0] for c in CASES])
def test_square(name, fn, makers, so, shape, dtype):
    check(fn, _inputs(makers, shape, dtype), dtype=dtype, **TOL[dtype])


@pytest.mark.parametrize("name,fn,makers,so", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_second_order(name, fn, makers, so):
    check(fn, _inputs(makers, (2, 3, 3), "float64"), dtype="float64", second_order=True)


RECT = [(3, 3), (5, 3), (3, 5), (2, 4, 3)]


def _svd_invariants(lib, U, S, Vh):
    k = S.shape[-1]
    U, Vh = U[..., :k], Vh[..., :k, :]
    return S, U * U, Vh * Vh, U @ (S.unsqueeze(-1) * Vh)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", RECT, ids=[str(s) for s in RECT])
def test_svd(shape, dtype):
    a = distinct_svals(shape, dtype)
    check(lambda lib, x: _svd_invariants(lib, *lib.linalg.svd(x, full_matrices=False)), [a], dtype=dtype,
          **TOL[dtype])
    check(lambda lib, x: lib.linalg.svdvals(x), [a], dtype=dtype, **TOL[dtype])
    check(lambda lib, x: lib.linalg.svd(x).S, [a], dtype=dtype, **TOL[dtype])


def test_svd_full_matrices_shapes_and_grad():
    a = distinct_svals((5, 3), "float64")
    e, t = check(lambda lib, x: lib.linalg.svd(x)[0].shape, [a], grad=False)
    check(lambda lib, x: _svd_invariants(lib, *lib.linalg.svd(x, full_matrices=True)), [a], dtype="float64")


def test_torch_svd_legacy():
    a = distinct_svals((4, 3), "float64")
    check(lambda lib, x: (lambda U, S, V: (S, U @ (S.unsqueeze(-1) * V.mT), V * V))(*lib.svd(x)), [a],
          dtype="float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", RECT, ids=[str(s) for s in RECT])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr(shape, mode, dtype):
    a = distinct_svals(shape, dtype)
    grad = not (mode == "complete" and shape[-2] > shape[-1])
    check(lambda lib, x: lib.linalg.qr(x, mode=mode), [a], dtype=dtype, grad=grad, **TOL[dtype])


def test_qr_r_mode():
    a = distinct_svals((4, 3), "float64")
    check(lambda lib, x: lib.linalg.qr(x, mode="r"), [a], grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 4)], ids=["tall", "wide", "batched"])
def test_pinv_rect(shape, dtype):
    check(lambda lib, x: lib.linalg.pinv(x), [distinct_svals(shape, dtype)], dtype=dtype, **TOL[dtype])


def test_pinv_rank_deficient_and_tolerances():
    x = rng().normal(size=(5, 2)) @ rng().normal(size=(2, 4))
    check(lambda lib, a: lib.linalg.pinv(a), [x], grad=False, dtype="float64")
    check(lambda lib, a: lib.linalg.pinv(a, atol=0.5), [distinct_svals((4, 4), "float64")], grad=False)
    check(lambda lib, a: lib.pinverse(a), [distinct_svals((4, 3), "float64")], dtype="float64")


def test_matrix_rank():
    x = (rng().normal(size=(3, 5, 2)) @ rng().normal(size=(3, 2, 4)))
    check(lambda lib, a: lib.linalg.matrix_rank(a), [x], grad=False)
    check(lambda lib, a: lib.linalg.matrix_rank(a, hermitian=True), [spd((3, 3), "float64")], grad=False)
    check(lambda lib, a: lib.linalg.matrix_rank(a, atol=2.0, rtol=0.0), [distinct_svals((4, 4), "float64")],
          grad=False)


@pytest.mark.parametrize("shapes", [[(2, 3), (3, 4), (4, 5)], [(3,), (3, 4), (4, 2), (2,)],
                                    [(3,), (3, 4), (4, 2)], [(5, 2), (2, 3)]])
def test_multi_dot(shapes):
    check(lambda lib, *ts: lib.linalg.multi_dot(ts), shapes, dtype="float64")


def test_chain_matmul():
    check(lambda lib, a, b, c: lib.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 2)], dtype="float64")


def test_linalg_cross_and_vecdot():
    check(lambda lib, a, b: lib.linalg.cross(a, b, dim=0), [(3, 4), (3, 4)])
    check(lambda lib, a, b: lib.linalg.vecdot(a, b), [(2, 3, 4), (3, 4)])
    check(lambda lib, a, b: lib.linalg.matmul(a, b), [(2, 3, 4), (4, 5)])


def test_cholesky_legacy_method():
    check(lambda lib, a: a.cholesky(), [spd((3, 3), "float64")], dtype="float64")


# ------------------------------------------------------------------ norms (vector_norm / matrix_norm in reduction.py)
def _have_norms():
    from ember.ops import reduction
    return hasattr(reduction, "vector_norm") and hasattr(reduction, "matrix_norm")


NORMS = [
    ("default", lambda lib, a: lib.linalg.norm(a)),
    ("vec dim", lambda lib, a: lib.linalg.norm(a, dim=1)),
    ("vec ord", lambda lib, a: lib.linalg.norm(a, 3, dim=-1, keepdim=True)),
    ("fro", lambda lib, a: lib.linalg.norm(a, "fro", dim=(0, 1))),
    ("matrix 2d ord inf", lambda lib, a: lib.linalg.norm(a[0], float("inf"))),
    ("vector_norm", lambda lib, a: lib.linalg.vector_norm(a, 1, dim=(0, 2))),
    ("matrix_norm", lambda lib, a: lib.linalg.matrix_norm(a)),
    ("matrix_norm 1", lambda lib, a: lib.linalg.matrix_norm(a, 1)),
]


@pytest.mark.skipif(not _have_norms(), reason="vector_norm / matrix_norm not in ember.ops.reduction yet")
@pytest.mark.parametrize("name,fn", NORMS, ids=[n[0] for n in NORMS])
def test_norms(name, fn):
    check(fn, [(2, 3, 4)], dtype="float64")


# ------------------------------------------------------------------ errors
def _raise_pair(fn, arrays):
    errs = []
    for lib in (ember, torch):
        args = [lib.tensor(a) for a in arrays]
        try:
            fn(lib, *args)
            errs.append(None)
        except Exception as e:  # noqa: BLE001
            errs.append(e)
    return errs


LINALG_ERRORS = [
    ("inv singular", lambda lib, a: lib.linalg.inv(a), [np.zeros((3, 3))]),
    ("inv batch singular", lambda lib, a: lib.linalg.inv(a), [np.stack([np.eye(2), np.ones((2, 2))])]),
    ("solve singular", lambda lib, a, b: lib.linalg.solve(a, b), [np.ones((3, 3)), np.ones(3)]),
    ("cholesky not pd", lambda lib, a: lib.linalg.cholesky(a), [-np.eye(3)]),
]


@pytest.mark.parametrize("name,fn,arrays", LINALG_ERRORS, ids=[e[0] for e in LINALG_ERRORS])
def test_linalg_errors(name, fn, arrays):
    e, t = _raise_pair(fn, arrays)
    assert isinstance(t, torch.linalg.LinAlgError)
    assert isinstance(e, ember.linalg.LinAlgError) and isinstance(e, RuntimeError), repr(e)


RUNTIME_ERRORS = [
    ("inv nonsquare", lambda lib, a: lib.linalg.inv(a), [np.ones((2, 3))]),
    ("inv 1d", lambda lib, a: lib.linalg.inv(a), [np.ones(3)]),
    ("inv int", lambda lib, a: lib.linalg.inv(a), [np.eye(3, dtype=np.int64)]),
    ("det nonsquare", lambda lib, a: lib.linalg.det(a), [np.ones((2, 3))]),
    ("cholesky nonsquare", lambda lib, a: lib.linalg.cholesky(a), [np.ones((2, 3))]),
    ("eigh nonsquare", lambda lib, a: lib.linalg.eigh(a), [np.ones((2, 3))]),
    ("solve shapes", lambda lib, a, b: lib.linalg.solve(a, b), [np.eye(3), np.ones((4, 2))]),
    ("solve dtypes", lambda lib, a, b: lib.linalg.solve(a, b), [np.eye(3), np.ones(3, np.float32)]),
    ("qr mode", lambda lib, a: lib.linalg.qr(a, mode="bad"), [np.eye(3)]),
    ("matrix_power nonsquare", lambda lib, a: lib.linalg.matrix_power(a, 2), [np.ones((2, 3))]),
    ("multi_dot one", lambda lib, a: lib.linalg.multi_dot([a]), [np.ones((2, 3))]),
]


@pytest.mark.parametrize("name,fn,arrays", RUNTIME_ERRORS, ids=[e[0] for e in RUNTIME_ERRORS])
def test_runtime_errors(name, fn, arrays):
    e, t = _raise_pair(fn, arrays)
    assert t is not None and e is not None, (e, t)
    assert type(e) is type(t) or (isinstance(e, RuntimeError) and isinstance(t, RuntimeError)
                                  and not isinstance(t, torch.linalg.LinAlgError)), (repr(e), repr(t))


def test_qr_complete_tall_backward_error():
    a = ember.tensor(np.random.rand(4, 3), requires_grad=True)
    q, r = ember.linalg.qr(a, mode="complete")
    with pytest.raises(RuntimeError, match="not differentiable"):
        (q.sum() + r.sum()).backward()


def test_linalg_error_class():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
