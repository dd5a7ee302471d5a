"""Checks of the toolkit's inputs, beyond what the estimators check.

The toolkit reads data the way the fitted estimator's ``predict`` does
(:func:`check_evaluation_X`) and refuses, with scikit-learn style errors,
what would otherwise come back as NaN or an internal error: weights that
sum to zero, clusters without labels, estimators without a prediction.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.base import is_classifier, is_regressor
from sklearn.utils.validation import (_check_sample_weight, check_array,
                                      check_consistent_length)

from .._fitted import fitted_model, is_econnn
from .._validation import check_numeric, validate_data
from ..engine._scaling import writable

__all__ = ["check_evaluation_X", "check_groups", "check_predictor",
           "check_weights"]


def check_predictor(final):
    """Refuse an estimator without a prediction to differentiate."""
    if not (is_regressor(final) or is_classifier(final)):
        raise TypeError(
            "marginal_effects needs a fitted regressor or classifier; "
            f"{type(final).__name__} is neither and has no prediction to "
            "differentiate.")


def check_evaluation_X(estimator, X):
    """X validated exactly as ``estimator.predict`` validates it, in float64.

    Names, order and width as in ``fit``, finite numeric values and, for an
    econnn network, values its precision can hold.
    """
    if sp.issparse(X):
        raise ValueError("marginal_effects needs a dense X; convert it with "
                         "X.toarray() (effects are computed row by row).")
    check_numeric(X)
    fitted = fitted_model(estimator) if is_econnn(estimator) else None
    if fitted is not None:
        fitted.validate_X(X)
    else:
        # a Pipeline or another estimator: its fitted names and width
        validate_data(estimator, X, reset=False, dtype=np.float64)
    Xa = check_array(X, dtype=np.float64, input_name="X", allow_nd=True)
    if Xa.ndim != 2:
        raise ValueError(f"X must be 2-dimensional; got shape {Xa.shape}.")
    to_body = getattr(fitted.network, "to_body", None) if fitted else None
    if to_body is not None:
        # values the network's precision cannot hold, refused as by predict
        # (the effects use a float64 copy, which would not notice)
        with torch.no_grad():
            to_body(torch.as_tensor(writable(Xa),
                                    device=fitted.network.x_loc.device))
    return Xa


def check_weights(sample_weight, X):
    """Non-negative finite weights, one per row, with a positive sum."""
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                   ensure_non_negative=True)
    if not weights.sum() > 0:
        raise ValueError("Sample weights must contain at least one non-zero "
                         "number.")
    return weights


def check_groups(groups, X):
    """Cluster labels: one per row, none missing, at least two clusters."""
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(f"groups must be 1-dimensional; got shape "
                         f"{groups.shape}.")
    check_consistent_length(X, groups)
    if pd.isna(groups).any():
        raise ValueError("groups contains missing values; every row needs "
                         "a cluster label.")
    if len(pd.unique(groups)) < 2:
        raise ValueError("groups must hold at least 2 clusters for a "
                         "cluster bootstrap; got 1.")
    return groups
