""".safetensors files through the safetensors package's NumPy API (the optional ``safetensors`` extra)."""
import numpy as np

from .. import dtypes
from ..devices import to_device
from ..tensor import Tensor, make_tensor

def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("ember.serialization's safetensors helpers need the safetensors package: "
                          "pip install 'ember[safetensors]'") from None
    return safetensors.numpy


def save_file(tensors, filename, metadata=None):
    """Write a dict {name: Tensor} to a .safetensors file (as safetensors.torch.save_file does)."""
    st = _safetensors_numpy()
    arrays = {}
    for key, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"save_file: tensors[{key!r}] is a {type(t).__name__}, not a Tensor")
        arrays[key] = np.ascontiguousarray(t.detach()._data)
    st.save_file(arrays, filename, metadata=metadata)


def load_file(filename, device="cpu"):
    """Read a .safetensors file into a dict {name: Tensor} (as safetensors.torch.load_file does)."""
    to_device(device)
    st = _safetensors_numpy()
    return {key: make_tensor(np.array(arr), dtypes.from_numpy_dtype(arr.dtype))
            for key, arr in st.load_file(filename).items()}
