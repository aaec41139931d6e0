"""Adam and AdamW, as torch.optim.Adam / AdamW (AdamW is Adam with decoupled
weight decay). The update rule ``adam`` works in place on NumPy arrays, with
one scratch array per parameter so the step allocates little."""
import math

import numpy as np

from ..tensor import make_tensor
from ._functional import as_float, bump_step, bumped, check_betas, check_non_negative, new_step, params_with_grad
from .optimizer import Optimizer


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay):
    """One Adam step over lists of arrays (``steps`` are the already-incremented step counts)."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p
        m, v = exp_avgs[i], exp_avg_sqs[i]
        scratch = np.subtract(g, m)            # m.lerp_(g, 1 - beta1)
        scratch *= 1 - beta1
        m += scratch
        np.multiply(g, g, out=scratch)         # v = beta2 * v + (1 - beta2) * g * g
        scratch *= 1 - beta2
        v *= beta2
        v += scratch
        step = steps[i]
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        if amsgrad:
            np.maximum(max_exp_avg_sqs[i], v, out=max_exp_avg_sqs[i])
            np.sqrt(max_exp_avg_sqs[i], out=scratch)
        else:
            np.sqrt(v, out=scratch)
        scratch /= bias_correction2_sqrt
        scratch += eps
        np.divide(m, scratch, out=scratch)
        scratch *= lr / bias_correction1
        p -= scratch


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (``decoupled_weight_decay=True`` makes it AdamW)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_non_negative("learning rate", lr)
        check_non_negative("epsilon value", eps)
        check_betas(betas)
        check_non_negative("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            pg = params_with_grad(group)
            if not pg:
                continue
            amsgrad = group["amsgrad"]
            exp_avgs, exp_avg_sqs, max_sqs, steps = [], [], [], []
            for p, _ in pg:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["exp_avg"] = make_tensor(np.zeros_like(p._data), p._dtype)
                    state["exp_avg_sq"] = make_tensor(np.zeros_like(p._data), p._dtype)
                    if amsgrad:
                        state["max_exp_avg_sq"] = make_tensor(np.zeros_like(p._data), p._dtype)
                exp_avgs.append(state["exp_avg"]._data)
                exp_avg_sqs.append(state["exp_avg_sq"]._data)
                max_sqs.append(state["max_exp_avg_sq"]._data if amsgrad else None)
                steps.append(bump_step(state["step"]))
            beta1, beta2 = group["betas"]
            adam([p._data for p, _ in pg], [g for _, g in pg], exp_avgs, exp_avg_sqs, max_sqs, steps,
                 amsgrad=amsgrad, beta1=as_float(beta1), beta2=as_float(beta2), lr=as_float(group["lr"]),
                 weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"],
                 decoupled_weight_decay=group["decoupled_weight_decay"])
            for p, _ in pg:
                bumped(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
