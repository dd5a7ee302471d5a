"""PanelForecaster: one global forecasting model for many related series."""

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from .._declaration import estimator
from ._forecaster import SequenceForecaster
from ._holdout import (MAX_HOLDOUT_HORIZON, MIN_GATE_ERRORS, MIN_HOLDOUT,
                       MIN_TRAIN, readable_covariates)
from ._linear import ErrorScales
from ._panel_data import (arrange_variables, decide_series,
                          scale_covariates, split_panel, standardise)
from ._panel_forecast import GROUPS, PanelForecasting
from ._panel_model import fit_local_ar, gated_run, run, sliding
from ._panel_state import panel_state, restore_panel_state
from ._parameters import PANEL
from ._windows import auto_lags

__all__ = ["PanelForecaster"]


@estimator(PANEL)
class PanelForecaster(PanelForecasting, BaseEstimator):
    """One forecasting model trained across many related series.

    A global model for a panel in long format (firms, regions, countries,
    products): every series is made stationary and standardised on its own,
    then a single :class:`SequenceForecaster` -- a pooled autoregression
    plus a network trained on what it leaves, weighted by held-out
    windows -- is trained on the windows of all series, and every series
    is forecast from its own end, in its own units.

    Per series ``i``, with target ``y_i``:

    * **levels or changes**: ``z_i = y_i`` or ``z_i = diff(y_i)``, decided
      by the forecaster's ``difference`` ('auto': ADF and KPSS on that
      series, as for one series);
    * **scaling**: ``z_i`` is standardised by its own mean and standard
      deviation (a series in thousands and one in units are then alike;
      its mean change is its own drift);
    * **windows** are cut from each series alone, never across two.

    The standardised windows of all series are pooled: the AR (order by
    AIC) is a pooled AR on standardised data -- the linear model the
    series share -- and the network learns what it leaves; with
    ``pooled_ar=False`` each series has its own AR (order by AIC) and the
    network, still pooled, learns what they leave. Series modelled
    in levels and series modelled in changes are different objects (a
    standardised level, a standardised change), so when a panel has both,
    each kind gets its own global model (``forecasters_['levels']``,
    ``forecasters_['changes']``); usually there is one. The last
    ``holdout_fraction`` of each series' windows are held out (time order
    within every series): a first fit on the rest gives the network's
    weight at each recursive step (``step_gates_``; ``gate_`` one step
    ahead) and the out-of-sample errors behind the intervals,
    pooled over the series of the group, each standardised by its scale.

    **Covariates.** The panel's other columns (all but ``target``) are
    covariates, as in :func:`make_windows`: their values enter every
    window beside the target's. Those named in the forecaster's
    ``known_future`` (calendar, announced prices or policy, scenario paths)
    enter ``horizon`` periods ahead -- the last rows of a window hold their
    values in the periods forecast -- and :meth:`forecast` reads them from
    ``exog_future``, in long format like ``X``. The others are lagged
    covariates: one ``horizon`` ahead they are in the window; beyond it
    they are *not* forecast, and their path must be given in
    ``exog_future`` (the forecast is then conditional on it), as for
    :class:`SequenceForecaster`. Each covariate **follows its series'
    target**: differenced when the target is, then standardised by its
    own mean and standard deviation over that series (``covariates_``).
    The pooled linear part is then an ARX in one space per group,

        z_it = c + sum_k a_k z_i,t-k + sum_k b_k w_i,t-k (+ b_0 w_it),

    with ``z`` and ``w`` the standardised levels (or changes) of the target
    and the covariates: a panel ARX with fixed effects and common slopes
    (in standard deviations of the target per standard deviation of the
    covariate, so a series' forecasts do not depend on the units of any of
    its variables; in series i the slope on ``x`` is ``b s_i / s_xi``). In
    changes it is the ARX of the differenced equation -- the level relation
    ``y = b x + u`` with ``u`` integrated becomes ``dy = b dx + du``, as in
    statsmodels' ARIMA with regressors -- rather than a regression of a
    change on a level. With ``pooled_ar=False`` each series has its own
    ARX (order by AIC), which fits series whose slopes differ.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    forecasters_ : dict
        ``{'levels': SequenceForecaster, 'changes': SequenceForecaster}``
        for the groups present: each global model, fitted on the
        standardised windows of its series (its own ``difference_`` is
        False: differencing is done per series).
    series_ : pandas.DataFrame
        One row per series, indexed by id: ``n_periods``, ``difference``
        (whether it is modelled in changes), ``adf_pvalue`` and
        ``kpss_pvalue`` (None when not tested), ``location`` and ``scale``
        of the standardisation (of the changes when ``difference``),
        ``n_windows`` and ``n_held_out`` (its held-out windows), and with
        ``pooled_ar=False`` its ``ar_order``.
    ids_ : pandas.Index
        The series ids seen in fit.
    variables_ : list
        The panel's columns: the target first, then the covariates.
    covariates_ : pandas.DataFrame or None
        One row per series, columns (covariate, 'location' | 'scale'): the
        standardisation of each covariate (of its changes when the series
        is differenced); None without covariates.
    n_timesteps_ : int
        Window length.
    n_outputs_ : int
        Number of directly forecast horizons.
    gate_ : dict
        Group -> weight in [0, 1] of the network's addition to the AR one
        step ahead (``step_gates_[group][0]``).
    step_gates_ : dict
        Group -> weights per recursive step (non-increasing; the last one
        serves later steps), estimated on the pooled held-out recursions
        as :class:`SequenceForecaster` does for one series.
    ar_order_ : dict or None
        Group -> order of the pooled AR (None with ``ar_order=None``);
        None with ``pooled_ar=False``, whose orders are in
        ``series_['ar_order']``.
    holdout_errors_ : pandas.DataFrame or None
        Held-out forecast errors in each series' standardised units (the
        error in the series' units divided by its ``scale``), indexed by
        (id, origin), one column per horizon; None without a holdout.
    error_scales_ : dict
        Group -> :class:`~econnn.timeseries._linear.ErrorScales`, the
        conformal interval model of the group (absent without held-out
        errors: its bands then come from paths of in-sample residuals).

    See Also
    --------
    SequenceForecaster : The model fitted to one series, and the global one.
    make_windows : Accepts a panel and cuts windows series by series.

    Notes
    -----
    The forecast of series ``i`` in levels is ``m_i + s_i f(z-window)``;
    in changes it is ``y_iT + cumsum(m_i + s_i f(...))``, where ``f`` is
    the global model. Series shorter than the windows (plus one period when
    differenced) are refused by name rather than dropped.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import PanelForecaster, SequenceForecaster
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.MultiIndex.from_product(
    ...     [["a", "b", "c"], pd.period_range("2000Q1", periods=40,
    ...                                       freq="Q")], names=["id", "t"])
    >>> panel = pd.Series(rng.standard_normal(120).cumsum(), index=idx,
    ...                   name="y")
    >>> model = PanelForecaster(SequenceForecaster(max_iter=20,
    ...                                            random_state=0),
    ...                         lags=4).fit(panel)
    >>> model.forecast(panel, steps=2).index.names
    FrozenList(['id', 't'])
    """

    # ------------------------------------------------------------ fitting
    def _forecaster(self):
        model = SequenceForecaster() if self.forecaster is None else \
            self.forecaster
        if not isinstance(model, SequenceForecaster):
            raise TypeError("forecaster must be a SequenceForecaster; got "
                            f"{type(model).__name__}.")
        if model.seasonal_ar:
            raise ValueError(
                "PanelForecaster does not fit seasonal-difference ARs; "
                "use a forecaster with seasonal_ar=False.")
        return model

    @staticmethod
    def _known_mask(base, variables):
        """Per covariate, whether it is known in the future."""
        known = list(base.known_future or ())
        if variables[0] in known:
            raise ValueError(f"known_future cannot include the target "
                             f"{variables[0]!r}.")
        missing = [c for c in known if c not in variables]
        if missing:
            raise ValueError(
                f"known_future column(s) {missing} are not columns of X; "
                f"its covariates are {variables[1:]}.")
        return np.array([c in known for c in variables[1:]], dtype=bool)

    def fit(self, X, y=None):
        """Fit the global model to every series of a panel.

        Parameters
        ----------
        X : pandas.Series or pandas.DataFrame
            The panel in long format, indexed by a (series id, period)
            MultiIndex, or by period with the ids in column ``id_column``:
            the ``target`` column (or a Series) and any covariates. Within
            each series periods must be consecutive, increasing and
            unique; rows of different series may interleave. Every series
            needs at least ``lags + horizon`` periods (one more when
            differenced).
        y : None
            Ignored; the target is the panel's value column.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        if y is not None:
            raise ValueError("PanelForecaster.fit takes the panel alone, as "
                             "X (its value column is the target); y must "
                             "be None.")
        base = self._forecaster()
        series, names = split_panel(X, self.id_column, name="X")
        series = arrange_variables(series, self.target, name="X")
        variables = list(next(iter(series.values())).columns)
        known = self._known_mask(base, variables)
        horizon, lags = self.horizon, self.lags
        if lags == "auto":
            shortest = min(series.values(), key=len)
            lags = auto_lags(shortest.index[1:], horizon)
        table = decide_series(series, base.difference,
                              self.__dict__.pop("_handed_down", None))
        needed = lags + horizon + table["difference"].astype(int)
        short = table.index[table["n_periods"] < needed]
        if len(short):
            raise ValueError(
                f"series {list(short)} of X have "
                f"{table.loc[short, 'n_periods'].tolist()} periods, fewer "
                f"than the lags + horizon = {lags + horizon} (one more for a "
                "differenced series) needed for one window; drop them or use "
                "shorter windows.")
        self.n_timesteps_, self.n_outputs_ = int(lags), int(horizon)
        covariates = scale_covariates(series, table).rename_axis(
            names[0]) if len(variables) > 1 else None
        zs = {k: standardise(f, table.loc[k], None if covariates is None
                             else covariates.loc[k], known, horizon)
              for k, f in series.items()}
        n_win = {k: len(z) - lags - horizon + 1 for k, z in zs.items()}
        n_hold = {k: int(round(base.holdout_fraction * n))
                  for k, n in n_win.items()}
        table["n_windows"] = pd.Series(n_win)
        table["n_held_out"] = pd.Series(n_hold)
        self.series_ = table.rename_axis(names[0])
        self.ids_ = pd.Index(list(series), name=names[0])
        self._names = names
        self._freq = next(iter(series.values())).index.freqstr
        self._value_name = variables[0]
        self.variables_ = variables
        self.covariates_ = covariates
        self._known = known
        self.forecasters_, self.error_scales_ = {}, {}
        self.gate_, self.step_gates_ = {}, {}
        self._ar, self._residuals = {}, {}
        errors = []
        for flag in sorted(set(table["difference"].astype(bool))):
            keys = [k for k in zs if bool(table.loc[k, "difference"]) == flag]
            group = GROUPS[flag]
            model, ar, gates, held = self._fit_group(
                base, {k: zs[k] for k in keys}, n_hold, series)
            self.forecasters_[group] = model
            self.gate_[group] = float(gates[0])
            self.step_gates_[group] = np.asarray(gates, dtype=np.float64)
            self._ar.update(ar or {})
            if held is not None:
                errors.append(held[0])
                self.error_scales_[group] = ErrorScales(
                    held[0].to_numpy(), flag, held[1])
        if self._ar:
            self.ar_order_ = None
            self.series_["ar_order"] = pd.Series(
                {k: a[0] for k, a in self._ar.items()})
        else:
            self.ar_order_ = {g: m.ar_order_
                              for g, m in self.forecasters_.items()}
        self.holdout_errors_ = pd.concat(errors) if errors else None
        return self

    def _fit_group(self, base, zs, n_hold, series):
        """One global model on the windows of ``zs`` (id -> standardised).

        Returns the fitted network model, the per-series ARs (None when
        pooled), the step gates, and (held-out errors, widening factor) or None
        without a holdout.
        """
        lags, horizon = self.n_timesteps_, self.n_outputs_
        parts = {k: sliding(z, lags, horizon) for k, z in zs.items()}
        local = not self.pooled_ar and base.ar_order is not None
        inner = clone(base).set_params(difference=False,
                                       holdout_fraction=0.0)
        if local:
            inner.set_params(ar_order=None)

        def windows(first, last):
            """Each series' windows ``first(k)`` to ``last(k)``, stacked."""
            cut = {k: (p[0][first(k):last(k)], p[1][first(k):last(k)])
                   for k, p in parts.items()}
            owners = np.repeat(np.asarray(list(cut), dtype=object),
                               [len(c[0]) for c in cut.values()])
            return (cut, np.concatenate([c[0] for c in cut.values()]),
                    np.concatenate([c[1] for c in cut.values()]), owners)

        def train(cut, X, Y, owners):
            ar = fit_local_ar(cut, base.ar_order) if local else None
            if ar is not None:
                # the network learns what each series' AR leaves
                Y = Y - run(None, ar, 0.0, owners, X, 1)
            model = clone(inner).fit(X, Y[:, 0] if horizon == 1 else Y)
            return model, ar

        n_win = {k: len(p[0]) for k, p in parts.items()}
        everything = windows(lambda k: 0, lambda k: n_win[k])
        past = windows(lambda k: 0, lambda k: n_win[k] - n_hold[k])
        recent = windows(lambda k: n_win[k] - n_hold[k], lambda k: n_win[k])
        held = None
        if base.holdout_fraction > 0 and len(recent[1]) >= MIN_HOLDOUT \
                and len(past[1]) >= MIN_TRAIN:
            model, ar = train(*past)
            gates, held = self._holdout_errors(model, ar, zs, n_hold, series)
        model, ar = train(*everything)
        if held is None:
            gates = [1.0 if base.holdout_fraction == 0 or
                     base.ar_order is None else 0.0]
        model._set_gate(gates[0], gates)
        _, X, Y, owners = everything
        residuals = Y - run(model, ar, gates, owners, X, 1)
        group = GROUPS[bool(self.series_.loc[owners[0], "difference"])]
        self._residuals[group] = residuals
        if held is None or np.isfinite(held.to_numpy()[:, 0]).sum() < 3:
            return model, ar, gates, None
        # the held-out periods may be calmer than the sample: widen the
        # bands to the full-sample one-step residual spread, never narrow
        late = np.concatenate([np.arange(n) >= n - n_hold[k]
                               for k, n in n_win.items()])
        factor = max(1.0, float(np.sqrt(np.mean(residuals[:, 0] ** 2) / max(
            np.mean(residuals[late, 0] ** 2), 1e-300))))
        return model, ar, gates, (held, factor)

    def _holdout_errors(self, model, ar, zs, n_hold, series):
        """Step gates, and the gated recursion's held-out errors,
        standardised, per (id, origin)."""
        lags, horizon = self.n_timesteps_, self.n_outputs_
        steps = max(horizon, min(max(n_hold[k] for k in zs),
                                 MAX_HOLDOUT_HORIZON))
        n_blocks = math.ceil(steps / horizon)
        n_periods = n_blocks * horizon
        windows, futures, keys, origins = [], [], [], []
        for key, z in zs.items():
            d = int(self.series_.loc[key, "difference"])
            n = len(z) - lags - horizon + 1
            for j in range(n - n_hold[key], n):
                last = j + lags - 1
                future = np.full((n_periods, z.shape[1]), np.nan)
                avail = z[last + 1:last + 1 + n_periods]
                future[:len(avail)] = avail
                windows.append(z[j:last + 1])
                futures.append(future)
                keys.append(key)
                # the period of the origin's last observation
                origins.append(series[key].index[last + d])
        windows, futures = np.asarray(windows), np.asarray(futures)
        padded = futures[:, :, 0].copy()
        padded[:, steps:] = np.nan
        exog = None
        if futures.shape[2] > 1:
            # the covariates' realised values (unknown after a series ends)
            valid, exog = readable_covariates(futures[:, :, 1:], horizon)
            padded[~valid] = np.nan
        actual = padded[:, :steps]
        gates, paths = gated_run(model, ar, np.asarray(keys, dtype=object),
                                 windows, padded, n_blocks, MIN_GATE_ERRORS,
                                 exog)
        errors = actual - paths[:, :steps]
        if self.series_.loc[keys[0], "difference"]:
            # errors of changes add up to errors of the level
            errors = np.cumsum(errors, axis=1)
        index = pd.MultiIndex.from_arrays(
            [keys, pd.Index(origins)], names=[self._names[0], "origin"])
        return gates, pd.DataFrame(
            errors, index=index,
            columns=[f"h{h}" for h in range(1, steps + 1)])

    # ----------------------------------------------------------- persistence
    def _get_state(self):
        """Fitted attributes as data for :func:`econnn.save` (the global
        models stay estimators, stored nested), and no tensors of its own."""
        check_is_fitted(self)
        return panel_state(self), {}

    def _set_state(self, attrs, tensors, device):
        restore_panel_state(self, attrs)
