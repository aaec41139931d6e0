"""ember/dtypes.py against torch: every dtype and alias, promotion over all pairs,
result_type with tensors / 0-d tensors / Python scalars, can_cast, finfo/iinfo,
and the default dtype."""
import itertools

import numpy as np
import pytest
import torch

import ember
from oracle import same_error

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental:UserWarning")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
         "complex64", "complex128"]
ALIASES = {"half": "float16", "float": "float32", "double": "float64", "short": "int16", "int": "int32",
           "long": "int64", "cfloat": "complex64", "cdouble": "complex128"}


def dname(d):
    return str(d).split(".")[-1]


def tname(d):
    """torch's dtype name as ember spells it: ember has no complex32 (NumPy lacks a complex-half type), so
    where torch gives complex32 (float16 with complex) ember gives complex64: a known, documented difference."""
    n = dname(d)
    return "complex64" if n == "complex32" else n


def E(name):
    return getattr(ember, name)


def T(name):
    return getattr(torch, name)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_properties(name):
    e, t = E(name), T(name)
    assert isinstance(e, ember.dtype)
    assert repr(e) == "ember." + name and str(e) == "ember." + name
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    x = ember.zeros(2, dtype=e)
    assert x.dtype is e and x.element_size() == t.itemsize
    assert ember.is_floating_point(x) == t.is_floating_point and ember.is_complex(x) == t.is_complex
    assert x.is_floating_point() == t.is_floating_point and x.is_complex() == t.is_complex


@pytest.mark.parametrize("alias,name", ALIASES.items())
def test_aliases_are_the_same_objects(alias, name):
    assert E(alias) is E(name)
    assert (T(alias) is T(name))


def test_dtypes_pickle_as_singletons():
    import copy
    import pickle
    for name in NAMES:
        assert pickle.loads(pickle.dumps(E(name))) is E(name)
        assert copy.deepcopy(E(name)) is E(name)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_all_pairs(a, b):
    assert dname(ember.promote_types(E(a), E(b))) == dname(torch.promote_types(T(a), T(b)))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_can_cast_all_pairs(a, b):
    assert ember.can_cast(E(a), E(b)) == torch.can_cast(T(a), T(b))


SCALARS = [True, 2, 2.5, 1 + 2j]


def _operands(lib, name):
    """A tensor with dims, a 0-d tensor, of dtype ``name``."""
    return lib.ones(2, dtype=getattr(lib, name)), lib.ones((), dtype=getattr(lib, name))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_result_type_tensors_and_zero_dim(a, b):
    for i, j in itertools.product(range(2), range(2)):
        e = ember.result_type(_operands(ember, a)[i], _operands(ember, b)[j])
        t = torch.result_type(_operands(torch, a)[i], _operands(torch, b)[j])
        assert dname(e) == tname(t), (a, b, i, j)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: type(s).__name__)
def test_result_type_with_python_scalars(name, scalar):
    for i in range(2):
        e = ember.result_type(_operands(ember, name)[i], scalar)
        t = torch.result_type(_operands(torch, name)[i], scalar)
        assert dname(e) == tname(t)
        e = ember.result_type(scalar, _operands(ember, name)[i])
        t = torch.result_type(scalar, _operands(torch, name)[i])
        assert dname(e) == tname(t)


@pytest.mark.parametrize("a,b", list(itertools.product(SCALARS, SCALARS)))
def test_result_type_two_scalars(a, b):
    assert dname(ember.result_type(a, b)) == dname(torch.result_type(a, b))


@pytest.mark.parametrize("name", [n for n in NAMES if T(n).is_floating_point or T(n).is_complex])
def test_finfo(name):
    e, t = ember.finfo(E(name)), torch.finfo(T(name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(e, field) == getattr(t, field), field
    assert e.dtype == t.dtype


def test_finfo_default_and_errors():
    assert ember.finfo().eps == torch.finfo().eps
    same_error(lambda lib: lib.finfo(lib.int32))
    same_error(lambda lib: lib.finfo(lib.bool))


@pytest.mark.parametrize("name", [n for n in NAMES if not (T(n).is_floating_point or T(n).is_complex)])
def test_iinfo(name):
    if name == "bool":
        same_error(lambda lib: lib.iinfo(lib.bool))
        return
    e, t = ember.iinfo(E(name)), torch.iinfo(T(name))
    for field in ("bits", "min", "max", "dtype"):
        assert getattr(e, field) == getattr(t, field), field


def test_iinfo_rejects_floats():
    same_error(lambda lib: lib.iinfo(lib.float32))


@pytest.fixture
def restore_default():
    yield
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


DEFAULT_DEPENDENT = [
    lambda lib: lib.tensor([1.0]),
    lambda lib: lib.tensor(1.0),
    lambda lib: lib.tensor([1 + 2j]),
    lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.arange(0., 1.),
    lambda lib: lib.arange(0, 1, 0.25),
    lambda lib: lib.arange(3),
    lambda lib: lib.ones(2, dtype=lib.int64) + 2.5,
    lambda lib: lib.ones(2, dtype=lib.int64) * (1 + 1j),
    lambda lib: lib.ones(2, dtype=lib.int32) / lib.ones(2, dtype=lib.int32),
    lambda lib: lib.zeros(2),
    lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.linspace(0, 1, 3),
    lambda lib: lib.rand(2),
    lambda lib: lib.randn(2),
    lambda lib: lib.Tensor([1, 2]),
    lambda lib: lib.ones(2, dtype=lib.float16) + 2.5,
    lambda lib: lib.ones((), dtype=lib.float64) + lib.ones(2, dtype=lib.int64),
]


@pytest.mark.parametrize("default", ["float32", "float64", "float16", "bfloat16"])
def test_default_dtype(default, restore_default):
    ember.set_default_dtype(E(default))
    torch.set_default_dtype(T(default))
    assert ember.get_default_dtype() is E(default)
    for i, fn in enumerate(DEFAULT_DEPENDENT):
        try:
            t = fn(torch)
        except RuntimeError:    # torch: "invalid default scalar type for complex" under bfloat16
            continue
        assert dname(fn(ember).dtype) == tname(t.dtype), i
    assert ember.finfo().eps == torch.finfo().eps
    for s in SCALARS:
        assert dname(ember.result_type(ember.ones(2, dtype=ember.int64), s)) == \
            tname(torch.result_type(torch.ones(2, dtype=torch.int64), s))


def test_set_default_dtype_rejects_non_float(restore_default):
    for name in ("int64", "int32", "bool", "complex64"):
        same_error(lambda lib: lib.set_default_dtype(getattr(lib, name)))
    assert ember.get_default_dtype() is ember.float32


@pytest.mark.parametrize("bad", ["float32", "float", "int64", "nope", 3])
def test_dtype_arguments_must_be_dtypes(bad):
    for fn in (lambda lib: lib.zeros(2, dtype=bad), lambda lib: lib.tensor([1.0], dtype=bad),
               lambda lib: lib.ones(2).to(dtype=bad), lambda lib: lib.arange(3, dtype=bad)):
        same_error(fn)


def test_numpy_dtype_mapping():
    for name in NAMES:
        arr = np.zeros(2, E(name).np)
        assert ember.from_numpy(arr).dtype is E(name)
    for np_type in (np.uint16, np.uint32, np.uint64, np.float128 if hasattr(np, "float128") else np.str_):
        with pytest.raises(TypeError):
            ember.from_numpy(np.zeros(2, np_type))
