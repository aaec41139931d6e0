"""More model programs: a mini GPT (causal self-attention by hand and with scaled_dot_product_attention,
AdamW with decay groups, warmup+cosine schedule), nn.MultiheadAttention, a ResNet block CNN with BatchNorm2d,
a packed-sequence GRU classifier, the lr-scheduler zoo and optimizer state round trips, vs torch."""
import math

import pytest

from _harness import run_both


def mini_gpt(torch, show):
    nn = torch.nn
    F = torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd, n_head, block_size, sdpa):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.n_head, self.n_embd, self.sdpa = n_head, n_embd, sdpa
            self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            if self.sdpa:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
                att = F.softmax(att, dim=-1)
                y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self, n_embd, n_head, block_size, sdpa):
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention(n_embd, n_head, block_size, sdpa)
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, vocab, block_size=8, n_embd=16, n_head=2, n_layer=2, sdpa=False):
            super().__init__()
            self.block_size = block_size
            self.wte = nn.Embedding(vocab, n_embd)
            self.wpe = nn.Embedding(block_size, n_embd)
            self.h = nn.ModuleList([Block(n_embd, n_head, block_size, sdpa) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab, bias=False)
            self.wte.weight = self.lm_head.weight          # weight tying

        def forward(self, idx, targets=None):
            b, t = idx.size()
            pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
            x = self.wte(idx) + self.wpe(pos)
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
            return logits, loss

        @torch.no_grad()
        def generate(self, idx, max_new_tokens):
            for _ in range(max_new_tokens):
                idx_cond = idx if idx.size(1) <= self.block_size else idx[:, -self.block_size:]
                logits, _ = self(idx_cond)
                idx_next = logits[:, -1, :].argmax(dim=-1, keepdim=True)
                idx = torch.cat((idx, idx_next), dim=1)
            return idx

    data = torch.from_numpy(show.rng.integers(0, 11, size=200))
    for sdpa in (False, True):
        model = show.same_init(GPT(11, sdpa=sdpa))
        show("shared weight", model.wte.weight is model.lm_head.weight)
        show("n params", sum(p.numel() for p in model.parameters()))
        decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                lr=3e-3, betas=(0.9, 0.95))
        warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2)
        cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[2])
        starts = [3, 50, 100, 150]
        for step in range(6):
            x = torch.stack([data[i:i + 8] for i in starts])
            y = torch.stack([data[i + 1:i + 9] for i in starts])
            logits, loss = model(x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            show(f"sdpa={sdpa} loss {step}", loss.item(), rtol=2e-4)
            show(f"sdpa={sdpa} lr {step}", sched.get_last_lr())
        model.eval()
        show("generate", model.generate(torch.tensor([[1, 2]]), 10).tolist())


def multihead_attention(torch, show):
    nn = torch.nn
    mha = show.same_init(nn.MultiheadAttention(8, 2, batch_first=True))
    q = torch.from_numpy(show.array(2, 5, 8))
    kv = torch.from_numpy(show.array(2, 7, 8))
    out, w = mha(q, kv, kv)
    show("out", out, repr=False)
    show("weights averaged", w, repr=False)
    out2, w2 = mha(q, kv, kv, need_weights=True, average_attn_weights=False)
    show("weights per head", w2.shape)
    pad = torch.tensor([[False] * 7, [False] * 5 + [True] * 2])
    out3, _ = mha(q, kv, kv, key_padding_mask=pad)
    show("key padding", out3, repr=False)
    causal = nn.Transformer.generate_square_subsequent_mask(5)
    out4, w4 = mha(q, q, q, attn_mask=causal)
    show("causal weights", w4, repr=False)
    out4.sum().backward()
    show("in_proj grad", mha.in_proj_weight.grad, rtol=1e-3, atol=1e-5, repr=False)
    out5, w5 = mha(q, q, q, need_weights=False)
    show("no weights", w5)
    F = torch.nn.functional
    show("sdpa with mask", F.scaled_dot_product_attention(q, kv, kv, attn_mask=torch.ones(5, 7, dtype=torch.bool).tril()), repr=False)


def resnet_cnn(torch, show):
    nn = torch.nn
    F = torch.nn.functional

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, in_planes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                                              nn.BatchNorm2d(planes))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            return F.relu(out)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
            self.layer1 = BasicBlock(8, 8)
            self.layer2 = BasicBlock(8, 16, stride=2)
            self.drop = nn.Dropout2d(0.0)
            self.pool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(16, 4)

        def forward(self, x):
            x = self.layer2(self.layer1(self.stem(x)))
            return self.fc(torch.flatten(self.pool(self.drop(x)), 1))

    model = show.same_init(Net())
    x = torch.from_numpy(show.array(4, 3, 12, 12))
    y = torch.from_numpy(show.rng.integers(0, 4, size=4))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 3], gamma=0.1)
    for step in range(4):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        show(f"loss {step}", loss.item(), rtol=1e-4)
    show("lr", sched.get_last_lr())
    show("bn running_var", model.layer2.bn2.running_var, rtol=1e-3, atol=1e-5, repr=False)
    model.eval()
    with torch.no_grad():
        show("eval logits", model(x), rtol=1e-3, atol=1e-4, repr=False)
    print(model.layer2)


def packed_gru(torch, show):
    nn = torch.nn
    rnn_utils = torch.nn.utils.rnn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 6, padding_idx=0)
            self.gru = nn.GRU(6, 8, batch_first=True, bidirectional=True)
            self.out = nn.Linear(16, 2)

        def forward(self, x, lengths):
            packed = rnn_utils.pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
            out, h = self.gru(packed)
            unpacked, lens = rnn_utils.pad_packed_sequence(out, batch_first=True)
            return self.out(torch.cat([h[-2], h[-1]], dim=1)), unpacked, lens

    model = show.same_init(Classifier())
    seqs = [torch.tensor(s) for s in ([1, 2, 3, 4], [5, 6], [7, 8, 9])]
    lengths = torch.tensor([len(s) for s in seqs])
    x = rnn_utils.pad_sequence(seqs, batch_first=True)
    show("padded", x)
    logits, unpacked, lens = model(x, lengths)
    show("logits", logits, repr=False)
    show("unpacked", unpacked, repr=False)
    show("lens", lens)
    loss = nn.functional.cross_entropy(logits, torch.tensor([0, 1, 1]))
    loss.backward()
    show("emb grad", model.emb.weight.grad, rtol=1e-3, atol=1e-5, repr=False)
    packed = rnn_utils.pack_sequence(seqs, enforce_sorted=False)
    show("packed data", packed.data)
    show("batch_sizes", packed.batch_sizes)


@pytest.mark.parametrize("name,kw,steps", [
    ("StepLR", dict(step_size=2, gamma=0.5), 6), ("ExponentialLR", dict(gamma=0.9), 4),
    ("MultiStepLR", dict(milestones=[1, 3], gamma=0.1), 5), ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01), 6),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2), 7), ("OneCycleLR", dict(max_lr=0.5, total_steps=6), 5),
    ("LinearLR", dict(start_factor=0.25, total_iters=3), 5), ("ConstantLR", dict(factor=0.5, total_iters=2), 4),
    ("PolynomialLR", dict(total_iters=4, power=2.0), 5), ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2), 6)])
def test_lr_schedulers(name, kw, steps):
    def program(torch, show):
        p = torch.nn.Parameter(torch.ones(3))
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sched = getattr(torch.optim.lr_scheduler, name)(opt, **kw)
        for _ in range(steps):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
            sched.step()
            show("lr", sched.get_last_lr())
            show("group lr", opt.param_groups[0]["lr"])
        show("p", p)
        show("state keys", sorted(k for k in sched.state_dict() if not k.startswith("_")))
    run_both(program)


def optimizer_state(torch, show):
    model = show.same_init(torch.nn.Linear(3, 2))
    x = torch.from_numpy(show.array(4, 3))
    for name, kw in [("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, momentum=0.5)),
                     ("Adagrad", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)), ("Adamax", dict(lr=0.01)),
                     ("NAdam", dict(lr=0.01)), ("RAdam", dict(lr=0.01)), ("Adadelta", dict(lr=1.0))]:
        opt = getattr(torch.optim, name)(model.parameters(), **kw)
        for _ in range(3):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
        sd = opt.state_dict()
        show(f"{name} state keys", sorted(sd["state"][0]))
        show(f"{name} param_groups", [{k: v for k, v in g.items() if k != "params"} for g in sd["param_groups"]])
        show(f"{name} weight", model.weight.detach().clone(), rtol=1e-4, atol=1e-6, repr=False)
        opt2 = getattr(torch.optim, name)(model.parameters(), **kw)
        opt2.load_state_dict(sd)
        show(f"{name} loaded step", sd["state"][0].get("step"), repr=False)
    opt = torch.optim.SGD([model.weight], lr=0.1)
    opt.add_param_group({"params": [model.bias], "lr": 0.01})
    show("groups", [(g["lr"], len(g["params"])) for g in opt.param_groups])
    show.raises("param in two groups", lambda: opt.add_param_group({"params": [model.bias]}))


@pytest.mark.parametrize("program", [mini_gpt, multihead_attention, resnet_cnn, packed_gru, optimizer_state],
                         ids=lambda f: f.__name__)
def test_models2(program):
    run_both(program)
