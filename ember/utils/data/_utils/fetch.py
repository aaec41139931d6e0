"""Fetchers: turn one index (or list of indices) from the sampler into one collated
batch, for map-style and iterable-style datasets. Shared by the main process and the
worker processes."""


def _collate(collate_fn, samples, where):
    """``collate_fn(samples)``; a failure gets a note saying which samples were being collated."""
    try:
        return collate_fn(samples)
    except Exception as e:
        if hasattr(e, "add_note"):      # Python 3.11+
            e.add_note(f"(while collating the batch of {where})")
        raise


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if getattr(self.dataset, "__getitems__", None):
            data = self.dataset.__getitems__(possibly_batched_index)
        else:
            data = [self.dataset[i] for i in possibly_batched_index]
        return _collate(self.collate_fn, data, f"dataset indices {list(possibly_batched_index)}")


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False
        self.count = 0          # samples taken so far, to name them in collate errors

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            self.count += 1
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        first = self.count
        self.count += len(data)
        return _collate(self.collate_fn, data, f"stream samples {first}..{self.count - 1} of this iterator")


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return cls(dataset, auto_collation, collate_fn, drop_last)
