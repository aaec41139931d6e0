"""ember.nn.parallel: DataParallel (a pass-through without GPUs, as in PyTorch) and the
DistributedDataParallel name (which needs a process group ember does not have yet)."""
from ..modules.module import Module


class DataParallel(Module):
    """Wraps ``module``; with no GPU, as in PyTorch, ``forward`` simply calls it."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if device_ids:
            from ...devices import to_device
            to_device("cuda")
        self.module = module
        self.device_ids = []
        self.dim = dim
        self.output_device = None

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """Raises on construction: there is no process group (ember.distributed.is_available() is False)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, **kwargs):
        raise NotImplementedError("ember does not implement torch.nn.parallel.DistributedDataParallel yet "
                                  "(ember has no process-group backend; use the module directly)")


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    return module(*inputs, **(module_kwargs or {}))


__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
