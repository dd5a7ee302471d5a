"""Marginal effects with bootstrap standard errors.

Economists read a model through its marginal effects: how the prediction
moves with each regressor, in the regressor's own units.  For econnn's
networks the derivatives are exact: ``estimator.module_`` maps raw X to the
linear predictor (standardisation included) and the loss's inverse link
gives the prediction, so autograd differentiates in the original units --
also through preceding pipeline steps that are affine maps, such as
:class:`~sklearn.preprocessing.StandardScaler`, which are replayed in torch
(:data:`TORCH_STEPS`).  Any other fitted estimator (e.g. the statsmodels
baselines) is differentiated numerically, by central differences of
``predict`` / ``predict_proba``.

Standard errors come from refitting clones of the estimator on bootstrap
resamples of the rows (or of clusters of rows) and recomputing the effects
on the same evaluation sample.
"""

import copy
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, RobustScaler,
                                   StandardScaler)
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from .._fitted import fitted_model, is_econnn
from ._inputs import (check_evaluation_X, check_groups, check_predictor,
                      check_weights)

__all__ = ["marginal_effects", "TORCH_STEPS"]

_METHODS = ("dydx", "eyex", "dyex", "eydx")
_AT = ("overall", "mean", "median")
_COLUMNS = ["effect", "std_err", "z", "p_value", "ci_low", "ci_high"]


# ----------------------------------------------------- pipeline steps in torch
def _affine(shift, scale):
    """``(x - shift) / scale`` as a torch function (None = 0 / 1)."""
    def apply(z):
        if shift is not None:
            z = z - torch.as_tensor(shift, dtype=z.dtype)
        if scale is not None:
            z = z / torch.as_tensor(scale, dtype=z.dtype)
        return z
    return apply


#: Preprocessing steps that autograd can differentiate through, by class:
#: ``f(fitted step) -> torch function``. All are affine maps per column.
TORCH_STEPS = {
    # fitted statistics may exist although the option disables them
    StandardScaler: lambda s: _affine(s.mean_ if s.with_mean else None,
                                      s.scale_ if s.with_std else None),
    RobustScaler: lambda s: _affine(
        s.center_ if s.with_centering else None,
        s.scale_ if s.with_scaling else None),
    MaxAbsScaler: lambda s: _affine(None, s.scale_),
    # MinMaxScaler computes x * scale_ + min_
    MinMaxScaler: lambda s: _affine(-s.min_ / s.scale_, 1 / s.scale_),
}


def _split_pipeline(estimator):
    """(preprocessing steps, final estimator)."""
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps[:-1]
                 if s is not None and s != "passthrough"]
        return steps, estimator.steps[-1][1]
    return [], estimator


# ---------------------------------------------------------------- predictors
class _AutogradPredictor:
    """Predictions and exact derivatives of an econnn network (+ steps)."""

    def __init__(self, estimator):
        steps, final = _split_pipeline(estimator)
        funcs = []
        for step in steps:
            maker = TORCH_STEPS.get(type(step))
            if maker is None:
                raise ValueError(
                    f"marginal_effects cannot differentiate through the "
                    f"pipeline step {type(step).__name__}: only "
                    f"{', '.join(c.__name__ for c in TORCH_STEPS)} are "
                    "replayed in torch. Pass derivative='numerical' for "
                    "finite differences, or fit the network on the "
                    "transformed data.")
            funcs.append(maker(step))
        self.funcs = funcs
        self.final = final
        # derivatives of the fitted function in double precision, whatever
        # precision it was trained in
        self.fitted = fitted_model(final)
        self.module = copy.deepcopy(self.fitted.network).double().eval()
        self.classes = getattr(final, "classes_", None) if \
            is_classifier(final) else None

    def _forward(self, Z):
        for f in self.funcs:
            Z = f(Z)
        module = self.module
        Z = Z.to(dtype=module.x_loc.dtype, device=module.x_loc.device)
        mu = self.fitted.mean(module(Z))
        if self.classes is not None and mu.shape[1] == 1 and \
                len(self.classes) == 2:
            mu = torch.cat([1 - mu, mu], dim=1)  # binary: P(class 0), P(1)
        return mu

    def values(self, X):
        with torch.no_grad():
            return self._forward(torch.as_tensor(
                X, dtype=torch.float64)).double().cpu().numpy()

    def gradient(self, X, cols):
        """d mu_k / d x_j for each row: array (n, n_outputs, len(cols))."""
        Z = torch.as_tensor(X, dtype=torch.float64).clone()
        Z.requires_grad_(True)
        mu = self._forward(Z)
        grads = []
        for k in range(mu.shape[1]):
            # rows are independent in eval mode, so the gradient of the sum
            # holds every row's own derivative
            g, = torch.autograd.grad(mu[:, k].sum(), Z,
                                     retain_graph=k + 1 < mu.shape[1])
            grads.append(g[:, cols])
        return torch.stack(grads, dim=1).cpu().numpy()


class _NumericPredictor:
    """Predictions and central-difference derivatives of any estimator."""

    def __init__(self, estimator, template, X):
        self.estimator = estimator
        self.template = template  # the user's X, to rebuild DataFrames
        self.scale = np.maximum(np.std(X, axis=0), 1e-3)
        # the precision predictions are computed in: a float32 network's
        # rounding would swamp a step sized for float64
        _, final = _split_pipeline(estimator)
        self.eps = np.finfo(fitted_model(final).precision if is_econnn(final)
                            else np.float64).eps
        self.classes = getattr(estimator, "classes_", None) if \
            is_classifier(estimator) else None

    def values(self, X):
        if isinstance(self.template, pd.DataFrame):
            X = pd.DataFrame(X, columns=self.template.columns)
        if self.classes is not None:
            return np.asarray(self.estimator.predict_proba(X), dtype=float)
        pred = np.asarray(self.estimator.predict(X), dtype=float)
        return pred.reshape(len(pred), -1)

    def gradient(self, X, cols):
        out = []
        for j in cols:
            # step ~ cube root of machine precision, scaled to the column
            h = np.cbrt(self.eps) * self.scale[j]
            up, down = X.copy(), X.copy()
            up[:, j] += h
            down[:, j] -= h
            out.append((self.values(up) - self.values(down)) / (2 * h))
        return np.stack(out, axis=2)


def _make_predictor(estimator, derivative, X_frame, X):
    _, final = _split_pipeline(estimator)
    use_autograd = derivative == "autograd" or (
        derivative == "auto" and is_econnn(final))
    if use_autograd:
        if not is_econnn(final):
            raise ValueError(
                "derivative='autograd' needs an econnn estimator (or a "
                f"Pipeline ending in one); got {type(final).__name__}.")
        return _AutogradPredictor(estimator)
    return _NumericPredictor(estimator, X_frame, X)


# ------------------------------------------------------------- the effects
def _feature_kinds(X, cols, discrete):
    """'dummy' (0/1), 'count' (integers, +1) or 'continuous' per column."""
    kinds = []
    for j in cols:
        x = X[:, j]
        if discrete is None or discrete is False:
            kinds.append("continuous")
        elif discrete == "auto" or j in discrete:
            values = np.unique(x)
            if np.isin(values, (0, 1)).all() and len(values) == 2:
                kinds.append("dummy")
            elif discrete != "auto" or np.all(x == np.round(x)):
                kinds.append("count")
            else:
                kinds.append("continuous")
        else:
            kinds.append("continuous")
    return kinds


def _evaluation_points(X, at):
    if at == "mean":
        return X.mean(axis=0, keepdims=True)
    if at == "median":
        return np.median(X, axis=0, keepdims=True)
    return X


def _average_effects(predictor, X, cols, kinds, method, at, weights):
    """Effects averaged over the evaluation points: (n_outputs, len(cols))."""
    Xe = _evaluation_points(X, at)
    w = weights if at == "overall" else None
    mu = predictor.values(Xe)
    continuous = [j for j, kind in zip(cols, kinds) if kind == "continuous"]
    grads = predictor.gradient(Xe, continuous) if continuous else None
    out = np.empty((mu.shape[1], len(cols)))
    for pos, (j, kind) in enumerate(zip(cols, kinds)):
        if kind == "continuous":
            d = grads[:, :, continuous.index(j)]
        elif kind == "dummy":
            hi, lo = Xe.copy(), Xe.copy()
            hi[:, j], lo[:, j] = 1.0, 0.0
            d = predictor.values(hi) - predictor.values(lo)
        else:  # count: one more unit
            hi = Xe.copy()
            hi[:, j] += 1.0
            d = predictor.values(hi) - mu
        if method in ("eyex", "eydx"):
            if np.any(mu == 0):
                raise ValueError(
                    f"method={method!r} divides by the prediction, which is "
                    "exactly 0 at some evaluation points; the elasticity is "
                    "undefined there (use method='dydx' or 'dyex').")
            d = d / mu
        if method in ("eyex", "dyex"):
            d = d * Xe[:, [j]]
        out[:, pos] = np.average(d, axis=0, weights=w)
    return out


def _point_effects(estimator, X_frame, X, cols, kinds, method, at, weights,
                   derivative):
    predictor = _make_predictor(estimator, derivative, X_frame, X)
    return _average_effects(predictor, X, cols, kinds, method, at, weights)


def _bootstrap_rows(n, groups, rng):
    if groups is None:
        return rng.randint(0, n, size=n)
    labels, codes = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(len(labels))]
    drawn = rng.randint(0, len(labels), size=len(labels))
    return np.concatenate([members[g] for g in drawn])


def _refit_effects(estimator, X_frame, X, y, sample_weight, idx, seed,
                   effect_args):
    est = clone(estimator)
    # each refit draws its own network initialisation, so the standard
    # errors include the randomness of training as well as of the sample
    seeds = {k: seed for k in est.get_params()
             if k == "random_state" or k.endswith("__random_state")}
    est.set_params(**seeds)
    fit_params = {}
    if sample_weight is not None:
        key = "sample_weight" if not isinstance(est, Pipeline) else \
            f"{est.steps[-1][0]}__sample_weight"
        fit_params[key] = sample_weight[idx]
    est.fit(_safe_indexing(X_frame, idx), _safe_indexing(y, idx),
            **fit_params)
    return _point_effects(est, X_frame, X, *effect_args)


def _feature_names(estimator, n_features):
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        _, final = _split_pipeline(estimator)
        names = getattr(final, "feature_names_in_", None)
    if names is None:
        names = [f"x{i}" for i in range(n_features)]
    return [str(n) for n in names]


def _resolve_features(features, names):
    if features is None:
        return list(range(len(names)))
    if isinstance(features, (str, Integral)):
        features = [features]
    cols = []
    for f in features:
        if isinstance(f, Integral) and not isinstance(f, bool):
            if not 0 <= f < len(names):
                raise ValueError(f"Feature index {f} is out of range for "
                                 f"{len(names)} features.")
            cols.append(int(f))
        elif f in names:
            cols.append(names.index(f))
        else:
            raise ValueError(f"Unknown feature {f!r}; the estimator's "
                             f"features are {names}.")
    return cols


def marginal_effects(estimator, X, features=None, *, at="overall",
                     method="dydx", discrete="auto", y=None,
                     sample_weight=None, groups=None, n_boot=0, alpha=0.05,
                     derivative="auto", n_jobs=None, random_state=None):
    """Marginal effects of the regressors on a fitted model's prediction.

    Parameters
    ----------
    estimator : estimator
        A fitted regressor or classifier: an econnn network, a
        :class:`~sklearn.pipeline.Pipeline` ending in one, or any other
        scikit-learn estimator (differentiated numerically).
    X : array-like of shape (n_samples, n_features)
        Evaluation sample, in the estimator's input units. With
        ``n_boot > 0`` it is also the training sample of the refits.
    features : list of str or int, default=None
        Features whose effects are reported (names or column positions);
        all by default.
    at : {'overall', 'mean', 'median'}, default='overall'
        Average of the unit-level effects over X (average marginal
        effects, AME), or the effect at the column means (MEM) or medians.
    method : {'dydx', 'eyex', 'dyex', 'eydx'}, default='dydx'
        ``dy/dx``; elasticity ``d log y / d log x``; semi-elasticities
        ``dy / d log x`` and ``d log y / dx`` (statsmodels' names).
    discrete : 'auto', list or None, default='auto'
        Features treated as discrete. With 'auto', 0/1 columns are dummies
        (effect: prediction at 1 minus at 0) and other integer-valued
        columns counts (effect of one more unit); a list names the discrete
        features explicitly; None treats every feature as continuous.
    y : array-like of shape (n_samples,), default=None
        Training target, needed for bootstrap standard errors.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the average (``at='overall'``) and of the refits.
    groups : array-like of shape (n_samples,), default=None
        Cluster labels: the bootstrap then resamples whole clusters.
    n_boot : int, default=0
        Number of bootstrap refits (0, or at least 2; needs ``y``). With 0
        the standard errors, z, p-values and intervals are NaN.
    alpha : float, default=0.05
        The intervals have coverage ``1 - alpha``.
    derivative : {'auto', 'autograd', 'numerical'}, default='auto'
        'auto' uses autograd for econnn estimators (raising for pipeline
        steps it cannot replay in torch) and central differences
        otherwise.
    n_jobs : int, default=None
        Parallel bootstrap refits (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the resampling and the refits.

    Returns
    -------
    effects : pandas.DataFrame
        Indexed by feature (for classifiers by class and feature, for
        multi-output regressors by output and feature), with columns
        ``effect``, ``std_err``, ``z``, ``p_value``, ``ci_low`` and
        ``ci_high``; ``effects.attrs`` records the settings.

    See Also
    --------
    econnn.plot_marginal_effects : Plot the effects with their intervals.

    Notes
    -----
    The standard error is the standard deviation of the effect over the
    bootstrap refits (the evaluation sample X stays fixed); z, p-value and
    interval use the normal approximation, as statsmodels'
    ``get_margeff``. Each refit is seeded differently, so the standard
    errors also reflect the randomness of network training. For discrete
    features the finite change replaces the derivative in the elasticity
    formulas.

    Examples
    --------
    >>> import numpy as np
    >>> from econnn import NNRegressor, marginal_effects
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = 2 * X[:, 0] - X[:, 1] + rng.normal(scale=0.1, size=300)
    >>> model = NNRegressor(hidden_layer_sizes=(8,), solver="lbfgs",
    ...                     max_iter=100, random_state=0).fit(X, y)
    >>> marginal_effects(model, X)["effect"].round(1).tolist()
    [2.0, -1.0]
    """
    if at not in _AT:
        raise ValueError(f"at must be one of {_AT}; got {at!r}.")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got "
                         f"{method!r}.")
    if derivative not in ("auto", "autograd", "numerical"):
        raise ValueError("derivative must be 'auto', 'autograd' or "
                         f"'numerical'; got {derivative!r}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, Integral) or \
            n_boot < 0 or n_boot == 1:
        raise ValueError("n_boot must be 0 (no standard errors) or an int "
                         f">= 2 (bootstrap refits); got {n_boot!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
    check_is_fitted(estimator)
    check_predictor(_split_pipeline(estimator)[1])
    if n_boot and y is None:
        raise ValueError(f"n_boot={n_boot} needs the training target y for "
                         "the bootstrap refits; pass y=...")

    Xa = check_evaluation_X(estimator, X)
    X_frame = X if isinstance(X, pd.DataFrame) else Xa
    names = _feature_names(estimator, Xa.shape[1])
    if len(names) != Xa.shape[1]:
        raise ValueError(f"X has {Xa.shape[1]} features, but the estimator "
                         f"was fitted with {len(names)}.")
    cols = _resolve_features(features, names)
    if discrete not in (None, False, "auto"):
        discrete = _resolve_features(discrete, names)
    kinds = _feature_kinds(Xa, cols, discrete)
    weights = None if sample_weight is None else check_weights(
        sample_weight, Xa)
    if y is not None:
        check_consistent_length(Xa, y)
    groups_arr = None if groups is None else check_groups(groups, Xa)
    effect_args = (cols, kinds, method, at, weights, derivative)

    effect = _point_effects(estimator, X_frame, Xa, *effect_args)

    std_err = np.full_like(effect, np.nan)
    if n_boot:
        rng = check_random_state(random_state)
        draws = [(_bootstrap_rows(len(Xa), groups_arr, rng),
                  int(rng.randint(np.iinfo(np.int32).max)))
                 for _ in range(n_boot)]
        y_arr = y if isinstance(y, (pd.Series, pd.DataFrame)) else \
            np.asarray(y)
        boot = Parallel(n_jobs=n_jobs)(
            delayed(_refit_effects)(estimator, X_frame, Xa, y_arr, weights,
                                    idx, seed, effect_args)
            for idx, seed in draws)
        std_err = np.std(np.stack(boot), axis=0, ddof=1)

    z = effect / std_err
    crit = stats.norm.ppf(1 - alpha / 2)
    table = {"effect": effect, "std_err": std_err, "z": z,
             "p_value": 2 * stats.norm.sf(np.abs(z)),
             "ci_low": effect - crit * std_err,
             "ci_high": effect + crit * std_err}
    feature_names = [names[j] for j in cols]
    _, final = _split_pipeline(estimator)
    if is_classifier(final):
        outer, level = list(getattr(final, "classes_", range(
            effect.shape[0]))), "class"
    else:
        outer, level = list(range(effect.shape[0])), "output"
    if effect.shape[0] == 1 and not is_classifier(final):
        index = pd.Index(feature_names, name="feature")
        frame = pd.DataFrame({k: v[0] for k, v in table.items()},
                             index=index)
    else:
        index = pd.MultiIndex.from_product([outer, feature_names],
                                           names=[level, "feature"])
        frame = pd.DataFrame({k: v.ravel() for k, v in table.items()},
                             index=index)
    frame.attrs.update(method=method, at=at, n_boot=int(n_boot),
                       alpha=alpha, clustered=groups is not None)
    return frame[_COLUMNS]
