"""torch.autograd.Function in the styles the docs show: classic ctx forward, setup_context (new style),
needs_input_grad, mark_non_differentiable, mark_dirty, save_for_backward of inputs and outputs, double
backward through a custom function, once_differentiable, materialize_grads, vs torch."""
import pytest

from _harness import run_both


def _functions(torch):
    Function = torch.autograd.Function

    class LinearFunction(Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class MulConstant(Function):
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            _, constant = inputs
            ctx.constant = constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    class Sort(Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g, _):
            (idx,) = ctx.saved_tensors
            grad = torch.zeros_like(g)
            grad.scatter_(0, idx, g)
            return grad

    class Square(Function):                       # differentiable backward: double backward works
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class AddOneInplace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Clip(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(-1, 1)

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ((x > -1) & (x < 1)).to(g.dtype)

    class TwoOut(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(True)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    return LinearFunction, MulConstant, Sort, Square, AddOneInplace, Clip, TwoOut


def custom_functions(torch, show):
    LinearFunction, MulConstant, Sort, Square, AddOneInplace, Clip, TwoOut = _functions(torch)
    x = torch.from_numpy(show.array(4, 3)).requires_grad_()
    w = torch.from_numpy(show.array(2, 3)).requires_grad_()
    b = torch.from_numpy(show.array(2)).requires_grad_()
    y = LinearFunction.apply(x, w, b)
    show("linear", y)
    y.sum().backward()
    show("grads", (x.grad, w.grad, b.grad))
    w2 = w.detach().requires_grad_()
    LinearFunction.apply(x.detach(), w2).pow(2).sum().backward()
    show("no-bias weight grad", w2.grad)
    v = torch.tensor([0.5, -2.0, 3.0], requires_grad=True)
    m = MulConstant.apply(v, 4.0)
    show("setup_context", m)
    m.sum().backward()
    show("setup_context grad", v.grad)
    s = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, idx = Sort.apply(s)
    show("sort outputs", (values, idx, idx.requires_grad))
    (values * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    show("sort grad", s.grad)
    q = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(Square.apply(q).sum(), q, create_graph=True)
    show("first", g)
    (gg,) = torch.autograd.grad(g.sum(), q)
    show("double backward", gg)
    show("gradcheck", torch.autograd.gradcheck(Square.apply, (q,)))
    leaf = torch.ones(2, requires_grad=True)
    z = leaf * 1
    out = AddOneInplace.apply(z)
    show("mark_dirty", (out, out is z))
    out.sum().backward()
    show("mark_dirty grad", leaf.grad)
    c = torch.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    cl = Clip.apply(c)
    (g1,) = torch.autograd.grad(cl.sum(), c, create_graph=True)
    show("once_differentiable", g1)
    show.raises("once_differentiable double backward", lambda: torch.autograd.grad(g1.sum(), c))
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    a, _ = TwoOut.apply(t)
    a.sum().backward()
    show("materialized zero grad", t.grad)
    show("apply under no_grad", _no_grad_apply(torch, Square))


def _no_grad_apply(torch, Square):
    with torch.no_grad():
        r = Square.apply(torch.ones(2, requires_grad=True))
    return r.requires_grad


def test_custom_functions():
    run_both(custom_functions)
