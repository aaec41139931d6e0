"""Embedding and EmbeddingBag: lookup tables of rows, initialised N(0, 1) as PyTorch's."""
from .. import init
from .._functional import layer as _layer
from ..parameter import Parameter
from .module import Module, _param

__all__ = ["Embedding", "EmbeddingBag"]


def _table(num_embeddings, embedding_dim, _weight, requires_grad, device, dtype):
    """The weight Parameter: a fresh (num, dim) table, or ``_weight`` checked for its shape."""
    if _weight is None:
        from ...creation import empty
        return Parameter(empty((num_embeddings, embedding_dim), device=device, dtype=dtype), requires_grad), True
    if list(_weight.shape) != [num_embeddings, embedding_dim]:
        raise AssertionError(f"Shape of weight does not match num_embeddings and embedding_dim: weight is "
                             f"{list(_weight.shape)}, expected [{num_embeddings}, {embedding_dim}]")
    return Parameter(_weight, requires_grad), False


def _padding_arg(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if padding_idx >= num_embeddings or padding_idx < -num_embeddings:
        raise AssertionError(f"Padding_idx must be within num_embeddings: got padding_idx={padding_idx} for "
                             f"num_embeddings={num_embeddings}")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


class _Table(Module):
    def reset_parameters(self):
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            from ...autograd.grad_mode import no_grad
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def _options_repr(self):
        """max_norm, norm_type and scale_grad_by_freq where they differ from the defaults."""
        s = ""
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s


class Embedding(_Table):
    """Rows of weight (num_embeddings, embedding_dim) picked by integer indices (*) -> (*, embedding_dim).

    padding_idx: that row starts at zero and gets no gradient. max_norm: looked-up
    rows whose norm_type-norm exceeds it are scaled down in place. sparse=True is
    not supported (ember's gradients are dense).
    """

    __constants__ = ["num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                     "scale_grad_by_freq", "sparse"]

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_arg(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.weight, fresh = _table(num_embeddings, embedding_dim, _weight, not _freeze, device, dtype)
        if fresh:
            self.reset_parameters()
        self.sparse = sparse

    def forward(self, input):
        return _layer._embedding(input, _param(self, "weight"), self.padding_idx, self.max_norm,
                                 self.norm_type, self.scale_grad_by_freq, self.sparse, self)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        s += self._options_repr()
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (rows, cols); frozen unless freeze=False."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(_Table):
    """Sums, means or maxima over bags of embedding rows, without building the (*, dim) intermediate.

    forward(input, offsets=None, per_sample_weights=None): input (B, N) is B bags
    of N indices; input (M,) with offsets (B,) gives bags input[offsets[b]:offsets[b+1]].
    """

    __constants__ = ["num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq", "mode",
                     "sparse", "include_last_offset", "padding_idx"]

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _padding_arg(padding_idx, num_embeddings)
        self.weight, fresh = _table(num_embeddings, embedding_dim, _weight, True, device, dtype)
        if fresh:
            self.reset_parameters()
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def forward(self, input, offsets=None, per_sample_weights=None):
        return _layer._embedding_bag(input, _param(self, "weight"), offsets, self.max_norm, self.norm_type,
                                     self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                                     self.include_last_offset, self.padding_idx, self)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}{self._options_repr()}, mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is ``embeddings`` (rows, cols); frozen unless freeze=False."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, max_norm=max_norm,
                  norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
