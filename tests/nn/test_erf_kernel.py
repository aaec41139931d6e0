"""The float32 erf kernel behind GELU, against torch.erf."""
import numpy as np
import torch

from ember.nn._functional._erf import erf32


def test_erf32_matches_torch_within_a_few_ulp():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.standard_normal(200_000) * 2, rng.uniform(-6, 6, 100_000),
                        np.linspace(-2e-3, 2e-3, 4001),
                        [0.0, -0.0, np.inf, -np.inf, 1e-40, -1e-38, 3.999, 4.0, 4.001, -100.0]]).astype(np.float32)
    got = erf32(x)
    want = torch.erf(torch.from_numpy(x)).numpy()
    assert got.dtype == np.float32 and got.shape == x.shape
    ulp = np.spacing(np.abs(want))
    assert np.max(np.abs(got.astype(np.float64) - want) / ulp) <= 3
    assert np.signbit(got[x == 0]).tolist() == np.signbit(x[x == 0]).tolist()


def test_erf32_nan_shapes_and_strides():
    x = np.array([[np.nan, 0.5, -1.0], [2.0, np.nan, -7.0]], np.float32)
    got = erf32(x[:, ::2])
    want = torch.erf(torch.from_numpy(np.ascontiguousarray(x[:, ::2]))).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert erf32(np.zeros((0, 3), np.float32)).shape == (0, 3)
    assert erf32(np.float32(0.5)).shape == ()
