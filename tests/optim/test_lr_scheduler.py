"""Every scheduler against torch: 50 optimizer + scheduler steps on the same
model, the lr of every group and get_last_lr() compared after every step, the
scheduler's and optimizer's state_dicts compared and reloaded mid-run."""
import warnings

import numpy as np
import pytest
import torch

import ember
from trajectory import run


def sgd(lib, p):
    return lib.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.05}], lr=0.1, momentum=0.9)


def adamw(lib, p):
    return lib.optim.AdamW(p, lr=0.01, weight_decay=0.05)


def adam_tensor_lr(lib, p):
    return lib.optim.Adam(p, lr=lib.tensor(0.01))


def adamw_groups(lib, p):
    """The demo's optimizer: AdamW with a decayed group and a group without weight decay."""
    return lib.optim.AdamW([{"params": p[:3], "weight_decay": 0.1}, {"params": p[3:], "weight_decay": 0.0}],
                           lr=0.01, betas=(0.9, 0.95))


def warmup_cosine(lib, o):
    """The demo's schedule: linear warm-up, then cosine annealing to a tenth of the lr."""
    warm = lib.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=5)
    cosine = lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=45, eta_min=0.001)
    return lib.optim.lr_scheduler.SequentialLR(o, [warm, cosine], milestones=[5])


def decay(epoch):
    return 0.95 ** epoch


S = "optim.lr_scheduler"
CASES = {  # name: (optimizer, scheduler factory)
    "LambdaLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, lambda e: 0.9 ** e)),
    "LambdaLR per group": (sgd, lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [decay, lambda e: 1 / (1 + e)])),
    "MultiplicativeLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.97)),
    "StepLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    "StepLR tensor lr": (adam_tensor_lr, lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.7)),
    "MultiStepLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, milestones=[5, 12, 12, 30],
                                                                          gamma=0.5)),
    "ConstantLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=10)),
    "LinearLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0.2, end_factor=0.9,
                                                                    total_iters=20)),
    "ExponentialLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.95)),
    "PolynomialLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=30, power=2.0)),
    "CosineAnnealingLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20,
                                                                                      eta_min=0.001)),
    "CosineAnnealingLR AdamW": (adamw, lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50)),
    "CosineAnnealingWarmRestarts": (sgd, lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=7, T_mult=2, eta_min=0.001)),
    "CyclicLR triangular2 momentum": (sgd, lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=[0.1, 0.05], step_size_up=5, step_size_down=3, mode="triangular2")),
    "CyclicLR exp_range betas": (adamw, lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=4, mode="exp_range", gamma=0.97)),
    "CyclicLR scale_fn iterations": (sgd, lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 0.97 ** x, scale_mode="iterations",
        cycle_momentum=False)),
    "OneCycleLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=60)),
    "OneCycleLR three_phase linear adamw": (adamw, lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o, max_lr=[0.01], epochs=5, steps_per_epoch=12, three_phase=True, anneal_strategy="linear")),
    "SequentialLR": (sgd, lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10),
            lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)], milestones=[10])),
    "SequentialLR cosine after warmup": (adamw, lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.ConstantLR(o, factor=0.3, total_iters=5),
            lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30)], milestones=[5])),
    "demo: AdamW groups, LinearLR warm-up then CosineAnnealingLR": (adamw_groups, warmup_cosine),
    "ChainedScheduler": (sgd, lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=5),
         lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)])),
    "ReduceLROnPlateau max": (sgd, lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(
        o, mode="max", patience=2, factor=0.5, min_lr=[0.01, 0.002])),
    "ReduceLROnPlateau min cooldown abs": (adamw, lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(
        o, patience=1, threshold=0.05, threshold_mode="abs", cooldown=3, factor=0.7)),
}


@pytest.mark.parametrize("name", CASES)
def test_schedule(name):
    make_opt, make_sched = CASES[name]
    run(make_opt, make_sched)


def _one_step(lib, order):
    p = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.SGD([p], lr=0.1)
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
    (p * p).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for what in order:
            (opt if what == "opt" else sched).step()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("order", [("sched", "opt"), ("opt", "sched")])
def test_step_order_warning(order):
    assert _one_step(ember, order) == _one_step(torch, order)
    assert bool(_one_step(ember, order)) == (order[0] == "sched")


def test_get_lr_outside_step_warns():
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()


BAD = [
    lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=1.5),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="x"),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sine"),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))]), 0.01, 0.1),
    lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [decay, decay]),
    lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 3, last_epoch=4),
    lambda lib, o: lib.optim.lr_scheduler.StepLR("not an optimizer", 3),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.StepLR(o, 3)], milestones=[2]),
    lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ReduceLROnPlateau(o)]),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_arguments(i):
    from oracle import same_error
    same_error(lambda lib: BAD[i](lib, lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1, momentum=0.9)))


def test_onecycle_past_total_steps():
    from oracle import same_error

    def go(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()
    same_error(go)


CLOSED_FORM = {  # schedulers with a closed form for step(epoch)
    "StepLR": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
    "ConstantLR": lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=4),
    "LinearLR": lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=6),
    "ExponentialLR": lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
    "PolynomialLR": lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=8, power=1.5),
    "CosineAnnealingLR": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
    "CosineAnnealingWarmRestarts": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01),
    "LambdaLR (no closed form)": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, decay),
}
EPOCHS = [0, 1, 4, 2, 7, 7, 3.5, 12, 1.25, 20]


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_step_with_epoch(name):
    """step(epoch) uses the closed form (fractional epochs for the warm restarts), with torch's warnings."""
    lrs, messages = {}, {}
    for lib in (ember, torch):
        opt = sgd(lib, [lib.nn.Parameter(lib.ones(2)) for _ in range(3)])
        sched = CLOSED_FORM[name](lib, opt)
        out = []
        for epoch in EPOCHS:
            if "WarmRestarts" not in name and isinstance(epoch, float):
                continue
            opt.step()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sched.step(epoch)
            messages.setdefault(lib.__name__, []).extend(str(w.message) for w in caught)
            out.append(sched.get_last_lr())
        lrs[lib.__name__] = out
    assert messages["ember"] == messages["torch"]
    np.testing.assert_allclose(lrs["ember"], lrs["torch"], rtol=1e-12)


def test_resume_with_last_epoch():
    """A scheduler rebuilt with last_epoch >= 0 on an optimizer that has initial_lr continues the schedule."""
    lrs = {}
    for lib in (ember, torch):
        opt = sgd(lib, [lib.nn.Parameter(lib.ones(2)) for _ in range(3)])
        lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=3)
        out = []
        for _ in range(5):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        lrs[lib.__name__] = out
    np.testing.assert_allclose(lrs["ember"], lrs["torch"], rtol=1e-12)


def test_demo_schedule_through_a_checkpoint_file():
    """The demo's optimizer and schedule, with the mid-run states saved to and loaded from PyTorch's file format."""
    run(adamw_groups, warmup_cosine, checkpoint=True)
