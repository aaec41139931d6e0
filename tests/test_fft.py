"""ember.fft against torch.fft: values, result dtypes, shapes and gradients (the adjoint
transforms) for real and complex inputs, with n/s, dim and norm arguments."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, same_error

NORMS = [None, "backward", "ortho", "forward"]
TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-10),
       "complex64": dict(rtol=2e-4, atol=2e-5), "complex128": dict(rtol=1e-9, atol=1e-10)}


def _run(fn, shape, dtype, second_order=False):
    check(fn, [shape], dtype=dtype, second_order=second_order, **TOL[dtype])


# (function, shape, kwargs): 1-d transforms with trimming (n < size), padding (n > size), odd and even n
ONE_D = [
    ("fft", (8,), {}), ("fft", (3, 7), {"n": 10}), ("fft", (4, 6), {"n": 4, "dim": 0}),
    ("ifft", (9,), {}), ("ifft", (2, 3, 5), {"n": 7, "dim": 1}),
    ("rfft", (8,), {}), ("rfft", (3, 7), {}), ("rfft", (5, 6), {"n": 9, "dim": 0}), ("rfft", (4, 10), {"n": 6}),
    ("ihfft", (7,), {}), ("ihfft", (3, 8), {"n": 5}),
]
C2R = [  # complex input only (irfft/hfft take a one-sided spectrum)
    ("irfft", (5,), {}), ("irfft", (3, 6), {"n": 11}), ("irfft", (4, 5), {"n": 4, "dim": 0}),
    ("irfft", (2, 7), {"n": 14}), ("hfft", (5,), {}), ("hfft", (3, 4), {"n": 9}), ("hfft", (6, 2), {"dim": 0}),
]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("name,shape,kw", ONE_D + C2R)
def test_one_dimensional(name, shape, kw, dtype, norm):
    if name in ("rfft", "ihfft") and dtype.startswith("complex"):
        same_error(lambda lib: getattr(lib.fft, name)(lib.ones(3, dtype=getattr(lib, dtype))))
        return
    _run(lambda lib, x: getattr(lib.fft, name)(x, norm=norm, **kw), shape, dtype)


ND = [
    ("fftn", (3, 4, 5), {}), ("fftn", (3, 4, 5), {"dim": (0, 2)}), ("fftn", (2, 4, 6), {"s": (3, 8)}),
    ("fftn", (4, 5), {"s": (-1, 3), "dim": (1, 0)}), ("ifftn", (3, 6), {}), ("ifftn", (2, 3, 4), {"s": (5,)}),
    ("fft2", (2, 4, 5), {}), ("ifft2", (4, 3, 2), {"dim": (0, 1), "s": (3, 5)}),
    ("rfftn", (3, 4, 6), {}), ("rfftn", (4, 5, 3), {"dim": (0, 1)}), ("rfftn", (3, 7), {"s": (4, 9)}),
    ("rfft2", (2, 5, 6), {}), ("rfft2", (6, 4), {"s": (3, 5)}),
    ("ihfftn", (3, 4, 6), {}), ("ihfftn", (4, 5), {"s": (3, 7)}), ("ihfftn", (4, 6), {"dim": (0,)}),
    ("ihfft2", (2, 4, 5), {}),
]
ND_C2R = [
    ("irfftn", (3, 4, 5), {}), ("irfftn", (4, 5), {"s": (3, 9)}), ("irfftn", (3, 4, 6), {"dim": (0, 2)}),
    ("irfftn", (4, 4), {"s": (5, -1)}), ("irfft2", (2, 4, 3), {}), ("irfft2", (5, 3), {"s": (4, 7)}),
    ("hfftn", (3, 4, 5), {}), ("hfftn", (4, 5), {"s": (3, 9)}), ("hfftn", (3, 4), {"dim": (1,)}),
    ("hfft2", (2, 3, 4), {}),
]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("name,shape,kw", ND + ND_C2R)
def test_n_dimensional(name, shape, kw, dtype, norm):
    if name.startswith(("rfft", "ihfft")) and dtype.startswith("complex"):
        same_error(lambda lib: getattr(lib.fft, name)(lib.ones(3, 3, dtype=getattr(lib, dtype))))
        return
    _run(lambda lib, x: getattr(lib.fft, name)(x, norm=norm, **kw), shape, dtype)


@pytest.mark.parametrize("name,shape,kw", [
    ("fft", (6,), {}), ("ifft", (5,), {}), ("rfft", (7,), {}), ("irfft", (5,), {"n": 8}), ("hfft", (4,), {}),
    ("ihfft", (6,), {}), ("fftn", (3, 4), {}), ("rfftn", (3, 4), {}), ("irfftn", (3, 4), {}), ("hfftn", (3, 4), {}),
    ("ihfftn", (3, 4), {}),
])
def test_second_order(name, shape, kw):
    # the gradient of a nonlinear function of the transform, differentiated again; real inputs (the
    # oracle sums first gradients, which must be real), promoted to complex inside c2c/c2r transforms
    check(lambda lib, x: getattr(lib.fft, name)(x, **kw).abs() ** 3, [shape], dtype="float64", second_order=True,
          **TOL["float64"])


def test_integer_input_promotes_to_default_complex():
    for name in ("fft", "rfft", "fftn", "ihfft"):
        check(lambda lib, x: getattr(lib.fft, name)(x), [np.arange(1, 9).reshape(2, 4)], grad=False)


def test_composition_inside_a_graph():
    # a spectral filter as a model would write it: rfft -> scale bins -> irfft, with broadcasting weights
    def fn(lib, x, w):
        return lib.fft.irfft(lib.fft.rfft(x, dim=1) * w, n=x.shape[1], dim=1).sin().sum(0)
    check(fn, [(4, 10, 3), (6, 1)], dtype="float32", **TOL["float32"])


@pytest.mark.parametrize("n,d", [(1, 1.0), (4, 1.0), (5, 0.1), (8, 2.5)])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_frequencies(n, d, dtype):
    for name in ("fftfreq", "rfftfreq"):
        e = getattr(ember.fft, name)(n, d, dtype=None if dtype is None else getattr(ember, dtype))
        t = getattr(torch.fft, name)(n, d, dtype=None if dtype is None else getattr(torch, dtype))
        assert_same(e, t)


@pytest.mark.parametrize("shape,dim", [((5,), None), ((4, 7), None), ((4, 7), 1), ((3, 4, 5), (0, 2)),
                                       ((6, 3), -2)])
@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts(name, shape, dim):
    check(lambda lib, x: getattr(lib.fft, name)(x, dim=dim) * 1.0, [shape])


def test_out_argument():
    x = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    e_out, t_out = ember.empty(0, dtype=ember.complex64), torch.empty(0, dtype=torch.complex64)
    ember.fft.rfft(ember.tensor(x), out=e_out)
    torch.fft.rfft(torch.tensor(x), out=t_out)
    assert_same(e_out, t_out, **TOL["complex64"])


@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fft(lib.ones(3), dim=1),
    lambda lib: lib.fft.fft(lib.ones(3), norm="sideways"),
    lambda lib: lib.fft.fft(lib.ones(3), n=0),
    lambda lib: lib.fft.irfft(lib.ones(1, dtype=lib.complex64)),
    lambda lib: lib.fft.fftn(lib.ones(3, 3), dim=(0, 0)),
    lambda lib: lib.fft.fftn(lib.ones(3, 3), s=(2,), dim=(0, 1)),
    lambda lib: lib.fft.fftn(lib.ones(3), s=(2, 2)),
    lambda lib: lib.fft.fft(lib.ones(3, dtype=lib.float16)),
    lambda lib: lib.fft.rfft(lib.ones(3, dtype=lib.complex128)),
])
def test_errors(call):
    e, t = same_error(call)
    assert str(e) == str(t) or type(e) is IndexError


def test_lazy_import():
    import subprocess
    import sys
    code = "import sys, ember; assert 'ember.fft' not in sys.modules; ember.fft.fft; print('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "ok"
