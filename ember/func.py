"""ember.func (torch.func): function transforms over ember's tape autograd.

``grad``/``vjp``/``jacrev`` call the function on fresh differentiable copies of the chosen inputs and take
``autograd.grad`` of the result; ``jvp`` and ``jacfwd`` get forward-mode products from reverse mode (the
double-vjp trick: ``J t`` is the derivative of ``u -> J^T u`` along ``t``). Each transform builds its graph with
``create_graph=True`` exactly when the result depends on something differentiable from outside (an input with
an enclosing transform's or the caller's gradient, or a tensor the function closes over, such as a module's
parameters), so transforms nest (``grad(grad(f))``, ``hessian``) and their results stay differentiable.

``vmap`` runs the function once per batch element and stacks the results: slower than torch's batching rules
but correct for any function, including ones that call other transforms (per-sample gradients are
``vmap(grad(loss), in_dims=(None, 0, 0))``).
"""
from collections.abc import Sequence

from .autograd import grad as _autograd_grad
from .autograd.grad_mode import enable_grad, is_grad_enabled
from .nn.utils.stateless import _functional_call
from .tensor import Tensor
from .utils._pytree import tree_flatten, tree_unflatten, spec_leaves, LeafSpec, TreeSpec

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian",
           "vmap", "stack_module_state", "replace_all_batch_norm_modules_", "functionalize"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """``module(*args, **kwargs)`` with the parameters and buffers named in ``parameter_and_buffer_dicts`` (one
    dict, or a sequence of dicts with distinct keys) standing in for the module's own during the call."""
    if isinstance(parameter_and_buffer_dicts, dict):
        parameters_and_buffers = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                             "ambiguous")
        parameters_and_buffers = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)


def stack_module_state(models):
    """(params, buffers): each name's tensors from ``models`` stacked on a new first dimension, for
    ``vmap(functional_call...)`` over an ensemble; stacked parameters are fresh leaves that require grad."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(tensors, name):
        from . import stack
        flags = {t.requires_grad for t in tensors}
        if len(flags) > 1:
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        result = stack(tensors)
        return result.detach().requires_grad_() if flags == {True} else result

    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    return ({k: stacked([p[k] for p in all_params], k) for k in all_params[0]},
            {k: stacked([b[k] for b in all_buffers], k) for k in all_buffers[0]})


def replace_all_batch_norm_modules_(root):
    """Make every BatchNorm in ``root`` stop tracking running statistics (in place; returns root)."""
    from .nn.modules.batchnorm import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = module.running_var = module.num_batches_tracked = None
            module.track_running_stats = False
    return root


def functionalize(func, *, remove="mutations"):
    """``func`` itself: ember runs eagerly, so there is no traced program to strip of mutations."""
    return func


# ------------------------------------------------------------------------------------------ shared helpers
def _outer_graph(tree):
    """Whether the transform must record its own backward (some input is differentiable from outside)."""
    return is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in tree_flatten(tree)[0])


def _reaches_outside(outputs, lifted):
    """Whether ``outputs`` depend on a differentiable tensor other than the stand-ins (one the function closes
    over, such as a module's parameters): then the transform's results must stay on that outer graph too."""
    from .autograd.node import AccumulateGrad
    own = {id(t) for t in lifted}
    stack = [o.grad_fn for o in outputs if isinstance(o, Tensor) and o.grad_fn is not None]
    stack += [o for o in outputs if isinstance(o, Tensor) and o.requires_grad and o.grad_fn is None]
    if any(id(o) not in own for o in stack if isinstance(o, Tensor)):
        return True
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, Tensor) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in own:
                return True
            continue
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    return False


def _lift(t, connected):
    """A differentiable stand-in for input ``t``: an alias that stays on the outer graph when there is one,
    else a fresh leaf (the transform's gradient must not reach the caller's ``.grad``)."""
    if not isinstance(t, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
    if connected and t.requires_grad:
        return t.view_as(t)
    return t.detach().requires_grad_()


def _check_argnums(argnums, n):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        picked = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(a, int) and not isinstance(a, bool) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        picked = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in picked:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    normalized = tuple(a % n for a in picked)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return normalized


def _lift_args(args, argnums):
    """(args with the differentiated ones replaced by stand-ins, the stand-in leaves, their spec, connected)."""
    connected = _outer_graph(args)
    picked = _check_argnums(argnums, len(args))
    chosen = args[picked[0]] if isinstance(argnums, int) else tuple(args[i] for i in picked)
    leaves, spec = tree_flatten(chosen)
    lifted = [_lift(t, connected) for t in leaves]
    new_chosen = tree_unflatten(lifted, spec)
    args = list(args)
    if isinstance(argnums, int):
        args[picked[0]] = new_chosen
    else:
        for i, value in zip(picked, new_chosen):
            args[i] = value
    return args, lifted, spec, connected


def _lift_all(primals):
    """_lift_args over every positional input (vjp, jvp): the gradients come back as a tuple of them."""
    connected = _outer_graph(primals)
    leaves, spec = tree_flatten(tuple(primals))
    lifted = [_lift(t, connected) for t in leaves]
    return tree_unflatten(lifted, spec), lifted, spec, connected


def _split_aux(out, has_aux, api):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return out


def _release(tree, connected):
    """Results leave the transform detached unless they belong to an outer graph."""
    if connected:
        return tree
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([t.detach() if isinstance(t, Tensor) else t for t in leaves], spec)


def _grads(outputs, inputs, cotangents, connected, retain=False):
    """d(outputs . cotangents)/d(inputs), zeros for inputs the outputs do not reach."""
    from . import zeros_like
    used = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if used:
        grads = _autograd_grad([o for o, _ in used], inputs, [c for _, c in used], retain_graph=retain or None,
                               create_graph=connected, allow_unused=True)
    else:
        grads = [None] * len(inputs)
    return [zeros_like(x).detach() if g is None else g for g, x in zip(grads, inputs)]


def _tensor_outputs(out, api):
    leaves, spec = tree_flatten(out)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (a Tensor or a "
                               f"tree of Tensors), got a {type(t)} inside the output")
    return leaves, spec


# --------------------------------------------------------------------------------------------- reverse mode
def grad_and_value(func, argnums=0, has_aux=False):
    """``(gradient of func w.r.t. args[argnums], func's value)``; with ``has_aux`` ``func`` returns
    ``(value, aux)`` and the result is ``(gradient, (value, aux))``."""
    def wrapper(*args, **kwargs):
        args, lifted, spec, connected = _lift_args(args, argnums)
        grad_on = is_grad_enabled()          # the caller's mode, before enable_grad
        with enable_grad():
            out = func(*args, **kwargs)
            value, aux = _split_aux(out, has_aux, "grad_and_value(f)(*args)")
            if not isinstance(value, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                                   f"{type(value)}")
            if value.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {value.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                                   f"APIs instead?")
            from . import ones_like
            connected = connected or grad_on and _reaches_outside([value], lifted)
            grads = _grads([value], lifted, [ones_like(value)], connected)
        grads = tree_unflatten(grads, spec)
        value = _release(value, connected)
        if has_aux:
            return grads, (value, _release(aux, connected))
        return grads, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of scalar-valued ``func`` w.r.t. ``args[argnums]`` (``(gradient, aux)`` with ``has_aux``)."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        grads, value = both(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives one gradient per primal (callable again)."""
    args, lifted, spec, connected = _lift_all(primals)
    grad_on = is_grad_enabled()          # the caller's mode, before enable_grad
    with enable_grad():
        out = func(*args)
        out, aux = _split_aux(out, has_aux, "vjp(f, *primals)")
        out_leaves, out_spec = _tensor_outputs(out, "vjp(f, *primals)")
        connected = connected or grad_on and _reaches_outside(out_leaves, lifted)

    def vjp_fn(cotangents):
        ct_leaves = spec_leaves(cotangents, out_spec)
        for o, c in zip(out_leaves, ct_leaves):
            if tuple(o.shape) != tuple(c.shape):
                raise RuntimeError(f"Mismatch in shape: cotangent has a shape of {c.shape} and the output of f "
                                   f"has a shape of {o.shape}.")
        with enable_grad():
            grads = _grads(out_leaves, lifted, ct_leaves, connected or _outer_graph(ct_leaves), retain=True)
        return tree_unflatten(grads, spec)

    released = _release(out, connected)
    return (released, vjp_fn, _release(aux, connected)) if has_aux else (released, vjp_fn)


def _jacobian(api, func, argnums, has_aux):
    """Row by row through reverse mode: one backward pass per output element."""
    def wrapper(*args, **kwargs):
        from . import stack, zeros
        args, lifted, spec, connected = _lift_args(args, argnums)
        grad_on = is_grad_enabled()          # the caller's mode, before enable_grad
        with enable_grad():
            out = func(*args, **kwargs)
            out, aux = _split_aux(out, has_aux, f"{api}(f, ...)(*args)")
            out_leaves, out_spec = _tensor_outputs(out, f"{api}(f, ...)(*args)")
            connected = connected or grad_on and _reaches_outside(out_leaves, lifted)
            per_output = []
            for o in out_leaves:
                n = o.numel()
                rows = []
                for k in range(n):
                    basis = zeros(n, dtype=o.dtype)
                    basis[k] = 1
                    rows.append(_grads([o], lifted, [basis.reshape(o.shape)], connected, retain=True))
                blocks = []
                for j, x in enumerate(lifted):
                    shape = tuple(o.shape) + tuple(x.shape)
                    blocks.append(stack([r[j] for r in rows]).reshape(shape) if rows else
                                  zeros(shape, dtype=x.dtype))
                per_output.append(tree_unflatten(blocks, spec))
        jac = tree_unflatten(per_output, out_spec)
        return (jac, _release(aux, connected)) if has_aux else jac
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]``: shape ``output.shape + input.shape`` per pair."""
    _check_chunk_size(chunk_size)
    return _jacobian("jacrev", func, argnums, has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Same values as ``jacrev`` (ember has no forward-mode AD; the Jacobian is the same matrix)."""
    _check_randomness(randomness)
    return _jacobian("jacfwd", func, argnums, has_aux)


def hessian(func, argnums=0):
    """Second derivatives of scalar (or tensor) ``func``: the Jacobian of its Jacobian."""
    return jacfwd(jacrev(func, argnums), argnums)


# --------------------------------------------------------------------------------------------- forward mode
def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)`` via the double-vjp trick (two reverse passes)."""
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    if not isinstance(tangents, tuple) or len(tangents) != len(primals):
        raise RuntimeError("jvp(f, primals, tangents): Expected tangents to be a tuple of the same length as "
                           "primals")
    from . import zeros_like
    if not tree_flatten(primals)[0]:
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to contain at least one Tensor.")
    args, lifted, spec, connected = _lift_all(primals)
    tangent_leaves = spec_leaves(tangents, spec)
    for x, t in zip(lifted, tangent_leaves):
        if tuple(x.shape) != tuple(t.shape):
            raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the "
                               f"original Tensor, this is not supported. Tensor is of size {list(x.shape)} while "
                               f"the given forward gradient is of size {list(t.shape)}.")
    grad_on = is_grad_enabled()          # the caller's mode, before enable_grad
    with enable_grad():
        out = func(*args)
        out, aux = _split_aux(out, has_aux, "jvp(f, primals, tangents)")
        out_leaves, out_spec = _tensor_outputs(out, "jvp(f, primals, tangents)")
        connected = connected or grad_on and _reaches_outside(out_leaves, lifted)
        dummies = [zeros_like(o).detach().requires_grad_() for o in out_leaves]
        transposed = _grads(out_leaves, lifted, dummies, True)        # J^T u, linear in the dummies u
        outer = connected or _outer_graph(tangent_leaves)
        products = _grads(transposed, dummies, tangent_leaves, outer)
    result = (_release(out, connected), tree_unflatten(products, out_spec))
    return result + (_release(aux, connected),) if has_aux else result


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at ``primals``."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return _release(out, _outer_graph(primals)), jvp_fn


# --------------------------------------------------------------------------------------------------- vmap
_RANDOMNESS = ("error", "different", "same")


def _check_randomness(randomness):
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                           f"{randomness}")


def _check_chunk_size(chunk_size):
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")


def _broadcast_dims(dims, tree, what):
    """One dim (int or None) per leaf of ``tree``: an int or None covers a whole subtree, a container of dims
    must match the tree's structure down to where it stops."""
    if dims is None or isinstance(dims, int) and not isinstance(dims, bool):
        return [dims] * len(tree_flatten(tree)[0])
    _, spec = tree_flatten(tree)
    if isinstance(spec, LeafSpec) or not isinstance(dims, (tuple, list, dict)) or \
            type(dims) is not spec.type and not (isinstance(dims, tuple) and isinstance(tree, tuple)) or \
            len(dims) != len(spec.children_specs):
        raise ValueError(what)
    children = list(tree.values()) if isinstance(tree, dict) else list(tree)
    sub = [dims[k] for k in spec.context] if isinstance(dims, dict) else list(dims)
    return [d for child, sd in zip(children, sub) for d in _broadcast_dims(sd, child, what)]


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its inputs, results stacked along ``out_dims``."""
    _check_randomness(randomness)
    _check_chunk_size(chunk_size)
    name = getattr(func, "__name__", repr(func))

    def wrapped(*args, **kwargs):
        from . import get_rng_state, set_rng_state, stack, equal
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
                             f"are trying to vmap over a function with no inputs. The latter is unsupported.")
        if not (in_dims is None or isinstance(in_dims, (int, tuple)) and not isinstance(in_dims, bool)):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        if in_dims is None:
            raise ValueError(f"vmap({name}, in_dims=None, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(None)}.")
        dims = _broadcast_dims(in_dims if isinstance(in_dims, int) else tuple(in_dims), tuple(args),
                               f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
                               f"the structure of `inputs`.")
        leaves, spec = tree_flatten(tuple(args))
        sizes = []
        for x, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                                 f"but the input is of type {type(x)}. We cannot vmap over non-Tensor arguments, "
                                 f"please use None as the respective in_dim")
            if not -x.dim() <= d < max(x.dim(), 1) or x.dim() == 0:
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                 f"but that input is a Tensor of dimensionality {x.dim()} so expected in_dim to "
                                 f"satisfy -{x.dim()} <= in_dim < {x.dim()}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sizes} for the mapped dimension")
        state = get_rng_state() if randomness != "different" else None
        results = []
        for i in range(max(sizes[0], 1)):
            if randomness == "same":
                set_rng_state(state)      # every element draws the same numbers
            if sizes[0]:
                sliced = [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)]
            else:                         # an empty batch: one zero element gives the results' shapes
                sliced = [x if d is None else x.new_zeros(x.shape[:d % x.dim()] + x.shape[d % x.dim() + 1:])
                          for x, d in zip(leaves, dims)]
            results.append(func(*tree_unflatten(sliced, spec), **kwargs))
            if randomness == "error" and i == 0 and not equal(get_rng_state(), state):
                raise RuntimeError("vmap: called random operation while in randomness error mode. Please either "
                                   "use the 'same' or 'different' randomness flags on vmap or perform the "
                                   "randomness operation out of vmap")
        out_leaves, out_spec = tree_flatten(results[0])
        odims = _broadcast_dims(out_dims, results[0],
                                f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
                                f"with the structure of `outputs`.")
        columns = [spec_leaves(r, out_spec) for r in results]
        stacked = []
        for j, (first, d) in enumerate(zip(out_leaves, odims)):
            if d is None:
                stacked.append(first)
                continue
            if not isinstance(first, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(first)}. "
                                 f"Did you mean to set out_dims= to None for output?")
            if sizes[0]:
                stacked.append(stack([c[j] for c in columns], dim=d))
            else:
                stacked.append(stack([first], dim=d).narrow(d, 0, 0))
        return tree_unflatten(stacked, out_spec)
    return wrapped
