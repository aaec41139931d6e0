"""Vision and sequence layers, ember vs PyTorch in one process (forward + backward of each).

1. a small CNN on 28x28 images, batch 64: conv(1->32, 3x3) relu maxpool, conv(32->64, 3x3) relu maxpool,
   linear(64*7*7 -> 10), cross-entropy;
2. an LSTM, 2 layers of width 256, 64 steps, batch 32;
3. a TransformerEncoderLayer, width 256, 8 heads, length 128, batch 16 (training mode, PyTorch defaults).

Run: ``python benchmarks/nn_layers.py [--json out.json] [--quick]``
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import compare, print_table, write_json  # noqa: E402


def cnn(lib):
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 7 * 7, 10))
    x = lib.randn(64, 1, 28, 28)
    y = lib.randint(0, 10, (64,))

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        model.zero_grad()
    return step


def lstm(lib):
    model = lib.nn.LSTM(256, 256, num_layers=2)
    x = lib.randn(64, 32, 256)

    def step():
        out, _ = model(x)
        out.sum().backward()
        model.zero_grad()
    return step


def transformer(lib):
    model = lib.nn.TransformerEncoderLayer(256, 8, batch_first=True)
    x = lib.randn(16, 128, 256)

    def step():
        model(x).sum().backward()
        model.zero_grad()
    return step


def main():
    import ember
    import torch
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--json", help="write raw figures here")
    p.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = p.parse_args()
    cases = [
        ("CNN 28x28, batch 64, fwd+bwd", lambda: cnn(ember), lambda: cnn(torch)),
        ("LSTM 2x256, 64 steps, batch 32, fwd+bwd", lambda: lstm(ember), lambda: lstm(torch)),
        ("TransformerEncoderLayer 256/8, L128, B16, fwd+bwd", lambda: transformer(ember), lambda: transformer(torch)),
    ]
    rows = compare(cases, repeats=2 if args.quick else 5, min_time=0.2 if args.quick else 0.5)
    print_table(rows, "nn layers (median time per iteration)")
    if args.json:
        write_json(rows, args.json)


if __name__ == "__main__":
    main()
