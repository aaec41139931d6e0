"""Grad modes (thread-local, context managers and decorators), requires_grad_, detach."""
import threading

import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, assert_same, random_array, same_error, to_ember, to_torch

LIBS = [ember, torch]
ids = lambda l: l.__name__  # noqa: E731


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_no_grad_and_enable_grad_context(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        y = x * 2
        with lib.enable_grad():
            assert lib.is_grad_enabled()
            z = x * 2
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert lib.autograd.no_grad is lib.no_grad


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_decorators(lib):
    x = lib.ones(2, requires_grad=True)

    @lib.no_grad()
    def f(t):
        assert not lib.is_grad_enabled()
        return t * 2

    @lib.enable_grad()
    def g(t):
        return t * 2

    @lib.set_grad_enabled(False)
    def h(t):
        return t * 2

    @lib.inference_mode()
    def k(t):
        return t * 2

    assert not f(x).requires_grad
    with lib.no_grad():
        assert g(x).requires_grad
    assert lib.is_grad_enabled()
    assert not h(x).requires_grad
    assert lib.is_grad_enabled()
    assert not k(x).requires_grad
    assert f.__name__ == "f"


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_decorating_generator(lib):
    @lib.no_grad()
    def gen():
        for i in range(3):
            yield lib.is_grad_enabled()
    assert list(gen()) == [False, False, False]
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_set_grad_enabled(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert lib.is_grad_enabled()
    lib.set_grad_enabled(False)        # as a function: takes effect at once
    try:
        assert not lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    with lib.no_grad():
        with lib.set_grad_enabled(True):
            assert (x * 2).requires_grad


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_inference_mode(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        assert not lib.is_grad_enabled() and lib.is_inference_mode_enabled()
        y = x * 2
    assert not y.requires_grad
    assert not lib.is_inference_mode_enabled()
    with lib.inference_mode(False):
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        assert (x * 2).requires_grad
    assert lib.autograd.inference_mode is lib.inference_mode


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_grad_mode_restored_after_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_grad_mode_is_thread_local(lib):
    seen = {}
    started, release = threading.Event(), threading.Event()

    def worker():
        seen["worker_start"] = lib.is_grad_enabled()
        with lib.no_grad():
            started.set()
            release.wait(5)
            seen["worker_inside"] = lib.is_grad_enabled()

    t = threading.Thread(target=worker)
    with lib.no_grad():
        t.start()
        started.wait(5)
        seen["main_inside"] = lib.is_grad_enabled()
    seen["main_after"] = lib.is_grad_enabled()      # the worker is still inside its no_grad
    release.set()
    t.join()
    assert seen == {"worker_start": True, "worker_inside": False, "main_inside": False, "main_after": True}


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_backward_in_thread(lib):
    out = {}

    def worker():
        x = lib.ones(3, requires_grad=True)
        (x * x).sum().backward()
        out["g"] = as_numpy(x.grad).tolist()
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert out["g"] == [2.0, 2.0, 2.0]


def test_requires_grad_():
    for lib in LIBS:
        x = lib.ones(2)
        assert x.requires_grad_() is x and x.requires_grad
        x.requires_grad_(False)
        assert not x.requires_grad
        x.requires_grad = True
        assert x.requires_grad
        y = x * 2
        assert y.requires_grad_() is y
    same_error(lambda lib: (lib.ones(2, requires_grad=True) * 2).requires_grad_(False))
    same_error(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())


def test_detach():
    a = random_array((3,), "float64")
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        x = conv(a, True)
        y = x * 2
        d = y.detach()
        assert not d.requires_grad and d.grad_fn is None and d.is_leaf
        # shares memory and version counter
        d.add_(1)
        assert y._version == d._version == 1
        assert as_numpy(y)[0] == as_numpy(d)[0]
        # detached then modified: using y in backward of something that saved it must fail
    for lib in LIBS:
        def prog(lib):
            x = lib.ones(2, requires_grad=True)
            y = x.exp()                      # saves its output
            y.detach().mul_(2)
            y.sum().backward()
        same_error(prog)


def test_detach_():
    a = random_array((3,), "float64")

    def prog(lib, x):
        y = x * 2
        z = y * 3
        y.detach_()
        assert y.is_leaf and not y.requires_grad and y.grad_fn is None
        z.sum().backward()            # the graph recorded before detach_ still works
        return x.grad
    e = prog(ember, to_ember(a, True))
    t = prog(torch, to_torch(a, True))
    assert_same(e, t)
    same_error(lambda lib: (lib.ones(3, requires_grad=True) * 2)[1:].detach_())


def test_no_grad_results_are_leaves_and_inplace_allowed_on_leaf():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            x.mul_(3)
        assert x.is_leaf and x.requires_grad and x.grad_fn is None
        (x * 1).sum().backward()
        assert as_numpy(x.grad).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("lib", LIBS, ids=ids)
def test_bare_decorators(lib):
    @lib.no_grad
    def f():
        return lib.is_grad_enabled()

    @lib.enable_grad
    def g():
        return lib.is_grad_enabled()

    @lib.inference_mode
    def h():
        return lib.is_grad_enabled(), lib.is_inference_mode_enabled()
    assert f() is False
    with lib.no_grad():
        assert g() is True
    assert h() == (False, True)
    assert lib.is_grad_enabled()


def test_set_grad_enabled_needs_bool():
    same_error(lambda lib: lib.set_grad_enabled(lambda: None))
