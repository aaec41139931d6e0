"""ember.linalg: decompositions, solvers and norms, as torch.linalg.

Each function computes with NumPy's LAPACK wrappers and records a Node whose
formula is PyTorch's (derivatives.yaml / FunctionsManual.cpp), written once for
arrays and Tensors. ``F.inv`` and ``F.solve`` let formulas (here and in other
families) invert and solve differentiably under ``create_graph``.
"""

import numpy as np

from . import dtypes
from .autograd.formulas import define
from .ops._common import _gstate, node_class, record, to_tensor_arg, write_out
from .ops.linalg import _sq, _unsq, _cross, diagonal as _diagonal, matmul
from .ops.reduction import _structseq, _wrap as wrap_dim, write_outs
from .tensor import Tensor, attach, make_tensor


class LinAlgError(RuntimeError):
    """A linear algebra routine failed on its input (singular, not positive-definite, no convergence)."""


def _check_batches(op, first, second):
    """The batch dimensions (all but the last two) of two matrix operands must broadcast."""
    (name_a, shape_a), (name_b, shape_b) = first, second
    try:
        np.broadcast_shapes(shape_a[:-2], shape_b[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dimensions of {name_a} {list(shape_a[:-2])} and {name_b} "
                           f"{list(shape_b[:-2])} cannot be broadcast") from None


def _check(A, op, square=True, min_dim=2, kernel=None, kernel_for_ints=False):
    """A as a linalg function takes it. A dtype it cannot take raises PyTorch's error: the NotImplementedError
    of the LAPACK ``kernel`` it dispatches to for half precisions (and, where ``kernel_for_ints``, for
    integers), else the RuntimeError of its explicit dtype check."""
    A = to_tensor_arg(A, "A", op)
    x = A._data
    if x.ndim < min_dim:
        raise RuntimeError(f"{op}: The input tensor A must have at least {min_dim} dimensions.")
    if square and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {x.shape[-2]} by "
                           f"{x.shape[-1]} matrices")
    dt = A._dtype
    if dt not in (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128):
        low = dt.category >= dtypes._FLOAT
        if kernel is not None and (low or kernel_for_ints):
            from .ops.arithmetic import _TORCH_NAMES
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TORCH_NAMES[dt.name]}'")
        if low:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {dt.name}")
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {dt.name}")
    return A


def _result(arr, dt):
    if arr.__class__ is not np.ndarray:
        arr = np.asarray(arr)
    return make_tensor(arr.astype(dt.np, copy=False), dt)


def _mH(F, x):
    return F.conj(x).mT


def _eye(n, like, F):
    return F.const(np.eye(n), like)


# ================================================================== inv
def _inv_formula(F, g, Y):
    YH = _mH(F, Y)
    return -(YH @ g @ YH)


LinalgInvExBackward0 = node_class("LinalgInvExBackward0", _inv_formula)


def _np_inv(x, op="linalg.inv"):
    try:
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The diagonal element of the LU factorization is zero, the inversion could not "
                          f"be completed because the input matrix is singular.") from None


def inv(A, *, out=None):
    A = _check(A, "linalg.inv")
    res = _np_inv(A._data)
    if out is not None:
        return write_out(out, res.astype(A._dtype.np, copy=False), A._dtype, (A,), "linalg.inv")
    r = _result(res, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgInvExBackward0, r, (A,), (r,))
    return r


define("inv", _np_inv, inv)


# ================================================================== det, slogdet
def _det_formula(F, g, A, d):
    gd = g * F.conj(d)
    return _unsq(_unsq(gd, -1), -1) * _mH(F, F.inv(A))


LinalgDetBackward0 = node_class("LinalgDetBackward0", _det_formula)


def det(A, *, out=None):
    A = _check(A, "linalg.det", kernel="lu_cpu")
    res = np.linalg.det(A._data)
    if out is not None:
        return write_out(out, np.asarray(res, A._dtype.np), A._dtype, (A,), "linalg.det")
    r = _result(res, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgDetBackward0, r, (A,), (A, r))
    return r


SlogdetResult = _structseq("linalg_slogdet", ("sign", "logabsdet"))   # prints as torch.return_types.*


def _slogdet_formula(F, grads, A):
    g = grads[1]
    return _unsq(_unsq(g, -1), -1) * _mH(F, F.inv(A))


LinalgSlogdetBackward0 = node_class("LinalgSlogdetBackward0", _slogdet_formula, nout=2)


def slogdet(A, *, out=None):
    A = _check(A, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(A._data)
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    s, la = _result(sign, A._dtype), _result(logabs, real)
    if _gstate.enabled and A._rg:
        record(LinalgSlogdetBackward0, (s, la), (A,), (A,))
    return SlogdetResult(s, la) if out is None else write_outs(SlogdetResult, (s, la), out, (A,), "linalg.slogdet")


def logdet(A):
    """log(det(A)): nan for a negative determinant, -inf for a singular matrix (as torch.logdet)."""
    sign, logabs = slogdet(A)
    if A._dtype.is_complex:
        from . import log
        return log(sign) + logabs
    bad = make_tensor(np.where(sign._data < 0, np.nan, 0.0).astype(logabs._dtype.np), logabs._dtype)
    return logabs + bad


# ================================================================== solve
def _is_vector_rhs(a_shape, b_shape):
    return len(b_shape) == 1 or (len(a_shape) - 1 == len(b_shape) and tuple(b_shape) == tuple(a_shape[:-1]))


def _solve_formula(F, g, A, X, vector):
    g2 = _unsq(g, -1) if vector else g
    X2 = _unsq(X, -1) if vector else X
    gB = F.solve(_mH(F, A), g2)
    gA = -(gB @ _mH(F, X2))
    return gA, (_sq(gB, -1) if vector else gB)


LinalgSolveExBackward0 = node_class("LinalgSolveExBackward0", _solve_formula)


def _np_solve(a, b, op="linalg.solve"):
    try:
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        return np.linalg.solve(np.broadcast_to(a, shape + a.shape[-2:]), np.broadcast_to(b, shape + b.shape[-2:]))
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The solver failed because the input matrix is singular.") from None


def solve(A, B, *, left=True, out=None):
    A = _check(A, "linalg.solve", kernel="lu_cpu")
    B = to_tensor_arg(B, "B", "linalg.solve")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A._dtype.name} and B of type {B._dtype.name} instead")
    if not left:
        return solve(A.mT, B.mT, out=out).mT if B._data.ndim > 1 else solve(A.mT, B, out=out)
    a, b = A._data, B._data
    vector = _is_vector_rhs(a.shape, b.shape)
    b2 = b[..., None] if vector else b
    if b2.ndim < 2 or b2.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {'x'.join(str(s) for s in b2.shape[-2:])})")
    _check_batches("linalg.solve", ("A", a.shape), ("B", b2.shape))
    res = _np_solve(a, b2)
    if vector:
        res = res[..., 0]
    if out is not None:
        return write_out(out, res.astype(A._dtype.np, copy=False), A._dtype, (A, B), "linalg.solve")
    r = _result(res, A._dtype)
    if _gstate.enabled and (A._rg or B._rg):
        record(LinalgSolveExBackward0, r, (A, B), (A, r), (vector,))
    return r


define("solve", _np_solve, lambda a, b: solve(a, b))


# ================================================================== cholesky
def _cholesky_formula(F, gL, L, upper):
    if upper:
        L, gL = _mH(F, L), _mH(F, gL)
    LH = _mH(F, L)
    gA = F.tril(LH @ gL, 0)
    gA = 0.5 * (gA + _mH(F, F.tril(gA, -1)))
    gA = F.solve(LH, gA)                        # L^{-H} gA
    return _mH(F, F.solve(LH, _mH(F, gA)))      # (L^{-H} gA) L^{-1}


LinalgCholeskyExBackward0 = node_class("LinalgCholeskyExBackward0", _cholesky_formula)


def cholesky(A, *, upper=False, out=None):
    A = _check(A, "linalg.cholesky", kernel="cholesky_cpu")
    try:
        res = np.linalg.cholesky(A._data)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.cholesky: The factorization could not be completed because the input is not "
                          "positive-definite.") from None
    if upper:
        res = np.ascontiguousarray(np.conj(res).swapaxes(-1, -2))
    if out is not None:
        return write_out(out, res, A._dtype, (A,), "linalg.cholesky")
    r = _result(res, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgCholeskyExBackward0, r, (A,), (r,), (upper,))
    return r


# ================================================================== qr
QRResult = _structseq("linalg_qr", ("Q", "R"))


def _qr_formula(F, grads, Q, R, mode):
    gQ, gR = grads
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    m, n = Q.shape[-2], R.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    gA = gR @ _mH(F, R) - _mH(F, Q) @ gQ
    if m >= n:
        X = F.triu(gA, 0)
        X = X + _mH(F, F.triu(gA, 1))
        gA = Q @ X + gQ
        return _mH(F, F.solve(R, _mH(F, gA)))           # gA R^{-H}
    X = -gA
    X = F.tril(X - _mH(F, X), 0)
    gA = Q @ X
    sel = F.const(np.eye(m, n), R)                       # [I_m 0]: R[..., :m] = R @ sel.mT
    R1 = R @ sel.mT
    gA = _mH(F, F.solve(R1, _mH(F, gA)))                 # gA R1^{-H}
    return gA @ sel + Q @ gR


LinalgQrBackward0 = node_class("LinalgQrBackward0", _qr_formula, nout=2)


def qr(A, mode="reduced", *, out=None):
    A = _check(A, "linalg.qr", square=False, kernel="geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           f"or 'complete'")
    x = A._data
    if mode == "r":
        R = np.linalg.qr(x, mode="r")
        Q = np.zeros((0,), A._dtype.np)
    else:
        Q, R = np.linalg.qr(x, mode=mode)
    q, r = _result(Q, A._dtype), _result(R, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgQrBackward0, (q, r), (A,), (q, r), (mode,))
        if mode == "r":
            q._grad_fn, q._rg = None, False
    return QRResult(q, r) if out is None else write_outs(QRResult, (q, r), out, (A,), "linalg.qr")


# ================================================================== svd
SVDResult = _structseq("linalg_svd", ("U", "S", "Vh"))


def _svd_formula(F, grads, U, S, Vh, full):
    gU, gS, gVh = grads
    k = S.shape[-1]
    if full:
        U, gU = U[..., :, :k], gU[..., :, :k]
        Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
    m, n = U.shape[-2], Vh.shape[-1]
    Sr, Sc = _unsq(S, -2), _unsq(S, -1)
    UhgU = _mH(F, U) @ gU
    UhgU = UhgU - _mH(F, UhgU)
    VhgV = Vh @ _mH(F, gVh)
    VhgV = VhgV - _mH(F, VhgV)
    S2 = S * S
    E = _unsq(S2, -2) - _unsq(S2, -1) + _eye(k, S, F)
    ret = (UhgU * Sr + Sc * VhgV) / E + F.diag_embed(gS)
    if m > n:
        gA = U @ ret
        gUSinv = gU / Sr
        gA = gA + gUSinv - U @ (_mH(F, U) @ gUSinv)
        return gA @ Vh
    if m < n:
        gA = ret @ Vh
        SinvgVh = gVh / Sc
        gA = gA + SinvgVh - (SinvgVh @ _mH(F, Vh)) @ Vh
        return U @ gA
    return U @ (ret @ Vh)


LinalgSvdBackward0 = node_class("LinalgSvdBackward0", _svd_formula, nout=3)


def _svdvals_formula(F, gS, U, Vh):
    k = gS.shape[-1]
    if U.shape[-1] != k:
        U = U[..., :, :k]
    if Vh.shape[-2] != k:
        Vh = Vh[..., :k, :]
    return U @ (_unsq(gS, -1) * Vh)


LinalgSvdvalsBackward0 = node_class("LinalgSvdBackward0", _svdvals_formula)


def _np_svd(x, full_matrices, op):
    try:
        return np.linalg.svd(x, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The algorithm failed to converge because the input matrix is ill-conditioned or "
                          f"has too many repeated singular values.") from None


def svd(A, full_matrices=True, *, driver=None, out=None):
    A = _check(A, "linalg.svd", square=False, kernel="linalg_svd_cpu")
    U, S, Vh = _np_svd(A._data, full_matrices, "linalg.svd")
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    u, s, vh = _result(U, A._dtype), _result(S, real), _result(Vh, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgSvdBackward0, (u, s, vh), (A,), (u, s, vh), (full_matrices,))
    return SVDResult(u, s, vh) if out is None else write_outs(SVDResult, (u, s, vh), out, (A,), "linalg.svd")


def svdvals(A, *, driver=None, out=None):
    A = _check(A, "linalg.svdvals", square=False, kernel="linalg_svd_cpu")
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    if _gstate.enabled and A._rg:
        U, S, Vh = _np_svd(A._data, False, "linalg.svdvals")
        s = _result(S, real)
        record(LinalgSvdvalsBackward0, s, (A,), (_result(U, A._dtype), _result(Vh, A._dtype)))
        return s
    S = np.linalg.svd(A._data, compute_uv=False)
    if out is not None:
        return write_out(out, S.astype(real.np), real, (A,), "linalg.svdvals")
    return _result(S, real)


def _svd_legacy(input, some=True, compute_uv=True):
    """torch.svd: returns V (not Vh); ``some`` means reduced."""
    U, S, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        return SVDLegacy(U.detach() * 0, S, Vh.detach().mT * 0)
    return SVDLegacy(U, S, Vh.mH)


SVDLegacy = _structseq("svd", ("U", "S", "V"))


# ================================================================== eigh
EighResult = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _eigh_formula(F, grads, L, V):
    gL, gV = grads
    VH = _mH(F, V)
    VhgV = VH @ gV
    VhgV = 0.5 * (VhgV - _mH(F, VhgV))
    n = L.shape[-1]
    E = _unsq(L, -2) - _unsq(L, -1) + _eye(n, L, F)
    ret = VhgV / E + F.diag_embed(gL)
    return V @ (ret @ VH)


LinalgEighBackward0 = node_class("LinalgEighBackward0", _eigh_formula, nout=2)


def _eigvalsh_formula(F, gL, V):
    return (V * _unsq(gL, -2)) @ _mH(F, V)


LinalgEigvalshBackward0 = node_class("LinalgEighBackward0", _eigvalsh_formula)


def _np_eigh(x, UPLO, op):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    try:
        return np.linalg.eigh(x, UPLO=UPLO)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The algorithm failed to converge because the input matrix is ill-conditioned or "
                          f"has too many repeated eigenvalues.") from None


def eigh(A, UPLO="L", *, out=None):
    A = _check(A, "linalg.eigh", kernel="linalg_eigh_cpu", kernel_for_ints=True)
    L, V = _np_eigh(A._data, UPLO, "linalg.eigh")
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    l, v = _result(L, real), _result(V, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgEighBackward0, (l, v), (A,), (l, v))
    return EighResult(l, v) if out is None else write_outs(EighResult, (l, v), out, (A,), "linalg.eigh")


def eigvalsh(A, UPLO="L", *, out=None):
    A = _check(A, "linalg.eigvalsh", kernel="linalg_eigh_cpu", kernel_for_ints=True)
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    if _gstate.enabled and A._rg:
        L, V = _np_eigh(A._data, UPLO, "linalg.eigvalsh")
        l = _result(L, real)
        record(LinalgEigvalshBackward0, l, (A,), (_result(V, A._dtype),))
        return l
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigvalsh: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    res = _result(np.linalg.eigvalsh(A._data, UPLO=UPLO), real)
    if out is not None:
        return write_out(out, res._data, real, (A,), "linalg.eigvalsh")
    return res


# ================================================================== pinv
def _pinv_formula(F, g, A, P):
    m, n = A.shape[-2], A.shape[-1]
    PH = _mH(F, P)
    gH = _mH(F, g)
    if m <= n:
        K = gH @ P
        KPH = K @ PH
        return -_mH(F, P @ K) + KPH - (A @ P) @ KPH + (PH @ P) @ (gH - K @ A)
    K = P @ gH
    PHK = PH @ K
    return -_mH(F, K @ P) + (gH - A @ K) @ P @ PH + PHK - PHK @ P @ A


LinalgPinvBackward0 = node_class("LinalgPinvBackward0", _pinv_formula)


def _tolerances(S_max, m, n, dt, atol, rtol):
    """PyTorch's rule: rtol defaults to eps*max(m, n) unless atol > 0 is given; tol = max(atol, rtol*S_max)."""
    def val(t):
        return t._data if isinstance(t, Tensor) else t
    atol_v = 0.0 if atol is None else val(atol)
    if rtol is None:
        rtol_v = np.finfo(dt.np).eps * max(m, n) if (atol is None or np.all(np.asarray(atol_v) <= 0)) else 0.0
    else:
        rtol_v = val(rtol)
    return np.maximum(np.asarray(atol_v)[..., None] if np.ndim(atol_v) else atol_v,
                      (np.asarray(rtol_v)[..., None] if np.ndim(rtol_v) else rtol_v) * S_max)


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    # rcond and hermitian may come by position: PyTorch's deprecated pinv(input, rcond, hermitian) overload
    A = _check(A, "linalg.pinv", square=hermitian)
    if rcond is not None:
        rtol = rcond
    x = A._data
    m, n = x.shape[-2], x.shape[-1]
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    if hermitian:
        L, V = np.linalg.eigh(x)
        absL = np.abs(L)
        tol = _tolerances(absL.max(-1, keepdims=True) if L.shape[-1] else 0.0, m, n, real, atol, rtol)
        Linv = np.where(absL > tol, 1 / np.where(L == 0, 1, L), 0)
        res = (V * Linv[..., None, :]) @ np.conj(V).swapaxes(-1, -2)
    else:
        U, S, Vh = np.linalg.svd(x, full_matrices=False)
        tol = _tolerances(S[..., :1] if S.shape[-1] else 0.0, m, n, real, atol, rtol)
        Sinv = np.where(S > tol, 1 / np.where(S == 0, 1, S), 0)
        res = (np.conj(Vh).swapaxes(-1, -2) * Sinv[..., None, :]) @ np.conj(U).swapaxes(-1, -2)
    if out is not None:
        return write_out(out, res.astype(A._dtype.np, copy=False), A._dtype, (A,), "linalg.pinv")
    r = _result(res, A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgPinvBackward0, r, (A,), (A, r))
    return r


def _pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


# ================================================================== matrix_exp
def _array_expm(x):
    """exp of each square matrix in x (scipy's Pade scaling-and-squaring); half types through float32."""
    from scipy.linalg import expm
    if x.dtype.itemsize < 4 and x.dtype.kind != "c":
        return expm(x.astype(np.float32)).astype(x.dtype)
    return np.asarray(expm(x), x.dtype)


def _matrix_exp_formula(F, g, A):
    # PyTorch's rule: the gradient is the upper-right block of exp([[A^H, g], [0, A^H]])
    n = A.shape[-1]
    AH = _mH(F, A)
    big = F.cat([F.cat([AH, g], -1), F.cat([F.zeros_like(AH), AH], -1)], -2)
    return F.matrix_exp(big)[..., :n, n:]


LinalgMatrixExpBackward0 = node_class("LinalgMatrixExpBackward0", _matrix_exp_formula)
_LOW = (dtypes.float16, dtypes.bfloat16)


def matrix_exp(A):
    A = to_tensor_arg(A, "A", "linalg.matrix_exp")
    _check(A.float() if A._dtype in _LOW else A, "linalg.matrix_exp")   # half types are allowed here
    r = _result(_array_expm(A._data), A._dtype)
    if _gstate.enabled and A._rg:
        record(LinalgMatrixExpBackward0, r, (A,), (A,))
    return r


define("matrix_exp", _array_expm, matrix_exp)


# ================================================================== legacy top-level forms (torch.cholesky, torch.qr)
QRLegacy = _structseq("qr", ("Q", "R"))


def _cholesky_legacy(input, upper=False, *, out=None):
    import warnings
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release: L = torch.linalg.cholesky(A), U = torch.linalg.cholesky(A).mH",
                  UserWarning, stacklevel=3)
    return cholesky(input, upper=upper, out=out)


def _qr_legacy(input, some=True, *, out=None):
    """torch.qr: ``some`` means mode 'reduced', else 'complete'."""
    Q, R = qr(input, "reduced" if some else "complete")
    if out is not None:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("qr(): argument 'out' must be tuple of Tensors")
        Q = write_out(out[0], Q._data, Q._dtype, (input,), "qr")
        R = write_out(out[1], R._data, R._dtype, (input,), "qr")
    return QRLegacy(Q, R)


# ================================================================== cholesky_solve, cholesky_inverse
# Both read only the triangle of L that ``upper`` names (as LAPACK's potrs/potri); their backward formulas
# are PyTorch's, which multiply by the whole L given.
def _triangle(F, L, upper):
    return F.triu(L) if upper else F.tril(L)


def _cholesky_check(L, op, kernel):
    x = L._data
    if x.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{'cholesky_inverse: ' if op == 'cholesky_inverse' else ''}A must be batches of square "
                           f"matrices, but they are {x.shape[-2]} by {x.shape[-1]} matrices")
    if L._dtype not in (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128):
        from .ops.arithmetic import _TORCH_NAMES
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TORCH_NAMES[L._dtype.name]}'")


def _np_cholesky_solve(b, L, upper):
    """A^-1 b for A = T T^H (T = tril(L)) or T^H T (T = triu(L)): two triangular solves."""
    T = np.triu(L) if upper else np.tril(L)
    TH = T.conj().swapaxes(-1, -2)
    first, second = (TH, T) if upper else (T, TH)
    with np.errstate(all="ignore"):
        try:
            return _np_solve(second, _np_solve(first, b))
        except LinAlgError:        # PyTorch's potrs divides by the zero pivot: no error, non-finite values
            shape = np.broadcast_shapes(L.shape[:-2], b.shape[:-2]) + b.shape[-2:]
            return np.full(shape, np.nan, np.result_type(L, b))


def _cholesky_solve_formula(F, g, B, L, X, upper):
    T = _triangle(F, L, upper)
    A = _mH(F, T) @ T if upper else T @ _mH(F, T)
    gB = F.solve(A, g)
    common = gB @ _mH(F, X)
    common = common + _mH(F, common)
    return gB, -(L @ common) if upper else -(common @ L)


CholeskySolveBackward0 = node_class("CholeskySolveBackward0", _cholesky_solve_formula)


def _cholesky_solve(B, L, upper=False, *, out=None):
    """torch.cholesky_solve: X with A X = B, A = L L^H (or U^H U)."""
    B = to_tensor_arg(B, "input", "cholesky_solve")
    L = to_tensor_arg(L, "input2", "cholesky_solve")
    if B._data.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B._data.ndim} dimensions instead")
    _cholesky_check(L, "cholesky_solve", "cholesky_solve_cpu")
    if B._dtype is not L._dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {B._dtype.name} and A of "
                           f"type {L._dtype.name} instead.")
    b, l = B._data, L._data
    if b.shape[-2] != l.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {l.shape[-2]} by "
                           f"{l.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    _check_batches("cholesky_solve", ("b", b.shape), ("A", l.shape))
    res = _np_cholesky_solve(b, l, upper).astype(L._dtype.np, copy=False)
    if out is not None:
        return write_out(out, res, L._dtype, (B, L), "cholesky_solve")
    r = _result(res, L._dtype)
    if _gstate.enabled and (B._rg or L._rg):
        record(CholeskySolveBackward0, r, (B, L), (B, L, r), (upper,))
    return r


def _cholesky_inverse_formula(F, g, L, R, upper):
    common = R @ (g + _mH(F, g)) @ R
    return -(L @ common) if upper else -(common @ L)


CholeskyInverseBackward0 = node_class("CholeskyInverseBackward0", _cholesky_inverse_formula)


def _cholesky_inverse(L, upper=False, *, out=None):
    """torch.cholesky_inverse: A^-1 for A = L L^H (or U^H U): T^-H T^-1 (or T^-1 T^-H), T the triangle."""
    L = to_tensor_arg(L, "input", "cholesky_inverse")
    _cholesky_check(L, "cholesky_inverse", "cholesky_inverse_out_cpu")
    l = L._data
    T = np.triu(l) if upper else np.tril(l)
    diag = np.diagonal(T, axis1=-2, axis2=-1)
    if (diag == 0).any():
        i = int(np.argmax((diag == 0).reshape(-1, diag.shape[-1]).any(0))) + 1
        raise LinAlgError(f"cholesky_inverse: The diagonal element {i} is zero, the inversion could not be completed "
                          f"because the input matrix is singular.")
    Ti = _np_inv(T, "cholesky_inverse")
    TiH = Ti.conj().swapaxes(-1, -2)
    res = (Ti @ TiH if upper else TiH @ Ti).astype(L._dtype.np, copy=False)
    if out is not None:
        return write_out(out, res, L._dtype, (L,), "cholesky_inverse")
    r = _result(res, L._dtype)
    if _gstate.enabled and L._rg:
        record(CholeskyInverseBackward0, r, (L,), (L, r), (upper,))
    return r


TriangularSolveResult = _structseq("triangular_solve", ("solution", "cloned_coefficient"))


def _triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve: X with op(T) X = input, T the upper (or lower) triangle of A (its diagonal
    taken as ones when unitriangular), op a transpose when asked; composed of differentiable ops, so A's
    gradient lands on that triangle only, as PyTorch's does."""
    from .ops.linalg import tril, triu
    B = to_tensor_arg(input, "input", "triangular_solve")
    A = to_tensor_arg(A, "A", "triangular_solve")
    T = triu(A, 1 if unitriangular else 0) if upper else tril(A, -1 if unitriangular else 0)
    if unitriangular:
        T = T + _result(np.eye(A._data.shape[-1]), A._dtype)
    X = solve(T.mT if transpose else T, B)
    C = A.clone()
    if out is not None:
        X = write_out(out[0], X._data, X._dtype, (B, A), "triangular_solve")
        C = write_out(out[1], C._data, C._dtype, (A,), "triangular_solve")
    return TriangularSolveResult(X, C)


def _nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """torch.nuclear_norm: the sum of singular values over the two dims (the last two by default)."""
    if isinstance(dim, bool):                # the (input, keepdim) overload
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim, out=out)


def _frobenius_norm(input, dim, keepdim=False, *, out=None):
    """torch.frobenius_norm: sqrt(sum |x|^2) over dim (at most two of them)."""
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    return vector_norm(input, 2, dim=dim, keepdim=keepdim, out=out)


# ================================================================== LU
LUResult = _structseq("linalg_lu", ("P", "L", "U"))
LUFactorResult = _structseq("linalg_lu_factor", ("LU", "pivots"))
LUUnpackResult = _structseq("lu_unpack", ("P", "L", "U"))


def _right_solve(F, X, M):
    """X M^{-1}."""
    return F.solve(M.mT, X.mT).mT


def _lu_formula(F, grads, P, L, U):
    # PyTorch's linalg_lu_backward (FunctionsManual.cpp): square, wide (m < n) and tall (m > n) cases
    _, gL, gU = grads
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    LH, UH = _mH(F, L), _mH(F, U)
    if m == n:
        phi = F.tril(LH @ gL, -1) + F.triu(gU @ UH)
        return P @ F.solve(LH, _right_solve(F, phi, UH))
    if m < n:
        phi = F.tril(LH @ gL - F.triu(gU) @ UH, -1)
        phi = _right_solve(F, phi, _mH(F, U[..., :, :k]))
        phi = F.cat([phi + F.triu(gU[..., :, :k]), gU[..., :, k:]], -1)
        return P @ F.solve(LH, phi)
    phi = F.triu(gU @ UH - LH @ F.tril(gL, -1))
    phi = F.solve(_mH(F, L[..., :k, :]), phi)
    phi = F.cat([phi + F.tril(gL[..., :k, :], -1), gL[..., k:, :]], -2)
    return P @ _right_solve(F, phi, UH)


LinalgLuBackward0 = node_class("LinalgLuBackward0", _lu_formula, nout=3)


def _np_lu(x):
    """P, L, U of each matrix in x (scipy's getrf with partial pivoting), batch by batch."""
    from scipy.linalg import lu as sp_lu
    m, n = x.shape[-2:]
    k = min(m, n)
    P = np.zeros(x.shape[:-2] + (m, m), x.dtype)
    L = np.zeros(x.shape[:-2] + (m, k), x.dtype)
    U = np.zeros(x.shape[:-2] + (k, n), x.dtype)
    for i in np.ndindex(x.shape[:-2]):
        P[i], L[i], U[i] = sp_lu(x[i])
    return P, L, U


def lu(A, *, pivot=True, out=None):
    """A = P L U with L unit lower triangular (m x k) and U upper triangular (k x n), k = min(m, n)."""
    A = _check(A, "linalg.lu", square=False, kernel="lu_cpu", kernel_for_ints=True)
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    P, L, U = (_result(a, A._dtype) for a in _np_lu(A._data))
    if _gstate.enabled and A._rg:
        record(LinalgLuBackward0, (P, L, U), (A,), (P, L, U))
        P._grad_fn, P._rg = None, False              # the permutation is not differentiable
    return LUResult(P, L, U) if out is None else write_outs(LUResult, (P, L, U), out, (A,), "linalg.lu")


def _pivots_of(P, k):
    """LAPACK's k 1-based row interchanges (row i swapped with row piv[i] - 1, for i in order) that bring the
    rows of A into the order of L U, from the permutation matrices P of A = P L U."""
    m = P.shape[-1]
    piv = np.zeros(P.shape[:-2] + (k,), np.int32)
    for b in np.ndindex(P.shape[:-2]) if k else ():
        wanted = np.argmax(P[b], axis=0)        # row i of L U is row wanted[i] of A
        current = list(range(m))                 # current[i]: the row of A now at position i
        pos = list(range(m))                     # pos[r]: the position of row r of A now
        for i in range(k):
            j = pos[wanted[i]]
            piv[b + (i,)] = j + 1
            current[i], current[j] = current[j], current[i]
            pos[current[i]], pos[current[j]] = i, j
    return piv


def _zero_padded(x, rows, cols):
    """x with zero rows and columns appended up to rows x cols (differentiable)."""
    from .ops.joining import cat
    r, c = x._data.shape[-2:]
    batch = x._data.shape[:-2]
    if c < cols:
        x = cat([x, _result(np.zeros(batch + (r, cols - c)), x._dtype)], -1)
    if r < rows:
        x = cat([x, _result(np.zeros(batch + (rows - r, cols)), x._dtype)], -2)
    return x


def lu_factor(A, *, pivot=True, out=None):
    """The LU decomposition packed as LAPACK's getrf gives it (L's strict lower part and U in one m x n
    matrix) and the 1-based pivots. Differentiable through linalg.lu."""
    from .ops.linalg import tril
    P, L, U = lu(A, pivot=pivot)
    m, n = A._data.shape[-2:]
    LU = tril(_zero_padded(L, m, n), -1) + _zero_padded(U, m, n)
    piv = make_tensor(_pivots_of(P._data, min(m, n)), dtypes.int32)
    if out is not None:
        return write_outs(LUFactorResult, (LU, piv), out, (A,), "linalg.lu_factor")
    return LUFactorResult(LU, piv)


def _permutation_of(pivots, m, dtype):
    """The permutation matrices P (A = P L U) of LAPACK pivots."""
    piv = pivots._data.astype(np.int64) - 1
    P = np.zeros(piv.shape[:-1] + (m, m), dtype.np)
    for b in np.ndindex(piv.shape[:-1]):
        order = list(range(m))
        for i, j in enumerate(piv[b]):
            order[i], order[j] = order[j], order[i]
        P[b + (np.array(order), np.arange(m))] = 1      # row i of L U is row order[i] of A
    return make_tensor(P, dtype)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """P, L, U from lu_factor's packed form (differentiable in LU_data)."""
    from .ops.linalg import tril, triu
    LU_data = to_tensor_arg(LU_data, "LU_data", "lu_unpack")
    m, n = LU_data._data.shape[-2:]
    k = min(m, n)
    empty = _result(np.zeros((0,)), LU_data._dtype)
    P = _permutation_of(to_tensor_arg(LU_pivots, "LU_pivots", "lu_unpack"), m, LU_data._dtype) \
        if unpack_pivots else empty
    if not unpack_data:
        return LUUnpackResult(P, empty, empty)
    L = tril(LU_data[..., :, :k], -1) + _result(np.eye(m, k), LU_data._dtype)
    U = triu(LU_data[..., :k, :])
    return LUUnpackResult(P, L, U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (or X A = B, or with A^H), A = P L U given by lu_factor; differentiable in LU and B."""
    _check(LU, "linalg.lu_solve", square=False, kernel="linalg.lu_solve_cpu")
    P, L, U = lu_unpack(LU, pivots)
    A = P @ L @ U
    A = A.mH if adjoint else A
    X = solve(A, to_tensor_arg(B, "B", "linalg.lu_solve"), left=left)
    return X if out is None else write_out(out, X._data, X._dtype, (LU, B), "linalg.lu_solve")


def _lu_legacy(A, pivot=True, get_infos=False, out=None):
    """torch.lu: (LU, pivots), with the LAPACK infos (zeros: factorizations that finished) when asked."""
    LU, piv = lu_factor(A, pivot=pivot)
    if not get_infos:
        return LU, piv
    return LU, piv, make_tensor(np.zeros(LU._data.shape[:-2], np.int32), dtypes.int32)


def _lu_solve_legacy(b, LU_data, LU_pivots, *, out=None):
    return lu_solve(LU_data, LU_pivots, b, out=out)


# ================================================================== composites
CopyBackwards = node_class("CopyBackwards", lambda F, g: F.zeros_like(g))


def matrix_power(A, n, *, out=None):
    A = to_tensor_arg(A, "A", "linalg.matrix_power")
    x = A._data
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{'x'.join(str(s) for s in x.shape[-2:])} matrices")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        r = make_tensor(np.broadcast_to(np.eye(x.shape[-1], dtype=A._dtype.np), x.shape).copy(), A._dtype)
        if _gstate.enabled and A._rg:      # as PyTorch: connected to A, with a zero gradient
            record(CopyBackwards, r, (A,))
    else:
        if n < 0:
            A = inv(A)
            n = -n
        r, base = None, A
        while n:
            if n & 1:
                r = base if r is None else matmul(r, base)
            n >>= 1
            if n:
                base = matmul(base, base)
    if out is not None:
        return write_out(out, r._data, r._dtype, (A,), "linalg.matrix_power")
    return r


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    # tol and hermitian may come by position: PyTorch's deprecated matrix_rank(input, tol, hermitian) overload
    A = _check(A, "linalg.matrix_rank", square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    x = A._data
    m, n = x.shape[-2], x.shape[-1]
    real = dtypes.float64 if A._dtype in (dtypes.float64, dtypes.complex128) else dtypes.float32
    S = np.abs(np.linalg.eigvalsh(x)) if hermitian else np.linalg.svd(x, compute_uv=False)
    smax = S.max(-1, keepdims=True) if S.shape[-1] else np.zeros(S.shape[:-1] + (1,), S.dtype)
    t = _tolerances(smax, m, n, real, atol, rtol)
    res = np.asarray((S > t).sum(-1), np.int64)
    if out is not None:
        return write_out(out, res, dtypes.int64, (), "linalg.matrix_rank")
    return make_tensor(res, dtypes.int64)


def multi_dot(tensors, *, out=None):
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec, last_vec = tensors[0]._data.ndim == 1, tensors[-1]._data.ndim == 1
    for k, t in enumerate(tensors):
        nd = t._data.ndim
        if (k == 0 and nd not in (1, 2)) or (k == len(tensors) - 1 and nd not in (1, 2)) or \
                (0 < k < len(tensors) - 1 and nd != 2):
            raise RuntimeError(f"multi_dot(): tensor {k} must be 2D" + (" or 1D" if k in (0, len(tensors) - 1)
                                                                        else "") + f" but got {nd}D")
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].reshape(1, -1)
    if last_vec:
        mats[-1] = mats[-1].reshape(-1, 1)
    # Order the products by NumPy's optimal chain order (cost only; values are exact products).
    r = _chain(mats)
    if first_vec and last_vec:
        r = r.reshape(())
    elif first_vec:
        r = r.reshape(-1)
    elif last_vec:
        r = r.reshape(-1)
    if out is not None:
        return write_out(out, r._data, r._dtype, tensors, "multi_dot")
    return r


def _chain(mats):
    n = len(mats)
    if n == 1:
        return mats[0]
    if n == 2:
        return matmul(mats[0], mats[1])
    dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = float("inf")
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return matmul(build(i, k), build(k + 1, j))
    return build(0, n - 1)


def _chain_matmul(*matrices, out=None):
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices, out=out)


def cross(input, other, *, dim=-1, out=None):
    return _cross(to_tensor_arg(input, "input", "linalg.cross"), to_tensor_arg(other, "other", "linalg.cross"), dim,
                  "linalg.cross", out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    from . import ops as _ops  # noqa: F401
    from .ops.linalg import einsum
    from .ops.arithmetic import _TORCH_NAMES
    for t in (x, y):
        if t._dtype.category < dtypes._FLOAT:
            raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                               f"{_TORCH_NAMES[t._dtype.name]}")
    nd = max(x._data.ndim, y._data.ndim)
    x2 = x.reshape((1,) * (nd - x._data.ndim) + tuple(x._data.shape)) if x._data.ndim < nd else x
    y2 = y.reshape((1,) * (nd - y._data.ndim) + tuple(y._data.shape)) if y._data.ndim < nd else y
    d = wrap_dim(dim, nd, "linalg.vecdot")
    s = "".join(chr(ord("a") + k) for k in range(nd))
    if x._dtype.is_complex:
        x2 = x2.conj()
    return einsum(f"{s},{s}->{s[:d] + s[d + 1:]}", x2, y2, out=out)


# ------------------------------------------------------------------ norms (written in ember/ops/reduction.py)
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    from .ops import reduction
    kwargs = {"dtype": dtype} if dtype is not None else {}
    if out is not None:
        kwargs["out"] = out
    return reduction.vector_norm(x, ord, dim, keepdim, **kwargs)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    from .ops import reduction
    kwargs = {"dtype": dtype} if dtype is not None else {}
    if out is not None:
        kwargs["out"] = out
    return reduction.matrix_norm(A, ord, dim, keepdim, **kwargs)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    A = to_tensor_arg(A, "A", "linalg.norm")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        dim = tuple(dim)
        if len(dim) == 1:
            dim = dim[0]
    if isinstance(dim, tuple):
        if len(dim) != 2:
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if dim is None and ord is not None:
        nd = A._data.ndim
        if nd == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
        if nd != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                               f"{nd}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord '{ord}' is a matrix norm; pass a 2-tuple dim")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def matmul_(input, other, *, out=None):   # noqa: D401 - torch.linalg.matmul is torch.matmul
    return matmul(input, other, out=out)


from .ops import linalg_extra as _more  # noqa: E402  (the *_ex variants, lstsq, cond...: composed of the above)
from .ops.linalg_extra import *  # noqa: E402,F401,F403

attach(cholesky=lambda self, upper=False: cholesky(self, upper=upper), pinverse=_pinverse, logdet=logdet,
       matrix_exp=matrix_exp, qr=_qr_legacy,
       cholesky_solve=lambda self, input2, upper=False: _cholesky_solve(self, input2, upper),
       cholesky_inverse=_cholesky_inverse, lu=_lu_legacy, lu_solve=_lu_solve_legacy,
       triangular_solve=lambda self, A, upper=True, transpose=False, unitriangular=False: _triangular_solve(
           self, A, upper, transpose, unitriangular))

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "cholesky", "qr", "svd", "svdvals", "eigh", "eigvalsh",
           "pinv", "matrix_power", "matrix_rank", "multi_dot", "cross", "diagonal", "vecdot", "vector_norm",
           "matrix_norm", "norm", "matmul", "matrix_exp", "lu", "lu_factor", "lu_solve"] + _more.__all__
