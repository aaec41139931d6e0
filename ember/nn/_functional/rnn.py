"""Recurrent kernels: one fused Node per layer and direction for RNN (tanh/relu), LSTM (with
projection) and GRU over a whole sequence.

Forward: the input projection of every time step is one matrix product
(T*N, In) @ W_ih^T; then a NumPy loop over the steps does h @ W_hh^T and the
gate arithmetic in place, saving the gate activations. Backward runs the loop
in reverse for the gate gradients only; the weight and input gradients are
then three large products over all steps (dW_ih = dG^T X, dW_hh = dG^T H_prev,
dX = dG W_ih). No Python-level graph per step, so 1,000 steps cost a loop,
not a deep graph.

Variable lengths (packed sequences) enter as ``lengths``: at step t only the
sequences with length > t update; the others keep their state, and their
output is zero (what pad_packed_sequence gives). The reverse direction starts
each sequence at its own last element.

Under create_graph the formula rebuilds the layer from ember ops (the same
cell equations) and differentiates that, so higher orders are right (slowly).
"""
import numpy as np

from ... import dtypes
from ...tensor import make_tensor
from ...ops._common import _gstate, node_class, record

_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _c(a):
    return None if a is None else a.astype(np.float32) if a.dtype in _LOWP else a


def _sigmoid_(a):
    """In-place logistic sigmoid through tanh (no overflow)."""
    a *= 0.5
    np.tanh(a, out=a)
    a += 1
    a *= 0.5
    return a


# ------------------------------------------------------------------ forward over a sequence
def _fwd(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, lengths, reverse):
    """Run one layer-direction. x (T, N, In). Returns (out (T, N, Hout), h_T, c_T, cache)."""
    T, N = x.shape[:2]
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    xw = (x.reshape(T * N, -1) @ np.ascontiguousarray(w_ih.T)).reshape(T, N, -1)
    w_hh_t = np.ascontiguousarray(w_hh.T)          # a contiguous (Hout, G) operand: faster BLAS calls per step
    if b_ih is not None:
        xw += b_ih
        if mode != "GRU":
            xw += b_hh                  # GRU keeps b_hh apart: r multiplies (W_hn h + b_hn)
    if mode == "LSTM":
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: with the i, f, o columns pre-scaled by 1/2, one tanh per step
        # serves all four gates
        half = np.full(w_hh.shape[0], 0.5, x.dtype)
        half[2 * H:3 * H] = 1
        xw *= half
        w_hh_t *= half
    out = np.empty((T, N, h0.shape[1]), x.dtype)
    acts = np.empty(xw.shape, x.dtype)              # gate activations per step
    hprev = np.empty((T, N, h0.shape[1]), x.dtype)  # the state each step started from
    cs = np.empty((T, N, H), x.dtype) if mode == "LSTM" else None
    cprev = np.empty((T, N, H), x.dtype) if mode == "LSTM" else None
    extra = np.empty((T, N, H), x.dtype) if mode in ("GRU", "LSTM") else None   # GRU: W_hn h + b_hn; LSTM: o*tanh(c)
    active = None if lengths is None else (np.arange(T)[:, None] < lengths[None, :])[..., None]
    h, c = h0, c0
    steps = range(T - 1, -1, -1) if reverse else range(T)
    for t in steps:
        hprev[t] = h
        gh = h @ w_hh_t
        if mode == "LSTM":
            g = acts[t]
            np.add(xw[t], gh, out=g)
            np.tanh(g, out=g)
            for sl in (g[:, :2 * H], g[:, 3 * H:]):
                sl += 1
                sl *= 0.5
            cprev[t] = c
            cn = g[:, H:2 * H] * c
            cn += g[:, :H] * g[:, 2 * H:3 * H]
            hr = np.tanh(cn)
            hr *= g[:, 3 * H:]
            extra[t] = hr
            hn = hr @ w_hr.T if w_hr is not None else hr
        elif mode == "GRU":
            if b_hh is not None:
                gh += b_hh
            g = acts[t]
            np.add(xw[t, :, :2 * H], gh[:, :2 * H], out=g[:, :2 * H])
            _sigmoid_(g[:, :2 * H])
            extra[t] = gh[:, 2 * H:]
            n = g[:, 2 * H:]
            np.multiply(g[:, :H], gh[:, 2 * H:], out=n)
            n += xw[t, :, 2 * H:]
            np.tanh(n, out=n)
            hn = h - n
            hn *= g[:, H:2 * H]
            hn += n                                    # (1 - z) * n + z * h
        else:
            g = acts[t]
            np.add(xw[t], gh, out=g)
            if mode == "RNN_TANH":
                np.tanh(g, out=g)
            else:
                np.maximum(g, 0, out=g)
            hn = g
        if active is not None:
            a = active[t]
            hn = np.where(a, hn, h)
            if mode == "LSTM":
                cn = np.where(a, cn, c)
            out[t] = hn * a
        else:
            out[t] = hn
        h = hn
        if mode == "LSTM":
            c = cn
            cs[t] = c
    cache = (acts, hprev, cs, cprev, extra, active)
    return out, h, c, cache


# ------------------------------------------------------------------ backward over a sequence
def _bwd(mode, gout, gh_T, gc_T, x, w_ih, w_hh, b_ih, b_hh, w_hr, cache, reverse, needs):
    """Gradients of (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr) from those of (out, h_T, c_T)."""
    acts, hprev, cs, cprev, extra, active = cache
    T, N = x.shape[:2]
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    G = acts.shape[2]
    dgi = np.empty((T, N, G), acts.dtype)        # gradient of the input-side pre-activations
    dgh = dgi if mode != "GRU" else np.empty((T, N, G), acts.dtype)
    dhr_all = np.empty((T, N, w_hr.shape[0]), acts.dtype) if w_hr is not None else None
    dh = gh_T.copy()
    dc = gc_T.copy() if mode == "LSTM" else None
    if mode in ("LSTM", "GRU"):
        # the activations' derivatives for every step at once (a few large calls instead of many small ones):
        # s(1 - s) for the sigmoid gates, 1 - t^2 for the tanh gate (LSTM's g, GRU's n)
        deriv = acts * (1 - acts)
        tg = slice(2 * H, 3 * H) if mode == "LSTM" else slice(2 * H, None)
        np.subtract(1, np.square(acts[..., tg]), out=deriv[..., tg])
    if mode == "LSTM":
        tcs = np.tanh(cs)
        dtcs = 1 - np.square(tcs)
    steps = range(T) if reverse else range(T - 1, -1, -1)
    for t in steps:
        dh = dh + gout[t] if active is None else dh + gout[t] * active[t]
        if active is not None:
            a = active[t]
            keep = dh * ~a                        # inactive rows pass their gradient straight to h_prev
            dh = dh * a
        g = acts[t]
        if mode == "LSTM":
            if active is not None:
                keep_c = dc * ~a
                dc = dc * a
            if w_hr is not None:
                dhr_all[t] = dh
                dhr = dh @ w_hr
            else:
                dhr = dh
            i, f, gg, o = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
            d = dgi[t]
            np.multiply(dhr, tcs[t], out=d[:, 3 * H:])        # do
            dct = dhr * o
            dct *= dtcs[t]
            dct += dc
            np.multiply(dct, gg, out=d[:, :H])                 # di
            np.multiply(dct, cprev[t], out=d[:, H:2 * H])      # df
            np.multiply(dct, i, out=d[:, 2 * H:3 * H])         # dg
            d *= deriv[t]                                      # through the gate activations
            dc = dct * f
            if active is not None:
                dc += keep_c
            dh = d @ w_hh
        elif mode == "GRU":
            r, z, n = g[:, :H], g[:, H:2 * H], g[:, 2 * H:]
            di, dg = dgi[t], dgh[t]
            np.subtract(1, z, out=di[:, 2 * H:])
            di[:, 2 * H:] *= dh                                # dn
            np.subtract(hprev[t], n, out=di[:, H:2 * H])
            di[:, H:2 * H] *= dh                               # dz
            di[:, 2 * H:] *= deriv[t, :, 2 * H:]               # through tanh, before dr needs it
            np.multiply(di[:, 2 * H:], extra[t], out=di[:, :H])   # dr
            di[:, :2 * H] *= deriv[t, :, :2 * H]
            np.multiply(di[:, 2 * H:], r, out=dg[:, 2 * H:])
            dg[:, :2 * H] = di[:, :2 * H]
            dh = dh * z + dg @ w_hh
        else:
            d = dgi[t]
            if mode == "RNN_TANH":
                np.multiply(dh, 1 - g * g, out=d)
            else:
                np.multiply(dh, g > 0, out=d)
            dh = d @ w_hh
        if active is not None:
            dh += keep
    In = x.shape[2]
    flat_i, flat_h = dgi.reshape(T * N, G), dgh.reshape(T * N, G)
    gx = (flat_i @ w_ih).reshape(T, N, In) if needs[0] else None
    gw_ih = flat_i.T @ x.reshape(T * N, In) if needs[3] else None
    gw_hh = flat_h.T @ hprev.reshape(T * N, -1) if needs[4] else None
    gb_ih = flat_i.sum(0) if needs[5] else None
    gb_hh = flat_h.sum(0) if needs[6] else None
    gw_hr = dhr_all.reshape(T * N, -1).T @ extra.reshape(T * N, H) if w_hr is not None and needs[7] else None
    return gx, dh if needs[1] else None, dc if mode == "LSTM" and needs[2] else None, gw_ih, gw_hh, gb_ih, gb_hh, \
        gw_hr


# ------------------------------------------------------------------ the Node
def _rnn_formula(F, grads, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, acts, hprev, cs, cprev, extra, active, mode,
                 lengths, reverse, needs):
    """Saved: the 8 operands, then the forward's cache (gate activations, states, masks)."""
    from ...autograd.formulas import tensor_ns
    gout, gh = grads[0], grads[1]
    gc = grads[2] if len(grads) > 2 else None
    if F is tensor_ns:
        return _t_rnn_bw(gout, gh, gc, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, lengths, reverse, needs)
    dt = gout.dtype
    ops = [_c(a) for a in (x, w_ih, w_hh, b_ih, b_hh, w_hr)]
    res = _bwd(mode, _c(gout), _c(gh), _c(gc), *ops, (acts, hprev, cs, cprev, extra, active), reverse, needs)
    return tuple(None if r is None else r.astype(dt, copy=False) for r in res)


RnnLayerBackward0 = node_class("RnnLayerBackward0", _rnn_formula, nout=2)          # RNN, GRU: (out, h_T)
LstmLayerBackward0 = node_class("LstmLayerBackward0", _rnn_formula, nout=3)        # LSTM: (out, h_T, c_T)


def _t_rnn_bw(gout, gh, gc, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, lengths, reverse, needs):
    """create_graph: the layer rebuilt from differentiable ember ops, then differentiated."""
    import ember
    ins = [x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr]
    out, hT, cT = _t_layer(mode, *ins, lengths, reverse)
    outs, gs = [out, hT], [gout, gh]
    if mode == "LSTM":
        outs.append(cT)
        gs.append(gc)
    want = [t for t, n in zip(ins, needs) if n and t is not None]
    got = iter(ember.autograd.grad(outs, want, gs, create_graph=True, allow_unused=True))
    return tuple(next(got) if n and t is not None else None for t, n in zip(ins, needs))


def _t_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, lengths, reverse):
    """One layer-direction from ember ops (the cell equations of _fwd)."""
    import ember
    T = x.shape[0]
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    h, c = h0, c0
    outs = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        gi = x[t] @ w_ih.mT + (b_ih if b_ih is not None else 0)
        gh = h @ w_hh.mT + (b_hh if b_hh is not None else 0)
        if mode == "LSTM":
            g = gi + gh
            i, f = ember.sigmoid(g[:, :H]), ember.sigmoid(g[:, H:2 * H])
            gg, o = ember.tanh(g[:, 2 * H:3 * H]), ember.sigmoid(g[:, 3 * H:])
            cn = f * c + i * gg
            hn = o * ember.tanh(cn)
            if w_hr is not None:
                hn = hn @ w_hr.mT
        elif mode == "GRU":
            r = ember.sigmoid(gi[:, :H] + gh[:, :H])
            z = ember.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = ember.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            hn, cn = (1 - z) * n + z * h, None
        else:
            pre = gi + gh
            hn, cn = (ember.tanh(pre) if mode == "RNN_TANH" else ember.relu(pre)), None
        if lengths is not None:
            a = make_tensor((t < lengths)[:, None].astype(hn._data.dtype))
            hn = a * hn + (1 - a) * h
            if cn is not None:
                cn = a * cn + (1 - a) * c
            outs[t] = a * hn
        else:
            outs[t] = hn
        h, c = hn, cn
    return ember.stack(outs), h, c


def rnn_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, lengths=None, reverse=False):
    """One layer in one direction: x (T, N, In), h0 (N, Hout), c0 (N, H) for LSTM -> (out, h_T, c_T)."""
    arrs = [None if t is None else _c(t._data) for t in (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)]
    out, hT, cT, cache = _fwd(mode, *arrs, lengths, reverse)
    dt = x._dtype
    wrap = (lambda a: make_tensor(a if a.dtype == dt.np else a.astype(dt.np), dt))
    res = (wrap(out), wrap(hT), wrap(cT) if cT is not None else None)
    ins = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    if _gstate.enabled and any(t is not None and t._rg for t in ins):
        needs = tuple(t is not None and t._rg for t in ins)
        saved = ins + tuple(None if a is None else make_tensor(a) for a in cache)   # freed after backward
        if mode == "LSTM":
            record(LstmLayerBackward0, res, ins, saved, (mode, lengths, reverse, needs))
        else:
            record(RnnLayerBackward0, res[:2], ins, saved, (mode, lengths, reverse, needs))
    return res
