"""Rolling-origin evaluation of a forecaster against an AR benchmark."""

import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._combination import ForecastCombination
from ._forecaster import SequenceForecaster
from ._linear import seasonal_period
from ._windows import (_check_count, _check_levels, arrange_series,
                       make_windows)

__all__ = ["backtest", "BacktestResult"]

_BENCHMARK = "AR(AIC)"


@dataclass
class BacktestResult:
    """What :func:`backtest` measured.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per model, origin and horizon: columns ``model``,
        ``origin`` (the last period of the history), ``period``,
        ``horizon``, ``actual``, ``forecast`` and ``lower_<level>``,
        ``upper_<level>`` for each level.
    scores : pandas.DataFrame
        Indexed by (model, horizon): ``n`` forecasts, ``rmse``, ``mae``,
        ``mase`` (MAE over the in-sample mean absolute error of the
        seasonal naive forecast before the first origin) and
        ``coverage_<level>`` (share of actual values inside the band).
    seasonal_period : int
        The period of the seasonal naive scale of MASE.
    difference : bool or pandas.Series
        Whether the forecaster modelled changes: decided at the first fit
        (``difference='auto'``) and kept for every refit; for a panel, one
        decision per series.

    For a panel (a :class:`PanelForecaster`), ``forecasts`` has an ``id``
    column and ``scores`` pool the series with scaled errors: ``rmsse`` and
    ``mase`` (the errors over the root mean square and the mean absolute
    in-sample error of each series' seasonal naive forecast) instead of
    ``rmse`` and ``mae``.
    """

    forecasts: pd.DataFrame
    scores: pd.DataFrame
    seasonal_period: int
    difference: bool

    def relative(self, metric=None):
        """``metric`` of each model divided by the AR benchmark's, by horizon.

        None: ``'rmse'``, or ``'rmsse'`` for a panel.
        """
        if metric is None:
            metric = "rmse" if "rmse" in self.scores else "rmsse"
        table = self.scores[metric].unstack("model")
        return table.div(table[_BENCHMARK], axis=0)

    def __repr__(self):
        return f"BacktestResult(scores=\n{self.scores.round(4)!r})"



def _check_test_size(test_size, n, where):
    """``test_size`` (a share of ``n`` or a count) as a number of periods,
    leaving at least two periods of history in ``where``."""
    if isinstance(test_size, Real) and not isinstance(test_size, Integral):
        if not 0 < test_size < 1:
            raise ValueError(f"test_size must be in (0, 1) or an integer; "
                             f"got {test_size!r}.")
        test_size = int(math.ceil(test_size * n))
    test_size = _check_count(test_size, "test_size")
    if test_size >= n - 1:
        raise ValueError(f"test_size={test_size} leaves no history in "
                         f"{where}.")
    return test_size

def _origins(n, horizon, test_size, step, cv):
    """(train_end, evaluated positions) pairs: forecast from
    data[:train_end]."""
    if cv is not None:
        if not callable(getattr(cv, "split", None)):
            raise TypeError("cv must be a splitter with a split method, "
                            "e.g. TimeSeriesSplit(n_splits=5); got "
                            f"{cv!r}.")
        out = []
        for train, test in cv.split(np.arange(n)):
            train, test = np.asarray(train), np.asarray(test)
            if len(train) == 0 or np.any(np.diff(train) != 1):
                raise ValueError("cv must give contiguous training indices "
                                 "in time order (as TimeSeriesSplit does).")
            reach = int(test.max()) - int(train[-1]) if len(test) else 0
            if reach > horizon:
                raise ValueError(
                    f"cv's test periods reach {reach} periods after the end "
                    f"of training, beyond horizon={horizon}; use a horizon "
                    "of at least that, or a smaller test_size or gap.")
            out.append((int(train[0]), int(train[-1]) + 1, test))
        return out
    test_size = _check_test_size(test_size, n,
                                 f"a series of {n} periods")
    ends = range(n - test_size, n, step)
    return [(0, end, np.arange(end, min(end + horizon, n))) for end in ends]


class _ARBenchmark:
    """statsmodels AutoReg with the order by AIC, Gaussian intervals."""

    def __init__(self, max_lags):
        self.max_lags = max_lags

    def fit(self, y):
        from statsmodels.tsa.ar_model import AutoReg, ar_select_order

        maxlag = int(max(1, min(self.max_lags, len(y) // 3)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lags = ar_select_order(y, maxlag=maxlag, ic="aic",
                                   trend="c").ar_lags
            self.p = max(lags) if lags else 0
            res = AutoReg(y, lags=self.p, trend="c").fit()
        self.const, self.phi = res.params[0], np.asarray(res.params[1:])
        self.sigma = float(np.sqrt(res.sigma2))
        psi = np.zeros(400)
        psi[0] = 1.0
        for j in range(1, len(psi)):
            psi[j] = sum(self.phi[i] * psi[j - 1 - i]
                         for i in range(min(self.p, j)))
        self.sd = self.sigma * np.sqrt(np.cumsum(psi ** 2))
        return self

    def forecast(self, y, steps, levels):
        from scipy.stats import norm

        path = list(y[-self.p:]) if self.p else []
        out = []
        for _ in range(steps):
            value = self.const + sum(self.phi[i] * path[-1 - i]
                                     for i in range(self.p))
            path.append(value)
            out.append(value)
        point = np.array(out)
        sd = self.sd[:steps] if steps <= len(self.sd) else np.r_[
            self.sd, np.full(steps - len(self.sd), self.sd[-1])]
        bands = {}
        for lev in levels:
            z = norm.ppf((1 + lev) / 2)
            bands[f"lower_{lev:g}"] = point - z * sd
            bands[f"upper_{lev:g}"] = point + z * sd
        return point, bands


def backtest(forecaster, data, horizon, *, lags="auto", target=None,
             test_size=0.2, step=1, refit_every=1, window="expanding",
             max_train_size=None, level=(0.8, 0.95), cv=None,
             benchmark=True, max_ar_lags=None):
    """Rolling-origin evaluation of a forecaster, beside AR(AIC).

    At each origin the forecaster (an unfitted :class:`SequenceForecaster`
    or :class:`ForecastCombination`, cloned) is refitted on the history --
    or the last refit is reused, with ``refit_every`` -- and forecasts
    ``horizon`` periods with prediction intervals; the errors are collected
    per horizon. With covariates (a DataFrame), the forecasts are
    conditional on their realised future values (``exog_future``), as they
    would be with known-future regressors or scenario paths. statsmodels'
    AutoReg with the order chosen by AIC (constant, Gaussian intervals),
    refitted at the same origins, is measured beside it. The stationarity
    decision of ``difference='auto'`` is made once, on the first history,
    and kept for every refit, so that the model does not flip between
    levels and changes as the sample grows.

    Parameters
    ----------
    forecaster : SequenceForecaster, ForecastCombination or PanelForecaster
        The configuration to evaluate (its fitted state is ignored). A
        :class:`ForecastCombination` is refitted on each history (a
        Series: no covariates), its forecaster with the windows of
        ``lags`` and the stationarity decision of the first fit.
    data : pandas.Series or pandas.DataFrame
        The series, indexed by a PeriodIndex or DatetimeIndex; or, for a
        :class:`PanelForecaster`, a panel in long format: the origins are
        then counted from the end of every series, each refit forecasts
        every series, and AR(AIC) is fitted per series (see
        :class:`BacktestResult` for the pooled, scaled scores).
    horizon : int
        Forecast periods per origin.
    lags : int or 'auto', default='auto'
        Window length, as for :func:`make_windows`.
    target : str or None, default=None
        Column of a DataFrame to forecast.
    test_size : float or int, default=0.2
        The origins are the last ``test_size`` periods (a share if a
        float), every ``step``-th; horizons running past the end of the
        data are evaluated where observed.
    step : int, default=1
        Periods between origins.
    refit_every : int, default=1
        Refit the models every this many origins (1: at every origin).
    window : {'expanding', 'rolling'}, default='expanding'
        Fit on all history, or on the last ``max_train_size`` periods.
    max_train_size : int or None, default=None
        Length of the rolling window (as in TimeSeriesSplit).
    level : float or sequence of float, default=(0.8, 0.95)
        Coverages of the evaluated intervals.
    cv : splitter or None, default=None
        Instead of ``test_size``/``step``/``window``, a splitter with
        scikit-learn's ``split`` convention, e.g.
        ``TimeSeriesSplit(n_splits=5, test_size=4)``: the model is fitted
        on each training set (contiguous, in time order) and forecasts
        its test periods, at horizons counted from the end of training
        (so ``gap`` gives longer horizons).
    benchmark : bool, default=True
        Whether to evaluate AR(AIC) beside the forecaster.
    max_ar_lags : int or None, default=None
        Largest AR order the benchmark considers; None: the window length.

    Returns
    -------
    result : BacktestResult
        ``forecasts`` (every forecast), ``scores`` per model and horizon,
        and ``relative()`` for ratios to AR(AIC).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import SequenceForecaster, backtest
    >>> rng = np.random.default_rng(0)
    >>> e = rng.standard_normal(160)
    >>> y = pd.Series(np.convolve(e, 0.6 ** np.arange(20))[:160],
    ...               index=pd.period_range("1980Q1", periods=160, freq="Q"))
    >>> result = backtest(SequenceForecaster(max_iter=20, random_state=0),
    ...                   y, horizon=4, test_size=8, refit_every=4)
    >>> result.scores.index.names
    FrozenList(['model', 'horizon'])
    """
    from ._panel import PanelForecaster
    from ._panel_data import is_panel

    if max_ar_lags is not None:
        max_ar_lags = _check_count(max_ar_lags, "max_ar_lags")
    if isinstance(forecaster, PanelForecaster) or is_panel(data):
        if lags != "auto" or target is not None or window != "expanding" \
                or cv is not None:
            raise ValueError(
                "For a panel, backtest takes expanding origins from the end "
                "of every series (test_size, step, refit_every); lags are "
                "the PanelForecaster's, and target, window, max_train_size "
                "and cv are not supported.")
        from ._panel_backtest import panel_backtest

        return panel_backtest(forecaster, data, horizon, test_size=test_size,
                              step=step, refit_every=refit_every,
                              level=level, benchmark=benchmark,
                              max_ar_lags=max_ar_lags)
    if not isinstance(forecaster, (SequenceForecaster, ForecastCombination)):
        raise TypeError("forecaster must be a SequenceForecaster or a "
                        "ForecastCombination (or, for a panel, a "
                        f"PanelForecaster); got {type(forecaster).__name__}.")
    frame = arrange_series(data, target)
    horizon = _check_count(horizon, "horizon")
    step = _check_count(step, "step")
    refit_every = _check_count(refit_every, "refit_every")
    if window not in ("expanding", "rolling"):
        raise ValueError("window must be 'expanding' or 'rolling'; got "
                         f"{window!r}.")
    if window == "rolling":
        max_train_size = _check_count(max_train_size, "max_train_size")
    levels = list(_check_levels(level))
    n = len(frame)
    values = frame.iloc[:, 0].to_numpy(dtype=np.float64)
    m = seasonal_period(frame.index)
    origins = _origins(n, horizon, test_size, step, cv)
    if lags == "auto":
        from ._windows import auto_lags

        lags = auto_lags(frame.index[:origins[0][1]])
    ar_bench = _ARBenchmark(lags if max_ar_lags is None else max_ar_lags)

    rows, model, decided = [], None, None
    for k, (start, end, test) in enumerate(origins):
        if window == "rolling":
            start = max(start, end - max_train_size)
        history = frame.iloc[start:end]
        steps = int(test[-1]) - end + 1 if len(test) else horizon
        if k % refit_every == 0 or model is None:
            model = _refit(forecaster, history, lags, decided)
            decided = bool(model.difference_)
            if benchmark:
                ar_bench.fit(values[start:end])
        # covariates: their realised values (a forecast conditional on them)
        exog = frame.iloc[end:end + steps, 1:] if frame.shape[1] > 1 \
            else None
        fc = model.forecast(history, steps, exog_future=exog, level=levels)
        models = [("forecaster", fc["forecast"].to_numpy(),
                   {c: fc[c].to_numpy() for c in fc.columns[1:]})]
        if benchmark:
            point, bands = ar_bench.forecast(values[start:end], steps, levels)
            models.append((_BENCHMARK, point, bands))
        for name, point, bands in models:
            for pos in test:
                h = int(pos) - end + 1
                row = {"model": name, "origin": frame.index[end - 1],
                       "period": frame.index[pos], "horizon": h,
                       "actual": values[pos], "forecast": point[h - 1]}
                row.update({c: v[h - 1] for c, v in bands.items()})
                rows.append(row)
    forecasts = pd.DataFrame(rows)
    first_end = origins[0][1]
    train = values[:first_end]
    naive = np.mean(np.abs(train[m:] - train[:-m])) if len(train) > m \
        else np.nan
    return BacktestResult(forecasts, _scores(forecasts, levels, naive), m,
                          bool(model.difference_))


def _refit(forecaster, history, lags, difference):
    """A clone of ``forecaster`` fitted on ``history`` with windows of
    ``lags`` periods and the stationarity decision ``difference`` (None:
    its own). A :class:`SequenceForecaster` is fitted on the windows, a
    :class:`ForecastCombination` on the series (its forecaster gets the
    decision)."""
    model = clone(forecaster)
    if isinstance(model, ForecastCombination):
        inner = clone(model.forecaster or SequenceForecaster())
        if difference is not None:
            inner.set_params(difference=difference)
        return model.set_params(forecaster=inner, lags=lags).fit(history)
    if difference is not None:
        model.set_params(difference=difference)
    X, y = make_windows(history, lags=lags,
                        known_future=model.known_future)
    return model.fit(X, y)


def _scores(forecasts, levels, naive_mae):
    def per_group(g):
        err = g["actual"] - g["forecast"]
        out = {"n": len(g), "rmse": float(np.sqrt(np.mean(err ** 2))),
               "mae": float(np.mean(np.abs(err)))}
        out["mase"] = out["mae"] / naive_mae if naive_mae > 0 else np.nan
        for lev in levels:
            inside = (g["actual"] >= g[f"lower_{lev:g}"]) & \
                (g["actual"] <= g[f"upper_{lev:g}"])
            out[f"coverage_{lev:g}"] = float(inside.mean())
        return pd.Series(out)

    groups = forecasts.groupby(["model", "horizon"], sort=True)
    return pd.DataFrame({key: per_group(g) for key, g in groups}).T \
        .rename_axis(["model", "horizon"]).astype({"n": int})
