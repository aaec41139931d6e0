"""Batch, instance and group normalisation and local response norm against torch."""
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_layer
from oracle import assert_same, check, pair, same_error

F32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)


def _buffers_match(em, tm):
    eb, tb = dict(em.named_buffers()), dict(tm.named_buffers())
    assert list(eb) == list(tb)
    for k in tb:
        assert_same(eb[k], tb[k], rtol=1e-5, atol=1e-6, what=k)


# layer, input shape, kwargs
BN = [
    ("BatchNorm1d", (6, 4), {}),
    ("BatchNorm1d", (5, 3, 7), dict(momentum=0.3, eps=1e-3)),
    ("BatchNorm1d", (5, 3, 7), dict(affine=False)),
    ("BatchNorm2d", (4, 3, 5, 6), {}),
    ("BatchNorm2d", (4, 3, 5, 6), dict(track_running_stats=False)),
    ("BatchNorm2d", (2, 3, 4, 4), dict(momentum=None)),
    ("BatchNorm2d", (2, 3, 4, 4), dict(bias=False)),
    ("BatchNorm3d", (2, 3, 3, 4, 3), {}),
]


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,xs,kw", BN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BN)])
def test_batchnorm_modules(layer, xs, kw, dtype, train):
    def make(lib):
        m = getattr(lib.nn, layer)(xs[1], **kw)
        if m.running_mean is not None:          # non-trivial statistics, so eval mode tests them
            with lib.no_grad():
                m.running_mean.copy_(lib.arange(xs[1]) * 0.3 - 0.2)
                m.running_var.copy_(lib.arange(xs[1]) * 0.5 + 0.7)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.arange(xs[1]) * 0.25 + 0.5)
        return m
    em, tm = compare_layer(make, [xs], dtype, eval_mode=not train, **(F32 if dtype == "float32" else {}))
    _buffers_match(em, tm)


def test_batchnorm_momentum_none_accumulates():
    em, tm = ember.nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    for _ in range(4):
        xe, xt = pair((8, 3), dtype="float64")
        em(xe.float())
        tm(xt.float())
    _buffers_match(em, tm)
    assert int(em.num_batches_tracked) == 4
    em.eval()
    tm.eval()
    xe, xt = pair((5, 3))
    assert_same(em(xe), tm(xt), rtol=1e-5, atol=1e-6)


def test_batchnorm_state_dict_and_repr():
    for kw in ({}, dict(affine=False), dict(track_running_stats=False), dict(momentum=None, eps=1e-3)):
        em, tm = ember.nn.BatchNorm2d(4, **kw), torch.nn.BatchNorm2d(4, **kw)
        assert list(em.state_dict()) == list(tm.state_dict())
        assert_same_repr(em, tm)
    sd = {k: v for k, v in torch.nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    em = ember.nn.BatchNorm1d(3)
    # no version metadata (an old checkpoint): the missing num_batches_tracked is filled in
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in sd.items()})
    assert em.num_batches_tracked.dtype == ember.int64


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_functional(dtype):
    kw = {} if dtype == "float64" else F32
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True), [(5, 3, 4), (3,),
                                                                                                   (3,)],
          dtype=dtype, **kw)
    check(lambda lib, x, m, v, w, b: lib.nn.functional.batch_norm(x, m.detach(), v.detach().abs() + 0.5, w, b),
          [(5, 3, 4), (3,), (3,), (3,), (3,)], dtype=dtype, **kw)
    check(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True, eps=0.1), [(4, 2, 3, 3)],
          dtype=dtype, **kw)


def test_norms_second_order():
    check(lambda lib, x, w: lib.nn.functional.batch_norm(x, None, None, w, training=True), [(5, 3, 4), (3,)],
          dtype="float64", second_order=True)
    check(lambda lib, x, w: lib.nn.functional.group_norm(x, 2, w), [(3, 4, 5), (4,)], dtype="float64",
          second_order=True)
    check(lambda lib, x: lib.nn.functional.instance_norm(x), [(3, 4, 5)], dtype="float64", second_order=True)


def test_gradcheck_functional():
    F, gc, ggc = ember.nn.functional, ember.autograd.gradcheck, ember.autograd.gradgradcheck
    d = dict(dtype=ember.float64, requires_grad=True)
    x, w, b = ember.randn(4, 3, 5, **d), ember.randn(3, **d), ember.randn(3, **d)
    rm, rv = ember.randn(3, dtype=ember.float64), ember.rand(3, dtype=ember.float64) + 0.5
    for fn, args in [(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (x, w, b)),
                     (lambda x, w, b: F.batch_norm(x, rm, rv, w, b, False), (x, w, b)),
                     (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b)),
                     (lambda x, b: F.group_norm(x, 3, None, b), (x, b)),
                     (lambda x: F.local_response_norm(x, 2), (x,))]:
        assert gc(fn, args) and ggc(fn, args)


INSTANCE = [
    ("InstanceNorm1d", (3, 4, 7), {}),
    ("InstanceNorm1d", (4, 7), dict(affine=True)),
    ("InstanceNorm2d", (2, 3, 5, 4), dict(affine=True, eps=1e-3)),
    ("InstanceNorm2d", (2, 3, 5, 4), dict(track_running_stats=True, momentum=0.2)),
    ("InstanceNorm3d", (2, 3, 3, 4, 3), dict(affine=True, track_running_stats=True)),
]


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,xs,kw", INSTANCE, ids=[f"{b[0]}-{i}" for i, b in enumerate(INSTANCE)])
def test_instancenorm_modules(layer, xs, kw, dtype, train):
    c = xs[-2 - int(layer[-2]) + 1]        # the channel dim precedes the 1/2/3 spatial dims
    em, tm = compare_layer(lambda lib: getattr(lib.nn, layer)(c, **kw), [xs], dtype, eval_mode=not train,
                           **(F32 if dtype == "float32" else {}))
    _buffers_match(em, tm)


GROUP = [
    ((4, 6, 5), dict(num_groups=3, num_channels=6)),
    ((2, 6, 3, 4), dict(num_groups=2, num_channels=6, eps=1e-3)),
    ((2, 4, 3, 2, 2), dict(num_groups=4, num_channels=4)),
    ((3, 4), dict(num_groups=1, num_channels=4, affine=False)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,kw", GROUP)
def test_groupnorm_module(xs, kw, dtype):
    def make(lib):
        m = lib.nn.GroupNorm(**kw)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.arange(kw["num_channels"]) * 0.3 + 0.4)
                m.bias.copy_(lib.arange(kw["num_channels"]) * 0.1)
        return m
    compare_layer(make, [xs], dtype, **(F32 if dtype == "float32" else {}))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,kw", [((2, 5, 7), dict(size=3)), ((2, 6, 4, 3), dict(size=2, alpha=0.1, beta=0.6)),
                                   ((1, 4, 2, 3, 3), dict(size=4, k=2.0))])
def test_local_response_norm(xs, kw, dtype):
    compare_layer(lambda lib: lib.nn.LocalResponseNorm(**kw), [xs], dtype, **(F32 if dtype == "float32" else {}))


REPRS = [("InstanceNorm2d", (3,), {}), ("InstanceNorm1d", (3,), dict(affine=True, track_running_stats=True)),
         ("GroupNorm", (2, 4), {}), ("GroupNorm", (2, 4), dict(affine=False)), ("LocalResponseNorm", (3,), {}),
         ("BatchNorm3d", (5,), dict(momentum=None)), ("SyncBatchNorm", (3,), {})]


@pytest.mark.parametrize("layer,args,kw", REPRS)
def test_norm_repr_and_keys(layer, args, kw):
    em, tm = getattr(ember.nn, layer)(*args, **kw), getattr(torch.nn, layer)(*args, **kw)
    assert_same_repr(em, tm)
    assert list(em.state_dict()) == list(tm.state_dict())


BAD = [
    ("one_value_per_channel", lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3))),
    ("bn_dims", lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 4))),
    ("bn1d_dims", lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 4))),
    ("running_size", lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(4), lib.ones(4))),
    ("eval_without_stats", lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, None)),
    ("channels", lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 4, 3, 3))),
    ("groups", lambda lib: lib.nn.functional.group_norm(lib.randn(2, 3, 4), 2)),
    ("group_module", lambda lib: lib.nn.GroupNorm(2, 3)),
    ("instance_one_spatial", lambda lib: lib.nn.InstanceNorm1d(3)(lib.randn(2, 3, 1))),
    ("instance_dims", lambda lib: lib.nn.InstanceNorm2d(3)(lib.randn(3, 4))),
    ("instance_affine_channels", lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.randn(2, 4, 5))),
    ("lrn_dims", lambda lib: lib.nn.LocalResponseNorm(2)(lib.randn(3, 4))),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_norm_errors(name, fn):
    same_error(fn)


def test_instance_norm_channel_warning():
    with pytest.warns(UserWarning, match="does not match num_features"):
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_norm_low_precision(dtype):
    tol = dict(rtol=3e-2, atol=3e-2, grad_rtol=6e-2, grad_atol=6e-2)
    check(lambda lib, x, w: lib.nn.functional.batch_norm(x, None, None, w, training=True), [(4, 3, 5), (3,)],
          dtype=dtype, **tol)
    check(lambda lib, x: lib.nn.functional.group_norm(x, 3), [(4, 6, 5)], dtype=dtype, **tol)
