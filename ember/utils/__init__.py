"""ember.utils: helpers around the core library, as torch.utils (``data``: datasets and loaders)."""
from . import data  # noqa: F401
