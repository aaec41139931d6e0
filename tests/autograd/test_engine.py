"""The autograd engine and graph recording, compared with PyTorch."""
import gc
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, assert_same, check, pair, random_array, same_error, to_ember, to_torch

LIBS = [ember, torch]


def both(fn, *arrays, rg=True):
    """fn(lib, *tensors) on ember and torch with the same leaves; returns the two results."""
    out = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        out.append(fn(lib, *[conv(a, rg) for a in arrays]))
    return out


# ------------------------------------------------------------------ recording
@pytest.mark.parametrize("lib", LIBS, ids=lambda l: l.__name__)
def test_grad_fn_names_and_next_functions(lib):
    x = lib.ones(3, requires_grad=True)
    w = lib.ones(3, requires_grad=True)
    y = x * w
    z = (y + x).sum()
    assert type(z.grad_fn).__name__ == "SumBackward0" == z.grad_fn.name()
    (add, nr), = z.grad_fn.next_functions
    assert add.name() == "AddBackward0" and nr == 0
    mul, acc_x = add.next_functions[0][0], add.next_functions[1][0]
    assert mul.name() == "MulBackward0"
    assert acc_x.name() == "torch::autograd::AccumulateGrad" and type(acc_x).__name__ == "AccumulateGrad"
    assert acc_x.variable is x
    assert mul.next_functions[0][0] is acc_x              # the same AccumulateGrad for the same leaf
    assert mul.next_functions[1][0].variable is w
    assert acc_x.next_functions == ()
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf


@pytest.mark.parametrize("lib", LIBS, ids=lambda l: l.__name__)
def test_next_functions_for_constant_operands(lib):
    x = lib.ones(3, requires_grad=True)
    c = lib.ones(3)
    y = x * c
    assert y.grad_fn.next_functions[1] == (None, 0)
    y2 = c * 2.0
    assert y2.grad_fn is None and not y2.requires_grad and y2.is_leaf


def test_grad_fn_names_match_torch():
    progs = [
        lambda lib, x: x * 2, lambda lib, x: x + x, lambda lib, x: x - 1, lambda lib, x: x / 3,
        lambda lib, x: -x, lambda lib, x: x.exp(), lambda lib, x: x.sum(),
        lambda lib, x: x.mean(), lambda lib, x: x.sum(0), lambda lib, x: x.view(6),
        lambda lib, x: x.transpose(0, 1), lambda lib, x: x.permute(1, 0),
        lambda lib, x: x[0:1], lambda lib, x: x @ x.mT, lambda lib, x: x.clone(), lambda lib, x: x.unsqueeze(0),
        lambda lib, x: x.tanh(), lambda lib, x: x.sigmoid(), lambda lib, x: x.expand(4, 2, 3),
    ]
    a = random_array((2, 3))
    for p in progs:
        e, t = both(p, a)
        assert e.grad_fn.name() == t.grad_fn.name(), (e.grad_fn.name(), t.grad_fn.name())


def test_no_graph_without_requires_grad():
    x = ember.ones(3)
    y = (x * 2).exp().sum()
    assert y.grad_fn is None and not y.requires_grad
    with pytest.raises(RuntimeError):
        y.backward()


# ------------------------------------------------------------------ backward / grad
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backward_accumulates(dtype):
    a = random_array((3, 4), dtype)

    def prog(lib, x):
        (x * x).sum().backward()
        (x.exp() * 2).sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_backward_with_gradient_and_inputs():
    a, b = random_array((3,), "float64"), random_array((3,), "float64")
    g = random_array((3,), "float64")

    def prog(lib, x, w):
        y = x * w + x
        y.backward(lib.tensor(g), inputs=[w])
        return w.grad, x.grad
    e, t = both(prog, a, b)
    assert e[1] is None and t[1] is None
    assert_same(e[0], t[0])


@pytest.mark.filterwarnings("ignore:The .grad attribute")
def test_backward_inputs_non_leaf():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * 2
        z = (y * y).sum()
        z.backward(inputs=[y])
        return y.grad, x.grad
    e, t = both(prog, a)
    assert e[1] is None and t[1] is None
    assert_same(e[0], t[0])


def test_autograd_backward_function_multiple_roots():
    a = random_array((3,), "float64")
    g1, g2 = random_array((3,), "float64"), random_array((), "float64")

    def prog(lib, x):
        y1, y2 = x * 3, (x * x).sum()
        lib.autograd.backward([y1, y2], [lib.tensor(g1), lib.tensor(g2)])
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_grad_function():
    a, b = random_array((2, 3), "float64"), random_array((3,), "float64")
    go = random_array((2, 3), "float64")

    def prog(lib, x, w):
        y = (x * w).exp()
        gx, gw = lib.autograd.grad(y, [x, w], lib.tensor(go))
        return gx, gw, x.grad, w.grad
    e, t = both(prog, a, b)
    assert e[2] is None and e[3] is None
    assert_same(e[:2], t[:2])


def test_grad_single_input_returns_tuple():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        r = lib.autograd.grad((x * 2).sum(), x)
        assert isinstance(r, tuple) and len(r) == 1


def test_grad_unused_input():
    same_error(lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(),
                                             [lib.ones(2, requires_grad=True)]))
    for lib in LIBS:
        x, u = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        gx, gu = lib.autograd.grad((x * 2).sum(), [x, u], allow_unused=True, retain_graph=True)
        assert gu is None
        gx, gu = lib.autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)
        assert as_numpy(gu).tolist() == [0.0, 0.0]
    same_error(lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(),
                                             [lib.ones(2, requires_grad=True)], allow_unused=False,
                                             materialize_grads=True))


def test_grad_of_input_not_requiring_grad():
    same_error(lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(), [lib.ones(2)]))


def test_grad_does_not_run_unneeded_branches():
    calls = []
    x = ember.ones(2, requires_grad=True)
    w = ember.ones(2, requires_grad=True)
    a = x * 2
    b = w.exp()
    b.register_hook(lambda g: calls.append("w-branch"))
    (gx,) = ember.autograd.grad((a + b).sum(), [x])
    assert as_numpy(gx).tolist() == [2.0, 2.0]
    assert calls == [] and w.grad is None


def test_retain_grad_and_nonleaf_warning():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * 2
        y.retain_grad()
        z = y * 3
        (z * z).sum().backward()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            zg = z.grad
        assert zg is None and len(w) == 1 and "leaf" in str(w[0].message)
        assert y.retains_grad and not z.retains_grad
        return y.grad, x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_retain_grad_accumulates():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        (y * y).sum().backward()
        return y.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_second_backward_raises_and_retain_graph_allows_it():
    same_error(lambda lib: [(z := (lib.ones(2, requires_grad=True) * lib.ones(2, requires_grad=True)).sum()).backward(),
                            z.backward()])
    a = random_array((3,), "float64")

    def prog(lib, x):
        z = (x.exp() * x).sum()
        z.backward(retain_graph=True)
        z.backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_saved_buffers_freed_after_backward():
    x = ember.ones(3, requires_grad=True)
    y = x * x
    node = y.grad_fn
    assert len(node._saved_tensors) == 2
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        node._saved_tensors
    # nodes without saved tensors can run again (as in PyTorch)
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        z = (x + 1).sum()
        z.backward()
        z.backward()
        assert as_numpy(x.grad).tolist() == [2.0, 2.0, 2.0]


def test_non_scalar_backward_errors():
    same_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward())
    same_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(lib.ones(4)))
    same_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(lib.ones(2, 3)))
    same_error(lambda lib: lib.autograd.grad((lib.ones(3, requires_grad=True) * 2), [lib.ones(3)]))


def test_backward_on_tensor_without_grad():
    same_error(lambda lib: lib.ones(3).sum().backward())


def test_size_one_nonscalar_backward():
    for lib in LIBS:
        x = lib.ones(1, 1, requires_grad=True)
        (x * 3).backward()
        assert as_numpy(x.grad).tolist() == [[3.0]]


def test_leaf_backward_directly():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        x.backward(lib.full((2,), 2.0))
        assert as_numpy(x.grad).tolist() == [2.0, 2.0]


def test_grad_is_not_aliased_to_user_gradient():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        g = lib.ones(2)
        (x * 1).backward(g)
        x.grad.add_(1) if lib is torch else x.grad.__iadd__(1)
        assert as_numpy(g).tolist() == [1.0, 1.0]


# ------------------------------------------------------------------ deep graphs
def _deep(x, n, fn):
    gc.disable()            # building 1e5 nodes under the cyclic GC's generation scans is slow
    try:
        for _ in range(n):
            x = fn(x)
    finally:
        gc.enable()
    return x


def test_deep_graph_backward_and_deletion():
    """100,000 nodes deep: backward is iterative, and freeing the graph (saved tensors still
    held, retain_graph=True) does not recurse in deallocation."""
    x = ember.ones(2, dtype=ember.float64, requires_grad=True)
    y = _deep(x, 100000, lambda t: t * 1.00001)   # each node saves its input
    (g,) = ember.autograd.grad(y.sum(), x, retain_graph=True)
    np.testing.assert_allclose(as_numpy(g), 1.00001 ** 100000, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), 1.00001 ** 100000, rtol=1e-6)
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(200)
        del y
        gc.collect()
    finally:
        sys.setrecursionlimit(limit)


def test_deep_graph_grad_create_graph():
    x = ember.ones(2, requires_grad=True)
    y = _deep(x, 5000, lambda t: t * x)
    (g,) = ember.autograd.grad(y.sum(), x, create_graph=True)
    assert g.requires_grad and as_numpy(g).tolist() == [5001.0, 5001.0]
    del g, y
    gc.collect()


# ------------------------------------------------------------------ higher order
SECOND_ORDER = [
    (lambda lib, x, y: (x * y).exp().sum(), [(3,), (3,)]),
    (lambda lib, x, y: (x / y + x * x * x).mean(), [(2, 3), (3,)]),
    (lambda lib, x, y: (x @ y).tanh().sum(), [(2, 3), (3, 4)]),
    (lambda lib, x, y: (x.sin() * y.cos()).sum(), [(4,), (4,)]),
    (lambda lib, x, y: (x[0] * y.sigmoid()).sum(), [(2, 3), (3,)]),
    (lambda lib, x, y: (x.transpose(0, 1).exp() * y.unsqueeze(1)).sum(), [(2, 3), (3,)]),
    (lambda lib, x, y: ((x * x).sqrt() * y.log()).sum(), [(3,), (3,)]),
]


@pytest.mark.parametrize("fn,shapes", SECOND_ORDER)
def test_second_order_matches_torch(fn, shapes):
    check(fn, list(shapes), dtype="float64", second_order=True, low=0.5, high=2.0)


@pytest.mark.skipif(not hasattr(ember, "where"), reason="pow's derivative needs ember.where")
def test_pow_second_order():
    check(lambda lib, x, y: (x ** 3 + x ** y).sum(), [(3,), (3,)], dtype="float64", second_order=True,
          low=0.5, high=2.0)


def test_third_order_matches_torch():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = (x * x * x).exp().sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = lib.autograd.grad(gg.sum(), x)
        return g, gg, ggg
    e, t = both(prog, a)
    assert_same(e, t, check_dtype=False)


@pytest.mark.parametrize("op", ["qr", "svd", "max_dim", "eigh"])
def test_second_order_through_multi_output_nodes(op):
    """Each output of a several-output node saved for its backward knows its output number, so a
    create_graph backward routes the second-order gradient of R (or S) to R's slot, not Q's."""
    a = random_array((4, 3), "float64")

    def outputs(lib, x):
        if op == "qr":
            return lib.linalg.qr(x)
        if op == "svd":
            return lib.linalg.svd(x, full_matrices=False)[:2]
        if op == "eigh":
            return lib.linalg.eigh(x.mT @ x)
        return tuple(x.max(dim=1))[:1]

    def prog(lib, x):
        outs = outputs(lib, x)
        # even in each output: singular and eigen vectors are defined up to sign
        y = sum(((o * o).sin() * (i + 1)).sum() for i, o in enumerate(outs))
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return g, gg
    e, t = both(prog, a)
    assert_same(e, t, check_dtype=False)


@pytest.mark.filterwarnings("ignore:Using backward")
def test_backward_create_graph_grad_has_graph():
    a = random_array((3,), "float64")

    def prog(lib, x):
        (x * x * x).sum().backward(create_graph=True)
        gx = x.grad
        assert gx.requires_grad and gx.grad_fn is not None
        x.grad = None
        gx.sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_real_dtypes(dtype):
    check(lambda lib, x, y: ((x * y + x) / 2.0).sum(), [(3, 4), (4,)], dtype=dtype)
    check(lambda lib, x, y: (x.exp() - y).mean(), [(3, 4), (3, 4)], dtype=dtype)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_wirtinger(dtype):
    check(lambda lib, z, w: z * w, [(3,), (3,)], dtype=dtype)
    check(lambda lib, z, w: (z * w + z / w) * z, [(2, 3), (3,)], dtype=dtype)
    check(lambda lib, z, w: (z * w.conj()).exp(), [(3,), (3,)], dtype=dtype)
    check(lambda lib, z, w: z @ w, [(2, 3), (3, 2)], dtype=dtype)


def test_complex_real_mixed():
    z = random_array((3,), "complex128")
    r = random_array((3,), "float64")
    g = random_array((3,), "complex128")

    def prog(lib, zz, rr):
        out = zz * rr
        out.backward(lib.tensor(g))
        return zz.grad, rr.grad
    e, t = both(prog, z, r)
    assert_same(e, t)


def test_complex_scalar_backward_requires_gradient():
    same_error(lambda lib: (lib.ones(2, dtype=lib.complex64, requires_grad=True) * 2).sum().backward())


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_integer_cannot_require_grad(dtype):
    same_error(lambda lib: lib.zeros(2, dtype=getattr(lib, dtype)).requires_grad_())
    same_error(lambda lib: lib.zeros(2, dtype=getattr(lib, dtype), requires_grad=True))

    def set_attr(lib):
        t = lib.zeros(2, dtype=getattr(lib, dtype))
        t.requires_grad = True
    same_error(set_attr)


def test_mixed_dtype_gradient_cast_back():
    a, b = random_array((3,), "float32"), random_array((3,), "float64")
    e, t = both(lambda lib, x, y: [(x * y).sum().backward(), (x.grad, y.grad)][1], a, b)
    assert_same(e, t)
