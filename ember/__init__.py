"""ember: PyTorch's eager API on NumPy.

``import ember as torch`` and write PyTorch: tensors, autograd, ops, nn, optim.
"""
__version__ = "0.1.0"

import os as _os

# OpenBLAS's idle threads spin for about 0.1 s after each matrix product (THREAD_TIMEOUT, 2^28 cycles)
# and so hold the core that ember's own intra-op threads (ember/_parallel.py) want for the elementwise
# kernels that follow: a CNN step at two threads took a median 62 ms against 45 ms (six alternating
# runs). 2^4 cycles lets them sleep at once; waking them costs microseconds per product. OpenBLAS
# reads this when NumPy first loads it (so it helps when ember is imported before NumPy, as
# `import ember as torch` programs do); a value set by the user wins.
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from . import _allocator
_allocator.tune()      # reuse freed memory for the next large array instead of faulting in fresh pages

from . import dtypes as _dtypes
from .dtypes import (dtype, bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
                     complex64, complex128, half, float, double, short, int, long, cfloat, cdouble,
                     get_default_dtype, set_default_dtype, promote_types, result_type, can_cast, finfo, iinfo)
from .size import Size
from .devices import device
from .tensor import Tensor
from . import cuda
from .autograd import grad_mode as _grad_mode
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled)
from .creation import *  # noqa: F401,F403
from .creation import inclusive_range as range  # noqa: F401  (torch.range)
from .ops.arithmetic import *  # noqa: F401,F403
from .ops.unary import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.comparison import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.rounding import *  # noqa: F401,F403
from .ops.complex_ops import *  # noqa: F401,F403
from .ops.joining import *  # noqa: F401,F403
from . import linalg
from .ops import misc as _misc  # noqa: F401  (attaches copy_, fill_, zero_, new_*)
from .ops.indexing import *  # noqa: F401,F403
from .ops.special_math import *  # noqa: F401,F403
from .ops.copy_variants import *  # noqa: F401,F403
from .ops.scatter_views import *  # noqa: F401,F403
from .ops.index_tools import *  # noqa: F401,F403
from .ops.tensor_info import *  # noqa: F401,F403
from .ops.numeric_gradient import *  # noqa: F401,F403
from .ops.function_forms import *  # noqa: F401,F403  (torch.exp_(t), torch.fill(t, v): after every method)
from .ops.statistics import *  # noqa: F401,F403
from .ops import host_memory as _host_memory  # noqa: F401  (share_memory_, pin_memory)
from . import autograd
from .random import *  # noqa: F401,F403
from .printing import set_printoptions


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input._dtype.is_floating_point


def is_complex(input):
    return input._dtype.is_complex


def is_inference(input):
    return input._inference


def numel(input):
    return input._data.size


from .storage import UntypedStorage, TypedStorage, is_storage  # noqa: E402
from ._functional_aliases import *  # noqa: E402,F401,F403  (torch.softmax, torch.relu, torch.conv2d...)
from . import compat  # noqa: E402  (platform names, as torch's)
from .compat import (compile, set_default_device, get_default_device, set_float32_matmul_precision,  # noqa: E402
                     get_float32_matmul_precision, use_deterministic_algorithms,
                     are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
                     FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor,
                     CharTensor, ByteTensor, BoolTensor, version, set_deterministic_debug_mode,
                     get_deterministic_debug_mode, set_warn_always, is_warn_always_enabled, set_flush_denormal,
                     set_anomaly_enabled)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled  # noqa: E402
from .layouts import *  # noqa: E402,F401,F403  (ember.strided, ember.channels_last, ...)
from .windows import *  # noqa: E402,F401,F403  (hann_window, kaiser_window, ...)
from .threads import (set_num_threads, get_num_threads, set_num_interop_threads,  # noqa: E402
                      get_num_interop_threads)


# Subpackages (and the names they give the top level) load on first use, as PEP 562 allows:
# `ember.nn.Linear`, `from ember import optim`, `ember.save(...)` behave as after torch's
# eager imports, while `import ember` stays several times faster than `import torch`.
_LAZY_MODULES = frozenset(("nn", "optim", "utils", "serialization", "amp", "accelerator", "backends",
                           "distributed", "testing", "fft", "special", "distributions", "func",
                           "jit", "multiprocessing"))
_LAZY_NAMES = {"save": "serialization", "load": "serialization", "autocast": "amp", "vmap": "func"}


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")    # the import binds it on the package
    home = _LAZY_NAMES.get(name) or ("ops.foreach" if name.startswith("_foreach_") else None)
    if home is None:
        raise AttributeError(f"module 'ember' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_NAMES))


from ._numpy_aliases import install as _install_numpy_aliases  # noqa: E402  (x.sum(axis=0, keepdims=True))
_install_numpy_aliases(globals(), Tensor)
