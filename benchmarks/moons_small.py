"""Small two-moons data: does NNClassifier leave the logit?

``make_moons(200, noise=0.1)``: 160 training rows after early stopping's
held-out fifth, one Adam step an epoch with ``batch_size='auto'``
(``min(200, n)``). For seeds 0..N-1, first the estimator's seed varies on
the data of seed 0, then the data's seed with the estimator's: how often the
fitted network keeps the logit (best epoch 0), and its accuracy on 5,000
new draws.

    python benchmarks/moons_small.py [--seeds 10] [--set min_batches=4 ...]
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from econnn import NNClassifier

from boston_defaults import _parse_set  # the same --set NAME=VALUE syntax


def main(n_seeds, params, n=200):
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X_test, y_test = make_moons(5000, noise=0.1, random_state=123)
    label = ", ".join(f"{k}={v!r}" for k, v in params.items())
    print("| settings | varying | logit kept | mean accuracy | min accuracy |")
    print("|---|---|---|---|---|")
    for varying in ("estimator seed", "data seed"):
        kept, accuracy = 0, []
        for seed in range(n_seeds):
            X, y = make_moons(n, noise=0.1, random_state=(
                0 if varying == "estimator seed" else seed))
            clf = NNClassifier(random_state=seed, **params).fit(X, y)
            kept += clf.best_epoch_ == 0
            accuracy.append(clf.score(X_test, y_test))
        print(f"| NNClassifier({label}) | {varying} | {kept}/{n_seeds} | "
              f"{np.mean(accuracy):.3f} | {np.min(accuracy):.3f} |",
              flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="NNClassifier parameters")
    args = parser.parse_args()
    main(args.seeds, _parse_set(args.set))
