"""What the demos share: output folder, progress bar, loss plot, checkpoint, timing."""
import importlib
import math
import os
import time

import ember as torch


def need(module, package=None):
    """Import an optional dependency of the demos, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SystemExit(f"the ember demos need {package or module}: pip install -e \".[examples]\" "
                         f"(or pip install {package or module})") from None


def output_dir(path):
    os.makedirs(path, exist_ok=True)
    return path


def progress(total, desc, quiet=False):
    """A tqdm bar over ``total`` steps (set_postfix shows the running loss)."""
    tqdm = need("tqdm").tqdm
    return tqdm(total=total, desc=desc, unit="step", dynamic_ncols=True, mininterval=0.5, disable=quiet, leave=True)


class RunningMean:
    """Exponential moving average of the training loss, for the progress bar (bias-corrected)."""

    def __init__(self, decay=0.95):
        self.decay, self.value, self.weight = decay, 0.0, 0.0

    def update(self, x):
        self.value = self.decay * self.value + (1 - self.decay) * x
        self.weight = self.decay * self.weight + (1 - self.decay)
        return self.value / self.weight


def plot_losses(path, title, curves, xlabel, baseline=None, logy=False):
    """Write a PNG of loss curves: ``curves`` maps a label to (xs, ys); ``baseline`` is (label, y)."""
    matplotlib = need("matplotlib")
    matplotlib.use("Agg")               # files only: no display needed
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, label=label, marker="o" if len(xs) <= 60 else None, markersize=3, linewidth=1.6)
    if baseline is not None:
        ax.axhline(baseline[1], color="gray", linestyle="--", linewidth=1, label=baseline[0])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cross-entropy loss (nats)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def save_checkpoint(path, model, optimizer, **extra):
    """ember.save of the model's and optimizer's state_dicts plus ``extra`` (PyTorch's format:
    ``torch.load(path)`` reads it too)."""
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), **extra}, path)
    return path


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def cosine_with_warmup(optimizer, warmup, total, final_ratio=0.1):
    """Linear warm-up for ``warmup`` steps, then cosine decay to ``final_ratio`` of the lr."""
    lr = optimizer.param_groups[0]["lr"]
    sched = torch.optim.lr_scheduler
    warm = sched.LinearLR(optimizer, start_factor=0.1, total_iters=max(warmup, 1))
    cosine = sched.CosineAnnealingLR(optimizer, T_max=max(total - warmup, 1), eta_min=lr * final_ratio)
    return sched.SequentialLR(optimizer, [warm, cosine], milestones=[max(warmup, 1)])


class Timer:
    def __init__(self):
        self.start = time.perf_counter()

    def __str__(self):
        s = time.perf_counter() - self.start
        return f"{s:.1f} s" if s < 90 else f"{int(s // 60)} min {s % 60:.0f} s"


def fmt_loss(x):
    return "nan" if math.isnan(x) else f"{x:.4f}"
