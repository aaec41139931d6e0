"""examples/dropin/custom_function.py (a custom autograd.Function) gives torch's numbers on ember."""
from _runner import assert_close, run_both


def test_custom_function_matches_torch():
    torch_result, ember_result = run_both("custom_function.py")
    assert torch_result["losses"][-1] < torch_result["losses"][0] / 10
    assert_close(ember_result, torch_result, rtol=1e-4, atol=1e-6)
