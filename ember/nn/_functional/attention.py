"""Attention kernels of nn.functional: scaled_dot_product_attention (one fused Node) and
multi_head_attention_forward (PyTorch's algorithm, step for step, on ember ops).

scaled_dot_product_attention, shapes (..., L, E) x (..., S, E) x (..., S, Ev) -> (..., L, Ev):

    s = q @ k^T * scale + mask          mask: additive float, or bool (True = attend), or causal
    P = softmax(s)                       rows with nothing to attend to give 0 (PyTorch's safe softmax)
    out = (P * dropout_mask) @ v

Backward (saved q, k, v and P):

    gv = P_d^T @ g            gP = (g @ v^T) * dropout_mask
    gs = P * (gP - rowsum(gP * P))
    gq = gs @ k * scale       gk = gs^T @ q * scale       g_mask = gs

On arrays for a first-order backward; under create_graph the same lines run on
ember Tensors with P recomputed from q and k, so higher orders follow.
"""
import math

import numpy as np

from ... import dtypes
from ...autograd.formulas import define
from ...tensor import Tensor, make_tensor
from ...ops._common import _gstate, node_class, record
from ._softmax import softmax_array
from .loss import _torch_named

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward", "_canonical_mask"]

_LOWP = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.np))


def _c(a):
    return a.astype(np.float32) if a.dtype in _LOWP else a


def _safe_softmax(s, masked):
    """softmax over the last axis; with a mask, a row of only -inf gives zeros instead of NaN."""
    with np.errstate(invalid="ignore"):        # -inf - -inf in a fully masked row: replaced below
        p = softmax_array(s, -1)
    if masked:
        dead = np.isneginf(s).all(-1, keepdims=True)
        if dead.any():
            p = np.where(dead, 0, p)
    return p


# ------------------------------------------------------------------ the fused node
def _a_sdpa_bw(g, q, k, v, p, mask, dmask, scale, needs):
    mask_needs = mask is not None and needs[3]
    g = _c(g)
    q, k, v = _c(q), _c(k), _c(v)
    pd = p if dmask is None else p * dmask
    gv = np.matmul(pd.swapaxes(-1, -2), g) if needs[2] else None
    gp = np.matmul(g, v.swapaxes(-1, -2))
    if dmask is not None:
        gp *= dmask
    gs = gp
    gs -= (gp * p).sum(-1, keepdims=True)
    gs *= p
    gmask = gs.copy() if mask_needs else None
    gs *= scale
    gq = np.matmul(gs, k) if needs[0] else None
    gk = np.matmul(gs.swapaxes(-1, -2), q) if needs[1] else None
    return gq, gk, gv, gmask


def _t_sdpa_bw(g, q, k, v, p, mask, dmask, scale, needs):
    import ember
    mask_needs = mask is not None and needs[3]
    from .activation import softmax
    s = (q @ k.mT) * scale
    if mask is not None:
        s = s + mask
    dead = np.isneginf(s._data).all(-1, keepdims=True) if mask is not None else None
    if dead is not None and dead.any():     # fully masked rows: softmax of zeros, then zeroed (no NaN anywhere)
        s = s.masked_fill(make_tensor(np.broadcast_to(dead, s.shape)), 0.0)
        p = softmax(s, -1) * make_tensor((~dead).astype(s._data.dtype))
    else:
        p = softmax(s, -1)
    if dmask is not None:
        dm = make_tensor(dmask.astype(p._data.dtype))
        pd, gp = p * dm, (g @ v.mT) * dm
    else:
        pd, gp = p, g @ v.mT
    gs = p * (gp - ember.sum(gp * p, -1, True))
    return (gs @ k * scale if needs[0] else None, gs.mT @ q * scale if needs[1] else None,
            pd.mT @ g if needs[2] else None, gs if mask_needs else None)


define("sdpa_bw", _a_sdpa_bw, _t_sdpa_bw)
ScaledDotProductAttentionBackward0 = node_class("ScaledDotProductAttentionBackward0",
                                                lambda F, g, *saved_and_args: F.sdpa_bw(g, *saved_and_args))
# the one fused node under the name of the path PyTorch's CPU dispatcher takes (_sdpa_name)
_SDPA_NODES = _torch_named(ScaledDotProductAttentionBackward0, ("ScaledDotProductFlashAttentionForCpuBackward0",
                                                                "UnsafeViewBackward0", "MmBackward0"))


def _sdpa_name(q, k, v, dropout_p):
    """PyTorch's CPU flash kernel takes 4-d inputs whose value head size is the query's, without dropout; its
    math fallback ends in a matmul: an mm for 2-d inputs, an unsafe view of a bmm otherwise."""
    if q.dim() == k.dim() == v.dim() == 4 and v.shape[-1] == q.shape[-1] and not dropout_p and q.numel():
        return "ScaledDotProductFlashAttentionForCpuBackward0"
    return "MmBackward0" if q.dim() == 2 else "UnsafeViewBackward0"


def _attention(q, k, v, mask, dropout_p, scale):
    """The fused op on Tensors; ``mask`` an additive float Tensor (or None); its grad_fn named as PyTorch's."""
    qa, ka, va = _c(q._data), _c(k._data), _c(v._data)
    s = np.matmul(qa, ka.swapaxes(-1, -2))
    s *= scale
    if mask is not None:
        s += mask._data.astype(s.dtype, copy=False)
    p = _safe_softmax(s, mask is not None)
    dmask = None
    if dropout_p > 0:
        from ...random import default_generator
        keep = default_generator._rng.random(p.shape, dtype=p.dtype) >= dropout_p
        dmask = keep.astype(p.dtype) / (1 - dropout_p) if dropout_p < 1 else np.zeros_like(p)
        out = np.matmul(p * dmask, va)
    else:
        out = np.matmul(p, va)
    dt = q._dtype
    r = make_tensor(out if out.dtype == dt.np else out.astype(dt.np), dt)
    mrg = mask is not None and mask._rg
    if _gstate.enabled and (q._rg or k._rg or v._rg or mrg):
        record(_SDPA_NODES[_sdpa_name(q, k, v, dropout_p)], r, (q, k, v, mask if mrg else None),
               (q, k, v, make_tensor(p), mask), (dmask, scale, (q._rg, k._rg, v._rg, mrg)))
    return r


def _check_sdpa(query, key, value, attn_mask):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
        if t.dim() < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must have at least 2 dims (..., L, E), got "
                               f"shape {list(t.shape)}")
    if not (query._dtype is key._dtype is value._dtype) or query._dtype.category != dtypes._FLOAT:
        raise RuntimeError(f"Expected query, key, and value to have the same floating-point dtype, but got "
                           f"query.dtype: {query._dtype.name} key.dtype: {key._dtype.name} and value.dtype: "
                           f"{value._dtype.name} instead.")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query {list(query.shape)}, key {list(key.shape)} and "
                           f"value {list(value.shape)} must agree: query and key in the last dim (E), key and value "
                           f"in the sequence dim (S)")
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, not "
                            f"{type(attn_mask).__name__}")
        if attn_mask._dtype is not dtypes.bool and attn_mask._dtype is not query._dtype:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {attn_mask._dtype.name} and query.dtype: {query._dtype.name} "
                               f"instead.")
        want = tuple(query.shape[:-1]) + (key.shape[-2],)
        try:
            np.broadcast_shapes(tuple(attn_mask.shape), want)
        except ValueError:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {list(attn_mask.shape)} does not "
                               f"broadcast to the attention weights' shape {list(want)} (..., L, S)") from None


def _repeat_heads(t, n):
    return t if n == 1 else t.repeat_interleave(n, dim=-3)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q @ k^T * scale + mask) @ v, with dropout on the weights; one Node."""
    _check_sdpa(query, key, value, attn_mask)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    if enable_gqa:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk or value.shape[-3] != hk:
            raise RuntimeError(f"scaled_dot_product_attention(enable_gqa=True): the number of query heads ({hq}) "
                               f"must be a multiple of the number of key/value heads ({hk}, {value.shape[-3]})")
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hk)
    elif query.dim() >= 3 and key.dim() >= 3 and query.shape[-3] != key.shape[-3] and key.shape[-3] != 1:
        raise RuntimeError(f"scaled_dot_product_attention: query has {query.shape[-3]} heads and key "
                           f"{key.shape[-3]}; pass enable_gqa=True for grouped-query attention")
    L, S = query.shape[-2], key.shape[-2]
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    mask = None
    if is_causal:
        attn_mask = make_tensor(np.tril(np.ones((L, S), bool)))
    if attn_mask is not None:
        if attn_mask._dtype is dtypes.bool:
            arr = np.where(attn_mask._data, 0.0, -np.inf).astype(query._dtype.np)
            mask = make_tensor(arr, query._dtype)
        else:
            mask = attn_mask
    return _attention(query, key, value, mask, float(dropout_p), sc)


# ------------------------------------------------------------------ multi-head attention (PyTorch's algorithm)
def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) becomes an additive float mask of target_type (-inf where masked)."""
    if mask is None:
        return None
    if mask._dtype is not dtypes.bool and mask._dtype.category != dtypes._FLOAT:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask._dtype is not other_type:
        import warnings
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      f"instead.")
    if mask._dtype is dtypes.bool:
        return make_tensor(np.where(mask._data, -np.inf, 0.0).astype(target_type.np), target_type)
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != (num_heads, query.shape[0], key.shape[0]):
                raise AssertionError(f"Expected `attn_mask` shape to be {(num_heads, query.shape[0], key.shape[0])} "
                                     f"but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         f"tensor")


def _pad_last(t):
    """One more (zero) column at the end of the last dim (for bias_k/v and zero attention)."""
    import ember
    return ember.cat([t, ember.zeros(tuple(t.shape[:-1]) + (1,), dtype=t.dtype)], -1)


def _in_projection_packed(q, k, v, w, b):
    from .layer import linear
    E = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            return proj.split(E, -1)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        return (linear(q, w_q, b_q),) + tuple(linear(k, w_kv, b_kv).split(E, -1))
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """PyTorch's multi-head attention on (L, N, E) inputs (or unbatched (L, E)); returns (output, weights)."""
    import ember
    from .activation import softmax
    from .layer import dropout, linear
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       None if attn_mask is None else attn_mask._dtype, "attn_mask", query._dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None          # the causal hint goes to scaled_dot_product_attention as is_causal
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query._dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False     # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k), linear(value, v_proj_weight,
                                                                                             b_v)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        k = ember.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ember.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be set or both be None")
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        zeros = ember.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k = ember.cat([k, zeros], 1)
        v = ember.cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        w = q_scaled @ k.transpose(-2, -1)
        if attn_mask is not None:
            w = w + attn_mask
        w = softmax(w, -1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = (w @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        w = w.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 and attn_mask.dim() == 3 else \
            attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None
