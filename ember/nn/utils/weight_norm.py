"""nn.utils.weight_norm: the hook-based weight normalization (torch.nn.utils.weight_norm, deprecated there in favour
of ``parametrizations.weight_norm``), and the ``w = g * v / ||v||`` formula both versions share.

The hook version replaces ``weight`` by two parameters, ``weight_g`` (the norms) and ``weight_v`` (the direction),
and recomputes ``module.weight`` (a plain tensor attribute) in a forward pre-hook before every call.
"""
import warnings

from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def norm_except_dim(v, pow=2, dim=0):
    """torch.norm_except_dim: the ``pow``-norm of ``v`` over every dimension but ``dim``, shaped to broadcast
    against ``v`` (size 1 elsewhere); ``dim=-1`` means the norm of the whole tensor (a 0-dim result)."""
    if dim == -1:
        return v.norm(pow)
    dim %= v.ndim
    others = [d for d in range(v.ndim) if d != dim]
    if not others:      # a vector: each element is its own slice (a trailing size-1 dim to take the norm over)
        return v.unsqueeze(-1).norm(pow, dim=-1)
    return v.norm(pow, dim=others, keepdim=True)


def _weight_norm(v, g, dim=0):
    """torch._weight_norm: ``v`` rescaled so each slice along ``dim`` has norm ``g``; composed of differentiable
    ops, so gradients reach both ``g`` and ``v``."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replace ``module.<name>`` by ``<name>_g * <name>_v / ||<name>_v||`` (norms over all dims but ``dim``;
    ``dim=None`` normalizes the whole tensor), recomputed before each forward."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Fold the weight norm back into a plain parameter ``module.<name>``."""
    if not remove_reparametrization_hook(module, WeightNorm, name):
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    return module


def remove_reparametrization_hook(module, cls, name, tensor_attr="name"):
    """Drop the forward pre-hook of type ``cls`` whose ``tensor_attr`` is ``name`` (weight_norm, spectral_norm
    and pruning hooks), after its ``remove`` folds the weight back into a plain parameter; whether there was one."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, cls) and getattr(hook, tensor_attr) == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return True
    return False
