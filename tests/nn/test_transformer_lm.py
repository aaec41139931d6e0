"""A small GPT-style language model, written exactly as one writes it for PyTorch, gives the same
printed model, state_dict, loss and gradients in ember as in torch (and trains the same way).

Everything is plain PyTorch code on ``lib``: Embedding, LayerNorm, Linear, GELU, Dropout, a causal
mask built with tril and applied with masked_fill, softmax, cross_entropy with ignore_index, and the
output head tied to the token embedding.
"""
import math

import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, copy_state
from oracle import assert_same, rng

VOCAB, D, HEADS, LAYERS, CTX = 37, 32, 4, 2, 12


def gpt(lib, dropout=0.1):
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(D, 3 * D)
            self.c_proj = nn.Linear(D, D)
            self.attn_dropout = nn.Dropout(dropout)
            self.resid_dropout = nn.Dropout(dropout)
            self.register_buffer("bias", lib.tril(lib.ones(CTX, CTX)).view(1, 1, CTX, CTX))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(D, dim=2)
            k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(D, 4 * D)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * D, D)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(D)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(D)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(VOCAB, D),
                wpe=nn.Embedding(CTX, D),
                drop=nn.Dropout(dropout),
                h=nn.ModuleList([Block() for _ in range(LAYERS)]),
                ln_f=nn.LayerNorm(D),
            ))
            self.lm_head = nn.Linear(D, VOCAB, bias=False)
            self.transformer.wte.weight = self.lm_head.weight          # weight tying
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                lib.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    lib.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                lib.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            b, t = idx.size()
            pos = lib.arange(0, t, dtype=lib.long)
            x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
            return logits, loss

    return GPT()


def _pair_models(dtype, dropout=0.1):
    tm, em = gpt(torch, dropout), gpt(ember, dropout)
    tm.to(getattr(torch, dtype))
    em.to(getattr(ember, dtype))
    with torch.no_grad():                    # non-trivial LayerNorm parameters (the defaults hide mistakes)
        for name, p in tm.named_parameters():
            if "ln_" in name:
                p.uniform_(0.5, 1.5) if name.endswith("weight") else p.uniform_(-0.2, 0.2)
    copy_state(em, tm)
    return em, tm


def _batch(b=3, t=CTX):
    idx = rng().integers(0, VOCAB, size=(b, t))
    targets = np.roll(idx, -1, axis=1)
    targets[:, -1] = -1                      # ignored positions
    targets[0, :3] = -1
    return idx, targets


def test_printed_model_and_state_dict_equal_torch():
    em, tm = gpt(ember), gpt(torch)
    assert_same_repr(em, tm)
    esd, tsd = em.state_dict(), tm.state_dict()
    assert [(k, tuple(v.shape)) for k, v in esd.items()] == [(k, tuple(v.shape)) for k, v in tsd.items()]
    assert em.lm_head.weight is em.transformer.wte.weight
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]  # tied: listed once


@pytest.mark.parametrize("dtype,rtol,atol", [("float32", 2e-4, 2e-6), ("float64", 1e-9, 1e-12)])
@pytest.mark.parametrize("t", [CTX, 7])
def test_loss_and_gradients_equal_torch(dtype, rtol, atol, t):
    em, tm = _pair_models(dtype)
    em.eval()
    tm.eval()                                # dropout off: masks are random streams that differ
    idx, targets = _batch(t=t)
    e_logits, e_loss = em(ember.tensor(idx), ember.tensor(targets))
    t_logits, t_loss = tm(torch.tensor(idx), torch.tensor(targets))
    assert_same(e_logits, t_logits, rtol, atol)
    assert_same(e_loss, t_loss, rtol, atol)
    e_loss.backward()
    t_loss.backward()
    e_params = dict(em.named_parameters())
    for name, tp in tm.named_parameters():
        assert_same(e_params[name].grad, tp.grad, rtol, atol * 10, what=f"grad of {name}")


def test_training_mode_uses_dropout_and_p_zero_matches():
    em, tm = _pair_models("float64", dropout=0.0)        # training mode, p = 0: identical to eval
    idx, targets = _batch()
    _, e_loss = em(ember.tensor(idx), ember.tensor(targets))
    _, t_loss = tm(torch.tensor(idx), torch.tensor(targets))
    assert_same(e_loss, t_loss, 1e-9, 1e-12)
    em, _ = _pair_models("float64", dropout=0.3)
    _, train_loss = em(ember.tensor(idx), ember.tensor(targets))
    em.eval()
    _, eval_loss = em(ember.tensor(idx), ember.tensor(targets))
    assert train_loss.item() != eval_loss.item()
    train_loss.backward()
    assert all(np.isfinite(p.grad.numpy()).all() for p in em.parameters())


def test_trains_the_same_way():
    em, tm = _pair_models("float64")
    em.eval()
    tm.eval()
    eo = ember.optim.AdamW(em.parameters(), lr=3e-3, weight_decay=0.1)
    to = torch.optim.AdamW(tm.parameters(), lr=3e-3, weight_decay=0.1)
    idx, targets = _batch()
    for step in range(4):
        for model, opt, lib in ((em, eo, ember), (tm, to, torch)):
            opt.zero_grad(set_to_none=True)
            _, loss = model(lib.tensor(idx), lib.tensor(targets))
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if lib is ember:
                e_loss = loss.item()
            else:
                assert abs(e_loss - loss.item()) < 1e-9 * max(1.0, abs(loss.item())), (step, e_loss, loss.item())
