"""Adadelta, as torch.optim.Adadelta. The rule ``adadelta`` updates NumPy arrays in place."""
import numpy as np

from ._functional import as_float, check_lr, check_range, effective_grad, new_scalar, run_rule, zeros_like
from .optimizer import Optimizer


def adadelta(params, grads, square_avgs, acc_deltas, *, lr, rho, eps, weight_decay, maximize):
    """s = rho s + (1 - rho) g^2;  d = sqrt(a + eps) / sqrt(s + eps) * g;  a = rho a + (1 - rho) d^2;  p -= lr d."""
    for p, g, sq, acc in zip(params, grads, square_avgs, acc_deltas):
        g = effective_grad(p, g, weight_decay, maximize)
        sq *= rho
        sq += g * g * (1 - rho)
        std = sq + eps
        np.sqrt(std, out=std)
        delta = acc + eps
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc *= rho
        acc += delta * delta * (1 - rho)
        delta *= lr
        p -= delta


class Adadelta(Optimizer):
    """Adadelta, as torch.optim.Adadelta."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        check_range("rho value", rho, 0.0, None)
        if not as_float(rho) <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_range("epsilon value", eps)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "square_avg", "acc_delta"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["square_avg"] = zeros_like(p)
    state["acc_delta"] = zeros_like(p)


def _update(group, ps, gs, st):
    adadelta(ps, gs, st["square_avg"], st["acc_delta"], lr=as_float(group["lr"]), rho=group["rho"],
             eps=group["eps"], weight_decay=group["weight_decay"], maximize=group["maximize"])
