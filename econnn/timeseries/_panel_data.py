"""Long-format panels: validation, one series at a time, and their windows.

A panel is many related series in long format: a pandas Series or DataFrame
indexed by a (series id, period) MultiIndex, or indexed by period with the
series id in a column. Every check of a single series
(:func:`~econnn.timeseries._windows.arrange_series`) is applied to each
series, and the checks only a panel needs -- duplicate (id, period) pairs,
mixed or irregular frequencies -- are added here.
"""

import math

import numpy as np
import pandas as pd

from ._linear import decide_difference
from ._windows import _future_index, arrange_series, time_frequency

__all__ = ["is_panel", "split_panel", "panel_windows", "stack_panel",
           "arrange_variables", "decide_series", "scale_covariates",
           "standardise", "future_covariates"]


def is_panel(data, id_column=None):
    """Whether ``data`` is a long-format panel (or asked to be read as one)."""
    return id_column is not None or isinstance(
        getattr(data, "index", None), pd.MultiIndex)


def _as_multiindexed(data, id_column, name):
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        raise TypeError(f"{name} must be a pandas Series or DataFrame in "
                        f"long format; got {type(data).__name__}.")
    if id_column is not None:
        if not isinstance(data, pd.DataFrame) or \
                id_column not in data.columns:
            columns = list(data.columns) if isinstance(
                data, pd.DataFrame) else []
            raise ValueError(f"id_column={id_column!r} is not a column of "
                             f"{name}; columns are {columns}.")
        if isinstance(data.index, pd.MultiIndex):
            raise ValueError(f"{name} has both a MultiIndex and id_column="
                             f"{id_column!r}; give the series id one way.")
        if data[id_column].isna().any():
            raise ValueError(f"{name}'s id column {id_column!r} has missing "
                             "values.")
        data = data.set_index(id_column, append=True)
        data = data.reorder_levels([1, 0])
    index = data.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise TypeError(
            f"A panel must be indexed by a (series id, period) MultiIndex "
            f"or name its id column (id_column=...); {name} is indexed by a "
            f"{type(index).__name__} with {index.nlevels} level(s).")
    periods = index.get_level_values(1)
    if not isinstance(periods, (pd.DatetimeIndex, pd.PeriodIndex)):
        values = [p for p in periods if isinstance(p, pd.Period)]
        if values and len(values) == len(periods):
            freqs = sorted({p.freqstr for p in values})
            raise ValueError(
                f"{name} mixes frequencies {freqs}: every series of a panel "
                "must have the same frequency (convert them first, e.g. "
                "with resample or asfreq).")
        raise TypeError(
            f"The second level of {name}'s index must be the period (a "
            f"DatetimeIndex or PeriodIndex); got {type(periods).__name__} "
            f"of dtype {periods.dtype}.")
    ids = index.get_level_values(0)
    if ids.hasnans:
        raise ValueError(f"{name} has missing series ids.")
    if index.duplicated().any():
        pair = index[index.duplicated()][0]
        raise ValueError(f"{name} has duplicate (id, period) pairs, e.g. "
                         f"{pair!r}; one row per series and period is "
                         "needed.")
    return data


def split_panel(data, id_column=None, name="data"):
    """Validate a long-format panel and split it into its series.

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        Indexed by a (series id, period) MultiIndex, or by period with the
        series ids in column ``id_column``. Rows of different series may
        interleave; within a series, periods must increase.
    id_column : str or None, default=None
        Column holding the series id.
    name : str, default='data'
        Argument name used in error messages.

    Returns
    -------
    series : dict
        Series id -> time-indexed DataFrame (as
        :func:`~econnn.timeseries._windows.arrange_series` returns), in
        order of first appearance.
    names : tuple
        Names of the id and period levels.
    """
    data = _as_multiindexed(data, id_column, name)
    names = tuple(data.index.names)
    out, freqs = {}, {}
    for key in data.index.get_level_values(0).unique():
        part = data.xs(key, level=0, drop_level=True)
        label = f"series {key!r} of {name}"
        frame = arrange_series(part, name=label)
        freq = time_frequency(frame.index)
        if freq is not None:
            freqs[key] = freq[1]
        out[key] = frame
    if len(set(freqs.values())) > 1:
        first = next(iter(freqs))
        other = next(k for k in freqs if freqs[k] != freqs[first])
        raise ValueError(
            f"{name} mixes frequencies: series {first!r} has frequency "
            f"{freqs[first]!r} and series {other!r} {freqs[other]!r}; every "
            "series of a panel must have the same frequency.")
    return out, names


def stack_panel(parts, names):
    """Long-format output from per-series pandas objects (id -> object)."""
    return pd.concat(parts, names=[names[0]]).rename_axis(
        [names[0], names[1]])


def panel_windows(data, lags="auto", horizon=1, target=None,
                  known_future=None, id_column=None):
    """Windows of every series of a panel, stacked; none crosses two series.

    Each series is cut by :func:`~econnn.timeseries._windows.make_windows`
    on its own, so a window never holds periods of two series.
    ``lags='auto'`` is chosen on the shortest series. The target is indexed
    by (series id, target period). See :func:`make_windows`.
    """
    from ._windows import _check_count, auto_lags, make_windows

    series, names = split_panel(data, id_column)
    horizon = _check_count(horizon, "horizon")
    if isinstance(lags, str) and lags == "auto":
        shortest = min(series.values(), key=len)
        lags = auto_lags(shortest.index, horizon)
    lags = _check_count(lags, "lags")
    short = {k: len(f) for k, f in series.items() if len(f) < lags + horizon}
    if short:
        raise ValueError(
            f"series {list(short)} have {list(short.values())} periods, "
            f"fewer than lags + horizon = {lags + horizon} needed for one "
            "window; drop them or use shorter windows.")
    Xs, ys = [], {}
    for key, frame in series.items():
        X, y = make_windows(frame, lags=lags, horizon=horizon, target=target,
                            known_future=known_future)
        Xs.append(X)
        ys[key] = y
    return np.concatenate(Xs), stack_panel(ys, names)


def arrange_variables(series, target=None, variables=None, name="X"):
    """Every series with its target first and the same covariates.

    Parameters
    ----------
    series : dict
        Series id -> time-indexed DataFrame (from :func:`split_panel`).
    target : str or None, default=None
        Column to forecast; None means the first column.
    variables : list or None, default=None
        The variables seen at fit (target first); when given, the columns
        must be these (in any order).
    name : str, default='X'
        Argument name used in error messages.

    Returns
    -------
    series : dict
        Series id -> DataFrame, target first, covariates in the order of
        ``variables`` (or of the first series).
    """
    first = next(iter(series.values()))
    columns = list(first.columns)
    if variables is None:
        if target is None:
            target = columns[0]
        elif target not in columns:
            raise ValueError(f"target={target!r} is not a column of {name}; "
                             f"columns are {columns}.")
        variables = [target] + [c for c in columns if c != target]
    else:
        missing = [c for c in variables if c not in columns]
        extra = [c for c in columns if c not in variables]
        if missing or extra:
            raise ValueError(
                f"{name} has columns {columns}, but the model was fitted "
                f"on {list(variables)} (target {variables[0]!r} first): "
                + (f"missing {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unknown {extra}" if extra else "") + ".")
    return {k: f[variables] for k, f in series.items()}


def scale_covariates(series, table):
    """Per series, the location and scale of each covariate.

    A covariate follows its series' target: it is differenced when the
    target is (``table['difference']``), then standardised by its own mean
    and standard deviation over that series (a constant one gets scale 1).

    Returns
    -------
    scaling : pandas.DataFrame
        One row per series; columns (covariate, 'location' | 'scale').
    """
    rows = {}
    for key, frame in series.items():
        values = frame.iloc[:, 1:].to_numpy(dtype=np.float64)
        if table.loc[key, "difference"]:
            values = np.diff(values, axis=0)
        loc = values.mean(axis=0) if len(values) else \
            np.zeros(values.shape[1])
        sd = values.std(axis=0) if len(values) else np.ones(values.shape[1])
        sd = np.where(sd > 1e-12 * np.maximum(1.0, np.abs(loc)), sd, 1.0)
        rows[key] = {(c, stat): v for c, lo, sc in zip(frame.columns[1:],
                                                       loc, sd)
                     for stat, v in (("location", lo), ("scale", sc))}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns = pd.MultiIndex.from_tuples(out.columns,
                                            names=["covariate", "statistic"])
    return out


def decide_series(series, difference, handed_down=None):
    """Per-series levels or changes, and the standardisation of each.

    Parameters
    ----------
    series : dict
        Series id -> time-indexed DataFrame, target first.
    difference : 'auto' or bool
        As for :class:`SequenceForecaster`: 'auto' runs ADF and KPSS on
        each series (:func:`~econnn.timeseries._linear.decide_difference`).
    handed_down : dict or None, default=None
        Series id -> decision already made (by :func:`backtest`'s first
        fit), kept without testing again.

    Returns
    -------
    table : pandas.DataFrame
        One row per series: ``n_periods``, ``difference``, ``adf_pvalue``,
        ``kpss_pvalue``, ``location`` and ``scale`` (mean and standard
        deviation of the levels, or of the changes when differenced; a
        constant series gets scale 1).
    """
    rows = {}
    handed_down = handed_down or {}
    for key, frame in series.items():
        y = frame.iloc[:, 0].to_numpy(dtype=np.float64)
        tests = {"adf_pvalue": None, "kpss_pvalue": None}
        if key in handed_down:
            d = bool(handed_down[key])
        elif difference == "auto":
            d, tests = decide_difference(y)
        else:
            d = bool(difference)
        z = np.diff(y) if d else y
        loc = float(z.mean()) if len(z) else 0.0
        scale = float(z.std()) if len(z) else 1.0
        rows[key] = {"n_periods": len(y), "difference": d, **tests,
                     "location": loc,
                     "scale": scale if scale > 1e-12 * max(1.0, abs(loc))
                     else 1.0}
    return pd.DataFrame.from_dict(rows, orient="index")


def standardise(frame, row, covariates=None, known=(), horizon=1):
    """A series' variables as the global model sees them.

    Parameters
    ----------
    frame : pandas.DataFrame
        One series, target first (rows after its history may hold future
        covariates, the target NaN).
    row : pandas.Series
        Its row of :func:`decide_series`' table.
    covariates : pandas.Series or None, default=None
        Its row of :func:`scale_covariates` (None without covariates).
    known : sequence of bool, default=()
        Per covariate, whether it is known in the future: those columns are
        moved ``horizon`` rows earlier (the last ``horizon`` become NaN),
        as :func:`make_windows` does.
    horizon : int, default=1

    Returns
    -------
    z : ndarray of shape (n_periods [- 1 when differenced], n_variables)
        Levels or changes (``row['difference']``), standardised per
        variable; column 0 is the target.
    """
    values = frame.to_numpy(dtype=np.float64)
    if row["difference"]:
        values = np.diff(values, axis=0)
    loc, scale = [row["location"]], [row["scale"]]
    if values.shape[1] > 1:
        names = frame.columns[1:]
        loc += [covariates[(c, "location")] for c in names]
        scale += [covariates[(c, "scale")] for c in names]
    z = (values - np.asarray(loc)) / np.asarray(scale)
    lead = np.flatnonzero(np.r_[False, np.asarray(known, dtype=bool)])
    if len(lead):
        z[:, lead] = np.r_[z[horizon:, lead],
                           np.full((min(horizon, len(z)), len(lead)), np.nan)
                           ][:len(z)]
    return z


def future_covariates(exog_future, series, keys, steps, *, variables, known,
                      horizon, freq, id_column, owner):
    """Each forecast series' future rows (periods after its end; target
    NaN) from ``exog_future``, or None when none are needed.

    As in :meth:`SequenceForecaster.forecast`: known-future covariates
    (``known``, one flag per covariate) are needed for every forecast
    period (``n_blocks * horizon`` of them), the others for the periods
    forecast after the first block (they are not forecast: a multi-step
    forecast conditions on the path given). ``variables`` are the fitted
    columns (target first), ``freq`` the fitted frequency, ``owner`` the
    estimator's name for messages.
    """
    covariates = variables[1:]
    if exog_future is not None and not covariates:
        raise ValueError(
            f"exog_future was given, but this {owner} was fitted without "
            f"covariates (X had the target {variables[0]!r} "
            "alone); fit it on a panel with covariate columns, or drop "
            "exog_future.")
    needed = (math.ceil(steps / horizon) - 1) * horizon
    rows = {c: needed + (horizon if k else 0)
            for c, k in zip(covariates, known)}
    most = max(rows.values(), default=0)
    if not most:
        return None
    wanted = [c for c in covariates if rows[c]]
    if exog_future is None:
        raise ValueError(
            f"Forecasting {steps} period(s) with covariates needs their "
            f"future values: pass exog_future, laid out as X (long "
            f"format, by (id, period)), with columns {wanted} for the "
            f"{most} period(s) after the end of each series forecast.")
    if not isinstance(exog_future, (pd.Series, pd.DataFrame)):
        raise TypeError(
            "exog_future must be a pandas DataFrame in long format, "
            "indexed like X by (series id, period); got "
            f"{type(exog_future).__name__}.")
    future, _ = split_panel(exog_future, id_column,
                            name="exog_future")
    columns = list(next(iter(future.values())).columns)
    if variables[0] in columns:
        raise ValueError(
            f"exog_future has the target column {variables[0]!r}; "
            "it holds the covariates' future values only.")
    unknown = [c for c in columns if c not in covariates]
    if unknown:
        raise ValueError(f"exog_future has column(s) {unknown} that are "
                         f"not covariates of the model ({covariates}).")
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise ValueError(f"exog_future lacks the covariate column(s) "
                         f"{missing}.")
    stray = [k for k in future if k not in series]
    if stray:
        raise ValueError(f"exog_future has series {stray} that are not "
                         "in X.")
    absent = [k for k in keys if k not in future]
    if absent:
        raise ValueError(
            f"exog_future has no rows for series {absent}; every series "
            "forecast needs its covariates' future values.")
    out = {}
    for key in keys:
        periods = _future_index(series[key].index, most)
        given = future[key]
        if isinstance(given.index, pd.PeriodIndex) and \
                given.index.freqstr != freq:
            raise ValueError(
                f"exog_future has frequency {given.index.freqstr!r}, "
                f"but {owner} was fitted on {freq!r}.")
        if given.index[0] != periods[0]:
            raise ValueError(
                f"exog_future for series {key!r} starts at "
                f"{given.index[0]}; it must start at {periods[0]}, the "
                "period after that series' end in X.")
        if len(given) < most:
            raise ValueError(
                f"exog_future has {len(given)} period(s) for series "
                f"{key!r}; forecasting {steps} period(s) needs "
                f"{most} (up to {periods[-1]}).")
        if not given.index[:most].equals(periods):
            raise ValueError(
                f"exog_future for series {key!r} has periods "
                f"{list(map(str, given.index[:most]))}; the forecast needs "
                f"{list(map(str, periods))}.")
        frame = pd.DataFrame(np.nan, index=periods,
                             columns=variables)
        for c in wanted:
            frame[c] = given[c].to_numpy(dtype=np.float64)[:rows[c]]
        out[key] = frame
    return out
