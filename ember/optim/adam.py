"""Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (AdamW is Adam with
decoupled weight decay). The rule ``adam`` updates NumPy arrays in place, slice
by slice (see ``pieces``; the slices may run on several threads), with PyTorch's
formula rearranged so that the scalar factors are folded: one sqrt, one division
and one scratch array per slice."""
import math

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..ops.arithmetic import maximum
from ..tensor import Tensor
from ._functional import (as_float, call_closure, check_beta_tensors, check_betas, check_fused, check_group,
                          check_lr, check_range, effective_grad, new_scalar, pieces, run_rule, to_scalar, zeros_like)
from ._parallel import overlapping, run_slices
from .optimizer import Optimizer


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay):
    """One Adam step over lists of arrays; ``steps`` are the (already incremented) step counts.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
       = [lr sqrt(1 - b2^t) / (1 - b1^t)] * m / (sqrt(v) + eps sqrt(1 - b2^t)).
    """
    decay = 1 - lr * weight_decay if weight_decay != 0 and decoupled_weight_decay else None
    coupled = weight_decay != 0 and not decoupled_weight_decay
    # maximize flips the sign of m's increment (unless the gradient is rebuilt for coupled weight decay)
    m_scale = (1 - beta1) * (-1.0 if maximize and not coupled else 1.0)

    def kernel(p, g, m, v, vmax, step_size, eps_scaled):
        s = np.empty_like(p)
        if decay is not None:
            p *= decay
        if coupled:                        # g = +-g + wd * p, in a buffer of its own
            g = effective_grad(p, g, weight_decay, maximize)
        m *= beta1
        np.multiply(g, m_scale, out=s)
        m += s
        np.multiply(g, g, out=s)
        s *= 1 - beta2
        v *= beta2
        v += s
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
        np.sqrt(v if vmax is None else vmax, out=s)
        s += eps_scaled
        np.divide(m, s, out=s)
        s *= step_size
        p -= s

    tasks, numbers = [], 0
    for i, (param, grad) in enumerate(zip(params, grads)):
        step = float(steps[i])
        bc2_sqrt = math.sqrt(1 - beta2 ** step)
        scalars = (lr * bc2_sqrt / (1 - beta1 ** step), eps * bc2_sqrt)
        numbers += param.size
        max_sq = max_exp_avg_sqs[i] if amsgrad else None
        tasks.extend(piece + scalars for piece in pieces(param, grad, exp_avgs[i], exp_avg_sqs[i], max_sq))
    run_slices(kernel, tasks, numbers, serial=overlapping(params))


def adam_differentiable(params, states, *, amsgrad, beta1, beta2, lr, weight_decay, eps, maximize,
                        decoupled_weight_decay):
    """The same step as ember ops with gradients recorded (differentiable=True), PyTorch's op for op: the
    bias corrections are 0-d tensors of the step counter's dtype, the update an addcdiv by -step_size."""
    for p in params:
        if p._dtype.is_complex:
            raise NotImplementedError("Adam: differentiable=True with complex parameters is not supported by ember")
        state = states[p]
        grad = -p._grad if maximize else p._grad
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if decoupled_weight_decay:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        if isinstance(beta2, Tensor) and beta2.requires_grad:
            exp_avg_sq.lerp_(grad.square(), weight=1 - beta2)
        else:
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - as_float(beta2))
        bias_correction1 = 1 - beta1 ** (step.clone() if isinstance(beta1, Tensor) else step)
        bias_correction2 = 1 - beta2 ** (step.clone() if isinstance(beta2, Tensor) else step)
        step_size_neg = (lr / bias_correction1).neg()
        bias_correction2_sqrt = bias_correction2.sqrt()
        if amsgrad:
            state["max_exp_avg_sq"].copy_(maximum(state["max_exp_avg_sq"].clone(), exp_avg_sq))
            exp_avg_sq = state["max_exp_avg_sq"]
        denom = (exp_avg_sq.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
        p.addcdiv_(exp_avg.clone(), denom)


def _init_state(p, state, group):
    state["step"] = new_scalar(fused=bool(group["fused"]))
    state["exp_avg"] = zeros_like(p)
    state["exp_avg_sq"] = zeros_like(p)
    if group["amsgrad"]:
        state["max_exp_avg_sq"] = zeros_like(p)


def _update(group, ps, gs, st):
    if group["amsgrad"] and any(v is None for v in st["max_exp_avg_sq"]):
        raise KeyError("max_exp_avg_sq")    # amsgrad switched on after the state was made (PyTorch's error)
    beta1, beta2 = group["betas"]
    adam(ps, gs, st["exp_avg"], st["exp_avg_sq"], st["max_exp_avg_sq"], st["step"], amsgrad=group["amsgrad"],
         beta1=as_float(beta1), beta2=as_float(beta2), lr=as_float(group["lr"]),
         weight_decay=as_float(group["weight_decay"]), eps=group["eps"], maximize=group["maximize"],
         decoupled_weight_decay=group["decoupled_weight_decay"])


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (``decoupled_weight_decay=True`` makes it AdamW)."""

    _scalar_state = ("step",)
    _group_defaults = (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                       ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr, foreach, capturable)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_beta_tensors(betas, foreach, capturable)
        check_range("weight_decay value", weight_decay)
        betas = tuple(map(to_scalar, betas))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        if not self.defaults["differentiable"]:     # PyTorch records the step when the optimizer's default says so
            return run_rule(self, closure, _init_state, ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                            _update)
        loss = call_closure(closure)
        for group in self.param_groups:
            check_group(group, type(self).__name__)
            params = [p for p in group["params"] if p._grad is not None]
            if params and group["foreach"] and group["differentiable"]:
                raise AssertionError("_foreach ops don't support autograd (differentiable=True needs foreach=False)")
            for p in params:
                if len(self.state[p]) == 0:
                    _init_state(p, self.state[p], group)
            beta1, beta2 = group["betas"]
            with enable_grad():
                adam_differentiable(params, self.state, amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2,
                                    lr=to_scalar(group["lr"]), weight_decay=group["weight_decay"], eps=group["eps"],
                                    maximize=group["maximize"],
                                    decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        """A loaded state keeps AdamW's decoupled decay, whatever the saved groups say (PyTorch's rule: older
        AdamW state_dicts have no such key, and Adam's default would make it coupled)."""
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
