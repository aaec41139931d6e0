"""Layer oracle: build the same layer in ember and torch, copy torch's parameters into ember
(state_dict through NumPy), run the same random inputs, compare outputs and the gradients of the
inputs and of every parameter. Also checks that state_dict keys, order and shapes and the printed
module agree."""
import numpy as np
import torch

import ember
from oracle import as_numpy, assert_same, random_array, to_ember, to_torch


def copy_state(em, tm):
    """Load torch module ``tm``'s state into ember module ``em`` (keys, order and shapes must agree)."""
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd), f"state_dict keys: ember {list(esd)} != torch {list(tsd)}"
    for k in tsd:
        assert tuple(esd[k].shape) == tuple(tsd[k].shape), f"{k}: ember {tuple(esd[k].shape)} != torch " \
                                                           f"{tuple(tsd[k].shape)}"
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tsd.items()})


def assert_same_repr(em, tm):
    """Printed modules agree apart from the module path prefix (ember.Size vs torch.Size)."""
    assert repr(em).replace("ember.", "torch.") == repr(tm), f"repr:\nember {em!r}\ntorch {tm!r}"


def compare_layer(make, inputs, dtype="float32", rtol=None, atol=None, grad_rtol=None, grad_atol=None,
                  eval_mode=False):
    """make(lib) -> module (same arguments in both libraries); inputs: shapes (random floats of
    ``dtype`` that require grad) or NumPy arrays (used as they are, floats require grad)."""
    tm, em = make(torch), make(ember)
    assert_same_repr(em, tm)
    tm.to(getattr(torch, dtype))
    em.to(getattr(ember, dtype))
    if eval_mode:
        tm.eval()
        em.eval()
    copy_state(em, tm)
    arrays = [random_array(a, dtype) if isinstance(a, tuple) else a for a in inputs]
    rg = [a.dtype.kind == "f" for a in arrays]
    e_in = [to_ember(a, g) for a, g in zip(arrays, rg)]
    t_in = [to_torch(a, g) for a, g in zip(arrays, rg)]
    e_out, t_out = em(*e_in), tm(*t_in)
    assert_same(e_out, t_out, rtol, atol, what="forward")
    gout = random_array(tuple(t_out.shape), dtype)
    t_out.backward(to_torch(gout))
    e_out.backward(to_ember(gout))
    compare_grads(em, tm, e_in, t_in, grad_rtol or rtol, grad_atol or atol)
    return em, tm


def compare_grads(em, tm, e_in, t_in, rtol, atol):
    """After backward in both: the gradients of every input torch differentiated and of every parameter."""
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        if t.requires_grad:
            assert_same(e.grad, t.grad, rtol, atol, what=f"grad of input {i}")
    e_params = dict(em.named_parameters())
    for name, tp in tm.named_parameters():
        ep = e_params[name]
        if tp.grad is None:
            assert ep.grad is None or not as_numpy(ep.grad).any(), f"{name}: torch has no grad, ember {ep.grad}"
        else:
            assert ep.grad is not None, f"{name}: ember has no grad"
            assert_same(ep.grad, tp.grad, rtol, atol, what=f"grad of {name}")


def same_message_parts(err, *parts):
    """The error text names everything in ``parts`` (layer, shapes)."""
    text = str(err)
    for p in parts:
        assert p in text, f"{p!r} not in error message {text!r}"
