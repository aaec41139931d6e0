"""Every snippet of the study note /work/shared/seeds/000 (typos fixed), run on torch and on ember, compared.

Each program prints or shows what the note shows: printed tensors, grad_fn, attributes, types.
"""
import warnings

import numpy as np
import pytest

from _harness import run_both


def creating_tensors(torch, show):
    data = [[1, 7], [3, 15]]
    tensor_data = torch.tensor(data)
    print(tensor_data)
    shape = (2, 3)
    ones = torch.ones(shape)
    zeros = torch.zeros(shape)
    print(ones, zeros)
    random = torch.randn(shape)
    show("randn shape", random.shape)
    show("randn dtype", random.dtype)
    random = torch.rand(shape)
    show("rand in [0, 1)", bool(((random >= 0) & (random < 1)).all()))
    template = torch.tensor([[1, 2], [5, 7]])
    rand_like = torch.randn_like(template, dtype=torch.float)
    show("randn_like", (rand_like.shape, rand_like.dtype, rand_like.device))
    show.raises("randn_like of int", lambda: torch.randn_like(template))
    show.raises("int8 overflow", lambda: torch.tensor([1, -22, 333], dtype=torch.int8))
    show.raises("int8 float overflow", lambda: torch.tensor([127.9], dtype=torch.int8))
    show("uint8 wraps negatives", torch.tensor([-1, 255], dtype=torch.uint8))
    show("int8 truncates floats", torch.tensor([3.7, -2.5], dtype=torch.int8))
    show("template attrs", (template.shape, template.dtype, template.device, template.ndim, template.is_leaf))
    print(tensor_data.shape, tensor_data.dtype, tensor_data.device, ones.dtype)
    print(torch.tensor([1.5, 2.0]), torch.tensor([True, False]), torch.tensor(3.25), torch.tensor([1e-5, 1e5]))
    print(torch.tensor([[1.0, -2.5], [3.0, 100.0]], dtype=torch.float64))
    print(torch.zeros(2, 2, dtype=torch.int32), torch.arange(6).reshape(2, 3), torch.tensor([]))
    print(torch.tensor([0.1, 0.2], dtype=torch.float16), torch.tensor([1.0, 2.0], dtype=torch.bfloat16))
    print(torch.tensor([1 + 2j, -0.5j]), torch.full((2,), 7), torch.eye(2), torch.linspace(0, 1, 5))


def autograd_basics(torch, show):
    x = torch.tensor([[1, 2], [5, 7]])
    print(x.requires_grad)
    weight = torch.tensor([[1.0], [1.0]], requires_grad=True)
    print(weight.requires_grad, weight.is_leaf, weight.grad)
    show.raises("int requires_grad", lambda: torch.tensor([1, 2], requires_grad=True))
    xf = torch.tensor([[1.0, 2.0], [5.0, 7.0]], requires_grad=True)
    w = torch.tensor([[2.0, 3.0], [4.0, 5.0]], requires_grad=True)
    y = xf * w
    print(y)
    print(type(y.grad_fn).__name__, xf.grad_fn, y.is_leaf, y.requires_grad)
    show("grad_fn repr shape", str(y.grad_fn).startswith("<MulBackward0 object at 0x"))
    show("next_functions", [type(f).__name__ for f, _ in y.grad_fn.next_functions])
    z = (xf @ weight).sum()
    print(z, z.grad_fn.name())
    z.backward()
    print(xf.grad, weight.grad)
    (xf * w).sum().backward()
    print(xf.grad)                 # accumulated: weight column + w
    with torch.no_grad():
        q = xf * 2
    print(q.requires_grad, q.grad_fn)
    xf.grad.zero_()
    print(xf.grad)
    a = torch.ones(2)
    a.requires_grad_(True)
    print(a.requires_grad, a)
    b = (a * 3).mean()
    print(b)
    b.backward()
    print(a.grad)
    print(torch.tensor([1.0, 2.0], requires_grad=True) + 1)
    print(torch.tensor(2.0, requires_grad=True) ** 2)
    show.raises("backward twice", lambda: _backward_twice(torch))
    show.raises("backward non-scalar", lambda: (a * 2).backward())
    nl = a * 2
    nl.sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        show("non-leaf .grad", nl.grad)
    show("non-leaf .grad warns", [w.category.__name__ for w in caught])
    nl2 = a * 2
    nl2.retain_grad()
    nl2.sum().backward()
    show("retain_grad", nl2.grad)


def _backward_twice(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    y.backward()


def operations(torch, show):
    a = torch.tensor([[10, 20], [30, 40]])
    b = torch.tensor([[1, 2], [3, 4]])
    print(a * b)
    print(a.mul(b))
    show.raises("rand_like of int", lambda: torch.rand_like(a))
    c = torch.rand_like(a, dtype=torch.float)
    r = torch.mul(a, b, out=c)
    print(c, r is c)
    ci = torch.empty_like(a)
    torch.mul(a, b, out=ci)
    print(ci)
    m1 = torch.tensor([[1, 2], [3, 4]])
    m2 = torch.tensor([[2], [3]])
    print(m1 @ m2)
    print(m1.matmul(m2))
    m3 = torch.empty(2, 1, dtype=torch.long)
    torch.matmul(m1, m2, out=m3)
    print(m3)
    show.raises("matmul shape mismatch", lambda: m2 @ m1.T[:1])
    show.raises("mul shape mismatch", lambda: a * torch.tensor([1, 2, 3]))
    show.raises("mean of int", lambda: a.mean())
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    print(a.mean(), a.mean(dim=0), a.mean(dim=1), a.mean(dim=1, keepdim=True))
    print(a.sum(), a.sum(dim=0), a.max(), a.max(dim=1), a.min(dim=0).values, a.std(), a.prod(1))
    print(torch.tensor([[1, 2], [3, 4]]).sum(), torch.tensor([[1, 2], [3, 4]]).sum(dim=1).dtype)
    a3 = torch.arange(12).reshape(3, 4)
    print(a3[:, 2], a3[1], a3[-1, 1:3], a3[a3 > 5], a3[[0, 2]], a3[..., None].shape)
    show.raises("index out of range", lambda: torch.tensor([[1, 2], [3, 4]])[:, 2])
    ai = torch.tensor([[1, 2], [3, 4]])
    print(ai.argmax(dim=1), ai.argmax(), ai.argmin(dim=0, keepdim=True))
    data = torch.tensor([[1, 2, 3], [4, 5, 6]])
    indices_to_select = torch.tensor([[0], [2]])
    selected = torch.gather(data, dim=1, index=indices_to_select)
    print(selected, data.gather(1, torch.tensor([[2, 1], [0, 0]])))
    vec = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    print(vec.gather(0, torch.tensor(2)), torch.zeros(3).scatter_(0, torch.tensor(1), value=1))
    print(torch.zeros(3).scatter_add(0, torch.tensor(2), torch.tensor([5.0, 6.0])))
    show.raises("gather int32 index", lambda: torch.gather(data, 1, indices_to_select.int()))
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    aggregated_value = tensor.sum()
    aggregated_item = aggregated_value.item()
    print(aggregated_item, type(aggregated_item))
    print(type(torch.tensor([3]).item()), type(torch.tensor(True).item()), torch.tensor([[2.5]]).item())
    show.raises("item of many", lambda: tensor.item())
    x = torch.zeros(2, 3)
    y = torch.arange(6.0).reshape(2, 3)
    x.copy_(y)
    print(x)
    x.t_()
    print(x, x.shape)
    x.add_(5)
    print(x)
    x.mul_(2).sub_(1)
    print(x)
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    print(t, n, n.dtype)
    n2 = np.ones(5)
    t2 = torch.from_numpy(n2)
    np.add(n2, 1, out=n2)
    print(t2, n2)
    t2[0] = 10
    print(n2[0])
    show("numpy share", (n.tolist(), t2.tolist()))


def gradient_training_loop(torch, show):
    x = torch.from_numpy(show.array(8, 3))
    y = torch.from_numpy(show.array(8, 1))
    w = torch.from_numpy(show.array(3, 1)).requires_grad_(True)
    bias = torch.zeros(1, requires_grad=True)
    for step in range(5):
        pred = x @ w + bias
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        show(f"loss {step}", loss.item())
        with torch.no_grad():
            w -= 0.1 * w.grad
            bias -= 0.1 * bias.grad
        w.grad.zero_()
        bias.grad.zero_()
    show("w", w)
    show("bias", bias)
    print(w.grad, bias.grad, w.is_leaf)


def torch_autograd(torch, show):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x ** 2).sum()
    (g,) = torch.autograd.grad(y, x)
    print(g, x.grad)
    y2 = (x ** 3).sum()
    (g1,) = torch.autograd.grad(y2, x, create_graph=True)
    print(g1)
    (g2,) = torch.autograd.grad(g1.sum(), x)
    print(g2)
    z = x * 2
    torch.autograd.backward(z, grad_tensors=torch.ones(3))
    print(x.grad)
    q = (x ** 2).sum()
    torch.autograd.backward([q], retain_graph=True)
    torch.autograd.backward(q)
    print(x.grad)
    show.raises("grad of unused", lambda: torch.autograd.grad((x * 0).sum(), [x, torch.ones(1, requires_grad=True)]))
    print(torch.autograd.grad((x * 2).sum(), [x, torch.ones(1, requires_grad=True)], allow_unused=True))

    def f(v):
        return torch.stack([v[0] * v[1], v[1] ** 2, v.sum().sin()])

    print(torch.autograd.functional.jacobian(f, torch.tensor([1.0, 2.0])))
    print(torch.autograd.functional.hessian(lambda v: (v ** 3).sum() + v[0] * v[1], torch.tensor([1.0, 2.0])))
    print(torch.autograd.functional.jacobian(lambda a, b: a * b, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))))
    print(torch.autograd.functional.vjp(lambda v: v ** 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0])))


class _Exp:
    """A custom autograd.Function, written in each library."""

    @staticmethod
    def make(torch):
        class MyExp(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                result = i.exp()
                ctx.save_for_backward(result)
                return result

            @staticmethod
            def backward(ctx, grad_output):
                (result,) = ctx.saved_tensors
                return grad_output * result

        class MulConst(torch.autograd.Function):
            @staticmethod
            def forward(ctx, tensor, constant):
                ctx.constant = constant
                return tensor * constant

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * ctx.constant, None

        return MyExp, MulConst


def custom_function(torch, show):
    MyExp, MulConst = _Exp.make(torch)
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = MyExp.apply(x)
    print(y.grad_fn.__class__.__name__, y.requires_grad)
    show("y", y, repr=False)
    (y.sum() + MulConst.apply(x, 3.0).sum()).backward()
    print(x.grad)
    xd = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    show("gradcheck", torch.autograd.gradcheck(MyExp.apply, (xd,)))
    with torch.no_grad():
        print(MyExp.apply(x).requires_grad)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"])
def test_autograd_dtypes(dtype):
    def program(torch, show):
        dt = getattr(torch, dtype)
        base = show.array(4)
        if dt.is_complex:
            x = torch.tensor((base + 1j * show.array(4)).astype(dtype)).requires_grad_()
            loss = (x * x.conj()).real.sum() + (x * 2).abs().sum()
        else:
            x = torch.from_numpy(base).to(dt).requires_grad_()
            loss = (x.sin() * x + x.exp()).sum()
        show("loss", loss)
        loss.backward()
        show("x.grad", x.grad)
        show("grad dtype", x.grad.dtype)
        show.raises("int grad", lambda: torch.ones(2, dtype=torch.int64).requires_grad_())
        print(torch.ones(2, dtype=dt, requires_grad=True) * 2)
    run_both(program)


def nn_module(torch, show):
    nn = torch.nn
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    print(p, p.requires_grad, type(p).__name__, isinstance(p, torch.Tensor))
    print(nn.Parameter(torch.ones(2), requires_grad=False))
    lin = show.same_init(nn.Linear(3, 2))
    print(lin, lin.weight.shape, lin.bias.shape)
    show("lin params", [(n, tuple(q.shape)) for n, q in lin.named_parameters()])
    x = torch.from_numpy(show.array(4, 3))
    out = lin(x)
    show("linear out", out)
    sample_data = torch.tensor([-2.0, -0.5, 0, 0.5, 2.0])
    relu = torch.nn.ReLU()
    print(relu, relu(sample_data))
    gelu = torch.nn.GELU()
    print(gelu, gelu(sample_data), torch.nn.GELU(approximate="tanh")(sample_data))
    softmax = torch.nn.Softmax(dim=-1)
    logits = torch.tensor([[1.0, 3.0, 0.5, 1.5], [-1.0, 2.0, 1.0, 0.0]])
    print(softmax, softmax(logits))
    print(softmax(logits.requires_grad_()))

    class TinyModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1 = nn.Linear(3, 4)
            self.act = nn.ReLU()
            self.linear2 = nn.Linear(4, 2)
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x):
            return self.softmax(self.linear2(self.act(self.linear1(x))))

    model = show.same_init(TinyModel())
    print(model)
    show("tiny out", model(x))
    show("n params", sum(p.numel() for p in model.parameters()))
    show("state keys", list(model.state_dict().keys()))


def embedding(torch, show):
    num_embeddings = 5
    embedding_dim = 3
    embedding_layer = show.same_init(torch.nn.Embedding(num_embeddings, embedding_dim))
    input_ids = torch.tensor([1, 0, 4])
    word_vectors = embedding_layer(input_ids)
    print(word_vectors.shape, word_vectors)
    print(embedding_layer)
    pad = show.same_init(torch.nn.Embedding(5, 3, padding_idx=0))
    print(pad, pad.weight[0])
    out = pad(torch.tensor([[0, 2, 0], [4, 2, 1]]))
    out.sum().backward()
    show("pad grad", pad.weight.grad)
    mx = show.same_init(torch.nn.Embedding(5, 3, max_norm=1.0, norm_type=2.0))
    with torch.no_grad():
        mx.weight.mul_(3)
    print(mx)
    o = mx(torch.tensor([1, 3]))
    show("max_norm out", o)
    show("max_norm renormed weight", mx.weight)
    sg = show.same_init(torch.nn.Embedding(5, 3, scale_grad_by_freq=True))
    print(sg)
    sg(torch.tensor([1, 1, 1, 2])).sum().backward()
    show("scale_grad_by_freq grad", sg.weight.grad)
    sp = show.same_init(torch.nn.Embedding(5, 3, sparse=True))
    print(sp)
    with torch.no_grad():                    # forward only: ember refuses sparse gradients (NotImplementedError)
        show("sparse=True forward", sp(torch.tensor([[1, 2], [4, 4]])))
    w = torch.from_numpy(show.array(4, 2))
    fr = torch.nn.Embedding(4, 2, _weight=w, _freeze=True)
    print(fr.weight.requires_grad, fr(torch.tensor([3])))
    pre = torch.nn.Embedding.from_pretrained(w)
    print(pre, pre.weight.requires_grad, pre(torch.tensor([[0, 1]])))
    pre2 = torch.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    print(pre2, pre2.weight.requires_grad)
    typed = torch.nn.Embedding(3, 2, dtype=torch.float64, device="cpu")
    print(typed.weight.dtype, typed.weight.device)
    show.raises("index out of range", lambda: embedding_layer(torch.tensor([5])))
    show.raises("float index", lambda: embedding_layer(torch.tensor([1.0])))
    show.raises("bad padding_idx", lambda: torch.nn.Embedding(3, 2, padding_idx=3))


def layer_norm(torch, show):
    batch, sentence_length, embedding_dim = 3, 5, 2
    embedding = torch.from_numpy(show.array(batch, sentence_length, embedding_dim))
    layer_norm = torch.nn.LayerNorm(embedding_dim)
    print(layer_norm)
    out = layer_norm(embedding)
    show("layer_norm", out, repr=False)
    print(out.grad_fn.name())
    show("mean ~0", out.mean(-1), atol=1e-6, repr=False)
    ln2 = torch.nn.LayerNorm([5, 2], elementwise_affine=False, eps=1e-6)
    print(ln2)
    show("ln2", ln2(embedding))
    ln3 = torch.nn.LayerNorm(2, bias=False)
    print(ln3, list(dict(ln3.named_parameters())))


def dropout(torch, show):
    drop = torch.nn.Dropout(p=0.5).train()
    print(drop, drop.training)
    x = torch.ones(1000)
    y = drop(x)
    vals = sorted(set(y.tolist()))
    show("train values", vals)
    show("about half dropped", 350 < int((y == 0).sum()) < 650)
    drop.eval()
    print(drop.training)
    show("eval identity", drop(x).equal(x))
    show.raises("bad p", lambda: torch.nn.Dropout(p=1.5))
    print(torch.nn.Dropout(0.1, inplace=True))


def optimizer(torch, show):
    model = show.same_init(torch.nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    print(opt)
    x = torch.from_numpy(show.array(16, 4))
    y = torch.from_numpy(show.array(16, 1))
    loss_fn = torch.nn.MSELoss()
    for step in range(5):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        show(f"loss {step}", loss.item())
    show("weight", model.weight)
    show("grad after zero_grad", (opt.zero_grad(), model.weight.grad)[1])
    adam = torch.optim.Adam([{"params": [model.weight]}, {"params": [model.bias], "lr": 1e-2}], lr=1e-3)
    print(adam)
    show("adam groups", [(g["lr"], len(g["params"])) for g in adam.param_groups])


@pytest.mark.parametrize("program", [creating_tensors, autograd_basics, operations, gradient_training_loop,
                                     torch_autograd, custom_function, nn_module, embedding, layer_norm, dropout,
                                     optimizer], ids=lambda f: f.__name__)
def test_study_note(program):
    run_both(program)
