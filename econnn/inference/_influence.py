"""Cross-fitted, debiased marginal effects and their influence-function
standard errors.

An average marginal effect is a linear functional of the regression
function, ``theta = E[w L(mu)(X)]`` with ``L`` a derivative or a discrete
change.  Plugging a network's ``mu_hat`` in gives an estimate whose error
is first-order in the network's error, and the spread of the unit effects
alone misses the sampling noise of ``mu_hat`` (in a linear model it is
zero).  Following Chernozhukov et al. (2022) and Farrell, Liang & Misra
(2021), the estimate used is the Neyman-orthogonal one,

    theta_hat = E_n[ w L(mu_hat)(X) + alpha_hat(X) (Y - mu_hat(X)) ],

where ``alpha`` is the *Riesz representer* of the functional
(``E[w L(f)] = E[alpha f]`` for every f; for a derivative it is minus the
derivative of the log density of X, for a dummy the inverse-propensity
weights), with ``mu_hat`` and ``alpha_hat`` *cross-fitted*: the sample is
split into K folds and each fold's terms use estimates fitted on the other
folds.  The standard error is the standard deviation of the per-observation
score over ``sqrt(n)`` (summed within clusters when ``groups`` is given).

``alpha`` is learned automatically (Chernozhukov, Newey & Singh 2022): in a
dictionary ``b(x)`` of polynomials of the standardised regressors,
``alpha = b' rho`` minimises ``E[alpha^2] - 2 E[w L(alpha)]``, a ridge
regression in closed form, ``rho = (E[b b'] + lambda)^-1 E[w L(b)]``,
needing only the same operator ``L`` applied to the dictionary.  The degree
(1-3) and ``lambda`` are chosen by the held-out value of that criterion.
The effects covered are those linear in ``mu`` (``method='dydx'`` and
``'dyex'``); for the elasticities (``'ey..'``) a representer learned this
way proved unreliable (standard errors off by a factor of up to five
against statsmodels' delta method for a logit), so they are left to the
bootstrap.

The cost is K fits of the estimator plus closed-form algebra.
"""

import inspect
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state

from .._devices import spread_over_gpus
from .._fitted import fitted_model, is_econnn
from ._functionals import (PolynomialBasis, combine, linearize,
                           unit_primitives)
from ._predictors import make_predictor, split_pipeline

__all__ = ["refit", "crossfit_effects", "MEAN_LOSSES"]

#: Losses whose prediction is the conditional mean (or class probability):
#: the residual correction ``alpha (y - mu)`` is valid only for them.
MEAN_LOSSES = ("squared_error", "poisson", "gamma", "log_loss")

_DEGREES = (1, 2, 3)
_RIDGE = (1e-6, 1e-3, 1e-1)


def refit(estimator, X_frame, y, sample_weight, idx, seed, groups=None,
          task=0):
    """A clone of ``estimator`` fitted on rows ``idx`` with its own seed.

    ``groups`` (the resampled clusters of a cluster bootstrap) reach an
    estimator whose ``fit`` takes them, e.g. for
    ``validation_split='group'``. ``task`` is the fit's position among
    parallel fits: with several GPUs, fit ``task`` runs on GPU
    ``task mod n_gpus`` (:func:`~econnn._devices.spread_over_gpus`).
    """
    est = spread_over_gpus(clone(estimator), task)
    # each refit draws its own network initialisation: standard errors then
    # include the randomness of training as well as of the sample
    seeds = {k: seed for k in est.get_params()
             if k == "random_state" or k.endswith("__random_state")}
    est.set_params(**seeds)
    fit_params = {}
    if sample_weight is not None:
        key = "sample_weight" if not isinstance(est, Pipeline) else \
            f"{est.steps[-1][0]}__sample_weight"
        fit_params[key] = sample_weight[idx]
    if groups is not None and _takes_groups(est):
        fit_params["groups"] = groups
    return est.fit(_safe_indexing(X_frame, idx), _safe_indexing(y, idx),
                   **fit_params)


def _takes_groups(estimator):
    try:
        return "groups" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


def check_mean_model(estimator):
    """Raise unless the prediction estimates E[y | x] (or probabilities)."""
    _, final = split_pipeline(estimator)
    if is_econnn(final):
        try:
            name = fitted_model(final).loss.name
        except NotFittedError:  # a template to be fitted on the folds
            name = "log_loss" if is_classifier(final) else \
                final.get_params().get("loss", "squared_error")
        if name not in MEAN_LOSSES:
            raise ValueError(
                f"se='influence' needs a model of the conditional mean; "
                f"the loss {name!r} estimates another feature of y given "
                "x. Use se='bootstrap'.")


def _targets(classes, y):
    """y as an (n, m) float matrix matching the predictor's outputs."""
    y = np.asarray(y)
    if classes is not None:
        if len(classes) == 2:
            return (y == classes[1]).astype(float)[:, None]
        return (y[:, None] == classes[None, :]).astype(float)
    return y.astype(float).reshape(len(y), -1)


def _folds(n, cv, groups, rng):
    """Test-index arrays of ``cv`` folds, keeping clusters together."""
    if groups is None:
        return np.array_split(rng.permutation(n), cv)
    labels, codes = np.unique(groups, return_inverse=True)
    if len(labels) < cv:
        raise ValueError(f"Cross-fitting with cv={cv} folds needs at least "
                         f"{cv} clusters; groups has {len(labels)}.")
    fold_of_cluster = np.empty(len(labels), dtype=int)
    fold_of_cluster[rng.permutation(len(labels))] = \
        np.arange(len(labels)) % cv
    return [np.flatnonzero(fold_of_cluster[codes] == k) for k in range(cv)]


def _place(out, idx, value):
    """Write ``value`` (array or nested tuple of arrays) into ``out``."""
    if isinstance(value, (tuple, list)):
        return tuple(_place(o, idx, v) for o, v in zip(out, value))
    if isinstance(value, np.ndarray):
        out[idx] = value
        return out
    return value  # scalars (the difference scale) are shared


def _assemble(pieces, tests, n):
    """One array (tree) over all rows from the folds' held-out pieces."""
    first = pieces[0]

    def alloc(v):
        if isinstance(v, (tuple, list)):
            return tuple(alloc(x) for x in v)
        if isinstance(v, np.ndarray):
            return np.empty((n,) + v.shape[1:])
        return v
    out = alloc(first)
    for piece, idx in zip(pieces, tests):
        out = _place(out, idx, piece)
    return out


def _average(pieces, shares):
    """Fold-share weighted average of trees of arrays (non-aligned)."""
    first = pieces[0]
    if isinstance(first, (tuple, list)):
        return tuple(_average([p[i] for p in pieces], shares)
                     for i in range(len(first)))
    if isinstance(first, np.ndarray):
        return sum(s * p for s, p in zip(shares, pieces))
    return first


class _RieszFit:
    """Cross-fitted Riesz representers for one scenario, every column,
    group and output; chosen over dictionary degree and ridge penalty."""

    def __init__(self, X, v, tests, cap):
        self.tests = tests
        self.fold_of = np.empty(len(X), dtype=int)
        for k, idx in enumerate(tests):
            self.fold_of[idx] = k
        self.v = v
        self.bases = []
        for degree in _DEGREES:
            if degree > 1 and PolynomialBasis.n_terms(X, degree) > cap:
                break
            basis = PolynomialBasis(X, degree)
            B = basis.values(X)
            Bv = B * v[:, None]
            G_fold = np.stack([Bv[idx].T @ B[idx] for idx in tests])
            V_fold = np.array([v[idx].sum() for idx in tests])
            self.bases.append((degree, basis, B, G_fold, V_fold))

    def fit(self, scenario, j, kind, method, W):
        """alpha for each row: (n_groups, n, m), and the degree chosen."""
        candidates = []  # (held-out loss (g, m), degree, B, rho per fold)
        tests, K = self.tests, len(self.tests)
        for degree, basis, B, G_fold, V_fold in self.bases:
            fb, (part_b,) = unit_primitives(basis, scenario.points, [j],
                                            [kind])
            L = linearize(part_b, method,
                          scenario.points[:, j])  # (n_points, 1, T)
            if scenario.aligned:
                M_fold = np.stack([np.einsum("gi,imt->gmt", W[:, idx],
                                             L[idx]) for idx in tests])
                W_fold = np.stack([W[:, idx].sum(axis=1) for idx in tests])
            else:  # one point: the same functional for every fold
                M_fold = np.broadcast_to(L[0][None, None],
                                         (K, 1) + L.shape[1:]) / K
                W_fold = np.full((K, 1), 1 / K)
            T = B.shape[1]
            G_all, V_all = G_fold.sum(0), V_fold.sum()
            M_all, W_all = M_fold.sum(0), W_fold.sum(0)
            scale = np.trace(G_all) / V_all / T
            for lam in _RIDGE:
                rhos, loss = [], 0.0
                for k in range(K):
                    G_out = (G_all - G_fold[k]) / (V_all - V_fold[k])
                    M_out = (M_all - M_fold[k]) / np.maximum(
                        W_all - W_fold[k], 1e-12)[:, None, None]
                    rho = np.linalg.solve(
                        G_out + lam * scale * np.eye(T),
                        M_out.reshape(-1, T).T).T.reshape(M_out.shape)
                    rhos.append(rho)
                    # held-out Riesz criterion E[alpha^2] - 2 E[w L(alpha)]
                    G_in = G_fold[k] / V_fold[k]
                    M_in = M_fold[k] / np.maximum(
                        W_fold[k], 1e-12)[:, None, None]
                    loss = loss + V_fold[k] * (
                        np.einsum("gmt,ts,gms->gm", rho, G_in, rho) -
                        2 * np.einsum("gmt,gmt->gm", rho, M_in))
                candidates.append((loss, degree, B, rhos))
        # per (group, output) the candidate with the lowest held-out loss
        choice = np.stack([c[0] for c in candidates]).argmin(axis=0)
        g, m = choice.shape
        alpha = np.zeros((g, len(self.fold_of), m))
        for c, (_, _, B, rhos) in enumerate(candidates):
            mask = (choice == c)[:, None, :]
            if mask.any():
                for k, idx in enumerate(tests):
                    a = np.einsum("it,gmt->gim", B[idx], rhos[k])
                    alpha[:, idx, :] += np.where(mask, a, 0.0)
        degrees = np.array([c[1] for c in candidates])[choice]
        return alpha, degrees


def crossfit_effects(estimator, X_frame, X, y, spec, *, cv=5, groups=None,
                     sample_weight=None, derivative="auto", n_jobs=None,
                     random_state=None):
    """Debiased cross-fitted effects and influence-function standard errors.

    Returns
    -------
    result : dict
        ``effect`` and ``std_err`` (arrays shaped like
        :func:`~econnn.inference._functionals.plugin_values`' output),
        ``plugin`` (the cross-fitted plug-in, without correction),
        ``naive_se`` (the spread of the unit effects alone, ignoring the
        estimation of mu), ``degree`` (the Riesz dictionary degree chosen
        per effect) and ``models`` (the K fitted clones).
    """
    check_mean_model(estimator)
    n = len(X)
    rng = check_random_state(random_state)
    tests = _folds(n, cv, groups, rng)
    seeds = [int(rng.randint(np.iinfo(np.int32).max)) for _ in tests]
    all_rows = np.arange(n)
    models = Parallel(n_jobs=n_jobs)(
        delayed(refit)(estimator, X_frame, y, sample_weight,
                       np.setdiff1d(all_rows, idx), seed, task=k)
        for k, (idx, seed) in enumerate(zip(tests, seeds)))
    classes = None
    if is_classifier(estimator):
        # a template (the coverage study) learns the classes from y
        classes = getattr(estimator, "classes_", None)
        classes = np.unique(y) if classes is None else np.asarray(classes)
        for model in models:
            if not np.array_equal(model.classes_, classes):
                raise ValueError(
                    "A cross-fitting fold lacks a class of y; use fewer "
                    "folds (cv) or se='bootstrap'.")
    predictors = [make_predictor(m, derivative, X_frame, X) for m in models]
    Y = _targets(classes, y)
    mu = _assemble([p.values(X[idx]) for p, idx in zip(predictors, tests)],
                   tests, n)
    resid = Y - mu
    v = spec.weights
    shares = np.array([len(idx) for idx in tests]) / n
    riesz = _RieszFit(X, v, tests, cap=max(10, min(n // 10, 300)))
    clusters = None if groups is None else np.unique(
        groups, return_inverse=True)[1]

    shape = spec.shape + (Y.shape[1],)
    effect, std_err = np.empty(shape), np.empty(shape)
    plugin, naive_se = np.empty(shape), np.empty(shape)
    degree = np.empty(shape, dtype=int)
    for s, scenario in enumerate(spec.scenarios):
        if scenario.aligned:  # each row's effects from its fold's fit
            units = _assemble([_units(p, spec, scenario.points[idx])
                               for p, idx in zip(predictors, tests)],
                              tests, n)
        else:  # one point: the folds' fits averaged
            units = _average([_units(p, spec, scenario.points)
                              for p in predictors], shares)
        W = spec.row_weights(scenario)
        for c, (j, kind) in enumerate(zip(spec.cols, spec.kinds)):
            d = units[c]  # (n_points, m)
            theta = W @ d  # (g, m)
            alpha, deg = riesz.fit(scenario, j, kind, spec.method, W)
            correction = alpha * (v[:, None] * resid)[None]  # (g, n, m)
            phi = correction.copy()
            naive = np.zeros_like(phi)
            if scenario.aligned:
                naive = W[:, :, None] * (d[None] - theta[:, None, :])
                phi += naive
            effect[s, :, c] = theta + correction.sum(axis=1)
            plugin[s, :, c] = theta
            std_err[s, :, c] = _score_sd(phi, clusters)
            naive_se[s, :, c] = _score_sd(naive, clusters)
            degree[s, :, c] = deg
    return dict(effect=effect, std_err=std_err, plugin=plugin,
                naive_se=naive_se, degree=degree, models=models)


def _units(predictor, spec, points):
    """Unit effects (n_points, m) of each column at the points."""
    f, parts = unit_primitives(predictor, points, spec.cols, spec.kinds)
    return [combine(f, part, spec.method, points[:, j])
            for j, part in zip(spec.cols, parts)]


def _score_sd(phi, clusters):
    """Standard error from scores phi (g, n, m) that sum to the error."""
    if clusters is not None:
        n_c = clusters.max() + 1
        summed = np.stack([np.bincount(clusters, weights=phi[g, :, k],
                                       minlength=n_c)
                           for g in range(phi.shape[0])
                           for k in range(phi.shape[2])])
        summed = summed.reshape(phi.shape[0], phi.shape[2], n_c)
        centred = summed - summed.mean(axis=2, keepdims=True)
        return np.sqrt((centred ** 2).sum(axis=2) * n_c / (n_c - 1))
    n = phi.shape[1]
    centred = phi - phi.mean(axis=1, keepdims=True)
    return np.sqrt((centred ** 2).sum(axis=1) * n / (n - 1))
