"""One update for many small parameters.

An element-wise rule costs about a dozen NumPy calls per parameter whatever
its size, so a model with hundreds of biases and norm weights would spend its
step in call overhead. For the small parameters of a group (at most SMALL
numbers each, one real floating dtype, a gradient this step, equal step
counts), a ``Pack`` keeps their state as views of one flat buffer per state
key. Each step it gathers the parameters and gradients into flat arrays
(``np.concatenate``), runs the rule once on them, and copies the parameters
back. The per-parameter state tensors stay PyTorch's (state_dict unchanged):
they are views of the flat buffers, and the 0-d ``step`` tensors views of one
flat counter array, bumped by one call.
"""
import numpy as np

from ..tensor import make_tensor

SMALL = 1 << 14     # numbers; bigger parameters are updated one by one (their call overhead is negligible)


class Pack:
    """The packed small parameters of one group, with their state as views of flat buffers.

    ``with_grad`` are the group's parameters that had a gradient when the pack was built, ``params`` the
    packed ones among them, ``rest`` the others (updated one by one)."""

    def __init__(self, optimizer, group, with_grad, params, rest, keys, dtype):
        self.optimizer_state, self.group = optimizer.state, group
        self.with_grad, self.params, self.rest, self.keys = with_grad, params, rest, keys
        self.dtypes = [p._dtype for p in params]
        self.shapes = [p._data.shape for p in params]
        states = self.states = [optimizer.state[p] for p in params]
        sizes = [p._data.size for p in params]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        total = bounds[-1]
        self.p_flat = np.empty(total, dtype)
        self.g_flat = np.empty(total, dtype)
        self.p_views = [self.p_flat[a:b].reshape(shape) for shape, a, b in zip(self.shapes, bounds, bounds[1:])]
        self.flat = {}
        self.tensors = []           # (state dict, key, tensor): checked to be unchanged at each step
        for key in keys:
            if key not in states[0]:
                continue
            if key == "step":
                step_dtype = states[0]["step"]._dtype       # float32, or float64 under a float64 default dtype
                flat = np.array([float(s["step"]) for s in states], step_dtype.np)
                views = [flat[i:i + 1].reshape(()) for i in range(len(states))]
                wrap = [step_dtype] * len(states)
            else:
                flat = np.empty(total, dtype)
                views = [flat[a:b].reshape(shape) for shape, a, b in zip(self.shapes, bounds, bounds[1:])]
                for s, view in zip(states, views):
                    view[...] = s[key]._data
                wrap = self.dtypes
            self.flat[key] = flat
            for s, view, dt in zip(states, views, wrap):
                s[key] = make_tensor(view, dt)
                self.tensors.append((s, key, s[key]))

    def still_valid(self, optimizer, group, with_grad):
        """Same group, same parameters with a gradient, same dtypes and shapes, state tensors still ours,
        equal step counts."""
        if group is not self.group or optimizer.state is not self.optimizer_state:
            return False
        if len(with_grad) != len(self.with_grad) or not all(a is b for a, b in zip(with_grad, self.with_grad)):
            return False
        state = self.optimizer_state
        steps = self.flat.get("step")
        return (all(p._dtype is dt and p._data.shape == shape and state.get(p) is s
                    for p, dt, shape, s in zip(self.params, self.dtypes, self.shapes, self.states))
                and all(s.get(k) is t for s, k, t in self.tensors)
                and (steps is None or steps.min() == steps.max()))    # one step count for the one update

    def step(self, update, group):
        """Gather, one rule call on the flat arrays, scatter the parameters back."""
        params = self.params
        np.concatenate([p._data.reshape(-1) for p in params], out=self.p_flat)
        np.concatenate([p._grad._data.reshape(-1) for p in params], out=self.g_flat)
        states = {key: [None] for key in self.keys}
        for key, flat in self.flat.items():
            if key == "step":
                flat += 1
                states[key] = [flat[0]]
            else:
                states[key] = [flat]
        update(group, [self.p_flat], [self.g_flat], states)
        for p, view in zip(params, self.p_views):
            np.copyto(p._data, view)
            p._vbox[0] += 1


def step_group(optimizer, index, group, init, keys, update):
    """Update the packed small parameters of ``group``; return the parameters (with a gradient) left to
    update one by one."""
    with_grad = [p for p in group["params"] if p._grad is not None]
    packs = optimizer.__dict__.setdefault("_packs", {})
    pack = packs.get(index)
    if pack is None or not pack.still_valid(optimizer, group, with_grad):
        small, rest, dtype = _split(optimizer, group, with_grad, init)
        if len(small) < 2:
            packs.pop(index, None)
            return with_grad
        pack = packs[index] = Pack(optimizer, group, with_grad, small, rest, keys, dtype)
    pack.step(update, group)
    return pack.rest


def _split(optimizer, group, with_grad, init):
    """(small parameters to pack, the rest, their dtype): small ones have at most SMALL numbers, a real
    floating dtype shared with the first of them, a dense gradient and the first one's step count; their
    state is initialised here. A parameter listed twice (PyTorch warns) is packed once and its repeats
    updated one by one, as PyTorch updates it twice."""
    small, rest = [], []
    dtype = step = None
    seen = set()
    for p in with_grad:
        a = p._data
        if (a.size <= SMALL and a.dtype.kind == "f" and (dtype is None or a.dtype == dtype)
                and not getattr(p._grad, "is_sparse", False) and id(p) not in seen):
            seen.add(id(p))
            state = optimizer.state[p]
            if len(state) == 0:
                init(p, state, group)
            if dtype is None:
                dtype, step = a.dtype, float(state["step"])
            if float(state["step"]) == step:
                small.append(p)
                continue
        rest.append(p)
    return small, rest, dtype
