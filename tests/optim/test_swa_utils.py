"""ember.optim.swa_utils against torch.optim.swa_utils: the same averaged weights, buffers, counts and lrs over
a training run, with every averaging rule, and update_bn's statistics."""
import numpy as np
import pytest
import torch
import torch.optim.swa_utils as tswa

import ember
import ember.optim.swa_utils as eswa
from oracle import random_array, assert_same, same_error

SWA = {ember: eswa, torch: tswa}


def build(lib, weights):
    model = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.Tanh(), lib.nn.Linear(6, 2))
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(w))
    return model


def run(lib, averaging, use_buffers, steps=5):
    weights = RUN["weights"]
    model = build(lib, weights)
    kw = {}
    if averaging == "ema_multi":
        kw["multi_avg_fn"] = SWA[lib].get_ema_multi_avg_fn(0.9)
    elif averaging == "ema":
        kw["avg_fn"] = SWA[lib].get_ema_avg_fn(0.8)
    elif averaging == "swa_fn":
        kw["avg_fn"] = SWA[lib].get_swa_avg_fn()
    elif averaging == "swa_multi":
        kw["multi_avg_fn"] = SWA[lib].get_swa_multi_avg_fn()
    avg = SWA[lib].AveragedModel(model, use_buffers=use_buffers, **kw)
    opt = lib.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    sched = SWA[lib].SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear")
    lrs = []
    for x, y in RUN["batches"][:steps]:
        opt.zero_grad()
        ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean().backward()
        opt.step()
        sched.step()
        avg.update_parameters(model)
        lrs.append(sched.get_last_lr()[0])
    return avg, lrs


RUN = {}


@pytest.fixture(autouse=True)
def data():
    shapes = [(6, 4), (6,), (6,), (6,), (2, 6), (2,)]
    RUN["weights"] = [random_array(s) for s in shapes]
    RUN["batches"] = [(random_array((8, 4)), random_array((8, 2))) for _ in range(6)]


@pytest.mark.parametrize("averaging", ["default", "swa_fn", "swa_multi", "ema", "ema_multi"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_matches_torch(averaging, use_buffers):
    if averaging == "swa_multi" and use_buffers:     # torch's list rule refuses the integer BatchNorm counter
        same_error(lambda lib: run(lib, averaging, use_buffers))
        return
    (e, elrs), (t, tlrs) = run(ember, averaging, use_buffers), run(torch, averaging, use_buffers)
    np.testing.assert_allclose(elrs, tlrs, rtol=1e-12)
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    assert_same([es[k] for k in es], [ts[k] for k in ts], rtol=1e-4, atol=1e-5)
    x = random_array((5, 4))
    e.eval(), t.eval()
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_schedule_and_state_dict(strategy, anneal_epochs):
    out = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.3}], lr=1.0)
        sched = SWA[lib].SWALR(opt, swa_lr=[0.1, 0.02], anneal_epochs=anneal_epochs, anneal_strategy=strategy)
        lrs = []
        for _ in range(7):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        state = sched.state_dict()
        assert "anneal_func" not in state and "optimizer" not in state
        sched.load_state_dict(state)
        sched.step()
        lrs.append(sched.get_last_lr())
        out.append(lrs)
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12)


def test_update_bn_matches_torch():
    out = []
    loader = [(random_array((8, 4)), random_array((8,))) for _ in range(4)]
    for lib in (ember, torch):
        model = build(lib, RUN["weights"])
        model.eval()
        SWA[lib].update_bn([(lib.tensor(x), lib.tensor(y)) for x, y in loader], model)
        assert model.training is False
        bn = model[1]
        assert bn.momentum == 0.1
        out.append([bn.running_mean, bn.running_var, bn.num_batches_tracked])
        SWA[lib].update_bn([lib.tensor(x) for x, _ in loader], lib.nn.Linear(4, 2))   # no BatchNorm: no-op
    assert_same(*out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", [
    lambda lib: SWA[lib].get_ema_multi_avg_fn(1.5),
    lambda lib: SWA[lib].get_ema_avg_fn(-0.1),
    lambda lib: SWA[lib].AveragedModel(lib.nn.Linear(2, 2), avg_fn=SWA[lib].get_swa_avg_fn(),
                                       multi_avg_fn=SWA[lib].get_swa_multi_avg_fn()),
    lambda lib: SWA[lib].SWALR(lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0), 0.1, anneal_strategy="x"),
    lambda lib: SWA[lib].SWALR(lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0), 0.1, anneal_epochs=-1),
    lambda lib: SWA[lib].SWALR(lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0), [0.1, 0.2]),
])
def test_errors_match_torch(case):
    same_error(case)


def test_swa_utils_loads_lazily():
    import subprocess
    import sys
    code = ("import sys, ember; ember.optim; assert 'ember.optim.swa_utils' not in sys.modules; "
            "ember.optim.swa_utils.AveragedModel")
    subprocess.run([sys.executable, "-c", code], check=True)
