"""``torch._foreach_*``: one op over a list of tensors, as the optimizers PyTorch ships (and custom ones
copied from them) call them.

PyTorch fuses these into few kernels; here each is a loop over ember's own op, so values, dtypes,
gradients and errors are the per-tensor op's. The out-of-place forms return a tuple, the in-place
ones (``_foreach_add_``) the list they were given. The second operand may be a number, a list of
numbers, a list of tensors or one tensor, as in PyTorch.

They load on first use (``ember._foreach_add`` imports this module).
"""
import numbers

import ember

from ..tensor import Tensor

_UNARY = ("abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1", "floor", "frac",
          "lgamma", "log", "log10", "log1p", "log2", "neg", "reciprocal", "round", "rsqrt", "sigmoid", "sign", "sin",
          "sinh", "sqrt", "tan", "tanh", "trunc")
_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum", "pow", "clamp_min", "clamp_max")


def _check_list(tensors, name="self"):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"_foreach: argument '{name}' must be a list or tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return tensors


def _per_tensor(tensors, other, name):
    """``other`` spread over the tensors: one value each (a list) or the same for all (a number, a tensor)."""
    if isinstance(other, (list, tuple)):
        if other and all(isinstance(o, Tensor) for o in other):
            _same_length(tensors, other)
        elif len(other) != len(tensors):
            raise RuntimeError("Tensor list must have same number of elements as scalar list.")
        return list(other)
    if not isinstance(other, (numbers.Number, Tensor)):
        raise TypeError(f"_foreach_{name}: expected a number, a Tensor or a list of them, got {type(other).__name__}")
    return [other] * len(tensors)


# maximum/minimum with a number are clamp_min/clamp_max (Tensor has no maximum_: in place is a copy_)
_WITH_NUMBER = {"maximum": "clamp_min", "minimum": "clamp_max"}


def _binary(name):
    def op(t, o, **kw):
        if name in _WITH_NUMBER and isinstance(o, numbers.Number):
            return getattr(ember, _WITH_NUMBER[name])(t, o)
        return getattr(ember, name)(t, o, **kw)

    def op_(t, o, **kw):
        if name in _WITH_NUMBER:
            if isinstance(o, numbers.Number):
                return getattr(t, _WITH_NUMBER[name] + "_")(o)
            return t.copy_(op(t, o))
        return getattr(t, name + "_")(o, **kw)

    def check(other, kw):
        alpha_ok = name == "add" and isinstance(other, (list, tuple, Tensor)) or \
            name == "sub" and isinstance(other, (list, tuple))
        if kw and (set(kw) != {"alpha"} or not alpha_ok):
            raise TypeError(f"_foreach_{name}() got an unexpected keyword argument '{next(iter(kw))}'")

    def out_of_place(self, other, **kw):
        check(other, kw)
        if name == "pow" and isinstance(self, numbers.Number):          # a number to each tensor's power
            return tuple(ember.pow(self, t) for t in _check_list(other, "exponent"))
        _check_list(self)
        return tuple(op(t, o, **kw) for t, o in zip(self, _per_tensor(self, other, name)))

    def in_place(self, other, **kw):
        check(other, kw)
        _check_list(self)
        for t, o in zip(self, _per_tensor(self, other, name)):
            op_(t, o, **kw)
        return self
    return out_of_place, in_place


def _unary(name):
    fn = getattr(ember, name)
    method = name + "_"

    def out_of_place(self):
        return tuple(fn(t) for t in _check_list(self))

    def in_place(self):
        for t in _check_list(self):
            getattr(t, method)()
        return self
    return out_of_place, in_place


def _pointwise3(name):
    """addcmul/addcdiv: self + value * t1 (op) t2, value a number, a list of numbers or a 1-d tensor of them."""
    fn = getattr(ember, name)
    method = name + "_"

    def values(self, value):
        if isinstance(value, Tensor):
            if value.dim() != 1 or value.numel() != len(self):
                raise RuntimeError(f"_foreach_{name}: a tensor of values must be 1-d with one value per tensor")
            value = value.tolist()
        return _per_tensor(self, value, name)

    def out_of_place(self, tensor1, tensor2, value=1):
        _check_list(self)
        _same_length(self, tensor1, tensor2)
        return tuple(fn(t, a, b, value=v) for t, a, b, v in zip(self, tensor1, tensor2, values(self, value)))

    def in_place(self, tensor1, tensor2, value=1):
        _check_list(self)
        _same_length(self, tensor1, tensor2)
        for t, a, b, v in zip(self, tensor1, tensor2, values(self, value)):
            getattr(t, method)(a, b, value=v)
        return self
    return out_of_place, in_place


def _same_length(*lists):
    n = len(lists[0])
    for other in lists[1:]:
        if len(other) != n:
            raise RuntimeError(f"Tensor lists must have the same number of tensors, got {n} and {len(other)}")


def _foreach_lerp(self, tensors1, weight):
    _check_list(self)
    _same_length(self, tensors1)
    return tuple(ember.lerp(t, e, w) for t, e, w in zip(self, tensors1, _per_tensor(self, weight, "lerp")))


def _foreach_lerp_(self, tensors1, weight):
    _check_list(self)
    _same_length(self, tensors1)
    for t, e, w in zip(self, tensors1, _per_tensor(self, weight, "lerp")):
        t.lerp_(e, w)
    return self


def _foreach_norm(self, ord=2, dtype=None):
    return tuple(ember.linalg.vector_norm(t, ord, dtype=dtype) for t in _check_list(self))


def _foreach_max(self):
    return tuple(t.max() for t in _check_list(self))


def _foreach_zero_(self):
    for t in _check_list(self):
        t.zero_()
    return self


def _foreach_copy_(self, src, non_blocking=False):
    _check_list(self)
    _same_length(self, src)
    for t, s in zip(self, src):
        t.copy_(s)
    return self


def _foreach_clone(self):
    return tuple(t.clone() for t in _check_list(self))


def _install():
    table = {}
    for name in _UNARY:
        table[name] = _unary(name)
    for name in _BINARY:
        table[name] = _binary(name)
    for name in ("addcmul", "addcdiv"):
        table[name] = _pointwise3(name)
    for name, (out_of_place, in_place) in table.items():
        out_of_place.__name__, in_place.__name__ = f"_foreach_{name}", f"_foreach_{name}_"
        globals()[out_of_place.__name__] = out_of_place
        globals()[in_place.__name__] = in_place


_install()
