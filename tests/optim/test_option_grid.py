"""Every optimizer under combinations of its options (drawn afresh from the grid each run), on float64 and
complex128 parameters of several ranks including 0-d, fed the same gradients in both libraries: six steps, then
the parameters must agree to float64 rounding. The grid covers the for-loop and foreach paths."""
import itertools

import numpy as np
import pytest
import torch

import ember
from oracle import rng

GRID = {
    "SGD": dict(momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True], weight_decay=[0, 0.1],
                maximize=[False, True], foreach=[None, True]),
    "Adam": dict(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True], foreach=[None, True],
                 decoupled_weight_decay=[False, True]),
    "AdamW": dict(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True], foreach=[None, True]),
    "Adamax": dict(weight_decay=[0, 0.1], maximize=[False, True], foreach=[None, True]),
    "Adagrad": dict(lr_decay=[0, 0.01], weight_decay=[0, 0.1], initial_accumulator_value=[0, 0.1],
                    maximize=[False, True], foreach=[None, True]),
    "Adadelta": dict(rho=[0.9, 0.5], weight_decay=[0, 0.1], maximize=[False, True], foreach=[None, True]),
    "RMSprop": dict(momentum=[0, 0.5], centered=[False, True], weight_decay=[0, 0.1], maximize=[False, True],
                    foreach=[None, True]),
    "Rprop": dict(etas=[(0.5, 1.2), (0.3, 1.5)], maximize=[False, True], foreach=[None, True]),
    "NAdam": dict(weight_decay=[0, 0.1], decoupled_weight_decay=[False, True], maximize=[False, True],
                  foreach=[None, True]),
    "RAdam": dict(weight_decay=[0, 0.1], decoupled_weight_decay=[False, True], maximize=[False, True],
                  foreach=[None, True]),
    "ASGD": dict(t0=[2, 1e6], weight_decay=[0, 0.1], maximize=[False, True], foreach=[None, True]),
}
LR = {"SGD": 0.05, "Adagrad": 0.05, "Adadelta": 0.5, "ASGD": 0.05}
SHAPES = [(3, 2), (4,), ()]


def _combos(name, count):
    grid = GRID[name]
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    combos = [c for c in combos if not (c.get("nesterov") and (c["momentum"] == 0 or c["dampening"] != 0))]
    return [combos[i] for i in rng().choice(len(combos), size=count, replace=False)]


def _random(shape, dtype, r):
    a = r.uniform(-1, 1, shape)
    return a + 1j * r.uniform(-1, 1, shape) if dtype == "complex128" else a


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
@pytest.mark.parametrize("name", GRID)
def test_option_combinations(name, dtype):
    r = rng()
    for options in _combos(name, 4):
        start = [_random(s, dtype, r) for s in SHAPES]
        grads = [[_random(s, dtype, r) for s in SHAPES] for _ in range(6)]
        final = {}
        for lib in (torch, ember):
            params = [lib.nn.Parameter(lib.tensor(np.array(a))) for a in start]
            opt = getattr(lib.optim, name)(params, lr=LR.get(name, 0.01), **options)
            for step in grads:
                for p, g in zip(params, step):
                    p.grad = lib.tensor(np.array(g))
                opt.step()
            final[lib.__name__] = [p.detach().numpy().copy() for p in params]
        for e, t in zip(final["ember"], final["torch"]):
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, err_msg=f"{name} {options} {dtype}")
