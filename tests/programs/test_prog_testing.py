"""torch.testing.assert_close as test code calls it: passes, failures (class and PyTorch's report text),
tolerance defaults per dtype, containers, nan/inf, errors for mixed types, vs torch."""
import pytest
import torch as real_torch

import ember


def _cases(lib):
    T = lib.testing
    t = lib.tensor
    return [
        lambda: T.assert_close(t([1., 2., 3.]), t([1., 2.5, 3.])),
        lambda: T.assert_close(t([1., 2.]), t([1., 2.], dtype=lib.float64)),
        lambda: T.assert_close(t([1., 2.]), t([1., 2., 3.])),
        lambda: T.assert_close(t(1.), 1.),
        lambda: T.assert_close(1.0, 1.0 + 1e-9),
        lambda: T.assert_close(1, 2),
        lambda: T.assert_close([lib.ones(2)], [lib.ones(2)]),
        lambda: T.assert_close({"a": lib.ones(2)}, {"a": lib.zeros(2)}),
        lambda: T.assert_close(t([float("nan")]), t([float("nan")])),
        lambda: T.assert_close(t([float("nan")]), t([float("nan")]), equal_nan=True),
        lambda: T.assert_close(lib.ones(2), lib.ones(2), rtol=1e-3),
        lambda: T.assert_close(t([1, 2]), t([1, 3])),
        lambda: T.assert_close(lib.ones(2), lib.ones(2).double(), check_dtype=False),
        lambda: T.assert_close(lib.ones(2), lib.zeros(2), msg="custom"),
        lambda: T.assert_close(lib.ones(2), [1., 1.]),
        lambda: T.assert_close(lib.ones(2, requires_grad=True), lib.ones(2)),
        lambda: T.assert_close(t([1.0, 2.0]), t([1.0, 2.0 + 2e-6])),
        lambda: T.assert_close(t([True]), t([False])),
        lambda: T.assert_close(1.0, 1.1),
        lambda: T.assert_close(t([[1.0, 2.0], [3.0, 4.0]]), t([[1.0, 2.0], [3.0, 4.1]])),
        lambda: T.assert_close(t([1.0], dtype=lib.float16), t([1.0005], dtype=lib.float16)),
        lambda: T.assert_close(t([1.0], dtype=lib.bfloat16), t([1.01], dtype=lib.bfloat16)),
        lambda: T.assert_close(t([float("inf")]), t([float("inf")])),
        lambda: T.assert_close(t(2.0), t(2.5)),
        lambda: T.assert_close((1, 2.0), (1, 2.0)),
        lambda: T.assert_close([1, 2], [1, 2, 3]),
        lambda: T.assert_close(lib.ones(2), lib.ones(2), rtol=0, atol=0),
        lambda: T.assert_close(lib.arange(6.0).view(2, 3) / 3, lib.arange(6.0).view(2, 3) / 3 + 1e-3, rtol=1e-4, atol=1e-4),
    ]


def _outcome(f, lib):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - class and text are what is compared
        text = str(e).replace("ember.Tensor", "torch.Tensor").replace("ember.", "torch.")
        return type(e), text
    return None, ""


@pytest.mark.parametrize("i", range(len(_cases(real_torch))))
def test_assert_close_matches_torch(i):
    t_cls, t_text = _outcome(_cases(real_torch)[i], real_torch)
    e_cls, e_text = _outcome(_cases(ember)[i], ember)
    assert e_cls is t_cls, f"ember raised {e_cls}, torch {t_cls}: {e_text}"
    assert e_text == t_text
