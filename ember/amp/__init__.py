"""ember.amp: automatic mixed precision, shaped like torch.amp.

ember computes on the CPU in the dtypes it is given. ``autocast`` therefore does
what PyTorch's does where there is nothing to cast to: it is a no-op when
disabled or for a device this build lacks (with PyTorch's warning), and it says
that it is not implemented when a script asks for CPU bfloat16/float16 casting.
``GradScaler`` is a pass-through when disabled (PyTorch disables it, with a
warning, when CUDA is missing) and scales losses on the CPU when asked to.
"""
from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
