"""RAdam (rectified Adam), as torch.optim.RAdam. The rule ``radam`` updates NumPy arrays in place."""
import math

import numpy as np

from ._functional import (as_float, check_betas, check_lr, check_range, decayed_grad, new_scalar, run_rule,
                          update_moments, zeros_like)
from .optimizer import Optimizer


def radam(params, grads, exp_avgs, exp_avg_sqs, steps, *, beta1, beta2, lr, weight_decay, eps,
          decoupled_weight_decay, maximize):
    """m, v as Adam; rho_t = rho_inf - 2 t b2^t / (1 - b2^t). While rho_t <= 5: p -= lr m / (1 - b1^t);
    after: p -= lr m / (1 - b1^t) * r_t * sqrt(1 - b2^t) / (sqrt(v) + eps), r_t the variance rectification."""
    rho_inf = 2 / (1 - beta2) - 1
    for p, g, m, v, step in zip(params, grads, exp_avgs, exp_avg_sqs, steps):
        t = float(step)
        g = decayed_grad(p, g, lr, weight_decay, decoupled_weight_decay, maximize)
        update_moments(m, v, g, beta1, beta2)
        bc1 = 1 - beta1 ** t
        bc2 = 1 - beta2 ** t
        rho_t = rho_inf - 2 * t * beta2 ** t / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denom = np.sqrt(v)
            denom += eps
            np.divide(m, denom, out=denom)
            denom *= lr / bc1 * math.sqrt(bc2) * rect
            p -= denom
        else:
            p -= m * (lr / bc1)


class RAdam(Optimizer):
    """RAdam, as torch.optim.RAdam."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False),
                       ("decoupled_weight_decay", False), ("capturable", False))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "exp_avg", "exp_avg_sq"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["exp_avg"] = zeros_like(p)
    state["exp_avg_sq"] = zeros_like(p)


def _update(group, ps, gs, st):
    beta1, beta2 = group["betas"]
    radam(ps, gs, st["exp_avg"], st["exp_avg_sq"], st["step"], beta1=as_float(beta1), beta2=as_float(beta2),
          lr=as_float(group["lr"]), weight_decay=group["weight_decay"], eps=group["eps"],
          decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
