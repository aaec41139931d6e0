"""nn.utils.convert_conv2d/3d_weight_memory_format (torch.nn.utils.memory_format).

torch re-lays the weights of the conv layers out in ``memory_format`` (channels_last, for faster NHWC kernels).
ember keeps every array row-major whatever format is named (see ``ember/layouts.py``), so the conversion is
a copy of the weight with its values, shape and Parameter object unchanged: code that calls it runs as is.
"""
from ..modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, kinds):
    if isinstance(module, kinds):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Every Conv2d / ConvTranspose2d weight in ``module`` (recursively) in ``memory_format``; returns module."""
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Every Conv3d / ConvTranspose3d weight in ``module`` (recursively) in ``memory_format``; returns module."""
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
