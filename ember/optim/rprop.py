"""Rprop (resilient backpropagation), as torch.optim.Rprop. The rule ``rprop`` updates NumPy arrays in place."""
import numpy as np

from ._functional import as_float, check_lr, effective_grad, new_scalar, run_rule, state_like, zeros_like
from .optimizer import Optimizer


def rprop(params, grads, prevs, step_sizes, *, step_size_min, step_size_max, etaminus, etaplus, maximize):
    """Per number: where g and the previous g agree in sign the step size grows (x etaplus), where they
    disagree it shrinks (x etaminus) and this g counts as 0; p -= sign(g) * step size; prev = g."""
    for p, g, prev, step_size in zip(params, grads, prevs, step_sizes):
        g = effective_grad(p, g, 0, maximize)
        agree = g * prev
        factor = np.where(agree > 0, etaplus, np.where(agree < 0, etaminus, 1.0)).astype(p.dtype)
        step_size *= factor
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        g = np.where(agree < 0, 0, g).astype(p.dtype)
        p -= np.sign(g) * step_size
        prev[...] = g


class Rprop(Optimizer):
    """Rprop, as torch.optim.Rprop."""

    _scalar_state = ("step",)
    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]} (need 0 < etaminus < 1 < etaplus)")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "prev", "step_size"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["prev"] = zeros_like(p)
    lr = as_float(group["lr"])
    state["step_size"] = state_like(p, np.full_like(p._data, complex(lr, lr) if p._data.dtype.kind == "c" else lr))


def _update(group, ps, gs, st):
    etaminus, etaplus = group["etas"]
    step_size_min, step_size_max = group["step_sizes"]
    rprop(ps, gs, st["prev"], st["step_size"], step_size_min=step_size_min, step_size_max=step_size_max,
          etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])
