"""Shared drivers of the elementwise tables (test_unary, test_arithmetic, test_comparison).

A case is ``(name, fn, domains)``: ``fn(lib, *tensors)`` is the PyTorch code and ``domains`` one
``(low, high)`` per operand: fresh random data uniform in it (chosen per op to stay inside its domain
and away from its kinks, so finite differences and both libraries agree).
"""
import torch

import ember
from oracle import assert_same, check, random_array, to_ember, to_torch


def arrays(shapes, domains, dtype):
    return [random_array(s, dtype, low=lo, high=hi) for s, (lo, hi) in zip(shapes, domains)]


def check_values_and_grads(fn, shapes, domains, dtype, second_order=False, grad=True, **tol):
    """Forward values, dtype and gradients (and second derivatives) against torch."""
    check(fn, arrays(shapes, domains, dtype), dtype=dtype, grad=grad, second_order=second_order, **tol)


def check_out(name, shapes, domains, dtype="float32", args=(), **kw):
    """``torch.name(*xs, out=o)`` writes o (resized from empty, of the right dtype) and returns it."""
    xs = arrays(shapes, domains, dtype)
    t_ref = getattr(torch, name)(*[to_torch(a) for a in xs], *args, **kw)
    e_out = ember.empty(0, dtype=getattr(ember, str(t_ref.dtype).split(".")[-1]))
    t_out = torch.empty(0, dtype=t_ref.dtype)
    e_ret = getattr(ember, name)(*[to_ember(a) for a in xs], *args, out=e_out, **kw)
    t_ret = getattr(torch, name)(*[to_torch(a) for a in xs], *args, out=t_out, **kw)
    assert e_ret is e_out and t_ret is t_out
    assert_same(e_out, t_out, what=f"{name}(out=)")


def check_inplace(name, shapes, domains, dtype="float32", args=(), grad=True, **kw):
    """``x.name_(...)``: same values as torch, returns x, bumps x's version, and is differentiable."""
    xs = arrays(shapes, domains, dtype)
    e, t = to_ember(xs[0]), to_torch(xs[0])
    v = e._version
    e_ret = getattr(e, name + "_")(*[to_ember(a) for a in xs[1:]], *args, **kw)
    t_ret = getattr(t, name + "_")(*[to_torch(a) for a in xs[1:]], *args, **kw)
    assert e_ret is e and t_ret is t
    assert e._version > v
    assert_same(e, t, what=f"{name}_")
    check(lambda lib, x, *o: getattr(x * 1, name + "_")(*o, *args, **kw), xs, dtype=dtype, grad=grad,
          rtol=1e-4 if dtype == "float32" else None)


def check_gradcheck(fn, shapes, domains):
    """ember.autograd.gradcheck in float64 against finite differences."""
    xs = [to_ember(a, True) for a in arrays(shapes, domains, "float64")]
    assert ember.autograd.gradcheck(lambda *t: fn(ember, *t), xs)

