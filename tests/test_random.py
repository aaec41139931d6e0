"""ember/random.py against torch: shapes, dtypes and errors equal torch's; values
reproducible under a seed; distributions right within statistical tolerance.
(Streams are not bitwise equal to torch's: ember draws from NumPy's PCG64.)"""
import numpy as np
import pytest
import torch

import ember
from oracle import same_error

N = 200_000


def dname(t):
    return str(t.dtype).split(".")[-1]


def same_meta(fn):
    """fn(lib) on both libraries: same type, shape, dtype, requires_grad."""
    e, t = fn(ember), fn(torch)
    assert isinstance(e, ember.Tensor)
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert dname(e) == dname(t), (dname(e), dname(t))
    assert e.requires_grad == t.requires_grad
    assert (e.grad_fn is None) == (t.grad_fn is None)
    if t.grad_fn is not None:
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    return e, t


# ------------------------------------------------------------------ shapes and dtypes
def _float_t(lib, shape=(3, 4), dtype="float32", val=0.5, rg=False):
    return lib.full(shape, val, dtype=getattr(lib, dtype), requires_grad=rg)


META = [
    lambda lib: lib.rand(2, 3),
    lambda lib: lib.rand((2, 3)),
    lambda lib: lib.rand([4]),
    lambda lib: lib.rand(size=(2, 3)),
    lambda lib: lib.rand(()),
    lambda lib: lib.rand(0, 3),
    lambda lib: lib.rand(2, dtype=lib.float64),
    lambda lib: lib.rand(2, dtype=lib.float16),
    lambda lib: lib.rand(2, dtype=lib.bfloat16),
    lambda lib: lib.rand(2, dtype=lib.complex64),
    lambda lib: lib.rand(2, requires_grad=True),
    lambda lib: lib.rand(2, device="cpu"),
    lambda lib: lib.rand(2, device=lib.device("cpu")),
    lambda lib: lib.randn(2, 3),
    lambda lib: lib.randn(5, dtype=lib.float64, requires_grad=True),
    lambda lib: lib.randn(5, dtype=lib.complex128),
    lambda lib: lib.randn(5, dtype=lib.bfloat16),
    lambda lib: lib.randint(10, (3,)),
    lambda lib: lib.randint(2, 10, (3, 2)),
    lambda lib: lib.randint(-5, 5, (3,), dtype=lib.int8),
    lambda lib: lib.randint(0, 5, (3,), dtype=lib.float32),
    lambda lib: lib.randint(0, 2, (3,), dtype=lib.bool),
    lambda lib: lib.randint(0, 5, (3,), dtype=lib.float32, requires_grad=True),
    lambda lib: lib.randint(low=1, high=4, size=(2,)),
    lambda lib: lib.randint(high=4, size=(2,)),
    lambda lib: lib.randint(3, size=(2,)),
    lambda lib: lib.randperm(7),
    lambda lib: lib.randperm(0),
    lambda lib: lib.randperm(7, dtype=lib.float32),
    lambda lib: lib.randperm(7, dtype=lib.int32, device="cpu"),
    lambda lib: lib.normal(0.0, 1.0, (2, 3)),
    lambda lib: lib.normal(0.0, 1.0, size=(2, 3), dtype=lib.float64),
    lambda lib: lib.normal(2, 3, (4,), requires_grad=True),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3, 1), lib.ones(4)),
    lambda lib: lib.normal(lib.zeros(3, dtype=lib.float64), lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.normal(lib.zeros(3), 2.0),
    lambda lib: lib.normal(lib.zeros(3)),
    lambda lib: lib.normal(1.0, lib.ones(2, 2)),
    lambda lib: lib.normal(mean=lib.zeros(3), std=lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3, requires_grad=True), lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3, requires_grad=True), 1.0),
    lambda lib: lib.normal(0.0, lib.ones(3, requires_grad=True)),
    lambda lib: lib.bernoulli(_float_t(lib)),
    lambda lib: lib.bernoulli(_float_t(lib, dtype="float64")),
    lambda lib: lib.bernoulli(_float_t(lib, rg=True)),
    lambda lib: lib.bernoulli(_float_t(lib), 0.3),
    lambda lib: lib.bernoulli(_float_t(lib), p=0.3),
    lambda lib: lib.bernoulli(lib.zeros(3, dtype=lib.int64), 0.3),
    lambda lib: _float_t(lib).bernoulli(),
    lambda lib: lib.multinomial(lib.ones(5), 3),
    lambda lib: lib.multinomial(lib.ones(5), 8, True),
    lambda lib: lib.multinomial(lib.ones(2, 5), 5),
    lambda lib: lib.multinomial(lib.ones(2, 5, dtype=lib.float64), 9, replacement=True),
    lambda lib: lib.multinomial(lib.tensor([1.0, 0.0, 0.0]), 2),
    lambda lib: lib.ones(3).multinomial(2),
    lambda lib: lib.poisson(_float_t(lib, val=3.0)),
    lambda lib: lib.poisson(_float_t(lib, val=3.0, dtype="float64")),
    lambda lib: lib.poisson(_float_t(lib, val=3.0, rg=True)),
    lambda lib: lib.rand_like(lib.ones(2, 3)),
    lambda lib: lib.rand_like(lib.ones(2, 3), dtype=lib.float64),
    lambda lib: lib.rand_like(lib.ones(2, 3, dtype=lib.int64), dtype=lib.float16),
    lambda lib: lib.rand_like(lib.ones(2, 3), requires_grad=True),
    lambda lib: lib.rand_like(lib.ones(2, 3, requires_grad=True)),
    lambda lib: lib.randn_like(lib.ones(2, 3, dtype=lib.float64)),
    lambda lib: lib.randn_like(lib.ones(2, 3), device="cpu"),
    lambda lib: lib.randint_like(lib.ones(2, 3), 5),
    lambda lib: lib.randint_like(lib.ones(2, 3, dtype=lib.int32), 2, 5),
    lambda lib: lib.randint_like(lib.ones(2, 3), high=5),
    lambda lib: lib.randint_like(lib.ones(2, 3), 5, dtype=lib.int64),
]


@pytest.mark.parametrize("i", range(len(META)))
def test_shape_dtype_match_torch(i):
    same_meta(META[i])


OUT = [
    lambda lib, o: lib.rand(2, 3, out=o),
    lambda lib, o: lib.randn(2, 3, out=o),
    lambda lib, o: lib.normal(0.0, 1.0, (2, 3), out=o),
    lambda lib, o: lib.normal(lib.zeros(2, 3), lib.ones(2, 3), out=o),
    lambda lib, o: lib.bernoulli(lib.full((2, 3), 0.5), out=o),
]


@pytest.mark.parametrize("i", range(len(OUT)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_out_argument(i, dtype):
    for lib in (ember, torch):
        o = lib.empty(0, dtype=getattr(lib, dtype))
        r = OUT[i](lib, o)
        assert r is o and tuple(o.shape) == (2, 3) and dname(o) == dtype


@pytest.mark.parametrize("dtype", ["int64", "int32", "float32"])
def test_out_integer_samplers(dtype):
    for lib in (ember, torch):
        o = lib.empty(0, dtype=getattr(lib, dtype))
        assert lib.randint(0, 5, (4,), out=o) is o and dname(o) == dtype and tuple(o.shape) == (4,)
        o = lib.empty(0, dtype=getattr(lib, dtype))
        assert lib.randperm(6, out=o) is o and dname(o) == dtype and sorted(o.tolist()) == list(range(6))
    o = ember.empty(0, dtype=ember.int64)
    assert ember.multinomial(ember.ones(3), 2, out=o) is o and tuple(o.shape) == (2,)


# ------------------------------------------------------------------ errors
ERRORS = [
    lambda lib: lib.randint(5, 2, (3,)),
    lambda lib: lib.randint(5, 5, (3,)),
    lambda lib: lib.randint(0, 3, (-1,)),
    lambda lib: lib.randint(0, 3, (3,), requires_grad=True),
    lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8),
    lambda lib: lib.randint(-1, 3, (3,), dtype=lib.uint8),
    lambda lib: lib.randint(0, 3, (3,), dtype=lib.bool),
    lambda lib: lib.randint(3),
    lambda lib: lib.randint(0.5, 3.5, (3,)),
    lambda lib: lib.rand(-1),
    lambda lib: lib.rand(2, -3),
    lambda lib: lib.randn(-2),
    lambda lib: lib.rand(3, dtype=lib.int64),
    lambda lib: lib.randn(3, dtype=lib.int64),
    lambda lib: lib.randn(3, dtype=lib.bool),
    lambda lib: lib.rand(3, generator=5),
    lambda lib: lib.rand(3, dtype="float32"),
    lambda lib: lib.rand(3, device="cuda"),
    lambda lib: lib.randn(3, device="cuda:0"),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.randperm(300, dtype=lib.uint8),
    lambda lib: lib.randperm(5, dtype=lib.bool),
    lambda lib: lib.randperm(5, requires_grad=True),
    lambda lib: lib.normal(lib.zeros(3), -1.0),
    lambda lib: lib.normal(lib.zeros(3), -lib.ones(3)),
    lambda lib: lib.normal(0.0, -lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(4)),
    lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
    lambda lib: lib.normal(0.0, 1.0, (2, 3), dtype=lib.int64),
    lambda lib: lib.normal(0.0, -1.0, (2, 3)),
    lambda lib: lib.normal(0.0, 1.0),
    lambda lib: lib.bernoulli(lib.full((3,), 1.5)),
    lambda lib: lib.bernoulli(lib.full((3,), -0.5)),
    lambda lib: lib.bernoulli(lib.full((3,), 0.5), 1.3),
    lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.bool)),
    lambda lib: lib.bernoulli([0.5, 0.5]),
    lambda lib: lib.multinomial(lib.ones(3), 4),
    lambda lib: lib.multinomial(lib.ones(2, 3), 4),
    lambda lib: lib.multinomial(lib.ones(2, 3, 4), 2, True),
    lambda lib: lib.multinomial(lib.ones(()), 1, True),
    lambda lib: lib.multinomial(lib.ones(3, dtype=lib.int64), 1, True),
    lambda lib: lib.multinomial(lib.tensor([1.0, -1.0, 1.0]), 1, True),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0, 0.0]), 1, True),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("inf"), 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("nan"), 0.0]), 1),
    lambda lib: lib.multinomial(lib.ones(3), 0),
    lambda lib: lib.multinomial(lib.ones(3), -1),
    lambda lib: lib.multinomial(lib.ones(0), 1),
    lambda lib: lib.poisson(-lib.ones(3)),
    lambda lib: lib.poisson(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.rand_like(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.randn_like(lib.ones(3, dtype=lib.int32)),
    lambda lib: lib.randint_like(lib.ones(3), 5, 2),
    lambda lib: lib.randint_like(lib.ones(3, dtype=lib.uint8), 0, 1000),
    lambda lib: lib.rand_like([1.0, 2.0]),
    lambda lib: lib.Generator(device="cuda"),
    lambda lib: lib.Generator().set_state(lib.zeros(3)),
    lambda lib: lib.Generator().set_state(lib.zeros(3, dtype=lib.uint8)),
    lambda lib: lib.Generator().set_state([1, 2]),
    lambda lib: lib.set_rng_state(lib.zeros(3, dtype=lib.uint8)),
    lambda lib: lib.manual_seed(2 ** 64),
    lambda lib: lib.manual_seed(-2 ** 63 - 1),
    lambda lib: lib.manual_seed("a"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    state = (ember.get_rng_state(), torch.get_rng_state())
    try:
        same_error(ERRORS[i])
    finally:
        ember.set_rng_state(state[0])
        torch.set_rng_state(state[1])


INPLACE_ARGS = [
    ("uniform_", ()), ("uniform_", (-2.0, 3.0)), ("uniform_", (2.0, 1.0)), ("normal_", ()), ("normal_", (1.0, 2.0)),
    ("normal_", (0.0, -1.0)), ("bernoulli_", ()), ("bernoulli_", (0.2,)), ("bernoulli_", (1.5,)),
    ("bernoulli_", ("tensor",)), ("exponential_", ()), ("exponential_", (2.0,)), ("exponential_", (0.0,)),
    ("exponential_", (-1.0,)), ("geometric_", (0.5,)), ("geometric_", (0.0,)), ("geometric_", (1.0,)),
    ("cauchy_", ()), ("cauchy_", (1.0, 2.0)), ("log_normal_", ()), ("log_normal_", (1.0, 0.0)),
    ("random_", ()), ("random_", (10,)), ("random_", (2, 10)), ("random_", (10, 2)), ("random_", (-3, 3)),
    ("random_", (0, 200)), ("random_", (0, 2)),
]
INPLACE_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "int8", "bool",
                  "complex64"]


@pytest.mark.parametrize("dtype", INPLACE_DTYPES)
@pytest.mark.parametrize("name,args", INPLACE_ARGS)
def test_inplace_sampler_matches_torch(name, args, dtype):
    """Same success/failure and exception class as torch; dtype and shape kept; version bumped."""
    results = []
    for lib in (ember, torch):
        x = lib.zeros(6, dtype=getattr(lib, dtype))
        a = tuple(lib.full((6,), 0.3) if v == "tensor" else v for v in args)
        v0 = x._version
        try:
            r = getattr(x, name)(*a)
        except Exception as exc:  # noqa: BLE001
            results.append(type(exc))
            continue
        assert r is x and dname(x) == dtype and tuple(x.shape) == (6,)
        assert x._version == v0 + 1
        results.append(None)
    assert results[0] == results[1], f"ember {results[0]}, torch {results[1]}"


def test_inplace_ranges():
    ember.manual_seed(0)
    x = ember.empty(N)
    assert 2.0 <= x.uniform_(2.0, 5.0)._data.min() and x._data.max() < 5.0
    assert x.exponential_()._data.min() >= 0
    g = x.geometric_(0.3)._data
    assert g.min() >= 1 and np.all(g == np.round(g))
    assert x.log_normal_()._data.min() > 0
    i = ember.empty(N, dtype=ember.int64).random_(-3, 4)._data
    assert set(np.unique(i)) == set(range(-3, 4))
    u8 = ember.empty(N, dtype=ember.uint8).random_()._data
    assert u8.min() == 0 and u8.max() == 255
    b = ember.empty(1000, dtype=ember.bool).random_()._data
    assert b.any() and not b.all()
    f16 = ember.empty(N, dtype=ember.float16).random_()._data.astype(np.float64)
    assert f16.min() >= 0 and f16.max() <= 2 ** 11 and np.all(f16 == np.round(f16))
    r = ember.empty(N).random_(10)._data
    assert r.min() == 0 and r.max() == 9
    h = ember.empty(N, dtype=ember.float16).uniform_()._data
    assert h.min() >= 0 and h.max() < 1
    bf = ember.rand(N, dtype=ember.bfloat16)._data.astype(np.float32)
    assert bf.min() >= 0 and bf.max() < 1


def test_inplace_refuses_leaf_requiring_grad_and_views_share():
    for name, args in [("uniform_", ()), ("normal_", ()), ("bernoulli_", ()), ("exponential_", ()),
                       ("geometric_", (0.5,)), ("cauchy_", ()), ("log_normal_", ()), ("random_", ())]:
        same_error(lambda lib: getattr(lib.zeros(3, requires_grad=True), name)(*args))
        w = ember.zeros(3, requires_grad=True)
        with ember.no_grad():
            getattr(w, name)(*args)
        assert w.requires_grad and w.is_leaf
    base = ember.zeros(4, 5)
    view = base[1]
    view.normal_()
    assert np.all(base._data[1] != 0) and np.all(base._data[0] == 0)
    assert base._version == view._version == 1


@pytest.mark.parametrize("name,args", [("normal_", ()), ("uniform_", ()), ("bernoulli_", ()),
                                       ("bernoulli_", ("tensor",)), ("exponential_", ()), ("geometric_", (0.5,)),
                                       ("cauchy_", ()), ("log_normal_", ()), ("random_", ()), ("random_", (3,)),
                                       ("random_", (1, 3))])
def test_inplace_on_nonleaf_records_zero_gradient(name, args):
    grads = []
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        y = w * 2
        getattr(y, name)(*tuple(lib.full((3,), 0.5) if a == "tensor" else a for a in args))
        assert y.requires_grad and y.grad_fn is not None
        grads.append(type(y.grad_fn).__name__)
        (y * 3).sum().backward()
        assert w.grad.tolist() == [0.0, 0.0, 0.0]
    assert grads[0] == grads[1]


def test_zero_gradient_through_functional_samplers():
    for lib in (ember, torch):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        (lib.normal(m, s) + lib.normal(m, 1.0) + lib.normal(0.0, s) + lib.bernoulli(m.sigmoid())).sum().backward()
        assert m.grad.tolist() == [0.0, 0.0, 0.0] and s.grad.tolist() == [0.0, 0.0, 0.0]


# ------------------------------------------------------------------ seeding and generators
SAMPLERS = [
    lambda g: ember.rand(5, generator=g),
    lambda g: ember.randn(5, dtype=ember.float64, generator=g),
    lambda g: ember.rand(5, dtype=ember.complex64, generator=g),
    lambda g: ember.randint(0, 100, (5,), generator=g),
    lambda g: ember.randperm(10, generator=g),
    lambda g: ember.normal(1.0, 2.0, (5,), generator=g),
    lambda g: ember.normal(ember.zeros(5), ember.ones(5), generator=g),
    lambda g: ember.bernoulli(ember.full((20,), 0.5), generator=g),
    lambda g: ember.multinomial(ember.ones(10), 5, generator=g),
    lambda g: ember.multinomial(ember.ones(2, 10), 5, True, generator=g),
    lambda g: ember.poisson(ember.full((5,), 4.0), generator=g),
    lambda g: ember.rand_like(ember.ones(5), generator=g),
    lambda g: ember.randn_like(ember.ones(5), generator=g),
    lambda g: ember.randint_like(ember.ones(5), 100, generator=g),
    lambda g: ember.empty(5).uniform_(generator=g),
    lambda g: ember.empty(5).normal_(generator=g),
    lambda g: ember.empty(5).bernoulli_(generator=g),
    lambda g: ember.empty(5).exponential_(generator=g),
    lambda g: ember.empty(5).geometric_(0.2, generator=g),
    lambda g: ember.empty(5).cauchy_(generator=g),
    lambda g: ember.empty(5).log_normal_(generator=g),
    lambda g: ember.empty(5, dtype=ember.int64).random_(generator=g),
]


def _v(t):
    return t._data.tolist()


@pytest.mark.parametrize("i", range(len(SAMPLERS)))
def test_seed_reproducible(i):
    fn = SAMPLERS[i]
    g = ember.Generator()
    a = _v(fn(g.manual_seed(123)))
    b = _v(fn(g.manual_seed(123)))
    c = _v(fn(g.manual_seed(124)))
    assert a == b and a != c
    # the global generator, reached by generator=None
    ember.manual_seed(7)
    d = _v(fn(None))
    ember.manual_seed(7)
    assert _v(fn(None)) == d


def test_generator_api():
    g = ember.Generator()
    assert g.device == ember.device("cpu") and ember.Generator(device=ember.device("cpu")).device.type == "cpu"
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and 0 <= s < 2 ** 64
    assert ember.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert ember.manual_seed(1.7).initial_seed() == torch.manual_seed(1.7).initial_seed() == 1
    assert ember.manual_seed(3) is ember.default_generator and ember.initial_seed() == 3
    st = g.get_state()
    assert isinstance(st, ember.Tensor) and st.dtype is ember.uint8 and st.dim() == 1
    first = _v(ember.randn(10, generator=g))
    assert g.set_state(st) is g
    assert _v(ember.randn(10, generator=g)) == first
    # one generator does not disturb another
    g2 = ember.Generator().manual_seed(5)
    ember.rand(100, generator=g)
    assert _v(ember.rand(3, generator=g2)) == _v(ember.rand(3, generator=ember.Generator().manual_seed(5)))


def test_global_state_round_trip():
    ember.manual_seed(11)
    ember.randn(3)
    st = ember.get_rng_state()
    assert st.dtype is ember.uint8
    a = _v(ember.rand(4))
    ember.set_rng_state(st)
    assert _v(ember.rand(4)) == a
    ember.set_rng_state(st)
    with ember.random.fork_rng():
        ember.rand(100)
    assert _v(ember.rand(4)) == a
    s = ember.seed()
    assert ember.initial_seed() == s


def test_randn_half_precision_state_independent_of_dtype_order():
    ember.manual_seed(0)
    a = ember.randn(4, dtype=ember.float16)
    ember.manual_seed(0)
    b = ember.randn(4, dtype=ember.float16)
    assert np.array_equal(a._data, b._data)


# ------------------------------------------------------------------ distributions
def _close(x, expected, n, sd, k=6.0):
    """|sample statistic - expected| within k standard errors."""
    assert abs(x - expected) < k * sd / np.sqrt(n), (x, expected)


@pytest.fixture(autouse=True)
def _seeded():
    ember.manual_seed(1234)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_and_randn_moments(dtype):
    dt = getattr(ember, dtype)
    u = ember.rand(N, dtype=dt)._data.astype(np.float64)
    assert u.min() >= 0 and u.max() < 1
    _close(u.mean(), 0.5, N, np.sqrt(1 / 12))
    _close(u.var(), 1 / 12, N, 0.075)
    z = ember.randn(N, dtype=dt)._data.astype(np.float64)
    _close(z.mean(), 0.0, N, 1.0)
    _close(z.var(), 1.0, N, np.sqrt(2), k=8 if dtype == "bfloat16" else 6)


def test_complex_moments():
    z = ember.randn(N, dtype=ember.complex64)._data
    _close(z.real.var() + z.imag.var(), 1.0, N, 1.0)
    _close(z.real.var(), 0.5, N, 0.71)
    u = ember.rand(N, dtype=ember.complex128)._data
    _close(u.real.mean(), 0.5, N, 0.29)
    _close(u.imag.mean(), 0.5, N, 0.29)


def test_normal_overloads_moments():
    x = ember.normal(3.0, 2.0, (N,))._data
    _close(x.mean(), 3.0, N, 2.0)
    _close(x.std(), 2.0, N, 1.5)
    m = ember.tensor([-5.0, 10.0]).reshape(2, 1).expand(2, N // 2)
    s = ember.tensor([1.0, 3.0]).reshape(2, 1)
    y = ember.normal(m, s)._data
    _close(y[0].mean(), -5.0, N // 2, 1.0)
    _close(y[1].std(), 3.0, N // 2, 2.2)
    y = ember.normal(ember.full((N,), 4.0), 0.5)._data
    _close(y.mean(), 4.0, N, 0.5)
    y = ember.normal(1.0, ember.full((N,), 2.0))._data
    _close(y.std(), 2.0, N, 1.5)
    x = ember.empty(N).normal_(-1.0, 0.5)._data
    _close(x.mean(), -1.0, N, 0.5)
    _close(x.std(), 0.5, N, 0.36)


def test_integer_samplers_uniform():
    r = ember.randint(3, 13, (N,))._data
    assert r.min() == 3 and r.max() == 12
    counts = np.bincount(r - 3, minlength=10) / N
    assert np.all(np.abs(counts - 0.1) < 0.01)
    p = ember.randperm(1000)._data
    assert sorted(p.tolist()) == list(range(1000))
    firsts = np.array([ember.randperm(5)._data[0] for _ in range(2000)])
    assert np.all(np.abs(np.bincount(firsts, minlength=5) / 2000 - 0.2) < 0.05)
    big = ember.randint(0, 2 ** 62, (1000,))._data
    assert big.max() > 2 ** 60


def test_bernoulli_and_poisson_moments():
    p = ember.full((N,), 0.3)
    b = ember.bernoulli(p)._data
    assert set(np.unique(b)) <= {0.0, 1.0}
    _close(b.mean(), 0.3, N, np.sqrt(0.21))
    b = ember.bernoulli(ember.zeros(N, dtype=ember.float64), 0.8)._data
    _close(b.mean(), 0.8, N, 0.4)
    b = ember.empty(N).bernoulli_(ember.full((N,), 0.1))._data
    _close(b.mean(), 0.1, N, 0.3)
    edge = ember.bernoulli(ember.tensor([0.0, 1.0] * 1000))._data
    assert np.array_equal(edge, np.array([0.0, 1.0] * 1000, np.float32))
    x = ember.poisson(ember.full((N,), 4.0))._data
    _close(x.mean(), 4.0, N, 2.0)
    _close(x.var(), 4.0, N, 6.0)


def test_other_inplace_moments():
    x = ember.empty(N, dtype=ember.float64)
    _close(x.exponential_(2.0)._data.mean(), 0.5, N, 0.5)
    _close(x.geometric_(0.25)._data.mean(), 4.0, N, np.sqrt(0.75) / 0.25)
    _close(np.median(x.cauchy_(1.0, 2.0)._data), 1.0, N, 2.0 * np.pi / 2)
    ln = np.log(x.log_normal_(1.0, 0.5)._data)
    _close(ln.mean(), 1.0, N, 0.5)
    _close(x.uniform_(-2.0, 4.0)._data.mean(), 1.0, N, 6 / np.sqrt(12))


def test_multinomial_frequencies():
    w = ember.tensor([1.0, 2.0, 0.0, 7.0])
    s = ember.multinomial(w, N, replacement=True)._data
    freq = np.bincount(s, minlength=4) / N
    assert freq[2] == 0
    assert np.all(np.abs(freq - np.array([0.1, 0.2, 0.0, 0.7])) < 0.01)
    rows = ember.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    s = ember.multinomial(rows, 100, True)._data
    assert np.all(s[0] == 0) and np.all(s[1] == 2)
    # without replacement: distinct indices, first draw proportional to the weights
    draws = ember.multinomial(ember.tensor([1.0, 2.0, 0.0, 7.0]).expand(20000, 4), 3)._data
    assert all(len(set(r)) == 3 for r in draws[:200].tolist())
    assert not np.any(draws == 2)
    first = np.bincount(draws[:, 0], minlength=4) / 20000
    assert np.all(np.abs(first - np.array([0.1, 0.2, 0.0, 0.7])) < 0.02)
    perm = ember.multinomial(ember.ones(6), 6)._data
    assert sorted(perm.tolist()) == list(range(6))
