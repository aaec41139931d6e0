"""The backward engine: an iterative walk of the graph, no recursion.

1. Keep the Nodes that have a pending gradient in a heap ordered by creation
   number, newest first: a Node is always newer than the Nodes of its inputs,
   so when it comes out of the heap every edge into it has delivered (no
   dependency-counting pass over the graph). The first node a node's gradients
   reach, when it is newer than every pending node, skips the heap and runs next
   (the heap would give it next anyway): along a chain of ops, and for the root
   of loss.backward(), the heap is never touched.
2. Run it; sum the gradients that arrive at the same input; undo broadcasting
   and dtype changes on each edge (one place for every op), except on the
   edges of exact nodes, whose formulas keep their inputs' shapes and dtypes.
3. Leaves accumulate into ``.grad``; saved tensors are freed unless
   ``retain_graph``.

Plain nodes (no hooks, one output, not a custom Function) run inline in the
loop; the rest go through ``_run_general``. First-order gradients travel as
NumPy arrays; under ``create_graph=True`` they are ember Tensors and every
formula is recorded, so the result is differentiable.
"""
import itertools
from heapq import heappop, heappush

import numpy as np

from . import grad_mode
from .formulas import array_ns, tensor_ns
from .node import AccumulateGrad, anomaly

_gstate = grad_mode.state


class GraphTask:
    """The backward now running (innermost): what hooks such as register_multi_grad_hook ask about."""

    __slots__ = ("id", "roots", "needed")

    def __init__(self, roots, needed):
        self.id, self.roots, self.needed = _next_task_id(), roots, needed

    def will_execute(self, node):
        """Whether this backward runs ``node`` (reachable from the roots, and needed for a capture)."""
        if self.needed is None:
            self.needed = _reachable(self.roots)
        return node in self.needed


_next_task_id = itertools.count().__next__
# The backward calls in progress, innermost last, each as a (roots, needed) tuple that becomes its GraphTask
# when a hook asks for it (a tuple costs a backward far less than an object).
_tasks = []


def current_task():
    if not _tasks:
        return None
    entry = _tasks[-1]
    if entry.__class__ is tuple:
        entry = _tasks[-1] = GraphTask(*entry)
    return entry


def _reachable(roots):
    seen = set()
    stack = [n for n, _ in roots if n is not None]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(e[0] for e in node._edges if e[0] is not None)
    return seen


def execute(roots, root_grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Backpropagate ``root_grads`` from the edges ``roots`` = [(node, output_nr)].

    capture: edges whose incoming gradient is returned (autograd.grad); when given,
    only the part of the graph that leads to them runs.
    """
    needed = captured = capture_at = None
    if capture is not None:
        needed = _needed_nodes(roots, capture)
        captured, capture_at = {}, {}
        for i, (node, nr) in enumerate(capture):
            capture_at.setdefault(node, []).append((nr, i))

    buffers = {}        # node -> the gradients arrived so far, one slot per output
    heap = []           # (-node._seq, node): the newest node that has a gradient runs next
    node = None         # the node to run next, when known without the heap (see nxt below)
    if len(roots) == 1 and roots[0][1] == 0:        # loss.backward(): the root is that node
        node, grads = roots[0][0], [root_grads[0]]
        seen_arrays = {id(root_grads[0])}   # arrays the user still holds (later also each .grad stored):
    else:                                   # never stored as a .grad
        seen_arrays = set()
        for (root, nr), g in zip(roots, root_grads):
            seen_arrays.add(id(g))
            if root is not None:
                buf = buffers.get(root)
                if buf is None:
                    _pend(buffers, heap, root, [g] if nr == 0 else _slots(nr, g))
                else:
                    if nr >= len(buf):
                        buf.extend([None] * (nr + 1 - len(buf)))
                    buf[nr] = g if buf[nr] is None else buf[nr] + g

    F = tensor_ns if create_graph else array_ns
    checked = anomaly["enabled"]            # anomaly mode: every node through _run_general
    general = checked or capture_at is not None
    # Grad mode is create_graph while backward runs, as in PyTorch. Plain nodes compute on arrays, where the
    # mode means nothing, so without create_graph only the nodes that run user code switch it
    # (_run_general): a thread-local write and restore cost more than a small node's formula.
    if create_graph:
        prev = _gstate.enabled
        _gstate.enabled = True
    _tasks.append((roots, needed))
    try:
        while True:
            if node is None:
                if not heap:
                    break
                node = heappop(heap)[1]
                grads = buffers.pop(node)
            if node._special or general and (checked or node in capture_at):
                outs = _run_general(node, grads, create_graph, retain_graph, capture_at, captured,
                                    accumulate, seen_arrays)
            elif node.__class__ is AccumulateGrad:      # a leaf without hooks (else it is _special): into .grad
                if accumulate:
                    var = node._var()
                    if var is not None:
                        _accumulate(var, grads[0], create_graph, seen_arrays)
                node = None
                continue
            else:       # a plain single-output node: Node.apply and release inlined
                if node._versions:          # it saved tensors (_versions outlives release)
                    res = node.formula(F, grads[0], *node.unpack_saved(create_graph), *node._args)
                    if not retain_graph:
                        node._saved = None
                else:
                    res = node.formula(F, grads[0], *node._args)
                outs = res if res.__class__ is tuple else (res,)
            # nxt: the first node this one's gradients reach that had none pending. It stays out of the heap
            # and the buffer dict; if no pending node is newer, it is the one the heap would give next and
            # runs straight away (along a chain of ops, every node).
            nxt = None
            for g, edge in zip(outs, node._edges):
                child, nr, shape, dtype, _ = edge
                if g is None or child is None or (needed is not None and child not in needed):
                    continue
                # (shape None: an exact node. Under create_graph g is a Tensor, whose .dtype is never a
                # NumPy dtype: always conformed)
                if shape is not None and (g.shape != shape or g.dtype is not dtype.np):
                    g = _conform(g, edge, node, create_graph)
                if child is nxt:
                    if nr == 0:
                        nxt_grads[0] = nxt_grads[0] + g
                        continue
                    _pend(buffers, heap, nxt, nxt_grads)
                    nxt = None
                buf = buffers.get(child)
                if buf is None:
                    if nxt is None and nr == 0:
                        nxt, nxt_grads = child, [g]
                    else:       # a slot per output that has received a gradient so far (_run_general pads)
                        _pend(buffers, heap, child, [g] if nr == 0 else _slots(nr, g))
                    continue
                try:
                    old = buf[nr]
                except IndexError:
                    buf.extend([None] * (nr + 1 - len(buf)))
                    old = None
                buf[nr] = g if old is None else old + g
            if nxt is not None and heap and heap[0][0] < -nxt._seq:
                _pend(buffers, heap, nxt, nxt_grads)
                nxt = None
            node = nxt
            if nxt is not None:
                grads = nxt_grads
    finally:
        if create_graph:
            _gstate.enabled = prev
        _tasks.pop()
    return captured


def _pend(buffers, heap, node, grads):
    """Queue ``node`` with its first gradients."""
    buffers[node] = grads
    heappush(heap, (-node._seq, node))


def _slots(nr, g):
    """A new gradient buffer of a node, with ``g`` arrived at output ``nr``."""
    buf = [None] * (nr + 1)
    buf[nr] = g
    return buf


def _run_general(node, grads, create_graph, retain_graph, capture_at, captured, accumulate, seen_arrays):
    """Run any node: hooks, captured edges, AccumulateGrad, retained grads, anomaly checks; with grad
    mode off unless create_graph (execute turns it on then)."""
    if create_graph:
        return _run_any(node, grads, create_graph, retain_graph, capture_at, captured, accumulate, seen_arrays)
    prev = _gstate.enabled
    _gstate.enabled = False
    try:
        return _run_any(node, grads, create_graph, retain_graph, capture_at, captured, accumulate, seen_arrays)
    finally:
        _gstate.enabled = prev


def _run_any(node, grads, create_graph, retain_graph, capture_at, captured, accumulate, seen_arrays):
    if len(grads) < node.nout:          # outputs that received no gradient: None
        grads += [None] * (node.nout - len(grads))
    if node._tensor_hooks or node._pre_hooks:
        grads = _call_pre_hooks(node, grads, create_graph)
    is_leaf = node.__class__ is AccumulateGrad
    var = node._var() if is_leaf else None
    if var is not None and var._hooks and grads[0] is not None:
        grads[0] = _call_tensor_hooks(var._hooks, grads[0], create_graph)
    if capture_at and node in capture_at:
        for nr, i in capture_at[node]:
            captured[i] = grads[nr]
    if is_leaf:
        if accumulate and var is not None:
            accumulate_leaf(var, grads[0], create_graph, seen_arrays)
        if node._post_hooks:          # as torch: an AccumulateGrad has no grad_inputs, its grad_output is the grad
            _call_post_hooks(node, (), grads, create_graph)
        return ()
    return _run_node(node, grads, create_graph, retain_graph)


# Why no dependency counting: every node is created after the nodes of its inputs, so its
# ``_seq`` is higher than theirs, and along any path from a root the numbers fall. Taking the
# highest-numbered node with a pending gradient therefore always takes one whose consumers
# have all run: its gradient is complete. (PyTorch's ready queue orders by sequence number too.)


def _needed_nodes(roots, capture):
    """Nodes on some path from a root to a captured edge: only they must run."""
    parents = {}
    stack = list(dict.fromkeys(n for n, _ in roots if n is not None))   # a node may be several roots
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, *_ in node._edges:
            if child is None:
                continue
            parents.setdefault(child, []).append(node)
            if child not in seen:
                seen.add(child)
                stack.append(child)
    needed = set()
    stack = [n for n, _ in capture if n is not None]
    while stack:
        node = stack.pop()
        if node in needed:
            continue
        needed.add(node)
        stack.extend(parents.get(node, ()))
    return needed


def _run_node(node, grads, create_graph, retain_graph):
    if node._retained:
        _store_retained(node, grads, create_graph)
    if node.nout > 1:
        grads = _materialize(node, grads, create_graph)
    if anomaly["enabled"]:
        from .anomaly_mode import apply_checked   # warns with the forward traceback, raises on NaN
        outs = apply_checked(node, grads, create_graph)
    else:
        outs = node.apply(grads, create_graph)
    if node._post_hooks:
        outs = _call_post_hooks(node, outs, grads, create_graph)
    if not retain_graph:
        node.release()
    return outs


def _materialize(node, grads, create_graph):
    """Built-in multi-output nodes get zeros for outputs that received no gradient."""
    if all(g is not None for g in grads) or node._out_meta is None:
        return grads
    out = []
    for g, (shape, dtype) in zip(grads, node._out_meta):
        if g is None:
            z = np.zeros(shape, dtype.np)
            g = _tensor(z) if create_graph else z
        out.append(g)
    return out


def _conform(g, edge, node, create_graph):
    """Bring the gradient sent along ``edge`` back to the shape and dtype of that input."""
    shape, dtype = edge[2], edge[3]
    gshape = g.shape if not create_graph else tuple(g._data.shape)
    if gshape != shape:
        g = _sum_to(g, edge, node, create_graph)
    if create_graph:
        if g._dtype is not dtype:
            g = g.real if g._dtype.is_complex and not dtype.is_complex else g
            g = g.to(dtype)
    elif g.dtype != dtype.np:
        if g.dtype.kind == "c" and not dtype.is_complex:
            g = g.real
        g = g.astype(dtype.np)
    return g


def _sum_to(g, edge, node, create_graph):
    shape = edge[2]
    gshape = tuple(g.shape)
    lead = len(gshape) - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, gshape[lead:]))
    if not ok:
        i = [e is edge for e in node._edges].index(True)
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                           f"{list(gshape)} but expected shape compatible with {list(shape)}")
    return (tensor_ns if create_graph else array_ns).sum_to(g, shape)


def _accumulate(var, g, create_graph, seen):
    """Add ``g`` into ``var.grad`` (a leaf without hooks: the engine's plain path). A new .grad keeps
    ``g`` itself when nothing else holds it: not an array the user passed in or another .grad (their
    ids are in ``seen``), not a view, not read-only; else a copy."""
    if create_graph:
        var._grad = g if var._grad is None else var._grad + g
        return
    old = var._grad
    if old is None:
        if g.__class__ is not np.ndarray:         # a NumPy scalar (a formula on 0-d arrays gives one)
            g = np.array(g)
        elif id(g) in seen or g.base is not None or not g.flags.writeable:
            g = g.copy()
        seen.add(id(g))
        var._grad = _tensor(g)
    elif old._data.flags.writeable and old._data.shape == g.shape and not old._rg:
        np.add(old._data, g, out=old._data, casting="unsafe")
        old._vbox[0] += 1
    else:
        var._grad = _tensor(old._data + g)


def accumulate_leaf(var, g, create_graph, seen):
    """_accumulate, then the leaf's post-accumulate-grad hooks (its tensor hooks have run on ``g``)."""
    _accumulate(var, g, create_graph, seen)
    if var._post_acc_hooks:
        for hook in list(var._post_acc_hooks):
            hook(var)


def _store_retained(node, grads, create_graph):
    for nr, ref in node._retained.items():
        t = ref()
        g = grads[nr] if nr < len(grads) else None
        if t is None or g is None:
            continue
        if create_graph:
            t._grad = g if t._grad is None else t._grad + g
        else:
            t._grad = _tensor(g.copy()) if t._grad is None else _tensor(t._grad._data + g)


def _call_pre_hooks(node, grads, create_graph):
    if node._tensor_hooks:
        grads = list(grads)
        for nr, fn in list(node._tensor_hooks):
            if grads[nr] is not None:
                grads[nr] = _call_tensor_hooks([fn], grads[nr], create_graph)
    if node._pre_hooks:
        for fn in list(node._pre_hooks):
            as_t = tuple(None if g is None else _as_tensor(g, create_graph) for g in grads)
            res = fn(as_t)
            if res is not None:
                _check_node_hook_result(fn, res, as_t)
                grads = [None if r is None else _from_tensor(r, create_graph) for r in res]
    return grads


def _call_post_hooks(node, outs, grads, create_graph):
    # an input that needs no gradient (x + 2's number, a frozen weight) shows None, as in PyTorch
    edges = node.next_functions
    gi = tuple(None if g is None or (i < len(edges) and edges[i][0] is None) else _as_tensor(g, create_graph)
               for i, g in enumerate(outs))
    go = tuple(None if g is None else _as_tensor(g, create_graph) for g in grads)
    for fn in list(node._post_hooks):
        res = fn(gi, go)
        if res is not None:
            _check_node_hook_result(fn, res, gi)
            gi = res
    return tuple(None if g is None else _from_tensor(g, create_graph) for g in gi)


def _call_tensor_hooks(hooks, g, create_graph):
    t = _as_tensor(g, create_graph)
    for fn in list(hooks):
        res = fn(t)
        if res is not None:
            _check_hook_result(fn, res, t)
            t = res
    return _from_tensor(t, create_graph)


def _check_node_hook_result(fn, res, old):
    """A node pre/post hook's replacement gradients: a tuple as long as what it got, same shapes and dtypes
    (torch's errors; so an exact node's gradients stay exact through its hooks)."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(res, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(res).__name__}'")
    if len(res) != len(old):
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(res)}, but "
                           f"expected {len(old)})")
    for r, o in zip(res, old):
        if r is not None and o is not None:
            if tuple(r.shape) != tuple(o.shape):
                raise RuntimeError(f"hook '{name}' has changed the size of value")
            if getattr(r, "_dtype", None) is not o._dtype:
                raise RuntimeError(f"hook '{name}' has changed the type of value (was {o._dtype} got "
                                   f"{getattr(r, '_dtype', type(r).__name__)})")


def _check_hook_result(fn, res, old):
    from ..tensor import Tensor
    name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(res, Tensor):
        raise TypeError(f"expected Tensor, but hook '{name}' returned {type(res).__name__}")
    if res._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if res._dtype is not old._dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {old._dtype} got {res._dtype})")


def _as_tensor(g, create_graph):
    return g if create_graph else _tensor(g)


def _from_tensor(t, create_graph):
    return t if create_graph else t._data


_tensor = None   # ember.tensor.wrap, bound by ember.autograd._bind once Tensor exists