import pytest

from oracle import check

SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((4, 1), (1, 5))]


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_matches_torch(op, shapes, dtype):
    check(lambda lib, x, y: getattr(lib, op)(x, y), list(shapes), dtype=dtype, second_order=True)


def test_matmul_chain_second_order():
    check(lambda lib, w, b: (w @ b).exp().mean(), [(3, 2), (2,)], dtype="float64", second_order=True)
