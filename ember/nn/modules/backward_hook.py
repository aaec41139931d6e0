"""Module full backward hooks.

The module's tensor inputs and outputs pass through identity Nodes. The output
Node sees the gradient w.r.t. the outputs (grad_output, where backward pre-hooks
may replace it); the input Node sees the gradient w.r.t. the inputs
(grad_input) and calls ``hook(module, grad_input, grad_output)``, which may
replace it.
"""
from ...autograd.formulas import array_ns
from ...autograd.grad_mode import state as _gstate
from ...autograd.node import node_class
from ...ops._common import record
from ...tensor import Tensor, make_tensor, wrap

_classes = {}


def _identity_node(n):
    if n not in _classes:
        _classes[n] = node_class("BackwardHookFunctionBackward", _formula, nout=n)
    return _classes[n]


def _formula(F, grads, callback):
    as_arrays = F is array_ns
    grads = (grads,) if not isinstance(grads, (list, tuple)) else tuple(grads)
    tensors = tuple(None if g is None else (wrap(g) if as_arrays else g) for g in grads)
    tensors = callback(tensors)
    return tuple(None if t is None else (t._data if as_arrays else t) for t in tensors)


class BackwardHook:
    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_output = None
        self.n_inputs = 0

    def _route(self, values, callback):
        """Pass the tensors that require grad among ``values`` through one identity Node."""
        idx = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v._rg]
        if not idx or not _gstate.enabled:
            return values, 0
        ins = [values[i] for i in idx]
        outs = tuple(_alias(t) for t in ins)
        record(_identity_node(len(outs)), outs if len(outs) > 1 else outs[0], tuple(ins), (), (callback,))
        values = list(values)
        for i, o in zip(idx, outs):
            values[i] = o
        return values, len(idx)

    def setup_input_hook(self, args):
        routed, self.n_inputs = self._route(args, self._on_grad_input)
        return tuple(routed)

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        routed, _ = self._route([result] if single else list(result) if isinstance(result, (tuple, list)) else
                                [result], self._on_grad_output)
        if single:
            return routed[0]
        return type(result)(routed) if isinstance(result, (tuple, list)) else routed[0]

    def _on_grad_output(self, grads):
        for hook in self.pre_hooks:
            res = hook(self.module, grads)
            if res is not None:
                grads = tuple(res)
        self.grad_output = grads
        if self.n_inputs == 0:     # no input needs a gradient: PyTorch still calls the hooks, with None
            self._call_hooks((None,))
        return grads

    def _on_grad_input(self, grads):
        return self._call_hooks(grads)

    def _call_hooks(self, grad_input):
        for hook in self.hooks:
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                if len(res) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(res)}, "
                                       f"but expected {len(grad_input)}")
                grad_input = tuple(res)
        return grad_input


def _alias(t):
    a = make_tensor(t._data, t._dtype)
    a._vbox = t._vbox
    return a
