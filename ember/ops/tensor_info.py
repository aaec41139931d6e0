"""Questions about a tensor that PyTorch answers with Python values:
is_nonzero, is_same_size, is_signed, get_device, is_distributed, typename."""
from ..tensor import Tensor, attach
from ._common import to_tensor_arg


def is_nonzero(input):
    """bool(input) for a one-element tensor; PyTorch refuses any other size."""
    input = to_tensor_arg(input, "input", "is_nonzero")
    n = input._data.size
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def is_same_size(input, other):
    return to_tensor_arg(input, "input", "is_same_size")._data.shape == \
        to_tensor_arg(other, "other", "is_same_size")._data.shape


def is_signed(input):
    return to_tensor_arg(input, "input", "is_signed")._dtype.is_signed


def get_device(input):
    """-1 for a CPU tensor, the device index otherwise (as Tensor.get_device)."""
    return to_tensor_arg(input, "input", "get_device").get_device()


def is_distributed(input):
    """False: no ember tensor is split across processes (torch.distributed shards are separate tensors)."""
    to_tensor_arg(input, "input", "is_distributed")
    return False


def typename(obj):
    """A tensor's type string (``ember.FloatTensor``), else the object's qualified class or function name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = obj.__class__.__module__, obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _is_set_to(self, tensor):
    """Both tensors are the same window onto the same memory (data pointer, shape and strides)."""
    a, b = self._data, tensor._data
    return a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape and \
        self.stride() == tensor.stride()


def _dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))


def _share_memory_(self):
    """Marked shared (what is_shared() reports); NumPy memory is already visible to forked workers."""
    self._shared = True
    return self


def _pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


# Device and storage-kind flags PyTorch's tensors carry: every ember tensor is a dense CPU tensor.
_FLAGS = ("is_xla", "is_xpu", "is_mps", "is_ipu", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn", "is_nested",
          "is_sparse_csr")
attach(is_nonzero=is_nonzero, is_same_size=is_same_size, is_distributed=is_distributed, is_set_to=_is_set_to,
       dim_order=_dim_order, const_data_ptr=lambda self: self.data_ptr(), share_memory_=_share_memory_,
       is_shared=lambda self: self.__dict__.get("_shared", False), is_pinned=lambda self, device=None: False,
       pin_memory=_pin_memory, output_nr=property(lambda self: self._out_nr), **dict.fromkeys(_FLAGS, False))

__all__ = ["is_nonzero", "is_same_size", "is_signed", "get_device", "is_distributed", "typename"]
