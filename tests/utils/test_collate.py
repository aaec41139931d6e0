"""default_collate / default_convert against torch.utils.data: same output types,
dtypes, shapes and values for every kind of sample, same exception classes."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from batches import same_error, structure

Point = collections.namedtuple("Point", ["x", "y"])
R = np.random.default_rng()


def both(make):
    """``make(lib)`` for ember and for torch (the batch is built from the same NumPy data)."""
    return make(ember), make(torch)


def arr(*shape, dtype="float32"):
    return np.asarray(R.standard_normal(shape) * 3).astype(dtype)


# Each case: a function (lib, data) -> batch (a list of samples), and the data it is built from.
CASES = {
    "ints": (lambda lib, d: list(d), [3, -1, 7]),
    "floats": (lambda lib, d: list(d), [0.5, -2.25, 1e3]),
    "bools": (lambda lib, d: list(d), [True, False, True]),
    "strings": (lambda lib, d: list(d), ["a", "bc", ""]),
    "bytes": (lambda lib, d: list(d), [b"x", b"yz"]),
    "tensors_f32": (lambda lib, d: [lib.from_numpy(a) for a in d], [arr(2, 3) for _ in range(4)]),
    "tensors_i64": (lambda lib, d: [lib.from_numpy(a) for a in d], [arr(5, dtype="int64") for _ in range(3)]),
    "tensors_0d": (lambda lib, d: [lib.from_numpy(a) for a in d], [arr(dtype="float64") for _ in range(3)]),
    "numpy_arrays": (lambda lib, d: list(d), [arr(3, 2, dtype="float64") for _ in range(2)]),
    "numpy_uint8": (lambda lib, d: list(d), [arr(4, dtype="uint8") for _ in range(3)]),
    "numpy_scalars": (lambda lib, d: list(d), [np.float32(1.5), np.float32(-2.0)]),
    "numpy_int_scalars": (lambda lib, d: list(d), [np.int16(3), np.int16(-4)]),
    "numpy_bool_scalars": (lambda lib, d: list(d), [np.bool_(True), np.bool_(False)]),
    "tuples": (lambda lib, d: [(lib.from_numpy(a), i) for a, i in d], [(arr(3), 1), (arr(3), 2)]),
    "lists": (lambda lib, d: [[lib.from_numpy(a), float(i)] for a, i in d], [(arr(2), 1), (arr(2), 5)]),
    "dicts": (lambda lib, d: [{"img": lib.from_numpy(a), "label": i, "name": n} for a, i, n in d],
              [(arr(1, 2), 0, "p"), (arr(1, 2), 3, "q")]),
    "namedtuples": (lambda lib, d: [Point(lib.from_numpy(a), i) for a, i in d], [(arr(2), 4), (arr(2), 9)]),
    "nested": (lambda lib, d: [{"pair": (lib.from_numpy(a), [i, i + 0.5])} for a, i in d],
               [(arr(2, 2), 1), (arr(2, 2), 2), (arr(2, 2), 3)]),
    "single_item": (lambda lib, d: [lib.from_numpy(a) for a in d], [arr(4)]),
}


@pytest.mark.parametrize("case", CASES)
def test_default_collate_matches_torch(case):
    make, data = CASES[case]
    got = edata.default_collate(make(ember, data))
    want = tdata.default_collate(make(torch, data))
    assert structure(got) == structure(want)


CONVERT = {     # single samples holding NumPy data (default_convert turns arrays into tensors, nothing else)
    "int": 3, "string": "abc", "array": arr(2, 3), "int_array": arr(4, dtype="int32"), "scalar": np.float64(2.5),
    "string_array": np.array(["a", "b"]), "tuple": (arr(2), 1, "s"), "list": [arr(3), [arr(1), 2.0]],
    "dict": {"a": arr(2, 2), "b": 7}, "namedtuple": Point(arr(2), np.int32(4)),
}


@pytest.mark.parametrize("case", CONVERT)
def test_default_convert_matches_torch(case):
    sample = CONVERT[case]
    assert structure(edata.default_convert(sample)) == structure(tdata.default_convert(sample))


def test_collated_tensor_is_a_new_array():
    samples = [ember.randn(3), ember.randn(3)]
    out = edata.default_collate(samples)
    out[0, 0] = 100.0
    assert samples[0][0].item() != 100.0


BAD = {
    "tensor_shapes_differ": lambda lib: [lib.zeros(3), lib.ones(3), lib.zeros(4)],
    "numpy_shapes_differ": lambda lib: [np.zeros((2, 2)), np.zeros((2, 3))],
    "sequence_lengths_differ": lambda lib: [[1, 2], [3, 4], [5]],
    "unsupported_type": lambda lib: [object(), object()],
    "string_array": lambda lib: [np.array(["a", "b"]), np.array(["c", "d"])],
    "dict_missing_key": lambda lib: [{"a": 1, "b": 2}, {"a": 3}],
}


@pytest.mark.parametrize("case", BAD)
def test_bad_batches_raise_as_torch(case):
    same_error(lambda lib, module: module.default_collate(BAD[case](lib)))


def test_shape_error_names_the_item():
    with pytest.raises(RuntimeError, match=r"item 2 of the batch has shape \[4\] but item 0 has \[3\]"):
        edata.default_collate([ember.zeros(3), ember.ones(3), ember.zeros(4)])
    with pytest.raises(RuntimeError, match=r"item 1 of the batch has 1 elements, item 0 has 2"):
        edata.default_collate([[1, 2], [3]])


def test_collate_fn_map_is_extensible():
    class Box:
        def __init__(self, v):
            self.v = v

    table = dict(edata._utils.collate.default_collate_fn_map)
    table[Box] = lambda batch, *, collate_fn_map: sum(b.v for b in batch)
    out = edata._utils.collate.collate([(Box(1), 2), (Box(5), 3)], collate_fn_map=table)
    assert out[0] == 6 and out[1].tolist() == [2, 3]
