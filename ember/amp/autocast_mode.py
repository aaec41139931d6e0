"""autocast: a context manager and decorator, as torch.amp.autocast."""
import functools
import warnings

from .. import dtypes

_DEFAULT_DTYPES = {"cpu": dtypes.bfloat16, "cuda": dtypes.float16}


def is_autocast_available(device_type):
    """Whether autocast can run on ``device_type``: ember has the CPU only."""
    return device_type == "cpu"


class autocast:
    """``with ember.autocast("cpu", enabled=False):`` and friends.

    Args:
        device_type: "cpu" or "cuda" (others raise as in PyTorch).
        dtype: the lower-precision dtype; defaults to bfloat16 on cpu, float16 on cuda.
        enabled: False makes the region a plain no-op.
        cache_enabled: accepted for compatibility.
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "maia"):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self.fast_dtype = _DEFAULT_DTYPES.get(device_type, dtypes.float16) if dtype is None else dtype
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled
        if self._enabled and device_type != "cpu":
            warnings.warn(f"User provided device_type of '{device_type}', but {device_type.upper()} is not "
                          "available. Disabling", stacklevel=2)
            self._enabled = False

    def __enter__(self):
        if self._enabled:
            raise NotImplementedError(
                f"ember does not implement torch.autocast(device_type='cpu', dtype={self.fast_dtype}) yet: it "
                "computes in the dtypes it is given. Pass enabled=False, or cast the model with "
                f"model.to({self.fast_dtype}) explicitly.")
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated
