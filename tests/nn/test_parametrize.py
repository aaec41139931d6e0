"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal) and the hook-based
nn.utils.weight_norm / spectral_norm against torch: the same module built in both libraries, torch's state
(including spectral_norm's random u, v and orthogonal's random base) copied into ember, then forward values,
parameter gradients, state_dict keys and values, SGD trajectories, power-iteration buffers, removal, errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr, compare_grads, copy_state
from oracle import assert_same, random_array, same_error, to_ember, to_torch

DTYPES = ["float32", "float64"]


def _custom(lib):
    """User-written parametrizations, the same code for both libraries (from torch's documentation)."""
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()

    class RankOne(lib.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            U, S, Vh = lib.linalg.svd(Z, full_matrices=False)
            s0_sqrt = S[0].sqrt().unsqueeze(-1)
            return U[..., :, 0] * s0_sqrt, Vh[..., 0, :] * s0_sqrt

    class Double(lib.nn.Module):     # no right_inverse: the stored original is the weight itself
        def forward(self, X):
            return 2 * X

    class Widen(lib.nn.Module):      # changes the shape: needs unsafe=True
        def forward(self, X):
            return lib.cat([X, X], dim=-1)

    return dict(Symmetric=Symmetric, RankOne=RankOne, Double=Double, Widen=Widen)


def _linear(lib, dtype, n_in=5, n_out=5):
    return lib.nn.Linear(n_in, n_out, dtype=getattr(lib, dtype))


def _pz(lib):
    return lib.nn.utils.parametrize


def _pzs(lib):
    return lib.nn.utils.parametrizations


# cases: name -> (make(lib, dtype) -> module, input shape)
CASES = {
    "symmetric": (lambda lib, dt: _pz(lib).register_parametrization(_linear(lib, dt), "weight",
                                                                    _custom(lib)["Symmetric"]()), (3, 5)),
    "rank_one": (lambda lib, dt: _pz(lib).register_parametrization(_linear(lib, dt, 4, 6), "weight",
                                                                   _custom(lib)["RankOne"]()), (3, 4)),
    "chained": (lambda lib, dt: _pz(lib).register_parametrization(
        _pz(lib).register_parametrization(_linear(lib, dt), "weight", _custom(lib)["Symmetric"]()),
        "weight", _custom(lib)["Double"]()), (2, 5)),
    "bias_and_weight": (lambda lib, dt: _pz(lib).register_parametrization(
        _pz(lib).register_parametrization(_linear(lib, dt), "bias", _custom(lib)["Double"]()),
        "weight", _custom(lib)["Symmetric"]()), (2, 5)),
    "unsafe_widen": (lambda lib, dt: _pz(lib).register_parametrization(_linear(lib, dt, 3, 2), "weight",
                                                                       _custom(lib)["Widen"](), unsafe=True),
                     (2, 6)),
    "weight_norm": (lambda lib, dt: _pzs(lib).weight_norm(_linear(lib, dt, 4, 3)), (2, 4)),
    "weight_norm_dim1_conv": (lambda lib, dt: _pzs(lib).weight_norm(
        lib.nn.Conv1d(3, 4, 3, dtype=getattr(lib, dt)), dim=1), (2, 3, 7)),
    "weight_norm_dim_none": (lambda lib, dt: _pzs(lib).weight_norm(_linear(lib, dt, 4, 3), dim=None), (2, 4)),
    "weight_norm_dim_neg2": (lambda lib, dt: _pzs(lib).weight_norm(
        lib.nn.Conv1d(2, 3, 2, dtype=getattr(lib, dt)), dim=-2), (2, 2, 5)),
    "weight_norm_vector": (lambda lib, dt: _pzs(lib).weight_norm(_linear(lib, dt, 4, 3), name="bias"), (2, 4)),
    "spectral_norm": (lambda lib, dt: _pzs(lib).spectral_norm(_linear(lib, dt, 6, 4)), (3, 6)),
    "spectral_norm_3iters_conv": (lambda lib, dt: _pzs(lib).spectral_norm(
        lib.nn.Conv2d(2, 3, 3, dtype=getattr(lib, dt)), n_power_iterations=3, eps=1e-6), (2, 2, 5, 5)),
    "spectral_norm_conv_transpose": (lambda lib, dt: _pzs(lib).spectral_norm(
        lib.nn.ConvTranspose1d(3, 2, 3, dtype=getattr(lib, dt))), (2, 3, 4)),
    "orthogonal_square": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 5, 5)), (3, 5)),
    "orthogonal_tall": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 3, 6)), (3, 3)),
    "orthogonal_wide": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 6, 3)), (3, 6)),
    "orthogonal_cayley_wide": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 5, 3),
                                                                   orthogonal_map="cayley"), (3, 5)),
    "orthogonal_matrix_exp_tall": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 3, 5),
                                                                       orthogonal_map="matrix_exp"), (2, 3)),
    "orthogonal_householder_square": (lambda lib, dt: _pzs(lib).orthogonal(_linear(lib, dt, 4, 4),
                                                                          orthogonal_map="householder"), (2, 4)),
    "orthogonal_householder_no_trivialization": (lambda lib, dt: _pzs(lib).orthogonal(
        _linear(lib, dt, 3, 5), orthogonal_map="householder", use_trivialization=False), (2, 3)),
}


def _build(case, dtype):
    make, shape = CASES[case]
    tm, em = make(torch, dtype), make(ember, dtype)
    copy_state(em, tm)       # also torch's random spectral-norm vectors and orthogonal base
    return tm, em, shape


def _tol(dtype):
    """float32: QR, solve, the matrix exponential and three SGD steps each round differently from torch's
    kernels; values are O(1), so a few ulps of them exceed the default atol of 1e-6."""
    return (1e-4, 1e-5) if dtype == "float32" else (None, None)


def _state_matches(em, tm, dtype, what):
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        assert_same(esd[k], tsd[k], *_tol(dtype), what=f"{what}: state_dict[{k!r}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(CASES))
def test_parametrized_training_matches_torch(case, dtype):
    """Forward, gradients of the originals, state_dict and three SGD steps (training mode, so spectral norm's
    power iteration advances each forward)."""
    tm, em, shape = _build(case, dtype)
    tol = _tol(dtype)
    assert type(em).__name__ == type(tm).__name__ == "Parametrized" + type(tm).__bases__[0].__name__
    assert_same_repr(em, tm)
    for name in tm.parametrizations:
        assert_same(getattr(em, name), getattr(tm, name), *tol, what=f"parametrized {name}")
    t_opt = torch.optim.SGD(tm.parameters(), lr=0.1)
    e_opt = ember.optim.SGD(em.parameters(), lr=0.1)
    for step in range(3):
        x = random_array(shape, dtype)
        t_out, e_out = tm(to_torch(x)), em(to_ember(x))
        assert_same(e_out, t_out, *tol, what=f"forward, step {step}")
        g = random_array(tuple(t_out.shape), dtype)
        t_out.backward(to_torch(g))
        e_out.backward(to_ember(g))
        # weight_norm of a vector normalises each number by itself: the gradient of its direction v is 0 up
        # to rounding, ~ulp(g * dL/dw) / |v|, which for a small |v| exceeds the float32 atol in either library
        grad_tol = (tol[0], 1e-4) if case == "weight_norm_vector" and dtype == "float32" else tol
        compare_grads(em, tm, [], [], *grad_tol)
        t_opt.step()
        e_opt.step()
        t_opt.zero_grad()
        e_opt.zero_grad()
        _state_matches(em, tm, dtype, f"after step {step}")
    for name in tm.parametrizations:
        assert_same(getattr(em, name), getattr(tm, name), *tol, what=f"parametrized {name} after training")


@pytest.mark.parametrize("dtype", DTYPES)
def test_state_dict_keys_are_torchs(dtype):
    tm, em, _ = _build("rank_one", dtype)
    assert list(em.state_dict()) == ["bias", "parametrizations.weight.original0",
                                     "parametrizations.weight.original1"]
    tm, em, _ = _build("spectral_norm", dtype)
    assert list(em.state_dict()) == ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
                                     "parametrizations.weight.0._v"]
    assert list(dict(em.named_parameters())) == list(dict(tm.named_parameters()))
    assert list(dict(em.named_buffers())) == list(dict(tm.named_buffers()))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_iter", [1, 4])
def test_spectral_norm_power_iteration_buffers(n_iter, dtype):
    """u and v after each training forward equal torch's (from torch's random start); eval leaves them."""
    make = lambda lib: _pzs(lib).spectral_norm(lib.nn.Linear(7, 4, dtype=getattr(lib, dtype)),  # noqa: E731
                                               n_power_iterations=n_iter)
    tm, em = make(torch), make(ember)
    copy_state(em, tm)
    for step in range(4):
        x = random_array((2, 7), dtype)
        assert_same(em(to_ember(x)), tm(to_torch(x)), *_tol(dtype), what=f"forward {step}")
        for b in ("_u", "_v"):
            assert_same(getattr(em.parametrizations.weight[0], b), getattr(tm.parametrizations.weight[0], b),
                        *_tol(dtype), what=f"{b} after forward {step}")
    em.eval()
    tm.eval()
    before = em.parametrizations.weight[0]._u.numpy().copy()
    x = random_array((2, 7), dtype)
    assert_same(em(to_ember(x)), tm(to_torch(x)), *_tol(dtype), what="eval forward")
    np.testing.assert_array_equal(em.parametrizations.weight[0]._u.numpy(), before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_orthogonal_weight_is_orthogonal(dtype):
    for n_out, n_in in [(5, 5), (6, 3), (3, 6)]:
        m = _pzs(ember).orthogonal(_linear(ember, dtype, n_in, n_out))
        w = m.weight.detach().numpy()
        gram = w.T @ w if n_out >= n_in else w @ w.T
        np.testing.assert_allclose(gram, np.eye(min(n_in, n_out)), atol=1e-5 if dtype == "float32" else 1e-12)


def test_orthogonal_map_choice_and_base():
    """torch's defaults: matrix_exp for square, householder otherwise; the weight is kept (it becomes base)."""
    for shape, expected in [((4, 4), "matrix_exp"), ((5, 3), "householder"), ((3, 5), "householder")]:
        em = _linear(ember, "float64", shape[1], shape[0])
        w = em.weight.detach().numpy().copy()
        _pzs(ember).orthogonal(em)
        assert em.parametrizations.weight[0].orthogonal_map.name == expected
        if shape[0] == shape[1]:   # square: base is the Q of w's QR, R's diagonal positive
            q, r = np.linalg.qr(w)
            np.testing.assert_allclose(em.weight.detach().numpy(), q * np.sign(np.diag(r)), atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_assigning_runs_right_inverse(dtype):
    tm, em, _ = _build("symmetric", dtype)
    a = random_array((5, 5), dtype)
    a = a + a.T
    tm.weight = to_torch(a)
    em.weight = to_ember(a)
    assert_same(em.parametrizations.weight.original, tm.parametrizations.weight.original, *_tol(dtype))
    assert_same(em.weight, tm.weight, *_tol(dtype))
    np.testing.assert_allclose(em.weight.detach().numpy(), a, rtol=1e-6)
    # a chain with a parametrization lacking right_inverse cannot be assigned to
    same_error(lambda lib: setattr(CASES["chained"][0](lib, dtype), "weight",
                                   lib.ones(5, 5, dtype=getattr(lib, dtype))))


def test_original_keeps_its_identity():
    """The registered parameter object becomes ``original`` and comes back on removal, so an optimizer built
    before parametrizing still trains it."""
    m = ember.nn.Linear(3, 3)
    w = m.weight
    _pz(ember).register_parametrization(m, "weight", _custom(ember)["Symmetric"]())
    assert m.parametrizations.weight.original is w
    _pz(ember).remove_parametrizations(m, "weight", leave_parametrized=True)
    assert m.weight is w and type(m) is ember.nn.Linear
    assert isinstance(m.weight, ember.nn.Parameter)
    assert not _pz(ember).is_parametrized(m)


@pytest.mark.parametrize("case,leave", [(c, leave) for c in ["symmetric", "chained", "spectral_norm",
                                                               "orthogonal_tall", "bias_and_weight"]
                                         for leave in (True, False)] + [("weight_norm", True), ("rank_one", True)])
def test_remove_parametrizations(case, leave):
    """The weight becomes a plain Parameter holding the parametrized value (or the stored original); the class
    is restored once no parametrization is left."""
    tm, em, _ = _build(case, "float64")
    _pz(torch).remove_parametrizations(tm, "weight", leave_parametrized=leave)
    _pz(ember).remove_parametrizations(em, "weight", leave_parametrized=leave)
    assert type(em).__name__ == type(tm).__name__
    assert _pz(ember).is_parametrized(em) == _pz(torch).is_parametrized(tm)
    assert _pz(ember).type_before_parametrizations(em).__name__ == \
        _pz(torch).type_before_parametrizations(tm).__name__
    assert isinstance(em.weight, ember.nn.Parameter)
    assert em.weight.requires_grad
    _state_matches(em, tm, "float64", "after removal")
    assert_same_repr(em, tm)
    x = random_array((2, em.weight.shape[1]), "float64")
    assert_same(em(to_ember(x)), tm(to_torch(x)))


def test_cached_computes_once():
    for lib in (ember, torch):
        m = CASES["symmetric"][0](lib, "float32")
        assert m.weight is not m.weight
        with _pz(lib).cached():
            w = m.weight
            assert m.weight is w
            with _pz(lib).cached():   # nested: the cache lives until the outermost exits
                assert m.weight is w
            assert m.weight is w
        assert m.weight is not w


@pytest.mark.parametrize("dtype", DTYPES)
def test_cached_forward_and_grad(dtype):
    """A weight used twice inside cached(): one graph, gradients still those of torch."""
    tm, em, _ = _build("spectral_norm", dtype)
    x = random_array((3, 6), dtype)
    outs = []
    for lib, m in ((torch, tm), (ember, em)):
        with _pz(lib).cached():
            xin = to_torch(x) if lib is torch else to_ember(x)
            out = (m(xin) * m(xin)).sum() + (m.weight * m.weight).sum()
        out.backward()
        outs.append(out)
    assert_same(outs[1], outs[0], *_tol(dtype))
    compare_grads(em, tm, [], [], *_tol(dtype))
    _state_matches(em, tm, dtype, "after cached forward")


def test_deepcopy_and_pickle():
    tm, em, _ = _build("orthogonal_square", "float64")
    ec, tc = copy.deepcopy(em), copy.deepcopy(tm)
    assert type(ec).__name__ == type(tc).__name__ == "ParametrizedLinear"
    assert ec.parametrizations.weight.original is not em.parametrizations.weight.original
    _state_matches(ec, tc, "float64", "deepcopy")
    x = random_array((2, 5), "float64")
    assert_same(ec(to_ember(x)), tc(to_torch(x)))
    same_error(lambda lib: pickle.dumps(CASES["symmetric"][0](lib, "float32")))


def test_transfer_parametrizations_and_params():
    tm, em, _ = _build("symmetric", "float64")
    t_to, e_to = torch.nn.Linear(5, 5).double(), ember.nn.Linear(5, 5).double()
    _pz(torch).transfer_parametrizations_and_params(tm, t_to)
    _pz(ember).transfer_parametrizations_and_params(em, e_to)
    assert e_to.parametrizations.weight.original is em.parametrizations.weight.original
    assert_same(e_to.weight, t_to.weight)
    assert list(e_to.state_dict()) == list(t_to.state_dict())


def test_weight_norm_loads_hook_version_state_dict():
    """parametrizations.weight_norm accepts a state_dict saved with the hook version (weight_g, weight_v)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3).double())
    sd = old.state_dict()
    tm = _pzs(torch).weight_norm(torch.nn.Linear(4, 3).double())
    em = _pzs(ember).weight_norm(ember.nn.Linear(4, 3).double())
    tm.load_state_dict(sd)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in sd.items()})
    _state_matches(em, tm, "float64", "after loading the hook-version keys")


def _errors():
    C = _custom
    return {
        "missing name": lambda lib: _pz(lib).register_parametrization(lib.nn.Linear(3, 3), "weigth",
                                                                      C(lib)["Symmetric"]()),
        "shape change without unsafe": lambda lib: _pz(lib).register_parametrization(lib.nn.Linear(3, 2),
                                                                                     "weight", C(lib)["Widen"]()),
        "chained shape change": lambda lib: _pz(lib).register_parametrization(
            _pz(lib).register_parametrization(lib.nn.Linear(3, 3), "weight", C(lib)["Double"]()), "weight",
            C(lib)["Widen"]()),
        "remove unparametrized": lambda lib: _pz(lib).remove_parametrizations(lib.nn.Linear(3, 3), "weight"),
        "leave tuple unparametrized": lambda lib: _pz(lib).remove_parametrizations(
            _pzs(lib).weight_norm(lib.nn.Linear(3, 3)), "weight", leave_parametrized=False),
        "spectral zero iterations": lambda lib: _pzs(lib).spectral_norm(lib.nn.Linear(3, 3), n_power_iterations=0),
        "spectral dim out of range": lambda lib: _pzs(lib).spectral_norm(lib.nn.Linear(3, 3), dim=2),
        "spectral missing name": lambda lib: _pzs(lib).spectral_norm(lib.nn.Linear(3, 3), name="w"),
        "orthogonal vector": lambda lib: _pzs(lib).orthogonal(lib.nn.Linear(3, 3), name="bias"),
        "orthogonal unknown map": lambda lib: _pzs(lib).orthogonal(lib.nn.Linear(3, 3), orthogonal_map="qr"),
        "orthogonal assign wrong shape": lambda lib: setattr(_pzs(lib).orthogonal(lib.nn.Linear(3, 3)), "weight",
                                                             lib.eye(4)),
        "orthogonal assign without trivialization": lambda lib: setattr(_pzs(lib).orthogonal(
            lib.nn.Linear(3, 3), use_trivialization=False), "weight", lib.eye(3)),
        "hook weight_norm twice": lambda lib: lib.nn.utils.weight_norm(lib.nn.utils.weight_norm(lib.nn.Linear(3, 3))),
        "remove absent weight_norm": lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(3, 3)),
        "hook spectral_norm twice": lambda lib: lib.nn.utils.spectral_norm(
            lib.nn.utils.spectral_norm(lib.nn.Linear(3, 3))),
        "remove absent spectral_norm": lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(3, 3)),
        "hook spectral_norm zero iterations": lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(3, 3),
                                                                                  n_power_iterations=0),
    }


@pytest.mark.parametrize("name", list(_errors()))
def test_errors_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        same_error(_errors()[name])


# ---------------------------------------------------------------------------- the hook-based versions
HOOK_CASES = {
    "weight_norm": (lambda lib, dt: lib.nn.utils.weight_norm(_linear(lib, dt, 4, 3)), (2, 4),
                    ["bias", "weight_g", "weight_v"]),
    "weight_norm_dim_none_conv": (lambda lib, dt: lib.nn.utils.weight_norm(
        lib.nn.Conv1d(2, 3, 3, dtype=getattr(lib, dt)), dim=None), (2, 2, 6), ["bias", "weight_g", "weight_v"]),
    "spectral_norm": (lambda lib, dt: lib.nn.utils.spectral_norm(_linear(lib, dt, 5, 4)), (3, 5),
                      ["bias", "weight_orig", "weight_u", "weight_v"]),
    "spectral_norm_conv_transpose_2iters": (lambda lib, dt: lib.nn.utils.spectral_norm(
        lib.nn.ConvTranspose1d(3, 2, 3, dtype=getattr(lib, dt)), n_power_iterations=2), (2, 3, 4),
        ["bias", "weight_orig", "weight_u", "weight_v"]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(HOOK_CASES))
def test_hook_versions_match_torch(case, dtype):
    make, shape, keys = HOOK_CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tm, em = make(torch, dtype), make(ember, dtype)
    assert list(em.state_dict()) == keys == list(tm.state_dict())
    copy_state(em, tm)
    t_opt = torch.optim.SGD(tm.parameters(), lr=0.1)
    e_opt = ember.optim.SGD(em.parameters(), lr=0.1)
    for step in range(3):
        x = random_array(shape, dtype)
        t_out, e_out = tm(to_torch(x)), em(to_ember(x))
        assert_same(e_out, t_out, *_tol(dtype), what=f"forward, step {step}")
        assert_same(em.weight, tm.weight, *_tol(dtype), what=f"weight, step {step}")
        g = random_array(tuple(t_out.shape), dtype)
        t_out.backward(to_torch(g))
        e_out.backward(to_ember(g))
        compare_grads(em, tm, [], [], *_tol(dtype))
        t_opt.step()
        e_opt.step()
        t_opt.zero_grad()
        e_opt.zero_grad()
        _state_matches(em, tm, dtype, f"after step {step}")
    remove = "remove_weight_norm" if case.startswith("weight_norm") else "remove_spectral_norm"
    getattr(torch.nn.utils, remove)(tm)
    getattr(ember.nn.utils, remove)(em)
    assert isinstance(em.weight, ember.nn.Parameter)
    assert not em._forward_pre_hooks and not em._state_dict_hooks and not em._load_state_dict_pre_hooks
    _state_matches(em, tm, dtype, "after removal")
    x = random_array(shape, dtype)
    assert_same(em(to_ember(x)), tm(to_torch(x)), *_tol(dtype), what="forward after removal")


def test_hook_spectral_norm_eval_keeps_vectors_and_metadata():
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(5, 4).double())
    em = ember.nn.utils.spectral_norm(ember.nn.Linear(5, 4).double())
    copy_state(em, tm)
    tm.eval()
    em.eval()
    u = em.weight_u.numpy().copy()
    x = random_array((2, 5), "float64")
    assert_same(em(to_ember(x)), tm(to_torch(x)))
    np.testing.assert_array_equal(em.weight_u.numpy(), u)
    # the state_dict records the layout version where torch does (read back on load)
    assert em.state_dict()._metadata[""]["spectral_norm"] == tm.state_dict()._metadata[""]["spectral_norm"]


@pytest.mark.parametrize("shape", [(4, 3, 5), (5,), (3, 4)])
def test_norm_except_dim_matches_torch(shape):
    from ember.nn.utils.weight_norm import norm_except_dim
    a = random_array(shape, "float64")
    for dim in [-1] + list(range(-len(shape), len(shape))):
        assert_same(norm_except_dim(to_ember(a), 2, dim), torch.norm_except_dim(to_torch(a), 2, dim), what=f"dim {dim}")


def _holder(lib, shape, dtype):
    """A bare module owning one parameter ``w`` (so the weight may be batched or complex)."""
    m = lib.nn.Module()
    m.w = lib.nn.Parameter(lib.zeros(*shape, dtype=getattr(lib, dtype)))
    return m


@pytest.mark.parametrize("dtype", ["float64", "complex128", "float32"])
@pytest.mark.parametrize("shape", [(2, 4, 4), (3, 5, 3), (2, 3, 5)])
@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley", "householder"])
def test_orthogonal_batched_and_complex(orthogonal_map, shape, dtype):
    """Batches of matrices, complex (unitary) ones too, with the original moved off its -I start so the maps
    see a non-trivial argument; values and gradients of the original."""
    if orthogonal_map == "householder" and dtype.startswith("complex"):
        same_error(lambda lib: _pzs(lib).orthogonal(_holder(lib, shape, dtype), "w", orthogonal_map="householder"))
        return
    w0 = random_array(shape, dtype)
    ms = {}
    for lib in (torch, ember):
        m = _holder(lib, shape, dtype)
        with lib.no_grad():
            m.w.copy_(to_torch(w0) if lib is torch else to_ember(w0))
        ms[lib] = _pzs(lib).orthogonal(m, "w", orthogonal_map=orthogonal_map)
    tm, em = ms[torch], ms[ember]
    copy_state(em, tm)
    step = 0.3 * random_array(shape, dtype)
    with torch.no_grad():
        tm.parametrizations.w.original.add_(to_torch(step))
    with ember.no_grad():
        em.parametrizations.w.original.add_(to_ember(step))
    tol = _tol(dtype if dtype != "complex128" else "float64")
    assert_same(em.w, tm.w, *tol)
    g = random_array(shape, dtype)
    (tm.w * to_torch(g)).sum().real.backward()
    (em.w * to_ember(g)).sum().real.backward()
    assert_same(em.parametrizations.w.original.grad, tm.parametrizations.w.original.grad, *tol)


def test_parametrized_buffer_and_dtype_conversion():
    """A buffer can be parametrized (its original stays a buffer); .double() converts originals and buffers."""
    ms = {}
    for lib in (torch, ember):
        m = lib.nn.BatchNorm1d(3)

        class Square(lib.nn.Module):
            def forward(self, x):
                return x * x
        _pz(lib).register_parametrization(m, "running_var", Square())
        ms[lib] = m
    tm, em = ms[torch], ms[ember]
    assert list(em.state_dict()) == list(tm.state_dict())
    assert "parametrizations.running_var.original" in dict(em.named_buffers())
    copy_state(em, tm)
    tm.double().eval()
    em.double().eval()
    assert_same(em.running_var, tm.running_var)
    x = random_array((4, 3), "float64")
    assert_same(em(to_ember(x)), tm(to_torch(x)))


def test_assigning_a_parameter_to_a_parametrized_name():
    same_error(lambda lib: setattr(_pzs(lib).weight_norm(lib.nn.Linear(3, 3)), "weight",
                                   lib.nn.Parameter(lib.ones(3, 3))))


@pytest.mark.parametrize("case", ["spectral_norm", "rank_one", "orthogonal_tall"])
def test_checkpoint_round_trip_with_torch(case, tmp_path):
    """A parametrized model's state_dict saved by ember loads into torch's model (and back), same outputs."""
    make, shape = CASES[case]
    em, tm = make(ember, "float32"), make(torch, "float32")
    ember.save(em.state_dict(), tmp_path / "e.pt")
    assert str(tm.load_state_dict(torch.load(tmp_path / "e.pt"))) == "<All keys matched successfully>"
    em.eval()
    tm.eval()
    x = random_array(shape, "float32")
    assert_same(em(to_ember(x)), tm(to_torch(x)), *_tol("float32"))
    torch.save(tm.state_dict(), tmp_path / "t.pt")
    em2 = make(ember, "float32")
    em2.load_state_dict(ember.load(tmp_path / "t.pt"))
    em2.eval()
    assert_same(em2(to_ember(x)), tm(to_torch(x)), *_tol("float32"))
