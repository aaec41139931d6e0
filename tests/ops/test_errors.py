"""Error messages of issue 9: a shape mismatch names the op, both shapes and the rule broken; an index
out of range names the dimension, its size and the index. The exception class is torch's."""
import pytest

from oracle import same_error

# name -> (the bad call, words ember's message must contain)
CASES = {
    "matmul": (lambda lib: lib.ones(2, 3) @ lib.ones(4, 5), ["matmul", "(2x3) @ (4x5)", "inner sizes 3 and 4 differ"]),
    "matmul_batch": (lambda lib: lib.ones(2, 3, 4) @ lib.ones(3, 4, 5), ["matmul", "(2x3x4) @ (3x4x5)", "batch"]),
    "mm": (lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 5)), ["mm", "(2x3) @ (4x5)", "inner sizes 3 and 4"]),
    "bmm": (lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 4, 5)), ["bmm", "(2x2x3) @ (2x4x5)", "inner sizes"]),
    "mv": (lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)), ["mv", "(2x3) @ (4)", "inner sizes 3 and 4"]),
    "add": (lambda lib: lib.ones(2, 3) + lib.ones(4), ["add", "(2x3)", "(4)", "must match", "dimension 1"]),
    "mul_fn": (lambda lib: lib.mul(lib.ones(2, 3), lib.ones(2, 4).double()), ["mul", "(2x3)", "(2x4)"]),
    "atan2": (lambda lib: lib.atan2(lib.ones(3), lib.ones(2)), ["atan2", "(3)", "(2)", "must match"]),
    "where": (lambda lib: lib.where(lib.ones(2, dtype=lib.bool), lib.ones(3), 0.0), ["where", "(2)", "(3)"]),
    "eq": (lambda lib: lib.eq(lib.ones(2, 3), lib.ones(4)), ["eq", "(2x3)", "(4)"]),
    "cat": (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3, 2)]), ["cat", "(2x3)", "(3x2)", "except in dim 0"]),
    "view": (lambda lib: lib.ones(2, 3).view(4), ["view", "[4]", "6"]),
    "expand": (lambda lib: lib.ones(2, 3).expand(3, 3), ["expand", "(2x3)", "(3x3)", "must match"]),
    "narrow": (lambda lib: lib.ones(2, 3).narrow(1, 2, 3), ["narrow", "dimension 1", "(2x3)"]),
    "getitem": (lambda lib: lib.ones(2, 3)[:, 7], ["index 7", "dimension 1", "size 3"]),
    "getitem_tensor": (lambda lib: lib.ones(2, 3)[lib.tensor([0, 5])], ["index 5", "dimension 0", "size 2"]),
    "setitem": (lambda lib: lib.ones(3).__setitem__(4, 1.0), ["index 4", "dimension 0", "size 3"]),
    "gather": (lambda lib: lib.ones(2, 3).gather(1, lib.tensor([[5]])), ["gather", "index 5", "dimension 1", "size 3"]),
    "scatter": (lambda lib: lib.ones(2, 3).scatter(1, lib.tensor([[5]]), 1.0), ["scatter", "index 5", "dimension 1"]),
    "index_select": (lambda lib: lib.ones(4).index_select(0, lib.tensor([6])), ["index_select", "index 6",
                                                                                "dimension 0", "size 4"]),
    "index_copy": (lambda lib: lib.ones(4).index_copy(0, lib.tensor([6]), lib.ones(1)), ["index 6", "size 4"]),
    "select": (lambda lib: lib.ones(2, 3).select(1, 5), ["select", "5", "dimension 1"]),
    "take": (lambda lib: lib.ones(3).take(lib.tensor([7])), ["take", "7", "3"]),
    "sum_dim": (lambda lib: lib.ones(2, 3).sum(2), ["sum", "range", "2"]),
    "float_index": (lambda lib: lib.ones(3)[lib.tensor([0.0])], ["indices"]),
    "bool_sub": (lambda lib: lib.tensor([True]) - lib.tensor([True]), ["bool"]),
    "flip_without_dims": (lambda lib: lib.ones(3).flip(), ["flip", "dims"]),
    "view_without_shape": (lambda lib: lib.ones(1).view(), ["view", "missing"]),
    "reshape_without_shape": (lambda lib: lib.ones(1).reshape(), ["reshape", "missing"]),
    "permute_without_dims": (lambda lib: lib.tensor(1.0).permute(), ["permute", "missing"]),
    "repeat_without_sizes": (lambda lib: lib.tensor(1.0).repeat(), ["repeat", "missing"]),
    "zeros_without_size": (lambda lib: lib.zeros(), ["zeros", "size"]),
    "new_ones_without_size": (lambda lib: lib.ones(2).new_ones(), ["new_ones", "size"]),
    "sum_to_size_without_size": (lambda lib: lib.ones(2).sum_to_size(), ["sum_to_size", "size"]),
    "inplace_into_expand": (lambda lib: lib.ones(1, 3).expand(2, 3).add_(1), ["add_", "single memory location"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_class_and_message(name):
    fn, words = CASES[name]
    e_err, _ = same_error(fn)
    missing = [w for w in words if w not in str(e_err)]
    assert not missing, f"ember's message lacks {missing}: {e_err}"
