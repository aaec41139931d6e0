"""Compare a layer whose forward takes several tensors and returns a tuple (attention, transformers,
recurrent layers) with torch's: torch's state copied in, the same inputs, outputs compared, then the
gradients of every float input and every parameter for a random weighting of all float outputs."""
import numpy as np
import torch

import ember
from layer_oracle import assert_same_repr, compare_grads, copy_state
from oracle import assert_same, random_array, to_ember, to_torch


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [] if out is None else [out]


def compare_module(make, inputs, dtype="float32", call=None, rtol=None, atol=None, grad_rtol=None, grad_atol=None,
                   train=False, grad_inputs=True):
    """make(lib) -> module; inputs: shapes (random floats of ``dtype``) or NumPy arrays (masks, indices...);
    call(module, *inputs) -> output (default: module(*inputs)). Returns (ember module, torch module)."""
    call = call or (lambda m, *xs: m(*xs))
    tm, em = make(torch), make(ember)
    assert_same_repr(em, tm)
    tm.to(getattr(torch, dtype))
    em.to(getattr(ember, dtype))
    tm.train(train)
    em.train(train)
    copy_state(em, tm)
    arrays = [random_array(a, dtype) if isinstance(a, tuple) else a for a in inputs]
    rg = [grad_inputs and a.dtype.kind == "f" and a.dtype != np.bool_ for a in arrays]
    e_in = [to_ember(a, g) for a, g in zip(arrays, rg)]
    t_in = [to_torch(a, g) for a, g in zip(arrays, rg)]
    e_out, t_out = call(em, *e_in), call(tm, *t_in)
    assert_same(e_out, t_out, rtol, atol, what="forward")
    pairs = [(e, t) for e, t in zip(_flat(e_out), _flat(t_out)) if t.requires_grad]
    gouts = [random_array(tuple(t.shape), dtype) for _, t in pairs]
    torch.autograd.backward([t for _, t in pairs], [to_torch(g) for g in gouts])
    ember.autograd.backward([e for e, _ in pairs], [to_ember(g) for g in gouts])
    compare_grads(em, tm, e_in, t_in, grad_rtol or rtol, grad_atol or atol)
    return em, tm
