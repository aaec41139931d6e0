"""Anomaly detection: NaN in backward raises with the user's forward source
line; errors in backward warn with the forward traceback; the mode warns when
enabled, nests and restores, as context manager and decorator; compared with
torch where the behaviour is shared."""
import inspect
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd import anomaly_mode, detect_anomaly, set_detect_anomaly

HERE = __file__
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning",
                                        "ignore:divide by zero:RuntimeWarning")


def _nan_backward(lib, create_graph=False):
    """sqrt at 0 then *0: backward of sqrt computes 0 / (2 * 0) = nan. Returns (error, forward line)."""
    x = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    line = inspect.currentframe().f_lineno + 1
    y = lib.sqrt(x)
    z = (y * 0).sum()
    with pytest.raises(RuntimeError) as info:
        if create_graph:
            lib.autograd.grad(z, x, create_graph=True)
        else:
            z.backward()
    return info.value, line


@pytest.mark.parametrize("create_graph", [False, True])
def test_nan_raises_with_forward_line_context_manager(create_graph):
    msgs = {}
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            mode = lib.autograd.detect_anomaly()
        with mode, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            err, line = _nan_backward(lib, create_graph)
        msgs[lib.__name__] = (str(err), line)
    e_msg, line = msgs["ember"]
    t_msg, _ = msgs["torch"]
    assert e_msg.splitlines()[0] == t_msg.splitlines()[0] == \
        "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert f"{HERE}:{line}" in e_msg
    assert "y = lib.sqrt(x)" in e_msg
    assert not ember.autograd.anomaly_mode.is_anomaly_enabled()


def test_nan_raises_with_forward_line_decorator():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        deco = detect_anomaly()

    @deco
    def train_step():
        assert anomaly_mode.is_anomaly_enabled()
        return _nan_backward(ember)

    err, line = train_step()
    assert f"{HERE}:{line}" in str(err)
    assert "returned nan values" in str(err)
    assert not anomaly_mode.is_anomaly_enabled()
    err, line = train_step()     # reusable
    assert f"{HERE}:{line}" in str(err)


def test_forward_line_through_operators_and_methods():
    """The reported line is the user's, also when the op is reached through Tensor methods or operators."""
    with pytest.warns(UserWarning):
        mode = detect_anomaly()
    with mode:
        x = ember.tensor([0.0, 1.0], dtype=ember.float64, requires_grad=True)
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt() * 1
        loss = (y * 0).sum()
        with pytest.raises(RuntimeError) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss.backward()
    assert f"{HERE}:{line}: y = x.sqrt() * 1" in str(info.value)


def test_no_anomaly_mode_no_error():
    x = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    (ember.sqrt(x) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_check_nan_false_and_set_detect_anomaly():
    with pytest.warns(UserWarning):
        mode = detect_anomaly(check_nan=False)
    with mode:
        assert anomaly_mode.is_anomaly_enabled() and not anomaly_mode.is_anomaly_check_nan_enabled()
        x = ember.zeros(2, dtype=ember.float64, requires_grad=True)
        (ember.sqrt(x) * 0).sum().backward()
        assert np.isnan(x.grad.numpy()).all()
    assert anomaly_mode.is_anomaly_check_nan_enabled()
    set_detect_anomaly(True)
    try:
        assert anomaly_mode.is_anomaly_enabled()
        err, line = _nan_backward(ember)
        assert f"{HERE}:{line}" in str(err)
    finally:
        set_detect_anomaly(False)
    assert not anomaly_mode.is_anomaly_enabled()
    with set_detect_anomaly(True):
        assert anomaly_mode.is_anomaly_enabled()
    assert not anomaly_mode.is_anomaly_enabled()


def test_nesting_restores():
    with pytest.warns(UserWarning):
        outer, inner = detect_anomaly(), detect_anomaly(check_nan=False)
    with outer:
        with inner:
            assert not anomaly_mode.is_anomaly_check_nan_enabled()
        assert anomaly_mode.is_anomaly_enabled() and anomaly_mode.is_anomaly_check_nan_enabled()
        with set_detect_anomaly(False):
            assert not anomaly_mode.is_anomaly_enabled()
        assert anomaly_mode.is_anomaly_enabled()
    assert not anomaly_mode.is_anomaly_enabled()


def test_graph_built_outside_mode_has_no_forward_info():
    x = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    loss = (ember.sqrt(x) * 0).sum()
    with pytest.warns(UserWarning):
        mode = detect_anomaly()
    with mode, pytest.warns(UserWarning, match="No forward pass information available"):
        with pytest.raises(RuntimeError, match="returned nan values in its 0th output.$"):
            loss.backward()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_error_in_backward_warns_forward_traceback(lib):
    """A saved tensor modified in place: backward raises; anomaly mode first warns where the op was made."""
    with pytest.warns(UserWarning):
        mode = lib.autograd.detect_anomaly()
    with mode:
        a = lib.ones(3, dtype=lib.float64, requires_grad=True)
        b = a * 2
        line = inspect.currentframe().f_lineno + 1
        c = b.sin()
        b.add_(1)
        with pytest.warns(UserWarning, match="Error detected in SinBackward0") as rec:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                c.sum().backward()
    text = "\n".join(str(w.message) for w in rec if "Error detected" in str(w.message))
    assert f"line {line}" in text and "c = b.sin()" in text
