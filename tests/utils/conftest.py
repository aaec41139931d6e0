"""Every ember.utils.data test runs under a SIGALRM deadline: a DataLoader whose workers hang must
fail the test, never stall the suite.
"""
import signal

import pytest

DEADLINE_S = 30


@pytest.fixture(autouse=True)
def _deadline():
    def expire(signum, frame):
        raise TimeoutError(f"test exceeded {DEADLINE_S} s (a DataLoader hang?)")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(DEADLINE_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
