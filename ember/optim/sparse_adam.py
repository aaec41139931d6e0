"""SparseAdam, as torch.optim.SparseAdam: Adam for the sparse gradients of
``nn.Embedding(sparse=True)``. ember's gradients are always dense, and PyTorch's
SparseAdam refuses dense gradients, so ``step`` raises PyTorch's error for every
gradient it meets; construction (its checks, param groups, repr, state_dict)
is PyTorch's, so programs that build it and then step Adam on dense gradients run."""
from ..tensor import Tensor
from ._functional import as_float, call_closure
from .optimizer import Optimizer


class SparseAdam(Optimizer):
    """SparseAdam, as torch.optim.SparseAdam (dense gradients raise RuntimeError, as in PyTorch)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < as_float(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas[:2]):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def step(self, closure=None):
        loss = call_closure(closure)
        for group in self.param_groups:
            if any(p._grad is not None for p in group["params"]):
                raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead "
                                   "(ember has no sparse gradients: nn.Embedding(sparse=True) is not supported)")
        return loss
