"""ember.utils.checkpoint: the same values and gradients as torch.utils.checkpoint (and as running without
checkpointing), recomputation restoring the RNG, intermediates not kept, the same warnings and errors."""
import gc
import weakref

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import ember
import ember.utils.checkpoint as ecp
from oracle import random_array, assert_same, same_error

VARIANTS = [True, False]


def block(lib, w):
    def f(x, scale, shift=0.0):
        h = (x @ w).tanh() * scale
        return (h.sin() + shift).exp(), h.sum()
    return f


@pytest.mark.parametrize("use_reentrant", VARIANTS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3)])
def test_values_and_gradients_match_torch(use_reentrant, shape):
    xa, wa = random_array(shape, "float64"), random_array((3, 3), "float64")
    out = []
    for lib, cp in ((ember, ecp), (torch, tcp)):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        a, b = cp.checkpoint(block(lib, w), x * 1.5, 0.7, use_reentrant=use_reentrant)
        (a.pow(2).sum() + b * 3).backward()
        out.append([a, b, x.grad, w.grad])
    assert_same(*out)


def test_keyword_arguments_need_the_non_reentrant_variant():
    xa, wa = random_array((3, 3), "float64"), random_array((3, 3), "float64")
    out = []
    for lib, cp in ((ember, ecp), (torch, tcp)):
        x, w = lib.tensor(xa, requires_grad=True), lib.tensor(wa, requires_grad=True)
        a, _ = cp.checkpoint(block(lib, w), x, 2.0, use_reentrant=False, shift=0.5)
        gx, gw = lib.autograd.grad(a.sum(), (x, w))           # non-reentrant works with autograd.grad
        out.append([a, gx, gw])
    assert_same(*out)
    same_error(lambda lib: (ecp if lib is ember else tcp).checkpoint(
        block(lib, lib.ones(3, 3)), lib.ones(3, 3, requires_grad=True), 2.0, use_reentrant=True, shift=0.5))


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_dropout_masks_match_in_recomputation(use_reentrant):
    model = ember.nn.Sequential(ember.nn.Linear(6, 8), ember.nn.Dropout(0.5), ember.nn.Tanh(), ember.nn.Linear(8, 2))
    x = ember.tensor(random_array((5, 6)), requires_grad=True)
    ember.manual_seed(3)
    ecp.checkpoint(model, x, use_reentrant=use_reentrant).pow(2).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()] + [x.grad.clone()]
    model.zero_grad()
    x.grad = None
    ember.manual_seed(3)
    model(x).pow(2).sum().backward()
    for g, p in zip(grads, list(model.parameters()) + [x]):
        np.testing.assert_allclose(g.numpy(), p.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
def test_intermediate_activations_are_not_kept(use_reentrant):
    refs = []

    def f(x):
        h = x.sin()
        refs.append(weakref.ref(h))
        return (h * h).exp()
    x = ember.randn(50, requires_grad=True)
    y = ecp.checkpoint(f, x * 2, use_reentrant=use_reentrant)
    gc.collect()
    assert refs[0]() is None, "the intermediate survived the forward"
    y.sum().backward()
    xs = (x.detach() * 2)
    np.testing.assert_allclose(x.grad.numpy(), (2 * (2 * xs.sin() * xs.cos()) * (xs.sin() ** 2).exp()).numpy(),
                               rtol=1e-5)
    # and without checkpointing the same intermediate is kept by the graph
    y2 = f(x * 2)
    gc.collect()
    assert refs[-1]() is not None
    del y2


def test_non_reentrant_twice_with_retain_graph():
    xa = random_array((4,), "float64")
    out = []
    for lib, cp in ((ember, ecp), (torch, tcp)):
        x = lib.tensor(xa, requires_grad=True)
        y = cp.checkpoint(lambda a: (a.sin() * a).cos(), x, use_reentrant=False).sum()
        y.backward(retain_graph=True)
        y.backward()
        out.append(x.grad)
    assert_same(*out)


@pytest.mark.parametrize("use_reentrant", VARIANTS)
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_torch(use_reentrant, segments):
    xa = random_array((4, 5), "float64")
    weights = [random_array((5, 5), "float64") for _ in range(4)]
    out = []
    for lib, cp in ((ember, ecp), (torch, tcp)):
        layers = [lib.nn.Linear(5, 5, dtype=lib.float64) for _ in weights]
        with lib.no_grad():
            for layer, wa in zip(layers, weights):
                layer.weight.copy_(lib.tensor(wa))
                layer.bias.zero_()
        seq = lib.nn.Sequential(*[m for layer in layers for m in (layer, lib.nn.Tanh())])
        x = lib.tensor(xa, requires_grad=True)
        y = cp.checkpoint_sequential(seq, segments, x, use_reentrant=use_reentrant)
        y.pow(2).sum().backward()
        out.append([y, x.grad] + [layer.weight.grad for layer in layers])
    assert_same(*out)


def test_warnings_match_torch():
    for lib, cp in ((ember, ecp), (torch, tcp)):
        x = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            cp.checkpoint(lambda a: a * 2, x)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            cp.checkpoint(lambda a: a * 2, lib.ones(2), use_reentrant=True)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            cp.checkpoint_sequential([lambda a: a * 2, lambda a: a + 1], 2, x)


def test_lazy_import():
    import subprocess
    import sys
    code = ("import sys, ember; ember.utils; assert 'ember.utils.checkpoint' not in sys.modules; "
            "ember.utils.checkpoint.checkpoint")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_context_fn_wraps_forward_and_recomputation_and_bad_options_raise():
    import contextlib
    for lib, cp in ((ember, ecp), (torch, tcp)):
        events = []

        @contextlib.contextmanager
        def tag(name):
            events.append(name)
            yield

        def context_fn():
            return tag("forward"), tag("recompute")
        x = lib.ones(3, requires_grad=True)
        cp.checkpoint(lambda a: a.sin() * a, x, use_reentrant=False, context_fn=context_fn).sum().backward()
        assert events == ["forward", "recompute"], (lib.__name__, events)
    same_error(lambda lib: (ecp if lib is ember else tcp).checkpoint(
        lambda a: a * 2, lib.ones(2, requires_grad=True), use_reentrant=False, determinism_check="bad"))
    same_error(lambda lib: (ecp if lib is ember else tcp).checkpoint(
        lambda a: a * 2, lib.ones(2, requires_grad=True), use_reentrant=True, debug=True))
