"""nn.utils.convert_conv2d/3d_weight_memory_format against torch: the same module back, every matching conv
weight (nested ones too) keeps its Parameter object and values, outputs unchanged."""
import pytest
import torch

import ember
from layer_oracle import copy_state
from oracle import assert_same, random_array, to_ember, to_torch


def _net(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.Sequential(lib.nn.ConvTranspose2d(3, 2, 2)),
                             lib.nn.Identity())


@pytest.mark.parametrize("fmt,shape", [("channels_last", (2, 2, 6, 6)), ("contiguous_format", (1, 2, 5, 5))])
def test_convert_conv2d_weight_memory_format(fmt, shape):
    tm, em = _net(torch), _net(ember)
    copy_state(em, tm)
    before = [p for p in em.parameters()]
    assert ember.nn.utils.convert_conv2d_weight_memory_format(em, getattr(ember, fmt)) is em
    assert torch.nn.utils.convert_conv2d_weight_memory_format(tm, getattr(torch, fmt)) is tm
    assert all(a is b for a, b in zip(before, em.parameters()))
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, what=k)
    x = random_array(shape, "float32")
    assert_same(em(to_ember(x)), tm(to_torch(x)))


def test_convert_conv3d_weight_memory_format():
    tm = torch.nn.Sequential(torch.nn.Conv3d(1, 2, 2), torch.nn.ConvTranspose3d(2, 1, 2))
    em = ember.nn.Sequential(ember.nn.Conv3d(1, 2, 2), ember.nn.ConvTranspose3d(2, 1, 2))
    copy_state(em, tm)
    w = em[0].weight
    ember.nn.utils.convert_conv3d_weight_memory_format(em, ember.channels_last_3d)
    torch.nn.utils.convert_conv3d_weight_memory_format(tm, torch.channels_last_3d)
    assert em[0].weight is w
    x = random_array((1, 1, 4, 4, 4), "float32")
    assert_same(em(to_ember(x)), tm(to_torch(x)))
