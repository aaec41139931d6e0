"""The rest of torch.linalg: eig/eigvals (NumPy's geev, PyTorch's derivative), and, composed of
ember.linalg's differentiable functions, the ``*_ex`` variants (result and LAPACK's ``info`` instead of an
error), solve_triangular, lstsq, cond, vander, tensorinv and tensorsolve. The compositions' gradients are
PyTorch's (lstsq's solution is pinv(A) @ B, as its derivative is)."""
import math

import numpy as np

from .. import dtypes
from ._common import _gstate, make_tensor, node_class, record, to_tensor_arg, write_out
from .reduction import _structseq, write_outs

InvExResult = _structseq("linalg_inv_ex", ("inverse", "info"))
CholeskyExResult = _structseq("linalg_cholesky_ex", ("L", "info"))
SolveExResult = _structseq("linalg_solve_ex", ("result", "info"))
LUFactorExResult = _structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LstsqResult = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


EigResult = _structseq("linalg_eig", ("eigenvalues", "eigenvectors"))


def _eig_formula(F, grads, L, V, real_input):
    """PyTorch's linalg_eig_backward: gA = V^-H (diag(gL) + (V^H gV - V^H V re(diag(V^H gV))) / conj(E)) V^H,
    E_ij = L_j - L_i off the diagonal; its real part for a real A."""
    gL, gV = grads
    VH = F.conj(V).mT
    VhgV = VH @ gV
    diag = F.diagonal(VhgV, 0, -2, -1)
    if diag.shape[-1] and float(abs(F.imag(diag)).max()) > 1e-6 * max(float(abs(diag).max()), 1.0):
        raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                           "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                           "so it is ill-defined.")
    VhgV = VhgV - VH @ (V * F.real(diag)[..., None, :])
    n = L.shape[-1]
    eye = F.const(np.eye(n), L)
    Lc = F.conj(L)
    E = (Lc[..., None, :] - Lc[..., :, None]) + eye
    gA = VhgV / E * (1 - eye) + gL[..., :, None] * eye
    gA = F.solve(VH, gA @ VH)
    return F.real(gA) if real_input else gA


LinalgEigBackward0 = node_class("LinalgEigBackward0", _eig_formula, nout=2)


def _eig_arrays(A, op):
    from ..linalg import _check
    A = _check(A, op, kernel="linalg_eig_out_cpu")
    L, V = np.linalg.eig(A._data)
    ct = A._dtype if A._dtype.is_complex else A._dtype.to_complex()
    return A, make_tensor(L.astype(ct.np), ct), make_tensor(V.astype(ct.np), ct)


def eig(A, *, out=None):
    """Eigenvalues and (unit, largest component real) eigenvectors of a square matrix, complex always."""
    A, L, V = _eig_arrays(A, "linalg.eig")
    if _gstate.enabled and A._rg:
        record(LinalgEigBackward0, (L, V), (A,), (L, V), (not A._dtype.is_complex,))
    return EigResult(L, V) if out is None else write_outs(EigResult, (L, V), out, (A,), "linalg.eig")


def eigvals(A, *, out=None):
    """The eigenvalues of eig (their gradient through eig's, with no eigenvector gradient)."""
    if out is not None or not (_gstate.enabled and to_tensor_arg(A, "A", "linalg.eigvals")._rg):
        A, L, _ = _eig_arrays(A, "linalg.eigvals")
        return L if out is None else write_out(out, L._data, L._dtype, (A,), "linalg.eigvals")
    return eig(A).eigenvalues


def _info(A, ok):
    """LAPACK's info: 0 per matrix of A where it went through, 1 where not."""
    return make_tensor(np.full(A._data.shape[:-2], 0 if ok else 1, np.int32), dtypes.int32)


def _ex(fn, A, check_errors, nan_shape_of):
    """fn() and info = 0, or, where it raised LinAlgError, NaNs and info = 1 (unless check_errors)."""
    from ..linalg import LinAlgError
    try:
        return fn(), True
    except LinAlgError:
        if check_errors:
            raise
        return make_tensor(np.full(nan_shape_of, np.nan, A._dtype.np), A._dtype), False


def inv_ex(A, *, check_errors=False, out=None):
    from ..linalg import inv
    r, ok = _ex(lambda: inv(A), to_tensor_arg(A, "A", "linalg.inv_ex"), check_errors, A.shape)
    res = (r, _info(A, ok))
    return InvExResult(*res) if out is None else write_outs(InvExResult, res, out, (A,), "linalg.inv_ex")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    from ..linalg import cholesky
    r, ok = _ex(lambda: cholesky(A, upper=upper), to_tensor_arg(A, "A", "linalg.cholesky_ex"), check_errors,
                A.shape)
    res = (r, _info(A, ok))
    return CholeskyExResult(*res) if out is None else write_outs(CholeskyExResult, res, out, (A,),
                                                                 "linalg.cholesky_ex")


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    from ..linalg import solve
    A = to_tensor_arg(A, "A", "linalg.solve_ex")
    r, ok = _ex(lambda: solve(A, B, left=left), A, check_errors, B.shape)
    res = (r, _info(A, ok))
    return SolveExResult(*res) if out is None else write_outs(SolveExResult, res, out, (A, B), "linalg.solve_ex")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    from ..linalg import lu_factor
    LU, piv = lu_factor(A, pivot=pivot)
    res = (LU, piv, _info(A, True))      # NumPy's LU never stops at a zero pivot
    return LUFactorExResult(*res) if out is None else write_outs(LUFactorExResult, res, out, (A,),
                                                                 "linalg.lu_factor_ex")


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with T X = B (or X T = B), T the upper (or lower) triangle of A."""
    from ..linalg import _triangular_solve
    A = to_tensor_arg(A, "A", "linalg.solve_triangular")
    B = to_tensor_arg(B, "B", "linalg.solve_triangular")
    if left:
        X = _triangular_solve(B, A, upper, False, unitriangular).solution
    else:                                   # X T = B  <=>  T^T X^T = B^T
        X = _triangular_solve(B.mT, A, upper, True, unitriangular).solution.mT
    return X if out is None else write_out(out, X._data, X._dtype, (A, B), "linalg.solve_triangular")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of A X = B (pinv(A) @ B), with LAPACK's by-products as the driver gives
    them: rank for all but 'gels', singular values for 'gelsd'/'gelss', residuals for those when m > n and
    A has full rank (else empty tensors)."""
    from ..linalg import _check, pinv
    A = _check(A, "linalg.lstsq", square=False)
    B = to_tensor_arg(B, "B", "linalg.lstsq")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss), "
                           f"but got {driver}")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {A._dtype.name} and other's dtype {B._dtype.name}")
    vector = B.ndim == A.ndim - 1
    B2 = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if B2.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), but got {m} and "
                           f"{B2.shape[-2]}")
    S = np.linalg.svd(A._data, compute_uv=False)
    eps = np.finfo(A._dtype.to_real().np if A._dtype.is_complex else A._dtype.np).eps
    tol = (rcond if rcond is not None else eps * max(m, n)) * (S[..., :1] if S.shape[-1] else 0.0)
    rank_np = (S > tol).sum(-1).astype(np.int64)
    X = pinv(A, rtol=rcond if rcond is not None else eps * max(m, n)) @ B2
    real = A._dtype.to_real() if A._dtype.is_complex else A._dtype
    empty = make_tensor(np.zeros((0,), real.np), real)
    rank = make_tensor(rank_np, dtypes.int64) if driver != "gels" else make_tensor(np.zeros((0,), np.int64),
                                                                                    dtypes.int64)
    svals = make_tensor(S.astype(real.np), real) if driver in ("gelsd", "gelss") else empty
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank_np == n).all()):
        r = A @ X - B2
        residuals = (r.abs() ** 2 if r.is_complex() else r * r).sum(-2)
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, svals)


def cond(A, p=None, *, out=None):
    """The condition number: ||A|| ||A^-1|| in the norm p (2-norms by singular values: max / min)."""
    from ..linalg import inv, matrix_norm, svdvals
    A = to_tensor_arg(A, "A", "linalg.cond")
    if p is None or p in (2, -2):
        S = svdvals(A)
        r = S.amax(-1) / S.amin(-1) if p != -2 else S.amin(-1) / S.amax(-1)
    else:
        r = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return r if out is None else write_out(out, r._data, r._dtype, (A,), "linalg.cond")


def vander(x, *, N=None):
    """Columns x**0, x**1, ..., x**(N-1) (increasing powers, PyTorch's order)."""
    from .. import cat, ones_like
    x = to_tensor_arg(x, "x", "linalg.vander")
    if x.ndim == 0:
        raise RuntimeError("linalg.vander: x must be at least 1-dimensional.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    cols = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)     # x, x^2, ...: PyTorch's cumprod
    return cat([ones_like(x).unsqueeze(-1), cols], -1)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a matrix: its first ``ind`` dims against the rest."""
    from ..linalg import inv
    A = to_tensor_arg(A, "A", "linalg.tensorinv")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}")
    r = inv(A.reshape(math.prod(rows), -1)).reshape(cols + rows)
    return r if out is None else write_out(out, r._data, r._dtype, (A,), "linalg.tensorinv")


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    from ..linalg import solve
    A = to_tensor_arg(A, "A", "linalg.tensorsolve")
    B = to_tensor_arg(B, "B", "linalg.tensorsolve")
    if dims is not None:
        rest = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in rest], *rest)
    x_shape = tuple(A.shape[B.ndim:])
    r = solve(A.reshape(B.numel(), -1), B.reshape(-1)).reshape(x_shape)
    return r if out is None else write_out(out, r._data, r._dtype, (A, B), "linalg.tensorsolve")


__all__ = ["eig", "eigvals", "inv_ex", "cholesky_ex", "solve_ex", "lu_factor_ex", "solve_triangular", "lstsq",
           "cond", "vander", "tensorinv", "tensorsolve"]
