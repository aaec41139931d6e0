"""``torch.layout`` and ``torch.memory_format`` values (``torch.strided``, ``torch.channels_last`` ...).

Every ember tensor is dense and strided, so ``x.layout`` is ``ember.strided``. The memory formats are
accepted wherever PyTorch takes ``memory_format=``, so code that names them runs; ember keeps its arrays
in their own (row-major) order whichever format is asked for.
"""
from .tensor import attach


class _Named:
    """One of a fixed set of values, printed as ``ember.NAME`` and surviving copy/pickle as itself."""

    __slots__ = ("_name",)
    _registry = None

    def __new__(cls, *args):
        raise TypeError(f"cannot create 'ember.{cls.__name__}' instances")

    @classmethod
    def _make(cls, name):
        obj = object.__new__(cls)
        obj._name = name
        cls._registry[name] = obj
        return obj

    def __repr__(self):
        return f"ember.{self._name}"

    def __reduce__(self):
        return self._name         # pickled by reference to the module attribute of that name


class layout(_Named):
    __slots__ = ()
    _registry = {}


class memory_format(_Named):
    __slots__ = ()
    _registry = {}


for _name in ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "jagged"):
    globals()[_name] = layout._make(_name)
for _name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
    globals()[_name] = memory_format._make(_name)
legacy_contiguous_format = memory_format._registry["legacy_contiguous_format"] = globals()["contiguous_format"]

attach(layout=globals()["strided"])

__all__ = ["layout", "memory_format"] + list(layout._registry) + list(memory_format._registry)
