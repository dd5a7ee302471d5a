"""Conformal prediction intervals around any scikit-learn regressor.

Three methods, each learned once (at ``fit``) and applied in one pass:

``'split'``
    split conformal (Vovk et al. 2005; Lei et al. 2018): a copy of the
    regressor is trained on a proper training part, and the absolute
    residuals on the held-out calibration part set the half-width.
``'cv+'``
    CV+ (Barber, Candes, Ramdas & Tibshirani 2021): K copies, each trained
    without one fold; every sample's out-of-fold residual is paired with the
    prediction of the copy that did not see it.  Uses every sample for both
    training and calibration.
``'cqr'``
    conformalised quantile regression (Romano, Patterson & Candes 2019):
    two copies with the quantile loss estimate the lower and upper
    conditional quantiles on the proper training part; the calibration part
    widens (or narrows) the band by a conformal correction.  Intervals adapt
    to heteroskedasticity.

The regressor is only cloned, reconfigured through ``set_params``, fitted
and asked to ``predict``: nothing private is read.
"""

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import KFold, train_test_split
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import _num_samples, check_array, column_or_1d

__all__ = ["INTERVAL_METHODS", "requested_methods", "fit_intervals",
           "predict_interval", "SplitConformal", "CVPlus",
           "ConformalizedQuantile"]

# test points x calibration scores handled at once by CV+
_CELLS = 2 ** 20


def _rank(n, coverage):
    """1-based rank of the conformal quantile among n scores.

    ``ceil(coverage * (n + 1))``: the (n + 1)-th value is the test point's
    own score, so a rank above n means an unbounded interval.
    """
    # a small tolerance keeps e.g. 0.9 * 20 from rounding up to 19 + 1
    return int(math.ceil(coverage * (n + 1) - 1e-9))


def _conformal_quantile(scores, coverage):
    """The ceil(coverage (n + 1))-th smallest score; inf when above n."""
    k = _rank(len(scores), coverage)
    if k > len(scores):
        return np.inf
    return float(np.partition(scores, k - 1)[k - 1])


def check_coverage(coverage):
    if not (isinstance(coverage, (int, float, np.floating)) and
            0 < coverage < 1):
        raise ValueError(
            f"coverage must be a float strictly between 0 and 1; got "
            f"{coverage!r}.")
    return float(coverage)


def check_interval_size(n, methods, cv, fraction):
    """Raise if n samples are too few for the methods (before training)."""
    if "cv+" in methods and n < cv:
        raise ValueError(f"interval='cv+' with interval_cv={cv} needs at "
                         f"least {cv} samples; got n_samples={n}.")
    if {"split", "cqr"} & set(methods):
        n_cal = int(round(fraction * n))
        if n_cal < 1 or n - n_cal < 2:
            raise ValueError(
                f"interval='split' or 'cqr' needs at least 1 calibration "
                f"and 2 training samples; got n_samples={n} with "
                f"interval_fraction={fraction}.")


def _fit_copy(regressor, X, y, sample_weight, idx, seed, **params):
    """A fresh copy of the regressor fitted on the rows ``idx``."""
    model = clone(regressor)
    if "random_state" in model.get_params():
        params["random_state"] = seed
    model.set_params(**params)
    fit_params = {} if sample_weight is None else {
        "sample_weight": sample_weight[idx]}
    return model.fit(_safe_indexing(X, idx), y[idx], **fit_params)


def _proper_split(n, calibration_fraction, rng):
    check_interval_size(n, ("split",), None, calibration_fraction)
    n_cal = int(round(calibration_fraction * n))
    return train_test_split(np.arange(n), test_size=n_cal,
                            random_state=rng.randint(2 ** 31 - 1))


def _as_1d(pred):
    return np.asarray(pred, dtype=np.float64).reshape(-1)


class SplitConformal:
    """Split conformal intervals: prediction +- a residual quantile.

    Attributes
    ----------
    model : regressor
        The copy trained on the proper training part.
    scores : ndarray of shape (n_calibration,)
        Absolute residuals on the calibration part.
    """

    name = "split"

    def __init__(self, model, scores):
        self.model = model
        self.scores = scores

    @classmethod
    def fit(cls, regressor, X, y, sample_weight, rng, *, fraction,
            **unused):
        train, cal = _proper_split(len(y), fraction, rng)
        model = _fit_copy(regressor, X, y, sample_weight, train,
                          rng.randint(2 ** 31 - 1))
        resid = np.abs(y[cal] - _as_1d(model.predict(_safe_indexing(X, cal))))
        return cls(model, resid)

    def predict_interval(self, X, coverage):
        mu = _as_1d(self.model.predict(X))
        q = _conformal_quantile(self.scores, coverage)
        return np.column_stack([mu - q, mu + q])


class CVPlus:
    """CV+ intervals (jackknife+ with K folds).

    Attributes
    ----------
    models : list of regressor
        Copy ``k`` was trained without fold ``k``.
    fold : ndarray of shape (n_samples,)
        The fold of each training sample.
    scores : ndarray of shape (n_samples,)
        Each sample's absolute out-of-fold residual.
    """

    name = "cv+"

    def __init__(self, models, fold, scores):
        self.models = models
        self.fold = fold
        self.scores = scores

    @classmethod
    def fit(cls, regressor, X, y, sample_weight, rng, *, cv, **unused):
        n = len(y)
        check_interval_size(n, ("cv+",), cv, None)
        folds = KFold(cv, shuffle=True, random_state=rng.randint(2 ** 31 - 1))
        # one seed for every fold: the copies then differ only by the data
        # they saw. Independent initialisations add seed-to-seed
        # disagreement between the copies to the band, which then
        # overcovers (docs/intervals.md, benchmarks/intervals_seeds.py)
        seed = rng.randint(2 ** 31 - 1)
        fold = np.empty(n, dtype=np.intp)
        scores = np.empty(n)
        models = []
        for k, (train, held) in enumerate(folds.split(np.zeros((n, 1)))):
            model = _fit_copy(regressor, X, y, sample_weight, train, seed)
            fold[held] = k
            scores[held] = np.abs(
                y[held] - _as_1d(model.predict(_safe_indexing(X, held))))
            models.append(model)
        return cls(models, fold, scores)

    def predict_interval(self, X, coverage):
        # mu[j, k]: copy k's prediction at test point j
        mu = np.column_stack([_as_1d(m.predict(X)) for m in self.models])
        n = len(self.scores)
        k_hi = _rank(n, coverage)
        k_lo = n + 1 - k_hi  # floor((1 - coverage) (n + 1)), by symmetry
        out = np.full((mu.shape[0], 2), np.nan)
        if k_hi > n:
            out[:, 0], out[:, 1] = -np.inf, np.inf
            return out
        step = max(1, _CELLS // n)
        for start in range(0, mu.shape[0], step):
            # each sample's score around the copy that did not see it
            centre = mu[start:start + step][:, self.fold]
            lower = centre - self.scores
            upper = centre + self.scores
            out[start:start + step, 0] = np.partition(
                lower, k_lo - 1, axis=1)[:, k_lo - 1]
            out[start:start + step, 1] = np.partition(
                upper, k_hi - 1, axis=1)[:, k_hi - 1]
        return out


class ConformalizedQuantile:
    """Conformalised quantile regression (CQR).

    Attributes
    ----------
    lower, upper : regressor
        Copies trained with ``loss='quantile'`` at the lower and upper
        quantile levels on the proper training part.
    scores : ndarray of shape (n_calibration,)
        Conformity scores ``max(q_lo(x) - y, y - q_hi(x))``.
    levels : tuple of float
        The quantile levels of the two copies.
    """

    name = "cqr"

    def __init__(self, lower, upper, scores, levels):
        self.lower = lower
        self.upper = upper
        self.scores = scores
        self.levels = levels

    @staticmethod
    def _band(lower, upper, X):
        lo, hi = _as_1d(lower.predict(X)), _as_1d(upper.predict(X))
        # separately trained quantiles can cross; ordering them is a fixed
        # function of the fitted copies, so validity is untouched
        return np.minimum(lo, hi), np.maximum(lo, hi)

    @classmethod
    def fit(cls, regressor, X, y, sample_weight, rng, *, fraction,
            coverage, **unused):
        train, cal = _proper_split(len(y), fraction, rng)
        levels = ((1 - coverage) / 2, (1 + coverage) / 2)
        seed = rng.randint(2 ** 31 - 1)  # shared: fewer crossing quantiles
        lower, upper = (
            _fit_copy(regressor, X, y, sample_weight, train, seed,
                      loss="quantile", quantile=q)
            for q in levels)
        lo, hi = cls._band(lower, upper, _safe_indexing(X, cal))
        scores = np.maximum(lo - y[cal], y[cal] - hi)
        return cls(lower, upper, scores, levels)

    def predict_interval(self, X, coverage):
        lo, hi = self._band(self.lower, self.upper, X)
        q = _conformal_quantile(self.scores, coverage)
        return np.column_stack([lo - q, hi + q])


#: Interval methods by name (``NNRegressor(interval=...)``).
INTERVAL_METHODS = {cls.name: cls
                    for cls in (SplitConformal, CVPlus, ConformalizedQuantile)}


def fit_intervals(regressor, X, y, sample_weight=None, *, methods,
                  cv=5, fraction=0.25, coverage=0.9, random_state=None):
    """Learn what conformal intervals need, for one or more methods.

    Parameters
    ----------
    regressor : regressor
        Unfitted template; copies are cloned from it (its own ``interval``
        should be None).
    X : array-like of shape (n_samples, n_features)
        Inputs (as given to ``fit``, so that feature names are kept).
    y : array-like of shape (n_samples,)
        Target.
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to the copies' ``fit``; calibration is unweighted.
    methods : sequence of str
        Keys of :data:`INTERVAL_METHODS`.
    cv : int, default=5
        Folds of CV+.
    fraction : float, default=0.25
        Calibration share of split conformal and CQR.
    coverage : float, default=0.9
        Coverage the CQR quantile levels are set for.
    random_state : int, RandomState instance or None
        Seeds the splits and the copies.

    Returns
    -------
    dict of str to calibrated method
        Each has ``predict_interval(X, coverage) -> ndarray (n, 2)``.
    """
    rng = check_random_state(random_state)
    if sp.issparse(X):
        X = X.tocsr()  # row indexing; the copies accept CSR
    elif not hasattr(X, "iloc"):
        X = np.asarray(X)  # DataFrames stay, to keep feature names
    # complex or non-numeric targets refused here, as the estimator's own
    # fit would, before any copy is fitted on a silently cast y
    y = check_array(y, ensure_2d=False, dtype=np.float64,
                    ensure_all_finite=False, input_name="y").reshape(-1)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    return {m: INTERVAL_METHODS[m].fit(regressor, X, y, sample_weight, rng,
                                       cv=cv, fraction=fraction,
                                       coverage=coverage)
            for m in methods}


def requested_methods(interval, X, y, cv, fraction):
    """The methods of an ``interval`` parameter, checked before training.

    Returns
    -------
    tuple of str
        Empty for ``interval=None``.
    """
    if interval is None:
        return ()
    methods = (interval,) if isinstance(interval, str) else tuple(interval)
    unknown = [m for m in methods if m not in INTERVAL_METHODS]
    if unknown or not methods:
        raise ValueError(
            f"interval must be one of {sorted(INTERVAL_METHODS)}, a tuple "
            f"of them or None; got {interval!r}.")
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the "
                         "target y is None.")
    shape = np.asarray(y).shape
    if len(shape) > 1 and shape[1] != 1:
        raise ValueError("Prediction intervals need a single target; y has "
                         f"{shape[1]} columns.")
    if len(shape) == 2:
        column_or_1d(np.asarray(y), warn=True)  # scikit-learn's warning
    check_interval_size(_num_samples(X), methods, cv, fraction)
    return tuple(dict.fromkeys(methods))


def predict_interval(intervals, X, method, coverage):
    """Bounds from the calibrated ``intervals`` (``fit_intervals``' result).

    An (n, 2) array, or a DataFrame with columns 'lower', 'upper' and X's
    index when X is a DataFrame.
    """
    coverage = check_coverage(coverage)
    name = next(iter(intervals)) if method is None else method
    if name not in intervals:
        raise ValueError(
            f"method={method!r} was not learned at fit; available: "
            f"{list(intervals)} (set interval= to learn others).")
    bounds = intervals[name].predict_interval(X, coverage)
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return pd.DataFrame(bounds, index=X.index, columns=["lower", "upper"])
    return bounds
