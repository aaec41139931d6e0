"""Function forms and small ops against torch: torch.exp_(t) and the other top-level in-place functions
(ember/ops/function_forms.py), fill/detach, the *_copy functions (copy_variants.py), the *_scatter ops
(scatter_views.py), unravel_index/tril_indices/triu_indices/isin (index_tools.py), is_nonzero and the
other predicates (tensor_info.py), diagflat, split_with_sizes, scalar_tensor/empty_strided/frombuffer,
and the keyword spellings of the shape methods (x.view(size=...), x.permute(dims=...), ...)."""
import array
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops.function_forms import _METHODS
from oracle import assert_same, check, random_array, same_error, to_ember, to_torch

# ------------------------------------------------------------------ torch.NAME_(t, ...) == t.NAME_(...)
# name -> (domain, extra args): the in-place functions PyTorch exposes at the top level
INPLACE_FUNCTIONS = {
    "abs_": ((-2, 2), ()), "acos_": ((-0.9, 0.9), ()), "acosh_": ((1.1, 3), ()), "arccos_": ((-0.9, 0.9), ()),
    "arccosh_": ((1.1, 3), ()), "arcsin_": ((-0.9, 0.9), ()), "arcsinh_": ((-2, 2), ()), "arctan_": ((-2, 2), ()),
    "arctanh_": ((-0.9, 0.9), ()), "asin_": ((-0.9, 0.9), ()), "asinh_": ((-2, 2), ()), "atan_": ((-2, 2), ()),
    "atanh_": ((-0.9, 0.9), ()), "ceil_": ((-3, 3), ()), "clamp_": ((-2, 2), (-0.5, 0.5)),
    "clamp_max_": ((-2, 2), (0.3,)), "clamp_min_": ((-2, 2), (-0.3,)), "clip_": ((-2, 2), (-1.0, 1.0)),
    "conj_physical_": ((-2, 2), ()), "cos_": ((-2, 2), ()), "cosh_": ((-2, 2), ()), "deg2rad_": ((-90, 90), ()),
    "erf_": ((-2, 2), ()), "erfc_": ((-2, 2), ()), "exp2_": ((-2, 2), ()), "exp_": ((-2, 2), ()),
    "expm1_": ((-2, 2), ()), "fill_": ((-2, 2), (1.5,)), "fix_": ((-3, 3), ()), "floor_": ((-3, 3), ()),
    "frac_": ((-3, 3), ()), "i0_": ((-2, 2), ()), "log10_": ((0.1, 3), ()), "log1p_": ((-0.5, 3), ()),
    "log2_": ((0.1, 3), ()), "log_": ((0.1, 3), ()), "logit_": ((0.1, 0.9), ()), "nan_to_num_": ((-2, 2), ()),
    "neg_": ((-2, 2), ()), "negative_": ((-2, 2), ()), "rad2deg_": ((-2, 2), ()), "reciprocal_": ((0.5, 2), ()),
    "round_": ((-3, 3), ()), "rsqrt_": ((0.5, 3), ()), "sigmoid_": ((-2, 2), ()), "sin_": ((-2, 2), ()),
    "sinc_": ((-2, 2), ()), "sinh_": ((-2, 2), ()), "sqrt_": ((0.1, 3), ()), "square_": ((-2, 2), ()),
    "tan_": ((-1, 1), ()), "tanh_": ((-2, 2), ()), "trunc_": ((-3, 3), ()), "zero_": ((-2, 2), ()),
}
NO_TORCH_DERIVATIVE = {"acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_"}
TENSOR_ARG_FUNCTIONS = {  # in-place functions whose second operand is a tensor
    "xlogy_": ((0.1, 2), (0.1, 2)), "ldexp_": ((-2, 2), (-2, 2)),
}


def test_the_table_covers_every_function_form_torch_has():
    tested = set(INPLACE_FUNCTIONS) | set(TENSOR_ARG_FUNCTIONS) | {"gcd_", "lcm_", "detach", "detach_",
                                                                    "as_strided_", "addmv_",
                                                                    "resize_as_"}   # (test_gaps_more.py)
    assert set(_METHODS) == tested
    assert all(hasattr(torch, n) for n in _METHODS)


@pytest.mark.parametrize("name", sorted(INPLACE_FUNCTIONS))
def test_inplace_function_forms(name):
    (lo, hi), args = INPLACE_FUNCTIONS[name]
    x = random_array((3, 4), "float64", low=lo, high=hi)
    e, t = to_ember(x), to_torch(x)
    assert getattr(ember, name)(e, *args) is e
    assert getattr(torch, name)(t, *args) is t
    assert_same(e, t)
    # differentiable through a non-leaf, as the method is (torch has no derivative for in-place acosh, asinh
    # and atanh). "+ a": the gradient of fill_/zero_ is zero, which torch returns as zeros and ember as None.
    check(lambda lib, a: getattr(lib, name)(a * 1, *args) + a, [x], dtype="float64",
          grad=name not in NO_TORCH_DERIVATIVE)


@pytest.mark.parametrize("name", sorted(TENSOR_ARG_FUNCTIONS))
def test_inplace_function_forms_with_a_tensor_operand(name):
    (la, ha), (lb, hb) = TENSOR_ARG_FUNCTIONS[name]
    check(lambda lib, a, b: getattr(lib, name)(a * 1, b),
          [random_array((3, 4), "float64", low=la, high=ha), random_array((4,), "float64", low=lb, high=hb)],
          dtype="float64")


def test_integer_and_view_function_forms():
    a = random_array((5,), "int64", low=-20, high=20)
    b = random_array((5,), "int64", low=-20, high=20)
    for name in ("gcd_", "lcm_"):
        e, t = to_ember(a), to_torch(a)
        assert getattr(ember, name)(e, to_ember(b)) is e
        getattr(torch, name)(t, to_torch(b))
        assert_same(e, t)
    x = random_array((2, 3), "float32")
    e, t = to_ember(x), to_torch(x)
    assert ember.as_strided_(e, (3, 2), (1, 3)) is e
    torch.as_strided_(t, (3, 2), (1, 3))
    assert_same(e, t)
    m, v = random_array((3, 4), "float64"), random_array((4,), "float64")
    y = random_array((3,), "float64")
    check(lambda lib, y_, m_, v_: lib.addmv_(y_ * 1, m_, v_), [y, m, v], dtype="float64")


def test_function_forms_refuse_what_the_methods_refuse():
    same_error(lambda lib: lib.exp_(lib.ones(3, dtype=lib.int64)))
    same_error(lambda lib: lib.sqrt_(lib.ones(3, requires_grad=True)))
    same_error(lambda lib: lib.clamp_(lib.ones(3)))
    same_error(lambda lib: lib.exp_([1.0, 2.0]))


def test_detach_and_detach_function_forms():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True) * 2
        d = lib.detach(x)
        assert not d.requires_grad and d.grad_fn is None
        d[0] = 5                       # shares memory with x
        assert x[0].item() == 5
        assert lib.detach_(x) is x and not x.requires_grad


@pytest.mark.parametrize("value", [1.5, 3, "tensor"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_fill(value, dtype):
    x = random_array((2, 3), dtype)

    def fn(lib, a, *v):      # "+ a": see test_inplace_function_forms
        return lib.fill(a * 1, v[0] if v else value) + a
    inputs = [x] + ([np.array(random_array((), dtype))] if value == "tensor" else [])
    e, t = check(fn, inputs, dtype=dtype)
    assert e.requires_grad == t.requires_grad
    # without the sum: the result's dtype, values and grad requirement are fill's own
    e, t = check(lambda lib, a, *v: lib.fill(a, v[0] if v else value), inputs, dtype=dtype, grad=False)
    assert e.requires_grad == t.requires_grad


# ------------------------------------------------------------------ *_copy
COPIES = [  # name, input shape, dtype, args, kwargs
    ("permute_copy", (2, 3, 4), "float32", ((2, 0, 1),), {}),
    ("permute_copy", (2, 3), "float32", (), {"dims": (1, 0)}),
    ("transpose_copy", (2, 3, 4), "float32", (0, 2), {}),
    ("t_copy", (3, 4), "float32", (), {}),
    ("t_copy", (4,), "float32", (), {}),
    ("expand_copy", (3, 1), "float32", ((2, 3, 4),), {}),
    ("expand_copy", (3, 1), "float32", (), {"size": (3, 5), "implicit": False}),
    ("squeeze_copy", (3, 1, 4, 1), "float32", (), {}),
    ("squeeze_copy", (3, 1, 4, 1), "float32", (1,), {}),
    ("squeeze_copy", (3, 1, 4, 1), "float32", ((1, 3),), {}),
    ("unsqueeze_copy", (3, 4), "float32", (-1,), {}),
    ("select_copy", (3, 4), "float32", (1, -2), {}),
    ("slice_copy", (5, 6), "float32", (1, 1, 5, 2), {}),
    ("slice_copy", (5, 6), "float32", (), {"start": -3}),
    ("slice_copy", (5, 6), "float32", (0, -100, 100), {}),
    ("narrow_copy", (5, 6), "float32", (1, 2, 3), {}),
    ("diagonal_copy", (3, 4, 5), "float32", (1, 1, 2), {}),
    ("detach_copy", (3, 4), "float32", (), {}),
    ("alias_copy", (3, 4), "float64", (), {}),
    ("view_copy", (3, 4), "float32", ((2, 6),), {}),
    ("view_copy", (3, 4), "float32", (), {"size": (4, -1)}),
    ("view_as_real_copy", (3,), "complex64", (), {}),
    ("view_as_complex_copy", (3, 2), "float32", (), {}),
    ("unfold_copy", (7, 3), "float32", (0, 3, 2), {}),
    ("as_strided_copy", (4, 5), "float32", ((3, 3), (5, 1), 2), {}),
    ("split_copy", (7, 3), "float32", (3,), {}),
    ("split_copy", (3, 7), "float32", (2, 1), {}),
    ("split_with_sizes_copy", (6, 3), "float32", ([1, 2, 3],), {}),
    ("split_with_sizes", (3, 6), "float32", ([4, 2], 1), {}),
    ("unbind_copy", (3, 4), "float32", (1,), {}),
    ("view_copy", (), "float64", ((1, 1),), {}),
    ("squeeze_copy", (0, 1), "float32", (), {}),
]


@pytest.mark.parametrize("name,shape,dtype,args,kwargs", COPIES, ids=[f"{c[0]}-{c[1]}" for c in COPIES])
def test_copy_functions(name, shape, dtype, args, kwargs):
    x = random_array(shape, dtype)
    e, t = check(lambda lib, a: getattr(lib, name)(a, *args, **kwargs), [x], dtype=dtype,
                 grad=name not in ("view_as_complex_copy", "detach_copy"))  # torch has no derivative there
    e_parts = e if isinstance(e, tuple) else (e,)
    for p in e_parts:
        if name != "split_with_sizes":    # the one view among them
            assert p._data.flags.c_contiguous
            assert not np.shares_memory(p._data, to_ember(x)._data) and p._base is None


def test_copies_do_not_share_memory_and_take_out():
    x = ember.randn(3, 4)
    c = ember.transpose_copy(x, 0, 1)
    c[0, 0] = 100.0
    assert x[0, 0].item() != 100.0
    eo, to = ember.empty(0), torch.empty(0)
    xt = to_torch(x.numpy())
    assert ember.permute_copy(x, (1, 0), out=eo) is eo
    torch.permute_copy(xt, (1, 0), out=to)
    assert_same(eo, to)
    e_outs = [ember.empty(2, 4), ember.empty(1, 4)]
    t_outs = [torch.empty(2, 4), torch.empty(1, 4)]
    assert ember.split_copy(x, 2, out=e_outs) is None and torch.split_copy(xt, 2, out=t_outs) is None
    assert_same(e_outs, t_outs)


def test_narrow_copy_method_and_split_with_sizes_method():
    check(lambda lib, a: a.narrow_copy(0, 1, 2), [(4, 3)])
    check(lambda lib, a: a.split_with_sizes([1, 3], dim=0), [(4, 3)])
    check(lambda lib, a: a.split_with_sizes(split_sizes=(2, 1), dim=1), [(4, 3)])


@pytest.mark.parametrize("fn", [
    lambda lib: lib.slice_copy(lib.ones(3, 4), 1, step=0),
    lambda lib: lib.slice_copy(lib.ones(()), 0),
    lambda lib: lib.select_copy(lib.ones(3, 4), 1, 7),
    lambda lib: lib.permute_copy(lib.ones(3, 4), (0,)),
    lambda lib: lib.expand_copy(lib.ones(3, 4), (2, 4)),
    lambda lib: lib.split_with_sizes(lib.ones(3, 4), [1, 1]),
    lambda lib: lib.unbind_copy(lib.ones(()), 0),
    lambda lib: lib.view_copy(lib.ones(3, 4), (5,)),
    lambda lib: lib.transpose_copy([1, 2], 0, 1),
], ids=["step0", "0-d", "select-range", "permute-len", "expand-size", "split-sum", "unbind-0d", "view-size",
        "not-tensor"])
def test_copy_function_errors(fn):
    same_error(fn)


# ------------------------------------------------------------------ *_scatter
SCATTERS = [  # name, input shape, src shape, args
    ("select_scatter", (3, 4), (4,), (0, 1)),
    ("select_scatter", (3, 4, 2), (3, 2), (1, -1)),
    ("slice_scatter", (5, 4), (2, 4), (0, 1, 5, 2)),
    ("slice_scatter", (3, 6), (3, 6), (1,)),
    ("slice_scatter", (3, 6), (3, 2), (1, -2)),
    ("slice_scatter", (3, 6), (3, 0), (1, 10, 20)),
    ("diagonal_scatter", (3, 4), (3,), ()),
    ("diagonal_scatter", (3, 4), (2,), (2,)),
    ("diagonal_scatter", (2, 3, 4), (4, 1), (-1, 0, 1)),
    ("diagonal_scatter", (3, 4, 5), (4, 3), (1, 0, 2)),
    ("select_scatter", (4,), (), (0, 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,shape,src,args", SCATTERS, ids=[f"{c[0]}-{c[1]}" for c in SCATTERS])
def test_scatter_ops(name, shape, src, args, dtype):
    check(lambda lib, a, s: getattr(lib, name)(a, s, *args), [shape, src], dtype=dtype,
          second_order=dtype == "float64")
    check(lambda lib, a, s: getattr(a, name)(s, *args), [shape, src], dtype=dtype)


def test_as_strided_scatter():
    """Values and src's gradient as torch; input's gradient is that of torch's own composite
    (clone, then copy src into the strided view): torch's as_strided_scatter derivative keeps g inside
    the window and zeroes it outside, the reverse of what the op does."""
    args = ((2, 2), (4, 1), 1)
    check(lambda lib, a, s: lib.as_strided_scatter(a.detach(), s, *args), [(3, 4), (2, 2)], dtype="float64")

    def composite(lib, a, s):
        if lib is ember:
            return ember.as_strided_scatter(a, s, *args)
        r = a.clone()
        r.as_strided(*args).copy_(s)
        return r
    check(composite, [(3, 4), (2, 2)], dtype="float64", second_order=True)


def test_scatter_grad_only_to_src_and_mixed_dtypes():
    x = random_array((3, 4), "float32")
    s = random_array((4,), "float64")
    check(lambda lib, a, b: lib.select_scatter(a.detach(), b, 0, 2), [x, s.astype(np.float32)])
    e, t = to_ember(x), to_torch(x)
    assert_same(ember.select_scatter(e, to_ember(s), 0, 1), torch.select_scatter(t, to_torch(s), 0, 1))
    assert_same(ember.diagonal_scatter(to_ember(np.arange(6).reshape(2, 3)), ember.tensor([7, 8])),
                torch.diagonal_scatter(torch.arange(6).reshape(2, 3), torch.tensor([7, 8])))


def test_scatter_does_not_touch_input_and_slice_scatter_out():
    x = ember.randn(3, 4)
    before = x.numpy().copy()
    r = ember.slice_scatter(x, ember.zeros(3, 2), 1, 0, 2)
    np.testing.assert_array_equal(x.numpy(), before)
    assert not np.shares_memory(r._data, x._data)
    eo, to = ember.empty(0), torch.empty(0)
    src = random_array((3, 2), "float32")
    ember.slice_scatter(x, to_ember(src), 1, 0, 2, out=eo)
    torch.slice_scatter(to_torch(x.numpy()), to_torch(src), 1, 0, 2, out=to)
    assert_same(eo, to)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.select_scatter(lib.ones(3, 4), lib.ones(3), 0, 1),
    lambda lib: lib.select_scatter(lib.ones(3, 4), 1.0, 0, 1),
    lambda lib: lib.slice_scatter(lib.ones(3, 4), lib.ones(3, 2), 1, step=-1),
    lambda lib: lib.slice_scatter(lib.ones(3, 4), lib.ones(3, 3), 1, 0, 2),
    lambda lib: lib.diagonal_scatter(lib.ones(3, 4), lib.ones(2)),
    lambda lib: lib.diagonal_scatter(lib.ones(3, 4), lib.ones(3), 0, 0, 0),
], ids=["select-size", "src-number", "negative-step", "slice-size", "diag-size", "diag-same-dims"])
def test_scatter_errors(fn):
    same_error(fn)


# ------------------------------------------------------------------ diagflat
@pytest.mark.parametrize("shape,offset", [((3,), 0), ((2, 2), 1), ((4,), -2), ((), 0), ((0,), 1), ((2, 1, 2), 0)],
                         ids=str)
def test_diagflat(shape, offset):
    check(lambda lib, a: lib.diagflat(a, offset), [shape], dtype="float64", second_order=True)
    check(lambda lib, a: a.diagflat(offset), [shape])
    check(lambda lib, a: lib.diagflat(a, offset=offset), [random_array(shape, "int64")], grad=False)


# ------------------------------------------------------------------ index tools
@pytest.mark.parametrize("shape", [(2, 3, 4), (5,), 12, (3, 1, 4), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_unravel_index(shape, dtype):
    n = int(np.prod(shape))
    idx = random_array((3, 2), dtype, low=0, high=max(n - 1, 0)) if n else np.zeros((0,), dtype)
    assert_same(ember.unravel_index(to_ember(idx), shape), torch.unravel_index(to_torch(idx), shape))
    scalar = np.array(random_array((), "int64", low=-n, high=n - 1) if n else 0)
    if n:
        assert_same(ember.unravel_index(to_ember(scalar), shape), torch.unravel_index(to_torch(scalar), shape))


def test_unravel_index_wraps_out_of_range_and_errors():
    idx = np.array([-1, -7, 9, 30])
    assert_same(ember.unravel_index(to_ember(idx), (2, 4)), torch.unravel_index(to_torch(idx), (2, 4)))
    assert ember.unravel_index(ember.tensor([1]), ()) == () == torch.unravel_index(torch.tensor([1]), ())
    same_error(lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 3)))
    same_error(lambda lib: lib.unravel_index(lib.tensor([True]), (2, 3)))
    same_error(lambda lib: lib.unravel_index(lib.tensor([1]), (2, -3)))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("row,col,offset", [(3, 4, 0), (4, 3, 1), (5, 5, -2), (0, 3, 0), (3, 3, 10), (3, 3, -10),
                                            (1, 1, 0)], ids=str)
def test_triangle_indices(name, row, col, offset):
    assert_same(getattr(ember, name)(row, col, offset), getattr(torch, name)(row, col, offset))
    assert_same(getattr(ember, name)(row, col, offset=offset, dtype=ember.int32),
                getattr(torch, name)(row, col, offset=offset, dtype=torch.int32))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices_errors(name):
    same_error(lambda lib: getattr(lib, name)(-1, 3))
    same_error(lambda lib: getattr(lib, name)(3, -2))
    same_error(lambda lib: getattr(lib, name)(3, 3, dtype=lib.float32))


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("assume_unique", [False, True])
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("float32", "float64"), ("int32", "float32"),
                                    ("uint8", "int64")], ids=str)
@pytest.mark.parametrize("shapes", [((3, 4), (5,)), ((6,), (2, 2)), ((), (3,)), ((0,), (3,)), ((4,), (0,))],
                         ids=str)
def test_isin(shapes, dtypes, assume_unique, invert):
    a = random_array(shapes[0], dtypes[0], low=-4, high=4)
    b = random_array(shapes[1], dtypes[1], low=-4, high=4)
    if dtypes[0].startswith("float"):
        a = np.round(a).astype(a.dtype)      # equal values must occur for the test to mean something
        b = np.round(b).astype(b.dtype)
    if assume_unique:
        a = np.unique(a).astype(a.dtype)[: max(a.size, 1)] if a.ndim else a
        b = np.unique(b).astype(b.dtype)
    check(lambda lib, x, y: lib.isin(x, y, assume_unique=assume_unique, invert=invert), [a, b], grad=False)


def test_isin_with_numbers_and_out_and_errors():
    a = random_array((5,), "int64", low=-3, high=3)
    check(lambda lib, x: lib.isin(x, 1), [a], grad=False)
    check(lambda lib, x: lib.isin(2, x), [a], grad=False)
    check(lambda lib, x: lib.isin(x, 2.0, invert=True), [a], grad=False)
    eo, to = ember.empty(0, dtype=ember.bool), torch.empty(0, dtype=torch.bool)
    ember.isin(to_ember(a), ember.tensor([0, 1]), out=eo)
    torch.isin(to_torch(a), torch.tensor([0, 1]), out=to)
    assert_same(eo, to)
    same_error(lambda lib: lib.isin(1, 2))
    same_error(lambda lib: lib.isin(lib.ones(3, dtype=lib.bool), lib.ones(2, dtype=lib.bool)))
    same_error(lambda lib: lib.isin(lib.ones(3), True))
    same_error(lambda lib: lib.isin(lib.ones(3, dtype=lib.complex64), lib.ones(2, dtype=lib.complex64)))


# ------------------------------------------------------------------ predicates
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "complex64"])
def test_is_nonzero(shape, dtype):
    for fill in (0, 1):
        a = np.full(shape, fill).astype(dtype)
        assert ember.is_nonzero(to_ember(a)) is torch.is_nonzero(to_torch(a))
        assert to_ember(a).is_nonzero() is to_torch(a).is_nonzero()
    x = random_array(shape, dtype)
    assert ember.is_nonzero(to_ember(x)) is torch.is_nonzero(to_torch(x))


@pytest.mark.parametrize("shape", [(0,), (2,), (2, 3)], ids=str)
def test_is_nonzero_errors(shape):
    same_error(lambda lib: lib.is_nonzero(lib.ones(shape)))


@pytest.mark.parametrize("a,b", [((2, 3), (2, 3)), ((2, 3), (3, 2)), ((), ()), ((1,), ()), ((0,), (0,))], ids=str)
def test_is_same_size(a, b):
    ea, eb = ember.ones(a), ember.ones(b, dtype=ember.int64)
    ta, tb = torch.ones(a), torch.ones(b, dtype=torch.int64)
    assert ember.is_same_size(ea, eb) is torch.is_same_size(ta, tb)
    assert ea.is_same_size(eb) is ta.is_same_size(tb)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int64", "float16", "bfloat16", "float32", "complex64"])
def test_is_signed(dtype):
    assert ember.is_signed(ember.ones(2, dtype=getattr(ember, dtype))) is \
        torch.is_signed(torch.ones(2, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.int64), lambda lib: lib.ones(2, dtype=lib.complex64),
    lambda lib: 3, lambda lib: "s", lambda lib: len, lambda lib: lib.nn.Linear, lambda lib: lib.nn.Linear(1, 1),
    lambda lib: [1], lambda lib: None,
], ids=["float", "long", "complex", "int", "str", "builtin", "class", "module", "list", "None"])
def test_typename(make):
    e, t = ember.typename(make(ember)), torch.typename(make(torch))
    assert e.replace("ember", "torch") == t


# ------------------------------------------------------------------ creation
@pytest.mark.parametrize("value", [3, 2.5, True, -1])
@pytest.mark.parametrize("dtype", [None, "int64", "float64", "bool", "complex64"])
def test_scalar_tensor(value, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    e = ember.scalar_tensor(value, **{k: getattr(ember, v) for k, v in kw.items()})
    t = torch.scalar_tensor(value, **{k: getattr(torch, v) for k, v in kw.items()})
    assert_same(e, t)
    assert ember.scalar_tensor(value, requires_grad=True).requires_grad


def test_scalar_tensor_from_a_tensor_and_complex_error():
    assert_same(ember.scalar_tensor(ember.tensor(2.5)), torch.scalar_tensor(torch.tensor(2.5)))
    same_error(lambda lib: lib.scalar_tensor(1 + 2j))


@pytest.mark.parametrize("size,stride", [((2, 3), (3, 1)), ((2, 3), (1, 2)), ((4,), (2,)), ((), ()),
                                         ((2, 0, 3), (3, 3, 1)), ((3, 2), (0, 1))], ids=str)
@pytest.mark.parametrize("dtype", [None, "float64", "int32"])
def test_empty_strided(size, stride, dtype):
    kw_e = {} if dtype is None else {"dtype": getattr(ember, dtype)}
    kw_t = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    e, t = ember.empty_strided(size, stride, **kw_e), torch.empty_strided(size, stride, **kw_t)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype.__repr__().split(".")[-1] == str(t.dtype).split(".")[-1]
    assert e.stride() == t.stride()


def test_empty_strided_errors():
    same_error(lambda lib: lib.empty_strided((2, 3), (1,)))
    same_error(lambda lib: lib.empty_strided((2, -3), (1, 1)))


@pytest.mark.parametrize("dtype,count,offset", [("int32", -1, 0), ("float32", 2, 4), ("uint8", -1, 3),
                                                ("int16", 3, 2), ("float64", -1, 8), ("bfloat16", -1, 0)], ids=str)
def test_frombuffer(dtype, count, offset):
    raw = bytearray(random_array((16,), "uint8", low=0, high=255).tobytes())
    e = ember.frombuffer(raw, dtype=getattr(ember, dtype), count=count, offset=offset)
    t = torch.frombuffer(bytearray(raw), dtype=getattr(torch, dtype), count=count, offset=offset)
    assert_same(e, t)
    raw[offset] ^= 0xFF          # ember's tensor shares the buffer's memory, as torch's does
    assert not np.array_equal(to_torch(e._data.copy()).view(torch.uint8).numpy(), t.view(torch.uint8).numpy())


def test_frombuffer_array_module_readonly_warning_and_errors():
    buf = array.array("f", random_array((5,), "float32").tolist())
    assert_same(ember.frombuffer(buf, dtype=ember.float32), torch.frombuffer(array.array("f", buf),
                                                                            dtype=torch.float32))
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.frombuffer(b"abcd", dtype=lib.uint8)
        assert lib is torch or any(issubclass(x.category, UserWarning) for x in w)
    same_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, count=3))
    same_error(lambda lib: lib.frombuffer(bytearray(7), dtype=lib.int32))
    same_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, offset=9))
    same_error(lambda lib: lib.frombuffer(bytearray(0), dtype=lib.int32))


# ------------------------------------------------------------------ keyword spellings of the shape methods
KEYWORD_FORMS = [  # (input shape, code run on both libraries)
    ((2, 3), lambda lib, x: x.view(size=(3, 2))),
    ((2, 3), lambda lib, x: x.view(size=[-1])),
    ((2, 3), lambda lib, x: x.reshape(shape=(3, 2))),
    ((2, 3), lambda lib, x: lib.reshape(x, shape=(6,))),
    ((2, 3), lambda lib, x: lib.reshape(input=x, shape=(1, 6))),
    ((2, 3, 4), lambda lib, x: x.permute(dims=(2, 0, 1))),
    ((2, 3, 4), lambda lib, x: lib.permute(x, dims=[1, 0, 2])),
    ((3, 1), lambda lib, x: x.expand(size=(2, 3, 4))),
    ((3, 1), lambda lib, x: x.expand(size=[-1, 5])),
    ((6, 2), lambda lib, x: x.split(split_size=4)),
    ((6, 2), lambda lib, x: x.split(split_size=[1, 5], dim=0)),
    ((2, 3), lambda lib, x: x.repeat(repeats=(2, 1, 2))),
    ((2, 3), lambda lib, x: x.flip(dims=(0, 1))),
    ((2, 3), lambda lib, x: x.swapaxes(axis0=0, axis1=1)),
    ((2, 3), lambda lib, x: lib.swapaxes(x, axis0=1, axis1=0)),
    ((2, 3), lambda lib, x: x.swapdims(dim0=0, dim1=1)),
    ((2, 3), lambda lib, x: lib.view_copy(x, size=(3, 2))),
    ((2, 3), lambda lib, x: x.sum(dim=0)),
    ((2, 3), lambda lib, x: x.new_ones(size=(2,)) + x.new_zeros(size=(2,)) + x.new_empty(size=(2,)) * 0),
    ((2, 3), lambda lib, x: x.new_full(size=(2, 2), fill_value=3.0)),
    ((2, 3), lambda lib, x: x.new_zeros(size=[3, 1], dtype=lib.float64)),
]


@pytest.mark.parametrize("shape,fn", KEYWORD_FORMS, ids=[str(i) for i in range(len(KEYWORD_FORMS))])
def test_keyword_forms(shape, fn):
    check(fn, [shape])


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.view((3, 2), size=(3, 2)),
    lambda lib, x: x.reshape(6, shape=(6,)),
    lambda lib, x: x.reshape(shap=(6,)),
    lambda lib, x: x.permute(1, 0, dims=(1, 0)),
    lambda lib, x: x.expand((2, 3), size=(2, 3)),
    lambda lib, x: x.repeat(2, 1, repeats=(2, 1)),
    lambda lib, x: x.new_ones(2, size=(2,)),
    lambda lib, x: x.new_ones(sizes=(2,)),
], ids=["view", "reshape", "reshape-typo", "permute", "expand", "repeat", "new_ones", "new_ones-typo"])
def test_keyword_forms_refuse_both_spellings(fn):
    same_error(lambda lib: fn(lib, lib.ones(2, 3)))
