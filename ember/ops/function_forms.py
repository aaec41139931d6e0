"""Top-level function forms of Tensor methods: ``torch.exp_(t)``, ``torch.clamp_(t, 0)``,
``torch.detach(t)``, ``torch.fill(t, v)``.

PyTorch exposes these in-place ops (and a few others) as functions of their
tensor. Each one is the method itself, called on its first argument: one
table, so the function and the method cannot drift apart.
"""
from ..tensor import Tensor
from ._common import to_tensor_arg

_METHODS = """abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_
    atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ expm1_
    fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_
    reciprocal_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_
    detach detach_ as_strided_ addmv_ resize_as_""".split()


def _function_form(name):
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        return method(to_tensor_arg(input, "input", name), *args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as input.{name}(...)."
    return fn


def fill(input, value):
    """A new tensor of input's shape and dtype filled with value (differentiable in a tensor value)."""
    return to_tensor_arg(input, "input", "fill").clone().fill_(value)


_FUNCTIONS = {name: _function_form(name) for name in _METHODS}
globals().update(_FUNCTIONS)

__all__ = list(_FUNCTIONS) + ["fill"]
