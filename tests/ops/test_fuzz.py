"""A seeded differential fuzzer: random ops of issue 9's families on random shapes
(0-d, size-1, empty, broadcastable, incompatible) and dtypes, run in ember and in
torch on the same data.

A case passes only if both libraries raise the same exception class, or both
return the same type, shape, dtype and values and, for float inputs, the same
gradients (for one random output gradient). A case that runs past its time
limit fails. Set ``EMBER_FUZZ_SEED`` to explore other cases; the seed and case
number of a failure reproduce it: ``EMBER_FUZZ_SEED=s pytest tests/ops/test_fuzz.py -k "case_017"``.
"""
import operator
import os
import re
import signal

import numpy as np
import pytest
import torch

import ember
from oracle import as_numpy, dtype_name, random_array, to_ember, to_torch

SEED = int(os.environ.get("EMBER_FUZZ_SEED", "20261201"))
N_CASES = 400
TIME_LIMIT_S = 5

FLOATS = ["float32", "float64"]
DTYPES = ["float32"] * 4 + ["float64"] * 3 + ["int64"] * 2 + ["int32", "uint8", "bool", "complex64"]
TOL = {"float16": (1e-2, 1e-2), "float32": (2e-4, 2e-5), "float64": (1e-9, 1e-11),
       "complex64": (2e-4, 2e-5), "complex128": (1e-9, 1e-11)}

SHAPES = [(), (1,), (0,), (4,), (2, 3), (3, 1), (1, 3), (2, 0), (2, 1, 3), (2, 3, 4), (1, 1), (3, 0, 2)]


# ------------------------------------------------------------------ shape helpers
def _shape(r):
    return SHAPES[r.integers(len(SHAPES))]


def _broadcastable_to(r, shape):
    """A shape that broadcasts against ``shape`` (some dims 1, some leading dims dropped)."""
    s = [1 if r.random() < 0.4 else n for n in shape]
    drop = r.integers(len(s) + 1)
    return tuple(s[drop:])


def _pair_shapes(r):
    a = _shape(r)
    u = r.random()
    if u < 0.3:
        return a, a
    if u < 0.65:
        b = _broadcastable_to(r, a)
        return (a, b) if r.random() < 0.5 else (b, a)
    return a, _shape(r)            # often incompatible


def _dtype(r, allowed=None):
    pool = DTYPES if allowed is None else [d for d in DTYPES if d in allowed] or list(allowed)
    return pool[r.integers(len(pool))]


def _dim(r, ndim, allow_none=True, allow_tuple=True):
    """A dim argument: None, an int (sometimes out of range), or a tuple."""
    u = r.random()
    if allow_none and u < 0.2:
        return None
    if allow_tuple and u < 0.35 and ndim >= 2:
        return tuple(int(d) for d in r.choice(ndim, size=2, replace=False))
    return int(r.integers(-ndim - 1, ndim + 1)) if ndim else int(r.integers(-1, 2))


# ------------------------------------------------------------------ op families
# Each maker takes the case's generator and returns (name, arrays, fn) with fn(lib, *tensors).
UNARY = """neg abs sign sgn reciprocal sqrt rsqrt square exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos
    atan sinh cosh tanh asinh acosh atanh sigmoid logit erf erfc erfinv lgamma digamma floor ceil round trunc frac
    nan_to_num isnan isinf isfinite isneginf isposinf logical_not bitwise_not angle real conj clone""".split()
BINARY = """add sub mul div true_divide floor_divide remainder fmod pow float_power atan2 maximum minimum fmax fmin
    hypot xlogy copysign eq ne lt le gt ge logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor
    isclose equal""".split()
OPERATORS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
             "//": lambda a, b: a // b, "%": lambda a, b: a % b, "**": lambda a, b: a ** b,
             "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
             "<<": lambda a, b: a << b, ">>": lambda a, b: a >> b, "@": lambda a, b: a @ b}
IN_PLACE_OPERATORS = {"+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
                      "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow, "&": operator.iand,
                      "|": operator.ior, "^": operator.ixor, "<<": operator.ilshift, ">>": operator.irshift}
SCALARS = [2, -1, 0, 1.5, -0.5, True, 0.0]
REDUCTIONS = """sum mean prod amax amin max min argmax argmin var std logsumexp nansum nanmean all any
    count_nonzero norm median""".split()
SCANS = "cumsum cumprod cummax cummin".split()
SORTING = "sort argsort topk kthvalue mode msort".split()


def _make_unary(r):
    name = UNARY[r.integers(len(UNARY))]
    dt = _dtype(r)
    arrays = [random_array(_shape(r), dt, rng=r)]
    if name == "round" and r.random() < 0.5:
        dec = int(r.integers(-1, 3))
        return f"round(decimals={dec})", arrays, lambda lib, x: lib.round(x, decimals=dec)
    if name == "logit" and r.random() < 0.5:
        return "logit(eps)", arrays, lambda lib, x: lib.logit(x, eps=0.1)
    form = r.integers(3)
    if form == 1 and name not in ("logical_not", "bitwise_not"):
        return f"Tensor.{name}", arrays, lambda lib, x: getattr(x, name)()
    if form == 2 and hasattr(torch.Tensor, name + "_"):
        return f"Tensor.{name}_", arrays, lambda lib, x: getattr(x.clone(), name + "_")()
    return name, arrays, lambda lib, x: getattr(lib, name)(x)


def _two_arrays(r):
    sa, sb = _pair_shapes(r)
    da = _dtype(r)
    db = da if r.random() < 0.6 else _dtype(r)
    return [random_array(sa, da, rng=r), random_array(sb, db, rng=r)]


def _make_binary(r):
    name = BINARY[r.integers(len(BINARY))]
    arrays = _two_arrays(r)
    u = r.random()
    if u < 0.2:
        s = SCALARS[r.integers(len(SCALARS))]
        return f"{name}(x, {s!r})", arrays[:1], lambda lib, x: getattr(lib, name)(x, s)
    if u < 0.3 and name in ("add", "sub"):
        alpha = [2, 0.5, -1][r.integers(3)]
        return f"{name}(alpha={alpha})", arrays, lambda lib, x, y: getattr(lib, name)(x, y, alpha=alpha)
    if u < 0.4 and name == "div":
        mode = ["trunc", "floor"][r.integers(2)]
        return f"div({mode})", arrays, lambda lib, x, y: lib.div(x, y, rounding_mode=mode)
    if u < 0.55 and hasattr(torch.Tensor, name + "_"):
        return f"Tensor.{name}_", arrays, lambda lib, x, y: getattr(x.clone(), name + "_")(y)
    return name, arrays, lambda lib, x, y: getattr(lib, name)(x, y)


def _make_operator(r):
    sym = list(OPERATORS)[r.integers(len(OPERATORS))]
    op = OPERATORS[sym]
    if sym == "@":
        return _make_matmul(r)
    arrays = _two_arrays(r)
    u = r.random()
    if u < 0.25:
        s = SCALARS[r.integers(len(SCALARS))]
        return f"x {sym} {s!r}", arrays[:1], lambda lib, x: op(x, s)
    if u < 0.4:
        s = SCALARS[r.integers(len(SCALARS))]
        return f"{s!r} {sym} x", arrays[:1], lambda lib, x: op(s, x)
    if u < 0.55:
        iop = IN_PLACE_OPERATORS[sym]
        return f"x {sym}= y", arrays, lambda lib, x, y: iop(x.clone(), y)
    return f"x {sym} y", arrays, lambda lib, x, y: op(x, y)


def _make_ternary(r):
    kind = ["where", "where1", "lerp", "addcmul", "addcdiv", "clamp", "clamp_scalar"][r.integers(7)]
    sa, sb = _pair_shapes(r)
    sc = _broadcastable_to(r, sa) if r.random() < 0.7 else _shape(r)
    dt = _dtype(r, FLOATS if kind in ("lerp", "addcdiv") else None)
    arr = [random_array(sa, dt, rng=r), random_array(sb, dt, rng=r), random_array(sc, dt, rng=r)]
    if kind == "where":
        cond = random_array(sc, "bool", rng=r)
        return "where", [cond, arr[0], arr[1]], lambda lib, c, x, y: lib.where(c, x, y)
    if kind == "where1":
        return "where(cond)", [arr[0]], lambda lib, x: lib.where(x > 0)
    if kind == "lerp":
        w = 0.3 if r.random() < 0.5 else None
        if w is not None:
            return "lerp(w=0.3)", arr[:2], lambda lib, x, y: lib.lerp(x, y, w)
        return "lerp", arr, lambda lib, x, y, z: lib.lerp(x, y, z)
    if kind in ("addcmul", "addcdiv"):
        return kind, arr, lambda lib, x, y, z: getattr(lib, kind)(x, y, z, value=0.5)
    if kind == "clamp":
        return "clamp(tensors)", arr, lambda lib, x, lo, hi: lib.clamp(x, lo, hi)
    lo, hi = [(-1, 1), (0.5, None), (None, 0), (1, -1)][r.integers(4)]
    return f"clamp({lo}, {hi})", arr[:1], lambda lib, x: lib.clamp(x, lo, hi)


def _make_reduction(r):
    name = REDUCTIONS[r.integers(len(REDUCTIONS))]
    shape = _shape(r)
    dt = _dtype(r)
    arrays = [random_array(shape, dt, rng=r)]
    keep = bool(r.random() < 0.3)
    single = name in ("max", "min", "argmax", "argmin", "median")
    dim = _dim(r, len(shape), allow_tuple=not single)
    if name in ("var", "std") and r.random() < 0.5:
        corr = int(r.integers(0, 3))
        return f"{name}(dim={dim}, correction={corr})", arrays, \
            lambda lib, x: getattr(lib, name)(x, dim=dim, correction=corr, keepdim=keep)
    if dim is None:
        if name == "logsumexp":
            dim = ()
        else:
            return f"{name}()", arrays, lambda lib, x: getattr(lib, name)(x)
    if name == "count_nonzero":
        return f"count_nonzero(dim={dim})", arrays, lambda lib, x: lib.count_nonzero(x, dim=dim)
    if name == "norm" and r.random() < 0.7:
        return f"norm(dim={dim})", arrays, lambda lib, x: lib.norm(x, dim=dim, keepdim=keep)
    if name in ("sum", "mean", "prod") and r.random() < 0.3:
        return f"{name}(dim={dim}, dtype=float64)", arrays, \
            lambda lib, x: getattr(lib, name)(x, dim, keepdim=keep, dtype=lib.float64)
    return f"{name}(dim={dim}, keepdim={keep})", arrays, lambda lib, x: getattr(lib, name)(x, dim, keepdim=keep)


def _make_scan_or_sort(r):
    name = (SCANS + SORTING)[r.integers(len(SCANS) + len(SORTING))]
    shape = _shape(r)
    dt = _dtype(r, FLOATS + ["int64", "int32", "bool"])
    # small integer data makes ties, whose winners must be the ones PyTorch picks
    arrays = [random_array(shape, dt, rng=r, low=-2, high=2) if r.random() < 0.5
              else np.round(random_array(shape, dt, rng=r)).astype(dt)]
    dim = _dim(r, len(shape), allow_none=False, allow_tuple=False)
    if name == "topk":
        k = int(r.integers(0, 4))
        largest = bool(r.random() < 0.5)
        return f"topk(k={k}, dim={dim}, largest={largest})", arrays, \
            lambda lib, x: tuple(lib.topk(x, k, dim=dim, largest=largest))
    if name == "kthvalue":
        k = int(r.integers(0, 4))
        return f"kthvalue(k={k}, dim={dim})", arrays, lambda lib, x: tuple(lib.kthvalue(x, k, dim))
    if name == "msort":
        return "msort", arrays, lambda lib, x: lib.msort(x)
    if name in ("sort", "argsort"):
        desc, stable = bool(r.random() < 0.5), bool(r.random() < 0.5)
        if name == "sort":
            return f"sort(dim={dim}, desc={desc}, stable={stable})", arrays, \
                lambda lib, x: tuple(lib.sort(x, dim=dim, descending=desc, stable=stable))
        return f"argsort(dim={dim}, stable=True)", arrays, \
            lambda lib, x: lib.argsort(x, dim=dim, descending=desc, stable=True)
    if name in ("cummax", "cummin", "mode"):
        return f"{name}(dim={dim})", arrays, lambda lib, x: tuple(getattr(lib, name)(x, dim))
    return f"{name}(dim={dim})", arrays, lambda lib, x: getattr(lib, name)(x, dim)


def _matmul_shapes(r):
    n, k, m, b = (int(v) for v in r.integers(0, 4, size=4))
    ka = k if r.random() < 0.8 else int(r.integers(1, 5))
    ra, rb = int(r.integers(1, 4)), int(r.integers(1, 4))
    batch_a = tuple(int(v) for v in ([b, 1][r.integers(2)], b)[:max(ra - 2, 0)])
    batch_b = tuple(int(v) for v in (b, [b, 1][r.integers(2)])[:max(rb - 2, 0)])
    sa = (ka,) if ra == 1 else batch_a + (n, ka)
    sb = (k,) if rb == 1 else batch_b + (k, m)
    return sa, sb


def _make_matmul(r):
    sa, sb = _matmul_shapes(r)
    dt = _dtype(r, FLOATS + ["int64", "complex64"])
    arrays = [random_array(sa, dt, rng=r), random_array(sb, dt if r.random() < 0.9 else "float64", rng=r)]
    name = ["matmul", "@", "mm", "bmm", "mv", "dot", "outer", "vdot", "inner"][r.integers(9)]
    if name == "@":
        return "x @ y", arrays, lambda lib, x, y: x @ y
    return name, arrays, lambda lib, x, y: getattr(lib, name)(x, y)


def _make_linalg_misc(r):
    name = ["trace", "diag", "tril", "triu", "diagonal", "cross", "kron", "tensordot", "addmm", "einsum",
            "t", "diag_embed"][r.integers(12)]
    dt = _dtype(r, FLOATS + ["int64"])
    shape = _shape(r)
    a = random_array(shape, dt, rng=r)
    if name in ("tril", "triu", "diag"):
        k = int(r.integers(-2, 3))
        return f"{name}({k})", [a], lambda lib, x: getattr(lib, name)(x, k)
    if name == "diagonal":
        off = int(r.integers(-1, 2))
        d1, d2 = _dim(r, len(shape), False, False), _dim(r, len(shape), False, False)
        return f"diagonal({off}, {d1}, {d2})", [a], lambda lib, x: lib.diagonal(x, off, d1, d2)
    if name == "cross":
        sa = (int(r.integers(1, 3)), 3) if r.random() < 0.8 else _shape(r)
        sb = _broadcastable_to(r, sa) if r.random() < 0.8 else _shape(r)
        arrays = [random_array(sa, dt, rng=r), random_array(sb, dt, rng=r)]
        return "cross(dim=-1)", arrays, lambda lib, x, y: lib.cross(x, y, dim=-1)
    if name == "kron":
        return "kron", [a, random_array(_shape(r), dt, rng=r)], lambda lib, x, y: lib.kron(x, y)
    if name in ("tensordot", "einsum", "addmm"):
        sa, sb = _matmul_shapes(r)
        arrays = [random_array(sa, dt, rng=r), random_array(sb, dt, rng=r)]
        if name == "tensordot":
            return "tensordot(dims=1)", arrays, lambda lib, x, y: lib.tensordot(x, y, dims=1)
        if name == "addmm":
            bias = random_array(_broadcastable_to(r, (sa[0], sb[-1])), dt, rng=r)
            return "addmm", [bias] + arrays, lambda lib, c, x, y: lib.addmm(c, x, y, beta=0.5, alpha=2)
        return "einsum(...ij,...jk)", arrays, lambda lib, x, y: lib.einsum("...ij,...jk->...ik", x, y)
    return name, [a], lambda lib, x: getattr(lib, name)(x)


def _make_shape(r):
    name = ["reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "movedim", "expand",
            "broadcast_to", "repeat", "tile", "flip", "roll", "rot90", "narrow", "unflatten", "split", "chunk",
            "unbind", "repeat_interleave", "tensor_split", "getitem"][r.integers(23)]
    shape = _shape(r)
    nd = len(shape)
    dt = _dtype(r)
    arrays = [random_array(shape, dt, rng=r)]
    d = _dim(r, nd, allow_none=False, allow_tuple=False)
    size = int(np.prod(shape))
    if name in ("reshape", "view"):
        target = [(size,), (-1,), (1, -1), (size, 1), (-1, 2), (3, -1), (), (-1, -1)][r.integers(8)]
        if nd > 1 and r.random() < 0.3:  # a non-contiguous input: view must refuse where torch refuses
            return f"transpose.{name}{target}", arrays, lambda lib, x: getattr(x.transpose(0, -1), name)(target)
        return f"{name}{target}", arrays, lambda lib, x: getattr(x, name)(target)
    if name == "flatten":
        return "flatten(1)", arrays, lambda lib, x: lib.flatten(x, 1 if nd > 1 else 0)
    if name in ("squeeze", "unsqueeze", "flip", "roll"):
        if name == "roll":
            return f"roll(2, {d})", arrays, lambda lib, x: lib.roll(x, 2, d)
        if name == "flip":
            return f"flip({d})", arrays, lambda lib, x: lib.flip(x, (d,))
        return f"{name}({d})", arrays, lambda lib, x: getattr(lib, name)(x, d)
    if name in ("transpose", "movedim"):
        e = _dim(r, nd, allow_none=False, allow_tuple=False)
        return f"{name}({d}, {e})", arrays, lambda lib, x: getattr(lib, name)(x, d, e)
    if name == "permute":
        perm = tuple(int(p) for p in r.permutation(nd)) if r.random() < 0.8 else tuple(range(nd + 1))
        return f"permute{perm}", arrays, lambda lib, x: x.permute(perm)
    if name in ("expand", "broadcast_to"):
        target = tuple(int(v) for v in r.integers(0, 4, size=int(r.integers(nd, nd + 2))))
        target = tuple(s if r.random() < 0.6 and i >= len(target) - nd and shape[i - len(target) + nd] != 1
                       else t for i, (t, s) in enumerate(zip(target, (0,) * (len(target) - nd) + shape)))
        if name == "expand":
            return f"expand{target}", arrays, lambda lib, x: x.expand(*target)
        return f"broadcast_to{target}", arrays, lambda lib, x: lib.broadcast_to(x, target)
    if name in ("repeat", "tile"):
        reps = tuple(int(v) for v in r.integers(0, 3, size=int(r.integers(max(nd, 1) - (name == "tile"), nd + 2))))
        return f"{name}{reps}", arrays, lambda lib, x: getattr(x, name)(reps)
    if name == "rot90":
        k = int(r.integers(-1, 3))
        return f"rot90({k})", arrays, lambda lib, x: lib.rot90(x, k, [0, 1])
    if name == "narrow":
        start, length = int(r.integers(-1, 3)), int(r.integers(0, 3))
        return f"narrow({d}, {start}, {length})", arrays, lambda lib, x: lib.narrow(x, d, start, length)
    if name == "unflatten":
        sizes = [(1, -1), (-1, 1), (2, -1), (-1,)][r.integers(4)]
        return f"unflatten({d}, {sizes})", arrays, lambda lib, x: lib.unflatten(x, d, sizes)
    if name in ("split", "chunk", "tensor_split"):
        n = int(r.integers(1, 4)) if r.random() < 0.9 else 0
        if name == "split" and r.random() < 0.4:
            sizes = [1, 2] if r.random() < 0.5 else [1, 1, 1]
            return f"split({sizes}, {d})", arrays, lambda lib, x: lib.split(x, sizes, d)
        return f"{name}({n}, {d})", arrays, lambda lib, x: getattr(lib, name)(x, n, d)
    if name == "unbind":
        return f"unbind({d})", arrays, lambda lib, x: lib.unbind(x, d)
    if name == "repeat_interleave":
        reps = int(r.integers(0, 3))
        return f"repeat_interleave({reps}, {d})", arrays, lambda lib, x: lib.repeat_interleave(x, reps, d)
    key = _getitem_key(r, shape)
    return f"getitem[{key!r}]", arrays, lambda lib, x: x[_lib_key(lib, key)]


def _getitem_key(r, shape):
    """A random key: ints (sometimes out of range), slices, None, Ellipsis, int lists, bool masks."""
    parts = []
    for n in shape[:int(r.integers(0, len(shape) + 2))]:
        u = r.random()
        if u < 0.3:
            parts.append(int(r.integers(-n - 1, n + 1)) if n else 0)
        elif u < 0.55:
            parts.append(slice(int(r.integers(-3, 3)), None, int(r.integers(1, 3))))
        elif u < 0.65:
            parts.append(None)
        elif u < 0.8:
            parts.append(("idx", [int(v) for v in r.integers(-n - 1, n + 1, size=2)] if n else []))
        elif u < 0.9 and len(parts) == 0:
            return ("mask", random_array(shape, "bool", rng=r))
        else:
            parts.append(Ellipsis)
    return tuple(parts)


def _lib_key(lib, key):
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "mask":
        return lib.tensor(key[1])
    return tuple(lib.tensor(p[1], dtype=lib.int64) if isinstance(p, tuple) else p for p in key)


def _make_joining(r):
    name = ["cat", "stack", "hstack", "vstack", "dstack"][r.integers(5)]
    sa, sb = _pair_shapes(r)
    if r.random() < 0.5:
        sb = sa[:1] + tuple(sb[1:]) if len(sa) == len(sb) else sa
    dt = _dtype(r)
    db = dt if r.random() < 0.8 else _dtype(r)
    arrays = [random_array(sa, dt, rng=r), random_array(sb, db, rng=r)]
    if name in ("cat", "stack"):
        d = _dim(r, len(sa) + (name == "stack"), allow_none=False, allow_tuple=False)
        return f"{name}(dim={d})", arrays, lambda lib, x, y: getattr(lib, name)([x, y], d)
    return name, arrays, lambda lib, x, y: getattr(lib, name)([x, y])


def _make_indexing(r):
    name = ["index_select", "gather", "take", "masked_fill", "masked_select", "scatter_add", "index_add",
            "take_along_dim", "nonzero", "argwhere", "searchsorted", "index_fill"][r.integers(12)]
    shape = _shape(r)
    nd = len(shape)
    dt = _dtype(r)
    x = random_array(shape, dt, rng=r)
    d = _dim(r, nd, allow_none=False, allow_tuple=False)
    n = shape[d] if -nd <= d < nd else 1
    bad = r.random() < 0.15      # sometimes an index out of range
    hi = n + 2 if bad else n

    def idx(size):
        return r.integers(-n if name in ("take",) else 0, max(hi, 1), size=size).astype(np.int64)
    if name in ("index_select", "index_fill", "index_add"):
        i = idx((int(r.integers(0, 4)),))
        if name == "index_select":
            return f"index_select({d})", [x, i], lambda lib, x, i: lib.index_select(x, d, i)
        if name == "index_fill":
            return f"index_fill({d})", [x, i], lambda lib, x, i: x.clone().index_fill_(d, i, -1)
        src_shape = list(shape)
        if -nd <= d < nd:
            src_shape[d] = len(i)
        src = random_array(tuple(src_shape), dt, rng=r)
        return f"index_add({d})", [x, i, src], lambda lib, x, i, s: lib.index_add(x, d, i, s, alpha=2)
    if name in ("gather", "take_along_dim", "scatter_add"):
        ishape = tuple(max(0, s - int(r.integers(0, 2))) for s in shape)
        i = idx(ishape)
        if name == "gather":
            return f"gather({d})", [x, i], lambda lib, x, i: lib.gather(x, d, i)
        if name == "take_along_dim":
            return f"take_along_dim({d})", [x, i], lambda lib, x, i: lib.take_along_dim(x, i, d)
        src = random_array(ishape, dt, rng=r)
        return f"scatter_add({d})", [x, i, src], lambda lib, x, i, s: lib.scatter_add(x, d, i, s)
    if name == "take":
        n = x.size
        i = r.integers(-n - bad, max(n + bad, 1), size=int(r.integers(0, 4))).astype(np.int64) if n \
            else np.zeros(0, np.int64)
        return "take", [x, i], lambda lib, x, i: lib.take(x, i)
    if name in ("masked_fill", "masked_select"):
        m = random_array(_broadcastable_to(r, shape) if r.random() < 0.85 else _shape(r), "bool", rng=r)
        if name == "masked_fill":
            return "masked_fill", [x, m], lambda lib, x, m: lib.masked_fill(x, m, 0.5 if x.is_floating_point() else 3)
        return "masked_select", [x, m], lambda lib, x, m: lib.masked_select(x, m)
    if name == "searchsorted":
        seq = np.sort(random_array((shape[-1],) if nd else (3,), dt if dt not in ("bool", "complex64") else "int64",
                                   rng=r))
        return "searchsorted", [seq, x], lambda lib, s, v: lib.searchsorted(s, v)
    return name, [x], lambda lib, x: getattr(lib, name)(x)


SAMPLERS = {  # in-place sampler -> argument sets (some invalid)
    "uniform_": [(), (-1.0, 2.0), (2.0, -1.0)], "normal_": [(), (1.0, 0.5), (0.0, -1.0)],
    "bernoulli_": [(), (0.3,), (1.5,)], "exponential_": [(), (2.0,), (-1.0,)], "geometric_": [(0.3,), (0.0,), (1.5,)],
    "cauchy_": [(), (1.0, 2.0)], "log_normal_": [(), (0.0, 0.5), (1.0, -2.0)], "random_": [(), (5,), (2, 8), (8, 2)],
}


def _make_random(r):
    """Samplers: streams differ by design (ember draws from NumPy's PCG64), so a case compares the
    outcome (exception class, or shape, dtype and requires_grad), not the values."""
    kind = ["multinomial", "poisson", "bernoulli", "normal", "randint", "like", "randperm", "inplace"][r.integers(8)]
    dt = _dtype(r, FLOATS + ["float64", "int64", "int32", "bool", "uint8"])
    shape = _shape(r)
    gen = r.random() < 0.3
    g = (lambda lib: {"generator": lib.Generator().manual_seed(3)}) if gen else (lambda lib: {})
    if kind == "multinomial":
        probs = random_array((int(r.integers(0, 3)), int(r.integers(0, 5)))[int(r.integers(0, 2)):], dt, rng=r,
                             low=-0.2 if r.random() < 0.2 else 0.0, high=1.0)
        n, repl = int(r.integers(0, 6)), bool(r.random() < 0.5)
        return f"random.multinomial(n={n}, replacement={repl})", [probs], \
            lambda lib, p: lib.multinomial(p, n, repl, **g(lib))
    if kind in ("poisson", "bernoulli"):
        rates = random_array(shape, dt, rng=r, low=-0.5 if r.random() < 0.2 else 0.0,
                             high=3.0 if kind == "poisson" else 1.0)
        return f"random.{kind}", [rates], lambda lib, x: getattr(lib, kind)(x, **g(lib))
    if kind == "normal":
        sa, sb = _pair_shapes(r)
        mean, std = random_array(sa, dt, rng=r), random_array(sb, dt, rng=r, low=-0.5 if r.random() < 0.2 else 0.1)
        return "random.normal", [mean, std], lambda lib, m, s_: lib.normal(m, s_, **g(lib))
    if kind == "randint":
        low, high = int(r.integers(-3, 3)), int(r.integers(-3, 6))
        out_dt = ["int64", "int32", "float32", "uint8"][r.integers(4)]
        return f"random.randint({low}, {high}, {shape}, {out_dt})", [], \
            lambda lib: lib.randint(low, high, shape, dtype=getattr(lib, out_dt), **g(lib))
    if kind == "like":
        name = ["rand_like", "randn_like", "randint_like"][r.integers(3)]
        args = (5,) if name == "randint_like" else ()
        return f"random.{name}", [random_array(shape, dt, rng=r)], lambda lib, x: getattr(lib, name)(x, *args)
    if kind == "randperm":
        n = int(r.integers(-1, 6))
        return f"random.randperm({n})", [], lambda lib: lib.randperm(n, **g(lib))
    name = list(SAMPLERS)[r.integers(len(SAMPLERS))]
    args = SAMPLERS[name][r.integers(len(SAMPLERS[name]))]
    return f"random.Tensor.{name}{args}", [random_array(shape, dt, rng=r)], \
        lambda lib, x: getattr(x.detach().clone(), name)(*args, **g(lib))


FAMILIES = [(_make_unary, 5), (_make_binary, 5), (_make_operator, 3), (_make_ternary, 2), (_make_reduction, 4),
            (_make_scan_or_sort, 2), (_make_matmul, 2), (_make_linalg_misc, 2), (_make_shape, 4),
            (_make_joining, 1), (_make_indexing, 3), (_make_random, 2)]
_WEIGHTS = np.array([w for _, w in FAMILIES], float) / sum(w for _, w in FAMILIES)


def make_case(i):
    r = np.random.default_rng([SEED, i])
    maker = FAMILIES[r.choice(len(FAMILIES), p=_WEIGHTS)][0]
    name, arrays, fn = maker(r)
    return name, arrays, fn, r


# Where torch is the odd one out. Each entry: (case-name pattern, which inputs it concerns, reason). Only the
# named disagreement is accepted; everything else about those cases (forward values, other errors) is compared.
def _any(arrays):
    return True


def _has_bool(arrays):
    return any(a.dtype == np.bool_ for a in arrays)


OUT_OF_SCOPE = [  # cases not run
    (r"^index_add", lambda arrays: arrays[0].ndim == 0 or arrays[0].size == 0,
     "torch's index_add on a 0-d or empty self is inconsistent: 0-d raises for dim=0 but not dim=-1, an empty 1-d "
     "self checks the indices but an empty 2-d one does not (and then its backward raises); ember treats 0-d as "
     "one element along dim 0/-1 and always checks the indices"),
]
TORCH_BACKWARD_MISSING = [  # torch's backward raises, ember's returns the right gradient
    (r"^Tensor\.(asinh|acosh|atanh)_$", _any, "torch: \"the derivative for 'inplace version of asinh' (acosh, "
     "atanh) is not implemented\"; ember uses the out-of-place derivative"),
    (r"^\S+ % x$", _any, "torch: \"derivative for aten::remainder is not implemented\" for number % tensor; ember "
     "gives d/dx (a mod x) = -floor(a / x)"),
    (r"^True \*\* x$", _any, "torch: INTERNAL ASSERT FAILED (unknown ivalue tag) differentiating True ** tensor"),
    (r"^atan2$", _has_bool, "torch's atan2 backward negates a bool operand (\"Negation ... on a bool tensor is not "
     "supported\"); ember promotes it first"),
    (r"^(x \*\* y|pow)$", _has_bool, "torch's pow backward subtracts 1 from a bool operand (\"Subtraction ... with "
     "a bool tensor is not supported\"); ember promotes it first"),
    (r"^clamp\(tensors\)$", _any, "torch's backward fails when tensor bounds broadcast the input to a larger shape "
     "(output with shape [...] doesn't match the broadcast shape); ember's reduces it"),
]
TORCH_REFUSES = [  # torch raises where ember returns the right value
    (r"^round\(decimals=0\)$", _any, "torch.round(int_tensor, decimals=0) raises \"round_vml_cpu\" not implemented "
     "while torch.round(int_tensor) returns a copy; ember returns the copy for both"),
    (r"^logsumexp\(dim=\(\)", _any, "torch.logsumexp(x, dim=()) fails its own out= resize check for non-empty "
     "inputs of 1 or more dims (output with shape [] doesn't match the broadcast shape [1]) and works for 0-d "
     "ones; ember reduces over every dim, as sum(x, dim=()) does"),
]
TORCH_ACCEPTS = [  # torch returns where ember raises, by design (rule 5: nothing silently wrong)
    (r"^getitem", lambda arrays: arrays[0].size == 0, "torch skips the bounds check of an integer-array index "
     "when the tensor is empty (x[[2, 1]] on shape (2, 0) returns); ember checks it"),
    (r"^(matmul|x @ y|bmm|mm)$", lambda arrays: any(a.size == 0 for a in arrays),
     "torch skips its dtype check when an operand is empty (float32 @ float64 of shape (0, 3, 0) returns); ember "
     "checks dtypes first"),
    (r"^tensordot", _any, "torch broadcasts a size-1 contracted dimension against a size-n one (a silent sum); "
     "ember raises, naming both sizes"),
    (r"^take_along_dim", _any, "torch's take_along_dim does not bounds-check: an index past the end reads "
     "another row's element; ember raises IndexError naming dim, size and index, as gather does"),
]
TORCH_GRADIENT_WRONG = [  # gradients are not compared
    (r"^(var|std)\(.*correction", lambda arrays: arrays[0].size <= 2, "with correction >= N the forward is nan; "
     "torch's gradient is then nan for a 0-d input or a full reduction but -0 along a dim; ember gives -0"),
    (r"^Tensor\.logical_not_$", _any, "torch keeps the old history of a float tensor overwritten by logical_not_ "
     "(the gradient passes through unchanged); ember cuts it, as for every non-differentiable result"),
]


def _quirk(table, name, arrays):
    return next((reason for pattern, applies, reason in table if re.search(pattern, name) and applies(arrays)),
                None)


# ------------------------------------------------------------------ running one case
class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def _run(lib, fn, arrays, grad):
    to = to_ember if lib is ember else to_torch
    leaves = [to(a, grad and (a.dtype.kind == "f")) for a in arrays]
    try:
        return fn(lib, *leaves), leaves, None
    except _Hang:
        raise
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return None, leaves, e


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def _compare(e, t, what, tol=None, values=True):
    if not isinstance(t, torch.Tensor):
        assert not isinstance(e, ember.Tensor), f"{what}: torch gave {type(t).__name__}, ember a Tensor"
        assert type(e) is type(t) and (e == t or (e != e and t != t)), f"{what}: ember {e!r}, torch {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: torch gave a Tensor, ember {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape ember {tuple(e.shape)}, torch {tuple(t.shape)}"
    assert dtype_name(e) == dtype_name(t), f"{what}: dtype ember {dtype_name(e)}, torch {dtype_name(t)}"
    if t.is_floating_point() or t.is_complex():  # torch's in-place comparisons leave a grad_fn on integer results
        assert e.requires_grad == t.requires_grad, f"{what}: requires_grad ember {e.requires_grad}, torch True"
    if not values:
        return
    rtol, atol = tol or TOL.get(dtype_name(t), (0, 0))
    np.testing.assert_allclose(as_numpy(e), as_numpy(t), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def check_case(name, arrays, fn, r):
    grad = any(a.dtype.kind == "f" for a in arrays)
    e_out, e_leaves, e_err = _run(ember, fn, arrays, grad)
    t_out, t_leaves, t_err = _run(torch, fn, arrays, grad)
    if t_err is None and e_err is not None and _quirk(TORCH_ACCEPTS, name, arrays):
        return
    if t_err is not None and e_err is None and _quirk(TORCH_REFUSES, name, arrays):
        return
    if t_err is not None or e_err is not None:
        return _same_error(name, e_err, t_err)
    e_flat, t_flat = _flat(e_out), _flat(t_out)
    assert len(e_flat) == len(t_flat), f"{name}: ember gave {len(e_flat)} results, torch {len(t_flat)}"
    sampled = name.startswith("random.")
    for k, (e, t) in enumerate(zip(e_flat, t_flat)):
        _compare(e, t, f"{name} result {k}", values=not sampled)
    if sampled:
        return
    pairs = [(e, t) for e, t in zip(e_flat, t_flat) if isinstance(t, torch.Tensor) and t.requires_grad]
    t_req = [t for t in t_leaves if t.requires_grad]
    if not pairs or not t_req or _quirk(TORCH_GRADIENT_WRONG, name, arrays):
        return
    e_req = [e for e in e_leaves if e.requires_grad]
    gouts = [random_array(tuple(t.shape), dtype_name(t), rng=r) for _, t in pairs]
    t_grads, t_err = _grads(torch, [t for _, t in pairs], t_req, [to_torch(g) for g in gouts])
    e_grads, e_err = _grads(ember, [e for e, _ in pairs], e_req, [to_ember(g) for g in gouts])
    if t_err is not None and e_err is None and _quirk(TORCH_BACKWARD_MISSING, name, arrays):
        return
    _same_error(name + " backward", e_err, t_err)
    if t_err is not None:
        return
    # torch computes some gradients in the precision of the lowest operand (an integer one: the default float32)
    kinds = [a.dtype.name if a.dtype.kind in "fc" else "float32" for a in arrays]
    loosest = max(kinds, key=lambda d: TOL[d][0])
    for k, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is not None and tg._is_zerotensor():   # torch's symbolic zeros (e.g. sgn's gradient)
            tg = torch.zeros(tg.shape, dtype=tg.dtype)
        if tg is None:
            assert eg is None or not as_numpy(eg).any(), f"{name}: grad {k}: torch None, ember nonzero"
        else:
            assert eg is not None, f"{name}: grad {k}: ember None, torch a gradient"
            _compare(eg.detach(), tg.detach(), f"{name} grad of input {k}", TOL[loosest])


def _grads(lib, outs, leaves, gouts):
    try:
        return lib.autograd.grad(outs, leaves, gouts, allow_unused=True), None
    except _Hang:
        raise
    except Exception as e:  # noqa: BLE001
        return None, e


def _same_error(name, e_err, t_err):
    if t_err is None and e_err is None:
        return
    assert t_err is not None, f"{name}: ember raised {type(e_err).__name__}: {e_err}; torch returned"
    assert e_err is not None, f"{name}: torch raised {type(t_err).__name__}: {t_err}; ember returned"
    assert isinstance(e_err, type(t_err)), (f"{name}: ember raised {type(e_err).__name__}: {e_err}; "
                                            f"torch raised {type(t_err).__name__}: {t_err}")


CASES = [make_case(i) for i in range(N_CASES)]


@pytest.mark.parametrize("i", range(N_CASES), ids=[f"case_{i:03d}-{CASES[i][0]}" for i in range(N_CASES)])
def test_fuzz_case(i):
    name, arrays, fn, r = CASES[i]
    reason = _quirk(OUT_OF_SCOPE, name, arrays)
    if reason:
        pytest.skip(reason)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        check_case(name, [a.copy() for a in arrays], fn, r)
    except _Hang:
        pytest.fail(f"{name}: ran past {TIME_LIMIT_S} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_fuzzer_covers_every_outcome():
    """The generator makes cases of every kind: errors and results, float and integer, empty and 0-d inputs."""
    names = {c[0].split("(")[0] for c in CASES}
    assert len(names) > 100
    shapes = {a.shape for c in CASES for a in c[1]}
    assert () in shapes and any(0 in s for s in shapes) and (1,) in shapes
    kinds = {a.dtype.kind for c in CASES for a in c[1]}
    assert {"f", "i", "b", "c", "u"} <= kinds
