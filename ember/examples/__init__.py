"""Runnable demos behind ``python -m ember``: real training on data every machine has.

- ``digits``: an MLP classifier on scikit-learn's bundled 8x8 handwritten digits.
- ``chargpt``: a character-level GPT on the Python standard library's own source.
- ``tour``: a short tour of tensors and autograd.

They are written as PyTorch code (``import ember as torch``) and need the
``examples`` extra (tqdm, matplotlib, scikit-learn): ``pip install -e ".[examples]"``.
"""
