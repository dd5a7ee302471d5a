"""PanelForecaster and panel windows: pooling, per-series units, errors."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from econnn import (PanelForecaster, SequenceForecaster, backtest,
                    make_windows, plot_forecast)

FAST = dict(hidden_size=8, max_iter=100, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few epochs: ConvergenceWarning
        yield


def long_panel(series, freq="Q", start="1990Q1", names=("id", "t")):
    """A long-format Series from id -> values."""
    parts = {k: pd.Series(v, index=pd.period_range(start, periods=len(v),
                                                   freq=freq))
             for k, v in series.items()}
    return pd.concat(parts, names=list(names)).rename("y")


def ar_path(n, phi, rng, burn=50):
    y = np.zeros(n + burn)
    for t in range(1, n + burn):
        y[t] = phi * y[t - 1] + rng.standard_normal()
    return y[burn:]


def setar_panel(n_series, n, seed):
    """Many short series from one threshold AR (scaled and shifted)."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_series):
        y = np.zeros(n + 50)
        for t in range(1, n + 50):
            y[t] = (0.9 * y[t - 1] + 0.5 if y[t - 1] < 0
                    else -1.2 * y[t - 1] + 0.5) + 0.4 * rng.standard_normal()
        out[f"s{i}"] = y[50:] * (1 + i) + 3 * i
    return long_panel(out, freq="Y", start="1950")


def one_step_errors(panel, n_test, forecast):
    """Rolling one-step errors over each series' last ``n_test`` periods."""
    length = panel.groupby(level=0).size().iloc[0]
    errors = []
    for k in range(n_test):
        history = panel.groupby(level=0).head(length - n_test + k)
        actual = panel.groupby(level=0).nth(length - n_test + k)
        actual.index = actual.index.droplevel(1)
        errors.append(actual - forecast(history))
    return pd.concat(errors, axis=1)


# ------------------------------------------------------------------ windows
def test_panel_windows_never_cross_series():
    # series k holds 1000 k + t: a window's values tell its series
    lengths = {"a": 12, "b": 9, "c": 15}
    panel = long_panel({k: 1000 * i + np.arange(n, dtype=float)
                        for i, (k, n) in enumerate(lengths.items())})
    X, y = make_windows(panel, lags=3, horizon=2)
    assert X.shape == (sum(n - 4 for n in lengths.values()), 3, 1)
    assert y.index.names == ["id", "t"] and list(y.columns) == ["h1", "h2"]
    owner = X[:, :, 0] // 1000
    assert (owner == owner[:, :1]).all()
    ids = np.array(["abc"[int(i)] for i in owner[:, 0]])
    np.testing.assert_array_equal(ids, y.index.get_level_values(0))
    np.testing.assert_array_equal(y["h1"], X[:, -1, 0] + 1)
    # the same panel with the id in a column, rows interleaved by period
    flat = panel.reset_index(level=0).sort_index(kind="stable")
    X2, y2 = make_windows(flat, lags=3, horizon=2, id_column="id")
    np.testing.assert_array_equal(X2, X)


# --------------------------------------------------------- the global model
@pytest.fixture(scope="module")
def mixed():
    """A random walk with drift and three stationary AR(1)s."""
    rng = np.random.default_rng(3)
    series = {"rw": 50 + np.cumsum(0.3 + rng.standard_normal(160)),
              "ar1": ar_path(160, 0.5, rng),
              "ar2": 5 + ar_path(160, 0.7, rng),
              "ar3": ar_path(160, 0.3, rng)}
    panel = long_panel(series)
    return panel, PanelForecaster(SequenceForecaster(**FAST), lags=4) \
        .fit(panel)


def test_per_series_stationarity_decision(mixed):
    panel, model = mixed
    table = model.series_
    assert table.index.name == "id"
    assert bool(table.loc["rw", "difference"]) is True
    assert not table.loc[["ar1", "ar2", "ar3"], "difference"].any()
    assert table.loc["rw", "adf_pvalue"] > 0.05 > \
        table.loc["rw", "kpss_pvalue"]
    # windows after differencing: one fewer; a quarter of each held out
    assert table.loc["rw", "n_windows"] == 160 - 1 - 4
    assert table.loc["ar1", "n_windows"] == 160 - 4
    assert table.loc["ar1", "n_held_out"] == 39
    # the random walk's forecast starts from its last value
    fc = model.forecast(panel, steps=2)
    assert abs(fc.loc[("rw",)].iloc[0] - panel.loc["rw"].iloc[-1]) < 1.5
    assert set(model.error_scales_) == {"levels", "changes"}
    assert set(model.forecasters_) == {"levels", "changes"}


def test_per_series_scaling_maps_forecasts_to_each_series_units(mixed):
    panel, model = mixed
    scaled = panel.copy()
    scaled.loc["ar2"] = scaled.loc["ar2"].to_numpy() * 1000
    refit = clone(model).fit(scaled)
    kw = dict(steps=5, level=0.8, quantiles=(0.25,))
    before, after = model.forecast(panel, **kw), refit.forecast(scaled, **kw)
    np.testing.assert_allclose(after.loc["ar2"], 1000 * before.loc["ar2"],
                               rtol=1e-5)
    others = ["rw", "ar1", "ar3"]
    np.testing.assert_allclose(after.loc[others], before.loc[others],
                               rtol=1e-5, atol=1e-6)
    assert refit.series_.loc["ar2", "scale"] == pytest.approx(
        1000 * model.series_.loc["ar2", "scale"])


def test_forecast_long_format_subsets_intervals_and_paths(mixed):
    panel, model = mixed
    fc = model.forecast(panel, steps=3, ids=["ar2", "rw"], level=(0.8, 0.95),
                        quantiles=(0.5,))
    assert fc.index.names == ["id", "t"]
    assert list(fc.index.get_level_values(0)) == ["ar2"] * 3 + ["rw"] * 3
    assert str(fc.index.get_level_values(1)[0]) == "2030Q1"
    assert list(fc.columns) == ["forecast", "lower_0.8", "upper_0.8",
                                "lower_0.95", "upper_0.95", "q0.5"]
    assert (fc["lower_0.95"] < fc["lower_0.8"]).all()
    assert (fc["lower_0.8"] < fc["forecast"]).all()
    assert (fc["upper_0.8"] < fc["upper_0.95"]).all()
    np.testing.assert_allclose(fc["q0.5"], fc["forecast"])
    # the random walk's band widens with the horizon
    width = (fc["upper_0.8"] - fc["lower_0.8"]).loc["rw"].to_numpy()
    assert width[2] > 1.3 * width[0]
    paths = model.simulate(panel, steps=3, n_paths=400, ids="ar1")
    assert paths.shape == (3, 400) and paths.index.names == ["id", "t"]
    sim = model.forecast(panel, steps=3, ids="ar1", level=0.8,
                         method="paths", n_paths=400)
    np.testing.assert_allclose(sim["forecast"],
                               model.forecast(panel, 3, ids="ar1"),
                               rtol=1e-5)
    assert (sim["lower_0.8"] < sim["forecast"]).all()
    with pytest.raises(ValueError, match="at least 400"):
        model.forecast(panel, 3, level=0.95, method="paths", n_paths=50)


def test_global_model_learns_a_common_nonlinear_process():
    # 10 series of 50 years from one threshold AR: the pooled network finds
    # the threshold that no single series is long enough to show
    panel = setar_panel(10, 50, seed=0)
    n_test = 10
    train = panel.groupby(level=0).head(40)
    model = PanelForecaster(SequenceForecaster(**FAST), lags=4).fit(train)
    assert model.gate_["levels"] > 0.5
    # fed its own point forecasts the network helps less: step gates
    # start at the one-step gate and never grow
    gates = model.step_gates_["levels"]
    assert gates[0] == model.gate_["levels"] and len(gates) > 1
    assert (np.diff(gates) <= 0).all()
    singles = {k: SequenceForecaster(**FAST).fit(
        *make_windows(train.loc[k], lags=4)) for k in model.ids_}
    scale = pd.Series(np.arange(1, 11.0), index=model.ids_)

    def per_series(history):
        return pd.Series({k: singles[k].forecast(history.loc[k], 1).iloc[0]
                          for k in model.ids_})

    def pooled(history):
        return model.forecast(history, 1).droplevel(1)

    rmse = {name: float(np.sqrt(np.mean(
        (one_step_errors(panel, n_test, f).div(scale, axis=0)) ** 2)))
        for name, f in [("global", pooled), ("single", per_series)]}
    # noise s.d. 0.4: the global model is near it, the single fits are not
    assert rmse["global"] < 0.85 * rmse["single"], rmse
    assert rmse["global"] < 0.5, rmse


def test_linear_panel_matches_pooled_ols_autoregression():
    rng = np.random.default_rng(1)
    n, n_test = 60, 10
    means, sds = rng.uniform(-5, 5, 20), rng.uniform(0.5, 2, 20)
    panel = long_panel({f"s{i}": means[i] + sds[i] * ar_path(n, 0.6, rng)
                        for i in range(20)})
    train = panel.groupby(level=0).head(n - n_test)
    model = PanelForecaster(SequenceForecaster(**FAST), lags=4).fit(train)
    # pooled OLS AR(1) with a fixed effect per series, on the raw data
    y_lag, y_now, dummies = [], [], []
    for i, k in enumerate(model.ids_):
        y = train.loc[k].to_numpy()
        y_lag.append(y[:-1])
        y_now.append(y[1:])
        dummies.append(np.full(len(y) - 1, i))
    D = np.eye(20)[np.concatenate(dummies)]
    A = np.column_stack([np.concatenate(y_lag), D])
    coef = np.linalg.lstsq(A, np.concatenate(y_now), rcond=None)[0]
    phi, effects = coef[0], pd.Series(coef[1:], index=model.ids_)

    def ols(history):
        last = history.groupby(level=0).last()
        return effects + phi * last.reindex(model.ids_)

    def pooled(history):
        return model.forecast(history, 1).droplevel(1)

    sd = pd.Series(sds, index=model.ids_)
    rmse = {name: float(np.sqrt(np.mean(
        (one_step_errors(panel, n_test, f).div(sd, axis=0)) ** 2)))
        for name, f in [("global", pooled), ("ols", ols)]}
    assert rmse["global"] < 1.04 * rmse["ols"], rmse
    assert 0.4 < phi < 0.75


def test_ar_per_series_for_series_of_different_persistence():
    from statsmodels.tsa.ar_model import ar_select_order

    rng = np.random.default_rng(0)
    phis = [0.95, 0.9, 0.2, 0.1, 0.5, -0.3] * 2
    panel = long_panel({f"s{i}": ar_path(120, p, rng)
                        for i, p in enumerate(phis)})
    train = panel.groupby(level=0).head(100)
    rmse = {}
    for pooled in (True, False):
        model = PanelForecaster(SequenceForecaster(**FAST, difference=False),
                                lags=4, pooled_ar=pooled).fit(train)
        errors = one_step_errors(panel, 20, lambda h: model.forecast(
            h, 1).droplevel(1))
        rmse[pooled] = float(np.sqrt((errors ** 2).mean().mean()))
    # one slope cannot fit persistence from -0.3 to 0.95
    assert rmse[False] < 0.93 * rmse[True], rmse
    # each series' AR order is statsmodels' AIC choice on the same sample
    assert model.ar_order_ is None
    expected = [max(ar_select_order(train.loc[k].to_numpy(), maxlag=4,
                                    ic="aic", trend="c").ar_lags or [0])
                for k in model.ids_]
    assert model.series_["ar_order"].tolist() == expected
    fc = model.forecast(train, 3, level=0.9, method="paths", n_paths=400)
    assert (fc["lower_0.9"] < fc["upper_0.9"]).all()


# --------------------------------------------------------------- bad input
def test_bad_panels_are_refused_by_name():
    rng = np.random.default_rng(0)
    panel = long_panel({"a": rng.standard_normal(30),
                        "b": rng.standard_normal(30)})
    model = PanelForecaster(SequenceForecaster(**FAST), lags=3)
    with pytest.raises(ValueError, match=r"duplicate \(id, period\)"):
        model.fit(pd.concat([panel, panel.iloc[:1]]))
    swapped = panel.copy()
    swapped.index = panel.index[[1, 0] + list(range(2, len(panel)))]
    with pytest.raises(ValueError, match="series 'a' of X must be sorted"):
        model.fit(swapped)
    with pytest.raises(ValueError, match="series 'b' of X has missing "
                                         "periods"):
        model.fit(panel.drop(panel.index[40]))
    with pytest.raises(ValueError, match="NaN"):
        model.fit(panel.where(np.arange(len(panel)) != 35))
    short = pd.concat([panel, long_panel({"c": np.arange(3.0)})])
    with pytest.raises(ValueError, match=r"series \['c'\] of X have \[3\] "
                                         "periods"):
        model.fit(short)
    monthly = long_panel({"c": rng.standard_normal(30)}, freq="M",
                         start="1990-01")
    with pytest.raises(ValueError, match="mixes frequencies"):
        model.fit(pd.concat([panel, monthly]))
    dates = pd.concat({
        "a": pd.Series(np.ones(20), pd.date_range("2000", periods=20,
                                                  freq="QS")),
        "b": pd.Series(np.ones(20), pd.date_range("2000", periods=20,
                                                  freq="MS"))})
    with pytest.raises(ValueError, match="mixes frequencies"):
        model.fit(dates)
    irregular = dates.copy()
    irregular.index = pd.MultiIndex.from_arrays([
        ["a"] * 40, pd.DatetimeIndex(np.sort(np.r_[
            pd.date_range("2000", periods=20, freq="QS").to_numpy(),
            pd.date_range("2010-02-03", periods=20, freq="D").to_numpy()]))])
    with pytest.raises(ValueError, match="irregular dates"):
        model.fit(irregular)
    with pytest.raises(TypeError, match=r"\(series id, period\)"):
        model.fit(panel.loc["a"])
    with pytest.raises(TypeError, match="must be the period"):
        model.fit(panel.reset_index(level=1, drop=True).to_frame()
                  .set_index(pd.RangeIndex(60), append=True))
    # other columns are covariates (tests/timeseries/test_panel_covariates.py)
    wide = panel.to_frame().assign(x=1.0)
    with pytest.raises(ValueError, match="target='z' is not a column"):
        clone(model).set_params(target="z").fit(wide)
    with pytest.raises(ValueError, match="id_column='firm' is not a column"):
        PanelForecaster(id_column="firm").fit(panel.reset_index(level=0))
    with pytest.raises(ValueError, match="y must be None"):
        model.fit(panel, panel)
    with pytest.raises(TypeError, match="must be a SequenceForecaster"):
        PanelForecaster(forecaster=PanelForecaster()).fit(panel)
    with pytest.raises(ValueError, match="seasonal-difference ARs"):
        PanelForecaster(forecaster=SequenceForecaster(
            seasonal_ar=True)).fit(panel)
    # the windows of a panel are not one series
    X, y = make_windows(panel, lags=3)
    with pytest.raises(ValueError, match="fit PanelForecaster"):
        SequenceForecaster(**FAST).fit(X, y)


def test_new_series_forecast_from_their_own_history(mixed):
    panel, model = mixed
    # a series not seen in fit: decided and standardised on its own
    # history, then forecast by the global model
    copy = 1000 * panel.loc["ar1"] + 5
    new = pd.concat([panel, pd.concat({"new": copy}, names=["id", "t"])])
    kw = dict(steps=3, level=0.8)
    fc = model.forecast(new, ids=["new", "ar1"], **kw)
    np.testing.assert_allclose(fc.loc["new"], 1000 * fc.loc["ar1"] + 5,
                               rtol=1e-6)
    assert "new" not in model.series_.index  # forecast changes nothing
    local = PanelForecaster(SequenceForecaster(**FAST), lags=4,
                            pooled_ar=False).fit(panel)
    with pytest.raises(ValueError, match="pooled_ar=False every series"):
        local.forecast(new, 2)


def test_pickle_and_save_round_trips(mixed, tmp_path):
    import pickle

    from econnn import load, save

    panel, model = mixed
    kw = dict(steps=3, level=0.8)
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(again.forecast(panel, **kw),
                                  model.forecast(panel, **kw))
    # econnn.save: data only (the global models nested, tables as data)
    save(model, tmp_path / "panel.safetensors")
    loaded = load(tmp_path / "panel.safetensors")
    assert sorted(loaded.forecasters_) == ["changes", "levels"]
    for request in [kw, dict(steps=5, quantiles=(0.1, 0.5), method="paths",
                             n_paths=200)]:
        pd.testing.assert_frame_equal(loaded.forecast(panel, **request),
                                      model.forecast(panel, **request))
    pd.testing.assert_frame_equal(loaded.simulate(panel, 2, n_paths=20),
                                  model.simulate(panel, 2, n_paths=20))
    pd.testing.assert_frame_equal(loaded.series_, model.series_)
    pd.testing.assert_frame_equal(loaded.holdout_errors_,
                                  model.holdout_errors_)
    pd.testing.assert_index_equal(loaded.ids_, model.ids_)
    assert loaded.get_params()["forecaster"].get_params() == \
        model.get_params()["forecaster"].get_params()


def test_forecast_refuses_bad_requests(mixed):
    panel, model = mixed
    with pytest.raises(ValueError, match=r"ids \['zz'\] are not series"):
        model.forecast(panel, 2, ids=["zz"])
    monthly = long_panel({"ar1": np.arange(40.0)}, freq="M", start="1990-01")
    with pytest.raises(ValueError, match="fitted on 'Q-DEC'"):
        model.forecast(monthly, 2)
    with pytest.raises(ValueError, match="steps"):
        model.forecast(panel, 0)
    with pytest.raises(TypeError, match="is a panel"):
        plot_forecast(panel, model.forecast(panel, 2))


def test_fan_chart_of_one_series_of_a_panel(mixed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panel, model = mixed
    fc = model.forecast(panel, 4, level=(0.8, 0.95))
    ax = plot_forecast(panel, fc, series="rw", n_history=20)
    assert ax.get_title() == "rw"
    line = ax.get_lines()[-1].get_ydata()
    np.testing.assert_allclose(line[1:], fc.loc["rw", "forecast"])
    assert line[0] == panel.loc["rw"].iloc[-1]
    plt.close("all")
    with pytest.raises(ValueError, match="'zz' is not a series of history"):
        plot_forecast(panel, fc, series="zz")
    with pytest.raises(TypeError, match="not indexed by"):
        plot_forecast(panel.loc["rw"], fc, series="rw")


def test_backtest_a_panel_beside_ar_per_series():
    panel = setar_panel(6, 40, seed=1)
    model = PanelForecaster(SequenceForecaster(hidden_size=4, max_iter=20,
                                               random_state=0), lags=3)
    result = backtest(model, panel, horizon=2, test_size=4, refit_every=2)
    scores = result.scores
    assert list(scores.columns) == ["n", "rmsse", "mase", "coverage_0.8",
                                    "coverage_0.95"]
    # 6 series x 4 origins at h=1; the last origin has no h=2
    assert scores.loc[("forecaster", 1), "n"] == 24
    assert scores.loc[("AR(AIC)", 2), "n"] == 18
    assert set(result.forecasts["id"]) == set(panel.index.levels[0])
    np.testing.assert_allclose(result.relative().loc[:, "AR(AIC)"], 1.0)
    # the pooled scaled error by hand
    f = result.forecasts[(result.forecasts.model == "AR(AIC)") &
                         (result.forecasts.horizon == 1)]
    rms = {k: np.sqrt(np.mean(np.diff(panel.loc[k].to_numpy()[:-4]) ** 2))
           for k in panel.index.levels[0]}
    by_hand = np.sqrt(np.mean(((f.actual - f.forecast) /
                               f["id"].map(rms)) ** 2))
    assert scores.loc[("AR(AIC)", 1), "rmsse"] == pytest.approx(by_hand)
    assert not result.difference.any()
    flat = panel.reset_index(level=0)
    by_column = backtest(clone(model).set_params(id_column="id"), flat,
                         horizon=2, test_size=4, refit_every=2)
    np.testing.assert_allclose(by_column.scores, scores)
    with pytest.raises(ValueError, match="For a panel"):
        backtest(model, panel, horizon=2, window="rolling")
    with pytest.raises(TypeError, match="evaluated with a PanelForecaster"):
        backtest(SequenceForecaster(), panel, horizon=2)


def test_benchmark_tiny(tmp_path):
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "forecast_panel.py"),
         "--tiny"], capture_output=True, text=True, cwd=root, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "global" in out.stdout and "pooled AR" in out.stdout


def test_fan_chart_plots_the_target_column_of_a_frame():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = pd.period_range("2000Q1", periods=8, freq="Q")
    history = pd.DataFrame({"x": np.arange(8.0), "y": 10 + np.arange(8.0)},
                           index=idx)
    fc = pd.DataFrame({"forecast": [18.0, 19.0]},
                      index=pd.period_range("2002Q1", periods=2, freq="Q"))
    ax = plot_forecast(history, fc, target="y")
    assert ax.get_lines()[-1].get_ydata()[0] == 17.0  # joined to y's end
    ax = plot_forecast(history, fc)  # the first column by default
    assert ax.get_lines()[-1].get_ydata()[0] == 7.0
    plt.close("all")
    with pytest.raises(ValueError, match="'z' is not a column of history"):
        plot_forecast(history, fc, target="z")
    with pytest.raises(ValueError, match="names a column of a DataFrame"):
        plot_forecast(history["y"], fc, target="y")
