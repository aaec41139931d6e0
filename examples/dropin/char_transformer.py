"""A small character-level GPT: embeddings, causal self-attention, LayerNorm, GELU, AdamW, cosine schedule.

In the style of PyTorch's language-modelling tutorials and nanoGPT: the model
predicts the next character of a short public-domain text. Batches come from
NumPy's seeded generator and the weights from ``init_from_numpy``, and dropout
is 0, so the run is deterministic and the same under torch and under ember
(``python -m ember.run char_transformer.py``). Prints the loss as it trains, a
greedy sample, and a RESULT line (JSON).
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

from _init import init_from_numpy

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, "
    "it was the season of Darkness, it was the spring of hope, it was the winter of despair, we had "
    "everything before us, we had nothing before us, we were all going direct to Heaven, we were all going "
    "direct the other way."
)
BLOCK, BATCH, EMBED, HEADS, LAYERS, STEPS = 24, 12, 32, 4, 2, 60

chars = sorted(set(TEXT))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)
split = int(0.85 * len(data))
train_data, val_data = data[:split], data[split:]


def get_batch(source, rng, batch=BATCH):
    ix = rng.integers(0, len(source) - BLOCK - 1, size=batch)
    x = torch.stack([source[i:i + BLOCK] for i in ix])
    y = torch.stack([source[i + 1:i + 1 + BLOCK] for i in ix])
    return x, y


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(EMBED, 3 * EMBED)
        self.c_proj = nn.Linear(EMBED, EMBED)
        self.register_buffer("bias", torch.tril(torch.ones(BLOCK, BLOCK)).view(1, 1, BLOCK, BLOCK))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(EMBED, dim=2)
        k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(EMBED)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(EMBED)
        self.mlp = nn.Sequential(nn.Linear(EMBED, 4 * EMBED), nn.GELU(), nn.Linear(4 * EMBED, EMBED),
                                 nn.Dropout(0.0))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class CharGPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte = nn.Embedding(vocab, EMBED)
        self.wpe = nn.Embedding(BLOCK, EMBED)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(EMBED)
        self.lm_head = nn.Linear(EMBED, vocab, bias=False)
        self.lm_head.weight = self.wte.weight          # weight tying, as GPT-2

    def forward(self, idx, targets=None):
        pos = torch.arange(0, idx.size(1), dtype=torch.long)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def generate(self, idx, new_tokens):
        for _ in range(new_tokens):
            logits, _ = self(idx[:, -BLOCK:])
            idx = torch.cat((idx, logits[:, -1, :].argmax(dim=-1, keepdim=True)), dim=1)
        return idx


model = CharGPT(len(chars))
init_from_numpy(model, seed=3)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=3e-3, betas=(0.9, 0.95))
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS, eta_min=3e-4)
print(f"{sum(p.numel() for p in model.parameters())} parameters, vocabulary of {len(chars)}")


@torch.no_grad()
def val_loss():
    model.eval()
    x, y = get_batch(val_data, np.random.default_rng(99), batch=8)
    loss = model(x, y)[1].item()
    model.train()
    return loss


rng = np.random.default_rng(4)
val_before = val_loss()
losses = []
for step in range(STEPS):
    x, y = get_batch(train_data, rng)
    _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    losses.append(loss.item())
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  lr {scheduler.get_last_lr()[0]:.5f}")
val_after = val_loss()
print(f"validation loss {val_before:.4f} -> {val_after:.4f}")

model.eval()
prompt = torch.tensor([[stoi[c] for c in "it was the "]], dtype=torch.long)
sample = "".join(chars[i] for i in model.generate(prompt, 20)[0].tolist())
print("sample:", repr(sample))
print("RESULT", json.dumps({"losses": losses, "val_before": val_before, "val_after": val_after,
                            "sample": sample}))
