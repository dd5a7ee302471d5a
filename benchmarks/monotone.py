"""Monotone constraints: what they cost on Boston, what they buy on noise.

1. Boston housing, 10-fold CV R^2 of the default NNRegressor with and
   without ``monotone={'nox': -1, 'rm': +1, 'crim': -1}`` (same folds and
   seeds), and the violations of the unconstrained fit.
2. A monotone S-shaped truth with flat ends, ``y = 1 / (1 + exp(-5 (x -
   1))) + 0.1 x_2 + noise`` (noise sd 0.5, 100 observations), networks
   trained to the end (500 epochs, no convergence stop): root mean squared
   distance of the fitted function from the truth on a grid, constrained vs
   unconstrained, over seeds.

Run::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py --tiny
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score

from econnn import NNRegressor
from econnn.datasets import load_boston

BOSTON = {"nox": -1, "rm": 1, "crim": -1}


def violations(model, X, column, sign, n_pairs, seed=0):
    """Random pairs differing only in ``column`` that break ``sign``."""
    rng = np.random.default_rng(seed)
    base = X.iloc[rng.integers(len(X), size=n_pairs)].to_numpy(copy=True)
    j = list(X.columns).index(column)
    lo, hi = X[column].min(), X[column].max()
    a, b = rng.uniform(lo, hi, size=(2, n_pairs))
    low, high = base.copy(), base.copy()
    low[:, j], high[:, j] = np.minimum(a, b), np.maximum(a, b)
    diff = model.predict(pd.DataFrame(high, columns=X.columns)) - \
        model.predict(pd.DataFrame(low, columns=X.columns))
    return int(np.sum(sign * diff < 0))


def boston(n_splits, seeds, params):
    X, y = load_boston(return_X_y=True)
    rows = []
    for name, monotone in (("unconstrained", None), ("monotone", BOSTON)):
        scores, start = [], time.perf_counter()
        for seed in seeds:
            cv = KFold(n_splits, shuffle=True, random_state=seed)
            model = NNRegressor(monotone=monotone, random_state=seed,
                                **params)
            scores.append(cross_val_score(model, X, y, cv=cv).mean())
        full = NNRegressor(monotone=monotone, random_state=0,
                           **params).fit(X, y)
        rows.append({
            "model": name, "CV R2": np.mean(scores),
            "sd over seeds": np.std(scores),
            "violations (nox, rm, crim)": tuple(
                violations(full, X, c, s, 100_000) for c, s in
                BOSTON.items()),
            "s": time.perf_counter() - start})
    return rows


def _truth(x):
    return 1 / (1 + np.exp(-5 * (x - 1)))


def simulated(n, seeds, params):
    rows = {True: [], False: []}
    grid_x = np.linspace(0, 2, 400)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        X = np.column_stack([rng.uniform(0, 2, n), rng.normal(size=n)])
        truth = _truth(X[:, 0]) + 0.1 * X[:, 1]
        y = truth + 0.5 * rng.normal(size=n)
        grid = np.column_stack([grid_x, np.zeros_like(grid_x)])
        for constrained in (True, False):
            model = NNRegressor(monotone={0: 1} if constrained else None,
                                random_state=seed, **params).fit(X, y)
            fit = model.predict(grid)
            rows[constrained].append({
                "rmse": np.sqrt(np.mean((fit - _truth(grid_x)) ** 2)),
                "decreasing steps": int(np.sum(np.diff(fit) < 0))})
    return [{"model": "monotone" if c else "unconstrained",
             "RMSE to truth": np.mean([r["rmse"] for r in rows[c]]),
             "sd": np.std([r["rmse"] for r in rows[c]]),
             "wins": int(sum(a["rmse"] < b["rmse"] for a, b in
                             zip(rows[c], rows[not c]))),
             "decreasing grid steps": np.mean(
                 [r["decreasing steps"] for r in rows[c]])}
            for c in (True, False)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.tiny:
        boston_rows = boston(2, [0], dict(max_iter=5))
        sim_rows = simulated(40, [0], dict(max_iter=20))
    else:
        boston_rows = boston(10, [0], {})
        sim_rows = simulated(100, range(10), dict(
            max_iter=500, tol=0, learning_rate_init=0.01))
    print(pd.DataFrame(boston_rows).to_markdown(index=False,
                                                floatfmt=".4f"))
    print()
    print(pd.DataFrame(sim_rows).to_markdown(index=False, floatfmt=".4f"))
    return boston_rows, sim_rows


if __name__ == "__main__":
    main()
