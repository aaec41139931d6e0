"""ember.autograd: backward, grad, grad modes, custom Functions, functional
transforms, gradcheck and anomaly detection."""
import warnings
from collections.abc import Mapping

import numpy as np

from . import engine, grad_mode
from ..size import Size
from .graph import GradientEdge
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_multithreading_enabled, no_grad,
                        set_grad_enabled, set_multithreading_enabled)


# ember.tensor imports this package (for grad_mode) before Tensor exists; tensor.py hands
# the class over with _bind once it is defined, so the hot paths need no import statement.
Tensor = None
_wrap = None


def _bind(tensor_cls, wrap):
    global Tensor, _wrap
    Tensor, _wrap = tensor_cls, wrap
    engine._tensor = wrap


def _outputs(x):
    # a GradientEdge is a namedtuple: test for it before treating x as a sequence
    if isinstance(x, (Tensor, GradientEdge)):
        return (x,)
    return tuple(x)


def _inputs(inputs, fn):
    """The inputs as a tuple; a dict (``dict(model.named_parameters())``) gives its values."""
    if isinstance(inputs, (Tensor, GradientEdge)):
        return (inputs,)
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{fn}()` must be a dict, not {type(inputs).__name__}. Other Mapping "
                        f"types are not supported.")
    return tuple(inputs)


_ONES = {}   # dtype -> read-only 0-d one: the implicit gradient of a scalar output


def _one(dt):
    one = _ONES.get(dt)
    if one is None:
        one = _ONES[dt] = np.ones((), dt.np)
        one.flags.writeable = False
    return one


def _edge(t):
    if isinstance(t, GradientEdge):
        return (t.node, t.output_nr)
    return (t._grad_fn, t._out_nr) if t._grad_fn is not None else (t._accumulator(), 0)


def _root_edges(outputs, grad_outputs, create_graph, batched=False):
    """Edges and starting gradients for the engine, with PyTorch's checks. ``batched``: each gradient
    has a leading batch dimension (autograd.grad(is_grads_batched=True)); the checks skip it."""
    edges, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if isinstance(out, GradientEdge):
            if g is None:
                raise RuntimeError(f"ember needs grad_outputs[{i}] for an output given as a GradientEdge (its "
                                   f"shape is not recorded on the node)")
            if not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
            edges.append((out.node, out.output_nr))
            grads.append(g if create_graph or batched else g._data)
            continue
        if not isinstance(out, Tensor):
            raise AssertionError(f"Expected output to be a Tensor, got {type(out).__name__} (output {i})")
        if not out._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs (output {i} has "
                                   f"shape {list(out.shape)}; pass gradient= with that shape)")
            if not out._dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out._dtype}")
            if batched:   # torch's vmap finds no batch dimension on the implicit 0-d one
                raise ValueError("autograd.grad(is_grads_batched=True): the implicit gradient of a scalar output "
                                 "has no batch dimension; pass grad_outputs with a leading batch dimension")
            if create_graph:
                g = _wrap(np.ones(out._data.shape, out._dtype.np))
            else:
                g = _one(out._dtype) if out._data.ndim == 0 else np.ones(out._data.shape, out._dtype.np)
        else:
            if not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
            gshape = g._data.shape[1:] if batched else g._data.shape
            if gshape != out._data.shape:
                if batched:
                    raise RuntimeError(f"If `is_grads_batched=True`, we interpret the first dimension of each "
                                       f"grad_output as the batch dimension. The sizes of the remaining dimensions "
                                       f"are expected to match the shape of corresponding output, but a mismatch "
                                       f"was detected: grad_output[{i}] has a shape of {Size(gshape)} and "
                                       f"output[{i}] has a shape of {out.shape}.")
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {out.shape}.")
            if g._dtype.is_complex != out._dtype.is_complex:
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the "
                                   f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} "
                                   f"and output[{i}] has a dtype of {out._dtype}.")
            if not create_graph and not batched:
                g = g._data if g._dtype is out._dtype else g._data.astype(out._dtype.np)
        edges.append(_edge(out))
        grads.append(g)
    return edges, grads


def _normalize_grads(grad_tensors, n):
    """One gradient (or None) per output, as torch: a Tensor is one gradient, anything else a sequence;
    extra gradients are ignored, missing ones are an error."""
    if grad_tensors is None:
        return [None] * n
    grads = [grad_tensors] if isinstance(grad_tensors, Tensor) else list(grad_tensors)
    if len(grads) < n:
        raise RuntimeError(f"got {n} tensors and {len(grads)} gradients")
    return grads[:n]


def _input_edge(t, i):
    if isinstance(t, GradientEdge):
        return (t.node, t.output_nr)
    if not isinstance(t, Tensor):
        raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__} (input {i})")
    if not t._rg:
        raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    return _edge(t)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _inputs(inputs, "backward")
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _outputs(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    grads = _normalize_grads(grad_tensors, len(tensors))
    edges, root_grads = _root_edges(tensors, grads, create_graph)
    if inputs is None:
        engine.execute(edges, root_grads, retain_graph, create_graph)
        return
    capture = [_input_edge(t, i) for i, t in enumerate(inputs)]
    captured = engine.execute(edges, root_grads, retain_graph, create_graph, capture=capture, accumulate=False)
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None or isinstance(t, GradientEdge):
            continue
        if t._grad_fn is None:
            engine.accumulate_leaf(t, g, create_graph, set())
        else:
            gt = g if create_graph else _wrap(np.array(g))
            t._grad = gt if t._grad is None else t._grad + gt


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated); a dict of inputs gives a
    dict of gradients with its keys."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _outputs(outputs)
    keys = list(inputs.keys()) if type(inputs) is dict else None
    inputs = _inputs(inputs, "grad")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.", FutureWarning,
                      stacklevel=2)
    if retain_graph is None:
        retain_graph = create_graph
    grads = _normalize_grads(grad_outputs, len(outputs))
    edges, root_grads = _root_edges(outputs, grads, create_graph, batched=is_grads_batched)
    capture = [_input_edge(t, i) for i, t in enumerate(inputs)]
    if is_grads_batched:
        result = _batched_vjps(edges, root_grads, capture, retain_graph, create_graph)
    else:
        captured = engine.execute(edges, root_grads, retain_graph, create_graph, capture=capture, accumulate=False)
        result = [captured.get(i) for i in range(len(inputs))]
        if not create_graph:
            result = [None if g is None else _wrap(np.array(g)) for g in result]
    for i, (g, t) in enumerate(zip(result, inputs)):
        if g is not None:
            continue
        if materialize_grads:
            if isinstance(t, GradientEdge):
                raise RuntimeError("materialize_grads cannot be used when the given input is a GradientEdge")
            from .. import zeros_like
            result[i] = zeros_like(t, requires_grad=create_graph)
        elif not allow_unused:
            shape = "" if isinstance(t, GradientEdge) else f", shape {list(t.shape)}"
            raise RuntimeError(f"One of the differentiated Tensors (input {i}{shape}) appears to not have been used "
                               f"in the graph. Set allow_unused=True if this is the desired behavior.")
    if keys is not None:
        return dict(zip(keys, result))
    return tuple(result)


def _batched_vjps(edges, root_grads, capture, retain_graph, create_graph):
    """One backward per slice of the batched gradients (torch vmaps a single one; ember has no vmap),
    each input's gradients stacked along a new first dimension. The graph is kept until the last slice."""
    from .. import stack
    batch = {g.shape[0] for g in root_grads}
    if len(batch) != 1:
        raise ValueError(f"autograd.grad(is_grads_batched=True): the grad_outputs' batch dimensions differ: "
                         f"{sorted(batch)}")
    n = batch.pop()
    per_input = [[] for _ in capture]
    for b in range(n):
        slice_grads = [g[b] if create_graph else g._data[b] for g in root_grads]
        captured = engine.execute(edges, slice_grads, retain_graph or b < n - 1, create_graph, capture=capture,
                                  accumulate=False)
        for i, got in enumerate(per_input):
            got.append(captured.get(i))
    result = []
    for got in per_input:
        if any(g is None for g in got):
            result.append(None)
        else:
            result.append(stack(got) if create_graph else _wrap(np.stack(got)))
    return result


from .function import Function, once_differentiable  # noqa: E402
from . import functional, graph  # noqa: E402
from .variable import Variable  # noqa: E402
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

__all__ = ["backward", "grad", "Function", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "functional", "graph", "detect_anomaly", "set_detect_anomaly",
           "gradcheck", "gradgradcheck", "Variable", "is_multithreading_enabled", "set_multithreading_enabled"]
