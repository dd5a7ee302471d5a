"""The one interface through which the toolkit reads a fitted estimator.

Marginal effects, summaries, plots, gradient checks and persistence need a
few facts of a fitted network: the function it computes in the data's
original units, its output link, the precision it ran in, what its inputs
are called.  Estimators expose them as a :class:`FittedModel` (built by
``estimator._fitted_model()``), so that no tool reads private attributes
and an estimator can change its internals without breaking them -- the way
statsmodels' results objects serve ``summary()``.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import torch

__all__ = ["FittedModel", "fitted_model", "is_econnn"]


@dataclass(frozen=True)
class FittedModel:
    """What a fitted econnn estimator tells the toolkit.

    Attributes
    ----------
    name : str
        The estimator's class name.
    kind : {'regressor', 'classifier', 'transformer', 'forecaster'}
        The estimator's role.
    network : torch.nn.Module
        Maps raw inputs (original units) to the linear predictor in original
        units; autograd derivatives of it are effects in original units.
        The estimator's own module: copy it before changing it.
    body : torch.nn.Module
        The trained network, standardised inputs to standardised linear
        predictor.
    loss : object
        The loss and output link; ``loss.inverse_link(eta)`` gives the mean
        (or class probabilities), ``loss.name`` and ``loss.link`` describe it.
    precision : numpy.dtype
        The dtype the network trained and predicts in.
    n_features_in : int
        Number of input columns.
    feature_names_in : ndarray of str or None
        Input column names, when fitted on a DataFrame.
    classes : ndarray or None
        Class labels of a classifier.
    target_standardized : bool
        Whether training losses are in standardised target units.
    n_members : int
        Networks averaged (1 for a single network).
    validate_X : callable
        ``validate_X(X) -> ndarray``: the validation ``predict`` applies
        (names, order, width, finiteness, dtype).
    objective_data : callable
        ``objective_data(X, y, sample_weight) -> (X, y, w)``: float64 tensors
        in the units the network trained in, for checking the training
        objective (``check_gradients``).
    likelihood_data : callable
        ``likelihood_data(X, y) -> (X, y)``: validated X and y as a float64
        tensor in the form the loss's ``log_likelihood`` reads (original
        units; class codes for classifiers).
    loss_parameters : dict
        A likelihood loss's learned constants in original units (Tobit's
        ``sigma``, NB2's ``alpha``, ordered thresholds), empty otherwise.
    n_samples_trained : int or None
        Rows the final weights were trained on in the last fit: the
        training part of a validation split, or every row after a
        ``refit``; None when unknown (a model saved before it was recorded).
    """

    name: str
    kind: str
    network: torch.nn.Module
    body: torch.nn.Module
    loss: Any
    precision: np.dtype
    n_features_in: int
    feature_names_in: Optional[np.ndarray]
    classes: Optional[np.ndarray]
    target_standardized: bool
    n_members: int
    validate_X: Callable
    objective_data: Callable
    likelihood_data: Optional[Callable] = None
    loss_parameters: dict = field(default_factory=dict)
    n_samples_trained: Optional[int] = None

    def mean(self, eta):
        """The inverse link applied to a linear predictor tensor."""
        return self.loss.inverse_link(eta)

    def components(self, eta):
        """Named parts of the fitted distribution (a likelihood loss's
        latent mean, scale, zero probability, ...) from a linear predictor
        in original units; just the mean for other losses."""
        parts = getattr(self.loss, "components", None)
        if parts is None:
            return {"mean": self.loss.inverse_link(eta)}
        return parts(eta)


def is_econnn(estimator):
    """Whether ``estimator`` is an econnn network estimator."""
    return callable(getattr(estimator, "_fitted_model", None))


def fitted_model(estimator):
    """The :class:`FittedModel` of a fitted econnn estimator.

    Raises
    ------
    TypeError
        If ``estimator`` is not an econnn network estimator.
    sklearn.exceptions.NotFittedError
        If it is not fitted.
    """
    if not is_econnn(estimator):
        raise TypeError(
            f"Expected a fitted econnn network estimator, got "
            f"{type(estimator).__name__}.")
    return estimator._fitted_model()
