"""The nn.Module surface programs lean on: registration, buffers, hooks, apply/init, dtype moves, freezing,
deepcopy, containers, state_dict round trips, and a custom collate DataLoader, vs torch."""
import copy
from collections import OrderedDict

import pytest

from _harness import run_both


def _net(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.fc = nn.Linear(d, d)
            self.norm = nn.LayerNorm(d)
            self.register_buffer("scale", torch.ones(d))
            self.register_buffer("tmp", torch.zeros(1), persistent=False)

        def forward(self, x):
            return self.norm(self.fc(x)) * self.scale + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([Block(6) for _ in range(2)])
            self.heads = nn.ModuleDict({"cls": nn.Linear(6, 3), "reg": nn.Linear(6, 1)})
            self.alpha = nn.Parameter(torch.tensor(0.5))
            self.bn = nn.BatchNorm1d(6)

        def forward(self, x):
            for b in self.blocks:
                x = b(x)
            x = self.bn(x) * self.alpha
            return self.heads["cls"](x), self.heads["reg"](x)

    return Net()


def module_surface(torch, show):
    nn = torch.nn
    net = show.same_init(_net(torch))
    print(net)
    show("named_parameters", [(n, tuple(p.shape)) for n, p in net.named_parameters()])
    show("named_buffers", [n for n, _ in net.named_buffers()])
    show("state_dict keys", list(net.state_dict()))
    show("children", [type(m).__name__ for m in net.children()])
    show("named_modules", [n for n, _ in net.named_modules()])
    show("num params", sum(p.numel() for p in net.parameters()))
    calls = []
    h1 = net.blocks[0].register_forward_hook(lambda m, inp, out: calls.append(("fwd", tuple(out.shape))))
    h2 = net.register_forward_pre_hook(lambda m, inp: calls.append(("pre", len(inp))))
    h3 = net.heads["cls"].register_full_backward_hook(lambda m, gi, go: calls.append(("bwd", tuple(go[0].shape))))
    x = torch.from_numpy(show.array(5, 6))
    cls, reg = net(x)
    (cls.sum() + reg.sum()).backward()
    show("hook calls", calls)
    for h in (h1, h2, h3):
        h.remove()
    show("cls", cls, repr=False)
    show("alpha grad", net.alpha.grad, rtol=1e-4, atol=1e-5, repr=False)   # ~0: BatchNorm output sums to 0
    show("bn running_mean", net.bn.running_mean, rtol=1e-4, atol=1e-6)
    show("num_batches_tracked", net.bn.num_batches_tracked)
    net.eval()
    show("training flags", [m.training for m in net.modules()])
    with torch.no_grad():
        show("eval output", net(x)[0], rtol=1e-4, atol=1e-5, repr=False)
    net.train()

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.01)
            nn.init.zeros_(m.bias)

    net.apply(init_weights)
    show("after apply", net.heads["reg"].weight)
    nn.init.xavier_uniform_(net.blocks[0].fc.weight)
    bound = (6.0 / (6 + 6)) ** 0.5
    show("xavier bound", bool(net.blocks[0].fc.weight.abs().max() <= bound))
    nn.init.kaiming_normal_(net.blocks[1].fc.weight, mode="fan_out", nonlinearity="relu")
    show("kaiming shape", net.blocks[1].fc.weight.shape)
    nn.init.normal_(net.heads["cls"].weight, mean=0.0, std=0.02)
    nn.init.ones_(net.blocks[1].norm.weight)
    net.requires_grad_(False)
    show("frozen", [p.requires_grad for p in net.parameters()])
    for p in net.heads.parameters():
        p.requires_grad = True
    show("trainable", [n for n, p in net.named_parameters() if p.requires_grad])
    d = net.double()
    show("double dtypes", sorted({str(p.dtype) for p in d.parameters()} | {str(b.dtype) for b in d.buffers()}))
    h = copy.deepcopy(net).half()
    show("half dtypes", sorted({str(p.dtype) for p in h.parameters()}))
    show("original after deepcopy+half", str(net.alpha.dtype))
    net.float()
    net.to(torch.float64)
    show("to(float64)", str(net.alpha.dtype))
    net.to("cpu", torch.float32)
    show("to(cpu, float32)", str(net.alpha.dtype))
    net.zero_grad()
    show("grads after zero_grad", [p.grad for p in net.parameters()][:2])
    sd = net.state_dict()
    show("state_dict detached", [v.requires_grad for v in sd.values()][:3])
    net2 = _net(torch)
    show("load result", str(net2.load_state_dict(sd)))
    show("same after load", all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), net2.state_dict().values())))
    show("add_module", str(net.add_module("extra", nn.Identity())))
    show("getattr extra", type(net.extra).__name__)
    delattr(net, "extra")
    show("hasattr after del", hasattr(net, "extra"))
    seq = nn.Sequential(OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.ReLU())]))
    seq.append(nn.Linear(2, 1))
    show("seq", seq)
    show("seq len/index", (len(seq), type(seq[-1]).__name__, type(seq.a).__name__))
    seq2 = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seq2.insert(1, nn.Tanh())
    show("seq after insert", seq2)
    ml = nn.ModuleList()
    ml.append(nn.Linear(1, 1))
    ml.extend([nn.ReLU(), nn.Sigmoid()])
    show("modulelist", (len(ml), [type(m).__name__ for m in ml], type(ml[1:]).__name__))
    pl = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(2)])
    pd = nn.ParameterDict({"w": nn.Parameter(torch.zeros(1))})
    show("param containers", (len(pl), list(pd.keys()), [n for n, _ in nn.ModuleDict({"p": pd}).named_parameters()]))
    show("extra_repr", nn.Linear(2, 3).extra_repr())
    show("type check", (isinstance(net.alpha, nn.Parameter), isinstance(net.alpha, torch.Tensor)))
    show("parameter repr", nn.Parameter(torch.tensor([1.0, 2.0])))
    show("buffer update", (net.blocks[0].scale.mul_(2), net.state_dict()["blocks.0.scale"])[1])


def custom_collate(torch, show):
    data = torch.utils.data

    class Seqs(data.Dataset):
        def __init__(self, rng):
            self.items = [rng.integers(1, 9, size=rng.integers(1, 6)).tolist() for _ in range(7)]

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return torch.tensor(self.items[i]), len(self.items[i])

    def pad_collate(batch):
        seqs, lens = zip(*batch)
        padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=0)
        return padded, torch.tensor(lens)

    ds = Seqs(show.rng)
    for padded, lens in data.DataLoader(ds, batch_size=3, collate_fn=pad_collate):
        show("padded", padded)
        show("lens", lens)
    sampler = data.SequentialSampler(ds)
    show("sequential", list(sampler))
    bs = data.BatchSampler(sampler, batch_size=3, drop_last=False)
    show("batch sampler", list(bs))
    loader = data.DataLoader(ds, batch_sampler=bs, collate_fn=pad_collate)
    show("len loader", len(loader))
    wr = data.WeightedRandomSampler([0.0, 0.0, 1.0], num_samples=4, replacement=True)
    show("weighted", list(wr))
    td = data.TensorDataset(torch.arange(10.0).view(5, 2), torch.arange(5))
    show("default collate", [b for b in data.DataLoader(td, batch_size=2)])
    show("no batching", [b for b in data.DataLoader(td, batch_size=None)][:2])
    show("default_collate nested", data.default_collate([{"a": (1, 2.0), "b": [torch.ones(2)]},
                                                         {"a": (3, 4.0), "b": [torch.zeros(2)]}]))


@pytest.mark.parametrize("program", [module_surface, custom_collate], ids=lambda f: f.__name__)
def test_module_api(program):
    run_both(program)
