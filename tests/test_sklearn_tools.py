"""econnn estimators inside scikit-learn tools and a double/debiased ML."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.inspection import (PartialDependenceDisplay,  # noqa: E402
                                partial_dependence)
from sklearn.model_selection import KFold  # noqa: E402

from econnn import NNClassifier, NNRegressor  # noqa: E402


def test_partial_dependence_display_on_regressor_and_classifier():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(-2, 2, size=(200, 2)), columns=["a", "b"])
    y = X["a"] ** 2 + 0.1 * rng.normal(size=200)
    reg = NNRegressor(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=100,
                      random_state=0).fit(X, y)
    display = PartialDependenceDisplay.from_estimator(reg, X, ["a", "b"],
                                                      grid_resolution=9)
    curve = display.pd_results[0]["average"][0]
    grid = display.pd_results[0]["grid_values"][0]
    # the brute-force average over the sample at each grid point
    manual = [reg.predict(X.assign(a=g)).mean() for g in grid]
    np.testing.assert_allclose(curve, manual, rtol=1e-6)
    assert curve[0] > curve[4] + 1 and curve[-1] > curve[4] + 1  # a U
    clf = NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                       random_state=0).fit(X, y > 1)
    pd_clf = partial_dependence(clf, X, ["a"], grid_resolution=5)
    assert pd_clf["average"].shape == (1, 5)
    PartialDependenceDisplay.from_estimator(clf, X, ["a"], grid_resolution=5)


def _dml_plr(y, d, X, model_y, model_d, n_folds, seed):
    """Cross-fitted partially linear model (Chernozhukov et al. 2018)."""
    res_y, res_d = np.empty_like(y), np.empty_like(d)
    w = np.ones(len(y))
    for train, test in KFold(n_folds, shuffle=True,
                             random_state=seed).split(X):
        my = clone(model_y).fit(X[train], y[train], sample_weight=w[train])
        md = clone(model_d).fit(X[train], d[train], sample_weight=w[train])
        res_y[test] = y[test] - my.predict(X[test])
        res_d[test] = d[test] - md.predict_proba(X[test])[:, 1]
    return np.sum(res_d * res_y) / np.sum(res_d ** 2)


def test_double_ml_with_network_nuisances_recovers_the_effect():
    rng = np.random.default_rng(0)
    n, theta = 1000, 1.0
    X = rng.normal(size=(n, 4))  # numpy, no column names
    propensity = 1 / (1 + np.exp(-(X[:, 0] - 0.5 * X[:, 1])))
    d = (rng.random(n) < propensity).astype(float)
    g = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.5 * X[:, 2]
    y = theta * d + g + 0.5 * rng.normal(size=n)
    model_y = NNRegressor(hidden_layer_sizes=(16,), solver="lbfgs",
                          max_iter=80, alpha=1.0, random_state=0)
    model_d = CalibratedClassifierCV(
        NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=40,
                     alpha=1.0, random_state=0), cv=2)
    estimate = _dml_plr(y, d, X, model_y, model_d, n_folds=2, seed=0)
    assert abs(estimate - theta) < 0.15
    # the naive difference in means is confounded by g
    naive = y[d == 1].mean() - y[d == 0].mean()
    assert abs(naive - theta) > 0.3
    # deterministic per random_state
    again = _dml_plr(y, d, X, model_y, model_d, n_folds=2, seed=0)
    assert estimate == again
