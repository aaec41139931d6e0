"""autograd.backward / autograd.grad argument forms PyTorch 2.13 accepts, run on torch and ember and compared:
dict and GradientEdge inputs, batched grad_outputs, the deprecated keywords' warnings, and the checks on
gradients that are not Tensors or too few."""
import warnings

import pytest

from _harness import run_both


def dict_inputs(torch, show):
    lin = torch.nn.Linear(3, 2)
    show.same_init(lin)
    x = torch.from_numpy(show.array(4, 3))
    grads = torch.autograd.grad(lin(x).pow(2).sum(), dict(lin.named_parameters()))
    show("grad returns a dict", grads)
    lin(x).sum().backward(inputs=dict(lin.named_parameters()))
    show("backward(inputs=dict)", (lin.weight.grad, lin.bias.grad))
    from collections import OrderedDict
    show.raises("grad: other Mapping", lambda: torch.autograd.grad(lin(x).sum(), OrderedDict(lin.named_parameters())))
    show.raises("grad: empty inputs", lambda: torch.autograd.grad(lin(x).sum(), []))
    show.raises("grad: empty dict", lambda: torch.autograd.grad(lin(x).sum(), {}))


def gradient_edges(torch, show):
    x = torch.from_numpy(show.array(3)).requires_grad_()
    y = x * x.sin()
    z = (y * y).sum()
    edge = torch.autograd.graph.get_gradient_edge(y)
    show("grad w.r.t. an edge", torch.autograd.grad(z, edge, retain_graph=True))
    show("edge and tensor", torch.autograd.grad(z, [edge, x], retain_graph=True))
    leaf_edge = torch.autograd.graph.get_gradient_edge(x)
    show("leaf edge", torch.autograd.grad(z, leaf_edge, retain_graph=True))
    z.backward(inputs=[edge, x])
    show("backward(inputs=edge) fills only tensors", (x.grad, y.grad))
    show.raises("no edge without grad", lambda: torch.autograd.graph.get_gradient_edge(torch.ones(2)))
    x.grad = None
    w = x.cos() * 2
    out_edge = torch.autograd.graph.get_gradient_edge(w)
    g = torch.from_numpy(show.array(3))
    show("edge as output", torch.autograd.grad(out_edge, x, grad_outputs=g, retain_graph=True))
    show("edge and tensor outputs", torch.autograd.grad([out_edge, w.exp().sum()], x, grad_outputs=[g, None],
                                                        retain_graph=True))
    torch.autograd.backward(out_edge, g)
    show("backward from an edge", x.grad)


def batched_grad_outputs(torch, show):
    x = torch.from_numpy(show.array(3, dtype="float64")).requires_grad_()
    w = torch.from_numpy(show.array(3, dtype="float64")).requires_grad_()
    u = torch.from_numpy(show.array(3, dtype="float64")).requires_grad_()
    y = x.exp() * w
    jac = torch.autograd.grad(y, [x, w], grad_outputs=torch.eye(3, dtype=torch.float64), is_grads_batched=True,
                              retain_graph=True)
    show("jacobian rows", jac)
    v = torch.from_numpy(show.array(2, 3, dtype="float64"))
    show("two vjps", torch.autograd.grad(y, x, v, is_grads_batched=True, retain_graph=True))
    show("unused allowed", torch.autograd.grad(y, [x, u], v, is_grads_batched=True, allow_unused=True,
                                               retain_graph=True))
    show("materialized", torch.autograd.grad(y, [x, u], v, is_grads_batched=True, materialize_grads=True,
                                             retain_graph=True))
    hess_rows, = torch.autograd.grad(y, x, torch.eye(3, dtype=torch.float64), is_grads_batched=True,
                                     create_graph=True)
    # torch's vmap leaves the batched op's node (MulBackward0), ember stacks the rows: compare values
    show("create_graph rows", (hess_rows.detach(), hess_rows.requires_grad))
    hess_rows.sum().backward()
    show("through the rows", x.grad)
    q = x.sin()
    show.raises("batch shape", lambda: torch.autograd.grad(q, x, torch.ones(2, 4, dtype=torch.float64),
                                                           is_grads_batched=True, retain_graph=True))
    show.raises("implicit 0-d", lambda: torch.autograd.grad(q.sum(), x, is_grads_batched=True, retain_graph=True))
    show("graph freed after the batch", show.raises(
        "second call", lambda: (torch.autograd.grad(q, x, torch.eye(3, dtype=torch.float64), is_grads_batched=True),
                                torch.autograd.grad(q, x, torch.ones(3, dtype=torch.float64)))) is not None)


def gradient_arguments(torch, show):
    x = torch.from_numpy(show.array(3)).requires_grad_()
    y = x.exp()
    show.raises("float gradient", lambda: y.sum().backward(1.0, retain_graph=True))
    show.raises("list gradient", lambda: y.backward([1.0, 2.0, 3.0], retain_graph=True))
    show.raises("float grad_outputs", lambda: torch.autograd.grad(y.sum(), x, 1.0, retain_graph=True))
    show.raises("too few gradients", lambda: torch.autograd.backward([y, y], [torch.ones(3)], retain_graph=True))
    show.raises("no gradients at all", lambda: torch.autograd.grad([y], [x], [], retain_graph=True))
    show("extra gradients ignored", torch.autograd.grad([y], [x], [torch.ones(3), torch.ones(3)], retain_graph=True))
    show("int gradient cast", torch.autograd.grad(y, x, torch.tensor([1, 2, 3]), retain_graph=True))
    show("None for a scalar", torch.autograd.grad(y.sum(), x, [None], retain_graph=True))
    show.raises("output not a tensor", lambda: torch.autograd.grad([3.0], x))
    show.raises("input not a tensor", lambda: torch.autograd.grad(y.sum(), [x, 3], retain_graph=True))
    show.raises("input None", lambda: torch.autograd.grad(y.sum(), [x, None], retain_graph=True))
    show.raises("backward input not a tensor", lambda: y.sum().backward(inputs=[x, 3.0], retain_graph=True))
    show.raises("one output without grad", lambda: torch.autograd.grad([y.sum(), torch.ones(2)], x,
                                                                          retain_graph=True))


def deprecated_keywords(torch, show):
    x = torch.from_numpy(show.array(3)).requires_grad_()
    y = (x * x).sum()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.autograd.backward(y, grad_variables=torch.tensor(2.0), retain_graph=True)
        torch.autograd.grad(y, x, only_inputs=False, retain_graph=True)
    show("warnings", [(type(w.message).__name__, str(w.message)) for w in caught])
    show("grad_variables used", x.grad)
    show.raises("both gradient keywords", lambda: torch.autograd.backward(
        y, grad_tensors=torch.tensor(1.0), grad_variables=torch.tensor(1.0)))


def legacy_variable(torch, show):
    Variable = torch.autograd.Variable      # `from torch.autograd import Variable` in old tutorials
    x = torch.from_numpy(show.array(3))
    v = Variable(x, requires_grad=True)
    show("Variable(x, requires_grad=True)", v)
    show("a leaf sharing x", (v.is_leaf, v.data_ptr() == x.data_ptr(), v is x))
    x.add_(1)
    show("shares the version counter", (v._version, v))
    (v * v).sum().backward()
    show("grad", v.grad)
    show("isinstance", (isinstance(x, Variable), isinstance(v * 2, Variable), isinstance(3.0, Variable)))
    show("Variable of a non-leaf is detached", (Variable(v * 2).grad_fn is None, Variable(v * 2).requires_grad))
    show("positional requires_grad", Variable(x, True).requires_grad)
    show("Variable()", Variable())
    show.raises("not a tensor", lambda: Variable([1.0, 2.0]))
    show.raises("integer requires_grad", lambda: Variable(torch.tensor([1, 2]), requires_grad=True))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        show("volatile", Variable(x, volatile=True).requires_grad)
    show("volatile warns", [type(w.message).__name__ for w in caught])


def multithreading_switch(torch, show):
    show("default", torch.autograd.is_multithreading_enabled())
    with torch.autograd.set_multithreading_enabled(False):
        show("inside", torch.autograd.is_multithreading_enabled())
        x = torch.from_numpy(show.array(3)).requires_grad_()
        (x.exp() * x).sum().backward()
        show("backward still runs", x.grad)
    show("restored", torch.autograd.is_multithreading_enabled())


def function_apply_keywords(torch, show):
    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, flag=True, scale=1.0):
            show("needs_input_grad", ctx.needs_input_grad)
            ctx.scale = scale
            ctx.save_for_backward(y)
            return x * y * scale

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return (g * y * ctx.scale, None) + (None,) * (len(ctx.needs_input_grad) - 2)

    a = torch.from_numpy(show.array(3)).requires_grad_()
    b = torch.from_numpy(show.array(3))
    Scale.apply(a, b, flag=False, scale=2.0).sum().backward()
    show("keywords become inputs", a.grad)
    show("y by name", Scale.apply(a, y=b))
    show("all by name", Scale.apply(x=a, y=b))
    show.raises("a gap", lambda: Scale.apply(a, b, scale=2.0))
    show.raises("unknown keyword", lambda: Scale.apply(a, b, bogus=1))
    show.raises("twice", lambda: Scale.apply(a, b, True, flag=False))


def grad_mode_decorators(torch, show):
    x = torch.from_numpy(show.array(3)).requires_grad_()

    @torch.no_grad()
    def batches():
        for i in range(3):
            yield (x * i).requires_grad, torch.is_grad_enabled()

    it = batches()
    show("first", next(it))
    show("caller between yields", torch.is_grad_enabled())
    show("second", next(it))
    show("thrown in", show.raises("throw", lambda: it.throw(ValueError("stop"))))
    show("after throw", torch.is_grad_enabled())

    @torch.inference_mode()
    def scores():
        got = yield torch.is_inference_mode_enabled()
        yield got, torch.is_inference_mode_enabled(), torch.is_grad_enabled()

    g = scores()
    show("inference first", next(g))
    show("inference between", (torch.is_inference_mode_enabled(), torch.is_grad_enabled()))
    show("send", g.send(5))
    g.close()
    show("after close", torch.is_grad_enabled())

    class Model:
        def __init__(self, v):
            self.out = v * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Wrapped = torch.no_grad()(Model)
    show("class decoration warns", [type(w.message).__name__ for w in caught])
    m = Wrapped(x)
    show("built inside no_grad", (type(m).__name__, m.out.requires_grad, torch.is_grad_enabled()))


@pytest.mark.parametrize("program", [legacy_variable, multithreading_switch, function_apply_keywords,
                                     grad_mode_decorators],
                         ids=lambda f: f.__name__)
def test_autograd_namespace(program):
    run_both(program)


@pytest.mark.parametrize("program", [dict_inputs, gradient_edges, batched_grad_outputs, gradient_arguments,
                                     deprecated_keywords], ids=lambda f: f.__name__)
def test_autograd_arguments(program):
    run_both(program)
