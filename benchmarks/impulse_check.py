"""Generalised impulse responses of default forecasters vs statsmodels' VAR.

On bivariate VAR(1) series (400 quarters, correlated shocks) one default
``SequenceForecaster`` per variable is fitted on ``make_windows(data,
target=name)`` (``lags='auto'``: 9 quarters; AR order by AIC; the network
gated by its holdout) and ``econnn.impulse_response`` is compared with
statsmodels' generalised response (the orthogonalised response with the
shocked variable ordered first) and its asymptotic 95% band, at horizons
0-12, for a one-s.d. shock to either variable. Run::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/impulse_check.py \
        --plot docs/img/impulse_check.png

``--lags 1`` gives the forecasters the VAR's own window (and sample).
``--reference-order aic`` compares with statsmodels' VAR of the order its
own AIC chooses (``fit(maxlags=9, ic='aic')``, the forecasters' window)
instead of the true order 1: both sides then choose an order from the
data, as a user of either would.
``--system`` fits the forecasters with ``econnn.fit_system``: one AR
order for both equations, chosen by the system's AIC as statsmodels'
``VAR.select_order`` does, instead of each equation's own AIC.
``--ar-only`` (a diagnosis, not a configuration) sets every fitted
forecaster's network share ``gate_`` to 0 after fitting, leaving its AR:
what remains of the differences is the AR's and the residuals'.
``--tiny``: one seed, a small network, 4 horizons (what the test runs).
"""

import argparse
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from statsmodels.tsa.api import VAR

from econnn import (SequenceForecaster, fit_system, impulse_response,
                    make_windows)

A = np.array([[0.5, 0.2], [-0.3, 0.6]])
CHOL = np.array([[1.0, 0.0], [0.5, 0.8]])


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    y = np.zeros((n + 50, 2))
    for t in range(1, n + 50):
        y[t] = A @ y[t - 1] + CHOL @ rng.standard_normal(2)
    return pd.DataFrame(y[50:], columns=["y1", "y2"], index=pd.period_range(
        "1920Q1", periods=n, freq="Q"))


def check(seed, steps, params, lags="auto", n=400, reference_order="1",
          system=False, ar_only=False):
    data = simulate(n, seed)
    forecaster = SequenceForecaster(random_state=seed, **params)
    if system:
        models = fit_system(forecaster, data, lags=lags)
    else:
        models = {name: clone(forecaster).fit(
            *make_windows(data, lags=lags, target=name)) for name in data}
    if ar_only:
        for model in models.values():
            model._set_gate(0.0)  # private: a diagnosis only
    rows, curves, reference_orders = [], {}, {}
    for shock in data:
        ours = impulse_response(models, data, shock, steps=steps,
                                n_paths=1000, random_state=seed)
        ordered = data[[shock] + [c for c in data if c != shock]]
        var = VAR(ordered)
        fitted = var.fit(1) if reference_order == "1" else var.fit(
            maxlags=9, ic="aic")
        reference_orders[shock] = fitted.k_ar
        irf = fitted.irf(steps)
        for i, name in enumerate(ordered):
            reference = irf.orth_irfs[:, i, 0]
            se = irf.stderr(orth=True)[:, i, 0]
            response = ours["response"].xs(name, level="variable").to_numpy()
            ratio = np.abs(response - reference) / (1.96 * se)
            rows.append(dict(seed=seed, shock=shock, variable=name,
                             max_abs_diff=np.abs(response - reference).max(),
                             max_diff_over_band=ratio.max(),
                             inside=bool((ratio <= 1).all())))
            curves[shock, name] = (response, reference, se, ours.xs(
                name, level="variable"))
    gates = {name: round(m.gate_, 2) for name, m in models.items()}
    orders = {name: m.ar_order_ for name, m in models.items()}
    orders["statsmodels VAR"] = max(reference_orders.values())
    return rows, curves, gates, orders


def plot(curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True)
    for ax, ((shock, name), (ours, ref, se, frame)) in zip(axes.ravel(),
                                                           curves.items()):
        h = np.arange(len(ref))
        ax.fill_between(h, ref - 1.96 * se, ref + 1.96 * se, color="0.85",
                        label="statsmodels VAR, 95% band")
        ax.plot(h, ref, color="0.3", label="statsmodels generalised IRF")
        ax.plot(h, ours, "o-", color="C0", ms=3, label="econnn")
        ax.fill_between(h, frame["lower_0.9"], frame["upper_0.9"],
                        color="C0", alpha=0.3,
                        label="econnn 90% band over paths")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_title(f"{name} after a 1-s.d. shock to {shock}", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("quarters after the shock")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--plot", default=None)
    parser.add_argument("--lags", default="auto",
                        help="window length: 'auto' (9 quarters) or an int")
    parser.add_argument("--reference-order", choices=["1", "aic"],
                        default="1",
                        help="statsmodels VAR's order: the true 1, or by "
                        "its own AIC up to 9 lags")
    parser.add_argument("--system", action="store_true",
                        help="fit with econnn.fit_system (one AR order by "
                        "the system's AIC)")
    parser.add_argument("--ar-only", action="store_true",
                        help="diagnosis: drop the networks' share after "
                        "fitting (gate_ = 0)")
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    seeds, steps, params = range(args.seeds), 12, {}
    if args.tiny:
        seeds, steps, params = [0], 4, dict(hidden_size=4, max_iter=10)
    rows, first = [], None
    for seed in seeds:
        lags = args.lags if args.lags == "auto" else int(args.lags)
        result, curves, gates, orders = check(
            seed, steps, params, lags, reference_order=args.reference_order,
            system=args.system, ar_only=args.ar_only)
        rows += result
        first = first or curves
        print(f"seed {seed}: AR orders {orders}, gates {gates}")
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 120):
        print(table.round(3).to_string(index=False))
    print(f"inside statsmodels' 95% band at every horizon: "
          f"{table['inside'].sum()} of {len(table)} (seed, shock, variable)")
    if args.plot:
        plot(first, args.plot)
    return table


if __name__ == "__main__":
    main()
