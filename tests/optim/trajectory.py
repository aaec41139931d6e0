"""Train the same small model with ember and torch side by side and compare.

The model is plain parameters and a differentiable loss (matmul, tanh, mean):
``loss = mean((tanh(x @ W1 + b1) @ W2 + b2 - y) ** 2)``, plus a parameter the loss
never uses (its grad stays None, so optimizers must skip it). Every step draws a
fresh batch, identical for both libraries.
"""
import copy
import io

import numpy as np
import torch

import ember
from oracle import TOLERANCES, as_numpy, assert_same, dtype_name, rng

SHAPES = {"W1": (5, 8), "b1": (8,), "W2": (8, 3), "b2": (3,), "unused": (4,)}
RTOL, ATOL = 1e-4, 1e-5      # float32, after 50 steps of rounding differences (FMA in torch kernels)


def make_params(lib, arrays, dtype="float32"):
    return [lib.nn.Parameter(lib.tensor(np.array(a, dtype=dtype))) for a in arrays]


def loss_fn(lib, params, x, y, sign=1.0, use_spare=False):
    """The mean squared error (times ``sign``: -1 for optimizers that maximize); ``use_spare`` adds a
    penalty on the otherwise unused parameter, so that it gets a gradient."""
    w1, b1, w2, b2, spare = params
    out = lib.tanh(x @ w1 + b1) @ w2 + b2
    loss = ((out - y) ** 2).mean()
    if use_spare:
        loss = loss + (spare * spare).sum() * 0.1
    return loss * sign


class Side:
    """One library's model, optimizer and scheduler."""

    def __init__(self, lib, arrays, make_opt, make_sched, dtype, sign):
        self.lib = lib
        self.sign = sign
        self.params = make_params(lib, arrays, dtype)
        self.make_opt, self.make_sched = make_opt, make_sched
        self.opt = make_opt(lib, self.params)
        self.sched = make_sched(lib, self.opt) if make_sched else None

    def step(self, x, y, closure_steps, use_spare=False):
        lib = self.lib
        xt, yt = lib.tensor(x), lib.tensor(y)

        def closure():
            self.opt.zero_grad()
            loss = loss_fn(lib, self.params, xt, yt, self.sign, use_spare)
            loss.backward()
            return loss
        if closure_steps:
            loss = self.opt.step(closure)
        else:
            loss = closure()
            self.opt.step()
        if self.sched is not None:
            if isinstance(self.sched, lib.optim.lr_scheduler.ReduceLROnPlateau):
                self.sched.step(float(loss.detach()))
            else:
                self.sched.step()
        return float(loss.detach())

    def reload(self, checkpoint=False):
        """Save optimizer and scheduler states (deep copies, or through ``lib.save``/``lib.load`` with
        ``checkpoint``), build fresh ones and load them in PyTorch's documented order (scheduler first);
        returns the saved states."""
        saved = self.copy(self.opt.state_dict(), checkpoint)
        sched_saved = self.copy(self.sched.state_dict(), checkpoint) if self.sched is not None else None
        self.opt = self.make_opt(self.lib, self.params)
        if self.sched is not None:
            self.sched = self.make_sched(self.lib, self.opt)
            self.sched.load_state_dict(copy.deepcopy(sched_saved))
        self.opt.load_state_dict(saved)
        return saved, sched_saved

    def copy(self, state, checkpoint):
        if not checkpoint:
            return copy.deepcopy(state)
        buf = io.BytesIO()
        self.lib.save(state, buf)
        buf.seek(0)
        return self.lib.load(buf, weights_only=False)


def same(e, t, rtol, atol, what):
    """assert_same, with a quick np.allclose first (the full check only runs to explain a failure)."""
    if isinstance(e, ember.Tensor) and dtype_name(e) == dtype_name(t) and tuple(e.shape) == tuple(t.shape) \
            and np.allclose(as_numpy(e), as_numpy(t), rtol=rtol, atol=atol, equal_nan=True):
        return
    assert_same(e, t, rtol, atol, what=what)


def compare_state(e, t, what, tol=(RTOL, ATOL)):
    """Recursively compare state_dict contents (tensors by value, other leaves exactly or as floats)."""
    if isinstance(t, dict):
        assert isinstance(e, dict) and sorted(map(str, e)) == sorted(map(str, t)), \
            f"{what}: keys ember {sorted(map(str, e))} != torch {sorted(map(str, t))}"
        for k in t:
            compare_state(e[k], t[k], f"{what}[{k!r}]", tol)
    elif isinstance(t, (list, tuple)):
        assert isinstance(e, (list, tuple)) and len(e) == len(t), f"{what}: ember {e!r} != torch {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            compare_state(a, b, f"{what}[{i}]", tol)
    elif isinstance(t, torch.Tensor):
        same(e, t, *tol, what)
    elif isinstance(t, float):
        assert isinstance(e, (float, int)) and np.isclose(e, t, rtol=1e-6, atol=1e-12), f"{what}: {e} != {t}"
    else:
        assert e == t, f"{what}: ember {e!r} != torch {t!r}"


def run(make_opt, make_sched=None, steps=50, reload_at=25, closure=False, dtype="float32", tol=None,
        maximize=False, intermittent=False, checkpoint=False):
    """Run both sides in lockstep; compare parameters and lr after every step and the state_dicts at reload.

    ``maximize``: the loss is negated, so an optimizer with maximize=True descends the error as usual.
    ``intermittent``: the spare parameter gets a gradient on every third step only (its step count lags).
    ``checkpoint``: the mid-run states go through ``save``/``load`` (a file in PyTorch's format).
    """
    r = rng()
    arrays = [r.uniform(-1, 1, s) for s in SHAPES.values()]
    sign = -1.0 if maximize else 1.0
    sides = [Side(lib, arrays, make_opt, make_sched, dtype, sign) for lib in (ember, torch)]
    e, t = sides
    rtol, atol = tol or ((RTOL, ATOL) if dtype == "float32" else TOLERANCES[dtype])
    for i in range(steps):
        x = r.uniform(-1, 1, (6, 5)).astype(dtype)
        y = r.uniform(-1, 1, (6, 3)).astype(dtype)
        spare = intermittent and i % 3 == 0
        le, lt = e.step(x, y, closure, spare), t.step(x, y, closure, spare)
        np.testing.assert_allclose(le, lt, rtol=max(rtol, 1e-5), atol=atol, err_msg=f"loss at step {i}")
        for j, (pe, pt) in enumerate(zip(e.params, t.params)):
            same(pe, pt, rtol, atol, f"param {j} after step {i}")
        assert_lrs(e.opt, t.opt, f"after step {i}")
        if e.sched is not None:
            compare_state(e.sched.get_last_lr(), t.sched.get_last_lr(), f"get_last_lr() after step {i}")
        if i == reload_at:
            compare_state(e.reload(checkpoint), t.reload(checkpoint), f"state_dict at step {i}", (rtol, atol))
    compare_state(e.opt.state_dict(), t.opt.state_dict(), "final state_dict", (rtol, atol))
    if e.sched is not None:
        compare_state(e.sched.state_dict(), t.sched.state_dict(), "final scheduler state_dict")
    return sides


def assert_lrs(eo, to, what):
    for k, (ge, gt) in enumerate(zip(eo.param_groups, to.param_groups)):
        compare_state(ge["lr"], gt["lr"], f"group {k} lr {what}")
