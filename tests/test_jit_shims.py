"""ember.jit: the TorchScript entry points pass models through (one eagerness warning each); the decorators and
annotations behave as torch.jit's do outside scripting."""
import typing
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import random_array, assert_same


@pytest.fixture(autouse=True)
def fresh_notices():
    import ember.compat as compat
    compat._eager_noticed.clear()


@pytest.mark.parametrize("api", ["script", "trace", "trace_module"])
def test_compiling_entry_points_return_their_argument_and_warn_once(api):
    model = ember.nn.Linear(3, 2)
    args = {"script": (), "trace": (ember.randn(1, 3),), "trace_module": ({"forward": ember.randn(1, 3)},)}[api]
    with pytest.warns(UserWarning, match="eagerly"):
        assert getattr(ember.jit, api)(model, *args) is model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(ember.jit, api)(model, *args) is model


def test_scripted_function_computes_the_same_as_torch():
    x = random_array((4, 3))

    def body(lib):
        def f(a):
            return a.sin() * 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.jit.script(f)(lib.tensor(x))
    assert_same(body(ember), body(torch))


def test_decorators_and_annotations_match_torch():
    for lib in (ember, torch):
        @lib.jit.ignore
        def ignored(a):
            return a + 1

        @lib.jit.unused
        def unused(a):
            return a + 2

        @lib.jit.export
        def exported(a):
            return a + 3
        assert (ignored(1), unused(1), exported(1)) == (2, 3, 4)
        assert lib.jit.ignore(drop=False)(ignored) is ignored
        assert lib.jit.is_scripting() is False and lib.jit.is_tracing() is False
        assert lib.jit.Final is typing.Final and lib.jit.Final[int] == typing.Final[int]
        value = [1, 2]
        assert lib.jit.annotate(typing.List[int], value) is value


def test_fork_wait():
    a, b = random_array((2, 3)), random_array((3,))
    results = []
    for lib in (ember, torch):
        fut = lib.jit.fork(lambda x, y, scale: (x * y).sum(0) * scale, lib.tensor(a), lib.tensor(b), scale=2.0)
        assert fut.done()
        results.append(lib.jit.wait(fut))
        np.testing.assert_array_equal(fut.wait().numpy(), results[-1].numpy())
    assert_same(*results)


@pytest.mark.parametrize("api", ["save", "load"])
def test_torchscript_serialization_is_not_implemented(api, tmp_path):
    args = (ember.nn.Linear(2, 2), tmp_path / "m.pt") if api == "save" else (tmp_path / "m.pt",)
    with pytest.raises(NotImplementedError, match="TorchScript"):
        getattr(ember.jit, api)(*args)


def test_jit_loads_lazily():
    import subprocess
    import sys
    code = "import sys, ember; assert 'ember.jit' not in sys.modules; ember.jit.script; assert 'ember.jit' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
