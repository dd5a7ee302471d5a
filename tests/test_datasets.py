import numpy as np

from econnn.datasets import load_boston


def test_load_boston():
    data = load_boston()
    assert data.data.shape == (506, 13)
    assert data.target.name == "medv"
    assert "Harrison" in data.DESCR and "black" in data.DESCR
    assert data.feature_names[-1] == "lstat"
    np.testing.assert_allclose(data.target.mean(), 22.5328, atol=1e-4)
    X, y = load_boston(return_X_y=True, drop_black=True)
    assert "black" not in X.columns and X.shape == (506, 12)
