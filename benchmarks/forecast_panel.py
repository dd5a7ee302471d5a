"""A global model for a panel against per-series and pooled alternatives.

Protocol (docs/forecasting.md, "Panels and global models"): rolling
origins over the last ``test`` periods of every series (expanding
windows); from each origin every model forecasts 1 to H periods of every
series and is refitted every ``refit_every`` origins (between refits the
last fit forecasts from the longer history). Errors are scaled per series
by the root mean square of its one-period changes before the first origin
(RMSSE, as in the M5 competition), so that series of different sizes
count alike, and pooled over series and origins per horizon.

Models:

* ``global``: :class:`econnn.PanelForecaster` with a default
  :class:`econnn.SequenceForecaster` (``random_state=0``);
* ``global, AR part``: the same fit with the network's weight set to 0
  (the pooled AR on per-series standardised data alone);
* ``global, AR per series``: ``PanelForecaster(..., pooled_ar=False)``,
  an AR per series (order by AIC) and the network pooled on what they
  leave;
* ``global, direct``: ``PanelForecaster(..., horizon=H)``, forecasting
  periods 1 to H directly from each window (the others recurse, feeding
  point forecasts back, which biases multi-step forecasts of a nonlinear
  model);
* ``per-series NN``: a default :class:`SequenceForecaster` per series;
* ``per-series AR``: statsmodels' AutoReg per series, order by AIC (the
  benchmark of :func:`econnn.backtest`);
* ``pooled AR``: the textbook panel AR -- one OLS autoregression for all
  series on the raw data with a fixed effect per series, order by AIC.

Data: statsmodels' Grunfeld investment panel (11 firms, 1935-1954,
``invest``), nine US macro series from statsmodels' ``macrodata``
(quarterly 1959-2009: growth of real GDP, consumption, investment,
government spending, disposable income and M1, CPI inflation, the T-bill
and unemployment rates) and a simulated panel of 40 series of 80 periods
from one threshold AR (each series scaled and shifted), and a simulated
panel of 20 integrated series (ARIMA(1,1,0), 140 quarters, different
drifts and scales).

Run from the repository root::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/forecast_panel.py

``--tiny`` runs two small panels with two origins (a smoke test);
``--data grunfeld`` (or ``macro``, ``setar``, ``integrated``) runs one
panel.
"""

import argparse
import copy
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econnn import PanelForecaster, SequenceForecaster, make_windows
from econnn.timeseries._backtest import _ARBenchmark

LEVELS = (0.8, 0.95)
MODELS = ["global", "global, AR part", "global, AR per series",
          "global, direct", "per-series NN", "per-series AR", "pooled AR"]


# ------------------------------------------------------------------ data
def _long(series, freq, start):
    parts = {k: pd.Series(np.asarray(v, dtype=float),
                          index=pd.period_range(start, periods=len(v),
                                                freq=freq))
             for k, v in series.items()}
    return pd.concat(parts, names=["id", "period"]).rename("y")


def grunfeld():
    d = sm.datasets.grunfeld.load_pandas().data
    return _long({firm: g.sort_values("year")["invest"].to_numpy()
                  for firm, g in d.groupby("firm", sort=False)},
                 "Y", "1935")


def macro():
    d = sm.datasets.macrodata.load_pandas().data
    out = {}
    for col in ("realgdp", "realcons", "realinv", "realgovt", "realdpi",
                "m1"):
        out[f"{col} growth"] = 400 * np.diff(np.log(d[col].to_numpy()))
    for col in ("infl", "tbilrate", "unemp"):
        out[col] = d[col].to_numpy()[1:]
    return _long(out, "Q", "1959Q2")


def setar(n_series=40, n=80, seed=0):
    """A threshold AR shared by every series, each scaled and shifted."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_series):
        y = np.zeros(n + 50)
        for t in range(1, n + 50):
            y[t] = (0.9 * y[t - 1] + 0.5 if y[t - 1] < 0
                    else -1.2 * y[t - 1] + 0.5) + 0.4 * rng.standard_normal()
        out[f"s{i}"] = y[50:] * rng.uniform(0.5, 20) + rng.uniform(-50, 50)
    return _long(out, "Y", "1900")


def integrated(n_series=20, n=140, seed=5):
    """Integrated series: ARIMA(1,1,0) with different drifts and scales."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_series):
        e = np.zeros(n + 50)
        shocks = rng.standard_normal(n + 50)
        for t in range(1, n + 50):
            e[t] = 0.4 * e[t - 1] + shocks[t]
        changes = 0.03 * i + rng.uniform(0.5, 3) * e[50:]
        out[f"s{i}"] = 100 + np.cumsum(changes)
    return _long(out, "Q", "1980Q1")


# ---------------------------------------------------------------- models
class PooledAR:
    """OLS AR(p) on the raw panel with a fixed effect per series, AIC."""

    def __init__(self, max_lags):
        self.max_lags = max_lags

    def fit(self, series):
        self.keys = list(series)
        m = self.max_lags
        best = None
        for p in range(m + 1):
            rows, ys = [], []
            for i, k in enumerate(self.keys):
                y = series[k]
                for t in range(m, len(y)):
                    lags = y[t - p:t][::-1] if p else np.empty(0)
                    dummy = np.zeros(len(self.keys))
                    dummy[i] = 1.0
                    rows.append(np.r_[lags, dummy])
                    ys.append(y[t])
            A, b = np.asarray(rows), np.asarray(ys)
            coef, *_ = np.linalg.lstsq(A, b, rcond=None)
            rss = float(np.sum((b - A @ coef) ** 2))
            aic = len(b) * np.log(rss / len(b)) + 2 * A.shape[1]
            if best is None or aic < best[0] - 1e-9:
                best = (aic, p, coef)
        _, self.p, coef = best
        self.phi, self.effects = coef[:self.p], dict(zip(self.keys,
                                                         coef[self.p:]))
        return self

    def forecast(self, key, y, steps):
        path = list(y)
        for _ in range(steps):
            path.append(self.effects[key] + sum(
                self.phi[j] * path[-1 - j] for j in range(self.p)))
        return np.asarray(path[len(y):])


def _no_network(model):
    """The fitted PanelForecaster with every network's weight set to 0."""
    linear = copy.deepcopy(model)
    for group, forecaster in linear.forecasters_.items():
        forecaster._set_gate(0.0)
        linear.gate_[group] = 0.0
        linear.step_gates_[group] = np.zeros(1)
    return linear


def evaluate(panel, test, horizon, refit_every, lags, params):
    """Scaled errors per (model, series, origin, horizon)."""
    keys = list(panel.index.get_level_values(0).unique())
    series = {k: panel.loc[k] for k in keys}
    rows, fitted, seconds = [], {}, {m: 0.0 for m in MODELS}
    for k, back in enumerate(range(test, 0, -1)):
        history = {key: s.iloc[:len(s) - back] for key, s in series.items()}
        hist_panel = pd.concat(history, names=["id", "period"]).rename("y")
        steps = min(horizon, back)
        if k == 0:
            scale = {key: float(np.sqrt(np.mean(np.diff(h.to_numpy()) ** 2)))
                     for key, h in history.items()}
        if k % refit_every == 0:
            t0 = time.process_time()
            fitted["global"] = PanelForecaster(
                SequenceForecaster(**params), lags=lags).fit(hist_panel)
            seconds["global"] += time.process_time() - t0
            fitted["global, AR part"] = _no_network(fitted["global"])
            t0 = time.process_time()
            fitted["global, AR per series"] = PanelForecaster(
                SequenceForecaster(**params), lags=lags,
                pooled_ar=False).fit(hist_panel)
            seconds["global, AR per series"] = seconds.get(
                "global, AR per series", 0.0) + time.process_time() - t0
            t0 = time.process_time()
            fitted["global, direct"] = PanelForecaster(
                SequenceForecaster(**params), lags=lags,
                horizon=horizon).fit(hist_panel)
            seconds["global, direct"] = seconds.get(
                "global, direct", 0.0) + time.process_time() - t0
            t0 = time.process_time()
            fitted["per-series NN"] = {
                key: SequenceForecaster(**params).fit(
                    *make_windows(h, lags=lags))
                for key, h in history.items()}
            seconds["per-series NN"] += time.process_time() - t0
            t0 = time.process_time()
            fitted["per-series AR"] = {
                key: _ARBenchmark(lags).fit(h.to_numpy())
                for key, h in history.items()}
            seconds["per-series AR"] += time.process_time() - t0
            t0 = time.process_time()
            fitted["pooled AR"] = PooledAR(lags).fit(
                {key: h.to_numpy() for key, h in history.items()})
            seconds["pooled AR"] += time.process_time() - t0
        forecasts, bands = {}, fitted["global"].forecast(
            hist_panel, steps, level=LEVELS)
        for name in ("global", "global, AR part", "global, AR per series",
                     "global, direct"):
            fc = fitted[name].forecast(hist_panel, steps)
            forecasts[name] = {key: fc.loc[key].to_numpy() for key in keys}
        forecasts["per-series NN"] = {
            key: m.forecast(history[key], steps).to_numpy()
            for key, m in fitted["per-series NN"].items()}
        forecasts["per-series AR"] = {
            key: m.forecast(history[key].to_numpy(), steps, [])[0]
            for key, m in fitted["per-series AR"].items()}
        forecasts["pooled AR"] = {
            key: fitted["pooled AR"].forecast(key, history[key].to_numpy(),
                                              steps) for key in keys}
        for name, by_key in forecasts.items():
            for key in keys:
                actual = series[key].to_numpy()[len(series[key]) - back:][
                    :steps]
                for h in range(steps):
                    row = {"model": name, "id": key, "origin": k,
                           "horizon": h + 1,
                           "error": (actual[h] - by_key[key][h]) /
                           scale[key]}
                    if name == "global":
                        band = bands.loc[key].iloc[h]
                        for lev in LEVELS:
                            row[f"cov{lev:g}"] = float(
                                band[f"lower_{lev:g}"] <= actual[h] <=
                                band[f"upper_{lev:g}"])
                    rows.append(row)
    return pd.DataFrame(rows), seconds, fitted["global"]


def report(name, errors, seconds, model):
    rmsse = errors.groupby(["model", "horizon"])["error"].apply(
        lambda e: float(np.sqrt(np.mean(e ** 2)))).unstack("model")[MODELS]
    print(f"\n== {name}: RMSSE by horizon (ratio to per-series AR) ==")
    table = rmsse.copy()
    ratio = rmsse.div(rmsse["per-series AR"], axis=0)
    for col in MODELS:
        table[col] = [f"{v:.3f} ({r:.2f})" for v, r in zip(rmsse[col],
                                                           ratio[col])]
    print(table.to_string(line_width=200))
    # per series at h=1: how often each model beats the per-series AR
    one = errors[errors.horizon == 1].groupby(["model", "id"])["error"] \
        .apply(lambda e: float(np.sqrt(np.mean(e ** 2)))).unstack("model")
    wins = (one[MODELS].lt(one["per-series AR"], axis=0)).sum()
    print("series where the model beats per-series AR at h=1: " +
          ", ".join(f"{m} {wins[m]}/{len(one)}" for m in MODELS
                    if m != "per-series AR"))
    cover = errors[errors.model == "global"].groupby("horizon")[
        [f"cov{lev:g}" for lev in LEVELS]].mean()
    print("coverage of the global model's conformal bands by horizon: " +
          "; ".join(f"h={h}: " + "/".join(f"{v:.2f}" for v in row)
                    for h, row in cover.iterrows()) +
          f" (nominal {'/'.join(f'{lev:g}' for lev in LEVELS)})")
    print("CPU seconds fitting (all refits): " +
          ", ".join(f"{m} {s:.1f}" for m, s in seconds.items()
                    if m != "global, AR part"))
    table = model.series_
    print(f"last global fit: gate {model.gate_}, AR order "
          f"{model.ar_order_}, series in changes "
          f"{int(table['difference'].sum())}/{len(table)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--data", default="grunfeld,macro,setar,integrated")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    params = dict(random_state=0)
    # name -> (panel, test periods, horizon, refit every, lags)
    runs = {"grunfeld": (grunfeld, 5, 3, 1, 3),
            "macro": (macro, 40, 4, 10, 9),
            "setar": (setar, 16, 4, 4, 4),
            "integrated": (integrated, 20, 4, 10, 6)}
    if args.tiny:
        params = dict(random_state=0, max_iter=10, hidden_size=4)
        runs = {"grunfeld": (lambda: grunfeld().loc[
                    ["General Motors", "US Steel", "Chrysler"]], 2, 2, 1, 2),
                "setar": (lambda: setar(5, 40), 2, 2, 1, 3)}
    for name in args.data.split(","):
        if name not in runs:
            continue
        make, test, horizon, refit_every, lags = runs[name]
        panel = make()
        t0 = time.time()
        errors, seconds, model = evaluate(panel, test, horizon, refit_every,
                                          lags, params)
        report(f"{name} ({panel.index.get_level_values(0).nunique()} series,"
               f" last {test} periods, h=1..{horizon}, refit every "
               f"{refit_every}, lags {lags})", errors, seconds, model)
        print(f"wall time {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
