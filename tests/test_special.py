"""ember.special against torch.special: values, dtypes (int promotes, half precisions), gradients
(float32, float64, second order), gradcheck, 0-d/empty/broadcast shapes, scalar operands, PyTorch's
refusals (dtypes, zeta's derivative in its first argument), and lazy loading."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
import ember.special
from oracle import check, random_array, same_error, to_ember, to_torch

# name -> (input range, second order compared with torch, half precisions allowed, gradient tolerances)
# Gradient tolerances {dtype: (rtol, atol)}, where torch's own kernels set the achievable agreement:
# digamma's derivative is trigamma, which torch computes to ~1e-9 (scipy to ~1e-15); sinc's derivative
# (pi x cos(pi x) - sin(pi x)) / (pi x^2) cancels near 0, ~1e-4 absolute in float32 for |x| ~ 1e-3.
_TRIGAMMA = {"float64": (1e-8, None)}
_SINC = {"float64": (1e-7, None), "float32": (None, 1e-4)}
# torch's Bessel and Airy kernels are off by up to ~5e-7 (bessel_j0 near |x| = 5; scipy's by ~1e-15):
# FORWARD_ATOL for the functions torch does not differentiate.
UNARY = {
    "erf": ((-3, 3), True, True, None),
    "erfc": ((-3, 3), True, True, None),
    "erfcx": ((-3, 5), True, False, None),
    "erfinv": ((-0.9, 0.9), True, True, None),
    "expit": ((-4, 4), True, True, None),
    "exp2": ((-3, 3), True, True, None),
    "expm1": ((-3, 3), True, True, None),
    "log1p": ((-0.9, 3), True, True, None),
    "gammaln": ((0.1, 6), True, True, _TRIGAMMA),
    "digamma": ((0.1, 6), True, True, _TRIGAMMA),
    "psi": ((0.1, 6), True, True, _TRIGAMMA),     # near the poles at 0, -1, ... trigamma's float32 rounding differs
    "i0": ((-4, 4), True, True, None),
    "i0e": ((-4, 4), True, True, None),
    "i1": ((-4, 4), True, True, None),
    "i1e": ((-4, 4), True, True, None),
    "ndtr": ((-4, 4), True, True, None),
    "ndtri": ((0.02, 0.98), True, False, None),
    "log_ndtr": ((-6, 4), True, False, None),
    "sinc": ((-3, 3), True, True, _SINC),
    "entr": ((0.05, 3), True, True, None),
    "bessel_j0": ((-8, 8), False, False, None),
    "bessel_j1": ((-8, 8), False, False, None),
    "bessel_y0": ((0.1, 8), False, False, None),
    "bessel_y1": ((0.1, 8), False, False, None),
    "modified_bessel_i0": ((-5, 5), False, False, None),
    "modified_bessel_i1": ((-5, 5), False, False, None),
    "modified_bessel_k0": ((0.1, 5), False, False, None),
    "modified_bessel_k1": ((0.1, 5), False, False, None),
    "scaled_modified_bessel_k0": ((0.1, 5), False, False, None),
    "scaled_modified_bessel_k1": ((0.1, 5), False, False, None),
    "spherical_bessel_j0": ((-8, 8), False, False, None),
    "airy_ai": ((-5, 3), False, False, None),
}
NOT_DIFFERENTIABLE = [n for n, (_, second, *_) in UNARY.items() if not second]
SHAPES = [(), (0,), (5,), (2, 3, 4)]
FORWARD_ATOL = {**dict.fromkeys(NOT_DIFFERENTIABLE, 1e-6), "airy_ai": 5e-6}   # airy_ai: 3e-6 near x = -2.09


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype, shape):
    (lo, hi), second, _, grad_tol = UNARY[name]
    grad_rtol, grad_atol = (grad_tol or {}).get(dtype, (None, None))
    atol = FORWARD_ATOL.get(name)
    check(lambda lib, x: getattr(lib.special, name)(x), [shape], dtype=dtype, low=lo, high=hi, atol=atol,
          second_order=second and dtype == "float64", grad_rtol=grad_rtol, grad_atol=grad_atol)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_points(name):
    """0, the ends of the domain, inf and nan, where the kernels branch."""
    x = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-8, 30.0, -30.0, np.inf, -np.inf, np.nan])
    check(lambda lib, x: getattr(lib.special, name)(x), [x], dtype="float64", grad=False,
          atol=FORWARD_ATOL.get(name))


@pytest.mark.parametrize("name", [n for n, ((lo, hi), second, *_) in UNARY.items() if second and lo < 0 < hi])
def test_unary_gradient_at_zero(name):
    """0 (and near it), where sinc, i1, i1e and entr switch formulas, for every function defined there."""
    check(lambda lib, x: getattr(lib.special, name)(x), [np.array([0.0, 0.25])], dtype="float64")


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_dtypes(name):
    """Integers and bools give the default float dtype; half precisions stay, where torch allows them."""
    (lo, hi), _, low, _ = UNARY[name]
    for dt in ("int64", "int32", "bool"):
        check(lambda lib, x: getattr(lib.special, name)(x), [random_array((4,), dt, max(lo, 0), hi)], grad=False)
    for dt in ("float16", "bfloat16"):
        if low:
            check(lambda lib, x: getattr(lib.special, name)(x), [(6,)], dtype=dt, low=lo, high=hi, grad=False)
        else:
            same_error(lambda lib: getattr(lib.special, name)(lib.ones(3, dtype=getattr(lib, dt)) * 0.5))


@pytest.mark.parametrize("name", sorted(n for n in UNARY if n not in ("expit", "exp2", "expm1", "log1p", "sinc")))
def test_unary_complex_refused(name):
    same_error(lambda lib: getattr(lib.special, name)(lib.ones(3, dtype=lib.complex64)))


@pytest.mark.parametrize("name", ["sinc", "expit", "expm1"])
def test_unary_complex(name):
    check(lambda lib, x: getattr(lib.special, name)(x), [(5,)], dtype="complex128")


@pytest.mark.parametrize("name", sorted(n for n in UNARY if n not in NOT_DIFFERENTIABLE))
def test_gradcheck_unary(name):
    (lo, hi), *_ = UNARY[name]
    x = ember.tensor(random_array((2, 3), "float64", lo, hi)).requires_grad_()
    fn = getattr(ember.special, name)
    assert ember.autograd.gradcheck(fn, [x])
    assert ember.autograd.gradgradcheck(fn, [x])


def test_not_differentiable_as_torch():
    for name in NOT_DIFFERENTIABLE:
        for lib in (ember, torch):
            assert not getattr(lib.special, name)(lib.ones(2, requires_grad=True)).requires_grad


def test_out():
    x = random_array((4,), "float32", -2, 2)
    for name in ("erfcx", "i0", "sinc", "ndtr"):
        out = ember.empty(4)
        assert getattr(ember.special, name)(to_ember(x), out=out) is out
        check(lambda lib, t: getattr(lib.special, name)(t), [x], grad=False)
        np.testing.assert_allclose(out.numpy(), getattr(torch.special, name)(to_torch(x)).numpy(), rtol=1e-6)


# ---------------------------------------------------------------- functions with more arguments
CASES = {
    "logit_eps": (lambda lib, x: lib.special.logit(x, eps=0.1), [(3, 4)], (0.02, 0.98)),
    "logit": (lambda lib, x: lib.special.logit(x), [(3,)], (0.05, 0.95)),
    "polygamma2": (lambda lib, x: lib.special.polygamma(2, x), [(2, 3)], (0.5, 4)),
    "multigammaln": (lambda lib, x: lib.special.multigammaln(x, 3), [(2, 3)], (1.1, 5)),
    "multigammaln_p1_0d": (lambda lib, x: lib.special.multigammaln(x, 1), [()], (0.5, 5)),
    "logsumexp": (lambda lib, x: lib.special.logsumexp(x, 1), [(2, 3, 2)], (-3, 3)),
    "logsumexp_keepdim": (lambda lib, x: lib.special.logsumexp(x, (0, 2), keepdim=True), [(2, 3, 2)], (-3, 3)),
    "softmax": (lambda lib, x: lib.special.softmax(x, 1), [(2, 3)], (-3, 3)),
    "softmax_dtype": (lambda lib, x: lib.special.softmax(x, 0, dtype=lib.float64), [(2, 3)], (-3, 3)),
    "log_softmax": (lambda lib, x: lib.special.log_softmax(x, -1), [(2, 3)], (-3, 3)),
    "round_decimals": (lambda lib, x: lib.special.round(x, decimals=2), [(5,)], (-3, 3)),
    "round": (lambda lib, x: lib.special.round(x), [(5,)], (-3, 3)),
    "xlogy": (lambda lib, x, y: lib.special.xlogy(x, y), [(2, 3), (3,)], (0.1, 3)),
    "xlog1py": (lambda lib, x, y: lib.special.xlog1py(x, y), [(2, 1), (3,)], (-0.5, 3)),
    "xlog1py_0d": (lambda lib, x, y: lib.special.xlog1py(x, y), [(), (4,)], (-0.5, 3)),
    "xlog1py_scalar_input": (lambda lib, y: lib.special.xlog1py(2.5, y), [(4,)], (-0.5, 3)),
    "xlog1py_scalar_other": (lambda lib, x: lib.special.xlog1py(x, 3), [(4,)], (-0.5, 3)),
    "xlog1py_zero_input": (lambda lib, x, y: lib.special.xlog1py(x * (x > 1), y), [(4,), (4,)], (-0.5, 3)),
    "gammainc": (lambda lib, a, x: lib.special.gammainc(a.detach(), x), [(2, 3), (3,)], (0.3, 4)),
    "gammaincc": (lambda lib, a, x: lib.special.gammaincc(a.detach(), x), [(2, 1), (3,)], (0.3, 4)),
    "zeta_q": (lambda lib, q: lib.special.zeta(3.5, q), [(2, 3)], (0.5, 3)),
    "zeta_q_tensor_x": (lambda lib, q: lib.special.zeta(lib.tensor([2.5, 3.0, 4.0], dtype=q.dtype), q),
                        [(2, 3)], (0.5, 3)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_functions(name, dtype):
    fn, inputs, (lo, hi) = CASES[name]
    grad_rtol = 1e-8 if dtype == "float64" and name.startswith(("multigammaln", "polygamma")) else None
    check(fn, inputs, dtype=dtype, low=lo, high=hi, second_order=dtype == "float64", grad_rtol=grad_rtol)


def test_zeta_forward_domain():
    x = np.array([1.0, 0.5, 2.0, 3.0, 2.0, 2.5, 4.0, np.inf])
    q = np.array([1.0, 2.0, -1.0, -2.5, 0.0, 1.5, 10.0, 2.0])
    check(lambda lib, a, b: lib.special.zeta(a, b), [x, q], dtype="float64", grad=False)
    check(lambda lib, a, b: lib.special.zeta(a, b), [np.array([2, 3, 1, 0]), np.array([1, 4, 2, -3])], grad=False)


def test_xlog1py_dtypes_and_special_points():
    x = np.array([0.0, 0.0, 1.0, 2.0, 0.0])
    y = np.array([np.nan, -1.0, -1.0, np.inf, 3.0])
    check(lambda lib, a, b: lib.special.xlog1py(a, b), [x, y], dtype="float64", grad=False)
    check(lambda lib, a, b: lib.special.xlog1py(a, b), [np.array([2, 0]), np.array([1, 3])], grad=False)


def test_zeta_derivative_in_input_not_implemented():
    """torch records zeta; its backward into the first argument raises NotImplementedError."""
    for lib in (ember, torch):
        x = lib.tensor([2.5, 3.0], requires_grad=True)
        y = lib.special.zeta(x, lib.tensor([1.0, 2.0]))
        assert y.requires_grad
        with pytest.raises(NotImplementedError):
            y.sum().backward()
        y = lib.special.zeta(x, 2.0)
        with pytest.raises(NotImplementedError):
            y.sum().backward()


def test_gammainc_domain():
    a = np.array([1.0, 0.0, 0.0, -1.0, 1.0, np.inf, 1.0, 2.0, np.nan])
    x = np.array([0.0, 1.0, 0.0, 1.0, -1.0, 1.0, np.inf, 3.0, 1.0])
    for name in ("gammainc", "gammaincc"):
        check(lambda lib, a, x: getattr(lib.special, name)(a, x), [a, x], dtype="float64", grad=False)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gammainc_derivative_in_input_not_implemented(name):
    for lib in (ember, torch):
        a = lib.tensor([1.5, 2.0], requires_grad=True)
        y = getattr(lib.special, name)(a, lib.tensor([1.0, 2.0]))
        assert y.requires_grad
        with pytest.raises(NotImplementedError):
            y.sum().backward()


def test_gradcheck_binary_and_multigammaln():
    q = ember.tensor(random_array((3,), "float64", 0.5, 3)).requires_grad_()
    x = ember.tensor(random_array((3,), "float64", 0.5, 3)).requires_grad_()
    for fn, args in ((lambda q: ember.special.zeta(3.0, q), [q]),
                     (lambda x, q: ember.special.xlog1py(x, q), [x, q]),
                     (lambda x: ember.special.multigammaln(x + 2, 3), [x]),
                     (lambda q: ember.special.gammainc(x.detach(), q), [q]),
                     (lambda q: ember.special.gammaincc(x.detach() + 1, q), [q])):
        assert ember.autograd.gradcheck(fn, args)
        assert ember.autograd.gradgradcheck(fn, args)


ERRORS = {
    "multigammaln_p": lambda lib: lib.special.multigammaln(lib.tensor([3.0]), 0),
    "xlog1py_two_numbers": lambda lib: lib.special.xlog1py(2, 3),
    "xlog1py_broadcast": lambda lib: lib.special.xlog1py(lib.ones(2), lib.ones(3)),
    "zeta_complex": lambda lib: lib.special.zeta(lib.ones(2, dtype=lib.complex64), lib.ones(2, dtype=lib.complex64)),
    "softmax_int": lambda lib: lib.special.softmax(lib.tensor([1, 2]), 0),
    "logsumexp_dim": lambda lib: lib.special.logsumexp(lib.ones(2), 1),
    "polygamma_negative": lambda lib: lib.special.polygamma(-1, lib.ones(2)),
    "round_int": lambda lib: lib.special.round(lib.tensor([1, 2]), decimals=1),
    "erfcx_not_tensor": lambda lib: lib.special.erfcx(1.0),
    "gammainc_int": lambda lib: lib.special.gammainc(lib.tensor([1, 2]), lib.tensor([1, 2])),
    "gammainc_number": lambda lib: lib.special.gammainc(lib.ones(2), 2.0),
    "gammaincc_number": lambda lib: lib.special.gammaincc(2.0, lib.ones(2)),
    "gammaincc_broadcast": lambda lib: lib.special.gammaincc(lib.ones(2), lib.ones(3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_class(name):
    same_error(ERRORS[name])


def test_every_listed_name_is_torch_special():
    for name in ember.special.__all__:
        assert hasattr(torch.special, name), name
        assert callable(getattr(ember.special, name)), name


def test_lazy_loading():
    """`import ember` loads neither ember.special nor scipy; attribute access and `import ember.special` do."""
    code = ("import sys, ember; assert 'ember.special' not in sys.modules and 'scipy' not in sys.modules; "
            "s = ember.special; assert sys.modules['ember.special'] is s; import ember.special as t; "
            "assert t is s; assert 'special' in dir(ember); s.i0(ember.ones(1)); assert 'scipy' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- orthogonal polynomials (not differentiable)
POLYNOMIALS = ember.special._POLYNOMIALS
_X = np.array([-1.5, -1.0, -0.6, 0.0, 0.3, 0.5, 1.0, 1.2, 2.5, -0.2, 0.9, 1.7, -2.0])
_N = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 11.0, 2.7, np.nan])   # truncated; <0, NaN: 0


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    fn = getattr(ember.special, name)
    assert fn.__name__ == name and hasattr(torch.special, name)
    call = lambda lib, x, n: getattr(lib.special, name)(x, n)  # noqa: E731
    check(call, [_X, _N], dtype="float64", grad=False, rtol=1e-9, atol=1e-9)
    check(call, [_X.reshape(-1, 1), np.arange(8.0)], dtype="float64", grad=False, rtol=1e-9, atol=1e-9)  # broadcast
    check(call, [_X.astype(np.float32), np.arange(13)], grad=False)               # integer n
    check(lambda lib, x: getattr(lib.special, name)(x, 4), [(5,)], grad=False)     # a number n
    check(lambda lib, n: getattr(lib.special, name)(0.4, n), [np.arange(6)], grad=False)   # a number x
    check(lambda lib, x: getattr(lib.special, name)(x, 3), [random_array((4,), "int64", -3, 3)], grad=False)
    check(lambda lib, x: getattr(lib.special, name)(x, 3), [()], grad=False)
    for lib in (ember, torch):
        assert not getattr(lib.special, name)(lib.ones(2, requires_grad=True), 3).requires_grad
    same_error(lambda lib: getattr(lib.special, name)(lib.ones(2, dtype=lib.float16), 2))
    same_error(lambda lib: getattr(lib.special, name)(lib.ones(2), lib.ones(3)))
    out = ember.empty(0)
    assert fn(ember.ones(3), 2, out=out) is out
    np.testing.assert_allclose(out.numpy(), getattr(torch.special, name)(torch.ones(3), 2).numpy())


@pytest.mark.parametrize("name", ["xlogy", "special.xlogy", "special.xlog1py"])
def test_xlogy_family_gradient_where_x_is_zero(name):
    """At x = 0 the slope in x is log(y) (log1p(y)), 0 only where y is outside the domain, as PyTorch's
    formula (masked where x == 0 and y <= 0, or y <= -1); random inputs never hit x == 0."""
    x = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0])
    y = np.array([0.0, -1.0, -2.0, -2.0, 2.0, 1.0, 0.5])

    def fn(lib, x, y):
        f = lib
        for part in name.split("."):
            f = getattr(f, part)
        return f(x, y)
    with np.errstate(all="ignore"):
        check(fn, [x, y], dtype="float64")
