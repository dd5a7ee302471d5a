"""Marginal effects with standard errors.

Economists read a model through its marginal effects: how the prediction
moves with each regressor, in the regressor's own units.  This module is
the public entry point, :func:`marginal_effects`; the pieces live beside
it: :mod:`._predictors` (exact autograd or numerical derivatives of a
fitted model), :mod:`._functionals` (evaluation points, groups, unit
effects), :mod:`._influence` (cross-fitted debiased effects with
influence-function standard errors), :mod:`._support` (where the data
support an effect) and :mod:`._effects_table` (the result and its
summary).  Bootstrap standard errors refit clones of the estimator on
resampled rows (or clusters) and recompute the effects on the same
evaluation sample.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import is_classifier
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._effects_table import MarginalEffects, effects_frame
from ._functionals import (EffectSpec, build_scenarios, check_at,
                           check_positive_int, feature_kinds,
                           group_weights, plugin_values)
from ._influence import crossfit_effects, refit
from ._inputs import (check_evaluation_X, check_groups, check_predictor,
                      check_weights)
from ._predictors import TORCH_STEPS, make_predictor, split_pipeline
from ._support import support_diagnostic

__all__ = ["marginal_effects", "MarginalEffects", "TORCH_STEPS"]

_METHODS = ("dydx", "eyex", "dyex", "eydx")
_AT = ("overall", "mean", "median")
_SE = ("auto", "influence", "bootstrap", None)


def _bootstrap_rows(n, groups, rng):
    """Resampled row indices and, for clusters, each row's new cluster
    (a cluster drawn twice counts as two clusters)."""
    if groups is None:
        return rng.randint(0, n, size=n), None
    labels, codes = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(len(labels))]
    drawn = rng.randint(0, len(labels), size=len(labels))
    idx = np.concatenate([members[g] for g in drawn])
    clusters = np.repeat(np.arange(len(drawn)),
                         [len(members[g]) for g in drawn])
    return idx, clusters


def _refit_effects(estimator, X_frame, X, y, sample_weight, draw, seed,
                   spec, derivative, task):
    idx, clusters = draw
    est = refit(estimator, X_frame, y, sample_weight, idx, seed,
                groups=clusters, task=task)
    return plugin_values(make_predictor(est, derivative, X_frame, X),
                         spec)[0]


def median_over_splits(effects, std_errs):
    """Aggregate cross-fits over repeated sample splits.

    Chernozhukov et al. (2018, "Double/debiased machine learning",
    section 3.4): the median of the split estimates, and as its standard
    error the median over splits of ``sqrt(se_s**2 + (theta_s - theta)**2)``,
    which adds each split's distance from the median to its sampling
    variance. With one split it returns that split's values.

    Parameters
    ----------
    effects, std_errs : ndarray of shape (n_splits, ...)

    Returns
    -------
    effect, std_err : ndarray of shape (...)
    """
    effect = np.median(effects, axis=0)
    std_err = np.median(np.sqrt(std_errs ** 2 + (effects - effect) ** 2),
                        axis=0)
    return effect, std_err


def _feature_names(estimator, n_features):
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        _, final = split_pipeline(estimator)
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


def _by_labels(by, X_frame, X, names):
    """Group labels from a column name or an array, and the level name."""
    if by is None:
        return None, None
    if isinstance(by, (str, Integral)) and not isinstance(by, bool):
        j, = _resolve_features([by], names)
        labels = X[:, j]
        if np.all(labels == np.round(labels)):  # 0/1 rather than 0.0/1.0
            labels = labels.astype(np.int64)
        return labels, names[j]
    labels = np.asarray(by)
    if labels.ndim != 1 or len(labels) != len(X):
        raise ValueError(f"by must be a feature name or an array of "
                         f"{len(X)} group labels; got shape {labels.shape}.")
    return labels, getattr(by, "name", None) or "group"


def _resolve_se(se, y, n_boot, method):
    if se not in _SE:
        raise ValueError(f"se must be one of {_SE}; got {se!r}.")
    if n_boot and y is None:
        raise ValueError(
            f"n_boot={n_boot} needs the training target y: the bootstrap "
            "refits the model on resampled rows.")
    if se == "auto":
        if y is None:
            return None
        se = "bootstrap" if n_boot else "influence"
    if se is not None and y is None:
        raise ValueError(f"se={se!r} needs the training target y.")
    if se == "influence" and method.startswith("ey"):
        raise ValueError(
            f"Influence-function standard errors cover the effects linear "
            f"in the prediction ('dydx', 'dyex'), not method={method!r}: "
            "pass se='bootstrap' with n_boot, or se=None.")
    if se == "bootstrap" and n_boot < 2:
        raise ValueError("se='bootstrap' needs n_boot >= 2 refits.")
    return se


def _index(estimator, spec, names, by_name, n_outputs):
    """The rows' index: [class/output], [at], [by], feature."""
    levels, level_names = [], []
    _, final = split_pipeline(estimator)
    if n_outputs > 1:
        outer = list(getattr(final, "classes_", range(n_outputs))) if \
            is_classifier(final) else list(range(n_outputs))
        levels.append(outer)
        level_names.append("class" if is_classifier(final) else "output")
    if spec.scenarios[0].label is not None:
        levels.append([s.label for s in spec.scenarios])
        level_names.append("at")
    if by_name is not None:
        levels.append(list(spec.group_labels))
        level_names.append(by_name)
    levels.append([names[j] for j in spec.cols])
    level_names.append("feature")
    if len(levels) == 1:
        return pd.Index(levels[0], name="feature")
    return pd.MultiIndex.from_product(levels, names=level_names)


def marginal_effects(estimator, X, features=None, *, at="overall", by=None,
                     method="dydx", discrete="auto", count=False, y=None,
                     sample_weight=None, groups=None, se="auto", cv=5,
                     n_repeats=1, n_boot=0, alpha=0.05, derivative="auto",
                     n_jobs=None, random_state=None):
    """Marginal effects of the regressors on a fitted model's prediction.

    Parameters
    ----------
    estimator : estimator
        A fitted regressor or classifier: an econnn network, a
        :class:`~sklearn.pipeline.Pipeline` ending in one, or any other
        scikit-learn estimator (differentiated numerically).
    X : array-like of shape (n_samples, n_features)
        Evaluation sample, in the estimator's input units. With standard
        errors it is also the training sample of the refits.
    features : list of str or int, default=None
        Features whose effects are reported (names or column positions);
        all by default.
    at : {'overall', 'mean', 'median'} or dict, default='overall'
        Average of the unit-level effects over X (average marginal
        effects, AME), or the effect at the column means (MEM) or medians.
        A dict ``{'educ': [8, 12, 16]}`` sets the named features to each
        value (each combination, for several) for every row and averages
        over the others as observed: Stata's ``margins, at()``.
    by : str, int or array-like of shape (n_samples,), default=None
        Average effects within groups: a feature (name or position) whose
        values define them, or group labels. The result is indexed by
        (group, feature). The model is not refitted per group.
    method : {'dydx', 'eyex', 'dyex', 'eydx'}, default='dydx'
        ``dy/dx``; elasticity ``d log y / d log x``; semi-elasticities
        ``dy / d log x`` and ``d log y / dx`` (statsmodels' names).
    discrete : 'auto', list or None, default='auto'
        Features treated as discrete. With 'auto', 0/1 columns are dummies
        (effect: prediction at 1 minus at 0) and every other column is
        differentiated (statsmodels' ``get_margeff(dummy=True)``); a list
        names the discrete features explicitly (0/1 ones are dummies, the
        others counts); None differentiates every feature.
    count : bool, default=False
        With ``discrete='auto'``, treat non-negative integer columns as
        counts: effect ``[f(x + 1) - f(x - 1)] / 2``, statsmodels'
        ``get_margeff(count=True)``.
    y : array-like of shape (n_samples,), default=None
        Training target, needed for standard errors.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the averages and of the refits.
    groups : array-like of shape (n_samples,), default=None
        Cluster labels: standard errors are clustered (cross-fitting keeps
        clusters in one fold; the bootstrap resamples whole clusters).
    se : {'auto', 'influence', 'bootstrap'} or None, default='auto'
        Standard errors. 'influence': cross-fitted debiased effects with
        influence-function standard errors (``cv`` refits). 'bootstrap':
        ``n_boot`` refits on resampled rows. 'auto' is 'bootstrap' when
        ``n_boot > 0``, 'influence' when y is given, else None (no
        standard errors). 'influence' covers ``method='dydx'`` and
        ``'dyex'``; elasticities need the bootstrap.
    cv : int, default=5
        Folds of the cross-fitting (``se='influence'``).
    n_repeats : int, default=1
        Repetitions of the cross-fitting (``se='influence'``), each with
        its own fold split and network seeds, aggregated as Chernozhukov et
        al. (2018, section 3.4) do: the median effect, and the median of
        ``sqrt(se_s**2 + (effect_s - effect)**2)``, which adds the spread
        between splits to the standard error. One cross-fit depends on its
        random split and initialisations; on the Boston data the effect of
        NOX moves by about its standard error from seed to seed
        (docs/boston.md), so publish with ``n_repeats`` of 5 or more
        (``cv * n_repeats`` refits).
    n_boot : int, default=0
        Number of bootstrap refits.
    alpha : float, default=0.05
        The intervals have coverage ``1 - alpha``.
    derivative : {'auto', 'autograd', 'numerical'}, default='auto'
        'auto' uses autograd for econnn estimators (raising for pipeline
        steps it cannot replay in torch) and central differences
        otherwise.
    n_jobs : int, default=None
        Parallel refits (joblib), for either standard-error method.
        joblib's default backend starts fresh worker processes, which is
        safe with CUDA models; with several GPUs and ``device='cuda'``
        (or ``'auto'``) refit *k* runs on GPU ``k mod n_gpus``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the resampling and the refits.

    Returns
    -------
    effects : MarginalEffects
        A DataFrame indexed by feature -- and for multiclass classifiers
        or multi-output regressors by class/output first, then by ``at``
        value and ``by`` group -- with columns ``effect``, ``std_err``,
        ``z``, ``p_value``, ``ci_low`` and ``ci_high``. A binary
        classifier reports the effects on the probability of its second
        class. ``effects.attrs`` records the settings, per feature the
        kind of effect computed (``attrs['kind']``) and the support
        diagnostic (``attrs['support']``); ``effects.summary()`` renders
        it (text, LaTeX, markdown).

    Warns
    -----
    UserWarning
        When an effect is driven by points where the data show little
        variation in the regressor (thin support).

    See Also
    --------
    econnn.plot_marginal_effects : Plot the effects with their intervals.
    econnn.plot_effects_at : Plot effects against a regressor's value.

    Notes
    -----
    With ``se='influence'`` the reported effect is the cross-fitted,
    debiased estimate and its influence-function standard error
    (Chernozhukov et al. 2022; Farrell, Liang & Misra 2021); it costs
    ``cv`` refits. Without standard errors the effects are the plug-in
    effects of ``estimator`` itself. The bootstrap's standard error is the
    standard deviation of the effect over refits on resampled data (X
    stays the evaluation sample); each refit is seeded differently, so it
    includes the randomness of training. z, p-values and intervals use the
    normal approximation, as statsmodels' ``get_margeff``. The coverage of
    both methods is measured in ``docs/marginal_effects.md``.

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
    check_at(at, _AT)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got "
                         f"{method!r}.")
    if derivative not in ("auto", "autograd", "numerical"):
        raise ValueError("derivative must be 'auto', 'autograd' or "
                         f"'numerical'; got {derivative!r}.")
    check_positive_int(n_boot, "n_boot")
    check_positive_int(cv, "cv", minimum=2)
    check_positive_int(n_repeats, "n_repeats", minimum=1)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
    se = _resolve_se(se, y, n_boot, method)
    check_is_fitted(estimator)
    check_predictor(split_pipeline(estimator)[1])
    # names, order, width, finiteness and precision, as predict checks them
    Xa = check_evaluation_X(estimator, X)
    X_frame = X if isinstance(X, pd.DataFrame) else Xa
    if y is not None:
        check_consistent_length(Xa, y)
        if np.asarray(y).dtype.kind in "fc":
            # refused here, not by whichever refit happens to draw the row
            assert_all_finite(np.asarray(y), input_name="y")
    if groups is not None:
        groups = check_groups(groups, Xa)
    names = _feature_names(estimator, Xa.shape[1])
    if len(names) != Xa.shape[1]:
        raise ValueError(f"X has {Xa.shape[1]} features, but the estimator "
                         f"was fitted with {len(names)}.")
    cols = _resolve_features(features, names)
    if discrete not in (None, False, "auto"):
        discrete = _resolve_features(discrete, names)
    kinds = feature_kinds(Xa, cols, discrete, count)
    raw_weights = None if sample_weight is None else check_weights(
        sample_weight, Xa)
    weights = np.ones(len(Xa)) if raw_weights is None else raw_weights
    labels, by_name = _by_labels(by, X_frame, Xa, names)
    if labels is not None and isinstance(at, str) and at != "overall":
        raise ValueError("by needs at='overall' or a dict of values: the "
                         f"effect at the {at} has no groups.")
    levels, W = group_weights(labels, weights)
    spec = EffectSpec(cols, kinds, method,
                      build_scenarios(Xa, at, names, _resolve_features),
                      levels, W, weights / weights.sum())

    predictor = make_predictor(estimator, derivative, X_frame, Xa)
    effect, units = plugin_values(predictor, spec)
    std_err = np.full_like(effect, np.nan)
    y_arr = None if y is None else (
        y if isinstance(y, (pd.Series, pd.DataFrame)) else np.asarray(y))
    groups_arr = None if groups is None else np.asarray(groups)
    rng = check_random_state(random_state)
    extra = {}
    if se == "influence":
        splits = [crossfit_effects(
            estimator, X_frame, Xa, y_arr, spec, cv=cv, groups=groups_arr,
            sample_weight=raw_weights, derivative=derivative,
            n_jobs=n_jobs, random_state=rng) for _ in range(n_repeats)]
        extra["plugin_effect"] = effect.copy()
        effect, std_err = median_over_splits(
            np.stack([r["effect"] for r in splits]),
            np.stack([r["std_err"] for r in splits]))
    elif se == "bootstrap":
        draws = [(_bootstrap_rows(len(Xa), groups_arr, rng),
                  int(rng.randint(np.iinfo(np.int32).max)))
                 for _ in range(n_boot)]
        boot = Parallel(n_jobs=n_jobs)(
            delayed(_refit_effects)(estimator, X_frame, Xa, y_arr,
                                    raw_weights, draw, seed, spec,
                                    derivative, task)
            for task, (draw, seed) in enumerate(draws))
        std_err = np.std(np.stack(boot), axis=0, ddof=1)

    # rows in the order (output, scenario, group, feature)
    order = (3, 0, 1, 2)
    index = _index(estimator, spec, names, by_name, effect.shape[3])
    frame = effects_frame(effect.transpose(order), std_err.transpose(order),
                          alpha, index)
    _, final = split_pipeline(estimator)
    classes = getattr(final, "classes_", None) if is_classifier(final) \
        else None
    if classes is not None:  # plain Python labels print cleanly
        classes = [c.item() if isinstance(c, np.generic) else c
                   for c in classes]
    frame.attrs.update(
        model=type(final).__name__, method=method, at=at, by=by_name,
        se=se or "none", cv=cv if se == "influence" else None,
        n_repeats=int(n_repeats) if se == "influence" else None,
        n_boot=int(n_boot) if se == "bootstrap" else 0, alpha=alpha,
        clustered=groups is not None and se is not None,
        kind={names[j]: k for j, k in zip(cols, kinds)}, n_obs=len(Xa),
        binary_class=classes[1] if classes is not None and len(classes) == 2
        else None,
        outcome=(f"P(y = {classes[1]})" if classes is not None and
                 len(classes) == 2 else None),
        support=support_diagnostic(Xa, spec, units, names), **extra)
    return frame
