"""Forecasting from a history: the recursion of a fitted forecaster.

:class:`RecursiveForecasting` holds what :class:`SequenceForecaster` does
after ``fit``: ``forecast`` and ``simulate`` from the end of a series, the
last window and the future covariate rows they start from, and the
recursion that feeds each forecast block back into the windows (also used
by ``impulse_response`` and ``scenario``). It reads the fitted forecaster's
``n_timesteps_``, ``n_outputs_``, ``n_variables_``, ``known_future``,
gates, ``error_scales_``/``residuals_`` and ``_linear_predictor``.
"""

import math

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._windows import (_check_count, _check_levels, _future_index,
                       arrange_series, check_exog_future, lead_known_future)

__all__ = ["RecursiveForecasting", "check_n_paths", "forecast_frame"]


def _forecast_request(steps, n_paths, method, level, quantiles):
    """Validated ``forecast`` arguments, and the probabilities asked for:
    ``(steps, n_paths, levels, quantiles, probs)``, ``probs`` holding each
    level's lower and upper tail and then the quantiles."""
    steps = _check_count(steps, "steps")
    n_paths = _check_count(n_paths, "n_paths")
    if method not in ("conformal", "paths"):
        raise ValueError("method must be 'conformal' or 'paths'; got "
                         f"{method!r}.")
    levels = [] if level is None else list(_check_levels(level))
    qs = [] if quantiles is None else list(
        _check_levels(quantiles, "quantiles"))
    probs = np.array([p for lev in levels
                      for p in ((1 - lev) / 2, (1 + lev) / 2)] + qs)
    return steps, n_paths, levels, qs, probs


def check_n_paths(n_paths, probs):
    """Refuse too few simulated paths for the most extreme tail
    probability in ``probs``: at least ``10 / p`` are needed."""
    tail = float(np.min(np.minimum(probs, 1 - probs)))
    needed = math.ceil(10 / tail)
    if n_paths < needed:
        raise ValueError(
            f"n_paths={n_paths} is too few simulated paths to estimate the "
            f"{tail:.3g} quantile; use at least {needed}.")


def forecast_frame(point, values, levels, quantiles, index):
    """The point forecast and its bands as :meth:`SequenceForecaster.forecast`
    returns them: ``values`` holds, per period, each level's lower and upper
    bound and then the quantiles (the order of :func:`_forecast_request`'s
    ``probs``)."""
    out = {"forecast": point}
    for i, lev in enumerate(levels):
        out[f"lower_{lev:g}"] = values[:, 2 * i]
        out[f"upper_{lev:g}"] = values[:, 2 * i + 1]
    for j, q in enumerate(quantiles):
        out[f"q{q:g}"] = values[:, 2 * len(levels) + j]
    return pd.DataFrame(out, index=index).rename_axis(index.name)


class RecursiveForecasting:
    """Mixin: ``forecast``, ``simulate`` and the recursion behind them."""

    def forecast(self, history, steps, exog_future=None, level=None,
                 quantiles=None, method="conformal", n_paths=1000,
                 target=None):
        """Forecast the periods after the end of a series, with intervals.

        The first ``n_outputs_`` periods come directly from the last window
        of ``history``; later ones recursively, feeding forecasts back in
        as if observed.

        Parameters
        ----------
        history : pandas.Series or pandas.DataFrame
            The series up to the forecast origin, indexed by a PeriodIndex or
            a DatetimeIndex with a frequency, with at least
            ``n_timesteps_`` rows; laid out as for :func:`make_windows`.
            When the windows came from :func:`make_windows`, its columns
            (target first) and frequency must be those of the series they
            were cut from.
        steps : int
            Number of periods to forecast.
        exog_future : pandas.DataFrame or None, default=None
            Future values of the covariates (history's other columns, and
            no other), one row per future period in order (a time index,
            if it has one, must run from the period after history's end);
            needed when a multivariate model forecasts beyond its horizon
            ``n_outputs_``.
        level : float or sequence of float or None, default=None
            Coverage of central prediction intervals, e.g. 0.9 or
            (0.5, 0.8, 0.95) for a fan chart.
        quantiles : float or sequence of float or None, default=None
            Forecast quantiles, e.g. (0.1, 0.5, 0.9); 0.5 is the median.
        method : {'conformal', 'paths'}, default='conformal'
            How intervals and quantiles are computed. 'conformal': the point
            forecast plus the held-out h-step error scale
            (``error_scales_``) times quantiles of the pooled standardised
            held-out errors (split-conformal, per horizon). 'paths':
            quantiles of ``n_paths`` simulated paths (:meth:`simulate`).
            Without held-out errors (``holdout_fraction=0`` or a short
            sample) 'conformal' falls back to 'paths' on in-sample
            residuals, which understate out-of-sample errors.
        n_paths : int, default=1000
            Number of simulated paths for ``method='paths'``; at least
            ``10 / p`` for the most extreme tail probability ``p`` asked
            for (400 for a 95% interval).
        target : str or None, default=None
            Column of a DataFrame history to forecast; None means the first.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            Indexed by the ``steps`` future periods. Without ``level`` and
            ``quantiles`` a Series of point forecasts; otherwise a DataFrame
            with column ``'forecast'``, columns ``'lower_<level>'`` and
            ``'upper_<level>'`` for each level and ``'q<quantile>'`` for
            each quantile.
        """
        check_is_fitted(self)
        steps, n_paths, levels, qs, probs = _forecast_request(
            steps, n_paths, method, level, quantiles)
        window, exog, index, name, n_blocks = self._origin(
            history, steps, exog_future, target)
        point = self._recurse(window[None], exog, n_blocks,
                              gates=self.step_gates_)[0, :steps]
        if not levels and not qs:
            return pd.Series(point, index=index, name=name)
        if method == "conformal" and self.error_scales_ is not None:
            values = self.error_scales_.bands(point, probs)
        else:
            check_n_paths(n_paths, probs)
            paths = self._paths(window, exog, n_blocks, n_paths)[:, :steps]
            values = np.quantile(paths, probs, axis=0).T
        return forecast_frame(point, values, levels, qs, index)

    def simulate(self, history, steps, n_paths=1000, exog_future=None,
                 target=None):
        """Simulated future paths of the target.

        Each path runs the model forward from the end of ``history``,
        adding at every step a shock resampled from the held-out one-step
        errors (standardised, times the one-step error scale), or from the
        in-sample residuals without a holdout; the shocked value is fed
        back into the window, so uncertainty accumulates through the
        model's own dynamics. All paths are run together, as one batch.

        Parameters
        ----------
        history, steps, exog_future, target
            As for :meth:`forecast`.
        n_paths : int, default=1000
            Number of paths.

        Returns
        -------
        paths : pandas.DataFrame of shape (steps, n_paths)
            One column per path, indexed by the future periods.
        """
        check_is_fitted(self)
        steps = _check_count(steps, "steps")
        n_paths = _check_count(n_paths, "n_paths")
        window, exog, index, _, n_blocks = self._origin(
            history, steps, exog_future, target)
        paths = self._paths(window, exog, n_blocks, n_paths)[:, :steps]
        return pd.DataFrame(paths.T, index=index).rename_axis(index.name)

    def _origin(self, history, steps, exog_future, target):
        """Last window, future covariates, future index and target name."""
        frame = arrange_series(history, target, name="history")
        if frame.shape[1] != self.n_variables_:
            raise ValueError(
                f"history has {frame.shape[1]} variable(s), but "
                f"{type(self).__name__} was fitted with {self.n_variables_}.")
        self._check_history(frame)
        if len(frame) < self.n_timesteps_:
            raise ValueError(
                f"history has {len(frame)} periods, fewer than the "
                f"n_timesteps_={self.n_timesteps_} of a window.")
        index = _future_index(frame.index, steps)
        n_blocks = math.ceil(steps / self.n_outputs_)
        table = self._future_table(frame, exog_future, n_blocks)
        n = len(frame)
        window = table[n - self.n_timesteps_:n]
        exog = table[n:, 1:] if len(table) > n else None
        return window, exog, index, frame.columns[0], n_blocks

    def _future_table(self, frame, exog_future, n_blocks):
        """History and the future covariate rows, known-future columns led.

        Rows after the history hold the covariates of the periods forecast
        (``(n_blocks - 1) * n_outputs_`` of them, appended between forecast
        blocks); known-future columns are read ``n_outputs_`` periods ahead,
        so they need that many more future values.
        """
        horizon = self.n_outputs_
        known = list(self.known_future or ())
        needed = (n_blocks - 1) * horizon
        covariates = list(frame.columns[1:])
        if exog_future is not None:
            exog_future = check_exog_future(exog_future, frame)
        if not covariates:
            return frame.to_numpy(dtype=np.float64)
        rows = {c: needed + (horizon if c in known else 0)
                for c in covariates}
        if max(rows.values()) > 0:
            if exog_future is None:
                raise ValueError(
                    f"Forecasting {needed + horizon} period(s) with these "
                    "covariates needs their future values: pass exog_future "
                    f"with columns {[c for c in covariates if rows[c]]} and "
                    f"at least {max(rows.values())} rows.")
            missing = [c for c in covariates
                       if rows[c] and c not in exog_future.columns]
            if missing:
                raise ValueError("exog_future lacks the covariate column(s) "
                                 f"{missing}.")
            short = [c for c in covariates if rows[c] > len(exog_future)]
            if short:
                raise ValueError(
                    f"exog_future has {len(exog_future)} rows; column(s) "
                    f"{short} need at least {max(rows.values())}.")
            future = pd.DataFrame(np.nan, index=range(max(rows.values())),
                                  columns=covariates)
            for c in covariates:
                values = exog_future[c].to_numpy(dtype=np.float64)[:rows[c]]
                if not np.isfinite(values).all():
                    raise ValueError("exog_future contains NaN or infinite "
                                     "values.")
                future.iloc[:rows[c], covariates.index(c)] = values
        else:
            future = pd.DataFrame(columns=covariates, dtype=np.float64)
        future.insert(0, frame.columns[0], np.nan)
        table = pd.concat([frame.reset_index(drop=True).astype(np.float64),
                           future], ignore_index=True)
        table = lead_known_future(table, known, horizon)
        return table.to_numpy(dtype=np.float64)[:len(frame) + needed]

    def _paths(self, window, exog, n_blocks, n_paths):
        rng = check_random_state(self.random_state)
        scales = self.error_scales_
        if scales is not None:
            size = scales.scale[0]

            def shock():
                return size * scales.draw(rng, (n_paths, self.n_outputs_))
        else:
            residuals = self.residuals_

            def shock():
                return residuals[rng.randint(len(residuals), size=n_paths)]

        return self._recurse(np.repeat(window[None], n_paths, axis=0),
                             exog, n_blocks, shock)

    def _recurse(self, windows, exog, n_blocks, shock=None, gates=None):
        """Run the network forward ``n_blocks`` times from ``windows``.

        Each block forecasts ``n_outputs_`` periods (plus a shock from
        ``shock()``); they are appended to the windows, with the
        covariates' future rows (``exog`` of shape (periods, n_variables -
        1), or one such array per window), to forecast the next block.
        ``gates`` weighs the network's addition per block (the last one
        for later blocks); None keeps ``gate_`` throughout.
        """
        if gates is not None and len(gates) > 1:
            try:
                return self._recurse_blocks(windows, exog, n_blocks, shock,
                                            gates)
            finally:
                self._fill_gate(self.gate_)
        return self._recurse_blocks(windows, exog, n_blocks, shock, None)

    def _recurse_blocks(self, windows, exog, n_blocks, shock, gates):
        blocks = []
        for b in range(n_blocks):
            if gates is not None:
                self._fill_gate(gates[min(b, len(gates) - 1)])
            block = self._linear_predictor(windows).cpu().numpy()
            if shock is not None:
                block = block + shock()
            blocks.append(block)
            if b < n_blocks - 1:
                windows = self._advance(windows, block, exog, b)
        return np.concatenate(blocks, axis=1)

    def _advance(self, windows, block, exog, b):
        """The windows after block ``b``: its forecasts appended (with the
        covariates' rows for those periods), the oldest rows dropped."""
        horizon = self.n_outputs_
        new = np.empty((len(windows), horizon, self.n_variables_),
                       dtype=windows.dtype)
        new[:, :, 0] = block
        if exog is not None:
            new[:, :, 1:] = exog[..., b * horizon:(b + 1) * horizon, :]
        return np.concatenate([windows, new], axis=1)[:, -self.n_timesteps_:]
