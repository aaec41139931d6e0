"""``python -m ember``: train real models on data the machine already has, as PyTorch code.

By default it runs two demos one after the other (about 3-4 minutes on two CPU cores):
(a) an MLP classifier on scikit-learn's bundled 8x8 digits (about 98% test accuracy) and
(b) a character-level GPT on the Python standard library's source. Each shows a progress
bar with the running loss and writes a checkpoint (ember.save, PyTorch's format) and a
PNG plot of its training and validation loss into the output folder.
``python -m ember --help`` lists the options; ``--demo tour`` gives a short tour of
tensors and autograd instead. The demos need the ``examples`` extra (tqdm, matplotlib,
scikit-learn).
"""
import argparse
import sys


def build_parser():
    from .examples import chargpt, digits
    parser = argparse.ArgumentParser(
        prog="python -m ember", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train real models with ember (PyTorch's API on NumPy) on data every machine has:\n"
                    "an MLP on scikit-learn's 8x8 digits, then a character-level GPT on the Python\n"
                    "standard library's source (about 3 minutes of one CPU core in all).",
        epilog="Outputs in --out: digits.pt, digits_loss.png, chargpt.pt, chargpt_loss.png (checkpoints load "
               "with ember.load or torch.load).\nExample, a longer and larger GPT run:\n"
               "  python -m ember --demo gpt --gpt-steps 3000 --gpt-layers 6 --gpt-embd 192")
    parser.add_argument("--demo", choices=["all", "digits", "gpt", "tour"], default="all",
                        help="which demo to run: all (digits then gpt, the default), digits, gpt, or tour (a "
                             "short tour of tensors and autograd, no training)")
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="folder for checkpoints and plots (./out; created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for data splits, init and sampling (0)")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="DataLoader worker processes for the training data (0: load in this process)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="BLAS threads (ember.set_num_threads; 1, the default, is fastest on a busy or small "
                             "machine)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    digits.add_arguments(parser)
    chargpt.add_arguments(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    import ember
    from .examples import _common
    ember.set_num_threads(args.threads)
    results = {}
    if args.demo == "tour":
        from .examples import tour
        return {"tour": tour.run(args)}
    _common.output_dir(args.out)
    timer = _common.Timer()
    if args.demo in ("all", "digits"):
        from .examples import digits
        results["digits"] = digits.run(args)
    if args.demo in ("all", "gpt"):
        from .examples import chargpt
        results["gpt"] = chargpt.run(args)
    print(f"done in {timer}; outputs in {args.out}/")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
