"""ForecastCombination: the forecaster averaged with ETS and ARIMA."""

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._forecaster import SequenceForecaster
from ._recursion import _forecast_request, forecast_frame
from ._linear import ErrorScales, seasonal_period
from ._members import MEMBERS
from ._panel_state import frame_from_data, frame_to_data
from ._windows import _future_index, arrange_series, make_windows

__all__ = ["ForecastCombination", "combination_weights"]

#: The name of the SequenceForecaster among the members.
FORECASTER = "econnn"


def combination_weights(errors, kappa):
    """Inverse-MSE weights per horizon, shrunk towards equal weights.

    Parameters
    ----------
    errors : sequence of ndarray of shape (n_origins, n_horizons)
        Each member's forecast errors at the same origins and horizons
        (NaN where not observed).
    kappa : float
        Shrinkage: with ``n`` errors observed for every member at horizon
        h, the weights are ``s w_inv + (1 - s) / K`` with ``s = (n / h) /
        (n / h + kappa)``, ``w_inv`` proportional to each member's inverse
        mean squared error at h over those ``n`` origins and ``K``
        members. ``n / h`` counts the errors as about that many
        independent ones: the h-step errors of consecutive origins
        overlap by h - 1 periods.

    Returns
    -------
    weights : ndarray of shape (n_horizons, K)
        Non-negative, each row summing to 1 (equal where ``n = 0``).
    """
    stack = np.stack([np.asarray(e, dtype=np.float64) for e in errors])
    K, _, n_horizons = stack.shape
    weights = np.full((n_horizons, K), 1.0 / K)
    for h in range(n_horizons):
        seen = np.isfinite(stack[:, :, h]).all(axis=0)
        n = int(seen.sum())
        if n == 0:
            continue
        inverse = 1.0 / np.maximum(np.mean(stack[:, seen, h] ** 2, axis=1),
                                   1e-300)
        n_independent = n / (h + 1)
        share = n_independent / (n_independent + kappa) \
            if np.isfinite(kappa) else 0.0
        weights[h] = share * inverse / inverse.sum() + (1 - share) / K
    return weights


class ForecastCombination(BaseEstimator):
    """The forecaster combined with ETS and an automatic ARIMA.

    A :class:`SequenceForecaster` (an AR plus a gated network) *is* the AR
    on a linear series, so where exponential smoothing or a seasonal ARIMA
    has structure the AR lacks (a damped trend, seasonal moving averages) it
    cannot match them. This estimator averages its forecasts with those of
    classical members, with weights per horizon learned before the
    forecast origin:

    1. The forecaster is fitted on the windows of the series; its own
       holdout (the last ``holdout_fraction`` of the windows) gives its
       forecast errors at 1..S steps from every held-out origin
       (``holdout_errors_``, S up to 24).
    2. Every classical member is fitted (specification and parameters) on
       the series before the first held-out origin, and forecasts 1..S
       steps from every held-out origin with its parameters fixed (the
       longer history is filtered, not refitted): the same origins, the
       same horizons.
    3. At each horizon h the members are weighted by their inverse
       held-out mean squared error, shrunk towards equal weights by ``m /
       (m + kappa)`` with ``m = n / h``, ``n`` the held-out errors at that
       horizon (overlapping h-step errors count as about n / h independent
       ones; :func:`combination_weights`); beyond S, the weights of S.
    4. Every classical member is fitted again on the whole series.

    The point forecast is the weighted mean of the members' forecasts;
    intervals and quantiles come from the combination's own held-out
    errors (the weighted mean of the members' errors) by the forecaster's
    conformal rule (per-horizon scale, pooled symmetric shape, widened by
    the forecaster's full-sample over held-out residual spread).

    Parameters
    ----------
    forecaster : SequenceForecaster or None, default=None
        The network forecaster (unfitted; cloned). None:
        ``SequenceForecaster()``. Its ``holdout_fraction`` sets the
        held-out origins, so it must be positive; covariates
        (``known_future``) are not supported.
    members : sequence of str or member objects, default=('ets', 'arima')
        The classical members: names in :data:`._members.MEMBERS` ('ets':
        ``ETSModel`` chosen by AIC; 'arima': a stepwise seasonal ARIMA
        search by AICc), or objects with a ``name`` attribute and the
        methods ``fit(y, m)`` and ``forecast(y, steps)`` (copied before
        fitting; :func:`econnn.save` stores the built-in members as data
        and refuses the others, which are code: pickle those).
    kappa : float, default=5.0
        Shrinkage of the weights towards equal weights (0: inverse MSE;
        ``np.inf``: equal weights).
    lags : int or 'auto', default='auto'
        Window length of the forecaster, as for :func:`make_windows`.

    Attributes
    ----------
    forecaster_ : SequenceForecaster
        The forecaster fitted on the whole series.
    members_ : dict
        Every member by name, fitted on the whole series: ``'econnn'``
        (``forecaster_``) first, then the classical members.
    weights_ : pandas.DataFrame of shape (S, n_members)
        The weights, indexed by horizon 1..S, one column per member.
    member_errors_ : dict of ndarray of shape (n_held_out, S)
        Each member's held-out forecast errors (NaN where not observed).
    holdout_errors_ : ndarray of shape (n_held_out, S)
        The combination's held-out errors.
    error_scales_ : ErrorScales
        The conformal interval model built from ``holdout_errors_``.
    difference_ : bool
        The forecaster's decision to model changes.
    seasonal_period_ : int
        The period of the classical members' seasonality (4, 12 or 1),
        from the index.
    n_held_out_ : int
        Held-out origins.

    See Also
    --------
    SequenceForecaster : The network member.
    backtest : Accepts a ForecastCombination (refitted on each history).
    econnn.save : Stores a fitted ForecastCombination as data.

    Notes
    -----
    The forecaster's held-out errors are those of its gated held-out model,
    whose gates were chosen on the same held-out windows; the classical
    members' specifications are chosen on the sample before them. The
    rule was chosen on the development series of
    docs/forecasting_evidence.md ("Forecast combination"), where it is
    evaluated on them and, once, on held-out series (mean log RMSE ratio
    to the best classical model 0.073 -> 0.035 there). A fit costs the
    forecaster's fit plus two ETS selections and two ARIMA searches (about
    3 s each on a 200-quarter series, more on monthly data): about six
    times the forecaster's.

    References
    ----------
    Bates, J. M. and Granger, C. W. J. (1969). The combination of
    forecasts. Operational Research Quarterly, 20(4), 451-468.

    Hyndman, R. J. and Khandakar, Y. (2008). Automatic time series
    forecasting: the forecast package for R. Journal of Statistical
    Software, 27(3).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import ForecastCombination, SequenceForecaster
    >>> rng = np.random.default_rng(0)
    >>> y = pd.Series(np.convolve(rng.standard_normal(120),
    ...                           0.6 ** np.arange(20))[:120],
    ...               index=pd.period_range("1990Q1", periods=120, freq="Q"))
    >>> model = ForecastCombination(SequenceForecaster(max_iter=20,
    ...                                                random_state=0),
    ...                             members=("ets",)).fit(y)
    >>> list(model.weights_.columns)
    ['econnn', 'ETS']
    >>> model.forecast(None, steps=4, level=0.8).columns.tolist()
    ['forecast', 'lower_0.8', 'upper_0.8']
    """

    _parameter_constraints = {
        "forecaster": [SequenceForecaster, None],
        "members": ["array-like"],
        "kappa": [Interval(Real, 0, np.inf, closed="both")],
        "lags": [Interval(Integral, 1, None, closed="left"),
                 StrOptions({"auto"})],
    }

    def __init__(self, forecaster=None, members=("ets", "arima"), kappa=5.0,
                 lags="auto"):
        self.forecaster = forecaster
        self.members = members
        self.kappa = kappa
        self.lags = lags

    def _forecaster(self):
        model = SequenceForecaster() if self.forecaster is None else \
            self.forecaster
        if model.holdout_fraction <= 0:
            raise ValueError("the forecaster's holdout_fraction must be "
                             "positive: the weights come from its held-out "
                             "origins.")
        if model.known_future:
            raise ValueError("ForecastCombination does not support "
                             "covariates (known_future); the classical "
                             "members are univariate.")
        return clone(model)

    def _classical(self):
        out = []
        for spec in self.members:
            if isinstance(spec, str):
                if spec not in MEMBERS:
                    raise ValueError(
                        f"unknown member {spec!r}; the members are "
                        f"{sorted(MEMBERS)} or objects with name, fit(y, m) "
                        "and forecast(y, steps).")
                member = MEMBERS[spec]()
            elif all(hasattr(spec, a) for a in ("name", "fit", "forecast")):
                member = copy.deepcopy(spec)
            else:
                raise TypeError("members must be names or objects with "
                                "name, fit(y, m) and forecast(y, steps); "
                                f"got {spec!r}.")
            out.append(member)
        names = [FORECASTER] + [m.name for m in out]
        if len(set(names)) < len(names):
            raise ValueError(f"member names must be unique; got {names}.")
        return out

    @staticmethod
    def _series(data, name):
        if isinstance(data, pd.DataFrame):
            if data.shape[1] != 1:
                raise ValueError(
                    f"{name} has {data.shape[1]} columns: ForecastCombination "
                    "forecasts one series without covariates; pass a "
                    "Series.")
            data = data.iloc[:, 0]
        return arrange_series(data, name=name)

    def fit(self, X, y=None):
        """Fit the members, learn the weights on the held-out origins.

        Parameters
        ----------
        X : pandas.Series
            The series, indexed by a PeriodIndex or a DatetimeIndex with a
            frequency, without missing values (a one-column DataFrame is
            accepted; covariates are not).
        y : None
            Ignored; the series is ``X``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if y is not None:
            raise ValueError("ForecastCombination.fit takes the series "
                             "alone, as X; y must be None.")
        self._validate_params()
        return self._fit(self._series(X, "X"), self._classical(),
                         self._forecaster())

    def _fit(self, frame, classical, forecaster):
        """Fit on a validated series, with unfitted members."""
        values = frame.iloc[:, 0].to_numpy(dtype=np.float64)
        m = seasonal_period(frame.index)
        windows, target = make_windows(frame, lags=self.lags)
        forecaster.fit(windows, target)
        if forecaster.holdout_errors_ is None:
            raise ValueError(
                f"X has {len(values)} periods, too few for the forecaster's "
                "holdout (at least 10 held-out and 20 remaining windows of "
                f"{forecaster.n_timesteps_} periods); the weights need "
                "held-out errors.")
        errors = {FORECASTER: forecaster.holdout_errors_}
        n_held_out, n_horizons = errors[FORECASTER].shape
        start = len(values) - n_held_out  # the first held-out origin
        for member in classical:
            errors[member.name] = _held_out_errors(
                copy.deepcopy(member).fit(values[:start], m), values, start,
                n_horizons)
            member.fit(values, m)
        weights = combination_weights(list(errors.values()), self.kappa)
        self.holdout_errors_ = np.einsum(
            "kth,hk->th", np.stack(list(errors.values())), weights)
        self.weights_ = _weights_frame(weights, list(errors))
        self.member_errors_ = errors
        self.forecaster_ = forecaster
        self.members_ = {FORECASTER: forecaster,
                         **{mem.name: mem for mem in classical}}
        self.error_scales_ = ErrorScales(
            self.holdout_errors_, forecaster.difference_,
            forecaster.error_scales_.factor)
        self.difference_ = forecaster.difference_
        self.seasonal_period_ = m
        self.n_held_out_ = n_held_out
        self._fitted_series = frame
        return self

    def forecast(self, history, steps, exog_future=None, level=None,
                 quantiles=None):
        """Forecast the periods after the end of a series, with intervals.

        Parameters
        ----------
        history : pandas.Series or None
            The series up to the forecast origin (the fitted series, or
            one extended with newer periods: the members filter it with
            their fitted parameters); None: the fitted series.
        steps : int
            Number of periods to forecast.
        exog_future : None
            Covariates are not supported; anything but None is refused
            (the argument is there so that the call reads as
            :meth:`SequenceForecaster.forecast`'s).
        level : float or sequence of float or None, default=None
            Coverage of central prediction intervals.
        quantiles : float or sequence of float or None, default=None
            Forecast quantiles; 0.5 is the point forecast.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            As :meth:`SequenceForecaster.forecast` returns it: a Series
            of point forecasts without ``level`` and ``quantiles``, else a
            DataFrame with ``'forecast'``, ``'lower_<level>'``,
            ``'upper_<level>'`` and ``'q<quantile>'`` columns.
        """
        check_is_fitted(self)
        if exog_future is not None:
            raise ValueError("ForecastCombination does not support "
                             "covariates; exog_future must be None.")
        steps, _, levels, qs, probs = _forecast_request(
            steps, 1000, "conformal", level, quantiles)
        frame = self._fitted_series if history is None else \
            self._series(history, "history")
        values = frame.iloc[:, 0].to_numpy(dtype=np.float64)
        point = self.forecaster_.forecast(frame, steps).to_numpy()[None]
        point = np.concatenate(
            [point] + [member.forecast(values, steps)[None]
                       for name, member in self.members_.items()
                       if name != FORECASTER])
        rows = np.minimum(np.arange(steps), len(self.weights_) - 1)
        point = np.einsum("kh,hk->h", point,
                          self.weights_.to_numpy()[rows])
        index = _future_index(frame.index, steps)
        if not levels and not qs:
            return pd.Series(point, index=index, name=frame.columns[0])
        return forecast_frame(point, self.error_scales_.bands(point, probs),
                              levels, qs, index)

    # ----------------------------------------------------------- persistence
    def _get_state(self):
        """Fitted attributes as data for :func:`econnn.save`: the forecaster
        stays an estimator (stored nested), the classical members are
        stored by their name in ``MEMBERS`` and their fitted data, the
        pandas objects as lists and arrays; no tensors of its own."""
        check_is_fitted(self)
        classical = [member for name, member in self.members_.items()
                     if name != FORECASTER]
        for member in [*self.members, *classical]:
            if not isinstance(member, str) and \
                    type(member) not in MEMBERS.values():
                raise TypeError(
                    f"member {member!r} is a {type(member).__name__}, not "
                    f"one of the built-in members ({sorted(MEMBERS)}): its "
                    "forecasts are code, which econnn.save does not store. "
                    "Save this model with pickle or joblib (and load such "
                    "files only from sources you trust).")
        attrs = {k: v for k, v in vars(self).items()
                 if k.endswith("_") or k.startswith("_")}
        # members_ holds forecaster_ again: stored once, rebuilt on load
        del attrs["members_"]
        attrs["_classical"] = classical
        attrs["weights_"] = self.weights_.to_numpy()
        attrs["error_scales_"] = self.error_scales_.to_data()
        attrs["_fitted_series"] = frame_to_data(self._fitted_series)
        return attrs, {}

    def _set_state(self, attrs, tensors, device):
        """Restore what :meth:`_get_state` returned."""
        attrs = dict(attrs)
        classical = attrs.pop("_classical")
        attrs["weights_"] = _weights_frame(attrs["weights_"],
                                           list(attrs["member_errors_"]))
        attrs["error_scales_"] = ErrorScales.from_data(
            attrs["error_scales_"])
        attrs["_fitted_series"] = frame_from_data(attrs["_fitted_series"])
        vars(self).update(attrs)
        self.members_ = {FORECASTER: self.forecaster_,
                         **{member.name: member for member in classical}}


def _weights_frame(weights, names):
    """The weights (n_horizons, n_members) as ``weights_``: a column per
    member, indexed by horizon 1..S."""
    return pd.DataFrame(weights, columns=names, index=pd.RangeIndex(
        1, len(weights) + 1, name="horizon"))


def _held_out_errors(member, values, start, n_horizons):
    """Errors of ``member``'s forecasts of 1..n_horizons steps from every
    origin from ``start`` on (NaN beyond the end of ``values``)."""
    n = len(values)
    errors = np.full((n - start, n_horizons), np.nan)
    for i, end in enumerate(range(start, n)):
        seen = min(n_horizons, n - end)
        errors[i, :seen] = values[end:end + seen] - \
            member.forecast(values[:end], n_horizons)[:seen]
    return errors
