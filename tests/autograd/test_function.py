"""Custom autograd Functions, compared with torch.autograd.Function."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, assert_same, random_array, same_error, to_ember, to_torch

LIBS = [ember, torch]
ids = lambda l: l.__name__  # noqa: E731


def both(fn, *arrays, rg=True):
    out = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        out.append(fn(lib, *[conv(a, rg) for a in arrays]))
    return out


def functions(lib):
    """The same custom Functions written against ``lib``."""
    F = lib.autograd.Function

    class MulConst(F):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y * ctx.k, None, g * x * ctx.k

    class Exp(F):   # saves its output
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    class Cube(F):   # new style: forward without ctx + setup_context
        @staticmethod
        def forward(x, scale=2.0):
            return x * x * x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, scale = inputs
            ctx.save_for_backward(x)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    class Split(F):  # several outputs
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * 3, "label"

        @staticmethod
        def backward(ctx, g1, g2, g3):
            return g1 * 2 + g2 * 3

    return MulConst, Exp, Cube, Split


def test_basic_forward_backward_and_names():
    a, b = random_array((3,), "float64"), random_array((3,), "float64")

    def prog(lib, x, y):
        MulConst = functions(lib)[0]
        out = MulConst.apply(x, 1.5, y)
        assert type(out.grad_fn).__name__ == "MulConstBackward" == out.grad_fn.name()
        assert out.grad_fn._forward_cls is MulConst
        assert isinstance(out.grad_fn, lib.autograd.graph.Node)
        assert out.grad_fn.k == 1.5
        assert len(out.grad_fn.next_functions) == 2
        assert out.grad_fn.next_functions[0][0].variable is x
        out.sum().backward()
        return out, x.grad, y.grad
    e, t = both(prog, a, b)
    assert_same(e, t)


def test_needs_input_grad():
    for lib in LIBS:
        seen = []

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                seen.append(ctx.needs_input_grad)
                assert not lib.is_grad_enabled()
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g, None, None
        x, y = lib.ones(2, requires_grad=True), lib.ones(2)
        F.apply(x, 3, y)
        with lib.no_grad():
            out = F.apply(x, 3, y)
        assert not out.requires_grad and out.grad_fn is None
        assert seen == [(True, False, False), (True, False, False)], lib


def test_saved_output_and_second_order():
    a = random_array((4,), "float64")

    def prog(lib, x):
        Exp = functions(lib)[1]
        y = Exp.apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return y, g, gg
    e, t = both(prog, a)
    assert_same(e, t)


def test_setup_context_style_and_kwargs():
    a = random_array((3,), "float64")

    def prog(lib, x):
        Cube = functions(lib)[2]
        y1 = Cube.apply(x)
        y2 = Cube.apply(x, scale=0.5)
        (y1.sum() + y2.sum()).backward()
        return y1, y2, x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_multiple_outputs_partial_use():
    a = random_array((3,), "float64")

    def prog(lib, x):
        Split = functions(lib)[3]
        p, q, label = Split.apply(x)
        assert label == "label"
        assert p.grad_fn is q.grad_fn
        p.sum().backward()        # q gets no gradient: materialized as zeros
        return p, q, x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_set_materialize_grads_false():
    for lib in LIBS:
        got = []

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x.clone(), x.clone()

            @staticmethod
            def backward(ctx, g1, g2):
                got.append((g1 is None, g2 is None))
                return g1 if g1 is not None else g2
        x = lib.ones(2, requires_grad=True)
        a, b = F.apply(x)
        (a * 2).sum().backward()
        assert got == [(False, True)], lib
        assert as_numpy(x.grad).tolist() == [2.0, 2.0]


def test_mark_non_differentiable():
    a = random_array((4,), "float64")

    def prog(lib, x):
        got = []

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = (x * 10).long()
                y = x * 2
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(idx)
                return y, idx

            @staticmethod
            def backward(ctx, g, gidx):
                got.append(as_numpy(gidx).tolist())
                return g * 2
        y, idx = F.apply(x)
        assert not idx.requires_grad and idx.grad_fn is None and y.requires_grad
        y.sum().backward()
        return x.grad, got[0]
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def test_mark_non_differentiable_float_output():
    for lib in LIBS:
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = x * 2
                ctx.mark_non_differentiable(out)
                return out

            @staticmethod
            def backward(ctx, g):
                return g
        y = F.apply(lib.ones(2, requires_grad=True))
        assert not y.requires_grad and y.grad_fn is None


def test_mark_dirty():
    a = random_array((3,), "float64")

    def prog(lib, x):
        class Double_(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                t.mul_(2)
                ctx.mark_dirty(t)
                return t

            @staticmethod
            def backward(ctx, g):
                return g * 2
        h = x * 1.5
        v0 = h._version
        out = Double_.apply(h)
        assert out is h and h.grad_fn.name() == "Double_Backward"
        dv = h._version - v0
        (out * out).sum().backward()
        return x.grad, dv
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] == t[1] == 2


def test_mark_dirty_leaf_errors():
    def prog(lib):
        class D(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                t.mul_(2)
                ctx.mark_dirty(t)
                return t

            @staticmethod
            def backward(ctx, g):
                return g
        D.apply(lib.ones(2, requires_grad=True))
    same_error(prog)


def test_mark_dirty_view_rebases_base():
    a = random_array((4,), "float64")

    def prog(lib, x):
        class D(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                t.mul_(3)
                ctx.mark_dirty(t)
                return t

            @staticmethod
            def backward(ctx, g):
                return g * 3
        b = x * 1.0
        D.apply(b[1:3])
        (b * b).sum().backward()
        return b, x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_input_returned_unchanged_is_a_new_alias():
    a = random_array((3,), "float64")

    def prog(lib, x):
        class Ident(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                return t

            @staticmethod
            def backward(ctx, g):
                return g * 5
        y = Ident.apply(x)
        assert y is not x and y.grad_fn.name() == "IdentBackward"
        y.sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_saved_tensor_modified_in_place():
    def prog(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * x
        h = lib.ones(3, requires_grad=True) * 1.0
        y = F.apply(h)
        h.add_(1)
        y.sum().backward()
    e, t = same_error(prog)
    assert "version" in str(e) and "FBackward" in str(e)


def test_saved_tensors_after_backward():
    def prog(lib):
        Exp = functions(lib)[1]
        y = Exp.apply(lib.ones(2, requires_grad=True))
        y.sum().backward()
        y.grad_fn.saved_tensors
    same_error(prog)

    def twice(lib):
        Exp = functions(lib)[1]
        y = Exp.apply(lib.ones(2, requires_grad=True))
        y.sum().backward()
        y.sum().backward()
    same_error(twice)


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_no_saved_tensors_backward_twice(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    x = lib.ones(2, requires_grad=True)
    y = F.apply(x).sum()
    y.backward()
    y.backward()
    assert as_numpy(x.grad).tolist() == [4.0, 4.0]


@pytest.mark.parametrize("ret", ["too_few", "too_many", "extra_none", "grad_for_nontensor", "float", "list",
                                 "wrong_shape", "scalar_for_vector", "broadcastable"])
def test_wrong_gradients_returned(ret):
    def prog(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                return x * k + y

            @staticmethod
            def backward(ctx, g):
                return {"too_few": lambda: (g, None), "too_many": lambda: (g, None, g, g),
                        "extra_none": lambda: (g, None, g, None, None), "grad_for_nontensor": lambda: (g, g, g),
                        "float": lambda: (2.0, None, g), "list": lambda: [g, None, g],
                        "wrong_shape": lambda: (lib.ones(4), None, g), "scalar_for_vector": lambda: (g.sum(), None, g),
                        "broadcastable": lambda: (lib.ones(2, 1, 3), None, g)}[ret]()
        x, y = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
        F.apply(x, 2.0, y).sum().backward()
        return x.grad, y.grad
    if ret in ("extra_none", "broadcastable"):
        e, t = prog(ember), prog(torch)
        assert_same(e, t)
    else:
        same_error(prog)


def test_backward_returns_none_for_input():
    a, b = random_array((3,), "float64"), random_array((3,), "float64")

    def prog(lib, x, y):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g, None
        F.apply(x, y).sum().backward()
        return x.grad, y.grad
    e, t = both(prog, a, b)
    assert e[1] is None and t[1] is None
    assert_same(e[0], t[0])


def test_gradient_dtype_cast_to_input():
    a = random_array((3,), "float32")

    def prog(lib, x):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return (g * 2).double()
        F.apply(x).sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_once_differentiable():
    a = random_array((3,), "float64")

    def make(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                assert not lib.is_grad_enabled()
                (x,) = ctx.saved_tensors
                return 2 * g * x
        return F

    def first(lib, x):
        make(lib).apply(x).sum().backward()
        return x.grad
    e, t = both(first, a)
    assert_same(e, t)

    def second(lib):
        x = lib.ones(2, requires_grad=True)
        (g,) = lib.autograd.grad(make(lib).apply(x).sum(), x, create_graph=True)
        assert g.requires_grad
        g.sum().backward()
    same_error(second)
    assert ember.autograd.once_differentiable is ember.autograd.function.once_differentiable


def test_create_graph_through_custom_backward():
    a = random_array((3,), "float64")

    def prog(lib, x):
        MulConst = functions(lib)[0]
        y = MulConst.apply(x, 2.0, x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    e, t = both(prog, a)
    assert_same(e, t)


def test_custom_function_in_larger_graph_and_hooks():
    a = random_array((2, 3), "float64")

    def prog(lib, x):
        Exp = functions(lib)[1]
        seen = []
        h = x * 2
        y = Exp.apply(h)
        y.grad_fn.register_hook(lambda gi, go: seen.append(len(gi)))
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        (y.sum(1) * 3).sum().backward()
        return x.grad, seen
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def test_no_input_requires_grad():
    for lib in LIBS:
        Exp = functions(lib)[1]
        y = Exp.apply(lib.ones(2))
        assert not y.requires_grad and y.grad_fn is None


def test_non_tensor_only_and_intermediate_saved():
    a = random_array((3,), "float64")

    def prog(lib, x):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, n):
                inter = x.exp()
                ctx.save_for_backward(inter)
                ctx.n = n
                return inter * n

            @staticmethod
            def backward(ctx, g):
                (inter,) = ctx.saved_tensors
                return g * inter * ctx.n, None
        F.apply(x, 4).sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_save_for_backward_non_tensor():
    def prog(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        F.apply(lib.ones(2, requires_grad=True))
    same_error(prog)


def test_missing_backward_and_legacy_call():
    def no_backward(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        F.apply(lib.ones(2, requires_grad=True)).sum().backward()
    same_error(no_backward)

    def legacy(lib):
        class F(lib.autograd.Function):
            def forward(self, x):
                return x
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F()(lib.ones(2))
    same_error(legacy)


def test_vjp_alias():
    for lib in LIBS:
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 7
        x = lib.ones(2, requires_grad=True)
        F.apply(x).sum().backward()
        assert as_numpy(x.grad).tolist() == [7.0, 7.0]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "complex64", "complex128"])
def test_custom_function_dtypes(dtype):
    a, b = random_array((3,), dtype), random_array((3,), dtype)
    g = random_array((3,), dtype)

    def prog(lib, x, y):
        MulConst = functions(lib)[0]
        out = MulConst.apply(x, 1.0, y.conj() if dtype.startswith("complex") else y)
        out.backward(to_torch(g) if lib is torch else to_ember(g))
        return out, x.grad
    e, t = both(prog, a, b)
    assert_same(e, t)
