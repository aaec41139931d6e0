"""Run an unmodified PyTorch script on ember.

    python -m ember.run SCRIPT [ARGS...]
    python -m ember.run -m MODULE [ARGS...]

``import torch`` inside the script (and every ``torch.*`` import) gives ember; see
``ember.compat``. The script sees ``sys.argv`` as ``[SCRIPT, ARGS...]``, as under ``python SCRIPT``.
"""
import os
import runpy
import sys

USAGE = __doc__.split("\n\n")[1].strip("\n")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage:\n" + USAGE + "\n\nRuns a PyTorch script with `import torch` resolving to ember.",
              file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    from .compat import install
    install()
    if argv[0] == "-m":
        if len(argv) < 2:
            print("ember.run: -m needs a module name\nusage:\n" + USAGE, file=sys.stderr)
            return 2
        sys.argv = [argv[1]] + argv[2:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember.run: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
