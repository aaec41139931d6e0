"""Every common layer as a program uses it: built the same way, started from torch's weights, called on the
same input in train and eval mode; outputs, grad_fn names, input and parameter gradients compared with torch."""
import pytest

from _harness import run_both

LAYERS = [  # (constructor source, input shape)
    ("nn.Linear(6, 4)", (3, 6)), ("nn.Linear(6, 4, bias=False)", (2, 5, 6)), ("nn.Bilinear(6, 6, 3)", None),
    ("nn.Conv1d(3, 4, 3, padding=1)", (2, 3, 9)), ("nn.Conv2d(3, 4, 3, stride=2, padding=1)", (2, 3, 8, 8)),
    ("nn.Conv2d(4, 4, 3, groups=2, dilation=2, padding='same')", (1, 4, 9, 9)),
    ("nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)", (1, 3, 5, 5)), ("nn.Conv3d(2, 2, 2)", (1, 2, 4, 4, 4)),
    ("nn.MaxPool2d(2)", (2, 3, 8, 8)), ("nn.MaxPool1d(3, stride=2)", (2, 3, 9)), ("nn.AvgPool2d(2, ceil_mode=True)", (1, 2, 7, 7)),
    ("nn.AdaptiveAvgPool2d((2, 3))", (2, 3, 7, 9)), ("nn.AdaptiveMaxPool1d(4)", (2, 3, 10)),
    ("nn.BatchNorm1d(6)", (5, 6)), ("nn.BatchNorm2d(3)", (4, 3, 5, 5)), ("nn.BatchNorm1d(4, momentum=None)", (3, 4, 7)),
    ("nn.LayerNorm(6)", (3, 6)), ("nn.LayerNorm([3, 4], elementwise_affine=False)", (2, 3, 4)),
    ("nn.GroupNorm(2, 4)", (2, 4, 5)), ("nn.InstanceNorm1d(3, affine=True)", (2, 3, 8)), ("nn.RMSNorm(6)", (3, 6)),
    ("nn.Embedding(10, 4, padding_idx=0)", "ids"), ("nn.EmbeddingBag(10, 4, mode='mean')", "bag"),
    ("nn.LSTM(5, 6, num_layers=2, batch_first=True)", (2, 4, 5)), ("nn.GRU(5, 6, bidirectional=True)", (4, 2, 5)),
    ("nn.RNN(5, 6, nonlinearity='relu')", (4, 2, 5)), ("nn.LSTMCell(5, 6)", (3, 5)), ("nn.GRUCell(5, 6)", (3, 5)),
    ("nn.MultiheadAttention(6, 2)", "mha"), ("nn.TransformerEncoderLayer(6, 2, 12, dropout=0.0, batch_first=True)", (2, 4, 6)),
    ("nn.TransformerDecoderLayer(6, 2, 12, dropout=0.0)", "dec"), ("nn.Transformer(6, 2, 1, 1, 12, dropout=0.0)", "tr"),
    ("nn.ReLU()", (3, 6)), ("nn.GELU()", (3, 6)), ("nn.SiLU()", (3, 6)), ("nn.Tanh()", (3, 6)), ("nn.Sigmoid()", (3, 6)),
    ("nn.LeakyReLU(0.1)", (3, 6)), ("nn.ELU()", (3, 6)), ("nn.Softplus()", (3, 6)), ("nn.Mish()", (3, 6)),
    ("nn.Hardswish()", (3, 6)), ("nn.PReLU(6)", (3, 6)), ("nn.Softmax(dim=1)", (3, 6)), ("nn.LogSoftmax(dim=-1)", (3, 6)),
    ("nn.Dropout(0.0)", (3, 6)), ("nn.Flatten()", (2, 3, 4)), ("nn.Unflatten(1, (2, 3))", (4, 6)),
    ("nn.Identity()", (3, 6)), ("nn.Upsample(scale_factor=2, mode='nearest')", (1, 2, 3, 3)),
    ("nn.Upsample(size=(5, 5), mode='bilinear', align_corners=False)", (1, 2, 3, 3)), ("nn.PixelShuffle(2)", (1, 8, 3, 3)),
    ("nn.ZeroPad2d((1, 0, 2, 1))", (1, 2, 3, 3)), ("nn.ReflectionPad1d(2)", (1, 2, 5)), ("nn.CosineSimilarity(dim=1)", "pair"),
    ("nn.PairwiseDistance()", "pair"),
]


def _inputs(torch, show, spec):
    if spec == "ids":
        return (torch.tensor([[0, 3, 9], [2, 0, 1]]),)
    if spec == "bag":
        return torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4])
    if spec == "mha":
        return tuple(torch.from_numpy(show.array(4, 2, 6)).requires_grad_() for _ in range(3))
    if spec in ("dec", "tr"):
        return torch.from_numpy(show.array(5, 2, 6)).requires_grad_(), torch.from_numpy(show.array(3, 2, 6)).requires_grad_()
    if spec == "pair":
        return torch.from_numpy(show.array(3, 6)).requires_grad_(), torch.from_numpy(show.array(3, 6)).requires_grad_()
    if spec is None:
        return torch.from_numpy(show.array(3, 6)).requires_grad_(), torch.from_numpy(show.array(3, 6)).requires_grad_()
    return (torch.from_numpy(show.array(*spec)).requires_grad_(),)


@pytest.mark.parametrize("source,spec", LAYERS, ids=[s for s, _ in LAYERS])
def test_layer(source, spec):
    def program(torch, show):
        nn = torch.nn
        layer = show.same_init(eval(source, {"nn": nn}))
        print(layer)
        for mode in ("train", "eval"):
            getattr(layer, mode)()
            inputs = _inputs(torch, show, spec)
            out = layer(*inputs)
            outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, torch.Tensor)]
            if isinstance(out, tuple) and isinstance(out[1], tuple):      # LSTM: (output, (h, c))
                outs += list(out[1])
            show(f"{mode} outputs", [o.detach() for o in outs], rtol=1e-4, atol=1e-5, repr=False)
            show(f"{mode} requires_grad", [o.requires_grad for o in outs])
            show(f"{mode} grad_fn", [None if o.grad_fn is None else o.grad_fn.name() for o in outs])
            loss = sum((o.float() * torch.linspace(-1, 1, o.numel()).view(o.shape)).sum() for o in outs if o.requires_grad)
            if isinstance(loss, torch.Tensor):
                loss.backward()
                show(f"{mode} input grads", [i.grad for i in inputs if i.requires_grad], rtol=1e-3, atol=1e-5, repr=False)
                show(f"{mode} param grads", {n: p.grad for n, p in layer.named_parameters()}, rtol=1e-3, atol=1e-5, repr=False)
                layer.zero_grad()
        show("buffers", {n: b for n, b in layer.named_buffers()}, rtol=1e-4, atol=1e-6, repr=False)
    run_both(program)
