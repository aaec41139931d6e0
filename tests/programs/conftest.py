import os
import sys

sys.path.insert(0, os.path.dirname(__file__))   # so the tests here can `from _harness import run_both`
