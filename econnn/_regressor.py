"""NNRegressor: a feed-forward network with a GLM output link."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if

from . import _hyperparameters as hp
from ._feedforward import _FeedForwardNN
from ._mlp_interface import check_partial_fit_allowed, stochastic_solver
from ._validation import validate_data
from .engine._losses import REGRESSION_LOSSES, Quantile, mean_r2
from ._declaration import Param, estimator

LOSS = Param(
    "loss",
    "squared_error",
    [StrOptions(set(REGRESSION_LOSSES))],
    "{" + ", ".join(repr(k) for k in REGRESSION_LOSSES) + "}",
    """
    Loss, i.e. the GLM family and link of the output layer:
    'squared_error' (identity link, the mean), 'poisson' (log link, counts
    and rates, y >= 0), 'gamma' (log link, positive skewed outcomes such as
    costs, y > 0), 'huber' (identity link, robust to outliers; threshold one
    standard deviation of y), 'absolute_error' (the median) and 'quantile'
    (the ``quantile``-th conditional quantile).
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
_OUT_ACTIVATIONS = {"identity": "identity", "log": "exp"}


@estimator(hp.MLP_ARCHITECTURE + [LOSS, QUANTILE, hp.DROPOUT,
            hp.BATCH_NORM, hp.N_ENSEMBLE, hp.MODULE], hp.MLP_TRAINING, extra_kwargs=True)
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
    """

    def _make_loss(self):
        cls = REGRESSION_LOSSES[self.loss]
        return cls(self.quantile) if cls is Quantile else cls()

    def _validate_fit_data(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, accept_sparse="csr",
                             dtype=[np.float64, np.float32], multi_output=True,
                             y_numeric=True)
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

    @available_if(stochastic_solver)
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
        check_partial_fit_allowed(self)
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
