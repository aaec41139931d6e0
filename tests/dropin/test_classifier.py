"""examples/dropin/classifier.py (nn.Module, DataLoader, SGD+StepLR, torch.save/load) matches torch on ember."""
from _runner import assert_close, run_both


def test_classifier_matches_torch():
    torch_result, ember_result = run_both("classifier.py")
    assert torch_result["test_accuracy"] > 0.9                             # it did learn the spiral
    assert ember_result["test_accuracy"] == torch_result["test_accuracy"]
    assert ember_result["restored_accuracy"] == ember_result["test_accuracy"]
    assert_close(ember_result, torch_result, rtol=1e-3, atol=1e-4)
