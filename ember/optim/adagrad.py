"""Adagrad, as torch.optim.Adagrad. The rule ``adagrad`` updates NumPy arrays in place."""
import numpy as np

from ._functional import as_float, check_fused, check_lr, check_range, effective_grad, new_scalar, run_rule, state_like
from .optimizer import Optimizer


def adagrad(params, grads, state_sums, steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """sum += g^2;  p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps)."""
    for p, g, total, step in zip(params, grads, state_sums, steps):
        g = effective_grad(p, g, weight_decay, maximize)
        clr = lr / (1 + (float(step) - 1) * lr_decay)
        total += g * g
        std = np.sqrt(total)
        std += eps
        np.divide(g, std, out=std)
        std *= clr
        p -= std


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad (state is created for every parameter at construction, as in PyTorch)."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None))

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_range("lr_decay value", lr_decay)
        check_range("weight_decay value", weight_decay)
        check_range("initial_accumulator_value value", initial_accumulator_value)
        check_range("epsilon value", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                _init_state(p, self.state[p], group)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "sum"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar(fused=bool(group["fused"]))
    init = group["initial_accumulator_value"]
    state["sum"] = state_like(p, np.full_like(p._data, complex(init, init) if p._data.dtype.kind == "c" else init))


def _update(group, ps, gs, st):
    adagrad(ps, gs, st["sum"], st["step"], lr=as_float(group["lr"]), weight_decay=group["weight_decay"],
            lr_decay=group["lr_decay"], eps=group["eps"], maximize=group["maximize"])
