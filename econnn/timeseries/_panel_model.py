"""The global model's pieces: its AR (pooled or per series), gate, recursion.

With a pooled AR the global :class:`SequenceForecaster` carries the AR
itself (``ARNested``). With an AR per series (``pooled_ar=False``) the
forecaster is the network alone (``ar_order=None``), trained on what each
series' own AR leaves; the forecast is then

    AR_i(window) + gate * network(window)

and is run forward here. ``ar`` below is None for a pooled AR, else a dict
series id -> (order, intercept, coef) of
:func:`~econnn.timeseries._linear.fit_autoregression`.
"""

import numpy as np

from ._linear import ar_design, fit_autoregression, shrunk_gate

__all__ = ["sliding", "fit_local_ar", "predict_ar", "gate", "run"]


def sliding(z, lags, horizon):
    """Windows (n, lags) and targets (n, horizon) of one series."""
    n = len(z) - lags - horizon + 1
    view = np.lib.stride_tricks.sliding_window_view
    return view(z, lags)[:n], view(z[lags:], horizon)[:n]


def fit_local_ar(parts, order):
    """An AR per series on its windows (``parts``: id -> (X, Y)).

    The order is chosen by AIC per series (``order='auto'``) or fixed.
    """
    out = {}
    for key, (X, Y) in parts.items():
        X = X[:, :, None]
        found, intercept, coef = fit_autoregression(
            X, Y, np.ones(len(X)), order)
        out[key] = (found, intercept, coef)
    return out


def predict_ar(ar, owners, X):
    """Each window's own AR forecast; ``owners`` gives each row's series."""
    horizon = len(next(iter(ar.values()))[1])
    out = np.empty((len(X), horizon))
    for key, (order, intercept, coef) in ar.items():
        rows = owners == key
        if rows.any():
            out[rows] = intercept + ar_design(X[rows], order) @ coef
    return out


def _network(model, X):
    return model._linear_predictor(X).cpu().numpy()


def gate(model, ar, owners, X, Y):
    """Weight of the network's addition, from pooled held-out windows.

    The one-step rule of :meth:`SequenceForecaster.fit`: the least-squares
    weight shrunk by its t statistic and clipped to [0, 1]
    (:func:`._linear.shrunk_gate`). One gate serves every step of the
    panel's recursion (no per-step gates here).
    """
    if ar is None:
        if model.ar_order_ is None:
            return 1.0
        base, addition = model._components(X)
    else:
        base, addition = predict_ar(ar, owners, X), _network(model, X)
    r = np.ravel(Y - base)
    return shrunk_gate(r, np.ravel(addition), slice(None), 1.0)


def run(model, ar, weight, owners, windows, n_blocks, shock=None):
    """Forecast ``n_blocks`` blocks of ``n_outputs_`` periods recursively.

    As :meth:`SequenceForecaster._recurse` (which it calls for a pooled
    AR), for univariate standardised windows (n, lags, 1).
    """
    if ar is None:
        return model._recurse(windows, None, n_blocks, shock)
    lags, blocks = windows.shape[1], []
    for b in range(n_blocks):
        block = predict_ar(ar, owners, windows)
        if weight > 0:
            block = block + weight * _network(model, windows)
        if shock is not None:
            block = block + shock()
        blocks.append(block)
        if b == n_blocks - 1:
            break
        windows = np.concatenate([windows, block[:, :, None]],
                                 axis=1)[:, -lags:]
    return np.concatenate(blocks, axis=1)
