"""The constants of PyTorch's checkpoint format that saving and loading share."""
from .. import dtypes

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_ARCHIVE_VERSION = 3        # what torch.save writes in <name>/version
_MAX_ARCHIVE_VERSION = 10   # the newest archive format PyTorch's reader accepts

# the storage class torch names for each dtype (torch.FloatStorage ...)
_STORAGE_NAMES = {
    dtypes.float32: "FloatStorage", dtypes.float64: "DoubleStorage", dtypes.float16: "HalfStorage",
    dtypes.bfloat16: "BFloat16Storage", dtypes.int64: "LongStorage", dtypes.int32: "IntStorage",
    dtypes.int16: "ShortStorage", dtypes.int8: "CharStorage", dtypes.uint8: "ByteStorage",
    dtypes.bool: "BoolStorage", dtypes.complex64: "ComplexFloatStorage", dtypes.complex128: "ComplexDoubleStorage",
}
_STORAGE_DTYPES = {name: dt for dt, name in _STORAGE_NAMES.items()}
