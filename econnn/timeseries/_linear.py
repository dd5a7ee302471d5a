"""The linear part of the forecaster: stationarity, AR order, calibration.

Everything here is plain numpy (and statsmodels' unit-root tests): the
autoregression the network is nested around, the decision to model levels
or changes, and the out-of-sample error scales the prediction intervals are
built from.
"""

import re
import warnings
from typing import NamedTuple, Optional

import numpy as np

__all__ = ["decide_difference", "fit_autoregression", "AutoRegression",
           "ar_design", "earlier_windows", "seasonal_period",
           "season_of_frequency", "shrunk_gate", "window_series",
           "PlainData", "ErrorScales"]

#: Below this many observations unit-root tests have little power (the
#: Dickey-Fuller test "finds" unit roots in most short stationary samples),
#: so ``difference='auto'`` keeps the levels.
MIN_UNIT_ROOT_SAMPLES = 50
UNIT_ROOT_LEVEL = 0.05

#: Periods per year of pandas' monthly and quarterly frequency rules
#: (month and quarter ends and starts, business ones, the old aliases).
_PER_YEAR = {**dict.fromkeys(("M", "ME", "MS", "BM", "BME", "BMS", "CBME",
                              "CBMS"), 12),
             **dict.fromkeys(("Q", "QE", "QS", "BQ", "BQE", "BQS"), 4)}


def seasonal_period(index):
    """Observations per year for quarterly (4) and monthly (12) data, else 1.

    Parameters
    ----------
    index : pandas.Index
        A PeriodIndex or DatetimeIndex; anything else gives 1.
    """
    freq = getattr(index, "freqstr", None)
    if freq is None and len(index) >= 3:
        try:
            import pandas as pd

            freq = pd.infer_freq(index)
        except (TypeError, ValueError):
            freq = None
    return season_of_frequency(freq)


def season_of_frequency(freq):
    """Observations per year of a pandas frequency string: 4 for quarterly,
    12 for monthly, 1 for anything else (None included).

    Business and multiple frequencies count by the periods they make:
    'BQE' and 'BMS' are quarterly and monthly, '3MS' (every three months)
    quarterly; '6ME' (two a year) and '2QE' have no season of 4 or 12 and
    give 1. The case matters, as in pandas: 'MS' is month start, 'ms' a
    millisecond, 'min' a minute.
    """
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(-[A-Za-z]+)?", freq or "")
    if match is None:
        return 1
    per_year = _PER_YEAR.get(match.group(2), 1)
    every = int(match.group(1) or 1)
    season = per_year // every if per_year % every == 0 else 1
    return season if season in (4, 12) else 1


def decide_difference(y):
    """Whether a series is integrated: ADF and KPSS must agree.

    Changes are modelled only when the augmented Dickey-Fuller test does
    not reject a unit root *and* the KPSS test rejects stationarity, both at
    5%; in every other case (both tests inconclusive, or they contradict
    each other) the levels are kept: the autoregression in levels, with its
    coefficients estimated, still nests a unit root, whereas differencing a
    stationary series throws information away.

    Parameters
    ----------
    y : ndarray of shape (n,)
        The target series in time order.

    Returns
    -------
    difference : bool
    tests : dict
        ``{'adf_pvalue': float, 'kpss_pvalue': float}``, or None values
        when the sample is too short (fewer than 50 observations) or
        constant.
    """
    tests = {"adf_pvalue": None, "kpss_pvalue": None}
    if len(y) < MIN_UNIT_ROOT_SAMPLES or np.ptp(y) == 0:
        return False, tests
    # imported here: statsmodels is slow to import and only needed here
    from statsmodels.tsa.stattools import adfuller, kpss

    with warnings.catch_warnings():
        # KPSS warns when its p-value is outside the tabulated 1%-10%
        warnings.simplefilter("ignore")
        adf = float(adfuller(y, regression="c", autolag="AIC")[1])
        stat = float(kpss(y, regression="c", nlags="auto")[1])
    tests.update(adf_pvalue=adf, kpss_pvalue=stat)
    return bool(adf > UNIT_ROOT_LEVEL and stat < UNIT_ROOT_LEVEL), tests


def ar_design(X, order):
    """Regressors of an AR(order): the last ``order`` rows of every variable.

    Parameters
    ----------
    X : ndarray of shape (n, n_timesteps, n_variables)
    order : int

    Returns
    -------
    Z : ndarray of shape (n, order * n_variables)
        Most recent row first.
    """
    if order == 0:
        return np.empty((X.shape[0], 0))
    return X[:, ::-1][:, :order].reshape(X.shape[0], -1)


def _weighted_ols(Z, Y, w):
    """Coefficients and weighted residual sum of squares, with intercept."""
    A = np.column_stack([np.ones(len(Z)), Z])
    sw = np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(A * sw, Y * sw, rcond=None)
    resid = Y - A @ coef
    return coef, float(w @ (resid[:, 0] ** 2))


class AutoRegression(NamedTuple):
    """A fitted autoregression on windows.

    Attributes
    ----------
    order : int
        Number of lags it reads (of every variable).
    intercept : ndarray of shape (n_outputs,)
    coef : ndarray of shape (order * n_variables, n_outputs)
        In :func:`ar_design`'s layout, most recent lag first.
    season : int or None
        The period ``m`` of a seasonal-difference AR, ``(1 - L^m) y_t = c
        + sum_i phi_i (1 - L^m) y_{t-i}``, whose ``order - m`` coefficients
        ``phi`` are written out as the AR(order) it is; None for an
        unrestricted AR.
    """

    order: int
    intercept: np.ndarray
    coef: np.ndarray
    season: Optional[int] = None


def _seasonal_anchor(h, m):
    """The lag (1-based, in the window) of ``y_{T+h-km}``, the last
    observation in the same season as the target ``h`` steps ahead."""
    return -(-h // m) * m - h + 1


def _seasonal_regression(X, Y, p, m):
    """Regressors and targets of the seasonal-difference AR(p) of period m:
    ``y_{T+h} - y_{anchor}`` on the seasonal differences of the last ``p``
    observations of the target."""
    lags = ar_design(X[..., :1], p + m)
    anchors = [_seasonal_anchor(h, m) - 1 for h in range(1, Y.shape[1] + 1)]
    return lags[:, :p] - lags[:, m:m + p], Y - lags[:, anchors]


def _seasonal_coefficients(coef, p, m, n_outputs):
    """The seasonal-difference AR's ``phi`` (with the unit seasonal
    anchor) as the coefficients of the unrestricted AR(p + m)."""
    out = np.zeros((p + m, n_outputs))
    for h in range(n_outputs):
        out[_seasonal_anchor(h + 1, m) - 1, h] = 1.0
    out[:p] += coef
    out[m:m + p] -= coef
    return out


def _aic(rss, n, k):
    return n * np.log(max(rss, 1e-300) / n) + 2 * k


def fit_autoregression(X, Y, w, order="auto", season=None):
    """Least-squares (V)AR on windows, the order chosen by AIC.

    Candidate orders run from 0 to the window length (fewer when the
    sample is short), all on the same windows, so the criterion compares
    like with like. The order is chosen on the first output column (the
    one-step target); every column gets its own coefficients at that order
    (direct multi-step regressions).

    With a seasonal period ``season`` (and univariate windows longer than
    it), the candidates also include ARs of the seasonal differences,
    ``(1 - L^m) y_t = c + sum_{i<=p} phi_i (1 - L^m) y_{t-i}``: the
    seasonal unit root is imposed instead of estimated through ``m`` or
    more free lag coefficients, as a seasonal ARIMA does. They explain
    the same targets, so the AIC compares them with the unrestricted ARs
    directly (``1 + p`` parameters). Direct multi-step columns ``h`` are
    anchored on the last observation in the target's season.

    Parameters
    ----------
    X : ndarray of shape (n, n_timesteps, n_variables)
    Y : ndarray of shape (n, n_outputs)
    w : ndarray of shape (n,)
        Sample weights (a weight of k counts like k copies).
    order : 'auto' or int
        'auto' for the AIC choice, else the number of lags to use.
    season : int or None, default=None
        With ``order='auto'``, the period of the seasonal-difference
        candidates (None or 1: none); with an int ``order``, fit the
        seasonal-difference AR of this period reading ``order`` lags.

    Returns
    -------
    AutoRegression
        ``(order, intercept, coef, season)``.
    """
    n_variables, n_timesteps = X.shape[2], X.shape[1]
    n = float(w.sum())
    # leave at least ~3 windows per coefficient
    largest = int(max((n / 3 - 1) // n_variables, 0))
    season = season if season and season > 1 else None
    if order == "auto":
        best = None
        for p in range(min(n_timesteps, largest) + 1):
            _, rss = _weighted_ols(ar_design(X, p), Y[:, :1], w)
            aic = _aic(rss, n, 1 + p * n_variables)
            if best is None or aic < best[0] - 1e-9:
                best = (aic, p, None)
        # seasonal candidates need univariate windows longer than a season
        seasonal = season is not None and n_variables == 1 and \
            season < n_timesteps
        for p in range(min(n_timesteps - season, largest) + 1
                       if seasonal else 0):
            _, rss = _weighted_ols(*_seasonal_regression(X, Y[:, :1], p,
                                                         season), w)
            aic = _aic(rss, n, 1 + p)
            if aic < best[0] - 1e-9:
                best = (aic, p + season, season)
        _, order, season = best
    order = int(min(order, n_timesteps))
    if season:
        p = order - season
        if p < 0 or n_variables > 1:
            raise ValueError(
                f"A seasonal-difference AR of period {season} reads at "
                f"least {season} lags of one variable; got order={order} "
                f"with {n_variables} variable(s).")
        coef, _ = _weighted_ols(*_seasonal_regression(X, Y, p, season), w)
        return AutoRegression(order, coef[0], _seasonal_coefficients(
            coef[1:], p, season, Y.shape[1]), season)
    coef, _ = _weighted_ols(ar_design(X, order), Y, w)
    return AutoRegression(order, coef[0], coef[1:])


def earlier_windows(X, Y, order):
    """Windows for the targets before the first window's, as AutoReg uses.

    Windows of length ``n_timesteps`` leave the first ``n_timesteps``
    observations without a window of their own, but an AR of a lower
    order can still be estimated on them: ``statsmodels``' ``AutoReg``
    (and ``VAR``) fits an AR(p) on every observation from the (p + 1)-th.
    These are those rows, as windows of full length whose lags beyond the
    ones observed are NaN (the AR reads only the last ``order``; at least
    one lag is kept, which changes need). Only for the consecutive windows
    of one series (:func:`window_series`), with all its variables; None
    otherwise.

    Parameters
    ----------
    X : ndarray of shape (n, n_timesteps, n_variables)
    Y : ndarray of shape (n, n_outputs)
    order : int
        The AR order the rows are for.

    Returns
    -------
    (X_early, Y_early) or None
    """
    n_timesteps = X.shape[1]
    first = max(int(order), 1)
    if first >= n_timesteps:
        return None
    series = window_series(X, Y)
    if series is None:
        return None
    targets = np.arange(first, n_timesteps)
    X_early = np.full((len(targets), n_timesteps, X.shape[2]), np.nan)
    for i, t in enumerate(targets):
        X_early[i, n_timesteps - t:] = series[:t]
    Y_early = np.column_stack([series[targets + h, 0]
                               for h in range(Y.shape[1])])
    return X_early, Y_early


def window_series(X, Y):
    """The series behind consecutive windows, or None if they are not.

    Windows cut by :func:`make_windows` from one series overlap: window
    ``i + 1`` is window ``i`` shifted by a period, and its last row holds
    window ``i``'s first target. Then the whole sample is one series, and
    multi-step forecast errors can be measured on it.

    Returns
    -------
    series : ndarray of shape (n + n_timesteps [+ horizon - 1], n_variables)
        or None; rows after the last window hold the targets only, with
        NaN for the other variables.
    """
    if len(X) < 2 or not (np.array_equal(X[1:, :-1], X[:-1, 1:]) and
                          np.array_equal(X[1:, -1, 0], Y[:-1, 0])):
        return None
    tail = np.full((Y.shape[1], X.shape[2]), np.nan)
    tail[:, 0] = Y[-1]
    return np.concatenate([X[0], X[1:, -1], tail])


#: The gate's shrinkage constant c in ``g max(0, 1 - c/t^2)``: 4 drops a
#: network share within two standard errors of 0 (t < 2). Chosen on 23 Nov
#: 2026 among 1, 2 and 4 by leaving one development series out (4 for 10
#: of 12 series, 2 for the other two), then checked once on the held-out
#: series (docs/forecasting_evidence.md, "The gate's shrinkage").
GATE_SHRINKAGE = 4.0


def shrunk_gate(residual, addition, keep, cap):
    """How much of ``addition`` the ``residual`` supports, on ``keep`` rows.

    The weight of the network's addition to the AR (the forecaster's gate)
    from held-out errors: ``residual`` is the actual minus the AR's
    forecast, ``addition`` the network's.

    The least-squares weight ``g`` shrunk towards 0 by its precision,
    ``g max(0, 1 - c/t^2)`` with ``t`` its t statistic and ``c =``
    :data:`GATE_SHRINKAGE` (positive-part shrinkage: a weight within two
    standard errors of 0 is dropped, a precise one is kept nearly whole),
    then clipped to [0, cap].
    """
    r, a = residual[keep], addition[keep]
    saa = max(float((a * a).sum()), 1e-300)
    gate = float((r * a).sum()) / saa
    if r.size > 1:
        s2 = float(((r - gate * a) ** 2).sum()) / (r.size - 1)
        t2 = gate ** 2 * saa / max(s2, 1e-300)
        gate *= max(0.0, 1.0 - GATE_SHRINKAGE / max(t2, 1e-300))
    return float(np.clip(gate, 0.0, cap)) + 0.0  # never -0.0


class PlainData:
    """Mixin: an object whose attributes are all plain data (arrays,
    numbers, strings, tuples, dicts), so that :func:`econnn.save` stores it
    as data and :func:`econnn.load` rebuilds it without running its
    ``__init__``."""

    def to_data(self):
        """Plain data (arrays, numbers) that :meth:`from_data` rebuilds from:
        what :func:`econnn.save` stores."""
        return dict(vars(self))

    @classmethod
    def from_data(cls, data):
        """The object that :meth:`to_data` described."""
        out = cls.__new__(cls)
        vars(out).update(data)
        return out


class ErrorScales(PlainData):
    """Out-of-sample forecast errors per horizon, turned into intervals.

    Split-conformal intervals with a location-scale model: the scale of
    the h-step error is the root mean square of the held-out h-step errors
    (made non-decreasing in h); the shape is the empirical distribution of
    all held-out errors divided by their horizon's scale, pooled over
    horizons (normal quantiles when fewer than 20 are available). Beyond
    the last measured horizon the scale stays flat for levels and grows
    with the square root of the horizon for changes (a random walk).

    Parameters
    ----------
    errors : ndarray of shape (n_origins, n_horizons)
        Forecast errors ``actual - forecast``; NaN where not observed.
    integrated : bool
        Whether the forecasts are of an integrated series.
    factor : float, default=1.0
        Multiplies every scale (see :class:`SequenceForecaster`'s
        ``error_scales_``: the full-sample residual spread over the
        held-out period's, when larger).
    """

    def __init__(self, errors, integrated, factor=1.0):
        errors = np.asarray(errors, dtype=np.float64)
        counts = np.isfinite(errors).sum(axis=0)
        keep = counts >= 3
        if not keep[0]:
            raise ValueError("at least 3 one-step errors are needed.")
        last = int(np.argmin(keep)) if not keep.all() else len(keep)
        errors = errors[:, :last]
        self.scale = np.maximum.accumulate(
            np.sqrt(np.nanmean(errors ** 2, axis=0)))
        self.scale = np.maximum(self.scale, 1e-12)
        z = errors / self.scale
        self.factor = float(factor)
        self.scale = self.scale * self.factor
        self.z = z[np.isfinite(z)]
        self.abs_z = np.sort(np.abs(self.z))
        self.integrated = integrated
        self.n_errors = counts[:last]

    def scales(self, steps):
        """The error scale at horizons 1..steps."""
        k = len(self.scale)
        if steps <= k:
            return self.scale[:steps]
        h = np.arange(k + 1, steps + 1)
        growth = np.sqrt(h / k) if self.integrated else np.ones(len(h))
        return np.concatenate([self.scale, self.scale[-1] * growth])

    def bands(self, point, probs):
        """Quantiles ``probs`` of the forecast at horizons 1..len(point):
        ``point`` plus each horizon's scale times the standardised
        quantiles (shape (len(point), len(probs)))."""
        return np.asarray(point)[:, None] + np.outer(
            self.scales(len(point)), self.quantiles(probs))

    def quantiles(self, probs):
        """Quantiles of the standardised error, symmetric about zero.

        The quantile ``p`` is ``sign(p - 1/2)`` times the conformal quantile
        of ``|z|`` at ``|2p - 1|`` (rank ``ceil((n + 1) |2p - 1|)``): a
        central interval of coverage c is ``+- q_|z|(c)``, and the median
        is the point forecast. Symmetric bands are less at the mercy of the
        held-out period's bias than the two tails estimated separately.
        Normal quantiles when fewer than 20 errors are held out.
        """
        probs = np.asarray(probs, dtype=np.float64)
        coverage = np.abs(2 * probs - 1)
        n = len(self.z)
        if n < 20:
            from scipy.stats import norm

            size = norm.ppf((1 + coverage) / 2)
        else:
            rank = (np.ceil((n + 1) * coverage) - 1).clip(0, n - 1)
            size = self.abs_z[rank.astype(int)]
        return np.sign(probs - 0.5) * size

    def draw(self, rng, size):
        """Standardised shocks: pooled errors resampled, with random signs.

        The random sign makes the shocks symmetric, as the intervals are.
        """
        signs = rng.choice(np.array([-1.0, 1.0]), size=size)
        return signs * self.z[rng.randint(len(self.z), size=size)]
