"""In-place ops on views of non-leaves: gradients must match PyTorch's (CopySlices)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, random_array, to_ember, to_torch

HAS_SETITEM = hasattr(ember.Tensor, "__setitem__") and ember.Tensor.__setitem__ is not object.__setattr__


def both(fn, *arrays):
    out = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        out.append(fn(lib, *[conv(a, True) for a in arrays]))
    return out


def run(fn, shapes, dtype="float64", second_order=False):
    arrays = [random_array(s, dtype, low=0.5, high=2.0) for s in shapes]

    def prog(lib, *xs):
        out = fn(lib, *xs)
        g = lib.tensor(np.linspace(0.5, 2.0, out.numel()).reshape(tuple(out.shape)).astype(dtype))
        grads = lib.autograd.grad(out, xs, g, create_graph=second_order, allow_unused=True)
        res = [out, *grads]
        if second_order:
            sel = [gg for gg in grads if gg is not None and gg.requires_grad]
            if sel:
                res += list(lib.autograd.grad(sum(s.sum() for s in sel), xs, allow_unused=True))
        return [r for r in res if r is not None]
    e, t = both(prog, *arrays)
    assert_same(e, t)


CASES = {
    "slice_mul_": (lambda lib, x: [y := x * 2, y[1:3].mul_(3), y][-1], [(5,)]),
    "slice_add_tensor": (lambda lib, x, w: [y := x * 2, y[1:3].add_(w), y][-1], [(5,), (2,)]),
    "row_exp_": (lambda lib, x: [y := x * 1.5, y[1].exp_(), y.sin()][-1], [(3, 4)]),
    "transposed_view": (lambda lib, x, w: [y := x * 1.5, y.t()[0].mul_(w), y * y][-1], [(3, 2), (3,)]),
    "chain_of_views": (lambda lib, x: [y := x * 1.0, y.view(2, 6)[1][2:5].mul_(4), y.transpose(0, 1)][-1],
                       [(3, 4)]),
    "view_then_use_view": (lambda lib, x: [y := x * 2, v := y[:, 1], v.mul_(x[:, 0]), v * y[:, 0]][-1], [(3, 2)]),
    "view_saved_before": (lambda lib, x: [y := x * 2, s := y + 3, y[0].add_(1), s + y][-1], [(3,)]),
    "two_writes": (lambda lib, x, w: [y := x * 1.0, y[0].mul_(w), y[1:].add_(w.sum()), y * 2][-1],
                   [(3,), ()]),
    "base_inplace_after_view": (lambda lib, x: [y := x * 2, v := y[1:], y.mul_(3), v * 1.0][-1], [(4,)]),
    "view_grad_through_old_view": (lambda lib, x: [y := x * 2, a := y[0:2], y[1:3].mul_(5), a.exp()][-1],
                                   [(4,)]),
    "permute_view": (lambda lib, x: [y := x * 1.0, y.permute(1, 0)[1:].sub_(x.permute(1, 0)[1:] ** 2), y][-1],
                     [(2, 3)]),
    "unsqueeze_expand_free": (lambda lib, x: [y := x * 1.0, y.unsqueeze(0)[0].mul_(x), y][-1], [(3,)]),
    "inplace_non_view_nonleaf": (lambda lib, x: [y := x * 3, y.mul_(2), y.add_(x), y * x][-1], [(3,)]),
    "view_of_view_refreshed": (lambda lib, x: [y := x * 2, a := y[1:], b := a[1:], y[0:2].mul_(3), b * a[0]][-1],
                               [(4,)]),
    # the base of an expand()ed view changed in place: the view's new backward sums its repeated rows
    "expanded_view_of_changed_base": (lambda lib, x, w: [y := x * 1.0, v := y[:1].expand(4, 3), y.add_(1), v * w][-1],
                                      [(4, 3), (4, 3)]),
    "expanded_column_of_changed_base": (lambda lib, x: [y := x * 1.0, v := y[:, 1:2].expand(2, 5), y.mul_(2),
                                                        v * v][-1], [(2, 3)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_inplace_view_gradients(name):
    fn, shapes = CASES[name]
    run(fn, shapes)


@pytest.mark.parametrize("name", ["slice_mul_", "slice_add_tensor", "transposed_view", "chain_of_views",
                                  "view_then_use_view"])
def test_inplace_view_second_order(name):
    fn, shapes = CASES[name]
    run(fn, shapes, second_order=True)


ERROR_CASES = {   # PyTorch refuses these: a tensor saved for backward was overwritten
    "saved_output_view": lambda lib, x: [y := x.exp(), y.t()[0].mul_(2), y][-1],
    "view_saved_by_mul": lambda lib, x: [y := x * 2, v := y[:, 1], v.mul_(v), v][-1],
    "base_saved_by_sin": lambda lib, x: [y := x * 2, s := y.sin(), y[0].add_(1), s + y][-1],
    # writing into an expand()ed view: several of its elements are one memory location (RuntimeError)
    "mul_into_expanded_view": lambda lib, x: [y := x * 2, y[:1].expand(3, 3).mul_(2), y][-1],
    "exp_into_expanded_view": lambda lib, x: [y := x * 2, y[:, :1].expand(3, 4).exp_(), y][-1],
    "copy_into_expanded_view": lambda lib, x: [y := x * 2, y[:1].expand(3, 3).copy_(x), y][-1],
    # a factor that is needed for the other factor's gradient, changed in place
    "needed_factor_changed": lambda lib, x: [y := x * 2, s := y * x, y.add_(1), s][-1],
}


# PyTorch saves a factor (or a dividend) only for the other operand's gradient: changing one in place
# afterwards is no error when that other operand needs no gradient, and the gradients are unchanged
UNNEEDED_CASES = {
    "mul_by_constant_tensor": lambda lib, x, c: [y := x * 2, s := y * c, y.add_(1), s][-1],
    "constant_tensor_times": lambda lib, x, c: [y := x * 2, s := c * y, y.mul_(3), s][-1],
    "python_number_times": lambda lib, x, c: [y := x * 2, s := 3 * y, y.add_(1), s * c][-1],
    "divide_by_number": lambda lib, x, c: [y := x * 2, s := y / 3, y.add_(1), s * c][-1],
    "divide_by_constant_tensor": lambda lib, x, c: [y := x * 2, s := y / c, y.add_(1), s][-1],
    "constant_scaled_by": lambda lib, x, c: [y := x * 2, s := c * y.exp(), y.add_(1), s][-1],
    "matmul_by_constant": lambda lib, x, c: [y := x * 2, s := y @ c.mT, y.add_(1), s][-1],
    "constant_matmul": lambda lib, x, c: [y := x * 2, s := c.mT @ y, y.mul_(3), s][-1],
    "matrix_times_constant_vector": lambda lib, x, c: [y := x * 2, s := y @ c[0], y.add_(1), s * c[1, :3]][-1],
}


@pytest.mark.parametrize("name", list(UNNEEDED_CASES))
def test_unneeded_operand_changed_in_place(name):
    fn = UNNEEDED_CASES[name]
    x, c = random_array((3, 4), "float64", low=0.5, high=2.0), random_array((3, 4), "float64", low=0.5, high=2.0)
    outs = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt = conv(x, True)
        out = fn(lib, xt, conv(c, False))
        out.sum().backward()
        outs.append([out, xt.grad])
    assert_same(*outs)


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_inplace_view_errors(name):
    from oracle import same_error
    a = random_array((3, 2), "float64")
    same_error(lambda lib: ERROR_CASES[name](lib, (to_ember if lib is ember else to_torch)(a, True)).sum().backward())


@pytest.mark.skipif(not HAS_SETITEM, reason="Tensor.__setitem__ not available yet")
def test_setitem_on_nonleaf():
    run(lambda lib, x, w: [y := x * 2, y.__setitem__(0, w), y.__setitem__(slice(2, 4), w * 3), y * y][-1],
        [(5,), ()])
    run(lambda lib, x, w: [y := x * 2, y.__setitem__((slice(None), 1), w), y.exp()][-1], [(3, 2), (3,)])


def test_grad_fn_names_after_inplace_on_view():
    for lib in (ember, torch):
        x = lib.ones(4, requires_grad=True)
        y = x * 2
        v = y[1:3]
        v.mul_(3)
        assert type(y.grad_fn).__name__ == "CopySlices"
        assert v.grad_fn.name() in ("AsStridedBackward0", "MulBackward0")
        assert y._version == v._version == 1


@pytest.mark.parametrize("dtype", ["float32", "complex128"])
def test_inplace_view_dtypes(dtype):
    run(lambda lib, x, w: [y := x * 2, y[1:3].mul_(w), y * x][-1], [(4,), (2,)], dtype=dtype)


@pytest.mark.parametrize("overwrite", ["zero_", "fill_", "copy_"])
def test_overwritten_value_gets_zero_gradient(overwrite):
    """A leaf whose only use is overwritten in place gets a .grad of zeros (PyTorch's formula is
    zeros_like(grad)), not None."""
    a, b = random_array((3, 2), "float32"), random_array((3, 2), "float32")
    grads = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        x, src = conv(a, True), conv(b, True)
        y = x * 2
        {"zero_": lambda: y.zero_(), "fill_": lambda: y.fill_(1.5), "copy_": lambda: y.copy_(src)}[overwrite]()
        (y * 3).sum().backward()
        grads.append((x.grad, src.grad))
    assert_same(grads[0], grads[1])
