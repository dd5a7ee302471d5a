"""The generalised linear model inside a network with a linear skip.

With ``linear_skip=True`` the network is ``eta = x @ b + f(x)``, where
``f`` is the MLP with its output layer started at zero.  ``b`` (and the
intercept) are first fitted as the loss's GLM on the standardised training
data and then held fixed: the network learns only the nonlinear remainder,
so training starts at the linear model and early stopping keeps a later
epoch only where held-out data shows the remainder helps.  The logit and
Poisson GLMs carry a small ridge (``C=1`` against the summed loss) on the
standardised inputs, except that a regressor whose spread comes from a
handful of outlying values (a 0/1 variable coded 666 on two rows) is
measured by its spread without them (:func:`_robust_factor`), so that the
ridge does not shrink its real effect.  Keeping ``b``
fixed matters: Adam moves every parameter by about the learning rate per
step whatever its gradient, so a trainable ``b`` started at the optimum
random-walks away from it on mini-batch noise (on the suite's wage
equations the network then fell below OLS).

Least squares, the logit and the Poisson regression have closed-form
starts (:data:`GLM_STARTS`); the econometric likelihoods (Tobit, ordered
logit, negative binomial, ...) are fitted by L-BFGS inside the network
(:func:`fit_glm`), and so is a network without hidden layers, which is
its loss's classical model.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from ._losses import ClassificationLoss, Poisson, SquaredError
from ._networks import penalised_names
from ._scaling import weighted_quantiles

__all__ = ["GLM_STARTS", "glm_start", "start_at_glm", "has_closed_form_start",
           "fit_glm"]


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


def has_closed_form_start(loss):
    """Whether ``loss`` has a GLM start in :data:`GLM_STARTS`."""
    return type(loss) in GLM_STARTS


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
    # a penalised GLM measures each coefficient per robust spread of its
    # regressor, so that a few outlying codes cannot shrink it
    w = np.asarray(w, dtype=np.float64)
    factor = None if fit is _least_squares or sp.issparse(X) else \
        _robust_factor(X, w)
    if factor is not None:
        X = X * factor
    out = fit(loss, X, Y, w)
    if out is None or not (np.all(np.isfinite(out[0])) and
                           np.all(np.isfinite(out[1]))):
        return None
    if factor is not None:
        out = (out[0] * factor, out[1])
    return out


#: Share of rows at each end that :func:`_robust_factor` clips, and by how
#: much clipping them must shrink a column's spread for it to be rescaled.
_CLIP_SHARE = 0.005
_INFLATION = 2.0


def _robust_factor(X, w):
    """Per column, 1 / the (weighted) standard deviation of the
    standardised column clipped to its 0.5% and 99.5% weighted quantiles
    where that clipping more than halves it -- a spread that comes from a
    handful of outlying values (a 0/1 variable coded 666 on two rows) --
    and 1 elsewhere, so ordinary regressors (a normal one loses 3% of its
    spread) and a dummy with fewer ones than the clipped share (clipped to
    a constant) keep the ridge on standardised inputs."""
    low, high = weighted_quantiles(X, w, (_CLIP_SHARE, 1 - _CLIP_SHARE))
    clipped = np.clip(X, low, high)
    mean = w @ clipped / w.sum()
    spread = np.sqrt(w @ (clipped - mean) ** 2 / w.sum())
    # clipped to a constant: exactly, not by the rounding of the spread
    factor = np.ones(X.shape[1])
    rescale = (high > low) & (spread * _INFLATION < 1)
    factor[rescale] = 1.0 / spread[rescale]
    return factor


def start_at_glm(body, loss, X, Y, w):
    """Set ``body``'s linear skip and output bias to the loss's GLM.

    The skip is then frozen (``requires_grad=False``).  Losses without a
    registered GLM (and sparse inputs too large to densify for least
    squares) keep a trainable skip started at zero and the intercept-only
    start.  A network without hidden layers (and so without a skip) *is*
    a GLM: its output layer is started at the fit and stays trainable.
    Returns whether a start was set.
    """
    fit = glm_start(loss, X, Y, w)
    if fit is None:
        return False
    coef, intercept = fit
    if body.skip_weight is None:
        body.set_output_layer(coef, intercept)
        return True
    dtype = body.skip_weight.dtype
    body.set_linear(torch.as_tensor(coef, dtype=dtype))
    body.set_output_bias(torch.as_tensor(intercept, dtype=dtype))
    body.skip_weight.requires_grad_(False)
    return True


#: L-BFGS's iterations and gradient tolerance in :func:`fit_glm`.
GLM_FIT_ITERATIONS = 500
GLM_FIT_TOL = 1e-7


def fit_glm(module, loss, data, alpha, weight_mean=1.0, only=None):
    """Fit the classical model inside a network by L-BFGS, in place.

    The start of a network whose loss has no closed-form GLM
    (:data:`GLM_STARTS`): full-batch L-BFGS on the loss, over the
    parameters named in ``only`` (the linear skip, the output bias and a
    likelihood's constants, while the hidden part's output layer is
    zero), or over every parameter of a network without hidden layers.
    The slopes carry the network's own L2 penalty, ``alpha / 2 ||b||^2``
    against the summed loss (the objective a network without hidden
    layers trains on), which keeps them finite where the
    maximum-likelihood estimate does not exist (separated classes).

    Parameters
    ----------
    module : torch.nn.Module
        The network that trains (``module_.body``).
    loss : econnn loss
    data : TensorDataset
        All the training rows, standardised, in the training dtype.
    alpha : float
        The L2 penalty, as the estimators' ``alpha``.
    weight_mean : float, default=1.0
        Mean sample weight of the rows (``data.w`` is normalised to mean
        one): the penalty is per effective sample, as in training.
    only : list of str or None, default=None
        Names of the parameters to fit (the others are held fixed); None
        fits every trainable parameter.

    Returns
    -------
    bool
        Whether the fit succeeded. When it did not (a non-finite loss or
        parameter, or sparse input too large to densify) the module is
        left as it was.
    """
    from ._training import Criterion

    named = dict(module.named_parameters())
    fitted = {n: p for n, p in named.items()
              if p.requires_grad and (only is None or n in only)}
    held = [p for n, p in named.items() if p.requires_grad
            and n not in fitted]
    penalised = set() if only is not None else set(penalised_names(module))
    slopes = [p for n, p in fitted.items()
              if n.endswith("skip_weight") or n in penalised]
    X, y, w = data.X, data.y, data.w
    if sp.issparse(X):
        if X.shape[0] * X.shape[1] > _MAX_DENSE:
            return False
        X = torch.from_numpy(X.toarray())
    X = X.to(next(iter(fitted.values())).dtype)
    n = len(y) * weight_mean
    saved = {k: v.detach().clone() for k, v in module.state_dict().items()}
    criterion = Criterion(loss)
    optimizer = torch.optim.LBFGS(
        list(fitted.values()), lr=1.0, max_iter=GLM_FIT_ITERATIONS,
        tolerance_grad=GLM_FIT_TOL, tolerance_change=1e-12,
        history_size=20, line_search_fn="strong_wolfe")

    def objective():
        optimizer.zero_grad(set_to_none=True)
        value = criterion(module(X), y, w) + alpha * sum(
            p.square().sum() for p in slopes) / (2 * n)
        value.backward()
        return value

    training = module.training
    for p in held:
        p.requires_grad_(False)
    try:
        module.train()
        with torch.enable_grad():
            value = optimizer.step(objective)
        ok = bool(torch.isfinite(value)) and all(
            bool(torch.isfinite(p).all()) for p in fitted.values())
    finally:
        module.zero_grad(set_to_none=True)
        for p in held:
            p.requires_grad_(True)
        module.train(training)
    with torch.no_grad():
        # the fit's forward passes must not move batch-norm statistics
        for name, buffer in module.named_buffers():
            buffer.copy_(saved[name])
    if not ok:
        module.load_state_dict(saved)
    return ok
