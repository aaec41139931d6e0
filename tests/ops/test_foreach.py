"""torch._foreach_* against torch: every op over a list of tensors of several shapes, with a number, a list
of numbers, a list of tensors or one tensor as the other operand; in-place forms return their list;
gradients flow through the out-of-place forms; torch's errors for mismatched lists."""
import numpy as np
import pytest
import torch

import ember
from ember.ops import foreach

SHAPES = [(3,), (2, 4), ()]


def _lists(seed=None, low=0.2, high=2.0):
    r = np.random.default_rng(seed)
    arrays = [r.uniform(low, high, s).astype(np.float32) for s in SHAPES]
    return [ember.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _same(e, t):
    assert type(e) is type(t) or (isinstance(e, tuple) and isinstance(t, tuple))
    assert len(e) == len(t)
    for a, b in zip(e, t):
        np.testing.assert_allclose(np.asarray(a.tolist()), np.asarray(b.tolist()), rtol=2e-6, atol=1e-6)
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]


@pytest.mark.parametrize("name", foreach._UNARY)
def test_unary(name):
    e, t = _lists(low=0.2, high=0.9)       # in every op's domain (acos, atanh-like, log)
    _same(getattr(ember, f"_foreach_{name}")(e), getattr(torch, f"_foreach_{name}")(t))
    out_e, out_t = getattr(ember, f"_foreach_{name}_")(e), getattr(torch, f"_foreach_{name}_")(t)
    assert out_e is e
    _same(e, t)


OTHERS = {
    "number": lambda L, xs: 1.5,
    "numbers": lambda L, xs: [0.5, 2.0, -1.0],
    "tensors": lambda L, xs: [x * 0.5 + 1 for x in xs],
    "tensor": lambda L, xs: L.tensor(1.25),
}


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("name", foreach._BINARY)
def test_binary(name, other):
    e, t = _lists()
    kw = {"alpha": 2} if name in ("add", "sub") and other in ("tensors", "tensor") else {}
    fe, ft = getattr(ember, f"_foreach_{name}"), getattr(torch, f"_foreach_{name}")
    try:
        expected = ft(t, OTHERS[other](torch, t), **kw)
    except (RuntimeError, TypeError) as err:
        with pytest.raises(type(err)):
            fe(e, OTHERS[other](ember, e), **kw)
        return
    _same(fe(e, OTHERS[other](ember, e), **kw), expected)
    assert getattr(ember, f"_foreach_{name}_")(e, OTHERS[other](ember, e), **kw) is e
    getattr(torch, f"_foreach_{name}_")(t, OTHERS[other](torch, t), **kw)
    _same(e, t)


@pytest.mark.parametrize("value", [1, 0.5, [1.0, 2.0, 3.0], "tensor"])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_pointwise_with_value(name, value):
    e, t = _lists()
    ve = ember.tensor([1.0, 2.0, 3.0]) if value == "tensor" else value
    vt = torch.tensor([1.0, 2.0, 3.0]) if value == "tensor" else value
    _same(getattr(ember, f"_foreach_{name}")(e, e, e, ve), getattr(torch, f"_foreach_{name}")(t, t, t, vt))
    getattr(ember, f"_foreach_{name}_")(e, e, e, ve)
    getattr(torch, f"_foreach_{name}_")(t, t, t, vt)
    _same(e, t)


def test_lerp_norm_max_zero_copy_clone_pow_of_number():
    e, t = _lists()
    e2, t2 = _lists()
    _same(ember._foreach_lerp(e, e2, 0.3), torch._foreach_lerp(t, t2, 0.3))
    _same(ember._foreach_lerp(e, e2, [ember.tensor(0.1)] * 3), torch._foreach_lerp(t, t2, [torch.tensor(0.1)] * 3))
    for ord in (2, 1, float("inf")):
        _same(ember._foreach_norm(e, ord), torch._foreach_norm(t, ord))
    _same(ember._foreach_max(e), torch._foreach_max(t))
    _same(ember._foreach_pow(2.0, e), torch._foreach_pow(2.0, t))
    _same(ember._foreach_clone(e), torch._foreach_clone(t))
    ember._foreach_lerp_(e, e2, 0.5)
    torch._foreach_lerp_(t, t2, 0.5)
    _same(e, t)
    ember._foreach_copy_(e, e2)
    torch._foreach_copy_(t, t2)
    _same(e, t)
    assert ember._foreach_zero_(e) is e
    torch._foreach_zero_(t)
    _same(e, t)


def test_gradients_flow_through_out_of_place_forms():
    grads = []
    for lib in (ember, torch):
        xs = [lib.tensor([0.5, 1.5], requires_grad=True), lib.tensor([[2.0]], requires_grad=True)]
        ys = lib._foreach_mul(lib._foreach_exp(xs), [x * 1 for x in xs])
        sum(y.sum() for y in lib._foreach_add(ys, 1.0)).backward()
        grads.append([x.grad.tolist() for x in xs])
    np.testing.assert_allclose(np.concatenate([np.ravel(g) for g in grads[0]]),
                               np.concatenate([np.ravel(g) for g in grads[1]]), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda L, xs: L._foreach_add(xs, [1.0]),
    lambda L, xs: L._foreach_add(xs, xs[:1]),
    lambda L, xs: L._foreach_add([], 1.0),
    lambda L, xs: L._foreach_addcmul(xs, xs, xs[:2]),
    lambda L, xs: L._foreach_exp([]),
], ids=["numbers too few", "tensors too few", "empty", "addcmul lists", "unary empty"])
def test_errors_as_torch(call):
    e, t = _lists()
    with pytest.raises(Exception) as te:
        call(torch, t)
    with pytest.raises(te.type):
        call(ember, e)
