"""Ops by family. Each module defines its functions with their derivatives and
attaches its Tensor methods; ``ember/__init__`` re-exports the public names."""
