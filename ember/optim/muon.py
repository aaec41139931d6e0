"""Muon, as torch.optim.Muon: SGD momentum (Nesterov by default) whose update
matrix is orthogonalised by a few Newton-Schulz iterations, for 2-d parameters.

PyTorch runs the iterations in bfloat16; here they run as float32 products of
bfloat16 values, rounded to bfloat16 where PyTorch's CPU kernels round (once per
matmul or addmm: bit for bit the same on small matrices); ml_dtypes' own bfloat16
matmul is a slow element loop."""
import math

import ml_dtypes
import numpy as np

from ..tensor import Tensor
from ._functional import as_float, bump_versions, call_closure, gather, state_like, to_scalar
from .adafactor import lerp_
from .optimizer import Optimizer

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a):
    """``a`` rounded to bfloat16, kept as float32."""
    return np.asarray(a, np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """X = G / |G| (the wide way round); k times: A = X X^T, X = a X + (b A + c A A) X.
    Returns the bfloat16 values as float32."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = max(float(_bf16(np.linalg.norm(x.reshape(-1)))), float(_bf16(eps)))
    x = _bf16(x / norm)
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        update = _bf16(gram * b + (gram @ gram) * c)     # addmm: one rounding of the whole sum
        x = _bf16(x * a + update @ x)
    return x.T if tall else x


def adjust_lr(lr, adjust_lr_fn, shape):
    """The learning rate for a (A, B) matrix: sqrt(max(1, A/B)) ("original") or 0.2 sqrt(max(A, B))."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


def muon(params, grads, momentum_bufs, *, lr, weight_decay, momentum, nesterov, ns_coefficients, ns_steps, eps,
         adjust_lr_fn):
    """buf = lerp(buf, g, 1 - momentum);  u = NS(lerp(g, buf, momentum) if nesterov else buf);
    p *= 1 - lr wd;  p -= adjusted lr * u."""
    for p, g, buf in zip(params, grads, momentum_bufs):
        if g.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        lerp_(buf, g, 1 - momentum)
        if nesterov:
            u = g.copy()
            lerp_(u, buf, momentum)
        else:
            u = buf
        u = zeropower_via_newtonschulz(u, ns_coefficients, ns_steps, eps)
        scaled = adjust_lr(lr, adjust_lr_fn, p.shape)
        p *= 1 - lr * weight_decay
        p -= u.astype(p.dtype) * scaled


class Muon(Optimizer):
    """Muon, as torch.optim.Muon (2-d parameters only)."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= as_float(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()} (optimize biases and embeddings with AdamW)")

    def step(self, closure=None):
        loss = call_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and p._dtype.is_complex:
                    raise RuntimeError("Muon does not support complex parameters")
            params, ps, gs, st = gather(self, group, _init_state, ("momentum_buffer",), "Muon")
            if not params:
                continue
            muon(ps, gs, st["momentum_buffer"], lr=as_float(to_scalar(group["lr"])),
                 weight_decay=group["weight_decay"], momentum=group["momentum"], nesterov=group["nesterov"],
                 ns_coefficients=group["ns_coefficients"], ns_steps=group["ns_steps"], eps=group["eps"],
                 adjust_lr_fn=group["adjust_lr_fn"])
            bump_versions(params)
        return loss


def _init_state(p, state):
    state["momentum_buffer"] = state_like(p, np.zeros_like(p._grad._data))
