"""Bad input to the time-series API: a clear error naming the problem, or a
correct result.

The time-series companion of ``tests/test_bad_input.py``: each case feeds
one public entry point (``make_windows``, ``SequenceForecaster`` fit,
predict, forecast and simulate, ``backtest``, ``plot_forecast``,
``fit_system``, ``impulse_response``, ``scenario``, ``PanelForecaster``)
one kind of bad input and asserts a ``ValueError``/``TypeError`` whose
message names the problem, or a correct result. The cases are those the
sweep (``benchmarks/forecast_sweep.py``, docs/forecasting.md) found
answered silently or by an internal error, with the right answers next
to them; a last test runs part of the sweep itself.
"""

import functools
import runpy
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

from econnn import (NNRegressor, PanelForecaster, SequenceForecaster,
                    backtest, fit_system, impulse_response, make_windows,
                    plot_forecast, scenario)
from econnn.engine import _training

matplotlib.use("Agg")

RNG = np.random.default_rng(0)
N, LAGS = 60, 4
IDX = pd.period_range("2000Q1", periods=N, freq="Q")
Y = pd.Series(np.cumsum(RNG.normal(size=N)) * 0.3, index=IDX, name="y")
FRAME = pd.concat([Y, pd.Series(RNG.normal(size=N), index=IDX, name="x")],
                  axis=1)
SYSTEM = pd.DataFrame(RNG.normal(size=(N, 2)).cumsum(axis=0) / 5,
                      columns=["gdp", "rate"], index=IDX)
PANEL = pd.concat([pd.DataFrame({
    "id": f"s{k}", "t": pd.period_range("2000Q1", periods=40, freq="Q"),
    "y": np.cumsum(RNG.normal(size=40)) + 10 * k}) for k in range(3)]
).set_index(["id", "t"])
FAST = dict(hidden_size=4, max_iter=3, random_state=0)
BT = dict(lags=LAGS, test_size=4, level=0.8)


def sf(**kw):
    return SequenceForecaster(**{**FAST, **kw})


@functools.cache
def fitted(kind="uni"):
    """Shared fitted models (cases must not modify them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "uni":
            return sf().fit(*make_windows(Y, lags=LAGS))
        if kind == "multi":
            return sf().fit(*make_windows(FRAME, lags=LAGS))
        if kind == "system":
            return fit_system(sf(), SYSTEM, lags=2)
        if kind == "panel":
            return PanelForecaster(sf(), lags=LAGS).fit(PANEL)
    raise KeyError(kind)


def fc(kind="uni", history=None, steps=3, **kw):
    history = {"uni": Y, "multi": FRAME}[kind] if history is None \
        else history
    return fitted(kind).forecast(history, steps, **kw)


def exog(values=(0.0, 0.0), index=None, **columns):
    return pd.DataFrame(columns or {"x": list(values)}, index=index)


def irf(**kw):
    return impulse_response(**{
        "forecasters": fitted("system"), "history": SYSTEM,
        "shock": "rate", "steps": 2, "n_paths": 200, "random_state": 0,
        **kw})


def scen(**kw):
    return scenario(**{
        "forecasters": fitted("system"), "history": SYSTEM,
        "path": {"rate": [1.0, 1.0]}, "n_paths": 200, "random_state": 0,
        **kw})


def plot(history, forecast, **kw):
    import matplotlib.pyplot as plt

    try:
        return plot_forecast(history, forecast, **kw)
    finally:
        plt.close("all")


def as_dates(data):
    return data.set_axis(data.index.to_timestamp(how="start"))


# ----------------------------------------------------------------- checks
def error(pattern, exc=ValueError):
    return ("error", exc, pattern)


def ok(check):
    return ("ok", check)


def float64_of_length(n):
    def check(result):
        assert len(result) == n
        values = np.asarray(result)
        assert values.dtype == np.float64 and np.isfinite(values).all()
    return check


def equal_to(reference):
    def check(result):
        np.testing.assert_allclose(result, reference(), rtol=1e-10)
    return check


CASES = []


def add(case_id, call, expect):
    CASES.append(pytest.param(call, expect, id=case_id))


# ------------------------------------------------------------ make_windows
add("windows-irregular-dates", lambda: make_windows(
    as_dates(Y).drop(as_dates(Y).index[5]), lags=LAGS),
    error("irregular dates"))
add("windows-regular-dates", lambda: make_windows(
    as_dates(Y), lags=LAGS)[1], ok(float64_of_length(N - LAGS)))
add("windows-known-future-string", lambda: make_windows(
    FRAME, lags=LAGS, known_future="x"),
    error("known_future must be a list", TypeError))
add("windows-duplicate-columns", lambda: make_windows(
    pd.concat([Y, Y], axis=1), lags=LAGS), error("duplicate column names"))
add("windows-record-variables", lambda: make_windows(
    FRAME, lags=LAGS, target="x", known_future=["y"])[1].attrs,
    ok(lambda attrs: attrs == {"variables": ["x", "y"],
                               "known_future": ["y"]}))

# ------------------------------------------------------ SequenceForecaster
add("fit-known-future-without-covariates", lambda: sf(
    known_future=["x"]).fit(*make_windows(Y, lags=LAGS)),
    error(r"known_future=\['x'\] names 1 covariate\(s\), but the windows "
          "have 0"))
add("fit-known-future-not-led-in-windows", lambda: sf(
    known_future=["x"]).fit(*make_windows(FRAME, lags=LAGS)),
    error("windows were made with known_future=.*pass the same list"))
add("fit-ar-order-beyond-window", lambda: sf(ar_order=10).fit(
    *make_windows(Y, lags=LAGS)), error("ar_order=10 is longer than the "
                                        r"windows \(n_timesteps=4\)"))
add("forecast-renamed-covariate", lambda: fc(
    "multi", history=FRAME.rename(columns={"x": "w"}), steps=1),
    error(r"history has columns \['y', 'w'\].*fitted on windows of "
          r"\['y', 'x'\]"))
add("forecast-reordered-columns", lambda: fc(
    "multi", history=FRAME[["x", "y"]], steps=1),
    error(r"history has columns \['x', 'y'\]"))
add("forecast-other-target", lambda: fc("multi", target="x", steps=1),
    error(r"history has columns \['x', 'y'\]"))
add("forecast-unnamed-history-of-a-named-series", lambda: fc(
    history=Y.rename(None)), ok(equal_to(fc)))
add("forecast-other-name-of-a-univariate-series", lambda: fc(
    history=Y.rename("z")),
    error(r"history has columns \['z'\].*fitted on windows of \['y'\]"))
add("forecast-other-frequency", lambda: fc(history=Y.set_axis(
    pd.period_range("2000-01", periods=N, freq="M"))),
    error("history has frequency 'M', but SequenceForecaster was fitted "
          "on 'Q-DEC'"))
# the same periods as dates: the same forecast
add("forecast-dates-of-the-periods", lambda: fc(history=as_dates(Y)),
    ok(equal_to(lambda: fc())))
# month-start dates for a model of quarters (whatever the anchor)
add("forecast-dates-of-another-frequency", lambda: fc(history=Y.set_axis(
    pd.date_range("2000-01-01", periods=N, freq="MS"))),
    error("history has frequency 'MS', but SequenceForecaster was fitted on "
          r"'Q-DEC' \(a datetime index, the model's a period one\)"))
add("forecast-dates-of-quarters-otherwise-anchored", lambda: fc(
    history=Y.set_axis(pd.date_range("2000-02-01", periods=N,
                                     freq="QS-NOV"))),
    ok(float64_of_length(3)))
add("forecast-int-history", lambda: fc(history=Y.round().astype(int)),
    ok(float64_of_length(3)))
add("forecast-float32-history", lambda: fc(history=Y.astype(np.float32)),
    ok(float64_of_length(3)))
add("forecast-level-string", lambda: fc(level="0.9"),
    error("level must be a probability"))
add("forecast-level-repeated", lambda: fc(level=[0.9, 0.9]),
    error("level has repeated values"))
add("forecast-quantiles-repeated", lambda: fc(quantiles=[0.5, 0.5]),
    error("quantiles has repeated values"))
# both columns would be 'q0.1': the second overwrote the first
add("forecast-quantiles-same-label", lambda: fc(
    quantiles=[0.1, 0.1000001]), error(r"as labelled: \['0.1', '0.1'\]"))
add("forecast-quantiles-unsorted", lambda: fc(quantiles=[0.9, 0.1]),
    ok(lambda r: (list(r.columns) == ["forecast", "q0.9", "q0.1"]) and
       (r["q0.9"] >= r["q0.1"]).all() or pytest.fail(str(r))))
add("forecast-exog-extra-column", lambda: fc(
    "multi", exog_future=exog(x=[0.0, 0.0], z=[1.0, 1.0])),
    error(r"exog_future has column\(s\) \['z'\] that are not covariates"))
add("forecast-exog-with-target", lambda: fc(
    "multi", exog_future=exog(y=[5.0, 5.0], x=[0.0, 0.0])),
    error(r"\['y'\] that are not covariates.*target 'y' is forecast"))
add("forecast-exog-other-periods", lambda: fc(
    "multi", exog_future=exog(index=pd.period_range(
        "1990Q1", periods=2, freq="Q"))),
    error("exog_future has periods 1990Q1 to 1990Q2; they must be 2015Q1 "
          "to 2015Q2"))
add("forecast-exog-other-frequency", lambda: fc(
    "multi", exog_future=exog(index=pd.period_range(
        "2015-01", periods=2, freq="M"))),
    error("exog_future has periods 2015-01"))
add("forecast-exog-right-periods", lambda: fc("multi", exog_future=exog(
    index=pd.period_range("2015Q1", periods=2, freq="Q"))),
    ok(equal_to(lambda: fc("multi", exog_future=exog()))))
add("forecast-exog-ndarray", lambda: fc(
    "multi", exog_future=np.zeros((2, 1))),
    ok(equal_to(lambda: fc("multi", exog_future=exog()))))
add("forecast-exog-without-covariates", lambda: fc(
    exog_future=exog([0.0] * 3)),
    error("exog_future was given, but history has no covariates"))

# ---------------------------------------------------------------- backtest
add("backtest-not-a-forecaster", lambda: backtest(
    NNRegressor(), Y, 2, **BT),
    error("forecaster must be a SequenceForecaster", TypeError))
add("backtest-level-string", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                              test_size=4, level="0.9"),
    error("level must be a probability"))
add("backtest-level-repeated", lambda: backtest(
    sf(), Y, 2, lags=LAGS, test_size=4, level=[0.8, 0.8]),
    error("level has repeated values"))
add("backtest-panel-level-repeated", lambda: backtest(
    PanelForecaster(sf(), lags=LAGS), PANEL, 2, test_size=2,
    level=[0.8, 0.8]), error("level has repeated values"))
add("backtest-max-ar-lags-0", lambda: backtest(sf(), Y, 2, **BT,
                                               max_ar_lags=0),
    error("max_ar_lags must be an integer >= 1"))
add("backtest-max-ar-lags-string", lambda: backtest(sf(), Y, 2, **BT,
                                                    max_ar_lags="5"),
    error("max_ar_lags must be an integer >= 1"))
add("backtest-cv-not-a-splitter", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, cv=3),
    error("cv must be a splitter", TypeError))
add("backtest-cv-beyond-horizon", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8,
    cv=TimeSeriesSplit(n_splits=2, test_size=5)),
    error("cv's test periods reach 5 periods after the end of training, "
          "beyond horizon=2"))

# ----------------------------------------------------------- plot_forecast
for value in (0, -5, 2.5):
    add(f"plot-n-history={value}", lambda value=value: plot(
        Y, fc(), n_history=value), error("n_history must be an integer"))
add("plot-empty-history", lambda: plot(Y.iloc[:0], fc()),
    error("history is empty"))
add("plot-nan-history", lambda: plot(Y.where(Y.index != IDX[-1]), fc()),
    error("history contains NaN"))
add("plot-nan-forecast", lambda: plot(Y, fc().where(
    np.arange(3) != 1)), error("forecast contains NaN"))
add("plot-band-without-upper", lambda: plot(
    Y, fc(level=0.9).drop(columns="upper_0.9")),
    error("forecast has lower_0.9 but no upper_0.9"))
add("plot-n-history", lambda: plot(Y, fc(level=0.9), n_history=8),
    ok(lambda ax: len(ax.lines[0].get_xdata()) == 8 or pytest.fail()))

# -------------------------------------------- fit_system, IRF and scenario
add("system-too-few-windows", lambda: fit_system(
    sf(), SYSTEM.iloc[:4], lags=2),
    error("2 windows of 2 periods, too few to estimate the residual "
          "covariance of 2 variables"))
add("irf-other-frequency", lambda: irf(history=SYSTEM.set_axis(
    pd.period_range("2000-01", periods=N, freq="M"))),
    error("history \\(target 'gdp'\\) has frequency 'M'"))
add("irf-forecasters-swapped", lambda: irf(forecasters={
    "gdp": fitted("system")["rate"], "rate": fitted("system")["gdp"]}),
    error(r"fitted on windows of \['rate', 'gdp'\]"))
add("irf-level-repeated", lambda: irf(level=[0.5, 0.5]),
    error("level has repeated values"))
add("irf-history-reordered", lambda: irf(history=SYSTEM[["rate", "gdp"]]),
    ok(lambda r: pd.testing.assert_frame_equal(
        r.sort_index(), irf().sort_index())))
add("scenario-path-strings", lambda: scen(path={"rate": ["a", "b"]}),
    error(r"path\['rate'\] must hold numbers"))
add("scenario-path-2d", lambda: scen(path={"rate": [[1.0, 1.0],
                                                   [2.0, 2.0]]}),
    error(r"path\['rate'\] must be one value per period"))
add("scenario-path-other-periods", lambda: scen(path={"rate": pd.Series(
    [1.0, 1.0], index=pd.period_range("1990Q1", periods=2, freq="Q"))}),
    error(r"path\['rate'\] is indexed from 1990Q1.*2015Q1"))
add("scenario-path-its-periods", lambda: scen(path={"rate": pd.Series(
    [1.0, 1.0], index=pd.period_range("2015Q1", periods=2, freq="Q"))}),
    ok(equal_to(lambda: scen())))

# ---------------------------------------------------------- PanelForecaster
add("panel-quantiles-repeated", lambda: fitted("panel").forecast(
    PANEL, 2, quantiles=[0.5, 0.5]), error("quantiles has repeated values"))
add("panel-irregular-dates", lambda: PanelForecaster(sf(), lags=LAGS).fit(
    PANEL.set_axis(pd.MultiIndex.from_arrays([
        PANEL.index.get_level_values(0), np.tile(np.r_[
            pd.date_range("2000", periods=39, freq="QS"),
            pd.DatetimeIndex(["2020-02-03"])], 3)]))),
    error("series 's0' of X has irregular dates"))


@pytest.mark.parametrize("call, expect", CASES)
def test_bad_input(call, expect):
    kind, *rest = expect
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of max_iter=3
        if kind == "error":
            exc, pattern = rest
            with pytest.raises(exc, match=pattern):
                call()
        else:
            rest[0](call())


# ---------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("fit", [
    lambda: sf().fit(*make_windows(Y, lags=LAGS)),
    lambda: PanelForecaster(sf(), lags=LAGS).fit(PANEL),
    lambda: backtest(sf(), Y, 2, **BT),
], ids=["sequence", "panel", "backtest"])
def test_keyboard_interrupt_propagates(monkeypatch, fit):
    def step(self, batch, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(_training.Net, "train_step", step)
    with pytest.raises(KeyboardInterrupt):
        fit()


# ------------------------------------------------------------ persistence
def test_save_load_keeps_the_history_checks(tmp_path):
    from econnn import load, save

    path = tmp_path / "model.safetensors"
    save(fitted("multi"), path)
    model = load(path)
    assert model._variables == ["y", "x"]
    with pytest.raises(ValueError, match="history has columns"):
        model.forecast(FRAME[["x", "y"]], 1)
    np.testing.assert_allclose(
        model.forecast(FRAME, 3, exog_future=exog()),
        fc("multi", exog_future=exog()))


# -------------------------------------------------------------- the sweep
def test_sweep_finds_nothing_bad():
    root = Path(__file__).resolve().parents[2]
    sweep = runpy.run_path(str(root / "benchmarks" / "forecast_sweep.py"))
    assert sweep["main"](["--only", "windows-"]) == 0
