import os
import sys

sys.path.insert(0, os.path.dirname(__file__))   # so tests can `from oracle import check`

import torch  # noqa: E402

torch.set_num_threads(1)
