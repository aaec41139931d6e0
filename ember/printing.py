"""(being written)"""
def tensor_repr(t):
    return f"tensor({t._data!r}, dtype={t._dtype}{', grad_fn=<' + t._grad_fn.name() + '>' if t._grad_fn else ''})"
def set_printoptions(**k): pass
