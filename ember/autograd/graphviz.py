"""Pictures of the autograd graph: Graphviz DOT text, and rendering it with
Graphviz's ``dot`` program when that is installed.

``to_dot(loss, params=dict(model.named_parameters()))`` walks the graph from
the given tensors back to the leaves, as the backward engine would, and writes
one box per Node, named by its class (``MulBackward0``). Leaves that require
grad (reached through their ``AccumulateGrad`` node) are drawn as light blue
boxes with their shape, labelled with their name when ``params`` holds them;
the tensors given are drawn as green boxes; with ``show_saved=True`` the
tensors each Node saved for backward hang off it in orange. Edges follow the
forward direction (input -> op -> output), as torchviz draws them.

``render(loss, "graph.svg")`` runs ``dot -Tsvg``; without Graphviz it raises a
RuntimeError that names the package to install (``graphviz``).
"""
import os
import shutil
import subprocess

__all__ = ["to_dot", "render"]

_STYLE = {
    "op": 'fillcolor="lightgrey"',
    "leaf": 'fillcolor="lightblue"',
    "output": 'fillcolor="darkolivegreen1"',
    "saved": 'fillcolor="orange"',
}


def _q(text):
    """A DOT string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(t):
    return "(" + ", ".join(str(s) for s in t._data.shape) + ")"


def _tensor_label(t, names, default=""):
    name = names.get(id(t))
    shape = _shape(t)
    dt = t._dtype.name
    suffix = "" if dt == "float32" else f" {dt}"
    head = name if name is not None else default
    return f"{head}\n{shape}{suffix}" if head else f"{shape}{suffix}"


def _param_names(params):
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    return {id(t): name for name, t in items}


def to_dot(tensor_or_tensors, params=None, show_saved=False):
    """Graphviz DOT text of the autograd graph behind ``tensor_or_tensors``.

    params: a dict name -> Tensor (e.g. ``dict(model.named_parameters())``) or an
    iterable of (name, Tensor) pairs; leaves found there are labelled by name.
    show_saved: also draw the tensors each Node saved for backward (with their shapes).
    """
    from ..tensor import Tensor
    from .node import AccumulateGrad, SavedOutput
    outputs = (tensor_or_tensors,) if isinstance(tensor_or_tensors, Tensor) else tuple(tensor_or_tensors)
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"to_dot expects a Tensor or a sequence of Tensors, got {type(o).__name__}")
    names = _param_names(params)
    ids = {}                       # Node -> DOT id, in discovery order (stable text)
    lines = ["digraph {",
             '\tgraph [rankdir=TB, size="12,12"]',
             '\tnode [align=left, fontname=monospace, fontsize=10, height=0.2, ranksep=0.1, shape=box, '
             'style="filled,rounded"]']
    edges = []

    def node_id(node):
        nid = ids.get(node)
        if nid is None:
            nid = ids[node] = f"n{len(ids)}"
        return nid

    # outputs first
    stack = []
    for k, o in enumerate(outputs):
        oid = f"out{k}"
        default = "output" if len(outputs) == 1 else f"output {k}"
        lines.append(f"\t{oid} [label={_q(_tensor_label(o, names, default))} {_STYLE['output']}]")
        src = o._grad_fn
        if src is None and o._rg:
            src = o._accumulator()
        if src is not None:
            edges.append(f"\t{node_id(src)} -> {oid}")
            stack.append(src)

    seen = set()
    order = []
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for child, _ in reversed(node.next_functions):
            if child is not None and child not in seen:
                stack.append(child)

    saved_count = 0
    for node in order:
        nid = node_id(node)
        if node.__class__ is AccumulateGrad:
            var = node.variable
            lines.append(f"\t{nid} [label={_q(_tensor_label(var, names))} {_STYLE['leaf']}]")
            continue
        lines.append(f"\t{nid} [label={_q(node.name())} {_STYLE['op']}]")
        for child, _ in node.next_functions:
            if child is not None:
                edges.append(f"\t{node_id(child)} -> {nid}")
        if show_saved:
            for s in node._saved or ():
                label = _saved_label(s, names, Tensor, SavedOutput)
                if label is None:
                    continue
                sid = f"s{saved_count}"
                saved_count += 1
                lines.append(f"\t{sid} [label={_q(label)} {_STYLE['saved']}]")
                edges.append(f"\t{sid} -> {nid} [style=dashed, dir=none]")
            if node._saved is None:         # released by a backward
                sid = f"s{saved_count}"
                saved_count += 1
                lines.append(f"\t{sid} [label={_q('saved tensors freed')} {_STYLE['saved']}]")
                edges.append(f"\t{sid} -> {nid} [style=dashed, dir=none]")
    lines.extend(edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _saved_label(s, names, Tensor, SavedOutput):
    if s is None:
        return None
    if isinstance(s, Tensor):
        return "saved " + _tensor_label(s, names)
    if s.__class__ is SavedOutput:
        dt = s._dtype.name
        return "saved result\n(" + ", ".join(str(d) for d in s._data.shape) + ")" + ("" if dt == "float32" else
                                                                                   f" {dt}")
    return "saved (packed by saved_tensors_hooks)"


_FORMATS = ("svg", "png", "pdf")


def render(tensor, path, format="svg", params=None, show_saved=False):
    """Draw ``tensor``'s graph to ``path`` with Graphviz's ``dot`` (svg, png or pdf); returns the path."""
    if format not in _FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(_FORMATS)}, got {format!r}")
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("ember.autograd.graphviz.render needs Graphviz's `dot` program, which is not on PATH. "
                           "Install the Debian/Ubuntu package `graphviz` (apt-get install graphviz), or call "
                           "to_dot() and render the DOT text elsewhere.")
    text = to_dot(tensor, params=params, show_saved=show_saved)
    path = os.fspath(path)
    proc = subprocess.run([dot, f"-T{format}", "-o", path], input=text.encode(), capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed ({proc.returncode}): {proc.stderr.decode(errors='replace').strip()}")
    return path
