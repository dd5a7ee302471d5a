"""Convolutional networks against feed-forward networks on grid data.

(a) scikit-learn's 8 x 8 digits: 5-fold stratified CV accuracy (shuffled,
    seed 0) of ``ConvNetClassifier()`` and ``NNClassifier()`` on the same
    folds, with the training time per fit.
(b) Synthetic night-light rasters (8 x 8): a lit town centre (a 3 x 3
    block anywhere on the grid) plus as much scattered light; the regional
    outcome is the centre's brightness. Held-out R^2 of
    ``ConvNetRegressor()`` against ``NNRegressor()`` on the flattened pixels,
    over ``--seeds`` data sets.

Run from the repository root::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/convnet.py

and it prints a Markdown table per experiment. ``--tiny`` runs seconds.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold

from econnn import (ConvNetClassifier, ConvNetRegressor, NNClassifier,
                    NNRegressor)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_convnet import _lights  # noqa: E402  (the data of the tests)


def digits(tiny=False):
    data = load_digits()
    X, y = data.images[:, None], data.target
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(
        X.reshape(len(X), -1), y))
    extra = dict(max_iter=2) if tiny else {}
    models = {"ConvNetClassifier()": (ConvNetClassifier, True),
              "NNClassifier()": (NNClassifier, False)}
    rows = []
    for name, (cls, grid) in models.items():
        acc, seconds = [], []
        for train, test in folds[:1] if tiny else folds:
            Xa = X if grid else X.reshape(len(X), -1)
            start = time.perf_counter()
            model = cls(random_state=0, **extra).fit(Xa[train], y[train])
            seconds.append(time.perf_counter() - start)
            acc.append(model.score(Xa[test], y[test]))
        rows.append({"model": name, "accuracy": np.mean(acc),
                     "folds": acc, "fit s": np.mean(seconds)})
    return rows


def lights(seeds=3, tiny=False):
    n, n_test = (100, 50) if tiny else (600, 300)
    extra = dict(max_iter=2) if tiny else {}
    rows = {"ConvNetRegressor()": [], "NNRegressor() on pixels": []}
    for seed in range(seeds):
        X, y = _lights(n, seed=2 * seed)
        Xt, yt = _lights(n_test, seed=2 * seed + 1)
        conv = ConvNetRegressor(random_state=seed, **extra).fit(X, y)
        flat = NNRegressor(random_state=seed, **extra).fit(
            X.reshape(n, -1), y)
        rows["ConvNetRegressor()"].append(conv.score(Xt, yt))
        rows["NNRegressor() on pixels"].append(
            flat.score(Xt.reshape(n_test, -1), yt))
    return [{"model": k, "R2": np.mean(v), "sd": np.std(v)}
            for k, v in rows.items()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    out = {"digits": digits(args.tiny),
           "lights": lights(1 if args.tiny else args.seeds, args.tiny)}
    print("| digits, 5-fold CV | accuracy | per fold | fit s |")
    print("|---|---|---|---|")
    for r in out["digits"]:
        print(f"| {r['model']} | {r['accuracy']:.4f} | "
              f"{', '.join(f'{a:.3f}' for a in r['folds'])} | "
              f"{r['fit s']:.1f} |")
    print("\n| night lights, held-out | R^2 (mean) | sd over seeds |")
    print("|---|---|---|")
    for r in out["lights"]:
        print(f"| {r['model']} | {r['R2']:.3f} | {r['sd']:.3f} |")
    return out


if __name__ == "__main__":
    main()
