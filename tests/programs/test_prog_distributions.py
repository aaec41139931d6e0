"""torch.distributions and torch.fft as training code uses them: a VAE step (Normal
reparameterisation with given noise, Bernoulli likelihood, analytic KL), REINFORCE with a
Categorical policy and entropy bonus, a PPO-style clipped ratio on an Independent Normal,
a tanh-squashed Gaussian (SAC) log-likelihood, a mixture of Gaussians fitted by maximum
likelihood, and a spectral (FFT) layer; the same program runs on torch and on ember and
every loss, gradient and parameter trajectory is compared."""
import pytest

from _harness import run_both


def vae_step(torch, show):
    D = torch.distributions
    torch.manual_seed(0)
    enc = show.same_init(torch.nn.Linear(6, 4))
    dec = show.same_init(torch.nn.Linear(2, 6))
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=0.05)
    x = torch.from_numpy((show.array(5, 6) > 0).astype("float32"))
    eps = torch.from_numpy(show.array(5, 2))
    for step in range(3):
        h = enc(x)
        mu, logvar = h[:, :2], h[:, 2:]
        q = D.Normal(mu, torch.exp(0.5 * logvar))
        z = q.loc + q.scale * eps                  # rsample with the noise fixed for both libraries
        logp = D.Bernoulli(logits=dec(z)).log_prob(x).sum(-1)
        kl = D.kl_divergence(q, D.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
        loss = (kl - logp).mean()
        opt.zero_grad()
        loss.backward()
        show(f"loss {step}", loss.item())
        show(f"encoder grad {step}", enc.weight.grad, repr=False)
        opt.step()
    show("decoder bias", dec.bias.detach())


def reinforce(torch, show):
    D = torch.distributions
    torch.manual_seed(0)
    policy = show.same_init(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)))
    opt = torch.optim.SGD(policy.parameters(), lr=0.1)
    states = torch.from_numpy(show.array(10, 4))
    actions = torch.from_numpy(show.rng.integers(0, 3, 10))
    returns = torch.from_numpy(show.array(10))
    for step in range(3):
        dist = D.Categorical(logits=policy(states))
        loss = -(dist.log_prob(actions) * returns).mean() - 0.01 * dist.entropy().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        show(f"loss {step}", loss.item())
    show("probs", dist.probs.detach())
    show("mode", dist.mode)
    show("last layer", policy[2].weight.detach())


def ppo_gaussian(torch, show):
    D = torch.distributions
    mu = torch.from_numpy(show.array(6, 2)).requires_grad_()
    log_std = torch.zeros(2, requires_grad=True)
    actions = torch.from_numpy(show.array(6, 2))
    old_logp = torch.from_numpy(show.array(6, low=-3, high=-1))
    adv = torch.from_numpy(show.array(6))
    opt = torch.optim.Adam([mu, log_std], lr=0.1)
    for step in range(4):
        pi = D.Independent(D.Normal(mu, log_std.exp()), 1)
        ratio = torch.exp(pi.log_prob(actions) - old_logp)
        loss = -torch.min(ratio * adv, torch.clamp(ratio, 0.8, 1.2) * adv).mean() - 0.01 * pi.entropy().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        show(f"loss {step}", loss.item())
    show("log_std", log_std.detach())
    show("event shape", (tuple(pi.batch_shape), tuple(pi.event_shape)))


def squashed_gaussian(torch, show):
    D = torch.distributions
    loc = torch.from_numpy(show.array(4, 3)).requires_grad_()
    scale = torch.from_numpy(show.array(4, 3, low=0.3, high=1.0)).requires_grad_()
    pre_tanh = torch.from_numpy(show.array(4, 3, low=-2, high=2))
    pi = D.TransformedDistribution(D.Normal(loc, scale), [D.TanhTransform(cache_size=1)])
    action = pi.transforms[0](pre_tanh)
    logp = pi.log_prob(action).sum(-1)
    show("log_prob", logp, repr=False)
    logp.sum().backward()
    show("d loc", loc.grad, repr=False)
    show("d scale", scale.grad, repr=False)


def gaussian_mixture(torch, show):
    D = torch.distributions
    data = torch.from_numpy(show.array(40, 2, low=-3, high=3))
    logits = torch.zeros(3, requires_grad=True)
    means = torch.from_numpy(show.array(3, 2, low=-2, high=2)).requires_grad_()
    log_scales = torch.zeros(3, 2, requires_grad=True)
    opt = torch.optim.Adam([logits, means, log_scales], lr=0.05)
    for step in range(5):
        gmm = D.MixtureSameFamily(D.Categorical(logits=logits),
                                  D.Independent(D.Normal(means, log_scales.exp()), 1))
        nll = -gmm.log_prob(data).mean()
        opt.zero_grad()
        nll.backward()
        opt.step()
        show(f"nll {step}", nll.item())
    show("means", means.detach())
    show("mixture mean", gmm.mean.detach())


def spectral_layer(torch, show):
    x = torch.from_numpy(show.array(2, 3, 8, 8))
    w = torch.from_numpy(show.array(3, 8, 5, 2, low=-0.5, high=0.5)).requires_grad_()
    opt = torch.optim.SGD([w], lr=0.1)
    target = torch.from_numpy(show.array(2, 3, 8, 8))
    for step in range(3):
        spec = torch.fft.rfft2(x, norm="ortho")
        y = torch.fft.irfft2(spec * torch.view_as_complex(w), s=x.shape[-2:], norm="ortho")
        loss = ((y - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        show(f"loss {step}", loss.item())
    show("spectrum dtype", spec.dtype)
    show("shifted freqs", torch.fft.fftshift(torch.fft.fftfreq(8)))


@pytest.mark.parametrize("program", [vae_step, reinforce, ppo_gaussian, squashed_gaussian, gaussian_mixture,
                                     spectral_layer], ids=lambda p: p.__name__)
def test_distribution_programs(program):
    run_both(program)
