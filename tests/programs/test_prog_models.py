"""Classic small models trained a few steps on torch and on ember from the same weights and data: a char-RNN
(LSTM and GRU), a word-level nn.TransformerEncoder language model, a VAE, plus save/load interop and idioms."""
import io
import math
import os

import numpy as np
import pytest
import torch as real_torch

import ember
from _harness import run_both

TEXT = "hello world, this is a tiny corpus for a tiny character model. hello again! "


def char_rnn(cell):
    def program(torch, show):
        nn = torch.nn
        chars = sorted(set(TEXT))
        stoi = {ch: i for i, ch in enumerate(chars)}
        itos = {i: ch for ch, i in stoi.items()}
        data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)

        class CharRNN(nn.Module):
            def __init__(self, vocab, hidden=32, layers=2):
                super().__init__()
                self.embed = nn.Embedding(vocab, 16)
                rnn = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[cell]
                self.rnn = rnn(16, hidden, num_layers=layers, batch_first=True, dropout=0.0)
                self.head = nn.Linear(hidden, vocab)

            def forward(self, x, state=None):
                out, state = self.rnn(self.embed(x), state)
                return self.head(out), state

        model = show.same_init(CharRNN(len(chars)))
        print(model)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        seq = 16
        starts = [0, 20, 40, 5]
        for step in range(8):
            x = torch.stack([data[s:s + seq] for s in starts])
            y = torch.stack([data[s + 1:s + seq + 1] for s in starts])
            logits, _ = model(x)
            loss = nn.functional.cross_entropy(logits.view(-1, len(chars)), y.view(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            show(f"loss {step}", loss.item(), rtol=2e-4)
        model.eval()
        with torch.no_grad():
            idx = torch.tensor([[stoi["h"]]])
            state = None
            out = []
            for _ in range(10):
                logits, state = model(idx, state)
                idx = logits[:, -1].argmax(dim=-1, keepdim=True)
                out.append(itos[idx.item()])
        show("greedy sample", "".join(out))
        show("state shapes", [tuple(s.shape) for s in (state if isinstance(state, tuple) else (state,))])
    return program


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_char_rnn(cell):
    run_both(char_rnn(cell))


def word_transformer(torch, show):
    nn = torch.nn
    words = "the cat sat on the mat the dog sat on the log a cat and a dog".split()
    vocab = sorted(set(words))
    ids = torch.tensor([vocab.index(w) for w in words])

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, dropout=0.1, max_len=64):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe)

        def forward(self, x):
            x = x + self.pe[:x.size(0)]
            return self.dropout(x)

    class TransformerModel(nn.Module):
        def __init__(self, ntoken, d_model=16, nhead=2, d_hid=32, nlayers=2, dropout=0.1):
            super().__init__()
            self.model_type = "Transformer"
            self.pos_encoder = PositionalEncoding(d_model, dropout)
            encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
            self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
            self.embedding = nn.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = nn.Linear(d_model, ntoken)

        def forward(self, src, src_mask=None):
            src = self.embedding(src) * math.sqrt(self.d_model)
            src = self.pos_encoder(src)
            output = self.transformer_encoder(src, src_mask, is_causal=src_mask is not None)
            return self.linear(output)

    model = show.same_init(TransformerModel(len(vocab)))
    print(model.transformer_encoder.layers[0].self_attn)
    show("n params", sum(p.numel() for p in model.parameters() if p.requires_grad))
    show("buffers", [n for n, _ in model.named_buffers()])
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
    bptt = 5
    data = ids.view(-1, 1)                              # [seq_len, batch_size] as in the tutorial (batchify)
    mask = nn.Transformer.generate_square_subsequent_mask(bptt)
    print(mask)
    model.eval()                                          # dropout off: both runs see the same function
    for epoch in range(3):
        total_loss = 0.0
        for i in range(0, data.size(0) - 1, bptt):
            seq_len = min(bptt, len(data) - 1 - i)
            src, target = data[i:i + seq_len], data[i + 1:i + 1 + seq_len].reshape(-1)
            output = model(src, mask[:seq_len, :seq_len])
            loss = criterion(output.view(-1, len(vocab)), target)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            total_loss += loss.item()
        scheduler.step()
        show(f"epoch {epoch}", total_loss, rtol=1e-3)
        show(f"lr {epoch}", scheduler.get_last_lr())
    with torch.no_grad():
        show("ppl", math.exp(criterion(model(data[:-1], None).view(-1, len(vocab)), data[1:].view(-1)).item()), rtol=1e-3)


def vae(torch, show):
    nn = torch.nn
    F = torch.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 32)
            self.fc21 = nn.Linear(32, 4)
            self.fc22 = nn.Linear(32, 4)
            self.fc3 = nn.Linear(4, 32)
            self.fc4 = nn.Linear(32, 64)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar, eps):
            std = torch.exp(0.5 * logvar)
            return mu + eps * std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x, eps):
            mu, logvar = self.encode(x.view(-1, 64))
            z = self.reparameterize(mu, logvar, eps)
            return self.decode(z), mu, logvar

    def loss_function(recon_x, x, mu, logvar):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return BCE + KLD

    model = show.same_init(VAE())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = torch.from_numpy(show.array(8, 1, 8, 8, low=0.0, high=1.0))
    model.train()
    for epoch in range(5):
        eps = torch.from_numpy(show.array(8, 4))   # randn_like(std) in the tutorial; shared data here
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data, eps)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        optimizer.step()
        show(f"loss {epoch}", loss.item() / len(data), rtol=1e-4)
    model.eval()
    with torch.no_grad():
        sample = model.decode(torch.from_numpy(show.array(4, 4)))
        show("sample", sample.view(4, 1, 8, 8), rtol=1e-3, atol=1e-5, repr=False)
    show("bce mean", F.binary_cross_entropy(recon_batch.detach(), data.view(-1, 64)), rtol=1e-4)
    show("bce module", nn.BCELoss()(recon_batch.detach()[:2], data.view(-1, 64)[:2]), rtol=1e-4, repr=False)
    show.raises("bce outside [0,1]", lambda: F.binary_cross_entropy(recon_batch.detach() * 2, data.view(-1, 64)))


def save_load(torch, show):
    nn = torch.nn
    model = show.same_init(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)))
    opt = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)   # (Adam would amplify the 0.bias
    x = torch.from_numpy(show.array(6, 4))                             # gradient, float noise before BatchNorm)
    for _ in range(2):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    buf = io.BytesIO()
    torch.save({"epoch": 2, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(),
                "loss": 0.5}, buf)
    buf.seek(0)
    checkpoint = torch.load(buf, weights_only=True)
    show("checkpoint keys", list(checkpoint))
    show("epoch", checkpoint["epoch"])
    model2 = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    print(model2.load_state_dict(checkpoint["model_state_dict"]))
    opt2 = torch.optim.SGD(model2.parameters(), lr=1e-2, momentum=0.9)
    opt2.load_state_dict(checkpoint["optimizer_state_dict"])
    model2.eval()
    model.eval()
    show("same output", torch.equal(model(x), model2(x)))
    show("bn buffers", {k: v for k, v in model2.state_dict().items() if "running" in k or "num_batches" in k})
    show("opt state", opt2.state_dict()["state"][0]["momentum_buffer"], repr=False)
    show("param_groups", opt2.state_dict()["param_groups"])
    bad = {k: v for k, v in checkpoint["model_state_dict"].items() if k != "0.bias"}
    show.raises("strict missing key", lambda: model2.load_state_dict(bad))
    result = model2.load_state_dict(bad, strict=False)
    show("incompatible keys", (result.missing_keys, result.unexpected_keys))
    print(result)
    wrong = dict(checkpoint["model_state_dict"], **{"0.weight": torch.zeros(3, 3)})
    show.raises("shape mismatch", lambda: model2.load_state_dict(wrong))


@pytest.mark.parametrize("writer,reader", [(real_torch, ember), (ember, real_torch)], ids=["torch->ember", "ember->torch"])
def test_checkpoint_interop(tmp_path, writer, reader):
    """A state_dict saved by one library loads in the other, with the same names, dtypes and values."""
    nn = writer.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2), nn.BatchNorm1d(2))
    path = os.path.join(tmp_path, "model.pth")
    writer.save(model.state_dict(), path)
    loaded = reader.load(path, weights_only=True)
    original = model.state_dict()
    assert list(loaded) == list(original)
    for k, v in original.items():
        assert isinstance(loaded[k], reader.Tensor)
        assert str(loaded[k].dtype).split(".")[-1] == str(v.dtype).split(".")[-1]
        np.testing.assert_array_equal(loaded[k].numpy(), v.detach().numpy())
    rnn = reader.nn
    target = rnn.Sequential(rnn.Linear(3, 4), rnn.LayerNorm(4), rnn.Linear(4, 2), rnn.BatchNorm1d(2))
    target.load_state_dict(loaded)
    target.eval()
    model.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(target(reader.from_numpy(x)).detach().numpy(),
                               model(writer.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def idioms(torch, show):
    torch.manual_seed(42)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    show("device", device)
    model = show.same_init(torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)))
    model = model.to(device)
    show("param device", str(next(model.parameters()).device))
    x = torch.from_numpy(show.array(20, 5)).to(device)
    y = torch.from_numpy(show.rng.integers(0, 3, size=20)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    for epoch in range(5):
        model.train()
        opt.zero_grad()
        out = model(x)
        loss = torch.nn.functional.cross_entropy(out, y, label_smoothing=0.1)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        show(f"grad norm {epoch}", norm, repr=False)
        opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(x).argmax(dim=1) == y).float().mean()
        show(f"acc {epoch}", acc.item())
        show(f"lr {epoch}", sched.get_last_lr())
    with torch.no_grad():
        logits = model(x)
    show("logits tolist", [[round(v, 4) for v in row] for row in logits[:2].tolist()])
    show("numpy", logits.cpu().numpy()[:2], rtol=1e-4)
    show("from_numpy dtype", torch.from_numpy(np.arange(3)).dtype)
    show("cat", torch.cat([logits[:2], logits[2:4]], dim=0).shape)
    show("stack", torch.stack([y[:3], y[3:6]]), repr=True)
    show("softmax sums", torch.softmax(logits, dim=-1).sum(-1), repr=False)
    probs, classes = torch.topk(torch.softmax(logits, dim=1), k=2, dim=1)
    show("topk", (probs[:3], classes[:3]), repr=False)
    show("state_dict", {k: tuple(v.shape) for k, v in model.state_dict().items()})
    show("requires_grad_ freeze", [p.requires_grad for p in model[0].requires_grad_(False).parameters()])
    show("trainable", sum(p.numel() for p in model.parameters() if p.requires_grad))
    show("named_modules", [n for n, _ in model.named_modules()])
    show("train flag", (model.training, model.train().training, model[0].training))
    onehot = torch.nn.functional.one_hot(y[:4], num_classes=3)
    show("one_hot", onehot)
    show("where/masked_fill", logits[:2].masked_fill(logits[:2] < 0, 0.0), repr=False)
    lr_lambda = torch.optim.lr_scheduler.LambdaLR(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0),
                                                  lambda e: 0.5 ** e)
    for _ in range(3):
        lr_lambda.optimizer.step()
        lr_lambda.step()
    show("LambdaLR", lr_lambda.get_last_lr())
    red = torch.optim.lr_scheduler.ReduceLROnPlateau(torch.optim.Adam([torch.nn.Parameter(torch.ones(1))], lr=1.0),
                                                     patience=1, factor=0.5)
    for metric in [1.0, 1.0, 1.0, 1.0, 0.5]:
        red.step(metric)
    show("ReduceLROnPlateau", [g["lr"] for g in red.optimizer.param_groups])
    show("is_tensor", (torch.is_tensor(x), torch.is_floating_point(x), torch.numel(x)))
    show("get_default_dtype", torch.get_default_dtype())
    show("no_grad decorator", torch.no_grad()(lambda: (x * 2).requires_grad)())


@pytest.mark.parametrize("program", [word_transformer, vae, save_load, idioms], ids=lambda f: f.__name__)
def test_models(program):
    run_both(program)
