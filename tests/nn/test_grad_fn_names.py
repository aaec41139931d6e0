"""The grad_fn of nn.functional results is named as PyTorch's (what printing a tensor shows), also where ember
computes the op another way: a composite, or one kernel for every rank (ember/ops/_common.shown_as).
Gradients through the renamed results still match torch's."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


def _x(shape):
    return np.random.default_rng().random(shape, dtype=np.float32) + 0.1


def _indices_unpool(lib, x, d):
    F = lib.nn.functional
    pool, unpool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[d - 1], (F.max_unpool1d, F.max_unpool2d,
                                                                           F.max_unpool3d)[d - 1]
    out, idx = pool(x, 2, return_indices=True)
    return unpool(out, idx, 2)


CASES = {   # name -> (fn(lib, x), input shape)
    "max_pool1d": (lambda lib, x: lib.nn.functional.max_pool1d(x, 2), (2, 3, 6)),
    "max_pool2d": (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), (2, 3, 6, 6)),
    "max_pool2d unbatched": (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), (3, 6, 6)),
    "max_pool3d": (lambda lib, x: lib.nn.functional.max_pool3d(x, 2), (1, 2, 4, 4, 4)),
    "avg_pool1d": (lambda lib, x: lib.nn.functional.avg_pool1d(x, 2), (2, 3, 6)),
    "avg_pool3d": (lambda lib, x: lib.nn.functional.avg_pool3d(x, 2), (1, 2, 4, 4, 4)),
    "adaptive_max_pool1d": (lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, 3), (2, 3, 7)),
    "adaptive_max_pool3d": (lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, 2), (1, 2, 4, 5, 4)),
    "adaptive_avg_pool1d": (lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, 3), (2, 3, 7)),
    "adaptive_avg_pool2d": (lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (2, 3)), (2, 3, 6, 7)),
    "adaptive_avg_pool2d to 1": (lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 1), (2, 3, 6, 7)),
    "adaptive_avg_pool3d": (lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, 2), (1, 2, 4, 5, 4)),
    "max_unpool1d": (lambda lib, x: _indices_unpool(lib, x, 1), (2, 3, 6)),
    "max_unpool3d": (lambda lib, x: _indices_unpool(lib, x, 3), (1, 2, 4, 4, 4)),
    "interpolate nearest 1d": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), (1, 2, 5)),
    "interpolate nearest 2d": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), (1, 2, 3, 3)),
    "interpolate nearest-exact": (lambda lib, x: lib.nn.functional.interpolate(x, size=(5, 4), mode="nearest-exact"),
                                  (1, 2, 3, 3)),
    "interpolate linear": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="linear"), (1, 2, 5)),
    "interpolate bilinear": (lambda lib, x: lib.nn.functional.interpolate(x, size=(5, 5), mode="bilinear"),
                             (1, 2, 3, 3)),
    "interpolate bicubic": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="bicubic"),
                            (1, 2, 3, 3)),
    "interpolate area": (lambda lib, x: lib.nn.functional.interpolate(x, size=(2, 2), mode="area"), (1, 2, 4, 4)),
    "pixel_shuffle": (lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2), (1, 8, 3, 3)),
    "pixel_unshuffle": (lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2), (1, 2, 4, 6)),
    "channel_shuffle": (lambda lib, x: lib.nn.functional.channel_shuffle(x, 2), (1, 4, 2, 3)),
    "grid_sample": (lambda lib, x: lib.nn.functional.grid_sample(
        x, lib.tensor(np.linspace(-0.9, 0.9, 24, dtype=np.float32).reshape(1, 3, 4, 2)), align_corners=False),
        (1, 2, 4, 5)),
    "batch_norm eval": (lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3) + 0.1, lib.ones(3) * 2),
                        (4, 3, 5)),
    "group_norm": (lambda lib, x: lib.nn.functional.group_norm(x, 2), (2, 4, 5)),
    "instance_norm": (lambda lib, x: lib.nn.functional.instance_norm(x), (2, 3, 5)),
    "pad reflect 1d": (lambda lib, x: lib.nn.functional.pad(x, (2, 1), mode="reflect"), (1, 2, 5)),
    "pad reflect 2d": (lambda lib, x: lib.nn.functional.pad(x, (1, 1, 2, 0), mode="reflect"), (1, 2, 4, 4)),
    "pad replicate 3d": (lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 0, 0, 2), mode="replicate"),
                         (1, 2, 3, 3, 3)),
    "pad replicate 1d unbatched": (lambda lib, x: lib.nn.functional.pad(x, (3, 1), mode="replicate"), (2, 5)),
    "glu": (lambda lib, x: lib.nn.functional.glu(x, 1), (3, 4)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_grad_fn_name_and_gradient_match_torch(name):
    fn, shape = CASES[name]
    e, t = check(fn, [_x(shape)], atol=1e-5)
    assert e.grad_fn.name() == t.grad_fn.name()
