"""Every optimizer (and its main options) against torch: 50 steps of the same
model on the same data, parameters compared after every step, state_dict
contents compared and reloaded into a fresh optimizer mid-run."""
import pytest

from trajectory import run


def groups(lib, params, **second):
    """Two param groups, the second with its own hyper-parameters."""
    return [{"params": params[:2]}, dict(params=params[2:], **second)]


CASES = {
    "SGD": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "SGD momentum dampening": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.3),
    "SGD nesterov weight_decay": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True,
                                                              weight_decay=0.1),
    "SGD maximize": lambda lib, p: lib.optim.SGD(p, lr=0.02, momentum=0.5, maximize=True, weight_decay=0.01),
    "SGD groups": lambda lib, p: lib.optim.SGD(groups(lib, p, lr=0.01, momentum=0.9), lr=0.1),
    "SGD tensor lr": lambda lib, p: lib.optim.SGD(p, lr=lib.tensor(0.05), momentum=0.9),
    "Adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "Adam amsgrad weight_decay": lambda lib, p: lib.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.1),
    "Adam maximize betas": lambda lib, p: lib.optim.Adam(p, lr=0.005, betas=(0.8, 0.99), maximize=True),
    "Adam maximize weight_decay": lambda lib, p: lib.optim.Adam(p, lr=0.005, maximize=True, weight_decay=0.05),
    "Adam tensor lr": lambda lib, p: lib.optim.Adam(p, lr=lib.tensor(0.01)),
    "Adam decoupled": lambda lib, p: lib.optim.Adam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "AdamW": lambda lib, p: lib.optim.AdamW(p, lr=0.01),
    "AdamW amsgrad maximize": lambda lib, p: lib.optim.AdamW(p, lr=0.01, amsgrad=True, maximize=True,
                                                             weight_decay=0.1),
    "AdamW groups fused": lambda lib, p: lib.optim.AdamW(groups(lib, p, lr=0.002, weight_decay=0.5), lr=0.01,
                                                         fused=False, foreach=False),
    "AdamW fused": lambda lib, p: lib.optim.AdamW(p, lr=0.01, fused=True),
    "Adam foreach": lambda lib, p: lib.optim.Adam(p, lr=0.01, foreach=True, weight_decay=0.01),
    "SGD foreach": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, foreach=True),
    "Adagrad": lambda lib, p: lib.optim.Adagrad(p, lr=0.05),
    "Adagrad lr_decay weight_decay init maximize": lambda lib, p: lib.optim.Adagrad(
        p, lr=0.05, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2, maximize=True),
    "Adamax": lambda lib, p: lib.optim.Adamax(p, lr=0.01),
    "Adamax weight_decay maximize": lambda lib, p: lib.optim.Adamax(p, lr=0.01, betas=(0.8, 0.99),
                                                                  weight_decay=0.1, maximize=True),
    "NAdam": lambda lib, p: lib.optim.NAdam(p, lr=0.01),
    "NAdam weight_decay momentum_decay": lambda lib, p: lib.optim.NAdam(p, lr=0.01, weight_decay=0.1,
                                                                       momentum_decay=0.01),
    "NAdam decoupled maximize": lambda lib, p: lib.optim.NAdam(p, lr=0.01, weight_decay=0.1,
                                                              decoupled_weight_decay=True, maximize=True),
    "RAdam": lambda lib, p: lib.optim.RAdam(p, lr=0.01),
    "RAdam weight_decay maximize": lambda lib, p: lib.optim.RAdam(p, lr=0.01, weight_decay=0.1, maximize=True),
    "RAdam decoupled betas": lambda lib, p: lib.optim.RAdam(p, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1,
                                                           decoupled_weight_decay=True),
    "RMSprop": lambda lib, p: lib.optim.RMSprop(p, lr=0.005),
    "RMSprop centered momentum": lambda lib, p: lib.optim.RMSprop(p, lr=0.002, centered=True, momentum=0.8),
    "RMSprop momentum weight_decay maximize": lambda lib, p: lib.optim.RMSprop(
        p, lr=0.002, alpha=0.9, momentum=0.5, weight_decay=0.1, maximize=True),
    "RMSprop centered": lambda lib, p: lib.optim.RMSprop(p, lr=0.002, centered=True, eps=1e-6),
    "Adadelta": lambda lib, p: lib.optim.Adadelta(p),
    "Adadelta rho weight_decay maximize": lambda lib, p: lib.optim.Adadelta(p, lr=0.5, rho=0.8, weight_decay=0.1,
                                                                          maximize=True),
    "Rprop": lambda lib, p: lib.optim.Rprop(p, lr=0.01),
    "Rprop etas step_sizes maximize": lambda lib, p: lib.optim.Rprop(p, lr=0.02, etas=(0.3, 1.5),
                                                                    step_sizes=(1e-4, 0.05), maximize=True),
    "ASGD": lambda lib, p: lib.optim.ASGD(p, lr=0.05),
    "ASGD averaging weight_decay maximize": lambda lib, p: lib.optim.ASGD(
        p, lr=0.05, lambd=1e-3, alpha=0.5, t0=10, weight_decay=0.1, maximize=True),
    "Adafactor": lambda lib, p: lib.optim.Adafactor(p, lr=0.05),
    "Adafactor weight_decay beta2_decay d maximize": lambda lib, p: lib.optim.Adafactor(
        p, lr=0.05, weight_decay=0.1, beta2_decay=-0.5, d=2.0, maximize=True),
    "Adafactor eps tensor lr": lambda lib, p: lib.optim.Adafactor(p, lr=lib.tensor(0.02), eps=(1e-30, 1e-2)),
    # Muon orthogonalises in bfloat16 (ember rounds where torch's kernels round): 2-d parameters only
    "Muon": lambda lib, p: lib.optim.Muon([q for q in p if q.dim() == 2], lr=0.02),
    "Muon plain momentum match_rms_adamw": lambda lib, p: lib.optim.Muon(
        [q for q in p if q.dim() == 2], lr=0.02, nesterov=False, momentum=0.9, adjust_lr_fn="match_rms_adamw"),
    "LBFGS": lambda lib, p: lib.optim.LBFGS(p, lr=0.2, max_iter=4, history_size=5),  # lr 0.5 diverges at times
    "LBFGS strong_wolfe": lambda lib, p: lib.optim.LBFGS(p, lr=1, max_iter=3, history_size=3,
                                                         line_search_fn="strong_wolfe", tolerance_change=1e-30),
}


@pytest.mark.parametrize("name", CASES)
def test_trajectory(name):
    if name.startswith("LBFGS"):
        # quasi-Newton steps amplify rounding differences (torch's kernels use FMA) exponentially: in float32
        # they pass any fixed tolerance within a few steps, in float64 after 30-40 steps of 3-4 iterations
        # each (~1e-10 at step 12, then growing). So: float64, 20 steps, reload at 10.
        run(CASES[name], closure=True, dtype="float64", tol=(1e-5, 1e-7), steps=20, reload_at=10)
    elif name.startswith("Muon"):
        # bfloat16 Newton-Schulz: now and then an update entry lands one bfloat16 rounding step (1/128 of it)
        # apart, a different summation order in a product; at lr 0.02 that moves a weight by ~1.6e-4, and the
        # gradients follow the weights, so the gap grows: 10 steps
        run(CASES[name], steps=10, reload_at=5, tol=(1e-3, 1e-3))
    else:
        run(CASES[name], maximize="maximize" in name)


MIXED = ["Adam amsgrad weight_decay", "Adam maximize weight_decay", "AdamW amsgrad maximize", "AdamW groups fused",
         "Adamax weight_decay maximize", "RAdam decoupled betas", "RMSprop centered momentum", "Adagrad",
         "Adadelta", "SGD momentum dampening", "SGD nesterov weight_decay", "SGD maximize", "SGD",
         "Rprop etas step_sizes maximize"]


@pytest.mark.parametrize("name", MIXED)
def test_trajectory_one_by_one_and_chunked(name, monkeypatch):
    """The model's parameters are all small, so test_trajectory runs the packed path (_packed.py); here the
    biases are packed and the matrices updated one by one, in slices of 7 numbers (``pieces``) shared by three
    threads (adam); 20 steps are enough to cover these paths."""
    from ember import _parallel
    from ember.optim import _functional, _packed
    monkeypatch.setattr(_packed, "SMALL", 10)
    monkeypatch.setattr(_functional, "CHUNK", 7)
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)           # and the slices go to three threads
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 3)
    run(CASES[name], maximize="maximize" in name, steps=20, reload_at=10)


def test_float64_trajectory():
    run(CASES["AdamW amsgrad maximize"], dtype="float64", tol=(1e-9, 1e-11), maximize=True)


@pytest.mark.parametrize("name", ["Adam amsgrad weight_decay", "AdamW", "RMSprop", "Adagrad",
                                  "SGD momentum dampening", "NAdam"])
def test_parameter_with_intermittent_gradient(name):
    """One parameter has a gradient on every third step only (None otherwise, after zero_grad): it is skipped
    then, its step count lags behind the others', and the packed update must cope."""
    run(CASES[name], intermittent=True, steps=30, reload_at=13)
