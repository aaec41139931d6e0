"""Tensor ops as programs use them (issue #9's families), each run with torch and with ember on the same data:
values, dtypes, grad_fn names, gradients, exception classes and warnings must agree. Every case here was a
difference once."""
import warnings

import pytest

from _harness import run_both


# ------------------------------------------------------------------ what a backward saves
def test_erfinv_ndtr_ndtri_save_what_torch_saves():
    """erfinv saves its input (its result may change in place afterwards); ndtr is torch's composite
    (1 + erf(x / sqrt 2)) / 2, whose saved tensor is a scaled copy of the input; ndtri saves its result."""
    def program(torch, show):
        x = torch.tensor(show.array(6, low=-0.9, high=0.9), requires_grad=True)
        a = x * 1.0
        y = torch.erfinv(a)
        show("erfinv", y)
        y.mul_(2)
        y.sum().backward()
        show("erfinv grad after its result changed", x.grad)
        a = x * 1.0
        y = torch.special.erfinv(a)
        a.add_(1)
        show.raises("erfinv after its input changed", lambda: y.sum().backward())
        x.grad = None
        a = x * 3.0
        y = torch.special.ndtr(a)
        show("ndtr", y)
        a.mul_(2)
        y.sum().backward()
        show("ndtr grad after its input changed", x.grad)
        x.grad = None
        p = (x * 0.5 + 0.5)
        y = torch.special.ndtri(p)
        p.mul_(0.5)
        y.sum().backward()
        show("ndtri grad after its input changed", x.grad)
        y = torch.special.ndtri(x * 0.5 + 0.5)
        y.mul_(2)
        show.raises("ndtri after its result changed", lambda: y.sum().backward())
    run_both(program)


def test_ndtr_is_torchs_composite():
    """Values (torch's 0 deep in the lower tail), dtypes of integer/half inputs, out=, second derivatives."""
    def program(torch, show):
        x = torch.tensor([-40.0, -10.0, -1.5, 0.0, 0.3, 2.0, 9.0], dtype=torch.float64, requires_grad=True)
        y = torch.special.ndtr(x)
        show("ndtr float64", y)
        g, = torch.autograd.grad(y.sum(), x, create_graph=True)
        show("ndtr'", g.detach())
        show("ndtr''", torch.autograd.grad(g.sum(), x)[0])
        show("ndtr int", torch.special.ndtr(torch.tensor([-2, 0, 3])))
        show("ndtr bool", torch.special.ndtr(torch.tensor([True, False])))
        show("ndtr half", torch.special.ndtr(torch.tensor(show.array(5, low=-3, high=3), dtype=torch.float16)))
        out = torch.empty(3)
        show("ndtr out", torch.special.ndtr(torch.tensor(show.array(3)), out=out))
        show("out itself", out)
        show.raises("ndtr out of another dtype", lambda: torch.special.ndtr(torch.tensor([1.0]),
                                                                          out=torch.empty(1, dtype=torch.int64)))
        show.raises("ndtr complex", lambda: torch.special.ndtr(torch.tensor([1j])))
    run_both(program)


# ------------------------------------------------------------------ in-place ops on expand()ed views
# Each writes into v = base.expand(3, 4) (base has 4 elements, shared by the 3 rows): torch runs the fill-like
# ops (some with a deprecation warning) and refuses the rest with "unsupported operation: more than one element
# of the written-to tensor refers to a single memory location".
EXPANDED_WRITES = [
    "v.zero_()", "v.fill_(2.5)", "v.fill_(3)", "v.fill_(torch.tensor(2.0))", "v.fill_(torch.tensor([2.0]))",
    "v[0] = 1.0", "v[1] = torch.tensor([7.0, 8, 9, 10])", "v[:1] = 3.0", "v[0, 1] = 4.0", "v[:1].zero_()",
    "v[...] = 1.0", "v[:, 0] = 5.0", "v[None] = 4.0", "v[..., 1] = 4.0", "v[:] = torch.ones(3, 4)",
    "v[v > 2] = 1.0", "v[torch.tensor([0, 1])] = 1.0", "v[torch.tensor([True, False, True])] = 4.0",
    "v[torch.tensor([0, 1]), torch.tensor([1, 2])] = torch.tensor([5.0, 6.0])",
    "v.masked_fill_(torch.ones(3, 4, dtype=torch.bool), 0.0)",
    "v.masked_fill_(torch.tensor([[True], [False], [False]]), 8.0)",
    "v.masked_fill_(torch.eye(3, 4, dtype=torch.bool), torch.tensor(-1.0))",
    "v.index_fill_(1, torch.tensor([0, 2]), -1.0)", "v.index_put_((torch.tensor([0]),), torch.tensor(1.0))",
    "v.fill_diagonal_(5.0)", "v.tril_()", "v.triu_()", "v.copy_(v)",
    "v.t_()", "v.unsqueeze_(0)", "v.transpose_(0, 1)", "v.t_().add_(1)", "v.unsqueeze_(0).fill_(2.0)",
    "v[:1].add_(1)", "v[1:2].mul_(3)", "v.clone().add_(1)", "v.contiguous().mul_(2)",
    "v.copy_(torch.ones(3, 4))", "v.add_(1)", "v.mul_(2)", "v.sub_(torch.ones(3, 4))", "v.clamp_(0, 1)", "v.neg_()",
    "v.relu_()", "v.exp_()", "v.pow_(2)", "v.uniform_()", "v.normal_()", "v.bernoulli_(0.5)",
    "v.scatter_(1, torch.tensor([[0]]), 1.0)", "v.index_add_(1, torch.tensor([0]), torch.ones(3, 1))",
    "v.index_copy_(1, torch.tensor([0]), torch.ones(3, 1))", "v.put_(torch.tensor([0]), torch.tensor([9.0]))",
    "v.masked_scatter_(torch.ones(3, 4, dtype=torch.bool), torch.ones(12))",
    "torch.add(torch.ones(3, 4), 1, out=v)", "torch.mm(torch.ones(3, 2), torch.ones(2, 4), out=v)",
    "torch.add(torch.ones(4), 1, out=v[2])",
    # a fill-like write leaves the view as overlapping as before: the next op still refuses
    "v.fill_(1.0); v.add_(torch.ones(3, 4))", "v.zero_(); v.mul_(2)", "v.t_(); v.fill_(3.0)",
    "v.masked_fill_(torch.ones(3, 4, dtype=torch.bool), 2.0); v.sub_(torch.ones(3, 4))",
    # an expand to sizes of 1 does not overlap: every in-place op writes it
    "w = v[:1]; w.add_(torch.ones(1, 4)); w.mul_(2)", "w = v[1:2]; w[0, 1] = 7.0; w.exp_()",
]


@pytest.mark.parametrize("stmt", EXPANDED_WRITES)
def test_inplace_into_expanded_view(stmt):
    def program(torch, show):
        base = torch.tensor(show.array(4) + 2)
        v = base.expand(3, 4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            show.raises(stmt, lambda: exec(stmt, {"torch": torch, "v": v}))
        show("base afterwards", base)
        show("warned", any("expanded tensors is deprecated" in str(w.message) for w in caught))
        show("v afterwards", tuple(v.shape))
    run_both(program)


@pytest.mark.parametrize("stmt", ["v.zero_()", "v.fill_(2.0)", "v[0] = 1.0", "v[:1] = 2.0", "v[v > 0] = 1.0",
                                  "v.masked_fill_(torch.ones(3, 4, dtype=torch.bool), 0.0)", "v.copy_(v)",
                                  "v.index_fill_(1, torch.tensor([1]), 0.0)", "v.t_()", "v[0].mul_(2)"])
@pytest.mark.parametrize("through", ["base", "view"])
def test_inplace_into_expanded_view_of_a_graph(stmt, through):
    """The view of a tensor that requires grad: torch runs the fill-like writes, and the backward then refuses
    the gradient where the written view's elements overlap (v.zero_()), not where they do not (v[0] = 1)."""
    def program(torch, show):
        leaf = torch.tensor(show.array(4), requires_grad=True)
        base = leaf * 2
        v = base.expand(3, 4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            show.raises(stmt, lambda: exec(stmt, {"torch": torch, "v": v}))
        out = base if through == "base" else v
        show("values", out)
        weights = torch.arange(out.numel()).reshape(out.shape)
        if show.raises("backward", lambda: (out * weights).sum().backward()) is None:
            show("leaf grad", leaf.grad)
    run_both(program)


def test_inplace_into_expanded_view_of_a_leaf():
    def program(torch, show):
        leaf = torch.tensor(show.array(4), requires_grad=True)
        show.raises("zero_", lambda: leaf.expand(2, 4).zero_())
        show.raises("setitem", lambda: leaf.expand(2, 4).__setitem__(0, 1.0))
        with torch.no_grad():
            leaf.expand(2, 4).fill_(0.5)
        show("filled under no_grad", leaf)
    run_both(program)


# ------------------------------------------------------------------ grad_fn names of view ops
def test_squeeze_and_inplace_view_ops_grad_fn_names():
    """squeeze's three overloads and the in-place view ops each have their own node name in torch."""
    def program(torch, show):
        x = torch.tensor(show.array(1, 2, 1), requires_grad=True) * 1
        show("squeeze()", x.squeeze())
        show("squeeze(0)", x.squeeze(0))
        show("squeeze(dim=-1)", x.squeeze(dim=-1))
        show("squeeze((0, 2))", x.squeeze((0, 2)))
        for stmt in ["y.t_()", "y.transpose_(0, 1)", "y.swapdims_(1, 0)", "y.unsqueeze_(1)", "y.squeeze_()",
                     "y.squeeze_(0)", "y.squeeze_((0, 2))", "y.as_strided_((2,), (1,))"]:
            y = torch.tensor(show.array(2, 2) if "_(1, 0)" in stmt or "t_" in stmt or "transpose" in stmt
                             else show.array(1, 2, 1), requires_grad=True) * 1
            exec(stmt, {"y": y})
            show(stmt, y)
            (y * y).sum().backward()
    run_both(program)


# ------------------------------------------------------------------ linear algebra
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shapes", [((3, 3), (3, 2)), ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 2)), ((4, 4), (4, 1))])
def test_cholesky_solve_and_inverse_read_one_triangle(shapes, upper):
    """Given a full matrix (not a factor), both read only the triangle ``upper`` names, as LAPACK; the
    gradients are torch's formulas (which multiply by the whole matrix given)."""
    def program(torch, show):
        (la, lb) = shapes
        a = show.array(*la) + 3 * torch.eye(la[-1]).numpy()
        L = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        B = torch.tensor(show.array(*lb), dtype=torch.float64, requires_grad=True)
        X = torch.cholesky_solve(B, L, upper=upper)
        show("cholesky_solve", X)
        (X * torch.tensor(show.array(*X.shape), dtype=torch.float64)).sum().backward()
        show("grad B", B.grad)
        show("grad L", L.grad)
        L.grad = None
        Y = torch.cholesky_inverse(L, upper)
        show("cholesky_inverse", Y)
        (Y * Y).sum().backward()
        show("grad L of the inverse", L.grad)
        show("Tensor.cholesky_inverse", L.detach().cholesky_inverse(upper=upper))
        show.raises("non-square", lambda: torch.cholesky_inverse(torch.ones(3, 4)))
        show.raises("half", lambda: torch.cholesky_inverse(torch.eye(3).half()))
        show.raises("dtypes differ", lambda: torch.cholesky_solve(torch.ones(3, 2), L.detach()))
        show.raises("rows differ", lambda: torch.cholesky_solve(torch.ones(4, 2, dtype=torch.float64), L.detach()))
        show.raises("1-d b", lambda: torch.cholesky_solve(torch.ones(3, dtype=torch.float64), L.detach()))
        try:                        # torch's class is named _LinAlgError: compare by the public name
            torch.cholesky_inverse(torch.zeros(3, 3))
        except torch.linalg.LinAlgError:
            show("singular raises linalg.LinAlgError", True)
    run_both(program)


# ------------------------------------------------------------------ histograms
HISTOGRAMDD_CALLS = [
    "torch.histogramdd(x2, bins=[3, 4])", "torch.histogramdd(x2, 3)", "torch.histogramdd(x3, 2)",
    "torch.histogramdd(x2, bins=[torch.tensor([-1.0, 0, 1]), torch.tensor([-2.0, 0, 2])])",
    "torch.histogramdd(x2, bins=(2, 2), range=[-1.0, 1, -1, 1], density=True, weight=w)",
    "torch.histogramdd(x3.double(), [2, 3, 4], density=True)",
    "torch.histogramdd(x3, [2, 3, 4], weight=torch.ones(2, 5))", "torch.histogramdd(torch.ones(5, 2), 3)",
    "torch.histogramdd(torch.zeros(0, 2), 2)", "torch.histogramdd(torch.zeros(5, 0), 2)",
    "torch.histogramdd(x2[:, 0], 3)", "torch.histogramdd(x2, [3])",
    "torch.histogramdd(x2.double(), [torch.tensor([0.0, 1])] * 2)", "torch.histogramdd(x2, 3, range=[0.0, 1])",
    "torch.histogramdd(x2, 2, weight=x2)", "torch.histogramdd(x2.int(), 2)", "torch.histogramdd(x2, 0)",
    "torch.histogramdd(x2, 2, range=[1.0, 0, 0, 1])",
    "torch.histogram(x2)", "torch.histogram(x2, 5, range=(-1.0, 1.0), density=True)", "x2.histogram(4)",
    "torch.histogram(x2, torch.tensor([-1.0, 0, 2]), weight=x2)",
]


@pytest.mark.parametrize("call", HISTOGRAMDD_CALLS)
def test_histogramdd_and_histogram(call):
    def program(torch, show):
        x2 = torch.tensor(show.array(10, 2, low=-2, high=2))
        x3 = torch.tensor(show.array(2, 5, 3, low=-2, high=2))
        w = torch.tensor(show.array(10, low=0, high=1))
        r = show.raises(call, lambda: show("result", eval(call, {"torch": torch, "x2": x2, "x3": x3, "w": w})))
        if r is None:
            show("type", type(eval(call, {"torch": torch, "x2": x2, "x3": x3, "w": w})).__name__)
    run_both(program)


def test_histograms_refuse_gradients_as_torch():
    def program(torch, show):
        x = torch.tensor(show.array(10, 2), requires_grad=True) * 2
        for name, r in [("histogram", torch.histogram(x[:, 0], 3)), ("histogramdd", torch.histogramdd(x, 3))]:
            show(name + " hist", r.hist)
            show.raises(name + " backward", lambda: r.hist.sum().backward())
    run_both(program)


# ------------------------------------------------------------------ promotion and edge arguments
def test_promotions_and_edge_arguments():
    def program(torch, show):
        x = torch.tensor(show.array(3, 4))
        show("kron int float", torch.kron(torch.tensor([[1, 2], [3, 4]]), x[:2, :2]))
        show("kron half float", torch.kron(x[0].half(), x[1]))
        show("kron float double", torch.kron(x[0], x[1].double()))
        show("dist int float", torch.dist(torch.tensor([1, 2]), torch.tensor([1.5, 3.0])))
        show.raises("dist int int", lambda: torch.dist(torch.tensor([1, 2]), torch.tensor([1, 3])))
        show.raises("vsplit 0", lambda: torch.vsplit(torch.zeros(0, 4), 0))
        show.raises("hsplit 0", lambda: torch.hsplit(x, 0))
        p = torch.tensor([0.2, 0.7, 0.5], requires_grad=True)
        for eps in (1, 0.6, 0.1):
            y = torch.logit(p, eps)
            show(f"logit eps={eps}", y)
            show(f"logit' eps={eps}", torch.autograd.grad(y.sum(), p)[0])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            show("adjoint 0-d", torch.tensor(2.0).adjoint())
        show("adjoint 0-d warned", any("adjoint() is deprecated" in str(w.message) for w in caught))
        show.raises("adjoint 1-d", lambda: torch.ones(3).adjoint())
        show("adjoint", torch.adjoint(x))
    run_both(program)


LINALG_DTYPE_CALLS = [
    "torch.linalg.cholesky(A)", "torch.linalg.det(A)", "torch.linalg.eigh(A)", "torch.linalg.eigvalsh(A)",
    "torch.linalg.lu(A)", "torch.linalg.lu_factor(A)", "torch.linalg.qr(A)", "torch.linalg.solve(A, A)",
    "torch.linalg.svd(A)", "torch.linalg.svdvals(A)", "torch.linalg.inv(A)", "torch.linalg.slogdet(A)",
    "torch.linalg.lu_solve(A, torch.arange(1, 4, dtype=torch.int32), A)", "torch.linalg.vecdot(A, A)",
    "torch.svd(A)", "torch.qr(A)", "torch.det(A)",
]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int64"])
@pytest.mark.parametrize("call", LINALG_DTYPE_CALLS)
def test_linalg_refuses_dtypes_as_torch(call, dtype):
    """Functions that dispatch to a LAPACK kernel raise its NotImplementedError; explicit checks RuntimeError."""
    def program(torch, show):
        A = (torch.eye(3) * 2 + torch.tensor(show.array(3, 3))).to(getattr(torch, dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            show.raises(call, lambda: eval(call, {"torch": torch, "A": A}))
    run_both(program)


def test_bfloat16_contractions_and_empty_lu():
    def program(torch, show):
        a = torch.tensor(show.array(3), dtype=torch.bfloat16, requires_grad=True)
        b = torch.tensor(show.array(2, 3), dtype=torch.bfloat16, requires_grad=True)
        y = torch.einsum("i,ji->j", a, b)
        show("einsum", y.detach())
        y.sum().backward()
        show("einsum grads", [a.grad, b.grad])
        show("tensordot", torch.tensordot(b, b, dims=([1], [1])).detach())
        show("inner", torch.inner(a, a).detach())
        show("kron", torch.kron(a, a).detach())
        show("vecdot", torch.linalg.vecdot(b, b).detach(), repr=False)   # bfloat16 roundings differ in a last bit
        show("lu_factor of an empty batch", list(torch.linalg.lu_factor(torch.zeros(2, 0, 3))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            show("lu of 0 rows", list(torch.lu(torch.zeros(0, 4))))
    run_both(program)


# ------------------------------------------------------------------ copy_, new_tensor, view(dtype=), broadcast_to
def test_copy_number_new_tensor_view_dtype_broadcast_to_int():
    def program(torch, show):
        y = torch.zeros(3)
        show("copy_ a float", y.copy_(2.5))
        show("copy_ into int", torch.zeros(3, dtype=torch.int64).copy_(2.7))
        show("copy_ a bool", torch.zeros(2).copy_(True))
        g = torch.zeros(3, requires_grad=True) * 1
        show("copy_ a number with a graph", g.copy_(1.5))
        x = torch.ones(2, dtype=torch.int64)
        show("new_tensor of an array", x.new_tensor(show.array(2) + 1.5))
        show("new_tensor of a float tensor", x.new_tensor(torch.tensor([1.5, 2.5], requires_grad=True)))
        show("new_tensor with dtype", x.new_tensor(torch.tensor([1.5]), dtype=torch.float64))
        show("new_tensor of a list", torch.zeros(1, dtype=torch.float16).new_tensor([[1, 2]]))
        show("view(dtype=)", torch.tensor(show.array(2, 2)).view(dtype=torch.int32))
        show("broadcast_to an int", torch.tensor(1.5).broadcast_to(3))
    run_both(program)


def test_fft_int_sizes_0d_and_deprecated_linalg_positionals():
    def program(torch, show):
        x = torch.tensor(show.array(3, 4))
        show("irfftn s=int", torch.fft.irfftn(x, 5, norm="ortho"))
        show("hfftn s=int", torch.fft.hfftn(x, 2))
        show("fftn 0-d", torch.fft.fftn(torch.tensor(1.5)))
        show("ifftn 0-d", torch.fft.ifftn(torch.tensor(1.5, requires_grad=True)))
        show("pinv(A, rcond)", torch.linalg.pinv(x, 0.5))
        show("pinv(A, tensor rcond)", torch.linalg.pinv(x, torch.tensor(0.5)))
        show("matrix_rank(A, tol)", torch.linalg.matrix_rank(x, 0.9))
        s = x[:, :3] @ x[:, :3].T
        show("matrix_rank(A, tol, hermitian)", torch.linalg.matrix_rank(s, 0.5, True))
        show("logit(x, tensor eps)", torch.logit(torch.tensor([0.05, 0.5, 0.99]), torch.tensor(0.1)))
    run_both(program)


# ------------------------------------------------------------------ random
@pytest.mark.parametrize("seed", ["1.5", "2.0", "'3'", "True", "torch.tensor(3)", "2 ** 64", "-2 ** 63", "5"])
def test_manual_seed_arguments(seed):
    """Generator.manual_seed takes a Python int only; torch.manual_seed converts with int() first."""
    def program(torch, show):
        value = eval(seed, {"torch": torch})
        if show.raises("Generator().manual_seed", lambda: torch.Generator().manual_seed(value)) is None:
            show("initial_seed", torch.Generator().manual_seed(value).initial_seed())
        if show.raises("torch.manual_seed", lambda: torch.manual_seed(value)) is None:
            show("torch.initial_seed", torch.initial_seed())
    run_both(program)


# ------------------------------------------------------------------ expressions, with their gradients
def _inputs(torch, show):
    """Named inputs of several dtypes; the float ones require grad."""
    env = {"torch": torch, "F": torch.nn.functional}
    floats = {"x": (3, 4), "y": (3, 4), "v": (4,), "b": (2, 3, 4), "sq": (4, 4)}
    for name, shape in floats.items():
        env[name] = torch.tensor(show.array(*shape), requires_grad=True)
    env["i"] = torch.tensor(show.rng.integers(0, 3, (3, 4)))
    env["idx"] = torch.tensor([2, 0, 2])
    env["m"] = torch.tensor(show.rng.random((3, 4)) > 0.5)
    return env


def _flat(r):
    return [z for q in r for z in _flat(q)] if isinstance(r, (tuple, list)) else [r]


def check_expression(expr, grad_fn_names=True):
    """expr's results (and their grad_fn names unless not ``grad_fn_names``: einsum's differ, torch's being
    those of the bmm and views it decomposes into) and the inputs' gradients, in torch and ember."""
    def program(torch, show):
        env = _inputs(torch, show)
        if show.raises("evaluates", lambda: eval(expr, env)) is not None:
            return
        out = eval(expr, env)
        show("result", out if grad_fn_names else [t.detach() if isinstance(t, torch.Tensor) else t
                                                  for t in _flat(out)])
        grads = [t for t in _flat(out) if isinstance(t, torch.Tensor) and t.requires_grad]
        if grads:
            total = sum((t * torch.arange(1.0, t.numel() + 1).reshape(t.shape)).sum() for t in grads)
            if show.raises("backward", total.backward) is None:
                show("grads", {k: env[k].grad for k in ("x", "y", "v", "b", "sq")})
    run_both(program)


SCATTER_REDUCE = [
    "x.scatter(1, i, y, reduce='add')", "x.scatter(1, i, y, reduce='multiply')", "x.scatter(1, i, 2.0, reduce='add')",
    "x.scatter(1, i, 2.0, reduce='multiply')", "x.detach().scatter(1, i, y.detach(), reduce='add')",
    "x.clone().scatter_(1, i, y, reduce='add')", "x.detach().clone().scatter_(1, i, 3.0, reduce='multiply')",
    "torch.tensor(2.0).scatter(0, torch.tensor(0), 3.0, reduce='add')", "x.scatter(1, i, y)", "x.scatter(1, i, 2.5)",
]


@pytest.mark.parametrize("expr", SCATTER_REDUCE)
def test_scatter_with_reduce_has_no_derivative(expr):
    """scatter(reduce=...) computes, and its gradient raises as in torch (the plain scatter's does not)."""
    check_expression(expr)


EINSUM_SUBLISTS_AND_BINCOUNT = [
    "torch.einsum(sq, [0, 1], v, [1], [0])", "torch.einsum(sq, [0, 1], v, [1])",
    "torch.einsum(b, [Ellipsis, 1], v, [1], [Ellipsis])", "torch.einsum(sq, [0, 1], [1, 0])",
    "torch.einsum(sq, [0, 0])",
    "torch.einsum(sq, [0, 60])", "torch.einsum(x, [0, 1], y, [0, 1], [])",
    "torch.bincount(i.flatten(), weights=x.flatten())", "torch.bincount(x)", "torch.bincount(i.flatten() - 1)",
    "torch.bincount(i, weights=x)", "torch.bincount(m.flatten())",
    "torch.bincount(i.flatten(), weights=x.flatten().double())",
]


@pytest.mark.parametrize("expr", EINSUM_SUBLISTS_AND_BINCOUNT)
def test_einsum_sublists_and_bincount(expr):
    check_expression(expr, grad_fn_names=not expr.startswith("torch.einsum"))


@pytest.mark.parametrize("expr", ["torch.remainder(-3, x)", "5 % x", "5.5 % x", "torch.remainder(x, 2)",
                                  "torch.remainder(x, y)", "torch.fmod(x, y)", "(-3) % i"])
def test_number_remainder_tensor_has_no_derivative(expr):
    check_expression(expr)


# ------------------------------------------------------------------ stft / istft
STFT_CALLS = [
    "torch.stft(x, n_fft=16, return_complex=True)",
    "torch.stft(x, 16, hop_length=5, win_length=10, window=torch.hann_window(10), return_complex=True)",
    "torch.stft(x, 16, center=False, return_complex=True)", "torch.stft(x, 16, onesided=False, return_complex=True)",
    "torch.stft(x, 16, normalized=True, return_complex=True)", "torch.stft(x, 16, return_complex=False)",
    "torch.stft(x, 16, pad_mode='constant', return_complex=True)",
    "torch.stft(x, 16, pad_mode='replicate', window=torch.hann_window(16), return_complex=True)",
    "torch.stft(x, 16)", "torch.stft(x, 200, return_complex=True)", "torch.stft(x[0], 16, return_complex=True)",
    "x[0].stft(16, window=torch.hann_window(16), return_complex=True)",
    "torch.stft(x.double(), 16, return_complex=True)",
    "torch.stft(x, 16, window=torch.ones(5), return_complex=True)",
    "torch.stft(x, 16, win_length=20, return_complex=True)",
    "torch.stft(x, 16, hop_length=0, return_complex=True)", "torch.stft(x.to(torch.complex64), 16)",
    "torch.stft(x.to(torch.complex64), 16, onesided=True, return_complex=True)",
    "torch.stft(x.long(), 16, return_complex=True)", "torch.stft(x.unsqueeze(0), 4, return_complex=True)",
    "torch.stft(x, 16, center=False, hop_length=7, return_complex=True)",
    "torch.istft(torch.stft(x, 16, window=torch.hann_window(16), return_complex=True), 16, "
    "window=torch.hann_window(16))",
    "torch.istft(torch.stft(x[0], 16, window=torch.hann_window(16), return_complex=True), 16, "
    "window=torch.hann_window(16), length=120)",
    "torch.istft(torch.stft(x[0], 16, window=torch.hann_window(16), return_complex=True), 16, "
    "window=torch.hann_window(16), length=50)",
    "torch.istft(torch.stft(x, 16, hop_length=5, win_length=10, window=torch.hann_window(10), return_complex=True), "
    "16, hop_length=5, win_length=10, window=torch.hann_window(10))",
    "torch.istft(torch.stft(x, 16, normalized=True, return_complex=True), 16, normalized=True)",
    "torch.istft(torch.stft(x, 16, onesided=False, return_complex=True), 16, onesided=False)",
    "torch.istft(torch.stft(x, 16, onesided=False, return_complex=True), 16, return_complex=True)",
    "torch.istft(torch.stft(x, 16, window=torch.hann_window(16), center=False, return_complex=True), 16, "
    "window=torch.hann_window(16), center=False)",
    "torch.istft(torch.stft(x, 16, return_complex=True), 16, center=False)",
    "torch.istft(torch.stft(x, 16, return_complex=False), 16)",
    "torch.istft(torch.stft(x, 16, return_complex=True), 20)",
    "torch.stft(x, 16, return_complex=True).istft(16)",
]


@pytest.mark.parametrize("call", STFT_CALLS)
def test_stft_istft(call):
    """Shapes, dtypes, values, errors and gradients (through abs of the spectrum, or the signal) as torch."""
    def program(torch, show):
        x = torch.tensor(show.array(2, 100), requires_grad=True)
        env = {"torch": torch, "x": x}
        if show.raises(call, lambda: eval(call, env)) is not None:
            return
        out = eval(call, env)
        show("result", out.detach(), repr=False)
        loss = out.abs().sum() if out.is_complex() else (out * out).sum()
        loss.backward()
        show("grad", x.grad, repr=False, rtol=1e-4, atol=1e-4)
    run_both(program)


# ------------------------------------------------------------------ in-place writes to split/unbind outputs
MULTI_VIEW_WRITES = [
    "y.split(2)[0].add_(1)", "y.split(2)[0].sigmoid_()", "y.split(2)[0].zero_()", "y.chunk(2)[0].clamp_(0, 1)",
    "y.view(2, 2).unbind()[0].copy_(torch.ones(2))", "y.split([1, 3])[0].add_(1)", "torch.split(y, 2)[0].mul_(2)",
    "y.split(4)[0].add_(1)", "y.split(2)[0].unsqueeze_(0)", "y.split(2)[0].t_()", "y.split(2)[0][0:1].add_(1)",
    "y.unbind()[0].fill_(1.0)", "y.view(2, 2).unbind(1)[0].zero_()", "y.tensor_split(2)[0].add_(1)",
    "y.split(2)[0].__setitem__(0, 2.0)", "x.detach().split(2)[0].add_(1)",
]


@pytest.mark.parametrize("stmt", MULTI_VIEW_WRITES)
def test_inplace_into_split_and_unbind_outputs(stmt):
    """torch refuses in-place ops (any kind) on the outputs of split/chunk/unbind, and views of them, under grad."""
    def program(torch, show):
        x = torch.tensor(show.array(4), requires_grad=True)
        y = x * 1
        show.raises(stmt, lambda: exec(stmt, {"torch": torch, "x": x, "y": y}))
        with torch.no_grad():
            a = y.split(2)[0]
            a.add_(1)
        show("under no_grad", y)
    run_both(program)


def test_tensor_split_pieces_are_slices():
    def program(torch, show):
        y = torch.tensor(show.array(6), requires_grad=True) * 1
        show("tensor_split(4)", y.tensor_split(4))
        show("tensor_split(indices)", y.tensor_split([1, 4]))
        show("tensor_split(tensor)", y.tensor_split(torch.tensor([2, 5])))
        show("hsplit", y.hsplit(3))
        show("vsplit", y.view(2, 3).vsplit(2))
        show("split", y.split(4))
        show("split_with_sizes", y.split([2, 4]))
    run_both(program)


UNIQUE_CALLS = [
    "torch.unique(x)", "torch.unique(x[:0])", "torch.unique(x, return_inverse=True, return_counts=True)",
    "torch.unique(x, dim=0)", "torch.unique(x, dim=1, return_counts=True)", "torch.unique(x, sorted=False)",
    "x.unique()", "torch.unique_consecutive(x)", "torch.unique_consecutive(x, dim=0)", "torch.unique(i)",
    "torch.unique(x.detach())", "torch.unique(x[0, 0])", "torch.unique(x[0, 0], dim=0)",
    "torch.unique_consecutive(x[0, 0], dim=0)",
]


@pytest.mark.parametrize("expr", UNIQUE_CALLS)
def test_unique_refuses_gradients_as_torch(expr):
    """unique's results of a tensor that requires grad carry torch's node (Unique2Backward0 ...), whose
    backward raises NotImplementedError."""
    check_expression(expr)


# ------------------------------------------------------------------ node names of overloads and composites
OVERLOAD_NAMES = [
    "x.clamp_min(0)", "x.clamp_min(y)", "torch.clamp_max(x, y)", "x.clamp_max(0.5)", "(x * 1).clamp_min_(0)",
    "torch.clamp(x, min=0.1)", "torch.clamp(x, min=y)", "torch.copysign(x, 1)", "torch.copysign(x, y)",
    "torch.xlogy(x, 2)", "torch.xlogy(2, x)", "torch.xlogy(x, y)", "torch.rsub(x, y)", "torch.rsub(x, 2)", "2 - x",
    "torch.special.xlogy(x, 2)", "torch.special.xlog1py(2.0, x)", "torch.special.xlog1py(x, 2.0)",
    "torch.special.zeta(x.abs() + 1, 2.0)", "torch.special.zeta(2.0, x.abs() + 1)",
    "torch.round(x)", "torch.round(x, decimals=0)", "torch.round(x, decimals=1)", "torch.special.round(x)",
    "torch.round(i, decimals=0)", "torch.special.round(i)", "torch.round(i)", "(x * 1).round_(decimals=0)",
    "x.roll(1)", "x.roll(1, 0)", "torch.block_diag(x, y[:1])", "torch.dist(x, y)", "torch.dist(x, y, 1)",
    "torch.slice_scatter(x, y[:, :2], 1, 0, 2)", "torch.select_scatter(x, v, 0, 1)", "torch.diagonal_scatter(sq, v)",
    # (as_strided_scatter is left out: torch's input gradient keeps the scattered region and drops the rest)
    "torch.atleast_1d(x[0, 0])", "torch.atleast_2d(v)", "torch.atleast_3d(v)", "torch.atleast_3d(x)",
    "torch.atleast_3d(x[0, 0])", "torch.atleast_2d(x)", "torch.heaviside(x, y)", "torch.bernoulli(x.abs() / 3)",
    "torch.bernoulli(x, 0.5)", "torch.mvlgamma(x.abs() + 2, 2)", "torch.special.multigammaln(x.abs() + 2, 3)",
]


@pytest.mark.parametrize("expr", OVERLOAD_NAMES)
def test_overload_and_composite_node_names(expr):
    """PyTorch names a node by the overload called (a number or a tensor operand, decimals given or not) and
    by its own kernel for what ember composes; values, gradients and refusals as torch's."""
    if not expr.startswith("torch.bernoulli"):
        return check_expression(expr)

    def program(torch, show):       # the libraries' random draws differ: no values shown
        r = eval(expr, _inputs(torch, show))
        show("grad_fn", type(r.grad_fn).__name__)
        show.raises("backward", lambda: r.sum().backward())
    run_both(program)


BOOL_PRODUCTS = [
    "torch.dot(b, b)", "b @ b", "B @ B", "torch.mm(B, B)", "torch.mv(B, b)", "torch.inner(b, b)", "torch.inner(B, B)",
    "torch.trace(B)", "torch.tensordot(B, B)", "torch.tensordot(B, B, 1)", "torch.outer(b, b)",
    "torch.bmm(B[None], B[None])", "torch.kron(B, B)", "torch.vdot(b, b)", "torch.matmul(B, b)", "b @ B",
    "B[None] @ b", "b @ B[None]", "B[None] @ B", "torch.inner(b, torch.tensor(True))",
]


@pytest.mark.parametrize("expr", BOOL_PRODUCTS)
def test_bool_products_refused_as_torch(expr):
    """Products torch runs through BLAS kernels have no bool version: NotImplementedError."""
    def program(torch, show):
        env = {"torch": torch, "b": torch.tensor([True, False, True]), "B": torch.tensor(show.rng.random((3, 3)) > 0.5)}
        if show.raises(expr, lambda: eval(expr, env)) is None:
            show("result", eval(expr, env))
    run_both(program)


# ------------------------------------------------------------------ out= of index, mask and double results
OUT_CALLS = [
    "torch.argmax(x, 1, out=torch.empty(3, dtype=DT))", "torch.argmin(x, out=torch.empty((), dtype=DT))",
    "torch.all(x, 1, out=torch.empty(3, dtype=DT))", "torch.any(x > 0, out=torch.empty((), dtype=DT))",
    "torch.isin(x, x, out=torch.empty(3, 4, dtype=DT))", "torch.isposinf(x, out=torch.empty(3, 4, dtype=DT))",
    "torch.isneginf(x, out=torch.empty(3, 4, dtype=DT))", "torch.signbit(x, out=torch.empty(3, 4, dtype=DT))",
    "torch.nonzero(x, out=torch.empty(0, dtype=DT))",
    "torch.searchsorted(torch.arange(4.0), x, out=torch.empty(3, 4, dtype=DT))",
    "torch.searchsorted(torch.arange(4.0), x, out_int32=True, out=torch.empty(3, 4, dtype=DT))",
    "torch.max(x, 1, out=(torch.empty(3), torch.empty(3, dtype=DT)))",
    "torch.sort(x, 1, out=(torch.empty(3, 4), torch.empty(3, 4, dtype=DT)))",
    "torch.topk(x, 2, out=(torch.empty(3, 2), torch.empty(3, 2, dtype=DT)))",
    "torch.kthvalue(x, 2, 1, out=(torch.empty(3), torch.empty(3, dtype=DT)))",
    "torch.cummax(x, 1, out=(torch.empty(3, 4), torch.empty(3, 4, dtype=DT)))",
    "torch.bucketize(x, torch.arange(3.0), out=torch.empty(3, 4, dtype=DT))",
    "torch.float_power(x, 2, out=torch.empty(3, 4, dtype=DT))", "torch.eq(x, x, out=torch.empty(3, 4, dtype=DT))",
]


@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "int64", "bool", "float64"])
@pytest.mark.parametrize("call", OUT_CALLS)
def test_out_dtypes_of_index_mask_and_double_results(call, dtype):
    def program(torch, show):
        env = {"torch": torch, "x": torch.tensor(show.array(3, 4)), "DT": getattr(torch, dtype)}
        # all/any into uint8: torch casts the input to uint8 first (values in (-1, 1) become 0): not compared
        cast_first = dtype == "uint8" and ("all(" in call or "any(" in call)
        if show.raises(call, lambda: eval(call, env)) is None and not cast_first:
            show("result", eval(call, env))
    run_both(program)


TUPLE_OUTS = [
    "torch.aminmax(x, dim=1, out=(torch.empty(3), torch.empty(3)))",
    "torch.histogram(x, 3, out=(torch.empty(3), torch.empty(4)))",
    "torch.median(x, 1, out=(torch.empty(3), torch.empty(3, dtype=torch.long)))",
    "torch.sort(x, out=(torch.empty(3, 4), torch.empty(3, 4, dtype=torch.long)))",
    "torch.frexp(x, out=(torch.empty(3, 4), torch.empty(3, 4, dtype=torch.int32)))",
    "torch.linalg.qr(x, out=(torch.empty(3, 3), torch.empty(3, 4)))",
    "torch.linalg.slogdet(s, out=(torch.empty(()), torch.empty(())))",
    "torch.linalg.svd(s, out=(torch.empty(3, 3), torch.empty(3), torch.empty(3, 3)))",
    "torch.linalg.eigh(s, out=(torch.empty(3), torch.empty(3, 3)))",
    "torch.linalg.lu(s, out=(torch.empty(3, 3), torch.empty(3, 3), torch.empty(3, 3)))",
    "torch.linalg.lu_factor(s, out=(torch.empty(3, 3), torch.empty(3, dtype=torch.int32)))",
    "torch.linalg.qr(x, out=(torch.empty(3, 3),))",
]


@pytest.mark.parametrize("call", TUPLE_OUTS)
def test_tuple_outs_are_written_and_returned(call):
    """out=(...) tensors receive the results (linalg's were ignored), and the result is torch's <name>_out type."""
    def program(torch, show):
        x = torch.tensor(show.array(3, 4))
        s = x[:, :3] @ x[:, :3].T + torch.eye(3)
        env = {"torch": torch, "x": x, "s": s}
        if show.raises(call, lambda: eval(call, env)) is not None:
            return
        r = eval(call, env)
        show("type", type(r).__name__)
        show("result", list(r), repr=False)
    run_both(program)


DTYPE_REFUSALS = [
    "b.clone().cumsum_(0)", "b.clone().cumprod_(0)", "torch.take(x, i32)", "torch.take_along_dim(x, i32.view(1, 2), 1)",
    "torch.take_along_dim(x, i32)", "torch.take_along_dim(x, torch.tensor([[0, 2]]))",
    "torch.take_along_dim(x, torch.tensor([[0, 2]]), 1)", "torch.unique(torch.tensor([1j]))",
    "torch.unique_consecutive(torch.tensor([1j]))", "torch.unique(torch.tensor([1j]), dim=0)", "torch.gradient(b)",
    "torch.gradient(torch.tensor([1, 2], dtype=torch.uint8))", "x.gather(0, i32.view(1, 2))",
    "torch.index_select(x, 0, i32)",
]


@pytest.mark.parametrize("expr", DTYPE_REFUSALS)
def test_index_dtypes_and_dtype_refusals(expr):
    def program(torch, show):
        env = {"torch": torch, "x": torch.tensor(show.array(3, 4), requires_grad=True),
               "b": torch.tensor([True, False, True]), "i32": torch.tensor([0, 2], dtype=torch.int32)}
        if show.raises(expr, lambda: eval(expr, env)) is None:
            show("result", eval(expr, env))
    run_both(program)


# ------------------------------------------------------------------ the rest of torch.linalg
LINALG_MORE = [
    "torch.linalg.lstsq(a, b)", "torch.linalg.lstsq(a, b, driver='gelsd')", "torch.linalg.lstsq(a, b, driver='gelss')",
    "torch.linalg.lstsq(a, b, driver='gels')", "torch.linalg.lstsq(s, b[:3])", "torch.linalg.lstsq(a, b[:, 0])",
    "torch.linalg.inv_ex(s)", "torch.linalg.cholesky_ex(spd)", "torch.linalg.cholesky_ex(spd, upper=True)",
    "torch.linalg.solve_ex(s, b[:3])", "torch.linalg.lu_factor_ex(s)",
    "torch.linalg.solve_triangular(s, b[:3], upper=True)",
    "torch.linalg.solve_triangular(s, b[:3], upper=False, unitriangular=True)",
    "torch.linalg.solve_triangular(s, b[:3].mT, upper=True, left=False)", "torch.linalg.solve_triangular(s, b[:3])",
    "torch.linalg.cond(s)", "torch.linalg.cond(a)", "torch.linalg.cond(s, -2)", "torch.linalg.cond(s, 'nuc')",
    "torch.linalg.vander(s[0])", "torch.linalg.vander(s[0], N=5)", "torch.linalg.vander(torch.tensor([1, 2]), N=3)",
    "torch.linalg.vander(s[:2])", "torch.linalg.vander(s[0], N=1)",
    "torch.linalg.tensorinv(torch.eye(4, dtype=torch.float64).reshape(4, 2, 2) * 2 + 0.1 * s[0, 0], ind=1)",
    "torch.linalg.tensorsolve(torch.eye(6, dtype=torch.float64).reshape(2, 3, 6) + 0.1 * s[0, 0], "
    "torch.ones(2, 3, dtype=torch.float64))",
    "torch.linalg.eig(s)", "torch.linalg.eigvals(s)", "torch.linalg.eig(s.detach())",
    "torch.linalg.eig(torch.stack([s, s.mT @ s]))", "torch.linalg.eig(s.to(torch.complex128))",
    # (eigenvectors of complex pairs: LAPACK builds may choose opposite signs; the eigenvalues are compared)
    "torch.linalg.eigvals(torch.tensor([[0.0, -1.0], [1.0, 0.5]], dtype=torch.float64) * s[0, 0])",
    "torch.linalg.eig(a)", "torch.linalg.eig(s.float().half())",
]


@pytest.mark.parametrize("expr", LINALG_MORE)
def test_linalg_ex_variants_lstsq_cond_vander_tensor_solvers(expr):
    def program(torch, show):
        a = torch.tensor(show.array(5, 3), dtype=torch.float64, requires_grad=True)
        b = torch.tensor(show.array(5, 2), dtype=torch.float64, requires_grad=True)
        s = (torch.tensor(show.array(3, 3), dtype=torch.float64) + 3 * torch.eye(3, dtype=torch.float64)
             ).requires_grad_()
        spd = (s @ s.mT).detach().requires_grad_()
        env = {"torch": torch, "a": a, "b": b, "s": s, "spd": spd}
        if show.raises(expr, lambda: eval(expr, env)) is not None:
            return
        r = eval(expr, env)
        show("type", type(r).__name__)
        parts = list(r) if isinstance(r, tuple) else [r]
        show("result", [t.detach() for t in parts], repr=False)     # complex round-off prints differently
        needs = [t for t in parts if t.requires_grad]
        if needs:                     # complex results (eig's) reach a real loss through abs
            if show.raises("backward", lambda: sum(t.abs().sum() if t.is_complex() else t.sum()
                                                    for t in needs).backward()) is None:
                show("grads", [t.grad for t in (a, b, s, spd)])
    run_both(program)


def test_eig_backward_refuses_phase_dependent_losses():
    def program(torch, show):
        s = torch.tensor(show.array(3, 3), dtype=torch.float64, requires_grad=True)
        L, V = torch.linalg.eig(s)
        show.raises("loss on the eigenvectors' real parts", lambda: V.real.sum().backward())
        L, V = torch.linalg.eig(s)
        (L.real.sum() + (L * L).imag.sum() + V.abs().sum()).backward()
        show("grad of a phase-invariant loss", s.grad)
    run_both(program)
