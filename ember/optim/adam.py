"""Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (AdamW is Adam with
decoupled weight decay). The rule ``adam`` updates NumPy arrays in place, slice
by slice (see ``pieces``; the slices may run on several threads), with PyTorch's
formula rearranged so that the scalar factors are folded: one sqrt, one division
and one scratch array per slice."""
import math

import numpy as np

from ._functional import (as_float, check_beta_tensors, check_betas, check_fused, check_lr, check_range,
                          effective_grad, new_scalar, pieces, run_rule, to_scalar, zeros_like)
from ._parallel import overlapping, run_slices
from .optimizer import Optimizer


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay):
    """One Adam step over lists of arrays; ``steps`` are the (already incremented) step counts.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
       = [lr sqrt(1 - b2^t) / (1 - b1^t)] * m / (sqrt(v) + eps sqrt(1 - b2^t)).
    """
    decay = 1 - lr * weight_decay if weight_decay != 0 and decoupled_weight_decay else None
    coupled = weight_decay != 0 and not decoupled_weight_decay
    # maximize flips the sign of m's increment (unless the gradient is rebuilt for coupled weight decay)
    m_scale = (1 - beta1) * (-1.0 if maximize and not coupled else 1.0)

    def kernel(p, g, m, v, vmax, step_size, eps_scaled):
        s = np.empty_like(p)
        if decay is not None:
            p *= decay
        if coupled:                        # g = +-g + wd * p, in a buffer of its own
            g = effective_grad(p, g, weight_decay, maximize)
        m *= beta1
        np.multiply(g, m_scale, out=s)
        m += s
        np.multiply(g, g, out=s)
        s *= 1 - beta2
        v *= beta2
        v += s
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
        np.sqrt(v if vmax is None else vmax, out=s)
        s += eps_scaled
        np.divide(m, s, out=s)
        s *= step_size
        p -= s

    tasks, numbers = [], 0
    for i, (param, grad) in enumerate(zip(params, grads)):
        step = float(steps[i])
        bc2_sqrt = math.sqrt(1 - beta2 ** step)
        scalars = (lr * bc2_sqrt / (1 - beta1 ** step), eps * bc2_sqrt)
        numbers += param.size
        max_sq = max_exp_avg_sqs[i] if amsgrad else None
        tasks.extend(piece + scalars for piece in pieces(param, grad, exp_avgs[i], exp_avg_sqs[i], max_sq))
    run_slices(kernel, tasks, numbers, serial=overlapping(params))


def _init_state(p, state, group):
    state["step"] = new_scalar(fused=bool(group["fused"]))
    state["exp_avg"] = zeros_like(p)
    state["exp_avg_sq"] = zeros_like(p)
    if group["amsgrad"]:
        state["max_exp_avg_sq"] = zeros_like(p)


def _update(group, ps, gs, st):
    if group["amsgrad"] and any(v is None for v in st["max_exp_avg_sq"]):
        raise KeyError("max_exp_avg_sq")    # amsgrad switched on after the state was made (PyTorch's error)
    beta1, beta2 = group["betas"]
    adam(ps, gs, st["exp_avg"], st["exp_avg_sq"], st["max_exp_avg_sq"], st["step"], amsgrad=group["amsgrad"],
         beta1=as_float(beta1), beta2=as_float(beta2), lr=as_float(group["lr"]),
         weight_decay=as_float(group["weight_decay"]), eps=group["eps"], maximize=group["maximize"],
         decoupled_weight_decay=group["decoupled_weight_decay"])


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (``decoupled_weight_decay=True`` makes it AdamW)."""

    _scalar_state = ("step",)
    _group_defaults = (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                       ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr, foreach, capturable)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_beta_tensors(betas, foreach, capturable)
        check_range("weight_decay value", weight_decay)
        betas = tuple(map(to_scalar, betas))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), _update)


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
