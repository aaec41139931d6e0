"""grad_fn._saved_<name> and _raw_saved_<name>.register_hooks, as PyTorch's (the saved-tensors tutorial)."""
import numpy as np
import pytest
import torch

import ember

# op, the saved names to read, and whether each read is the input itself
CASES = {
    "pow": (lambda x, w: x.pow(2), ["self", "exponent"]),
    "exp": (lambda x, w: x.exp(), ["result"]),
    "sin": (lambda x, w: x.sin(), ["self"]),
    "mul": (lambda x, w: x * w, ["self", "other"]),
    "mul_number": (lambda x, w: x * 2, ["self", "other"]),
    "tensor_pow": (lambda x, w: x.abs() ** w, ["exponent", "result"]),
}


def _describe(v, lib, x, w):
    if v is None:
        return None
    if isinstance(v, lib.Tensor):
        return ("is x" if v is x else "is w" if v is w else "tensor", np.asarray(v.detach().tolist()).round(5).tolist())
    return float(v)


@pytest.mark.parametrize("name", CASES)
def test_saved_values_by_name_match_torch(name):
    op, names = CASES[name]
    seen = []
    xa, wa = np.random.rand(4) + 0.5, np.random.rand(4) + 0.5
    for lib in (ember, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        fn = op(x, w).grad_fn
        got = []
        for n in names:
            v = getattr(fn, f"_saved_{n}")
            if n == "other" and name == "mul_number":      # torch wraps the number in a 0-d tensor
                v = float(v)
            got.append(_describe(v, lib, x, w))
        seen.append(got)
        assert f"_saved_{names[0]}" in dir(fn)
        with pytest.raises(AttributeError):
            fn._saved_no_such_thing
    assert seen[0] == seen[1]


def test_raw_saved_hooks_run_as_torch():
    results = []
    xa = np.random.rand(5) + 0.1
    for lib in (ember, torch):
        calls = []
        x = lib.tensor(xa, requires_grad=True)
        y = x.pow(2)
        raw = y.grad_fn._raw_saved_self

        def pack(t):
            calls.append("pack")
            return t * 10

        def unpack(t):
            calls.append("unpack")
            return t / 10

        raw.register_hooks(pack, unpack)
        with pytest.raises(RuntimeError):
            raw.register_hooks(pack, unpack)
        y.sum().backward()
        with pytest.raises(RuntimeError):
            y.grad_fn._saved_self
        results.append((calls, np.round(x.grad.tolist(), 6).tolist()))
    assert results[0] == results[1]


def test_reading_saved_after_backward_raises_as_torch():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.sum().backward(retain_graph=True)
        assert y.grad_fn._saved_result.tolist() == y.tolist()
        y.sum().backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.grad_fn._saved_result
