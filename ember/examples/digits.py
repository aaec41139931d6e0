"""Handwritten digits: an MLP classifier on scikit-learn's bundled 8x8 digits (1797 images,
no download), written as PyTorch code. Reaches about 98% accuracy on the held-out fifth
in a few seconds.
"""
import ember as torch
from ember import nn
from ember.utils.data import DataLoader, TensorDataset, random_split

from . import _common


def add_arguments(parser):
    g = parser.add_argument_group("digits (MLP classifier on sklearn's 8x8 digits)")
    g.add_argument("--digits-epochs", type=int, default=20, metavar="N", help="passes over the training set (20)")
    g.add_argument("--digits-hidden", type=int, default=256, metavar="H", help="width of the two hidden layers (256)")
    g.add_argument("--digits-batch", type=int, default=64, metavar="B", help="batch size (64)")
    g.add_argument("--digits-lr", type=float, default=2e-3, metavar="LR", help="peak AdamW learning rate (2e-3)")


def load_digits_dataset(generator):
    """(train, test) TensorDatasets: pixels standardised with the training split's statistics."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)          # (1797, 64), values 0..16
    y = torch.tensor(digits.target, dtype=torch.int64)          # (1797,)
    train, test = random_split(TensorDataset(x, y), [0.8, 0.2], generator=generator)
    train_x = x[train.indices]
    mean, std = train_x.mean(0), train_x.std(0) + 1.0          # +1: constant border pixels stay finite
    x = (x - mean) / std
    return (TensorDataset(x[train.indices], y[train.indices]), TensorDataset(x[test.indices], y[test.indices]))


def make_model(hidden, dropout=0.2):
    return nn.Sequential(
        nn.Linear(64, hidden), nn.GELU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(dropout),
        nn.Linear(hidden, 10),
    )


@torch.no_grad()
def evaluate(model, loader):
    """(mean loss, accuracy) over ``loader``."""
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    model.train()
    return total_loss / n, correct / n


def run(args):
    timer = _common.Timer()
    _common.need("sklearn", "scikit-learn")
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    train_set, test_set = load_digits_dataset(g)
    train_loader = DataLoader(train_set, batch_size=args.digits_batch, shuffle=True, generator=g,
                              num_workers=args.workers, persistent_workers=args.workers > 0)
    test_loader = DataLoader(test_set, batch_size=512)
    model = make_model(args.digits_hidden)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.digits_lr, weight_decay=1e-2)
    total = args.digits_epochs * len(train_loader)
    scheduler = _common.cosine_with_warmup(optimizer, warmup=len(train_loader), total=total)
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels; "
          f"MLP 64-{args.digits_hidden}-{args.digits_hidden}-10 ({_common.param_count(model):,} parameters)")

    history = {"epoch": [], "train": [], "test": []}
    running = _common.RunningMean()
    bar = _common.progress(total, "digits", args.quiet)
    for epoch in range(1, args.digits_epochs + 1):
        epoch_loss, seen = 0.0, 0
        for x, y in train_loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            epoch_loss += loss.item() * len(y)
            seen += len(y)
            bar.set_postfix(epoch=epoch, loss=f"{running.update(loss.item()):.4f}", refresh=False)
            bar.update()
        test_loss, test_acc = evaluate(model, test_loader)
        history["epoch"].append(epoch)
        history["train"].append(epoch_loss / seen)
        history["test"].append(test_loss)
        bar.set_postfix(epoch=epoch, loss=f"{running.value / running.weight:.4f}", test_acc=f"{test_acc:.1%}")
    bar.close()

    test_loss, test_acc = evaluate(model, test_loader)
    train_loss, train_acc = evaluate(model, DataLoader(train_set, batch_size=512))
    ckpt = _common.save_checkpoint(f"{args.out}/digits.pt", model, optimizer, epoch=args.digits_epochs,
                                   test_accuracy=test_acc, hidden=args.digits_hidden)
    png = _common.plot_losses(f"{args.out}/digits_loss.png",
                              f"digits MLP: test accuracy {test_acc:.2%} after {args.digits_epochs} epochs",
                              {"train (mean over epoch, dropout on)": (history["epoch"], history["train"]),
                               "held-out test": (history["epoch"], history["test"])}, "epoch", logy=True)
    print(f"digits: train loss {train_loss:.4f} (accuracy {train_acc:.2%}), test loss {test_loss:.4f}, "
          f"test accuracy {test_acc:.2%} ({round(test_acc * len(test_set))}/{len(test_set)}) in {timer}")
    print(f"digits: checkpoint {ckpt}, plot {png}")
    return {"test_accuracy": test_acc, "test_loss": test_loss, "train_loss": train_loss, "history": history,
            "checkpoint": ckpt, "plot": png}
