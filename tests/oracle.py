"""The PyTorch oracle: build the same random input for ember and torch, run the
same code on both, compare values, shapes, dtype names and gradients.

Typical use::

    from oracle import check
    check(lambda lib, x, y: lib.mul(x, y), [(2, 3), (3,)])          # shapes -> random float32 inputs
    check(lambda lib, x: x.sum(dim=1), [(4, 5)], dtype="float64")

``lib`` is the ``ember`` module in one run and ``torch`` in the other, so the
lambda is exactly the PyTorch code a user would write.
"""
import numpy as np
import torch

import ember

TOLERANCES = {  # (rtol, atol) per dtype name
    "float16": (1e-2, 1e-2), "bfloat16": (3e-2, 3e-2), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12),
    "complex64": (1e-5, 1e-6), "complex128": (1e-10, 1e-12),
}

_rng = np.random.default_rng()


def rng():
    """The shared random generator (fresh inputs each run; the seed is printed by a failing assert)."""
    return _rng


def random_array(shape, dtype="float32", low=-2.0, high=2.0, rng=None):
    """Random data of ``dtype`` (never all zeros): floats uniform in [low, high), ints in [low, high]."""
    r = rng or _rng
    if dtype == "bool":
        return r.random(shape) < 0.5
    if dtype.startswith(("int", "uint")):
        lo = max(int(low), 0) if dtype.startswith("uint") else int(low)
        return r.integers(lo, int(high) + 1, size=shape).astype(dtype)
    if dtype.startswith("complex"):
        real = "float32" if dtype == "complex64" else "float64"
        return (random_array(shape, real, low, high, r) + 1j * random_array(shape, real, low, high, r)).astype(dtype)
    arr = r.uniform(low, high, size=shape)
    if dtype == "bfloat16":
        import ml_dtypes
        return arr.astype(ml_dtypes.bfloat16)
    return arr.astype(dtype)


def to_torch(arr, requires_grad=False):
    if arr.dtype.name == "bfloat16":
        t = torch.from_numpy(arr.astype(np.float32)).to(torch.bfloat16)
    else:
        t = torch.from_numpy(np.array(arr))
    return t.requires_grad_(requires_grad)


def to_ember(arr, requires_grad=False):
    return ember.tensor(np.array(arr)).requires_grad_(requires_grad)


def pair(shape, dtype="float32", requires_grad=False, **kw):
    """The same random tensor in ember and in torch."""
    arr = random_array(shape, dtype, **kw)
    return to_ember(arr, requires_grad), to_torch(arr, requires_grad)


def as_numpy(t):
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t._is_zerotensor():   # torch's symbolic zero gradients (abs'' and sign') refuse .numpy()
            return np.zeros(tuple(t.shape), str(t.dtype).split(".")[-1])
        if t.dtype == torch.bfloat16:
            return t.float().numpy()
        return t.resolve_conj().numpy()
    arr = t.detach()._data
    return arr.astype(np.float32) if arr.dtype.name == "bfloat16" else arr


def dtype_name(t):
    return str(t.dtype).split(".")[-1]


def assert_same(e, t, rtol=None, atol=None, check_dtype=True, what="result"):
    """Assert ember result ``e`` equals torch result ``t``: type, shape, dtype name and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: torch gave a {type(t).__name__}, ember a {type(e).__name__}"
        assert len(e) == len(t), f"{what}: lengths differ: ember {len(e)}, torch {len(t)}"
        for i, (ei, ti) in enumerate(zip(e, t)):
            assert_same(ei, ti, rtol, atol, check_dtype, f"{what}[{i}]")
        return
    if not isinstance(t, torch.Tensor):
        assert not isinstance(e, ember.Tensor), f"{what}: torch gave {type(t).__name__}, ember a Tensor"
        if isinstance(t, float):
            np.testing.assert_allclose(e, t, rtol=rtol or 1e-6, atol=atol or 1e-7, err_msg=what)
        else:
            assert e == t, f"{what}: ember {e!r} != torch {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: torch gave a Tensor, ember a {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape ember {tuple(e.shape)} != torch {tuple(t.shape)}"
    if check_dtype:
        assert dtype_name(e) == dtype_name(t), f"{what}: dtype ember {dtype_name(e)} != torch {dtype_name(t)}"
    r, a = TOLERANCES.get(dtype_name(t), (0, 0))
    rtol = r if rtol is None else rtol
    atol = a if atol is None else atol
    np.testing.assert_allclose(as_numpy(e), as_numpy(t), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _leaves(arrays, dtype, requires_grad, kw):
    arrays = [random_array(a, dtype, **kw) if isinstance(a, tuple) else a for a in arrays]
    rg = [requires_grad and (a.dtype.kind in "fc" or a.dtype.name == "bfloat16") for a in arrays]
    return arrays, [to_ember(a, g) for a, g in zip(arrays, rg)], [to_torch(a, g) for a, g in zip(arrays, rg)]


def check(fn, inputs, dtype="float32", grad=True, rtol=None, atol=None, grad_rtol=None, grad_atol=None,
          second_order=False, **kw):
    """Run ``fn(lib, *tensors)`` in ember and torch on the same random inputs and compare.

    inputs: shapes (tuples, random data of ``dtype``) or NumPy arrays.
    grad: also compare the gradients of every float input, using a random
    gradient for the output. second_order: also compare d(sum of grads)/d(inputs).
    """
    arrays, e_in, t_in = _leaves(inputs, dtype, grad, kw)
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)
    assert_same(e_out, t_out, rtol, atol, what="forward")
    if not grad:
        return e_out, t_out
    e_outs = e_out if isinstance(e_out, (tuple, list)) else [e_out]
    t_outs = t_out if isinstance(t_out, (tuple, list)) else [t_out]
    pairs = [(e, t) for e, t in zip(e_outs, t_outs) if isinstance(t, torch.Tensor) and t.requires_grad]
    e_leaves = [e for e in e_in if e.requires_grad]
    t_leaves = [t for t in t_in if t.requires_grad]
    if not pairs or not t_leaves:
        return e_out, t_out
    gouts = [random_array(tuple(t.shape), dtype_name(t)) for _, t in pairs]
    t_grads = torch.autograd.grad([t for _, t in pairs], t_leaves, [to_torch(g) for g in gouts],
                                  allow_unused=True, create_graph=second_order)
    e_grads = ember.autograd.grad([e for e, _ in pairs], e_leaves, [to_ember(g) for g in gouts],
                                  allow_unused=True, create_graph=second_order)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not as_numpy(eg).any(), f"grad[{i}]: torch gives None, ember {eg}"
            continue
        assert eg is not None, f"grad[{i}]: ember gave None, torch a gradient"
        assert_same(eg, tg, grad_rtol or rtol, grad_atol or atol, what=f"grad of input {i}")
    if second_order:
        t_sel = [(i, g) for i, g in enumerate(t_grads) if g is not None and g.requires_grad]
        if t_sel:
            t_gg = torch.autograd.grad([g.sum() for _, g in t_sel], t_leaves, allow_unused=True)
            e_gg = ember.autograd.grad([e_grads[i].sum() for i, _ in t_sel], e_leaves, allow_unused=True)
            for i, (eg, tg) in enumerate(zip(e_gg, t_gg)):
                if tg is None:
                    assert eg is None or not as_numpy(eg).any(), f"2nd-order grad[{i}]: torch None, ember {eg}"
                else:
                    assert eg is not None, f"2nd-order grad[{i}]: ember gave None"
                    assert_same(eg, tg, grad_rtol or rtol, grad_atol or atol, what=f"2nd-order grad of input {i}")
    return e_out, t_out


def same_error(fn, *args):
    """Run ``fn(lib, *args)`` on both libraries; both must raise the same exception class."""
    errors = []
    for lib in (ember, torch):
        try:
            fn(lib, *args)
        except Exception as e:  # noqa: BLE001 - the class is what we compare
            errors.append(e)
        else:
            errors.append(None)
    e_err, t_err = errors
    assert t_err is not None, "torch did not raise"
    assert e_err is not None, f"ember did not raise; torch raised {type(t_err).__name__}: {t_err}"
    assert type(e_err) is type(t_err) or isinstance(e_err, type(t_err)), \
        f"ember raised {type(e_err).__name__}: {e_err}; torch raised {type(t_err).__name__}: {t_err}"
    return e_err, t_err
