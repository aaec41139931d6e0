"""nn.utils.stateless.functional_call, ember.func.functional_call and nn.utils.skip_init against torch."""
import warnings

import pytest
import torch

import ember
import ember.func
from layer_oracle import copy_state
from oracle import assert_same, random_array, same_error, to_ember, to_torch


def _net(lib):
    net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.Tanh(), lib.nn.Linear(3, 2))
    return net


def _pair():
    tm, em = _net(torch).double(), _net(ember).double()
    copy_state(em, tm)
    return tm, em


def _replacements(lib, arrays):
    """The same replacement tensors in ``lib``; those for parameters require grad, buffers do not."""
    conv = to_torch if lib is torch else to_ember
    return {k: conv(a, "running" not in k) for k, a in arrays.items()}


@pytest.mark.parametrize("call", ["func", "stateless"])
def test_functional_call_matches_torch(call):
    tm, em = _pair()
    arrays = {"0.weight": random_array((3, 4), "float64"), "3.bias": random_array((2,), "float64"),
              "1.running_mean": random_array((3,), "float64")}
    x = random_array((5, 4), "float64")
    outs, given = {}, {}
    for lib, m in ((torch, tm), (ember, em)):
        given[lib] = _replacements(lib, arrays)
        xin = to_torch(x) if lib is torch else to_ember(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            fn = lib.func.functional_call if call == "func" else lib.nn.utils.stateless.functional_call
            outs[lib] = fn(m, given[lib], (xin,))
        outs[lib].sum().backward()
    assert_same(outs[ember], outs[torch])
    for k in ("0.weight", "3.bias"):        # gradients reach the given tensors
        assert_same(given[ember][k].grad, given[torch][k].grad, what=f"grad of {k}")
    # train-mode batch norm updated the swapped-in running mean in place
    assert_same(given[ember]["1.running_mean"], given[torch]["1.running_mean"])
    for (kt, pt), (ke, pe) in zip(tm.named_parameters(), em.named_parameters()):
        assert kt == ke and (pe.grad is None) == (pt.grad is None)
        if pt.grad is not None:
            assert_same(pe.grad, pt.grad, what=f"grad of {kt}")
    # the module's own tensors are back in place
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, what=k)
    assert isinstance(em[0].weight, ember.nn.Parameter)


def test_functional_call_dict_sequence_and_tied_weights():
    tm, em = _pair()
    x = random_array((2, 4), "float64")
    w, b = random_array((3, 4), "float64"), random_array((3,), "float64")
    for lib, m in ((torch, tm), (ember, em)):
        m.eval()
    outs = [lib.func.functional_call(m, ({"0.weight": _replacements(lib, {"w": w})["w"]},
                                         {"0.bias": _replacements(lib, {"b": b})["b"]}),
                                     to_torch(x) if lib is torch else to_ember(x))
            for lib, m in ((torch, tm), (ember, em))]
    assert_same(outs[1], outs[0])

    def tied(lib):
        m = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)).double()
        m[1].weight = m[0].weight
        return m
    tt, et = tied(torch), tied(ember)
    copy_state(et, tt)
    w3 = random_array((3, 3), "float64")
    x3 = random_array((2, 3), "float64")
    outs = [lib.func.functional_call(m, {"0.weight": _replacements(lib, {"w": w3})["w"]},
                                     (to_torch(x3) if lib is torch else to_ember(x3),))
            for lib, m in ((torch, tt), (ember, et))]
    assert_same(outs[1], outs[0])     # the value replaces both tied names


def test_functional_call_errors_match_torch():
    same_error(lambda lib: lib.func.functional_call(_net(lib), {"0.weight": lib.zeros(3, 4), "9.x": lib.zeros(1)},
                                                    lib.ones(2, 4), strict=True))
    same_error(lambda lib: lib.func.functional_call(_net(lib), ({"0.bias": lib.zeros(3)}, {"0.bias": lib.ones(3)}),
                                                    lib.ones(2, 4)))
    same_error(lambda lib: lib.func.functional_call(_net(lib), "0.bias", lib.ones(2, 4)))
    same_error(lambda lib: lib.func.functional_call(_net(lib), {"0.weight": 3.0}, lib.ones(2, 4)))


def test_skip_init():
    m = ember.nn.utils.skip_init(ember.nn.Linear, 4, 3, dtype=ember.float64)
    assert type(m) is ember.nn.Linear and m.weight.shape == (3, 4) and m.weight.dtype == ember.float64
    same_error(lambda lib: lib.nn.utils.skip_init(lib.nn.Tanh))
    same_error(lambda lib: lib.nn.utils.skip_init(int))
