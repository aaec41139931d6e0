"""Train an nn.Module classifier on a three-armed spiral with a DataLoader.

In the style of PyTorch's "Training a Classifier" tutorial: a Dataset and
DataLoader, an nn.Module with three Linear layers, CrossEntropyLoss, SGD with
momentum and a StepLR schedule, train/eval modes, evaluation under no_grad, and
a checkpoint saved and loaded with torch.save / torch.load. The data and the
starting weights come from NumPy's seeded generator, so the run is the same
under torch and under ember (``python -m ember.run classifier.py``).
"""
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from _init import init_from_numpy

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def spiral(n_per_class, seed, classes=3):
    """The classic spiral data set: ``classes`` arms of noisy points in 2-D."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.standard_normal(n_per_class) * 0.2
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, k))
    x, y = np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)
    order = rng.permutation(len(x))
    return torch.from_numpy(x[order]), torch.from_numpy(y[order])


class Net(nn.Module):
    def __init__(self, hidden=64, classes=3):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x.to(device))
        return (logits.argmax(dim=1) == y.to(device)).float().mean().item(), logits


train_x, train_y = spiral(100, seed=0)
test_x, test_y = spiral(50, seed=1)
loader = DataLoader(TensorDataset(train_x, train_y), batch_size=30, shuffle=False)

model = Net().to(device)
init_from_numpy(model, seed=2)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

epoch_losses = []
for epoch in range(25):
    model.train()
    running, seen = 0.0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        running += loss.item() * inputs.size(0)
        seen += inputs.size(0)
    scheduler.step()
    epoch_losses.append(running / seen)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  loss {epoch_losses[-1]:.4f}  lr {scheduler.get_last_lr()[0]:.3f}")

accuracy, logits = evaluate(model, test_x, test_y)
print(f"test accuracy {accuracy:.3f}")

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "classifier.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 25}, path)
    checkpoint = torch.load(path)
    restored = Net().to(device)
    restored.load_state_dict(checkpoint["model"])
    restored_accuracy, restored_logits = evaluate(restored, test_x, test_y)
assert torch.equal(restored_logits, logits), "the checkpoint did not restore the model"

print("RESULT", json.dumps({"epoch_losses": epoch_losses, "test_accuracy": accuracy,
                            "restored_accuracy": restored_accuracy, "epoch": checkpoint["epoch"],
                            "first_logits": logits[:4].tolist()}))
