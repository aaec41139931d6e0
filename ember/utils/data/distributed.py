"""DistributedSampler, as torch.utils.data.distributed: each of ``num_replicas`` processes
reads its own slice (every ``num_replicas``-th index from ``rank``) of one shared order."""
import math

from ...random import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Indices ``rank, rank + num_replicas, ...`` of a (shuffled, with seed ``seed + epoch``)
    order of the dataset, padded by repeating (or, with ``drop_last``, cut) to a multiple of
    ``num_replicas``. Call ``set_epoch(e)`` each epoch for a new order. ``num_replicas`` and
    ``rank`` must be given: ``ember.distributed`` has no process group to ask yet."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            # no process group is ever initialised in ember: PyTorch's ValueError for that case
            raise ValueError("Default process group has not been initialized, please make sure to call "
                             "init_process_group (ember has no process groups yet: pass num_replicas= and rank=)")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if drop_last and len(dataset) % num_replicas != 0:
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = randperm(n, generator=Generator().manual_seed(self.seed + self.epoch)).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use order ``seed + epoch`` from the next pass on (the same on every replica)."""
        self.epoch = epoch
