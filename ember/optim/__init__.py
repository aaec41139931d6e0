"""ember.optim: optimizers and learning-rate schedulers, as torch.optim."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .adagrad import Adagrad
from . import lr_scheduler
