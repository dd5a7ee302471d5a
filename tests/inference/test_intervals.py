"""Conformal prediction intervals: split conformal, CV+ and CQR."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import LeaveOneOut, train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from econnn import NNRegressor
from econnn.inference._intervals import (_conformal_quantile, _rank,
                                         fit_intervals)

SMALL = dict(hidden_layer_sizes=(16,), max_iter=60, n_ensemble=1,
             solver="lbfgs")


def _hetero(n, seed):
    """y = x0 + sin(2 x1) + noise whose scale grows with |x2|."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    scale = 0.2 + 0.8 * np.abs(X[:, 2])
    y = X[:, 0] + np.sin(2 * X[:, 1]) + scale * rng.normal(size=n)
    return X, y, scale


def _inside(bounds, y):
    bounds = np.asarray(bounds)
    return (bounds[:, 0] <= y) & (y <= bounds[:, 1])


def test_conformal_quantile_rank():
    scores = np.arange(1.0, 20.0)  # n = 19: ceil(0.9 * 20) = 18th value
    assert _rank(19, 0.9) == 18
    assert _conformal_quantile(scores, 0.9) == 18.0
    assert _conformal_quantile(scores, 0.5) == 10.0
    # ceil(0.95 * 20) = 19 = n: the largest score; above n: unbounded
    assert _conformal_quantile(scores, 0.95) == 19.0
    assert _conformal_quantile(scores, 0.96) == np.inf


def test_split_conformal_matches_hand_calculation():
    X, y, _ = _hetero(60, 0)
    fitted = fit_intervals(LinearRegression(), X, y, methods=["split"],
                           fraction=0.25, random_state=0)["split"]
    # the same split by hand: 45 rows to fit, 15 to calibrate
    seed = np.random.RandomState(0).randint(2 ** 31 - 1)
    train, cal = train_test_split(np.arange(60), test_size=15,
                                  random_state=seed)
    ols = LinearRegression().fit(X[train], y[train])
    scores = np.sort(np.abs(y[cal] - ols.predict(X[cal])))
    np.testing.assert_allclose(np.sort(fitted.scores), scores)
    q = scores[int(np.ceil(0.8 * 16)) - 1]  # the 13th of 15
    bounds = fitted.predict_interval(X[:5], 0.8)
    np.testing.assert_allclose(bounds[:, 0], ols.predict(X[:5]) - q)
    np.testing.assert_allclose(bounds[:, 1], ols.predict(X[:5]) + q)


def test_cv_plus_with_n_folds_is_the_jackknife_plus():
    """CV+ with K = n equals jackknife+ computed by hand (Barber et al.)."""
    X, y, _ = _hetero(25, 1)
    n, alpha = len(y), 0.2
    fitted = fit_intervals(LinearRegression(), X, y, methods=["cv+"],
                           cv=n, random_state=0)["cv+"]
    X_new = np.random.default_rng(2).normal(size=(4, 3))
    loo = [LinearRegression().fit(X[tr], y[tr])
           for tr, _ in LeaveOneOut().split(X)]
    resid = np.array([abs(y[i] - m.predict(X[i:i + 1])[0])
                      for i, m in enumerate(loo)])
    mu = np.column_stack([m.predict(X_new) for m in loo])  # (4, n)
    k_lo = int(np.floor(alpha * (n + 1)))
    k_hi = int(np.ceil((1 - alpha) * (n + 1)))
    lower = np.sort(mu - resid, axis=1)[:, k_lo - 1]
    upper = np.sort(mu + resid, axis=1)[:, k_hi - 1]
    bounds = fitted.predict_interval(X_new, 1 - alpha)
    np.testing.assert_allclose(bounds[:, 0], lower)
    np.testing.assert_allclose(bounds[:, 1], upper)


@pytest.mark.parametrize("method", ["split", "cv+"])
def test_marginal_coverage_over_replications(method):
    """Averaged over many draws, coverage is at least nominal (and close)."""
    rng = np.random.default_rng(0)
    covered = []
    for rep in range(150):
        X = rng.normal(size=(41, 2))
        y = X @ [1.0, -1.0] + rng.standard_t(3, size=41)
        fitted = fit_intervals(LinearRegression(), X[:40], y[:40],
                               methods=[method], random_state=rep)[method]
        covered.append(_inside(fitted.predict_interval(X[40:], 0.9),
                               y[40:])[0])
    # guarantee >= 0.9; with n = 10 calibration scores split conformal
    # covers at most ceil(0.9 * 11) / 11 = 0.909 in expectation
    assert 0.84 <= np.mean(covered) <= 0.97


def test_network_intervals_cover_held_out_data_and_cqr_adapts():
    X, y, _ = _hetero(500, 3)
    X_test, y_test, scale = _hetero(3000, 4)
    model = NNRegressor(**SMALL, interval=("split", "cv+", "cqr"),
                        interval_cv=4, random_state=0).fit(X, y)
    widths = {}
    for method in ("split", "cv+", "cqr"):
        for coverage in (0.8, 0.9):
            bounds = model.predict_interval(X_test, coverage=coverage,
                                            method=method)
            assert abs(_inside(bounds, y_test).mean() - coverage) < 0.06, \
                (method, coverage)
        widths[method] = bounds[:, 1] - bounds[:, 0]
    # split conformal and CV+ give one width for all x; CQR's follows the
    # noise scale
    assert np.ptp(widths["split"]) < 1e-9
    assert np.corrcoef(widths["cqr"], scale)[0, 1] > 0.5
    # the default method is the first one learned; coverage defaults to
    # interval_coverage
    np.testing.assert_allclose(model.predict_interval(X_test[:3]),
                               model.predict_interval(X_test[:3], 0.9,
                                                      "split"))


def test_predict_is_unaffected_and_pandas_keeps_the_index():
    X, y, _ = _hetero(120, 5)
    frame = pd.DataFrame(X, columns=["a", "b", "c"],
                         index=[f"r{i}" for i in range(120)])
    plain = NNRegressor(**SMALL, random_state=0).fit(frame, y)
    model = NNRegressor(**SMALL, interval="split", random_state=0).fit(
        frame, y)
    np.testing.assert_array_equal(plain.predict(frame), model.predict(frame))
    bounds = model.predict_interval(frame.iloc[10:15])
    assert isinstance(bounds, pd.DataFrame)
    # with a RandomState instance too, the network is the same
    rs_plain = NNRegressor(**SMALL, random_state=np.random.RandomState(1))
    rs_model = NNRegressor(**SMALL, interval="split",
                           random_state=np.random.RandomState(1))
    np.testing.assert_array_equal(rs_plain.fit(X, y).predict(X),
                                  rs_model.fit(X, y).predict(X))
    assert list(bounds.columns) == ["lower", "upper"]
    assert list(bounds.index) == [f"r{i}" for i in range(10, 15)]
    assert (bounds["lower"] < bounds["upper"]).all()
    # a fitted model with intervals pickles and predicts the same
    loaded = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(loaded.predict_interval(frame.iloc[:3]),
                                  model.predict_interval(frame.iloc[:3]))


def test_sample_weights_train_the_interval_networks():
    X, y, _ = _hetero(120, 6)
    w = np.ones(120)
    w[:60] = 0.0  # the interval networks must not learn from these rows
    y_bad = y.copy()
    y_bad[:60] += 50.0
    weighted = NNRegressor(**SMALL, interval="cv+", interval_cv=3,
                           random_state=0).fit(X, y_bad, sample_weight=w)
    clean = NNRegressor(**SMALL, interval="cv+", interval_cv=3,
                        random_state=0).fit(X[60:], y[60:])
    centre = weighted.predict_interval(X[60:]).mean(axis=1)
    # centres follow the clean rows (the shifted ones only enter the
    # unweighted calibration scores, which widen the interval)
    assert np.median(np.abs(centre - clean.predict(X[60:]))) < 5.0


def test_availability_and_errors():
    X, y, _ = _hetero(60, 7)
    assert not hasattr(NNRegressor(), "predict_interval")
    with pytest.raises(AttributeError) as info:
        NNRegressor().predict_interval(X)
    assert "interval=" in str(info.value.__cause__)
    with pytest.raises(NotFittedError):
        NNRegressor(interval="split").predict_interval(X)
    model = NNRegressor(**SMALL, interval="split", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="method='cqr' was not learned"):
        model.predict_interval(X, method="cqr")
    with pytest.raises(ValueError, match="coverage must be"):
        model.predict_interval(X, coverage=90)
    adam = NNRegressor(hidden_layer_sizes=(8,), max_iter=5, n_ensemble=1,
                       interval="split", random_state=0,
                       early_stopping=False).fit(X, y)
    adam.predict_interval(X)
    adam.partial_fit(X, y)
    with pytest.raises(NotFittedError, match="partial_fit"):
        adam.predict_interval(X)
    with pytest.raises(ValueError, match="interval must be one of"):
        NNRegressor(interval=("split", "jackknife")).fit(X, y)
    with pytest.raises(ValueError, match="interval_cv=5 needs at least 5"):
        NNRegressor(interval="cv+").fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="single target"):
        NNRegressor(interval="split").fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="interval_coverage"):
        NNRegressor(interval="split", interval_coverage=1.5).fit(X, y)


def test_too_few_calibration_scores_give_unbounded_intervals():
    X, y, _ = _hetero(40, 8)
    model = NNRegressor(**SMALL, interval="split", interval_fraction=0.1,
                        random_state=0).fit(X, y)
    # 4 calibration scores: ceil(0.9 * 5) = 5 > 4
    bounds = model.predict_interval(X[:3], coverage=0.9)
    assert np.isneginf(bounds[:, 0]).all() and np.isposinf(bounds[:, 1]).all()
    assert np.isfinite(model.predict_interval(X[:3], coverage=0.75)).all()


@parametrize_with_checks(
    [NNRegressor(hidden_layer_sizes=(8,), max_iter=30, precision="float64",
                 early_stopping=False, interval="split", interval_fraction=0.3, random_state=0)],
    expected_failed_checks=lambda est: {
        "check_regressors_train": "30 epochs of a small network leave its "
        "training R^2 below the check's threshold (the same without "
        "intervals); this configuration is for speed",
        "check_sample_weight_equivalence_on_dense_data": "the calibration "
        "set is drawn by row: a row of weight 2 falls on one side of the "
        "split, two repeated rows may fall on both",
        "check_sample_weight_equivalence_on_sparse_data": "as for dense "
        "data: the calibration split is drawn by row"})
def test_sklearn_checks_with_intervals(estimator, check):
    check(estimator)


def test_a_complex_target_is_refused_before_the_copies_are_fitted():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 2))
    y = rng.uniform(size=40) + 1j * rng.uniform(size=40)
    with warnings.catch_warnings():
        # a ComplexWarning would mean y was cast to real for the copies
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="Complex data not supported"):
            fit_intervals(LinearRegression(), X, y, methods=["split"],
                          random_state=0)
