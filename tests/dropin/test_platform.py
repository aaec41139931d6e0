"""The platform names PyTorch scripts touch (cuda, backends, amp, accelerator, distributed, compile,
legacy constructors, formatting, signatures) behave as in PyTorch's CPU build."""
import inspect
import types
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import same_error


# ---------------------------------------------------------------------- cuda / accelerator / backends
@pytest.mark.parametrize("call", ["is_available()", "device_count()", "is_initialized()", "is_bf16_supported()",
                                  "memory_allocated()", "max_memory_allocated()", "memory_reserved()",
                                  "empty_cache()", "manual_seed(3)", "manual_seed_all(3)", "seed()"])
def test_cuda_queries_answer_as_torch_cpu_build(call):
    assert eval(f"ember.cuda.{call}") == eval(f"torch.cuda.{call}")


@pytest.mark.parametrize("call", ["current_device()", "synchronize()", "get_device_name()",
                                  "get_device_properties(0)", "get_device_capability()", "get_rng_state()"])
def test_cuda_calls_needing_a_device_raise_as_torch(call):
    same_error(lambda lib: eval(f"lib.cuda.{call}"))


def test_cuda_device_context():
    with ember.cuda.device(-1), torch.cuda.device(-1), ember.cuda.device(None):
        pass
    def enter(lib):
        with lib.cuda.device(0):
            pass
    same_error(enter)


@pytest.mark.parametrize("flag", ["cudnn.enabled", "cudnn.benchmark", "cudnn.deterministic", "cudnn.allow_tf32",
                                  "cudnn.benchmark_limit", "cuda.matmul.allow_tf32",
                                  "cuda.matmul.allow_fp16_reduced_precision_reduction",
                                  "cuda.matmul.allow_bf16_reduced_precision_reduction"])
def test_backend_flags_have_torch_defaults_and_can_be_set(flag):
    assert eval(f"ember.backends.{flag}") == eval(f"torch.backends.{flag}")
    owner, _, attr = f"ember.backends.{flag}".rpartition(".")
    obj = eval(owner)
    saved = getattr(obj, attr)
    try:
        setattr(obj, attr, not saved)
        assert eval(f"ember.backends.{flag}") == (not saved)
    finally:
        setattr(obj, attr, saved)


def test_unknown_matmul_flag_is_refused():
    with pytest.raises(AttributeError):
        ember.backends.cuda.matmul.allow_tf33 = True


@pytest.mark.parametrize("call", ["cudnn.is_available()", "cudnn.version()", "cuda.is_built()", "mps.is_available()",
                                  "mps.is_built()", "cuda.flash_sdp_enabled()", "cuda.math_sdp_enabled()"])
def test_backend_queries(call):
    assert eval(f"ember.backends.{call}") == eval(f"torch.backends.{call}")


def test_cudnn_flags_context_restores():
    with ember.backends.cudnn.flags(enabled=False, deterministic=True):
        assert ember.backends.cudnn.enabled is False and ember.backends.cudnn.deterministic is True
    assert ember.backends.cudnn.enabled is True and ember.backends.cudnn.deterministic is False


def test_accelerator_and_default_device():
    for call in ["is_available()", "device_count()", "current_accelerator()"]:
        assert eval(f"ember.accelerator.{call}") == eval(f"torch.accelerator.{call}")
    assert str(ember.get_default_device()) == str(torch.get_default_device()) == "cpu"
    ember.set_default_device("cpu")
    ember.set_default_device(None)
    with pytest.raises(RuntimeError, match="cuda"):
        ember.set_default_device("cuda")


# ---------------------------------------------------------------------- amp
def test_autocast_on_a_missing_device_warns_and_disables_as_torch():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            with lib.autocast("cuda"):
                x = lib.ones(2) * 2
        assert x.dtype == lib.float32
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with ember.cuda.amp.autocast():
            pass


def test_autocast_disabled_and_defaults():
    for lib in (ember, torch):
        with lib.autocast("cpu", enabled=False):
            assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype == lib.float32
        assert str(lib.amp.autocast("cpu").fast_dtype).split(".")[-1] == "bfloat16"

        @lib.autocast("cpu", enabled=False)
        def f(x):
            return x + 1
        assert f(lib.ones(1)).item() == 2.0
    same_error(lambda lib: lib.autocast("tpu"))


def test_cpu_autocast_casting_says_it_is_not_implemented():
    with pytest.raises(NotImplementedError, match="ember does not implement torch.autocast"):
        with ember.autocast("cpu", dtype=ember.bfloat16):
            pass


def test_grad_scaler_without_cuda_is_a_pass_through_as_torch():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = lib.amp.GradScaler()
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
        loss = lib.ones(1)
        assert scaler.scale(loss) is loss
    with pytest.warns(UserWarning):
        assert ember.cuda.amp.GradScaler().get_scale() == 1.0


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_cpu_grad_scaler_follows_torch_with_overflow_skips_and_growth():
    # Positive inputs and weights, and steps too small to flip a weight's sign: every gradient is then a
    # sum of positive terms, so whether it overflows does not depend on the order the two libraries add
    # them in. (With mixed signs a partial sum could overflow in torch's matmul and not in NumPy's, or
    # back: about 2 runs in 100 differed near the float32 limit.)
    w0 = np.random.default_rng().uniform(0.5, 1, (3,)).astype(np.float32)
    x = np.random.default_rng().uniform(0.1, 1, (4, 3)).astype(np.float32)
    runs = {}
    for lib in (ember, torch):
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.SGD([w], lr=1e-5)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 126, growth_interval=2)
        scales, stepped = [], []
        for _ in range(14):
            opt.zero_grad()
            loss = ((lib.tensor(x) @ w) ** 2).sum() * 100
            scaler.scale(loss).backward()
            before = w.detach().clone()
            scaler.step(opt)
            stepped.append(not bool((w.detach() == before).all()))
            scaler.update()
            scales.append(scaler.get_scale())
        runs[lib.__name__] = (scales, stepped, w.detach().numpy().copy(), scaler.state_dict())
    (es, est, ew, esd), (ts, tst, tw, tsd) = runs["ember"], runs["torch"]
    assert es == ts and est == tst and esd == tsd
    assert not all(est) and any(est)      # both some skipped (overflow) and some taken steps
    # 14 float32 SGD steps on a loss scaled by 100: the two libraries round differently (torch fuses
    # multiply-adds), and the weights drift apart by ~1e-5 relative
    np.testing.assert_allclose(ew, tw, rtol=1e-4, atol=1e-5)


def test_grad_scaler_does_not_grow_past_float32():
    scales = {}
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 126, growth_interval=1)
        for _ in range(3):
            opt.zero_grad()
            scaler.scale((w * 1e-6).sum()).backward()
            scaler.step(opt)
            scaler.update()
        scales[lib.__name__] = scaler.get_scale()
    assert scales["ember"] == scales["torch"] == 2.0 ** 127     # 2**128 overflows float32: not taken


# ---------------------------------------------------------------------- compile, threads, determinism
def test_compile_returns_the_function_unchanged_and_tells_once():
    import ember.compat as compat
    compat._eager_noticed.clear()

    def f(x):
        return x * 2
    with pytest.warns(UserWarning, match="eagerly"):
        assert ember.compile(f) is f
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.compile(f, mode="max-autotune") is f
        assert ember.compile(fullgraph=True)(f) is f
        m = ember.nn.Module()
        assert ember.compile(m) is m


def test_matmul_precision_and_determinism_flags():
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    ember.set_float32_matmul_precision("high")
    assert ember.get_float32_matmul_precision() == "high"
    ember.set_float32_matmul_precision("highest")
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="no effect"):
            lib.set_float32_matmul_precision("fastest")
        assert lib.get_float32_matmul_precision() == "highest"
    assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(True, warn_only=True)
    assert ember.are_deterministic_algorithms_enabled() and ember.is_deterministic_algorithms_warn_only_enabled()
    ember.use_deterministic_algorithms(False)
    assert ember.get_num_threads() >= 1
    assert ember.version.cuda is None and ember.version.cuda == torch.version.cuda


# ---------------------------------------------------------------------- distributed, parallel
def test_distributed_before_initialisation():
    assert ember.distributed.is_initialized() == torch.distributed.is_initialized()
    same_error(lambda lib: lib.distributed.get_rank())
    same_error(lambda lib: lib.distributed.get_world_size())
    assert ember.distributed.ReduceOp.SUM.name == "SUM"
    assert ember.distributed.is_available() is False
    with pytest.raises(NotImplementedError, match="torch.distributed.init_process_group"):
        ember.distributed.init_process_group("gloo")


def test_data_parallel_passes_through_and_ddp_is_named():
    from ember.nn.parallel import DataParallel, DistributedDataParallel
    inner = ember.nn.Module()
    inner.forward = lambda x: x * 3
    dp = DataParallel(inner)
    assert dp.module is inner and dp(ember.ones(2)).tolist() == [3.0, 3.0]
    assert list(torch.nn.DataParallel(torch.nn.Identity()).device_ids) == dp.device_ids == []
    with pytest.raises(NotImplementedError, match="DistributedDataParallel"):
        DistributedDataParallel(inner)


# ---------------------------------------------------------------------- legacy constructors, formatting
@pytest.mark.parametrize("expr", ["LongTensor(3)", "LongTensor(2, 3)", "FloatTensor([1.5, 2])", "LongTensor([1, 2])",
                                  "DoubleTensor([[1, 2]])", "ByteTensor([1, 255])", "BoolTensor([0, 1])",
                                  "IntTensor(0)", "HalfTensor([1])", "Tensor([1, 2, 3])", "Tensor(2, 2)",
                                  "Tensor()", "ShortTensor(lib.Size([2, 2]))", "CharTensor([-3])"])
def test_legacy_constructors(expr):
    e, t = eval(f"ember.{expr}", {"ember": ember, "lib": ember}), eval(f"torch.{expr}", {"torch": torch, "lib": torch})
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype)[6:] == str(t.dtype)[6:]
    if "[" in expr and "Size" not in expr:
        assert e.tolist() == t.tolist()


def test_legacy_types_check_dtypes():
    for lib in (ember, torch):
        assert isinstance(lib.ones(2), lib.FloatTensor) and not isinstance(lib.ones(2), lib.LongTensor)
        assert isinstance(lib.arange(3), lib.LongTensor)
    same_error(lambda lib: lib.LongTensor(lib.ones(2)))


@pytest.mark.parametrize("spec", ["", ".3f", "8.2e", ">10", ".1%", "+"])
@pytest.mark.parametrize("value,dtype", [(3.14159, "float32"), (-2.5, "float64"), (7, "int64"), (True, "bool")])
def test_format_specs_on_scalars(spec, value, dtype):
    def fmt(lib):
        return format(lib.tensor(value, dtype=getattr(lib, dtype)), spec)
    try:
        expected = fmt(torch)
    except (TypeError, ValueError):
        same_error(fmt)
        return
    assert fmt(ember) == expected


def test_format_of_parameters_and_views():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(2.5))
        assert f"{p}" == str(p)          # torch formats only plain 0-d tensors as numbers
        assert f"{lib.arange(3.0)[1]}" == "1.0"
    same_error(lambda lib: f"{lib.nn.Parameter(lib.tensor(2.5)):.2f}")


def test_format_of_non_scalars():
    for lib in (ember, torch):
        t = lib.ones(2)
        assert f"{t}" == str(t)
    same_error(lambda lib: f"{lib.ones(2):.2f}")


# ---------------------------------------------------------------------- signatures
_NAMESPACES = ["", ".nn", ".nn.functional", ".nn.init", ".optim", ".optim.lr_scheduler", ".autograd", ".linalg",
               ".amp", ".cuda", ".distributed", ".serialization", ".backends.cuda", ".backends.cudnn",
               ".accelerator", ".utils.data", ".func", ".jit", ".multiprocessing", ".utils.checkpoint",
               ".optim.swa_utils", ".testing"]


@pytest.mark.parametrize("namespace", _NAMESPACES)
def test_inspect_signature_works_on_every_public_callable(namespace):
    import importlib
    try:
        module = importlib.import_module("ember" + namespace)
    except ImportError as e:
        pytest.fail(f"ember{namespace} does not import: {e}")
    torch_module = importlib.import_module("torch" + namespace)
    failures = []
    for name in dir(module):
        obj = getattr(module, name)
        if name.startswith("_") or not callable(obj) or isinstance(obj, types.ModuleType):
            continue
        try:
            inspect.signature(obj)
        except (TypeError, ValueError) as e:
            twin = getattr(torch_module, name, None)
            try:
                inspect.signature(twin)
            except (TypeError, ValueError):
                continue      # torch's own has no signature either (builtin exception classes)
            failures.append(f"ember{namespace}.{name}: {e}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_optimizer_signatures_match_torch(name):
    """Scripts probe these, e.g. ``'fused' in inspect.signature(torch.optim.AdamW).parameters``."""
    assert list(inspect.signature(getattr(ember.optim, name)).parameters) == \
        list(inspect.signature(getattr(torch.optim, name)).parameters)


# ---------------------------------------------------------------------- tensorboard
def test_summary_writer_writes_what_torch_writes(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from ember.utils.tensorboard import SummaryWriter
    values = np.random.default_rng().uniform(-3, 3, 5)
    for writer_cls, folder in [(SummaryWriter, "ember"), (TorchWriter, "torch")]:
        with writer_cls(str(tmp_path / folder)) as w:
            for step, v in enumerate(values):
                w.add_scalar("loss/train", float(v), step)
                w.add_scalar("lr", ember.tensor(0.1 * step) if folder == "ember" else torch.tensor(0.1 * step),
                             step)
            w.add_scalars("pair", {"a": 1.0, "b": 2.0}, 0)
            w.add_text("note", "hello", 0)
    runs = {}
    for folder in ["ember", "torch"]:
        acc = EventAccumulator(str(tmp_path / folder))
        acc.Reload()
        runs[folder] = {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
        runs[folder]["text"] = [t.tensor_proto.string_val for t in acc.Tensors("note/text_summary")]
    assert runs["ember"] == runs["torch"]
    assert sorted(p.name for p in (tmp_path / "ember").iterdir() if p.is_dir()) == \
        sorted(p.name for p in (tmp_path / "torch").iterdir() if p.is_dir()) == ["pair_a", "pair_b"]
    with pytest.raises(NotImplementedError, match="add_image"):
        SummaryWriter(str(tmp_path / "x")).add_image("img", None)
