"""Grid search over NNRegressor: one process against a local Dask cluster.

The same ``GridSearchCV`` (``n_candidates`` settings x ``cv`` folds, plus the
refit) runs twice: in this process with ``n_jobs=1``, and through joblib's
dask backend on a ``LocalCluster`` of ``--workers`` worker processes with
one thread each. The cluster is started (and econnn imported on it) before
the clock starts; its startup time is reported separately. Both searches
must find the same best parameters and scores. Run from the repository
root::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/dask_gridsearch.py

and it prints a Markdown table. ``--tiny`` runs a seconds-long version.
"""

import argparse
import os
import time
import warnings

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from econnn import NNRegressor


def _data(n, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 10))
    y = (np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.5 * X[:, 3]
         + 0.2 * rng.normal(size=n))
    return X, y


def _search(max_iter, n_jobs):
    model = NNRegressor(hidden_layer_sizes=(32, 32), max_iter=max_iter,
                        tol=0.0, random_state=0)
    grid = {"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3],
            "batch_size": [32, 64]}
    return GridSearchCV(model, grid, cv=KFold(3), n_jobs=n_jobs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    if args.tiny:
        args.rows, args.epochs = 200, 2
    from dask.distributed import Client, LocalCluster

    warnings.simplefilter("ignore")
    X, y = _data(args.rows)

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                           processes=True, dashboard_address=None)
    client = Client(cluster)
    client.run(lambda: [__import__(m) for m in
                        ("econnn", "sklearn.model_selection")] and None)
    startup = time.perf_counter() - start
    try:
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            remote = _search(args.epochs, n_jobs=-1).fit(X, y)
        t_dask = time.perf_counter() - start
    finally:
        client.close()
        cluster.close()

    start = time.perf_counter()
    local = _search(args.epochs, n_jobs=1).fit(X, y)
    t_local = time.perf_counter() - start

    same = (remote.best_params_ == local.best_params_ and np.allclose(
        remote.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"], rtol=1e-5))
    fits = len(local.cv_results_["params"]) * 3 + 1
    rows = [
        {"run": "one process (n_jobs=1)", "wall s": t_local, "speed-up": 1.0},
        {"run": f"LocalCluster, {args.workers} workers x 1 thread",
         "wall s": t_dask, "speed-up": t_local / t_dask},
    ]
    print(f"{fits} fits of NNRegressor((32, 32)), {args.rows} rows x 10, "
          f"{args.epochs} epochs; cluster startup {startup:.1f} s (not "
          f"timed); os.cpu_count()={os.cpu_count()}; same results: {same}")
    print("| run | wall s | speed-up |\n|---|---|---|")
    for row in rows:
        print(f"| {row['run']} | {row['wall s']:.1f} | "
              f"{row['speed-up']:.2f}x |")
    return {"rows": rows, "same": same, "startup": startup}


if __name__ == "__main__":
    main()
