"""The Optimizer base class: parameter groups, per-parameter state, step hooks
and a state_dict in PyTorch's layout (parameters numbered in order).

Subclasses implement ``step`` as a loop over groups that calls a functional
update rule on NumPy arrays in place (``_functional.run_rule``; see adam.py):
the rule is the maths, the class is bookkeeping.
"""
import copy
import functools
import warnings
from collections import OrderedDict, defaultdict
from itertools import chain

from ..tensor import Tensor
from ._functional import new_scalar


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _handle(hooks):
    """The RemovableHandle (nn's, as PyTorch's hooks share one class) of a hook about to go into ``hooks``;
    imported on first use, since the optimizers do not otherwise need ember.nn."""
    from ..nn.modules.module import RemovableHandle
    return RemovableHandle(hooks)


def _with_step_hooks(step):
    """``step`` running the global and per-optimizer pre/post hooks around it (once: a subclass's step that
    calls ``super().step()`` does not run them twice)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_hooked_step"):
            return step(self, *args, **kwargs)
        self._in_hooked_step = True
        try:
            return _run_hooked(self, step, args, kwargs)
        finally:
            self._in_hooked_step = False
    wrapper._hooked = True
    return wrapper


def _run_hooked(self, step, args, kwargs):
    for hook in list(chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values())):
        res = hook(self, (self,) + args, kwargs)
        if res is not None:
            if not (isinstance(res, tuple) and len(res) == 2):
                raise RuntimeError(f"{hook} must return None or a tuple of (new_args, new_kwargs), but got {res}.")
            args, kwargs = res
            args = args[1:] if args and args[0] is self else args
    out = step(self, *args, **kwargs)
    for hook in list(chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values())):
        hook(self, (self,) + args, kwargs)
    return out


_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    h = _handle(_global_pre_hooks)
    _global_pre_hooks[h.id] = hook
    return h


def register_optimizer_step_post_hook(hook):
    h = _handle(_global_post_hooks)
    _global_post_hooks[h.id] = hook
    return h


class Optimizer:
    """Base class of all optimizers: ``Optimizer(params, defaults)``."""

    _group_defaults = ()    # (key, value) pairs a loaded group lacks when saved by an older version
    _scalar_state = ()      # per-parameter 0-d tensor states ("step"...) that a state_dict may hold as
                            # Python numbers (saved by older PyTorch): loading makes them tensors again

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but "
                            f"got {params.type()}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        for group in self.param_groups:
            for key, value in self._group_defaults:
                group.setdefault(key, value)
            for p in group["params"]:
                p_state = self.state.get(p)
                for key in self._scalar_state if p_state else ():
                    if not isinstance(p_state[key], Tensor):    # a missing key raises KeyError, as in PyTorch
                        p_state[key] = new_scalar(float(p_state[key]), bool(group.get("fused")))

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        plist = param_group["params"]
        named = [item for item in plist if isinstance(item, tuple)]
        if named:                                    # named_parameters()
            if len(named) != len(plist):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = [n for n, _ in plist]
            plist = param_group["params"] = [p for _, p in plist]
        for param in plist:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(param).__name__)
            if not self.defaults.get("differentiable", False) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(plist) != len({id(p) for p in plist}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in plist):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    g = p._grad
                    if g._grad_fn is not None:
                        p._grad = g = g.detach()
                    else:
                        g._rg = False
                    g._data.fill(0)
                    g._vbox[0] += 1

    def step(self, closure=None):
        raise NotImplementedError

    # ------------------------------------------------------------------ hooks
    def _add_hook(self, hooks, hook, prepend=False):
        h = _handle(hooks)
        hooks[h.id] = hook
        if prepend:
            hooks.move_to_end(h.id, last=False)
        return h

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before every step()."""
        return self._add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None, after every step()."""
        return self._add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ state
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]} as PyTorch's."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            res = hook(self, result)
            if res is not None:
                result = res
        return result

    def load_state_dict(self, state_dict):
        """Load a state from state_dict() (of this or an identically built optimizer)."""
        state_dict = state_dict.copy()      # pre-hooks may edit it: the caller's dict keeps its keys
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            res = hook(self, state_dict)
            if res is not None:
                state_dict = res
        state_dict = {"state": state_dict["state"], "param_groups": copy.deepcopy(state_dict["param_groups"])}
        groups, saved_groups = self.param_groups, state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups (it has "
                             f"{len(saved_groups)}, this optimizer has {len(groups)})")
        for g, sg in zip(groups, saved_groups):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that doesn't match the size of "
                                 f"optimizer's group (it has {len(sg['params'])} parameters, the group has "
                                 f"{len(g['params'])})")
        id_map = {old: p for g, sg in zip(groups, saved_groups) for old, p in zip(sg["params"], g["params"])}
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_state(param, None, v)
            else:
                state[k] = v
        new_groups = []
        for g, sg in zip(groups, saved_groups):
            sg["params"] = g["params"]
            if "param_names" in g and "param_names" not in sg:
                sg["param_names"] = g["param_names"]
            new_groups.append(sg)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _cast_state(param, key, value):
    """A copy of saved state for ``param``: tensors follow a floating-point parameter's dtype, except the
    step counter (PyTorch's rule); dicts and sequences (LBFGS's history) are copied element by element."""
    if isinstance(value, Tensor):
        if key != "step" and param._dtype.is_floating_point and value._dtype is not param._dtype:
            return value.to(param._dtype)
        return value.clone()
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, None, v) for v in value)
    return value
