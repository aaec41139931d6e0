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
