"""ember.save / ember.load in PyTorch's own checkpoint format, and safetensors files.

A checkpoint is an uncompressed zip archive, as ``torch.save`` writes it::

    <name>/data.pkl                the object structure (pickle protocol 2)
    <name>/.format_version         "1"  (storages numbered in order)
    <name>/.storage_alignment      "64" (each record's bytes start on a 64-byte boundary)
    <name>/byteorder               "little" or "big"
    <name>/data/0, data/1, ...     the raw bytes of one storage each
    <name>/version                 "3"  (the archive format)
    <name>/.data/serialization_id  40 digits

In data.pkl a tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, OrderedDict())`` and its storage a persistent id ``('storage', torch.FloatStorage,
'0', 'cpu', numel)``. ember writes those names as text (torch is never imported) and maps them back
to ember on loading. Tensors that view one NumPy buffer are saved against one storage, so views
stay views (same offset and strides) after a round trip, in torch and in ember.

Loading is safe by default (``weights_only=True``): the structure is read by an allow-list
unpickler that builds tensors, containers, numbers, strings, dtypes, devices, sizes and numeric
NumPy arrays, and refuses any other global with a ``pickle.UnpicklingError`` naming it. Nothing
from the file is ever called. ``add_safe_globals`` / ``safe_globals`` extend the list for trusted
classes; ``weights_only=False`` is plain pickle, for files you trust.
"""
from ._allowlist import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals
from ._format import DEFAULT_PROTOCOL
from ._load import get_unsafe_globals_in_checkpoint, load
from ._safetensors import load_file, save_file
from ._save import save

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint", "save_file", "load_file", "DEFAULT_PROTOCOL"]
