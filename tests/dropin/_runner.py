"""Run an example script under real torch and under ``python -m ember.run``, side by side."""
import json
import os
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
    """(torch RESULT, ember RESULT): the JSON each run printed after 'RESULT '."""
    path = os.path.join(EXAMPLES, script)
    commands = {"torch": [sys.executable, path, *args], "ember": [sys.executable, "-m", "ember.run", path, *args]}
    procs = {k: subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                                 cwd=EXAMPLES) for k, c in commands.items()}
    results = {}
    for lib, proc in procs.items():
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, f"{script} under {lib} failed (exit {proc.returncode}):\n{err[-3000:]}"
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert len(lines) == 1, f"{script} under {lib} printed {len(lines)} RESULT lines:\n{out[-2000:]}"
        results[lib] = json.loads(lines[0][len("RESULT "):])
    return results["torch"], results["ember"]


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
