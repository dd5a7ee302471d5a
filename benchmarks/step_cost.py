"""Per-step cost of a small network: econnn (this checkout) vs scikit-learn.

13-64-64-1 ReLU, batch 32, Adam, 50 epochs over 455 rows (750 steps), CPU
time per step, best of 3. Run it against another checkout of econnn with
``PYTHONPATH=/path/to/checkout`` to compare versions:

    OMP_NUM_THREADS=1 python benchmarks/step_cost.py

The last rows time a two-network ensemble (the default ``n_ensemble`` on
small data) with its closed-form gradients and, for comparison, through
autograd.
"""

import time
import warnings

import numpy as np
from sklearn.neural_network import MLPRegressor

import econnn
from econnn import NNRegressor

EPOCHS, STEPS_PER_EPOCH = 50, 15


def per_step_us(fit):
    runs = []
    for _ in range(3):
        start = time.process_time()
        fit()
        runs.append((time.process_time() - start) / (EPOCHS * STEPS_PER_EPOCH))
    return min(runs) * 1e6


def main():
    warnings.filterwarnings("ignore")
    rng = np.random.RandomState(0)
    X = rng.randn(455, 13).astype(np.float32)
    y = (X[:, 0] ** 2 + X[:, 1]).astype(np.float32)
    common = dict(hidden_layer_sizes=(64, 64), activation="relu",
                  batch_size=32, max_iter=EPOCHS, alpha=0.0, tol=0.0,
                  n_iter_no_change=EPOCHS + 1, random_state=0)
    ours = dict(common, learning_rate="constant")
    if "n_ensemble" in NNRegressor().get_params():
        ours["n_ensemble"] = 1  # one network, like scikit-learn's
    if "linear_skip" in NNRegressor().get_params():
        # the step alone: no GLM start, no validation split (every epoch
        # then has the 15 steps the per-step figure divides by)
        ours.update(linear_skip=False, early_stopping=False)
    NNRegressor(**dict(ours, max_iter=1)).fit(X, y)  # warm-up
    print(f"econnn from {econnn.__file__}")
    print("| model | µs per step |\n|---|---|")
    print(f"| econnn, float32 | "
          f"{per_step_us(lambda: NNRegressor(**ours).fit(X, y)):.1f} |")
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    ours64 = dict(ours)
    if "precision" in NNRegressor().get_params():
        ours64["precision"] = "float64"  # float64 arithmetic, not only input
    print(f"| econnn, float64 | "
          f"{per_step_us(lambda: NNRegressor(**ours64).fit(X64, y64)):.1f} |")
    print(f"| scikit-learn MLPRegressor, float32 | "
          f"{per_step_us(lambda: MLPRegressor(**common).fit(X, y)):.1f} |")
    print(f"| scikit-learn MLPRegressor, float64 | "
          f"{per_step_us(lambda: MLPRegressor(**common).fit(X64, y64)):.1f} |")
    if "n_ensemble" in ours:
        _ensemble_rows(ours, X, y)


def _ensemble_rows(ours, X, y):
    try:
        from econnn.engine._backprop import EnsembleBackprop
    except ImportError:  # a checkout before the ensemble's closed form
        EnsembleBackprop = None
    pair = dict(ours, n_ensemble=2)
    print(f"| econnn, 2 networks, float32 | "
          f"{per_step_us(lambda: NNRegressor(**pair).fit(X, y)):.1f} |")
    if EnsembleBackprop is not None:
        original = vars(EnsembleBackprop)["for_module"]
        EnsembleBackprop.for_module = classmethod(lambda cls, module: None)
        try:
            print(f"| econnn, 2 networks, float32, autograd | "
                  f"{per_step_us(lambda: NNRegressor(**pair).fit(X, y)):.1f}"
                  " |")
        finally:
            EnsembleBackprop.for_module = original


if __name__ == "__main__":
    main()
