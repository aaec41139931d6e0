"""Module full backward hooks.

The module's tensor inputs and outputs pass through identity Nodes. The output
Node sees the gradient w.r.t. the outputs (grad_output, where backward pre-hooks
may replace it); the input Node sees the gradient w.r.t. the inputs
(grad_input) and calls ``hook(module, grad_input, grad_output)``, which may
replace it.
"""
import warnings

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
    """The hooks see grad_input / grad_output as PyTorch packs them: one entry per forward argument (per
    output), None for the non-tensors and for tensors without a gradient."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_output = None
        self.input_idx, self.n_inputs = [], 0
        self.output_idx, self.n_outputs = [], 0

    def _route(self, values, callback, inputs):
        """Pass tensors of ``values`` through one identity Node; their positions. Inputs: every floating-point
        tensor once one requires grad (as PyTorch's BackwardHookFunction: all then require grad, and one that
        gets no gradient gets zeros); outputs: those requiring grad (a missing gradient stays None)."""
        if not _gstate.enabled or not any(isinstance(v, Tensor) and v._rg for v in values):
            return values, []
        idx = [i for i, v in enumerate(values) if isinstance(v, Tensor) and (v._rg or inputs and v.is_floating_point())]
        ins = [values[i] for i in idx]
        outs = tuple(_alias(t) for t in ins)
        record(_identity_node(len(outs)), outs if len(outs) > 1 else outs[0], tuple(ins), (), (callback,))
        if not inputs:
            outs[0]._grad_fn._out_meta = None
        values = list(values)
        for i, o in zip(idx, outs):
            values[i] = o
        return values, idx

    def setup_input_hook(self, args):
        routed, self.input_idx = self._route(args, self._on_grad_input, True)
        self.n_inputs = len(args)
        return tuple(routed)

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        values = [result] if single else list(result) if isinstance(result, (tuple, list)) else [result]
        routed, self.output_idx = self._route(values, self._on_grad_output, False)
        self.n_outputs = len(values)
        if single:
            return routed[0]
        return type(result)(routed) if isinstance(result, (tuple, list)) else routed[0]

    @staticmethod
    def _pack(idx, grads, n):
        packed = [None] * n
        for i, g in zip(idx, grads):
            packed[i] = g
        return tuple(packed)

    def _on_grad_output(self, grads):
        grads = self._pack(self.output_idx, grads, self.n_outputs)
        for hook in self.pre_hooks:
            res = hook(self.module, grads)
            if res is not None:
                grads = tuple(res)
        self.grad_output = grads
        if not self.input_idx:     # no input needs a gradient: PyTorch still calls the hooks, with Nones
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=2)
            nones = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, nones, self.grad_output)
                if res is not None and not (isinstance(res, tuple) and all(g is None for g in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
        return tuple(grads[i] for i in self.output_idx)

    def _on_grad_input(self, grads):
        grad_input = self._pack(self.input_idx, grads, self.n_inputs)
        for hook in self.hooks:
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                if len(res) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(res)}, "
                                       f"but expected {len(grad_input)}")
                grad_input = tuple(res)
        return tuple(grad_input[i] for i in self.input_idx)


def _alias(t):
    a = make_tensor(t._data, t._dtype)
    a._vbox = t._vbox
    return a
