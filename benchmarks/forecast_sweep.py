"""Bad-input sweep of the time-series API: run every probe, classify it.

Each probe feeds one public entry point (make_windows, SequenceForecaster
fit/predict/forecast/simulate, backtest, plot_forecast, impulse_response,
scenario, fit_system, PanelForecaster) one kind of bad or awkward input and
is classified as

* ``error``: a ValueError/TypeError raised by econnn itself (the message is
  printed, to be read: it must name the problem);
* ``ok``: a result that passes the probe's check (finite, float64, right
  shape, or equal to a reference);
* ``BAD``: an error raised from inside numpy/pandas/torch/statsmodels, an
  error of another type, a result where an error was expected (silent), or
  a result that fails its check (NaN, wrong dtype, wrong values).

Usage::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/forecast_sweep.py
    ... --only forecast      # probes whose id contains 'forecast'

Prints one line per probe and the counts; exits 1 if any probe is BAD.
"""

import argparse
import copy
import functools
import os
import pickle
import sys
import tempfile
import traceback
import warnings

import numpy as np
import pandas as pd

from econnn import (PanelForecaster, SequenceForecaster, backtest,
                    fit_system, impulse_response, load, make_windows,
                    plot_forecast, save, scenario)

RNG = np.random.default_rng(0)
N = 60
IDX = pd.period_range("2000Q1", periods=N, freq="Q")
Y = pd.Series(np.cumsum(RNG.normal(size=N)) * 0.3 + 0.2 * RNG.normal(size=N),
              index=IDX, name="y")
XV = pd.Series(RNG.normal(size=N), index=IDX, name="x")
FRAME = pd.concat([Y, XV], axis=1)
SYSTEM_DATA = pd.DataFrame(RNG.normal(size=(N, 2)).cumsum(axis=0) / 5,
                           columns=["gdp", "rate"], index=IDX)
FAST = dict(hidden_size=4, max_iter=3, random_state=0)
LAGS = 4


def sf(**kw):
    return SequenceForecaster(**{**FAST, **kw})


@functools.cache
def fitted(kind="uni"):
    """Shared fitted forecasters (probes must not modify them)."""
    if kind == "uni":
        return sf().fit(*make_windows(Y, lags=LAGS))
    if kind == "multi":
        return sf().fit(*make_windows(FRAME, lags=LAGS))
    if kind == "known":
        return sf(known_future=["x"]).fit(
            *make_windows(FRAME, lags=LAGS, known_future=["x"]))
    if kind == "h2":
        return sf().fit(*make_windows(Y, lags=LAGS, horizon=2))
    if kind == "system":
        return fit_system(sf(), SYSTEM_DATA, lags=2)
    if kind == "panel":
        return PanelForecaster(sf(), lags=LAGS).fit(PANEL)
    if kind == "panel-x":
        return PanelForecaster(sf(), lags=LAGS).fit(PANEL_X)
    raise KeyError(kind)


def windows(data=Y, **kw):
    return make_windows(data, **{"lags": LAGS, **kw})


def panel(n_series=3, n=40, covariate=False):
    parts = []
    for k in range(n_series):
        idx = pd.period_range("2000Q1", periods=n, freq="Q")
        part = pd.DataFrame({"id": f"s{k}", "t": idx, "y": np.cumsum(
            RNG.normal(size=n)) + 10 * k})
        if covariate:
            part["x"] = RNG.normal(size=n)
        parts.append(part)
    return pd.concat(parts).set_index(["id", "t"])


PANEL = panel()
PANEL_X = panel(covariate=True)


# ----------------------------------------------------------------- checks
def finite(result):
    values = np.asarray(result, dtype=np.float64)
    assert np.isfinite(values).all(), f"non-finite result {values!r}"
    return result


def float64(result):
    """Finite, and every float output in float64."""
    finite(result)
    dtypes = (result.dtypes if isinstance(result, pd.DataFrame) else
              [result.dtype])
    assert all(d == np.float64 for d in dtypes), f"dtypes {list(dtypes)}"
    return result


def length(n):
    def check(result):
        float64(result)
        assert len(result) == n, f"length {len(result)} != {n}"
    return check


def equal_to(reference, rtol=1e-7):
    def check(result):
        float64(result)
        np.testing.assert_allclose(np.asarray(result, dtype=np.float64),
                                   np.asarray(reference(), dtype=np.float64),
                                   rtol=rtol, atol=1e-9)
    return check


def fitted_ok(result):
    assert hasattr(result, "n_timesteps_") or hasattr(result, "ids_")
    return result


# ------------------------------------------------------------- the probes
PROBES = []


def probe(pid, call, expect="error", pattern=None):
    """``expect``: 'error' (a message matching ``pattern``) or a check."""
    PROBES.append((pid, call, expect, pattern))


def shuffle(data):
    return data.iloc[np.r_[1, 0, 2:len(data)]]


def duplicate(data):
    return data.iloc[np.r_[0, 0, 1:len(data)]]


def irregular(data):
    return data.drop(data.index[5])


def as_dates(data, freq="QS"):
    out = data.copy()
    out.index = out.index.to_timestamp(how="start")
    return out.asfreq(freq) if freq else out


# make_windows
probe("windows-list", lambda: make_windows(list(Y), lags=3))
probe("windows-ndarray", lambda: make_windows(Y.to_numpy(), lags=3))
probe("windows-range-index", lambda: make_windows(Y.reset_index(drop=True),
                                                  lags=3))
probe("windows-nan", lambda: windows(Y.where(Y.index != IDX[5])))
probe("windows-inf", lambda: windows(Y.replace(Y.iloc[5], np.inf)))
probe("windows-unsorted", lambda: windows(shuffle(Y)))
probe("windows-duplicated", lambda: windows(duplicate(Y)))
probe("windows-missing-period", lambda: windows(irregular(Y)))
probe("windows-irregular-dates", lambda: windows(
    irregular(as_dates(Y))))
probe("windows-too-short", lambda: windows(Y.iloc[:4]))
probe("windows-empty", lambda: windows(Y.iloc[:0]))
probe("windows-lags-0", lambda: windows(lags=0))
probe("windows-lags-float", lambda: windows(lags=2.0))
probe("windows-lags-str", lambda: windows(lags="four"))
probe("windows-horizon-0", lambda: windows(horizon=0))
probe("windows-horizon-neg", lambda: windows(horizon=-1))
probe("windows-lags-numpy-int", lambda: windows(lags=np.int64(3))[0],
      lambda r: r.shape == (N - 3, 3, 1) or (_ for _ in ()).throw(
          AssertionError(r.shape)))
probe("windows-int-series", lambda: windows(Y.round().astype(int))[0],
      lambda r: r.dtype == np.float64 or (_ for _ in ()).throw(
          AssertionError(r.dtype)))
probe("windows-float32-series", lambda: windows(Y.astype(np.float32))[0],
      lambda r: r.dtype == np.float64 or (_ for _ in ()).throw(
          AssertionError(r.dtype)))
probe("windows-string-column", lambda: windows(FRAME.assign(x="a")))
probe("windows-object-numbers", lambda: windows(Y.astype(object))[1],
      float64)
probe("windows-Float64-NA", lambda: windows(
    Y.astype("Float64").where(Y.index != IDX[3])))
probe("windows-target-unknown", lambda: windows(FRAME, target="z"))
probe("windows-known-unknown", lambda: windows(FRAME, known_future=["z"]))
probe("windows-known-target", lambda: windows(FRAME, known_future=["y"]))
probe("windows-known-str", lambda: windows(FRAME, known_future="x"))
probe("windows-dup-columns", lambda: windows(
    pd.concat([Y, Y], axis=1)))
probe("windows-no-columns", lambda: windows(FRAME.iloc[:, :0]))
probe("windows-dataframe-target-series", lambda: windows(Y, target="z"))
probe("windows-tz-dates", lambda: windows(
    Y.set_axis(pd.date_range("2000", periods=N, freq="QS", tz="UTC")))[1],
      length(N - LAGS))

# SequenceForecaster.fit
probe("fit-list", lambda: sf().fit(windows()[0].tolist(),
                                   windows()[1].tolist()), fitted_ok)
probe("fit-nan-X", lambda: sf().fit(np.where(
    np.arange(N - LAGS)[:, None, None] == 3, np.nan, windows()[0]),
    windows()[1]))
probe("fit-inf-y", lambda: sf().fit(windows()[0], windows()[1].replace(
    windows()[1].iloc[3], np.inf)))
probe("fit-y-short", lambda: sf().fit(windows()[0], windows()[1][:-1]))
probe("fit-one-window", lambda: sf().fit(windows()[0][:1],
                                         windows()[1][:1]), fitted_ok)
probe("fit-4d", lambda: sf().fit(windows()[0][..., None], windows()[1]))
probe("fit-1d", lambda: sf().fit(windows()[0][:, 0, 0], windows()[1]))
probe("fit-y-dataframe-variables", lambda: sf().fit(
    windows()[0], pd.DataFrame({"a": windows()[1], "b": windows()[1]})))
probe("fit-y-panel", lambda: sf().fit(*make_windows(PANEL, lags=3)))
probe("fit-known-future-unknown-index", lambda: sf(
    known_future=["x"]).fit(*windows()))
probe("fit-known-future-str", lambda: sf(known_future="x").fit(
    *windows(FRAME, known_future=["x"])))
probe("fit-known-future-not-led", lambda: sf(known_future=["x"]).fit(
    *windows(FRAME)))
probe("fit-ar-order-neg", lambda: sf(ar_order=-1).fit(*windows()))
probe("fit-ar-order-too-large", lambda: sf(ar_order=10).fit(*windows()))
probe("fit-holdout-1", lambda: sf(holdout_fraction=1.0).fit(*windows()))
probe("fit-int-windows", lambda: sf().fit(
    windows(Y.round().astype(int))[0].astype(int),
    windows(Y.round().astype(int))[1]), fitted_ok)
probe("fit-float32-windows-forecast-float64", lambda: sf().fit(
    windows()[0].astype(np.float32), windows()[1].astype(np.float32)
).forecast(Y, 3, level=0.9), float64)
probe("fit-constant", lambda: sf().fit(*windows(Y * 0 + 1.0)), fitted_ok)
probe("fit-sample-weight-short", lambda: sf().fit(
    *windows(), sample_weight=np.ones(3)))


def _interrupted(fit):
    """'propagated' if a KeyboardInterrupt in training reaches the caller."""
    from econnn.engine import _training
    real = _training.Net.train_step

    def step(self, batch, **kw):
        raise KeyboardInterrupt
    _training.Net.train_step = step
    try:
        fit()
    except KeyboardInterrupt:
        return "propagated"
    finally:
        _training.Net.train_step = real
    raise AssertionError("KeyboardInterrupt was swallowed")


probe("fit-interrupt", lambda: _interrupted(lambda: sf().fit(*windows())),
      lambda r: r)
probe("fit-interrupt-panel", lambda: _interrupted(lambda: PanelForecaster(
    sf(), lags=LAGS).fit(PANEL)), lambda r: r)
probe("backtest-interrupt", lambda: _interrupted(lambda: backtest(
    sf(), Y, 2, lags=LAGS, test_size=2)), lambda r: r)


# SequenceForecaster.predict
probe("predict-wrong-lags", lambda: fitted().predict(
    windows(lags=LAGS + 1)[0]))
probe("predict-wrong-vars", lambda: fitted().predict(
    windows(FRAME)[0]))
probe("predict-nan", lambda: fitted().predict(np.full((2, LAGS, 1),
                                                      np.nan)))
probe("predict-float32", lambda: fitted().predict(
    windows()[0].astype(np.float32)), float64)
probe("predict-float64", lambda: fitted().predict(windows()[0]), float64)
probe("predict-unfitted", lambda: sf().predict(windows()[0]))
probe("predict-empty", lambda: fitted().predict(windows()[0][:0]))


def fc(kind="uni", history=None, steps=3, **kw):
    default = {"uni": Y, "h2": Y, "multi": FRAME, "known": FRAME}[kind]
    return fitted(kind).forecast(default if history is None else history,
                                 steps, **kw)


# SequenceForecaster.forecast: history
probe("forecast-ok", lambda: fc(), length(3))
probe("forecast-list-history", lambda: fc(history=list(Y)))
probe("forecast-ndarray-history", lambda: fc(history=Y.to_numpy()))
probe("forecast-range-index", lambda: fc(history=Y.reset_index(drop=True)))
probe("forecast-nan-history", lambda: fc(history=Y.where(
    Y.index != IDX[-1])))
probe("forecast-inf-history", lambda: fc(history=Y.replace(
    Y.iloc[-1], np.inf)))
probe("forecast-unsorted", lambda: fc(history=shuffle(Y)))
probe("forecast-duplicated", lambda: fc(history=duplicate(Y)))
probe("forecast-missing-period", lambda: fc(history=irregular(Y)))
probe("forecast-short-history", lambda: fc(history=Y.iloc[:LAGS - 1]))
probe("forecast-exactly-window", lambda: fc(history=Y.iloc[:LAGS]),
      length(3))
probe("forecast-dates-with-freq", lambda: fc(history=as_dates(Y)),
      equal_to(lambda: fc()))
probe("forecast-dates-no-freq", lambda: fc(history=as_dates(Y, None)),
      equal_to(lambda: fc()))
probe("forecast-dates-irregular", lambda: fc(history=irregular(
    as_dates(Y, None))))
probe("forecast-frame-history-univariate", lambda: fc(history=FRAME))
probe("forecast-dataframe-one-column", lambda: fc(history=Y.to_frame()),
      equal_to(lambda: fc()))
probe("forecast-int-history", lambda: fc(history=Y.round().astype(int)),
      float64)
probe("forecast-float32-history", lambda: fc(history=Y.astype(
    np.float32)), float64)
probe("forecast-Int64-history", lambda: fc(history=Y.round().astype(
    "Int64")), float64)
probe("forecast-direct-then-recursive", lambda: fc("h2", steps=3),
      length(3))
# steps
probe("forecast-steps-0", lambda: fc(steps=0))
probe("forecast-steps-neg", lambda: fc(steps=-2))
probe("forecast-steps-float", lambda: fc(steps=2.0))
probe("forecast-steps-str", lambda: fc(steps="3"))
probe("forecast-steps-numpy", lambda: fc(steps=np.int64(3)), length(3))
probe("forecast-steps-bool", lambda: fc(steps=True))
# level / quantiles
probe("forecast-level-0", lambda: fc(level=0))
probe("forecast-level-1", lambda: fc(level=1.0))
probe("forecast-level-95", lambda: fc(level=95))
probe("forecast-level-nan", lambda: fc(level=np.nan))
probe("forecast-level-str", lambda: fc(level="0.9"))
probe("forecast-level-empty", lambda: fc(level=[]))
probe("forecast-level-dup", lambda: fc(level=[0.9, 0.9]))
probe("forecast-level-unsorted", lambda: fc(level=[0.9, 0.5]),
      lambda r: float64(r) is not None and list(r.columns) == [
          "forecast", "lower_0.9", "upper_0.9", "lower_0.5", "upper_0.5"])
probe("forecast-quantiles-neg", lambda: fc(quantiles=[-0.1, 0.5]))
probe("forecast-quantiles-dup", lambda: fc(quantiles=[0.5, 0.5]))
probe("forecast-quantiles-unsorted", lambda: fc(quantiles=[0.9, 0.1]),
      lambda r: float64(r) is not None and (r["q0.9"] >= r["q0.1"]).all())
probe("forecast-quantiles-2d", lambda: fc(quantiles=[[0.1, 0.9]]))
probe("forecast-quantile-level-same", lambda: fc(
    level=0.8, quantiles=[0.1, 0.9]), float64)
# both would be labelled 'q0.1': one column silently overwrote the other
probe("forecast-quantiles-close", lambda: fc(quantiles=[0.1, 0.1000001]))
probe("forecast-method-unknown", lambda: fc(method="bootstrap"))
probe("forecast-n-paths-0", lambda: fc(level=0.9, method="paths",
                                        n_paths=0))
probe("forecast-n-paths-few", lambda: fc(level=0.9, method="paths",
                                          n_paths=10))
probe("forecast-paths-ok", lambda: fc(level=0.9, method="paths",
                                      n_paths=400), float64)
probe("forecast-target-unknown", lambda: fc("multi", target="z"))
probe("forecast-target-swapped", lambda: fc("multi", target="x"))
# exog_future
probe("forecast-exog-missing", lambda: fc("multi", steps=3))
probe("forecast-exog-short", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"x": [0.0]})))
probe("forecast-exog-nan", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"x": [0.0, np.nan]})))
probe("forecast-exog-inf", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"x": [0.0, np.inf]})))
probe("forecast-exog-wrong-column", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"z": [0.0, 0.0]})))
probe("forecast-exog-extra-column", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"x": [0.0, 0.0],
                                                "z": [1.0, 1.0]})))
probe("forecast-exog-with-target", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"y": [5.0, 5.0],
                                                "x": [0.0, 0.0]})))
probe("forecast-exog-ndarray", lambda: fc(
    "multi", steps=3, exog_future=np.zeros((2, 1))),
      equal_to(lambda: fc("multi", steps=3, exog_future=pd.DataFrame(
          {"x": [0.0, 0.0]}))))
probe("forecast-exog-1d", lambda: fc(
    "multi", steps=3, exog_future=np.zeros(2)))
probe("forecast-exog-series", lambda: fc(
    "multi", steps=3, exog_future=pd.Series([0.0, 0.0], name="x")))
probe("forecast-exog-list", lambda: fc(
    "multi", steps=3, exog_future=[[0.0], [0.0]]), float64)
probe("forecast-exog-strings", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame({"x": ["a", "b"]})))
probe("forecast-exog-wrong-periods", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame(
        {"x": [0.0, 0.0]}, index=pd.period_range("1990Q1", periods=2,
                                                 freq="Q"))))
probe("forecast-exog-wrong-freq", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame(
        {"x": [0.0, 0.0]}, index=pd.period_range("2015-01", periods=2,
                                                 freq="M"))))
probe("forecast-exog-right-periods", lambda: fc(
    "multi", steps=3, exog_future=pd.DataFrame(
        {"x": [0.0, 0.0]}, index=pd.period_range("2015Q1", periods=2,
                                                 freq="Q"))), float64)
probe("forecast-exog-unneeded-univariate", lambda: fc(
    steps=3, exog_future=pd.DataFrame({"x": [0.0] * 3})))
probe("forecast-known-exog-missing", lambda: fc("known", steps=1))
probe("forecast-known-exog-ok", lambda: fc(
    "known", steps=2, exog_future=pd.DataFrame({"x": [0.0, 0.0]})), float64)
probe("forecast-renamed-columns", lambda: fc(
    "multi", history=FRAME.rename(columns={"x": "w"}), steps=1))
probe("forecast-reordered-columns", lambda: fc(
    "multi", history=FRAME[["x", "y"]], steps=1))
probe("forecast-frequency-differs", lambda: fc(
    history=Y.set_axis(pd.period_range("2000-01", periods=N, freq="M"))))
# simulate
probe("simulate-ok", lambda: fitted().simulate(Y, 3, n_paths=5),
      lambda r: float64(r) is not None and r.shape == (3, 5))
probe("simulate-steps-0", lambda: fitted().simulate(Y, 0))
probe("simulate-n-paths-0", lambda: fitted().simulate(Y, 3, n_paths=0))
probe("simulate-nan-history", lambda: fitted().simulate(
    Y.where(Y.index != IDX[-1]), 3, n_paths=5))
probe("simulate-exog-missing", lambda: fitted("multi").simulate(
    FRAME, 3, n_paths=5))

# persistence and parameters
probe("pickle-forecast", lambda: pickle.loads(pickle.dumps(
    fitted())).forecast(Y, 3, level=0.9), equal_to(
        lambda: fc(level=0.9)))
probe("pickle-refit", lambda: pickle.loads(pickle.dumps(fitted())).fit(
    *windows()).forecast(Y, 3), equal_to(lambda: fc()))
probe("deepcopy-forecast", lambda: copy.deepcopy(fitted()).forecast(Y, 3),
      equal_to(lambda: fc()))


def _save_load(est):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.safetensors")
        save(est, path)
        return load(path)


probe("save-load-forecast", lambda: _save_load(fitted()).forecast(
    Y, 3, level=0.9), equal_to(lambda: fc(level=0.9)))
probe("save-load-known", lambda: _save_load(fitted("known")).forecast(
    FRAME, 2, exog_future=pd.DataFrame({"x": [0.0, 0.0]})), equal_to(
        lambda: fc("known", steps=2,
                   exog_future=pd.DataFrame({"x": [0.0, 0.0]}))))
probe("save-load-panel", lambda: _save_load(fitted("panel")).forecast(
    PANEL, 2), equal_to(lambda: fitted("panel").forecast(PANEL, 2)))
probe("pickle-panel", lambda: pickle.loads(pickle.dumps(
    fitted("panel"))).forecast(PANEL, 2), equal_to(
        lambda: fitted("panel").forecast(PANEL, 2)))


def _clone_roundtrip(est):
    from sklearn.base import clone
    new = clone(est)
    params = est.get_params(deep=False)
    new.set_params(**params)
    assert repr(new.get_params(deep=False)) == repr(params)
    return new


probe("clone-sequence", lambda: _clone_roundtrip(sf(
    known_future=["x"])).fit(*windows(FRAME, known_future=["x"])),
      fitted_ok)
probe("clone-panel", lambda: _clone_roundtrip(PanelForecaster(
    sf(), lags=LAGS)).fit(PANEL), fitted_ok)
probe("set-params-panel-nested", lambda: PanelForecaster(
    sf(), lags=LAGS).set_params(forecaster__hidden_size=2).get_params()[
        "forecaster__hidden_size"], lambda r: r == 2 or (_ for _ in ()).throw(
            AssertionError(r)))
probe("set-params-unknown", lambda: sf().set_params(bogus=1))

# backtest
BT = dict(lags=LAGS, test_size=4, level=0.8)
probe("backtest-ok", lambda: backtest(sf(), Y, 2, **BT).scores,
      lambda r: finite(r))
probe("backtest-list", lambda: backtest(sf(), list(Y), 2, **BT))
probe("backtest-nan", lambda: backtest(sf(), Y.where(Y.index != IDX[5]),
                                       2, **BT))
probe("backtest-unsorted", lambda: backtest(sf(), shuffle(Y), 2, **BT))
probe("backtest-horizon-0", lambda: backtest(sf(), Y, 0, **BT))
probe("backtest-horizon-float", lambda: backtest(sf(), Y, 2.0, **BT))
probe("backtest-test-size-0", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                               test_size=0))
probe("backtest-test-size-1.0", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                                 test_size=1.0))
probe("backtest-test-size-neg", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                                 test_size=-0.2))
probe("backtest-test-size-all", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                                 test_size=N))
probe("backtest-test-size-nan", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                                 test_size=np.nan))
probe("backtest-test-size-too-large-for-windows", lambda: backtest(
    sf(), Y, 2, lags=LAGS, test_size=N - 4))
probe("backtest-step-0", lambda: backtest(sf(), Y, 2, **BT, step=0))
probe("backtest-step-past-end", lambda: backtest(
    sf(), Y, 2, **{**BT, "test_size": 3}, step=10).forecasts,
      lambda r: len(r) > 0 or (_ for _ in ()).throw(AssertionError(r)))
probe("backtest-refit-0", lambda: backtest(sf(), Y, 2, **BT, refit_every=0))
probe("backtest-window-unknown", lambda: backtest(sf(), Y, 2, **BT,
                                                  window="sliding"))
probe("backtest-rolling-no-size", lambda: backtest(sf(), Y, 2, **BT,
                                                   window="rolling"))
probe("backtest-level-1", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                           test_size=4, level=1.0))
probe("backtest-level-str", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                             test_size=4, level="0.9"))
probe("backtest-level-dup", lambda: backtest(sf(), Y, 2, lags=LAGS,
                                             test_size=4, level=[0.8, 0.8]))
probe("backtest-not-forecaster", lambda: backtest(
    __import__("econnn").NNRegressor(), Y, 2, **BT))
probe("backtest-lags-0", lambda: backtest(sf(), Y, 2, lags=0, test_size=4))
probe("backtest-max-ar-lags-0", lambda: backtest(sf(), Y, 2, **BT,
                                                 max_ar_lags=0))
probe("backtest-max-ar-lags-str", lambda: backtest(sf(), Y, 2, **BT,
                                                   max_ar_lags="5"),
      pattern="max_ar_lags")


def _cv(**kw):
    from sklearn.model_selection import TimeSeriesSplit
    return TimeSeriesSplit(**kw)


probe("backtest-cv-ok", lambda: backtest(sf(), Y, 2, lags=LAGS, level=0.8,
                                         cv=_cv(n_splits=2, test_size=2)
                                         ).scores, finite)
probe("backtest-cv-too-many-splits", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, cv=_cv(n_splits=N)))
probe("backtest-cv-test-longer-than-horizon", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, cv=_cv(n_splits=2, test_size=5)))
probe("backtest-cv-kfold", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8,
    cv=__import__("sklearn.model_selection").model_selection.KFold(3)))
probe("backtest-cv-not-splitter", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, cv=3))
probe("backtest-cv-and-test-size", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, test_size=4,
    cv=_cv(n_splits=2, test_size=2)).scores, finite)
probe("backtest-cv-short-train", lambda: backtest(
    sf(), Y, 2, lags=LAGS, level=0.8, cv=_cv(n_splits=2, test_size=2,
                                             max_train_size=5)).scores,
      finite)
probe("backtest-panel-ok", lambda: backtest(PanelForecaster(
    sf(), lags=LAGS), PANEL, 2, test_size=2, level=0.8).scores, finite)
probe("backtest-panel-cv", lambda: backtest(PanelForecaster(
    sf(), lags=LAGS), PANEL, 2, cv=_cv(n_splits=2)))
probe("backtest-panel-horizon-0", lambda: backtest(PanelForecaster(
    sf(), lags=LAGS), PANEL, 0, test_size=2, level=0.8))
probe("backtest-panel-level-1", lambda: backtest(PanelForecaster(
    sf(), lags=LAGS), PANEL, 2, test_size=2, level=1.0))
probe("backtest-panel-with-sequence", lambda: backtest(
    sf(), PANEL, 2, test_size=2, level=0.8))
probe("backtest-frame-sequence-exog", lambda: backtest(
    sf(), FRAME, 2, **BT).scores, finite)


# plot_forecast
def _plot(*args, **kw):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    try:
        return plot_forecast(*args, **kw)
    finally:
        plt.close("all")


probe("plot-ok", lambda: _plot(Y, fc(level=0.9)), lambda r: r)
probe("plot-list-history", lambda: _plot(list(Y), fc()))
probe("plot-ndarray-forecast", lambda: _plot(Y, fc().to_numpy()))
probe("plot-forecast-no-column", lambda: _plot(Y, fc(level=0.9).rename(
    columns={"forecast": "mean"})))
probe("plot-range-index", lambda: _plot(Y.reset_index(drop=True), fc()))
probe("plot-n-history-0", lambda: _plot(Y, fc(), n_history=0))
probe("plot-n-history-neg", lambda: _plot(Y, fc(), n_history=-5))
probe("plot-n-history-float", lambda: _plot(Y, fc(), n_history=2.5))
probe("plot-empty-history", lambda: _plot(Y.iloc[:0], fc()))
probe("plot-nan-history", lambda: _plot(Y.where(Y.index != IDX[-1]), fc()))
probe("plot-nan-forecast", lambda: _plot(Y, fc().where(
    np.arange(3) != 1)))
probe("plot-lower-without-upper", lambda: _plot(
    Y, fc(level=0.9).drop(columns="upper_0.9")))
probe("plot-quantiles-only", lambda: _plot(Y, fc(quantiles=[0.1, 0.9])),
      lambda r: r)
probe("plot-target-unknown", lambda: _plot(FRAME, fc(), target="z"))
probe("plot-series-not-panel", lambda: _plot(Y, fc(), series="s0"))
probe("plot-panel-ok", lambda: _plot(PANEL, fitted("panel").forecast(
    PANEL, 2, level=0.8), series="s0"), lambda r: r)
probe("plot-panel-unknown-series", lambda: _plot(
    PANEL, fitted("panel").forecast(PANEL, 2), series="s9"))
probe("plot-panel-no-series", lambda: _plot(
    PANEL, fitted("panel").forecast(PANEL, 2)))


# fit_system / impulse_response / scenario
def irf(**kw):
    args = dict(forecasters=fitted("system"), history=SYSTEM_DATA,
                shock="rate", steps=2, n_paths=200, random_state=0)
    args.update(kw)
    return impulse_response(**args)


def scen(**kw):
    args = dict(forecasters=fitted("system"), history=SYSTEM_DATA,
                path={"rate": [1.0, 1.0]}, n_paths=200, random_state=0)
    args.update(kw)
    return scenario(**args)


probe("system-ok", lambda: fitted("system")["gdp"].ar_order_,
      lambda r: r is not None or (_ for _ in ()).throw(AssertionError(r)))
probe("system-series", lambda: fit_system(sf(), SYSTEM_DATA["gdp"]))
probe("system-one-column", lambda: fit_system(sf(), SYSTEM_DATA[["gdp"]]))
probe("system-nan", lambda: fit_system(sf(), SYSTEM_DATA.assign(
    gdp=SYSTEM_DATA['gdp'].where(np.arange(N) != 4)), lags=2))
probe("system-unsorted", lambda: fit_system(sf(), shuffle(SYSTEM_DATA),
                                            lags=2))
probe("system-constant-column", lambda: fit_system(
    sf(), SYSTEM_DATA.assign(rate=1.0), lags=2))
probe("system-collinear", lambda: fit_system(
    sf(), SYSTEM_DATA.assign(rate=2 * SYSTEM_DATA["gdp"]), lags=2))
probe("system-dup-columns", lambda: fit_system(
    sf(), SYSTEM_DATA.set_axis(["a", "a"], axis=1), lags=2))
probe("system-not-forecaster", lambda: fit_system(
    PanelForecaster(), SYSTEM_DATA, lags=2))
probe("system-known-future", lambda: fit_system(
    sf(known_future=["rate"]), SYSTEM_DATA, lags=2))
probe("system-lags-0", lambda: fit_system(sf(), SYSTEM_DATA, lags=0))
probe("system-too-short", lambda: fit_system(sf(), SYSTEM_DATA.iloc[:4],
                                             lags=2), pattern="windows")
probe("system-int-columns", lambda: fit_system(
    sf(), SYSTEM_DATA.set_axis([0, 1], axis=1), lags=2)[0].ar_order_,
      lambda r: r)
probe("system-fitted-template", lambda: fit_system(
    fitted("uni"), SYSTEM_DATA, lags=2)["gdp"].n_timesteps_,
      lambda r: r == 2 or (_ for _ in ()).throw(AssertionError(r)))

probe("irf-ok", lambda: irf(), float64)
probe("irf-unknown-shock", lambda: irf(shock="inflation"))
probe("irf-size-0", lambda: irf(size=0.0))
probe("irf-size-nan", lambda: irf(size=np.nan))
probe("irf-size-str", lambda: irf(size="1"))
probe("irf-size-numpy", lambda: irf(size=np.float32(0.5)), float64)
probe("irf-steps-0", lambda: irf(steps=0), float64)
probe("irf-steps-neg", lambda: irf(steps=-1))
probe("irf-steps-float", lambda: irf(steps=2.0))
probe("irf-n-paths-odd", lambda: irf(n_paths=101))
probe("irf-level-1", lambda: irf(level=1.0))
probe("irf-level-dup", lambda: irf(level=[0.5, 0.5]))
probe("irf-list-forecasters", lambda: irf(
    forecasters=list(fitted("system").values())))
probe("irf-missing-forecaster", lambda: irf(
    forecasters={"gdp": fitted("system")["gdp"]}))
probe("irf-unfitted", lambda: irf(forecasters={"gdp": sf(), "rate": sf()}))
probe("irf-history-nan", lambda: irf(history=SYSTEM_DATA.assign(
    gdp=SYSTEM_DATA['gdp'].where(np.arange(N) != N - 1))))
probe("irf-history-short", lambda: irf(history=SYSTEM_DATA.iloc[:8]))
probe("irf-history-series", lambda: irf(history=SYSTEM_DATA["gdp"]))
probe("irf-history-renamed", lambda: irf(history=SYSTEM_DATA.set_axis(
    ["a", "b"], axis=1)))
probe("irf-history-reordered", lambda: irf(
    history=SYSTEM_DATA[["rate", "gdp"]]), equal_to(lambda: irf().reindex(
        irf(history=SYSTEM_DATA[["rate", "gdp"]]).index)))
probe("irf-history-float32", lambda: irf(history=SYSTEM_DATA.astype(
    np.float32)), float64)
probe("irf-wrong-frequency", lambda: irf(history=SYSTEM_DATA.set_axis(
    pd.period_range("2000-01", periods=N, freq="M"))))
probe("irf-horizon-2-forecaster", lambda: irf(forecasters={
    "gdp": sf().fit(*make_windows(SYSTEM_DATA, lags=2, horizon=2)),
    "rate": fitted("system")["rate"]}))
probe("irf-forecaster-wrong-target", lambda: irf(forecasters={
    "gdp": fitted("system")["rate"], "rate": fitted("system")["gdp"]}))

probe("scenario-ok", lambda: scen(), float64)
probe("scenario-unknown-variable", lambda: scen(path={"inflation": [1.0]}))
probe("scenario-path-longer-than-steps", lambda: scen(steps=1))
probe("scenario-steps-0", lambda: scen(steps=0))
probe("scenario-empty-path", lambda: scen(path={}))
probe("scenario-path-list", lambda: scen(path=[1.0, 1.0]))
probe("scenario-path-inf", lambda: scen(path={"rate": [1.0, np.inf]}))
probe("scenario-path-all-nan", lambda: scen(path={"rate": [np.nan]}),
      float64)
probe("scenario-path-strings", lambda: scen(path={"rate": ["a", "b"]}),
      pattern="path")
probe("scenario-path-2d", lambda: scen(path={"rate": [[1.0, 1.0],
                                                      [2.0, 2.0]]}))
probe("scenario-path-scalar", lambda: scen(path={"rate": 1.0}), float64)
probe("scenario-path-series", lambda: scen(path={"rate": pd.Series(
    [1.0, 1.0], index=pd.period_range("2015Q1", periods=2, freq="Q"))}),
      float64)
probe("scenario-path-series-wrong-periods", lambda: scen(path={
    "rate": pd.Series([1.0, 1.0], index=pd.period_range(
        "1990Q1", periods=2, freq="Q"))}))
probe("scenario-both-imposed", lambda: scen(path={"rate": [1.0],
                                                  "gdp": [0.0]}), float64)
probe("scenario-level-0", lambda: scen(level=0))
probe("scenario-n-paths-few", lambda: scen(n_paths=4))

# PanelForecaster


def pf(**kw):
    return PanelForecaster(sf(), **{"lags": LAGS, **kw})


probe("panel-ok", lambda: fitted("panel").forecast(PANEL, 2), float64)
probe("panel-y-given", lambda: pf().fit(PANEL, PANEL["y"]))
probe("panel-not-panel", lambda: pf().fit(Y))
probe("panel-ndarray", lambda: pf().fit(PANEL.to_numpy()))
probe("panel-nan", lambda: pf().fit(PANEL.assign(
    y=PANEL["y"].where(np.arange(len(PANEL)) != 5))))
probe("panel-dup", lambda: pf().fit(pd.concat([PANEL, PANEL.iloc[:1]])))
probe("panel-unsorted-within", lambda: pf().fit(PANEL.iloc[
    np.r_[1, 0, 2:len(PANEL)]]))
probe("panel-gap", lambda: pf().fit(PANEL.drop(PANEL.index[5])))
probe("panel-short-series", lambda: pf().fit(PANEL.iloc[
    np.r_[0:3, 40:len(PANEL)]]))
probe("panel-id-column", lambda: pf(id_column="id").fit(
    PANEL.reset_index("id")).forecast(PANEL.reset_index("id"), 2), float64)
probe("panel-id-column-missing", lambda: pf(id_column="firm").fit(
    PANEL.reset_index("id")))
probe("panel-id-column-nan", lambda: pf(id_column="id").fit(
    PANEL.reset_index("id").assign(id=lambda d: d["id"].where(
        np.arange(len(d)) != 3))))
probe("panel-forecaster-not-sequence", lambda: PanelForecaster(
    __import__("econnn").NNRegressor()).fit(PANEL))
probe("panel-horizon-0", lambda: pf(horizon=0).fit(PANEL))
probe("panel-lags-0", lambda: pf(lags=0).fit(PANEL))
probe("panel-target-unknown", lambda: pf(target="z").fit(PANEL))
probe("panel-forecast-steps-0", lambda: fitted("panel").forecast(PANEL, 0))
probe("panel-forecast-level-1", lambda: fitted("panel").forecast(
    PANEL, 2, level=1.0))
probe("panel-forecast-quantiles-dup", lambda: fitted("panel").forecast(
    PANEL, 2, quantiles=[0.5, 0.5]))
probe("panel-forecast-unknown-ids", lambda: fitted("panel").forecast(
    PANEL, 2, ids=["s9"]))
probe("panel-forecast-ids-str", lambda: fitted("panel").forecast(
    PANEL, 2, ids="s0"), length(2))
probe("panel-forecast-wrong-freq", lambda: fitted("panel").forecast(
    PANEL.set_axis(pd.MultiIndex.from_product([
        ["s0", "s1", "s2"], pd.period_range("2000-01", periods=40,
                                            freq="M")]), axis=0), 2))
probe("panel-forecast-short", lambda: fitted("panel").forecast(
    PANEL.groupby(level=0).head(2), 2))
probe("panel-forecast-nan", lambda: fitted("panel").forecast(PANEL.assign(
    y=PANEL["y"].where(np.arange(len(PANEL)) != 39)), 2))
probe("panel-forecast-new-series", lambda: fitted("panel").forecast(
    PANEL.rename(index={"s0": "new"}, level=0), 2), float64)
probe("panel-forecast-extra-column", lambda: fitted("panel").forecast(
    PANEL.assign(x=1.0), 2))
probe("panel-forecast-exog-not-needed", lambda: fitted("panel").forecast(
    PANEL, 2, exog_future=PANEL_X[["x"]]))


def _panel_exog(n=2, columns=("x",), shift=0, keys=("s0", "s1", "s2")):
    rows = []
    for k in keys:
        last = PANEL_X.xs(k).index[-1]
        idx = pd.period_range(last + 1 + shift, periods=n, freq="Q")
        rows.append(pd.DataFrame({c: 0.0 for c in columns}, index=idx
                                 ).assign(id=k))
    return pd.concat(rows).set_index("id", append=True).reorder_levels(
        [1, 0]).rename_axis(["id", "t"])


probe("panel-x-exog-ok", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(2)), float64)
probe("panel-x-exog-missing", lambda: fitted("panel-x").forecast(
    PANEL_X, 3))
probe("panel-x-exog-short", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(1)))
probe("panel-x-exog-wrong-column", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(2, columns=("z",))))
probe("panel-x-exog-late", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(2, shift=1)))
probe("panel-x-exog-missing-series", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(2, keys=("s0",))))
probe("panel-x-exog-nan", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=_panel_exog(2).assign(x=np.nan)))
probe("panel-x-exog-ndarray", lambda: fitted("panel-x").forecast(
    PANEL_X, 3, exog_future=np.zeros((6, 1))))
probe("panel-x-renamed", lambda: fitted("panel-x").forecast(
    PANEL_X.rename(columns={"x": "w"}), 1))
probe("panel-simulate-n-paths-0", lambda: fitted("panel").simulate(
    PANEL, 2, n_paths=0))
probe("panel-simulate-ok", lambda: fitted("panel").simulate(
    PANEL, 2, n_paths=5), float64)


# ------------------------------------------------------------------ run
_INSIDE = ("numpy", "pandas", "torch", "statsmodels", "scipy", "skorch",
           "matplotlib")


def _origin(exc):
    """The package whose code raised ``exc`` (its innermost frame)."""
    tb = traceback.extract_tb(exc.__traceback__)
    path = tb[-1].filename if tb else ""
    if "/econnn/" in path:
        return "econnn"
    if "/sklearn/" in path:
        return "sklearn"
    for name in _INSIDE:
        if f"/{name}/" in path:
            return name
    return path


def classify(call, expect, pattern):
    """(outcome, detail): 'error', 'ok' or 'BAD'."""
    import re
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except (ValueError, TypeError) as exc:
        origin = _origin(exc)
        message = f"{type(exc).__name__} [{origin}]: {exc}"
        if origin not in ("econnn", "sklearn"):
            return "BAD", "obscure " + message
        if expect != "error":
            return "BAD", "unexpected " + message
        if pattern and not re.search(pattern, str(exc)):
            return "BAD", "wrong message " + message
        return "error", message
    except Exception as exc:  # noqa: BLE001 - every other error is bad
        if type(exc).__name__ == "NotFittedError":
            return ("error" if expect == "error" else "BAD",
                    f"NotFittedError: {exc}")
        return "BAD", (f"obscure {type(exc).__name__} [{_origin(exc)}]: "
                       f"{exc}")
    if expect == "error":
        return "BAD", f"silent: returned {type(result).__name__}"
    try:
        assert expect(result) is not False, "check returned False"
    except AssertionError as exc:
        return "BAD", f"wrong result: {exc}"[:300]
    return "ok", type(result).__name__


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="",
                        help="run the probes whose id contains this")
    args = parser.parse_args(argv)
    counts = {"error": 0, "ok": 0, "BAD": 0}
    bad = []
    for pid, call, expect, pattern in PROBES:
        if args.only not in pid:
            continue
        outcome, detail = classify(call, expect, pattern)
        counts[outcome] += 1
        print(f"{outcome:5s} {pid:45s} {detail[:230]}".replace("\n", " "))
        if outcome == "BAD":
            bad.append(pid)
    print(f"\n{sum(counts.values())} probes: {counts['error']} clear "
          f"errors, {counts['ok']} right answers, {counts['BAD']} bad")
    if bad:
        print("bad:", ", ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
