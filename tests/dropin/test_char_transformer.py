"""examples/dropin/char_transformer.py (embeddings, causal attention, LayerNorm, GELU, weight tying,
AdamW with parameter groups, cosine schedule, gradient clipping) matches torch on ember."""
from _runner import assert_close, run_both


def test_char_transformer_matches_torch():
    torch_result, ember_result = run_both("char_transformer.py")
    assert torch_result["val_after"] < torch_result["val_before"] - 0.5    # it did learn
    assert ember_result["sample"] == torch_result["sample"]
    assert_close(ember_result, torch_result, rtol=1e-3, atol=1e-4)
