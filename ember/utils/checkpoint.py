"""ember.utils.checkpoint (torch.utils.checkpoint): activation checkpointing, trading compute for memory.

The checkpointed function's intermediate activations are not kept for backward; backward recomputes them,
with the RNG state of the forward restored so dropout draws the same masks. Two variants, as in PyTorch:

- ``use_reentrant=True`` (the default when not passed, with PyTorch's warning): an ``autograd.Function`` whose
  forward runs under no_grad and saves only the inputs; its backward reruns the function with grad enabled
  and backpropagates through the rerun (gradients of parameters used inside accumulate there).
- ``use_reentrant=False``: the function runs with grad enabled under saved-tensor hooks that keep an index
  instead of each saved tensor; the first unpack in backward reruns the function once, collecting the tensors
  it saves, and hands back the one at that index. This variant takes keyword arguments and works with
  ``autograd.grad``.
"""
import warnings

from ..autograd import Function, backward as _backward
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.graph import saved_tensors_hooks
from ..random import fork_rng, get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction", "CheckpointError", "detach_variable",
           "noop_context_fn"]


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def _rerun(function, args, kwargs, rng_state):
    """``function(*args, **kwargs)`` with grad enabled and, if given, the forward's RNG state."""
    with fork_rng(enabled=rng_state is not None):
        if rng_state is not None:
            set_rng_state(rng_state)
        with enable_grad():
            return function(*args, **kwargs)


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))
        return run_function(*args)            # apply runs forward under no_grad: nothing inside is recorded

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, detach_variable(tuple(ctx.saved_tensors))):
            inputs[i] = t
        outputs = _rerun(ctx.run_function, inputs, {}, ctx.rng_state)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(inputs[i].grad if i in ctx.tensor_indices else None
                                    for i in range(len(inputs)))


class _Recomputation:
    """The non-reentrant variant's state for one checkpointed call: what to rerun, and the saved tensors of
    the latest rerun (each handed out once; asking again, as a retain_graph backward does, reruns)."""

    def __init__(self, function, args, kwargs, rng_state, context_fn):
        self.function, self.args, self.kwargs, self.rng_state = function, args, kwargs, rng_state
        self.context_fn = context_fn
        self.count = 0
        self.saved = None

    def pack(self, _tensor):
        self.count += 1
        return self.count - 1

    def unpack(self, index):
        if self.saved is None or self.saved[index] is None:
            self.saved = []

            def keep(t):
                self.saved.append(t)
                return None
            with self.context_fn()[1], saved_tensors_hooks(keep, lambda _: None):     # the recompute context
                # the inputs themselves: the rerun's saved copies of them are them, on the original graph
                _rerun(self.function, self.args, self.kwargs, self.rng_state)
            if len(self.saved) < self.count:
                raise CheckpointError("torch.utils.checkpoint: the recomputed forward saved fewer tensors "
                                      f"({len(self.saved)}) than the original ({self.count}); the checkpointed "
                                      "function must do the same work when run again")
        t, self.saved[index] = self.saved[index], None
        return t


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                      "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    if not is_grad_enabled():
        return function(*args, **kwargs)
    state = _Recomputation(function, args, kwargs, get_rng_state() if preserve else None, context_fn)
    with context_fn()[0], saved_tensors_hooks(state.pack, state.unpack):
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a list or nn.Sequential) in order, checkpointing all but the last of ``segments``
    equal chunks."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
                      "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
                      "passed. use_reentrant=False is recommended, but if you need to preserve the current "
                      "default behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
