"""A first program right after `import ember as torch`, in a fresh interpreter (nothing has loaded ember.nn
yet, which ember imports lazily): Tensor methods that live with nn.functional (x.softmax, x.relu, ...) and
the top-level kernels must be there, and print what torch prints."""
import contextlib
import io
import os
import subprocess
import sys

import ember

PROGRAM = '''
x = torch.tensor([[-1.0, 2.0, 0.5], [0.25, -3.0, 1.0]])
print(x.softmax(-1))
print(x.log_softmax(dim=1))
print(x.relu(), x.clone().relu_())
print(x.hardshrink(0.6), x.prelu(torch.tensor([0.1])))
print(torch.softmax(x, 0), torch.relu(x), torch.sigmoid(x))
probs = torch.softmax(x, dim=1)
print(probs.argmax(dim=1), probs.max(dim=1))
print(torch.pi, torch.inf)
model = torch.nn.Linear(3, 2)
print(model, torch.nn.functional.softmax(x, dim=0).shape)
'''


def test_first_program_without_touching_nn():
    root = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", "import ember as torch\n" + PROGRAM], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import torch
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(PROGRAM, {"torch": torch})
    assert proc.stdout.replace("ember.", "torch.") == buf.getvalue()
