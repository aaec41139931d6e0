"""RNN, LSTM, GRU, their cells and packed sequences against torch (copied weights)."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import assert_same_repr
from oracle import assert_same, pair, same_error
from seq_oracle import compare_module

F32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)
IN, HID, T, N = 4, 5, 6, 3

CONFIGS = [
    ("plain", {}),
    ("two_layers_bidir", dict(num_layers=2, bidirectional=True)),
    ("batch_first_no_bias", dict(batch_first=True, bias=False)),
    ("three_layers", dict(num_layers=3)),
]
LAYERS = [("LSTM", c) for c in CONFIGS + [("proj", dict(proj_size=2, num_layers=2, bidirectional=True))]] + \
         [("GRU", c) for c in CONFIGS] + [("RNN", c) for c in CONFIGS + [("relu", dict(nonlinearity="relu"))]]


def _input_shape(kw):
    return (N, T, IN) if kw.get("batch_first") else (T, N, IN)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,cfg", LAYERS, ids=[f"{layer}-{c[0]}" for layer, c in LAYERS])
def test_recurrent_layer(layer, cfg, dtype):
    _, kw = cfg
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, **kw), [_input_shape(kw)], dtype,
                   **(F32 if dtype == "float32" else {}))


def _hidden(layer, kw):
    d = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1) * d
    hout = kw.get("proj_size") or HID
    return [(L, N, hout), (L, N, HID)] if layer == "LSTM" else [(L, N, hout)]


@pytest.mark.parametrize("layer,cfg", LAYERS, ids=[f"{layer}-{c[0]}" for layer, c in LAYERS])
def test_recurrent_layer_initial_state(layer, cfg):
    _, kw = cfg
    hid = _hidden(layer, kw)
    if layer == "LSTM":
        call = (lambda m, x, h, c: m(x, (h, c)))
    else:
        call = (lambda m, x, h: m(x, h))
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, **kw), [_input_shape(kw)] + hid, "float64",
                   call=call)


@pytest.mark.parametrize("layer", ["LSTM", "GRU", "RNN"])
def test_unbatched(layer):
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, num_layers=2), [(T, IN)], "float64")
    hid = [(2, HID), (2, HID)] if layer == "LSTM" else [(2, HID)]
    call = (lambda m, x, h, c: m(x, (h, c))) if layer == "LSTM" else (lambda m, x, h: m(x, h))
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, num_layers=2, batch_first=True), [(T, IN)] + hid,
                   "float64", call=call)


@pytest.mark.parametrize("layer", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_sequence(layer, enforce_sorted, bidirectional):
    lengths = [6, 4, 4, 1] if enforce_sorted else [3, 6, 1, 4]

    def call(m, x):
        lib = ember if isinstance(m, ember.nn.Module) else torch
        out, h = m(lib.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted))
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out)
        return padded, lens, h
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, num_layers=2, bidirectional=bidirectional),
                   [(6, 4, IN)], "float64", call=call)


def test_pack_pad_utilities():
    R = ember.nn.utils.rnn
    seqs = [np.random.randn(n, 3) for n in (2, 5, 3)]
    e = [ember.tensor(s, requires_grad=True) for s in seqs]
    t = [torch.tensor(s, requires_grad=True) for s in seqs]
    for bf in (False, True):
        assert_same(R.pad_sequence(e, batch_first=bf, padding_value=-1.0),
                    torch.nn.utils.rnn.pad_sequence(t, batch_first=bf, padding_value=-1.0))
    assert_same(R.pad_sequence(e, padding_side="left"), torch.nn.utils.rnn.pad_sequence(t, padding_side="left"))
    pe, pt = R.pack_sequence(e, enforce_sorted=False), torch.nn.utils.rnn.pack_sequence(t, enforce_sorted=False)
    for a, b in zip(pe, pt):
        assert_same(a, b)
    pe_out = R.pad_packed_sequence(pe, batch_first=True, total_length=7)
    pt_out = torch.nn.utils.rnn.pad_packed_sequence(pt, batch_first=True, total_length=7)
    assert_same(pe_out, pt_out)
    g = np.random.randn(*pt_out[0].shape)
    pe_out[0].backward(ember.tensor(g))
    pt_out[0].backward(torch.tensor(g))
    for a, b in zip(e, t):
        assert_same(a.grad, b.grad)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_padded_sequence(ember.zeros(4, 2, 3), [1, 3])


CELLS = [("LSTMCell", {}), ("LSTMCell", dict(bias=False)), ("GRUCell", {}), ("RNNCell", {}),
         ("RNNCell", dict(nonlinearity="relu", bias=False))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cell,kw", CELLS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CELLS)])
def test_cells(cell, kw, dtype):
    make = (lambda lib: getattr(lib.nn, cell)(IN, HID, **kw))
    tol = F32 if dtype == "float32" else {}
    compare_module(make, [(N, IN)], dtype, **tol)
    if cell == "LSTMCell":
        compare_module(make, [(N, IN), (N, HID), (N, HID)], dtype, call=lambda m, x, h, c: m(x, (h, c)), **tol)
        compare_module(make, [(IN,), (HID,), (HID,)], dtype, call=lambda m, x, h, c: m(x, (h, c)), **tol)
    else:
        compare_module(make, [(N, IN), (N, HID)], dtype, **tol)
        compare_module(make, [(IN,), (HID,)], dtype, **tol)


def test_cell_unrolled_matches_layer():
    """A cell stepped by hand in a Python loop (the classic training loop) gives the layer's result."""
    cell, lstm = ember.nn.LSTMCell(IN, HID), ember.nn.LSTM(IN, HID)
    with ember.no_grad():
        for a, b in (("weight_ih", "weight_ih_l0"), ("weight_hh", "weight_hh_l0"), ("bias_ih", "bias_ih_l0"),
                     ("bias_hh", "bias_hh_l0")):
            getattr(lstm, b).copy_(getattr(cell, a))
    x = ember.randn(T, N, IN)
    h = c = ember.zeros(N, HID)
    for t in range(T):
        h, c = cell(x[t], (h, c))
    out, (hn, cn) = lstm(x)
    assert np.allclose(h.detach().numpy(), hn[0].detach().numpy(), atol=1e-6)
    assert np.allclose(c.detach().numpy(), cn[0].detach().numpy(), atol=1e-6)


def test_long_sequence_trains():
    m = ember.nn.GRU(3, 4)
    x = ember.randn(1000, 2, 3)
    out, h = m(x)
    out.sum().backward()
    assert np.isfinite(m.weight_hh_l0.grad.numpy()).all()
    cell = ember.nn.RNNCell(3, 4)
    h = ember.zeros(2, 4)
    for t in range(1000):                                     # 1,000 nodes deep through a cell: no recursion
        h = cell(x[t], h)
    h.sum().backward()
    assert np.isfinite(cell.weight_ih.grad.numpy()).all()


def test_second_order_and_gradcheck():
    d = dict(dtype=ember.float64, requires_grad=True)
    for layer in ("LSTM", "GRU", "RNN"):
        m = getattr(ember.nn, layer)(2, 3, bidirectional=True).double()
        x = ember.randn(3, 2, 2, **d)
        assert ember.autograd.gradcheck(lambda x: m(x)[0], (x,))
        assert ember.autograd.gradgradcheck(lambda x: m(x)[0], (x,))
    lengths = [3, 1]
    m = ember.nn.LSTM(2, 3).double()
    x = ember.randn(3, 2, 2, **d)
    pack = ember.nn.utils.rnn.pack_padded_sequence
    assert ember.autograd.gradgradcheck(lambda x: m(pack(x, lengths))[0].data, (x,))


def test_dropout_between_layers_and_flatten_parameters():
    m = ember.nn.LSTM(IN, HID, num_layers=2, dropout=0.5)
    m.flatten_parameters()
    x = ember.randn(T, N, IN)
    m.train()
    a, b = m(x)[0], m(x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())     # dropout draws differ
    m.eval()
    assert np.allclose(m(x)[0].detach().numpy(), m(x)[0].detach().numpy())
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        ember.nn.GRU(IN, HID, dropout=0.3)


REPRS = [("LSTM", (3, 4), dict(num_layers=2, bidirectional=True, proj_size=2, batch_first=True, dropout=0.1)),
         ("GRU", (3, 4), dict(bias=False)), ("RNN", (3, 4), dict(nonlinearity="relu")),
         ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), dict(bias=False)),
         ("RNNCell", (3, 4), dict(nonlinearity="relu"))]


@pytest.mark.parametrize("layer,args,kw", REPRS, ids=[r[0] for r in REPRS])
def test_repr_state_dict_and_init(layer, args, kw):
    em, tm = getattr(ember.nn, layer)(*args, **kw), getattr(torch.nn, layer)(*args, **kw)
    assert_same_repr(em, tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [tuple(v.shape) for v in em.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    bound = 1 / args[1] ** 0.5
    assert all(abs(p.detach().numpy()).max() <= bound for p in em.parameters())
    if hasattr(tm, "_flat_weights_names"):
        assert em._flat_weights_names == tm._flat_weights_names


BAD = [
    ("input_size", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 7))),
    ("input_dims", lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3, 1))),
    ("hidden_shape", lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3), lib.randn(1, 3, 4))),
    ("lstm_cell_state_shape", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4),
                                                                                  lib.randn(1, 2, 5)))),
    ("dtype", lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64))),
    ("proj_too_big", lambda lib: lib.nn.LSTM(3, 4, proj_size=4)),
    ("proj_on_gru", lambda lib: lib.nn.GRU(3, 4, proj_size=2)),
    ("bad_dropout", lambda lib: lib.nn.LSTM(3, 4, dropout=1.5)),
    ("nonlinearity", lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid")),
    ("cell_input", lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 5))),
    ("cell_dims", lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 2, 3))),
    ("cell_hidden", lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(3, 4))),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_errors(name, fn):
    same_error(fn)


def test_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        ember.nn.GRU(3, 4)(ember.randn(5, 2, 3), ember.randn(1, 3, 4))
    x, _ = pair((5, 2, 3))
    assert ember.nn.LSTM(3, 4)(x)[0].shape == (5, 2, 4)


def test_lstm_language_model_trains_like_torch():
    """Embedding -> 2-layer LSTM -> Linear, trained 3 Adam steps with clipping: the same losses as torch."""
    V = 11

    def make(lib):
        class LM(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = lib.nn.Embedding(V, 6)
                self.rnn = lib.nn.LSTM(6, 8, num_layers=2, batch_first=True)
                self.head = lib.nn.Linear(8, V)

            def forward(self, idx, state=None):
                out, state = self.rnn(self.emb(idx), state)
                return self.head(out), state
        return LM()
    tm, em = make(torch), make(ember)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    topt, eopt = torch.optim.Adam(tm.parameters(), lr=0.01), ember.optim.Adam(em.parameters(), lr=0.01)
    for _ in range(3):
        seq = np.random.randint(0, V, (4, 9))
        losses = []
        for lib, m, opt in ((ember, em, eopt), (torch, tm, topt)):
            opt.zero_grad()
            x, y = lib.tensor(seq[:, :-1]), lib.tensor(seq[:, 1:])
            logits, _ = m(x)
            loss = lib.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
            loss.backward()
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            losses.append(loss)
        assert_same(losses[0], losses[1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
def test_packed_unsorted_with_initial_state(layer):
    lengths = [2, 6, 3, 5]

    def call(m, x, h, *c):
        lib = ember if isinstance(m, ember.nn.Module) else torch
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = m(packed, (h, c[0]) if c else h)
        return rnn.pad_packed_sequence(out, batch_first=True)[0], state
    hid = [(2, 4, HID), (2, 4, HID)] if layer == "LSTM" else [(2, 4, HID)]
    compare_module(lambda lib: getattr(lib.nn, layer)(IN, HID, bidirectional=True, batch_first=True),
                   [(4, 6, IN)] + hid, "float64", call=call)
