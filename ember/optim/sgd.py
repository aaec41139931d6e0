"""SGD with momentum, dampening, Nesterov, weight decay and maximize, as
torch.optim.SGD. The update rule ``sgd`` works in place on NumPy arrays."""
import numpy as np

from ..tensor import make_tensor
from ._functional import as_float, bumped, check_non_negative, params_with_grad
from .optimizer import Optimizer


def sgd(params, grads, momentum_buffers, *, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """One SGD step over lists of arrays; returns the (possibly new) momentum buffers."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = np.array(g, copy=True)
            else:
                buf *= momentum
                buf += (1 - dampening) * g if dampening else g
            g = g + momentum * buf if nesterov else buf
        p -= lr * g if lr != 1 else g
    return momentum_buffers


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as torch.optim.SGD."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_non_negative("learning rate", lr)
        check_non_negative("momentum value", momentum)
        check_non_negative("weight_decay value", weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

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
            states = [self.state[p] for p, _ in pg]
            bufs = [s.get("momentum_buffer") for s in states]
            bufs = [None if b is None else b._data for b in bufs]
            momentum = group["momentum"]
            new = sgd([p._data for p, _ in pg], [g for _, g in pg], bufs, lr=as_float(group["lr"]),
                      weight_decay=group["weight_decay"], momentum=momentum, dampening=group["dampening"],
                      nesterov=group["nesterov"], maximize=group["maximize"])
            for (p, _), s, b in zip(pg, states, new):
                bumped(p)
                if momentum != 0:
                    if "momentum_buffer" not in s:
                        s["momentum_buffer"] = make_tensor(b, p._dtype)
        return loss
