"""ember.autograd.functional against torch.autograd.functional: values, output
structures (Tensor vs tuple vs tuple of tuples), create_graph and strict errors."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import ember
import ember.autograd.functional as EF
from oracle import assert_same, random_array, to_ember, to_torch

# Functions written once for both libraries: lib is ember or torch.
FUNCS = {
    # name: (fn(lib, *xs), input shapes)
    "exp_sin_sum": (lambda lib, x: (x.exp() * x.sin()).sum(1), [(3, 4)]),
    "poly_scalar": (lambda lib, x: (x * x * x - 2 * x).sum(), [(4,)]),
    "tanh_sig": (lambda lib, x: lib.tanh(x) * lib.sigmoid(x) / 3, [(2, 3)]),
    "log_sqrt": (lambda lib, x: lib.log(x * x + 1) + lib.sqrt(x * x + 2), [(5,)]),
    "cos_mean": (lambda lib, x: lib.cos(x).mean(), [(2, 2)]),
    "matmul2": (lambda lib, a, b: lib.matmul(a, b).tanh(), [(2, 3), (3, 2)]),
    "two_in_two_out": (lambda lib, a, b: (a * b, (a - b).sum()), [(3,), (3,)]),
    "reshape_transpose": (lambda lib, x: x.reshape(3, 2).transpose(0, 1) * 2, [(6,)]),
    "indexing": (lambda lib, x: x[1:, 0] * x[0, 0], [(3, 2)]),
    "scalar_in": (lambda lib, x: (x.exp(), x * 3), [()]),
    "mlp": (lambda lib, x, w1, w2: lib.matmul(lib.tanh(lib.matmul(x, w1)), w2).mean(), [(2, 3), (3, 4), (4, 1)]),
}

SCALAR_FUNCS = ["poly_scalar", "cos_mean", "mlp"]


def _inputs(shapes, tuple_input, seed=0):
    rng = np.random.default_rng(seed)
    arrs = [random_array(s, "float64", 0.2, 1.5, rng=rng) for s in shapes]
    e = tuple(to_ember(a) for a in arrs)
    t = tuple(to_torch(a) for a in arrs)
    if not tuple_input:
        assert len(e) == 1
        return e[0], t[0]
    return e, t


def _structure(x):
    """Nesting of tuples with shapes at the leaves."""
    if isinstance(x, (tuple, list)):
        return (type(x).__name__,) + tuple(_structure(el) for el in x)
    assert isinstance(x, (ember.Tensor, torch.Tensor)), type(x)
    return ("T", tuple(x.shape))


def _cases(names):
    out = []
    for n in names:
        shapes = FUNCS[n][1]
        out.append((n, True))
        if len(shapes) == 1:
            out.append((n, False))
    return out


def _wrap(fn, lib):
    return lambda *xs: fn(lib, *xs)


def _same(e, t):
    assert _structure(e) == _structure(t), f"structure: ember {_structure(e)} torch {_structure(t)}"
    assert_same(e, t)


@pytest.mark.parametrize("name,tuple_input", _cases(FUNCS))
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian(name, tuple_input, vectorize):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    e = EF.jacobian(_wrap(fn, ember), e_in, vectorize=vectorize)
    t = TF.jacobian(_wrap(fn, torch), t_in, vectorize=vectorize)
    _same(e, t)


@pytest.mark.parametrize("name,tuple_input", _cases(["exp_sin_sum", "two_in_two_out", "matmul2", "scalar_in"]))
def test_jacobian_forward_mode(name, tuple_input):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    e = EF.jacobian(_wrap(fn, ember), e_in, vectorize=True, strategy="forward-mode")
    t = TF.jacobian(_wrap(fn, torch), t_in, vectorize=True, strategy="forward-mode")
    _same(e, t)


@pytest.mark.parametrize("name,tuple_input", _cases(SCALAR_FUNCS))
def test_hessian(name, tuple_input):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    _same(EF.hessian(_wrap(fn, ember), e_in), TF.hessian(_wrap(fn, torch), t_in))


def _v_like(x, seed):
    rng = np.random.default_rng(seed)
    if isinstance(x, tuple):
        arrs = [random_array(tuple(el.shape), "float64", rng=rng) for el in x]
        return tuple(to_ember(a) for a in arrs), tuple(to_torch(a) for a in arrs)
    a = random_array(tuple(x.shape), "float64", rng=rng)
    return to_ember(a), to_torch(a)


@pytest.mark.parametrize("name,tuple_input", _cases(FUNCS))
def test_vjp(name, tuple_input):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    out = fn(torch, *(t_in if tuple_input else (t_in,)))
    e_v, t_v = _v_like(out, 1)
    _same(EF.vjp(_wrap(fn, ember), e_in, e_v), TF.vjp(_wrap(fn, torch), t_in, t_v))


@pytest.mark.parametrize("name,tuple_input", _cases(FUNCS))
def test_jvp(name, tuple_input):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    e_v, t_v = _v_like(t_in, 2)
    _same(EF.jvp(_wrap(fn, ember), e_in, e_v), TF.jvp(_wrap(fn, torch), t_in, t_v))


@pytest.mark.parametrize("op", ["hvp", "vhp"])
@pytest.mark.parametrize("name,tuple_input", _cases(SCALAR_FUNCS))
def test_hvp_vhp(op, name, tuple_input):
    fn, shapes = FUNCS[name]
    e_in, t_in = _inputs(shapes, tuple_input)
    e_v, t_v = _v_like(t_in, 3)
    _same(getattr(EF, op)(_wrap(fn, ember), e_in, e_v), getattr(TF, op)(_wrap(fn, torch), t_in, t_v))


def test_v_none_for_scalars():
    e_in, t_in = _inputs([()], False)
    f = FUNCS["scalar_in"][0]
    g = lambda lib, x: (x.sin() * x).sum()   # noqa: E731
    _same(EF.vjp(_wrap(g, ember), e_in), TF.vjp(_wrap(g, torch), t_in))
    _same(EF.jvp(_wrap(f, ember), e_in), TF.jvp(_wrap(f, torch), t_in))
    _same(EF.hvp(_wrap(g, ember), e_in), TF.hvp(_wrap(g, torch), t_in))
    _same(EF.vhp(_wrap(g, ember), e_in), TF.vhp(_wrap(g, torch), t_in))


@pytest.mark.parametrize("op", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_create_graph(op):
    """With create_graph the results are differentiable, and their gradients match torch's."""
    g = lambda lib, x: (x * x * lib.sin(x)).sum()   # noqa: E731
    a = random_array((3,), "float64")
    v = random_array((3,), "float64")
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        F = EF if lib is ember else TF
        x = conv(a, True)
        args = (_wrap(g, lib), x)
        if op in ("jvp", "hvp", "vhp"):
            args += (conv(v),)
        out = getattr(F, op)(*args, create_graph=True)
        r = out[1] if isinstance(out, tuple) else out
        assert r.requires_grad
        (gx,) = lib.autograd.grad(r.sum(), x)
        res[lib.__name__] = (r, gx)
        # without create_graph nothing requires grad
        out = getattr(F, op)(*args)
        r0 = out[1] if isinstance(out, tuple) else out
        assert not r0.requires_grad
    assert_same(res["ember"][0], res["torch"][0])
    assert_same(res["ember"][1], res["torch"][1])


def test_vjp_outputs_detached_and_inputs_untouched():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    out, g = EF.vjp(lambda a: (a * a).sum(), x)
    assert not out.requires_grad and not g.requires_grad
    assert x.grad is None
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])


def test_jacobian_captured_tensor_not_confused():
    """A tensor captured by the function is a constant, even when it is the input object itself."""
    for lib, F in ((ember, EF), (torch, TF)):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        j = F.jacobian(lambda a: a * x, x)
        np.testing.assert_allclose(j.numpy(), np.diag([1.0, 2.0]))


# ----------------------------------------------------------------------------- strict mode and errors
STRICT_CASES = [
    # (op, fn(lib, *xs), shapes, extra v?)
    ("vjp", lambda lib, x, y: x * 2, [(2,), (2,)], "out"),
    ("jacobian", lambda lib, x, y: x * 2, [(2,), (2,)], None),
    ("jacobian", lambda lib, x: x.detach() * 2, [(2,)], None),
    ("jvp", lambda lib, x, y: x * 2, [(2,), (2,)], "in"),
    ("hessian", lambda lib, x: (x * 2).sum(), [(2,)], None),
    ("hvp", lambda lib, x: (x * 2).sum(), [(2,)], "in"),
    ("vhp", lambda lib, x: (x * 2).sum(), [(2,)], "in"),
    ("vhp", lambda lib, x, y: (x * x).sum(), [(2,), (2,)], "in"),
]


@pytest.mark.parametrize("op,fn,shapes,vkind", STRICT_CASES)
def test_strict_errors(op, fn, shapes, vkind):
    msgs = []
    for lib, F, conv in ((ember, EF, to_ember), (torch, TF, to_torch)):
        xs = tuple(conv(random_array(s, "float64")) for s in shapes)
        args = [_wrap(fn, lib), xs if len(xs) > 1 else xs[0]]
        if vkind == "in":
            args.append(tuple(lib.ones_like(x) for x in xs) if len(xs) > 1 else lib.ones_like(xs[0]))
        elif vkind == "out":
            args.append(lib.ones(2, dtype=lib.float64))
        # non-strict: works, gives zeros where independent
        getattr(F, op)(*args)
        with pytest.raises(RuntimeError) as info:
            getattr(F, op)(*args, strict=True)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_errors_like_torch():
    for lib, F in ((ember, EF), (torch, TF)):
        x = lib.ones(3, dtype=lib.float64)
        with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
            F.jacobian(lambda a: a, [x])
        with pytest.raises(TypeError, match="outputs of the user-provided function"):
            F.vjp(lambda a: 3.0, x, lib.ones(3))
        with pytest.raises(RuntimeError, match="v can only be None"):
            F.vjp(lambda a: a * 2, x)
        with pytest.raises(RuntimeError, match="v has invalid size"):
            F.jvp(lambda a: a * 2, x, lib.ones(2, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="v is a tuple of invalid length"):
            F.jvp(lambda a, b: a * b, (x, x), (x,))
        with pytest.raises(RuntimeError, match="should return a single Tensor"):
            F.hvp(lambda a: (a.sum(), a.sum()), x, x)
        with pytest.raises(RuntimeError, match="should contain a single element"):
            F.hessian(lambda a: a * a, x)
        with pytest.raises(AssertionError, match="strategy"):
            F.jacobian(lambda a: a, x, strategy="sideways")
        with pytest.raises(NotImplementedError):
            F.jacobian(lambda a: a, x, strategy="forward-mode")
        with pytest.raises(RuntimeError, match="vectorized=True"):
            F.jacobian(lambda a: a * 2, x, strict=True, vectorize=True)
