"""PanelForecaster with covariates: a simulated panel ARX and Grunfeld.

Two checks (docs/forecasting.md, "Panels and global models"):

* ``arx``: a simulated panel ARX with a known-future regressor, 20 series
  of 120 quarters, ``y_it = a_i + 0.5 y_i,t-1 + 2 x_it + e_it`` with
  ``x`` an AR(1) (0.5), every series (y, x and e) scaled by a size of
  its own in U(0.5, 2) (firms of different sizes: the slopes are common
  in raw units). ``PanelForecaster(SequenceForecaster(random_state=0,
  known_future=["x"]), lags=4)`` is fitted on the first 100 periods and
  forecasts one step ahead from each of the last 20 periods (given
  ``x`` in that period); the benchmark is the pooled OLS ARX with a
  fixed effect per series on the raw data (y on y_{t-1} and x_t), fitted
  on the same 100 periods. Reported: the RMSE ratio, and how much the
  forecast of T+1 moves when x at T+1 is raised by 1 (true: 2), over
  simulation seeds.
* ``grunfeld``: statsmodels' Grunfeld investment panel (11 firms,
  1935-1954): ``invest`` forecast with ``value`` and ``capital`` as
  lagged covariates against ``invest`` alone, by :func:`econnn.backtest`
  (last 5 years, horizons 1-3, refit at every origin, 3 lags). Both are
  run with ``horizon=3`` (periods 1-3 forecast directly from the window:
  an unconditional forecast, no future covariates needed) and with
  ``horizon=1`` (recursive; with covariates, steps 2 and 3 are then
  conditional on the *realised* value and capital, which a forecaster
  would not know: marked "given realised x").

Run from the repository root::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/forecast_panel_covariates.py

``--tiny`` runs one small seed and two Grunfeld origins (a smoke test);
``--data arx`` or ``--data grunfeld`` runs one check.
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econnn import PanelForecaster, SequenceForecaster, backtest


# ------------------------------------------------------------------ ARX
def arx_panel(seed, n_series=20, n=120):
    rng = np.random.default_rng(seed)
    parts = {}
    for i in range(n_series):
        a, size = rng.uniform(-2, 2), rng.uniform(0.5, 2)
        x, y = np.zeros(n + 50), np.zeros(n + 50)
        for t in range(1, n + 50):
            x[t] = 0.5 * x[t - 1] + rng.standard_normal()
            y[t] = a + 0.5 * y[t - 1] + 2 * x[t] + rng.standard_normal()
        parts[f"s{i}"] = pd.DataFrame(
            {"y": size * y[50:], "x": size * x[50:]},
            index=pd.period_range("1990Q1", periods=n, freq="Q"))
    return pd.concat(parts, names=["id", "t"])


def pooled_ols_arx(train):
    ids = train.index.unique(level=0)
    blocks = []
    for i, key in enumerate(ids):
        f = train.loc[key]
        blocks.append((f["y"].to_numpy()[1:], f["y"].to_numpy()[:-1],
                       f["x"].to_numpy()[1:], np.full(len(f) - 1, i)))
    y, lag, x, owner = (np.concatenate(b) for b in zip(*blocks))
    A = np.column_stack([lag, x, np.eye(len(ids))[owner]])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return coef[0], coef[1], pd.Series(coef[2:], index=ids)


def run_arx(seeds, n_series, n, n_test, params):
    rows = []
    for seed in seeds:
        panel = arx_panel(seed, n_series, n)
        train = panel.groupby(level=0).head(n - n_test)
        start = time.perf_counter()
        model = PanelForecaster(SequenceForecaster(
            **params, known_future=["x"]), lags=4).fit(train)
        fit_s = time.perf_counter() - start
        phi, beta, effects = pooled_ols_arx(train)
        err_nn, err_ols = [], []
        for k in range(n - n_test, n):
            history = panel.groupby(level=0).head(k)
            now = panel.groupby(level=0).nth(k)
            actual = now["y"].droplevel(1)
            fc = model.forecast(history, 1, exog_future=now[["x"]])
            err_nn.append(actual - fc.droplevel(1))
            last = history.groupby(level=0).last()
            err_ols.append(actual - (effects + phi * last["y"] +
                                     beta * now["x"].droplevel(1)))
        rmse = [float(np.sqrt((pd.concat(e) ** 2).mean()))
                for e in (err_nn, err_ols)]
        future = panel.groupby(level=0).nth(n - n_test)[["x"]]
        move = (model.forecast(train, 1, exog_future=future + 1) -
                model.forecast(train, 1, exog_future=future))
        rows.append({"seed": seed, "rmse global": rmse[0],
                     "rmse pooled OLS ARX": rmse[1],
                     "ratio": rmse[0] / rmse[1], "OLS slope of x": beta,
                     "move mean": move.mean(), "move min": move.min(),
                     "move max": move.max(),
                     "AR order": model.ar_order_["levels"],
                     "gate": model.gate_["levels"], "fit s": fit_s})
    return pd.DataFrame(rows).set_index("seed")


# ------------------------------------------------------------- Grunfeld
def grunfeld():
    d = sm.datasets.grunfeld.load_pandas().data
    d = d.assign(period=pd.PeriodIndex(d["year"].astype(int).astype(str),
                                       freq="Y"))
    return d.set_index(["firm", "period"])[["invest", "value", "capital"]] \
        .sort_index(level=[0, 1], sort_remaining=False)


def run_grunfeld(test_size, params):
    data = grunfeld()
    tables = []
    for name, columns, horizon in [
            ("invest alone, direct", ["invest"], 3),
            ("with value, capital, direct", ["invest", "value", "capital"],
             3),
            ("invest alone, recursive", ["invest"], 1),
            ("with value, capital, recursive (h>1 given realised x)",
             ["invest", "value", "capital"], 1)]:
        model = PanelForecaster(SequenceForecaster(**params), lags=3,
                                horizon=horizon)
        start = time.perf_counter()
        result = backtest(model, data[columns], horizon=3,
                          test_size=test_size)
        seconds = time.perf_counter() - start
        scores = result.scores["rmsse"].unstack("horizon")
        scores.index = [name if m == "forecaster" else m
                        for m in scores.index]
        scores["backtest s"] = seconds
        tables.append(scores)
    table = pd.concat(tables)
    # the AR benchmark is the same in every run: keep it once, untimed
    table = table[~table.index.duplicated()]
    table.loc["AR(AIC)", "backtest s"] = np.nan
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--data", default="arx,grunfeld")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    pd.set_option("display.width", 160)
    params = dict(random_state=0)
    if args.tiny:
        params.update(max_iter=20, hidden_size=4)
    data = args.data.split(",")
    if "arx" in data:
        table = run_arx([0] if args.tiny else range(5),
                        6 if args.tiny else 20, 60 if args.tiny else 120,
                        5 if args.tiny else 20, params)
        print("Simulated panel ARX, one step ahead (x at T+1 given):")
        print(table.round(3).to_string())
        print(f"mean ratio {table['ratio'].mean():.3f}, "
              f"max {table['ratio'].max():.3f}\n")
    if "grunfeld" in data:
        table = run_grunfeld(2 if args.tiny else 5, params)
        print("Grunfeld invest, RMSSE by horizon (pooled over firms and "
              "origins):")
        print(table.round(3).to_string())


if __name__ == "__main__":
    main()
