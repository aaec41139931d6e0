"""SGD with momentum, dampening, Nesterov, weight decay and maximize, as
torch.optim.SGD. The rule ``sgd`` updates NumPy arrays in place."""
import numpy as np

from .._parallel import thread_count
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from ._functional import (as_float, bump_versions, call_closure, check_fused, check_group, check_lr, check_range,
                          effective_grad, gather, pieces, state_like, to_scalar)
from ._parallel import overlapping, run_slices
from .optimizer import Optimizer


def sgd(params, grads, momentum_buffers, *, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """One SGD step over lists of arrays; a None momentum buffer is created (returned in the list).

    g = +-g + wd p;  buf = momentum buf + (1 - dampening) g  (buf = g at first);
    p -= lr (g + momentum buf if nesterov else buf).  Whole arrays on one thread (with so few passes per
    number, slicing them for the cache measured slower); slices when several threads share the work.
    """
    def kernel(p, g, buf, first):
        g = effective_grad(p, g, weight_decay, maximize)
        if buf is not None:
            if first:
                buf[...] = g
            else:
                buf *= momentum
                buf += g * (1 - dampening) if dampening else g
            g = g + buf * momentum if nesterov else buf
        p -= g * lr

    numbers = sum(p.size for p in params)
    sliced = thread_count(numbers) > 1
    tasks = []
    for i, (p, g) in enumerate(zip(params, grads)):
        buf, first = momentum_buffers[i], False
        if momentum != 0 and buf is None:
            buf, first = np.empty_like(p), True
            momentum_buffers[i] = buf
        tasks.extend(piece + (first,) for piece in (pieces(p, g, buf) if sliced else [(p, g, buf)]))
    run_slices(kernel, tasks, numbers, serial=overlapping(params))
    return momentum_buffers


def sgd_differentiable(params, states, *, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """The same step as ember ops with gradients recorded (differentiable=True: gradients flow through the update
    into what made the gradient, the learning rate and the previous parameters), PyTorch's op for op."""
    for p in params:
        grad = -p._grad if maximize else p._grad
        if weight_decay != 0:
            grad = grad.add(p, alpha=weight_decay)
        if momentum != 0:
            buf = states[p].get("momentum_buffer")
            if buf is None:
                buf = states[p]["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        if isinstance(lr, Tensor) and lr.requires_grad:
            p.addcmul_(grad, lr, value=-1)
        else:
            p.add_(grad, alpha=-as_float(lr))


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as torch.optim.SGD."""

    _group_defaults = (("nesterov", False), ("maximize", False), ("foreach", None), ("differentiable", False),
                       ("fused", False))

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(f"Nesterov momentum requires a momentum and zero dampening (got momentum={momentum}, "
                             f"dampening={dampening})")
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        loss = call_closure(closure)
        for group in self.param_groups:
            check_group(group, "SGD")
            if self.defaults["differentiable"]:     # PyTorch records the step when the optimizer's default says so
                with enable_grad():
                    sgd_differentiable([p for p in group["params"] if p._grad is not None], self.state,
                                       lr=to_scalar(group["lr"]), weight_decay=group["weight_decay"],
                                       momentum=group["momentum"], dampening=group["dampening"],
                                       nesterov=group["nesterov"], maximize=group["maximize"])
                continue
            keys = ("momentum_buffer",) if group["momentum"] != 0 else ()
            params, ps, gs, st = gather(self, group, None, keys, "SGD")
            if not params:
                continue
            bufs = sgd(ps, gs, st.get("momentum_buffer", [None] * len(ps)), lr=as_float(group["lr"]),
                       weight_decay=as_float(group["weight_decay"]), momentum=group["momentum"],
                       dampening=group["dampening"], nesterov=group["nesterov"], maximize=group["maximize"])
            if group["momentum"] != 0:
                for p, b in zip(params, bufs):
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = state_like(p, b)
            bump_versions(params)
        return loss
