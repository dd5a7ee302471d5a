"""From a time series to the windows a sequence network learns from."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd

from .._validation import check_numeric

__all__ = ["make_windows"]


def _check_count(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, Integral) or \
            value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got "
                         f"{value!r}.")
    return int(value)


def _check_levels(level, name="level"):
    """Probabilities in (0, 1) as a 1-D float array, each labelled once.

    A result column is named after each value (``lower_0.9``, ``q0.1``),
    so two values with the same label would give two columns of one name.
    """
    values = np.atleast_1d(np.asarray(level))
    if values.dtype.kind not in "iuf" or values.ndim != 1 or \
            values.size == 0 or not ((values > 0) & (values < 1)).all():
        raise ValueError(f"{name} must be a probability in (0, 1) or a "
                         f"sequence of them, e.g. 0.9; got {level!r}.")
    labels = [f"{v:g}" for v in values]
    if len(set(labels)) < len(labels):
        raise ValueError(f"{name} has repeated values {level!r} (as "
                         f"labelled: {labels}); give each once.")
    return values.astype(np.float64)


def _check_names(names, name):
    """A list of column names, refusing one string (read as characters)."""
    if names is None:
        return []
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"{name} must be a list of column names or None; "
                        f"got {names!r}.")
    return list(names)


def time_frequency(index):
    """The frequency of a time index as ``(kind, freqstr)``, or None.

    A DatetimeIndex without a set frequency gets the inferred one; None
    where there is none (fewer than three periods, or irregular).
    """
    if isinstance(index, pd.PeriodIndex):
        return "period", index.freqstr
    freq = index.freqstr if index.freq is not None else (
        pd.infer_freq(index) if len(index) >= 3 else None)
    return None if freq is None else ("datetime", freq)


def _future_index(index, steps):
    """The ``steps`` periods after a time index, with its frequency."""
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=steps, freq=index.freq)
    freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
    if freq is None:
        raise ValueError(
            "Cannot infer the frequency of history's DatetimeIndex; give it "
            "one, e.g. history.asfreq('QS'), or use a PeriodIndex.")
    return pd.date_range(index[-1], periods=steps + 1, freq=freq)[1:]


def check_exog_future(exog_future, frame):
    """``exog_future`` as a DataFrame of covariate columns, refusing
    other columns and periods other than those after ``frame`` (a history,
    target first)."""
    covariates = list(frame.columns[1:])
    if not covariates:
        raise ValueError(
            "exog_future was given, but history has no covariates (the "
            f"target {frame.columns[0]!r} alone); drop exog_future.")
    if not isinstance(exog_future, pd.DataFrame):
        exog_future = np.asarray(exog_future)
        if exog_future.ndim != 2 or exog_future.shape[1] != len(covariates):
            raise ValueError(
                "exog_future must have one column per covariate "
                f"{covariates}; got shape {exog_future.shape}.")
        exog_future = pd.DataFrame(exog_future, columns=covariates)
    check_numeric(exog_future, "exog_future")
    unknown = [c for c in exog_future.columns if c not in covariates]
    if unknown:
        missing = [c for c in covariates if c not in exog_future.columns]
        lacks = f"lacks the covariate column(s) {missing} and " \
            if missing else ""
        raise ValueError(
            f"exog_future {lacks}has column(s) {unknown} that are not "
            f"covariates of history ({covariates}; the target "
            f"{frame.columns[0]!r} is forecast, not given).")
    index = exog_future.index
    if isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex)) and len(index):
        periods = _future_index(frame.index, len(index))
        if not index.equals(periods):
            raise ValueError(
                f"exog_future has periods {index[0]} to {index[-1]}; they "
                f"must be {periods[0]} to {periods[-1]}, the periods after "
                "history's end (or give it a RangeIndex: rows in order).")
    return exog_future


def series_record(y, n_variables, known_future):
    """What windows' targets ``y`` say of their series, to check a
    forecast's history against: ``(variables, frequency)``, each None
    when unknown (``y`` not from :func:`make_windows`).

    Refuses a ``known_future`` that the windows cannot hold or were not
    made with (its columns would not be led).
    """
    known = list(known_future or ())
    if len(known) > n_variables - 1:
        raise ValueError(
            f"known_future={known} names {len(known)} covariate(s), but the "
            f"windows have {n_variables - 1}.")
    attrs = getattr(y, "attrs", {})
    if "known_future" in attrs and list(attrs["known_future"]) != known:
        raise ValueError(
            f"The windows were made with known_future="
            f"{attrs['known_future']}, but the forecaster has known_future="
            f"{known_future!r}; pass the same list to make_windows and the "
            "forecaster.")
    variables = attrs.get("variables")
    if variables is not None and len(variables) != n_variables:
        variables = None
    index = getattr(y, "index", None)
    frequency = time_frequency(index) if isinstance(
        index, (pd.PeriodIndex, pd.DatetimeIndex)) else None
    return (None if variables is None else list(variables)), frequency


#: the column name of an unnamed Series
_UNNAMED = 0


def check_history(frame, variables, frequency, owner, name="history"):
    """Refuse a history (target first) whose columns or frequency differ
    from those :func:`series_record` kept (None: not checked). A
    univariate series without a name (``pd.concat`` drops it) matches a
    univariate model whatever its name, and a named one an unnamed model:
    with one column nothing can be read in the wrong place."""
    columns = list(frame.columns)
    if variables is not None and len(variables) == len(columns) == 1 and \
            _UNNAMED in (columns[0], variables[0]):
        columns = variables
    if variables is not None and columns != variables:
        raise ValueError(
            f"{name} has columns {list(frame.columns)} (target first), but "
            f"{owner} was fitted on windows of {variables}; give it the "
            "same columns.")
    given = time_frequency(frame.index)
    if frequency is None or given is None:
        return
    if frequency[0] == given[0]:
        differ = tuple(frequency) != given
    else:  # periods against dates: compare the spacing, not the anchor
        spacing, fitted = _spacing(given), _spacing(frequency)
        differ = None not in (spacing, fitted) and spacing != fitted
    if differ:
        kinds = ("" if frequency[0] == given[0] else
                 f" (a {given[0]} index, the model's a {frequency[0]} one)")
        raise ValueError(f"{name} has frequency {given[1]!r}, but {owner} "
                         f"was fitted on {frequency[1]!r}{kinds}.")


def _spacing(frequency):
    """A frequency as the period spacing it implies, without the anchor
    ('QS-OCT' dates and 'Q-DEC' periods are both 'Q'); None where dates'
    frequency has no period equivalent."""
    kind, freq = frequency
    if kind == "datetime":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            try:
                freq = pd.date_range("2000-01-01", periods=2,
                                     freq=freq).to_period().freqstr
            except (ValueError, TypeError):
                return None
    return freq.split("-")[0]


def arrange_series(data, target=None, name="data"):
    """Validate a time-indexed series and put the target variable first.

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        Observations in time order, indexed by a DatetimeIndex or PeriodIndex.
    target : str or None, default=None
        Column of a DataFrame to forecast; None means the first column.
    name : str, default='data'
        Argument name used in error messages.

    Returns
    -------
    frame : pandas.DataFrame
        ``data`` with the target as the first column.
    """
    if isinstance(data, pd.Series):
        if target is not None and target != data.name:
            raise ValueError(f"target={target!r} is not the name of the "
                             f"Series {name} ({data.name!r}).")
        data = data.to_frame(name=_UNNAMED if data.name is None
                             else data.name)
    elif not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas Series or DataFrame "
                        f"indexed by time; got {type(data).__name__}.")
    if not isinstance(data.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        raise TypeError(
            f"{name} must be indexed by time (a DatetimeIndex or "
            f"PeriodIndex); got a {type(data.index).__name__}.")
    if data.index.hasnans:
        raise ValueError(f"{name}'s index has missing timestamps (NaT).")
    if not data.index.is_monotonic_increasing:
        raise ValueError(f"{name} must be sorted by time.")
    if not data.index.is_unique:
        repeated = data.index[data.index.duplicated()][0]
        raise ValueError(f"{name} has duplicate timestamps (e.g. "
                         f"{repeated}); one row per period is needed.")
    if isinstance(data.index, pd.DatetimeIndex) and len(data) >= 3 and \
            time_frequency(data.index) is None:
        raise ValueError(
            f"{name} has irregular dates (no frequency can be inferred: a "
            "missing or extra date?); windows need consecutive periods. "
            "Give the DatetimeIndex a frequency with .asfreq (gaps become "
            "NaN, to fill) or use a PeriodIndex.")
    if isinstance(data.index, pd.PeriodIndex) and len(data) > 1:
        # ordinals count the frequency's base unit ('2Q': steps of 2)
        gaps = np.diff(data.index.asi8) != data.index.freq.n
        if gaps.any():
            gap = int(np.argmax(gaps))
            raise ValueError(
                f"{name} has missing periods between {data.index[gap]} and "
                f"{data.index[gap + 1]}; windows need consecutive periods.")
    if data.shape[1] == 0:
        raise ValueError(f"{name} has no columns.")
    if not data.columns.is_unique:
        raise ValueError(f"{name} has duplicate column names "
                         f"{list(data.columns)}; one per variable.")
    check_numeric(data, name)
    if target is not None:
        if target not in data.columns:
            raise ValueError(f"target={target!r} is not a column of {name}; "
                             f"columns are {list(data.columns)}.")
        data = data[[target] + [c for c in data.columns if c != target]]
    values = data.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values; fill or "
                         "drop them first.")
    return data


def auto_lags(index, horizon=1):
    """Window length for ``lags='auto'``: two seasonal cycles and a period.

    25 for monthly data, 9 for quarterly, 8 otherwise, but no more than a
    quarter of the sample (so that there are windows to learn from).
    """
    from ._linear import seasonal_period

    lags = max(8, 2 * seasonal_period(index) + 1)
    return int(max(1, min(lags, (len(index) - horizon) // 4)))


def lead_known_future(frame, known_future, horizon):
    """``frame`` with the known-future columns moved ``horizon`` rows earlier.

    Row t of a known-future column then holds its value at t + horizon, so
    that the last ``horizon`` rows of a window ending at T hold the values
    of the periods forecast. The last ``horizon`` rows of those columns
    become NaN.
    """
    known = _check_names(known_future, "known_future")
    if not known:
        return frame
    missing = [c for c in known if c not in frame.columns]
    if missing:
        raise ValueError(f"known_future column(s) {missing} are not columns "
                         f"of data; columns are {list(frame.columns)}.")
    if frame.columns[0] in known:
        raise ValueError(f"known_future cannot include the target "
                         f"{frame.columns[0]!r}.")
    frame = frame.copy()
    frame[known] = frame[known].shift(-horizon)
    return frame


def make_windows(data, lags="auto", horizon=1, target=None,
                 known_future=None, id_column=None):
    """Cut a time series into windows of past values and future targets.

    Window ``i`` holds the ``lags`` most recent observations of every
    variable before the target period; its target is the value of the
    ``target`` variable in that period (and the ``horizon - 1`` periods
    after it, for direct multi-step forecasts).

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        Observations in time order, indexed by a DatetimeIndex or PeriodIndex,
        without missing values.
    lags : int or 'auto', default='auto'
        Window length (number of past periods the model sees). 'auto':
        two seasonal cycles plus a period for monthly (25) and quarterly (9)
        data, 8 otherwise, at most a quarter of the sample. The forecaster
        chooses its AR order within the window (by AIC), so a generous
        window costs little.
    horizon : int, default=1
        Number of future periods forecast directly from each window.
    target : str or None, default=None
        Column of a DataFrame to forecast; None means the first column.
    known_future : sequence of str or None, default=None
        Covariates whose values in the forecast periods are known when
        forecasting (calendar effects, announced policy, scenario paths).
        They enter each window ``horizon`` periods ahead: the last
        ``horizon`` rows of a window hold their values in the target
        periods. Pass the same list to
        ``SequenceForecaster(known_future=...)``, and their future values
        to ``forecast(..., exog_future=...)``.
    id_column : str or None, default=None
        For a panel indexed by period, the column holding the series id.
        A panel (this, or data indexed by a (series id, period) MultiIndex)
        is cut series by series, so that no window holds periods of two
        series; ``y`` is then indexed by (series id, period) and
        ``lags='auto'`` is chosen on the shortest series. To fit one model
        to a panel with per-series scaling and differencing, use
        :class:`PanelForecaster`.

    Returns
    -------
    X : ndarray of shape (n_windows, lags, n_variables)
        The windows; variable 0 is the target, the others follow in the
        order of ``data``'s columns (the layout
        :class:`SequenceForecaster` expects).
    y : pandas.Series of shape (n_windows,) or DataFrame (n_windows, horizon)
        The target in the period after each window, indexed by that period;
        for ``horizon > 1`` columns ``'h1', ..., 'hH'`` hold the values 1 to
        H periods after the window. ``y.attrs`` records the variables
        (``'variables'``, target first) and ``'known_future'``;
        :class:`SequenceForecaster` keeps them at fit and checks the
        history it forecasts from against them.

    Examples
    --------
    >>> import pandas as pd
    >>> from econnn import make_windows
    >>> s = pd.Series(range(6), index=pd.period_range("2000", periods=6,
    ...                                               freq="Y"), name="gdp")
    >>> X, y = make_windows(s, lags=3)
    >>> X.shape
    (3, 3, 1)
    >>> X[0, :, 0], y.iloc[0], str(y.index[0])
    (array([0., 1., 2.]), np.float64(3.0), '2003')
    """
    from ._panel_data import is_panel, panel_windows

    if is_panel(data, id_column):
        return panel_windows(data, lags, horizon, target, known_future,
                             id_column)
    horizon = _check_count(horizon, "horizon")
    frame = arrange_series(data, target)
    if isinstance(lags, str) and lags == "auto":
        lags = auto_lags(frame.index, horizon)
    lags = _check_count(lags, "lags")
    values = lead_known_future(frame, known_future, horizon).to_numpy(
        dtype=np.float64)
    n_windows = len(frame) - lags - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"data has {len(frame)} periods, fewer than lags + horizon = "
            f"{lags + horizon} needed for one window.")
    # strided views, copied once: rows i..i+lags-1 of every variable
    X = np.lib.stride_tricks.sliding_window_view(values, lags, axis=0)
    X = np.ascontiguousarray(X[:n_windows].transpose(0, 2, 1))
    targets = np.lib.stride_tricks.sliding_window_view(
        values[lags:, 0], horizon)[:n_windows]
    index = frame.index[lags:lags + n_windows]
    name = frame.columns[0]
    if horizon == 1:
        y = pd.Series(targets[:, 0], index=index, name=name)
    else:
        y = pd.DataFrame(targets, index=index,
                         columns=[f"h{h}" for h in range(1, horizon + 1)])
    # what the windows hold, for SequenceForecaster to check forecast's
    # history and known_future against
    y.attrs.update(variables=list(frame.columns),
                   known_future=_check_names(known_future, "known_future"))
    return X, y
