"""The example scripts run and reach their documented results."""

import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES /
                                                  f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_moons_example(tmp_path):
    accuracy = _load("moons_classifier").main(out=tmp_path)
    assert accuracy > 0.93
    assert (tmp_path / "moons_boundary.png").stat().st_size > 10_000


def test_boston_regressors_follow_harrison_rubinfeld():
    import numpy as np

    from econnn.datasets import load_boston

    X, _ = load_boston(return_X_y=True)
    Z = _load("boston_hedonic").harrison_rubinfeld(X)
    assert list(Z.columns) == ["crim", "zn", "indus", "chas", "nox^2",
                               "rm^2", "age", "log(dis)", "log(rad)", "tax",
                               "ptratio", "black", "log(lstat)"]
    np.testing.assert_allclose(Z["nox^2"], X["nox"] ** 2)
    np.testing.assert_allclose(np.exp(Z["log(lstat)"]), X["lstat"])
