"""NumPy numbers as operands promote as PyTorch's do (as the Python numbers they convert to), and
tensor() of data that is no number raises PyTorch's exception class."""
import numpy as np
import pytest
import torch

import ember

SCALARS = [np.float64(2.5), np.float32(2.5), np.float16(2.5), np.int64(3), np.int32(3), np.int8(3), np.uint8(3),
           np.complex128(1 + 1j)]
DTYPES = ["int64", "int8", "uint8", "bool", "float16", "bfloat16", "float32", "float64", "complex64"]
OPS = {"add": lambda a, b: a + b, "rmul": lambda a, b: b * a, "gt": lambda a, b: a > b, "div": lambda a, b: a / b,
       "sub_method": lambda a, b: a.sub(b), "pow": lambda a, b: a.pow(b)}


def _result(lib, dt, scalar, op):
    base = lib.tensor([1, 2]).to(getattr(lib, dt))
    try:
        r = op(base, scalar)
    except Exception as e:            # noqa: BLE001 - the class is what is compared
        return type(e).__name__
    return str(r.dtype).split(".")[-1], np.round(np.asarray(r.to(lib.complex128).tolist()), 3).tolist()


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dt", DTYPES)
def test_numpy_scalar_operands_promote_as_torch(dt, op):
    for s in SCALARS:
        if dt == "float16" and isinstance(s, np.complexfloating):
            continue        # torch makes complex32, a dtype ember does not have
        assert _result(ember, dt, s, OPS[op]) == _result(torch, dt, s, OPS[op]), (type(s).__name__, dt, op)


@pytest.mark.parametrize("data", [None, [None], [1, None], object(), [2 ** 63], [[2 ** 64]], [1, "a"], "abc",
                                  [[1], [2, 3]]], ids=repr)
def test_tensor_of_bad_data_raises_as_torch(data):
    with pytest.raises(Exception) as t:
        torch.tensor(data)
    with pytest.raises(Exception) as e:
        ember.tensor(data)
    assert e.type is t.type
