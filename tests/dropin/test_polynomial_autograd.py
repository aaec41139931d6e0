"""examples/dropin/polynomial_autograd.py gives torch's numbers under python -m ember.run."""
from _runner import assert_close, run_both


def test_polynomial_autograd_matches_torch():
    torch_result, ember_result = run_both("polynomial_autograd.py")
    assert torch_result["losses"][-1] < torch_result["losses"][0] / 10     # it did learn
    assert_close(ember_result, torch_result, rtol=1e-4, atol=1e-6)
