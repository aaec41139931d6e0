"""ember.nn: Parameter, Module, containers, layers, functional and init."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from . import functional, grad, init, modules
from . import utils  # noqa: E402
from .parallel import DataParallel  # noqa: E402  (torch.nn.DataParallel)
