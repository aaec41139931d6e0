"""(being written)"""
class Function: pass
def once_differentiable(f): return f
