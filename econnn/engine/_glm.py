"""The generalised linear model inside a network with a linear skip.

With ``linear_skip=True`` the network is ``eta = x @ b + f(x)``, where
``f`` is the MLP with its output layer started at zero.  ``b`` (and the
intercept) are first fitted as the loss's GLM on the standardised training
data and then held fixed: the network learns only the nonlinear remainder,
so training starts at the linear model and early stopping keeps a later
epoch only where held-out data shows the remainder helps.  Keeping ``b``
fixed matters: Adam moves every parameter by about the learning rate per
step whatever its gradient, so a trainable ``b`` started at the optimum
random-walks away from it on mini-batch noise (on the suite's wage
equations the network then fell below OLS).

A monotone network (``econnn.engine._monotone``) has a skip whose
coefficients obey the constraints' signs; its start is the GLM under the
same signs (:func:`sign_constrained`): the unconstrained GLM where that
obeys them, else the GLM refitted with the offending coefficients bounded
at zero.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from scipy.optimize import lsq_linear, minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from ._losses import ClassificationLoss, Poisson, SquaredError

__all__ = ["GLM_STARTS", "glm_start", "sign_constrained", "start_at_glm"]


def _least_squares(loss, X, Y, w):
    sw = np.sqrt(w / w.sum())[:, None]
    x_mean, y_mean = w @ X / w.sum(), w @ Y / w.sum()
    # minimum-norm solution: exactly collinear regressors (age, education
    # and experience; a full set of dummies) get finite, small coefficients
    coef = np.linalg.lstsq((X - x_mean) * sw, (Y - y_mean) * sw,
                           rcond=1e-7)[0].T
    return coef, y_mean - coef @ x_mean


def _logistic(loss, X, Y, w):
    # C=1 on standardised inputs with a summed loss: a ridge whose weight
    # vanishes relative to n; it keeps separable data finite
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if loss.kind == "multilabel":
            fits = [LogisticRegression(max_iter=500).fit(
                X, Y[:, j], sample_weight=w) for j in range(Y.shape[1])]
            return (np.vstack([f.coef_ for f in fits]),
                    np.concatenate([f.intercept_ for f in fits]))
        y = Y.ravel() if loss.kind == "binary" else Y
        if np.unique(y).size < 2:
            return None
        fit = LogisticRegression(max_iter=500).fit(X, y, sample_weight=w)
    coef, intercept = fit.coef_, fit.intercept_
    if loss.kind == "multiclass" and coef.shape[0] != loss.n_classes:
        return None  # a class absent from the training part
    return coef, intercept


def _poisson(loss, X, Y, w):
    coefs, intercepts = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for j in range(Y.shape[1]):
            fit = PoissonRegressor(alpha=1.0 / X.shape[0], max_iter=300).fit(
                X, Y[:, j], sample_weight=w)
            coefs.append(fit.coef_)
            intercepts.append(fit.intercept_)
    return np.vstack(coefs), np.array(intercepts)


#: Sparse inputs up to this many entries are densified for least squares.
_MAX_DENSE = 50_000_000

#: Loss type -> ``f(loss, X, Y, w) -> (coef, intercept)`` or None.
GLM_STARTS = {SquaredError: _least_squares, ClassificationLoss: _logistic,
              Poisson: _poisson}


def glm_start(loss, X, Y, w):
    """The loss's GLM on training-unit data, or None if none is registered.

    Parameters
    ----------
    loss : econnn.engine._losses._Loss
    X : ndarray of shape (n_samples, n_features)
        Standardised inputs, in float64 (standardised in float32, exactly
        collinear columns become merely near-collinear and least squares
        gives them huge offsetting coefficients).
    Y : ndarray
        The target in training units (as the network sees it).
    w : ndarray of shape (n_samples,)
        Sample weights.

    Returns
    -------
    (coef, intercept) : tuple of ndarray, shapes (n_outputs, n_features)
        and (n_outputs,), or None.
    """
    fit = GLM_STARTS.get(type(loss))
    if fit is None:
        return None
    if sp.issparse(X):
        if fit is not _least_squares:
            X = sp.csr_matrix(X, dtype=np.float64)  # sklearn takes it
        elif X.shape[0] * X.shape[1] <= _MAX_DENSE:
            X = X.toarray()
        else:
            return None
    else:
        X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y)
    if Y.ndim == 1 and not (isinstance(loss, ClassificationLoss)
                            and loss.kind == "multiclass"):
        Y = Y[:, None]
    if not (isinstance(loss, ClassificationLoss) and
            loss.kind == "multiclass"):
        Y = Y.astype(np.float64)
    out = fit(loss, X, Y, np.asarray(w, dtype=np.float64))
    if out is None or not (np.all(np.isfinite(out[0])) and
                           np.all(np.isfinite(out[1]))):
        return None
    return out


def _bounded_objective(loss, X, Y, w):
    """The objective of ``loss``'s registered GLM and its gradient in
    ``theta = (intercept, coef)``, one output column ``Y`` (n_samples,)."""
    n = X.shape[0]
    if isinstance(loss, SquaredError):
        def objective(theta):
            r = theta[0] + X @ theta[1:] - Y
            return 0.5 * w @ r ** 2, np.concatenate([[w @ r], (w * r) @ X])
        return objective
    if isinstance(loss, ClassificationLoss):  # ridge C=1, as _logistic
        def objective(theta):
            eta = theta[0] + X @ theta[1:]
            p = 1 / (1 + np.exp(-eta))
            value = w @ (np.logaddexp(0, eta) - Y * eta) + \
                0.5 * theta[1:] @ theta[1:]
            g = w * (p - Y)
            return value, np.concatenate([[g.sum()], g @ X + theta[1:]])
        return objective
    # Poisson, ridge 1 / n on the mean deviance, as _poisson
    def objective(theta):
        eta = theta[0] + X @ theta[1:]
        mu = np.exp(eta)
        value = w @ (mu - Y * eta) / w.sum() + \
            0.5 / n * theta[1:] @ theta[1:]
        g = w * (mu - Y) / w.sum()
        return value, np.concatenate([[g.sum()], g @ X + theta[1:] / n])
    return objective


def sign_constrained(fit, signs, loss, X, Y, w):
    """The GLM ``fit = (coef, intercept)`` refitted under ``signs``.

    Parameters
    ----------
    fit : tuple of ndarray
        The unconstrained GLM, as :func:`glm_start` returns it.
    signs : array-like of {-1, 0, 1}, shape (n_features,)
        Per input: coefficient <= 0, free, >= 0.
    loss, X, Y, w
        As for :func:`glm_start`.

    Returns
    -------
    (coef, intercept) : tuple of ndarray
        ``fit`` itself where its coefficients obey the signs; otherwise,
        per output, the GLM's objective minimised with each constrained
        coefficient bounded on its side of zero.
    """
    coef, intercept = (np.array(a, dtype=np.float64) for a in fit)
    signs = np.asarray(signs, dtype=np.float64)
    bad = np.any(coef * signs[None, :] < 0, axis=1)
    if not bad.any():
        return coef, intercept
    if sp.issparse(X):
        X = X.toarray()
    X, w = np.asarray(X, dtype=np.float64), np.asarray(w, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(X.shape[0], -1)
    lower = np.where(signs > 0, 0.0, -np.inf)
    upper = np.where(signs < 0, 0.0, np.inf)
    for j in np.flatnonzero(bad):
        start = np.clip(coef[j], lower, upper)
        if isinstance(loss, SquaredError):
            sw = np.sqrt(w / w.sum())
            x_mean, y_mean = w @ X / w.sum(), w @ Y[:, j] / w.sum()
            result = lsq_linear((X - x_mean) * sw[:, None],
                                (Y[:, j] - y_mean) * sw,
                                bounds=(lower, upper))
            # the bound itself, not a rounding error beside it
            coef[j] = np.where(result.active_mask != 0, 0.0, result.x)
            intercept[j] = y_mean - coef[j] @ x_mean
            continue
        result = minimize(
            _bounded_objective(loss, X, Y[:, j], w),
            np.concatenate([[intercept[j]], start]), jac=True,
            method="L-BFGS-B", options=dict(ftol=1e-12, gtol=1e-8),
            bounds=[(None, None), *zip(np.where(np.isinf(lower), None,
                                                lower),
                                       np.where(np.isinf(upper), None,
                                                upper))])
        intercept[j], coef[j] = result.x[0], result.x[1:]
    return coef, intercept


def start_at_glm(body, loss, X, Y, w):
    """Set ``body``'s linear skip and output bias to the loss's GLM.

    The skip is then frozen (``requires_grad=False``).  Losses without a
    registered GLM (and sparse inputs too large to densify for least
    squares) keep a trainable skip started at zero and the intercept-only
    start.  A body with sign constraints on its skip (``input_signs``, a
    monotone network) starts at the GLM under those signs.
    """
    fit = glm_start(loss, X, Y, w)
    if fit is None:
        return
    signs = getattr(body, "input_signs", None)
    if signs is not None:
        fit = sign_constrained(fit, signs.cpu().numpy(), loss, X, Y, w)
    coef, intercept = fit
    dtype = body.skip_weight.dtype
    body.set_linear(torch.as_tensor(coef, dtype=dtype))
    body.set_output_bias(torch.as_tensor(intercept, dtype=dtype))
    body.skip_weight.requires_grad_(False)
