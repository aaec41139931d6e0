"""Anomaly detection.

With it on, every Node remembers the forward stack that created it
(``node._trace``, captured in ``Node.__init__``). During backward the engine
runs each Node through ``apply_checked``: an error raised by a Node's backward
is preceded by a warning with the traceback of the forward call that made the
Node (as PyTorch does), and with ``check_nan`` a backward that produces NaN
raises a RuntimeError naming the user's source file and line of that forward
call (the innermost frame outside the ember package).
"""
import functools
import os
import traceback
import warnings

import numpy as np

from .node import anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _warn_enabled(stacklevel):
    warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                  "enabled for debugging.", UserWarning, stacklevel=stacklevel + 1)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on; warns when made, as torch's does."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._prev = []
        _warn_enabled(2)

    def __enter__(self):
        self._prev.append(dict(anomaly))
        anomaly.update(enabled=True, check_nan=self.check_nan)
        return self

    def __exit__(self, *exc):
        anomaly.update(self._prev.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off; takes effect at once and works as a context manager."""

    def __init__(self, mode, check_nan=True):
        self._prev = dict(anomaly)
        anomaly.update(enabled=bool(mode), check_nan=check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        anomaly.update(self._prev)
        return False


def is_anomaly_enabled():
    return anomaly["enabled"]


def is_anomaly_check_nan_enabled():
    return anomaly["check_nan"]


# ----------------------------------------------------------------------------- used by the engine
def user_frames(node):
    """The forward stack of ``node`` without ember's own frames (None when it was not recorded)."""
    trace = getattr(node, "_trace", None)
    if not trace:
        return None
    frames = [f for f in trace if not os.path.abspath(f.filename).startswith(_EMBER_DIR)]
    return frames or list(trace)


def forward_site(node):
    """(filename, lineno, source line) of the user's forward call that created ``node``, or None."""
    frames = user_frames(node)
    if not frames:
        return None
    f = frames[-1]
    return f.filename, f.lineno, (f.line or "").strip()


def _forward_report(node):
    frames = user_frames(node)
    if frames is None:
        return (f"Error detected in {node.name()}. No forward pass information available. Enable detect anomaly "
                f"during forward pass for more information.")
    return (f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
            + "".join(traceback.format_list(frames)))


def _check_nan(node, outs):
    for i, g in enumerate(outs):
        if g is None:
            continue
        arr = g if isinstance(g, np.ndarray) else getattr(g, "_data", None)
        if arr is None:
            continue
        if arr.dtype.kind in "fc" and np.isnan(arr).any():
            msg = f"Function '{node.name()}' returned nan values in its {i}th output."
            site = forward_site(node)
            if site is not None:
                msg += f"\nThe forward call that created {node.name()} was at {site[0]}:{site[1]}: {site[2]}"
            raise RuntimeError(msg)


def apply_checked(node, grads, create_graph):
    """``node.apply`` under anomaly mode: warn with the forward traceback on any error; raise on NaN."""
    try:
        outs = node.apply(grads, create_graph)
        if anomaly["check_nan"]:
            _check_nan(node, outs)
    except Exception:
        warnings.warn(_forward_report(node), UserWarning, stacklevel=2)
        raise
    return outs
