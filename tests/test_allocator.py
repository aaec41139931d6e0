"""ember/_allocator.py: after ``import ember`` a freed large array's memory is reused, not faulted in again."""
import os
import subprocess
import sys

import pytest

PROGRAM = """
import resource, ember, numpy as np
a = [np.ones(1 << 18, np.float32) for _ in range(4)]     # 1 MB arrays, as a step's activations
del a
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    a = [np.ones(1 << 18, np.float32) for _ in range(4)]
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(env):
    out = subprocess.run([sys.executable, "-c", PROGRAM], env={**os.environ, **env}, capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_freed_arrays_are_reused_without_page_faults():
    # 200 arrays of 256 pages each: with glibc's defaults (mmap threshold 128 KB) every one faults its pages in
    # again; after ember's tuning almost none do
    assert _faults({"MALLOC_MMAP_THRESHOLD_": "131072"}) > 200 * 256 // 2
    assert _faults({}) < 500


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_user_setting_wins():
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "131072"}
    out = subprocess.run([sys.executable, "-c", "import ember; print(ember._allocator.tune())"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
