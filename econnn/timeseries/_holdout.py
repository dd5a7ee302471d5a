"""The holdout: a first fit of a forecaster, tested on its latest windows.

Before its final fit :class:`SequenceForecaster` is fitted without the
most recent ``holdout_fraction`` of the windows and run on them, directly
and then recursively along the series. The held-out errors decide how much
of the network to keep at each recursive step (the gates, by
:func:`._linear.shrunk_gate`) and calibrate the prediction intervals
(:class:`._linear.ErrorScales`). :class:`PanelForecaster` runs the same
recursion per series and shares the constants and the covariate rule here.
"""

import math

import numpy as np
from sklearn.base import clone

from ._linear import shrunk_gate, window_series

__all__ = ["MIN_HOLDOUT", "MIN_TRAIN", "MAX_HOLDOUT_HORIZON",
           "MIN_GATE_ERRORS", "n_held_out", "hold_out", "recursive_errors",
           "readable_covariates"]

#: The holdout is skipped below these many held-out / remaining windows.
MIN_HOLDOUT = 10
MIN_TRAIN = 20
#: Held-out forecast errors are measured up to this many steps ahead.
MAX_HOLDOUT_HORIZON = 24
#: A recursive step's gate is estimated from at least this many held-out
#: errors; later steps keep the last estimated one.
MIN_GATE_ERRORS = 10


def n_held_out(n, fraction):
    """Windows held out of ``n`` (0 when too few for a holdout)."""
    n_hold = int(round(fraction * n))
    if fraction > 0 and n_hold >= MIN_HOLDOUT and n - n_hold >= MIN_TRAIN:
        return n_hold
    return 0


def hold_out(forecaster, X, Y, w, n_train, decision):
    """Fit a clone of ``forecaster`` on the first ``n_train`` windows and
    test it on the rest.

    Returns the gates and the held-out forecast errors of the gated model
    per horizon: direct and then recursive along the series when the
    windows are consecutive, direct only otherwise.

    The gate of the first step is the least-squares weight of the network's
    addition on the held-out one-step errors, shrunk by its t statistic and
    clipped to [0, 1] (:func:`._linear.shrunk_gate`). With consecutive
    windows each later step of the recursion gets its own weight, estimated
    the same way on that step's held-out errors (given the earlier steps'
    gated forecasts) and never larger than the step before: feeding a
    nonlinear model its own point forecasts does not give its conditional
    mean, so a network that helps one step ahead can hurt through the
    recursion, and then its share shrinks with the horizon.

    Parameters
    ----------
    forecaster : SequenceForecaster
        The forecaster being fitted (its ``_y_1d`` set).
    X : ndarray of shape (n, n_timesteps, n_variables)
    Y : ndarray of shape (n, n_outputs)
    w : ndarray of shape (n,)
    n_train : int
    decision : dict
        The stationarity and AR decisions, handed to the clone.

    Returns
    -------
    gates : list of float
    errors : ndarray of shape (n - n_train, n_steps)
    """
    model = clone(forecaster).set_params(holdout_fraction=0.0)
    model._handed_down = decision
    model.fit(X[:n_train], Y[:n_train, 0] if forecaster._y_1d else
              Y[:n_train], sample_weight=w[:n_train])
    Xh, Yh = X[n_train:], Y[n_train:]
    series = window_series(X, Y)
    keep = w[n_train:] > 0
    if series is None:
        # windows from several series: direct forecasts only
        gate = 1.0
        if model.ar_order_ is not None:
            base, addition = model._components(Xh)
            gate = shrunk_gate(Yh - base, addition, keep, 1.0)
            model._set_gate(gate)
        return [gate], Yh - model.predict(Xh).reshape(Yh.shape)
    return recursive_errors(model, Xh, series, n_train, keep)


def recursive_errors(model, Xh, series, n_train, keep):
    """Step gates and held-out errors (origins x horizons) of the recursion
    along the series from every held-out window."""
    n_timesteps, horizon = Xh.shape[1], model.n_outputs_
    steps = max(horizon, min(len(Xh), MAX_HOLDOUT_HORIZON))
    n_blocks = math.ceil(steps / horizon)
    # row of the series holding each held-out window's last observation
    last = np.arange(n_train, n_train + len(Xh)) + n_timesteps - 1
    future = last[:, None] + np.arange(1, n_blocks * horizon + 1)
    inside = future < len(series)
    rows = series[np.where(inside, future, 0)]
    rows[~inside] = np.nan
    exog = None
    valid = np.ones(rows.shape[:2], dtype=bool)
    if Xh.shape[2] > 1:
        valid, exog = readable_covariates(rows[:, :, 1:], horizon)
    actual = np.where(valid, rows[:, :, 0], np.nan)
    windows = Xh.astype(np.float64)
    gates, blocks, gate = [], [], 1.0
    for b in range(n_blocks):
        cols = slice(b * horizon, (b + 1) * horizon)
        if model.ar_order_ is None:
            block = model._linear_predictor(windows).cpu().numpy()
        else:
            base, addition = model._components(windows)
            target = actual[:, cols]
            usable = keep[:, None] & np.isfinite(target)
            if usable.sum() >= MIN_GATE_ERRORS:
                gate = shrunk_gate(
                    np.where(usable, target - base, 0.0),
                    np.where(usable, addition, 0.0), usable, gate)
            gates.append(gate)
            block = base + gate * addition
        blocks.append(block)
        windows = model._advance(windows, block, exog, b)
    errors = (actual - np.concatenate(blocks, axis=1))[:, :steps]
    return gates or [1.0], errors


def readable_covariates(exog, horizon):
    """Which forecasts of a held-out recursion read only known covariates.

    After a series ends its covariates are unknown (NaN, which the network
    refuses): the recursion runs on zeros there, and every forecast that
    read one is dropped. A recursion in blocks of ``horizon`` steps has
    block k read the rows of blocks 0..k-1.

    Parameters
    ----------
    exog : ndarray of shape (n_origins, n_periods, n_covariates)
        The covariates' realised values after each origin, NaN where the
        series has ended.
    horizon : int

    Returns
    -------
    valid : ndarray of bool, shape (n_origins, n_periods)
        Whether the forecast of each period read known rows only.
    exog : ndarray
        ``exog`` with the unknown values set to 0.
    """
    known = np.logical_and.accumulate(np.isfinite(exog).all(axis=2), axis=1)
    read = (np.arange(exog.shape[1]) // horizon) * horizon
    valid = np.ones(exog.shape[:2], dtype=bool)
    valid[:, read > 0] = known[:, read[read > 0] - 1]
    return valid, np.where(np.isfinite(exog), exog, 0.0)
