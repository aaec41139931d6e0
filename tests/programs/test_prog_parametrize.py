"""Programs using parametrizations as PyTorch users write them: a spectral-normalized GAN discriminator, a
weight-normalized MLP with an orthogonal recurrent matrix, a user-defined parametrization with ``cached()``,
and the hook-based weight_norm / spectral_norm; trained a few steps and compared with torch."""
import warnings

import pytest

from _harness import run_both


def sn_discriminator(torch, show):
    nn = torch.nn
    P = nn.utils.parametrizations
    model = nn.Sequential(
        P.spectral_norm(nn.Conv2d(3, 8, 3, stride=2, padding=1)), nn.LeakyReLU(0.2),
        P.spectral_norm(nn.Conv2d(8, 8, 3, stride=2, padding=1)), nn.LeakyReLU(0.2),
        nn.Flatten(), P.spectral_norm(nn.Linear(8 * 2 * 2, 1)))
    show.same_init(model)          # weights and torch's random power-iteration vectors
    print(model)
    show("keys", list(model.state_dict().keys()))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, betas=(0.0, 0.9))
    real = torch.from_numpy(show.array(4, 3, 8, 8))
    for step in range(3):
        opt.zero_grad()
        loss = nn.functional.softplus(-model(real)).mean()
        loss.backward()
        opt.step()
        show(f"loss {step}", loss)
    show("u after training", model[0].parametrizations.weight[0]._u)
    model.eval()
    show("eval output", model(real))
    sigma = torch.linalg.matrix_norm(model[5].weight.detach(), ord=2)
    show("spectral norm of the normalized weight", sigma, rtol=1e-3)


def weight_norm_and_orthogonal(torch, show):
    nn = torch.nn
    P = nn.utils.parametrizations
    parametrize = nn.utils.parametrize

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = P.weight_norm(nn.Linear(4, 6))
            self.rec = P.orthogonal(nn.Linear(6, 6, bias=False))
            self.out = nn.Linear(6, 2)

        def forward(self, xs):
            h = torch.zeros(xs.shape[0], 6)
            with parametrize.cached():          # rec.weight computed once for all steps
                for t in range(xs.shape[1]):
                    h = torch.tanh(self.inp(xs[:, t]) + self.rec(h))
            return self.out(h)

    model = show.same_init(Net())
    print(model)
    show("is_parametrized", [parametrize.is_parametrized(m) for m in (model.inp, model.rec, model.out)])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    xs = torch.from_numpy(show.array(5, 3, 4))
    target = torch.from_numpy(show.array(5, 2))
    for step in range(4):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xs), target)
        loss.backward()
        opt.step()
        show(f"loss {step}", loss)
    w = model.rec.weight
    show("orthogonal", torch.allclose(w.T @ w, torch.eye(6), atol=1e-5))
    show("g", model.inp.parametrizations.weight.original0)
    parametrize.remove_parametrizations(model.rec, "weight")
    parametrize.remove_parametrizations(model.inp, "weight", leave_parametrized=True)
    print(model)
    show("keys after removal", list(model.state_dict().keys()))
    show("output after removal", model(xs))


def user_parametrization(torch, show):
    nn = torch.nn
    parametrize = nn.utils.parametrize

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class LowRank(nn.Module):
        def forward(self, U, V):
            return U @ V.T

        def right_inverse(self, W):
            return W[:, :2].clone(), torch.eye(W.shape[1])[:, :2].clone()

    layer = show.same_init(nn.Linear(4, 4))
    parametrize.register_parametrization(layer, "weight", Symmetric())
    show("symmetric", torch.equal(layer.weight, layer.weight.T))
    A = torch.from_numpy(show.array(4, 4))
    layer.weight = A + A.T
    show("assigned", layer.weight)
    show("original", layer.parametrizations.weight.original)
    low = nn.Linear(3, 5)
    parametrize.register_parametrization(low, "weight", LowRank())
    print(low)
    show("low rank keys", list(low.state_dict().keys()))
    show("low rank shapes", [tuple(p.shape) for p in low.parameters()])
    show.raises("shape change", lambda: parametrize.register_parametrization(
        nn.Linear(3, 3), "weight", type("Cut", (nn.Module,), {"forward": lambda self, x: x[:2]})()))
    show.raises("no such tensor", lambda: parametrize.register_parametrization(nn.Linear(3, 3), "wieght",
                                                                               Symmetric()))


def hook_versions(torch, show):
    nn = torch.nn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = nn.Sequential(nn.utils.weight_norm(nn.Linear(3, 4), dim=None), nn.ReLU(),
                              nn.utils.spectral_norm(nn.Linear(4, 2)))
    show.same_init(model)
    show("keys", list(model.state_dict().keys()))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.from_numpy(show.array(6, 3))
    for step in range(3):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        show(f"loss {step}", loss)
    show("weight_u", model[2].weight_u)
    nn.utils.remove_weight_norm(model[0])
    nn.utils.remove_spectral_norm(model[2])
    show("keys after removal", list(model.state_dict().keys()))
    show("output after removal", model(x))


@pytest.mark.parametrize("program", [sn_discriminator, weight_norm_and_orthogonal, user_parametrization,
                                     hook_versions])
def test_parametrize_programs(program):
    run_both(program)
