"""'Learning PyTorch with Examples' (fit a cubic to sin(x)), every stage of the tutorial, on torch and on ember."""
import math
import random as pyrandom

import numpy as np
import pytest

from _harness import run_both


def _xy(torch, n=200, dtype=None):
    dtype = dtype or torch.float
    x = torch.linspace(-math.pi, math.pi, n, dtype=dtype)
    return x, torch.sin(x)


def tensors_manual_grad(torch, show):
    dtype = torch.float
    device = torch.device("cpu")
    x, y = _xy(torch)
    a, b, c, d = (torch.tensor(float(v), device=device, dtype=dtype) for v in show.array(4))
    learning_rate = 1e-6
    for t in range(300):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        if t % 100 == 99:
            show(f"loss {t}", loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    show("result", [a.item(), b.item(), c.item(), d.item()])
    print(f"Result: y = {a.item():.3f} + {b.item():.3f} x + {c.item():.3f} x^2 + {d.item():.3f} x^3")


def autograd_version(torch, show):
    x, y = _xy(torch, dtype=torch.float64)
    a, b, c, d = (torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in show.array(4))
    for t in range(300):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, round(loss.item(), 6))
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 1e-6 * p.grad
                p.grad = None
    show("coeffs", torch.stack([a, b, c, d]))


def custom_function_legendre(torch, show):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    x, y = _xy(torch, n=100)
    a = torch.full((), 0.0, requires_grad=True)
    b = torch.full((), -1.0, requires_grad=True)
    c = torch.full((), 0.0, requires_grad=True)
    d = torch.full((), 0.3, requires_grad=True)
    for t in range(200):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t == 0:
            show("first y_pred", y_pred, repr=False)
            print(y_pred.grad_fn.__class__.__name__)
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    show("coeffs", [a.item(), b.item(), c.item(), d.item()])


def nn_version(torch, show):
    x, y = _xy(torch)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    show("xx", xx.shape)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    show.same_init(model)
    print(model)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for t in range(200):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 50 == 49:
            show(f"loss {t}", loss.item(), rtol=1e-4)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= 1e-6 * param.grad
    linear_layer = model[0]
    show("bias", linear_layer.bias, rtol=1e-4, repr=False)
    show("weight", linear_layer.weight[:, 0], rtol=1e-4, repr=False)


@pytest.mark.parametrize("opt", ["RMSprop", "Adam", "SGD"])
def test_optim_version(opt):
    def program(torch, show):
        x, y = _xy(torch)
        xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
        model = show.same_init(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)))
        loss_fn = torch.nn.MSELoss(reduction="sum")
        kw = {"RMSprop": dict(lr=1e-3), "Adam": dict(lr=1e-3, betas=(0.9, 0.99)), "SGD": dict(lr=1e-6, momentum=0.9)}
        optimizer = getattr(torch.optim, opt)(model.parameters(), **kw[opt])
        for t in range(300):
            loss = loss_fn(model(xx), y)
            if t % 100 == 99:
                show(f"loss {t}", loss.item(), rtol=1e-3)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        show("params", [p.detach() for p in model.parameters()], rtol=1e-3, atol=1e-5, repr=False)
        show("state keys", sorted(optimizer.state_dict()["state"][0].keys()))
    run_both(program)


def custom_module(torch, show):
    class Polynomial3(torch.nn.Module):
        def __init__(self, init):
            super().__init__()
            self.a, self.b, self.c, self.d = (torch.nn.Parameter(torch.tensor(float(v))) for v in init)

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"

    x, y = _xy(torch)
    model = Polynomial3(show.array(4))
    print(model, [n for n, _ in model.named_parameters()])
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(300):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    show("string", [float(s) for s in model.string().replace("y = ", "").replace(" x^3", "").replace(" x^2", "")
                    .replace(" x", "").split(" + ")], rtol=1e-3)


def dynamic_net(torch, show):
    class DynamicNet(torch.nn.Module):
        def __init__(self, init):
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (torch.nn.Parameter(torch.tensor(float(v))) for v in init)

        def forward(self, x, n_extra):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, n_extra + 4):
                y = y + self.e * x ** exp
            return y

    x, y = _xy(torch)
    model = DynamicNet(show.array(5) * 0.1)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    choices = pyrandom.Random(0)
    for t in range(100):
        loss = criterion(model(x, choices.randint(0, 2)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    show("final loss", loss.item(), rtol=1e-4)
    show("e", model.e, rtol=1e-4, repr=False)


@pytest.mark.parametrize("program", [tensors_manual_grad, autograd_version, custom_function_legendre, nn_version,
                                     custom_module, dynamic_net], ids=lambda f: f.__name__)
def test_learning_with_examples(program):
    run_both(program)
