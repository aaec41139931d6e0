"""ember/creation.py against torch: values, dtypes, shapes, memory sharing and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, same_error

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]


def run(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ember), fn(torch)


CASES = [
    lambda lib: lib.tensor(3),
    lambda lib: lib.tensor(3.5),
    lambda lib: lib.tensor(True),
    lambda lib: lib.tensor(1 + 2j),
    lambda lib: lib.tensor([]),
    lambda lib: lib.tensor([[1, 2], [3, 4]]),
    lambda lib: lib.tensor([[1.5, 2], [3, 4]]),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.tensor([1, 2.5, True]),
    lambda lib: lib.tensor([1, 2j]),
    lambda lib: lib.tensor((1, 2, 3)),
    lambda lib: lib.tensor([[[]]]),
    lambda lib: lib.tensor([1, 2], dtype=lib.float64),
    lambda lib: lib.tensor([1.7, -2.7], dtype=lib.int32),
    lambda lib: lib.tensor([0, 2], dtype=lib.bool),
    lambda lib: lib.tensor(np.arange(6, dtype=np.int16).reshape(2, 3)),
    lambda lib: lib.tensor(np.float64(2.5)),
    lambda lib: lib.tensor(np.array(2.5, np.float32)),
    lambda lib: lib.tensor([np.float32(1.0), np.float32(2.0)]),
    lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]),
    lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2)]),
    lambda lib: lib.tensor(lib.arange(3)),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    lambda lib: lib.tensor([1.0], device="cpu"),
    lambda lib: lib.as_tensor([1, 2]),
    lambda lib: lib.as_tensor([1, 2], dtype=lib.float32),
    lambda lib: lib.as_tensor(np.arange(3.0)),
    lambda lib: lib.as_tensor(np.arange(3.0), dtype=lib.float32),
    lambda lib: lib.as_tensor(lib.arange(3), dtype=lib.float64),
    lambda lib: lib.as_tensor(2.5),
    lambda lib: lib.asarray([1, 2]),
    lambda lib: lib.asarray(np.arange(4.0), dtype=lib.float16),
    lambda lib: lib.from_numpy(np.arange(6, dtype=np.int32).reshape(3, 2)),
    lambda lib: lib.from_numpy(np.arange(6.0)[::2]),
    lambda lib: lib.from_numpy(np.arange(6.0).reshape(2, 3).T),
    lambda lib: lib.from_numpy(np.array(3.0)),
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((2, 3)),
    lambda lib: lib.zeros([2, 3], dtype=lib.int64),
    lambda lib: lib.zeros(lib.Size([2, 3])),
    lambda lib: lib.zeros(()),
    lambda lib: lib.zeros(0),
    lambda lib: lib.zeros(2, requires_grad=True),
    lambda lib: lib.ones(2, 3),
    lambda lib: lib.ones(3, dtype=lib.bool),
    lambda lib: lib.ones(3, dtype=lib.complex64),
    lambda lib: lib.ones(size=(2, 2)),
    lambda lib: lib.empty(2, 3).shape,
    lambda lib: str(lib.empty(2, dtype=lib.int16).dtype).split(".")[1],
    lambda lib: lib.full((2, 3), 7),
    lambda lib: lib.full((2, 3), 7.5),
    lambda lib: lib.full((2,), True),
    lambda lib: lib.full((2,), 1 + 1j),
    lambda lib: lib.full((2,), 7, dtype=lib.float64),
    lambda lib: lib.full([2, 2], 3.7, dtype=lib.int32),
    lambda lib: lib.full((), 2.0),
    lambda lib: lib.full((2,), lib.tensor(3.0)),
    lambda lib: lib.full((2,), 1.5, requires_grad=True),
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 4),
    lambda lib: lib.eye(3, dtype=lib.int64),
    lambda lib: lib.eye(0),
    lambda lib: lib.eye(3, requires_grad=True),
    lambda lib: lib.arange(5),
    lambda lib: lib.arange(1, 5),
    lambda lib: lib.arange(1, 10, 3),
    lambda lib: lib.arange(10, 1, -3),
    lambda lib: lib.arange(0.0, 1.0, 0.1),
    lambda lib: lib.arange(0, 1, 0.3),
    lambda lib: lib.arange(-1.5, 1.5),
    lambda lib: lib.arange(5, dtype=lib.float32),
    lambda lib: lib.arange(0, 5, 0.5, dtype=lib.float64),
    lambda lib: lib.arange(0, 5, 1.5, dtype=lib.int64),
    lambda lib: lib.arange(0, 5, 1.5, dtype=lib.int32),
    lambda lib: lib.arange(0.5, 5, 1.5, dtype=lib.int64),
    lambda lib: lib.arange(-1.5, 5, 1.7, dtype=lib.int64),
    lambda lib: lib.arange(7, -3, -2.5, dtype=lib.int64),
    lambda lib: lib.arange(7, -3, -2.5, dtype=lib.int16),
    lambda lib: lib.arange(0, 1, 0.3, dtype=lib.int32),
    lambda lib: lib.arange(0, 1, 0.1, dtype=lib.float16),
    lambda lib: lib.arange(0, 1, 0.1, dtype=lib.bfloat16),
    lambda lib: lib.arange(-3, 3, 0.7, dtype=lib.float64),
    lambda lib: lib.arange(10, dtype=lib.uint8),
    lambda lib: lib.arange(3, 3),
    lambda lib: lib.arange(lib.tensor(4)),
    lambda lib: lib.arange(5.0, requires_grad=True),
    lambda lib: lib.arange(start=1, end=4),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(-10, 10, 7),
    lambda lib: lib.linspace(0, 1, 1),
    lambda lib: lib.linspace(0, 1, 0),
    lambda lib: lib.linspace(3, -3, 6, dtype=lib.float64),
    lambda lib: lib.linspace(0, 10, 5, dtype=lib.int64),
    lambda lib: lib.linspace(0.0, 1.0, steps=11, requires_grad=True),
    lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(2.0), 3),
    lambda lib: lib.logspace(0, 3, 4),
    lambda lib: lib.logspace(0, 3, 4, base=2),
    lambda lib: lib.logspace(-2, 2, 5, dtype=lib.float64),
    lambda lib: lib.logspace(0, 1, 1),
]


@pytest.mark.parametrize("i", range(len(CASES)))
def test_creation_matches_torch(i):
    e, t = run(CASES[i])
    if isinstance(t, torch.Tensor):
        assert e.requires_grad == t.requires_grad and e.is_leaf
    assert_same(e, t)


LIKE = ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]


@pytest.mark.parametrize("src", ["float32", "float64", "int64", "bool", "float16"])
@pytest.mark.parametrize("name", LIKE + ["full_like", "randint_like"])
def test_like_functions(name, src):
    def fn(lib, **kw):
        x = lib.ones(2, 3, dtype=getattr(lib, src))
        args = {"full_like": (4,), "randint_like": (5,)}.get(name, ())
        return getattr(lib, name)(x, *args, **kw)

    for kw in ({}, {"dtype": "float64"}, {"dtype": "int32"}, {"device": "cpu"}, {"requires_grad": True},
               {"dtype": "float32", "requires_grad": True}):
        kwe = {k: (getattr(ember, v) if k == "dtype" else v) for k, v in kw.items()}
        kwt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kw.items()}
        try:
            t = fn(torch, **kwt)
        except Exception:  # noqa: BLE001
            same_error(lambda lib: fn(lib, **(kwe if lib is ember else kwt)))
            continue
        e = fn(ember, **kwe)
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype)[6:] == str(t.dtype)[6:]
        assert e.requires_grad == t.requires_grad
        if name in ("zeros_like", "ones_like", "full_like"):
            assert_same(e, t)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.zeros(2, out=lib.empty(2)),
    lambda lib: lib.ones(2, 3, out=lib.empty(0, dtype=lib.int64)),
    lambda lib: lib.full((2,), 3, out=lib.empty(2)),
    lambda lib: lib.eye(3, out=lib.empty(0)),
    lambda lib: lib.arange(4, out=lib.empty(4, dtype=lib.float64)),
    lambda lib: lib.linspace(0, 1, 3, out=lib.empty(3)),
    lambda lib: lib.logspace(0, 1, 3, out=lib.empty(3)),
])
def test_out_argument(fn):
    e, t = run(fn)
    assert_same(e, t)


def test_out_returns_the_out_tensor():
    o = ember.empty(3)
    assert ember.zeros(3, out=o) is o and ember.arange(3, out=o) is o


def test_from_numpy_and_numpy_share_memory():
    a = np.arange(6.0).reshape(2, 3)
    t = ember.from_numpy(a)
    a[0, 0] = 100.0
    assert t[0, 0].item() == 100.0
    t.numpy()[1, 2] = -1.0
    assert a[1, 2] == -1.0
    n = t.numpy()
    assert np.shares_memory(n, a)
    x = ember.zeros(3)
    x.numpy()[0] = 5.0
    assert x.tolist() == [5.0, 0.0, 0.0]
    view = ember.from_numpy(a[:, 1])
    assert view.stride() == torch.from_numpy(a[:, 1]).stride()


def test_tensor_copies_and_as_tensor_shares():
    a = np.arange(3.0)
    t = ember.tensor(a)
    a[0] = 9.0
    assert t[0].item() == 0.0
    s = ember.as_tensor(a)
    a[1] = 7.0
    assert s[1].item() == 7.0
    c = ember.as_tensor(a, dtype=ember.float32)        # needs a conversion: a copy
    a[2] = 5.0
    assert c[2].item() == 2.0
    x = ember.arange(3.0)
    assert ember.as_tensor(x) is x
    assert ember.asarray(a).numpy() is not None and np.shares_memory(ember.asarray(a).numpy(), a)
    assert not np.shares_memory(ember.asarray(a, copy=True).numpy(), a)
    lst = [1.0, 2.0]
    t = ember.tensor(lst)
    lst[0] = 5.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_of_tensor_warns_like_torch():
    with pytest.warns(UserWarning):
        ember.tensor(ember.ones(2))
    y = ember.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = ember.tensor(y)
    assert not z.requires_grad and z.is_leaf


ERRORS = [
    lambda lib: lib.zeros(-1),
    lambda lib: lib.zeros(2, -3),
    lambda lib: lib.ones((-1,)),
    lambda lib: lib.empty(-2),
    lambda lib: lib.full((-1,), 2.0),
    lambda lib: lib.zeros(2.5),
    lambda lib: lib.zeros("a"),
    lambda lib: lib.eye(-1),
    lambda lib: lib.eye(2, -1),
    lambda lib: lib.arange(0, 5, 0),
    lambda lib: lib.arange(5, 0, 1),
    lambda lib: lib.arange(5, 0, 1.0),
    lambda lib: lib.arange(0, float("inf")),
    lambda lib: lib.arange(0, 1, 0.3, dtype=lib.int64),
    lambda lib: lib.arange(3, dtype=lib.bool),
    lambda lib: lib.linspace(0, 1, -1),
    lambda lib: lib.tensor([[1, 2], [3]]),
    lambda lib: lib.tensor([[1, 2], [3, 4, 5]]),
    lambda lib: lib.tensor([[1, 2], 3]),
    lambda lib: lib.tensor("abc"),
    lambda lib: lib.tensor([1.0], dtype="float32"),
    lambda lib: lib.zeros(2, dtype="float64"),
    lambda lib: lib.zeros(2, dtype="nope"),
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.bool, requires_grad=True),
    lambda lib: lib.arange(3, requires_grad=True),
    lambda lib: lib.full((2,), 3, requires_grad=True),
    lambda lib: lib.tensor([1.0], device="cuda"),
    lambda lib: lib.zeros(2, device="cuda"),
    lambda lib: lib.ones(2, device="cuda:0"),
    lambda lib: lib.arange(3, device="cuda"),
    lambda lib: lib.eye(2, device="cuda"),
    lambda lib: lib.zeros(2, device="nonsense"),
    lambda lib: lib.zeros_like([1, 2]),
    lambda lib: lib.from_numpy([1, 2]),
    lambda lib: lib.from_numpy(np.arange(3.0)[::-1]),
    lambda lib: lib.from_numpy(np.zeros(2, ">f4")),
    lambda lib: lib.ones(2, out=lib.zeros(2, requires_grad=True)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    same_error(ERRORS[i])


def test_legacy_constructor():
    assert_same(ember.Tensor(2, 3).shape, torch.Tensor(2, 3).shape)
    assert_same(ember.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert_same(ember.Tensor(), torch.Tensor())


@pytest.mark.parametrize("data", [
    [np.int16(1), np.int16(2)], [np.float64(1.5)], [np.uint8(3)], [np.float16(1)], [[np.float32(1)], [np.float32(2)]],
    [np.int16(1), 2], [np.int16(1), 2.5], [np.bool_(True)], [np.float64(1), np.float32(2)], [np.complex64(1)],
    [1.5, 2], [1j, 2.0], [True, 2], (1.0, 2.0), [np.int8(1), np.uint8(2)], [np.float16(1), 2.5], [np.float32(1), 1j],
], ids=repr)
@pytest.mark.parametrize("fn", ["tensor", "as_tensor"])
def test_dtype_inferred_from_numpy_scalars_in_sequences(fn, data):
    """NumPy scalars keep their dtype inside lists and promote with Python numbers, as in torch."""
    e, t = getattr(ember, fn)(data), getattr(torch, fn)(data)
    assert e.dtype.name == str(t.dtype).split(".")[1]
    assert e.tolist() == t.tolist()
