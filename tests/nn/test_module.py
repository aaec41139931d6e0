"""nn.Module and containers, run side by side with torch.nn."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, same_error


def build(lib, seed_arrays):
    """The same small model in either library, with parameters from ``seed_arrays``."""
    nn = lib.nn

    class Affine(nn.Module):
        def __init__(self, w, b):
            super().__init__()
            self.weight = nn.Parameter(lib.tensor(w))
            self.bias = nn.Parameter(lib.tensor(b))

        def forward(self, x):
            return x @ self.weight + self.bias

        def extra_repr(self):
            return f"in={self.weight.shape[0]}, out={self.weight.shape[1]}"

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Affine(seed_arrays["w1"], seed_arrays["b1"])
            self.blocks = nn.ModuleList([Affine(seed_arrays["w2"], seed_arrays["b2"]) for _ in range(2)])
            self.head = nn.Sequential(OrderedDict(proj=Affine(seed_arrays["w3"], seed_arrays["b3"])))
            self.register_buffer("steps", lib.zeros(1, dtype=lib.int64))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.tensor(seed_arrays["s"]))

        def forward(self, x):
            x = self.first(x).tanh()
            for blk in self.blocks:
                x = blk(x).tanh()
            return self.head(x) * self.scale

    return Net()


@pytest.fixture
def arrays():
    r = np.random.default_rng()
    return {"w1": r.normal(size=(4, 3)).astype(np.float32), "b1": r.normal(size=3).astype(np.float32),
            "w2": r.normal(size=(3, 3)).astype(np.float32), "b2": r.normal(size=3).astype(np.float32),
            "w3": r.normal(size=(3, 2)).astype(np.float32), "b3": r.normal(size=2).astype(np.float32),
            "s": np.float32(r.uniform(0.5, 2))}


def test_registration_order_names_and_state_dict(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_same(es[k], ts[k])
        assert not es[k].requires_grad
    assert e.state_dict(keep_vars=True)["first.weight"] is e.first.weight
    assert list(e.state_dict(prefix="model.")) == list(t.state_dict(prefix="model."))
    assert [n for n, _ in e.named_parameters(prefix="p", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="p", recurse=False)]


def test_forward_and_gradients_match(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    x = np.random.default_rng().normal(size=(5, 4)).astype(np.float32)
    ey, ty = e(ember.tensor(x)), t(torch.tensor(x))
    assert_same(ey, ty)
    ey.sum().backward()
    ty.sum().backward()
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(ep.grad, tp.grad, rtol=1e-4, atol=1e-5, what=n)
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())


def test_repr_matches_torch(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    assert repr(e) == repr(t)
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_load_state_dict_strict_and_errors(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    with torch.no_grad():
        for p in t.parameters():
            p.add_(1.0)
    state = {k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()}
    res = e.load_state_dict(state)
    assert repr(res) == "<All keys matched successfully>"
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(ep.detach(), tp.detach(), what=n)
    # missing and unexpected keys
    partial = dict(state)
    del partial["scale"]
    partial["extra.weight"] = ember.ones(1)
    tpartial = {k: torch.tensor(v.numpy()) for k, v in partial.items()}
    er = e.load_state_dict(partial, strict=False)
    tr = t.load_state_dict(tpartial, strict=False)
    assert er.missing_keys == tr.missing_keys and er.unexpected_keys == tr.unexpected_keys
    for lib, m, sd in ((ember, e, partial), (torch, t, tpartial)):
        with pytest.raises(RuntimeError, match="Missing key\\(s\\) in state_dict: \"scale\""):
            m.load_state_dict(sd)
    bad = dict(state)
    bad["first.weight"] = ember.ones(2, 2)
    with pytest.raises(RuntimeError, match="size mismatch for first.weight"):
        e.load_state_dict(bad, strict=False)


def test_train_eval_requires_grad_and_apply(arrays):
    e = build(ember, arrays)
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    t = build(torch, arrays)
    tseen = []
    t.apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen
    with pytest.raises(ValueError):
        e.train("yes")


def test_to_dtype_converts_floating_only(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    w = e.first.weight
    e.double()
    t.double()
    assert e.first.weight is w
    for (n, eb), (_, tb) in zip(e.state_dict().items(), t.state_dict().items()):
        assert str(eb.dtype).split(".")[-1] == str(tb.dtype).split(".")[-1], n
    e.to(ember.float16)
    t.to(torch.float16)
    assert [str(v.dtype).split(".")[-1] for v in e.state_dict().values()] == \
        [str(v.dtype).split(".")[-1] for v in t.state_dict().values()]


def test_attribute_errors_and_registration_errors(arrays):
    for lib in (ember, torch):
        m = build(lib, arrays)
        with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
            m.nope
    same_error(lambda lib: setattr(build(lib, arrays), "scale", lib.ones(1)))
    same_error(lambda lib: build(lib, arrays).register_parameter("a.b", None))
    same_error(lambda lib: build(lib, arrays).register_buffer("first", lib.ones(1)))
    same_error(lambda lib: build(lib, arrays).register_buffer("x", 3))
    same_error(lambda lib: build(lib, arrays).add_module("x", 3))
    same_error(lambda lib: setattr(lib.nn.Module.__new__(lib.nn.Module), "p", lib.nn.Parameter(lib.ones(1))))
    same_error(lambda lib: build(lib, arrays).register_parameter("q", lib.nn.Parameter(lib.ones(1)) * 2))


def test_get_submodule_parameter_and_dir(arrays):
    e, t = build(ember, arrays), build(torch, arrays)
    assert type(e.get_submodule("blocks.1")).__name__ == type(t.get_submodule("blocks.1")).__name__
    assert_same(e.get_parameter("head.proj.bias").detach(), t.get_parameter("head.proj.bias").detach())
    for m in (e, t):
        with pytest.raises(AttributeError):
            m.get_submodule("nothing.here")
    assert "first" in dir(e) and "scale" in dir(e) and "steps" in dir(e)


def test_hooks_forward_pre_forward_and_backward(arrays):
    x = np.random.default_rng().normal(size=(2, 4)).astype(np.float32)
    records = {}
    for lib in (ember, torch):
        m = build(lib, arrays)
        log = []
        h1 = m.first.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.first.register_forward_hook(lambda mod, args, out: out + 1)
        m.head.register_full_backward_hook(lambda mod, gi, go: log.append(
            (tuple(None if g is None else g.detach().numpy().copy() for g in gi),
             tuple(g.detach().numpy().copy() for g in go))))
        xin = lib.tensor(x, requires_grad=True)
        y = m(xin)
        y.sum().backward()
        records[lib.__name__] = (y.detach().numpy().copy(), xin.grad.numpy().copy(), log)
        h1.remove()
        h2.remove()
        assert not m.first._forward_pre_hooks and not m.first._forward_hooks
    (ey, eg, elog), (ty, tg, tlog) = records["ember"], records["torch"]
    np.testing.assert_allclose(ey, ty, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(eg, tg, rtol=1e-4, atol=1e-5)
    assert len(elog) == len(tlog) == 1
    for a, b in zip(elog[0][0] + elog[0][1], tlog[0][0] + tlog[0][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_backward_hook_can_replace_grad_input(arrays):
    x = np.random.default_rng().normal(size=(2, 4)).astype(np.float32)
    grads = []
    for lib in (ember, torch):
        m = build(lib, arrays)
        m.first.register_full_backward_hook(lambda mod, gi, go: tuple(g * 0 + 3 for g in gi))
        xin = lib.tensor(x, requires_grad=True)
        m(xin).sum().backward()
        grads.append(xin.grad.numpy().copy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_deepcopy_and_pickle_roundtrip(arrays):
    e = build(ember, arrays)
    c = copy.deepcopy(e)
    assert c.first.weight is not e.first.weight
    assert isinstance(c.first.weight, ember.nn.Parameter)
    np.testing.assert_array_equal(c.first.weight.detach().numpy(), e.first.weight.detach().numpy())
    p = pickle.loads(pickle.dumps(e.state_dict()))
    assert list(p) == list(e.state_dict())
    param = pickle.loads(pickle.dumps(e.scale))
    assert isinstance(param, ember.nn.Parameter) and param.requires_grad


def test_parameter_repr_and_defaults():
    arr = np.random.default_rng().normal(size=3).astype(np.float32)
    e, t = ember.nn.Parameter(ember.tensor(arr)), torch.nn.Parameter(torch.tensor(arr))
    assert repr(e) == repr(t)
    assert e.requires_grad and e.is_leaf
    assert repr(ember.nn.Parameter(ember.tensor(arr), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.tensor(arr), requires_grad=False))


def test_sequential_indexing_slicing_and_mutation():
    def mods(lib):
        return [lib.nn.Module() for _ in range(4)]
    for lib in (ember, torch):
        ms = mods(lib)
        s = lib.nn.Sequential(*ms)
        assert s[1] is ms[1] and s[-1] is ms[3] and len(s) == 4
        assert list(s[1:3]) == ms[1:3] and type(s[1:3]) is lib.nn.Sequential
        s.append(lib.nn.Module())
        s.insert(0, lib.nn.Module())
        assert [n for n, _ in s.named_children()] == [str(i) for i in range(6)]
        del s[0]
        assert s[0] is ms[0] and len(s) == 5
        s.extend([lib.nn.Module()])
        assert len(s) == 6
        with pytest.raises(IndexError):
            s[10]


def test_module_dict_parameter_list_and_dict_match_torch():
    arr = np.random.default_rng().normal(size=(2, 3)).astype(np.float32)
    reprs = []
    for lib in (ember, torch):
        m = lib.nn.Module()
        m.d = lib.nn.ModuleDict({"a": lib.nn.Module(), "b": lib.nn.Module()})
        m.pl = lib.nn.ParameterList([lib.nn.Parameter(lib.tensor(arr)), lib.tensor(arr)])
        m.pd = lib.nn.ParameterDict({"x": lib.nn.Parameter(lib.tensor(arr))})
        reprs.append((repr(m), list(m.state_dict()), [n for n, _ in m.named_parameters()]))
        assert isinstance(m.pl[1], lib.nn.Parameter)
        assert "a" in m.d and len(m.d) == 2 and list(m.d.keys()) == ["a", "b"]
    assert reprs[0][1:] == reprs[1][1:]
    assert reprs[0][0] == reprs[1][0].replace("torch.", "ember.")


def test_tied_parameters_listed_once(arrays):
    for lib in (ember, torch):
        m = build(lib, arrays)
        m.blocks[1].weight = m.blocks[0].weight
        names = [n for n, _ in m.named_parameters()]
        assert "blocks.1.weight" not in names
        assert "blocks.1.weight" in [n for n, _ in m.named_parameters(remove_duplicate=False)]
        assert "blocks.1.weight" in m.state_dict()


def test_state_dict_hooks_see_the_module_and_its_metadata():
    """The public load pre-hook gets the module first; the private one does not; a state_dict post-hook's
    local_metadata is the metadata saved for that module (spectral_norm records its version there)."""
    seen = {}
    for lib in (ember, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2))
        calls = []
        m[0].register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: calls.append((type(mod).__name__,
                                                                                             prefix)))
        m[0]._register_load_state_dict_pre_hook(lambda sd, prefix, *rest: calls.append(("private", prefix)))
        m[0].register_state_dict_post_hook(lambda mod, sd, prefix, meta: meta.update(note=prefix))
        sd = m.state_dict()
        m.load_state_dict(sd)
        seen[lib] = (calls, dict(sd._metadata))
    assert seen[ember] == seen[torch]
