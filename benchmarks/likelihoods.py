"""Held-out log-likelihood: each econometric likelihood, linear vs network.

For every likelihood loss the data come from a nonlinear design (the index
mixes a sine, a square and an interaction), so the classical model
(``hidden_layer_sizes=()``, fitted to convergence by L-BFGS) is
misspecified in its index and a network with the same output likelihood
is not.  The figure of merit is the mean log-likelihood per observation on
a fresh test sample, over several seeds.

Run::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/likelihoods.py
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/likelihoods.py --tiny
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from econnn import NNClassifier, NNRegressor, log_likelihood

LOSSES = ["tobit", "fractional_logit", "negative_binomial",
          "zero_inflated_poisson", "ordered_logit", "ordered_probit"]


def simulate(loss, n, seed):
    """A nonlinear design for ``loss``: (X, y)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    index = (np.sin(2 * X[:, 0]) + X[:, 1] ** 2 - 1 + X[:, 2] * X[:, 3]
             + 0.5 * X[:, 4])
    if loss == "tobit":
        return X, np.maximum(index + rng.normal(size=n), 0.0)
    if loss == "fractional_logit":
        return X, 1 / (1 + np.exp(-index - 0.5 * rng.normal(size=n)))
    mu = np.exp(0.5 + 0.5 * index)
    if loss == "negative_binomial":
        r = 2.0  # alpha = 0.5
        return X, rng.negative_binomial(r, r / (r + mu))
    if loss == "zero_inflated_poisson":
        inflate = 1 / (1 + np.exp(1 - X[:, 0] * X[:, 1]))
        return X, np.where(rng.random(n) < inflate, 0, rng.poisson(mu))
    noise = rng.logistic(size=n) if loss == "ordered_logit" else \
        rng.normal(size=n)
    return X, np.digitize(index + noise, [-1.0, 0.0, 1.0])


def _estimator(loss, **params):
    cls = NNClassifier if loss.startswith("ordered") else NNRegressor
    return cls(loss=loss, **params)


def run(loss, n_train, n_test, seed, network):
    X, y = simulate(loss, n_train, seed)
    X_test, y_test = simulate(loss, n_test, 10_000 + seed)
    linear = _estimator(loss, hidden_layer_sizes=(), solver="lbfgs",
                        max_iter=500, tol=1e-9, alpha=0.0, n_ensemble=1,
                        random_state=seed)
    net = _estimator(loss, random_state=seed, **network)
    out = {}
    for name, model in (("linear", linear), ("network", net)):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        out[name] = log_likelihood(model, X_test, y_test) / n_test
        out[name + " s"] = time.perf_counter() - start
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true",
                        help="a seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.tiny:
        n_train, n_test, seeds = 200, 200, [0]
        network = dict(hidden_layer_sizes=(8,), max_iter=20)
    else:
        n_train, n_test, seeds = 2000, 10_000, [0, 1, 2]
        network = dict(early_stopping=True, max_iter=500)
    rows = []
    for loss in LOSSES:
        runs = [run(loss, n_train, n_test, s, network) for s in seeds]
        lin = np.array([r["linear"] for r in runs])
        net = np.array([r["network"] for r in runs])
        rows.append({
            "loss": loss, "linear": lin.mean(), "network": net.mean(),
            "gain": (net - lin).mean(), "gain sd": (net - lin).std(),
            "network wins": int(np.sum(net > lin)), "seeds": len(seeds),
            "network s": np.mean([r["network s"] for r in runs])})
    print(f"n_train={n_train}, n_test={n_test}; mean held-out "
          "log-likelihood per observation\n")
    print("| loss | linear (classical) | network | gain | gain sd "
          "| network wins | s per network fit |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['loss']} | {r['linear']:.4f} | {r['network']:.4f} | "
              f"{r['gain']:+.4f} | {r['gain sd']:.4f} | "
              f"{r['network wins']}/{r['seeds']} | {r['network s']:.1f} |")
    return rows


if __name__ == "__main__":
    main()
