"""More top-level names against torch: matrix_exp (ember/linalg.py), the legacy torch.cholesky/qr/
cholesky_solve/cholesky_inverse, unsafe_split/chunk, range, empty_permuted, the layout and memory-format
values (ember/layouts.py), the platform flags (ember/compat.py), get_device/is_distributed, and the keyword
spellings of tensor_split/hsplit/vsplit/dsplit and masked_scatter_."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check, random_array, same_error, to_ember, to_torch


# ------------------------------------------------------------------ matrix_exp
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1), (0, 2, 2), (2, 0, 0)], ids=str)
def test_matrix_exp(shape, dtype):
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype in ("float32", "complex64") else {}
    check(lambda lib, a: lib.matrix_exp(a), [random_array(shape, dtype, low=-1, high=1)], dtype=dtype, **tol)
    check(lambda lib, a: lib.linalg.matrix_exp(a), [random_array(shape, dtype, low=-1, high=1)], dtype=dtype,
          **tol)
    check(lambda lib, a: a.matrix_exp(), [random_array(shape, dtype, low=-1, high=1)], dtype=dtype, **tol)


def test_matrix_exp_second_order_and_half():
    check(lambda lib, a: lib.matrix_exp(a), [random_array((2, 3, 3), "float64", low=-1, high=1)], dtype="float64",
          second_order=True)
    # half: computed through float32 (torch's own half kernel returns infinities here, so the reference is
    # torch's float32 result rounded to half)
    x = random_array((3, 3), "float16", low=-1, high=1)
    e = ember.matrix_exp(to_ember(x))
    assert e.dtype is ember.float16
    assert_same(e, torch.matrix_exp(to_torch(x).float()).half())


@pytest.mark.parametrize("fn", [lambda lib: lib.matrix_exp(lib.ones(2, 3)), lambda lib: lib.matrix_exp(lib.ones(3)),
                                lambda lib: lib.matrix_exp(lib.ones(2, 2, dtype=lib.int64))],
                         ids=["not-square", "1-d", "int"])
def test_matrix_exp_errors(fn):
    same_error(fn)


# ------------------------------------------------------------------ legacy linalg forms
def _spd(n, batch=()):
    a = random_array(batch + (n, n), "float64")
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("upper", [False, True])
def test_legacy_cholesky(upper):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(lambda lib, a: lib.cholesky(a, upper), [_spd(3, (2,))], dtype="float64")
        check(lambda lib, a: a.cholesky(upper=upper), [_spd(4)], dtype="float64")
    with pytest.warns(UserWarning):
        ember.cholesky(to_ember(_spd(2)))


@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 5, 3)], ids=str)
def test_legacy_qr(shape, some):
    x = random_array(shape, "float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grad = some or shape[-2] <= shape[-1]
        check(lambda lib, a: tuple(lib.qr(a, some)), [x], dtype="float64", grad=grad)
        e, t = ember.qr(to_ember(x), some=some), torch.qr(to_torch(x), some=some)
        assert_same(e.R, t.R)
        assert type(e).__name__ == type(t).__name__ == "qr"
        assert_same(tuple(to_ember(x).qr(some)), tuple(to_torch(x).qr(some)))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse(upper):
    A = _spd(3, (2,))
    L = np.linalg.cholesky(A)
    F = np.ascontiguousarray(np.swapaxes(L, -1, -2)) if upper else L
    B = random_array((2, 3, 2), "float64")
    check(lambda lib, b, f: lib.cholesky_solve(b, f, upper), [B, F], dtype="float64")
    check(lambda lib, b, f: b.cholesky_solve(f, upper=upper), [B, F], dtype="float64")
    check(lambda lib, f: lib.cholesky_inverse(f, upper), [F[0]], dtype="float64")
    check(lambda lib, f: f.cholesky_inverse(upper=upper), [F[1]], dtype="float64")


# ------------------------------------------------------------------ unsafe_*, range, empty_permuted
@pytest.mark.parametrize("code", [
    lambda lib, x: lib.unsafe_split(x, 2), lambda lib, x: lib.unsafe_split(x, 2, dim=1),
    lambda lib, x: lib.unsafe_chunk(x, 3), lambda lib, x: lib.unsafe_split_with_sizes(x, [1, 4]),
    lambda lib, x: x.unsafe_split(3, 1), lambda lib, x: x.unsafe_chunk(2, dim=1),
    lambda lib, x: x.unsafe_split_with_sizes([2, 3]),
], ids=["split", "split-dim", "chunk", "sizes", "m-split", "m-chunk", "m-sizes"])
def test_unsafe_splits(code):
    check(code, [(5, 5)])


@pytest.mark.parametrize("args,kwargs", [((0, 3), {}), ((0, 1, 0.25), {}), ((1, 4, 2), {}), ((0.5, 2), {}),
                                         ((3, 0, -1), {}), ((0, 3), {"dtype": "int64"}), ((0, 2), {"dtype": "float64"}),
                                         ((2, 2), {})], ids=str)
def test_range(args, kwargs):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = ember.range(*args, **{k: getattr(ember, v) for k, v in kwargs.items()})
    assert any(issubclass(x.category, UserWarning) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_same(e, torch.range(*args, **{k: getattr(torch, v) for k, v in kwargs.items()}))


def test_range_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        same_error(lambda lib: lib.range(0, 3, 0))
        same_error(lambda lib: lib.range(3, 0))


@pytest.mark.parametrize("size,order", [((2, 3, 4), (2, 0, 1)), ((2, 3), (1, 0)), ((5,), (0,)), ((), ()),
                                        ((3, 1, 2), (1, 2, 0))], ids=str)
def test_empty_permuted(size, order):
    e, t = ember.empty_permuted(size, order), torch.empty_permuted(size, order)
    assert tuple(e.shape) == tuple(t.shape) and e.stride() == t.stride()
    assert ember.empty_permuted(size, order, dtype=ember.int32).dtype is ember.int32


def test_empty_permuted_errors():
    same_error(lambda lib: lib.empty_permuted((2, 3), (0, 0)))


# ------------------------------------------------------------------ layouts and memory formats
FORMATS = ["contiguous_format", "preserve_format", "channels_last", "channels_last_3d", "legacy_contiguous_format"]
LAYOUTS = ["strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "jagged"]


@pytest.mark.parametrize("name", FORMATS + LAYOUTS)
def test_layout_and_memory_format_values(name):
    e, t = getattr(ember, name), getattr(torch, name)
    kind = "memory_format" if name in FORMATS else "layout"
    assert isinstance(e, getattr(ember, kind)) and isinstance(t, getattr(torch, kind))
    assert repr(e).replace("ember", "torch") == repr(t)
    assert (e is ember.contiguous_format) == (t is torch.contiguous_format)    # legacy_ is an alias
    assert copy.deepcopy(e) is e and pickle.loads(pickle.dumps(e)) is e
    same_error(lambda lib: getattr(lib, kind)())


def test_tensors_are_strided_and_take_memory_format_arguments():
    x = ember.randn(2, 3, 4, 5)
    assert x.layout is ember.strided and torch.randn(2).layout is torch.strided
    for fmt in (ember.contiguous_format, ember.preserve_format):
        assert_same(x.contiguous(memory_format=ember.contiguous_format), to_torch(x.numpy()).contiguous())
        assert_same(x.clone(memory_format=fmt), to_torch(x.numpy()).clone(memory_format=getattr(torch, repr(fmt)[6:])))


# ------------------------------------------------------------------ platform flags
def test_deterministic_debug_mode():
    saved = (ember.are_deterministic_algorithms_enabled(), ember.is_deterministic_algorithms_warn_only_enabled())
    try:
        for mode in ("warn", "error", "default", 1, 2, 0):
            for lib in (ember, torch):
                lib.set_deterministic_debug_mode(mode)
            assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
            assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
            assert ember.is_deterministic_algorithms_warn_only_enabled() == \
                torch.is_deterministic_algorithms_warn_only_enabled()
        same_error(lambda lib: lib.set_deterministic_debug_mode("bad"))
        same_error(lambda lib: lib.set_deterministic_debug_mode(5))
    finally:
        ember.use_deterministic_algorithms(saved[0], warn_only=saved[1])
        torch.set_deterministic_debug_mode(0)


def test_warn_always_flush_denormal_and_anomaly_flags():
    for b in (True, False):
        ember.set_warn_always(b)
        assert ember.is_warn_always_enabled() is b
    assert ember.set_flush_denormal(True) is False       # not controllable from NumPy: reported as unsupported
    assert ember.is_anomaly_enabled() is torch.is_anomaly_enabled() is False
    try:
        ember.set_anomaly_enabled(True, check_nan=False)
        assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
        with ember.autograd.set_detect_anomaly(False):
            assert not ember.is_anomaly_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()


def test_get_device_and_is_distributed():
    e, t = ember.randn(3), torch.randn(3)
    assert ember.get_device(e) == torch.get_device(t) == e.get_device()
    assert ember.is_distributed(e) is torch.is_distributed(t) is e.is_distributed() is False
    same_error(lambda lib: lib.get_device([1.0]))


# ------------------------------------------------------------------ keyword spellings
@pytest.mark.parametrize("code", [
    lambda lib, x: x.tensor_split(sections=3, dim=1), lambda lib, x: x.tensor_split(indices=[1, 4], dim=0),
    lambda lib, x: lib.tensor_split(x, sections=2), lambda lib, x: lib.tensor_split(x, indices=(2,), dim=1),
    lambda lib, x: x.tensor_split(tensor_indices_or_sections=lib.tensor([1, 3])),
    lambda lib, x: x.hsplit(sections=3), lambda lib, x: lib.hsplit(x, indices=[1]),
    lambda lib, x: x.vsplit(sections=2), lambda lib, x: lib.vsplit(x, indices=[1, 3]),
    lambda lib, x: x.reshape(2, 2, 6).dsplit(sections=2), lambda lib, x: x.reshape(2, 2, 6).dsplit(indices=[5]),
    lambda lib, x: x.clone().masked_scatter_(mask=x > 0, source=x * 2),
], ids=["ts-sections", "ts-indices", "f-sections", "f-indices", "ts-tensor", "hsplit", "f-hsplit", "vsplit",
        "f-vsplit", "dsplit", "dsplit-indices", "masked_scatter_"])
def test_split_keywords(code):
    check(code, [(4, 6)])


@pytest.mark.parametrize("code", [
    lambda lib, x: x.tensor_split(2, sections=2), lambda lib, x: x.tensor_split(),
    lambda lib, x: x.tensor_split(sections=2, indices=[1]), lambda lib, x: x.hsplit(section=2),
    lambda lib, x: x.clone().masked_scatter_(mask=x > 0, src=x),
], ids=["both", "none", "two-names", "typo", "masked-src"])
def test_split_keyword_errors(code):
    same_error(lambda lib: code(lib, lib.ones(4, 6)))


# ------------------------------------------------------------------ index_reduce, nonzero_static
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("dim,shape,src", [(0, (4, 3), (5, 3)), (1, (2, 4), (2, 6)), (-1, (2, 3, 4), (2, 3, 5))],
                         ids=str)
def test_index_reduce(dim, shape, src, reduce, include_self):
    n = src[dim]
    index = random_array((n,), "int64", low=0, high=shape[dim] - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)        # torch: "index_reduce() is in beta"
        check(lambda lib, x, s, i: lib.index_reduce(x, dim, i, s, reduce, include_self=include_self),
              [random_array(shape, "float64"), random_array(src, "float64"), index], dtype="float64")
        check(lambda lib, x, s, i: x.index_reduce(dim, i, s, reduce, include_self=include_self),
              [random_array(shape, "float32"), random_array(src, "float32"), index])
        check(lambda lib, x, s, i: (x * 1).index_reduce_(dim, i, s, reduce, include_self=include_self),
              [random_array(shape, "float64"), random_array(src, "float64"), index], dtype="float64")


def test_index_reduce_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        same_error(lambda lib: lib.index_reduce(lib.ones(3, 2), 0, lib.tensor([0, 1]), lib.ones(2, 2), "sum"))
        same_error(lambda lib: lib.index_reduce(lib.ones(3, 2), 0, lib.tensor([0, 1, 2]), lib.ones(2, 2), "prod"))
        same_error(lambda lib: lib.index_reduce(lib.ones(3, 2), 0, lib.tensor([0.0, 1.0]), lib.ones(2, 2), "prod"))


@pytest.mark.parametrize("size", [0, 2, 5, 9])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 2, 2)], ids=str)
def test_nonzero_static(shape, size):
    x = random_array(shape, "int64", low=-1, high=1)
    check(lambda lib, a: lib.nonzero_static(a, size=size), [x], grad=False)
    check(lambda lib, a: a.nonzero_static(size=size, fill_value=7), [x], grad=False)


# ------------------------------------------------------------------ triangular_solve, nuclear/frobenius norms
@pytest.mark.parametrize("unitriangular", [False, True])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("upper", [True, False])
def test_triangular_solve(upper, transpose, unitriangular):
    A = random_array((2, 3, 3), "float64") + 4 * np.eye(3)
    B = random_array((2, 3, 2), "float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(lambda lib, b, a: tuple(lib.triangular_solve(b, a, upper, transpose, unitriangular)), [B, A],
              dtype="float64")
        check(lambda lib, b, a: b.triangular_solve(a, upper=upper, transpose=transpose,
                                                   unitriangular=unitriangular).solution, [B, A], dtype="float64")


@pytest.mark.parametrize("code", [
    lambda lib, x: lib.nuclear_norm(x[0]), lambda lib, x: lib.nuclear_norm(x, (1, 2)),
    lambda lib, x: lib.nuclear_norm(x, dim=(0, 2), keepdim=True), lambda lib, x: lib.nuclear_norm(x[1], True),
    lambda lib, x: lib.frobenius_norm(x, (1, 2)), lambda lib, x: lib.frobenius_norm(x, 1, keepdim=True),
], ids=["nuc", "nuc-dim", "nuc-keepdim", "nuc-keepdim-pos", "fro", "fro-1"])
def test_nuclear_and_frobenius_norms(code):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(code, [random_array((2, 3, 4), "float64")], dtype="float64")


def test_frobenius_norm_refuses_three_dims():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        same_error(lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), (0, 1, 2)))


# ------------------------------------------------------------------ resize_
@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (6,), (0,), (1, 2, 3)], ids=str)
def test_resize(shape):
    x = random_array((2, 3), "float32")
    e, t = to_ember(x), torch.tensor(x)       # (a tensor from NumPy memory cannot be resized by torch)
    assert e.resize_(shape) is e and t.resize_(shape) is t
    assert tuple(e.shape) == tuple(t.shape)
    keep = min(int(np.prod(shape)), 6)
    np.testing.assert_array_equal(e.numpy().reshape(-1)[:keep], t.numpy().reshape(-1)[:keep])
    e2, t2 = to_ember(x), torch.tensor(x)
    assert ember.resize_as_(e2, ember.empty(shape)) is e2 and tuple(e2.shape) == tuple(
        torch.resize_as_(t2, torch.empty(shape)).shape)
    assert tuple(to_ember(x).resize_as_(ember.empty(shape)).shape) == tuple(shape)


def test_resize_refuses_tensors_that_require_grad():
    same_error(lambda lib: lib.ones(3, requires_grad=True).resize_(2))


# ------------------------------------------------------------------ top-level nn kernels with ATen's signatures
def _targets(n):
    return np.where(random_array((n,), "float64") > 0, 1.0, -1.0)


@pytest.mark.parametrize("reduction", [0, 1, 2])
@pytest.mark.parametrize("case", [
    ("bce_logits", lambda lib, r, x, y: lib.binary_cross_entropy_with_logits(x, lib.sigmoid(y), None, None, r),
     [(4, 3), (4, 3)]),
    ("bce_logits_w", lambda lib, r, x, y, w: lib.binary_cross_entropy_with_logits(x, lib.sigmoid(y), w.detach(),
                                                                                              w.detach() * 2, r),
     [(4, 3), (4, 3), (3,)]),
    ("kl_div", lambda lib, r, x, y: lib.kl_div(x, lib.softmax(y, 1), r), [(4, 3), (4, 3)]),
    ("kl_div_log", lambda lib, r, x, y: lib.kl_div(x, y, r, log_target=True), [(4, 3), (4, 3)]),
    ("cosine_embedding", lambda lib, r, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, r),
     [(5, 3), (5, 3), _targets(5)]),
    ("hinge_embedding", lambda lib, r, x, t: lib.hinge_embedding_loss(x, t, 0.5, r), [(6,), _targets(6)]),
    ("margin_ranking", lambda lib, r, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, r), [(6,), (6,), _targets(6)]),
    ("poisson_nll", lambda lib, r, x, y: lib.poisson_nll_loss(x, y.abs(), True, False, 1e-8, r), [(4, 3), (4, 3)]),
    ("poisson_nll_full", lambda lib, r, x, y: lib.poisson_nll_loss(x.abs() + 0.1, y.abs() + 1, False, True, 1e-8, r),
     [(4, 3), (4, 3)]),
    ("triplet", lambda lib, r, a, p, n: lib.triplet_margin_loss(a, p, n, 1.0, 2, 1e-6, False, r),
     [(4, 3), (4, 3), (4, 3)]),
    ("triplet_swap", lambda lib, r, a, p, n: lib.triplet_margin_loss(a, p, n, 0.5, 1, 1e-6, True, r),
     [(4, 3), (4, 3), (4, 3)]),
], ids=lambda c: c[0] if isinstance(c, tuple) else str(c))
def test_top_level_losses(case, reduction):
    _, fn, inputs = case
    inputs = [random_array(i, "float64") if isinstance(i, tuple) else i for i in inputs]
    check(lambda lib, *xs: fn(lib, reduction, *xs), inputs, dtype="float64")


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_top_level_ctc_loss(reduction):
    T, N, C, S = 6, 2, 4, 3
    logits = random_array((T, N, C), "float64")
    targets = random_array((N, S), "int64", low=1, high=C - 1)
    check(lambda lib, x, t: lib.ctc_loss(lib.log_softmax(x, 2), t, [T, T - 1], [S, S - 1], 0, reduction, False),
          [logits, targets], dtype="float64")


def test_top_level_losses_refuse_string_reductions():
    same_error(lambda lib: lib.kl_div(lib.ones(3), lib.ones(3), "mean"))


def test_constant_pad_nd_and_max_pool1d_with_indices():
    check(lambda lib, x: lib.constant_pad_nd(x, [1, 2, 0, 1], 0.5), [(2, 3, 4)])
    check(lambda lib, x: lib.constant_pad_nd(x, (2, 1)), [(3, 4)])
    check(lambda lib, x: tuple(lib.max_pool1d_with_indices(x, 2)), [(2, 3, 8)])
    check(lambda lib, x: tuple(lib.max_pool1d_with_indices(x, 3, 2, 1)), [(1, 2, 9)])


# ------------------------------------------------------------------ gradient (finite differences)
def _coords(n):
    return np.cumsum(random_array((n,), "float64", low=0.2, high=1.5))


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("shape,kwargs", [
    ((6,), {}), ((6,), {"spacing": 0.5}), ((4, 5), {}), ((4, 5), {"dim": 1}), ((4, 5), {"dim": -2, "spacing": [2.0]}),
    ((3, 4, 5), {"spacing": [1.0, 0.5, 2.0]}), ((3, 4, 5), {"dim": (0, 2), "spacing": 3.0}), ((4, 5), {"dim": [1, 0]}),
], ids=str)
def test_gradient_uniform(shape, kwargs, edge_order):
    check(lambda lib, x: lib.gradient(x, edge_order=edge_order, **kwargs), [shape], dtype="float64",
          second_order=True)
    check(lambda lib, x: lib.gradient(x, edge_order=edge_order, **kwargs), [shape])


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_with_coordinates(edge_order):
    cx, cy = _coords(4), _coords(5)
    check(lambda lib, x, a, b: lib.gradient(x, spacing=(a, b), edge_order=edge_order),
          [random_array((4, 5), "float64"), cx, cy], dtype="float64", second_order=True)
    check(lambda lib, x, b: lib.gradient(x, spacing=[b], dim=1, edge_order=edge_order),
          [random_array((4, 5), "float64"), cy], dtype="float64")


def test_gradient_of_integers_and_0d_tensor_spacing():
    check(lambda lib, x: lib.gradient(x), [random_array((3, 4), "int64", low=-9, high=9)], grad=False)
    check(lambda lib, x: lib.gradient(x, spacing=lib.tensor(2.0)), [(5,)])
    assert ember.gradient(ember.ones(())) == () == torch.gradient(torch.ones(()))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.gradient(lib.ones(1)), lambda lib: lib.gradient(lib.ones(2), edge_order=2),
    lambda lib: lib.gradient(lib.ones(3), edge_order=3), lambda lib: lib.gradient(lib.ones(3, 4), spacing=[1.0] * 3),
    lambda lib: lib.gradient(lib.ones(3, 4), dim=(0, 0)), lambda lib: lib.gradient(lib.ones(3, 4), dim=2),
    lambda lib: lib.gradient(lib.ones(5), spacing=(lib.ones(2, 2),)), lambda lib: lib.gradient([1.0, 2.0]),
], ids=["size1", "size2-edge2", "edge3", "spacing-len", "dup-dim", "dim-range", "2d-coords", "list"])
def test_gradient_errors(fn):
    same_error(fn)


# ------------------------------------------------------------------ keyword names of the stub signatures
@pytest.mark.parametrize("code", [
    lambda lib, x, y: lib.concatenate([x, y], dim=1), lambda lib, x, y: lib.concatenate([x, y], axis=0),
    lambda lib, x, y: lib.true_divide(input=x, other=y), lambda lib, x, y: x.true_divide(other=y),
    lambda lib, x, y: lib.max(x, other=y), lambda lib, x, y: lib.min(input=x, other=y),
    lambda lib, x, y: x.max(other=y), lambda lib, x, y: lib.unsafe_split(input=x, split_size=1, dim=1),
], ids=["concatenate-dim", "concatenate-axis", "true_divide", "m-true_divide", "max-other", "min-other",
        "m-max-other", "unsafe_split"])
def test_stub_keyword_names(code):
    check(code, [(2, 3), (2, 3)])


def test_promote_types_and_result_type_keywords():
    for a, b in [("int32", "float32"), ("uint8", "int8"), ("float16", "bfloat16"), ("float64", "complex64")]:
        e = ember.promote_types(type1=getattr(ember, a), type2=getattr(ember, b))
        t = torch.promote_types(type1=getattr(torch, a), type2=getattr(torch, b))
        assert e.name == str(t).split(".")[-1]
    x = random_array((3,), "int32")
    for other in (2, 2.5, True):
        e = ember.result_type(tensor=to_ember(x), other=other)
        assert e.name == str(torch.result_type(tensor=to_torch(x), other=other)).split(".")[-1]


@pytest.mark.parametrize("code", [
    # "+ x": x's gradient through copy_ is zero, which torch returns as zeros and ember as None
    lambda lib, x, y: x.clone().copy_(other=y) + x, lambda lib, x, y: x.sum_to_size(size=(1, 3)),
    lambda lib, x, y: x.sum_to_size(1, 3), lambda lib, x, y: x[:1].expand(2, 3, implicit=False),
    lambda lib, x, y: x.cholesky_solve(input2=lib.eye(2) * 2 + y[:, :2].tril(-1) * 0, upper=False).sum(),
], ids=["copy_-other", "sum_to_size-size", "sum_to_size", "expand-implicit", "cholesky_solve-input2"])
def test_method_keyword_names(code):
    check(code, [(2, 3), (2, 3)], dtype="float64")


def test_resize_size_keyword():
    e, t = ember.ones(2, 3), torch.ones(2, 3)
    assert tuple(e.resize_(size=(3, 2)).shape) == tuple(t.resize_(size=(3, 2)).shape)


# ------------------------------------------------------------------ window functions
WINDOWS = [("hann_window", ()), ("hamming_window", ()), ("hamming_window", (0.5, 0.5)), ("blackman_window", ()),
           ("bartlett_window", ()), ("kaiser_window", ()), ("kaiser_window", (5.0,))]


@pytest.mark.parametrize("dtype", [None, "float64", "float16"])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("length", [0, 1, 2, 5, 16])
@pytest.mark.parametrize("name,extra", WINDOWS, ids=[f"{n}{e}" for n, e in WINDOWS])
def test_windows(name, extra, length, periodic, dtype):
    kw_e = {} if dtype is None else {"dtype": getattr(ember, dtype)}
    kw_t = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    e = getattr(ember, name)(length, periodic, *extra, **kw_e)
    t = getattr(torch, name)(length, periodic, *extra, **kw_t)
    assert_same(e, t, atol=1e-6 if dtype is None else None)
    assert getattr(ember, name)(length, requires_grad=True).requires_grad


@pytest.mark.parametrize("name", ["hann_window", "kaiser_window", "bartlett_window"])
def test_window_errors(name):
    same_error(lambda lib: getattr(lib, name)(-1))
    same_error(lambda lib: getattr(lib, name)(4, dtype=lib.int64))
    same_error(lambda lib: getattr(lib, name)(4.0))


# ------------------------------------------------------------------ fill_diagonal_, apply_/map_/map2_, flags
@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((3, 5), False), ((7, 3), False), ((7, 3), True),
                                        ((8, 3), True), ((2, 2, 2), False), ((3, 3, 3, 3), True), ((0, 0), False)],
                         ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_fill_diagonal_(shape, wrap, dtype):
    value = 2.7
    check(lambda lib, x: (x * 1 if dtype != "int64" else x.clone()).fill_diagonal_(value, wrap=wrap), [shape],
          dtype=dtype)
    x = random_array(shape, dtype)
    e, t = to_ember(x), to_torch(x)
    assert e.fill_diagonal_(value, wrap) is e
    t.fill_diagonal_(value, wrap)
    assert_same(e, t)


@pytest.mark.parametrize("fn", [lambda lib: lib.zeros(2, 3, 3).fill_diagonal_(1),
                                lambda lib: lib.zeros(3).fill_diagonal_(1),
                                lambda lib: lib.ones(3, 3, requires_grad=True).fill_diagonal_(1)],
                         ids=["unequal", "1-d", "leaf"])
def test_fill_diagonal_errors(fn):
    same_error(fn)


def test_apply_map_map2():
    for dtype in ("float64", "int64"):
        a, b, c = (random_array(s, dtype, low=-5, high=5) for s in ((2, 3), (3,), (2, 1)))
        e, t = to_ember(a), torch.tensor(a)
        assert e.apply_(lambda v: v * 2 + 1) is e
        t.apply_(lambda v: v * 2 + 1)
        assert_same(e, t)
        assert_same(e.map_(to_ember(b), lambda u, v: u - v), t.map_(to_torch(b), lambda u, v: u - v))
        assert_same(e.map2_(to_ember(b), to_ember(c), lambda u, v, w: u * v + w),
                    t.map2_(to_torch(b), to_torch(c), lambda u, v, w: u * v + w))
    same_error(lambda lib: lib.ones(3, requires_grad=True).apply_(lambda v: v))


def test_new_empty_strided_and_tensor_flags():
    e, t = ember.ones(2, dtype=ember.float64), torch.ones(2, dtype=torch.float64)
    en, tn = e.new_empty_strided((2, 3), (1, 2)), t.new_empty_strided((2, 3), (1, 2))
    assert en.stride() == tn.stride() and en.dtype is ember.float64 and tuple(en.shape) == tuple(tn.shape)
    for flag in ("is_xla", "is_xpu", "is_mps", "is_ipu", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn",
                 "is_nested", "is_sparse_csr"):
        assert getattr(e, flag) is getattr(t, flag) is False
    assert e.is_pinned() is t.is_pinned() is False
    same_error(lambda lib: lib.ones(2).pin_memory())
    assert e.is_shared() is t.is_shared() is False
    assert e.share_memory_() is e and e.is_shared() is True and t.share_memory_().is_shared() is True
    assert e.const_data_ptr() == e.data_ptr()


@pytest.mark.parametrize("view", [lambda x: x, lambda x: x.view(24), lambda x: x[:1], lambda x: x.clone(),
                                  lambda x: x.permute(2, 0, 1), lambda x: x.reshape(2, 12)],
                         ids=["self", "view", "slice", "clone", "permute", "reshape"])
def test_is_set_to_and_dim_order(view):
    x = random_array((2, 3, 4), "float32")
    e, t = to_ember(x), to_torch(x)
    assert e.is_set_to(view(e)) is t.is_set_to(view(t))
    assert view(e).dim_order() == view(t).dim_order()


def test_output_nr():
    x = ember.randn(3, 3, requires_grad=True)
    xt = to_torch(x.detach().numpy(), True)
    for op in (lambda lib, a: a * 2, lambda lib, a: lib.max(a, 0)[0], lambda lib, a: a.chunk(3)[2]):
        assert op(ember, x).output_nr == op(torch, xt).output_nr


# ------------------------------------------------------------------ legacy x.new, torch's special aliases
@pytest.mark.parametrize("args", [(2, 3), ([1, 2],), (), ("size",), ((1, 2),), (0,)], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_legacy_new(args, dtype):
    e_x, t_x = ember.ones(2, dtype=getattr(ember, dtype)), torch.ones(2, dtype=getattr(torch, dtype))
    e_args = [ember.Size([3, 1]) if a == "size" else a for a in args]
    t_args = [torch.Size([3, 1]) if a == "size" else a for a in args]
    e, t = e_x.new(*e_args), t_x.new(*t_args)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype.name == str(t.dtype).split(".")[-1]
    if args and isinstance(args[0], (list, tuple)):
        assert_same(e, t)


@pytest.mark.parametrize("code", [
    lambda lib, x, y: lib.igamma(x, y), lambda lib, x, y: lib.igammac(x, y), lambda lib, x, y: x.igamma(y),
    lambda lib, x, y: x.igammac(y), lambda lib, x, y: lib.mvlgamma(x + 1, 2), lambda lib, x, y: x.mvlgamma(p=1),
    lambda lib, x, y: (x + 2).mvlgamma_(3), lambda lib, x, y: (x * 1).igamma_(y),
], ids=["igamma", "igammac", "m-igamma", "m-igammac", "mvlgamma", "m-mvlgamma", "mvlgamma_", "igamma_"])
def test_special_aliases(code):
    check(code, [random_array((3, 4), "float64", low=1.0, high=3.0), random_array((4,), "float64", low=0.5, high=3)],
          dtype="float64", grad=False)
    check(lambda lib, x: lib.mvlgamma(x, 2), [random_array((5,), "float64", low=1.0, high=3.0)], dtype="float64")


# ------------------------------------------------------------------ LU
LU_SHAPES = [(3, 3), (2, 4, 4), (3, 5), (2, 5, 3), (1, 1)]


@pytest.mark.parametrize("shape", LU_SHAPES, ids=str)
def test_linalg_lu(shape):
    check(lambda lib, a: tuple(lib.linalg.lu(a)), [random_array(shape, "float64")], dtype="float64")
    check(lambda lib, a: tuple(lib.linalg.lu(a))[1:], [random_array(shape, "float32")], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", LU_SHAPES, ids=str)
def test_lu_factor_unpack_and_legacy_lu(shape):
    x = random_array(shape, "float64")
    check(lambda lib, a: tuple(lib.linalg.lu_factor(a)), [x], dtype="float64")
    check(lambda lib, a: tuple(lib.lu_unpack(*lib.linalg.lu_factor(a))), [x], dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(lambda lib, a: tuple(lib.lu(a)), [x], dtype="float64")
        check(lambda lib, a: tuple(a.lu(get_infos=True)), [x], dtype="float64")
    e = ember.lu_unpack(*ember.linalg.lu_factor(to_ember(x)), unpack_data=False)
    t = torch.lu_unpack(*torch.linalg.lu_factor(to_torch(x)), unpack_data=False)
    assert_same(e.P, t.P)


@pytest.mark.parametrize("left,adjoint", [(True, False), (False, False), (True, True), (False, True)])
def test_lu_solve(left, adjoint):
    A = random_array((2, 3, 3), "float64") + 3 * np.eye(3)
    B = random_array((2, 3, 2) if left else (2, 2, 3), "float64")
    check(lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=left, adjoint=adjoint), [A, B],
          dtype="float64")
    if left and not adjoint:
        check(lambda lib, a, b: lib.lu_solve(b, *lib.linalg.lu_factor(a)), [A, B], dtype="float64")
        check(lambda lib, a, b: b.lu_solve(*lib.linalg.lu_factor(a)), [A, B], dtype="float64")
