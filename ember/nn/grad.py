"""nn.grad: the gradients of a convolution w.r.t. its input or its weight, given the output's gradient (as
torch.nn.grad). Computed by ember's autograd through the convolution itself, so they are its backward."""
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]


def _input_grad(d, input_size, weight, grad_output, stride, padding, dilation, groups):
    from . import functional as F
    x = grad_output.new_zeros(tuple(input_size)).requires_grad_()
    with enable_grad():
        out = getattr(F, f"conv{d}d")(x, weight.detach(), None, stride, padding, dilation, groups)
        return _autograd_grad(out, x, grad_output)[0]


def _weight_grad(d, input, weight_size, grad_output, stride, padding, dilation, groups):
    from . import functional as F
    w = grad_output.new_zeros(tuple(weight_size)).requires_grad_()
    with enable_grad():
        out = getattr(F, f"conv{d}d")(input.detach(), w, None, stride, padding, dilation, groups)
        return _autograd_grad(out, w, grad_output)[0]


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _input_grad(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _weight_grad(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _input_grad(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _weight_grad(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _input_grad(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return _weight_grad(3, input, weight_size, grad_output, stride, padding, dilation, groups)
