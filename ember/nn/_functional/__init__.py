"""The kernels behind nn.functional, by family."""
