"""ember.backends.mkl: ember calls NumPy, whichever BLAS NumPy was built with."""


def is_available():
    return False
