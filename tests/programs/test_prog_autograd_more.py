"""Autograd as programs use it beyond the basics: hooks, retain_grad, detach, in-place on leaves and on saved
tensors, grad modes, higher-order gradients, autograd.functional, and the errors common mistakes raise."""
import numpy as np
import pytest

from _harness import run_both


def hooks_and_modes(torch, show):
    x = torch.from_numpy(show.array(3)).requires_grad_()
    seen = []
    h = x.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    y = (x * x).sum()
    y.backward()
    show("hooked grad", x.grad)
    show("hook saw", seen)
    h.remove()
    x.grad = None
    (x * 3).sum().backward()
    show("after remove", x.grad)
    z = x * 2
    z.retain_grad()
    w = z.tanh().sum()
    w.backward()
    show("retained", z.grad)
    show("is_leaf", (x.is_leaf, z.is_leaf, x.detach().is_leaf, x.detach().requires_grad))
    d = x.detach()
    d.add_(1)
    show("detach shares memory", x)
    with torch.set_grad_enabled(False):
        show("set_grad_enabled(False)", (x * 2).requires_grad)
    with torch.inference_mode():
        q = x * 2
    show("inference_mode", (q.requires_grad, torch.is_grad_enabled()))
    with torch.no_grad():
        with torch.enable_grad():
            show("enable_grad inside no_grad", (x * 2).requires_grad)

    @torch.no_grad()
    def predict(v):
        return v * 2

    show("decorated", predict(x).requires_grad)
    a = torch.ones(2, requires_grad=True)
    show.raises("in-place on leaf", lambda: a.add_(1))
    b = a * 1
    s = b.sigmoid()
    s.mul_(2)
    show.raises("modified saved tensor", lambda: s.sum().backward())
    c = a.exp()
    c.add_(1)                                      # exp saves its result: modified in place
    show.raises("exp result modified", lambda: c.sum().backward())
    show.raises("numpy of requires_grad", lambda: a.numpy())
    show("detach().numpy()", a.detach().numpy())
    show.raises("backward without grad", lambda: torch.ones(2).sum().backward())
    show.raises("grad of non-scalar", lambda: torch.autograd.grad(a * 2, a))
    show("grad_outputs", torch.autograd.grad(a * 2, a, grad_outputs=torch.tensor([1.0, 3.0])))
    show("version", (a._version, b._version, s._version))
    show("requires_grad_ on non-leaf", show.raises("requires_grad_(False) non-leaf", lambda: b.requires_grad_(False)) is None)


def higher_order(torch, show):
    x = torch.tensor([0.5, 1.5, -1.0], dtype=torch.float64, requires_grad=True)
    y = (x.sin() * x ** 2).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    show("g", g)
    (gg,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    show("gg", gg)
    (ggg,) = torch.autograd.grad(gg.sum(), x)
    show("ggg", ggg)
    F = torch.autograd.functional
    f = lambda v: (v.exp() * v).sum()
    show("hessian", F.hessian(f, x))
    show("jacobian vec", F.jacobian(lambda v: v.softmax(0), x))
    show("jacobian create_graph", F.jacobian(lambda v: v ** 3, x, create_graph=True).requires_grad)
    show("jacobian vectorize", F.jacobian(lambda v: v.tanh(), x, vectorize=True))
    show("jvp", F.jvp(lambda v: v ** 2, x, torch.ones(3, dtype=torch.float64)))
    show("hvp", F.hvp(f, x, torch.ones(3, dtype=torch.float64)))
    show("vhp", F.vhp(f, x, torch.ones(3, dtype=torch.float64)))
    W = torch.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=torch.float64)
    show("jacobian of two", F.jacobian(lambda a, b: a @ b, (W, x[:2])))
    show("hessian of two", F.hessian(lambda a, b: (a * b).sum(), (x[:2].detach(), x[1:].detach())))
    show("gradcheck", torch.autograd.gradcheck(lambda v: (v ** 3).sum(), (x,)))
    show("gradgradcheck", torch.autograd.gradgradcheck(lambda v: (v.sin() * v).sum(), (x,)))


def complex_autograd(torch, show):
    z = torch.tensor([1.0 + 2.0j, -0.5 + 0.25j], requires_grad=True)
    loss = (z.abs() ** 2).sum()
    loss.backward()
    show("|z|^2 grad", z.grad)
    z.grad = None
    (z * z.conj()).real.sum().backward()
    show("z z* grad", z.grad)
    w = torch.tensor([0.3 - 1.0j], dtype=torch.complex128, requires_grad=True)
    (w.exp().imag + w.real ** 2).sum().backward()
    show("exp grad", w.grad)
    show("angle", torch.angle(z.detach()))
    show.raises("backward on complex", lambda: (z * 2).sum().backward())


def common_mistakes(torch, show):
    nn = torch.nn
    lin = nn.Linear(4, 2)
    show.raises("linear wrong features", lambda: lin(torch.ones(3, 5)))
    show.raises("linear double input", lambda: lin(torch.ones(3, 4, dtype=torch.float64)))
    show.raises("linear int input", lambda: lin(torch.ones(3, 4, dtype=torch.long)))
    ce = nn.CrossEntropyLoss()
    show.raises("ce float class targets", lambda: ce(torch.ones(3, 4), torch.tensor([1.0, 2.0, 0.0])))
    show.raises("ce int32 targets", lambda: ce(torch.ones(3, 4), torch.tensor([1, 2, 0], dtype=torch.int32)))
    show.raises("ce target out of range", lambda: ce(torch.ones(3, 4), torch.tensor([1, 2, 4])))
    show.raises("ce batch mismatch", lambda: ce(torch.ones(3, 4), torch.tensor([1, 2])))
    show.raises("view non-contiguous", lambda: torch.ones(2, 3).t().view(6))
    show("reshape non-contiguous", torch.arange(6).view(2, 3).t().reshape(6))
    show.raises("cat shapes", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]))
    show.raises("stack shapes", lambda: torch.stack([torch.ones(2), torch.ones(3)]))
    show.raises("index out of range", lambda: torch.ones(3)[3])
    show.raises("matmul 1d mismatch", lambda: torch.ones(3) @ torch.ones(4))
    show.raises("item of empty", lambda: torch.ones(0).item())
    show.raises("bad view", lambda: torch.ones(6).view(4, 2))
    show.raises("dim out of range", lambda: torch.ones(2, 2).sum(dim=2))
    show.raises("mse int", lambda: nn.MSELoss()(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long)))
    show.raises("tensor of ragged", lambda: torch.tensor([[1, 2], [3]]))
    show.raises("embedding long weight", lambda: nn.Embedding(3, 2)(torch.tensor([[0.5]])))
    show.raises("optimizer empty", lambda: torch.optim.SGD([], lr=0.1))
    show.raises("optimizer bad lr", lambda: torch.optim.Adam(lin.parameters(), lr=-1.0))
    show.raises("load_state_dict missing", lambda: lin.load_state_dict({"weight": torch.ones(2, 4)}))
    show.raises("module not called with tensor", lambda: lin([1.0, 2.0, 3.0, 4.0]))
    show.raises("conv2d 3-channel to 1-channel", lambda: nn.Conv2d(1, 2, 3)(torch.ones(1, 3, 8, 8)))
    show.raises("softmax int", lambda: torch.tensor([1, 2]).softmax(0))
    show.raises("unknown attribute", lambda: lin.wieght)
    show.raises("bool sub", lambda: torch.tensor([True]) - torch.tensor([False]))
    show.raises("int add_ float", lambda: torch.ones(2, dtype=torch.long).add_(0.5))
    show.raises("zero_grad on None ok", lambda: lin.zero_grad())
    show.raises("expand bad", lambda: torch.ones(2, 3).expand(3, 3))
    show.raises("from_numpy object", lambda: torch.from_numpy(np.array(["a"])))
    show.raises("requires_grad int tensor", lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True))
    with np.errstate(all="ignore"):
        show("div by zero", torch.tensor([1.0, -1.0, 0.0]) / 0)
    show("int div", torch.tensor([5, -5]) // 2)
    show.raises("int div by zero", lambda: torch.tensor([5]) // 0)
    show("true div int", torch.tensor([5, -5]) / 2)


@pytest.mark.parametrize("program", [hooks_and_modes, higher_order, complex_autograd, common_mistakes],
                         ids=lambda f: f.__name__)
def test_autograd_more(program):
    run_both(program)
