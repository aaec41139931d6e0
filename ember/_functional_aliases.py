"""The neural-network kernels PyTorch also exposes at the top level (``torch.softmax``, ``torch.relu``,
``torch.conv2d``, ``torch.layer_norm``, ...), with the top-level signatures, which differ from
``torch.nn.functional``'s in places: ``torch.dropout(input, p, train)`` has no defaults,
``torch.embedding(weight, indices, padding_idx=-1)`` takes the weight first, ``torch.batch_norm`` takes the
weight and bias before the running statistics. Each is a thin call into ``ember.nn.functional``.
"""
import math

from .tensor import attach



class _Functional:
    """ember.nn.functional, imported on the first call (so `import ember` does not load nn)."""

    def __getattr__(self, name):
        global _F
        from .nn import functional as _F       # rebinds the global: later calls go straight to the module
        return getattr(_F, name)


_F = _Functional()

__all__ = ["softmax", "log_softmax", "relu", "relu_", "selu", "selu_", "celu", "celu_", "threshold", "threshold_",
           "hardshrink", "prelu", "rrelu", "rrelu_", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
           "feature_alpha_dropout", "layer_norm", "rms_norm", "group_norm", "batch_norm", "instance_norm",
           "embedding", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d",
           "adaptive_max_pool1d", "cosine_similarity", "pairwise_distance", "pdist", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "pi", "e", "inf", "nan", "newaxis", "constant_pad_nd",
           "max_pool1d_with_indices", "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss",
           "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss", "ctc_loss"]

pi, e, inf, nan, newaxis = math.pi, math.e, math.inf, math.nan, None


def softmax(input, dim, dtype=None):
    return _F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    return _F.log_softmax(input, dim, dtype=dtype)


def relu(input):
    return _F.relu(input)


def relu_(input):
    return _F.relu_(input)


def selu(input):
    return _F.selu(input)


def selu_(input):
    return _F.selu_(input)


def celu(input, alpha=1.0):
    return _F.celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F.celu_(input, alpha)


def threshold(input, threshold, value):
    return _F.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _F.threshold_(input, threshold, value)


def hardshrink(input, lambd=0.5):
    return _F.hardshrink(input, lambd)


def prelu(input, weight):
    return _F.prelu(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F.rrelu_(input, lower, upper, training)


def dropout(input, p, train):
    return _F.dropout(input, p, train)


def dropout_(input, p, train):
    return _F.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _F.feature_alpha_dropout(input, p, train)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return _F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Top-level form: weight first; padding_idx=-1 means none (nn.functional's default is None)."""
    return _F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                        scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def bilinear(input1, input2, weight, bias=None):
    return _F.bilinear(input1, input2, weight, bias)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F.conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F.conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _F.conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def _stride(stride):
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _F.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """Top-level form: always (values, indices)."""
    return _F.adaptive_max_pool1d(input, output_size, return_indices=True)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True)


def constant_pad_nd(input, pad, value=0):
    return _F.pad(input, pad, "constant", value)


# The top-level losses take the reduction as ATen's enum: 0 none, 1 mean, 2 sum.
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(r):
    if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r <= 2:
        raise TypeError(f"reduction must be an int: 0 (none), 1 (mean) or 2 (sum), got {r!r}")
    return _REDUCTIONS[r]


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                               pos_weight=pos_weight)


def kl_div(input, target, reduction=1, *, log_target=False):
    return _F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return _F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, reduction=1):
    return _F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                  reduction=_reduction(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1, zero_infinity=False):
    return _F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                       zero_infinity)


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    return _F.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return _F.pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2):
    return _F.pdist(input, p)


def pixel_shuffle(input, upscale_factor):
    return _F.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F.pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    return _F.channel_shuffle(input, groups)


# The Tensor methods nn.functional attaches when it loads, there from `import ember` on (x.softmax(-1) before
# anything touched ember.nn); loading nn replaces them with its own, which take the same arguments.
attach(relu=relu, relu_=relu_, softmax=softmax, log_softmax=log_softmax, prelu=prelu, hardshrink=hardshrink)
