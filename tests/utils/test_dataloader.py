"""DataLoader against torch.utils.data.DataLoader: the same batches (structure, dtypes,
shapes, values) for every deterministic configuration, the same lengths, warnings and
exception classes; worker processes keep order, get their own seeds and report errors.

Random orders are not compared with torch's (ember's generator is not torch's)."""
import collections
import os
import random
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from batches import LIBS, same_error, structure

Pair = collections.namedtuple("Pair", ["x", "y"])
XS = np.random.default_rng().standard_normal((10, 3)).astype("float32")


class Records:
    """A map-style dataset of mixed samples: dict with a tensor, an int, a float and a string."""

    def __init__(self, lib, n=10):
        self.lib, self.n = lib, n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": self.lib.from_numpy(XS[i]), "label": i % 3, "w": i / 4, "name": f"r{i}"}

    def __len__(self):
        return self.n


def stream_class(module):
    class Stream(module.IterableDataset):
        """0 .. n-1 as Pair samples, split between workers by get_worker_info."""

        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = module.get_worker_info()
            ids = range(self.n) if info is None else range(info.id, self.n, info.num_workers)
            return (Pair(i, float(i)) for i in ids)

        def __len__(self):
            return self.n
    return Stream


EStream, TStream = stream_class(edata), stream_class(tdata)


def batches(loader):
    return [structure(b) for b in loader]


CONFIGS = {
    "default": {},
    "batch_4": dict(batch_size=4),
    "batch_4_drop_last": dict(batch_size=4, drop_last=True),
    "batch_none": dict(batch_size=None),
    "batch_larger_than_data": dict(batch_size=32),
    "sampler": dict(batch_size=3, sampler=[9, 0, 4, 4, 2]),
    "batch_sampler": dict(batch_sampler=[[1, 2], [7], [0, 9, 3]]),
    "collate_fn": dict(batch_size=3, collate_fn=lambda b: [s["name"] for s in b]),
}


@pytest.mark.parametrize("config", CONFIGS)
def test_map_style_batches_match_torch(config):
    kw = CONFIGS[config]
    e = edata.DataLoader(Records(ember), **kw)
    t = tdata.DataLoader(Records(torch), **kw)
    assert len(e) == len(t)
    assert batches(e) == batches(t)


@pytest.mark.parametrize("kw", [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                dict(batch_size=None)], ids=str)
def test_iterable_dataset_batches_match_torch(kw):
    e, t = edata.DataLoader(EStream(7), **kw), tdata.DataLoader(TStream(7), **kw)
    assert len(e) == len(t)
    assert batches(e) == batches(t)


def test_tensor_dataset_batches_match_torch():
    ys = np.arange(10)
    e = edata.DataLoader(edata.TensorDataset(ember.from_numpy(XS), ember.from_numpy(ys)), batch_size=4)
    t = tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(XS), torch.from_numpy(ys)), batch_size=4)
    assert batches(e) == batches(t)


def test_shuffle_is_a_permutation_and_seeded_by_the_generator():
    def order(seed):
        loader = edata.DataLoader(range(20), batch_size=6, shuffle=True,
                                  generator=ember.Generator().manual_seed(seed))
        return [b.tolist() for b in loader]
    a = order(7)
    assert [len(b) for b in a] == [6, 6, 6, 2]
    assert sorted(sum(a, [])) == list(range(20))
    assert order(7) == a and order(8) != a
    loader = edata.DataLoader(range(20), shuffle=True)
    assert isinstance(loader.sampler, edata.RandomSampler)
    assert [b.tolist() for b in loader] != [b.tolist() for b in loader]      # a new order every epoch


@pytest.mark.parametrize("build", [
    lambda m: m.DataLoader(range(3), num_workers=-1),
    lambda m: m.DataLoader(range(3), timeout=-1),
    lambda m: m.DataLoader(range(3), prefetch_factor=2),
    lambda m: m.DataLoader(range(3), num_workers=1, prefetch_factor=-1),
    lambda m: m.DataLoader(range(3), persistent_workers=True),
    lambda m: m.DataLoader(range(3), sampler=[0], shuffle=True),
    lambda m: m.DataLoader(range(3), batch_sampler=[[0]], batch_size=2),
    lambda m: m.DataLoader(range(3), batch_sampler=[[0]], drop_last=True),
    lambda m: m.DataLoader(range(3), batch_size=None, drop_last=True),
    lambda m: m.DataLoader(stream_class(m)(3), shuffle=True),
    lambda m: m.DataLoader(stream_class(m)(3), sampler=[0]),
    lambda m: m.DataLoader(stream_class(m)(3), batch_sampler=[[0]]),
    lambda m: m.DataLoader(range(3), multiprocessing_context="fork"),
    lambda m: m.DataLoader(range(3), num_workers=1, multiprocessing_context="nope"),
    lambda m: m.DataLoader(range(3), num_workers=1, multiprocessing_context=3),
    lambda m: setattr(m.DataLoader(range(3)), "batch_size", 2),
    lambda m: list(m.DataLoader([{"a": 1}, {"b": 2}], batch_size=2)),
    lambda m: list(m.DataLoader([object()], batch_size=1)),
    lambda m: list(m.DataLoader(Records(ember if m is edata else torch, 3), batch_size=2, sampler=[0, 7])),
])
def test_errors_match_torch(build):
    same_error(lambda lib, m: build(m))


def test_pin_memory_accepted_with_torchs_warning():
    for _, m in LIBS:
        with pytest.warns(UserWarning, match="no accelerator is found"):
            out = [b.tolist() for b in m.DataLoader(range(4), batch_size=2, pin_memory=True)]
        assert out == [[0, 1], [2, 3]]


def test_too_many_workers_warns_as_torch():
    for _, m in LIBS:
        with pytest.warns(UserWarning, match="worker processes in total"):
            m.DataLoader(range(3), num_workers=len(os.sched_getaffinity(0)) + 1)


def test_iterable_len_overrun_warns_as_torch():
    for _, m in LIBS:
        class Liar(m.IterableDataset):
            def __iter__(self):
                return iter(range(5))

            def __len__(self):
                return 2
        loader = m.DataLoader(Liar())
        assert len(loader) == 2
        with pytest.warns(UserWarning, match="was reported to be 2"):
            list(loader)


def test_module_paths_match_torch():
    import ember.utils.data.dataloader as edl
    import ember.utils.data.dataset as eds
    import ember.utils.data.sampler as esm
    for name in ("DataLoader", "default_collate", "default_convert", "get_worker_info"):
        assert hasattr(tdata.dataloader, name) and getattr(edl, name) is getattr(edata, name)
    import ember.utils.data.distributed as edist
    assert eds.TensorDataset is edata.TensorDataset and esm.BatchSampler is edata.BatchSampler
    assert edist.DistributedSampler is edata.DistributedSampler
    assert set(edata.__all__) <= set(tdata.__all__)
    assert ember.utils.data is edata
    assert edata.get_worker_info() is None          # in the main process


# ------------------------------------------------------------------ worker processes
class Probe(edata.Dataset):
    """Each item reports which worker made it and what that worker's random streams give."""

    def __init__(self, n=12):
        self.n = n

    def __getitem__(self, i):
        info = edata.get_worker_info()
        return {"i": i, "worker": info.id, "num_workers": info.num_workers, "seed": info.seed, "pid": os.getpid(),
                "py": random.random(), "np": float(np.random.random()), "ember": ember.rand(1).item(),
                "init": getattr(info.dataset, "init_by", -1)}

    def __len__(self):
        return self.n


def mark_init(worker_id):
    edata.get_worker_info().dataset.init_by = worker_id


def samples(loader):
    """Flatten batches (dicts of collated columns) into one dict per sample."""
    out = []
    for b in loader:
        cols = {k: (v.tolist() if isinstance(v, ember.Tensor) else v) for k, v in b.items()}
        out += [dict(zip(cols, row)) for row in zip(*cols.values())]
    return out


THREE_WORKERS = pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes")


@THREE_WORKERS
@pytest.mark.parametrize("num_workers, batch_size, prefetch", [(2, 3, 2), (3, 1, 1), (2, 5, 4)])
def test_workers_keep_order_and_each_has_its_own_seed(num_workers, batch_size, prefetch):
    loader = edata.DataLoader(Probe(), batch_size=batch_size, num_workers=num_workers, prefetch_factor=prefetch,
                              worker_init_fn=mark_init, generator=ember.Generator().manual_seed(11), timeout=20)
    got = samples(loader)
    assert [s["i"] for s in got] == list(range(12))                           # sampler order
    assert [s["worker"] for s in got] == [(i // batch_size) % num_workers for i in range(12)]  # round-robin
    assert {s["num_workers"] for s in got} == {num_workers}
    assert all(s["init"] == s["worker"] for s in got)                         # worker_init_fn ran in each
    seeds = {s["worker"]: s["seed"] for s in got}
    base = seeds[0]
    assert seeds == {w: base + w for w in range(num_workers)}                 # base_seed + worker id
    assert len({s["pid"] for s in got}) == num_workers and os.getpid() not in {s["pid"] for s in got}
    for stream in ("py", "np", "ember"):                                       # different numbers per worker
        firsts = [next(s[stream] for s in got if s["worker"] == w) for w in range(num_workers)]
        assert len(set(firsts)) == num_workers
    again = samples(edata.DataLoader(Probe(), batch_size=batch_size, num_workers=num_workers,
                                     prefetch_factor=prefetch, generator=ember.Generator().manual_seed(11)))
    assert [(s["seed"], s["py"], s["np"], s["ember"]) for s in again] == \
        [(s["seed"], s["py"], s["np"], s["ember"]) for s in got]              # same generator, same streams


def test_workers_give_the_same_batches_as_the_main_process():
    kw = dict(batch_size=4, collate_fn=None)
    single = batches(edata.DataLoader(Records(ember), **kw))
    assert batches(edata.DataLoader(Records(ember), num_workers=2, timeout=20, **kw)) == single
    assert single == batches(tdata.DataLoader(Records(torch), **kw))


def test_workers_with_a_shuffled_sampler_follow_it():
    g = ember.Generator().manual_seed(4)
    order = [b.tolist() for b in edata.DataLoader(range(15), batch_size=4, shuffle=True, generator=g)]
    g.manual_seed(4)
    loader = edata.DataLoader(range(15), batch_size=4, shuffle=True, generator=g, num_workers=2, timeout=20)
    assert [b.tolist() for b in loader] == order


@THREE_WORKERS
def test_iterable_dataset_sharded_by_worker_info():
    e = edata.DataLoader(EStream(9), batch_size=2, num_workers=2, timeout=20)
    got = [structure(b) for b in e]
    seen = sorted(x for b in got for x in b[1][0][3])       # Pair.x columns
    assert seen == list(range(9))
    single = edata.DataLoader(EStream(9), num_workers=3, timeout=20)
    assert sorted(b.x.item() for b in single) == list(range(9))


def test_batch_size_none_and_out_of_order_workers():
    assert [x.tolist() for x in edata.DataLoader(np.arange(6), batch_size=None, num_workers=2)] == list(range(6))
    got = [b.tolist() for b in edata.DataLoader(range(8), batch_size=2, num_workers=2, in_order=False)]
    assert sorted(sum(got, [])) == list(range(8))


def test_persistent_workers_survive_epochs():
    loader = edata.DataLoader(Probe(6), batch_size=2, num_workers=2, persistent_workers=True, timeout=20)
    first, second = samples(loader), samples(loader)
    assert [s["i"] for s in first] == [s["i"] for s in second] == list(range(6))
    assert {s["pid"] for s in first} == {s["pid"] for s in second}            # the same processes
    assert [s["py"] for s in first] != [s["py"] for s in second]              # streams go on
    it = iter(loader)
    next(it)
    assert [s["i"] for s in samples(loader)] == list(range(6))                # a new epoch resets a partial one
    loader._iterator._shutdown_workers()


def test_spawn_context_pickles_the_dataset():
    ys = np.arange(6)
    ds = edata.TensorDataset(ember.from_numpy(XS[:6]), ember.from_numpy(ys))
    loader = edata.DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn", timeout=20)
    got = [structure(b) for b in loader]
    assert got == [structure(b) for b in edata.DataLoader(ds, batch_size=4)]


def test_spawn_with_an_unpicklable_collate_fn_says_why():
    loader = edata.DataLoader(range(4), num_workers=1, collate_fn=lambda b: b, multiprocessing_context="spawn")
    with pytest.raises(Exception) as info:
        iter(loader)
    assert "module level" in "".join(getattr(info.value, "__notes__", []))


# ------------------------------------------------------------------ bad input in workers
class Faulty(edata.Dataset):
    def __init__(self, bad_index, how):
        self.bad_index, self.how = bad_index, how

    def __getitem__(self, i):
        if i == self.bad_index:
            if self.how == "raise":
                raise ValueError(f"cannot decode sample {i}")
            if self.how == "key":
                return {}["missing"]
            if self.how == "exit":
                os._exit(3)
            if self.how == "hang":
                import time
                time.sleep(60)
            if self.how == "shape":
                return ember.zeros(5)
            if self.how == "unpicklable":
                return lambda: i
        return ember.zeros(4) if self.how == "shape" else i

    def __len__(self):
        return 8


@pytest.mark.parametrize("num_workers", [0, 2])
def test_a_raising_dataset_reraises_with_worker_and_traceback(num_workers):
    loader = edata.DataLoader(Faulty(5, "raise"), batch_size=2, num_workers=num_workers, timeout=20)
    it = iter(loader)
    assert next(it).tolist() == [0, 1] and next(it).tolist() == [2, 3]
    with pytest.raises(ValueError, match="cannot decode sample 5") as info:
        next(it)
    if num_workers:
        msg = str(info.value)
        assert "Caught ValueError in DataLoader worker process 0." in msg      # batch 2 -> worker 0
        assert "Original Traceback" in msg and "in __getitem__" in msg and "test_dataloader.py" in msg


def test_torch_reraises_worker_errors_the_same_way():
    class TorchFaulty(tdata.Dataset):
        def __getitem__(self, i):
            raise ValueError("x")

        def __len__(self):
            return 2
    it = iter(tdata.DataLoader(TorchFaulty(), num_workers=1, timeout=20))
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        next(it)
    it._shutdown_workers()      # now, not whenever the garbage collector finds the traceback cycle


def test_key_error_from_a_worker_stays_readable():
    with pytest.raises(KeyError) as info:
        list(edata.DataLoader(Faulty(1, "key"), num_workers=1, timeout=20))
    assert "\n" in str(info.value) and "worker process 0" in str(info.value)


def test_an_error_in_worker_init_fn_is_reported():
    def broken_init(worker_id):
        raise RuntimeError(f"no GPU for worker {worker_id}")
    with pytest.raises(RuntimeError, match="no GPU for worker 0"):
        list(edata.DataLoader(range(4), num_workers=1, worker_init_fn=broken_init, timeout=20))


def test_a_worker_that_dies_is_named():
    loader = edata.DataLoader(Faulty(3, "exit"), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(worker 1 pid \d+ exit code 3\) exited unexpectedly"):
        list(loader)


def test_a_hanging_worker_times_out():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(edata.DataLoader(Faulty(0, "hang"), num_workers=1, timeout=0.5))


@pytest.mark.parametrize("num_workers", [0, 1])
def test_a_sample_that_cannot_be_collated_names_its_index(num_workers):
    loader = edata.DataLoader(Faulty(6, "shape"), batch_size=4, num_workers=num_workers, timeout=20)
    with pytest.raises(RuntimeError) as info:
        list(loader)
    text = str(info.value) + "".join(getattr(info.value, "__notes__", []))
    assert "item 2 of the batch has shape [5] but item 0 has [4]" in text
    assert "dataset indices [4, 5, 6, 7]" in text


def test_an_unpicklable_batch_is_reported_not_lost():
    with pytest.raises(Exception, match="(?i)pickle"):
        list(edata.DataLoader(Faulty(2, "unpicklable"), batch_size=None, num_workers=1, timeout=20))


def test_iterators_shut_their_workers_down():
    loader = edata.DataLoader(range(6), batch_size=2, num_workers=2)
    it = iter(loader)
    workers = list(it._workers)
    assert [b.tolist() for b in it] == [[0, 1], [2, 3], [4, 5]]
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    it = iter(loader)
    next(it)
    workers = list(it._workers)
    del it                                   # abandoned half-way
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(edata.DataLoader(range(5), batch_size=2, num_workers=1)) == 3
