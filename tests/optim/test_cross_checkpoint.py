"""Checkpoints across the two libraries: an optimizer (and scheduler) state saved by torch.save loads into
ember's optimizer through ember.load and continues the trajectory torch continues, and the other way round."""
import io

import numpy as np
import pytest
import torch

import ember
from oracle import rng

OPTIMIZERS = {
    "SGD": dict(lr=0.05, momentum=0.9), "Adam": dict(lr=0.01, amsgrad=True), "AdamW": dict(lr=0.01),
    "RMSprop": dict(lr=0.01, centered=True, momentum=0.5), "Adagrad": dict(lr=0.05), "NAdam": dict(lr=0.01),
    "ASGD": dict(lr=0.05, t0=1), "Rprop": dict(lr=0.01), "Adadelta": dict(), "Adamax": dict(lr=0.01),
    "RAdam": dict(lr=0.01), "Adafactor": dict(lr=0.05), "LBFGS": dict(lr=0.1, max_iter=3, history_size=3),
}


def _build(lib, name, w0):
    w = lib.nn.Parameter(lib.from_numpy(w0.copy()))
    return w, getattr(lib.optim, name)([w], **OPTIMIZERS[name])


def _step(lib, w, opt, x):
    def closure():
        opt.zero_grad()
        loss = (lib.from_numpy(x) @ w.t()).tanh().pow(2).mean()
        loss.backward()
        return loss
    opt.step(closure)


def _checkpoint(src, dst, obj):
    buf = io.BytesIO()
    src.save(obj, buf)
    buf.seek(0)
    return dst.load(buf, weights_only=False)


@pytest.mark.parametrize("direction", ["torch->ember", "ember->torch"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_state_crosses_libraries(name, direction):
    src, dst = (torch, ember) if direction == "torch->ember" else (ember, torch)
    r = rng()
    dtype = np.float64 if name == "LBFGS" else np.float32   # quasi-Newton steps amplify float32 rounding
    w0 = r.uniform(-1, 1, (4, 3)).astype(dtype)
    xs = [r.uniform(-1, 1, (5, 3)).astype(dtype) for _ in range(4)]
    w, opt = _build(src, name, w0)
    for x in xs[:2]:
        _step(src, w, opt, x)
    saved = _checkpoint(src, dst, {"weight": w.detach(), "optimizer": opt.state_dict()})
    w2, opt2 = _build(dst, name, w0)
    with dst.no_grad():
        w2.copy_(saved["weight"])
    opt2.load_state_dict(saved["optimizer"])
    for x in xs[2:]:
        _step(src, w, opt, x)
        _step(dst, w2, opt2, x)
    np.testing.assert_allclose(w2.detach().numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert sorted(opt2.state_dict()["state"][0]) == sorted(opt.state_dict()["state"][0])


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, 2, 0.5),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, 0.5, total_steps=20),
    "CyclicLR": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=3),
    "ReduceLROnPlateau": lambda S, o: S.ReduceLROnPlateau(o, patience=1),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, 3, 2),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=2), S.ExponentialLR(o, 0.9)],
                                                milestones=[2]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.LinearLR(o, 0.1, total_iters=2),
                                                         S.ExponentialLR(o, 0.9)]),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, 10, 2.0),
}


@pytest.mark.parametrize("direction", ["torch->ember", "ember->torch"])
@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_state_crosses_libraries(name, direction):
    src, dst = (torch, ember) if direction == "torch->ember" else (ember, torch)
    metrics = rng().uniform(0, 1, 9).tolist()

    def build(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(3))], lr=0.1, momentum=0.9)
        return opt, SCHEDULERS[name](lib.optim.lr_scheduler, opt)

    def run(opt, sched, values):
        for v in values:
            opt.step()
            sched.step(v) if name == "ReduceLROnPlateau" else sched.step()

    opt, sched = build(src)
    run(opt, sched, metrics[:5])
    saved = _checkpoint(src, dst, {"optimizer": opt.state_dict(), "scheduler": sched.state_dict()})
    opt2, sched2 = build(dst)
    sched2.load_state_dict(saved["scheduler"])          # PyTorch's documented order: scheduler, then optimizer
    opt2.load_state_dict(saved["optimizer"])
    run(opt, sched, metrics[5:])
    run(opt2, sched2, metrics[5:])
    np.testing.assert_allclose(sched2.get_last_lr(), sched.get_last_lr(), rtol=1e-12)
    for key in ("lr", "momentum"):
        np.testing.assert_allclose(opt2.param_groups[0][key], opt.param_groups[0][key], rtol=1e-12)
