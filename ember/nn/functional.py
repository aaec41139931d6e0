"""nn.functional (imported as ``F``): the neural-network kernels.

They live by family, each op's forward beside its backward:
``_functional/activation.py`` (relu, gelu, softmax, ...),
``_functional/loss.py`` (cross_entropy, mse_loss, ...) and
``_functional/layer.py`` (linear, embedding, layer_norm, dropout, pad, ...).
"""
from ._functional.activation import *  # noqa: F401,F403
from ._functional.layer import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.pooling import *  # noqa: F401,F403
from ._functional.batchnorm import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.vision import *  # noqa: F401,F403
from ._functional.fractional import *  # noqa: F401,F403
from . import grad  # noqa: E402,F401  (torch.nn.functional.grad is torch.nn.grad)
