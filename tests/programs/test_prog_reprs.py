"""What programs print: tensors of every kind (summarised, scientific, nan/inf, ints, bools, complex, half),
modules (every common layer and container), optimizers, schedulers and grad_fn names, as torch prints them."""
import pytest

from _harness import run_both


def tensor_prints(torch, show):
    print(torch.arange(2000))
    print(torch.arange(2000.0).reshape(40, 50) / 7)
    print(torch.tensor([1e-8, 1.0, 1e8]), torch.tensor([0.001, 0.01]), torch.tensor([123456789.0]))
    print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]), torch.tensor([-0.0, 0.0]))
    print(torch.tensor([10**12, -5]), torch.tensor([[True, False], [False, True]]))
    print(torch.tensor([1.0 + 2.0j, -3.5 - 0.25j]), torch.tensor([0.5, 1e-3], dtype=torch.float16))
    print(torch.tensor([1, 2], dtype=torch.uint8), torch.tensor([1, 2], dtype=torch.int32), torch.tensor(7))
    print(torch.tensor(2.5, dtype=torch.float64), torch.tensor([], dtype=torch.int64), torch.zeros(2, 0, 3))
    print(torch.ones(2, 3, 4) * 0.5, torch.tensor([[1.0, 2.0]], requires_grad=True))
    print(torch.tensor([1.123456789, 2.0], dtype=torch.float64), torch.tensor([100.0, 0.5]))
    print(torch.arange(6.0).reshape(1, 2, 3).requires_grad_() * 2)
    print(torch.tensor([3.0]).expand(2, 3), torch.tensor([1, 2, 3])[torch.tensor([True, False, True])])
    print(torch.nn.Parameter(torch.zeros(2, 2)))
    print(str(torch.tensor([1.5])), repr(torch.Size([2, 3])), torch.Size([]), torch.float32, torch.int64)
    print(torch.device("cpu"), torch.device("cpu", 0) if False else torch.device("cpu"), torch.tensor([1]).device)
    print(torch.finfo(torch.float32).eps, torch.iinfo(torch.int8).max, torch.finfo(torch.float16).max)
    print(torch.finfo(torch.float32), torch.finfo(torch.bfloat16), torch.iinfo(torch.int32), torch.iinfo(torch.int64))
    print(torch.iinfo(torch.uint8), torch.iinfo(torch.int16))
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    print(x.detach(), x.data, x.clone(), x.sum(), x.mean(dim=0, keepdim=True), x[0], x.view(2, 1), x.t())
    print(x.exp(), x.log(), x.sigmoid(), x.tanh(), x.relu(), x.pow(2), x / 2, x - 1, -x, x.abs(), x.sqrt())
    print(x.max(), x.min(0), x.unsqueeze(0), x.reshape(1, 2), x.expand(2, 2), x.repeat(2), x.norm(), x.float())
    print(x.double(), x.half(), x.to(torch.float64), x.masked_fill(x > 1, 0), x.cumsum(0), x.softmax(0))
    print(torch.cat([x, x]), torch.stack([x, x]), torch.where(x > 1, x, 0.0), x.clamp(max=1.5), x.var())
    torch.set_printoptions(precision=2)
    print(torch.tensor([1.23456, 2.5]))
    torch.set_printoptions(profile="default")
    print(torch.tensor([1.23456, 2.5]))


def module_prints(torch, show):
    nn = torch.nn
    layers = [nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.Conv1d(4, 4, 5, groups=2, dilation=2),
              nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1), nn.BatchNorm2d(8), nn.BatchNorm1d(4, affine=False),
              nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1), nn.AdaptiveAvgPool2d((1, 1)), nn.LSTM(10, 20, 2),
              nn.GRU(8, 16, batch_first=True, bidirectional=True), nn.RNN(4, 4, nonlinearity="relu"),
              nn.Embedding(10, 3, padding_idx=1), nn.LayerNorm((4, 5)), nn.GroupNorm(2, 4), nn.Dropout(0.2),
              nn.Dropout2d(), nn.LeakyReLU(0.2), nn.ELU(), nn.Tanh(), nn.Sigmoid(), nn.Softplus(), nn.SiLU(),
              nn.Hardtanh(-2, 2), nn.LogSoftmax(dim=1), nn.Softmax(dim=-1), nn.Identity(), nn.Flatten(),
              nn.Unflatten(1, (2, 2)), nn.CrossEntropyLoss(), nn.MSELoss(reduction="sum"), nn.NLLLoss(),
              nn.BCEWithLogitsLoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.MultiheadAttention(8, 2),
              nn.TransformerEncoderLayer(8, 2, 16), nn.Bilinear(2, 3, 4), nn.PReLU(), nn.GELU(approximate="tanh"),
              nn.ZeroPad2d(1), nn.InstanceNorm2d(3), nn.Linear(2, 3, bias=False)]
    for layer in layers:
        print(layer)
    seq = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    print(seq)
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    print(ml)
    md = nn.ModuleDict({"enc": nn.Linear(2, 2), "act": nn.ReLU()})
    print(md)
    from collections import OrderedDict
    print(nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("out", nn.Softmax(dim=1))])))
    print(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2,
                                enable_nested_tensor=False))
    print(nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.zeros(3, 1))]))


def optim_prints(torch, show):
    params = [torch.nn.Parameter(torch.ones(2))]
    for opt in [torch.optim.SGD(params, lr=0.1), torch.optim.Adam(params), torch.optim.AdamW(params, lr=1e-3),
                torch.optim.RMSprop(params, lr=0.01), torch.optim.Adagrad(params)]:
        print(opt)
        show(type(opt).__name__ + " defaults", opt.defaults)
    sched = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(params, lr=0.1), step_size=2, gamma=0.5)
    show("sched state_dict keys", sorted(sched.state_dict()))


def grad_fn_names(torch, show):
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = torch.tensor([1.0, -1.0], requires_grad=True)
    results = {
        "add": x + 1, "radd": 1 + x, "sub": x - v, "mul": x * v, "div": x / 2, "pow": x ** 2, "rpow": 2 ** x,
        "neg": -x, "matmul": x @ x, "mv": x @ v, "dot": v @ v, "sum": x.sum(), "sum_dim": x.sum(1),
        "mean": x.mean(), "mean_dim": x.mean(0), "max": x.max(), "max_dim": x.max(1)[0], "exp": x.exp(),
        "log": x.log(), "relu": torch.relu(x), "sigmoid": x.sigmoid(), "tanh": x.tanh(), "t": x.t(),
        "T": x.T, "view": x.view(4), "reshape": x.reshape(4), "flatten": x.flatten(), "squeeze": x[None].squeeze(0),
        "unsqueeze": x.unsqueeze(0), "transpose": x.transpose(0, 1), "permute": x.permute(1, 0),
        "expand": v.expand(3, 2), "cat": torch.cat([x, x]), "stack": torch.stack([v, v]), "index": x[[0, 1]],
        "select": x[0], "slice": x[:1], "slice_step": x[::2], "mask": x[x > 2], "clone": x.clone(),
        "softmax": x.softmax(1), "log_softmax": x.log_softmax(1), "abs": x.abs(), "clamp": x.clamp(0, 2),
        "sqrt": x.sqrt(), "norm": x.norm(), "std": x.std(), "var": x.var(), "prod": x.prod(), "cumsum": x.cumsum(0),
        "where": torch.where(x > 2, x, 0.0), "masked_fill": x.masked_fill(x > 2, 0.0), "to_double": x.double(),
        "contiguous_t": x.t().contiguous(), "gelu": torch.nn.functional.gelu(x), "chunk": x.chunk(2)[0],
        "split": x.split(1)[1], "unbind": x.unbind()[0], "dropout_eval": torch.nn.functional.dropout(x, 0.5, False),
        "mse": torch.nn.functional.mse_loss(x, x.detach() * 2), "ce": torch.nn.functional.cross_entropy(
            x, torch.tensor([0, 1])), "nll": torch.nn.functional.nll_loss(x, torch.tensor([0, 1])),
        "linear": torch.nn.functional.linear(x, x), "linear_nobias": torch.nn.functional.linear(v, x),
        "layer_norm": torch.nn.functional.layer_norm(x, (2,)), "bce": torch.nn.functional.binary_cross_entropy(
            x.sigmoid(), torch.ones(2, 2)), "embedding": torch.nn.functional.embedding(torch.tensor([1]), x),
        "sin": x.sin(), "cos": x.cos(), "rsub": 1 - x, "rdiv": 1 / x, "mm": x.mm(x), "bmm": x[None].bmm(x[None]),
        "amax": x.amax(1), "logsumexp": x.logsumexp(1), "square": x.square(), "minimum": torch.minimum(x, v),
        "float_int_mul": x * torch.tensor([2, 3]), "narrow": x.narrow(0, 0, 1),
        "tril": x.tril(), "flip": x.flip(0), "roll": x.roll(1, 0), "repeat": x.repeat(2, 1), "gather": x.gather(
            1, torch.tensor([[0], [1]])), "outer": torch.outer(v, v),
        "lerp": torch.lerp(x, x * 2, 0.5), "addmm": torch.addmm(v, x, x), "baddbmm": x[None].baddbmm(x[None], x[None]),
    }
    show("names", {k: (None if r.grad_fn is None else r.grad_fn.name()) for k, r in results.items()})
    y = (x * 2).sum()
    show("next_functions", [[type(f).__name__ if f is not None else None for f, _ in
                             n.next_functions] for n in [y.grad_fn, y.grad_fn.next_functions[0][0]]])
    show("leaf next", y.grad_fn.next_functions[0][0].next_functions[0][0].variable is x)
    nf = (x @ x + v).relu().sum().grad_fn
    chain = []
    while nf is not None and nf.next_functions:
        chain.append(nf.name())
        nf = nf.next_functions[0][0]
    show("chain", chain)


@pytest.mark.parametrize("program", [tensor_prints, module_prints, optim_prints, grad_fn_names],
                         ids=lambda f: f.__name__)
def test_prints(program):
    run_both(program)
