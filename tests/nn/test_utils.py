"""nn.utils (clip_grad_norm_, clip_grad_value_, get_total_norm, parameters_to_vector,
vector_to_parameters) against torch on the same parameters and gradients."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, random_array, same_error

SHAPES = [(3, 4), (5,), (2, 3, 2), ()]


def _params(dtype="float32", shapes=SHAPES, scale=1.0, with_none=False):
    """The same parameters with the same random gradients in ember and torch."""
    e, t = [], []
    for i, s in enumerate(shapes):
        w, g = random_array(s, dtype), random_array(s, dtype) * scale
        pe, pt = ember.nn.Parameter(ember.tensor(w)), torch.nn.Parameter(torch.tensor(w))
        if not (with_none and i == 1):
            pe.grad, pt.grad = ember.tensor(g), torch.tensor(g)
        e.append(pe)
        t.append(pt)
    return e, t


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    e, t = _params(dtype, with_none=True)
    te = ember.nn.utils.clip_grad_norm_(e, max_norm, norm_type)
    tt = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type)
    assert_same(te, tt)
    for pe, pt in zip(e, t):
        assert (pe.grad is None) == (pt.grad is None)
        if pt.grad is not None:
            assert_same(pe.grad, pt.grad)


def test_clip_grad_norm_accepts_one_tensor_generators_and_foreach():
    e, t = _params()
    assert_same(ember.nn.utils.clip_grad_norm_(e[0], 0.1), torch.nn.utils.clip_grad_norm_(t[0], 0.1))
    assert_same(ember.nn.utils.clip_grad_norm_((p for p in e), 0.2, foreach=True),
                torch.nn.utils.clip_grad_norm_((p for p in t), 0.2, foreach=True))
    for p in e + t:
        assert p.grad is not None
    assert_same(ember.nn.utils.clip_grad_norm_([], 1.0), torch.nn.utils.clip_grad_norm_([], 1.0))
    m = lambda lib: lib.nn.Linear(3, 2)
    me, mt = m(ember), m(torch)
    assert_same(ember.nn.utils.clip_grad_norm_(me.parameters(), 1.0), torch.nn.utils.clip_grad_norm_(mt.parameters(),
                                                                                                   1.0))


def test_get_total_norm_and_clip_grads_with_norm():
    e, t = _params("float64")
    ne = ember.nn.utils.get_total_norm([p.grad for p in e], 3.0)
    nt = torch.nn.utils.get_total_norm([p.grad for p in t], 3.0)
    assert_same(ne, nt)
    ember.nn.utils.clip_grads_with_norm_(e, 0.3, ne)
    torch.nn.utils.clip_grads_with_norm_(t, 0.3, nt)
    for pe, pt in zip(e, t):
        assert_same(pe.grad, pt.grad)


def test_nonfinite():
    e, t = _params("float64")
    e[0].grad[0, 0] = float("nan")
    t[0].grad[0, 0] = float("nan")
    same_error(lambda lib: lib.nn.utils.clip_grad_norm_(e if lib is ember else t, 1.0, error_if_nonfinite=True))
    e[0].grad[0, 0] = float("inf")
    t[0].grad[0, 0] = float("inf")
    assert_same(ember.nn.utils.clip_grad_norm_(e, 1.0), torch.nn.utils.clip_grad_norm_(t, 1.0))
    for pe, pt in zip(e, t):
        assert_same(pe.grad, pt.grad)                    # scaled by the non-finite norm, as PyTorch


def test_deprecated_clip_grad_norm_warns():
    e, t = _params()
    for lib, ps in ((ember, e), (torch, t)):
        with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
            lib.nn.utils.clip_grad_norm(ps, 1.0)


@pytest.mark.parametrize("clip", [0.1, 1.5])
def test_clip_grad_value_matches_torch(clip):
    e, t = _params(scale=3.0, with_none=True)
    assert ember.nn.utils.clip_grad_value_(e, clip) is None
    torch.nn.utils.clip_grad_value_(t, clip)
    for pe, pt in zip(e, t):
        if pt.grad is not None:
            assert_same(pe.grad, pt.grad)
    e, t = _params()
    ember.nn.utils.clip_grad_value_(e[0], clip, foreach=False)
    torch.nn.utils.clip_grad_value_(t[0], clip, foreach=False)
    assert_same(e[0].grad, t[0].grad)


def test_parameters_to_vector_and_back():
    make = lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.LayerNorm(4), lib.nn.Linear(4, 2, bias=False))
    me, mt = make(ember), make(torch)
    me.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in mt.state_dict().items()})
    ve = ember.nn.utils.parameters_to_vector(me.parameters())
    vt = torch.nn.utils.parameters_to_vector(mt.parameters())
    assert_same(ve, vt)
    g = random_array(tuple(vt.shape), "float32")
    (ve * ember.tensor(g)).sum().backward()              # differentiable, as torch.cat
    (vt * torch.tensor(g)).sum().backward()
    for pe, pt in zip(me.parameters(), mt.parameters()):
        assert_same(pe.grad, pt.grad)
    new = random_array(tuple(vt.shape), "float32")
    ne, nt = ember.tensor(new), torch.tensor(new)
    ember.nn.utils.vector_to_parameters(ne, me.parameters())
    torch.nn.utils.vector_to_parameters(nt, mt.parameters())
    for pe, pt in zip(me.parameters(), mt.parameters()):
        assert_same(pe.detach(), pt.detach())
    ne[0] = 42.0                                           # parameters now share memory with the vector
    nt[0] = 42.0
    assert next(me.parameters())[0, 0].item() == next(mt.parameters())[0, 0].item() == 42.0


def test_vector_to_parameters_errors():
    ps = lambda lib: [lib.nn.Parameter(lib.randn(3, 4)), lib.nn.Parameter(lib.randn(2))]
    same_error(lambda lib: lib.nn.utils.vector_to_parameters([1.0, 2.0], ps(lib)))
    same_error(lambda lib: lib.nn.utils.vector_to_parameters(lib.randn(10), ps(lib)))


def test_rnn_utils_at_their_torch_path():
    from ember.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence
    seqs = [random_array((n, 3), "float32") for n in (4, 2, 3)]
    pe = pad_sequence([ember.tensor(s) for s in seqs], batch_first=True)
    pt = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=True)
    assert_same(pe, pt)
    packed = pack_padded_sequence(pe, ember.tensor([4, 2, 3]), batch_first=True, enforce_sorted=False)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(pt, torch.tensor([4, 2, 3]), batch_first=True,
                                                      enforce_sorted=False)
    assert isinstance(packed, PackedSequence)
    assert_same(packed.data, tpacked.data)
    assert_same(pad_packed_sequence(packed, batch_first=True)[0], torch.nn.utils.rnn.pad_packed_sequence(
        tpacked, batch_first=True)[0])
    assert ember.nn.utils.rnn.pack_sequence is ember.nn.modules.rnn.pack_sequence
