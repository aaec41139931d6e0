"""RMSprop (plain, centered, with momentum), as torch.optim.RMSprop. The rule ``rmsprop`` updates NumPy arrays
in place."""
import numpy as np

from ._functional import as_float, check_lr, check_range, effective_grad, new_scalar, run_rule, zeros_like
from .optimizer import Optimizer


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, *, lr, alpha, eps, weight_decay, momentum,
            centered, maximize):
    """s = alpha s + (1 - alpha) g^2;  avg = sqrt(s - gm^2) (centered, gm = running mean of g) or sqrt(s), + eps;
    with momentum: buf = momentum buf + g / avg, p -= lr buf;  else p -= lr g / avg."""
    for i, (p, g) in enumerate(zip(params, grads)):
        g = effective_grad(p, g, weight_decay, maximize)
        sq = square_avgs[i]
        sq *= alpha
        sq += g * g * (1 - alpha)
        if centered:
            gm = grad_avgs[i]
            gm *= alpha
            gm += g * (1 - alpha)
            avg = sq - gm * gm
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(sq)
        avg += eps
        np.divide(g, avg, out=avg)
        if momentum > 0:
            buf = momentum_buffers[i]
            buf *= momentum
            buf += avg
            p -= buf * lr
        else:
            avg *= lr
            p -= avg


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop."""

    _scalar_state = ("step",)
    _group_defaults = (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                       ("differentiable", False), ("capturable", False))

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        check_range("alpha value", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        return run_rule(self, closure, _init_state, ("step", "square_avg", "momentum_buffer", "grad_avg"), _update)


def _init_state(p, state, group):
    state["step"] = new_scalar()
    state["square_avg"] = zeros_like(p)
    if group["momentum"] > 0:
        state["momentum_buffer"] = zeros_like(p)
    if group["centered"]:
        state["grad_avg"] = zeros_like(p)


def _update(group, ps, gs, st):
    rmsprop(ps, gs, st["square_avg"], st["grad_avg"], st["momentum_buffer"], lr=as_float(group["lr"]),
            alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"], momentum=group["momentum"],
            centered=group["centered"], maximize=group["maximize"])
