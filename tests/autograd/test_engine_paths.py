"""The engine's fast paths against torch: leaves that keep their AccumulateGrad, exact nodes, cached Python
numbers, the direct run of a node's only successor and multi-output nodes that get some gradients only."""
import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, random_array, same_error

LIBS = [ember, torch]


def test_a_leaf_hook_runs_after_the_last_reference_to_the_leaf_is_gone():
    """The graph keeps its leaves alive (as torch's): x * 2.0 saves no tensor, yet x's hook still runs."""
    a = random_array((4,), "float32")
    logs = []
    for lib in LIBS:
        log = []

        def make():
            w = lib.tensor(a, requires_grad=True)
            w.register_hook(lambda g: log.append(as_numpy(g).tolist()))
            return (w * 2.0).sum()
        make().backward()
        logs.append(log)
    assert logs[0] == logs[1] and len(logs[0]) == 1


def test_a_leafs_node_is_one_object_and_names_its_leaf():
    for lib in LIBS:
        x = lib.tensor(random_array((3,), "float32"), requires_grad=True)
        y, z = x * 2.0, x.exp()
        acc = y.grad_fn.next_functions[0][0]
        assert acc is z.grad_fn.next_functions[0][0]
        assert acc.variable is x and acc.name() == "torch::autograd::AccumulateGrad"


@pytest.mark.parametrize("kind", ["hook", "post_accumulate"])
def test_hooks_added_to_a_used_leaf_still_run(kind):
    """A leaf used in a graph already (its node exists) and hooked afterwards: the next backward runs the hook."""
    a = random_array((3,), "float64")
    out = []
    for lib in LIBS:
        x = lib.tensor(a, requires_grad=True)
        (x * x).sum().backward()
        log = []
        if kind == "hook":
            x.register_hook(lambda g: log.append(as_numpy(g).tolist()) or g * 2)
        else:
            x.register_post_accumulate_grad_hook(lambda t: log.append(as_numpy(t.grad).tolist()))
        (x * 3.0).sum().backward()
        out.append((log, as_numpy(x.grad).tolist()))
    assert out[0] == out[1] and out[0][0]


@pytest.mark.parametrize("where", ["prehook", "posthook"])
def test_a_node_hook_may_not_change_a_gradients_dtype(where):
    def prog(lib):
        x = lib.tensor(random_array((3,), "float32"), requires_grad=True)
        y = x * x
        if where == "prehook":
            y.grad_fn.register_prehook(lambda go: (go[0].double(),))
        else:
            y.grad_fn.register_hook(lambda gi, go: (gi[0].double(), gi[1]))
        y.sum().backward()
    same_error(prog)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # inf - inf, 0 * inf: NumPy warns, torch does not
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_python_numbers_give_torchs_values_bitwise(dtype):
    """Tensor-number ops take the number as a cached 0-d array: the same roundings as torch's, zeros of both
    signs, nan and inf included, and more distinct numbers than the cache keeps."""
    a = random_array((5,), dtype)
    numbers = [0.0, -0.0, 1, -3, 0.5, 1.0001, float("nan"), float("inf"), -float("inf"), 1e-30, 2 ** 24 + 1]
    numbers += [i / 7 for i in range(300)]
    for c in numbers:
        res = []
        for lib in LIBS:
            x = lib.tensor(a, requires_grad=True)
            y = ((x * c + c) - c) * 2.5
            y.backward(lib.tensor(np.linspace(-1, 1, 5).astype(dtype)))
            res.append((as_numpy(y.detach()), as_numpy(x.grad)))
        for e, t in zip(*res):
            np.testing.assert_array_equal(e, t, err_msg=f"number {c!r}")
            assert (np.signbit(e) == np.signbit(t)).all(), f"sign of zero, number {c!r}"


def test_successors_run_in_turn_in_a_diamond_and_a_fork():
    """A node whose gradient goes to one successor runs it at once only when no newer node is pending."""
    a = random_array((4,), "float64")
    grads = []
    for lib in LIBS:
        x = lib.tensor(a, requires_grad=True)
        w = lib.tensor(a[::-1].copy(), requires_grad=True)
        h = x * w
        p = h.tanh()
        q = (h * 3.0).exp()           # made after p: runs before p's branch reaches h
        r = (p * q + h).sum() + (w * 2.0).sum()
        r.backward()
        grads.append((as_numpy(x.grad), as_numpy(w.grad)))
    for e, t in zip(*grads):
        np.testing.assert_allclose(e, t, rtol=1e-12)


@pytest.mark.parametrize("used", ["var", "mean", "both"])
def test_multi_output_node_with_gradients_for_some_outputs(used):
    a = random_array((3, 4), "float64")
    grads = []
    for lib in LIBS:
        x = lib.tensor(a, requires_grad=True)
        v, m = lib.var_mean(x, 1)
        loss = {"var": v.sum(), "mean": (m * m).sum(), "both": (v * m).sum()}[used]
        loss.backward()
        grads.append(as_numpy(x.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("alpha", [True, False, 1.0, 1])
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_add_sub_alpha_kinds_as_torch(alpha, dtype):
    """alpha=1 of another kind (1.0, True) is not the operator's hot path: torch's checks apply."""
    a = (random_array((3,), "float32") * 4).astype(dtype)
    for op in ("add", "sub"):
        outs = []
        for lib in LIBS:
            try:
                outs.append(as_numpy(getattr(lib, op)(lib.tensor(a), lib.tensor(a), alpha=alpha)))
            except Exception as e:  # noqa: BLE001 - the class is what we compare
                outs.append(type(e))
        e, t = outs
        if isinstance(t, type):
            assert e is t, f"{op}(alpha={alpha!r}) on {dtype}: ember gave {e}, torch raised {t.__name__}"
        else:
            assert not isinstance(e, type), f"{op}(alpha={alpha!r}) on {dtype}: ember raised {e.__name__}"
            assert e.dtype == t.dtype
            np.testing.assert_array_equal(e, t)
