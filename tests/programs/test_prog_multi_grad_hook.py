"""autograd.graph.register_multi_grad_hook (modes "all" and "any") on torch and ember, compared: which
gradients reach fn in each backward (all tensors, backward(inputs=...), a second graph), removal, errors."""
from _harness import run_both


def multi_grad_hook(torch, show):
    a = torch.from_numpy(show.array(2, 3)).requires_grad_()
    b = torch.from_numpy(show.array(2, 3)).requires_grad_()
    c = a * b
    d = a * b
    res = []
    def fn(grads):
        res.append([g is not None for g in grads])
        res.append([g for g in grads if g is not None])
    h = torch.autograd.graph.register_multi_grad_hook((a, b, c, d), fn)
    c.sum().backward(retain_graph=True)
    show("all", res); res.clear()
    c.sum().backward(inputs=(a,), retain_graph=True)
    show("inputs=a", res); res.clear()
    (c * d).sum().backward()
    show("grad", res); res.clear()
    h.remove()
    (a * b).sum().backward()
    show("removed", res)
    anys = []
    y = a * 2
    h = torch.autograd.graph.register_multi_grad_hook((a, y), lambda g: anys.append(g), mode="any")
    (y * b).sum().backward(retain_graph=True)        # y's gradient comes first
    (a * 3).sum().backward()
    show("any", anys)
    show.raises("bad mode", lambda: torch.autograd.graph.register_multi_grad_hook((a,), fn, mode="some"))
    show.raises("no grad", lambda: torch.autograd.graph.register_multi_grad_hook((torch.ones(2),), fn))
    show.raises("no grad any", lambda: torch.autograd.graph.register_multi_grad_hook((torch.ones(2),), fn, mode="any"))


def test_multi_grad_hook():
    run_both(multi_grad_hook)
