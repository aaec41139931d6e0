"""Averaged SGD, as torch.optim.ASGD. The rule ``asgd`` updates NumPy arrays in place."""
import numpy as np

from ._functional import as_float, check_lr, check_range, effective_grad, new_scalar, run_rule, zeros_like
from .optimizer import Optimizer


def asgd(params, grads, axs, mus, etas, steps, *, lambd, lr, t0, alpha, weight_decay, maximize, foreach=False):
    """p = p (1 - lambd eta) - eta g;  ax += mu (p - ax) (ax = p while mu = 1);
    then eta = lr / (1 + lambd lr t)^alpha, mu = 1 / max(1, t - t0). ``mus``, ``etas`` are 0-d arrays.
    ``foreach``: eta computed as PyTorch's foreach path does, in the step counter's dtype (float32), not in
    Python floats (an ulp of float32 apart)."""
    for p, g, ax, mu, eta, step in zip(params, grads, axs, mus, etas, steps):
        g = effective_grad(p, g, weight_decay, maximize)
        eta_value = float(eta)
        p *= 1 - lambd * eta_value
        p -= g * eta_value
        if float(mu) != 1:
            ax += (p - ax) * mu
        else:
            ax[...] = p
        t = float(step)
        if foreach:
            eta[...] = np.reciprocal((eta.dtype.type(t) * (lambd * lr) + 1) ** alpha) * lr
        else:
            eta[...] = lr / ((1 + lambd * lr * t) ** alpha)
        mu[...] = 1 / max(1, t - t0)


class ASGD(Optimizer):
    """Averaged stochastic gradient descent, as torch.optim.ASGD."""

    _scalar_state = ("step", "eta", "mu")
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "eta", "mu", "ax"), _update,
                        packable=False)     # eta and mu are 0-d states per parameter


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["eta"] = new_scalar(as_float(group["lr"]))
    state["mu"] = new_scalar(1.0)
    state["ax"] = zeros_like(p)


def _update(group, ps, gs, st):
    asgd(ps, gs, st["ax"], st["mu"], st["eta"], st["step"], lambd=group["lambd"], lr=as_float(group["lr"]),
         t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"], maximize=group["maximize"],
         foreach=bool(group["foreach"]))
