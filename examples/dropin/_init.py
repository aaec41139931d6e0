"""Shared by the example scripts: start a model from NumPy-drawn weights.

torch and ember draw different random streams, so the examples never rely on
torch.manual_seed for their starting point: every parameter is filled from
NumPy's seeded generator instead, in the order ``named_parameters()`` lists them.
"""
import numpy as np
import torch


def init_from_numpy(model, seed):
    """Fill every parameter: matrices ~ N(0, 1/fan_in), norm weights ~ 1 + N(0, 0.05^2), biases ~ N(0, 0.02^2)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = rng.standard_normal(tuple(p.shape))
            if p.dim() >= 2:
                values = noise / np.sqrt(p.shape[-1])
            elif name.endswith("weight"):
                values = 1.0 + 0.05 * noise
            else:
                values = 0.02 * noise
            p.copy_(torch.from_numpy(values.astype(np.float32)))
