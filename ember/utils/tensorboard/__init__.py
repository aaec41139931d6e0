"""ember.utils.tensorboard: SummaryWriter writing TensorBoard event files, as torch.utils.tensorboard.

Like PyTorch's, it needs the ``tensorboard`` package (``pip install 'ember[tensorboard]'``),
whose event-file writer and protobufs it uses, so the files are the ones TensorBoard reads.
Scalars (``add_scalar``, ``add_scalars``) and text are written; the other ``add_*`` methods
say that ember does not implement them yet.
"""
try:
    import tensorboard  # noqa: F401
except ImportError:
    raise ImportError("TensorBoard logging requires the tensorboard package: pip install tensorboard "
                      "(or pip install 'ember[tensorboard]')") from None

from .writer import SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter"]
