"""Run by test_compat.py under ``python -m ember.run``: import torch the ways scripts do and check
that every name resolves to ember, that platform names exist, and that missing names say so."""
import inspect
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.autograd
import torch.backends.cudnn
import torch.utils.data
from torch import Tensor
from torch.autograd import Function
from torch.nn import functional
from torch.nn.modules.module import Module
from torch.nn.parameter import Parameter
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.dataloader import DataLoader as DataLoader2

import ember

assert torch is ember and nn is ember.nn and F is ember.nn.functional is functional, "aliasing"
assert optim is ember.optim and torch.autograd is ember.autograd and Function is ember.autograd.Function
assert Tensor is ember.Tensor and Module is ember.nn.Module and Parameter is ember.nn.Parameter
assert StepLR is ember.optim.lr_scheduler.StepLR and DataLoader is DataLoader2 is ember.utils.data.DataLoader
assert TensorDataset is ember.utils.data.TensorDataset
assert sys.modules["torch.nn"] is ember.nn

# platform names, reachable right after `import torch` as in PyTorch
torch.backends.cudnn.benchmark = True
torch.backends.cuda.matmul.allow_tf32 = True
assert torch.backends.cudnn.benchmark is True and torch.cuda.is_available() is False
assert torch.accelerator.is_available() is False and torch.distributed.is_initialized() is False
assert torch.serialization.add_safe_globals is ember.serialization.add_safe_globals
import torch.cuda.amp  # noqa: E402
import torch.nn.parallel  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402,F401
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402,F401
import torch.distributed as dist  # noqa: E402
assert dist is ember.distributed
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
assert torch.ones(2).to(device).device.type == "cpu"
assert "fused" in inspect.signature(torch.optim.AdamW).parameters

# what ember lacks says so, at the point of use
assert not hasattr(torch, "surely_not_a_torch_function")
assert getattr(torch.nn, "SurelyNotALayer", None) is None
try:
    torch.surely_not_a_torch_function(1)
except NotImplementedError as e:
    assert str(e) == "ember does not implement torch.surely_not_a_torch_function yet", e
else:
    raise AssertionError("no error for a missing function")
from torch.nn import SurelyNotALayer  # noqa: E402  (imports work; use fails)
import torch.surely_not_a_module  # noqa: E402
from torch.surely_not_a_module.sub import thing  # noqa: E402
assert not isinstance(torch.ones(1), SurelyNotALayer)
for use, name in [(lambda: SurelyNotALayer(3), "torch.nn.SurelyNotALayer"),
                  (lambda: SurelyNotALayer.attribute, "torch.nn.SurelyNotALayer.attribute"),
                  (lambda: type("Mine", (SurelyNotALayer,), {})(), "torch.nn.SurelyNotALayer"),
                  (lambda: torch.surely_not_a_module.function(), "torch.surely_not_a_module.function"),
                  (lambda: thing(), "torch.surely_not_a_module.sub.thing")]:
    try:
        use()
    except NotImplementedError as e:
        assert str(e) == f"ember does not implement {name} yet", e
    else:
        raise AssertionError(f"no error when using {name}")
try:
    import torch._surely_private  # noqa: F401
except ImportError as e:
    assert isinstance(e, NotImplementedError) and "ember does not implement torch._surely_private yet" in str(e)
else:
    raise AssertionError("no error for a missing private module")
assert str(torch.float32) == "torch.float32" and str(torch.ones(2, 3).shape) == "torch.Size([2, 3])"
assert repr(torch.ones(2, dtype=torch.float64)) == "tensor([1., 1.], dtype=torch.float64)"
t = torch.ones(2)
assert not hasattr(t, "surely_not_a_method") and hasattr(t, "sum")
try:
    t.surely_not_a_method()
except NotImplementedError as e:
    assert str(e) == "ember does not implement torch.Tensor.surely_not_a_method yet", e
else:
    raise AssertionError("no error for a missing Tensor method")
assert sys.argv[1:] == ["--flag", "value"], sys.argv
print("PROBE OK")
