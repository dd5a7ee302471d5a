"""Econometric likelihoods as output layers.

Each loss here is the negative log-likelihood of a classical econometric
model whose index (or indices) the network computes.  With
``hidden_layer_sizes=()`` the network is linear and the estimator *is* the
classical model, fitted by maximum likelihood:

=========================  ===========================================
loss                       classical model nested
=========================  ===========================================
``'tobit'``                censored normal regression (Tobin 1958)
``'fractional_logit'``     Papke & Wooldridge (1996) Bernoulli QMLE
``'negative_binomial'``    NB2 count regression (Cameron & Trivedi)
``'zero_inflated_poisson'`` zero-inflated Poisson (Lambert 1992)
``'ordered_logit'``        ordered logit / probit (McKelvey & Zavoina)
``'ordered_probit'``
=========================  ===========================================

A model's scalar parameters (Tobit's sigma, NB2's dispersion, the ordered
thresholds) are learned with the network: :class:`WithLossParameters` wraps
the network and appends them, as constant columns, to its output, so the
loss sees one tensor ``eta`` of shape ``(n, n_heads + n_extra)``, the
optimizer sees ordinary torch parameters, and the estimator's
standardisation wrapper maps them to original units like any output.  The
closed-form backprop of the built-in MLP does not know this wrapper and
training falls back to autograd.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._losses import _Loss
from ._scaling import weighted_location_scale


def _weighted_mean_std(y, w):
    return weighted_location_scale(y, w, name="y")

__all__ = ["REGRESSION_LIKELIHOODS", "ORDERED_LOSSES", "Likelihood", "Tobit",
           "FractionalLogit", "NegativeBinomial", "ZeroInflatedPoisson",
           "OrderedLoss", "WithLossParameters", "with_loss_parameters"]

_LOG_2PI = math.log(2 * math.pi)


class Likelihood(_Loss):
    """A likelihood loss; ``per_sample`` is minus the log-likelihood.

    Beyond :class:`~econnn.engine._losses._Loss` it declares how many
    network heads it reads (``n_heads``) and how many constant parameters
    it learns (``extra_names``), and it can describe its parts
    (:meth:`components`) and its parameters (:meth:`parameters`) from a
    linear predictor in original units.
    """

    n_heads = 1
    extra_names = ()
    freeze_output_bias = False
    multi_output = False

    @property
    def n_extra(self):
        return len(self.extra_names)

    def log_likelihood(self, eta, y):
        """Log-likelihood of each sample, ``eta`` in original units."""
        return -self.per_sample(eta, y)

    def components(self, eta):
        """Named parts of the fitted distribution, ``eta`` in original units."""
        return {"mean": self.inverse_link(eta)[:, 0]}

    def parameters(self, extra):
        """The learned constants (a 1-D tensor in original units) by name."""
        return {}

    def training_mean(self, eta):
        return self.inverse_link(eta)

    def target_scaling(self, y, w):
        return None


def _check_single_column(name, y):
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"loss={name!r} models a single target; y has {y.shape[1]} "
            "columns.")


class Tobit(Likelihood):
    """Censored normal (Tobit) regression.

    The latent ``y* = mu(x) + sigma * e``, ``e ~ N(0, 1)``, is observed as
    ``y = clip(y*, lower, upper)``. ``eta = [mu, log sigma]``; the mean of
    the observed ``y`` is the prediction.

    Parameters
    ----------
    lower, upper : float
        Censoring points (``-inf`` / ``inf`` for none).
    """

    name = "tobit"
    extra_names = ("log_sigma",)

    def __init__(self, lower=0.0, upper=math.inf):
        self.lower, self.upper = float(lower), float(upper)
        # bounds in the units training sees (set by target_scaling)
        self._train_bounds = (self.lower, self.upper)

    def check_target(self, y):
        _check_single_column(self.name, y)
        bad = (y < self.lower) | (y > self.upper)
        if np.any(bad):
            raise ValueError(
                f"loss='tobit' with censoring=({self.lower:g}, "
                f"{self.upper:g}) requires lower <= y <= upper; got "
                f"{int(bad.sum())} value(s) outside, e.g. {y[bad][0]:g}.")

    def target_scaling(self, y, w):
        loc, scale = _weighted_mean_std(y, w)
        self._train_bounds = tuple(
            float((b - loc[0]) / scale[0]) if np.isfinite(b) else b
            for b in (self.lower, self.upper))
        return loc, scale

    def eta_scaling(self, loc, scale):
        # mu is in y's units; log sigma shifts by log(scale)
        return (np.array([loc[0], np.log(scale[0])]),
                np.array([scale[0], 1.0]))

    def initial_bias(self, y, w):
        mean, std = _weighted_mean_std(y, w)
        return np.array([mean[0], np.log(std[0])])

    @staticmethod
    def _nll(eta, y, lower, upper):
        mu, log_sigma = eta[:, 0], eta[:, 1]
        y = y[:, 0]
        sigma = torch.exp(log_sigma)
        z = (y - mu) / sigma
        inside = log_sigma + 0.5 * z.square() + 0.5 * _LOG_2PI
        out = inside
        if math.isfinite(lower):
            below = -torch.special.log_ndtr((lower - mu) / sigma)
            out = torch.where(y <= lower, below, out)
        if math.isfinite(upper):
            above = -torch.special.log_ndtr((mu - upper) / sigma)
            out = torch.where(y >= upper, above, out)
        return out

    def per_sample(self, eta, y):
        return self._nll(eta, y, *self._train_bounds)

    def log_likelihood(self, eta, y):
        return -self._nll(eta, y, self.lower, self.upper)

    @staticmethod
    def _moments(eta, lower, upper):
        """(P(uncensored), E[y]) of the observed variable."""
        mu, sigma = eta[:, 0], torch.exp(eta[:, 1])
        p_low = torch.zeros_like(mu)
        p_high = torch.zeros_like(mu)
        mean = mu.clone() if not (math.isfinite(lower) or
                                  math.isfinite(upper)) else None
        dens = torch.zeros_like(mu)
        if math.isfinite(lower):
            a = (lower - mu) / sigma
            p_low = torch.special.ndtr(a)
            dens = dens + torch.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        if math.isfinite(upper):
            b = (upper - mu) / sigma
            p_high = torch.special.ndtr(-b)
            dens = dens - torch.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)
        p_in = 1 - p_low - p_high
        if mean is None:
            # E[y] = L P(y*<L) + U P(y*>U) + mu P(inside) + sigma (phi(a)-phi(b))
            mean = mu * p_in + sigma * dens
            if math.isfinite(lower):
                mean = mean + lower * p_low
            if math.isfinite(upper):
                mean = mean + upper * p_high
        return p_in, mean

    def inverse_link(self, eta):
        return self._moments(eta, self.lower, self.upper)[1][:, None]

    def training_mean(self, eta):
        return self._moments(eta, *self._train_bounds)[1][:, None]

    def components(self, eta):
        p_in, mean = self._moments(eta, self.lower, self.upper)
        return {"mean": mean, "latent_mean": eta[:, 0],
                "sigma": torch.exp(eta[:, 1]), "p_uncensored": p_in}

    def parameters(self, extra):
        return {"sigma": float(torch.exp(extra[0]))}


class FractionalLogit(Likelihood):
    """Bernoulli quasi-likelihood with a logit link, for shares in [0, 1]."""

    name = "fractional_logit"
    link = "logit"

    def check_target(self, y):
        _check_single_column(self.name, y)
        bad = (y < 0) | (y > 1)
        if np.any(bad):
            raise ValueError(
                "loss='fractional_logit' requires 0 <= y <= 1 (shares, "
                f"fractions); got {int(bad.sum())} value(s) outside, e.g. "
                f"{y[bad][0]:g}.")

    def per_sample(self, eta, y):
        return F.binary_cross_entropy_with_logits(
            eta[:, :1], y, reduction="none")[:, 0]

    def inverse_link(self, eta):
        return torch.sigmoid(eta[:, :1])

    def initial_bias(self, y, w):
        p = float(np.clip(np.average(y[:, 0], weights=w), 1e-6, 1 - 1e-6))
        return np.array([np.log(p / (1 - p))])


def _check_counts(name, y):
    _check_single_column(name, y)
    bad = (y < 0) | (y != np.round(y))
    if np.any(bad):
        raise ValueError(
            f"loss={name!r} requires counts (non-negative integers) as y; "
            f"got {int(bad.sum())} value(s) that are not, e.g. "
            f"{y[bad][0]:g}.")


class NegativeBinomial(Likelihood):
    """NB2: ``Var(y|x) = mu + alpha mu^2``, log link, ``alpha`` learned.

    ``eta = [log mu, log alpha]``.
    """

    name = "negative_binomial"
    link = "log"
    extra_names = ("log_alpha",)

    def check_target(self, y):
        _check_counts(self.name, y)

    def initial_bias(self, y, w):
        mean = max(float(np.average(y[:, 0], weights=w)), 1e-8)
        var = float(np.average((y[:, 0] - mean) ** 2, weights=w))
        alpha = max((var - mean) / mean ** 2, 0.05)
        return np.array([np.log(mean), np.log(alpha)])

    def per_sample(self, eta, y):
        log_mu, log_alpha = eta[:, 0], eta[:, 1]
        y = y[:, 0]
        r = torch.exp(-log_alpha)  # 1 / alpha
        log_r_mu = torch.logaddexp(-log_alpha, log_mu)  # log(r + mu)
        ll = (torch.lgamma(y + r) - torch.lgamma(r) - torch.lgamma(y + 1)
              + r * (-log_alpha - log_r_mu) + y * (log_mu - log_r_mu))
        return -ll

    def inverse_link(self, eta):
        return torch.exp(eta[:, :1])

    def components(self, eta):
        mu, alpha = torch.exp(eta[:, 0]), torch.exp(eta[:, 1])
        return {"mean": mu, "alpha": alpha,
                "variance": mu + alpha * mu.square(),
                "p_zero": torch.exp(-torch.log1p(alpha * mu) / alpha)}

    def parameters(self, extra):
        return {"alpha": float(torch.exp(extra[0]))}


class ZeroInflatedPoisson(Likelihood):
    """Zero-inflated Poisson with a logit inflation from a second head.

    ``y = 0`` with probability ``pi(x)``, else ``y ~ Poisson(lambda(x))``;
    ``eta = [log lambda, logit pi]``, both computed by the same network
    (two output units on the shared hidden layers).
    """

    name = "zero_inflated_poisson"
    link = "log"
    n_heads = 2

    def check_target(self, y):
        _check_counts(self.name, y)

    def initial_bias(self, y, w):
        y = y[:, 0]
        zeros = float(np.average(y == 0, weights=w))
        mean = max(float(np.average(y, weights=w)), 1e-8)
        # zeros beyond what a Poisson with the same mean predicts
        pi = float(np.clip((zeros - np.exp(-mean)) / (1 - np.exp(-mean)),
                           0.05, 0.95))
        lam = mean / (1 - pi)
        return np.array([np.log(lam), np.log(pi / (1 - pi))])

    def per_sample(self, eta, y):
        log_lam, logit_pi = eta[:, 0], eta[:, 1]
        y = y[:, 0]
        lam = torch.exp(log_lam)
        log_not = F.logsigmoid(-logit_pi)  # log(1 - pi)
        zero = torch.logaddexp(F.logsigmoid(logit_pi), log_not - lam)
        positive = log_not + y * log_lam - lam - torch.lgamma(y + 1)
        return -torch.where(y == 0, zero, positive)

    def inverse_link(self, eta):
        return (torch.sigmoid(-eta[:, 1]) * torch.exp(eta[:, 0]))[:, None]

    def components(self, eta):
        lam, pi = torch.exp(eta[:, 0]), torch.sigmoid(eta[:, 1])
        return {"mean": (1 - pi) * lam, "poisson_mean": lam,
                "inflation": pi,
                "p_zero": pi + (1 - pi) * torch.exp(-lam)}


#: Regression likelihoods by name (``NNRegressor(loss=...)``).
REGRESSION_LIKELIHOODS = {
    cls.name: cls
    for cls in (Tobit, FractionalLogit, NegativeBinomial, ZeroInflatedPoisson)
}


# ---------------------------------------------------------------- ordered
def _log_diff_cdf(log_cdf, a, b):
    """``log(F(b) - F(a))`` for ``a < b``, stable in both tails."""
    tiny = torch.finfo(a.dtype).tiny
    # F symmetric: F(b) - F(a) = F(-a) - F(-b); use the side nearer zero
    upper_tail = (a + b) > 0
    hi = torch.where(upper_tail, -a, b)
    lo = torch.where(upper_tail, -b, a)
    log_hi = log_cdf(hi)
    return log_hi + torch.log((-torch.expm1(log_cdf(lo) - log_hi))
                              .clamp_min(tiny))


class OrderedLoss(Likelihood):
    """Ordered logit or probit over ``n_classes`` ordered categories.

    ``P(y <= k | x) = F(c_k - index(x))`` with ``F`` logistic or standard
    normal; the network gives the index, the thresholds
    ``c_1 < ... < c_{K-1}`` are learned as ``c_1`` and the logs of the
    increments (statsmodels' ``OrderedModel`` parametrisation). The
    network's output bias is fixed at zero: the thresholds carry the
    location.

    Parameters
    ----------
    distribution : {'logit', 'probit'}
    n_classes : int
    """

    freeze_output_bias = True

    def __init__(self, distribution, n_classes):
        self.distribution = distribution
        self.n_classes = n_classes
        self.name = f"ordered_{distribution}"
        self.link = distribution
        self.extra_names = tuple(
            ["threshold_1"] + [f"log_increment_{k}"
                               for k in range(2, n_classes)])

    def _log_cdf(self, z):
        if self.distribution == "logit":
            return F.logsigmoid(z)
        return torch.special.log_ndtr(z)

    def _cdf(self, z):
        if self.distribution == "logit":
            return torch.sigmoid(z)
        return torch.special.ndtr(z)

    def _cuts(self, eta):
        raw = eta[:, 1:]
        steps = torch.cat([raw[:, :1], torch.exp(raw[:, 1:])], dim=1)
        return torch.cumsum(steps, dim=1)

    def check_target(self, y):
        pass

    def initial_bias(self, y, w):
        # thresholds of the intercept-only model: inverse cdf of cumulative
        # class shares
        y = np.asarray(y).ravel().astype(int)
        share = np.bincount(y, weights=w, minlength=self.n_classes)
        cum = np.clip(np.cumsum(share)[:-1] / share.sum(), 1e-4, 1 - 1e-4)
        if self.distribution == "logit":
            cuts = np.log(cum / (1 - cum))
        else:
            from scipy.special import ndtri
            cuts = ndtri(cum)
        cuts = np.maximum.accumulate(cuts + np.arange(len(cuts)) * 1e-3)
        raw = np.concatenate([[cuts[0]], np.log(np.diff(cuts))])
        return np.concatenate([[0.0], raw])

    def per_sample(self, eta, y):
        index, cuts = eta[:, 0:1], self._cuts(eta)
        k = y.long().view(-1, 1)
        last = self.n_classes - 1
        a = cuts.gather(1, (k - 1).clamp(0, last - 1)) - index
        b = cuts.gather(1, k.clamp(0, last - 1)) - index
        first = self._log_cdf(b)
        top = self._log_cdf(-a)
        middle = _log_diff_cdf(self._log_cdf, a, b)
        ll = torch.where(k == 0, first, torch.where(k == last, top, middle))
        return -ll[:, 0]

    def inverse_link(self, eta):
        cdf = self._cdf(self._cuts(eta) - eta[:, 0:1])
        ones = torch.ones_like(cdf[:, :1])
        cdf = torch.cat([torch.zeros_like(ones), cdf, ones], dim=1)
        return (cdf[:, 1:] - cdf[:, :-1]).clamp_min(0)

    def components(self, eta):
        out = {"index": eta[:, 0]}
        proba = self.inverse_link(eta)
        for k in range(self.n_classes):
            out[f"p_{k}"] = proba[:, k]
        return out

    def parameters(self, extra):
        cuts = self._cuts(torch.cat([extra.new_zeros(1), extra])[None, :])[0]
        return {f"threshold_{k + 1}": float(c) for k, c in enumerate(cuts)}


#: Ordered-choice likelihoods by name (``NNClassifier(loss=...)``).
ORDERED_LOSSES = {"ordered_logit": "logit", "ordered_probit": "probit"}


# ------------------------------------------------------------- the wrapper
class WithLossParameters(nn.Module):
    """A network with a likelihood's constant parameters appended.

    ``forward(x)`` is ``[network(x), extra]``: the network's ``n_heads``
    outputs and ``n_extra`` learned constants, broadcast over the rows.  For
    an :class:`~econnn.engine._networks.EnsembleMLP` each member has its own
    constants; in evaluation mode they are averaged with the members'
    outputs.

    Parameters
    ----------
    network : torch.nn.Module
        The network computing the heads.
    n_extra : int
        Number of constants.
    freeze_output_bias : bool, default=False
        Fix the network's output bias at zero (when the constants carry the
        location, as ordered thresholds do).
    """

    def __init__(self, network, n_extra, freeze_output_bias=False):
        super().__init__()
        self.network = network
        self.n_members = getattr(network, "n_members", 1)
        # one 1-D tensor per member: not a weight matrix, so not penalised
        self.extra = nn.ParameterList(
            nn.Parameter(torch.zeros(n_extra)) for _ in range(self.n_members))
        self.frozen_bias = None
        if freeze_output_bias:
            bias = (network.output.bias if hasattr(network, "output") else
                    network.biases[-1] if hasattr(network, "biases") else
                    None)
            if bias is not None:
                with torch.no_grad():
                    bias.zero_()
                bias.requires_grad_(False)
                self.frozen_bias = bias

    def forward(self, x):
        eta = self.network(x)
        extra = torch.stack(list(self.extra)).to(eta.dtype)
        if eta.dim() == 3:  # ensemble in training: (members, n, heads)
            extra = extra[:, None, :].expand(eta.shape[0], eta.shape[1], -1)
        else:
            extra = extra.mean(dim=0).expand(eta.shape[0], -1)
        return torch.cat([eta, extra], dim=-1)

    def set_output_bias(self, bias):
        bias = torch.as_tensor(bias)
        n_heads = bias.numel() - self.extra[0].numel()
        heads, extra = bias[:n_heads], bias[n_heads:]
        if self.frozen_bias is None and hasattr(self.network,
                                                "set_output_bias"):
            self.network.set_output_bias(heads)
        with torch.no_grad():
            for p in self.extra:
                p.copy_(extra.to(p.dtype))


def with_loss_parameters(network, loss):
    """``network`` wrapped to learn ``loss``'s constants, if it has any."""
    n_extra = getattr(loss, "n_extra", 0)
    if not n_extra:
        return network
    return WithLossParameters(network, n_extra, loss.freeze_output_bias)
