"""Quality target: default NNRegressor() on the raw Boston DataFrame.

10-fold CV test R^2 (KFold(10, shuffle=True, random_state=0)) and the mean
fit CPU seconds for several seeds, next to scikit-learn's MLPRegressor
defaults in a scaling pipeline (with and without a scaled target) and
Harrison & Rubinfeld's log-linear OLS.

    python benchmarks/boston_defaults.py [--seeds 0 1 2] [--no-baselines]
        [--set n_ensemble=1 activation=relu ...] [--folds] [--worst]
        [--without 364 ...]

``--set`` changes NNRegressor parameters (values are Python literals or
strings), e.g. ``--set n_ensemble=1`` for a single network. ``--folds``
adds, under each NNRegressor row, its test R^2 per fold with the epoch
early stopping chose (``best_epoch_``) in brackets. ``--worst`` adds the
row with the largest squared test error over all folds (its value, the
prediction) and the mean R^2 with that one row left out of its fold's
score: how much of a model's shortfall one tract explains; ``--without
ROW ...`` the mean R^2 with the given rows (positions) left out of their
folds' scores, for every model (the models are still trained on them when
they are in a training fold). The baselines
include three tree ensembles (histogram gradient boosting, random forest,
extra trees) with scikit-learn's defaults.
"""

import ast

import argparse
import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import (ExtraTreesRegressor,
                              HistGradientBoostingRegressor,
                              RandomForestRegressor)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from econnn import NNRegressor
from econnn.datasets import load_boston


def harrison_rubinfeld(X):
    """The 1978 specification's regressors."""
    Z = X.copy()
    Z["nox"] = Z["nox"] ** 2
    Z["rm"] = Z["rm"] ** 2
    for col in ("dis", "rad", "lstat"):
        Z[col] = np.log(Z[col])
    return Z


def _parse_set(items):
    params = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def cv_r2(model, X, y, cv):
    """Test R^2 per fold (as ``cross_val_score``), the mean fit CPU
    seconds, each fold's best epoch and the out-of-fold predictions."""
    scores, cpu, epochs = [], [], []
    predicted = np.empty(len(y))
    for train, test in cv.split(X):
        fitted = clone(model)
        start = time.process_time()
        fitted.fit(X.iloc[train], y.iloc[train])
        cpu.append(time.process_time() - start)
        predicted[test] = fitted.predict(X.iloc[test])
        scores.append(r2_score(y.iloc[test], predicted[test]))
        epochs.append(getattr(fitted, "best_epoch_", None))
    return np.array(scores), float(np.mean(cpu)), epochs, predicted


def score_without(y, predicted, cv, rows):
    """The mean fold R^2 with ``rows`` left out of their folds' scores."""
    y = np.asarray(y, dtype=float)
    scores = []
    for _, test in cv.split(y.reshape(-1, 1)):
        test = np.setdiff1d(test, rows)
        scores.append(r2_score(y[test], predicted[test]))
    return float(np.mean(scores))


def worst_row(y, predicted, cv):
    """The row with the largest squared out-of-fold error and the mean
    fold R^2 with that row left out of its fold's score."""
    worst = int(np.argmax((np.asarray(y, dtype=float) - predicted) ** 2))
    return worst, score_without(y, predicted, cv, [worst])


def main(seeds, params, baselines=True, folds=False, worst=False,
         without=()):
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_boston(return_X_y=True)
    cv = KFold(10, shuffle=True, random_state=0)
    models = {}
    for seed in seeds:
        label = ", ".join(f"{k}={v!r}" for k, v in params.items())
        models[f"NNRegressor({label}) seed {seed}"] = NNRegressor(
            random_state=seed, **params)
        if not baselines:
            continue
        models[f"MLPRegressor() scaled X, seed {seed}"] = make_pipeline(
            StandardScaler(), MLPRegressor(random_state=seed))
        models[f"MLPRegressor() scaled X and y, seed {seed}"] = \
            TransformedTargetRegressor(
                make_pipeline(StandardScaler(), MLPRegressor(
                    random_state=seed)), transformer=StandardScaler())
    if baselines:
        models["histogram gradient boosting"] = \
            HistGradientBoostingRegressor(random_state=0)
        models["random forest (500 trees)"] = RandomForestRegressor(
            500, random_state=0)
        models["extra trees (500 trees)"] = ExtraTreesRegressor(
            500, random_state=0)
        models["log-linear OLS (Harrison-Rubinfeld)"] = \
            TransformedTargetRegressor(
                make_pipeline(FunctionTransformer(harrison_rubinfeld),
                              LinearRegression()),
                func=np.log, inverse_func=np.exp)
    print("| model | mean test R² | sd | fit CPU s |")
    print("|---|---|---|---|")
    for name, model in models.items():
        scores, cpu, epochs, predicted = cv_r2(model, X, y, cv)
        print(f"| {name} | {scores.mean():.4f} | {scores.std():.4f} | "
              f"{cpu:.2f} |", flush=True)
        if worst:
            row, rest = worst_row(y, predicted, cv)
            print(f"|   worst row {row}: y {y.iloc[row]:.1f}, predicted "
                  f"{predicted[row]:.1f}; mean R² without it {rest:.4f}"
                  " | | |", flush=True)
        if without:
            print(f"|   without rows {list(without)}: "
                  f"{score_without(y, predicted, cv, list(without)):.4f}"
                  " | | |", flush=True)
        if folds and isinstance(model, NNRegressor):
            print("|   per fold: " + ", ".join(
                f"{r2:.3f} ({epoch})" for r2, epoch in zip(scores, epochs))
                + " | | |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="NNRegressor parameters")
    parser.add_argument("--no-baselines", action="store_true",
                        help="only the NNRegressor rows")
    parser.add_argument("--folds", action="store_true",
                        help="each fold's R^2 and best epoch too")
    parser.add_argument("--worst", action="store_true",
                        help="the row with the largest squared error too")
    parser.add_argument("--without", type=int, nargs="+", default=[],
                        metavar="ROW", help="rows left out of the scores")
    args = parser.parse_args()
    main(args.seeds, _parse_set(args.set), baselines=not args.no_baselines,
         folds=args.folds, worst=args.worst, without=args.without)
