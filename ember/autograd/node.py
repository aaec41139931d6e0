"""Nodes of the autograd graph.

A Node is one recorded op: the tensors it saved for backward (with their
version at save time), its non-tensor arguments, and edges
(``next_functions``) to the Nodes that made its inputs. Leaves that require
grad are reached through their ``AccumulateGrad`` node.

Each differentiable op defines a Node subclass named as PyTorch's
(``MulBackward0``) whose ``formula`` is the derivative, written once: it gets a
namespace ``F`` of functions and the values, and runs on NumPy arrays for a
first-order backward or on ember Tensors under ``create_graph=True``.
"""
import inspect
import itertools
import weakref

from . import grad_mode
from .formulas import array_ns, tensor_ns

_gstate = grad_mode.state
_inference_made = grad_mode.inference_made
_next_seq = itertools.count().__next__

# Active saved_tensors_hooks (pack, unpack) pairs; the innermost applies.
saved_hooks_stack = []
# Anomaly mode: when on, every Node remembers the stack that created it.
anomaly = {"enabled": False, "check_nan": True}


class SavedOutput:
    """A Node's own output saved for backward, held without the Tensor so no cycle
    Tensor -> Node -> Tensor forms. Rebuilt as a Tensor (with this Node as grad_fn)
    only when a create_graph backward needs it."""

    __slots__ = ("_data", "_vbox", "_dtype", "_out_nr")

    def __init__(self, t):
        self._data, self._vbox, self._dtype, self._out_nr = t._data, t._vbox, t._dtype, t._out_nr

    def as_tensor(self, node):
        from ..tensor import make_tensor
        t = make_tensor(self._data, self._dtype, True, node)
        t._vbox = self._vbox
        t._out_nr = self._out_nr
        return t


class _Packed:
    """A tensor saved through saved_tensors_hooks: what pack returned, the unpack hook,
    and where the tensor sat in the graph (so an unpacked copy is reconnected to it
    under create_graph, as PyTorch does)."""

    __slots__ = ("packed", "unpack", "grad_fn", "out_nr", "leaf", "dtype")

    def __init__(self, t, pack, unpack, grad_fn):
        self.unpack = unpack
        self.grad_fn, self.out_nr, self.dtype = grad_fn, t._out_nr, t._dtype
        # a leaf requiring grad is referenced weakly: the graph must not keep it alive
        self.leaf = weakref.ref(t) if grad_fn is None and t._rg else None
        self.packed = pack(t)

    def tensor(self, as_tensor):
        from ..tensor import Tensor, make_tensor
        t = self.unpack(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                            f"{type(t).__name__}")
        if not as_tensor:
            return t._data
        if self.grad_fn is not None:
            if t._grad_fn is not self.grad_fn:
                t2 = make_tensor(t._data, t._dtype, True, self.grad_fn)
                t2._out_nr = self.out_nr
                t = t2
        elif self.leaf is not None:
            leaf = self.leaf()
            if leaf is not None and t is not leaf and not t._rg:
                t = _leaf_alias(t, leaf)      # a copy of a leaf: route its gradient to the leaf
        return t


def _leaf_alias(t, leaf):
    """t's values, differentiable as ``leaf`` (an identity node into leaf's AccumulateGrad)."""
    from ..tensor import make_tensor
    out = make_tensor(t._data, t._dtype, True)
    _Identity([leaf], ()).attach(out)
    return out


def _pack_all(node, saved):
    """Run the innermost saved_tensors_hooks' pack on every saved tensor (always a Tensor)."""
    pack, unpack = saved_hooks_stack[-1]
    out = []
    prev = _gstate.enabled
    _gstate.enabled = False                # pack runs under no_grad, as in PyTorch
    try:
        for s in saved:
            if s is None:
                out.append(None)
            elif s.__class__ is SavedOutput:
                t = s.as_tensor(node)          # the output as a Tensor whose grad_fn is this node
                out.append(_Packed(t, pack, unpack, node))
            else:
                out.append(_Packed(s, pack, unpack, s._grad_fn))
    finally:
        _gstate.enabled = prev
    return tuple(out)


class Node:
    """Base of every autograd graph node (``grad_fn``)."""

    # Set on every node. ``_seq`` numbers nodes in creation order: a node's inputs always
    # come before it, so the engine can run nodes from the highest number down.
    __slots__ = ("_edges", "_saved", "_versions", "_args", "_seq", "__dict__", "__weakref__")

    formula = None          # the derivative: formula(F, grad, *saved, *args) -> grad per input
    nout = 1                # number of differentiable outputs
    # True sends the node through the engine's general path (hooks, retain_grad, several
    # outputs, an apply of its own); plain nodes take the engine's inlined fast path.
    _special = False
    # Rarely set, so class-level defaults: a node gets its own value (in its __dict__, made on
    # first use) only when a hook, retain_grad or anomaly mode sets one.
    _pre_hooks = _post_hooks = _tensor_hooks = _retained = None
    _trace = None
    _out_meta = None
    _arity = 0              # inputs next_functions shows at least (see _scalar_fast)

    def __init__(self, inputs, saved=(), args=(), exact=False):
        # An edge per input: (node, output_nr) as PyTorch's; the input's shape and dtype, to which the
        # engine conforms its gradient (None for an ``exact`` node, whose formula returns each input's
        # shape and dtype already, and whose hooks may change neither: the engine skips the test); and
        # a leaf input itself, which the graph keeps alive as PyTorch's does (its AccumulateGrad holds it
        # weakly).
        edges = []
        for t in inputs:
            if t is not None and t._rg:      # callers pass None for non-tensor operands
                fn = t._grad_fn
                if fn is not None:
                    leaf, nr = None, t._out_nr
                else:
                    leaf, nr, fn = t, 0, t._acc or t._accumulator()
                edges.append((fn, nr, None, None, leaf) if exact else (fn, nr, t._data.shape, t._dtype, leaf))
            else:
                edges.append(_NO_EDGE)
        self._edges = edges             # (a list: never changed after; a tuple() would cost a call)
        if saved:
            if _inference_made[0]:
                _refuse_inference(saved)
            versions = []
            for s in saved:
                versions.append(None if s is None else s._vbox[0])
            self._versions = versions
            self._saved = _pack_all(self, saved) if saved_hooks_stack else saved
        else:
            self._versions = self._saved = ()
        self._args = args
        self._seq = _next_seq()                 # after the inputs' accumulators were made
        if anomaly["enabled"]:
            self._trace = _capture_trace()

    # ------------------------------------------------------------- PyTorch's surface
    @property
    def next_functions(self):
        """The edges to the nodes of the inputs: one ``(node, output_nr)`` per input, ``(None, 0)`` for an
        input that needs no gradient (``_edges`` holds them with each input's shape and dtype)."""
        edges = tuple([(e[0], e[1]) for e in self._edges])
        # a tensor-number op records only the tensor's edge; PyTorch shows the number's (None, 0) after it
        return edges + ((None, 0),) * (self._arity - len(edges)) if len(edges) < self._arity else edges

    def name(self):
        n = type(self).__name__
        return "torch::autograd::" + n if n in _NAMESPACED else n

    @property
    def metadata(self):
        """A dict for the user's own notes on this node, as PyTorch's ``grad_fn.metadata``."""
        return self.__dict__.setdefault("_metadata", {})

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) -> None or replacement grad_inputs, after the node runs."""
        self._special = True
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) -> None or replacement grad_outputs, before the node runs."""
        self._special = True
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def _add_tensor_hook(self, nr, fn):
        self._special = True
        if self._tensor_hooks is None:
            self._tensor_hooks = []
        entry = (nr, fn)
        self._tensor_hooks.append(entry)
        return _RemovableHandle(self._tensor_hooks, entry)

    def _retain(self, nr, tensor):
        self._special = True
        if self._retained is None:
            self._retained = {}
        self._retained[nr] = weakref.ref(tensor)

    def _unretain(self, nr, tensor):
        if self._retained and self._retained.get(nr, lambda: None)() is tensor:
            del self._retained[nr]

    # ------------------------------------------------------------- backward
    def unpack_saved(self, as_tensors):
        """The saved values: arrays for a first-order backward, Tensors under create_graph."""
        saved = self._saved
        if saved is None:                 # released by a backward without retain_graph
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or directly access saved tensors after "
                f"they have already been freed) in {self.name()}. Saved intermediate values of the graph are "
                f"freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                f"backward through the graph a second time or if you need to access saved tensors after calling "
                f"backward.")
        out = []
        for s, v in zip(saved, self._versions):
            if v is None:                   # nothing saved here (the version of None is None)
                out.append(None)
            elif s.__class__ is _Packed:
                out.append(s.tensor(as_tensors))
            elif s._vbox[0] != v:
                self._modified(s, v)
            elif as_tensors:
                out.append(s.as_tensor(self) if s.__class__ is SavedOutput else s)
            else:
                out.append(s._data)
        return out

    def _modified(self, s, v):
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [ember.{s._dtype.name} {list(s._data.shape)}] is at version {s._vbox[0]}; "
            f"expected version {v} instead (it was saved by {self.name()}). Hint: enable anomaly "
            f"detection to find the forward op, or clone() the tensor before modifying it in place.")

    def apply(self, grads, create_graph):
        """Gradients w.r.t. the inputs, given those w.r.t. the outputs (one per output)."""
        saved = self.unpack_saved(create_graph) if self._versions else ()   # _versions outlives release()
        g = grads[0] if self.nout == 1 else grads
        res = self.formula(tensor_ns if create_graph else array_ns, g, *saved, *self._args)
        return res if res.__class__ is tuple else (res,)

    def release(self):
        # Only a node that saved something refuses a second backward (as in PyTorch).
        if self._saved:
            self._saved = None

    @property
    def _saved_tensors(self):
        return tuple(self.unpack_saved(True))

    # ------------------------------------------------------------- saved values by name
    # PyTorch nodes show what they saved as ``_saved_<name>`` (``(x ** 2).grad_fn._saved_self is x``,
    # ``_saved_exponent == 2``, ``x.exp().grad_fn._saved_result``) and ``_raw_saved_<name>`` (a
    # SavedTensor taking hooks). A formula's parameters after (F, g) are the saved values, then the
    # arguments, so their names give these attributes (properties below, for the names PyTorch's nodes
    # use most: a __getattr__ hook would slow every attribute read of every node).
    def _saved_by_name(self, key, raw):
        names = _saved_names(type(self))
        nsaved = len(self._versions)
        i = names.index(key) if key in names else None
        if i is None or raw and i >= nsaved:
            prefix = "_raw_saved_" if raw else "_saved_"
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{prefix}{key}'")
        if raw:
            return SavedTensor(self, i)
        return self.unpack_saved(True)[i] if i < nsaved else self._args[i - nsaved]

    def __dir__(self):
        """PyTorch lists the saved names a node has, not every name a node may have."""
        names = _saved_names(type(self))
        nsaved = len(self._versions)
        mine = {f"_saved_{n}" for n in names if n in _SAVED_NAMES} | \
               {f"_raw_saved_{n}" for i, n in enumerate(names) if i < nsaved and n in _SAVED_NAMES}
        return sorted(set(super().__dir__()) - _SAVED_ATTRS | mine)


# ember's formula parameter names -> PyTorch's names for the saved values
_TORCH_SAVED_NAMES = {"x": "self", "a": "self", "input": "self", "b": "other", "out": "result"}


# the saved names that nodes answer to (_saved_<name>, _raw_saved_<name>)
_SAVED_NAMES = ("self", "other", "result", "exponent", "dim", "keepdim", "alpha", "weight", "mask", "index",
                "value", "min", "max", "p", "shape", "sizes")


_SAVED_ATTRS = {f"{prefix}{n}" for n in _SAVED_NAMES for prefix in ("_saved_", "_raw_saved_")}


def _install_saved_properties():
    for n in _SAVED_NAMES:
        setattr(Node, f"_saved_{n}", property(lambda self, n=n: self._saved_by_name(n, False)))
        setattr(Node, f"_raw_saved_{n}", property(lambda self, n=n: self._saved_by_name(n, True)))


def _saved_names(cls):
    """The names of a node class's saved values and arguments, from its formula's parameters."""
    names = cls.__dict__.get("_saved_names_cache")
    if names is None:
        names = []
        if cls.formula is not None:
            try:
                params = list(inspect.signature(cls.formula).parameters.values())[2:]    # after F, g
            except (TypeError, ValueError):
                params = []
            names = [_TORCH_SAVED_NAMES.get(p.name, p.name) for p in params
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        type.__setattr__(cls, "_saved_names_cache", names)
    return names


class SavedTensor:
    """One saved value of a node, as PyTorch's ``grad_fn._raw_saved_<name>``: ``register_hooks(pack,
    unpack)`` packs it now and unpacks it when backward needs it."""

    __slots__ = ("_node", "_i")

    def __init__(self, node, i):
        self._node, self._i = node, i

    def register_hooks(self, pack_hook, unpack_hook):
        node = self._node
        if node._saved is None:
            node.unpack_saved(True)          # raises: freed by a backward
        s = node._saved[self._i]
        if s is None:
            raise RuntimeError("Calling register_hooks on a saved tensor whose value is None is forbidden")
        if s.__class__ is _Packed:
            raise RuntimeError("Calling register_hooks on a saved tensor whose hooks have already been set. "
                               "Hint: only one pair of hooks is allowed at a time.")
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("register_hooks expects two callables (pack_hook, unpack_hook)")
        t = s.as_tensor(node) if s.__class__ is SavedOutput else s
        packed = _Packed(t, pack_hook, unpack_hook, node if s.__class__ is SavedOutput else t._grad_fn)
        saved = list(node._saved)
        saved[self._i] = packed
        node._saved = tuple(saved)


_install_saved_properties()


class AccumulateGrad(Node):
    """The node of a leaf tensor: gradients arriving here go into ``variable.grad``.

    The leaf holds its node (made once, not once per graph) and the node holds the leaf weakly, so
    they form no cycle; a graph keeps the leaf alive through its edges. A leaf with tensor hooks or
    post-accumulate hooks makes its node ``_special``: the engine's plain path then skips no hook."""

    __slots__ = ("_var",)

    # a leaf's node has no edges, saves nothing and takes no arguments: class-level values, so that making
    # one (once per leaf and graph) sets two fields
    _edges = _saved = _versions = _args = ()

    def __init__(self, variable):
        self._seq = _next_seq()
        self._var = weakref.ref(variable)
        if variable._hooks or variable._post_acc_hooks:
            self._special = True

    @property
    def variable(self):
        return self._var()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def release(self):
        pass


class _Identity(Node):
    """Passes the gradient through unchanged (used to alias a tensor into the graph)."""

    __slots__ = ()
    formula = staticmethod(lambda F, g: g)

    def attach(self, out):
        out._grad_fn = self
        out._rg = True
        return out


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _refuse_inference(saved):
    for s in saved:
        if s is not None and s.__class__ is not SavedOutput and s._inference:
            raise RuntimeError("Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                               "inference mode in computation tracked by autograd. To work around this, you can make "
                               "a clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` "
                               "instead of `torch.inference_mode()`.")


def _capture_trace():
    import traceback
    return traceback.extract_stack()[:-3]


_NO_EDGE = (None, 0, None, None, None)      # an input that needs no gradient
# Nodes PyTorch writes in C++ outside its generated code: their name() carries the namespace
_NAMESPACED = {"CopySlices", "CopyBackwards", "NotImplemented"}


def node_class(name, formula, nout=1):
    """Make the Node subclass of one op: ``node_class("MulBackward0", formula)``."""
    cls = type(name, (Node,), {"__slots__": (), "formula": staticmethod(formula), "nout": nout,
                                 "_special": nout > 1})
    return cls
