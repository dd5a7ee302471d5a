"""Hedonic house prices and the demand for clean air (Boston, 1970).

Harrison and Rubinfeld (1978) regressed the log median house value of 506
Boston census tracts on housing, neighbourhood and accessibility variables
and on the nitric-oxide concentration (NOX), and read the marginal
willingness to pay for clean air off the NOX coefficient. This script

1. compares their log-linear OLS specification with two feed-forward
   networks -- econnn's defaults, and the lecture notes' two ReLU layers of
   64 units, L2-regularised, trained without a validation split -- by
   10-fold cross-validated R^2 of the house value, training and test, mean
   (sd) over the folds;
2. estimates the marginal effect of NOX on the house value from the OLS and
   the default network, averaged over the tracts, with econnn's default
   standard errors (cross-fitted, influence-function corrected; bootstrap
   ones with ``--n-boot``);
3. plots both effects and the partial dependence of the value on NOX.

Both models see the Harrison-Rubinfeld regressors: crim, zn, indus, chas,
nox^2, rm^2, age, log(dis), log(rad), tax, ptratio, black and log(lstat);
the OLS explains log(medv) and predicts medv with Duan's smearing
correction, the network predicts medv directly. Outputs go to ``out/``.

Run from the repository root::

    python examples/boston_hedonic.py              # a few minutes on 1 CPU
    python examples/boston_hedonic.py --n-boot 30  # bootstrap SEs instead

The variable ``black`` is part of the 1978 specification and kept here to
reproduce it; read ``econnn.datasets.load_boston().DESCR`` about it.
"""

import argparse
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.inspection import partial_dependence  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from econnn import (NNRegressor, OLSRegressor, compare_models,  # noqa: E402
                    marginal_effects, plot_marginal_effects)
from econnn.datasets import load_boston  # noqa: E402


def harrison_rubinfeld(X):
    """The 1978 regressors from the raw columns (same names, transformed)."""
    Z = X.astype(float).copy()
    Z["nox"] = X["nox"] ** 2
    Z["rm"] = X["rm"] ** 2
    for col in ("dis", "rad", "lstat"):
        Z[col] = np.log(X[col])
    return Z.rename(columns={"nox": "nox^2", "rm": "rm^2", "dis": "log(dis)",
                             "rad": "log(rad)", "lstat": "log(lstat)"})


#: the model whose marginal effects and partial dependence are reported
NETWORK = "Network, econnn defaults, H-R regressors"


def make_models(random_state=0):
    spec = FunctionTransformer(harrison_rubinfeld)
    notes = NNRegressor(
        hidden_layer_sizes=(64, 64), activation="relu",
        alpha=0.3,                 # L2 penalty (standardised units)
        learning_rate="constant", learning_rate_init=1e-3, max_iter=1000,
        n_ensemble=1,              # one network, as in the notes
        early_stopping=False, linear_skip=False,  # the notes' training
        tol=1e-5, n_iter_no_change=30,  # train until the loss flattens
        random_state=random_state)
    return {
        "OLS, linear in levels": OLSRegressor(),
        "OLS, Harrison-Rubinfeld log-linear": make_pipeline(
            spec, OLSRegressor(log_target=True)),
        NETWORK: make_pipeline(spec, NNRegressor(random_state=random_state)),
        "Network 2x64 ReLU (the notes), H-R regressors": make_pipeline(
            spec, notes),
    }


def main(n_boot=0, n_repeats=5, out="out", n_jobs=None, random_state=0):
    out = Path(out)
    out.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_boston(return_X_y=True)
    models = make_models(random_state)

    # 1. cross-validated comparison
    start = time.perf_counter()
    cv = KFold(10, shuffle=True, random_state=0)
    table = compare_models(models, X, y, cv=cv, scoring="r2")
    print(table.as_text(), f"\n({time.perf_counter() - start:.0f} s)\n")
    (out / "boston_cv.md").write_text(
        "10-fold cross-validated R^2 of the median house value (medv), "
        "KFold(10, shuffle=True, random_state=0); mean (sd) over folds.\n\n"
        + table.as_markdown() + "\n")

    # 2. marginal willingness to pay for clean air: d medv / d nox
    start = time.perf_counter()
    effects = {}
    for name in ("OLS, Harrison-Rubinfeld log-linear", NETWORK):
        model = models[name].fit(X, y)
        # the regressors are built by a FunctionTransformer, which autograd
        # cannot see through: differentiate the pipeline numerically.
        # Without n_boot the standard errors are the default, cross-fitted
        # influence-function ones, the cross-fitting repeated on n_repeats
        # random splits (5 x 5 refits); with n_boot, bootstrap ones.
        effects[name] = marginal_effects(
            model, X, features=["nox"], y=y, n_boot=n_boot,
            n_repeats=1 if n_boot else n_repeats,
            derivative="numerical", n_jobs=n_jobs,
            random_state=random_state)
    mwtp = pd.concat(effects, names=["model"]).droplevel("feature")
    # medv is in $1000 and nox in parts per 10 million: x 100 gives
    # dollars per part per hundred million (pphm), Harrison-Rubinfeld's unit
    mwtp["effect ($ per pphm)"] = 100 * mwtp["effect"]
    mwtp["std_err ($ per pphm)"] = 100 * mwtp["std_err"]
    method = (f"bootstrap standard errors ({n_boot} refits)" if n_boot else
              "cross-fitted influence-function standard errors (5 folds, "
              f"median of {n_repeats} random splits)")
    print(mwtp.round(3).to_string(),
          f"\n({time.perf_counter() - start:.0f} s, {method})\n")
    (out / "boston_mwtp.md").write_text(
        "Average marginal effect of NOX on the median house value "
        "(medv in $1000 per part per 10 million; and in $ per pphm), "
        f"{method}, 95% normal intervals.\n\n"
        + mwtp.to_markdown(floatfmt=".3f") + "\n")

    # 3. plot: the effects and the partial dependence on NOX
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    plot_marginal_effects(effects, ax=left,
                          title="d medv / d nox ($1000 per pp10m)")
    left.legend(fontsize=8)
    for label, name in (("OLS log-linear",
                         "OLS, Harrison-Rubinfeld log-linear"),
                        ("network (econnn defaults)", NETWORK)):
        pd_nox = partial_dependence(models[name], X, ["nox"],
                                    grid_resolution=30)
        right.plot(pd_nox["grid_values"][0], pd_nox["average"][0],
                   label=label)
    right.set_xlabel("nox (parts per 10 million)")
    right.set_ylabel("average predicted medv ($1000)")
    right.set_title("Partial dependence of house value on NOX")
    right.legend()
    fig.tight_layout()
    fig.savefig(out / "boston_nox.png", dpi=120)
    print(f"wrote {out / 'boston_cv.md'}, {out / 'boston_mwtp.md'}, "
          f"{out / 'boston_nox.png'}")
    return table, mwtp


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=0,
                        help="bootstrap refits per model (default 0: the "
                             "default influence-function standard errors)")
    parser.add_argument("--n-repeats", type=int, default=5,
                        help="random splits of the cross-fitting (default 5)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="parallel refits (default 1)")
    parser.add_argument("--out", default="out", help="output folder")
    args = parser.parse_args()
    main(n_boot=args.n_boot, n_repeats=args.n_repeats, out=args.out,
         n_jobs=args.n_jobs)
