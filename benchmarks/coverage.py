"""Coverage of marginal-effect confidence intervals: a Monte Carlo study.

Four designs with a known average marginal effect (AME), each with two
correlated normal regressors x0, x1 (corr 0.3), a third x2 (nonlinear
design) and a dummy d whose probability depends on x1:

* ``linear``    y = 1 + 1.5 x0 - 0.5 x1 + d + e,                 e ~ N(0, 1)
* ``nonlinear`` y = sin(x0) + x0 x1 + x2^2 / 2 + d (1 + x1 / 2) + e
                (Farrell-Liang-Misra style heterogeneity: AME of x0 is
                E cos(x0) = exp(-1/2), of d is 1)
* ``logit``     P(y = 1) = logistic(0.3 + x0 - x1 + 0.5 d)
* ``poisson``   E[y] = exp(0.2 + 0.3 x0 - 0.2 x1 + 0.3 d)

For each replication a fresh sample is drawn, the network fitted and
``marginal_effects`` computed; the targets are the AMEs of x0 (a
derivative) and of d (a discrete change), whose true values are computed
in closed form or by Monte Carlo on 2 million draws.  Per replication it
records the influence-function estimate and standard error
(``se='influence'``), the cross-fitted plug-in estimate with the "naive"
standard error that ignores the estimation of the network (the spread of
the unit effects alone), and, with ``--bootstrap B``, the full-sample
plug-in estimate with a B-refit bootstrap standard error.

Usage (rows are appended to the CSV as they finish; ``report`` turns it
into the markdown tables of ``docs/marginal_effects.md``)::

    python benchmarks/coverage.py run --design linear --n 1000 --reps 300 \
        --out benchmarks/results/coverage.csv
    python benchmarks/coverage.py run --design logit --n 1000 --reps 40 \
        --bootstrap 30 --out benchmarks/results/coverage_bootstrap.csv
    python benchmarks/coverage.py report benchmarks/results/coverage.csv
    python benchmarks/coverage.py oracle --reps 300  # the draws' luck
    python benchmarks/coverage.py diagnose --design logit --n 5000
    python benchmarks/coverage.py cost --reps 2  # CPU time vs one fit
    python benchmarks/coverage.py --tiny        # a seconds-long smoke run
"""

import argparse
import csv
import os
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from econnn import NNClassifier, NNRegressor, marginal_effects
from econnn.inference._functionals import (EffectSpec, Scenario,
                                           feature_kinds, group_weights)
from econnn.inference._influence import crossfit_effects

DESIGNS = ("linear", "nonlinear", "logit", "poisson")
#: L2 penalty of the network per design (1e-3 otherwise). With 1e-3 the
#: logit network overfits (Monte Carlo sd of the AME of x0 at n = 1000:
#: 0.056, against 0.016 with alpha = 1) and its intervals undercover; see
#: docs/marginal_effects.md.
ALPHA = {"logit": 1.0}
TARGETS = ("x0", "d")
FIELDS = ["design", "n", "rep", "target", "truth", "est_if", "se_if",
          "est_plugin", "se_naive", "est_boot", "se_boot", "est_oracle",
          "se_oracle", "seconds_if", "seconds_fit"]
#: Estimates and standard errors summarised, by label.
METHODS = (("influence", "est_if", "se_if"),
           ("naive plug-in", "est_plugin", "se_naive"),
           ("bootstrap", "est_boot", "se_boot"),
           ("oracle", "est_oracle", "se_oracle"))


def _logistic(z):
    return 1 / (1 + np.exp(-z))


def draw(design, n, rng):
    """A sample (X, y) of a design; X has columns x0, x1, [x2,] d."""
    x0 = rng.normal(size=n)
    x1 = 0.3 * x0 + np.sqrt(1 - 0.09) * rng.normal(size=n)
    x2 = rng.normal(size=n)
    d = (rng.random(n) < _logistic(0.5 * x1)).astype(float)
    cols = {"x0": x0, "x1": x1}
    if design == "linear":
        y = 1 + 1.5 * x0 - 0.5 * x1 + d + rng.normal(size=n)
    elif design == "nonlinear":
        cols["x2"] = x2
        y = np.sin(x0) + x0 * x1 + x2 ** 2 / 2 + d * (1 + x1 / 2) + \
            rng.normal(size=n)
    elif design == "logit":
        y = (rng.random(n) < _logistic(0.3 + x0 - x1 + 0.5 * d)).astype(int)
    elif design == "poisson":
        y = rng.poisson(np.exp(0.2 + 0.3 * x0 - 0.2 * x1 + 0.3 * d)) \
            .astype(float)
    else:
        raise ValueError(f"Unknown design {design!r}; use one of {DESIGNS}.")
    cols["d"] = d
    return np.column_stack(list(cols.values())), y


@lru_cache(maxsize=None)
def truth(design):
    """True AMEs of x0 (derivative) and d (discrete change)."""
    if design == "linear":
        return {"x0": 1.5, "d": 1.0}
    if design == "nonlinear":
        return {"x0": float(np.exp(-0.5)), "d": 1.0}
    rng = np.random.default_rng(12345)
    X, _ = draw("linear", 2_000_000, rng)  # the regressors only
    x0, x1 = X[:, 0], X[:, 1]
    if design == "logit":
        def mean(d):
            return _logistic(0.3 + x0 - x1 + 0.5 * d)
        p = mean(X[:, 2])
        return {"x0": float(np.mean(p * (1 - p))),
                "d": float(np.mean(mean(1.0) - mean(0.0)))}

    def mean(d):
        return np.exp(0.2 + 0.3 * x0 - 0.2 * x1 + 0.3 * d)
    return {"x0": float(np.mean(0.3 * mean(X[:, 2]))),
            "d": float(np.mean(mean(1.0) - mean(0.0)))}


def _mean(design, x0, x1, x2, d):
    """E[y | x] of a design."""
    if design == "linear":
        return 1 + 1.5 * x0 - 0.5 * x1 + d
    if design == "nonlinear":
        return np.sin(x0) + x0 * x1 + x2 ** 2 / 2 + d * (1 + x1 / 2)
    if design == "logit":
        return _logistic(0.3 + x0 - x1 + 0.5 * d)
    return np.exp(0.2 + 0.3 * x0 - 0.2 * x1 + 0.3 * d)


def _dmean_dx0(design, x0, x1, x2, d):
    mu = _mean(design, x0, x1, x2, d)
    return {"linear": np.full_like(x0, 1.5),
            "nonlinear": np.cos(x0) + x1,
            "logit": mu * (1 - mu),
            "poisson": 0.3 * mu}[design]


def oracle(design, X, y):
    """The infeasible efficient estimates and standard errors of the AMEs.

    The influence-function estimate with the truth plugged in:
    ``mean(L(mu)(x) + alpha(x) (y - mu(x)))`` with the true mean ``mu`` and
    the true Riesz representer ``alpha``: for the derivative in x0 minus
    the x0-derivative of the log density of (x0, x1), ``(x0 - 0.3 x1) /
    0.91`` (x2 and, given x1, d do not depend on x0); for the dummy the
    inverse-propensity weights ``d / pi - (1 - d) / (1 - pi)``, ``pi =
    logistic(x1 / 2)``.  Its variance is the semiparametric bound.

    Returns
    -------
    dict
        ``{target: (estimate, standard error)}``.
    """
    x0, x1 = X[:, 0], X[:, 1]
    x2 = X[:, 2] if design == "nonlinear" else np.zeros_like(x0)
    d = X[:, -1]
    resid = y - _mean(design, x0, x1, x2, d)
    alpha = riesz(X)
    scores = {
        "x0": _dmean_dx0(design, x0, x1, x2, d) + alpha["x0"] * resid,
        "d": _mean(design, x0, x1, x2, 1.0) - _mean(design, x0, x1, x2, 0.0)
        + alpha["d"] * resid}
    return {t: (phi.mean(), phi.std(ddof=1) / np.sqrt(len(phi)))
            for t, phi in scores.items()}


def riesz(X):
    """The true Riesz representers of the two AMEs (every design)."""
    x0, x1, d = X[:, 0], X[:, 1], X[:, -1]
    pi = _logistic(0.5 * x1)
    return {"x0": (x0 - 0.3 * x1) / 0.91,
            "d": d / pi - (1 - d) / (1 - pi)}


def parametric(design, X, y):
    """The correctly specified parametric model's AMEs and delta-method
    standard errors (statsmodels), ``{target: (estimate, se)}``; None for
    the nonlinear design."""
    import statsmodels.api as sm
    Z = sm.add_constant(X)
    if design == "linear":
        fit = sm.OLS(y, Z).fit(cov_type="HC1")
        return {"x0": (fit.params[1], fit.bse[1]),
                "d": (fit.params[-1], fit.bse[-1])}
    if design == "nonlinear":
        return None
    model = sm.Logit(y, Z) if design == "logit" else sm.Poisson(y, Z)
    me = model.fit(disp=0).get_margeff(dummy=True)
    return {"x0": (me.margeff[0], me.margeff_se[0]),
            "d": (me.margeff[-1], me.margeff_se[-1])}


def diagnose(design, n, reps, first=0, seed=0, cv=5):
    """Where the influence estimate's error comes from, on the samples,
    models and folds of ``run``: the Riesz dictionary's degree, the
    estimate with the true representer in place of the learned one, its
    standard error against the oracle's, and the correctly specified
    parametric model on the same samples."""
    from sklearn.utils import check_random_state
    from econnn.inference._influence import _folds
    rows = []
    for rep in range(first, first + reps):
        rng = np.random.default_rng([seed, DESIGNS.index(design), n, rep])
        X, y = draw(design, n, rng)
        model = make_model(design, int(rng.integers(2 ** 31)))
        state = int(rng.integers(2 ** 31))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = crossfit_effects(model, X, X, y, _spec(X), cv=cv,
                                   random_state=state)
        # the folds crossfit_effects drew (its first use of the state)
        tests = _folds(n, cv, None, check_random_state(state))
        mu = np.empty(n)
        for fitted, idx in zip(res["models"], tests):
            mu[idx] = fitted.predict_proba(X[idx])[:, 1] \
                if design == "logit" else fitted.predict(X[idx])
        best, alpha = oracle(design, X, y), riesz(X)
        param = parametric(design, X, y)
        for c, target in enumerate(TARGETS):
            rows.append(dict(
                rep=rep, target=target, truth=truth(design)[target],
                est_if=res["effect"][0, 0, c, 0],
                se_if=res["std_err"][0, 0, c, 0],
                degree=res["degree"][0, 0, c, 0],
                est_true_riesz=res["plugin"][0, 0, c, 0] +
                np.mean(alpha[target] * (y - mu)),
                est_oracle=best[target][0], se_oracle=best[target][1],
                est_param=np.nan if param is None else param[target][0],
                se_param=np.nan if param is None else param[target][1]))
    frame = pd.DataFrame(rows)
    crit = stats.norm.ppf(0.975)
    out = []
    for target, g in frame.groupby("target", sort=False):
        se = g["se_if"].mean()
        out.append({
            "target": target, "reps": len(g),
            "degree 1/2/3": "/".join(str((g["degree"] == k).sum())
                                     for k in (1, 2, 3)),
            "true Riesz (sd, SEs)":
                (g["est_if"] - g["est_true_riesz"]).std(ddof=1) / se,
            "vs oracle (sd, SEs)":
                (g["est_if"] - g["est_oracle"]).std(ddof=1) / se,
            "SE / oracle SE": (g["se_if"] / g["se_oracle"]).mean(),
            "its sd": (g["se_if"] / g["se_oracle"]).std(ddof=1),
            "parametric SE ratio":
                g["se_param"].mean() / g["est_param"].std(ddof=1),
            "parametric coverage": np.nan if g["se_param"].isna().all()
            else (np.abs(g["est_param"] - g["truth"]) <=
                  crit * g["se_param"]).mean()})
    return pd.DataFrame(out)


def make_model(design, seed, tiny=False, alpha=None):
    """A small, fast network suited to the design's outcome."""
    if alpha is None:
        alpha = ALPHA.get(design, 1e-3)
    kw = dict(hidden_layer_sizes=(8,) if tiny else (16,), solver="lbfgs",
              alpha=alpha, max_iter=30 if tiny else 200, n_ensemble=1,
              random_state=seed)
    if design == "logit":
        return NNClassifier(**kw)
    if design == "poisson":
        return NNRegressor(loss="poisson", **kw)
    return NNRegressor(**kw)


def _spec(X):
    cols = [0, X.shape[1] - 1]  # x0 and d
    w = np.ones(len(X))
    levels, W = group_weights(None, w)
    return EffectSpec(cols, feature_kinds(X, cols, "auto", False), "dydx",
                      [Scenario(None, X, True)], levels, W, w / len(w))


def replicate(design, n, rep, *, cv=5, n_boot=0, tiny=False, seed=0,
              alpha=None):
    """One replication: rows (dicts) for the two targets."""
    with warnings.catch_warnings():
        # small networks stop at max_iter now and then: part of the design
        warnings.simplefilter("ignore")
        return _replicate(design, n, rep, cv, n_boot, tiny, seed, alpha)


def _replicate(design, n, rep, cv, n_boot, tiny, seed, alpha):
    rng = np.random.default_rng([seed, DESIGNS.index(design), n, rep])
    X, y = draw(design, n, rng)
    model = make_model(design, int(rng.integers(2 ** 31)), tiny, alpha)
    start = time.perf_counter()
    result = crossfit_effects(model, X, X, y, _spec(X), cv=cv,
                              random_state=int(rng.integers(2 ** 31)))
    seconds_if = time.perf_counter() - start
    boot = None
    seconds_fit = np.nan
    if n_boot or rep < 3:  # one full fit: the time unit of the cost claim
        start = time.perf_counter()
        model.fit(X, y)
        seconds_fit = time.perf_counter() - start
    if n_boot:
        boot = marginal_effects(model, X, features=[0, X.shape[1] - 1],
                                y=y, se="bootstrap", n_boot=n_boot,
                                random_state=rep)
    true = truth(design)
    best = oracle(design, X, y)
    rows = []
    for c, target in enumerate(TARGETS):
        row = dict(design=design, n=n, rep=rep, target=target,
                   truth=true[target],
                   est_if=result["effect"][0, 0, c, 0],
                   se_if=result["std_err"][0, 0, c, 0],
                   est_plugin=result["plugin"][0, 0, c, 0],
                   se_naive=result["naive_se"][0, 0, c, 0],
                   est_boot=np.nan if boot is None else
                   boot["effect"].iloc[c],
                   se_boot=np.nan if boot is None else
                   boot["std_err"].iloc[c],
                   est_oracle=best[target][0], se_oracle=best[target][1],
                   seconds_if=seconds_if, seconds_fit=seconds_fit)
        rows.append(row)
    return rows


def run(design, n, reps, out, *, cv=5, n_boot=0, first=0, tiny=False,
        alpha=None):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = not out.exists()
    rows = []
    with open(out, "a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        for rep in range(first, first + reps):
            for row in replicate(design, n, rep, cv=cv, n_boot=n_boot,
                                 tiny=tiny, alpha=alpha):
                writer.writerow(row)
                rows.append(row)
            fh.flush()
    return pd.DataFrame(rows)


def summarise(frame, alpha=0.05):
    """Bias, coverage and SE ratio per method, each with its Monte Carlo
    +- (the half-width of its 95% interval over the replications).

    The SE ratio's +- is that of the Monte Carlo standard deviation in its
    denominator, ``ratio * z / sqrt(2 (R - 1))`` (normal errors; the mean
    standard error in the numerator varies far less).  ``vs oracle`` is the
    standard deviation of (estimate - oracle estimate) on the same samples
    over the mean standard error: how far the method strays from the
    efficient estimator, in standard errors (0 for the oracle itself).
    """
    crit = stats.norm.ppf(1 - alpha / 2)
    out = []
    for (design, n, target), g in frame.groupby(["design", "n", "target"],
                                                sort=False):
        for label, est, se in METHODS:
            if est not in g:  # CSVs written before the oracle was added
                continue
            cols = [est, se, "truth"] + (["est_oracle"] if "est_oracle" in g
                                         and est != "est_oracle" else [])
            sub = g[cols].dropna()
            if not len(sub):
                continue
            err = sub[est] - sub["truth"]
            cover = (np.abs(err) <= crit * sub[se]).mean()
            reps = len(sub)
            ratio = sub[se].mean() / sub[est].std(ddof=1)
            out.append({
                "design": design, "n": n, "target": target,
                "method": label, "reps": reps,
                "truth": sub["truth"].iloc[0], "bias": err.mean(),
                "MC sd": sub[est].std(ddof=1),
                "mean SE": sub[se].mean(),
                "SE ratio": ratio,
                "ratio +-": crit * ratio / np.sqrt(2 * (reps - 1)),
                "coverage": cover,
                "+-": crit * np.sqrt(cover * (1 - cover) / reps),
                "vs oracle": 0.0 if est == "est_oracle" else
                (sub[est] - sub["est_oracle"]).std(ddof=1) / sub[se].mean()
                if "est_oracle" in sub else np.nan})
    return pd.DataFrame(out)


def doc_table(table, method, low=0.93, high=0.97, ratio=(0.9, 1.1)):
    """One method's rows, +- beside each figure, the oracle's SE ratio and
    coverage on the same samples, and whether the cell meets the targets
    (coverage in [low, high], SE ratio in ``ratio``)."""
    def pm(value, err, fmt):
        return f"{value:{fmt}} ± {err:{fmt}}"
    keys = ["design", "n", "target"]
    rows = table[table["method"] == method].set_index(keys)
    ref = table[table["method"] == "oracle"].set_index(keys)
    out = pd.DataFrame({
        "reps": rows["reps"],
        "truth": rows["truth"].map("{:.3f}".format),
        "bias": rows["bias"].map("{:.4f}".format),
        "MC sd": rows["MC sd"].map("{:.4f}".format),
        "mean SE": rows["mean SE"].map("{:.4f}".format),
        "SE ratio": [pm(r, e, ".2f") for r, e in
                     zip(rows["SE ratio"], rows["ratio +-"])],
        "coverage": [pm(100 * c, 100 * e, ".1f") + "%" for c, e in
                     zip(rows["coverage"], rows["+-"])]})
    if len(ref):
        ref = ref.reindex(rows.index)
        out["oracle SE ratio"] = ref["SE ratio"].map("{:.2f}".format)
        out["oracle coverage"] = ref["coverage"].map("{:.1%}".format)
        out["vs oracle"] = rows["vs oracle"].map("{:.2f}".format)
    out["meets target"] = np.where(
        rows["coverage"].between(low, high) &
        rows["SE ratio"].between(*ratio), "yes", "no")
    return out.reset_index()


def oracle_only(design, n, reps, first=0, seed=0):
    """The oracle alone (no network: seconds) on the samples that ``run``
    draws: how lucky a stretch of replications is, before any fitting."""
    rows = []
    for rep in range(first, first + reps):
        rng = np.random.default_rng([seed, DESIGNS.index(design), n, rep])
        X, y = draw(design, n, rng)
        for target, (est, se) in oracle(design, X, y).items():
            rows.append(dict(design=design, n=n, rep=rep, target=target,
                             truth=truth(design)[target], est_oracle=est,
                             se_oracle=se))
    return summarise(pd.DataFrame(rows))


def cost(designs, sizes, reps=2, cv=5):
    """CPU seconds of one full fit and of se='influence' (cv refits plus
    the correction), on the same sample; process time, so that other
    programs on a shared machine do not count."""
    rows = []
    make_model("linear", 0).fit(*draw("linear", 200,
                                      np.random.default_rng(0)))  # warm-up
    for design in designs:
        for n in sizes:
            for rep in range(reps):
                rng = np.random.default_rng([7, DESIGNS.index(design), n,
                                             rep])
                X, y = draw(design, n, rng)
                model = make_model(design, rep)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.process_time()
                    model.fit(X, y)
                    fit = time.process_time() - start
                    start = time.process_time()
                    crossfit_effects(model, X, X, y, _spec(X), cv=cv,
                                     random_state=rep)
                    total = time.process_time() - start
                rows.append(dict(design=design, n=n, rep=rep, fit=fit,
                                 influence=total))
    frame = pd.DataFrame(rows).groupby(["design", "n"], sort=False).sum()
    frame["ratio"] = frame["influence"] / frame["fit"]
    return frame.drop(columns="rep").rename(columns={
        "fit": "one fit (CPU s)", "influence": "se='influence' (CPU s)"})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true",
                        help="a seconds-long smoke run of every design")
    sub = parser.add_subparsers(dest="command")
    r = sub.add_parser("run")
    r.add_argument("--design", choices=DESIGNS, required=True)
    r.add_argument("--n", type=int, default=1000)
    r.add_argument("--reps", type=int, default=300)
    r.add_argument("--first", type=int, default=0,
                   help="index of the first replication (to extend a run)")
    r.add_argument("--cv", type=int, default=5)
    r.add_argument("--bootstrap", type=int, default=0, metavar="B")
    r.add_argument("--alpha", type=float, default=None,
                   help="the network's L2 penalty (default: ALPHA)")
    r.add_argument("--out", default="benchmarks/results/coverage.csv")
    p = sub.add_parser("report")
    p.add_argument("csv", nargs="+")
    p.add_argument("--method", default=None,
                   help="one method, as in docs/marginal_effects.md, with "
                   "the oracle's SE ratio and coverage beside it")
    o = sub.add_parser("oracle")
    o.add_argument("--design", choices=DESIGNS, nargs="+", default=DESIGNS)
    o.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    o.add_argument("--reps", type=int, default=300)
    o.add_argument("--first", type=int, default=0)
    o.add_argument("--seed", type=int, default=0,
                   help="seed base of the samples (run's is 0)")
    g = sub.add_parser("diagnose")
    g.add_argument("--design", choices=DESIGNS, default="logit")
    g.add_argument("--n", type=int, default=5000)
    g.add_argument("--reps", type=int, default=100)
    g.add_argument("--first", type=int, default=0)
    c = sub.add_parser("cost")
    c.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    c.add_argument("--reps", type=int, default=2)
    args = parser.parse_args(argv)
    if args.tiny:
        tmp = Path(os.environ.get("TMPDIR", "/tmp")) / \
            f"coverage_tiny_{os.getpid()}.csv"
        frames = [run(d, 300, 2, tmp, tiny=True, n_boot=2 if d == "linear"
                      else 0) for d in DESIGNS]
        tmp.unlink()
        table = summarise(pd.concat(frames))
        print(table.to_string())
        return table
    if args.command == "run":
        return run(args.design, args.n, args.reps, args.out, cv=args.cv,
                   n_boot=args.bootstrap, first=args.first, alpha=args.alpha)
    if args.command == "oracle":
        table = pd.concat([oracle_only(d, n, args.reps, args.first,
                                       args.seed)
                           for n in args.n for d in args.design])
        print(table.to_markdown(index=False, floatfmt=".3f"))
        return table
    if args.command == "diagnose":
        table = diagnose(args.design, args.n, args.reps, args.first)
        print(table.to_markdown(index=False, floatfmt=".3f"))
        return table
    if args.command == "cost":
        table = cost(DESIGNS, args.n, args.reps)
        print(table.to_markdown(floatfmt=".2f"))
        return table
    if args.command == "report":
        frame = pd.concat([pd.read_csv(f) for f in args.csv],
                          ignore_index=True)
        table = summarise(frame)
        if args.method:
            table = doc_table(table, args.method)
            print(table.to_markdown(index=False))
        else:
            print(table.to_markdown(index=False, floatfmt=".3f"))
        return table
    parser.print_help()
    return None


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
