"""A character-level GPT trained on the Python standard library's own source code (every
machine with Python has it: no download), written as PyTorch code in the style of
nanoGPT: token + position embeddings, pre-LayerNorm transformer blocks with causal
softmax self-attention (a ``tril`` mask applied with ``masked_fill``) and a GELU MLP,
dropout, AdamW with warm-up and a cosine schedule.

The reference point is the unigram baseline: the cross-entropy on the validation text
of a model that knows only how often each character occurs (the entropy of the
character distribution). Anything below it has learnt structure.
"""
import glob
import math
import os

import numpy as np

import ember as torch
from ember import nn
from ember.nn import functional as F
from ember.utils.data import DataLoader, Dataset, RandomSampler

from . import _common


def add_arguments(parser):
    g = parser.add_argument_group("chargpt (character-level GPT on the standard library's source)")
    g.add_argument("--gpt-steps", type=int, default=600, metavar="N", help="optimizer steps (600)")
    g.add_argument("--gpt-layers", type=int, default=4, metavar="L", help="transformer blocks (4)")
    g.add_argument("--gpt-embd", type=int, default=128, metavar="C", help="embedding width (128)")
    g.add_argument("--gpt-heads", type=int, default=4, metavar="H", help="attention heads (4)")
    g.add_argument("--gpt-block", type=int, default=64, metavar="T", help="context length in characters (64)")
    g.add_argument("--gpt-batch", type=int, default=32, metavar="B", help="sequences per batch (32)")
    g.add_argument("--gpt-lr", type=float, default=3e-3, metavar="LR", help="peak AdamW learning rate (3e-3)")
    g.add_argument("--gpt-warmup", type=int, default=30, metavar="N",
                   help="steps of linear learning-rate warm-up before the cosine decay (30)")
    g.add_argument("--gpt-dropout", type=float, default=0.1, metavar="P", help="dropout probability (0.1)")
    g.add_argument("--gpt-eval-every", type=int, default=100, metavar="N",
                   help="steps between validation-loss measurements (100)")
    g.add_argument("--gpt-sample", type=int, default=400, metavar="N", help="characters to sample at the end (400)")
    g.add_argument("--gpt-prompt", default="def ", metavar="TEXT", help="text the sample starts from ('def ')")
    g.add_argument("--corpus", default=None, metavar="PATH",
                   help="a text file or a folder of .py files to train on (default: the standard library's source)")
    g.add_argument("--corpus-chars", type=int, default=2_000_000, metavar="N",
                   help="read at most this many characters of the corpus (2,000,000)")


# ------------------------------------------------------------------ data
def read_corpus(path, limit):
    """Text of ``path`` (a file, or a folder whose .py files are read in name order; default:
    the standard library's folder), at most ``limit`` characters."""
    if path is None:
        path = os.path.dirname(os.__file__)
    files = [path] if os.path.isfile(path) else sorted(glob.glob(os.path.join(path, "*.py")))
    if not files:       # a Python installed without sources: ember's own are always there
        files = sorted(glob.glob(os.path.join(os.path.dirname(torch.__file__), "**", "*.py"), recursive=True))
    parts, size = [], 0
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as f:
            parts.append(f.read())
        size += len(parts[-1])
        if size >= limit:
            break
    text = "".join(parts)[:limit]
    # printable ASCII and newlines; tabs as spaces; anything else (rare) as one placeholder
    text = text.replace("\t", "    ")
    return "".join(c if (" " <= c <= "~" or c == "\n") else "\x7f" for c in text), files[:len(parts)]


class CharWindows(Dataset):
    """Item ``i``: (ids[i : i+T], ids[i+1 : i+T+1]) as int64 NumPy arrays (collated into tensors)."""

    def __init__(self, ids, block):
        self.ids, self.block = ids, block

    def __len__(self):
        return len(self.ids) - self.block

    def __getitem__(self, i):
        chunk = self.ids[i:i + self.block + 1]
        return chunk[:-1], chunk[1:]


def unigram_baseline(train_ids, val_ids, vocab_size):
    """Cross-entropy (nats) of the validation text under the training text's character frequencies."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0        # add-one: no infinite loss
    logp = np.log(counts / counts.sum())
    return float(-logp[val_ids].mean())


# ------------------------------------------------------------------ model
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block, dropout):
        super().__init__()
        assert n_embd % n_head == 0, "embedding width must divide into heads"
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head = n_head
        # lower-triangular mask: position t attends to positions <= t only
        self.register_buffer("bias", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)   # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, nh, T, T)
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = att @ v                                                       # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, n_embd, dropout):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU(approximate="tanh")   # as GPT-2
        self.c_proj = nn.Linear(4 * n_embd, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd, dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block, n_layer, n_head, n_embd, dropout):
        super().__init__()
        self.block = block
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block, n_embd)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([Block(n_embd, n_head, block, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():     # GPT-2: scale residual projections by depth
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        B, T = idx.size()
        pos = torch.arange(T, dtype=torch.long)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=0.8, generator=None):
        """Append ``max_new_tokens`` sampled characters to ``idx`` (B, T)."""
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block:])
            probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1, generator=generator)), dim=1)
        return idx


def make_optimizer(model, lr, weight_decay=0.1):
    """AdamW; weight decay on matrices only (not on biases, LayerNorm gains or position tables)."""
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and not n.startswith("wpe")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and not n.startswith("wpe"))]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.99))


@torch.no_grad()
def estimate_loss(model, batches):
    model.eval()
    losses = [model(x, y)[1].item() for x, y in batches]
    model.train()
    return sum(losses) / len(losses)


def fixed_batches(dataset, batch, count):
    """``count`` batches of evenly spaced windows: the same validation text at every measurement."""
    starts = np.linspace(0, len(dataset) - 1, batch * count).astype(np.int64).tolist()
    loader = DataLoader(dataset, batch_size=batch, sampler=starts)
    return list(loader)


# ------------------------------------------------------------------ main
def run(args):
    timer = _common.Timer()
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    text, files = read_corpus(args.corpus, args.corpus_chars)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    n_val = max(len(ids) // 10, args.gpt_block + 1)
    train_ids, val_ids = ids[:-n_val], ids[-n_val:]
    baseline = unigram_baseline(train_ids, val_ids, len(chars))
    train_set, val_set = CharWindows(train_ids, args.gpt_block), CharWindows(val_ids, args.gpt_block)

    model = GPT(len(chars), args.gpt_block, args.gpt_layers, args.gpt_heads, args.gpt_embd, args.gpt_dropout)
    optimizer = make_optimizer(model, args.gpt_lr)
    # a warm-up of a few dozen steps matters: reaching the peak lr within 10 steps stalls the loss near 2.8
    scheduler = _common.cosine_with_warmup(optimizer, warmup=min(args.gpt_warmup, args.gpt_steps // 2),
                                           total=args.gpt_steps)
    sampler = RandomSampler(train_set, replacement=True, num_samples=args.gpt_steps * args.gpt_batch, generator=g)
    loader = DataLoader(train_set, batch_size=args.gpt_batch, sampler=sampler, num_workers=args.workers)
    val_batches = fixed_batches(val_set, args.gpt_batch, count=8)
    print(f"chargpt: {len(text):,} characters from {len(files)} files in {os.path.dirname(files[0])} "
          f"({len(chars)} distinct); {len(train_ids):,} for training, {len(val_ids):,} for validation")
    print(f"chargpt: GPT with {args.gpt_layers} layers, {args.gpt_heads} heads, width {args.gpt_embd}, context "
          f"{args.gpt_block} ({_common.param_count(model):,} parameters); unigram baseline {baseline:.4f} nats")

    steps, train_curve, evals = [], [], {"step": [], "val": []}
    running = _common.RunningMean()
    bar = _common.progress(args.gpt_steps, "chargpt", args.quiet)
    for step, (x, y) in enumerate(loader, start=1):
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        steps.append(step)
        train_curve.append(running.update(loss.item()))
        if step % args.gpt_eval_every == 0 or step == args.gpt_steps:
            evals["step"].append(step)
            evals["val"].append(estimate_loss(model, val_batches))
            bar.set_postfix(loss=f"{train_curve[-1]:.4f}", val=f"{evals['val'][-1]:.4f}", refresh=False)
        else:
            bar.set_postfix(loss=f"{train_curve[-1]:.4f}", refresh=False)
        bar.update()
    bar.close()

    val_loss = evals["val"][-1]
    ckpt = _common.save_checkpoint(f"{args.out}/chargpt.pt", model, optimizer, step=args.gpt_steps, chars=chars,
                                   config={"vocab_size": len(chars), "block": args.gpt_block,
                                           "n_layer": args.gpt_layers, "n_head": args.gpt_heads,
                                           "n_embd": args.gpt_embd, "dropout": args.gpt_dropout})
    png = _common.plot_losses(
        f"{args.out}/chargpt_loss.png",
        f"char-GPT on the standard library's source: val {val_loss:.3f} vs unigram {baseline:.3f}",
        {"train (running mean)": (steps, train_curve), "validation": (evals["step"], evals["val"])}, "step",
        baseline=("unigram baseline", baseline))
    print(f"chargpt: train loss {train_curve[-1]:.4f}, validation loss {val_loss:.4f} vs unigram baseline "
          f"{baseline:.4f} ({val_loss / baseline:.0%} of it) after {args.gpt_steps} steps in {timer}")
    print(f"chargpt: checkpoint {ckpt}, plot {png}")
    prompt = "".join(c for c in args.gpt_prompt if c in stoi) or text[0]     # only characters it knows
    start = torch.tensor([[stoi[c] for c in prompt]], dtype=torch.long)
    out = model.generate(start, args.gpt_sample, generator=g)[0].tolist()
    sample = "".join(chars[i] for i in out)
    print(f"chargpt: a sample (temperature 0.8), starting from {prompt!r}:\n" + "-" * 60 + f"\n{sample}\n" + "-" * 60)
    return {"val_loss": val_loss, "train_loss": train_curve[-1], "baseline": baseline, "evals": evals,
            "checkpoint": ckpt, "plot": png, "sample": sample}
