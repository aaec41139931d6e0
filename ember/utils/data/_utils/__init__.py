"""The DataLoader's machinery (as torch.utils.data._utils): collation, fetchers, worker processes."""
from . import collate, fetch, worker  # noqa: F401

# How often (seconds) a waiting loader checks that its workers are alive, and a
# worker that its parent is: the longest a dead process can go unnoticed.
MP_STATUS_CHECK_INTERVAL = 1.0
