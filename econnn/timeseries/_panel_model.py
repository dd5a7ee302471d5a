"""The global model's pieces: its AR (pooled or per series), gates, recursion.

With a pooled AR the global :class:`SequenceForecaster` carries the AR
itself (``ARNested``). With an AR per series (``pooled_ar=False``) the
forecaster is the network alone (``ar_order=None``), trained on what each
series' own AR leaves; the forecast is then

    AR_i(window) + gate_h * network(window)

and is run forward here. ``ar`` below is None for a pooled AR, else a dict
series id -> (order, intercept, coef) of
:func:`~econnn.timeseries._linear.fit_autoregression`.
"""

import numpy as np

from ._linear import ar_design, fit_autoregression, shrunk_gate

__all__ = ["sliding", "fit_local_ar", "predict_ar", "gated_run", "run"]


def sliding(z, lags, horizon):
    """Windows (n, lags, n_variables) and targets (n, horizon) of one
    series ``z`` (n_periods, n_variables), target in column 0."""
    n = len(z) - lags - horizon + 1
    view = np.lib.stride_tricks.sliding_window_view
    return (view(z, lags, axis=0)[:n].transpose(0, 2, 1),
            view(z[lags:, 0], horizon)[:n])


def fit_local_ar(parts, order):
    """An AR per series on its windows (``parts``: id -> (X, Y)).

    The order is chosen by AIC per series (``order='auto'``) or fixed.
    """
    out = {}
    for key, (X, Y) in parts.items():
        found, intercept, coef, _ = fit_autoregression(
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


def _components(model, ar, owners, windows):
    """The linear forecast and the network's addition to it."""
    if ar is None:
        return model._components(windows)
    return predict_ar(ar, owners, windows), _network(model, windows)


def gated_run(model, ar, owners, windows, actual, n_blocks, min_errors,
              exog=None):
    """Step gates estimated along a held-out recursion, and its forecasts.

    The rule of :meth:`SequenceForecaster.fit` on pooled held-out windows:
    the gate of each recursive step is the least-squares weight of the
    network's addition on that step's held-out errors (given the earlier
    steps' gated forecasts), shrunk by its t statistic
    (:func:`._linear.shrunk_gate`) and never larger than the step before.
    ``actual`` (n, n_blocks * horizon) holds the realised values, NaN
    where the series has ended; a step with fewer than ``min_errors`` of
    them keeps the previous gate. ``exog`` (n, n_blocks * horizon,
    n_variables - 1) holds the covariates' rows appended after each block.
    """
    if ar is None and model.ar_order_ is None:
        return [1.0], model._recurse(windows, exog, n_blocks)
    horizon = model.n_outputs_
    gates, blocks, gate = [], [], 1.0
    for b in range(n_blocks):
        base, addition = _components(model, ar, owners, windows)
        target = actual[:, b * horizon:(b + 1) * horizon]
        usable = np.isfinite(target)
        if usable.sum() >= min_errors:
            gate = shrunk_gate(np.where(usable, target - base, 0.0),
                               np.where(usable, addition, 0.0), usable, gate)
        gates.append(gate)
        blocks.append(base + gate * addition)
        windows = model._advance(windows, blocks[-1], exog, b)
    return gates, np.concatenate(blocks, axis=1)


def run(model, ar, gates, owners, windows, n_blocks, shock=None, exog=None):
    """Forecast ``n_blocks`` blocks of ``n_outputs_`` periods recursively.

    ``gates`` weighs the network's addition per block (the last one for
    later blocks). As :meth:`SequenceForecaster._recurse` (which it calls
    for a pooled AR), for standardised windows (n, lags, n_variables) and
    the covariates' future rows ``exog`` (n, periods, n_variables - 1).
    """
    gates = np.atleast_1d(np.asarray(gates, dtype=np.float64))
    if ar is None:
        return model._recurse(windows, exog, n_blocks, shock, gates=gates)
    blocks = []
    for b in range(n_blocks):
        weight = gates[min(b, len(gates) - 1)]
        block = predict_ar(ar, owners, windows)
        if weight > 0:
            block = block + weight * _network(model, windows)
        if shock is not None:
            block = block + shock()
        blocks.append(block)
        if b == n_blocks - 1:
            break
        windows = model._advance(windows, block, exog, b)
    return np.concatenate(blocks, axis=1)
