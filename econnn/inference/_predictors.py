"""What marginal effects differentiate: a fitted model's predictions.

For econnn's networks the derivatives are exact: the fitted network maps raw
X to the linear predictor (standardisation included) and the loss's inverse
link gives the prediction, so autograd differentiates in the original units
-- also through preceding pipeline steps that are affine maps, such as
:class:`~sklearn.preprocessing.StandardScaler`, which are replayed in torch
(:data:`TORCH_STEPS`).  Any other fitted estimator (e.g. the statsmodels
baselines) is differentiated numerically, by central differences of
``predict`` / ``predict_proba``.

A predictor has two methods, ``values(X) -> (n, n_outputs)`` and
``gradient(X, cols) -> (n, n_outputs, len(cols))``.  A binary classifier has
one output, the probability of its second class (statsmodels' convention);
other classifiers one per class.
"""

import copy

import numpy as np
import pandas as pd
import torch
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, RobustScaler,
                                   StandardScaler)

from .._fitted import fitted_model, is_econnn
from ..engine._scaling import writable

__all__ = ["TORCH_STEPS", "make_predictor", "split_pipeline"]


# ----------------------------------------------------- pipeline steps in torch
def _affine(shift, scale):
    """``(x - shift) / scale`` as a torch function (None = 0 / 1)."""
    def apply(z):
        if shift is not None:
            z = z - torch.as_tensor(shift, dtype=z.dtype)
        if scale is not None:
            z = z / torch.as_tensor(scale, dtype=z.dtype)
        return z
    return apply


#: Preprocessing steps that autograd can differentiate through, by class:
#: ``f(fitted step) -> torch function``. All are affine maps per column.
TORCH_STEPS = {
    # fitted statistics may exist although the option disables them
    StandardScaler: lambda s: _affine(s.mean_ if s.with_mean else None,
                                      s.scale_ if s.with_std else None),
    RobustScaler: lambda s: _affine(
        s.center_ if s.with_centering else None,
        s.scale_ if s.with_scaling else None),
    MaxAbsScaler: lambda s: _affine(None, s.scale_),
    # MinMaxScaler computes x * scale_ + min_
    MinMaxScaler: lambda s: _affine(-s.min_ / s.scale_, 1 / s.scale_),
}


def split_pipeline(estimator):
    """(preprocessing steps, final estimator)."""
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps[:-1]
                 if s is not None and s != "passthrough"]
        return steps, estimator.steps[-1][1]
    return [], estimator


# ---------------------------------------------------------------- predictors
class _AutogradPredictor:
    """Predictions and exact derivatives of an econnn network (+ steps)."""

    def __init__(self, estimator):
        steps, final = split_pipeline(estimator)
        funcs = []
        for step in steps:
            maker = TORCH_STEPS.get(type(step))
            if maker is None:
                raise ValueError(
                    f"marginal_effects cannot differentiate through the "
                    f"pipeline step {type(step).__name__}: only "
                    f"{', '.join(c.__name__ for c in TORCH_STEPS)} are "
                    "replayed in torch. Pass derivative='numerical' for "
                    "finite differences, or fit the network on the "
                    "transformed data.")
            funcs.append(maker(step))
        self.funcs = funcs
        self.final = final
        # derivatives of the fitted function in double precision, whatever
        # precision it was trained in
        self.fitted = fitted_model(final)
        self.module = copy.deepcopy(self.fitted.network).double().eval()
        self.classes = getattr(final, "classes_", None) if \
            is_classifier(final) else None

    def _forward(self, Z):
        for f in self.funcs:
            Z = f(Z)
        module = self.module
        Z = Z.to(dtype=module.x_loc.dtype, device=module.x_loc.device)
        mu = self.fitted.mean(module(Z))
        if self.classes is not None and len(self.classes) == 2 and \
                mu.shape[1] == 2:
            mu = mu[:, 1:]  # binary: P(class 1) alone
        return mu

    def values(self, X):
        with torch.no_grad():
            return self._forward(torch.as_tensor(
                writable(X), dtype=torch.float64)).double().cpu().numpy()

    def gradient(self, X, cols):
        """d mu_k / d x_j for each row: array (n, n_outputs, len(cols))."""
        Z = torch.tensor(X, dtype=torch.float64)  # a copy, read-only or not
        Z.requires_grad_(True)
        mu = self._forward(Z)
        grads = []
        for k in range(mu.shape[1]):
            # rows are independent in eval mode, so the gradient of the sum
            # holds every row's own derivative
            g, = torch.autograd.grad(mu[:, k].sum(), Z,
                                     retain_graph=k + 1 < mu.shape[1])
            grads.append(g[:, cols])
        return torch.stack(grads, dim=1).cpu().numpy()


class _NumericPredictor:
    """Predictions and central-difference derivatives of any estimator."""

    def __init__(self, estimator, template, X):
        self.estimator = estimator
        self.template = template  # the user's X, to rebuild DataFrames
        self.scale = np.maximum(np.std(X, axis=0), 1e-3)
        # the precision predictions are computed in: a float32 network's
        # rounding would swamp a step sized for float64
        _, final = split_pipeline(estimator)
        self.eps = np.finfo(fitted_model(final).precision if is_econnn(final)
                            else np.float64).eps
        self.classes = getattr(estimator, "classes_", None) if \
            is_classifier(estimator) else None

    def values(self, X):
        if isinstance(self.template, pd.DataFrame):
            X = pd.DataFrame(X, columns=self.template.columns)
        if self.classes is not None:
            proba = np.asarray(self.estimator.predict_proba(X), dtype=float)
            # binary: P(class 1) alone, P(class 0) is its complement
            return proba[:, 1:] if proba.shape[1] == 2 else proba
        pred = np.asarray(self.estimator.predict(X), dtype=float)
        return pred.reshape(len(pred), -1)

    def gradient(self, X, cols):
        out = []
        for j in cols:
            # step ~ cube root of machine precision, scaled to the column
            h = np.cbrt(self.eps) * self.scale[j]
            up, down = X.copy(), X.copy()
            up[:, j] += h
            down[:, j] -= h
            out.append((self.values(up) - self.values(down)) / (2 * h))
        return np.stack(out, axis=2)


def make_predictor(estimator, derivative, X_frame, X):
    _, final = split_pipeline(estimator)
    use_autograd = derivative == "autograd" or (
        derivative == "auto" and is_econnn(final))
    if use_autograd:
        if not is_econnn(final):
            raise ValueError(
                "derivative='autograd' needs an econnn estimator (or a "
                f"Pipeline ending in one); got {type(final).__name__}.")
        return _AutogradPredictor(estimator)
    return _NumericPredictor(estimator, X_frame, X)


