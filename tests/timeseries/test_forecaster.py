"""SequenceForecaster and make_windows: learning, forecasting, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (GridSearchCV, TimeSeriesSplit,
                                     cross_validate)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from statsmodels.tsa.ar_model import AutoReg

from econnn import SequenceForecaster, make_windows

FAST = dict(hidden_size=8, max_iter=60, learning_rate_init=0.005,
            random_state=0)


def ar1(n=200, phi=0.8, seed=0, freq="Q"):
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + rng.standard_normal()
    return pd.Series(y, index=pd.period_range("1960Q1", periods=n,
                                              freq=freq), name="y")


def trending(n=120, seed=0):
    """A random walk with drift 0.5 per period (integrated, trending)."""
    rng = np.random.default_rng(seed)
    y = np.cumsum(0.5 + 0.3 * rng.standard_normal(n))
    return pd.Series(y, index=pd.date_range("2000-01-01", periods=n,
                                            freq="MS"), name="level")


# ---------------------------------------------------------------- windows
def test_make_windows_layout_target_first_and_index():
    idx = pd.period_range("2000Q1", periods=8, freq="Q")
    data = pd.DataFrame({"x": np.arange(8.0) * 10, "y": np.arange(8.0)},
                        index=idx)
    X, y = make_windows(data, lags=3, horizon=2, target="y")
    assert X.shape == (4, 3, 2)
    # variable 0 is the target, then the other columns
    np.testing.assert_array_equal(X[0], [[0, 0], [1, 10], [2, 20]])
    assert list(y.columns) == ["h1", "h2"]
    np.testing.assert_array_equal(y.iloc[0], [3, 4])
    assert y.index[0] == idx[3] and y.index[-1] == idx[6]


def test_make_windows_errors():
    s = ar1(10)
    with pytest.raises(ValueError, match="fewer than lags"):
        make_windows(s, lags=10)
    with pytest.raises(TypeError, match="indexed by time"):
        make_windows(s.reset_index(drop=True), lags=2)
    with pytest.raises(ValueError, match="NaN"):
        make_windows(s.where(s.index != s.index[4]), lags=2)
    with pytest.raises(ValueError, match="lags must be an integer"):
        make_windows(s, lags=0)
    with pytest.raises(ValueError, match="not a column"):
        make_windows(s.to_frame(), lags=2, target="z")


# --------------------------------------------------------------- learning
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "transformer"])
def test_learns_autoregression_like_autoreg(cell):
    series = ar1(240)
    X, y = make_windows(series, lags=4)
    n_train = 180
    model = SequenceForecaster(cell=cell, **FAST).fit(X[:n_train],
                                                     y.iloc[:n_train])
    assert not model.difference_  # ADF rejects a unit root for phi=0.8
    rmse = np.sqrt(np.mean((model.predict(X[n_train:]) -
                            y.iloc[n_train:]) ** 2))
    # reference: the linear AR(4) fitted by statsmodels on the same data
    ar = AutoReg(series.iloc[:n_train + 4].to_numpy(), lags=4).fit()
    ar_pred = ar.params[0] + X[n_train:, ::-1, 0] @ ar.params[1:]
    rmse_ar = np.sqrt(np.mean((ar_pred - y.iloc[n_train:]) ** 2))
    assert rmse < 1.1 * rmse_ar


def test_direct_multi_horizon_and_module_in_original_units():
    t = np.arange(300)
    rng = np.random.default_rng(1)
    series = pd.Series(np.sin(t / 5) + 0.05 * rng.standard_normal(300),
                       index=pd.period_range("1900", periods=300, freq="Y"))
    X, Y = make_windows(series, lags=12, horizon=3)
    model = SequenceForecaster(**FAST).fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == (len(X), 3)
    assert model.score(X, Y) > 0.9
    with torch.no_grad():
        eta = model.module_(torch.as_tensor(X, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(eta, pred, rtol=1e-6)


def test_trend_is_extrapolated_not_flattened():
    series = trending()
    X, y = make_windows(series, lags=6)
    model = SequenceForecaster(**FAST).fit(X, y)
    assert model.difference_ and model.unit_root_pvalue_ > 0.05
    fc = model.forecast(series, steps=24)
    # drift 0.5 per month: two years out the level is ~12 above the end
    assert fc.iloc[-1] - series.iloc[-1] > 8
    assert fc.iloc[-1] > series.max() + 8
    assert np.all(np.diff(fc) > 0)
    # the change-modelling wrapper pickles and keeps float32 inputs working
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(clone.predict(X), model.predict(X))
    np.testing.assert_allclose(model.predict(X.astype(np.float32)),
                               model.predict(X), rtol=1e-5)


def test_time_ordered_validation_split():
    series = ar1(150)
    X, y = make_windows(series, lags=3)
    model = SequenceForecaster(early_stopping=True, validation_fraction=0.2,
                               **FAST)
    train, valid = model._split_validation(y.to_numpy(), seed=0)
    np.testing.assert_array_equal(valid, np.arange(len(y) - len(valid),
                                                   len(y)))
    assert train.max() < valid.min()
    model.fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ > 0.2


# --------------------------------------------------------------- forecast
def test_forecast_index_frequency_and_recursion():
    series = ar1(160, freq="Q")
    X, Y = make_windows(series, lags=4, horizon=2)
    model = SequenceForecaster(**FAST).fit(X, Y)
    fc = model.forecast(series, steps=5)
    expected = pd.period_range("2000Q1", periods=5, freq="Q")
    pd.testing.assert_index_equal(fc.index, expected)
    assert fc.name == "y"
    # the first horizon comes directly from the last window
    last_window = series.to_numpy()[-4:][None, :, None]
    np.testing.assert_allclose(fc.iloc[:2], model.predict(last_window)[0])

    monthly = trending()
    Xm, ym = make_windows(monthly, lags=6)
    fm = SequenceForecaster(**FAST).fit(Xm, ym).forecast(monthly, steps=3)
    assert fm.index.freqstr == "MS"
    assert fm.index[0] == pd.Timestamp("2010-01-01")


def test_forecast_intervals_are_ordered_and_widen():
    series = ar1(200)
    X, y = make_windows(series, lags=4)
    model = SequenceForecaster(**FAST).fit(X, y)
    fc = model.forecast(series, steps=8, level=(0.5, 0.9), n_paths=400)
    assert list(fc.columns) == ["forecast", "lower_0.5", "upper_0.5",
                                "lower_0.9", "upper_0.9"]
    assert (fc["lower_0.9"] <= fc["lower_0.5"]).all()
    assert (fc["lower_0.5"] < fc["upper_0.5"]).all()
    assert (fc["upper_0.5"] <= fc["upper_0.9"]).all()
    assert ((fc["lower_0.9"] <= fc["forecast"]) &
            (fc["forecast"] <= fc["upper_0.9"])).all()
    width = fc["upper_0.9"] - fc["lower_0.9"]
    # uncertainty accumulates: an AR(1)'s 8-step band is wider than 1-step
    assert width.iloc[-1] > 1.2 * width.iloc[0]
    # the 1-step 90% band is about +-1.645 residual standard deviations
    sd = model.residuals_.std()
    assert 2.6 * sd < width.iloc[0] < 4.0 * sd


def test_multivariate_forecast_needs_future_covariates():
    rng = np.random.default_rng(0)
    n = 160
    x = rng.standard_normal(n)
    y = np.r_[0, 0.9 * x[:-1]] + 0.1 * rng.standard_normal(n)
    data = pd.DataFrame({"x": x, "y": y},
                        index=pd.period_range("1980Q1", periods=n, freq="Q"))
    X, target = make_windows(data, lags=3, target="y")
    model = SequenceForecaster(difference=False, **FAST).fit(X, target)
    assert model.n_variables_ == 2 and model.score(X, target) > 0.8
    one = model.forecast(data, steps=1, target="y")
    assert one.name == "y" and len(one) == 1
    with pytest.raises(ValueError, match="exog_future"):
        model.forecast(data, steps=3, target="y")
    future_x = np.array([0.5, -0.5])
    fc = model.forecast(data, steps=3, target="y",
                        exog_future=pd.DataFrame({"x": future_x}))
    # y follows 0.9 * x of the period before
    np.testing.assert_allclose(fc.iloc[1:], 0.9 * future_x, atol=0.2)


# ------------------------------------------------------------- interface
def test_model_selection_with_time_series_split_and_pipeline():
    series = ar1(200)
    X, y = make_windows(series, lags=5)
    X2 = X[:, :, 0]  # 2-D: univariate windows
    pipe = make_pipeline(StandardScaler(), SequenceForecaster(**FAST))
    cv = TimeSeriesSplit(n_splits=3)
    scores = cross_validate(pipe, X2, y, cv=cv, scoring="r2")
    assert np.all(scores["test_score"] > 0.1)
    assert scores["test_score"].mean() > 0.35
    search = GridSearchCV(pipe, {"sequenceforecaster__hidden_size": [4, 8]},
                          cv=cv).fit(X2, y)
    assert search.best_params_["sequenceforecaster__hidden_size"] in (4, 8)
    assert search.best_score_ > 0.3


def test_bad_input_errors():
    series = ar1(60)
    X, y = make_windows(series, lags=3)
    model = SequenceForecaster(**FAST)
    with pytest.raises(NotFittedError):
        model.forecast(series, steps=2)
    with pytest.raises(ValueError, match="2-D .* or 3-D"):
        model.fit(X[..., None], y)
    model.fit(X, y)
    with pytest.raises(ValueError, match="variable"):
        model.predict(np.concatenate([X, X], axis=2))
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2, 0])
    with pytest.raises(ValueError, match="fewer than the n_timesteps_"):
        model.forecast(series.iloc[:2], steps=2)
    with pytest.raises(ValueError, match="level"):
        model.forecast(series, steps=2, level=1.5)
    with pytest.raises(ValueError, match="steps"):
        model.forecast(series, steps=0)
    with pytest.raises(ValueError, match="frequency"):
        model.forecast(series.to_timestamp().iloc[[0, 1, 5, 6, 9]], steps=1)
    with pytest.raises(ValueError, match="variable"):
        model.forecast(series.to_frame().assign(z=1.0), steps=1)
