"""ember/ops/statistics.py against torch: quantiles, logcumsumexp, renorm, cov/corrcoef, trapezoid,
histogram, cdist, diff, dist, cartesian_prod, combinations, block_diag, vander. Values, dtypes,
shapes, gradients (float32 and float64, second order in float64), gradcheck, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, random_array, rng, same_error, to_ember, to_torch

INF = float("inf")
NAN = float("nan")


def _distinct(shape):
    """Values far apart (no ties): sorting-based ops are differentiable there."""
    n = int(np.prod(shape))
    return (rng().permutation(n) * 0.37 - n * 0.15).reshape(shape)


def _with_nans(lib, x, where=1.2):
    return lib.where(x > where, NAN, x)


def _q(lib, x, values):
    return lib.tensor(values, dtype=x.dtype)


MODES = ("linear", "lower", "higher", "midpoint", "nearest")
_D = _distinct((8, 4)) * 0.5   # cdist rows whose coordinates differ by >= 0.18 (p < 1 gradients grow as diff^(p-1))
# name -> (fn(lib, *tensors), inputs (shapes or arrays), second order compared with torch)
CASES = {
    # quantile / nanquantile: every mode, q float / 0-d / 1-d, dim / keepdim / dim=None
    **{f"quantile_{m}": (lambda lib, x, m=m: lib.quantile(x, 0.37, dim=1, interpolation=m), [_distinct((3, 7))], True)
       for m in MODES},
    **{f"nanquantile_{m}": (lambda lib, x, m=m: lib.nanquantile(_with_nans(lib, x, 1.0), _q(lib, x, [0.1, 0.5, 1.0]),
                                                                dim=0, interpolation=m), [_distinct((6, 3)) / 3], True)
       for m in MODES},
    "quantile_full": (lambda lib, x: lib.quantile(x, 0.8), [_distinct((4, 5))], True),
    "quantile_full_keepdim": (lambda lib, x: x.quantile(_q(lib, x, [0.25, 0.75]), keepdim=True),
                              [_distinct((2, 3, 4))], True),
    "quantile_q0d_keepdim": (lambda lib, x: lib.quantile(x, _q(lib, x, 0.4), dim=-1, keepdim=True),
                             [_distinct((2, 3, 4))], True),
    "quantile_q1d_dim": (lambda lib, x: x.quantile(_q(lib, x, [0.0, 0.3, 1.0]), dim=1), [_distinct((2, 5, 3))], True),
    "quantile_0d": (lambda lib, x: lib.quantile(x, 0.3, dim=0, keepdim=True), [()], True),
    "quantile_ties": (lambda lib, x: lib.quantile(x.round(), 0.5, dim=1), [(3, 6)], False),
    "quantile_nan_row": (lambda lib, x: lib.quantile(_with_nans(lib, x, 1.5), 0.4, dim=1), [(4, 6)], True),
    "quantile_q_grad": (lambda lib, x, q: lib.quantile(x, q.sigmoid(), dim=0), [_distinct((5, 2)), (3,)], True),
    "nanquantile_all_nan": (lambda lib, x: lib.nanquantile(lib.where(x > -9, NAN, x), 0.5, dim=1), [(2, 3)], False),
    "nanquantile_full": (lambda lib, x: x.nanquantile(0.25), [_distinct((3, 4))], True),
    # logcumsumexp
    "logcumsumexp": (lambda lib, x: lib.logcumsumexp(x, 1), [(3, 4, 2)], True),
    "logcumsumexp_method_neg": (lambda lib, x: x.logcumsumexp(-1), [(2, 5)], True),
    "logcumsumexp_0d": (lambda lib, x: lib.logcumsumexp(x, 0), [()], True),
    "logcumsumexp_empty": (lambda lib, x: lib.logcumsumexp(x, 0), [(0, 3)], False),
    # renorm
    "renorm_p2": (lambda lib, x: lib.renorm(x * 2, 2, 0, 1.5), [(3, 4)], True),
    "renorm_p1_dim1": (lambda lib, x: x.renorm(1, 1, 2.0), [(3, 4, 2)], True),
    "renorm_p3_big": (lambda lib, x: lib.renorm(x, 3, -1, 100.0), [(2, 3)], True),
    "renorm_inplace": (lambda lib, x: (x * 1).renorm_(2, 0, 1.0), [(4, 3)], True),
    # cov / corrcoef
    "cov": (lambda lib, x: lib.cov(x), [(3, 6)], True),
    "cov_1d": (lambda lib, x: x.cov(), [(5,)], True),
    "cov_correction0": (lambda lib, x: lib.cov(x, correction=0), [(2, 4)], True),
    "cov_fweights": (lambda lib, x: lib.cov(x, fweights=lib.tensor([1, 3, 2, 1, 2])), [(3, 5)], True),
    "cov_weights": (lambda lib, x, a: lib.cov(x, correction=2, fweights=lib.tensor([1, 3, 2, 1, 2]),
                                              aweights=a.abs() + 0.1), [(3, 5), (5,)], True),
    "cov_aweights_method": (lambda lib, x, a: x.cov(aweights=a.abs() + 0.1), [(2, 5), (5,)], True),
    "cov_int": (lambda lib, x: lib.cov(x), [random_array((3, 5), "int64", -5, 5)], False),
    "corrcoef": (lambda lib, x: lib.corrcoef(x), [(3, 6)], True),
    "corrcoef_method_1d": (lambda lib, x: x.corrcoef(), [(4,)], True),
    # trapezoid / trapz / cumulative_trapezoid
    "trapezoid": (lambda lib, y: lib.trapezoid(y), [(3, 5)], True),
    "trapezoid_x_dim0": (lambda lib, y, x: lib.trapezoid(y, x, dim=0), [(4, 5), (4,)], True),
    "trapezoid_x_broadcast": (lambda lib, y, x: lib.trapezoid(y, x), [(2, 3, 4), (3, 4)], True),
    "trapezoid_dx": (lambda lib, y: lib.trapezoid(y, dx=0.5, dim=1), [(3, 4, 2)], True),
    "trapezoid_int": (lambda lib, y: lib.trapezoid(y, dx=2), [random_array((4,), "int64", -5, 5)], False),
    "trapezoid_empty": (lambda lib, y: lib.trapezoid(y, dim=0), [(0, 3)], False),
    "trapz_x": (lambda lib, y, x: lib.trapz(y, x), [(3, 5), (5,)], True),
    "trapz_dx": (lambda lib, y: lib.trapz(y, dx=3.0, dim=0), [(3, 5)], True),
    "cumulative_trapezoid": (lambda lib, y: lib.cumulative_trapezoid(y), [(3, 5)], True),
    "cumulative_trapezoid_x": (lambda lib, y, x: lib.cumulative_trapezoid(y, x, dim=0), [(4, 2), (4,)], True),
    "cumulative_trapezoid_dx": (lambda lib, y: lib.cumulative_trapezoid(y, dx=2.0, dim=-1), [(2, 3, 4)], True),
    "cumulative_trapezoid_empty": (lambda lib, y: lib.cumulative_trapezoid(y, dim=0), [(0, 3)], False),
    # cdist (p = 2 takes torch's matrix-product path past 25 rows; torch has no double backward otherwise)
    **{f"cdist_p{p}": (lambda lib, a, b, p=p: lib.cdist(a, b, p=p), [_D[:3], _D[3:]], False)
       for p in (0, 0.5, 1, 1.5, 2, 3, INF)},
    "cdist_batch_broadcast": (lambda lib, a, b: lib.cdist(a, b), [(2, 1, 3, 4), (3, 5, 4)], False),
    "cdist_mm": (lambda lib, a, b: lib.cdist(a, b), [(30, 4), (2, 4)], True),
    "cdist_mm_forced": (lambda lib, a, b: lib.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
                        [(3, 4), (2, 4)], True),
    "cdist_no_mm": (lambda lib, a, b: lib.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
                    [(30, 4), (2, 4)], False),
    "cdist_empty": (lambda lib, a, b: lib.cdist(a, b), [(0, 3), (2, 3)], False),
    # diff / dist
    "diff": (lambda lib, x: lib.diff(x), [(3, 5)], True),
    "diff_n2_dim0_prepend": (lambda lib, x, p: lib.diff(x, n=2, dim=0, prepend=p), [(4, 3), (2, 3)], True),
    "diff_append_method": (lambda lib, x, a: x.diff(append=a), [(2, 3), (2, 2)], True),
    "diff_n_past_length": (lambda lib, x: lib.diff(x, n=5), [(2, 3)], False),
    "diff_n0": (lambda lib, x: lib.diff(x, n=0), [(2, 3)], True),
    "diff_bool": (lambda lib, x: lib.diff(x, dim=0), [random_array((4, 3), "bool")], False),
    "diff_int_float_prepend": (lambda lib, x: lib.diff(x, prepend=lib.tensor([1.5])),
                               [random_array((4,), "int64", -5, 5)], False),
    **{f"dist_p{p}": (lambda lib, x, y, p=p: lib.dist(x, y, p), [(4, 3), (3,)], True) for p in (1, 2, 3, INF)},
    "dist_method": (lambda lib, x, y: x.dist(y), [(2, 3), (2, 3)], True),
    # cartesian_prod / combinations / block_diag / vander
    "cartesian_prod": (lambda lib, x, y: lib.cartesian_prod(x, y), [(2,), (3,)], True),
    "cartesian_prod3": (lambda lib, x, y, z: lib.cartesian_prod(x, y, z), [(2,), (1,), (3,)], True),
    "cartesian_prod1": (lambda lib, x: lib.cartesian_prod(x), [(3,)], True),
    "combinations": (lambda lib, x: lib.combinations(x), [(4,)], True),
    "combinations_r3": (lambda lib, x: lib.combinations(x, r=3), [(5,)], True),
    "combinations_replacement": (lambda lib, x: lib.combinations(x, 2, with_replacement=True), [(3,)], True),
    "combinations_r0": (lambda lib, x: lib.combinations(x, 0), [(3,)], False),
    "combinations_r_too_big": (lambda lib, x: lib.combinations(x, 4), [(3,)], False),
    "block_diag": (lambda lib, a, b, c: lib.block_diag(a, b, c), [(), (3,), (2, 2)], True),
    "block_diag_empty_rows": (lambda lib, a, b: lib.block_diag(a, b), [(0, 2), (2, 3)], True),
    "block_diag_promote": (lambda lib, a: lib.block_diag(a, lib.ones(2, 2, dtype=lib.int32)), [(1, 2)], True),
    "block_diag_none": (lambda lib: lib.block_diag(), [], False),
}

# Edge values (float64, complex128 where named): infinities, NaN, zero distances/norms, empty and
# one-sample inputs. name -> (fn, inputs, compare gradients)
_ROWS = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]])     # two equal rows: zero distances
EDGE = {
    "logcumsumexp_neg_inf": (lambda lib, x: lib.logcumsumexp(x, 0), [np.array([-INF, -INF, 0.5, -INF, 1.0])], True),
    "logcumsumexp_inf": (lambda lib, x: lib.logcumsumexp(x, 0), [np.array([0.3, INF, 0.5])], True),
    "logcumsumexp_nan": (lambda lib, x: lib.logcumsumexp(x, 0), [np.array([0.3, NAN, 0.5])], True),
    # past exp's overflow (float64 only: in float32 the exponents' rounding, ~600 * 6e-8, exceeds rtol)
    "logcumsumexp_large": (lambda lib, x: lib.logcumsumexp(x * 300, 0), [(6,)], True),
    **{f"cdist_zero_distance_p{p}": (lambda lib, a, p=p: lib.cdist(a, a, p=p), [_ROWS], True)
       for p in (0.5, 1, 2, 3, INF)},
    "cov_complex": (lambda lib, x: lib.cov(x), [random_array((3, 4), "complex128")], True),
    "corrcoef_complex": (lambda lib, x: lib.corrcoef(x), [random_array((3, 4), "complex128")], True),
    "dist_zero": (lambda lib, x: lib.dist(x, x.detach()), [(3,)], True),
    "renorm_zero": (lambda lib, x: lib.renorm(x * 0, 2, 0, 1.0), [(3, 2)], True),
    "quantile_0d_keepdim": (lambda lib, x: lib.quantile(x, 0.3, keepdim=True), [()], True),
    "quantile_0d_q_1d": (lambda lib, x: lib.quantile(x, _q(lib, x, [0.3, 0.6]), dim=0), [()], True),
    "diff_empty": (lambda lib, x: lib.diff(x, dim=0), [(0, 3)], True),
    "trapezoid_one_sample": (lambda lib, x: lib.trapezoid(x), [(3, 1)], True),
    "cumulative_trapezoid_one_sample": (lambda lib, x: lib.cumulative_trapezoid(x), [(3, 1)], True),
    "combinations_empty": (lambda lib, x: lib.combinations(x), [(0,)], True),
    "combinations_one": (lambda lib, x: lib.combinations(x), [(1,)], True),
    "cartesian_prod_empty": (lambda lib, x, y: lib.cartesian_prod(x, y), [(0,), (2,)], True),
    "histogram_density_empty": (lambda lib, x: lib.histogram(x[x > 10], 3, density=True), [(3,)], False),
    "histogram_nan": (lambda lib, x: lib.histogram(lib.where(x > 0, NAN, x), 3, range=(-2.0, 2.0)), [(6,)], False),
}


@pytest.mark.parametrize("name", sorted(EDGE))
def test_edge_values(name):
    fn, inputs, grad = EDGE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, inputs, dtype="float64", grad=grad)


# torch cannot backpropagate these (dist p=0 hands its engine an undefined gradient): forward only.
NO_GRAD = {
    "dist_p0": (lambda lib, x, y: lib.dist(x, y, 0), [(4, 3), (3,)]),
    "dist_p0_ties": (lambda lib, x, y: lib.dist(x.round(), y.round(), 0), [(4, 3), (3,)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(NO_GRAD))
def test_forward_against_torch(name, dtype):
    fn, inputs = NO_GRAD[name]
    check(fn, inputs, dtype=dtype, grad=False)


# torch's vander writes through cumprod's out= and cannot backpropagate: forward only.
FORWARD_ONLY = {
    "vander": lambda lib, x: lib.vander(x),
    "vander_N_increasing": lambda lib, x: lib.vander(x, N=4, increasing=True),
    "vander_N0": lambda lib, x: lib.vander(x, N=0),
    "vander_N1": lambda lib, x: lib.vander(x, N=1),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name, dtype):
    fn, inputs, second = CASES[name]
    inputs = [a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, inputs, dtype=dtype, second_order=second and dtype == "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
@pytest.mark.parametrize("name", sorted(FORWARD_ONLY))
def test_vander(name, dtype):
    check(FORWARD_ONLY[name], [(3,)], dtype=dtype, grad=False, low=-3, high=3)


def test_vander_empty():
    check(FORWARD_ONLY["vander"], [(0,)], grad=False)


# gradcheck (finite differences in float64) on ember alone, including where torch has no second order
GRADCHECK = {
    "quantile_linear": (lambda x: ember.quantile(x, ember.tensor([0.2, 0.7], dtype=x.dtype), dim=1), [(3, 5)]),
    "quantile_midpoint": (lambda x: ember.quantile(x, 0.5, dim=0, interpolation="midpoint"), [(4, 3)]),
    "nanquantile": (lambda x: ember.nanquantile(x, 0.3), [(3, 4)]),
    "logcumsumexp": (lambda x: ember.logcumsumexp(x, 1), [(2, 4)]),
    "renorm": (lambda x: ember.renorm(x * 2, 2, 0, 1.0), [(3, 4)]),
    "cov": (lambda x, a: ember.cov(x, aweights=a.abs() + 0.1), [(3, 4), (4,)]),
    "corrcoef": (lambda x: ember.corrcoef(x), [(3, 4)]),
    "trapezoid": (lambda y, x: ember.trapezoid(y, x), [(3, 4), (4,)]),
    "cumulative_trapezoid": (lambda y: ember.cumulative_trapezoid(y, dim=0), [(3, 4)]),
    **{f"cdist_p{p}": (lambda a, b, p=p: ember.cdist(a, b, p=p), [(3, 4), (2, 4)]) for p in (1, 1.5, 2, 3, INF)},
    "cdist_mm": (lambda a, b: ember.cdist(a, b), [(30, 3), (2, 3)]),
    "diff": (lambda x, p: ember.diff(x, n=2, prepend=p), [(2, 4), (2, 1)]),
    "dist": (lambda x, y: ember.dist(x, y, 3), [(2, 3), (3,)]),
    "cartesian_prod": (lambda x, y: ember.cartesian_prod(x, y), [(2,), (3,)]),
    "combinations": (lambda x: ember.combinations(x, 2), [(4,)]),
    "block_diag": (lambda a, b: ember.block_diag(a, b), [(2,), (2, 2)]),
    "vander": (lambda x: ember.vander(x, 4), [(3,)]),
}
GRADGRAD = ["quantile_linear", "logcumsumexp", "renorm", "cov", "corrcoef", "cdist_p2", "cdist_p3", "cdist_p1.5"]


def _leaves(inputs):
    # distinct values on a grid of 0.111, jittered so that no two differences tie either
    return [ember.tensor(_distinct(s) * 0.3 + rng().uniform(0, 0.01, s)).requires_grad_() for s in inputs]


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    fn, inputs = GRADCHECK[name]
    assert ember.autograd.gradcheck(fn, _leaves(inputs))


@pytest.mark.parametrize("name", GRADGRAD)
def test_gradgradcheck(name):
    fn, inputs = GRADCHECK[name]
    assert ember.autograd.gradgradcheck(fn, _leaves(inputs))


HALF_FORWARD = {
    "logcumsumexp": lambda lib, x: lib.logcumsumexp(x, 0),
    "renorm": lambda lib, x: lib.renorm(x, 2, 0, 1.0),
    "cov": lambda lib, x: lib.cov(x),
    "trapezoid": lambda lib, x: lib.trapezoid(x),
    "diff": lambda lib, x: lib.diff(x, dim=0),
    "block_diag": lambda lib, x: lib.block_diag(x, x),
}
HALF_REFUSED = {
    "quantile": lambda lib, x: lib.quantile(x, 0.5),
    "histogram": lambda lib, x: lib.histogram(x, 3),
    "cdist": lambda lib, x: lib.cdist(x, x),
}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(HALF_FORWARD))
def test_half_precisions(name, dtype):
    check(HALF_FORWARD[name], [(5, 2)], dtype=dtype, grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(HALF_REFUSED))
def test_half_precisions_refused(name, dtype):
    same_error(lambda lib: HALF_REFUSED[name](lib, lib.ones(3, 2, dtype=getattr(lib, dtype))))


# ---------------------------------------------------------------- histogram (no derivative in torch)
HISTOGRAM = {
    "bins_int": lambda lib, x: lib.histogram(x, 5),
    "bins_int_method": lambda lib, x: x.histogram(4),
    "range": lambda lib, x: lib.histogram(x, 6, range=(-1.0, 1.5)),
    "weight_density": lambda lib, x: lib.histogram(x, 3, weight=x.abs(), density=True),
    "density": lambda lib, x: lib.histogram(x, bins=4, density=True),
    "bins_tensor": lambda lib, x: lib.histogram(x, lib.tensor([-2.0, -0.5, 0.0, 0.25, 1.0], dtype=x.dtype)),
    "bins_tensor_weight": lambda lib, x: lib.histogram(x, lib.tensor([-1.0, 0.0, 2.0], dtype=x.dtype),
                                                        weight=x * x),
    "edges_hit": lambda lib, x: lib.histogram(x.round(), 4),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("name", sorted(HISTOGRAM))
def test_histogram(name, shape, dtype):
    e, t = check(HISTOGRAM[name], [shape], dtype=dtype, grad=False)
    assert type(e).__name__ == "histogram" and e._fields == ("hist", "bin_edges")


@pytest.mark.parametrize("data", [[], [1.0, 1.0, 1.0], [0.5]])
def test_histogram_degenerate(data):
    check(lambda lib, x: lib.histogram(x, 4), [np.array(data, np.float32)], grad=False)


def test_histogram_backward_refuses_as_torch():
    x = np.array([0.1, 0.5, 0.7])
    for lib, t in ((ember, to_ember(x, True)), (torch, to_torch(x, True))):
        hist = lib.histogram(t, 3).hist
        assert hist.requires_grad
        with pytest.raises(RuntimeError):
            hist.sum().backward()


def test_histogram_out():
    x = random_array((6,), "float64")
    hist, edges = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.float64)
    r = ember.histogram(to_ember(x), 3, out=(hist, edges))
    assert r.hist is hist and r.bin_edges is edges
    assert_same(r, torch.histogram(to_torch(x), 3))


# ---------------------------------------------------------------- cov warning, out=, in-place
def test_cov_degrees_of_freedom_warning():
    x = random_array((3, 1), "float64")
    with pytest.warns(UserWarning, match="degrees of freedom"):
        e = ember.cov(to_ember(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(e, torch.cov(to_torch(x)))


def test_out_and_renorm_inplace_version():
    x = random_array((3, 4), "float32")
    out = ember.empty(0)
    assert ember.quantile(to_ember(x), 0.5, dim=1, out=out) is out
    assert_same(out, torch.quantile(to_torch(x), 0.5, dim=1))
    out = ember.empty(0)
    assert ember.diff(to_ember(x), dim=0, out=out) is out
    assert_same(out, torch.diff(to_torch(x), dim=0))
    e = to_ember(x)
    v = e._version
    assert e.renorm_(2, 0, 0.5) is e and e._version > v
    assert_same(e, to_torch(x).renorm_(2, 0, 0.5))


# ---------------------------------------------------------------- errors: torch's exception classes
F32 = lambda lib, *s: lib.ones(*s)  # noqa: E731
ERRORS = {
    "quantile_int": lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5),
    "quantile_q_range": lambda lib: lib.quantile(F32(lib, 3), 1.5),
    "quantile_q_tensor_range": lambda lib: lib.quantile(F32(lib, 3), lib.tensor([0.5, -0.1])),
    "quantile_q_dtype": lambda lib: lib.quantile(F32(lib, 3), lib.tensor([0.5], dtype=lib.float64)),
    "quantile_q_2d": lambda lib: lib.quantile(F32(lib, 3), lib.tensor([[0.5]])),
    "quantile_mode": lambda lib: lib.quantile(F32(lib, 3), 0.5, interpolation="cubic"),
    "quantile_empty": lambda lib: lib.quantile(F32(lib, 0), 0.5),
    "quantile_dim": lambda lib: lib.quantile(F32(lib, 2, 3), 0.5, dim=2),
    "nanquantile_int": lambda lib: lib.nanquantile(lib.tensor([1, 2]), 0.5),
    "logcumsumexp_int": lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0),
    "logcumsumexp_dim": lambda lib: lib.logcumsumexp(F32(lib, 2), 1),
    "renorm_1d": lambda lib: lib.renorm(F32(lib, 3), 2, 0, 1.0),
    "renorm_p": lambda lib: lib.renorm(F32(lib, 3, 2), -1, 0, 1.0),
    "renorm_maxnorm": lambda lib: lib.renorm(F32(lib, 3, 2), 2, 0, -1.0),
    "renorm_int": lambda lib: lib.renorm(lib.tensor([[1, 2], [3, 4]]), 2, 0, 1.0),
    "renorm_dim": lambda lib: lib.renorm(F32(lib, 3, 2), 2, 2, 1.0),
    "renorm_leaf_inplace": lambda lib: F32(lib, 3, 2).requires_grad_().renorm_(2, 0, 1.0),
    "cov_3d": lambda lib: lib.cov(F32(lib, 2, 3, 4)),
    "cov_bool": lambda lib: lib.cov(lib.ones(2, 3, dtype=lib.bool)),
    "cov_fweights_float": lambda lib: lib.cov(F32(lib, 3, 4), fweights=F32(lib, 4)),
    "cov_fweights_negative": lambda lib: lib.cov(F32(lib, 3, 4), fweights=lib.tensor([1, -1, 2, 1])),
    "cov_fweights_numel": lambda lib: lib.cov(F32(lib, 3, 4), fweights=lib.tensor([1, 2])),
    "cov_aweights_int": lambda lib: lib.cov(F32(lib, 3, 4), aweights=lib.tensor([1, 2, 3, 4])),
    "cov_aweights_2d": lambda lib: lib.cov(F32(lib, 3, 4), aweights=F32(lib, 2, 2)),
    "cov_weights_zero": lambda lib: lib.cov(F32(lib, 3, 4), aweights=lib.zeros(4)),
    "corrcoef_3d": lambda lib: lib.corrcoef(F32(lib, 2, 3, 4)),
    "trapezoid_x_size": lambda lib: lib.trapezoid(F32(lib, 2, 3), F32(lib, 4)),
    "trapezoid_bool": lambda lib: lib.trapezoid(lib.ones(3, dtype=lib.bool)),
    "trapezoid_0d": lambda lib: lib.trapezoid(lib.tensor(1.0)),
    "trapezoid_dim": lambda lib: lib.trapezoid(F32(lib, 3), dim=1),
    "cumulative_trapezoid_x_size": lambda lib: lib.cumulative_trapezoid(F32(lib, 2, 3), F32(lib, 4)),
    "histogram_int": lambda lib: lib.histogram(lib.tensor([1, 2, 1]), 4),
    "histogram_bins_zero": lambda lib: lib.histogram(F32(lib, 3), 0),
    "histogram_range": lambda lib: lib.histogram(F32(lib, 3), 3, range=(3.0, 1.0)),
    "histogram_bins_2d": lambda lib: lib.histogram(F32(lib, 3), F32(lib, 1, 3)),
    "histogram_bins_dtype": lambda lib: lib.histogram(F32(lib, 3), lib.tensor([0.0, 1.0], dtype=lib.float64)),
    "histogram_weight_shape": lambda lib: lib.histogram(F32(lib, 3), 3, weight=F32(lib, 2)),
    "histogram_weight_dtype": lambda lib: lib.histogram(F32(lib, 3), 3, weight=F32(lib, 3).double()),
    "cdist_1d": lambda lib: lib.cdist(F32(lib, 3), F32(lib, 3)),
    "cdist_columns": lambda lib: lib.cdist(F32(lib, 2, 3), F32(lib, 2, 4)),
    "cdist_p": lambda lib: lib.cdist(F32(lib, 2, 3), F32(lib, 2, 3), p=-1),
    "cdist_int": lambda lib: lib.cdist(lib.tensor([[1, 2]]), lib.tensor([[1, 2]])),
    "cdist_mode": lambda lib: lib.cdist(F32(lib, 2, 3), F32(lib, 2, 3), compute_mode="fast"),
    "cdist_dtypes": lambda lib: lib.cdist(F32(lib, 2, 3).double(), F32(lib, 2, 3)),
    "cdist_batch": lambda lib: lib.cdist(F32(lib, 2, 2, 3), F32(lib, 3, 2, 3)),
    "diff_0d": lambda lib: lib.diff(lib.tensor(1.0)),
    "diff_n": lambda lib: lib.diff(F32(lib, 3), n=-1),
    "diff_prepend_dims": lambda lib: lib.diff(F32(lib, 2, 3), prepend=F32(lib, 3)),
    "diff_append_shape": lambda lib: lib.diff(F32(lib, 2, 3), append=F32(lib, 3, 3)),
    "diff_dim": lambda lib: lib.diff(F32(lib, 2, 3), dim=2),
    "dist_int": lambda lib: lib.dist(lib.tensor([1, 2]), lib.tensor([3, 4])),
    "dist_shapes": lambda lib: lib.dist(F32(lib, 2), F32(lib, 3)),
    "cartesian_prod_2d": lambda lib: lib.cartesian_prod(F32(lib, 2, 2)),
    "cartesian_prod_dtypes": lambda lib: lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])),
    "combinations_2d": lambda lib: lib.combinations(F32(lib, 2, 2)),
    "combinations_r": lambda lib: lib.combinations(F32(lib, 3), r=-1),
    "block_diag_3d": lambda lib: lib.block_diag(F32(lib, 2, 2, 2)),
    "vander_2d": lambda lib: lib.vander(F32(lib, 2, 2)),
    "vander_N": lambda lib: lib.vander(F32(lib, 2), N=-1),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_class(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(ERRORS[name])
