"""The fused kernels on the intra-op threads (ember/nn/_functional/_rows.py) against torch.

Real inputs are too small to be sliced, so every test here lowers the per-thread minimum to one
number and claims two or three threads: each kernel then runs on uneven slices of its rows (or of
its flat elements), some slices a single row. Values and gradients must still be torch's."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, random_array


@pytest.fixture(params=[2, 3], autouse=True)
def threaded(request, monkeypatch):
    from ember import _parallel
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: request.param)
    return request.param


def _targets(n, c, *rest):
    return np.random.default_rng().integers(0, c, (n,) + rest)


CASES = {   # name: (fn(lib, *tensors), inputs)
    "softmax dim -1": (lambda lib, x: lib.softmax(x, -1), [(5, 4, 7)]),
    "softmax dim 0": (lambda lib, x: lib.softmax(x, 0), [(5, 4, 7)]),
    "softmax dim 1": (lambda lib, x: lib.softmax(x, 1), [(5, 4, 7)]),
    "softmax 1-d": (lambda lib, x: lib.softmax(x, 0), [(9,)]),
    "log_softmax dim -1": (lambda lib, x: lib.log_softmax(x, -1), [(5, 4, 7)]),
    "log_softmax dim 0": (lambda lib, x: lib.log_softmax(x, 0), [(5, 4, 7)]),
    "cross_entropy": (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), [(7, 5), _targets(7, 5)]),
    "cross_entropy 2-d smoothing": (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, label_smoothing=0.2),
                                    [(3, 5, 4, 2), _targets(3, 5, 4, 2)]),
    "layer_norm affine": (lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (6,), w, b), [(3, 5, 6), (6,), (6,)]),
    "layer_norm 2 dims": (lambda lib, x, w: lib.nn.functional.layer_norm(x, (4, 6), w), [(5, 4, 6), (4, 6)]),
    "layer_norm plain": (lambda lib, x: lib.nn.functional.layer_norm(x, (6,)), [(7, 6)]),
    "layer_norm bias only": (lambda lib, x, b: lib.nn.functional.layer_norm(x, (6,), None, b), [(7, 6), (6,)]),
    "rms_norm": (lambda lib, x, w: lib.nn.functional.rms_norm(x, (6,), w), [(3, 5, 6), (6,)]),
    "gelu": (lambda lib, x: lib.nn.functional.gelu(x), [(5, 9)]),
    "gelu tanh": (lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), [(5, 9)]),
    "gelu transposed": (lambda lib, x: lib.nn.functional.gelu(x.mT), [(5, 9)]),
    "relu": (lambda lib, x: lib.relu(x), [(4, 3, 5)]),
    "batch_norm": (lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True),
                   [(4, 5, 3, 2), (5,), (5,)]),
    "batch_norm 2-d": (lambda lib, x, w: lib.nn.functional.batch_norm(x, None, None, w, None, True), [(7, 5), (5,)]),
    "instance_norm": (lambda lib, x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b),
                      [(5, 3, 4, 2), (3,), (3,)]),
    "group_norm": (lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b), [(5, 4, 3, 2), (4,), (4,)]),
    "group_norm plain": (lambda lib, x: lib.nn.functional.group_norm(x, 2), [(5, 4, 3)]),
    "max_pool2d": (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), [(5, 3, 6, 6)]),
    "max_pool2d overlapping padded": (lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
                                      [(5, 2, 7, 6)]),
    "max_pool1d dilated": (lambda lib, x: lib.nn.functional.max_pool1d(x, 2, 1, dilation=2), [(5, 2, 9)]),
}
CONV = {    # and linear: sums of many products, with wider float32 tolerances
    "conv2d padded": (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1),
                      [(5, 3, 6, 6), (4, 3, 3, 3), (4,)]),
    "conv2d one channel": (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1),
                           [(5, 1, 6, 6), (4, 1, 3, 3), (4,)]),
    "conv2d strided groups": (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=2, groups=2,
                                                                          dilation=(1, 2)),
                              [(5, 4, 7, 8), (6, 2, 3, 2), (6,)]),
    "conv1d": (lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding=2), [(3, 2, 9), (4, 2, 3)]),
    "conv_transpose2d": (lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1),
                         [(5, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    "linear": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(4, 3, 5), (6, 5), (6,)]),
    "linear 1-d": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(5,), (6, 5), (6,)]),
    "unfold": (lambda lib, x: lib.nn.functional.unfold(x, 3, padding=1), [(5, 2, 4, 5)]),
    "fold": (lambda lib, x: lib.nn.functional.fold(x, (4, 5), 3, padding=1), [(5, 18, 20)]),
}
CASES.update(CONV)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_threaded_kernel_matches_torch(name, dtype):
    fn, inputs = CASES[name]
    # float32 sums of dozens of products (values ~10) cancel to ~0.1 now and then, and a normalization over a
    # group of 12 numbers divides their rounding by a small std (group_norm failed ~1 full-suite run in 3):
    # absolute tolerances
    loose = name in CONV or name.startswith(("group_norm", "batch_norm", "instance_norm"))
    tol = dict(atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4) if loose and dtype == "float32" else {}
    check(fn, inputs, dtype=dtype, **tol)


def test_max_pool_nan_and_padding_threaded():
    """NaN windows and all -inf windows beside padding are handled per slice as serially."""
    x = random_array((4, 2, 5, 5))
    x[0, 0, 1, 2] = np.nan
    x[3, 1, :2, :2] = -np.inf
    check(lambda lib, t: lib.nn.functional.max_pool2d(t, 3, 2, 1), [x])


def test_gelu_bfloat16_threaded():
    check(lambda lib, x: lib.nn.functional.gelu(x), [(5, 9)], dtype="bfloat16")


@pytest.mark.parametrize("feature", [False, True])
def test_dropout_threaded_is_the_serial_mask(feature, monkeypatch):
    """The threaded mask is the serial one (the random draws do not depend on the threads); kept
    elements are scaled by 1/(1-p), dropped ones are 0, and the gradient follows the mask."""
    from ember import _parallel
    x = random_array((6, 5, 4, 3))
    fn = ember.nn.functional.dropout2d if feature else ember.nn.functional.dropout

    def run():
        ember.manual_seed(3)
        ember.rand(1)                       # the generator holds a cached 32-bit half when dropout starts
        t = ember.tensor(x, requires_grad=True)
        out = fn(t, 0.4)
        out.backward(ember.ones_like(out))
        return out.detach().numpy(), t.grad.numpy(), ember.rand(3).numpy(), ember.randint(0, 99, (3,)).numpy()

    out, grad, *after = run()
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 1)
    serial_out, serial_grad, *serial_after = run()
    np.testing.assert_array_equal(out, serial_out)
    np.testing.assert_array_equal(grad, serial_grad)
    for a, b in zip(after, serial_after):   # and the generator is left where the serial draw leaves it
        np.testing.assert_array_equal(a, b)
    kept = out != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(out[kept], x[kept] / np.float32(0.6), rtol=1e-6)
    np.testing.assert_allclose(grad, kept / np.float32(0.6), rtol=1e-6)
    if feature:
        assert (kept.all(axis=(2, 3)) | ~kept.any(axis=(2, 3))).all()
    t = torch.nn.functional.dropout(torch.tensor(x), 0.4)      # torch's law: the same affine map on kept ones
    tk = t.numpy() != 0
    np.testing.assert_allclose(t.numpy()[tk], x[tk] / np.float32(0.6), rtol=1e-6)
