"""Early stopping on panel data: random vs group validation split.

A panel of individuals observed T times, ``y_it = sin(2 w1_it) + w2_it +
alpha_i + e_it`` with an individual effect ``alpha_i ~ N(0, 1)`` that is
independent of the individual's time-invariant characteristics ``z_i``
(three of the five regressors).  A network can memorise ``alpha_i`` from
``z_i`` for individuals it has seen, which tells nothing about new ones.
Early stopping validates on rows of seen individuals under a random split
and on unseen individuals under ``validation_split='group'``.  Reported:
the validation R^2 early stopping saw (the kept epoch), the R^2 on 2,000
rows of 200 new individuals, and the epoch kept, over seeds.

Run::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/panel_split.py
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/panel_split.py --tiny
"""

import argparse
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from econnn import NNRegressor


def panel(n_individuals, n_periods, seed):
    """(X, y, groups) of the simulated panel."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n_individuals, 3))
    alpha = rng.normal(size=n_individuals)
    ids = np.repeat(np.arange(n_individuals), n_periods)
    w = rng.normal(size=(len(ids), 2))
    X = np.column_stack([z[ids], w])
    y = np.sin(2 * w[:, 0]) + w[:, 1] + alpha[ids] + \
        0.3 * rng.normal(size=len(ids))
    return X, y, ids


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    n_ind, seeds, max_iter = (30, [0], 20) if args.tiny else \
        (100, range(5), 500)
    rows = []
    for seed in seeds:
        X, y, groups = panel(n_ind, 10, seed)
        X_new, y_new, _ = panel(200, 10, 1000 + seed)
        for split in ("random", "group"):
            model = NNRegressor(early_stopping=True, validation_split=split,
                                validation_fraction=0.2, max_iter=max_iter,
                                n_iter_no_change=20, random_state=seed)
            model.fit(X, y, groups=groups)
            rows.append({"split": split, "seed": seed,
                         "validation R2": model.best_validation_score_,
                         "new individuals R2": model.score(X_new, y_new),
                         "epoch kept": model.best_epoch_})
    frame = pd.DataFrame(rows)
    table = frame.groupby("split", sort=False).agg(
        validation_R2=("validation R2", "mean"),
        new_individuals_R2=("new individuals R2", "mean"),
        new_sd=("new individuals R2", "std"),
        epoch_kept=("epoch kept", "mean"))
    table["overstatement"] = table["validation_R2"] - \
        table["new_individuals_R2"]
    print(f"{n_ind} individuals x 10 periods, {len(seeds)} seeds\n")
    print(table.to_markdown(floatfmt=".3f"))
    return table


if __name__ == "__main__":
    main()
