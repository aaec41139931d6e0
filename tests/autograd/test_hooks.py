"""Tensor hooks, Node hooks, retain_grad, post-accumulate hooks and saved-tensor hooks vs torch."""
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


def test_tensor_hooks_observe_and_replace():
    a = random_array((3,), "float64")

    def prog(lib, x):
        log = []
        x.register_hook(lambda g: log.append(("leaf", as_numpy(g).tolist())))
        y = x * 2
        y.register_hook(lambda g: log.append(("y", as_numpy(g).tolist())))
        y.register_hook(lambda g: g * 10)            # replaces the gradient flowing on
        y.register_hook(lambda g: log.append(("y-after", as_numpy(g).tolist())))
        z = y.exp()
        z.sum().backward()
        return x.grad, log
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert len(e[1]) == len(t[1])
    for (ne, ve), (nt, vt) in zip(e[1], t[1]):
        assert ne == nt
        np.testing.assert_allclose(ve, vt)


def test_leaf_hook_replaces_accumulated_grad():
    a = random_array((3,), "float64")

    def prog(lib, x):
        x.register_hook(lambda g: g + 1)
        (x * x).sum().backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_hook_handle_remove():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        h = x.register_hook(lambda g: g * 100)
        h.remove()
        (x * 2).sum().backward()
        assert as_numpy(x.grad).tolist() == [2.0, 2.0]
        y = x * 1
        h = y.register_hook(lambda g: g * 100)
        h.remove()
        x.grad = None
        (y * 2).sum().backward()
        assert as_numpy(x.grad).tolist() == [2.0, 2.0]


def test_register_hook_requires_grad():
    same_error(lambda lib: lib.ones(2).register_hook(lambda g: g))


def test_hook_returning_wrong_shape():
    def prog(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: lib.ones(4))
        y.sum().backward()
    same_error(prog)


def test_hooks_in_grad_and_create_graph():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * x
        y.register_hook(lambda g: g * 3)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    e, t = both(prog, a)
    assert_same(e, t)


def test_node_hooks():
    a = random_array((2, 3), "float64")

    def prog(lib, x):
        log = []
        y = x.exp()
        z = y * 2
        z.grad_fn.register_prehook(lambda go: log.append(("pre", len(go))))
        z.grad_fn.register_hook(lambda gi, go: log.append(("post", len(gi), len(go))))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0.5,))       # replace grad_inputs
        y.grad_fn.register_prehook(lambda go: (go[0] + 1,))          # replace grad_outputs
        z.sum().backward()
        return x.grad, log
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def test_node_hook_handle_remove():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        h = y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        h.remove()
        y.sum().backward()
        assert as_numpy(x.grad).tolist() == [2.0, 2.0]


def test_accumulate_grad_node_hooks():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: seen.append(as_numpy(go[0]).tolist()))
        y.sum().backward()
        assert seen == [[2.0, 2.0]], lib


def test_retains_grad():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * 2
        assert not y.retains_grad and not x.retains_grad
        y.retain_grad()
        y.retain_grad()           # twice is fine
        assert y.retains_grad
        x.retain_grad()            # no-op on a leaf
        assert not x.retains_grad
        y.register_hook(lambda g: g * 2)   # hooks registered before .grad is stored... order as torch
        (y * y).sum().backward()
        return y.grad, x.grad
    e, t = both(prog, a)
    assert_same(e, t)


def test_retain_grad_on_tensor_without_grad():
    same_error(lambda lib: lib.ones(2).retain_grad())


def test_post_accumulate_grad_hook():
    a = random_array((3,), "float64")

    def prog(lib, x):
        seen = []

        def hook(t):
            seen.append(as_numpy(t.grad).tolist())
            with lib.no_grad():
                t.grad.mul_(0.5)
        x.register_post_accumulate_grad_hook(hook)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad, seen
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    np.testing.assert_allclose(e[1], t[1])


def test_post_accumulate_grad_hook_on_non_leaf():
    same_error(lambda lib: (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None))


# ------------------------------------------------------------------ saved tensor hooks
def test_saved_tensors_hooks_pack_gets_tensors():
    a = random_array((3,), "float64")

    def prog(lib, x):
        packed = []

        def pack(t):
            assert isinstance(t, lib.Tensor)
            packed.append(tuple(t.shape))
            return t

        def unpack(t):
            assert isinstance(t, lib.Tensor)
            return t
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x.exp()        # saves its output
            z = (y * x).sum()  # saves both operands
        z.backward()
        return x.grad, len(packed) > 0
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] and t[1]


def test_saved_tensors_hooks_with_copies_and_double_backward():
    a = random_array((3,), "float64")

    def prog(lib, x):
        def pack(t):
            return t.detach().clone(), t.requires_grad

        def unpack(p):
            return p[0]
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            h = x * 2
            y = (h.exp() * h * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    e, t = both(prog, a)
    assert_same(e, t)


def test_saved_tensors_hooks_custom_function_and_nesting():
    a = random_array((3,), "float64")

    def prog(lib, x):
        log = []

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t)
                return t * t

            @staticmethod
            def backward(ctx, g):
                (t,) = ctx.saved_tensors
                return 2 * g * t
        outer = lib.autograd.graph.saved_tensors_hooks(lambda t: (log.append("outer"), t)[1], lambda t: t)
        inner = lib.autograd.graph.saved_tensors_hooks(lambda t: (log.append("inner"), t * 1)[1],
                                                       lambda t: (log.append("unpack"), t)[1])
        with outer, inner:
            y = Sq.apply(x)
        y.sum().backward()
        return x.grad, log
    e, t = both(prog, a)
    assert_same(e[0], t[0])
    assert e[1] == t[1]


def test_save_on_cpu_and_disable():
    a = random_array((3,), "float64")

    def prog(lib, x):
        with lib.autograd.graph.save_on_cpu():
            y = (x * x.exp()).sum()
        y.backward()
        return x.grad
    e, t = both(prog, a)
    assert_same(e, t)

    def disabled(lib):
        with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    same_error(disabled)


def test_gradient_edge():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        edge = lib.autograd.graph.get_gradient_edge(y)
        assert edge.node is y.grad_fn and edge.output_nr == 0
        assert lib.autograd.graph.get_gradient_edge(x).node.name() == "torch::autograd::AccumulateGrad"
