"""The Optimizer base against torch: param groups, named parameters, bad
input (same exception classes), hooks, zero_grad, repr, state_dict layout."""
import importlib

import pytest
import torch

import ember
from oracle import same_error


def params(lib, n=3):
    return [lib.nn.Parameter(lib.ones(i + 2)) for i in range(n)]


BAD = {
    "negative lr": lambda lib: lib.optim.SGD(params(lib), lr=-0.1),
    "negative momentum": lambda lib: lib.optim.SGD(params(lib), lr=0.1, momentum=-1),
    "nesterov without momentum": lambda lib: lib.optim.SGD(params(lib), lr=0.1, nesterov=True),
    "negative weight_decay": lambda lib: lib.optim.AdamW(params(lib), weight_decay=-1),
    "beta1 = 1": lambda lib: lib.optim.Adam(params(lib), betas=(1.0, 0.999)),
    "beta2 < 0": lambda lib: lib.optim.AdamW(params(lib), betas=(0.9, -0.1)),
    "int betas": lambda lib: lib.optim.Adam(params(lib), betas=(0, 0.9)),
    "negative eps": lambda lib: lib.optim.Adam(params(lib), eps=-1e-8),
    "2-element tensor lr": lambda lib: lib.optim.Adam(params(lib), lr=lib.tensor([0.1, 0.2])),
    "tensor lr with foreach": lambda lib: lib.optim.Adam(params(lib), lr=lib.tensor(0.1), foreach=True),
    "fused and foreach": lambda lib: lib.optim.Adam(params(lib), fused=True, foreach=True),
    "Adamax beta": lambda lib: lib.optim.Adamax(params(lib), betas=(0.9, 1.5)),
    "NAdam momentum_decay": lambda lib: lib.optim.NAdam(params(lib), momentum_decay=-1),
    "RAdam eps": lambda lib: lib.optim.RAdam(params(lib), eps=-1),
    "RMSprop alpha": lambda lib: lib.optim.RMSprop(params(lib), alpha=-0.5),
    "Adagrad lr_decay": lambda lib: lib.optim.Adagrad(params(lib), lr_decay=-1),
    "Adagrad initial_accumulator_value": lambda lib: lib.optim.Adagrad(params(lib), initial_accumulator_value=-1),
    "Adadelta rho": lambda lib: lib.optim.Adadelta(params(lib), rho=1.5),
    "Rprop etas": lambda lib: lib.optim.Rprop(params(lib), etas=(0.5, 0.9)),
    "ASGD weight_decay": lambda lib: lib.optim.ASGD(params(lib), weight_decay=-0.1),
    "LBFGS groups": lambda lib: lib.optim.LBFGS([{"params": params(lib)[:1]}, {"params": params(lib)[1:]}]),
    "LBFGS negative lr": lambda lib: lib.optim.LBFGS(params(lib), lr=-1),
    "empty parameter list": lambda lib: lib.optim.SGD([], lr=0.1),
    "a tensor, not an iterable": lambda lib: lib.optim.SGD(lib.nn.Parameter(lib.ones(2)), lr=0.1),
    "a set of parameters": lambda lib: lib.optim.SGD([{"params": set(params(lib))}], lr=0.1),
    "not a tensor": lambda lib: lib.optim.SGD([1.0, 2.0], lr=0.1),
    "non-leaf": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    "parameter in two groups": lambda lib: _two_groups_same_param(lib),
    "some names missing": lambda lib: lib.optim.SGD([("a", params(lib)[0]), params(lib)[1]], lr=0.1),
    "named and unnamed groups": lambda lib: _named_then_unnamed(lib),
    "group not a dict": lambda lib: lib.optim.SGD(params(lib), lr=0.1).add_param_group([params(lib)[0]]),
    "state_dict with other group count": lambda lib: _load(lib, [{"params": params(lib)[:1]},
                                                               {"params": params(lib)[1:]}]),
    "state_dict with other parameter count": lambda lib: _load(lib, params(lib, 2)),
    "LBFGS line search name": lambda lib: _lbfgs_step(lib, "armijo"),
}


def _two_groups_same_param(lib):
    p = params(lib)
    return lib.optim.SGD([{"params": p[:2]}, {"params": p[1:]}], lr=0.1)


def _named_then_unnamed(lib):
    p = params(lib)
    opt = lib.optim.SGD([("a", p[0])], lr=0.1)
    opt.add_param_group({"params": [p[1]]})


def _load(lib, other):
    opt = lib.optim.Adam(params(lib))
    lib.optim.Adam(other).load_state_dict(opt.state_dict())


def _lbfgs_step(lib, name):
    p = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.LBFGS([p], line_search_fn=name)
    opt.step(lambda: (opt.zero_grad(), (p * p).sum().backward(), (p * p).sum())[-1])


@pytest.mark.parametrize("name", BAD)
def test_bad_input_raises_as_torch(name):
    same_error(BAD[name])


def test_error_names_the_value():
    with pytest.raises(ValueError, match="-0.5"):
        ember.optim.Adam(params(ember), lr=-0.5)
    with pytest.raises(ValueError, match="index 1: 1.5"):
        ember.optim.Adam(params(ember), betas=(0.9, 1.5))


def test_duplicate_parameter_warns_as_torch():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def _groups(lib):
    p = params(lib)
    opt = lib.optim.Adam([{"params": p[:1], "lr": 0.1}, {"params": p[1:2], "betas": (0.5, 0.6)}], lr=0.01,
                         weight_decay=0.1)
    opt.add_param_group({"params": p[2], "eps": 1e-3})
    return opt


def test_param_groups_filled_from_defaults_and_repr():
    e, t = _groups(ember), _groups(torch)
    for ge, gt in zip(e.param_groups, t.param_groups):
        assert {k: v for k, v in ge.items() if k != "params"} == {k: v for k, v in gt.items() if k != "params"}
        assert len(ge["params"]) == len(gt["params"])
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults


def test_named_parameters_and_state_dict_layout():
    def build(lib):
        w, b = params(lib, 2)
        opt = lib.optim.SGD([("w", w), ("b", b)], lr=0.1, momentum=0.9)
        (w.sum() + b.sum()).backward()
        opt.step()
        return opt.state_dict()
    e, t = build(ember), build(torch)
    assert e["param_groups"] == t["param_groups"]       # params as indices, param_names kept
    assert list(e["state"]) == list(t["state"]) == [0, 1]
    assert list(e["state"][0]) == list(t["state"][0]) == ["momentum_buffer"]


def test_parameter_without_grad_is_skipped_and_state_untouched():
    for lib in (ember, torch):
        a, b = params(lib, 2)
        opt = lib.optim.Adam([a, b], lr=0.1)
        a.sum().backward()
        opt.step()
        assert b.grad is None and lib.equal(b.detach(), lib.ones(3))
        assert len(opt.state[b]) == 0 and float(opt.state[a]["step"]) == 1.0


def test_step_hooks_and_removal():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        calls = []
        h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
        h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
        p.sum().backward()
        opt.step()
        h1.remove()
        opt.step()
        h2.remove()
        opt.step()
        assert calls == [("pre", True), ("post", True), ("post", True)], lib.__name__


def test_state_dict_hooks():
    for lib in (ember, torch):
        opt = lib.optim.SGD(params(lib), lr=0.1)
        order = []
        opt.register_state_dict_pre_hook(lambda o: order.append("pre"))
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
        opt.register_load_state_dict_pre_hook(lambda o, sd: order.append("load pre"))
        opt.register_load_state_dict_post_hook(lambda o: order.append("load post"), prepend=True)
        sd = opt.state_dict()
        assert sd["extra"] == 1
        opt.load_state_dict(sd)
        assert order == ["pre", "load pre", "load post"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 2).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
        assert (p.grad is None) == set_to_none
        if not set_to_none:
            assert lib.equal(p.grad, lib.zeros(3))


def test_step_bumps_version_and_keeps_the_users_tensor():
    p = ember.nn.Parameter(ember.ones(3))
    data = p._data
    opt = ember.optim.AdamW([p])
    p.sum().backward()
    v = p._version
    opt.step()
    assert p._version > v and p._data is data


def test_differentiable_is_refused_clearly():
    """(SGD, Adam and AdamW have differentiable=True: tests/programs/test_prog_optim_data_sweep.py compares them
    with torch.)"""
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.RMSprop([p], lr=0.1, differentiable=True)
    p.sum().backward()
    with pytest.raises(NotImplementedError, match="differentiable"):
        opt.step()


def test_complex_parameters():
    import numpy as np
    data = np.array([1 + 2j, -0.5 + 0.25j, 3 - 1j], dtype=np.complex64)
    out = {}
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(data))
        opt = lib.optim.Adam([p], lr=0.1)
        for _ in range(5):
            opt.zero_grad()
            (p * p.conj()).real.sum().backward()
            opt.step()
        out[lib.__name__] = p.detach().numpy().copy()
    np.testing.assert_allclose(out["ember"], out["torch"], rtol=1e-5, atol=1e-6)


def test_global_hooks():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        calls = []
        opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
        module = importlib.import_module(lib.__name__ + ".optim.optimizer")
        handle = module.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global pre"))
        try:
            p.sum().backward()
            opt.step()
        finally:
            handle.remove()
        opt.step()
        assert calls == ["global pre", "post", "post"], lib.__name__
        assert lib.equal(p.detach(), lib.zeros(2))


def test_subclass_calling_super_step_runs_hooks_once():
    """(PyTorch runs them twice once the parent class has been instantiated, since it patches each class's step
    on first use; ember wraps each step at class creation and runs the hooks for the outermost call only.)"""
    class Mine(ember.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = ember.nn.Parameter(ember.ones(2))
    opt = Mine([p], lr=0.5)
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    p.sum().backward()
    opt.step()
    assert calls == ["pre"] and ember.equal(p.detach(), ember.full((2,), 0.5))


def test_pre_hook_can_replace_arguments():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([p], lr=0.1)
        seen = []

        def closure():
            seen.append(1)
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": closure}))
        loss = opt.step()
        assert seen == [1] and float(loss.detach()) == 3.0, lib.__name__


def test_custom_optimizer_written_for_torch():
    """A user's Optimizer subclass in PyTorch style (defaults, state, no_grad, in-place tensor ops) runs on ember."""
    import numpy as np

    def make(lib):
        class SignMomentum(lib.optim.Optimizer):
            def __init__(self, params, lr=0.01, beta=0.9):
                if lr < 0:
                    raise ValueError(f"Invalid learning rate: {lr}")
                super().__init__(params, dict(lr=lr, beta=beta))

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        if "buf" not in state:
                            state["buf"] = lib.zeros_like(p)
                        state["buf"].mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])
                        p.add_(state["buf"].sign(), alpha=-group["lr"])
        return SignMomentum

    data = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    out = {}
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.tensor(data))
        opt = make(lib)([w], lr=0.05)
        for _ in range(10):
            opt.zero_grad()
            (w.tanh() * w).sum().backward()
            opt.step()
        out[lib.__name__] = (w.detach().numpy().copy(), opt.state_dict()["state"][0]["buf"].numpy().copy(),
                             repr(opt))
    np.testing.assert_allclose(out["ember"][0], out["torch"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["ember"][1], out["torch"][1], rtol=1e-5, atol=1e-6)
    assert out["ember"][2] == out["torch"][2]


def test_parameter_listed_twice_is_updated_twice_as_torch():
    import warnings

    import numpy as np
    out = {}
    for lib in (ember, torch):
        a, b = params(lib, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt = lib.optim.Adam([a, b, a], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            ((a * a).sum() + (b * b * b).sum()).backward()
            opt.step()
        out[lib.__name__] = [a.detach().numpy().copy(), b.detach().numpy().copy(), float(opt.state[a]["step"])]
    for e, t in zip(out["ember"], out["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


def test_parameter_listed_twice_on_threads(monkeypatch):
    """Slices shared by threads: a parameter listed twice is still updated twice, in order."""
    from ember import _parallel
    from ember.optim import _functional, _packed
    monkeypatch.setattr(_packed, "SMALL", 0)
    monkeypatch.setattr(_functional, "CHUNK", 2)
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 4)
    test_parameter_listed_twice_is_updated_twice_as_torch()


def test_complex_parameter_listed_twice_on_threads(monkeypatch):
    """Complex parameters reach the rules as strided real views: a complex parameter listed twice is still seen
    as overlapping (updated twice, in order) when slices go to threads."""
    import warnings

    import numpy as np
    from ember import _parallel
    from ember.optim import _functional, _packed
    monkeypatch.setattr(_packed, "SMALL", 0)
    monkeypatch.setattr(_functional, "CHUNK", 2)
    monkeypatch.setattr(_parallel, "MIN_PER_THREAD", 1)
    monkeypatch.setattr(_parallel, "get_num_threads", lambda: 4)
    data = np.array([1 + 2j, -0.5 + 0.25j, 3 - 1j, 0.5j, 2.0], dtype=np.complex64)
    out = {}
    for lib in (ember, torch):
        a = lib.nn.Parameter(lib.tensor(data))
        for name in ("Adam", "SGD"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt = getattr(lib.optim, name)([a, a], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
            for _ in range(3):
                opt.zero_grad()
                (a * a.conj()).real.sum().backward()
                opt.step()
        out[lib.__name__] = a.detach().numpy().copy()
    np.testing.assert_allclose(out["ember"], out["torch"], rtol=1e-5, atol=1e-6)
