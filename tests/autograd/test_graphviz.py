"""Graph pictures: the DOT text (always checked: node names, edges, parameter
names, outputs, saved tensors), the op names against torch's graph of the same
computation, and rendering with Graphviz's dot when it is installed."""
import re
import shutil

import numpy as np
import pytest
import torch

import ember
from ember.autograd import graphviz
from ember.autograd.graphviz import render, to_dot

_NODE = re.compile(r'^\t(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\]$')
_EDGE = re.compile(r"^\t(\w+) -> (\w+)(.*)$")


def parse(dot):
    """(labels {id: label}, attrs {id: rest}, edges [(src label, dst label, attrs)])."""
    assert dot.startswith("digraph {") and dot.rstrip().endswith("}")
    labels, attrs, raw = {}, {}, []
    for line in dot.splitlines():
        m = _NODE.match(line)
        if m:
            labels[m.group(1)] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
            attrs[m.group(1)] = m.group(3)
            continue
        m = _EDGE.match(line)
        if m:
            raw.append((m.group(1), m.group(2), m.group(3)))
    for a, b, _ in raw:
        assert a in labels and b in labels, f"edge to an undeclared node: {a} -> {b}"
    return labels, attrs, [(labels[a], labels[b], rest.strip()) for a, b, rest in raw]


def mlp(lib, x, w1, b1, w2, b2):
    h = lib.tanh(lib.matmul(x, w1) + b1)
    return lib.sigmoid(lib.matmul(h, w2) + b2).mean()


def _mlp_tensors(lib):
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in [(4, 3), (3, 5), (5,), (5, 1), (1,)]]
    ts = [lib.tensor(a) for a in arrs]
    for t in ts[1:]:
        t.requires_grad_(True)
    return ts


PARAMS = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_dot_of_mlp_nodes_edges_and_param_names():
    x, *ps = _mlp_tensors(ember)
    loss = mlp(ember, x, *ps)
    labels, attrs, edges = parse(to_dot(loss, params=dict(zip(PARAMS, ps))))
    ops = sorted(lab for lab in labels.values() if lab.endswith("Backward0"))
    assert ops == sorted(["MmBackward0", "AddBackward0", "TanhBackward0", "MmBackward0", "AddBackward0",
                          "SigmoidBackward0", "MeanBackward0"])
    # leaves: named, with their shapes, light blue; the input x (no grad) is not in the graph
    for name, shape in zip(PARAMS, ["(3, 5)", "(5)", "(5, 1)", "(1)"]):
        nid = [k for k, v in labels.items() if v == f"{name}\n{shape}"]
        assert len(nid) == 1, (name, labels)
        assert "lightblue" in attrs[nid[0]]
    assert not any("(4, 3)" in v for v in labels.values())
    # the output, highlighted
    out = [k for k, v in labels.items() if v == "output\n()"]
    assert len(out) == 1 and "darkolivegreen1" in attrs[out[0]]
    # edges in the forward direction
    e = {(a, b) for a, b, _ in edges}
    assert ("fc1.weight\n(3, 5)", "MmBackward0") in e
    assert ("fc1.bias\n(5)", "AddBackward0") in e
    assert ("MmBackward0", "AddBackward0") in e
    assert ("AddBackward0", "TanhBackward0") in e
    assert ("TanhBackward0", "MmBackward0") in e
    assert ("AddBackward0", "SigmoidBackward0") in e
    assert ("SigmoidBackward0", "MeanBackward0") in e
    assert ("MeanBackward0", "output\n()") in e
    assert len(edges) == 11
    # no saved tensors unless asked
    assert not any(v.startswith("saved") for v in labels.values())


def _torch_ops(t):
    names, seen, stack = [], set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if type(fn).__name__ != "AccumulateGrad":
            names.append(type(fn).__name__)
        stack.extend(f for f, _ in fn.next_functions)
    return sorted(names)


@pytest.mark.parametrize("fn", [
    mlp,
    lambda lib, x, w1, b1, w2, b2: ((w1 * 2).sum() - lib.exp(b1).mean() * b2 / 3).sum(),
    lambda lib, x, w1, b1, w2, b2: lib.matmul(w1.transpose(0, 1), w1.reshape(3, 5)).sum() + w2[1:].sum(),
], ids=["mlp", "elementwise", "views"])
def test_op_names_match_torch_graph(fn):
    e_loss = fn(ember, *_mlp_tensors(ember))
    t_loss = fn(torch, *_mlp_tensors(torch))
    labels, attrs, _ = parse(to_dot(e_loss))
    ours = sorted(v for k, v in labels.items() if "lightgrey" in attrs[k])
    assert ours == _torch_ops(t_loss)


def test_show_saved():
    x, *ps = _mlp_tensors(ember)
    loss = mlp(ember, x, *ps)
    labels, attrs, edges = parse(to_dot(loss, params=dict(zip(PARAMS, ps)), show_saved=True))
    saved = {k: v for k, v in labels.items() if v.startswith("saved")}
    assert "saved fc2.weight\n(5, 1)" in saved.values()          # mm saves an operand for the other's gradient:
    assert "saved fc1.weight\n(3, 5)" not in saved.values()      # fc1's input x needs none (as PyTorch saves)
    assert "saved (4, 3)" in saved.values()                       # the input x, for fc1.weight's gradient
    assert "saved result\n(4, 5)" in saved.values()               # tanh saves its result
    assert all("orange" in attrs[k] for k in saved)
    dashed = [(a, b) for a, b, rest in edges if "dashed" in rest]
    assert ("saved result\n(4, 5)", "TanhBackward0") in dashed
    assert len(dashed) == len(saved)
    # after backward the buffers are freed, and the picture says so
    loss.backward()
    labels, _, _ = parse(to_dot(loss, show_saved=True))
    assert "saved tensors freed" in labels.values()


def test_structures_and_edge_cases():
    a = ember.ones(2, 3, requires_grad=True)
    b = a * 2
    shared = b + b                   # b feeds one node twice: two edges, one box
    c = shared.sum()
    labels, _, edges = parse(to_dot([c, shared], params=[("a", a)]))
    assert sorted(v for v in labels.values() if v.startswith("output")) == ["output 0\n()", "output 1\n(2, 3)"]
    assert list(labels.values()).count("MulBackward0") == 1
    assert [x for x in edges if x[:2] == ("MulBackward0", "AddBackward0")] == [("MulBackward0", "AddBackward0", "")] * 2
    assert ("a\n(2, 3)", "MulBackward0", "") in edges
    # a leaf as the output, a tensor without grad, other dtypes, names needing escapes
    leaf = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    labels, _, edges = parse(to_dot(leaf, params={'we"ird\\name': leaf}))
    assert 'we"ird\\name\n(3) float64' in labels.values()
    assert len(edges) == 1
    labels, _, edges = parse(to_dot(ember.ones(2)))
    assert list(labels.values()) == ["output\n(2)"] and edges == []
    with pytest.raises(TypeError):
        to_dot([1.0])


def test_render_without_dot_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(graphviz.shutil, "which", lambda name: None)
    loss = (ember.ones(2, requires_grad=True) * 3).sum()
    with pytest.raises(RuntimeError, match="graphviz"):
        render(loss, tmp_path / "g.svg")
    with pytest.raises(ValueError, match="format"):
        render(loss, tmp_path / "g.jpg", format="jpg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)")
def test_render_svg_and_png(tmp_path):
    x, *ps = _mlp_tensors(ember)
    loss = mlp(ember, x, *ps)
    svg = render(loss, tmp_path / "g.svg", params=dict(zip(PARAMS, ps)))
    text = open(svg).read()
    assert "<svg" in text and "MmBackward0" in text and "fc1.weight" in text
    png = render(loss, tmp_path / "g.png", format="png", show_saved=True)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
