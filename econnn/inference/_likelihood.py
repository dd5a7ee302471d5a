"""Log-likelihoods and distribution parts of fitted likelihood models.

With an econometric likelihood as output layer (``loss='tobit'``,
``'negative_binomial'``, ``'ordered_logit'``, ...) a fitted network is a
full conditional distribution, not just a mean.  :func:`log_likelihood`
scores it on any data (held-out comparisons, likelihood-ratio tests,
information criteria) and :func:`predict_components` returns its parts --
the latent mean and P(uncensored) of a Tobit, the inflation probability of
a zero-inflated Poisson, the index of an ordered model.
"""

import copy

import numpy as np
import pandas as pd
import torch

from .._fitted import fitted_model

__all__ = ["log_likelihood", "predict_components"]


def _double_network(fitted):
    return copy.deepcopy(fitted.network).double().eval()


def _eta(fitted, X):
    module = _double_network(fitted)
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64),
                         device=module.x_loc.device)
    with torch.no_grad():
        return module(Xt)


def log_likelihood(estimator, X, y, per_sample=False):
    """Log-likelihood of a fitted model on ``(X, y)``.

    Parameters
    ----------
    estimator : NNRegressor or NNClassifier
        Fitted with a likelihood loss: 'tobit', 'fractional_logit' (the
        Bernoulli quasi-log-likelihood), 'negative_binomial',
        'zero_inflated_poisson', 'ordered_logit', 'ordered_probit' or a
        classifier's 'log_loss'.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    per_sample : bool, default=False
        Return each sample's contribution instead of the sum.

    Returns
    -------
    float or ndarray of shape (n_samples,)
        With all constants included (e.g. ``-log y!`` for counts), so
        values are comparable with statsmodels' ``llf``.

    Raises
    ------
    TypeError
        If the estimator's loss is not a likelihood.
    """
    fitted = fitted_model(estimator)
    if not hasattr(fitted.loss, "log_likelihood"):
        raise TypeError(
            f"log_likelihood needs a likelihood loss; {fitted.name} was "
            f"fitted with loss={fitted.loss.name!r}.")
    X, Y = fitted.likelihood_data(X, y)
    eta = _eta(fitted, X)
    values = fitted.loss.log_likelihood(eta, Y.to(eta.device)).cpu().numpy()
    return values if per_sample else float(values.sum())


def predict_components(estimator, X):
    """The parts of a fitted likelihood model's distribution, per row.

    Parameters
    ----------
    estimator : NNRegressor or NNClassifier
        A fitted econnn network.
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    pandas.DataFrame
        One column per part, in original units. 'tobit': ``mean`` (E[y|x]
        of the observed, censored y, what ``predict`` returns),
        ``latent_mean`` (E[y*|x], the index), ``sigma`` and
        ``p_uncensored``; 'negative_binomial': ``mean``, ``alpha``,
        ``variance``, ``p_zero``; 'zero_inflated_poisson': ``mean``,
        ``poisson_mean``, ``inflation``, ``p_zero``; ordered losses:
        ``index`` and ``p_0`` ... ``p_{K-1}``; other losses: ``mean``.
    """
    fitted = fitted_model(estimator)
    X = fitted.validate_X(X)
    if hasattr(X, "toarray"):
        X = X.toarray()
    parts = fitted.components(_eta(fitted, X))
    return pd.DataFrame({k: v.cpu().numpy().reshape(len(X), -1)[:, 0]
                         if v.dim() == 1 or v.shape[1] == 1
                         else list(v.cpu().numpy())
                         for k, v in parts.items()})
