"""ember.backends.cpu: what the CPU backend offers."""


def get_cpu_capability():
    return "DEFAULT"
