"""Fit y = sin(x) with a third-order polynomial, using autograd only.

After PyTorch's tutorial "PyTorch: Tensors and autograd". The four coefficients
start from fixed values (drawn with NumPy's seeded generator, so the run is the
same under torch and under ember: ``python -m ember.run polynomial_autograd.py``).
Prints the loss every 200 steps, then the polynomial and a RESULT line (JSON).
"""
import json
import math

import numpy as np
import torch

dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

start = np.random.default_rng(0).standard_normal(4).astype(np.float32)
a, b, c, d = (torch.tensor(v, device=device, dtype=dtype, requires_grad=True) for v in start)

learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 200 == 199:
        print(t, loss.item())
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
print("RESULT", json.dumps({"losses": losses, "coefficients": [a.item(), b.item(), c.item(), d.item()]}))
