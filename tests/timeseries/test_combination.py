"""ForecastCombination: weights, bands, members, backtest, bad input."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.arima.model import ARIMA

from econnn import ForecastCombination, SequenceForecaster, backtest
from econnn.timeseries._combination import combination_weights
from econnn.timeseries._members import ARIMAMember

FAST = dict(hidden_size=4, max_iter=30, random_state=0)


def ar1(n, phi=0.6, seed=0, freq="Y", start="1700"):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 50)
    y = np.zeros(n + 50)
    for t in range(1, n + 50):
        y[t] = phi * y[t - 1] + e[t]
    return pd.Series(y[50:], index=pd.period_range(start, periods=n,
                                                   freq=freq), name="y")


def seasonal_level(n, seed=0):
    """A seasonal random walk observed with noise: an ARIMA(0,0,0)(0,1,1)4,
    the model of a seasonal ARIMA and of ETS with additive seasonality."""
    rng = np.random.default_rng(seed)
    level = np.zeros(n + 4)
    level[:4] = [10.0, -5.0, 3.0, -8.0]
    for t in range(4, n + 4):
        level[t] = level[t - 4] + 0.5 * rng.standard_normal()
    y = level[4:] + 0.5 * rng.standard_normal(n)
    return pd.Series(y, index=pd.period_range("1970Q1", periods=n, freq="Q"),
                     name="y")


def one_step(model, y, start):
    """One-step forecasts of a fitted combination from origins start..n-1
    (its parameters fixed)."""
    return np.array([model.forecast(y.iloc[:t], 1).iloc[0]
                     for t in range(start, len(y))])


@pytest.fixture(scope="module")
def linear():
    y = ar1(500)
    return y, ForecastCombination(SequenceForecaster(**FAST)).fit(y.iloc[:300])


def test_combination_weights_by_hand():
    e1 = np.array([[1.0, 2.0], [1.0, np.nan], [1.0, np.nan]])
    e2 = np.array([[2.0, 1.0], [2.0, 1.0], [np.nan, 1.0]])
    w = combination_weights([e1, e2], kappa=0.0)
    # h=1: the two origins both observed, MSE 1 and 4
    np.testing.assert_allclose(w[0], [0.8, 0.2])
    # h=2: one origin both observed, MSE 4 and 1
    np.testing.assert_allclose(w[1], [0.2, 0.8])
    w = combination_weights([e1, e2], kappa=2.0)
    # at h=1, s = n / (n + kappa) = 2 / 4
    np.testing.assert_allclose(w[0], 0.5 * np.array([0.8, 0.2]) + 0.25)
    # at h=2 one error counts as half an independent one: s = 0.5 / 2.5
    np.testing.assert_allclose(w[1], 0.2 * np.array([0.2, 0.8]) + 0.4)
    np.testing.assert_allclose(combination_weights([e1, e2], np.inf), 0.5)


def test_weights_prefer_the_seasonal_members():
    """A forecaster with windows of two quarters cannot see the seasonal
    lag; ETS and the seasonal ARIMA can: they take the weight."""
    y = seasonal_level(200)
    model = ForecastCombination(SequenceForecaster(**FAST),
                                lags=2).fit(y.iloc[:160])
    w = model.weights_.loc[1]
    mse = {k: np.nanmean(v[:, 0] ** 2)
           for k, v in model.member_errors_.items()}
    # the member with the smallest held-out error weighs most
    assert w.idxmax() == min(mse, key=mse.get)
    assert w["econnn"] < 0.1
    assert (model.weights_.idxmin(axis=1) == "econnn").all()
    assert model.members_["ARIMA"].seasonal_order_[1] == 1  # D = 1
    # on the 40 quarters after the sample: far better than the forecaster
    # alone, close to the best classical member
    actual = y.to_numpy()[160:]
    rmse = lambda f: np.sqrt(np.mean((actual - f) ** 2))  # noqa: E731
    combined = rmse(one_step(model, y, 160))
    alone = rmse([model.forecaster_.forecast(y.iloc[:t], 1).iloc[0]
                  for t in range(160, 200)])
    best = min(rmse([model.members_[k].forecast(y.to_numpy()[:t], 1)[0]
                     for t in range(160, 200)]) for k in ("ETS", "ARIMA"))
    assert combined < 0.3 * alone and combined < 1.25 * best


def test_linear_series_close_to_autoreg_and_bands_cover(linear):
    y, model = linear
    assert list(model.weights_.columns) == ["econnn", "ETS", "ARIMA"]
    np.testing.assert_allclose(model.weights_.sum(axis=1), 1.0)
    values = y.to_numpy()
    res = AutoReg(values[:300], lags=1, trend="c").fit()
    ar = res.params[0] + res.params[1] * values[299:499]
    actual = values[300:]
    combined = one_step(model, y, 300)
    ratio = np.sqrt(np.mean((actual - combined) ** 2) /
                    np.mean((actual - ar) ** 2))
    assert ratio < 1.04
    bands = pd.concat([model.forecast(y.iloc[:t], 1, level=(0.8, 0.95))
                       for t in range(300, 500)])
    for level, low, high in ((0.8, 0.72, 0.88), (0.95, 0.9, 0.99)):
        inside = (actual >= bands[f"lower_{level:g}"]) & \
            (actual <= bands[f"upper_{level:g}"])
        assert low < inside.mean() < high


def test_forecaster_errors_come_from_the_same_origins(linear):
    """The forecaster's held-out errors line up with AutoReg's one-step
    errors at the held-out origins (an AR(1): the network adds ~0)."""
    y, model = linear
    values = y.to_numpy()[:300]
    start = 300 - model.n_held_out_
    res = AutoReg(values[:start], lags=1, trend="c").fit()
    errors = values[start:] - res.params[0] - res.params[1] * \
        values[start - 1:-1]
    ours = model.member_errors_["econnn"][:, 0]
    assert np.corrcoef(ours, errors)[0, 1] > 0.98
    # the classical members' errors are of the same size at the same origins
    for name in ("ETS", "ARIMA"):
        theirs = model.member_errors_[name][:, 0]
        assert np.corrcoef(theirs, errors)[0, 1] > 0.95


def test_forecast_frame_and_equal_weights(linear):
    y, model = linear
    fc = model.forecast(None, 30, level=0.9, quantiles=(0.1, 0.5))
    assert list(fc.columns) == ["forecast", "lower_0.9", "upper_0.9",
                                "q0.1", "q0.5"]
    assert fc.index[0] == y.index[300]
    np.testing.assert_allclose(fc["q0.5"], fc["forecast"])
    assert (fc["lower_0.9"] < fc["q0.1"]).all()
    point = model.forecast(None, 30)
    assert isinstance(point, pd.Series)
    np.testing.assert_allclose(point.to_numpy(), fc["forecast"])
    # the point is the weighted mean of the members' forecasts
    values = y.to_numpy()[:300]
    members = np.column_stack(
        [model.forecaster_.forecast(y.iloc[:300], 30).to_numpy()] +
        [model.members_[k].forecast(values, 30) for k in ("ETS", "ARIMA")])
    w = model.weights_.to_numpy()
    w = w[np.minimum(np.arange(30), len(w) - 1)]
    np.testing.assert_allclose(point, (members * w).sum(axis=1))
    equal = ForecastCombination(SequenceForecaster(**FAST), members=("ets",),
                                kappa=1e12).fit(y.iloc[:300])
    np.testing.assert_allclose(equal.weights_, 0.5, atol=1e-9)


def test_arima_search_matches_statsmodels():
    rng = np.random.default_rng(1)
    e = rng.standard_normal(301)
    y = np.zeros(301)
    for t in range(1, 301):
        y[t] = 0.7 * y[t - 1] + e[t] + 0.4 * e[t - 1]
    y = y[1:] + 5.0
    member = ARIMAMember().fit(y, 1)
    assert member.order_[1] == 0 and member.trend_ == "c"
    ref = ARIMA(y, order=member.order_, trend=member.trend_).fit()
    np.testing.assert_allclose(member.params_, ref.params, rtol=1e-6)
    np.testing.assert_allclose(member.forecast(y, 5), ref.forecast(5),
                               rtol=1e-8)
    # the search does at least as well as the true orders
    truth = ARIMA(y, order=(1, 0, 1), trend="c").fit()
    assert member.aicc_ <= truth.aicc + 1e-6
    # fixed parameters: a longer series is filtered, not refitted
    longer = np.r_[y, 6.0]
    np.testing.assert_allclose(
        member.forecast(longer, 1),
        ref.apply(longer).forecast(1), rtol=1e-8)


def test_backtest_refits_the_combination():
    y = ar1(120, freq="Q", start="1980Q1")
    comb = ForecastCombination(SequenceForecaster(**FAST), members=("ets",))
    result = backtest(comb, y, horizon=2, test_size=3, refit_every=3)
    fc = result.forecasts
    first = fc[(fc.model == "forecaster") & (fc.origin == fc.origin.min())]
    direct = ForecastCombination(SequenceForecaster(**FAST),
                                 members=("ets",), lags=9).fit(y.iloc[:117])
    np.testing.assert_allclose(first["forecast"],
                               direct.forecast(None, 2).to_numpy())
    assert {"coverage_0.8", "coverage_0.95"} <= set(result.scores.columns)


def test_bad_input():
    y = ar1(120)
    comb = ForecastCombination(SequenceForecaster(**FAST), members=("ets",))
    with pytest.raises(TypeError, match="indexed by time"):
        comb.fit(pd.Series(y.to_numpy()))
    with pytest.raises(ValueError, match="NaN"):
        comb.fit(y.where(y.index != y.index[5]))
    with pytest.raises(ValueError, match="too few for the forecaster's"):
        comb.fit(y.iloc[:40])
    with pytest.raises(ValueError, match="covariates"):
        comb.fit(pd.DataFrame({"y": y, "x": y}))
    with pytest.raises(ValueError, match="kappa"):
        ForecastCombination(kappa=-1.0).fit(y)
    with pytest.raises(ValueError, match="unknown member 'theta'"):
        ForecastCombination(members=("ets", "theta")).fit(y)
    with pytest.raises(ValueError, match="holdout_fraction"):
        ForecastCombination(SequenceForecaster(holdout_fraction=0.0)).fit(y)
    with pytest.raises(ValueError, match="covariates"):
        ForecastCombination(SequenceForecaster(known_future=["x"])).fit(y)
    with pytest.raises(ValueError, match="y must be None"):
        comb.fit(y, y)
    with pytest.raises(Exception, match="not fitted"):
        comb.forecast(None, 3)
    fitted = comb.fit(y)
    with pytest.raises(ValueError, match="level"):
        fitted.forecast(None, 3, level=1.5)
    with pytest.raises(ValueError, match="steps"):
        fitted.forecast(None, 0)
    with pytest.raises(ValueError, match="exog_future must be None"):
        fitted.forecast(None, 3, exog_future=pd.DataFrame({"x": [1.0]}))
