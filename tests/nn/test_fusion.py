"""nn.utils.fusion (fuse_conv_bn_eval/_weights, fuse_linear_bn_eval/_weights) against torch: the fused layer
equals torch's fused layer and computes bn(layer(x))."""
import pytest
import torch

import ember
from layer_oracle import copy_state
from oracle import assert_same, random_array, same_error, to_ember, to_torch

DTYPES = ["float32", "float64"]


def _trained_bn(lib, bn):
    """Running statistics away from their (0, 1) start and affine parameters away from (1, 0)."""
    with lib.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        if bn.weight is not None:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-1, 1)
    return bn


CONV_CASES = {
    "conv2d": (lambda lib, dt: lib.nn.Conv2d(3, 4, 3, dtype=dt), lambda lib, dt: lib.nn.BatchNorm2d(4, dtype=dt),
               (2, 3, 6, 6), False),
    "conv1d_no_bias_no_affine": (lambda lib, dt: lib.nn.Conv1d(2, 3, 2, bias=False, dtype=dt),
                                 lambda lib, dt: lib.nn.BatchNorm1d(3, affine=False, dtype=dt), (2, 2, 5), False),
    "conv_transpose2d": (lambda lib, dt: lib.nn.ConvTranspose2d(3, 2, 3, dtype=dt),
                         lambda lib, dt: lib.nn.BatchNorm2d(2, eps=1e-3, dtype=dt), (2, 3, 4, 4), True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(CONV_CASES))
def test_fuse_conv_bn_eval_matches_torch(case, dtype):
    make_conv, make_bn, shape, transpose = CONV_CASES[case]
    mods = {}
    for lib in (torch, ember):
        dt = getattr(lib, dtype)
        mods[lib] = (make_conv(lib, dt).eval(), _trained_bn(lib, make_bn(lib, dt)).eval())
    copy_state(mods[ember][0], mods[torch][0])
    copy_state(mods[ember][1], mods[torch][1])
    fused = {lib: lib.nn.utils.fuse_conv_bn_eval(*mods[lib], transpose=transpose) for lib in (torch, ember)}
    assert type(fused[ember]) is type(mods[ember][0]) and fused[ember] is not mods[ember][0]
    for name, p in fused[torch].named_parameters():
        ep = dict(fused[ember].named_parameters())[name]
        assert isinstance(ep, ember.nn.Parameter) and ep.requires_grad == p.requires_grad
        assert_same(ep, p, what=name)
    x = random_array(shape, dtype)
    assert_same(fused[ember](to_ember(x)), fused[torch](to_torch(x)))
    # and it is bn(conv(x)), up to the rounding of the folded scale
    tol = (1e-4, 1e-5) if dtype == "float32" else (None, None)
    assert_same(fused[ember](to_ember(x)), mods[torch][1](mods[torch][0](to_torch(x))), *tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_features", [4, 1])
def test_fuse_linear_bn_eval_matches_torch(n_features, dtype):
    mods = {}
    for lib in (torch, ember):
        dt = getattr(lib, dtype)
        mods[lib] = (lib.nn.Linear(3, 4, dtype=dt).eval(), _trained_bn(lib, lib.nn.BatchNorm1d(n_features,
                                                                                             dtype=dt)).eval())
    copy_state(mods[ember][0], mods[torch][0])
    copy_state(mods[ember][1], mods[torch][1])
    fused = {lib: lib.nn.utils.fuse_linear_bn_eval(*mods[lib]) for lib in (torch, ember)}
    for name, p in fused[torch].named_parameters():
        assert_same(dict(fused[ember].named_parameters())[name], p, what=name)
    x = random_array((5, 3), dtype)
    assert_same(fused[ember](to_ember(x)), fused[torch](to_torch(x)))


def test_fusion_errors_match_torch():
    same_error(lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(2, 2, 1), lib.nn.BatchNorm2d(2)))
    same_error(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(2, 3).eval(),
                                                            lib.nn.BatchNorm1d(2).eval()))
    same_error(lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(2, 2, 1).eval(),
                                                          lib.nn.BatchNorm2d(2, track_running_stats=False).eval()))
