"""A short tour of tensors and autograd: PyTorch-style printing and type promotion, then a
fit of y = 3x - 1 by gradient descent with autograd, exactly as one would in PyTorch."""
import ember as torch


def run(args=None):
    print(f"ember {torch.__version__}: PyTorch's eager API on NumPy\n")
    x = torch.tensor([[1, 7], [3, 15]])
    print("torch.tensor([[1, 7], [3, 15]]) ->")
    print(x, "\n")
    print("dtype:", x.dtype, "| shape:", x.shape, "| device:", x.device)
    print("x / 2 promotes to", (x / 2).dtype, "; x * 2.5 gives", (x * 2.5).dtype, "\n")

    w = torch.tensor([0.5, -0.5], requires_grad=True)
    y = (w * w + w).sum()
    print("w =", w)
    print("y = (w * w + w).sum() =", y)
    y.backward()
    print("dy/dw =", w.grad, "(= 2w + 1)\n")

    print("Fitting y = 3x - 1 with autograd and plain gradient descent:")
    xs = torch.linspace(-1, 1, 50)
    ys = 3 * xs - 1
    a = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(201):
        loss = ((a * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            a -= 0.1 * a.grad
            b -= 0.1 * b.grad
        a.grad.zero_()
        b.grad.zero_()
        if step % 50 == 0:
            print(f"  step {step:3d}  loss {loss.item():.6f}  a {a.item():+.4f}  b {b.item():+.4f}")
    return {"a": a.item(), "b": b.item()}
