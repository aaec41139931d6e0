"""Run one PyTorch program twice, once with ``torch`` and once with ``ember``, and compare what it showed.

A program is ``def program(torch, show)``: the parameter is named ``torch`` so the body reads exactly like
PyTorch code (it is the ``ember`` module in one run). ``show(name, value)`` records what a user would look at:

* tensors: shape, dtype, requires_grad, grad_fn name, values (tolerance per dtype) and the printed repr;
* modules, sizes, dtypes, devices, grad_fn objects: their ``str``;
* Python numbers, strings, bools, lists, dicts: the value (floats approximately) and its Python type.

``show.raises(name, fn)`` records the class of the exception ``fn()`` raises. ``show.rng`` is a NumPy generator
with the same seed in both runs (the two libraries' random streams differ), and ``show.same_init(model)`` makes
ember's model start from torch's initial weights: the torch run stores its state_dict as NumPy arrays, the ember
run loads them.
"""
import io
import contextlib

import numpy as np
import torch as real_torch

import ember

TOLERANCES = {"float16": (2e-3, 1e-3), "bfloat16": (1e-2, 1e-2), "float32": (1e-4, 1e-5),
              "float64": (1e-10, 1e-12), "complex64": (1e-4, 1e-5), "complex128": (1e-10, 1e-12)}


class Show:
    def __init__(self, lib, seed, weights):
        self.lib = lib
        self.items = []
        self.rng = np.random.default_rng(seed)
        self._weights = weights          # list of state dicts as NumPy, filled by the torch run
        self._n_init = 0

    def __call__(self, name, value, repr=True, rtol=None, atol=None):
        self.items.append((name, _describe(self.lib, value, repr), (rtol, atol)))
        return value

    def raises(self, name, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            self.items.append((name, ("raises", type(e)), (None, None)))
            return e
        self.items.append((name, ("raises", None), (None, None)))
        return None

    def array(self, *shape, low=-1.0, high=1.0, dtype="float32"):
        """The same random NumPy data in both runs."""
        return self.rng.uniform(low, high, size=shape).astype(dtype)

    def same_init(self, model):
        """Give ``model`` (built the same way in both runs) torch's initial parameters and buffers."""
        i = self._n_init
        self._n_init += 1
        if self.lib is real_torch:
            self._weights.append({k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()})
        else:
            model.load_state_dict({k: self.lib.from_numpy(v.copy()) for k, v in self._weights[i].items()})
        return model


def _describe(lib, value, with_repr):
    if isinstance(value, lib.Tensor):
        t = value.detach()
        if t.dtype == lib.bfloat16:
            arr = t.float().cpu().numpy()
        elif t.is_complex():
            arr = t.resolve_conj().cpu().numpy() if lib is real_torch else t.cpu().numpy()
        else:
            arr = t.cpu().numpy()
        grad_fn = None if value.grad_fn is None else type(value.grad_fn).__name__
        return ("tensor", tuple(value.shape), str(value.dtype).split(".")[-1], value.requires_grad, grad_fn,
                np.array(arr), _text(lib, repr(value)) if with_repr else None)
    if isinstance(value, lib.nn.Module) or isinstance(value, (lib.Size, lib.dtype, lib.device)):
        return ("str", _text(lib, str(value)), type(value).__name__)
    if isinstance(value, (list, tuple)):
        return ("seq", type(value).__name__, [_describe(lib, v, with_repr) for v in value])
    if isinstance(value, dict):
        return ("dict", [(k, _describe(lib, v, with_repr)) for k, v in value.items()])
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.name, value.copy())
    if isinstance(value, str):
        return ("py", "str", _text(lib, value))
    if isinstance(value, (bool, int, float, complex, type(None))):
        return ("py", type(value).__name__, value)
    return ("str", _text(lib, str(value)), type(value).__name__)


def _text(lib, text):
    """ember names its dtypes ``ember.float16`` where torch says ``torch.float16``: compare the rest."""
    return text.replace("ember.", "torch.") if lib is ember else text


def _compare(name, e, t, tol):
    where = f"{name}: "
    assert e[0] == t[0], f"{where}kind ember {e[0]} != torch {t[0]} ({e!r:.300} vs {t!r:.300})"
    kind = t[0]
    if kind == "tensor":
        _, shape, dtype, rg, grad_fn, arr, rep = t
        _, e_shape, e_dtype, e_rg, e_grad_fn, e_arr, e_rep = e
        assert e_shape == shape, f"{where}shape ember {e_shape} != torch {shape}"
        assert e_dtype == dtype, f"{where}dtype ember {e_dtype} != torch {dtype}"
        assert e_rg == rg, f"{where}requires_grad ember {e_rg} != torch {rg}"
        assert e_grad_fn == grad_fn, f"{where}grad_fn ember {e_grad_fn} != torch {grad_fn}"
        r, a = TOLERANCES.get(dtype, (0, 0))
        np.testing.assert_allclose(e_arr, arr, rtol=tol[0] if tol[0] is not None else r,
                                   atol=tol[1] if tol[1] is not None else a, equal_nan=True, err_msg=name)
        if rep is not None:
            assert e_rep == rep, f"{where}repr differs\nember:\n{e_rep}\ntorch:\n{rep}"
    elif kind == "raises":
        if t[1] is None or e[1] is None:
            assert e[1] is t[1], f"{where}ember raised {e[1]}, torch raised {t[1]}"
        else:
            assert issubclass(e[1], t[1]) or e[1].__name__ == t[1].__name__, \
                f"{where}ember raised {e[1].__name__}, torch raised {t[1].__name__}"
    elif kind == "seq":
        assert e[1] == t[1] and len(e[2]) == len(t[2]), f"{where}ember {e[1]} of {len(e[2])}, torch {t[1]} of {len(t[2])}"
        for i, (ei, ti) in enumerate(zip(e[2], t[2])):
            _compare(f"{name}[{i}]", ei, ti, tol)
    elif kind == "dict":
        assert [k for k, _ in e[1]] == [k for k, _ in t[1]], f"{where}keys ember {[k for k, _ in e[1]]} != torch {[k for k, _ in t[1]]}"
        for (k, ei), (_, ti) in zip(e[1], t[1]):
            _compare(f"{name}[{k!r}]", ei, ti, tol)
    elif kind == "ndarray":
        assert e[1:3] == t[1:3], f"{where}ndarray ember {e[1:3]} != torch {t[1:3]}"
        r, a = TOLERANCES.get(t[2], (0, 0))
        np.testing.assert_allclose(e[3], t[3], rtol=tol[0] or r, atol=tol[1] or a, err_msg=name)
    elif kind == "py":
        assert e[1] == t[1], f"{where}Python type ember {e[1]} != torch {t[1]} ({e[2]!r} vs {t[2]!r})"
        if t[1] in ("float", "complex"):
            np.testing.assert_allclose(e[2], t[2], rtol=tol[0] or 1e-5, atol=tol[1] or 1e-6, err_msg=name)
        else:
            assert e[2] == t[2], f"{where}ember {e[2]!r} != torch {t[2]!r}"
    else:
        assert e[1] == t[1], f"{where}str differs\nember:\n{e[1]}\ntorch:\n{t[1]}"


def run_both(program, seed=0):
    """Run ``program(lib, show)`` with torch, then with ember; compare everything shown, in order.

    Both runs must also print the same text (``print`` inside the program is captured).
    """
    weights = []
    outputs = {}
    for lib in (real_torch, ember):
        show = Show(lib, seed, weights)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            program(lib, show)
        outputs[lib.__name__] = (show.items, _text(lib, buf.getvalue()))
    (t_items, t_text), (e_items, e_text) = outputs["torch"], outputs["ember"]
    t_names, e_names = [n for n, _, _ in t_items], [n for n, _, _ in e_items]
    assert e_names == t_names, f"shown names differ: ember {e_names} torch {t_names}"
    for (name, t, tol), (_, e, _) in zip(t_items, e_items):
        _compare(name, e, t, tol)
    assert e_text == t_text, f"printed text differs\nember:\n{e_text}\ntorch:\n{t_text}"
    return t_items, e_items
