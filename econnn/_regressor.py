"""NNRegressor: a feed-forward network with a GLM output link."""

import copy
from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.metaestimators import available_if
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _hyperparameters as hp
from ._feedforward import _FeedForwardNN
from ._mlp_interface import partial_fit_available
from ._validation import validate_data
from .engine._likelihoods import REGRESSION_LIKELIHOODS, Tobit
from .engine._losses import REGRESSION_LOSSES, Quantile, mean_r2
from ._declaration import Param, estimator
from ._monotone import check_monotone
from .inference._intervals import (fit_intervals, predict_interval,
                                   requested_methods)

_LOSSES = {**REGRESSION_LOSSES, **REGRESSION_LIKELIHOODS}

LOSS = Param(
    "loss",
    "squared_error",
    [StrOptions(set(_LOSSES))],
    "{" + ", ".join(repr(k) for k in _LOSSES) + "}",
    """
    Loss, i.e. the GLM family and link of the output layer:
    'squared_error' (identity link, the mean), 'poisson' (log link, counts
    and rates, y >= 0), 'gamma' (log link, positive skewed outcomes such as
    costs, y > 0), 'huber' (identity link, robust to outliers; threshold one
    standard deviation of y), 'absolute_error' (the median) and 'quantile'
    (the ``quantile``-th conditional quantile). Econometric likelihoods
    (single target; each is the classical model with
    ``hidden_layer_sizes=()``): 'tobit' (censored normal, censoring points
    ``censoring``, sigma learned; ``predict`` is E[y|x] of the observed,
    censored y), 'fractional_logit' (shares in [0, 1], Papke-Wooldridge
    Bernoulli quasi-likelihood), 'negative_binomial' (NB2 counts,
    dispersion alpha learned) and 'zero_inflated_poisson' (counts with
    excess zeros; the inflation probability is a second output of the
    same network). ``econnn.predict_components`` gives the parts of the
    fitted distribution (latent mean, sigma, P(uncensored), inflation).
    """,
)

CENSORING = Param(
    "censoring",
    None,
    [tuple, list, None],
    "tuple (lower, upper) or None",
    """
    Censoring points of ``loss='tobit'``: y equals ``lower`` when the
    latent outcome is below it and ``upper`` when above. ``None`` in either
    place (or +-inf) means no censoring on that side; ``censoring=None``
    is ``(0, None)``, Tobin's censoring at zero. Only used by 'tobit'.
    """,
)

QUANTILE = Param(
    "quantile",
    0.5,
    [Interval(Real, 0, 1, closed="neither")],
    "float",
    """
    Quantile estimated with ``loss='quantile'``.
    """,
)


#: Output activations (inverse links) by link, scikit-learn's names.
_OUT_ACTIVATIONS = {"identity": "identity", "log": "exp",
                    "logit": "logistic"}


@estimator(hp.MLP_ARCHITECTURE + [LOSS, QUANTILE, CENSORING, hp.DROPOUT,
            hp.BATCH_NORM, hp.N_ENSEMBLE, hp.LINEAR_SKIP, hp.SMOOTH_CLIP,
            hp.FEATURE_SCALING,
            hp.NUMERICAL_EMBEDDING, hp.EMBEDDING_SIZE, hp.EMBEDDING_SCALE,
            hp.MONOTONE,
            hp.VALIDATION_SPLIT, hp.REFIT, hp.EMA_DECAY,
            hp.EVEN_BATCHES, hp.MIN_BATCHES,
            hp.MODULE],
           hp.MLP_TRAINING, hp.INTERVALS, extra_kwargs=True)
class NNRegressor(RegressorMixin, _FeedForwardNN):
    """Feed-forward neural network regressor, a drop-in for linear models.

    A multi-layer perceptron trained with PyTorch through skorch, with the
    interface of scikit-learn's :class:`~sklearn.neural_network.MLPRegressor`
    (same parameter names and meanings) plus GLM-style output links,
    internal standardisation, dropout, batch normalisation, an L1 penalty,
    sample weights and GPU training.

    Parameters
    ----------
    {parameters}
    **module_kwargs
        ``module__*`` parameters passed to a custom ``module``.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    n_outputs_ : int
        Number of targets.
    n_ensemble_ : int
        Number of networks in the ensemble (``n_ensemble`` resolved).
    activation_ : str
        Activation of the hidden units (``activation`` resolved; built-in
        network).
    n_layers_ : int
        Number of layers, input and output included (built-in network).
    coefs_ : list of ndarray
        Weights of each layer, ``coefs_[i]`` of shape ``(fan_in, fan_out)``
        as in scikit-learn, in the units the network trains in
        (standardised inputs and target when ``standardize=True``);
        stacked ``(n_ensemble_, fan_in, fan_out)`` for an ensemble.
        Read-only copies; assign a list of arrays to set the weights.
    intercepts_ : list of ndarray
        Biases of each layer, ``(fan_out,)`` (``(n_ensemble_, fan_out)``
        for an ensemble), in the same units.
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` (1 after
        ``partial_fit``), as in scikit-learn.
    t_ : int
        Number of training samples seen by the optimizer, over all calls.
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        Training loss per epoch over all calls (standardised units when
        ``standardize=True``, excluding penalties).
    best_loss_ : float or None
        Smallest training loss; None with ``early_stopping=True``, where the
        validation score decides (as in scikit-learn).
    best_epoch_ : int
        Epoch (1-based) with the best monitored loss; with early stopping its
        weights are the ones kept.
    validation_scores_ : list of float or None
        Validation R^2 per epoch with early stopping, else None.
    validation_loss_curve_ : list of float
        Validation loss per epoch, with early stopping only.
    best_validation_score_ : float or None
        Validation R^2 of the kept weights, with early stopping, else None.
    out_activation_ : str
        The output layer's activation, the inverse link: 'identity', or
        'exp' for the log-link losses (scikit-learn's name).
    module_ : torch.nn.Module
        The trained network in original units: ``module_(X)`` is the linear
        predictor, whose inverse link is the prediction. Its ``body`` is the
        network trained on standardised data.
    net_ : econnn.engine._training.Net
        The skorch net that trained ``module_.body``; ``net_.history`` holds
        the per-epoch record.
    intervals_ : dict of str to object
        What each conformal method of ``interval`` learned at fit (copies of
        the network and calibration scores), used by ``predict_interval``.
        Only with ``interval`` set.

    See Also
    --------
    NNClassifier : The classification counterpart.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP, same names.

    Notes
    -----
    The network computes ``eta = f(x)`` through ReLU (or other) hidden layers
    and a linear output layer; the prediction is ``g^{-1}(eta)`` for the
    loss's link ``g``, so the output layer is a GLM on learned features.
    Training uses mini-batch gradient methods on the (optionally
    standardised) data; the L2 penalty ``alpha`` and early stopping
    regularise.

    Examples
    --------
    >>> from econnn import NNRegressor
    >>> from econnn.datasets import load_boston
    >>> X, y = load_boston(return_X_y=True)
    >>> model = NNRegressor(max_iter=50, random_state=0).fit(X, y)
    >>> model.predict(X.iloc[:2]).shape
    (2,)

    Conformal prediction intervals, learned at fit:

    >>> model = NNRegressor(max_iter=50, interval="split",
    ...                     random_state=0).fit(X, y)
    >>> model.predict_interval(X.iloc[:2], coverage=0.9).columns.tolist()
    ['lower', 'upper']
    """

    def _make_loss(self):
        cls = _LOSSES[self.loss]
        if cls is Quantile:
            return cls(self.quantile)
        if cls is Tobit:
            return cls(*self._censoring_bounds())
        return cls()

    def _censoring_bounds(self):
        censoring = getattr(self, "censoring", None)
        if censoring is None:
            return 0.0, np.inf
        bounds = tuple(censoring)
        if len(bounds) != 2:
            raise ValueError(
                "censoring must be a pair (lower, upper); got "
                f"{censoring!r}.")
        lower, upper = (
            (-np.inf, np.inf)[i] if b is None else b
            for i, b in enumerate(bounds))
        try:
            lower, upper = float(lower), float(upper)
        except (TypeError, ValueError):
            raise ValueError(
                "censoring bounds must be numbers or None; got "
                f"{censoring!r}.") from None
        if np.isnan(lower) or np.isnan(upper) or not lower < upper:
            raise ValueError(
                "censoring=(lower, upper) needs lower < upper; got "
                f"{censoring!r}.")
        return lower, upper

    def _check_params(self):
        super()._check_params()
        check_monotone(self)
        if getattr(self, "censoring", None) is not None:
            if self.loss != "tobit":
                raise ValueError(
                    f"censoring is only used with loss='tobit'; got "
                    f"loss={self.loss!r}.")
            self._censoring_bounds()

    def _n_network_outputs(self, Y):
        return getattr(self._loss, "n_heads", 1) if \
            self.loss in REGRESSION_LIKELIHOODS else Y.shape[1]

    def _validate_fit_data(self, X, y, reset):
        # a likelihood models one target: a column y is raveled, with
        # scikit-learn's DataConversionWarning
        X, y = validate_data(self, X, y, reset=reset, accept_sparse="csr",
                             dtype=[np.float64, np.float32],
                             multi_output=self.loss not in
                             REGRESSION_LIKELIHOODS, y_numeric=True)
        if reset:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if reset:
            self.n_outputs_ = Y.shape[1]
            # named after the inverse link, as scikit-learn ('exp' for its
            # Poisson loss) and NNClassifier ('logistic', 'softmax')
            self.out_activation_ = _OUT_ACTIVATIONS[self._make_loss().link]
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output(s) but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}.")
        return X, Y.astype(np.float64, copy=False)

    def _score_training_units(self, mu, y):
        return mean_r2(mu, y)

    def predict(self, X):
        """Predict the target (the conditional mean, median or quantile).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of y.
        """
        mu = self._predict_mean(X)
        return mu.ravel() if self._y_1d else mu

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the network, and the conformal intervals when asked.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k counts like k copies of the
            sample. With ``interval`` set they weight the training of the
            interval networks too, but not the calibration: coverage is
            with respect to the sampling distribution of the rows.
        groups : array-like of shape (n_samples,), default=None
            Group (individual, firm) of each row, for
            ``validation_split='group'``; otherwise unused (the interval
            networks split at random).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        methods = requested_methods(self.interval, X, y, self.interval_cv,
                                    self.interval_fraction)
        intervals = None
        if methods:
            # the intervals' copies first: if they fail, nothing changed;
            # a copy of a RandomState leaves the main network's draws as
            # they are without intervals
            template = clone(self).set_params(interval=None,
                                              warm_start=False)
            intervals = fit_intervals(
                template, X, y, sample_weight, methods=methods,
                cv=self.interval_cv, fraction=self.interval_fraction,
                coverage=self.interval_coverage,
                random_state=copy.deepcopy(self.random_state))
        self._fit_with_groups(X, y, sample_weight, groups)
        if intervals is not None:
            self.intervals_ = intervals
        elif hasattr(self, "intervals_"):
            del self.intervals_
        return self

    def _has_intervals(self):
        if self.interval is None:
            raise AttributeError(
                "predict_interval needs the intervals learned at fit: set "
                "interval='split', 'cv+' or 'cqr' (e.g. "
                "NNRegressor(interval='cv+')) and fit again.")
        return True

    @available_if(_has_intervals)
    def predict_interval(self, X, coverage=None, method=None):
        """Conformal prediction intervals for new observations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        coverage : float, default=None
            Nominal probability that the interval contains the new
            outcome, in (0, 1); None uses ``interval_coverage``.
        method : str, default=None
            One of the methods learned at fit (``interval``); None uses the
            first.

        Returns
        -------
        bounds : ndarray of shape (n_samples, 2) or DataFrame
            Lower and upper bounds; a DataFrame with columns 'lower' and
            'upper' and the index of X when X is a DataFrame. Bounds are
            infinite when the calibration sample is too small for the
            coverage (fewer than ``1 / (1 - coverage) - 1`` scores).

        Notes
        -----
        The guarantee is marginal: over random draws of the training data
        and of the new observation, ``P(lower <= y <= upper) >= coverage``
        when the rows are exchangeable (e.g. i.i.d.), whatever the model
        and the distribution -- for 'cv+' only ``2 * coverage - 1`` is
        guaranteed, though its coverage is close to nominal in practice.
        It is not coverage conditional on x.

        References
        ----------
        Barber, R. F., Candes, E. J., Ramdas, A. and Tibshirani, R. J.
        (2021). Predictive inference with the jackknife+. Annals of
        Statistics 49, 486-507.

        Romano, Y., Patterson, E. and Candes, E. J. (2019). Conformalized
        quantile regression. NeurIPS 32.
        """
        check_is_fitted(self)
        if not hasattr(self, "intervals_"):
            raise NotFittedError(
                f"This {type(self).__name__} has no intervals: it was "
                "fitted with interval=None, or updated by partial_fit "
                "since; call fit again.")
        return predict_interval(self.intervals_, X, method,
                                self.interval_coverage if coverage is None
                                else coverage)

    @available_if(partial_fit_available)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the network with one epoch over (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        self._fit(X, y, sample_weight, incremental=True)
        if hasattr(self, "intervals_"):
            del self.intervals_  # calibrated for the network before
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # likelihood losses and prediction intervals take a single target
        tags.target_tags.multi_output = self.loss not in \
            REGRESSION_LIKELIHOODS and self.interval is None
        tags.target_tags.positive_only = self.loss in (
            "poisson", "gamma", "negative_binomial",
            "zero_inflated_poisson") or (
                self.loss == "tobit" and getattr(self, "censoring", None) is not None
                and self.censoring[0] is not None and
                bool(np.all(np.asarray(self.censoring[0]) >= 0)))
        return tags
