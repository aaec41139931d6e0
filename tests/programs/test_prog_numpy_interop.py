"""NumPy next to tensors, as data-loading and evaluation code mixes them: operators with arrays, NumPy scalars,
memory sharing, conversions and Python protocols, vs torch."""
import math

import numpy as np
import pytest

from _harness import run_both

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")   # torch's own __array_wrap__/__array__


def numpy_interop(torch, show):
    t = torch.from_numpy(show.array(3))
    a = show.array(3).astype(np.float64)
    show("tensor + ndarray", t + a)
    show("tensor * ndarray f32", t * a.astype(np.float32))
    show("tensor - int array", t - np.arange(3))
    show("tensor / ndarray", t / a)
    show("ndarray / tensor", a / t)
    show("tensor ** ndarray", t.abs() ** np.full(3, 2.0))
    show("int tensor // array", torch.tensor([7, 8, 9]) // np.array([2, 3, 4]))
    show("int tensor % array", torch.tensor([7, 8, 9]) % np.array([2, 3, 4]))
    show("tensor == ndarray", torch.tensor([1, 2, 3]) == np.array([1, 0, 3]))
    show("int & array", torch.tensor([6, 3]) & np.array([3, 1]))
    show("tensor @ ndarray", torch.ones(2, 3) @ np.ones((3, 2), dtype=np.float32))
    show.raises("ndarray @ tensor 2-d", lambda: np.ones((2, 3), dtype=np.float32) @ torch.ones(3, 2))
    show("numpy scalar * tensor", np.float64(2.0) * t)
    show("tensor * numpy int", t * np.int64(3))
    show("tensor(np scalar)", (torch.tensor(np.float32(2.5)), torch.tensor(np.int16(3))))
    show("as_tensor shares", torch.as_tensor(a).dtype)
    shared = np.zeros(3, dtype=np.float32)
    st = torch.from_numpy(shared)
    st += 1
    show("from_numpy shared", shared.copy())
    nv = st.numpy()
    nv[0] = 9
    show("numpy() shared", st)
    show("np.array(tensor)", np.array(torch.ones(2, 2)))
    show("np.asarray(tensor).dtype", np.asarray(torch.arange(3)).dtype.name)
    show("np ufunc of tensor", np.exp(torch.tensor([0.0, 1.0])))
    show("np.mean(tensor)", float(np.mean(torch.tensor([1.0, 2.0]).numpy())))
    show("tolist", torch.tensor([[1.5, 2.0]]).tolist())
    show("float()/int()", (float(torch.tensor(2.5)), int(torch.tensor(3.9)), bool(torch.tensor([0]))))
    show("format", (f"{torch.tensor(2.5):.3f}", f"{torch.tensor(3)}", "%.2f" % torch.tensor(1.234)))
    show("math on 0-d", (math.sqrt(torch.tensor(4.0)), round(torch.tensor(2.567).item(), 2)))
    show("len/iter", (len(torch.ones(3, 2)), [v.shape for v in torch.ones(2, 3)]))
    show("max of tensor", max(torch.tensor([1, 5, 3])))
    show("index with numpy", (torch.arange(5)[np.array([0, 2])], torch.arange(5)[np.int64(1)]))
    show("bool mask numpy", torch.arange(6).view(2, 3)[:, np.array([True, False, True])])
    show("from_numpy f64 dtype", torch.from_numpy(np.ones(2)).dtype)
    show("from_numpy int32", torch.from_numpy(np.ones(2, dtype=np.int32)).dtype)
    show("from_numpy bool", torch.from_numpy(np.array([True])).dtype)
    show("from_numpy non-contiguous", torch.from_numpy(np.arange(6.0).reshape(2, 3)[:, ::2]))
    show.raises("from_numpy negative strides", lambda: torch.from_numpy(np.arange(3.0)[::-1]))
    show("tensor of list of arrays", torch.tensor(np.stack([np.ones(2), np.zeros(2)])))
    show("stack numpy-made tensors", torch.stack([torch.from_numpy(show.array(2)) for _ in range(3)]))
    acc = (torch.tensor([0, 1, 2]).numpy() == np.array([0, 1, 1])).mean()
    show("numpy accuracy", float(acc))


def test_numpy_interop():
    run_both(numpy_interop)
