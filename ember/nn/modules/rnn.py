"""Recurrent layers (RNN, LSTM, GRU), their cells, and packed sequences, as torch.nn.modules.rnn
and torch.nn.utils.rnn. Parameter names, shapes, order and initialisation are PyTorch's; each layer
and direction runs as one fused node (nn/_functional/rnn.py)."""
import math
import numbers
import warnings
from collections import namedtuple

import numpy as np

from ... import creation
from ...ops._common import shown_as
from ...tensor import Tensor, make_tensor
from .. import functional as F
from .. import init
from .._functional.rnn import GATES, rnn_layer
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "PackedSequence",
           "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence"]
# nn.utils.rnn also exports these (not nn): unpad_sequence, unpack_sequence, invert_permutation


# ------------------------------------------------------------------ packed sequences
class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of different lengths packed time-step by time-step: ``data`` (sum of lengths, *),
    ``batch_sizes[t]`` = how many sequences are longer than t; sequences sorted by decreasing length."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        return self.to(self.data.cuda(*args, **kwargs))

    def pin_memory(self):
        return self

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _converter(dtype_name):
    def convert(self):
        import ember
        return self.to(dtype=getattr(ember, dtype_name))
    convert.__name__ = dtype_name
    return convert


for _name, _dtype in (("double", "float64"), ("float", "float32"), ("half", "float16"), ("long", "int64"),
                      ("int", "int32"), ("short", "int16"), ("char", "int8"), ("byte", "uint8")):
    setattr(PackedSequence, _name, _converter(_dtype))


def invert_permutation(permutation):
    """The inverse of a 1-D permutation tensor (None stays None): between sorted and unsorted indices."""
    if permutation is None:
        return None
    inv = np.empty_like(permutation._data)
    inv[permutation._data] = np.arange(permutation._data.size)
    return make_tensor(inv, permutation._dtype)


def _lengths_array(lengths):
    arr = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    if arr.dtype.kind not in "iu":
        arr = arr.astype(np.int64)
    return arr.astype(np.int64).reshape(-1)


def _packed_rows(lengths):
    """Row numbers in the flattened (T * N) padded tensor of each packed element, and batch_sizes."""
    T, N = int(lengths.max()), lengths.size
    batch_sizes = (np.arange(T)[:, None] < lengths[None, :]).sum(1)
    rows = np.concatenate([t * N + np.arange(b) for t, b in enumerate(batch_sizes)])
    return rows, batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """(T, N, *) padded (or (N, T, *)) and the N lengths -> PackedSequence."""
    lengths = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lengths[:-1] < lengths[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = make_tensor(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T = input.shape[0]
    if lengths.max() > T:
        raise RuntimeError(f"pack_padded_sequence: a length {int(lengths.max())} exceeds the padded sequence length "
                           f"{T}")
    rows, batch_sizes = _packed_rows(lengths)
    flat = input.reshape((T * input.shape[1],) + tuple(input.shape[2:]))
    data = flat.index_select(0, make_tensor(rows.astype(np.int64)))
    return PackedSequence(data, make_tensor(batch_sizes.astype(np.int64)), sorted_indices, None)


def _lengths_from_batch_sizes(batch_sizes):
    bs = batch_sizes._data
    return (bs[None, :] > np.arange(int(bs[0]))[:, None]).sum(1)


def _unpack(sequence, total_length=None, padding_value=0.0):
    """PackedSequence -> (padded (T, N_sorted, *), lengths in sorted order)."""
    import ember
    lengths = _lengths_from_batch_sizes(sequence.batch_sizes)
    T = int(lengths.max()) if total_length is None else int(total_length)
    N = lengths.size
    rows, _ = _packed_rows(lengths)
    data = sequence.data
    pad_row = ember.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    where = np.full(T * N, data.shape[0], np.int64)          # every cell reads the padding row...
    where[rows] = np.arange(rows.size)                        # ...except those that hold data
    padded = ember.cat([data, pad_row]).index_select(0, make_tensor(where))
    return padded.reshape((T, N) + tuple(data.shape[1:])), lengths


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """PackedSequence -> (padded (T, N, *) or (N, T, *), lengths (N,) int64), in the original batch order."""
    max_len = int(sequence.batch_sizes._data.size)
    if total_length is not None and total_length < max_len:
        raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, but "
                         f"got total_length={total_length} and max sequence length being {max_len}")
    padded, lengths = _unpack(sequence, total_length, padding_value)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:     # last, as torch (its grad_fn is IndexSelectBackward0)
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    return padded, make_tensor(lengths.astype(np.int64))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """A list of (L_i, *) tensors -> (max L, N, *) (or (N, max L, *)), padded with padding_value."""
    import ember
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        fill = ember.full((T - s.shape[0],) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(ember.cat([s, fill] if padding_side == "right" else [fill, s]))
    return ember.stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """A list of (L_i, *) tensors -> PackedSequence."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """A padded (T, N, *) (or (N, T, *)) tensor and the N lengths -> the list of (L_i, *) sequences. As
    PyTorch's, a time-major input is transposed in place (the caller's tensor becomes batch-major)."""
    import ember
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = ember.arange(padded_sequences.shape[1])
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def unpack_sequence(packed_sequences):
    """PackedSequence -> the list of its (L_i, *) sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


# ------------------------------------------------------------------ RNN, LSTM, GRU
class RNNBase(Module):
    """Common base of RNN, LSTM and GRU: PyTorch's parameters (weight_ih_l{k}[_reverse], ...), checks and the
    layer loop; each layer and direction is one fused node."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        kw = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, v, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
            if not isinstance(v, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(v).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in shapes:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(creation.empty(shape, **kw)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Accepted for compatibility (cuDNN's contiguous weight buffer): nothing to do here."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -------------------------------------------------------------- checks
    def check_input(self, input, batch_sizes):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.shape[-1]}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        d = 2 if self.bidirectional else 1
        return (self.num_layers * d, mini_batch, self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    # -------------------------------------------------------------- forward
    def _run(self, x, h0, c0, lengths):
        """x (T, N, In) -> (output (T, N, D*Hout), h_n, c_n or None)."""
        import ember
        d = 2 if self.bidirectional else 1
        names = self._all_weights
        layer_input = x
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(d):
                k = layer * d + direction
                params = dict(zip((n.rsplit("_l", 1)[0] for n in names[k]), (getattr(self, n) for n in names[k])))
                out, hT, cT = rnn_layer(self.mode, layer_input, h0[k], None if c0 is None else c0[k],
                                        params["weight_ih"], params["weight_hh"], params.get("bias_ih"),
                                        params.get("bias_hh"), params.get("weight_hr"), lengths, direction == 1)
                outs.append(out)
                hs.append(hT)
                cs.append(cT)
            layer_input = outs[0] if d == 1 else ember.cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, ember.stack(hs), (ember.stack(cs) if c0 is not None else None)

    def _prepare(self, input, hx, lstm):
        """The time-major input, (h0, c0), lengths, and how to shape the result back."""
        import ember
        packed = isinstance(input, PackedSequence)
        ctx = {"packed": packed}
        if packed:
            x, lengths = _unpack(input)
            batch_sizes = input.batch_sizes
            self.check_input(input.data, batch_sizes)
            ctx.update(sequence=input, lengths=lengths)
            perm = input.sorted_indices
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D tensor "
                                 f"instead")
            batched = input.dim() == 3
            ctx["batched"] = batched
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            self.check_input(input, None)
            batch_sizes, lengths, perm = None, None, None
            x = input.transpose(0, 1) if self.batch_first else input
        shape_src = input.data if packed else input
        expected = self.get_expected_hidden_size(shape_src if not packed else input.data, batch_sizes)
        n = expected[1]
        d = 2 if self.bidirectional else 1
        if hx is None:
            h0 = ember.zeros(expected, dtype=x.dtype)
            c0 = ember.zeros((self.num_layers * d, n, self.hidden_size), dtype=x.dtype) if lstm else None
        else:
            if lstm:
                h0, c0 = hx[0], hx[1]       # as PyTorch's: a tensor is indexed too (IndexError, or a size check)
            else:
                h0, c0 = hx, None
            if not packed and not ctx["batched"]:
                if h0.dim() != 2 or (c0 is not None and c0.dim() != 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{h0.dim()}-D tensor")
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            elif not packed and h0.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {h0.dim()}-D tensor")
            if perm is not None:
                h0 = h0.index_select(1, perm)
                c0 = c0.index_select(1, perm) if c0 is not None else None
            self.check_hidden_size(h0, expected, "Expected hidden size {}, got {}" if not lstm else
                                   "Expected hidden[0] size {}, got {}")
            if c0 is not None:
                self.check_hidden_size(c0, (expected[0], n, self.hidden_size), "Expected hidden[1] size {}, got {}")
            if lstm and isinstance(hx, Tensor):        # its first two rows passed the checks, as in PyTorch
                raise TypeError("lstm() received an invalid combination of arguments: hx must be a tuple "
                                "(h_0, c_0), got a Tensor")
            if lstm and len(hx) != 2:
                raise RuntimeError("lstm expects two hidden states")
        return x, h0, c0, lengths, ctx

    def _finish(self, out, hn, cn, ctx):
        # grad_fn names as PyTorch's kernels show them (ember runs one fused node a layer and direction): the
        # output is a stack of the steps (PyTorch's oneDNN LSTM: its own node), bidirectional a cat (already),
        # packed data a cat, batch_first a C++ transpose_ (TransposeBackward1; LSTM's is Python's transpose)
        if ctx["packed"]:
            seq = ctx["sequence"]
            rows, _ = _packed_rows(ctx["lengths"])
            data = out.reshape((-1,) + tuple(out.shape[2:])).index_select(0, make_tensor(rows.astype(np.int64)))
            data = shown_as(data, "CatBackward0")
            if seq.unsorted_indices is not None:
                hn = hn.index_select(1, seq.unsorted_indices)
                cn = cn.index_select(1, seq.unsorted_indices) if cn is not None else None
            return PackedSequence(data, seq.batch_sizes, seq.sorted_indices, seq.unsorted_indices), hn, cn
        onednn = self.mode == "LSTM" and not self.proj_size
        if not self.bidirectional:
            out = shown_as(out, "MkldnnRnnLayerBackward0" if onednn else "StackBackward0")
        if self.batch_first:
            out = out.transpose(0, 1)
            if self.mode != "LSTM":
                out = shown_as(out, "TransposeBackward1", private_base=True)
        if not ctx["batched"]:
            out = out.squeeze(0 if self.batch_first else 1)
            hn = hn.squeeze(1)
            cn = cn.squeeze(1) if cn is not None else None
        return out, hn, cn

    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        x, h0, c0, lengths, ctx = self._prepare(input, hx, lstm)
        out, hn, cn = self._run(x, h0, c0, lengths)
        out, hn, cn = self._finish(out, hn, cn, ctx)
        return (out, (hn, cn)) if lstm else (out, hn)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, gates (i, f, g, o); proj_size > 0 projects h_t with weight_hr."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit, gates (r, z, n)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ------------------------------------------------------------------ cells
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]
    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        kw = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(creation.empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(creation.empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input, hx_list):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for h in hx_list:
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}")
        n = input.shape[0] if input.dim() == 2 else None
        for i, h in enumerate(hx_list):
            if h is None:
                continue
            if (h.dim() == 2) != (input.dim() == 2) or (n is not None and h.shape[0] != n):
                raise RuntimeError(f"Input batch size {n if n is not None else 1} doesn't match hidden{i} batch "
                                   f"size {h.shape[0] if h.dim() == 2 else 1}")
            if h.shape[-1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.shape[-1]}, expected "
                                   f"{self.hidden_size}")

    def _step(self, input, h, c):
        """One step: the fused layer kernel over a sequence of length 1."""
        import ember
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        n = x.shape[0]
        h = ember.zeros((n, self.hidden_size), dtype=x.dtype) if h is None else (h if batched else h.unsqueeze(0))
        if self._mode == "LSTM":
            c = ember.zeros((n, self.hidden_size), dtype=x.dtype) if c is None else (c if batched else
                                                                                      c.unsqueeze(0))
        _, hT, cT = rnn_layer(self._mode, x.unsqueeze(0), h, c, self.weight_ih, self.weight_hh, self.bias_ih,
                              self.bias_hh, None)
        hT = shown_as(hT, self._shown[0])     # the last op of PyTorch's cell composite
        if cT is not None:
            cT = shown_as(cT, self._shown[1])
        if not batched:
            hT = hT.squeeze(0)
            cT = cT.squeeze(0) if cT is not None else None
        return hT, cT


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self._shown = ("TanhBackward0" if nonlinearity == "tanh" else "ReluBackward0",)

    def forward(self, input, hx=None):
        self._check(input, [hx])
        return self._step(input, hx, None)[0]


class LSTMCell(RNNCellBase):
    """(h', c') of one LSTM step."""
    _mode = "LSTM"
    _shown = ("MulBackward0", "AddBackward0")       # h' = o * tanh(c'), c' = f * c + i * g

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        h, c = (None, None) if hx is None else hx
        self._check(input, [h, c])
        return self._step(input, h, c)


class GRUCell(RNNCellBase):
    """h' of one GRU step."""
    _mode = "GRU"
    _shown = ("AddBackward0",)                      # h' = (1 - z) * n + z * h

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        self._check(input, [hx])
        return self._step(input, hx, None)[0]

