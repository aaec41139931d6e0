"""ember.func (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap) against torch.func on the same inputs."""
import numpy as np
import pytest
import torch

import ember
from oracle import random_array, assert_same, same_error

LIBS = (ember, torch)


def run_both(fn, *arrays, requires_grad=False):
    """``fn(lib, *tensors)`` on both libraries with the same float64 inputs; compares the results."""
    out = [fn(lib, *[lib.tensor(np.array(a)).requires_grad_(requires_grad) for a in arrays]) for lib in LIBS]
    assert_same(*_plain(out[0], out[1]))
    return out


def _plain(e, t):
    """Dicts to key-ordered lists so assert_same can walk them."""
    if isinstance(t, dict):
        assert list(e) == list(t)
        return [e[k] for k in t], [t[k] for k in t]
    if isinstance(t, (tuple, list)):
        pairs = [_plain(a, b) for a, b in zip(e, t)]
        assert len(e) == len(t)
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return e, t


def arr(*shape):
    return random_array(shape, "float64")


def f_scalar(lib):
    return lambda x, y: (x.sin() * y).sum() + (x ** 2).mean()


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_grad_argnums(argnums, shape):
    run_both(lambda lib, x, y: lib.func.grad(f_scalar(lib), argnums=argnums)(x, y), arr(*shape), arr(*shape))


def test_grad_has_aux_and_value():
    def f(lib):
        return lambda x: ((x.exp()).sum(), {"sq": x * x, "c": x.cos()})
    e, t = run_both(lambda lib, x: lib.func.grad(f(lib), has_aux=True)(x)[0], arr(4))
    run_both(lambda lib, x: lib.func.grad(f(lib), has_aux=True)(x)[1]["sq"], arr(4))
    run_both(lambda lib, x: lib.func.grad_and_value(f(lib), has_aux=True)(x)[1][0], arr(4))
    run_both(lambda lib, x: lib.func.grad_and_value(lambda x: x.tanh().sum())(x), arr(2, 2))


def test_grad_pytree_argument_and_unused_input():
    def loss(lib):
        return lambda p, x: (x @ p["w"] + p["b"]).pow(2).sum()
    w, b, x = arr(3, 2), arr(2), arr(5, 3)
    out = [lib.func.grad(loss(lib))({"w": lib.tensor(w), "b": lib.tensor(b)}, lib.tensor(x)) for lib in LIBS]
    assert_same(*_plain(*out))
    run_both(lambda lib, x, y: lib.func.grad(lambda x, y: x.sum(), argnums=1)(x, y), arr(3), arr(3))


def test_grad_of_grad_and_outer_backward():
    run_both(lambda lib, x: lib.func.grad(lambda x: lib.func.grad(lambda x: x.sin().sum() * x.sum())(x).sum())(x),
             arr(4))
    # a grad result whose input requires grad is differentiable from outside
    def outer(lib, x):
        g = lib.func.grad(lambda x: (x ** 3).sum())(x)
        assert g.requires_grad
        g.sum().backward()
        return x.grad
    run_both(outer, arr(3), requires_grad=True)
    out = [lib.func.grad(lambda x: (x ** 3).sum())(lib.tensor(arr(2))) for lib in LIBS]
    assert [o.requires_grad for o in out] == [False, False]


def test_vjp():
    def fn(lib, x, y, v):
        out, vjp_fn = lib.func.vjp(lambda a, b: (a * b.cos(), a.sum()), x, y)
        first = vjp_fn((v, lib.tensor(2.0, dtype=lib.float64)))
        second = vjp_fn((v * 2, lib.tensor(1.0, dtype=lib.float64)))      # callable again
        return out, first, second
    run_both(fn, arr(3, 2), arr(3, 2), arr(3, 2))
    run_both(lambda lib, x: lib.func.vjp(lambda x: (x.exp(), x), x, has_aux=True)[2], arr(3))


def test_vjp_without_primals():
    for lib in LIBS:
        out, vjp_fn = lib.func.vjp(lambda: lib.ones(2))
        assert vjp_fn(lib.ones(2)) == ()


def test_jvp():
    run_both(lambda lib, x, t: lib.func.jvp(lambda x: x.sin() * x, (x,), (t,)), arr(2, 3), arr(2, 3))
    run_both(lambda lib, x, y, t, u: lib.func.jvp(lambda x, y: (x @ y, x.sum()), (x, y), (t, u)),
             arr(2, 3), arr(3, 4), arr(2, 3), arr(3, 4))
    run_both(lambda lib, x, t: lib.func.jvp(lambda x: x, (x,), (t,)), arr(3), arr(3))
    run_both(lambda lib, x, t: lib.func.jvp(lambda x: (x.exp(), x.cos()), (x,), (t,), has_aux=True), arr(3), arr(3))


@pytest.mark.parametrize("api", ["jacrev", "jacfwd"])
def test_jacobians(api):
    run_both(lambda lib, x: getattr(lib.func, api)(lambda x: x.sin() * x.sum())(x), arr(3))
    run_both(lambda lib, x: getattr(lib.func, api)(lambda x: x @ x.T)(x), arr(2, 3))
    run_both(lambda lib, x, y: getattr(lib.func, api)(lambda x, y: (x * y, (x + y).sum()), argnums=(0, 1))(x, y),
             arr(2), arr(2))
    run_both(lambda lib, x: getattr(lib.func, api)(lambda x: (x.exp(), x.sum()), has_aux=True)(x), arr(3))


def test_hessian():
    run_both(lambda lib, x: lib.func.hessian(lambda x: (x.sin() * x.roll(1)).sum())(x), arr(4))
    run_both(lambda lib, x, y: lib.func.hessian(lambda x, y: (x.exp() * y).sum(), argnums=1)(x, y), arr(3), arr(3))
    run_both(lambda lib, x: lib.func.hessian(lambda x: (x @ x).tanh())(x), arr(2, 2))


@pytest.mark.parametrize("in_dims,out_dims", [(0, 0), (1, 0), (0, 1), (-1, -1), ((0, None), 0), ((1, 0), 1)])
def test_vmap_dims(in_dims, out_dims):
    run_both(lambda lib, x, y: lib.vmap(lambda a, b: a.sin() * b.sum() + a, in_dims=in_dims, out_dims=out_dims)(
        x, y), arr(3, 3), arr(3, 3))


def test_vmap_nested_structures_and_kwargs():
    def fn(lib, x, y, z):
        f = lambda pair, s, scale=1.0: {"a": pair[0] * pair[1], "b": (pair[0] + s) * scale}
        return lib.vmap(f, in_dims=((0, 1), None), out_dims={"a": 0, "b": 1})((x, y), z, scale=3.0)
    run_both(fn, arr(4, 2), arr(2, 4), arr(2))
    run_both(lambda lib, x: lib.vmap(lambda a: (a.sum(), a.max()), out_dims=(0, 0))(x), arr(5, 3))
    run_both(lambda lib, x: lib.vmap(lambda a: (a * 2, lib.ones(2, dtype=lib.float64)), out_dims=(0, None))(x),
             arr(5, 3))


def test_vmap_nested_and_chunk_size():
    run_both(lambda lib, x, y: lib.vmap(lib.vmap(lambda a, b: a * b + a.sum(), in_dims=(0, None)))(x, y),
             arr(2, 3, 4), arr(2, 4))
    run_both(lambda lib, x: lib.func.vmap(lambda a: a.cumsum(0), chunk_size=2)(x), arr(5, 3))
    assert ember.vmap is ember.func.vmap


def test_vmap_over_an_empty_batch():
    run_both(lambda lib, x: lib.vmap(lambda a: a.sum(0))(x), random_array((0, 3), "float64"))
    run_both(lambda lib, x, y: lib.vmap(lambda a, b: (a * b, a.sum()), in_dims=(1, None), out_dims=(1, 0))(x, y),
             random_array((2, 0), "float64"), arr(2))


def test_vmap_of_grad_per_sample_gradients():
    def fn(lib, w, b, x, y):
        def loss(params, xi, yi):
            pred = (xi @ params["w"] + params["b"]).tanh()
            return ((pred - yi) ** 2).mean()
        grads = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))({"w": w, "b": b}, x, y)
        return [grads["w"], grads["b"]]
    run_both(fn, arr(4, 3), arr(3), arr(6, 4), arr(6, 3))
    # and against an explicit loop with ember's own autograd
    w, x, y = (ember.tensor(a) for a in (arr(4, 3), arr(6, 4), arr(6, 3)))
    per = ember.func.vmap(ember.func.grad(lambda w, xi, yi: ((xi @ w - yi) ** 2).sum()), in_dims=(None, 0, 0))(w, x, y)
    for i in range(6):
        wi = w.detach().requires_grad_()
        ((x[i] @ wi - y[i]) ** 2).sum().backward()
        np.testing.assert_allclose(per[i].numpy(), wi.grad.numpy(), rtol=1e-12)


def test_vmap_differentiable_from_outside():
    def fn(lib, x, w):
        lib.vmap(lambda a: (a * w).sin().sum())(x).pow(2).sum().backward()
        return x.grad, w.grad
    run_both(fn, arr(4, 3), arr(3), requires_grad=True)


def test_vmap_randomness():
    x = ember.randn(4, 3)
    same = ember.vmap(lambda a: a * 0 + ember.rand(3), randomness="same")(x)
    assert all(ember.equal(same[0], same[i]) for i in range(4))
    different = ember.vmap(lambda a: a * 0 + ember.rand(3), randomness="different")(x)
    assert not ember.equal(different[0], different[1])


@pytest.mark.parametrize("case", [
    lambda lib, x: lib.vmap(lambda a: a, in_dims=None)(x),
    lambda lib, x: lib.vmap(lambda a: a, in_dims=[0])(x),
    lambda lib, x: lib.vmap(lambda a: a, in_dims=(0, 0))(x),
    lambda lib, x: lib.vmap(lambda a: a, in_dims=2)(x),
    lambda lib, x: lib.vmap(lambda a: a, in_dims=(None,))(x),
    lambda lib, x: lib.vmap(lambda a, b: a + b)(x, x[:1]),
    lambda lib, x: lib.vmap(lambda a: a, out_dims=(0, 0))(x),
    lambda lib, x: lib.vmap(lambda a: 3)(x),
    lambda lib, x: lib.vmap(lambda a: a)(3),
    lambda lib, x: lib.vmap(lambda a: a)(),
    lambda lib, x: lib.vmap(lambda a: a, randomness="bad")(x),
    lambda lib, x: lib.vmap(lambda a: a + lib.rand(1))(x),
    lambda lib, x: lib.vmap(lambda a: a, chunk_size=0)(x),
    lambda lib, x: lib.func.grad(lambda a: a.sin())(x),
    lambda lib, x: lib.func.grad(lambda a: 3.0)(x),
    lambda lib, x: lib.func.grad(lambda a: a.sum(), has_aux=True)(x),
    lambda lib, x: lib.func.grad(lambda a: a.sum(), argnums=2)(x),
    lambda lib, x: lib.func.grad(lambda a: a.sum(), argnums=(0, 0))(x),
    lambda lib, x: lib.func.grad(lambda a: a.sum(), argnums=())(x),
    lambda lib, x: lib.func.grad(lambda a: a.sum(), argnums=1.0)(x),
    lambda lib, x: lib.func.grad(lambda a, b: a.sum(), argnums=1)(x, 3),
    lambda lib, x: lib.func.jvp(lambda a: a, x, x),
    lambda lib, x: lib.func.jvp(lambda a: a, (x,), (x[:1],)),
    lambda lib, x: lib.func.vjp(lambda a: a, x)[1](x[:1]),
    lambda lib, x: lib.func.jvp(lambda: x, (), ()),
])
def test_errors_match_torch(case):
    same_error(lambda lib: case(lib, lib.tensor(arr(3, 2))))


def test_linearize():
    def fn(lib, x, t, u):
        out, jvp_fn = lib.func.linearize(lambda a: a.sin() * a.sum(), x)
        return out, jvp_fn(t), jvp_fn(u)
    run_both(fn, arr(3), arr(3), arr(3))


def test_model_ensembling_with_stack_module_state():
    weights = [(arr(2, 3), arr(2)) for _ in range(4)]
    x = arr(5, 3)
    out = []
    for lib in LIBS:
        models = []
        for w, b in weights:
            m = lib.nn.Linear(3, 2, dtype=lib.float64)
            with lib.no_grad():
                m.weight.copy_(lib.tensor(w))
                m.bias.copy_(lib.tensor(b))
            models.append(m)
        params, buffers = lib.func.stack_module_state(models)
        assert params["weight"].shape == (4, 2, 3) and params["weight"].requires_grad and params["weight"].is_leaf
        base = models[0]

        def call(p, b, inp):
            return lib.func.functional_call(base, (p, b), (inp,))
        y = lib.vmap(call, in_dims=(0, 0, None))(params, buffers, lib.tensor(x))
        y.pow(2).sum().backward()
        out.append([y, params["weight"].grad, params["bias"].grad])
    assert_same(*out)
    same_error(lambda lib: lib.func.stack_module_state([]))
    same_error(lambda lib: lib.func.stack_module_state([lib.nn.Linear(1, 1), lib.nn.Linear(1, 1).eval()]))


def test_replace_all_batch_norm_modules_():
    out = []
    for lib in LIBS:
        m = lib.nn.Sequential(lib.nn.Linear(3, 3, dtype=lib.float64), lib.nn.BatchNorm1d(3, dtype=lib.float64))
        assert lib.func.replace_all_batch_norm_modules_(m) is m
        bn = m[1]
        assert bn.running_mean is None and bn.track_running_stats is False
        out.append(sorted(dict(m.named_buffers())))
    assert out[0] == out[1]


@pytest.mark.parametrize("api", ["grad", "jacrev", "vjp", "jvp"])
def test_tensors_the_function_closes_over_stay_differentiable(api):
    """MAML-style: the transform's result depends on parameters captured by the function; backward through
    it must reach them, as in torch."""
    def fn(lib, x, w):
        f = lambda a: ((a * w).sin() * w).sum()
        if api == "grad":
            r = lib.func.grad(f)(x)
        elif api == "jacrev":
            r = lib.func.jacrev(lambda a: (a * w).sin())(x)
        elif api == "vjp":
            r = lib.func.vjp(lambda a: (a * w).sin(), x)[1](x.cos())[0]
        else:
            r = lib.func.jvp(lambda a: (a * w).sin(), (x,), (x.cos(),))[1]
        assert r.requires_grad
        r.pow(2).sum().backward()
        return r, w.grad
    xa, wa = arr(3), arr(3)
    out = []
    for lib in LIBS:
        out.append(fn(lib, lib.tensor(xa), lib.tensor(wa, requires_grad=True)))
    assert_same(*out)
    with_no_grad = []
    for lib in LIBS:
        with lib.no_grad():
            with_no_grad.append(lib.func.grad(lambda a: (a * lib.tensor(wa, requires_grad=True)).sin().sum())(
                lib.tensor(xa)).requires_grad)
    assert with_no_grad[0] == with_no_grad[1]


def test_per_sample_gradients_tutorial_pattern():
    """torch's per-sample-gradient tutorial: functional_call + grad + vmap over a CNN-free MLP with integer
    targets, against torch."""
    x = arr(8, 5)
    targets = np.random.default_rng().integers(0, 3, size=8)
    weights = [arr(7, 5), arr(7), arr(3, 7), arr(3)]
    out = []
    for lib in LIBS:
        model = lib.nn.Sequential(lib.nn.Linear(5, 7, dtype=lib.float64), lib.nn.ReLU(),
                                  lib.nn.Linear(7, 3, dtype=lib.float64))
        with lib.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(lib.tensor(w))
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def compute_loss(params, buffers, sample, target):
            predictions = lib.func.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(predictions, target.unsqueeze(0))
        grads = lib.func.vmap(lib.func.grad(compute_loss), in_dims=(None, None, 0, 0))(
            params, buffers, lib.tensor(x), lib.tensor(targets))
        out.append([grads[k] for k in params])
    assert_same(*out)
