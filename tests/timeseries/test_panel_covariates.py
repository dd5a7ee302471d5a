"""PanelForecaster with covariates: lagged ones and known-future regressors."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from econnn import PanelForecaster, SequenceForecaster, backtest

FAST = dict(hidden_size=8, max_iter=100, random_state=0)
N_SERIES, N_PERIODS, N_TEST = 20, 120, 20


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few epochs: ConvergenceWarning
        yield


def arx_panel(seed=0, n_series=N_SERIES, n=N_PERIODS, beta=(0.0, 2.0)):
    """y_it = a_i + 0.5 y_i,t-1 + b0 x_it + b1 x_i,t-1 + e_it, x an AR(1);
    ``beta = (b1, b0)``. Series differ in size (firms): y, x and e of
    series i are scaled by its own factor, so the slopes are common in
    raw units."""
    rng = np.random.default_rng(seed)
    parts = {}
    for i in range(n_series):
        a, size = rng.uniform(-2, 2), rng.uniform(0.5, 2)
        x, y = np.zeros(n + 50), np.zeros(n + 50)
        for t in range(1, n + 50):
            x[t] = 0.5 * x[t - 1] + rng.standard_normal()
            y[t] = (a + 0.5 * y[t - 1] + beta[1] * x[t] +
                    beta[0] * x[t - 1] + rng.standard_normal())
        parts[f"s{i}"] = pd.DataFrame(
            {"y": size * y[50:], "x": size * x[50:]},
            index=pd.period_range("1990Q1", periods=n, freq="Q"))
    return pd.concat(parts, names=["id", "t"])


def head(panel, n):
    return panel.groupby(level=0).head(n)


def rows(panel, start, stop):
    """Periods ``start`` to ``stop - 1`` of every series."""
    return panel.groupby(level=0).nth(list(range(start, stop)))


def pooled_ols(train, known):
    """Pooled OLS ARX(1) with a fixed effect per series, raw units:
    y_t on y_{t-1} and x_t (``known``) or x_{t-1}."""
    ids = train.index.unique(level=0)
    blocks = []
    for i, key in enumerate(ids):
        f = train.loc[key]
        x = f["x"].to_numpy()[1:] if known else f["x"].to_numpy()[:-1]
        blocks.append((f["y"].to_numpy()[1:], f["y"].to_numpy()[:-1], x,
                       np.full(len(f) - 1, i)))
    y, lag, x, owner = (np.concatenate(b) for b in zip(*blocks))
    A = np.column_stack([lag, x, np.eye(len(ids))[owner]])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return coef[0], coef[1], pd.Series(coef[2:], index=ids)


def rolling_rmse(panel, forecast):
    """One-step RMSE over the last N_TEST periods of every series."""
    errors = []
    for k in range(N_PERIODS - N_TEST, N_PERIODS):
        actual = rows(panel, k, k + 1)
        fc = forecast(head(panel, k), actual)
        errors.append(actual["y"].droplevel(1) - fc)
    return float(np.sqrt((pd.concat(errors) ** 2).mean()))


@pytest.fixture(scope="module")
def known():
    panel = arx_panel(0)
    model = PanelForecaster(SequenceForecaster(**FAST, known_future=["x"]),
                            lags=4).fit(head(panel, N_PERIODS - N_TEST))
    return panel, model


# ------------------------------------------------------ known-future ARX
def test_known_future_arx_matches_pooled_ols(known):
    panel, model = known
    train = head(panel, N_PERIODS - N_TEST)
    phi, beta, effects = pooled_ols(train, known=True)
    assert abs(phi - 0.5) < 0.05 and abs(beta - 2) < 0.1

    def ols(history, future):
        last = history.groupby(level=0).last()
        return effects + phi * last["y"] + beta * future["x"].droplevel(1)

    def global_model(history, future):
        return model.forecast(history, 1, exog_future=future[["x"]]) \
            .droplevel(1)

    rmse = {"global": rolling_rmse(panel, global_model),
            "ols": rolling_rmse(panel, ols)}
    assert rmse["global"] < 1.10 * rmse["ols"], rmse
    assert model.variables_ == ["y", "x"]
    assert model.ar_order_["levels"] >= 1


def test_moving_x_at_t_plus_1_moves_the_forecast_by_its_coefficient(known):
    panel, model = known
    n = N_PERIODS - N_TEST
    history, future = head(panel, n), rows(panel, n, n + 3)[["x"]]
    before = model.forecast(history, 3, exog_future=future)
    moved = future.copy()
    moved.loc[(slice(None), pd.Period("2015Q1", "Q")), "x"] += 1.0
    change = (model.forecast(history, 3, exog_future=moved) - before)
    change = change.unstack()
    # y = a + 0.5 y_{t-1} + 2 x_t: +2 at T+1, +1 at T+2 (through y_T+1),
    # +0.5 at T+3 (x is back on its path)
    np.testing.assert_allclose(change.mean(), [2.0, 1.0, 0.5], atol=0.15)
    assert change.iloc[:, 0].between(1.6, 2.4).all(), change.iloc[:, 0]


@pytest.mark.parametrize("config", [dict(horizon=2), dict(pooled_ar=False)],
                         ids=["direct-2", "ARX-per-series"])
def test_direct_horizons_and_arx_per_series_move_with_x(config):
    panel = arx_panel(0, n_series=10)
    train = head(panel, 100)
    model = PanelForecaster(SequenceForecaster(**FAST, known_future=["x"]),
                            lags=4, **config).fit(train)
    # horizon=2 reads x two periods ahead: 4 values for 3 steps
    future = rows(panel, 100, 104)[["x"]]
    moved = future.copy()
    moved.loc[(slice(None), pd.Period("2015Q1", "Q")), "x"] += 1.0
    change = (model.forecast(train, 3, exog_future=moved) -
              model.forecast(train, 3, exog_future=future)).unstack()
    np.testing.assert_allclose(change.mean(), [2.0, 1.0, 0.5], atol=0.15)
    if model.pooled_ar:
        # a new series (s0 times 10 plus 3, and its x alike) is
        # standardised on its own history: the forecast follows
        new = pd.concat([train, pd.concat({"new": train.loc["s0"] * 10 + 3},
                                          names=["id", "t"])])
        ahead = pd.concat([future, pd.concat(
            {"new": future.loc["s0"] * 10 + 3}, names=["id", "t"])])
        fc = model.forecast(new, 3, exog_future=ahead, ids=["new", "s0"])
        np.testing.assert_allclose(fc.loc["new"], 10 * fc.loc["s0"] + 3,
                                   rtol=1e-6)


def test_simulate_and_intervals_follow_the_given_path(known):
    panel, model = known
    n = N_PERIODS - N_TEST
    history, future = head(panel, n), rows(panel, n, n + 2)[["x"]]
    fc = model.forecast(history, 2, exog_future=future, level=0.9)
    paths = model.simulate(history, 2, n_paths=400, exog_future=future)
    assert paths.shape == (2 * N_SERIES, 400)
    np.testing.assert_allclose(paths.mean(axis=1), fc["forecast"], atol=0.3)
    inside = (fc["lower_0.9"] < fc["forecast"]) & \
        (fc["forecast"] < fc["upper_0.9"])
    assert inside.all()
    # the held-out errors of the holdout recursion used the realised x
    assert model.holdout_errors_.shape[1] >= 2
    assert np.isfinite(model.holdout_errors_["h1"]).all()


def test_backtest_is_conditional_on_the_realised_covariates(known):
    panel, model = known
    result = backtest(clone(model), head(panel, 90), horizon=2, test_size=4,
                      refit_every=4)
    scores = result.scores
    # the AR beside it does not see x, which explains most of y
    assert scores.loc[("forecaster", 1), "rmsse"] < \
        0.7 * scores.loc[("AR(AIC)", 1), "rmsse"], scores


def test_backtest_of_a_direct_model_skips_origins_without_x_ahead():
    panel = arx_panel(4, n_series=4, n=40)
    model = PanelForecaster(SequenceForecaster(
        hidden_size=4, max_iter=10, random_state=0, known_future=["x"]),
        lags=2, horizon=2)
    result = backtest(model, panel, horizon=2, test_size=3)
    # origins 3 and 2 periods before the end; the last one (1 period
    # after it, the model reads x 2 ahead) is skipped
    assert result.scores.loc[("forecaster", 1), "n"] == 2 * 4
    assert result.scores.loc[("AR(AIC)", 1), "n"] == 2 * 4


# ----------------------------------------------------- lagged covariates
def test_lagged_covariate_and_multistep_needs_its_path():
    panel = arx_panel(1, n_series=10, beta=(1.5, 0.0))
    train = head(panel, N_PERIODS - N_TEST)
    model = PanelForecaster(SequenceForecaster(**FAST), lags=4).fit(train)
    phi, beta, effects = pooled_ols(train, known=False)

    def ols(history, future):
        last = history.groupby(level=0).last()
        return effects + phi * last["y"] + beta * last["x"]

    def global_model(history, future):
        # one step ahead the lagged x is in the window: no exog_future
        return model.forecast(history, 1).droplevel(1)

    rmse = {"global": rolling_rmse(panel, global_model),
            "ols": rolling_rmse(panel, ols)}
    assert rmse["global"] < 1.10 * rmse["ols"], rmse
    # beyond one step x is not forecast: its path must be given
    with pytest.raises(ValueError, match=r"needs their future values.*"
                                         r"\['x'\] for the 2 period"):
        model.forecast(train, 3)
    n = N_PERIODS - N_TEST
    fc = model.forecast(train, 3, exog_future=rows(panel, n, n + 2)[["x"]])
    assert fc.notna().all() and len(fc) == 30


def test_a_differenced_panel_differences_its_covariates():
    # y integrated: y_t = y_{t-1} + 2 dx_t + e, i.e. y = 2 x + random walk
    rng = np.random.default_rng(2)
    parts = {}
    for i in range(8):
        x = np.cumsum(rng.standard_normal(80)) * (1 + i)
        y = 2 * x + np.cumsum(rng.standard_normal(80))
        parts[f"s{i}"] = pd.DataFrame(
            {"y": y, "x": x}, index=pd.period_range("2000-01", periods=80,
                                                    freq="M"))
    panel = pd.concat(parts, names=["id", "t"])
    train = head(panel, 79)
    model = PanelForecaster(SequenceForecaster(
        **FAST, difference=True, known_future=("x",)), lags=3).fit(train)
    assert model.series_["difference"].all()
    dx = np.diff(train.loc["s3", "x"].to_numpy())
    assert model.covariates_.loc["s3", ("x", "location")] == \
        pytest.approx(dx.mean())
    assert model.covariates_.loc["s3", ("x", "scale")] == \
        pytest.approx(dx.std())
    future = rows(panel, 79, 80)[["x"]]
    before = model.forecast(train, 1, exog_future=future)
    after = model.forecast(train, 1, exog_future=future + 1)
    assert (after - before).between(1.5, 2.5).all(), after - before


def test_id_column_layout_for_exog_future():
    panel = arx_panel(3, n_series=4, n=40)
    flat = panel.reset_index(level=0)
    model = PanelForecaster(SequenceForecaster(
        hidden_size=4, max_iter=10, random_state=0, known_future=["x"]),
        lags=2, id_column="id").fit(flat.groupby("id").head(38))
    future = flat.groupby("id").nth([38, 39])[["id", "x"]]
    fc = model.forecast(flat.groupby("id").head(38), 2, exog_future=future)
    assert fc.index.names == ["id", "t"] and len(fc) == 8


def test_save_and_load_keep_the_covariates(known, tmp_path):
    from econnn import load, save

    panel, model = known
    save(model, tmp_path / "arx.safetensors")
    loaded = load(tmp_path / "arx.safetensors")
    n = N_PERIODS - N_TEST
    history, future = head(panel, n), rows(panel, n, n + 3)[["x"]]
    pd.testing.assert_frame_equal(
        loaded.forecast(history, 3, exog_future=future, level=0.9),
        model.forecast(history, 3, exog_future=future, level=0.9))
    pd.testing.assert_frame_equal(loaded.covariates_, model.covariates_)
    assert loaded.variables_ == ["y", "x"]
    with pytest.raises(ValueError, match="pass exog_future"):
        loaded.forecast(history, 1)


def test_dated_panel_exog_future_must_have_the_forecast_dates():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2000", periods=40, freq="QS")
    parts = {}
    for k in "abc":
        x = rng.standard_normal(40)
        parts[k] = pd.DataFrame({"y": 2 * x + rng.standard_normal(40),
                                 "x": x}, index=dates)
    panel = pd.concat(parts, names=["id", "t"])
    train = head(panel, 38)
    model = PanelForecaster(SequenceForecaster(
        hidden_size=4, max_iter=10, random_state=0, known_future=["x"]),
        lags=2).fit(train)
    future = rows(panel, 38, 40)[["x"]]
    fc = model.forecast(train, 2, exog_future=future)
    assert list(fc.loc["a"].index) == list(dates[38:])
    monthly = future.copy()
    monthly.index = pd.MultiIndex.from_arrays([
        future.index.get_level_values(0),
        pd.DatetimeIndex(["2009-07-01", "2009-08-01"] * 3)])
    with pytest.raises(ValueError, match="the forecast needs"):
        model.forecast(train, 2, exog_future=monthly)


# --------------------------------------------------------------- bad input
def test_bad_exog_future_is_refused_by_name(known):
    panel, model = known
    n = N_PERIODS - N_TEST
    history, future = head(panel, n), rows(panel, n, n + 2)[["x"]]
    with pytest.raises(ValueError, match=r"pass exog_future.*\['x'\]"):
        model.forecast(history, 2)
    with pytest.raises(ValueError, match="series 's0' starts at 2015Q2; it "
                                         "must start at 2015Q1"):
        model.forecast(history, 1, exog_future=rows(panel, n + 1, n + 2)[
            ["x"]])
    with pytest.raises(ValueError, match="1 period.*needs 2"):
        model.forecast(history, 2, exog_future=rows(panel, n, n + 1)[["x"]])
    with pytest.raises(ValueError, match=r"no rows for series \['s0'\]"):
        model.forecast(history, 2, exog_future=future.drop("s0", level=0))
    with pytest.raises(ValueError, match=r"series \['s0'\] that are not in "
                                         "X"):
        model.forecast(history.drop("s0", level=0), 2, exog_future=future)
    nan = future.copy()
    nan.iloc[3, 0] = np.nan
    with pytest.raises(ValueError, match="exog_future contains NaN"):
        model.forecast(history, 2, exog_future=nan)
    with pytest.raises(ValueError, match=r"column\(s\) \['w'\] that are not "
                                         "covariates"):
        model.forecast(history, 2, exog_future=future.assign(w=1.0))
    with pytest.raises(ValueError, match="target column 'y'"):
        model.forecast(history, 2, exog_future=rows(panel, n, n + 2))
    with pytest.raises(TypeError, match="long format"):
        model.forecast(history, 2, exog_future=future.to_numpy())
    with pytest.raises(ValueError, match=r"missing \['x'\]"):
        model.forecast(history[["y"]], 2, exog_future=future)
    univariate = PanelForecaster(SequenceForecaster(
        hidden_size=4, max_iter=5, random_state=0), lags=2).fit(
            history[["y"]])
    with pytest.raises(ValueError, match="fitted without covariates"):
        univariate.forecast(history[["y"]], 2, exog_future=future)
    # a lagged covariate w beside the known x: w is needed only beyond
    # the first step, x at every step
    small = head(history.loc[["s0", "s1"]], 40)
    small = small.assign(w=1.0 + np.arange(len(small)) % 3)
    both = PanelForecaster(SequenceForecaster(
        hidden_size=4, max_iter=5, random_state=0, known_future=["x"]),
        lags=2).fit(small)
    ahead = rows(panel, 40, 42).loc[["s0", "s1"], ["x"]]
    assert both.forecast(small, 1, exog_future=ahead).notna().all()
    with pytest.raises(ValueError, match=r"lacks the covariate column\(s\) "
                                         r"\['w'\]"):
        both.forecast(small, 2, exog_future=ahead)


def test_bad_known_future_is_refused_at_fit(known):
    panel, _ = known
    for names, message in [(["z"], r"known_future column\(s\) \['z'\] are "
                                   "not columns of X"),
                           (["y"], "cannot include the target 'y'")]:
        with pytest.raises(ValueError, match=message):
            PanelForecaster(SequenceForecaster(known_future=names),
                            lags=2).fit(panel)


def test_benchmark_tiny():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "benchmarks" /
                             "forecast_panel_covariates.py"), "--tiny"],
        capture_output=True, text=True, cwd=root, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pooled OLS ARX" in out.stdout and "with value, capital" in \
        out.stdout
