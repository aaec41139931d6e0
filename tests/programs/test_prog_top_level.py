"""Programs that call the neural-network kernels through the top-level names (torch.softmax, torch.relu,
torch.conv2d, torch.layer_norm, torch.embedding(weight, ids), torch.dropout(x, p, train), ...), vs torch."""
from _harness import run_both


def top_level_kernels(torch, show):
    x = torch.from_numpy(show.array(2, 3, 8, 8)).requires_grad_()
    w = torch.from_numpy(show.array(4, 3, 3, 3)).requires_grad_()
    b = torch.from_numpy(show.array(4))
    y = torch.conv2d(x, w, b, padding=1)
    show("conv2d", y, repr=False)
    show("relu", torch.relu(y), repr=False)
    p = torch.max_pool2d(torch.relu(y), 2)
    show("max_pool2d", p, repr=False)
    show("max_pool2d stride", torch.max_pool2d(y, 3, stride=1, padding=1), repr=False)
    n = torch.layer_norm(p, [4], eps=1e-5)
    show("layer_norm", n, repr=False)
    g = torch.group_norm(p, 2)
    show("group_norm", g.detach(), repr=False)   # grad_fn: ember ViewBackward0, torch NativeGroupNormBackward0
    s = torch.softmax(n.flatten(1), 1)
    show("softmax", s, repr=False)
    ls = torch.log_softmax(n.flatten(1), dim=-1, dtype=torch.float64)
    show("log_softmax float64", ls, rtol=1e-5, atol=1e-6, repr=False)   # of float32 values
    (ls.sum() + s.pow(2).sum() + g.sum()).backward()
    show("x.grad", x.grad, rtol=1e-3, atol=1e-5, repr=False)
    show("w.grad", w.grad, rtol=1e-3, atol=1e-5, repr=False)
    show("dropout eval", torch.dropout(y, 0.5, False), repr=False)
    show("dropout train keeps or scales", sorted(set(torch.dropout(torch.ones(200), 0.5, True).tolist())))
    t = torch.ones(5)
    torch.dropout_(t, 0.0, True)
    show("dropout_", t)
    table = torch.from_numpy(show.array(6, 3)).requires_grad_()
    e = torch.embedding(table, torch.tensor([[0, 2], [5, 0]]), padding_idx=0)
    e.sum().backward()
    show("embedding", e, repr=False)
    show("embedding grad (padding row 0)", table.grad)
    v = torch.from_numpy(show.array(4, 6))
    u = torch.from_numpy(show.array(4, 6))
    show("cosine_similarity", torch.cosine_similarity(v, u), repr=False)
    show("pairwise_distance", torch.pairwise_distance(v, u), repr=False)
    show("pdist", torch.pdist(v), repr=False)
    show("relu_", torch.relu_(v.clone()), repr=False)
    show("selu/celu", (torch.selu(v), torch.celu(v, 0.5)), repr=False)
    show("threshold", torch.threshold(v, 0.1, -1.0), repr=False)
    show("prelu", torch.prelu(v, torch.tensor([0.25])), repr=False)
    seq = torch.from_numpy(show.array(2, 3, 10))
    show("conv1d", torch.conv1d(seq, torch.from_numpy(show.array(5, 3, 3)), stride=2), repr=False)
    show("avg_pool1d", torch.avg_pool1d(seq, 2), repr=False)
    show("adaptive_max_pool1d", torch.adaptive_max_pool1d(seq, 3), repr=False)
    show("constants", (torch.pi, torch.e, torch.inf, str(torch.nan), torch.newaxis))
    show.raises("softmax needs dim", lambda: torch.softmax(v))
    show.raises("dropout needs train", lambda: torch.dropout(v, 0.5))


def test_top_level_kernels():
    run_both(top_level_kernels)
