"""ember.backends: the flags PyTorch scripts set for their compute backends.

ember computes with NumPy on the CPU, so the CUDA/cuDNN/MPS flags change
nothing; they exist, hold PyTorch's defaults and can be set, so scripts that
tune them run unchanged. The availability queries answer as PyTorch's CPU build.
"""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
