"""Autograd's safety checks raise PyTorch's exception classes."""
import pytest
import torch

import ember
from oracle import as_numpy, same_error


def test_second_backward_through_freed_buffers():
    def prog(lib):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).exp().sum()
        y.backward()
        y.backward()
    e, t = same_error(prog)
    assert "second time" in str(e)

    def via_grad(lib):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).sum()
        lib.autograd.grad(y, x)
        lib.autograd.grad(y, x)
    same_error(via_grad)


def test_saved_tensor_modified_in_place():
    def prog(lib):
        x = lib.ones(3, requires_grad=True)
        h = x * 2
        y = h * h          # saves h
        h.add_(1)
        y.sum().backward()
    e, t = same_error(prog)
    msg = str(e)
    assert "modified by an inplace operation" in msg
    assert "MulBackward0" in msg and "version 1" in msg and "version 0" in msg


def test_saved_output_modified_in_place():
    def prog(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()        # saves its output
        y.mul_(2)
        y.sum().backward()
    e, t = same_error(prog)
    assert "ExpBackward0" in str(e)


def test_saved_tensor_modified_through_view():
    def prog(lib):
        x = lib.ones(3, 2, requires_grad=True)
        h = x * 2
        y = h.sin()
        h[0].zero_() if hasattr(h, "zero_") else h[0].mul_(0)
        y.sum().backward()
    same_error(prog)


def test_inplace_on_leaf_requiring_grad():
    same_error(lambda lib: lib.ones(3, requires_grad=True).add_(1))
    same_error(lambda lib: lib.ones(3, requires_grad=True).mul_(2))
    same_error(lambda lib: lib.ones(3, requires_grad=True).exp_())

    def iadd(lib):
        x = lib.ones(3, requires_grad=True)
        x += 1
    same_error(iadd)


def test_inplace_on_view_of_leaf_requiring_grad():
    same_error(lambda lib: lib.ones(3, requires_grad=True)[1:].mul_(2))
    same_error(lambda lib: lib.ones(3, 2, requires_grad=True).transpose(0, 1).add_(1))
    same_error(lambda lib: lib.ones(3, 2, requires_grad=True).view(6).exp_())

    def setitem(lib):
        x = lib.ones(3, requires_grad=True)
        x[0] = 5.0
    if hasattr(ember.Tensor, "__setitem__"):
        same_error(setitem)


def test_backward_non_scalar_without_gradient():
    e, t = same_error(lambda lib: (lib.ones(2, 3, requires_grad=True) * 2).backward())
    assert "scalar" in str(e)


def test_wrong_gradient_shape():
    same_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(lib.ones(2)))
    same_error(lambda lib: lib.autograd.grad(lib.ones(3, requires_grad=True) * 2, [lib.ones(3)],
                                             grad_outputs=[lib.ones(3, 1)]))


def test_grad_of_unused_input():
    def prog(lib):
        x, w = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), [x, w])
    e, t = same_error(prog)
    assert "allow_unused" in str(e)


def test_grad_outputs_count_mismatch():
    same_error(lambda lib: lib.autograd.grad([(lib.ones(2, requires_grad=True) * 2).sum()],
                                             [lib.ones(2, requires_grad=True)], grad_outputs=[None, None]))


def test_grad_with_empty_inputs():
    same_error(lambda lib: (lib.ones(2, requires_grad=True) * 2).sum().backward(inputs=[]))


def test_numpy_of_requires_grad():
    same_error(lambda lib: lib.ones(2, requires_grad=True).numpy())


def test_leaf_inplace_allowed_under_no_grad_then_backward():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).sum()
        with lib.no_grad():
            x.mul_(2)
        with pytest.raises(RuntimeError):   # x was saved by MulBackward0 and has changed
            y.backward()


def test_version_counter_moves():
    for lib in (ember, torch):
        x = lib.ones(3)
        v = x._version
        x.add_(1)
        x.mul_(2)
        assert x._version == v + 2
        y = x[1:]
        y.add_(1)
        assert x._version == y._version == v + 3
