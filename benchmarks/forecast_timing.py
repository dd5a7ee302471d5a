"""CPU seconds to fit and forecast a ~200-quarter series, one thread.

Process CPU time (``time.process_time``), which on a shared machine is
closer to what one idle core would take than wall time. Run::

    OMP_NUM_THREADS=1 python benchmarks/forecast_timing.py
"""

import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import torch

from econnn import ForecastCombination, SequenceForecaster, make_windows
from econnn.timeseries._members import ARIMAMember


def cpu(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        best = min(best, time.process_time() - start)
    return best, out


def main():
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    d = sm.datasets.macrodata.load_pandas().data
    y = pd.Series(400 * np.diff(np.log(d["realcons"].to_numpy())),
                  index=pd.period_range("1959Q2", periods=202, freq="Q"))
    X, t = make_windows(y)
    rows = []
    fit_s, model = cpu(lambda: SequenceForecaster(random_state=0).fit(X, t))
    fc_s, _ = cpu(lambda: model.forecast(y, 12, level=(0.8, 0.95)), 5)
    sim_s, _ = cpu(lambda: model.simulate(y, 12, n_paths=1000), 5)
    rows.append(("econnn SequenceForecaster (defaults)", fit_s, fc_s))
    rows.append((f"  simulate 1000 paths x 12 steps (gate_={model.gate_:.2f})",
                 np.nan, sim_s))
    # the network in full (no holdout): every step runs the GRU
    full = SequenceForecaster(random_state=0, holdout_fraction=0).fit(X, t)
    fit_s, _ = cpu(lambda: SequenceForecaster(
        random_state=0, holdout_fraction=0).fit(X, t))
    sim_s, _ = cpu(lambda: full.simulate(y, 12, n_paths=1000), 5)
    rows.append(("econnn, holdout_fraction=0 (one fit)", fit_s, np.nan))
    rows.append(("  simulate 1000 paths x 12 steps (gate_=1)", np.nan,
                 sim_s))
    s, comb = cpu(lambda: ForecastCombination(
        SequenceForecaster(random_state=0)).fit(y), 1)
    f, _ = cpu(lambda: comb.forecast(None, 12, level=(0.8, 0.95)), 5)
    rows.append(("econnn ForecastCombination (forecaster, ETS, ARIMA)", s,
                 f))
    s, arima = cpu(lambda: ARIMAMember().fit(y.to_numpy(), 4), 1)
    f, _ = cpu(lambda: arima.forecast(y.to_numpy(), 12), 5)
    rows.append((f"  its ARIMA search (statsmodels, {arima.n_models_} "
                 "models)", s, f))
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    def ar():
        lags = ar_select_order(y.to_numpy(), maxlag=9, ic="aic").ar_lags
        return AutoReg(y.to_numpy(), lags=lags).fit()

    s, res = cpu(ar)
    f, _ = cpu(lambda: res.get_prediction(202, 213).summary_frame(), 5)
    rows.append(("AutoReg (AIC)", s, f))
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    s, res = cpu(lambda: ETSModel(y.to_numpy(), trend="add",
                                  damped_trend=True).fit(disp=False))
    f, _ = cpu(lambda: res.forecast(12), 5)
    rows.append(("ETS (one damped-trend spec)", s, f))
    try:
        import pmdarima
        s, res = cpu(lambda: pmdarima.auto_arima(
            y.to_numpy(), m=4, seasonal=True, suppress_warnings=True,
            error_action="ignore"), 1)
        f, _ = cpu(lambda: res.predict(12, return_conf_int=True), 5)
        rows.append(("pmdarima auto_arima (m=4)", s, f))
    except ImportError:
        pass
    print("| model | fit CPU s | forecast 12 steps CPU s |")
    print("|---|---|---|")
    for name, s, f in rows:
        print(f"| {name} | {'' if np.isnan(s) else f'{s:.2f}'} | "
              f"{'' if np.isnan(f) else f'{f:.4f}'} |")


if __name__ == "__main__":
    main()
