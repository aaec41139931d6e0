"""ember.backends.openmp: ember does not parallelise with OpenMP itself."""


def is_available():
    return False
