"""NumPy keyword names that PyTorch's functions and Tensor methods accept: axis= for dim=, keepdims= for
keepdim= (code written by NumPy users: x.sum(axis=0), x.mean(axis=1, keepdims=True), torch.cat(ts, axis=1))."""
from _harness import run_both

CALLS = [
    "x.sum(axis=0)", "x.sum(0, keepdims=True)", "torch.sum(x, axis=1, keepdims=True)", "x.mean(axis=1)",
    "torch.mean(x, axis=(0, 1))", "torch.max(x, axis=0)", "x.min(axis=1)", "x.std(axis=0)", "x.var(axis=0)",
    "torch.argmax(x, axis=1)", "x.argmin(axis=0, keepdims=True)", "torch.cat([x, x], axis=0)",
    "torch.stack([x, x], axis=2)", "x.squeeze(axis=0)", "x.unsqueeze(axis=0)", "x.cumsum(axis=0)", "x.any(axis=0)",
    "x.all(axis=1)", "x.prod(axis=0)", "x.amax(axis=0)", "x.sort(axis=0)", "x.argsort(axis=0)",
    "x.topk(1, axis=0)", "x.logsumexp(axis=1)", "x.softmax(axis=0)", "torch.softmax(x, axis=1)",
    "x.gather(axis=1, index=torch.zeros(2, 1, dtype=torch.long))", "x.index_select(axis=1, index=torch.tensor([0]))",
    "x.nansum(axis=0)", "x.median(axis=0)", "x.count_nonzero(axis=0)", "x.norm(dim=0)", "x.chunk(2, axis=1)",
    "x.flip(axis=0)", "x.sum(dim=0, axis=0)", "x.transpose(axis0=0, axis1=1)",
]


def numpy_keywords(torch, show):
    for call in CALLS:
        x = torch.arange(6.0).view(2, 3)
        box = {}
        show.raises(call + " raises?", lambda: box.setdefault("r", eval(call, {"torch": torch, "x": x})))
        if "r" in box:
            show(call, box["r"])


def test_numpy_keywords():
    run_both(numpy_keywords)
