"""Shared pieces of the optimizers: hyper-parameter checks (PyTorch's messages,
naming the value), ``gather``, which collects a group's parameters that have a
gradient together with their state as NumPy arrays (complex ones viewed as real
pairs, as PyTorch's ``view_as_real``; 0-d ones as 1-d) so each update rule is plain in-place
NumPy, ``run_rule``, the body of a ``step``, and ``pieces``, which slices large
arrays so that a rule's passes run in cache (and on several threads, _parallel.py)."""
import numpy as np

from .. import dtypes
from .._parallel import chunks
from ..tensor import Tensor, make_tensor


def as_float(value):
    """A hyper-parameter given as a (1-element) tensor, as a Python float."""
    return float(value.item()) if isinstance(value, Tensor) else value


def to_scalar(value):
    """A 1-element tensor hyper-parameter as a 0-d tensor (PyTorch's ``_to_scalar``); others unchanged."""
    return value.squeeze() if isinstance(value, Tensor) and value.dim() != 0 else value


def check_range(name, value, low=0.0, high=None):
    """ValueError naming the value unless low <= value (< high)."""
    v = as_float(value)
    if not low <= v or (high is not None and not v < high):
        raise ValueError(f"Invalid {name}: {value}")


def check_lr(lr, foreach=None, capturable=False):
    if isinstance(lr, Tensor):
        if foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        if lr.numel() != 1:
            raise ValueError(f"Tensor lr must be 1-element, but got shape {tuple(lr.shape)}")
    check_range("learning rate", lr)


def check_betas(betas):
    for i, b in enumerate(betas):
        check_range(f"beta parameter at index {i}", b, 0.0, 1.0)


def check_beta_tensors(betas, foreach=None, capturable=False):
    """Adam's extra rule: both floats or both 1-element tensors."""
    if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
        raise ValueError(f"betas must be either both floats or both Tensors, but got {tuple(betas)}")
    for i, b in enumerate(betas):
        if isinstance(b, Tensor):
            if foreach and not capturable:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
            if b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")


def check_fused(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def call_closure(closure):
    """The loss from ``closure()`` run with gradients enabled, or None."""
    if closure is None:
        return None
    from ..autograd.grad_mode import enable_grad
    with enable_grad():
        return closure()


def effective_grad(p, g, weight_decay, maximize):
    """The gradient the rules use: -g when maximizing, plus weight_decay * p (a new array only if needed)."""
    if weight_decay != 0:
        return p * weight_decay - g if maximize else p * weight_decay + g
    return -g if maximize else g


def decayed_grad(p, g, lr, weight_decay, decoupled, maximize):
    """Weight decay, decoupled (p *= 1 - lr wd, in place) or added to the gradient; the gradient to use."""
    if weight_decay != 0 and decoupled:
        p *= 1 - lr * weight_decay
        return effective_grad(p, g, 0, maximize)
    return effective_grad(p, g, weight_decay, maximize)


def update_moments(m, v, g, beta1, beta2):
    """Adam's moments, in place: m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2."""
    m *= beta1
    m += g * (1 - beta1)
    v *= beta2
    v += g * g * (1 - beta2)


def run_rule(optimizer, closure, init, keys, update, packable=True):
    """The body of most ``step`` methods: the closure, then ``update(group, params, grads, states)`` on the
    arrays ``gather`` collects, then the version bumps; returns the closure's loss. ``packable``: the
    state is ``step`` plus arrays shaped as the parameter, so small parameters can share one update
    (see _packed.py)."""
    from . import _packed
    loss = call_closure(closure)
    name = type(optimizer).__name__
    for i, group in enumerate(optimizer.param_groups):
        check_group(group, name)
        subset = None
        if packable and not group.get("differentiable") and _packed.SMALL > 0:
            subset = _packed.step_group(optimizer, i, group, init, keys, update)
        params, ps, gs, st = gather(optimizer, group, lambda p, s: init(p, s, group), keys, name, subset)
        if params:
            update(group, ps, gs, st)
            bump_versions(params)
    return loss


def check_group(group, name):
    """PyTorch's refusals at a step, before the group's parameters are touched: capturable=True (CUDA graphs)
    on CPU tensors, fused=True on parameters that are not real floating point."""
    if group.get("capturable") and any(p._grad is not None for p in group["params"]):
        raise AssertionError(f"{name}: if capturable=True, params and state_steps must be on supported devices: "
                             "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla'] (ember's tensors are on the CPU; use "
                             "capturable=False)")
    if group.get("fused") and not all(p._dtype.is_floating_point for p in group["params"] if p._grad is not None):
        raise RuntimeError(f"{name}: `fused=True` requires all the params to be floating point Tensors (real: not "
                           "complex, not integer)")


def zeros_like(p):
    return make_tensor(np.zeros_like(p._data), p._dtype)


def scalar_dtype(fused=False):
    """The dtype of 0-d states (PyTorch's _get_scalar_dtype): float32, float64 under
    set_default_dtype(float64), except for fused kernels."""
    return dtypes.float64 if not fused and dtypes.get_default_dtype() is dtypes.float64 else dtypes.float32


def new_scalar(value=0.0, fused=False):
    """A 0-d state tensor (the ``step`` counter PyTorch keeps per parameter, ASGD's eta/mu...)."""
    dtype = scalar_dtype(fused)
    return make_tensor(np.array(value, dtype.np), dtype)


def rule_array(a):
    """A view of ``a`` that an update rule can change in place: a complex array as its real and imaginary parts
    on a last axis of 2 (PyTorch's view_as_real; strided views too), a 0-d array as one number in 1-d (NumPy
    makes 0-d results scalars, which ``out=`` refuses)."""
    if a.dtype.kind == "c":
        real = a.real
        return np.lib.stride_tricks.as_strided(real, a.shape + (2,), a.strides + (real.itemsize,))
    return a.reshape(1) if a.ndim == 0 else a


def gather(optimizer, group, init, keys, name, params=None):
    """Parameters of ``group`` with a gradient, as arrays, with their state.

    Returns ``(params, p_arrays, g_arrays, states)``: the parameter tensors, their
    arrays and their gradients' arrays, and ``states[key]`` a list of state arrays
    per key in ``keys`` (None where a key is absent; no state is touched when
    ``keys`` is empty; ``step`` as the bumped count). ``init(p, state)`` (unless None) fills the state of a
    parameter seen for the first time. ``step`` counters are bumped. ``params``: only
    these parameters of the group (default: all).
    """
    if group.get("differentiable"):
        raise NotImplementedError(f"{name}: differentiable=True (gradients through the optimizer step) is not "
                                  f"supported by ember's {name} (SGD, Adam and AdamW have it); use "
                                  "differentiable=False")
    chosen, p_arrays, g_arrays = [], [], []
    states = {k: [] for k in keys}
    for p in group["params"] if params is None else params:
        g = p._grad
        if g is None:
            continue
        if getattr(g, "is_sparse", False):
            raise RuntimeError(f"{name} does not support sparse gradients")
        chosen.append(p)
        p_arrays.append(rule_array(p._data))
        g_arrays.append(rule_array(g._data))
        if not keys:
            continue
        state = optimizer.state[p]
        if len(state) == 0 and init is not None:
            init(p, state)
        step = state.get("step")
        if step is not None:
            step._data += 1
            step._vbox[0] += 1
        for k in keys:
            v = state.get(k)
            if k == "step":     # the count now: a parameter listed twice sees 1 then 2, as in PyTorch
                v = None if v is None else float(v._data)
            elif isinstance(v, Tensor):     # 0-d states (ASGD's eta...) stay 0-d, the others as the parameter's
                v = v._data if k in optimizer._scalar_state else rule_array(v._data)
            states[k].append(v)
    return chosen, p_arrays, g_arrays, states


def bump_versions(params):
    """In-place updates bump the version counters, as PyTorch's in-place ops do."""
    for p in params:
        p._vbox[0] += 1


CHUNK = 1 << 17     # numbers per slice: the update's passes reread cached data (L2/L3); halving the slices
                    # doubles the Python-level calls, which hold the GIL while two threads share the work
                    # (AdamW over 10 x 500k numbers at 2 threads: 2^15 13.7 ms, 2^16 10.6, 2^17 9.4, 2^18 9.8)


def pieces(*arrays):
    """Matching slices of ``arrays`` (views, so writes land in them); None operands stay None.

    Contiguous operands are cut into slices of at most CHUNK numbers so that the many
    passes of an update rule run on cached data (and the slices can go to several
    threads). The slices are of equal size: a short last one would leave a thread idle
    while the other finishes a full one (10 tensors of 7.6 slices each: one thread had
    a ninth more work).
    """
    first = arrays[0]
    present = [a for a in arrays if a is not None]
    if first.size <= CHUNK or not all(a.flags.c_contiguous for a in present):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for i, j in chunks(first.size, -(-first.size // CHUNK)):
        yield tuple(None if a is None else a[i:j] for a in flat)


def state_like(p, array):
    """A state tensor of ``p``'s dtype and shape around ``array`` (``rule_array``'s views are undone)."""
    if p._data.dtype.kind == "c" and array.dtype.kind != "c":
        array = array.view(p._data.dtype)
    return make_tensor(array.reshape(p._data.shape), p._dtype)
