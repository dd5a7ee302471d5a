"""Fan chart of a forecast after its history."""

import numpy as np
import pandas as pd

from ._windows import _check_count

__all__ = ["plot_forecast"]


def _as_timestamps(index, name):
    if isinstance(index, pd.PeriodIndex):
        # matplotlib has no converter for periods: plot at each period's start
        return index.to_timestamp(how="start")
    if isinstance(index, pd.DatetimeIndex):
        return index
    if isinstance(index, pd.MultiIndex):
        raise TypeError(
            f"{name} is a panel (indexed by (series id, period)); plot one "
            "series at a time: plot_forecast(panel, forecast, series=key).")
    raise TypeError(f"{name} must be indexed by a PeriodIndex or "
                    f"DatetimeIndex; got a {type(index).__name__}.")


def _one_series(history, forecast, key):
    """The rows of series ``key`` of a panel's history and forecast."""
    for name, data in (("history", history), ("forecast", forecast)):
        if not isinstance(getattr(data, "index", None), pd.MultiIndex):
            raise TypeError(f"series={key!r} selects a series of a panel, "
                            f"but {name} is not indexed by (series id, "
                            "period).")
        if key not in data.index.get_level_values(0):
            raise ValueError(f"series={key!r} is not a series of {name}.")
    return history.xs(key, level=0), forecast.xs(key, level=0)


def plot_forecast(history, forecast, ax=None, n_history=None, title=None,
                  color="C0", series=None, target=None):
    """Plot a forecast with its prediction bands as a fan chart.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame
        The observed series, indexed by a PeriodIndex or DatetimeIndex; of
        a DataFrame, the ``target`` column.
    forecast : pandas.Series or pandas.DataFrame
        What :meth:`SequenceForecaster.forecast` returns: a Series of point
        forecasts, or a DataFrame with ``'forecast'`` and
        ``'lower_<level>'``/``'upper_<level>'`` columns; each band is
        shaded, the widest lightest.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on; None creates a figure.
    n_history : int or None, default=None
        Plot only the last ``n_history`` observations.
    title : str or None, default=None
    color : str, default='C0'
        Colour of the forecast and its bands.
    series : object or None, default=None
        For a panel (``history`` and ``forecast`` indexed by (series id,
        period), as :class:`PanelForecaster` uses them): the id of the
        series to plot; its title by default.
    target : str or None, default=None
        The column of a DataFrame ``history`` that was forecast; None
        means the first, which is what :func:`make_windows` and
        :class:`PanelForecaster` forecast unless told otherwise (pass the
        same ``target`` as to them).

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if series is not None:
        history, forecast = _one_series(history, forecast, series)
        title = str(series) if title is None else title
    if isinstance(history, pd.DataFrame):
        if target is None:
            history = history.iloc[:, 0]
        elif target in history.columns:
            history = history[target]
        else:
            raise ValueError(f"target={target!r} is not a column of "
                             f"history; its columns: {list(history.columns)}.")
    elif target is not None:
        raise ValueError("target names a column of a DataFrame history; "
                         f"history is a {type(history).__name__}.")
    if not isinstance(history, pd.Series):
        raise TypeError("history must be a pandas Series or DataFrame; got "
                        f"{type(history).__name__}.")
    if isinstance(forecast, pd.Series):
        forecast = forecast.to_frame("forecast")
    if not isinstance(forecast, pd.DataFrame) or \
            "forecast" not in forecast.columns:
        raise ValueError("forecast must be a Series of point forecasts or a "
                         "DataFrame with a 'forecast' column, as returned "
                         "by SequenceForecaster.forecast.")
    bands = [c[len("lower_"):] for c in forecast.columns
             if c.startswith("lower_")]
    unpaired = [lev for lev in bands if f"upper_{lev}" not in forecast]
    if unpaired:
        raise ValueError(f"forecast has lower_{unpaired[0]} but no "
                         f"upper_{unpaired[0]}; each band needs both.")
    if n_history is not None:
        history = history.iloc[-_check_count(n_history, "n_history"):]
    for name, values in (("history", history), ("forecast", forecast)):
        if len(values) == 0:
            raise ValueError(f"{name} is empty.")
        if not np.isfinite(values.to_numpy(dtype=np.float64)).all():
            raise ValueError(f"{name} contains NaN or infinite values.")
    x_hist = _as_timestamps(history.index, "history")
    x_fc = _as_timestamps(forecast.index, "forecast")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    ax.plot(x_hist, history.to_numpy(), color="black", lw=1.2,
            label=history.name if history.name is not None else "history")
    levels = sorted(map(float, bands), reverse=True)
    # join the fan to the last observation
    x_band = x_hist[-1:].append(x_fc)
    last = history.iloc[-1]
    for i, lev in enumerate(levels):
        lo = np.r_[last, forecast[f"lower_{lev:g}"].to_numpy()]
        hi = np.r_[last, forecast[f"upper_{lev:g}"].to_numpy()]
        ax.fill_between(x_band, lo, hi, color=color, lw=0,
                        alpha=0.15 + 0.5 * (i + 1) / (len(levels) + 1),
                        label=f"{lev:.0%} band")
    ax.plot(x_band, np.r_[last, forecast["forecast"].to_numpy()],
            color=color, lw=1.5, label="forecast")
    ax.legend(loc="best", frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax
