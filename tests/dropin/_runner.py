"""Run an example script under real torch and under ``python -m ember.run``, side by side."""
import contextlib
import io
import json
import os
import runpy
import subprocess
import sys

import numpy as np

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples", "dropin")


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_both(script, *args, timeout=120):
    """(torch RESULT, ember RESULT): the JSON each run printed after 'RESULT '.

    The ember run is a subprocess (``python -m ember.run``); the torch run happens meanwhile in this
    process, which has torch imported already (a second torch import costs seconds on a busy machine).
    """
    path = os.path.join(EXAMPLES, script)
    proc = subprocess.Popen([sys.executable, "-m", "ember.run", path, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(), cwd=EXAMPLES)
    try:
        torch_out = _run_here(path, args)
    finally:
        out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"{script} under ember failed (exit {proc.returncode}):\n{err[-3000:]}"
    return _result(torch_out, script, "torch"), _result(out, script, "ember")


def _run_here(path, args):
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(path))
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        sys.modules.pop("_init", None)        # the examples' helper, imported from their folder
    return buf.getvalue()


def _result(out, script, lib):
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, f"{script} under {lib} printed {len(lines)} RESULT lines:\n{out[-2000:]}"
    return json.loads(lines[0][len("RESULT "):])


def assert_close(ember_value, torch_value, rtol, atol, what="result"):
    """Same structure; numbers equal within tolerance, everything else exactly equal."""
    if isinstance(torch_value, dict):
        assert isinstance(ember_value, dict) and sorted(ember_value) == sorted(torch_value), what
        for k in torch_value:
            assert_close(ember_value[k], torch_value[k], rtol, atol, f"{what}[{k!r}]")
    elif isinstance(torch_value, list) and torch_value and all(isinstance(v, (int, float)) for v in torch_value):
        np.testing.assert_allclose(ember_value, torch_value, rtol=rtol, atol=atol, err_msg=what)
    elif isinstance(torch_value, list):
        assert isinstance(ember_value, list) and len(ember_value) == len(torch_value), what
        for i, (e, t) in enumerate(zip(ember_value, torch_value)):
            assert_close(e, t, rtol, atol, f"{what}[{i}]")
    elif isinstance(torch_value, float):
        np.testing.assert_allclose(ember_value, torch_value, rtol=rtol, atol=atol, err_msg=what)
    else:
        assert ember_value == torch_value, f"{what}: ember {ember_value!r} != torch {torch_value!r}"
