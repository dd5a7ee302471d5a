"""Seasonal-difference autoregressions among the AIC's candidates."""

import io

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

import econnn
from econnn import SequenceForecaster, make_windows
from econnn.timeseries._linear import fit_autoregression

FAST = dict(hidden_size=8, max_iter=30, random_state=0)


def seasonal_walk(n=240, phi=0.5, seed=0):
    """``(1 - L^12) y_t = z_t``, ``z_t = 0.3 + phi z_{t-1} + e_t``: a
    seasonal unit root with an AR(1) in the seasonal differences."""
    rng = np.random.default_rng(seed)
    z = np.zeros(n)
    y = np.zeros(n)
    y[:12] = 5 * np.sin(np.arange(12) * np.pi / 6)
    for t in range(12, n):
        z[t] = 0.3 + phi * z[t - 1] + rng.standard_normal()
        y[t] = y[t - 12] + z[t]
    return pd.Series(y, index=pd.period_range("1990-01", periods=n, freq="M"),
                     name="y")


def test_seasonal_ar_is_autoreg_on_the_seasonal_differences():
    series = seasonal_walk()
    X, y = make_windows(series, lags=13)
    ar = fit_autoregression(X, y.to_numpy()[:, None], np.ones(len(y)),
                            order=13, season=12)
    # statsmodels on the seasonal differences, over the same targets
    values = series.to_numpy()
    reference = AutoReg(values[12:] - values[:-12], lags=1,
                        trend="c").fit().params
    assert ar.season == 12 and ar.order == 13
    np.testing.assert_allclose(ar.intercept[0], reference[0], rtol=1e-8)
    # written out as the AR(13) it is: phi at lag 1, 1 at lag 12, -phi at 13
    expected = np.zeros(13)
    expected[[0, 11, 12]] = reference[1], 1.0, -reference[1]
    np.testing.assert_allclose(ar.coef[:, 0], expected, atol=1e-10)


def test_the_aic_picks_the_seasonal_model_only_where_it_fits():
    X, y = make_windows(seasonal_walk())  # lags='auto': 25 for monthly data
    ones = np.ones(len(y))
    chosen = fit_autoregression(X, y.to_numpy()[:, None], ones, season=12)
    assert chosen.season == 12 and chosen.order - 12 == 1
    # a stationary AR(1) keeps the plain AR, of the order statsmodels'
    # AIC picks on the same sample
    rng = np.random.default_rng(1)
    z = np.zeros(240)
    for t in range(1, 240):
        z[t] = 0.7 * z[t - 1] + rng.standard_normal()
    Xs, ys = make_windows(pd.Series(z, index=pd.period_range(
        "1990-01", periods=240, freq="M")))
    plain = fit_autoregression(Xs, ys.to_numpy()[:, None], ones, season=12)
    selected = ar_select_order(z, maxlag=25, ic="aic", trend="c")
    assert plain.season is None and plain.order == max(selected.ar_lags)
    # without a season no seasonal candidate is tried
    assert fit_autoregression(X, y.to_numpy()[:, None], ones).season is None


def test_direct_horizons_are_anchored_in_the_target_season():
    # a pure 12-month cycle: the seasonal AR(0) at every horizon, 13 and
    # 14 months ahead included, is the value a year (or two) earlier
    cycle = np.tile(np.arange(12.0) ** 1.5, 12)
    series = pd.Series(cycle, index=pd.period_range("2000-01", periods=144,
                                                    freq="M"))
    X, Y = make_windows(series, lags=24, horizon=14)
    ar = fit_autoregression(X, Y.to_numpy(), np.ones(len(Y)), order=12,
                            season=12)
    predicted = ar.intercept + X[:, ::-1, 0][:, :12] @ ar.coef
    np.testing.assert_allclose(predicted, Y.to_numpy(), atol=1e-8)


def test_forecaster_chooses_and_keeps_the_seasonal_ar():
    series = seasonal_walk()
    X, y = make_windows(series)
    model = SequenceForecaster(seasonal_ar=True, **FAST).fit(X, y)
    assert model.ar_season_ == 12 and model.ar_order_ == 13
    # the default, and windows whose season is unknown, keep the plain AR
    assert SequenceForecaster(**FAST).fit(X, y).ar_season_ is None
    with pytest.warns(UserWarning, match="has no effect"):
        unknown = SequenceForecaster(seasonal_ar=True, **FAST).fit(
            X, y.to_numpy())
    assert unknown.ar_season_ is None
    # the AR part forecasts along the seasonal recursion
    intercept, coef = model._ar
    phi = coef[0, 0]
    values = series.to_numpy()
    step = intercept[0] + values[-12] + phi * (values[-1] - values[-13])
    base, _ = model._components(np.r_[X[1:], values[-25:][None, :, None]])
    np.testing.assert_allclose(base[-1, 0], step, rtol=1e-6)
    # and econnn.save keeps the choice
    buffer = io.BytesIO()
    econnn.save(model, buffer)
    buffer.seek(0)
    loaded = econnn.load(buffer)
    assert loaded.ar_season_ == 12
    np.testing.assert_allclose(loaded.forecast(series, steps=14),
                               model.forecast(series, steps=14))


def test_seasonal_ar_says_when_it_cannot_apply():
    series = seasonal_walk(n=120)
    X, y = make_windows(series)
    cases = [
        (dict(ar_order=13), X, y, "ar_order=13 fixes the AR"),
        ({}, X, y.to_numpy(), "not indexed by quarterly or monthly"),
        ({}, *make_windows(series.to_frame().assign(x=1.0)), "covariates"),
        ({}, *make_windows(series, lags=12), "not longer than the seasonal"),
    ]
    for params, X_, y_, message in cases:
        with pytest.warns(UserWarning, match=message):
            model = SequenceForecaster(seasonal_ar=True, **params,
                                       **FAST).fit(X_, y_)
        assert model.ar_season_ is None
