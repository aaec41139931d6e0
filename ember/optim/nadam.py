"""NAdam (Adam with Nesterov momentum), as torch.optim.NAdam. The rule ``nadam`` updates NumPy arrays in place."""
import numpy as np

from ._functional import (as_float, check_betas, check_lr, check_range, decayed_grad, new_scalar, run_rule,
                          update_moments, zeros_like)
from .optimizer import Optimizer


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps, *, beta1, beta2, lr, weight_decay,
          momentum_decay, eps, decoupled_weight_decay, maximize):
    """mu_t = b1 (1 - 0.5 * 0.96^(t psi));  m, v as Adam;  d = sqrt(v / (1 - b2^t)) + eps;
    p -= lr (1 - mu_t) / (1 - prod mu) * g / d + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / d.
    ``mu_products`` are 0-d arrays, updated in place."""
    for p, g, m, v, mu_prod, step in zip(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps):
        t = float(step)
        g = decayed_grad(p, g, lr, weight_decay, decoupled_weight_decay, maximize)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_prod *= mu
        prod = float(mu_prod)
        update_moments(m, v, g, beta1, beta2)
        denom = v / (1 - beta2 ** t)
        np.sqrt(denom, out=denom)
        denom += eps
        p -= g / denom * (lr * (1.0 - mu) / (1.0 - prod))
        p -= m / denom * (lr * mu_next / (1.0 - prod * mu_next))


class NAdam(Optimizer):
    """NAdam, as torch.optim.NAdam."""

    _scalar_state = ("step", "mu_product")
    _group_defaults = (("maximize", False), ("foreach", None), ("capturable", False), ("differentiable", False),
                       ("decoupled_weight_decay", False))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        check_range("momentum_decay value", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "mu_product", "exp_avg", "exp_avg_sq"), _update,
                        packable=False)     # mu_product is a 0-d state per parameter


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["mu_product"] = new_scalar(1.0)
    state["exp_avg"] = zeros_like(p)
    state["exp_avg_sq"] = zeros_like(p)


def _update(group, ps, gs, st):
    beta1, beta2 = group["betas"]
    nadam(ps, gs, st["exp_avg"], st["exp_avg_sq"], st["mu_product"], st["step"], beta1=as_float(beta1),
          beta2=as_float(beta2), lr=as_float(group["lr"]), weight_decay=group["weight_decay"],
          momentum_decay=group["momentum_decay"], eps=group["eps"],
          decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
