"""AutoencoderTransformer against PCA: the linear case and a curved manifold.

(a) Linear autoencoder (no hidden layers, identity activation, squared
    error), trained by Adam and by L-BFGS, on eight features with distinct
    principal variances: the largest principal angle between its subspace
    and PCA's top-3 subspace, and its reconstruction error relative to
    PCA's.
(b) Nonlinear autoencoder (one tanh hidden layer of 64 units each side) with
    2 components on scikit-learn's S-curve rotated into 10 dimensions with
    noise: its reconstruction error relative to PCA with 2 components.

Errors are mean squared errors on the training data in standardised units
(PCA is fitted to the standardised data). Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/autoencoder_vs_pca.py --seeds 5

and it prints a Markdown table per experiment.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.linalg import subspace_angles
from sklearn.datasets import make_s_curve
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from econnn import AutoencoderTransformer

LINEAR = {
    "adam": dict(hidden_layer_sizes=(), activation="identity", alpha=0.0,
                 learning_rate_init=0.01, batch_size=32,
                 learning_rate="cosine", max_iter=100, tol=0.0),
    "lbfgs": dict(hidden_layer_sizes=(), activation="identity", alpha=0.0,
                  solver="lbfgs", max_iter=200, tol=1e-7),
}
NONLINEAR = dict(hidden_layer_sizes=(64,), learning_rate_init=0.01,
                 batch_size=64, learning_rate="cosine", max_iter=150, tol=0.0)


def factor_data(seed, n=400):
    rng = np.random.RandomState(seed)
    sd = np.array([5, 4, 3, 1.5, 1, 0.7, 0.5, 0.3])
    rotation, _ = np.linalg.qr(rng.randn(8, 8))
    return (rng.randn(n, 8) * sd) @ rotation.T + 3 * rng.randn(8)


def s_curve_10d(seed, n=1000, noise=0.05):
    rng = np.random.RandomState(seed)
    S, _ = make_s_curve(n, noise=noise, random_state=seed)
    basis, _ = np.linalg.qr(rng.randn(10, 3))
    return S @ basis.T + noise * rng.randn(n, 10)


def compare(X, k, params, seed):
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    pca = PCA(k).fit(Z)
    pca_mse = ((Z - pca.inverse_transform(pca.transform(Z))) ** 2).mean()
    start = time.perf_counter()
    ae = AutoencoderTransformer(n_components=k, random_state=seed,
                                **params).fit(X)
    seconds = time.perf_counter() - start
    recon = scaler.transform(ae.inverse_transform(ae.transform(X)))
    basis = np.linalg.svd(recon - recon.mean(axis=0),
                          full_matrices=False)[2][:k].T
    angle = np.degrees(subspace_angles(basis, pca.components_.T)).max()
    return dict(seed=seed, angle=angle, ae=ae.reconstruction_error_,
                pca=pca_mse, ratio=ae.reconstruction_error_ / pca_mse,
                ae_evr=ae.explained_variance_ratio_.sum(),
                pca_evr=pca.explained_variance_ratio_.sum(),
                epochs=ae.n_iter_, seconds=seconds)


FORMATS = {"ratio": "{:.5f}", "angle": "{:.3f}", "seconds": "{:.2f}"}


def table(rows, columns):
    out = ["| " + " | ".join(columns) + " |",
           "|" + "---|" * len(columns)]
    for row in rows:
        cells = [FORMATS.get(c, "{:.4g}").format(row[c])
                 if isinstance(row[c], float) else str(row[c])
                 for c in columns]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    seeds = range(args.seeds)

    rows = [dict(solver=solver, **compare(factor_data(s), 3, params, s))
            for solver, params in LINEAR.items() for s in seeds]
    print("(a) linear autoencoder vs PCA, 3 components, n=400, p=8\n")
    print(table(rows, ["solver", "seed", "angle", "ae", "pca", "ratio",
                       "ae_evr", "pca_evr", "epochs", "seconds"]))
    print()
    for solver in LINEAR:
        mine = [r for r in rows if r["solver"] == solver]
        print(f"{solver}: largest angle "
              f"{max(r['angle'] for r in mine):.3f} degrees; worst error "
              f"ratio {max(r['ratio'] for r in mine):.5f}")
    print()

    rows = [compare(s_curve_10d(s), 2, NONLINEAR, s) for s in seeds]
    print("(b) nonlinear autoencoder vs PCA, 2 components, S-curve in 10 "
          "dimensions, n=1000\n")
    print(table(rows, ["seed", "ae", "pca", "ratio", "ae_evr", "pca_evr",
                       "epochs", "seconds"]))
    print(f"\nworst error ratio {max(r['ratio'] for r in rows):.3f} "
          "(autoencoder / PCA)")


if __name__ == "__main__":
    main()
