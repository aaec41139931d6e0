"""ember.distributed: the names of torch.distributed, for scripts that check for it.

ember has no process-group backend yet (the plan is MPI), so ``is_available()``
is False and nothing is ever initialised: the queries answer as PyTorch's do
before ``init_process_group``, and the calls that would start or use a group
say that ember does not implement them.
"""
import enum


class ReduceOp(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class Backend(str):
    """A backend name (``Backend("GLOO") == "gloo"``)."""

    def __new__(cls, name):
        return str.__new__(cls, name.lower())

    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"
    UNDEFINED = "undefined"


def is_available():
    return False


def is_initialized():
    return False


def is_torchelastic_launched():
    return False


def _not_initialized(*args, **kwargs):
    raise ValueError("Default process group has not been initialized, please make sure to call "
                     "init_process_group.")


get_rank = get_world_size = get_backend = _not_initialized


def _unimplemented(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f"ember does not implement torch.distributed.{name} yet (ember has no "
                                  "process-group backend; run the script as a single process)")
    fn.__name__ = fn.__qualname__ = name
    return fn


for _name in ("init_process_group", "destroy_process_group", "new_group", "barrier", "all_reduce", "reduce",
              "broadcast", "all_gather", "all_gather_object", "gather", "scatter", "reduce_scatter",
              "all_to_all", "send", "recv", "isend", "irecv", "broadcast_object_list"):
    globals()[_name] = _unimplemented(_name)
del _name
