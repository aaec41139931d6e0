"""ember.autograd: backward, grad, grad modes, custom Functions, functional
transforms, gradcheck and anomaly detection."""
import numpy as np

from . import engine, grad_mode
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


# ember.tensor imports this package (for grad_mode) before Tensor exists; tensor.py hands
# the class over with _bind once it is defined, so the hot paths need no import statement.
Tensor = None
_wrap = None


def _bind(tensor_cls, wrap):
    global Tensor, _wrap
    Tensor, _wrap = tensor_cls, wrap
    engine._tensor = wrap


def _tensors(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


_ONES = {}   # dtype -> read-only 0-d one: the implicit gradient of a scalar output


def _one(dt):
    one = _ONES.get(dt)
    if one is None:
        one = _ONES[dt] = np.ones((), dt.np)
        one.flags.writeable = False
    return one


def _root_edges(outputs, grad_outputs, create_graph, fn):
    """Edges and starting gradients for the engine, with PyTorch's checks."""
    edges, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{fn}: outputs must be Tensors, got {type(out).__name__}")
        if not out._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs (output {i} has "
                                   f"shape {list(out.shape)}; pass gradient= with that shape)")
            if not out._dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out._dtype}")
            if create_graph:
                g = _wrap(np.ones(out._data.shape, out._dtype.np))
            else:
                g = _one(out._dtype) if out._data.ndim == 0 else np.ones(out._data.shape, out._dtype.np)
        else:
            if not isinstance(g, Tensor):
                g = _wrap(np.asarray(g, out._dtype.np))
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {out.shape}.")
            if g._dtype.is_complex != out._dtype.is_complex:
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the "
                                   f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} "
                                   f"and output[{i}] has a dtype of {out._dtype}.")
            if not create_graph:
                g = g._data if g._dtype is out._dtype else g._data.astype(out._dtype.np)
        edges.append((out._grad_fn, out._out_nr) if out._grad_fn is not None else (out._accumulator(), 0))
        grads.append(g)
    return edges, grads


def _normalize_grads(grad_tensors, n):
    if grad_tensors is None:
        return [None] * n
    if isinstance(grad_tensors, Tensor) or not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    grad_tensors = list(grad_tensors)
    if len(grad_tensors) != n:
        raise RuntimeError(f"got {len(grad_tensors)} gradients for {n} outputs")
    return grad_tensors


def _input_edge(t, i):
    if not t._rg:
        raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    return (t._grad_fn, t._out_nr) if t._grad_fn is not None else (t._accumulator(), 0)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    tensors = _tensors(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    grads = _normalize_grads(grad_tensors, len(tensors))
    edges, root_grads = _root_edges(tensors, grads, create_graph, "backward")
    if inputs is None:
        engine.execute(edges, root_grads, retain_graph, create_graph)
        return
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    capture = [_input_edge(t, i) for i, t in enumerate(inputs)]
    captured = engine.execute(edges, root_grads, retain_graph, create_graph, capture=capture, accumulate=False)
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None:
            continue
        from .engine import _accumulate
        if t._grad_fn is None:
            _accumulate(t, g, create_graph, set(), hooks=False)
        else:
            gt = g if create_graph else _wrap(np.array(g))
            t._grad = gt if t._grad is None else t._grad + gt


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated)."""
    if is_grads_batched:
        raise NotImplementedError("ember does not implement torch.autograd.grad(is_grads_batched=True) yet")
    single_input = not isinstance(inputs, (list, tuple))
    outputs, inputs = _tensors(outputs), _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _normalize_grads(grad_outputs, len(outputs))
    edges, root_grads = _root_edges(outputs, grads, create_graph, "grad")
    capture = [_input_edge(t, i) for i, t in enumerate(inputs)]
    captured = engine.execute(edges, root_grads, retain_graph, create_graph, capture=capture, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None:
            if materialize_grads:
                from .. import zeros_like
                result.append(zeros_like(t))
                continue
            if not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}, shape {list(t.shape)}) appears to "
                                   f"not have been used in the graph. Set allow_unused=True if this is the "
                                   f"desired behavior.")
            result.append(None)
        else:
            result.append(g if create_graph else _wrap(np.array(g)))
    return tuple(result)


from .function import Function, once_differentiable  # noqa: E402
from . import functional, graph  # noqa: E402
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

__all__ = ["backward", "grad", "Function", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "functional", "graph", "detect_anomaly", "set_detect_anomaly",
           "gradcheck", "gradgradcheck"]
