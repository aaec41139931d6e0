"""The backward engine: an iterative walk of the graph, no recursion.

1. Discover the Nodes reachable from the roots and count, for each, how many
   edges point at it.
2. Run a Node once every edge into it has delivered its gradient; sum the
   gradients that arrive at the same input; undo broadcasting and dtype changes
   on each edge (one place for every op).
3. Leaves accumulate into ``.grad``; saved tensors are freed unless
   ``retain_graph``.

First-order gradients travel as NumPy arrays; under ``create_graph=True`` they
are ember Tensors and every formula is recorded, so the result is differentiable.
"""
import numpy as np

from . import grad_mode
from .node import AccumulateGrad, anomaly


def execute(roots, root_grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Backpropagate ``root_grads`` from the edges ``roots`` = [(node, output_nr)].

    capture: edges whose incoming gradient is returned (autograd.grad); when given,
    only the part of the graph that leads to them runs.
    """
    deps, parents = _count_dependencies(roots, capture is not None)
    needed = _needed_nodes(capture, parents) if capture is not None else None
    captured = {} if capture is not None else None
    capture_at = {}
    if capture is not None:
        for i, (node, nr) in enumerate(capture):
            capture_at.setdefault(node, []).append((nr, i))

    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        if node is not None:
            _add_to_buffer(buffers, node, nr, g)
    ready = [n for n in buffers if deps.get(n, 0) == 0]
    seen_arrays = {id(g) for g in root_grads}   # arrays the user still holds: never stored as .grad

    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            run = grads is not None and (needed is None or node in needed)
            if run:
                if node._tensor_hooks or node._pre_hooks:
                    grads = _call_pre_hooks(node, grads, create_graph)
                if node.__class__ is AccumulateGrad:
                    var = node.variable
                    if var._hooks and grads[0] is not None:
                        grads[0] = _call_tensor_hooks(var._hooks, grads[0], create_graph)
                if capture_at and node in capture_at:
                    for nr, i in capture_at[node]:
                        captured[i] = grads[nr]
            if node.__class__ is AccumulateGrad:
                if run and accumulate:
                    _accumulate(node.variable, grads[0], create_graph, seen_arrays, hooks=False)
                continue
            if run:
                if node._retained or node.nout > 1 or node._post_hooks or anomaly["enabled"]:
                    outs = _run_node(node, grads, create_graph, retain_graph)
                else:                                   # the common case, inlined
                    outs = node.apply(grads, create_graph)
                    if not retain_graph:
                        node.release()
                n_outs = len(outs)
                in_meta = node._in_meta
            for i, (child, nr) in enumerate(node.next_functions):
                if child is None:
                    continue
                if run and i < n_outs and (needed is None or child in needed):
                    g = outs[i]
                    if g is not None:
                        meta = in_meta[i]
                        if create_graph or g.dtype is not meta[2] or g.shape != meta[0]:
                            g = _conform(g, meta, node, i, create_graph)
                        buf = buffers.get(child)
                        if buf is None:
                            buf = buffers[child] = [None] * max(child.nout, nr + 1)
                            buf[nr] = g
                        elif buf[nr] is None:
                            buf[nr] = g
                        else:
                            buf[nr] = buf[nr] + g
                left = deps[child] - 1
                deps[child] = left
                if left == 0:
                    ready.append(child)
    finally:
        grad_mode.state.enabled = prev
    return captured


def _count_dependencies(roots, want_parents):
    deps = {}
    parents = {} if want_parents else None
    stack = list(dict.fromkeys(n for n, _ in roots if n is not None))   # a node may be several roots
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if want_parents:
                parents.setdefault(child, []).append(node)
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, parents


def _needed_nodes(capture, parents):
    """Nodes on some path from a root to a captured edge: only they must run."""
    needed = set()
    stack = [n for n, _ in capture if n is not None]
    while stack:
        node = stack.pop()
        if node in needed:
            continue
        needed.add(node)
        stack.extend(parents.get(node, ()))
    return needed


def _add_to_buffer(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * max(node.nout, nr + 1)
    buf[nr] = g if buf[nr] is None else buf[nr] + g


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


def _conform(g, meta, node, i, create_graph):
    """Bring the gradient of input i back to that input's shape and dtype."""
    shape, dtype, _ = meta
    gshape = g.shape if not create_graph else tuple(g._data.shape)
    if gshape != shape:
        g = _sum_to(g, shape, node, i, create_graph)
    if create_graph:
        if g._dtype is not dtype:
            g = g.real if g._dtype.is_complex and not dtype.is_complex else g
            g = g.to(dtype)
    elif g.dtype != dtype.np:
        if g.dtype.kind == "c" and not dtype.is_complex:
            g = g.real
        g = g.astype(dtype.np)
    return g


def _sum_to(g, shape, node, i, create_graph):
    gshape = tuple(g.shape)
    lead = len(gshape) - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, gshape[lead:]))
    if not ok:
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                           f"{list(gshape)} but expected shape compatible with {list(shape)}")
    from .formulas import array_ns, tensor_ns
    return (tensor_ns if create_graph else array_ns).sum_to(g, shape)


def _accumulate(var, g, create_graph, seen, hooks=True):
    if hooks and var._hooks:
        g = _call_tensor_hooks(var._hooks, g, create_graph)
    if create_graph:
        var._grad = g if var._grad is None else var._grad + g
    else:
        old = var._grad
        if old is None:
            var._grad = _tensor(_owned(g, seen))
        elif old._data.flags.writeable and old._data.shape == g.shape and not old._rg:
            np.add(old._data, g, out=old._data, casting="unsafe")
            old._vbox[0] += 1
        else:
            var._grad = _tensor(old._data + g)
    if var._post_acc_hooks:
        for hook in list(var._post_acc_hooks):
            hook(var)


def _owned(arr, seen):
    """An array safe to keep as ``.grad``: not shared with the user, another .grad, or a view."""
    key = id(arr)
    if key in seen or arr.base is not None or not arr.flags.writeable:
        arr = arr.copy()
    seen.add(id(arr))
    return np.asarray(arr)


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
                grads = [None if r is None else _from_tensor(r, create_graph) for r in res]
    return grads


def _call_post_hooks(node, outs, grads, create_graph):
    gi = tuple(None if g is None else _as_tensor(g, create_graph) for g in outs)
    go = tuple(None if g is None else _as_tensor(g, create_graph) for g in grads)
    for fn in list(node._post_hooks):
        res = fn(gi, go)
        if res is not None:
            gi = tuple(res)
    return tuple(None if g is None else _from_tensor(g, create_graph) for g in gi)


def _call_tensor_hooks(hooks, g, create_graph):
    t = _as_tensor(g, create_graph)
    for fn in list(hooks):
        res = fn(t)
        if res is not None:
            _check_hook_result(fn, res, t)
            t = res
    return _from_tensor(t, create_graph)


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