"""ember.save / ember.load against torch.save / torch.load: files cross both ways, unsafe files are refused."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import serialization
from oracle import as_numpy, random_array, to_ember, to_torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


def exact(e, t, what="tensor"):
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor), what
    assert tuple(e.shape) == tuple(t.shape), what
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], what
    assert e.requires_grad == t.requires_grad, what
    np.testing.assert_array_equal(as_numpy(e), as_numpy(t), err_msg=what)


def ember_to_torch(obj, tmp_path, **load_kw):
    path = tmp_path / "from_ember.pt"
    ember.save(obj, path)
    return torch.load(path, **load_kw)


def torch_to_ember(obj, tmp_path, **load_kw):
    path = tmp_path / "from_torch.pt"
    torch.save(obj, path)
    return ember.load(path, **load_kw)


# ---------------------------------------------------------------------- tensors of every dtype
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_both_directions(dtype, tmp_path):
    arrays = {f"s{i}": random_array(s, dtype) for i, s in enumerate(SHAPES)}
    got = ember_to_torch({k: to_ember(a) for k, a in arrays.items()}, tmp_path)
    for k, a in arrays.items():
        exact(to_ember(a), got[k], f"ember->torch {dtype} {k}")
    back = torch_to_ember({k: to_torch(a) for k, a in arrays.items()}, tmp_path)
    for k, a in arrays.items():
        exact(back[k], to_torch(a), f"torch->ember {dtype} {k}")


@pytest.mark.parametrize("dtype", ["float32", "complex128", "bfloat16", "int64"])
def test_non_contiguous_views_keep_strides_and_values(dtype, tmp_path):
    a = random_array((4, 6), dtype)
    e, t = to_ember(a), to_torch(a)
    views = {"T": lambda x: x.t(), "step": lambda x: x[1:, ::2], "col": lambda x: x[:, 3], "expand":
             lambda x: x[:1].expand(3, 6)}
    got = ember_to_torch({k: f(e) for k, f in views.items()}, tmp_path)
    back = torch_to_ember({k: f(t) for k, f in views.items()}, tmp_path)
    for k, f in views.items():
        exact(f(e), got[k], k)
        assert got[k].stride() == f(t).stride(), k
        exact(back[k], f(t), k)
        assert back[k].stride() == f(t).stride(), k


def test_requires_grad_and_parameters_cross(tmp_path):
    w = ember.nn.Parameter(to_ember(random_array((3, 2))))
    frozen = ember.nn.Parameter(to_ember(random_array((2,))), requires_grad=False)
    leaf = to_ember(random_array((2,)), requires_grad=True)
    got = ember_to_torch({"w": w, "frozen": frozen, "leaf": leaf}, tmp_path)
    assert type(got["w"]) is torch.nn.Parameter and got["w"].requires_grad
    assert type(got["frozen"]) is torch.nn.Parameter and not got["frozen"].requires_grad
    assert type(got["leaf"]) is torch.Tensor and got["leaf"].requires_grad
    back = torch_to_ember(got, tmp_path)
    assert type(back["w"]) is ember.nn.Parameter and back["w"].requires_grad
    assert type(back["frozen"]) is ember.nn.Parameter and not back["frozen"].requires_grad
    assert type(back["leaf"]) is ember.Tensor and back["leaf"].requires_grad
    for k in got:
        exact(back[k], got[k], k)


def test_nested_python_values_cross(tmp_path):
    obj = {"list": [1, 2.5, "three", None, True], "tuple": (1, (2, 3)), "bytes": b"\x00\xffab",
           "od": collections.OrderedDict(b=1, a=2), "set": {1, 2}, "complex": 1 + 2j, "big": 2 ** 70,
           "nested": {"deeper": [{"x": -1.5e300}]}}
    assert ember_to_torch(obj, tmp_path) == obj
    assert torch_to_ember(obj, tmp_path) == obj
    assert type(torch_to_ember(obj, tmp_path)["od"]) is collections.OrderedDict


def test_dtype_device_size_values_cross(tmp_path):
    got = ember_to_torch({"dt": ember.bfloat16, "dev": ember.device("cpu"), "size": ember.Size([2, 3])}, tmp_path)
    assert got == {"dt": torch.bfloat16, "dev": torch.device("cpu"), "size": torch.Size([2, 3])}
    back = torch_to_ember({"dt": torch.complex64, "dev": torch.device("cpu"), "size": torch.Size([4])}, tmp_path)
    assert back["dt"] is ember.complex64 and back["dev"] == ember.device("cpu")
    assert type(back["size"]) is ember.Size and back["size"] == (4,)


# ---------------------------------------------------------------------- shared storage
def test_views_share_storage_after_loading_in_torch(tmp_path):
    base = to_ember(random_array((4, 5)))
    got = ember_to_torch({"base": base, "row": base[2], "block": base[1:3, 1:4], "again": base}, tmp_path)
    assert got["again"] is got["base"]
    ptr = got["base"].untyped_storage().data_ptr()
    assert got["row"].untyped_storage().data_ptr() == ptr
    assert got["block"].untyped_storage().data_ptr() == ptr
    assert got["row"].storage_offset() == 10 and got["block"].storage_offset() == 6
    got["base"][2, 0] = 100.0
    assert got["row"][0].item() == 100.0


def test_views_share_memory_after_loading_in_ember(tmp_path):
    base = torch.from_numpy(random_array((4, 5)))
    back = torch_to_ember({"base": base, "row": base[2], "block": base[1:3, 1:4]}, tmp_path)
    assert back["row"].storage_offset() == 10 and back["block"].storage_offset() == 6
    back["base"][2, 1] = 7.0
    assert back["row"][1].item() == 7.0 and back["block"][1, 0].item() == 7.0
    again = torch.load(_resave(back, tmp_path))     # and shared once more when ember saves them again
    assert again["row"].untyped_storage().data_ptr() == again["base"].untyped_storage().data_ptr()


def _resave(obj, tmp_path):
    path = tmp_path / "again.pt"
    ember.save(obj, path)
    return path


def test_views_of_one_buffer_as_different_dtypes_raise_as_torch(tmp_path):
    z = to_ember(random_array((3,), "complex64"))
    real = z.real
    if not np.shares_memory(real._data, z._data):
        pytest.fail("ember's .real should be a view, as torch's is")
    with pytest.raises(RuntimeError, match="different types"):
        ember.save({"z": z, "real": real}, tmp_path / "x.pt")
    tz = to_torch(random_array((3,), "complex64"))
    with pytest.raises(RuntimeError, match="different types"):
        torch.save({"z": tz, "real": tz.real}, tmp_path / "y.pt")


# ---------------------------------------------------------------------- model and optimizer state
def _net_class(lib):
    """The same small model written for ``lib`` (ember or torch): a submodule, parameters, two buffers."""
    class Net(lib.nn.Module):
        def __init__(self, w1, b1, w2, mean):
            super().__init__()
            self.layer = lib.nn.Module()
            self.layer.weight = lib.nn.Parameter(lib.tensor(w1))
            self.layer.bias = lib.nn.Parameter(lib.tensor(b1))
            self.head = lib.nn.Parameter(lib.tensor(w2))
            self.register_buffer("running_mean", lib.tensor(mean))
            self.register_buffer("steps", lib.tensor(3))

        def forward(self, x):
            return ((x @ self.layer.weight.T + self.layer.bias).tanh() - self.running_mean) @ self.head
    return Net


_EmberNet, _TorchNet = _net_class(ember), _net_class(torch)


def _nets():
    arrays = [random_array(s, "float64") for s in [(4, 3), (4,), (4, 2), (4,)]]
    fresh = [random_array(a.shape, "float64") for a in arrays]
    return arrays, fresh


def test_model_state_dict_ember_to_torch(tmp_path):
    arrays, fresh = _nets()
    net = _EmberNet(*arrays)
    sd = ember_to_torch(net.state_dict(), tmp_path)
    assert list(sd) == list(_TorchNet(*fresh).state_dict())
    assert sd._metadata == net.state_dict()._metadata
    tnet = _TorchNet(*fresh)
    tnet.load_state_dict(sd)
    x = random_array((5, 3), "float64")
    np.testing.assert_allclose(tnet(torch.tensor(x)).detach().numpy(), net(ember.tensor(x)).detach()._data,
                               rtol=1e-12)


def test_model_state_dict_torch_to_ember(tmp_path):
    arrays, fresh = _nets()
    tnet = _TorchNet(*arrays)
    net = _EmberNet(*fresh)
    net.load_state_dict(torch_to_ember(tnet.state_dict(), tmp_path))
    x = random_array((5, 3), "float64")
    np.testing.assert_allclose(net(ember.tensor(x)).detach()._data, tnet(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)
    assert net.steps.dtype is ember.int64 and net.steps.item() == 3


def _train(lib, net, opt, x, steps=3):
    for _ in range(steps):
        opt.zero_grad()
        loss = (net(lib.tensor(x)) ** 2).mean()
        loss.backward()
        opt.step()


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
                                     ("Adam", dict(lr=0.01, betas=(0.8, 0.9), amsgrad=True))])
@pytest.mark.parametrize("direction", ["ember_to_torch", "torch_to_ember"])
def test_optimizer_state_dict_continues_training(name, kw, direction, tmp_path):
    arrays, _ = _nets()
    x = random_array((6, 3), "float64")
    net, tnet = _EmberNet(*arrays), _TorchNet(*arrays)
    opt, topt = getattr(ember.optim, name)(net.parameters(), **kw), getattr(torch.optim, name)(tnet.parameters(), **kw)
    _train(ember, net, opt, x)
    _train(torch, tnet, topt, x)
    if direction == "ember_to_torch":   # ember trained 3 steps; torch continues from ember's checkpoint
        ckpt = ember_to_torch({"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 3}, tmp_path)
        tnet2 = _TorchNet(*_nets()[1])
        tnet2.load_state_dict(ckpt["model"])
        topt2 = getattr(torch.optim, name)(tnet2.parameters(), **kw)
        topt2.load_state_dict(ckpt["optim"])
        _train(torch, tnet2, topt2, x, 2)
        _train(torch, tnet, topt, x, 2)
        for (k, a), b in zip(tnet2.state_dict().items(), tnet.state_dict().values()):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, err_msg=k)
    else:
        ckpt = torch_to_ember({"model": tnet.state_dict(), "optim": topt.state_dict(), "epoch": 3}, tmp_path)
        net2 = _EmberNet(*_nets()[1])
        net2.load_state_dict(ckpt["model"])
        opt2 = getattr(ember.optim, name)(net2.parameters(), **kw)
        opt2.load_state_dict(ckpt["optim"])
        _train(ember, net2, opt2, x, 2)
        _train(ember, net, opt, x, 2)
        for (k, a), b in zip(net2.state_dict().items(), net.state_dict().values()):
            np.testing.assert_allclose(a._data, b._data, rtol=1e-9, err_msg=k)
    assert ckpt["epoch"] == 3


# ---------------------------------------------------------------------- the file format itself
def test_archive_layout_is_torchs(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"a": ember.ones(3), "b": ember.zeros(2, dtype=ember.int64)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == ["model/data.pkl", "model/.format_version", "model/.storage_alignment", "model/byteorder",
                         "model/data/0", "model/data/1", "model/version", "model/.data/serialization_id"]
        assert zf.read("model/version") == b"3\n" and zf.read("model/byteorder") == b"little"
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        raw = open(path, "rb").read()
        for info in zf.infolist():
            n, m = int.from_bytes(raw[info.header_offset + 26:][:2], "little"), \
                int.from_bytes(raw[info.header_offset + 28:][:2], "little")
            assert (info.header_offset + 30 + n + m) % 64 == 0, info.filename
    buf = io.BytesIO()
    ember.save([ember.ones(1)], buf)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()[0] == "archive/data.pkl"
    buf.seek(0)
    exact(ember.load(buf)[0], torch.ones(1))


def test_mmap_load_shares_the_file_and_copies_on_write(tmp_path):
    a = random_array((64, 32), "float32")
    path = tmp_path / "m.pt"
    ta = torch.from_numpy(a)
    torch.save({"a": ta, "v": ta[3:5]}, path)
    got = ember.load(path, mmap=True)
    np.testing.assert_array_equal(got["a"]._data, a)
    np.testing.assert_array_equal(got["v"]._data, a[3:5])
    got["a"][3, 0] = 42.0
    assert got["v"][0, 0].item() == 42.0
    np.testing.assert_array_equal(ember.load(path)["a"]._data, a)    # the file itself is unchanged
    with pytest.raises(ValueError, match="mmap"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_saving_into_a_missing_folder_raises_as_torch(tmp_path):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="does not exist"):
            lib.save({"a": lib.ones(1)}, tmp_path / "missing" / "x.pt")


def test_map_location_for_a_checkpoint_saved_on_cuda(tmp_path):
    path = tmp_path / "cuda.pt"
    torch.save({"w": torch.arange(4.0)}, path)
    cuda_path = _rewrite_pickle(path, tmp_path / "c.pt", lambda b: b.replace(b"X\x03\x00\x00\x00cpu",
                                                                             b"X\x06\x00\x00\x00cuda:0"))
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        ember.load(cuda_path)
    for where in ["cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage]:
        np.testing.assert_array_equal(ember.load(cuda_path, map_location=where)["w"]._data, np.arange(4.0))
    with pytest.raises(RuntimeError):
        ember.load(path, map_location="cuda")


def _rewrite_pickle(src, dst, edit, record="data.pkl"):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, edit(data) if info.filename.endswith(record) else data)
    return dst


# ---------------------------------------------------------------------- numpy inside checkpoints
def test_nested_numpy_arrays_load_by_default(tmp_path):
    obj = {"arr": np.arange(6.0).reshape(2, 3), "ints": np.array([1, 2], np.int16), "scalar": np.float32(2.5),
           "fortran": np.asfortranarray(np.ones((2, 3), np.complex64))}
    path = tmp_path / "np.pt"
    torch.save(obj, path)
    got = ember.load(path)
    for k, v in obj.items():
        np.testing.assert_array_equal(got[k], v)
        assert got[k].dtype == v.dtype, k


def test_object_numpy_arrays_are_refused(tmp_path):
    path = tmp_path / "obj.pt"
    torch.save({"arr": np.array([{"a": 1}, None], dtype=object)}, path)
    with pytest.raises(pickle.UnpicklingError, match="numeric"):
        ember.load(path)
    assert ember.load(path, weights_only=False)["arr"][0] == {"a": 1}


# ---------------------------------------------------------------------- malicious and untrusted files
class _RunsShell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class _Evals:
    def __reduce__(self):
        return eval, ("__import__('os').getcwd()",)


def test_checkpoint_calling_os_system_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"weights": torch.ones(2), "payload": _RunsShell(marker)}, path)
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system") as err:
        ember.load(path)
    assert str(path) in str(err.value)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):   # torch refuses it too
        torch.load(path)
    assert not marker.exists()
    assert serialization.get_unsafe_globals_in_checkpoint(path) == ["posix.system"]


@pytest.mark.parametrize("payload,name", [(_Evals(), "builtins.eval"), (collections.defaultdict(list),
                                                                       "collections.defaultdict")])
def test_other_globals_are_refused_by_name(payload, name, tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"x": payload}, path)
    with pytest.raises(pickle.UnpicklingError, match=name.replace(".", r"\.")):
        ember.load(path)


@pytest.mark.parametrize("protocol", [0, 1])
def test_inst_and_obj_opcodes_are_refused(protocol, tmp_path):
    data = pickle.dumps(_RunsShell(tmp_path / "pwned"), protocol=protocol)
    path = _archive_with(tmp_path, data)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)
    assert not (tmp_path / "pwned").exists()


def _archive_with(tmp_path, data_pkl, extra=()):
    path = tmp_path / "crafted.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", data_pkl)
        for name, data in extra:
            zf.writestr(f"archive/{name}", data)
    return path


def test_out_of_bounds_strides_are_refused(tmp_path):
    path = tmp_path / "t.pt"
    torch.save(torch.arange(4.0), path)
    bad = _rewrite_pickle(path, tmp_path / "bad.pt", lambda b: b.replace(b"K\x04\x85", b"K\x40\x85", 1))
    with pytest.raises(RuntimeError, match="needs 64 elements but its storage holds 4"):
        ember.load(bad)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)


def test_safe_globals_allow_a_trusted_class(tmp_path):
    path = tmp_path / "point.pt"
    torch.save({"p": Point(1, ember_free := 2.5)}, path)
    with pytest.raises(pickle.UnpicklingError, match="test_serialization.Point"):
        ember.load(path)
    with serialization.safe_globals([Point]):
        assert Point in serialization.get_safe_globals()
        assert ember.load(path)["p"] == Point(1, ember_free)
    assert Point not in serialization.get_safe_globals()
    serialization.add_safe_globals([Point])
    try:
        assert ember.load(path)["p"] == Point(1, ember_free)
    finally:
        serialization.clear_safe_globals()
    assert ember.load(path, weights_only=False)["p"] == Point(1, ember_free)


def test_weights_only_false_loads_whole_objects_with_torch_names_mapped(tmp_path):
    path = tmp_path / "full.pt"
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    torch.save({"model": model, "t": torch.ones(2)}, path)
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.container.Sequential"):
        ember.load(path)
    got = ember.load(path, weights_only=False)
    assert isinstance(got["model"], ember.nn.Sequential) and isinstance(got["model"][0], ember.nn.Linear)
    x = random_array((5, 3))
    np.testing.assert_allclose(got["model"](to_ember(x)).detach()._data, model(to_torch(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    exact(got["t"], torch.ones(2))
    with pytest.raises(RuntimeError, match="pickle_module"):
        ember.load(path, pickle_module=pickle, weights_only=True)


# ---------------------------------------------------------------------- broken files
@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.pt"
    torch.save({"w": torch.arange(100.0)}, path)
    return path


def test_truncated_checkpoint(good, tmp_path):
    raw = good.read_bytes()
    for cut in [len(raw) // 2, len(raw) - 10]:
        bad = tmp_path / "cut.pt"
        bad.write_bytes(raw[:cut])
        with pytest.raises(RuntimeError, match="cut.pt.*(corrupt|truncated)"):
            ember.load(bad)


def test_flipped_byte_in_a_storage_is_caught(good, tmp_path):
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("good/data/0")
    start = info.header_offset + 30 + int.from_bytes(raw[info.header_offset + 26:][:2], "little") + \
        int.from_bytes(raw[info.header_offset + 28:][:2], "little")
    raw[start + 17] ^= 0xFF
    bad = tmp_path / "flipped.pt"
    bad.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="flipped.pt.*CRC"):
        ember.load(bad)


def test_empty_and_foreign_files(tmp_path):
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(EOFError, match="empty.pt"):
        ember.load(empty)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"hello world" * 10)
    with pytest.raises(RuntimeError, match="junk.pt.*no checkpoint"):
        ember.load(junk)
    other_zip = _archive_with(tmp_path, b"", ())
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("notes/readme.txt", "hi")
    with pytest.raises(RuntimeError, match="data.pkl"):
        ember.load(other_zip)


def test_legacy_pre_1_6_format_loads(tmp_path):
    base = torch.from_numpy(random_array((4, 3), "float64"))
    obj = {"base": base, "row": base[1], "ints": torch.arange(5), "half": torch.ones(3, dtype=torch.bfloat16),
           "p": torch.nn.Parameter(torch.ones(2)), "meta": [1, "two"]}
    path = tmp_path / "legacy.pt"
    torch.save(obj, path, _use_new_zipfile_serialization=False)
    got = ember.load(path)
    for k in ["base", "row", "ints", "half", "p"]:
        exact(got[k], obj[k], k)
    assert type(got["p"]) is ember.nn.Parameter and got["meta"] == [1, "two"]
    got["base"][1, 0] = 5.0
    assert got["row"][0].item() == 5.0          # views still share their storage
    with pytest.raises(RuntimeError, match="mmap"):
        ember.load(path, mmap=True)
    cut = tmp_path / "legacy_cut.pt"
    cut.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(RuntimeError, match="legacy_cut.pt.*truncated"):
        ember.load(cut)
    evil = tmp_path / "legacy_evil.pt"
    torch.save({"x": _RunsShell(tmp_path / "pwned")}, evil, _use_new_zipfile_serialization=False)
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system"):
        ember.load(evil)
    assert not (tmp_path / "pwned").exists()


def test_newer_archive_version_is_refused(good, tmp_path):
    newer = _rewrite_pickle(good, tmp_path / "newer.pt", lambda b: b"11\n", record="/version")
    with pytest.raises(RuntimeError, match="newer.pt.*version 11.*newer"):
        ember.load(newer)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torchscript_archive_is_named(tmp_path):
    path = tmp_path / "scripted.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), path)
    with pytest.raises(NotImplementedError, match="TorchScript"):
        ember.load(path)


# ---------------------------------------------------------------------- safetensors
def test_safetensors_round_trip_with_torch(tmp_path):
    from safetensors.torch import load_file as torch_load_file, save_file as torch_save_file
    arrays = {d: random_array((3, 2), d) for d in ["float32", "float16", "bfloat16", "int64", "uint8", "bool"]}
    path = str(tmp_path / "e.safetensors")
    serialization.save_file({k: to_ember(a) for k, a in arrays.items()}, path, metadata={"who": "ember"})
    got = torch_load_file(path)
    for k, a in arrays.items():
        exact(to_ember(a), got[k], k)
    torch_save_file({k: to_torch(a) for k, a in arrays.items()}, str(tmp_path / "t.safetensors"))
    back = serialization.load_file(str(tmp_path / "t.safetensors"))
    for k, a in arrays.items():
        exact(back[k], to_torch(a), k)
    with pytest.raises(TypeError, match="not a Tensor"):
        serialization.save_file({"x": np.ones(2)}, path)


def test_strings_that_look_like_ember_placeholders_stay_intact(tmp_path):
    """ember writes torch's names by renaming its own placeholder GLOBALs; user text with the same bytes
    must survive (the writer notices the extra match and walks the opcodes instead)."""
    tricky = {"s": "x\ncember.dtypes\nfloat32\n", "t": "cember.serialization\n_torch__torch__Size\n",
              "b": b"cember.dtypes\nint64\n", "w": ember.ones(2), "d": ember.int64}
    got = ember_to_torch(tricky, tmp_path)
    assert got["s"] == tricky["s"] and got["t"] == tricky["t"] and got["b"] == tricky["b"]
    assert got["d"] is torch.int64
    exact(ember.ones(2), got["w"])


def test_argparse_namespace_in_a_checkpoint_needs_allowing_as_in_torch(tmp_path):
    import argparse
    path = tmp_path / "args.pt"
    torch.save({"args": argparse.Namespace(lr=0.1, layers=[2, 3]), "w": torch.ones(2)}, path)
    for lib in (ember, torch):
        with pytest.raises(pickle.UnpicklingError, match="argparse.Namespace"):
            lib.load(path)
        with lib.serialization.safe_globals([argparse.Namespace]):
            got = lib.load(path)
        assert got["args"] == argparse.Namespace(lr=0.1, layers=[2, 3])
