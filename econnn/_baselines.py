"""Linear baselines as scikit-learn estimators, backed by statsmodels.

A statsmodels model sits in the same comparison table, pipeline and
cross-validation loop as the networks: :class:`OLSRegressor` (optionally
on a log target, predicting in levels) and :class:`LogitClassifier`, each
with statsmodels' own ``summary()``.
"""

import numpy as np
import statsmodels.api as sm
from sklearn.base import (BaseEstimator, ClassifierMixin, RegressorMixin,
                          is_regressor)
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import (check_classification_targets,
                                      type_of_target)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._validation import validate_data
from .inference._summary import check_summary_data

__all__ = ["OLSRegressor", "LogitClassifier"]


def _design(est, X):
    X = np.asarray(X, dtype=np.float64)
    return sm.add_constant(X, has_constant="add") if est.fit_intercept \
        else X


def _exog_names(est):
    names = list(getattr(est, "feature_names_in_",
                         [f"x{i + 1}" for i in range(est.n_features_in_)]))
    return (["const"] if est.fit_intercept else []) + [str(n) for n in names]


def _target_name(y):
    """The name of a pandas target, else 'y' (for the summary's label)."""
    name = getattr(y, "name", None)
    return "y" if name is None else str(name)


def _label(value):
    """A class label as users wrote it: 1, not np.int64(1)."""
    return str(value.item() if isinstance(value, np.generic) else value)


class _StatsmodelsMixin:
    """What the two wrappers share: names, coefficients and the summary."""

    def _set_coefficients(self):
        params = np.asarray(self.results_.params)
        self.coef_ = params[1:] if self.fit_intercept else params
        self.intercept_ = float(params[0]) if self.fit_intercept else 0.0

    def summary(self, X=None, y=None, **kwargs):
        """statsmodels' summary of the fitted model.

        Parameters
        ----------
        X, y : array-like, default=None
            Optional data on which the score (R^2, accuracy) is reported
            as well, in a note below the tables.
        **kwargs
            Passed to the statsmodels results' ``summary`` (e.g.
            ``alpha``).

        Returns
        -------
        summary : statsmodels.iolib.summary.Summary
            With the feature names of X.
        """
        check_is_fitted(self)
        score = self.score(X, y) if check_summary_data(self, X, y) else None
        kwargs.setdefault("xname", _exog_names(self))
        kwargs.setdefault("yname", self._yname())
        summary = self.results_.summary(**kwargs)
        if score is not None:
            name = "R^2" if is_regressor(self) else "Accuracy"
            summary.add_extra_txt([f"{name} on the given data: {score:.4f}"])
        return summary


class OLSRegressor(_StatsmodelsMixin, RegressorMixin, BaseEstimator):
    """Ordinary least squares (statsmodels ``OLS``/``WLS``) as an estimator.

    Parameters
    ----------
    log_target : bool, default=False
        Regress ``log(y)`` on X (a log-linear model) and predict ``y`` in
        levels, retransformed with ``retransformation``.
    retransformation : {'smearing', 'normal'}, default='smearing'
        How predictions return to levels when ``log_target=True``:
        Duan's (1983) smearing estimate ``exp(x'b) * mean(exp(e_i))``, which
        needs no distributional assumption, or the lognormal correction
        ``exp(x'b + s^2 / 2)`` with ``s^2`` the residual variance.
    fit_intercept : bool, default=True
        Whether to add a constant.
    cov_type : str, default='nonrobust'
        Covariance of the coefficients in the summary, as in statsmodels
        (e.g. 'HC1' for heteroskedasticity-robust standard errors).

    Attributes
    ----------
    results_ : statsmodels RegressionResults
        The fitted statsmodels results.
    coef_ : ndarray of shape (n_features,)
        Slopes (on ``log(y)`` when ``log_target=True``).
    intercept_ : float
        The constant (0 without intercept).
    smearing_factor_ : float
        Multiplier applied to ``exp(x'b)`` to predict levels (1 when
        ``log_target=False``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    See Also
    --------
    LogitClassifier : The logit counterpart.
    econnn.compare_models : Put it in a table next to a network.

    References
    ----------
    Duan, N. (1983). Smearing estimate: a nonparametric retransformation
    method. Journal of the American Statistical Association 78, 605-610.

    Examples
    --------
    >>> import numpy as np
    >>> from econnn import OLSRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = 1 + X @ [2.0, -1.0] + rng.normal(scale=0.1, size=200)
    >>> OLSRegressor().fit(X, y).coef_.round(1)
    array([ 2., -1.])
    """

    _parameter_constraints = {
        "log_target": ["boolean"],
        "retransformation": [StrOptions({"smearing", "normal"})],
        "fit_intercept": ["boolean"],
        "cov_type": [str],
    }

    def __init__(self, log_target=False, *, retransformation="smearing",
                 fit_intercept=True, cov_type="nonrobust"):
        self.log_target = log_target
        self.retransformation = retransformation
        self.fit_intercept = fit_intercept
        self.cov_type = cov_type

    def fit(self, X, y, sample_weight=None):
        """Fit by (weighted) least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Regressors.
        y : array-like of shape (n_samples,)
            Target (positive when ``log_target=True``).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights (WLS).

        Returns
        -------
        self : object
        """
        self._validate_params()
        self._y_name = _target_name(y)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        w = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                 ensure_non_negative=True)
        if self.log_target:
            if np.any(y <= 0):
                raise ValueError("log_target=True requires y > 0; got "
                                 f"{int((y <= 0).sum())} value(s) <= 0.")
            y = np.log(y)
        # plain OLS when unweighted, so that the summary says so
        model = sm.OLS(y, _design(self, X)) if sample_weight is None else \
            sm.WLS(y, _design(self, X), weights=w)
        self.results_ = model.fit(cov_type=self.cov_type)
        self._set_coefficients()
        if self.log_target:
            resid = np.asarray(self.results_.resid)
            if self.retransformation == "smearing":
                factor = np.average(np.exp(resid), weights=w)
            else:
                factor = np.exp(0.5 * self.results_.scale)
            self.smearing_factor_ = float(factor)
        else:
            self.smearing_factor_ = 1.0
        return self

    def _yname(self):
        name = getattr(self, "_y_name", "y")
        return f"log({name})" if self.log_target else name

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self.log_target
        return tags

    def predict(self, X):
        """Predict y (in levels, also with ``log_target=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Regressors.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        xb = X @ self.coef_ + self.intercept_
        if self.log_target:
            return np.exp(xb) * self.smearing_factor_
        return xb


class LogitClassifier(_StatsmodelsMixin, ClassifierMixin, BaseEstimator):
    """Binary logit (statsmodels ``GLM`` with a binomial family).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to add a constant.
    cov_type : str, default='nonrobust'
        Covariance of the coefficients in the summary, as in statsmodels.

    Attributes
    ----------
    results_ : statsmodels GLMResults
        The fitted statsmodels results (binomial family, logit link; the
        estimates are those of ``statsmodels.api.Logit``, and sample weights
        enter as frequency weights).
    classes_ : ndarray of shape (2,)
        Class labels; the second is the "success".
    coef_ : ndarray of shape (n_features,)
        Log-odds coefficients.
    intercept_ : float
        The constant.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    See Also
    --------
    OLSRegressor : The linear-regression counterpart.
    econnn.NNClassifier : The network counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from econnn import LogitClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1))
    >>> y = rng.random(2000) < 1 / (1 + np.exp(-2 * X[:, 0]))
    >>> LogitClassifier().fit(X, y).coef_.round(0)
    array([2.])
    """

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "cov_type": [str],
    }

    def __init__(self, fit_intercept=True, *, cov_type="nonrobust"):
        self.fit_intercept = fit_intercept
        self.cov_type = cov_type

    def fit(self, X, y, sample_weight=None):
        """Fit by maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Regressors.
        y : array-like of shape (n_samples,)
            Binary labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights.

        Returns
        -------
        self : object
        """
        self._validate_params()
        self._y_name = _target_name(y)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        kind = type_of_target(y, input_name="y")
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError("LogitClassifier needs samples of 2 classes; "
                             f"got 1 class: {encoder.classes_[0]!r}.")
        if kind != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the "
                f"target is {kind} (classes {encoder.classes_!r}).")
        self.classes_ = encoder.classes_
        w = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                 ensure_non_negative=True)
        if len(np.unique(y[w > 0])) < 2:
            raise ValueError("LogitClassifier needs samples of 2 classes "
                             "with positive weight, but only one class has "
                             "any.")
        model = sm.GLM(encoder.transform(y).astype(float), _design(self, X),
                       family=sm.families.Binomial(), freq_weights=w)
        self.results_ = model.fit(cov_type=self.cov_type)
        self._set_coefficients()
        return self

    def _yname(self):
        name = getattr(self, "_y_name", "y")
        return f"P({name} = {_label(self.classes_[1])})"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def decision_function(self, X):
        """The log-odds ``x'b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        """Predicted labels (probability above one half).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]
