"""econnn.backtest: rolling origins, refits, scores, the AR benchmark."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

from econnn import BacktestResult, SequenceForecaster, backtest

FAST = dict(hidden_size=8, max_iter=30, random_state=0)


def ar1(n=160, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = 0.7 * y[t - 1] + rng.standard_normal()
    return pd.Series(y, index=pd.period_range("1970Q1", periods=n, freq="Q"),
                     name="y")


@pytest.fixture(scope="module")
def result():
    return backtest(SequenceForecaster(**FAST), ar1(), horizon=3,
                    test_size=12, refit_every=4)


def test_scores_per_model_and_horizon(result):
    assert isinstance(result, BacktestResult)
    scores = result.scores
    assert list(scores.index.get_level_values("model").unique()) == [
        "AR(AIC)", "forecaster"]
    assert list(scores.loc["forecaster"].index) == [1, 2, 3]
    # origins run to the end: horizon h is observed at 12 - h + 1 origins
    assert list(scores.loc["forecaster", "n"]) == [12, 11, 10]
    fc = result.forecasts
    sub = fc[(fc.model == "forecaster") & (fc.horizon == 2)]
    err = sub.actual - sub.forecast
    np.testing.assert_allclose(scores.loc[("forecaster", 2), "rmse"],
                               np.sqrt(np.mean(err ** 2)))
    inside = (sub.actual >= sub["lower_0.8"]) & (sub.actual <= sub["upper_0.8"])
    assert scores.loc[("forecaster", 2), "coverage_0.8"] == inside.mean()
    rel = result.relative()
    assert (rel["AR(AIC)"] == 1).all() and (rel["forecaster"] > 0).all()
    # MASE: MAE over the in-sample naive MAE (nonseasonal: quarterly data
    # uses the seasonal lag 4)
    y = ar1().to_numpy()[:160 - 12]
    naive = np.mean(np.abs(y[4:] - y[:-4]))
    np.testing.assert_allclose(scores["mase"], scores["mae"] / naive)


def test_ar_benchmark_is_statsmodels_autoreg(result):
    y = ar1().to_numpy()
    end = 160 - 12  # first origin; refitted there
    sel = ar_select_order(y[:end], maxlag=9, ic="aic", trend="c")
    res = AutoReg(y[:end], lags=max(sel.ar_lags), trend="c").fit()
    expected = res.predict(start=end, end=end + 2)
    fc = result.forecasts
    first = fc[(fc.model == "AR(AIC)") & (fc.origin == fc.origin.min())]
    np.testing.assert_allclose(first.forecast, expected, rtol=1e-8)
    # Gaussian intervals with the MA(infinity) variance, as statsmodels
    ci = res.get_prediction(start=end, end=end + 2).conf_int(alpha=0.05)
    np.testing.assert_allclose(first["lower_0.95"], ci[:, 0], rtol=1e-6)


def test_time_series_split_and_rolling_window():
    series = ar1(120)
    cv = TimeSeriesSplit(n_splits=3, test_size=2, gap=1)
    res = backtest(SequenceForecaster(**FAST), series, horizon=3, cv=cv,
                   benchmark=False)
    fc = res.forecasts
    # gap=1: the test periods are 2 and 3 steps after each training set
    assert sorted(fc.horizon.unique()) == [2, 3]
    assert len(fc) == 3 * 2 and set(fc.model) == {"forecaster"}
    rolled = backtest(SequenceForecaster(**FAST), series, horizon=1,
                      test_size=3, window="rolling", max_train_size=80,
                      benchmark=False)
    assert rolled.scores.loc[("forecaster", 1), "n"] == 3
    with pytest.raises(ValueError, match="max_train_size"):
        backtest(SequenceForecaster(**FAST), series, horizon=1,
                 window="rolling")
    with pytest.raises(ValueError, match="window"):
        backtest(SequenceForecaster(**FAST), series, horizon=1,
                 window="sliding")


def test_stationarity_decided_once():
    rng = np.random.default_rng(1)
    walk = pd.Series(np.cumsum(0.3 + rng.standard_normal(150)),
                     index=pd.period_range("1980-01", periods=150, freq="M"))
    res = backtest(SequenceForecaster(**FAST), walk, horizon=2, test_size=4,
                   refit_every=2, benchmark=False)
    # decided on the first history, then passed to every refit
    assert res.difference is True
    last = res.forecasts.groupby("origin").forecast.last()
    assert len(last) == 4 and np.isfinite(last).all()


@pytest.mark.parametrize("test_size, message", [
    (0.0, r"test_size must be in \(0, 1\)"), (1.5, r"test_size must be"),
    (0, "test_size"), (159, "leaves no history in a series of 160"),
    (0.995, "leaves no history in a series of 160")])
def test_bad_test_size_is_refused_by_name(test_size, message):
    with pytest.raises(ValueError, match=message):
        backtest(SequenceForecaster(**FAST), ar1(), horizon=1,
                 test_size=test_size)


def test_bad_test_size_of_a_panel_names_the_shortest_series():
    from econnn import PanelForecaster

    panel = pd.concat({"a": ar1(40), "b": ar1(60, seed=1)},
                      names=["id", "t"])
    with pytest.raises(ValueError, match=r"shortest series \(40 periods\)"):
        backtest(PanelForecaster(SequenceForecaster(**FAST), lags=2), panel,
                 horizon=1, test_size=39)
