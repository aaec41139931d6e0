"""gradcheck and gradgradcheck: compare the gradients autograd computes
(analytical) with central finite differences (numerical), with
``torch.autograd.gradcheck``'s arguments and errors.

Slow mode (the default) builds both Jacobians in full, one per (differentiable
output, input requiring grad), laid out as PyTorch's: ``(input.numel(),
output.numel())``. Fast mode compares the scalars ``v^T J u`` for random
unit vectors ``u`` (inputs) and ``v`` (outputs).

Complex numbers follow PyTorch's convention. For a complex input ``z = x + iy``
the numerical column is ``ds/dx + i ds/dy`` (what autograd returns for a real
``s``: twice the conjugate Wirtinger derivative). A complex output is checked
as two real functions, its real part (output gradient 1) and its imaginary
part (output gradient 1j), imaginary first, as PyTorch does.

Finite differences perturb the inputs' arrays in place (the forward is run
with grad mode as it is, so ``func`` may itself call autograd, which is how
gradgradcheck works) and restore them exactly afterwards.
"""
import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


FAILED_NONDET_MSG = """

NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
"""

FAST_MODE_NOTE = ("\nThe above quantities relating the numerical and analytical jacobians are computed \n"
                  "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
                  "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n")


def _Tensor():
    from ..tensor import Tensor
    return Tensor


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    return isinstance(x, _Tensor())


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if _is_tensor(o) and o.requires_grad)


def _diff_inputs(inputs):
    return [t for t in inputs if _is_tensor(t) and t.requires_grad]


def _fmt(arr):
    from ..tensor import wrap
    try:
        return repr(wrap(np.asarray(arr)))
    except Exception:  # noqa: BLE001 - printing must never hide the real failure
        return repr(np.asarray(arr))


# --------------------------------------------------------------------------- input checks
def _check_inputs(tupled_inputs):
    any_rg = False
    for idx, inp in enumerate(tupled_inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp.dtype.name not in ("float64", "complex128"):
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point or "
                              f"complex. This check will likely fail if all the inputs are not of double precision "
                              f"floating point or complex. ", UserWarning, stacklevel=4)
            arr = inp._data
            if not all(st > 0 or sz <= 1 for st, sz in zip(arr.strides, arr.shape)):
                raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs "
                                   f"that are non-overlapping to be able to compute the numerical gradients "
                                   f"correctly. You should call .contiguous on the input before passing it to "
                                   f"gradcheck.")
            any_rg = True
    if not any_rg:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them have "
                         "requires_grad=True.")


# --------------------------------------------------------------------------- numerical side
def _output_arrays(func, inputs):
    """The forward's tensor outputs as NumPy arrays (copies: they may be views of inputs)."""
    return [np.array(o._data) if _is_tensor(o) else None for o in _as_tuple(func(*inputs))]


def _central_difference(func, inputs, inp, flat_index, delta, eps):
    """(f(x + delta e_k) - f(x - delta e_k)) / (2 eps) for every output (None for non-Tensors)."""
    arr = inp._data
    view = arr.reshape(-1) if arr.flags.c_contiguous else None
    idx = np.unravel_index(flat_index, arr.shape) if arr.ndim else ()
    orig = arr[idx].copy() if arr.ndim else arr[()].copy()
    try:
        _set(arr, view, idx, flat_index, orig - delta)
        outa = _output_arrays(func, inputs)
        _set(arr, view, idx, flat_index, orig + delta)
        outb = _output_arrays(func, inputs)
    finally:
        _set(arr, view, idx, flat_index, orig)
    res = []
    for a, b in zip(outa, outb):
        if a is None or a.dtype.kind not in "fc":
            res.append(None if a is None else np.zeros(a.shape))
        else:
            res.append(((b - a) / (2 * eps)).reshape(-1))
    return res


def _set(arr, view, idx, flat_index, value):
    if view is not None:
        view[flat_index] = value
    else:
        arr[idx] = value


def _slow_numerical(func, inputs, eps):
    """Full numerical Jacobians: num[j][i] = (dx, dy or None) with dx, dy of shape (numel_j, numel_i)."""
    outputs = _output_arrays(func, inputs)
    res = []
    for inp in _diff_inputs(inputs):
        n = inp._data.size
        is_c = inp._data.dtype.kind == "c"
        dx = [None if o is None else np.zeros((n, o.size), o.dtype if o.dtype.kind in "fc" else np.float64)
              for o in outputs]
        dy = [None if o is None else np.zeros_like(d) for o, d in zip(outputs, dx)] if is_c else None
        for k in range(n):
            cx = _central_difference(func, inputs, inp, k, eps, eps)
            cy = _central_difference(func, inputs, inp, k, eps * 1j, eps) if is_c else None
            for i in range(len(outputs)):
                if dx[i] is None:
                    continue
                dx[i][k] = cx[i]
                if is_c:
                    dy[i][k] = cy[i]
        res.append([(dx[i], dy[i] if is_c else None) for i in range(len(outputs))])
    return res


def _part_of(pair, part):
    """The numerical Jacobian of the real or imaginary part of an output: d/dx (+ i d/dy)."""
    dx, dy = pair
    take = np.real if part == "real" else np.imag
    if dy is None:
        return take(dx) if dx.dtype.kind == "c" else (dx if part == "real" else np.zeros_like(dx))
    return take(dx) + 1j * take(dy)


# --------------------------------------------------------------------------- analytical side
def _vjp(output, diff_inputs, grad_output):
    from . import grad
    return grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _analytical_jacobian(output, diff_inputs, scale, nondet_tol, check_grad_dtypes):
    """jac[j]: (numel_j, numel_out) rows of autograd's vjps with one-hot output gradients (times ``scale``)."""
    from ..tensor import wrap
    out_dtype = output._data.dtype
    n_out = output._data.size
    jacs = []
    types_ok = sizes_ok = True
    for _ in range(2):   # twice: backward must be reentrant (deterministic)
        cols = [np.zeros((t._data.size, n_out), np.result_type(t._data.dtype, out_dtype)) for t in diff_inputs]
        for k in range(n_out):
            g = np.zeros(n_out, out_dtype)
            g[k] = scale
            grads = _vjp(output, diff_inputs, wrap(g.reshape(output._data.shape)))
            for j, (gj, t) in enumerate(zip(grads, diff_inputs)):
                if gj is None:
                    continue
                if gj._data.size != t._data.size:
                    sizes_ok = False
                    continue
                if gj.dtype is not t.dtype:
                    types_ok = False
                cols[j][:, k] = gj._data.reshape(-1)
        jacs.append(cols)
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(*jacs):
        if a.size and np.max(np.abs(a - b)) > nondet_tol:
            raise GradcheckError(f"Backward is not reentrant, i.e., running backward with same input and grad_output "
                                 f"multiple times gives different values, although analytical gradient matches "
                                 f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}."
                                 + FAILED_NONDET_MSG)
    return jacs[0]


def _notallclose_msg(analytical, numerical, i, j, complex_out, part):
    prefix = f"While considering the {part} part of complex outputs only, " if complex_out else ""
    return (prefix + f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{_fmt(numerical)}\nanalytical:{_fmt(analytical)}\n")


def _allclose(a, n, rtol, atol):
    return a.shape == n.shape and bool(np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False))


def _parts(output):
    """The real functions an output is checked as: [(part, grad_output scale)], imaginary part first."""
    if output._data.dtype.kind == "c":
        return [("imaginary", 1j), ("real", 1.0)]
    return [("real", 1.0)]


# --------------------------------------------------------------------------- slow and fast checks
def _slow_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol):
    all_out = [o for o in _as_tuple(func_out)]
    if not outputs:
        return _check_no_differentiable_outputs(func, inputs, eps)
    numerical = _slow_numerical(func, inputs, eps)
    diff_pos = [k for k, o in enumerate(all_out) if _is_tensor(o) and o.requires_grad]
    diff = _diff_inputs(inputs)
    any_complex = any(o._data.dtype.kind == "c" for o in outputs)
    for part in (["imaginary", "real"] if any_complex else ["real"]):
        for i, o in enumerate(outputs):
            complex_out = o._data.dtype.kind == "c"
            if part == "imaginary" and not complex_out:
                # the imaginary part of a real output is 0: torch checks it too (numerical 0 vs analytical 0)
                continue
            analytical = _analytical_jacobian(o, diff, 1j if part == "imaginary" else 1.0, nondet_tol,
                                              check_grad_dtypes)
            for j in range(len(diff)):
                n = _part_of(numerical[j][diff_pos[i]], part)
                a = analytical[j]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_notallclose_msg(a, n, i, j, complex_out, part))
    return True


def _check_no_differentiable_outputs(func, inputs, eps):
    for per_input in _slow_numerical(func, inputs, eps):
        for dx, dy in per_input:
            for d in (dx, dy):
                if d is not None and d.size and not np.all(d == 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
    return True


def _random_unit(shape, dtype, rng):
    if np.dtype(dtype).kind == "c":
        v = rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)
    else:
        v = rng.uniform(-1, 1, shape)
    norm = np.sqrt(np.sum(np.abs(v) ** 2))
    return (v / norm if norm else v).astype(dtype)


def _directional(func, inputs, inp, u, eps):
    """(f(x + eps u) - f(x - eps u)) / (2 eps) for every output, along the array ``u``."""
    arr = inp._data
    orig = arr.copy()
    try:
        arr[...] = orig - eps * u
        outa = _output_arrays(func, inputs)
        arr[...] = orig + eps * u
        outb = _output_arrays(func, inputs)
    finally:
        arr[...] = orig
    return [None if a is None or a.dtype.kind not in "fc" else (b - a) / (2 * eps) for a, b in zip(outa, outb)]


def _fast_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol):
    from ..tensor import wrap
    if not outputs:
        return _check_no_differentiable_outputs(func, inputs, eps)
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    all_out = list(_as_tuple(func_out))
    diff_pos = [k for k, o in enumerate(all_out) if _is_tensor(o) and o.requires_grad]
    us = [_random_unit(t._data.shape, t._data.dtype, rng) for t in diff]
    vs = [_random_unit(o._data.shape, o._data.real.dtype, rng) for o in outputs]
    # numerical: directional derivatives along u_j, per input
    dirs = [_directional(func, inputs, t, u, eps) for t, u in zip(diff, us)]
    any_complex = any(o._data.dtype.kind == "c" for o in outputs)
    for part in (["imaginary", "real"] if any_complex else ["real"]):
        take = np.real if part == "real" else np.imag
        for i, o in enumerate(outputs):
            complex_out = o._data.dtype.kind == "c"
            if part == "imaginary" and not complex_out:
                continue
            scale = 1j if part == "imaginary" else 1.0
            vals = []
            for _ in range(2):
                grads = _vjp(o, diff, wrap((vs[i] * scale).astype(o._data.dtype)))
                row = []
                for gj, t, u in zip(grads, diff, us):
                    if gj is None:
                        row.append(0.0)
                        continue
                    if gj._data.size != t._data.size:
                        raise GradcheckError("Analytical gradient has incorrect size")
                    if check_grad_dtypes and gj.dtype is not t.dtype:
                        raise GradcheckError("Gradient has dtype mismatch")
                    row.append(float(np.real(np.sum(np.conj(gj._data) * u))))
                vals.append(row)
            if any(abs(a - b) > nondet_tol for a, b in zip(*vals)):
                raise GradcheckError(f"Backward is not reentrant, i.e., running backward with same input and "
                                     f"grad_output multiple times gives different values, although analytical "
                                     f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                                     f"{nondet_tol}." + FAILED_NONDET_MSG)
            for j, (t, u) in enumerate(zip(diff, us)):
                d = dirs[j][diff_pos[i]]
                n = float(np.sum(vs[i] * take(d))) if d is not None else 0.0
                a = vals[0][j]
                tol = atol * float(np.sum(np.abs(u))) * float(np.sum(np.abs(vs[i])))
                if not abs(a - n) <= tol + rtol * abs(n):
                    msg = _notallclose_msg(np.float64(a), np.float64(n), i, j, complex_out, part) + FAST_MODE_NOTE
                    msg += _slow_mode_report(func, inputs, o, diff, i, j, diff_pos, part, eps, rtol, atol)
                    raise GradcheckError(msg)
    return True


def _slow_mode_report(func, inputs, o, diff, i, j, diff_pos, part, eps, rtol, atol):
    try:
        numerical = _slow_numerical(func, inputs, eps)
        n = _part_of(numerical[j][diff_pos[i]], part)
        a = _analytical_jacobian(o, diff, 1j if part == "imaginary" else 1.0, float("inf"), False)[j]
    except Exception as e:  # noqa: BLE001 - the report is best effort
        return f"(slow mode failed too: {e})\n"
    verdict = ("Slow mode gradcheck passes for this output and input: the fast-mode failure may be spurious; "
               "consider a larger atol or fast_mode=False.\n" if _allclose(a, n, rtol, atol) else "")
    return f"Numerical:\n {_fmt(n)}\nAnalytical:\n{_fmt(a)}\n\n{verdict}"


# --------------------------------------------------------------------------- the further backward checks
def _test_backward_mul_by_grad_output(outputs, inputs):
    from .. import zeros_like
    from . import grad
    diff = _diff_inputs(inputs)
    if not diff:
        raise GradcheckError("no Tensors requiring grad found in input")
    grads = grad(list(outputs), diff, [zeros_like(o) for o in outputs], allow_unused=True, retain_graph=True)
    for gi, di in zip(grads, diff):
        if gi is None:
            continue
        if gi.dtype is not di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != di.device:
            raise GradcheckError("grad is incorrect device")
        if gi.size() != di.size():
            raise GradcheckError("grad is incorrect size")
        if not np.all(gi._data == 0):
            raise GradcheckError("backward not multiplied by grad_output")
    return True


_UNDEF_MSG = ('Please look at "Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"')


def _test_undefined_backward_mode(func, outputs, inputs):
    """ember has no undefined-gradient object: a gradient left out of autograd.grad is the same thing.
    With several outputs, backward must work when any one of them receives no gradient."""
    from .. import zeros_like
    from . import grad
    diff = _diff_inputs(inputs)
    if len(outputs) < 2:
        return True
    for skip in range(len(outputs)):
        fresh = _differentiable_outputs(func(*inputs))
        kept = [o for k, o in enumerate(fresh) if k != skip]
        try:
            grads = grad(kept, diff, [zeros_like(o) for o in kept], allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError("Expected backward function to handle undefined output grads. " + _UNDEF_MSG) from e
        for gi in grads:
            if gi is not None and not np.all(gi._data == 0):
                raise GradcheckError("Expected all input grads to be undefined or zero when all output grads are "
                                     "undefined or zero. " + _UNDEF_MSG)
    return True


def _test_batched_grad(inputs, output, output_idx, rtol, atol):
    """ember has no vmap: "batched" gradients are computed in a loop, so the check reduces to
    what a batched backward relies on, linearity in the output gradient: vjp(a+b) == vjp(a) + vjp(b)."""
    from ..tensor import wrap
    diff = _diff_inputs(inputs)
    rng = np.random.default_rng(1)
    shape, dt = output._data.shape, output._data.dtype
    a = _random_unit(shape, dt, rng)
    b = _random_unit(shape, dt, rng)
    ga, gb, gab = (_vjp(output, diff, wrap(np.asarray(x, dt))) for x in (a, b, a + b))
    for j, (x, y, z) in enumerate(zip(ga, gb, gab)):
        if x is None and y is None and z is None:
            continue
        exp = sum(g._data for g in (x, y) if g is not None)
        got = z._data if z is not None else np.zeros_like(exp)
        if not np.allclose(got, exp, rtol=rtol, atol=atol):
            raise GradcheckError(f"For output {output_idx} and input {j}:\n\nbackward is not linear in grad_output "
                                 f"(batched gradients would be wrong).\n\nGot:\n{_fmt(got)}\n\nExpected:\n{_fmt(exp)}")
    return True


# --------------------------------------------------------------------------- public API
def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """Check the gradients of ``func`` at ``inputs`` (Tensors requiring grad, best in float64 or
    complex128) against finite differences. Returns True, or raises ``GradcheckError`` (returns
    False when ``raise_exception=False``)."""
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_forward_ad:
        raise NotImplementedError("ember has no forward-mode AD: gradcheck(check_forward_ad=True) is not supported")
    args = dict(func=func, inputs=inputs, eps=eps, atol=atol, rtol=rtol, nondet_tol=nondet_tol,
                check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                check_batched_grad=check_batched_grad, check_backward_ad=check_backward_ad, fast_mode=fast_mode)
    if not raise_exception:
        try:
            return _gradcheck_helper(**args)
        except GradcheckError:
            return False
    return _gradcheck_helper(**args)


def _gradcheck_helper(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_grad_dtypes,
                      check_batched_grad, check_backward_ad, fast_mode):
    tupled = _as_tuple(inputs)
    _check_inputs(tupled)
    func_out = func(*tupled)
    outputs = _differentiable_outputs(func_out)
    check = _fast_gradcheck if fast_mode else _slow_gradcheck
    check(func, func_out, tupled, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol)
    if not check_backward_ad:
        return True
    if check_batched_grad:
        for i, o in enumerate(outputs):
            _test_batched_grad(tupled, o, i, rtol, atol)
    if outputs:
        _test_backward_mul_by_grad_output(outputs, tupled)
    if check_undefined_grad:
        _test_undefined_backward_mode(func, outputs, tupled)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradients: checks the second derivatives of ``func`` (the gradient
    of ``grad(func(inputs), inputs, grad_outputs, create_graph=True)`` w.r.t. inputs and grad_outputs)."""
    from .. import float64
    from ..tensor import wrap
    from . import grad
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(2)
        outs = _differentiable_outputs(func(*tupled_inputs))
        made = []
        for x in outs:
            dt = x._data.dtype if x._data.dtype.kind in "fc" else float64.np
            arr = rng.uniform(-1, 1, x._data.shape)
            if np.dtype(dt).kind == "c":
                arr = arr + 1j * rng.uniform(-1, 1, x._data.shape)
            arr = arr.astype(dt)
            if gen_non_contig_grad_outputs and arr.size > 1:
                holder = np.empty(arr.shape + (2,), dt)
                holder[..., 0] = arr
                arr = holder[..., 0]
            made.append(wrap(arr).requires_grad_(True))
        tupled_grad_outputs = tuple(made)
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(tupled_grad_outputs)
    diff_input_idx = {i for i, x in enumerate(tupled_inputs) if _is_tensor(x) and x.requires_grad}
    diff_gout_idx = {i for i, x in enumerate(tupled_grad_outputs) if x.requires_grad}

    def new_func(*args):
        input_args = tuple(x.requires_grad_() if i in diff_input_idx else x
                           for i, x in enumerate(args[:-num_outputs]))
        outputs = _differentiable_outputs(func(*input_args))
        gouts = tuple(x.requires_grad_() if i in diff_gout_idx else x for i, x in enumerate(args[-num_outputs:]))
        diff_args = tuple(x for i, x in enumerate(input_args) if i in diff_input_idx)
        grad_inputs = grad(outputs, diff_args, gouts, create_graph=True, allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


# ``ember.autograd.gradcheck`` is the function once ember.autograd imports it (as in torch); let
# ``ember.autograd.gradcheck.GradcheckError`` still name the exception.
gradcheck.GradcheckError = GradcheckError
gradgradcheck.GradcheckError = GradcheckError
