"""SequenceForecaster against AutoReg and VAR, out of sample.

Protocol (docs/forecasting.md): the last 20% of each series is held out;
every held-out value is forecast from the true history up to its origin
(h periods earlier), with models estimated once on the first 80%. The
baseline is statsmodels' AutoReg with the lag order chosen by AIC
(``ar_select_order``, up to 12 lags) and, for the macro data, a VAR with
the order chosen by AIC. The network always uses its default
hyperparameters; only the window length (``lags``) is set per data set.

Run from the repository root (a few minutes on one CPU core)::

    OMP_NUM_THREADS=1 python benchmarks/forecast_benchmark.py
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from statsmodels.tsa.api import VAR

from econnn import SequenceForecaster, make_windows

TEST_SHARE = 0.2
MAX_AR_LAGS = 12


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# ------------------------------------------------------------------- data
def sunspots():
    d = sm.datasets.sunspots.load_pandas().data
    return pd.Series(d["SUNACTIVITY"].to_numpy(), name="sunspots",
                     index=pd.period_range("1700", periods=len(d), freq="Y"))


def macrodata():
    d = sm.datasets.macrodata.load_pandas().data
    index = pd.period_range("1959Q1", periods=len(d), freq="Q")
    return pd.DataFrame({"infl": d["infl"].to_numpy(),
                         "unemp": d["unemp"].to_numpy()}, index=index)


def setar(n=1000, seed=0, sigma=0.5):
    """Two-regime SETAR(2; 1, 1) with threshold 0 on y_{t-1}.

    y_t = 1 + 0.6 y_{t-1} + e_t if y_{t-1} <= 0, else -1 - 0.4 y_{t-1} + e_t,
    e_t ~ N(0, sigma^2); 100 burn-in draws are discarded.
    """
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 100)
    for t in range(1, n + 100):
        y[t] = (1 + 0.6 * y[t - 1]) if y[t - 1] <= 0 else \
            (-1 - 0.4 * y[t - 1])
        y[t] += sigma * rng.standard_normal()
    return pd.Series(y[100:], name="setar",
                     index=pd.period_range("1900-01", periods=n, freq="M"))


# -------------------------------------------------------------- baselines
def ar_forecasts(values, n_train, horizon):
    """AutoReg (AIC order) h-step forecasts of values[n_train:]."""
    train = values[:n_train]
    sel = ar_select_order(train, maxlag=MAX_AR_LAGS, ic="aic", trend="c")
    p = max(sel.ar_lags) if sel.ar_lags else 0
    params = AutoReg(train, lags=p, trend="c").fit().params
    out = []
    for target in range(n_train, len(values)):
        path = list(values[:target - horizon + 1])
        for _ in range(horizon):  # iterate from the true history
            path.append(params[0] + sum(params[1 + i] * path[-1 - i]
                                        for i in range(p)))
        out.append(path[-1])
    return np.array(out), p


def var_forecasts(frame, column, n_train, horizon):
    """VAR (AIC order) h-step forecasts of frame[column][n_train:]."""
    values = frame.to_numpy()
    res = VAR(values[:n_train]).fit(maxlags=8, ic="aic", trend="c")
    p, j = res.k_ar, frame.columns.get_loc(column)
    out = [res.forecast(values[target - horizon - p + 1:
                               target - horizon + 1], horizon)[-1, j]
           for target in range(n_train, len(values))]
    return np.array(out), p


# ---------------------------------------------------------------- network
def net_forecasts(data, target, lags, horizon, n_train, seed):
    """Default SequenceForecaster, direct h-step forecasts of the test."""
    X, y = make_windows(data, lags, horizon=horizon, target=target)
    # position of each window's h-step target in the series
    position = lags + np.arange(len(X)) + horizon - 1
    train, test = position < n_train, position >= n_train
    model = SequenceForecaster(random_state=seed).fit(X[train], y[train])
    pred = model.predict(X[test])
    return (pred if horizon == 1 else pred[:, -1]), model


# ------------------------------------------------------------- benchmarks
def bench_univariate(series, lags, seeds, label):
    values = series.to_numpy()
    n_train = int(round((1 - TEST_SHARE) * len(values)))
    truth = values[n_train:]
    ar, p = ar_forecasts(values, n_train, 1)
    base = rmse(ar, truth)
    ratios = []
    for seed in seeds:
        pred, model = net_forecasts(series, None, lags, 1, n_train, seed)
        ratios.append(rmse(pred, truth) / base)
    print(f"\n{label}: n={len(values)}, test={len(truth)}, AR order {p} "
          f"(AIC), AR RMSE {base:.3f}, lags={lags}, "
          f"difference_={model.difference_}")
    print("| seed | " + " | ".join(str(s) for s in seeds) +
          " | mean | max |")
    print("|---" * (len(seeds) + 3) + "|")
    print("| RMSE / AR | " + " | ".join(f"{r:.3f}" for r in ratios) +
          f" | {np.mean(ratios):.3f} | {np.max(ratios):.3f} |")
    return ratios


def bench_macro(lags, seeds):
    frame = macrodata()
    n_train = int(round((1 - TEST_SHARE) * len(frame)))
    print(f"\nUS macrodata 1959Q1-2009Q3: n={len(frame)}, test="
          f"{len(frame) - n_train} quarters, lags={lags}; net RMSE averaged "
          f"over seeds {list(seeds)} (range in brackets)")
    print("| series | h | AR RMSE (p) | VAR RMSE (p) | net univariate / AR "
          "| net bivariate / VAR | difference_ |")
    print("|---|---|---|---|---|---|---|")
    for column in frame.columns:
        values = frame[column].to_numpy()
        truth = values[n_train:]
        for horizon in (1, 4):
            ar, p_ar = ar_forecasts(values, n_train, horizon)
            var, p_var = var_forecasts(frame, column, n_train, horizon)
            r_ar, r_var = rmse(ar, truth), rmse(var, truth)
            uni, bi = [], []
            for seed in seeds:
                pred, model = net_forecasts(frame[column], None, lags,
                                            horizon, n_train, seed)
                uni.append(rmse(pred, truth) / r_ar)
                pred, _ = net_forecasts(frame, column, lags, horizon,
                                        n_train, seed)
                bi.append(rmse(pred, truth) / r_var)
            print(f"| {column} | {horizon} | {r_ar:.3f} ({p_ar}) | "
                  f"{r_var:.3f} ({p_var}) | {np.mean(uni):.3f} "
                  f"[{min(uni):.3f}, {max(uni):.3f}] | {np.mean(bi):.3f} "
                  f"[{min(bi):.3f}, {max(bi):.3f}] | {model.difference_} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10,
                        help="network seeds for sunspots (others use fewer)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    bench_univariate(sunspots(), 12, range(args.seeds),
                     "Sunspots (yearly 1700-2008)")
    for lags in (2, 3):
        bench_univariate(setar(), lags, range(max(args.seeds // 2, 1)),
                         "Simulated SETAR (n=1000, sigma=0.5)")
    bench_macro(8, range(max(args.seeds // 3, 1)))
    print(f"\n(total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
