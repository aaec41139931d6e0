"""SummaryWriter: torch.utils.tensorboard.SummaryWriter's scalar and text logging."""
import os
import socket
import time
from datetime import datetime

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
from tensorboard.summary.writer.event_file_writer import EventFileWriter


def _scalar_value(value, what):
    arr = np.asarray(value.detach()._data if hasattr(value, "_data") else value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"{what}: the value should contain one element, got shape {arr.shape}")
    return float(arr)


class _FileWriter:
    """One event file (a folder), as torch's FileWriter."""

    def __init__(self, log_dir, max_queue, flush_secs, filename_suffix):
        self.writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def add_summary(self, summary, step, walltime):
        event = Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if step is not None:
            event.step = int(step)
        self.writer.add_event(event)

    def flush(self):
        self.writer.flush()

    def close(self):
        self.writer.close()


class SummaryWriter:
    """Write scalars and text for TensorBoard into ``log_dir`` (default ``runs/<date>_<host><comment>``)."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.file_writer = _FileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self.all_writers = {self.log_dir: self.file_writer}

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        value = _scalar_value(scalar_value, f"add_scalar({tag!r})")
        if new_style:
            tensor = TensorProto(double_val=[value], dtype="DT_DOUBLE") if double_precision else \
                TensorProto(float_val=[value], dtype="DT_FLOAT")
            meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
            summary = Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=meta)])
        else:
            summary = Summary(value=[Summary.Value(tag=tag, simple_value=value)])
        self.file_writer.add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """One series per key, each in its own folder ``<log_dir>/<main_tag>_<key>``, as PyTorch does."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            folder = self.log_dir + "/" + main_tag.replace("/", "_") + "_" + tag
            writer = self.all_writers.get(folder)
            if writer is None:
                writer = self.all_writers[folder] = _FileWriter(folder, self.max_queue, self.flush_secs,
                                                                self.filename_suffix)
            summary = Summary(value=[Summary.Value(tag=main_tag, simple_value=_scalar_value(value, main_tag))])
            writer.add_summary(summary, global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
        tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")],
                             tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
        summary = Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=tensor)])
        self.file_writer.add_summary(summary, global_step, walltime)

    def flush(self):
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        if name.startswith("add_"):
            raise NotImplementedError(f"ember does not implement torch.utils.tensorboard.SummaryWriter.{name} yet "
                                      "(add_scalar, add_scalars and add_text are implemented)")
        raise AttributeError(f"'SummaryWriter' object has no attribute '{name}'")
