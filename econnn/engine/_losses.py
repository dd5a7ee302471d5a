"""Losses as GLM output links.

The network's last layer is a generalised linear model on learned features:
it produces a linear predictor ``eta``; the loss fixes the inverse link that
maps ``eta`` to the prediction and the (negative log-) likelihood that is
minimised.  Each loss also says how to standardise the target so that
training is well conditioned while predictions stay in original units.
"""

import numpy as np
import torch
import torch.nn.functional as F

from ._scaling import weighted_location_scale

__all__ = ["REGRESSION_LOSSES", "ClassificationLoss"]


def mean_r2(mu, y):
    """R^2 of predictions ``mu`` for targets ``y`` (tensors), averaged over
    outputs; an output with no variance scores 0."""
    resid = (y - mu).square().sum(dim=0)
    total = (y - y.mean(dim=0)).square().sum(dim=0)
    r2 = torch.where(total > 0, 1 - resid / total, torch.zeros_like(total))
    return float(r2.mean())


class _Loss:
    """Interface of a loss; subclasses set the link and the likelihood."""

    link = "identity"
    domain = None  # (lower bound, closed) of the target, or None
    n_heads = 1  # network outputs per target
    n_extra = 0  # learned constants appended to the output (likelihoods)

    def per_sample(self, eta, y):
        """Loss of each sample, shape (n,).

        Averaged over outputs for regression; summed over labels for
        multilabel classification (as scikit-learn).
        """
        raise NotImplementedError

    def inverse_link(self, eta):
        return eta

    def training_mean(self, eta):
        """The prediction from a linear predictor in training units."""
        return self.inverse_link(eta)

    def check_target(self, y):
        if self.domain is None:
            return
        bound, closed = self.domain
        bad = y < bound if closed else y <= bound
        if np.any(bad):
            sign = ">=" if closed else ">"
            raise ValueError(
                f"loss={self.name!r} requires y {sign} {bound}; got "
                f"{int(bad.sum())} value(s) outside, e.g. {y[bad].min():g}."
            )

    def target_scaling(self, y, w):
        """(loc, scale): training sees ``(y - loc) / scale``."""
        return weighted_location_scale(y, w, name="y")

    def eta_scaling(self, loc, scale):
        """(eta_loc, eta_scale) mapping the trained eta to original units."""
        return loc, scale

    def initial_bias(self, y, w):
        """Output bias of the intercept-only model, in training units."""
        return np.average(y, axis=0, weights=w)


class SquaredError(_Loss):
    name = "squared_error"

    def per_sample(self, eta, y):
        return 0.5 * (eta - y).square().mean(dim=1)


class AbsoluteError(_Loss):
    name = "absolute_error"

    def per_sample(self, eta, y):
        return (eta - y).abs().mean(dim=1)


class Huber(_Loss):
    """Huber loss with threshold one standard deviation of the target."""

    name = "huber"
    delta = 1.0

    def per_sample(self, eta, y):
        return F.huber_loss(eta, y, reduction="none",
                            delta=self.delta).mean(dim=1)


class Quantile(_Loss):
    name = "quantile"

    def __init__(self, quantile=0.5):
        self.quantile = quantile

    def per_sample(self, eta, y):
        diff = y - eta
        return torch.maximum(self.quantile * diff,
                             (self.quantile - 1) * diff).mean(dim=1)


class _LogLink(_Loss):
    link = "log"

    def inverse_link(self, eta):
        return torch.exp(eta)

    def target_scaling(self, y, w):
        # a log link only allows rescaling: y / c has linear predictor eta - log c
        mean = np.average(y, axis=0, weights=w)
        return np.zeros_like(mean), np.where(mean > 0, mean, 1.0)

    def eta_scaling(self, loc, scale):
        return np.log(scale), np.ones_like(scale)

    def initial_bias(self, y, w):
        mean = np.average(y, axis=0, weights=w)
        return np.log(np.maximum(mean, 1e-8))


class Poisson(_LogLink):
    """Poisson deviance with log link (counts, rates)."""

    name = "poisson"
    domain = (0, True)

    def per_sample(self, eta, y):
        return (torch.exp(eta) - y * eta).mean(dim=1)


class Gamma(_LogLink):
    """Gamma deviance with log link (positive, right-skewed costs)."""

    name = "gamma"
    domain = (0, False)

    def per_sample(self, eta, y):
        return (y * torch.exp(-eta) + eta).mean(dim=1)


#: Regression losses by name (``NNRegressor(loss=...)``).
REGRESSION_LOSSES = {
    cls.name: cls
    for cls in (SquaredError, Poisson, Gamma, Huber, AbsoluteError, Quantile)
}


class ClassificationLoss(_Loss):
    """Cross-entropy with a logistic (binary, multilabel) or softmax link.

    Parameters
    ----------
    kind : {'binary', 'multiclass', 'multilabel'}
        Binary targets are floats of shape (n, 1); multiclass targets are
        class indices of shape (n,); multilabel targets are 0/1 indicators
        of shape (n, n_labels).
    n_classes : int
        Number of classes (labels, for multilabel targets).
    """

    name = "log_loss"

    def __init__(self, kind, n_classes):
        self.kind = kind
        self.n_classes = n_classes
        self.link = "softmax" if kind == "multiclass" else "logit"

    def per_sample(self, eta, y):
        if self.kind == "multiclass":
            return F.cross_entropy(eta, y, reduction="none")
        # summed over labels, as scikit-learn's multilabel log-loss: each
        # label is a binary model with its own full-strength loss
        return F.binary_cross_entropy_with_logits(
            eta, y, reduction="none").sum(dim=1)

    def log_likelihood(self, eta, y):
        """Log-likelihood of each sample (binary, multiclass)."""
        return -self.per_sample(eta, y)

    def inverse_link(self, eta):
        if self.kind == "multiclass":
            return torch.softmax(eta, dim=1)
        return torch.sigmoid(eta)

    def target_scaling(self, y, w):
        return None

    def initial_bias(self, y, w):
        # intercept-only logit: log prior odds / log class shares
        eps = 1e-6
        if self.kind == "multiclass":
            p = np.bincount(y, weights=w, minlength=self.n_classes)
            if np.any(p == 0):
                # a first partial_fit batch without some class says nothing
                # about its share: start uniform, not at log(eps)
                return np.zeros(self.n_classes)
            p = np.clip(p / p.sum(), eps, 1)
            return np.log(p) - np.log(p).mean()
        p = np.average(y, axis=0, weights=w)
        if self.kind == "binary" and np.any((p == 0) | (p == 1)):
            return np.zeros_like(p)
        p = np.clip(p, eps, 1 - eps)
        return np.log(p / (1 - p))
