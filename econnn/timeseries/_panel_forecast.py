"""What a fitted PanelForecaster does with a panel: forecast and simulate.

:class:`PanelForecasting` holds :class:`PanelForecaster`'s methods after
``fit``, as :class:`._recursion.RecursiveForecasting` holds
:class:`SequenceForecaster`'s: the origins of every series (new series
decided and standardised on their own history), the global models run
forward per group (levels or changes), conformal bands or simulated
paths, and the way back to each series' units. It reads the fitted
panel's ``series_``, ``covariates_``, ``variables_``, ``ids_``,
``forecasters_``, ``step_gates_``, ``error_scales_``, ``n_timesteps_``,
``n_outputs_`` and the private state that ``fit`` leaves.
"""

import math

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._panel_data import (arrange_variables, decide_series,
                          future_covariates, scale_covariates, split_panel,
                          standardise)
from ._panel_model import run
from ._recursion import _forecast_request, check_n_paths
from ._windows import _check_count, _future_index

__all__ = ["PanelForecasting", "GROUPS"]

#: Keys of ``error_scales_``: the series modelled in levels or in changes.
GROUPS = {False: "levels", True: "changes"}


class PanelForecasting:
    """Mixin: forecasting from a fitted :class:`PanelForecaster`."""

    def _origins(self, X, ids, steps, exog_future):
        """Validated series to forecast, their standardised last windows
        and the covariates' standardised future rows (or None)."""
        check_is_fitted(self)
        series, _ = split_panel(X, self.id_column, name="X")
        series = arrange_variables(series, variables=self.variables_,
                                   name="X")
        freq = next(iter(series.values())).index.freqstr
        if freq != self._freq:
            raise ValueError(f"X has frequency {freq!r}, but "
                             f"{type(self).__name__} was fitted on "
                             f"{self._freq!r}.")
        if ids is None:
            keys = list(series)
        else:
            keys = list(pd.Index(np.atleast_1d(np.asarray(ids, dtype=object))
                                 ).unique())
            absent = [k for k in keys if k not in series]
            if absent:
                raise ValueError(f"ids {absent} are not series of X.")
        table, covariates = self._new_series(
            [k for k in keys if k not in self.ids_], series)
        n_blocks = math.ceil(steps / self.n_outputs_)
        needed = (n_blocks - 1) * self.n_outputs_
        futures = self._future_covariates(exog_future, series, keys, steps)
        windows, exogs = {}, {}
        for key in keys:
            row = table.loc[key]
            n = len(series[key]) - int(row["difference"])
            if n < self.n_timesteps_:
                raise ValueError(
                    f"series {key!r} of X has {len(series[key])} periods, "
                    f"fewer than the {self.n_timesteps_ + row['difference']}"
                    " needed for one window.")
            frame = series[key] if futures is None else pd.concat(
                [series[key], futures[key]])
            z = standardise(frame, row, None if covariates is None
                            else covariates.loc[key], self._known,
                            self.n_outputs_)
            windows[key] = z[n - self.n_timesteps_:n]
            exogs[key] = z[n:n + needed, 1:]
        if len(self.variables_) == 1 or not needed:
            exogs = None
        return series, keys, windows, exogs, table.loc[keys]

    def _future_covariates(self, exog_future, series, keys, steps):
        return future_covariates(
            exog_future, series, keys, steps, variables=self.variables_,
            known=self._known, horizon=self.n_outputs_, freq=self._freq,
            id_column=self.id_column, owner=type(self).__name__)

    def _new_series(self, unknown, series):
        """The fitted tables (series, covariate scaling), plus decisions for
        series not seen in fit.

        A global model forecasts a new series from its own history: its
        levels/changes decision and its standardisation (of the target and
        of each covariate) are made on that history, as they were for the
        others at fit.
        """
        if not unknown:
            return self.series_, self.covariates_
        if not self.pooled_ar:
            raise ValueError(
                f"series {unknown} were not in the panel the model was "
                "fitted on, and with pooled_ar=False every series needs its "
                "own AR, estimated at fit. Refit with them, or forecast the "
                "others (ids=...).")
        new = decide_series({k: series[k] for k in unknown},
                            self._forecaster().difference)
        missing = [k for k in unknown if GROUPS[bool(
            new.loc[k, "difference"])] not in self.forecasters_]
        if missing:
            raise ValueError(
                f"series {missing} would be modelled in "
                f"{GROUPS[bool(new.loc[missing[0], 'difference'])]}, but "
                "no series of the fitted panel was; refit with them.")
        covariates = self.covariates_
        if covariates is not None:
            covariates = pd.concat([covariates, scale_covariates(
                {k: series[k] for k in unknown}, new)])
        return pd.concat([self.series_, new]), covariates

    def _by_group(self, table):
        """Group name -> positions in ``table`` (one row per key)."""
        flags = table["difference"].to_numpy(dtype=bool)
        return {GROUPS[f]: np.flatnonzero(flags == f)
                for f in (False, True) if (flags == f).any()}

    def _to_levels(self, z, keys, series, table):
        """Standardised forecasts (n_series, ..., steps) in series' units."""
        rows = table.loc[keys]
        shape = (len(keys),) + (1,) * (z.ndim - 1)
        loc = rows["location"].to_numpy(dtype=np.float64).reshape(shape)
        scale = rows["scale"].to_numpy(dtype=np.float64).reshape(shape)
        values = loc + scale * z
        for i, key in enumerate(keys):
            if rows.loc[key, "difference"]:
                last = series[key].iloc[-1, 0]
                values[i] = last + np.cumsum(values[i], axis=-1)
        return values

    def _index(self, series, keys, steps):
        future = [_future_index(series[k].index, steps) for k in keys]
        periods = future[0].append(future[1:]) if len(future) > 1 \
            else future[0]
        return pd.MultiIndex.from_arrays(
            [np.repeat(np.asarray(keys, dtype=object), steps), periods],
            names=list(self._names))

    def forecast(self, X, steps, exog_future=None, ids=None, level=None,
                 quantiles=None, method="conformal", n_paths=1000):
        """Forecast the periods after the end of every series.

        Parameters
        ----------
        X : pandas.Series or pandas.DataFrame
            The panel up to the forecast origins, laid out as for
            :meth:`fit` (the training panel, or one extended with newer
            periods); each series is forecast from its own last period.
            Series not in the fitted panel are decided (levels or changes)
            and standardised on their own history, then forecast by the
            global model (not with ``pooled_ar=False``, where every series
            needs its own AR).
        steps : int
            Number of periods to forecast for each series.
        exog_future : pandas.DataFrame or None, default=None
            Future values of the covariates, in long format and laid out
            as ``X`` (indexed by (id, period), or by period with the ids in
            ``id_column``), one column per covariate, for every series
            forecast, starting at the period after that series' end in
            ``X``. Known-future covariates (the forecaster's
            ``known_future``) are needed for every forecast period; the
            others only beyond the first ``horizon`` periods (they are not
            forecast: a multi-step forecast is conditional on their given
            path). Rows beyond those needed are ignored.
        ids : sequence or None, default=None
            Series to forecast; None: every series of ``X``.
        level, quantiles, method, n_paths
            As for :meth:`SequenceForecaster.forecast`; conformal bands
            use the held-out errors of the series' group (levels or
            changes) times the series' own scale.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            Long format, indexed by (id, period): a Series of point
            forecasts, or with ``level``/``quantiles`` a DataFrame with
            columns ``'forecast'``, ``'lower_<level>'``, ``'upper_<level>'``
            and ``'q<quantile>'``, in each series' units.
        """
        check_is_fitted(self)
        steps, n_paths, levels, qs, probs = _forecast_request(
            steps, n_paths, method, level, quantiles)
        series, keys, windows, exogs, table = self._origins(
            X, ids, steps, exog_future)
        point = np.empty((len(keys), steps))
        values = np.empty((len(keys), steps, len(probs)))
        for group, rows in self._by_group(table).items():
            sub = [keys[i] for i in rows]
            z = self._run(group, sub, np.asarray([windows[k] for k in sub]),
                          math.ceil(steps / self.n_outputs_),
                          exog=_stack(exogs, sub))
            point[rows] = self._to_levels(z[:, :steps], sub, series, table)
            if not len(probs):
                continue
            scales = self.error_scales_.get(group)
            if method == "conformal" and scales is not None:
                size = table.loc[sub, "scale"].to_numpy()
                values[rows] = point[rows][:, :, None] + \
                    size[:, None, None] * np.outer(scales.scales(steps),
                                                   scales.quantiles(probs))
                continue
            check_n_paths(n_paths, probs)
            paths = self._paths(group, series, sub, windows, exogs, steps,
                                n_paths, table)
            values[rows] = np.moveaxis(np.quantile(paths, probs, axis=1),
                                       0, -1)
        index = self._index(series, keys, steps)
        if not len(probs):
            return pd.Series(point.ravel(), index=index,
                             name=self._value_name)
        out = {"forecast": point.ravel()}
        values = values.reshape(-1, len(probs))
        for i, lev in enumerate(levels):
            out[f"lower_{lev:g}"] = values[:, 2 * i]
            out[f"upper_{lev:g}"] = values[:, 2 * i + 1]
        for j, q in enumerate(qs):
            out[f"q{q:g}"] = values[:, 2 * len(levels) + j]
        return pd.DataFrame(out, index=index)

    def simulate(self, X, steps, n_paths=1000, exog_future=None, ids=None):
        """Simulated future paths of every series.

        Each path runs the global model forward from the end of a series,
        adding at every step a held-out one-step error of the series'
        group (standardised; in-sample residuals without a holdout), and
        is mapped back to the series' units. Covariates follow the path
        given in ``exog_future``; they are not simulated.

        Parameters
        ----------
        X, steps, exog_future, ids
            As for :meth:`forecast`.
        n_paths : int, default=1000
            Number of paths per series.

        Returns
        -------
        paths : pandas.DataFrame of shape (n_series * steps, n_paths)
            Indexed by (id, period), one column per path.
        """
        check_is_fitted(self)
        steps = _check_count(steps, "steps")
        n_paths = _check_count(n_paths, "n_paths")
        series, keys, windows, exogs, table = self._origins(
            X, ids, steps, exog_future)
        paths = np.empty((len(keys), n_paths, steps))
        for group, rows in self._by_group(table).items():
            paths[rows] = self._paths(group, series, [keys[i] for i in rows],
                                      windows, exogs, steps, n_paths, table)
        return pd.DataFrame(paths.transpose(0, 2, 1).reshape(-1, n_paths),
                            index=self._index(series, keys, steps))

    def _run(self, group, owners, windows, n_blocks, shock=None, exog=None):
        """The group's model run forward from standardised windows."""
        owners = np.asarray(owners, dtype=object)
        ar = {k: self._ar[k] for k in set(owners)} if self._ar else None
        return run(self.forecasters_[group], ar, self.step_gates_[group],
                   owners, windows, n_blocks, shock, exog)

    def _paths(self, group, series, keys, windows, exogs, steps, n_paths,
               table):
        """Simulated paths of one group's series, (n, n_paths, steps)."""
        model = self.forecasters_[group]
        rng = check_random_state(model.random_state)
        horizon = self.n_outputs_
        n = len(keys) * n_paths
        scales = self.error_scales_.get(group)
        if scales is not None:
            def shock():
                return scales.scale[0] * scales.draw(rng, (n, horizon))
        else:
            residuals = self._residuals[group]

            def shock():
                return residuals[rng.randint(len(residuals), size=n)]

        start = np.repeat(np.asarray([windows[k] for k in keys]), n_paths,
                          axis=0)
        exog = _stack(exogs, keys)
        if exog is not None:
            exog = np.repeat(exog, n_paths, axis=0)
        z = self._run(group, np.repeat(np.asarray(keys, dtype=object),
                                       n_paths), start,
                      math.ceil(steps / horizon), shock, exog)[:, :steps]
        return self._to_levels(z.reshape(len(keys), n_paths, steps), keys,
                               series, table)


def _stack(exogs, keys):
    """The covariates' future rows of ``keys``, (n, periods, n_cov), or
    None."""
    return None if exogs is None else np.asarray([exogs[k] for k in keys])
