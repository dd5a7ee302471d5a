"""What scikit-learn's MLP exposes beyond the estimator API.

A user switching from ``MLPRegressor``/``MLPClassifier`` reads the layer
weights (``coefs_``, ``intercepts_``, ``n_layers_``) and relies on when
``partial_fit`` exists.  :class:`LayerWeightsMixin` shows the built-in
network's weights in scikit-learn's layout, computed from the fitted torch
module (so they can never disagree with it); :func:`partial_fit_available` is
the ``available_if`` rule of ``partial_fit``.
"""

import numpy as np
import torch
from torch import nn

from .engine._networks import MLP, EnsembleMLP
from .engine._optim import FULL_BATCH

__all__ = ["LayerWeightsMixin", "partial_fit_available"]


def partial_fit_available(est):
    """``available_if`` check of ``partial_fit``.

    Raises AttributeError, so that ``hasattr(est, "partial_fit")`` is False,
    for full-batch solvers (``solver='lbfgs'``, as in scikit-learn) and with
    ``early_stopping=True``: one epoch on one batch has no validation split.
    scikit-learn raises a ValueError in the second case; econnn stops early
    by default, so tools that look for ``partial_fit`` with ``hasattr``
    (scikit-learn's checks, dask-ml's ``Incremental``) must not find it.
    """
    if est.solver in FULL_BATCH:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers; "
            f"{est.solver!r} is not stochastic.")
    if est.early_stopping:
        raise AttributeError(
            "partial_fit is not available with early_stopping=True (one "
            "epoch on one batch has no validation split); set "
            "early_stopping=False.")
    return True


def _layer_tensors(est, attr):
    """The built-in network's (weight, bias) parameter pairs, input first."""
    module = est.__dict__.get("module_")
    if module is None:
        raise AttributeError(
            f"{attr} is not available: this {type(est).__name__} is not "
            "fitted yet.")
    body = getattr(module, "body", module)
    if isinstance(body, MLP):
        linears = [m for m in body.hidden if isinstance(m, nn.Linear)]
        return [(lin.weight, lin.bias) for lin in linears + [body.output]]
    if isinstance(body, EnsembleMLP):
        return list(zip(body.weights, body.biases))
    if getattr(est, "monotone", None):
        raise AttributeError(
            f"{attr} is not available for a monotone network: its weights "
            "are reparametrised to keep the signs (read them from "
            "module_).")
    raise AttributeError(
        f"{attr} is only available for the built-in network, not for a "
        f"custom module ({type(body).__name__}).")


def _coef_view(est, weight):
    # MLP: torch's (fan_out, fan_in) -> scikit-learn's (fan_in, fan_out);
    # EnsembleMLP already stores (n_members, fan_in, fan_out)
    w = weight.detach()
    return w.T if isinstance(getattr(est.module_, "body", None), MLP) else w


def _intercept_view(est, bias):
    b = bias.detach()
    if isinstance(getattr(est.module_, "body", None), EnsembleMLP):
        b = b[:, 0, :]  # (n_members, 1, fan_out) -> (n_members, fan_out)
    return b


def _to_numpy(tensor):
    out = tensor.cpu().numpy().copy()
    # a copy: writing into it could not change the network, so refuse it
    out.setflags(write=False)
    return out


def _assign(est, attr, values, view):
    pairs = _layer_tensors(est, attr)
    idx = 0 if attr == "coefs_" else 1
    if len(values) != len(pairs):
        raise ValueError(f"{attr} needs {len(pairs)} arrays, one per layer; "
                         f"got {len(values)}.")
    with torch.no_grad():
        for i, (pair, value) in enumerate(zip(pairs, values)):
            target = view(est, pair[idx])
            value = np.asarray(value, dtype=np.float64)
            if value.shape != tuple(target.shape):
                raise ValueError(
                    f"{attr}[{i}] must have shape {tuple(target.shape)}; got "
                    f"{value.shape}.")
            target.copy_(torch.as_tensor(value, dtype=target.dtype))


class LayerWeightsMixin:
    """``coefs_``, ``intercepts_`` and ``n_layers_`` of the built-in network.

    The arrays are those of the network that trains, in the units it sees:
    with ``standardize=True`` the first layer acts on standardised inputs
    ``(X - mean) / std`` and the output layer produces the standardised
    linear predictor (for regression, of ``(y - mean) / std``); with
    ``standardize=False`` they act on raw data exactly as scikit-learn's.
    They are read-only copies; assigning a list of arrays of the same shapes
    (``est.coefs_ = [...]``) writes them into the network.
    """

    @property
    def coefs_(self):
        """list of ndarray: layer ``i``'s weights, ``(fan_in, fan_out)``.

        For a deep ensemble (``n_ensemble_ > 1``) each array is stacked over
        members: ``(n_ensemble_, fan_in, fan_out)``. With a
        ``numerical_embedding`` the first layer acts on the embedded inputs
        (``n_features_in_ * embedding_size`` values), not on the inputs;
        with ``smooth_clip`` on the clipped inputs, and with
        ``feature_scaling`` on the inputs times their trained factors
        (``module_.body.feature_scale``).
        """
        return [_to_numpy(_coef_view(self, w))
                for w, _ in _layer_tensors(self, "coefs_")]

    @coefs_.setter
    def coefs_(self, values):
        _assign(self, "coefs_", values, _coef_view)

    @property
    def intercepts_(self):
        """list of ndarray: layer ``i``'s biases, ``(fan_out,)``.

        For a deep ensemble, ``(n_ensemble_, fan_out)``.
        """
        return [_to_numpy(_intercept_view(self, b))
                for _, b in _layer_tensors(self, "intercepts_")]

    @intercepts_.setter
    def intercepts_(self, values):
        _assign(self, "intercepts_", values, _intercept_view)

    @property
    def n_layers_(self):
        """int: number of layers, input and output layers included."""
        return len(_layer_tensors(self, "n_layers_")) + 1
