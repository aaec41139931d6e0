"""ember.backends.mps: Apple's Metal backend is absent in this build."""


def is_available():
    return False


def is_built():
    return False
