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
    assert model.difference_
    assert model.stationarity_tests_["adf_pvalue"] > 0.05
    assert model.stationarity_tests_["kpss_pvalue"] < 0.05
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


def test_save_load_keeps_the_conformal_bands(tmp_path):
    from econnn import load, save

    series = ar1(120)
    X, y = make_windows(series, lags=4)
    model = SequenceForecaster(**FAST).fit(X, y)
    assert model.error_scales_ is not None
    save(model, tmp_path / "m.safetensors")
    again = load(tmp_path / "m.safetensors")
    pd.testing.assert_frame_equal(again.forecast(series, 4, level=0.9),
                                  model.forecast(series, 4, level=0.9))


def test_time_ordered_validation_split():
    series = ar1(150)
    X, y = make_windows(series, lags=3)
    # the network alone (no AR part), so that there is something to score
    model = SequenceForecaster(early_stopping=True, validation_fraction=0.2,
                               ar_order=None, **FAST)
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
    # the first fold has 51 windows: an AR(5) in changes, R^2 ~ 0.08
    assert np.all(scores["test_score"] > 0.0)
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


# ------------------------------------------------- the nested autoregression
def ar2(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 50)
    for t in range(2, n + 50):
        y[t] = 0.5 + 0.6 * y[t - 1] - 0.3 * y[t - 2] + rng.standard_normal()
    return pd.Series(y[50:], index=pd.period_range("1950Q1", periods=n,
                                                   freq="Q"), name="y")


def test_default_nests_the_aic_autoregression():
    series = ar2()
    X, y = make_windows(series)  # lags='auto': 9 for quarterly data
    assert X.shape[1] == 9
    model = SequenceForecaster(**FAST).fit(X, y)
    # the order AIC picks on the windows' common sample, as statsmodels
    from statsmodels.tsa.ar_model import ar_select_order
    sel = ar_select_order(series.to_numpy(), maxlag=9, ic="aic", trend="c")
    assert model.ar_order_ == max(sel.ar_lags) == 2
    # its coefficients are AutoReg's, on every observation from the third
    # (the 7 before the first window's target included), not only on the
    # windows' targets
    ar = AutoReg(series.to_numpy(), lags=2, trend="c").fit()
    intercept, coef = model._ar
    np.testing.assert_allclose(intercept[0], ar.params[0], rtol=1e-8)
    np.testing.assert_allclose(coef[:, 0], ar.params[1:], rtol=1e-8)
    # on a linear series the held-out windows give the network (almost)
    # nothing: the forecasts are the AR's
    assert model.gate_ < 0.5
    ar_pred = ar.params[0] + X[:, ::-1, 0][:, :2] @ ar.params[1:]
    assert np.sqrt(np.mean((model.predict(X) - ar_pred) ** 2)) < \
        0.1 * np.std(y)


def setar(n=800, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 100)
    for t in range(1, n + 100):
        y[t] = (1 + 0.6 * y[t - 1]) if y[t - 1] <= 0 else \
            (-1 - 0.4 * y[t - 1])
        y[t] += 0.5 * rng.standard_normal()
    return pd.Series(y[100:], index=pd.period_range("1900-01", periods=n,
                                                    freq="M"))


def test_network_adds_to_the_ar_on_a_nonlinear_series():
    series = setar()
    X, y = make_windows(series, lags=4)
    n_train = 600
    model = SequenceForecaster(random_state=0).fit(X[:n_train],
                                                   y.iloc[:n_train])
    assert model.gate_ > 0.5
    test = y.iloc[n_train:]
    rmse = np.sqrt(np.mean((model.predict(X[n_train:]) - test) ** 2))
    p = model.ar_order_
    ar = AutoReg(series.to_numpy()[4 - p:n_train + 4], lags=p).fit()
    ar_pred = ar.params[0] + X[n_train:, ::-1, 0][:, :p] @ ar.params[1:]
    rmse_ar = np.sqrt(np.mean((ar_pred - test) ** 2))
    assert rmse < 0.9 * rmse_ar


def test_step_gates_keep_the_network_only_where_the_recursion_gains():
    # SETAR: the network helps one step ahead, but fed its own point
    # forecasts (not the conditional mean of a nonlinear model) it hurts
    # two steps ahead; each recursive step gets its held-out weight
    series = setar()
    X, y = make_windows(series, lags=4)
    n_train = 600
    model = SequenceForecaster(random_state=0).fit(X[:n_train],
                                                   y.iloc[:n_train])
    gates = model.step_gates_
    assert gates[0] == model.gate_ > 0.5
    assert len(gates) > 4 and (np.diff(gates) <= 0).all()
    assert gates[1] < 0.5 * gates[0]
    # two-step forecasts from the test windows: the step gates beat the
    # one-step gate kept throughout, and forecast() uses them
    windows = X[n_train:-1].astype(np.float64)
    actual = y.iloc[n_train + 1:].to_numpy()
    stepped = model._recurse(windows, None, 2, gates=gates)[:, 1]
    constant = model._recurse(windows, None, 2)[:, 1]
    assert np.sqrt(np.mean((stepped - actual) ** 2)) < \
        0.95 * np.sqrt(np.mean((constant - actual) ** 2))
    history = series.iloc[:n_train + 4]
    np.testing.assert_allclose(model.forecast(history, steps=2).iloc[1],
                               stepped[0], rtol=1e-6)
    assert model.gate_ == gates[0]  # the recursion restored the gate
    # on a linear series no step keeps the network
    linear = SequenceForecaster(**FAST).fit(*make_windows(ar2()))
    assert linear.step_gates_.max() < 0.1


def test_gate_is_the_least_squares_weight_shrunk_by_its_t_statistic():
    from econnn.timeseries._linear import GATE_SHRINKAGE, shrunk_gate

    rng = np.random.default_rng(0)
    a = rng.standard_normal(50)
    r = 0.6 * a + rng.standard_normal(50)
    keep = np.ones(50, dtype=bool)
    g = r @ a / (a @ a)                                   # by hand
    se2 = np.sum((r - g * a) ** 2) / 49 / (a @ a)
    assert GATE_SHRINKAGE == 4.0
    expected = g * (1 - 4 * se2 / g ** 2)
    assert shrunk_gate(r, a, keep, 1.0) == pytest.approx(expected)
    assert 0.25 < expected < g
    # a weight within two standard errors of 0 is dropped (t = 1.45 here;
    # the constant of 1 used before 23 Nov 2026 kept half of it)
    weak = 0.2 * a + rng.standard_normal(50)
    g_weak = weak @ a / (a @ a)
    se_weak = np.sqrt(np.sum((weak - g_weak * a) ** 2) / 49 / (a @ a))
    assert se_weak < g_weak < 2 * se_weak
    assert shrunk_gate(weak, a, keep, 1.0) == 0.0
    assert shrunk_gate(r, a, keep, 0.2) == 0.2            # capped
    # an addition unrelated to the errors: dropped, not kept at its noise
    noise = rng.standard_normal(50)
    assert shrunk_gate(noise, a, keep, 1.0) == 0.0
    # only the kept rows count
    keep[25:] = False
    assert shrunk_gate(np.where(keep, r, 1e6), a, keep, 1.0) == \
        pytest.approx(shrunk_gate(r[:25], a[:25], keep[:25], 1.0))


def test_stationarity_needs_adf_and_kpss_to_agree():
    # a stationary cycle (complex AR roots, like lynx): levels
    rng = np.random.default_rng(3)
    y = np.zeros(200)
    for t in range(2, 200):
        y[t] = 1.3 * y[t - 1] - 0.7 * y[t - 2] + rng.standard_normal()
    cycle = pd.Series(y, index=pd.period_range("1800", periods=200,
                                               freq="Y"))
    model = SequenceForecaster(**FAST).fit(*make_windows(cycle))
    assert not model.difference_
    assert model.stationarity_tests_["adf_pvalue"] < 0.05
    # too short for the tests: levels, no p-values
    short = SequenceForecaster(**FAST).fit(*make_windows(cycle.iloc[:40]))
    assert not short.difference_
    assert short.stationarity_tests_["adf_pvalue"] is None


def test_multi_column_target_is_refused_not_read_as_horizons():
    series = ar1(80)
    X, _ = make_windows(series, lags=3)
    two = pd.DataFrame({"gdp": np.arange(len(X), dtype=float),
                        "infl": np.arange(len(X), dtype=float)})
    with pytest.raises(ValueError, match="not several target variables"):
        SequenceForecaster(**FAST).fit(X, two)
    # horizons, named as make_windows names them, are accepted
    X2, Y2 = make_windows(series, lags=3, horizon=2)
    assert SequenceForecaster(**FAST).fit(X2, Y2).n_outputs_ == 2


# ------------------------------------------------------------- intervals
def test_conformal_quantiles_are_the_held_out_error_ranks():
    from econnn.timeseries._linear import ErrorScales

    rng = np.random.default_rng(0)
    errors = rng.standard_normal((99, 2)) * [1.0, 2.0]
    scales = ErrorScales(errors, integrated=False)
    rms = np.sqrt(np.mean(errors ** 2, axis=0))
    np.testing.assert_allclose(scales.scales(2), rms)
    z = np.sort(np.abs(np.concatenate([errors[:, 0] / rms[0],
                                       errors[:, 1] / rms[1]])))
    n = len(z)
    q = scales.quantiles([0.1, 0.5, 0.9])
    # the 80% band: the ceil((n + 1) 0.8)-th smallest |z|, symmetric
    assert q[2] == z[int(np.ceil((n + 1) * 0.8)) - 1] == -q[0]
    assert q[1] == 0
    # beyond the measured horizons: flat for levels, sqrt(h) for changes
    assert scales.scales(4)[-1] == scales.scale[-1]
    grown = ErrorScales(errors, integrated=True).scales(8)
    np.testing.assert_allclose(grown[-1], grown[1] * 2)


def test_conformal_bands_cover_new_errors_from_the_same_distribution():
    # held-out errors (heavy-tailed, spread growing with the horizon): bands
    # built from 60 of them cover fresh draws at the nominal rate per
    # horizon, on average over 40 held-out samples
    from scipy.stats import t

    from econnn.timeseries._linear import ErrorScales

    rng = np.random.default_rng(1)
    spread = np.array([1.0, 1.5, 2.0, 2.5])
    for level in (0.8, 0.95):
        cover = []
        for _ in range(40):
            scales = ErrorScales(rng.standard_t(5, (60, 4)) * spread, False)
            half = scales.scales(4) * scales.quantiles([(1 + level) / 2])[0]
            cover.append(2 * t.cdf(half / spread, 5) - 1)
        np.testing.assert_allclose(np.mean(cover, axis=0), level, atol=0.02)


def test_forecast_bands_are_calibrated_on_a_simulated_ar():
    # three AR(1) series: fit on 300 quarters, forecast 1-4 quarters from
    # the next 148 origins without refitting
    inside = {1: [], 4: []}
    for seed in range(3):
        series = ar1(600, phi=0.6, seed=seed)
        model = SequenceForecaster(**FAST).fit(
            *make_windows(series.iloc[:300], lags=4))
        for origin in range(300, 596, 2):
            fc = model.forecast(series.iloc[:origin], steps=4,
                                level=(0.8, 0.95))
            for h in inside:
                row, actual = fc.iloc[h - 1], series.iloc[origin + h - 1]
                inside[h].append([
                    row["lower_0.8"] <= actual <= row["upper_0.8"],
                    row["lower_0.95"] <= actual <= row["upper_0.95"]])
    for h, hits in inside.items():
        cover80, cover95 = np.mean(hits, axis=0)
        assert abs(cover80 - 0.8) < 0.06, (h, cover80)
        assert abs(cover95 - 0.95) < 0.03, (h, cover95)


def test_forecast_quantiles_median_paths_and_n_paths_check():
    series = ar1(200)
    X, y = make_windows(series, lags=4)
    model = SequenceForecaster(**FAST).fit(X, y)
    assert model.error_scales_ is not None
    fc = model.forecast(series, steps=6, level=0.8, quantiles=(0.1, 0.5, 0.9))
    assert list(fc.columns) == ["forecast", "lower_0.8", "upper_0.8",
                                "q0.1", "q0.5", "q0.9"]
    np.testing.assert_allclose(fc["q0.5"], fc["forecast"])
    np.testing.assert_allclose(fc["q0.1"], fc["lower_0.8"])
    assert (fc["q0.9"] > fc["forecast"]).all()
    with pytest.raises(ValueError, match="n_paths=5 is too few"):
        model.forecast(series, steps=2, level=0.95, method="paths",
                       n_paths=5)
    with pytest.raises(ValueError, match="quantiles"):
        model.forecast(series, steps=2, quantiles=1.0)
    paths = model.simulate(series, steps=6, n_paths=2000)
    assert paths.shape == (6, 2000)
    pd.testing.assert_index_equal(paths.index, fc.index)
    # a (nearly) linear model: the paths are centred on the point forecast
    # and spread like the held-out one-step errors at the first step
    np.testing.assert_allclose(paths.mean(axis=1), fc["forecast"],
                               atol=0.15)
    assert abs(paths.iloc[0].std() / model.error_scales_.scale[0] - 1) < 0.1
    by_paths = model.forecast(series, steps=6, level=0.8, method="paths",
                              n_paths=2000)
    assert (by_paths["upper_0.8"] > by_paths["lower_0.8"]).all()


def test_make_windows_auto_lags_follow_the_frequency():
    monthly = pd.Series(np.arange(200.0), index=pd.period_range(
        "2000-01", periods=200, freq="M"))
    assert make_windows(monthly)[0].shape[1] == 25
    assert make_windows(monthly.iloc[:60])[0].shape[1] == 14  # n / 4
    yearly = pd.Series(np.arange(100.0), index=pd.period_range(
        "1900", periods=100, freq="Y"))
    assert make_windows(yearly)[0].shape[1] == 8
    # every three months is quarterly, business month ends monthly, and a
    # minute ('min', not 'M') or a millisecond ('ms', not 'MS') neither
    for freq, lags in [("3MS", 9), ("BME", 25), ("BQE", 9), ("min", 8),
                       ("ms", 8), ("6MS", 8)]:
        series = pd.Series(np.arange(200.0), index=pd.date_range(
            "2000-01-01", periods=200, freq=freq))
        assert make_windows(series)[0].shape[1] == lags, freq


# ------------------------------------------------- known-future regressors
def arx(n=300, seed=0):
    """y_t = 0.5 y_{t-1} + 1.0 x_t + e_t, with x_t an AR(1) known ahead."""
    rng = np.random.default_rng(seed)
    x, y = np.zeros(n), np.zeros(n)
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + rng.standard_normal()
        y[t] = 0.5 * y[t - 1] + 1.0 * x[t] + 0.5 * rng.standard_normal()
    return pd.DataFrame({"y": y, "x": x}, index=pd.period_range(
        "1950Q1", periods=n, freq="Q"))


def test_known_future_regressor_matches_autoreg_with_exog():
    data = arx()
    X, y = make_windows(data, lags=4, known_future=["x"])
    # the last row of each window holds x in the target period
    np.testing.assert_array_equal(X[:, -1, 1], data["x"].to_numpy()[4:])
    n_train = 240
    model = SequenceForecaster(known_future=("x",), **FAST).fit(
        X[:n_train], y.iloc[:n_train])
    test = y.iloc[n_train:]
    rmse = np.sqrt(np.mean((model.predict(X[n_train:]) - test) ** 2))
    # statsmodels: AutoReg with x as exogenous regressor, same sample
    yv, xv = data["y"].to_numpy(), data["x"].to_numpy()
    res = AutoReg(yv[3:n_train + 4], lags=1, exog=xv[3:n_train + 4]).fit()
    pred = res.params[0] + res.params[1] * yv[n_train + 3:-1] + \
        res.params[2] * xv[n_train + 4:]
    rmse_ar = np.sqrt(np.mean((pred - test) ** 2))
    assert rmse < 1.1 * rmse_ar
    # forecast() reads x in the forecast periods from exog_future: moving
    # x at T+1 by 1 moves the one-step forecast by about its coefficient
    history = data.iloc[:n_train + 4]
    base = model.forecast(history, steps=3, exog_future=data[["x"]].iloc[
        n_train + 4:n_train + 7])
    bumped = data[["x"]].iloc[n_train + 4:n_train + 7].copy()
    bumped.iloc[0] += 1.0
    moved = model.forecast(history, steps=3, exog_future=bumped)
    assert 0.8 < moved.iloc[0] - base.iloc[0] < 1.2
    # ... and carries it through the AR: half of it a period later
    assert 0.3 < moved.iloc[1] - base.iloc[1] < 0.7
    with pytest.raises(ValueError, match="exog_future"):
        model.forecast(history, steps=1)
    with pytest.raises(ValueError, match="not columns"):
        make_windows(data, lags=4, known_future=["z"])
