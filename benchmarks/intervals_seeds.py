"""CV+ with one shared seed for the fold networks, or one seed per fold.

The check behind ``CVPlus.fit`` giving every fold network the same seed:
held-out coverage and width (in standard deviations of y) of 90% CV+
intervals on random 80/20 splits of one suite data set, both ways.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/intervals_seeds.py sleep75 6
"""

import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import econnn.inference._intervals as conformal
from econnn import NNRegressor

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from intervals import load  # noqa: E402


def main(name, splits):
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load(name)
    shared_fit = conformal._fit_copy
    for split in range(splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, random_state=split)
        y_test = np.asarray(y_test)
        row = []
        for shared in (False, True):
            if shared:
                conformal._fit_copy = shared_fit
            else:  # a fresh seed for every copy
                rng = np.random.RandomState(split)
                conformal._fit_copy = lambda *a, **k: shared_fit(
                    *a[:5], rng.randint(2 ** 31 - 1), **k)
            fitted = conformal.fit_intervals(
                NNRegressor(random_state=split), X_train, y_train,
                methods=["cv+"], random_state=split)["cv+"]
            bounds = fitted.predict_interval(X_test, 0.9)
            row += [np.mean((bounds[:, 0] <= y_test) &
                            (y_test <= bounds[:, 1])),
                    np.mean(bounds[:, 1] - bounds[:, 0]) / np.std(y)]
        conformal._fit_copy = shared_fit
        print(f"{name} split {split}: one seed per fold: coverage "
              f"{row[0]:.3f} width {row[1]:.3f} | shared seed: coverage "
              f"{row[2]:.3f} width {row[3]:.3f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
