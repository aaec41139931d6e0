"""Tensor attributes, conversions and Python protocols (ember/tensor.py) against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, same_error


def both(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


def norm(v):
    """Make torch/ember results comparable: Sizes to tuples, dtypes to names."""
    if isinstance(v, (ember.Size, torch.Size)):
        return ("Size", tuple(v))
    if isinstance(v, (ember.dtype, torch.dtype)):
        return str(v).split(".")[-1]
    if isinstance(v, (ember.device, torch.device)):
        return str(v)
    if isinstance(v, (tuple, list)):
        return type(v)([norm(x) for x in v])
    return v


def x3(lib, dtype="float32"):
    return lib.arange(24.0).reshape(2, 3, 4).to(getattr(lib, dtype))


ATTRS = [
    lambda lib: x3(lib).shape,
    lambda lib: x3(lib).size(),
    lambda lib: x3(lib).size(1),
    lambda lib: x3(lib).size(-1),
    lambda lib: x3(lib).shape[1:],
    lambda lib: x3(lib).dim(),
    lambda lib: x3(lib).ndim,
    lambda lib: x3(lib).ndimension(),
    lambda lib: x3(lib).numel(),
    lambda lib: x3(lib).nelement(),
    lambda lib: lib.numel(x3(lib)),
    lambda lib: x3(lib).dtype,
    lambda lib: x3(lib, "int16").dtype,
    lambda lib: x3(lib).device,
    lambda lib: x3(lib).requires_grad,
    lambda lib: x3(lib).is_leaf,
    lambda lib: x3(lib).grad,
    lambda lib: x3(lib).grad_fn,
    lambda lib: x3(lib).stride(),
    lambda lib: x3(lib).stride(1),
    lambda lib: x3(lib).stride(-1),
    lambda lib: x3(lib).transpose(0, 2).stride(),
    lambda lib: x3(lib)[:, 1].stride(),
    lambda lib: x3(lib)[..., ::2].stride(),
    lambda lib: lib.ones(3, 1).stride(),
    lambda lib: lib.ones(0, 3).stride(),
    lambda lib: lib.ones(()).stride(),
    lambda lib: x3(lib).is_contiguous(),
    lambda lib: x3(lib).transpose(0, 1).is_contiguous(),
    lambda lib: x3(lib)[:, 1].is_contiguous(),
    lambda lib: x3(lib, "float64").element_size(),
    lambda lib: x3(lib, "bfloat16").element_size(),
    lambda lib: x3(lib, "bool").itemsize,
    lambda lib: x3(lib, "int32").nbytes,
    lambda lib: lib.tensor(3.5).item(),
    lambda lib: lib.tensor([7]).item(),
    lambda lib: lib.tensor([[True]]).item(),
    lambda lib: lib.tensor(2.5, dtype=lib.bfloat16).item(),
    lambda lib: lib.tensor(1 + 2j).item(),
    lambda lib: x3(lib).tolist(),
    lambda lib: x3(lib, "int64").tolist(),
    lambda lib: x3(lib, "bool").tolist(),
    lambda lib: x3(lib, "bfloat16").tolist(),
    lambda lib: lib.tensor(4).tolist(),
    lambda lib: lib.zeros(0, 2).tolist(),
    lambda lib: len(x3(lib)),
    lambda lib: [t.shape for t in x3(lib)],
    lambda lib: [t.item() for t in lib.arange(3)],
    lambda lib: bool(lib.tensor([1])),
    lambda lib: bool(lib.tensor(0.0)),
    lambda lib: float(lib.tensor([2])),
    lambda lib: float(lib.tensor(2.5, dtype=lib.float16)),
    lambda lib: int(lib.tensor(-2.7)),
    lambda lib: int(lib.tensor([[3]])),
    lambda lib: complex(lib.tensor(1 + 2j)),
    lambda lib: [10, 20, 30][lib.tensor(1)],
    lambda lib: list(range(5))[lib.tensor(1):lib.tensor(4)],
    lambda lib: x3(lib).is_floating_point(),
    lambda lib: x3(lib, "int8").is_signed(),
    lambda lib: x3(lib, "uint8").is_signed(),
    lambda lib: x3(lib, "complex64").is_complex(),
    lambda lib: lib.is_tensor(x3(lib)),
    lambda lib: lib.is_tensor([1]),
    lambda lib: x3(lib).type(),
    lambda lib: x3(lib, "int64").type(),
    lambda lib: x3(lib).get_device(),
    lambda lib: x3(lib).is_cuda,
    lambda lib: x3(lib).is_cpu,
    lambda lib: x3(lib).storage_offset(),
    lambda lib: x3(lib)[1, 2:].storage_offset(),
    lambda lib: lib.ones(2, 2).requires_grad_().requires_grad,
    lambda lib: (lib.ones(2, requires_grad=True) * 2).is_leaf,
    lambda lib: lib.ones(2, requires_grad=True).detach().requires_grad,
    lambda lib: lib.ones(2, requires_grad=True).data.requires_grad,
    lambda lib: lib.ones(2, requires_grad=True).data.is_leaf,
    lambda lib: type((lib.ones(2, requires_grad=True) * 2).grad_fn).__name__,
    lambda lib: (lib.ones(2, requires_grad=True) * 2).detach().grad_fn,
]


@pytest.mark.parametrize("i", range(len(ATTRS)))
def test_attribute_matches_torch(i):
    e, t = both(ATTRS[i])
    if isinstance(t, str):
        t = t.replace("torch.", "ember.")
    assert norm(e) == norm(t), (e, t)
    if isinstance(t, (int, float, bool, complex)):
        assert type(e) is type(t), (type(e), type(t))


TENSOR_RESULTS = [
    lambda lib: x3(lib)[:, :, 0].T,
    lambda lib: lib.ones(2, 3).T,
    lambda lib: lib.arange(3.0).T,
    lambda lib: lib.tensor(2.5).T,      # the identity (PyTorch warns that it is deprecated there)
    lambda lib: x3(lib).mT,
    lambda lib: x3(lib).float(),
    lambda lib: x3(lib).double(),
    lambda lib: x3(lib).half(),
    lambda lib: x3(lib).bfloat16(),
    lambda lib: (x3(lib) / 3).long(),
    lambda lib: (x3(lib) - 3.5).int(),
    lambda lib: x3(lib).short(),
    lambda lib: x3(lib).char(),
    lambda lib: x3(lib).byte(),
    lambda lib: (x3(lib) - 5).bool(),
    lambda lib: x3(lib).cfloat(),
    lambda lib: x3(lib).to(lib.float64),
    lambda lib: x3(lib).to(dtype=lib.int32),
    lambda lib: x3(lib).to("cpu", lib.float16),
    lambda lib: x3(lib).to(lib.ones(1, dtype=lib.int8)),
    lambda lib: x3(lib).to(lib.float32, copy=True),
    lambda lib: x3(lib).to(lib.float64, True),
    lambda lib: x3(lib).to("cpu", lib.int64, False),
    lambda lib: x3(lib).to(lib.float32, False, True),
    lambda lib: x3(lib).type(lib.float64),
    lambda lib: x3(lib).type(lib.int64),
    lambda lib: x3(lib).type_as(lib.ones(1, dtype=lib.float64)),
    lambda lib: x3(lib).clone(),
    lambda lib: x3(lib).detach(),
    lambda lib: lib.ones(3, requires_grad=True).clone(),
    lambda lib: lib.ones(3, requires_grad=True).float(),
    lambda lib: lib.ones(3, requires_grad=True).double(),
    lambda lib: lib.ones(3, requires_grad=True).to(lib.float16),
    lambda lib: lib.ones(3, requires_grad=True).int(),
    lambda lib: lib.ones(3, requires_grad=True).data,
    lambda lib: lib.tensor([1.5, -2.5, 3.7]).int(),
    lambda lib: lib.tensor([0.0, 0.1, -1.0]).bool(),
    lambda lib: lib.tensor([True, False]).float(),
]


@pytest.mark.parametrize("i", range(len(TENSOR_RESULTS)))
def test_tensor_conversion_matches_torch(i):
    e, t = both(TENSOR_RESULTS[i])
    assert_same(e, t)
    assert e.requires_grad == t.requires_grad and e.is_leaf == t.is_leaf
    if t.grad_fn is not None:
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def test_to_returns_self_or_copy():
    x = ember.ones(3)
    assert x.to(ember.float32) is x and x.float() is x and x.to(x) is x and x.type(ember.float32) is x
    c = x.to(ember.float32, copy=True)
    assert c is not x and not np.shares_memory(c.numpy(), x.numpy())
    d = x.double()
    assert d is not x and d.dtype is ember.float64
    assert x.type("ember.DoubleTensor").dtype is ember.float64
    assert x.type("torch.LongTensor").dtype is ember.int64


def test_detach_shares_memory_and_version():
    x = ember.ones(3, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.numpy(), x.detach().numpy())
    d.numpy()[0] = 5.0
    assert x.tolist()[0] == 5.0
    v = x._version
    d.add_(1)
    assert x._version == d._version == v + 1 and x.tolist()[0] == 6.0
    c = x.clone()
    assert not np.shares_memory(c.detach().numpy(), x.detach().numpy())
    assert c.grad_fn is not None and type(c.grad_fn).__name__ == "CloneBackward0"
    data = x.data
    assert np.shares_memory(data.numpy(), d.numpy()) and not data.requires_grad


def test_numpy_and_array_protocol():
    x = ember.arange(6.0).reshape(2, 3)
    a = np.asarray(x)
    assert a.shape == (2, 3) and a.dtype == np.float32 and np.shares_memory(a, x.numpy())
    assert np.array(x, dtype=np.float64).dtype == np.float64
    assert not np.shares_memory(np.array(x), x.numpy())
    b = np.asarray(ember.ones(2, dtype=ember.bfloat16))
    assert b.dtype.name == "bfloat16"
    same_error(lambda lib: lib.ones(2, requires_grad=True).numpy())
    same_error(lambda lib: np.asarray(lib.ones(2, requires_grad=True)))
    assert ember.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]
    assert ember.ones(2, requires_grad=True).numpy(force=True).tolist() == [1.0, 1.0]


def test_grad_attribute():
    x = ember.ones(3, requires_grad=True)
    assert x.grad is None
    x.grad = ember.full((3,), 2.0)
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    del x.grad
    assert x.grad is None
    same_error(lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", lib.ones(2)))
    same_error(lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", lib.ones(3, dtype=lib.float64)))
    same_error(lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", [1.0, 2.0, 3.0]))
    y = ember.ones(3, requires_grad=True) * 2
    with pytest.warns(UserWarning):
        assert y.grad is None


def test_requires_grad_setter():
    x = ember.ones(2)
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad


def test_size_type():
    s = ember.ones(2, 3).shape
    assert isinstance(s, ember.Size) and isinstance(s, tuple)
    assert s == (2, 3) and s == ember.Size([2, 3]) and repr(s) == "ember.Size([2, 3])"
    assert s.numel() == 6 == torch.Size([2, 3]).numel()
    assert isinstance(s[0:1], ember.Size) and isinstance(s + (4,), ember.Size)
    assert s + (4,) == (2, 3, 4) and (1,) + s == (1, 2, 3) and s * 2 == (2, 3, 2, 3)
    import pickle
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is ember.Size


ERRORS = [
    lambda lib: lib.ones(2, 3).size(2),
    lambda lib: lib.ones(2, 3).size(-3),
    lambda lib: lib.ones(2, 3).stride(5),
    lambda lib: lib.ones(2).item(),
    lambda lib: lib.ones(0).item(),
    lambda lib: bool(lib.ones(2)),
    lambda lib: float(lib.ones(2)),
    lambda lib: int(lib.ones(2)),
    lambda lib: [1, 2][lib.tensor(1.0)],
    lambda lib: [1, 2][lib.tensor([1, 0])],
    lambda lib: len(lib.tensor(1.0)),
    lambda lib: iter(lib.tensor(1.0)),
    lambda lib: lib.ones(3).mT,
    lambda lib: lib.ones(3, dtype=lib.int64).requires_grad_(),
    lambda lib: setattr(lib.ones(3, dtype=lib.int32), "requires_grad", True),
    lambda lib: (lib.ones(3, requires_grad=True) * 2).requires_grad_(False),
    lambda lib: lib.ones(3).to("cuda"),
    lambda lib: lib.ones(3).to(dtype="float64"),
    lambda lib: lib.ones(3).to("float64"),
    lambda lib: lib.ones(3).type("nope"),
    lambda lib: lib.ones(3).cuda(),
    lambda lib: lib.ones(2, requires_grad=True).numpy(),
    lambda lib: lib.ones(2).retain_grad(),
    lambda lib: lib.ones(2).register_hook(lambda g: g),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    same_error(ERRORS[i])


def test_hash_and_identity():
    a, b = ember.ones(2), ember.ones(2)
    assert hash(a) != hash(b) and len({a, b}) == 2


def test_pickle_and_deepcopy():
    import copy
    import pickle
    x = ember.arange(6.0).reshape(2, 3).requires_grad_()
    y = pickle.loads(pickle.dumps(x))
    assert y.requires_grad and y.tolist() == x.tolist() and y.dtype is x.dtype
    z = copy.deepcopy(x)
    assert z is not x and z.requires_grad and not np.shares_memory(z.detach().numpy(), x.detach().numpy())
    same_error(lambda lib: copy.deepcopy(lib.ones(2, requires_grad=True) * 2))


def test_format():
    assert f"{ember.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}"
    assert f"{ember.tensor(3)}" == f"{torch.tensor(3)}" == "3"     # a 0-d tensor formats as its number
