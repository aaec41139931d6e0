"""Differences the torch.optim / lr_scheduler / utils.data sweep found, each as a small program run with torch
and with ember (see _harness.py): optimizers ember lacked (Adafactor, Muon, SparseAdam), capturable=True on the
CPU, state_dicts holding Python-number steps (as older PyTorch saved them) and other optimizers' state."""
import copy
import warnings

from _harness import run_both


def _param(torch, show, *shape):
    return torch.nn.Parameter(torch.from_numpy(show.array(*shape)))


def adafactor_shapes_and_options(torch, show):
    """Matrices (factored second moment), a stack of matrices, 0-d and 1-d parameters, the foreach path."""
    ps = [_param(torch, show, *s) for s in [(2, 3, 4), (), (5,), (3, 1), (1, 4)]]
    for kw in [dict(lr=0.05, weight_decay=0.01), dict(foreach=True, maximize=True, beta2_decay=-0.6, d=1.5),
               dict(eps=(1e-20, 1e-2), lr=torch.tensor(0.03))]:
        opt = torch.optim.Adafactor(ps, **kw)
        for _ in range(4):
            opt.zero_grad()
            sum((p ** 3).sum() + (p * 0.5).sum() for p in ps).backward()
            opt.step()
        show(f"params {kw}", ps, repr=False)
        show(f"state {kw}", opt.state_dict()["state"], repr=False)
    print(opt)
    show("defaults", torch.optim.Adafactor(ps).defaults)


def adafactor_errors_and_reload(torch, show):
    p = torch.nn.Parameter(torch.ones(2))
    for kw in [dict(lr=-1.0), dict(beta2_decay=0.5), dict(eps=(-1.0, 1e-3)), dict(eps=(None, -1.0)), dict(d=0.5),
               dict(weight_decay=-1.0), dict(lr=torch.tensor([0.1, 0.2]))]:
        show.raises(f"bad {kw}", lambda: torch.optim.Adafactor([p], **kw))
    c = torch.nn.Parameter(torch.ones(2, dtype=torch.complex64))
    c.grad = torch.ones(2, dtype=torch.complex64)
    show.raises("complex", lambda: torch.optim.Adafactor([c]).step())
    w = _param(torch, show, 3, 4)
    opt = torch.optim.Adafactor([w])
    w.grad = torch.from_numpy(show.array(3, 4))
    opt.step()
    again = torch.optim.Adafactor([w], lr=0.5)
    again.load_state_dict(copy.deepcopy(opt.state_dict()))
    again.step()
    show("reloaded lr", again.param_groups[0]["lr"])
    show("after reload", w)


def muon_variants(torch, show):
    """Wide, tall and square matrices; Nesterov or plain momentum; both learning-rate adjustments."""
    for shape in [(4, 6), (7, 3), (16, 16)]:
        for kw in [dict(), dict(nesterov=False, lr=0.02), dict(adjust_lr_fn="match_rms_adamw", weight_decay=0.0,
                                                                momentum=0.9),
                   dict(ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5), adjust_lr_fn="original")]:
            p = _param(torch, show, *shape)
            opt = torch.optim.Muon([p], **kw)
            for _ in range(4):
                p.grad = torch.from_numpy(show.array(*shape))
                opt.step()
            show(f"{shape} {kw}", p, repr=False, rtol=1e-3, atol=1e-3)     # a bfloat16 step at lr 0.02: 1.6e-4
            show(f"{shape} {kw} buffer", opt.state[p]["momentum_buffer"], repr=False)
    print(opt)
    show.raises("1-d parameter", lambda: torch.optim.Muon([torch.nn.Parameter(torch.ones(3))]))
    for kw in [dict(lr=-1.0), dict(momentum=-1.0), dict(weight_decay=-1.0), dict(adjust_lr_fn="x")]:
        show.raises(f"bad {kw}", lambda: torch.optim.Muon([p], **kw))
    too_many = torch.optim.Muon([p], ns_steps=100)
    show.raises("ns_steps >= 100", lambda: too_many.step())


def muon_with_adamw_for_the_rest(torch, show):
    """The documented split: Muon for the 2-d weights, AdamW for biases."""
    nn = torch.nn
    model = show.same_init(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)))
    x, y = torch.from_numpy(show.array(16, 4)), torch.from_numpy(show.array(16, 2))
    muon = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02, momentum=0.95)
    adamw = torch.optim.AdamW([p for p in model.parameters() if p.ndim != 2], lr=3e-4, weight_decay=0.01)
    for step in range(5):
        muon.zero_grad()
        adamw.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        muon.step()
        adamw.step()
        show(f"loss {step}", loss.item(), rtol=1e-3)
    show("weights", [model[0].weight, model[2].weight], repr=False, rtol=1e-3, atol=1e-3)


def sparse_adam_with_dense_gradients(torch, show):
    p = _param(torch, show, 4, 3)
    opt = torch.optim.SparseAdam([p], lr=0.01)
    print(opt)
    show("defaults", opt.defaults)
    show("step without gradients", opt.step())
    p.grad = torch.ones(4, 3)
    show.raises("dense gradient", lambda: opt.step())
    for kw in [dict(lr=0.0), dict(eps=0.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1)),
               dict(lr=torch.tensor([0.1, 0.2]))]:
        show.raises(f"bad {kw}", lambda: torch.optim.SparseAdam([p], **kw))
    show.raises("complex", lambda: torch.optim.SparseAdam([torch.nn.Parameter(torch.ones(2, dtype=torch.complex64))]))
    show("state_dict", opt.state_dict())


def capturable_on_cpu(torch, show):
    """capturable=True (CUDA graphs) refuses CPU tensors at the first step, and touches nothing."""
    for name in ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Rprop", "ASGD", "Adadelta"]:
        for foreach in (None, True):
            p = _param(torch, show, 3)
            opt = getattr(torch.optim, name)([p], capturable=True, foreach=foreach)
            show(f"{name} {foreach} no grad", opt.step())
            p.grad = torch.ones(3)
            show.raises(f"{name} {foreach}", lambda: opt.step())
            show(f"{name} {foreach} untouched", p)


def state_with_python_number_steps(torch, show):
    """Older PyTorch saved ``step`` (and ASGD's eta/mu, NAdam's mu_product) as Python numbers: loading makes
    them 0-d float32 tensors again, and the next step continues the trajectory."""
    p = _param(torch, show, 3)
    for name in ["Adam", "AdamW", "RMSprop", "Adamax", "RAdam", "Adadelta", "Adagrad", "Rprop", "NAdam", "ASGD",
                 "Adafactor"]:
        opt = getattr(torch.optim, name)([p], lr=0.01)
        p.grad = torch.from_numpy(show.array(3))
        opt.step()
        saved = copy.deepcopy(opt.state_dict())
        for key in ("step", "eta", "mu", "mu_product"):
            if key in saved["state"][0]:
                saved["state"][0][key] = float(saved["state"][0][key])
        again = getattr(torch.optim, name)([p], lr=0.01)
        again.load_state_dict(saved)
        show(f"{name} state", dict(again.state[p]), repr=False)
        again.step()
        show(f"{name} after", p)


def load_other_optimizers_state(torch, show):
    """An SGD state_dict loaded into Adam: Adam's group defaults are filled in, then its missing ``step`` raises
    KeyError, as PyTorch; amsgrad switched on after the first step raises KeyError too."""
    nn = torch.nn
    model = show.same_init(nn.Linear(3, 2))
    x = torch.from_numpy(show.array(5, 3))
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(x).pow(2).mean().backward()
    sgd.step()
    adam = torch.optim.Adam(model.parameters())
    show.raises("SGD state into Adam", lambda: adam.load_state_dict(sgd.state_dict()))
    show("Adam group after", {k: v for k, v in adam.param_groups[0].items() if k != "params"})
    adam = torch.optim.Adam(model.parameters(), lr=0.1)
    adam.step()
    adam.param_groups[0]["amsgrad"] = True
    show.raises("amsgrad switched on", lambda: adam.step())
    show("weight", model.weight)


def _run(program):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # torch's own deprecation notes are not what is compared here
        run_both(program)


def test_adafactor_shapes_and_options():
    _run(adafactor_shapes_and_options)


def test_adafactor_errors_and_reload():
    _run(adafactor_errors_and_reload)


def test_muon_variants():
    _run(muon_variants)


def test_muon_with_adamw_for_the_rest():
    _run(muon_with_adamw_for_the_rest)


def test_sparse_adam_with_dense_gradients():
    _run(sparse_adam_with_dense_gradients)


def test_capturable_on_cpu():
    _run(capturable_on_cpu)


def test_state_with_python_number_steps():
    _run(state_with_python_number_steps)


def test_load_other_optimizers_state():
    _run(load_other_optimizers_state)


def fused_needs_real_floating_parameters(torch, show):
    """fused=True (Adam, AdamW, SGD, Adagrad run fused on the CPU) refuses complex or integer parameters at the
    first step that has a gradient; half precisions run."""
    for name in ["Adam", "AdamW", "SGD", "Adagrad"]:
        for dtype in ["float16", "bfloat16", "float64", "complex64"]:
            p = torch.nn.Parameter(torch.from_numpy(show.array(3)).to(getattr(torch, dtype)))
            opt = getattr(torch.optim, name)([p], lr=0.1, fused=True)
            show(f"{name} {dtype} no grad", opt.step())
            p.grad = torch.ones_like(p)
            if show.raises(f"{name} {dtype}", lambda: opt.step()) is None:
                show(f"{name} {dtype} stepped", p, rtol=2e-2, atol=2e-3, repr=False)   # fused rounds once
        show.raises(f"{name} fused differentiable", lambda: getattr(torch.optim, name)(
            [torch.nn.Parameter(torch.ones(2))], lr=0.1, fused=True, differentiable=True))
        show.raises(f"{name} fused foreach", lambda: getattr(torch.optim, name)(
            [torch.nn.Parameter(torch.ones(2))], lr=0.1, fused=True, foreach=True))


def test_fused_needs_real_floating_parameters():
    _run(fused_needs_real_floating_parameters)


def concat_dataset_old_attribute_name(torch, show):
    import warnings as _warnings
    data = torch.utils.data.ConcatDataset([torch.utils.data.TensorDataset(torch.arange(3)), [10, 20]])
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        show("cummulative_sizes", data.cummulative_sizes)
    show("warning", [(w.category.__name__, str(w.message)) for w in caught])


def test_concat_dataset_old_attribute_name():
    run_both(concat_dataset_old_attribute_name)


def float64_default_dtype_scalar_states(torch, show):
    """Under set_default_dtype(float64) the 0-d states (step, ASGD's eta/mu, NAdam's mu_product) are float64,
    except for fused kernels (float32), as PyTorch's _get_scalar_dtype; the packed small-parameter update keeps
    that dtype."""
    torch.set_default_dtype(torch.float64)
    try:
        nn = torch.nn
        model = show.same_init(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)))
        x, y = torch.tensor(show.array(6, 3, dtype="float64")), torch.tensor(show.array(6, 1, dtype="float64"))
        for name, kw in [("Adam", {}), ("Adam", {"fused": True}), ("AdamW", {"amsgrad": True}), ("ASGD", {"t0": 1}),
                         ("NAdam", {}), ("Adagrad", {"fused": True}), ("Rprop", {}), ("RMSprop", {}),
                         ("RAdam", {}), ("Adamax", {}), ("Adadelta", {}), ("Adafactor", {})]:
            opt = getattr(torch.optim, name)(model.parameters(), lr=0.01, **kw)
            for _ in range(3):
                opt.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                opt.step()
            state = opt.state[model[0].bias]
            show(f"{name} {kw} scalar dtypes", {k: v.dtype for k, v in state.items() if v.dim() == 0})
            show(f"{name} {kw} steps", state["step"])
            show(f"{name} {kw} weights", list(model.parameters()), repr=False)
    finally:
        torch.set_default_dtype(torch.float32)


def test_float64_default_dtype_scalar_states():
    _run(float64_default_dtype_scalar_states)


def load_pre_hook_edits_a_copy(torch, show):
    """A load_state_dict pre-hook that edits the dict it gets (drops a key, changes lr) leaves the caller's
    top-level dict as it was, as PyTorch (it hands the hooks a copy)."""
    p = _param(torch, show, 3)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = torch.ones(3)
    opt.step()

    def hook(optimizer, state_dict):
        state_dict["extra"] = 1
        state_dict["param_groups"] = [dict(g, lr=0.5) for g in state_dict["param_groups"]]
    opt.register_load_state_dict_pre_hook(hook)
    saved = opt.state_dict()
    opt.load_state_dict(saved)
    show("caller's keys", sorted(saved))
    show("caller's lr", saved["param_groups"][0]["lr"])
    show("loaded lr", opt.param_groups[0]["lr"])


def test_load_pre_hook_edits_a_copy():
    _run(load_pre_hook_edits_a_copy)


def hook_handles(torch, show):
    """Optimizer hooks hand back PyTorch's RemovableHandle (also a context manager that removes the hook)."""
    p = _param(torch, show, 3)
    opt = torch.optim.SGD([p], lr=0.1)
    calls = []
    handle = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    show("handle class", type(handle).__name__)
    with opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post")):
        opt.step()
    opt.step()
    handle.remove()
    handle.remove()
    opt.step()
    show("calls", calls)


def test_hook_handles():
    _run(hook_handles)


def zero_dim_parameters(torch, show):
    """A learnable scalar (nn.Parameter(torch.tensor(0.7)): a temperature, a scale), alone (updated one by one)
    or beside a vector, real or complex: NumPy turns 0-d results into scalars and cannot view a 0-d complex
    array as reals, which broke most rules."""
    for name, kw in [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(amsgrad=True)), ("AdamW", {}),
                     ("Adamax", {}), ("Adagrad", {}), ("Adadelta", {}), ("RMSprop", dict(centered=True, momentum=0.5)),
                     ("Rprop", {}), ("NAdam", {}), ("RAdam", {}), ("ASGD", dict(t0=1)), ("Adafactor", {}),
                     ("LBFGS", {})]:
        for dtype in ["float32", "complex64"]:
            if name == "Adafactor" and dtype == "complex64":
                continue
            for with_vector in (False, True):
                scalar = torch.nn.Parameter(torch.tensor(show.array(dtype="float64").item() * (1 + 0.5j)
                                                         if dtype == "complex64" else 0.7, dtype=getattr(torch, dtype)))
                params = [scalar] + ([torch.nn.Parameter(torch.from_numpy(show.array(2)).to(scalar.dtype))]
                                     if with_vector else [])
                opt = getattr(torch.optim, name)(params, **kw)

                def closure():
                    opt.zero_grad()
                    loss = sum(((p * p.conj()).real * 0.5 + p.real).sum() for p in params)
                    loss.backward()
                    return loss
                for _ in range(4):
                    opt.step(closure)
                show(f"{name} {dtype} {with_vector}", params, repr=False)
                show(f"{name} {dtype} {with_vector} state shapes",
                     {k: tuple(v.shape) for k, v in opt.state[scalar].items() if isinstance(v, torch.Tensor)})


def test_zero_dim_parameters():
    _run(zero_dim_parameters)


def asgd_foreach_eta(torch, show):
    """foreach=True computes ASGD's eta in the float32 step counter's arithmetic (an ulp from the for-loop's):
    float64 parameters show it."""
    for foreach in (None, True):
        p = torch.nn.Parameter(torch.tensor(show.array(3, 2, dtype="float64")))
        opt = torch.optim.ASGD([p], lr=0.05, t0=2, weight_decay=0.1, foreach=foreach)
        for _ in range(6):
            p.grad = torch.tensor(show.array(3, 2, dtype="float64"))
            opt.step()
        show(f"foreach={foreach}", p, rtol=1e-13, atol=1e-15, repr=False)
        show(f"foreach={foreach} eta", opt.state[p]["eta"], rtol=0, atol=0)


def test_asgd_foreach_eta():
    _run(asgd_foreach_eta)


def sgd_differentiable(torch, show):
    """differentiable=True: the step is recorded, so a meta-loss on the updated (non-leaf) parameters reaches the
    initial weights, the gradient's graph, a tensor lr and a given momentum buffer; leaf parameters raise, as
    PyTorch's in-place update of a leaf that requires grad."""
    for kw in [dict(), dict(momentum=0.9), dict(momentum=0.9, nesterov=True, weight_decay=0.1),
               dict(momentum=0.5, dampening=0.3, maximize=True, weight_decay=0.05)]:
        for with_buf in (False, True):
            if with_buf and "momentum" not in kw:
                continue
            w0 = torch.tensor(show.array(3, 2, dtype="float64"), requires_grad=True)
            x = torch.tensor(show.array(4, 3, dtype="float64"))
            lr = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
            buf0 = torch.tensor(show.array(3, 2, dtype="float64"), requires_grad=True)
            w = w0.clone()
            opt = torch.optim.SGD([w], lr=lr, differentiable=True, **kw)
            if with_buf:
                opt.state[w]["momentum_buffer"] = buf0.clone()
            loss = (x @ w0).tanh().pow(2).sum()
            g, = torch.autograd.grad(loss, w0, create_graph=True)
            w.grad = g
            opt.step()
            meta = (x @ w).pow(2).sum()
            if "momentum" in kw:
                meta = meta + opt.state[w]["momentum_buffer"].sum()
            meta.backward()
            show(f"{kw} {with_buf} w", w, repr=False)
            show(f"{kw} {with_buf} w0.grad", w0.grad)
            show(f"{kw} {with_buf} lr.grad", lr.grad)
            show(f"{kw} {with_buf} buf0.grad", buf0.grad)
    p = torch.nn.Parameter(torch.ones(3))
    o = torch.optim.SGD([p], lr=0.1, differentiable=True)
    p.grad = torch.ones(3)
    show.raises("leaf", lambda: o.step())
    show("leaf untouched", p)
    show.raises("non-leaf without differentiable",
                lambda: torch.optim.SGD([torch.ones(2, requires_grad=True) * 2], lr=0.1))
    q = torch.ones(2, requires_grad=True) * 2
    show("non-leaf ok", len(torch.optim.SGD([q], lr=0.1, differentiable=True).param_groups))


def test_sgd_differentiable():
    _run(sgd_differentiable)


def adam_differentiable(torch, show):
    """Adam/AdamW differentiable=True, from fresh state or a given one (step, moments that require grad), with
    tensor lr and betas that require grad. The given step is float64: ember's ``0.9 ** t`` for a float32 0-d t
    rounds the exact power where torch computes powf in float32 (an ulp of float32 apart)."""
    betas = tuple(torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in (0.8, 0.95))
    for name, kw in [("Adam", dict()), ("Adam", dict(amsgrad=True, weight_decay=0.1)), ("AdamW", dict(maximize=True)),
                     ("Adam", dict(betas=betas)),
                     ("Adam", dict(decoupled_weight_decay=True, weight_decay=0.2, amsgrad=True))]:
        for prior in (False, True):
            w0 = torch.tensor(show.array(3, 2, dtype="float64"), requires_grad=True)
            x = torch.tensor(show.array(4, 3, dtype="float64"))
            lr = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
            m0 = torch.tensor(show.array(3, 2, dtype="float64"), requires_grad=True)
            v0 = torch.tensor(show.array(3, 2, low=0.1, dtype="float64"), requires_grad=True)
            w = w0.clone()
            opt = getattr(torch.optim, name)([w], lr=lr, differentiable=True, **kw)
            if prior:
                opt.state[w]["step"] = torch.tensor(3.0, dtype=torch.float64)
                opt.state[w]["exp_avg"] = m0.clone()
                opt.state[w]["exp_avg_sq"] = v0.clone()
                if kw.get("amsgrad"):
                    opt.state[w]["max_exp_avg_sq"] = v0.clone() * 1.1
            loss = (x @ w0).tanh().pow(2).sum()
            g, = torch.autograd.grad(loss, w0, create_graph=True)
            w.grad = g
            opt.step()
            meta = (x @ w).pow(2).sum() + opt.state[w]["exp_avg"].sum() + opt.state[w]["exp_avg_sq"].sum()
            meta.backward()
            tag = f"{name} {sorted(kw)} {prior}"
            show(f"{tag} w", w, repr=False)
            show(f"{tag} w0.grad", w0.grad)
            show(f"{tag} lr.grad", lr.grad)
            show(f"{tag} m0.grad", m0.grad)
            show(f"{tag} v0.grad", v0.grad)
            if "betas" in kw:
                show(f"{tag} beta grads", [b.grad for b in kw["betas"]])
            show(f"{tag} step", opt.state[w]["step"])
    p = torch.nn.Parameter(torch.ones(3))
    o = torch.optim.Adam([p], lr=0.1, differentiable=True)
    p.grad = torch.ones(3)
    show.raises("leaf", lambda: o.step())
    w = torch.ones(3, requires_grad=True) * 1.0
    o = torch.optim.Adam([w], lr=0.1, differentiable=True, foreach=True)
    w.grad = torch.ones(3)
    show.raises("foreach", lambda: o.step())


def test_adam_differentiable():
    _run(adam_differentiable)


def strided_complex_parameters(torch, show):
    """A complex parameter that is a transposed (non-contiguous) leaf, with strided and contiguous gradients:
    its real and imaginary parts are viewed in place (PyTorch's view_as_real), not refused."""
    data = show.array(3, 4).astype("complex64") + 1j * show.array(3, 4).astype("complex64")
    for name, kw in [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1, amsgrad=True)),
                     ("RMSprop", dict(lr=0.01, centered=True)), ("Adagrad", dict(lr=0.1)), ("Rprop", dict(lr=0.01)),
                     ("ASGD", dict(lr=0.1)), ("NAdam", dict(lr=0.1)), ("Adadelta", {}), ("RAdam", dict(lr=0.1))]:
        p = torch.nn.Parameter(torch.from_numpy(data.copy()).t())
        show(f"{name} contiguous", p.is_contiguous())
        opt = getattr(torch.optim, name)([p], **kw)
        for i in range(4):
            grad = torch.from_numpy(data.copy() * (i + 1)).t()
            p.grad = grad.contiguous() if i % 2 else grad
            opt.step()
        show(name, p, repr=False)


def test_strided_complex_parameters():
    _run(strided_complex_parameters)


def older_state_dicts(torch, show):
    """A state_dict from an older PyTorch (no maximize/foreach/fused/differentiable/capturable/... group keys,
    Python-number steps) loads, gets the missing keys' defaults (AdamW stays decoupled) and steps on."""
    for name in ["SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "RMSprop", "Rprop", "NAdam", "RAdam", "ASGD",
                 "Adafactor"]:
        p = torch.nn.Parameter(torch.from_numpy(show.array(3, 2)))
        kw = dict(lr=0.05, momentum=0.9) if name == "SGD" else dict(lr=0.05)
        o = getattr(torch.optim, name)([p], **kw)
        for _ in range(2):
            p.grad = torch.from_numpy(show.array(3, 2))
            o.step()
        sd = copy.deepcopy(o.state_dict())
        for g in sd["param_groups"]:
            for k in ["maximize", "foreach", "fused", "differentiable", "capturable", "decoupled_weight_decay",
                      "amsgrad", "nesterov", "centered"]:
                g.pop(k, None)
        for st in sd["state"].values():
            for k in ("step", "eta", "mu", "mu_product"):
                if k in st:
                    st[k] = float(st[k])
        o2 = getattr(torch.optim, name)([p], **kw)
        show.raises(name + " load", lambda: o2.load_state_dict(sd))
        show(name + " group", {k: v for k, v in o2.param_groups[0].items() if k != "params"})
        p.grad = torch.from_numpy(show.array(3, 2))
        show.raises(name + " step", lambda: o2.step())
        show(name + " p", p, repr=False)


def test_older_state_dicts():
    _run(older_state_dicts)
