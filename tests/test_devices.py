"""ember/devices.py and ember/cuda.py against torch (a CPU-only torch build)."""
import pickle

import numpy as np
import pytest
import torch

import ember
from oracle import same_error


@pytest.mark.parametrize("args", [("cpu",), ("cpu", 0), ("cuda",), ("cuda:1",), ("cuda", 2), ("meta",)])
def test_device_objects(args):
    e, t = ember.device(*args), torch.device(*args)
    assert e.type == t.type and e.index == t.index
    assert str(e) == str(t)
    assert repr(e) == repr(t)
    assert e == ember.device(*args) and hash(e) == hash(ember.device(*args))
    assert pickle.loads(pickle.dumps(e)) == e


def test_device_equality_and_identity():
    assert ember.device("cpu") == "cpu"
    assert ember.device("cpu") != ember.device("cpu", 0)
    assert ember.device(ember.device("cpu")) == ember.device("cpu")
    with pytest.raises(AttributeError):
        ember.device("cpu").type = "cuda"
    with ember.device("cpu"):
        pass


@pytest.mark.parametrize("bad", ["cuda:x", "foo", "cpu:0:1", "cuda:-1"])
def test_bad_device_strings(bad):
    same_error(lambda lib: lib.device(bad))


def test_bad_device_type():
    same_error(lambda lib: lib.device(1.5))
    same_error(lambda lib: lib.device(0))        # "the current accelerator": none here


CREATORS = [
    lambda lib, d: lib.tensor([1.0], device=d),
    lambda lib, d: lib.as_tensor([1.0], device=d),
    lambda lib, d: lib.zeros(2, device=d),
    lambda lib, d: lib.ones(2, device=d),
    lambda lib, d: lib.empty(2, device=d),
    lambda lib, d: lib.full((2,), 1.0, device=d),
    lambda lib, d: lib.eye(2, device=d),
    lambda lib, d: lib.arange(3, device=d),
    lambda lib, d: lib.linspace(0, 1, 3, device=d),
    lambda lib, d: lib.logspace(0, 1, 3, device=d),
    lambda lib, d: lib.zeros_like(lib.ones(2), device=d),
    lambda lib, d: lib.ones_like(lib.ones(2), device=d),
    lambda lib, d: lib.empty_like(lib.ones(2), device=d),
    lambda lib, d: lib.full_like(lib.ones(2), 3, device=d),
    lambda lib, d: lib.rand(2, device=d),
    lambda lib, d: lib.randn(2, device=d),
    lambda lib, d: lib.randint(0, 3, (2,), device=d),
    lambda lib, d: lib.randperm(3, device=d),
    lambda lib, d: lib.normal(0.0, 1.0, (2,), device=d),
    lambda lib, d: lib.rand_like(lib.ones(2), device=d),
    lambda lib, d: lib.randn_like(lib.ones(2), device=d),
    lambda lib, d: lib.randint_like(lib.ones(2), 3, device=d),
    lambda lib, d: lib.ones(2).to(d),
    lambda lib, d: lib.ones(2).to(device=d),
    lambda lib, d: lib.ones(2).to(d, lib.float64),
]


@pytest.mark.parametrize("i", range(len(CREATORS)))
def test_device_argument_everywhere(i):
    fn = CREATORS[i]
    for d in ("cpu", ember.device("cpu"), "cpu:0"):
        t = fn(ember, d)
        assert t.device == ember.device("cpu") and t.device.type == "cpu" and t.is_cpu and not t.is_cuda
        assert t.get_device() == -1
        assert str(fn(torch, d if isinstance(d, str) else torch.device("cpu")).device) == "cpu"
    for d in ("cuda", "cuda:0", ember.device("cuda")):
        same_error(lambda lib, d=d: fn(lib, d if isinstance(d, str) else lib.device("cuda")))


def test_cuda_error_is_clear_and_catchable():
    with pytest.raises(RuntimeError, match="cuda"):
        ember.zeros(2, device="cuda")
    with pytest.raises(AssertionError):        # as PyTorch builds without CUDA raise
        ember.zeros(2, device="cuda")
    same_error(lambda lib: lib.ones(2).cuda())
    same_error(lambda lib: lib.ones(2).to("cuda"))
    same_error(lambda lib: lib.Generator(device="cuda"))


def test_cpu_and_to_cpu_return_self():
    x = ember.ones(2)
    assert x.cpu() is x and x.to("cpu") is x and x.to(ember.device("cpu")) is x
    assert x.to("cpu", copy=True) is not x
    assert x.device == torch.ones(2).device.type


def test_cuda_namespace():
    assert ember.cuda.is_available() is False and ember.cuda.is_available() == torch.cuda.is_available()
    assert ember.cuda.device_count() == 0 == torch.cuda.device_count()
    ember.cuda.manual_seed(1)
    ember.cuda.manual_seed_all(1)
    same_error(lambda lib: lib.cuda.current_device())
    same_error(lambda lib: lib.cuda.synchronize())
    dev = "cuda" if ember.cuda.is_available() else "cpu"
    assert ember.zeros(2, device=dev).device.type == "cpu"


def test_backend_is_numpy():
    from ember.devices import backend
    assert backend(ember.device("cpu")) is np
