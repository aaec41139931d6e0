"""torch.nn as programs use it, each run with torch and with ember on the same data (tests/programs/_harness.py):
the differences a sweep of the Module API, containers, layers, losses, init and nn.utils found, one program
each, so that a regression shows which idiom broke."""
import pytest

from _harness import run_both


# ------------------------------------------------------------------ what the fused losses save
def test_cross_entropy_logits_changed_in_place_after_the_loss():
    # PyTorch saves log_softmax's output, not the logits: changing them before backward is allowed
    def program(torch, show):
        F = torch.nn.functional
        for kw in ({}, {"label_smoothing": 0.1}, {"weight": torch.from_numpy(show.array(5, low=0.1)), "ignore_index": 2}):
            x = torch.from_numpy(show.array(4, 5)).requires_grad_()
            y = x * 2
            loss = F.cross_entropy(y, torch.tensor([0, 1, 2, 3]), **kw)
            with torch.no_grad():
                y.add_(1)
            loss.backward()
            show(f"grad {sorted(kw)}", x.grad)
        x = torch.from_numpy(show.array(3, 4, 2)).requires_grad_()
        y = x * 1
        q = torch.from_numpy(show.array(3, 4, 2, low=0.1)).softmax(1)
        loss = F.cross_entropy(y, q)
        with torch.no_grad():
            y.sub_(1)
        loss.backward()
        show("probability targets", x.grad)
        # the target of class probabilities is saved (it weighs log_softmax): changing it in place raises
        q = torch.from_numpy(show.array(3, 4, low=0.1)).softmax(1)
        x = torch.from_numpy(show.array(3, 4)).requires_grad_()
        loss = F.cross_entropy(x, q)
        q.mul_(2)
        show.raises("changed target", loss.backward)
    run_both(program)


def test_cross_entropy_double_backward_through_what_it_saved():
    def program(torch, show):
        F = torch.nn.functional
        for dt in (torch.float32, torch.float64):
            x = torch.from_numpy(show.array(4, 5)).to(dt).requires_grad_()
            for kind, target in zip(("classes", "probabilities"),  (torch.tensor([4, 0, 2, 2]), torch.from_numpy(show.array(4, 5)).to(dt).softmax(1))):
                loss = F.cross_entropy(x, target, label_smoothing=0.2)
                g, = torch.autograd.grad(loss, x, create_graph=True)
                (g * torch.linspace(-1, 1, 20, dtype=dt).view(4, 5)).sum().backward()
                show(f"{kind} {str(dt)[-7:]}: gradient of the gradient", x.grad, rtol=1e-4, atol=1e-6, repr=False)
                x.grad = None
    run_both(program)


# ------------------------------------------------------------------ grad_fn names users print
def test_grad_fn_names_of_fused_layers():
    def program(torch, show):
        nn = torch.nn
        bag_in, offs = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4])
        for mode in ("sum", "mean", "max"):
            show(f"bag {mode}", nn.EmbeddingBag(10, 4, mode=mode)(bag_in, offs).grad_fn.name())
        show("bag 2d", nn.EmbeddingBag(10, 3)(torch.tensor([[1, 2], [3, 4]])).grad_fn.name())
        a = torch.from_numpy(show.array(3, 6)).requires_grad_()
        b = torch.from_numpy(show.array(3, 6))
        show("pairwise", nn.PairwiseDistance()(a, b).grad_fn.name())
        show("pairwise keepdim p=1", nn.PairwiseDistance(p=1, keepdim=True)(a, b).grad_fn.name())
        show("pdist", torch.nn.functional.pdist(a).grad_fn.name())
        x2 = torch.from_numpy(show.array(3, 5))
        for nl in ("tanh", "relu"):
            show(f"RNNCell {nl}", nn.RNNCell(5, 6, nonlinearity=nl)(x2).grad_fn.name())
        h, c = nn.LSTMCell(5, 6)(x2)
        show("LSTMCell", [h.grad_fn.name(), c.grad_fn.name()])
        show("GRUCell", nn.GRUCell(5, 6, bias=False)(x2).grad_fn.name())
        show("GRUCell unbatched", nn.GRUCell(5, 6)(x2[0]).grad_fn.name())
        x3 = torch.from_numpy(show.array(4, 2, 5))
        for cls, kw in (("RNN", {"nonlinearity": "relu"}), ("RNN", {"num_layers": 2}), ("GRU", {}),
                        ("LSTM", {}), ("LSTM", {"proj_size": 3}), ("GRU", {"bidirectional": True})):
            for bf in (False, True):
                out, _ = getattr(nn, cls)(5, 6, batch_first=bf, **kw)(x3)
                show(f"{cls} {kw} batch_first={bf}", out.grad_fn.name())
        packed = nn.utils.rnn.pack_padded_sequence(x3, [4, 2])
        show("packed data", nn.GRU(5, 6)(packed)[0].data.grad_fn.name())
    run_both(program)


# ------------------------------------------------------------------ gumbel_softmax
def test_gumbel_softmax():
    # the two libraries draw different noise: compare what does not depend on it, and the distribution
    def program(torch, show):
        import warnings
        F = torch.nn.functional
        logits = torch.from_numpy(show.array(3, 4, 5)).requires_grad_()
        for kw in ({}, {"tau": 0.5}, {"hard": True}, {"dim": 1}, {"tau": 2.0, "hard": True, "dim": 0}):
            torch.manual_seed(7)
            y = F.gumbel_softmax(logits, **kw)
            torch.manual_seed(7)
            show(f"{kw} same under manual_seed", torch.equal(y, F.gumbel_softmax(logits, **kw)))
            show(f"{kw} meta", [tuple(y.shape), str(y.dtype), y.grad_fn.name()])
            d = kw.get("dim", -1)
            show(f"{kw} sums", y.detach().sum(d), repr=False)
            if kw.get("hard"):
                show(f"{kw} one-hot", torch.equal(y.detach().max(d).values, torch.ones(y.sum(d).shape)))
                torch.manual_seed(7)
                soft = F.gumbel_softmax(logits, tau=kw.get("tau", 1), dim=d)
                w = torch.from_numpy(show.array(3, 4, 5))
                g_hard, = torch.autograd.grad((y * w).sum(), logits)
                g_soft, = torch.autograd.grad((soft * w).sum(), logits)
                show(f"{kw} straight-through gradient", torch.allclose(g_hard, g_soft, atol=1e-6))
        many = torch.tensor([[1.0, 0.0, -1.0, 0.5]]).expand(40000, 4)
        picks = F.gumbel_softmax(many, hard=True).sum(0) / 40000
        show("argmax frequencies are softmax(logits)", picks, atol=0.015, repr=False)
        show("softmax", torch.tensor([1.0, 0.0, -1.0, 0.5]).softmax(0), repr=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            F.gumbel_softmax(logits, eps=1e-5)
        show("eps warning", [str(c.message) for c in caught])
    run_both(program)


# ------------------------------------------------------------------ Lazy modules
LAZY = ["nn.LazyLinear(3)", "nn.LazyConv1d(4, 3)", "nn.LazyConv2d(8, 3, stride=2, padding=1, bias=False)",
        "nn.LazyConv3d(2, (1, 2, 2))", "nn.LazyConvTranspose1d(4, 3)",
        "nn.LazyConvTranspose2d(4, 3, stride=2, output_padding=1, groups=2)", "nn.LazyConvTranspose3d(2, 2)",
        "nn.LazyBatchNorm1d()", "nn.LazyBatchNorm2d(eps=1e-3, affine=False)",
        "nn.LazyBatchNorm3d(track_running_stats=False)", "nn.LazyInstanceNorm1d()",
        "nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)", "nn.LazyInstanceNorm3d(bias=False)"]
LAZY_INPUT = {"Linear": (2, 5), "1d": (2, 4, 6), "2d": (2, 4, 6, 6), "3d": (1, 2, 3, 4, 4)}


def _lazy_input(source):
    return LAZY_INPUT["Linear" if "Linear" in source else source.split("(")[0][-2:]]


@pytest.mark.parametrize("source", LAZY)
def test_lazy_module_before_and_after_its_first_input(source):
    def program(torch, show):
        nn = torch.nn
        m = eval(source, {"nn": nn})
        show("printed", m)
        show("kinds", {k: type(v).__name__ for k, v in m.state_dict().items()})
        show("parameters", [(n, type(p).__name__, repr(p)) for n, p in m.named_parameters()])
        show("buffers", [(n, type(b).__name__) for n, b in m.named_buffers()])
        show("uninitialized", m.has_uninitialized_params())
        show("cls_to_become", m.cls_to_become.__name__)
        show("is_lazy", [nn.parameter.is_lazy(p) for p in m.parameters()])
        x = torch.from_numpy(show.array(*_lazy_input(source))).requires_grad_()
        y = m(x)
        show("became", [type(m).__name__, str(m)])
        show("shapes", {k: tuple(v.shape) for k, v in m.state_dict().items()})
        show("is_lazy after", [nn.parameter.is_lazy(p) for p in m.parameters()])
        show("hooks left", [len(m._forward_pre_hooks), hasattr(m, "_initialize_hook")])
        show("out", [tuple(y.shape), y.dtype, y.grad_fn is not None])
        show.same_init(m)
        y = m(x)
        y.sum().backward()
        show("output from torch's weights", y, rtol=1e-4, atol=1e-5, repr=False)
        show("input grad", x.grad, rtol=1e-4, atol=1e-5, repr=False)
    run_both(program)


def test_lazy_modules_as_programs_use_them():
    def program(torch, show):
        import copy
        import pickle
        nn = torch.nn
        net = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.LazyBatchNorm2d(), nn.Flatten(), nn.LazyLinear(2))
        print(net)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)          # before the dry run, as the docs allow
        net.to(torch.float64)
        show("dtype before", [p.dtype for p in net.parameters()])
        show.raises("deepcopy of an uninitialized buffer", lambda: copy.deepcopy(net))
        twin = copy.deepcopy(nn.Sequential(net[0], net[1], net[3], net[4]))
        show("deepcopy", twin)
        clone = pickle.loads(pickle.dumps(net))
        show("pickled", [(type(p).__name__, p.dtype) for p in clone.parameters()])       # float32: not kept
        x = torch.from_numpy(show.array(2, 3, 6, 6, dtype="float64"))
        out = net(x)
        print(net)
        show("types", [type(m).__name__ for m in net])
        show("optimizer sees", [tuple(p.shape) for g in opt.param_groups for p in g["params"]])
        show.same_init(net)
        loss = net(x).square().sum()
        loss.backward()
        opt.step()
        show("after a step", net.state_dict(), rtol=1e-6, atol=1e-8, repr=False)
        show("twin and clone initialize too", [tuple(twin(x).shape), tuple(clone(x.float()).shape), type(clone[4]).__name__,
                                             type(twin[0]).__name__, type(net[0]).__name__])

        # a checkpoint of real tensors materializes a lazy module (it stays lazy until its forward)
        src = nn.Conv2d(2, 4, 3)
        lazy = nn.LazyConv2d(4, 3)
        show("load", str(lazy.load_state_dict(src.state_dict())))
        show("after load", [str(lazy), type(lazy).__name__, tuple(lazy.weight.shape),
                            torch.equal(lazy.weight, src.weight)])
        lazy(torch.from_numpy(show.array(1, 2, 5, 5)))
        show("after forward", [str(lazy), type(lazy).__name__])
        bn = nn.LazyBatchNorm1d()
        show("lazy into lazy", str(bn.load_state_dict(nn.LazyBatchNorm1d().state_dict())))
        show.raises("lazy into Linear", lambda: nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict()))

        p = nn.LazyLinear(3).weight
        show("allowed", [p.size(), p.dtype, p.requires_grad, p.is_leaf, p.grad, p.is_floating_point(), repr(p)])
        for name, f in [("shape", lambda: p.shape), ("numel", lambda: p.numel()), ("view", lambda: p.view(-1)),
                        ("mul", lambda: p * 2), ("detach", lambda: p.detach()), ("dim", lambda: p.dim()),
                        ("zero_", lambda: p.zero_()), ("share_memory_", lambda: p.share_memory_()),
                        ("module requires_grad_", lambda: nn.LazyLinear(2).requires_grad_(False)),
                        ("parameter count", lambda: sum(q.numel() for q in nn.LazyLinear(2).parameters())),
                        ("groups", lambda: nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 3, 5, 5))),
                        ("rank", lambda: nn.LazyConv1d(4, 3)(torch.ones(1, 3, 5, 5))),
                        ("bn rank", lambda: nn.LazyBatchNorm1d()(torch.ones(2, 3, 4, 4)))]:
            show.raises(name, f)
        b = nn.UninitializedBuffer()
        show("buffer", [repr(b), b.requires_grad, nn.UninitializedParameter(requires_grad=False).requires_grad])
        b.materialize((2,), dtype=torch.float64)
        show("materialized", [type(b).__name__, tuple(b.shape), b.dtype])
        u = nn.UninitializedParameter()
        u.materialize((2, 3))
        show("materialized parameter", [type(u).__name__, tuple(u.shape), u.requires_grad])
    run_both(program)


# ------------------------------------------------------------------ containers
def test_sequential_arithmetic():
    def program(torch, show):
        nn = torch.nn
        relu, tanh = nn.ReLU(), nn.Tanh()
        s = nn.Sequential(relu, tanh)
        show("times 2", s * 2)
        show("2 times", 2 * s)
        show("same modules", [m is relu for m in (s * 3)][::2])
        s3 = nn.Sequential(nn.ELU())
        alias = s3
        s3 *= 3
        show("in place *", [s3, s3 is alias])
        s3 += nn.Sequential(nn.GELU())
        show("in place +", [s3, s3 is alias])
        show.raises("times 0", lambda: s * 0)
        show.raises("times float", lambda: s * 1.5)
        show.raises("plus list", lambda: s + [nn.ReLU()])

        def iadd_list():
            t = nn.Sequential()
            t += [nn.ReLU()]
        show.raises("in place plus list", iadd_list)
    run_both(program)


def test_parameter_dict_as_a_dict():
    def program(torch, show):
        nn = torch.nn
        P = lambda *shape: nn.Parameter(torch.ones(*shape))      # noqa: E731
        pd = nn.ParameterDict({"w": P(2), "b": torch.zeros(3), "a": P(1)})      # a plain dict: sorted keys
        show("keys", list(pd.keys()))
        show("reversed", list(reversed(pd)))
        c = pd.copy()
        show("copy", [list(c.keys()), c["w"] is pd["w"], type(c).__name__])
        show("fromkeys", list(pd.fromkeys(["q", "r"], P(2)).keys()))
        show("setdefault new", tuple(pd.setdefault("z", P(4)).shape))
        show("setdefault old", tuple(pd.setdefault("w", P(9)).shape))
        show("popitem", pd.popitem()[0])
        show("or", list((pd | nn.ParameterDict({"y": P(1)})).keys()))
        pd |= {"x": P(1)}
        show("ior", list(pd.keys()))
        pd["n"] = 3
        pd["none"] = None
        print(pd)
        show("objects", [pd["n"], [k for k, _ in pd.named_parameters()]])
        print(nn.ParameterList([3, "a", torch.ones(1), P(2, 2)]))
        show.raises("update int", lambda: pd.update(5))
        show.raises("update bad element", lambda: pd.update([1]))
        show.raises("update short pair", lambda: pd.update([("k",)]))
        show.raises("int key", lambda: pd[0])
    run_both(program)


# ------------------------------------------------------------------ activations in place
INPLACE_ACTS = ["LeakyReLU(0.2, inplace=True)", "ELU(alpha=0.5, inplace=True)", "SELU(inplace=True)",
                "CELU(alpha=2.0, inplace=True)", "Threshold(0.1, 20.0, inplace=True)", "RReLU(0.1, 0.3, inplace=True)",
                "RReLU(0.1, 0.3)", "Hardsigmoid(inplace=True)", "Hardswish(inplace=True)", "ReLU(inplace=True)"]


@pytest.mark.parametrize("source", INPLACE_ACTS)
def test_activation_in_place_names_values_and_gradients(source):
    def program(torch, show):
        m = eval("nn." + source, {"nn": torch.nn}).eval()
        show("printed", m)
        base = torch.from_numpy(show.array(2, 3, 4)).requires_grad_()
        x = base * 1
        y = m(x)
        show("same object", y is x)
        show("out", y)
        show("version", x._version)
        (y * torch.linspace(-1, 1, y.numel()).view(y.shape)).sum().backward()
        show("grad", base.grad)
    run_both(program)


def test_functional_in_place_names():
    def program(torch, show):
        F = torch.nn.functional
        for name, args in [("leaky_relu_", ()), ("elu_", ()), ("selu_", ()), ("celu_", ()), ("threshold_", (0.1, 2.0)),
                           ("rrelu_", ()), ("relu_", ()), ("hardtanh_", ())]:
            x = torch.from_numpy(show.array(3, 4)).requires_grad_() * 1
            show(name, getattr(F, name)(x, *args).grad_fn.name())
        x = torch.from_numpy(show.array(3, 4)).requires_grad_()
        show("rrelu eval", F.rrelu(x).grad_fn.name())
        show("rrelu training", F.rrelu(x, training=True).grad_fn.name())
    run_both(program)


# ------------------------------------------------------------------ gradients that select
def test_selecting_gradients_are_plus_zero_where_not_selected():
    # PyTorch's backward kernels select the gradient (0 elsewhere), so a negative gradient leaves +0, which
    # prints as 0.; a product with a 0/1 mask gives -0. (and keeps a NaN gradient)
    def program(torch, show):
        F = torch.nn.functional
        fns = [("relu", F.relu), ("relu6", F.relu6), ("hardtanh", F.hardtanh), ("hardshrink", F.hardshrink),
               ("softshrink", F.softshrink), ("hardsigmoid", F.hardsigmoid), ("hardswish", F.hardswish),
               ("threshold", lambda x: F.threshold(x, 0.0, 5.0)), ("relu_", lambda x: F.relu(x * 1, inplace=True)),
               ("max_pool1d", lambda x: F.max_pool1d(x.view(1, 1, -1), 2)),
               ("max_pool1d padded", lambda x: F.max_pool1d(x.view(1, 1, -1), 3, 3, padding=1))]
        for dt in (torch.float32, torch.float64):
            x = torch.linspace(-5, 7, 96, dtype=dt)
            x[3] = float("nan")
            x.requires_grad_()
            for name, f in fns:
                x.grad = None
                y = f(x)
                y.backward(-torch.linspace(-1, 2, y.numel(), dtype=dt).view(y.shape))
                show(f"{name} {str(dt)[-7:]}", x.grad)
                g, = torch.autograd.grad(f(x), x, -torch.linspace(-1, 2, y.numel(), dtype=dt).view(y.shape),
                                         create_graph=True)
                show(f"{name} {str(dt)[-7:]} create_graph", g.detach())
    run_both(program)


# ------------------------------------------------------------------ EmbeddingBag
BAGS = [({"mode": "max"}, [1, 2, 4, 5, 4, 3, 2, 9], [0, 4]), ({"mode": "max"}, [1, 2, 4, 5], [0, 0, 2, 4]),
        ({"mode": "max", "padding_idx": 4}, [4, 4, 1, 2], [0, 2]),
        ({"mode": "sum", "scale_grad_by_freq": True}, [1, 2, 4, 5, 4, 3, 2, 9], [0, 4]),
        ({"mode": "mean", "scale_grad_by_freq": True}, [4, 4, 3], [0, 1]),
        ({"mode": "mean", "scale_grad_by_freq": True, "padding_idx": 2}, [1, 1, 2, 2, 7, 3], [0, 3]),
        ({"mode": "sum", "scale_grad_by_freq": True}, [[1, 1], [2, 5], [5, 5]], None)]


@pytest.mark.parametrize("kw,idx,offsets", BAGS)
def test_embedding_bag_gradients(kw, idx, offsets):
    # max: the gradient goes to the first row holding each maximum (+0 elsewhere); scale_grad_by_freq: the
    # factors PyTorch's CPU kernel uses (see layer._bag_freq_scale); an empty bag gives zeros
    def program(torch, show):
        bag = show.same_init(torch.nn.EmbeddingBag(10, 3, **kw))
        args = (torch.tensor(idx),) if offsets is None else (torch.tensor(idx), torch.tensor(offsets))
        y = bag(*args)
        show("y", y)
        (y * torch.from_numpy(show.array(*y.shape))).sum().backward()
        show("weight grad", bag.weight.grad)
    run_both(program)


# ------------------------------------------------------------------ loss grad_fn names
def test_loss_grad_fn_names():
    def program(torch, show):
        F = torch.nn.functional
        x = torch.from_numpy(show.array(3, 4)).requires_grad_()
        y = torch.from_numpy(show.array(3, 4))
        lp = torch.from_numpy(show.array(6, 2, 5)).log_softmax(2).detach().requires_grad_()
        ctc = (lp, torch.tensor([[1, 2, 2], [3, 4, 0]]), torch.tensor([6, 5]), torch.tensor([3, 2]))
        for red in ("none", "mean", "sum"):
            names = [F.l1_loss(x, y, reduction=red), F.l1_loss(x, y[0], reduction=red),
                     F.l1_loss(x, y, reduction=red, weight=y.abs()), F.smooth_l1_loss(x, y, reduction=red, beta=0.0),
                     F.soft_margin_loss(x, y.sign(), reduction=red),
                     F.multi_margin_loss(x, torch.tensor([0, 3, 2]), reduction=red),
                     F.multi_margin_loss(x[0], torch.tensor([1]), reduction=red),
                     F.multilabel_margin_loss(x, torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 1, 1]]),
                                              reduction=red),
                     F.ctc_loss(*ctc, reduction=red), F.ctc_loss(*ctc, reduction=red, zero_infinity=True),
                     F.ctc_loss(lp[:, 0], torch.tensor([1, 2]), torch.tensor(6), torch.tensor(2), reduction=red)]
            show(red, [t.grad_fn.name() for t in names])
            show(red + " values", names, rtol=1e-4, atol=1e-6, repr=False)
        x = torch.from_numpy(show.array(2, 4, 3, 3)).requires_grad_()
        norm = torch.nn.InstanceNorm2d(4, affine=True, track_running_stats=True).eval()
        show("instance norm from running stats", norm(x).grad_fn.name())
    run_both(program)


# ------------------------------------------------------------------ nn.utils.rnn
def test_rnn_utils_unpad_unpack_and_conversions():
    def program(torch, show):
        R = torch.nn.utils.rnn
        seqs = [torch.from_numpy(show.array(n, 2)) for n in (4, 2, 3)]
        lengths = torch.tensor([4, 2, 3])
        show("unpad batch_first", R.unpad_sequence(R.pad_sequence(seqs, batch_first=True), lengths, batch_first=True))
        padded = R.pad_sequence(seqs)
        show("unpad time-major", R.unpad_sequence(padded, lengths))
        show("caller's tensor transposed in place", tuple(padded.shape))
        packed = R.pack_sequence(seqs, enforce_sorted=False)
        show("unpack", R.unpack_sequence(packed))
        show("invert_permutation", [R.invert_permutation(torch.tensor([2, 0, 3, 1])), R.invert_permutation(None)])
        for name in ("double", "float", "half", "long", "int", "short", "char", "byte", "cpu"):
            p = getattr(packed, name)()
            show(name, [p.data.dtype, p.batch_sizes, p.sorted_indices, type(p).__name__, p is packed])
    run_both(program)


# ------------------------------------------------------------------ integer inputs, names of composites
def test_integer_pooling_and_convolution():
    def program(torch, show):
        import numpy as np
        F = torch.nn.functional
        rng = np.random.default_rng(0)
        for dt in ("int64", "int32", "uint8", "int8"):
            x = torch.from_numpy(rng.integers(0, 20, (2, 4, 6, 6)).astype(dt))
            w = torch.from_numpy(rng.integers(0, 5, (6, 2, 3, 3)).astype(dt))
            for name, f in [("max_pool2d", lambda: F.max_pool2d(x, 3, 2, 1)),
                            ("max_pool2d indices", lambda: F.max_pool2d(x, 2, return_indices=True)),
                            ("max_pool3d", lambda: F.max_pool3d(x[None], 2, ceil_mode=True)),
                            ("max_pool1d indices", lambda: F.max_pool1d(x[0], 3, return_indices=True)),
                            ("max_pool1d", lambda: F.max_pool1d(x[0], 2)), ("adaptive", lambda: F.adaptive_max_pool2d(x, 2)),
                            ("avg_pool2d", lambda: F.avg_pool2d(x, 3, 2, 1)),
                            ("avg_pool2d divisor", lambda: F.avg_pool2d(x - 10, 2, divisor_override=3)),
                            ("avg_pool1d", lambda: F.avg_pool1d(x[0], 3, count_include_pad=False)),
                            ("conv2d", lambda: F.conv2d(x, w, stride=2, padding=1, groups=2)),
                            ("conv1d same", lambda: F.conv1d(x[:, :, 0], w[:, :, 0], padding="same", groups=2)),
                            ("conv_transpose2d", lambda: F.conv_transpose2d(x[:, :2], w[:2], stride=2)),
                            ("bool conv", lambda: F.conv2d(x > 3, w > 3))]:
                r = show.raises(f"{dt} {name} raises", f)
                if r is None:
                    show(f"{dt} {name}", f())
        show.raises("bool pooling", lambda: F.max_pool2d(torch.ones(1, 2, 2) > 0, 2))
    run_both(program)


def test_same_size_interpolate_and_circular_pad():
    def program(torch, show):
        F = torch.nn.functional
        x = torch.from_numpy(show.array(1, 1, 3, 3)).requires_grad_()
        for mode in ("nearest", "bilinear", "bicubic"):
            y = F.interpolate(x, size=(3, 3), mode=mode)
            show(mode, [y is x, y.data_ptr() == x.data_ptr(), y.grad_fn.name()])
        v = torch.from_numpy(show.array(1, 1, 3, 3, 3)).requires_grad_()
        show("trilinear one axis", F.interpolate(v, scale_factor=(1, 2, 1), mode="trilinear").grad_fn.name())
        for pad in [(1, 1, 0, 0), (1, 0, 2, 1), (-1, 1, 0, 0)]:
            y = F.pad(x, pad, mode="circular")
            show(f"circular {pad}", [y.grad_fn.name(), y])
    run_both(program)


# ------------------------------------------------------------------ attention and transformers
def test_sdpa_grad_fn_names_by_path():
    def program(torch, show):
        F = torch.nn.functional
        for q_shape, kv_shape, v_dim, opts in [((2, 3, 4, 8), (2, 3, 5), 8, {}), ((2, 3, 4, 8), (2, 3, 5), 6, {}),
                                               ((2, 3, 4, 8), (2, 3, 5), 8, {"dropout_p": 0.5}),
                                               ((2, 3, 4, 8), (2, 3, 5), 8, {"is_causal": True, "scale": 0.2}),
                                               ((3, 4, 8), (3, 5), 8, {}), ((4, 8), (5,), 8, {})]:
            q = torch.from_numpy(show.array(*q_shape)).requires_grad_()
            k = torch.from_numpy(show.array(*kv_shape, q_shape[-1]))
            v = torch.from_numpy(show.array(*kv_shape, v_dim))
            o = F.scaled_dot_product_attention(q, k, v, **opts)
            show(f"{q_shape} {v_dim} {sorted(opts)}", o.grad_fn.name())
            if "dropout_p" not in opts:
                show(f"{q_shape} {v_dim} {sorted(opts)} out", o, rtol=1e-4, atol=1e-6, repr=False)
    run_both(program)


def test_transformer_encoder_nested_tensor_warning():
    def program(torch, show):
        import warnings
        nn = torch.nn
        layers = [("default", lambda: nn.TransformerEncoderLayer(6, 2)),
                  ("batch_first", lambda: nn.TransformerEncoderLayer(6, 2, batch_first=True)),
                  ("norm_first", lambda: nn.TransformerEncoderLayer(6, 2, batch_first=True, norm_first=True)),
                  ("no bias", lambda: nn.TransformerEncoderLayer(6, 2, batch_first=True, bias=False)),
                  ("odd heads", lambda: nn.TransformerEncoderLayer(6, 3, batch_first=True)),
                  ("tanh", lambda: nn.TransformerEncoderLayer(6, 2, batch_first=True, activation=torch.tanh))]
        for name, make in layers:
            for nested in (True, False):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    enc = nn.TransformerEncoder(make(), 2, enable_nested_tensor=nested)
                show(f"{name} {nested}", [[str(w.message) for w in caught], enc.use_nested_tensor])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            nn.Transformer(6, 2, 1, 1, 12)
        show("Transformer", [str(w.message) for w in caught])
    run_both(program)


def test_lstm_hx_as_a_tensor_is_indexed():
    def program(torch, show):
        lstm = torch.nn.LSTM(4, 5)
        x = torch.ones(3, 2, 4)
        show.raises("one layer", lambda: lstm(x, torch.ones(1, 2, 5)))
        show.raises("two rows", lambda: lstm(x, torch.ones(2, 1, 2, 5)))
        show.raises("list", lambda: lstm(x, [torch.ones(1, 2, 5)]))
        show.raises("three", lambda: lstm(x, (torch.zeros(1, 2, 5),) * 3))
        out, (h, c) = lstm(x, [torch.zeros(1, 2, 5), torch.zeros(1, 2, 5)])
        show("list of two", tuple(h.shape))
    run_both(program)


# ------------------------------------------------------------------ Module hooks
def test_global_module_hooks():
    def program(torch, show):
        nn = torch.nn
        mm = nn.modules.module
        seen = []
        handles = [
            mm.register_module_forward_pre_hook(lambda m, a: seen.append(("pre", type(m).__name__))),
            mm.register_module_forward_hook(lambda m, a, o: seen.append(("post", type(m).__name__, tuple(o.shape)))),
            mm.register_module_forward_hook(lambda m, a, k, o: seen.append(("post kw", sorted(k))), with_kwargs=True),
            mm.register_module_full_backward_pre_hook(lambda m, go: seen.append(("bw pre", type(m).__name__))),
            mm.register_module_full_backward_hook(
                lambda m, gi, go: seen.append(("bw", type(m).__name__, [None if g is None else tuple(g.shape)
                                                                         for g in gi])))]
        net = show.same_init(nn.Sequential(nn.Linear(3, 2), nn.Tanh()))
        x = torch.from_numpy(show.array(4, 3)).requires_grad_()
        lin = nn.Linear(3, 3)
        lin.register_forward_hook(lambda m, a, o: seen.append("own hook after the global ones"))
        lin(x)
        net(x).sum().backward()
        show("x grad", x.grad)
        for h in handles:
            h.remove()
        nn.Linear(2, 2)(torch.ones(1, 2))
        show("seen", seen)
        regs = []
        handles = [mm.register_module_module_registration_hook(lambda m, n, v: regs.append(("module", n))),
                   mm.register_module_parameter_registration_hook(lambda m, n, v: regs.append(("param", n))),
                   mm.register_module_buffer_registration_hook(lambda m, n, v: regs.append(("buffer", n)))]
        nn.Sequential(nn.Linear(2, 2, bias=False), nn.BatchNorm1d(2))
        swap = mm.register_module_parameter_registration_hook(
            lambda m, n, v: nn.Parameter(torch.zeros(v.shape)) if v is not None else None)
        holder = nn.Module()
        holder.w = nn.Parameter(torch.ones(2))
        show("replaced by the hook", holder.w)
        for h in handles + [swap]:
            h.remove()
        show("registrations", regs)
    run_both(program)


def test_always_called_forward_hooks_and_state_dict_pre_hooks():
    def program(torch, show):
        import warnings
        nn = torch.nn

        class Boom(nn.Module):
            def forward(self, x, scale=1.0):
                raise ValueError("boom")
        m = Boom()
        calls = []
        m.register_forward_hook(lambda mod, a, o: calls.append(("always", o)), always_call=True)
        m.register_forward_hook(lambda mod, a, k, o: calls.append(("always kw", sorted(k))), with_kwargs=True,
                                always_call=True)
        m.register_forward_hook(lambda mod, a, o: calls.append("not this one"))

        def failing(mod, a, o):
            raise KeyError("hook")
        m.register_forward_hook(failing, always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            show.raises("forward raises", lambda: m(torch.ones(1), scale=2.0))
        show("calls", calls)
        show("warning", [str(w.message) for w in caught])
        lin = nn.Linear(2, 2)
        seen = []
        lin.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: seen.append((prefix, keep_vars)))
        nn.Sequential(lin).state_dict(keep_vars=True)
        show("state_dict pre hook", seen)
    run_both(program)


# ------------------------------------------------------------------ nn.utils.prune
def test_prune_as_the_pruning_tutorial_uses_it():
    def program(torch, show):
        import importlib
        prune = importlib.import_module(torch.__name__ + ".nn.utils.prune")
        nn = torch.nn
        conv = show.same_init(nn.Conv2d(2, 4, 3))
        prune.l1_unstructured(conv, "weight", amount=0.3)
        show("parameters", [k for k, _ in conv.named_parameters()])
        show("buffers", [k for k, _ in conv.named_buffers()])
        show("mask", conv.weight_mask)
        show("weight", conv.weight)
        show("hooks", [type(h).__name__ for h in conv._forward_pre_hooks.values()])
        prune.ln_structured(conv, "weight", amount=2, n=2, dim=0)            # a container of the two
        hook = next(iter(conv._forward_pre_hooks.values()))
        show("container", [type(hook).__name__, len(hook), [type(m).__name__ for m in hook]])
        show("combined mask", conv.weight_mask)
        x = torch.from_numpy(show.array(1, 2, 5, 5))
        y = conv(x)
        y.sum().backward()
        show("y", y)
        show("orig grad", conv.weight_orig.grad)
        show("state_dict", list(conv.state_dict().keys()))
        show("is_pruned", prune.is_pruned(nn.Sequential(conv)))
        prune.remove(conv, "weight")
        show("after remove", [[k for k, _ in conv.named_parameters()], [k for k, _ in conv.named_buffers()],
                              prune.is_pruned(conv), conv.weight])
        show.raises("remove again", lambda: prune.remove(conv, "weight"))

        lin1, lin2 = show.same_init(nn.Linear(4, 3)), show.same_init(nn.Linear(3, 2))
        prune.global_unstructured([(lin1, "weight"), (lin2, "weight"), (lin2, "bias")],
                                  pruning_method=prune.L1Unstructured, amount=0.4)
        show("global masks", [lin1.weight_mask, lin2.weight_mask, lin2.bias_mask])
        lin3 = show.same_init(nn.Linear(4, 3))
        prune.l1_unstructured(lin3, "bias", amount=1, importance_scores=torch.tensor([3.0, 1.0, 2.0]))
        prune.custom_from_mask(lin3, "weight", mask=torch.tensor([[1.0, 0, 1, 1]] * 3))
        prune.identity(lin3, "bias")
        show("importance and custom", [lin3.bias_mask, lin3.weight_mask, lin3.weight])
        show("prune() alone", prune.L1Unstructured(amount=2).prune(torch.tensor([[0.5, -3.0], [0.1, 2.0]])))

        lin4 = nn.Linear(10, 10)
        prune.random_unstructured(lin4, "weight", amount=0.25)
        show("random unstructured zeros", int((lin4.weight_mask == 0).sum()))
        prune.random_structured(lin4, "weight", amount=3, dim=1)
        show("random structured zero columns", int((lin4.weight_mask.sum(0) == 0).sum()))
        show.raises("amount > 1.0", lambda: prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=1.5))
        show.raises("amount too many", lambda: prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=5))
        show.raises("amount type", lambda: prune.l1_unstructured(nn.Linear(2, 2), "weight", amount="a"))
        show.raises("structured 1-d", lambda: prune.ln_structured(nn.Linear(2, 2), "bias", 1, n=1, dim=0))
        show.raises("bad dim", lambda: prune.ln_structured(nn.Linear(2, 2), "weight", 1, n=1, dim=2))
        show.raises("global structured", lambda: prune.global_unstructured(
            [(nn.Linear(2, 2), "weight")], pruning_method=prune.LnStructured, amount=1, n=1, dim=0))
    run_both(program)


# ------------------------------------------------------------------ AdaptiveLogSoftmaxWithLoss
def test_adaptive_log_softmax_with_loss():
    def program(torch, show):
        nn = torch.nn
        m = show.same_init(nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 7], div_value=2.0, head_bias=True))
        print(m)
        x = torch.from_numpy(show.array(5, 8)).requires_grad_()
        out = m(x, torch.tensor([1, 5, 9, 0, 7]))
        show("fields", [type(out).__name__, out._fields])
        show("output", out.output)
        show("loss", out.loss)
        out.loss.backward()
        show("x grad", x.grad)
        show("param grads", {k: p.grad for k, p in m.named_parameters()}, repr=False)
        single = m(x[0], torch.tensor(8))
        show("unbatched", [single.output, single.loss])
        show("shortlist only", m(x[:2], torch.tensor([0, 3])).output)
        with torch.no_grad():
            show("log_prob", m.log_prob(x))
            show("rows sum to 1", m.log_prob(x).exp().sum(1))
            show("predict", m.predict(x))
            show("predict shortlist rows", m.predict(x[:1]))
        show.raises("target out of range", lambda: m(x[:2], torch.tensor([1, 10])))
        show.raises("2-d target", lambda: m(x, torch.zeros(5, 2, dtype=torch.long)))
        show.raises("batch mismatch", lambda: m(x, torch.tensor([1, 2])))
        show.raises("bad cutoffs", lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [7, 4]))
        show.raises("no cutoffs", lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, []))
    run_both(program)


# ------------------------------------------------------------------ nn.grad
def test_nn_grad_convolution_gradients():
    def program(torch, show):
        G = torch.nn.grad
        for d, x_shape, w_shape, kw in [(1, (2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
                                        (2, (1, 3, 6, 5), (4, 3, 2, 3), dict(dilation=(1, 2))),
                                        (3, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2), dict(padding=1))]:
            x = torch.from_numpy(show.array(*x_shape))
            w = torch.from_numpy(show.array(*w_shape))
            out = getattr(torch.nn.functional, f"conv{d}d")(x, w, **kw)
            g = torch.from_numpy(show.array(*out.shape))
            gi = getattr(G, f"conv{d}d_input")(x.shape, w, g, **kw)
            gw = getattr(G, f"conv{d}d_weight")(x, w.shape, g, **kw)
            show(f"{d}d input grad", gi, rtol=1e-4, atol=1e-5)
            show(f"{d}d weight grad", gw, rtol=1e-4, atol=1e-5)
        with torch.no_grad():
            show("under no_grad", G.conv2d_input((1, 1, 3, 3), torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2)))
    run_both(program)


# ------------------------------------------------------------------ CrossMapLRN2d
@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_cross_map_lrn2d(size):
    def program(torch, show):
        m = torch.nn.CrossMapLRN2d(size, alpha=0.3, beta=0.6, k=1.5)
        show("printed", m)
        x = torch.from_numpy(show.array(2, 6, 3, 3)).requires_grad_()
        y = m(x)
        show("y", y, rtol=1e-5, atol=1e-6, repr=False)         # pow in float32: an ulp apart at places
        g = torch.from_numpy(show.array(2, 6, 3, 3))
        if show.raises("backward", lambda: (y * g).sum().backward()) is None:      # size 1 fails in PyTorch
            show("x grad", x.grad, rtol=1e-4, atol=1e-6, repr=False)     # a running sum there, a cumsum here
            show("grad_fn", type(y.grad_fn).__name__)
        show.raises("3-d", lambda: m(torch.ones(2, 3, 4)))
    run_both(program)


# ------------------------------------------------------------------ antialiased interpolation
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_interpolate_antialias(mode):
    def program(torch, show):
        F = torch.nn.functional
        x = torch.from_numpy(show.array(2, 3, 13, 17)).requires_grad_()
        for kw in [dict(size=(3, 5)), dict(size=(4, 17)), dict(size=(20, 30)), dict(size=(7, 9), align_corners=True),
                   dict(scale_factor=0.3), dict(scale_factor=(0.5, 0.25)), dict(size=(1, 1)),
                   dict(scale_factor=0.37, recompute_scale_factor=True)]:
            y = F.interpolate(x, mode=mode, antialias=True, **kw)
            show(f"{kw}", y, rtol=1e-4, atol=1e-5, repr=False)
            show(f"{kw} grad_fn", y.grad_fn.name())
            g, = torch.autograd.grad((y * torch.from_numpy(show.array(*y.shape))).sum(), x)
            show(f"{kw} grad", g, rtol=1e-4, atol=1e-5, repr=False)
        show.raises("3-d input", lambda: F.interpolate(x[0], size=3, mode="linear", antialias=True))
    run_both(program)


def test_triplet_margin_with_distance_loss_default_distance_is_a_submodule():
    def program(torch, show):
        nn = torch.nn
        m = nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True)
        print(m)
        show("children", [k for k, _ in m.named_children()])
        a, p, n = (torch.from_numpy(show.array(3, 4)) for _ in range(3))
        show("loss", m(a, p, n))
        show("custom", nn.TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity())(a, p, n))
    run_both(program)


# ------------------------------------------------------------------ fractional max pooling
def test_fractional_max_pool_with_given_samples():
    # the windows come from _random_samples: given, both libraries pool the same windows
    def program(torch, show):
        nn = torch.nn
        F = nn.functional
        x = torch.from_numpy(show.array(2, 3, 11, 13)).requires_grad_()
        s = torch.from_numpy(show.array(2, 3, 2, low=0.0, high=1.0))
        for kw in [dict(kernel_size=2, output_size=(5, 6)), dict(kernel_size=(3, 2), output_ratio=(0.5, 0.6)),
                   dict(kernel_size=3, output_size=(9, 4)), dict(kernel_size=2, output_size=(1, 1))]:
            y, i = F.fractional_max_pool2d(x, return_indices=True, _random_samples=s, **kw)
            show(f"{kw}", [y, i, y.grad_fn.name()])
            g, = torch.autograd.grad((y * torch.from_numpy(show.array(*y.shape))).sum(), x)
            show(f"{kw} grad", g)
        x3 = torch.from_numpy(show.array(1, 2, 6, 7, 8))
        s3 = torch.from_numpy(show.array(1, 2, 3, low=0.0, high=1.0))
        show("3d", F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 5), return_indices=True, _random_samples=s3))
        m = nn.FractionalMaxPool2d(2, output_ratio=0.5, _random_samples=s[:1, :1])
        show("module", [str(m), m.kernel_size, m.output_ratio, list(m.state_dict()), m(x[:1, :1])])
        show("unbatched", F.fractional_max_pool2d(x[0], 2, output_size=4, _random_samples=s[:1]))
        m = nn.FractionalMaxPool3d(2, output_size=(2, 2, 2), return_indices=True)
        y, i = m(x3)
        show("random windows", [tuple(y.shape), str(i.dtype), bool((y == x3.reshape(1, 2, -1).gather(
            2, i.reshape(1, 2, -1)).reshape(y.shape)).all())])
        show.raises("neither", lambda: nn.FractionalMaxPool2d(2))
        show.raises("both", lambda: nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5))
        show.raises("ratio", lambda: nn.FractionalMaxPool3d(2, output_ratio=1.5))
        show.raises("too large", lambda: F.fractional_max_pool2d(x, 4, output_size=(10, 2), _random_samples=s))
    run_both(program)


def test_full_backward_hooks_pack_gradients_as_torch():
    def program(torch, show):
        import warnings
        nn = torch.nn
        lin = show.same_init(nn.Linear(3, 2))
        log = []
        lin.register_full_backward_hook(lambda m, gi, go: log.append(
            ([None if g is None else tuple(g.shape) for g in gi], [tuple(g.shape) for g in go])))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lin(torch.from_numpy(show.array(4, 3))).sum().backward()
        show("no input requires grad", [log, [str(w.message)[:60] for w in caught]])
        lin2 = nn.Linear(3, 2)
        lin2.register_full_backward_hook(lambda m, gi, go: (torch.ones(4, 3),))
        show.raises("a replacement with no input gradient", lambda: lin2(torch.ones(4, 3)).sum().backward())

        class Two(nn.Module):
            def forward(self, a, b, scale):
                return a * scale, a + b, 7
        t = Two()
        seen = []
        fmt = lambda gs: [None if g is None else g.tolist() for g in gs]       # noqa: E731
        t.register_full_backward_pre_hook(lambda m, go: seen.append(("pre", fmt(go))))
        t.register_full_backward_hook(lambda m, gi, go: seen.append((fmt(gi), fmt(go))))
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0])
        o1, o2, _ = t(a, b, 2.0)
        show("b inside forward requires grad", o2.requires_grad)
        o1.sum().backward()
        show("one output used", seen)
        show("a grad", a.grad)
    run_both(program)


def test_buffer_is_a_flagged_plain_tensor():
    def program(torch, show):
        nn = torch.nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Buffer(torch.ones(2, requires_grad=True))
                self.b = nn.Buffer(torch.zeros(3), persistent=False)
        m = M()
        b = nn.Buffer(torch.ones(2))
        show("Buffer()", [type(b).__name__, repr(b), b.persistent, isinstance(b, nn.Buffer),
                          isinstance(torch.ones(1), nn.Buffer)])
        show("registered", [[k for k, _ in m.named_buffers()], list(m.state_dict()), m.a.requires_grad,
                            type(m.a).__name__])
        t = torch.ones(2)
        show("a new tensor sharing the data", [nn.Buffer(t) is t, nn.Buffer(t).data_ptr() == t.data_ptr()])
    run_both(program)


def test_more_grad_fn_names():
    def program(torch, show):
        F = torch.nn.functional
        a = torch.from_numpy(show.array(3, 5)).requires_grad_()
        b = torch.from_numpy(show.array(3, 4))
        w = torch.from_numpy(show.array(2, 5, 4))
        show("bilinear", [F.bilinear(a, b, w).grad_fn.name(), F.bilinear(a[0], b[0], w).grad_fn.name(),
                          F.bilinear(a, b, w, torch.ones(2)).grad_fn.name(), F.bilinear(a, b, w)])
        theta = torch.from_numpy(show.array(2, 2, 3)).requires_grad_()
        grid = F.affine_grid(theta, (2, 3, 4, 4), align_corners=False)
        show("affine_grid", [grid.grad_fn.name(), grid])
        theta3 = torch.from_numpy(show.array(1, 3, 4)).requires_grad_()
        show("affine_grid 3d", F.affine_grid(theta3, (1, 1, 2, 3, 2), align_corners=True).grad_fn.name())
        x = torch.from_numpy(show.array(2, 6, 3, 3)).requires_grad_()
        for g in (1, 2, 6):
            y = F.channel_shuffle(x, g)
            show(f"channel_shuffle {g}", [y.grad_fn.name(), y.data_ptr() == x.data_ptr(), y])
    run_both(program)


def test_init_refuses_an_uninitialized_parameter():
    def program(torch, show):
        nn = torch.nn
        for name in ("uniform_", "normal_", "zeros_", "xavier_uniform_", "kaiming_uniform_", "kaiming_normal_",
                     "orthogonal_", "trunc_normal_", "eye_"):
            show.raises(name, lambda: getattr(nn.init, name)(nn.LazyLinear(3).weight))
        show.raises("constant_", lambda: nn.init.constant_(nn.LazyLinear(3).weight, 0.5))
        show.raises("sparse_", lambda: nn.init.sparse_(nn.LazyLinear(3).weight, 0.5))
        lazy = nn.LazyLinear(3)
        lazy(torch.ones(2, 4))
        show("after the first input", tuple(nn.init.zeros_(lazy.weight).shape))
    run_both(program)
