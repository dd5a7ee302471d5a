"""Checking backpropagation against finite differences."""

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._fitted import fitted_model
from ._inputs import check_weights
from ..engine._optim import penalty
from ..engine._training import Criterion

__all__ = ["check_gradients"]


def check_gradients(estimator, X, y, sample_weight=None, *, eps=1e-6,
                    n_checks=50, random_state=0):
    """Compare backpropagated gradients with central finite differences.

    The notes' advice for verifying a neural-network implementation: for a
    few parameters ``theta_j``, compare the gradient computed by
    backpropagation with ``(L(theta + eps e_j) - L(theta - eps e_j)) /
    (2 eps)``. The objective is the estimator's full training loss on
    ``(X, y)`` -- the data loss plus the L2 and L1 penalties as applied to a
    single batch of all samples -- evaluated in float64 and in evaluation
    mode (no dropout; batch normalisation uses its running statistics).

    Parameters
    ----------
    estimator : fitted NNRegressor or NNClassifier
        The estimator whose network is checked (it is not modified).
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    eps : float, default=1e-6
        Finite-difference step.
    n_checks : int, default=50
        Number of parameter entries checked, drawn at random across all
        parameter tensors (all of them if the network has fewer).
    random_state : int, RandomState instance or None, default=0
        Seeds the choice of entries.

    Returns
    -------
    result : pandas.DataFrame
        One row per checked entry with columns ``parameter``, ``index``,
        ``backprop``, ``numerical``, ``abs_error`` and ``rel_error``
        (absolute error over ``max(|backprop|, |numerical|, 1e-6)``). Its
        ``attrs['max_rel_error']`` holds the largest relative error; values
        around 1e-7 or below mean the gradients agree.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from econnn import NNRegressor, check_gradients
    >>> X, y = make_regression(50, 3, random_state=0)
    >>> model = NNRegressor((8,), max_iter=5, random_state=0).fit(X, y)
    >>> check_gradients(model, X, y).attrs["max_rel_error"] < 1e-5
    True
    """
    if isinstance(n_checks, bool) or not isinstance(n_checks, Integral) or \
            n_checks < 1:
        raise ValueError(f"n_checks must be an int >= 1; got {n_checks!r}.")
    if isinstance(eps, bool) or not isinstance(eps, Real) or \
            not 0 < eps < np.inf:
        raise ValueError(f"eps must be a positive finite step; got {eps!r}.")
    check_is_fitted(estimator)
    fitted = fitted_model(estimator)
    if sample_weight is not None:
        check_weights(sample_weight, X)  # the objective divides by the mean
    Xt, Yt, wt = fitted.objective_data(X, y, sample_weight)
    module = copy.deepcopy(fitted.body).double().eval()
    criterion = Criterion(fitted.loss)
    n = Xt.shape[0]
    l1 = estimator.l1 / n
    l2 = estimator.alpha / n

    def objective():
        return criterion(module(Xt), Yt, wt) + penalty(module, l1, l2)

    params = [(name, p) for name, p in module.named_parameters()
              if p.requires_grad]
    module.zero_grad()
    objective().backward()
    grads = {name: p.grad.detach().clone() for name, p in params}

    sizes = np.array([p.numel() for _, p in params])
    total = int(sizes.sum())
    rng = check_random_state(random_state)
    picks = np.sort(rng.choice(total, size=min(n_checks, total),
                               replace=False))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    rows = []
    with torch.no_grad():
        for flat in picks:
            k = int(np.searchsorted(offsets, flat, side="right") - 1)
            name, p = params[k]
            index = np.unravel_index(flat - offsets[k], tuple(p.shape))
            original = p[index].item()
            p[index] = original + eps
            plus = objective().item()
            p[index] = original - eps
            minus = objective().item()
            p[index] = original
            numerical = (plus - minus) / (2 * eps)
            backprop = grads[name][index].item()
            err = abs(backprop - numerical)
            rows.append({
                "parameter": name,
                "index": tuple(int(i) for i in index),
                "backprop": backprop,
                "numerical": numerical,
                "abs_error": err,
                "rel_error": err / max(abs(backprop), abs(numerical), 1e-6),
            })
    result = pd.DataFrame(rows)
    result.attrs["max_rel_error"] = float(result["rel_error"].max())
    return result
