"""Rolling-origin evaluation of a PanelForecaster, beside AR per series."""

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._backtest import (_BENCHMARK, BacktestResult, _ARBenchmark,
                        _check_test_size)
from ._linear import seasonal_period
from ._panel_data import arrange_variables, split_panel
from ._windows import _check_count, _check_levels

__all__ = ["panel_backtest"]


def _holdback(test_size, shortest):
    """Number of final periods of every series that are forecast."""
    return _check_test_size(test_size, shortest, f"the shortest series "
                            f"({shortest} periods)")


def panel_backtest(forecaster, data, horizon, *, test_size=0.2, step=1,
                   refit_every=1, level=(0.8, 0.95), benchmark=True,
                   max_ar_lags=None):
    """:func:`econnn.backtest` for a :class:`PanelForecaster` on a panel.

    The origins are the last ``test_size`` periods of every series (counted
    from each series' end; a share of the shortest series if a float),
    every ``step``-th: at each, every series is cut there, the forecaster
    is refitted on the cut panel (or the last refit reused) and forecasts
    ``horizon`` periods of every series. The per-series decisions to
    model levels or changes are made at the first fit and kept. With
    covariates the forecasts are conditional on their realised values after
    each origin (``exog_future``), as :func:`econnn.backtest` does for one
    series; the AR beside it uses the target alone (with known-future
    covariates and ``horizon=H`` the forecaster reads them H periods
    ahead, so the last H - 1 origins are skipped). Errors are
    scaled per series -- by the root mean square (``rmsse``) and the mean
    absolute value (``mase``) of the seasonal naive forecast's in-sample
    errors before the first origin -- and pooled over series and origins.
    """
    from ._panel import PanelForecaster

    if not isinstance(forecaster, PanelForecaster):
        raise TypeError("A panel is evaluated with a PanelForecaster; got "
                        f"{type(forecaster).__name__}.")
    horizon = _check_count(horizon, "horizon")
    step = _check_count(step, "step")
    refit_every = _check_count(refit_every, "refit_every")
    levels = list(_check_levels(level))
    id_column = forecaster.get_params()["id_column"]
    series, names = split_panel(data, id_column)
    series = arrange_variables(series, forecaster.get_params()["target"],
                               name="data")
    values = {k: f.iloc[:, 0].to_numpy(dtype=np.float64)
              for k, f in series.items()}
    back = _holdback(test_size, min(len(v) for v in values.values()))
    m = seasonal_period(next(iter(series.values())).index)
    lags = forecaster.get_params()["lags"]
    ar_lags = max_ar_lags or (8 if lags == "auto" else lags)
    # a known-future covariate is read `horizon` periods ahead: origins
    # with fewer periods after them cannot be forecast, and are skipped
    params = forecaster.get_params(deep=False)
    inner = params["forecaster"]
    ahead = params["horizon"] if inner is not None and \
        inner.get_params()["known_future"] else 1
    origins = [held for held in range(back, 0, -step) if held >= ahead]
    rows, model, decided, bench = [], None, None, {}
    for k, held in enumerate(origins):
        history = {key: f.iloc[:len(f) - held] for key, f in series.items()}
        panel = pd.concat(history, names=list(names))
        steps = min(horizon, held)
        if k % refit_every == 0 or model is None:
            model = clone(forecaster)
            if decided is not None:
                model._handed_down = decided
            model.fit(panel.reset_index(level=0) if id_column else panel)
            decided = model.series_["difference"].to_dict()
            if benchmark:
                bench = {key: _ARBenchmark(ar_lags).fit(
                    values[key][:len(values[key]) - held])
                    for key in series}
        exog = None
        if len(model.variables_) > 1:
            # the covariates' realised values: a conditional forecast
            exog = pd.concat({key: f.iloc[len(f) - held:, 1:]
                              for key, f in series.items()},
                             names=list(names))
            exog = exog.reset_index(level=0) if id_column else exog
        fc = model.forecast(panel.reset_index(level=0) if id_column
                            else panel, steps, exog_future=exog,
                            level=levels)
        for key in series:
            own = fc.loc[key]
            models = [("forecaster", own["forecast"].to_numpy(),
                       {c: own[c].to_numpy() for c in own.columns[1:]})]
            if benchmark:
                point, bands = bench[key].forecast(
                    values[key][:len(values[key]) - held], steps, levels)
                models.append((_BENCHMARK, point, bands))
            end = len(values[key]) - held
            for name, point, bands in models:
                for h in range(1, steps + 1):
                    row = {"model": name, "id": key,
                           "origin": series[key].index[end - 1],
                           "period": series[key].index[end + h - 1],
                           "horizon": h, "actual": values[key][end + h - 1],
                           "forecast": point[h - 1]}
                    row.update({c: v[h - 1] for c, v in bands.items()})
                    rows.append(row)
    forecasts = pd.DataFrame(rows)
    scale = {}
    for key, v in values.items():
        train = v[:len(v) - back]
        naive = train[m:] - train[:-m] if len(train) > m else np.array([])
        scale[key] = (np.sqrt(np.mean(naive ** 2)) if len(naive) else np.nan,
                      np.mean(np.abs(naive)) if len(naive) else np.nan)
    return BacktestResult(forecasts, _scores(forecasts, levels, scale), m,
                          model.series_["difference"])


def _scores(forecasts, levels, scale):
    rms = forecasts["id"].map({k: s[0] for k, s in scale.items()})
    mae = forecasts["id"].map({k: s[1] for k, s in scale.items()})
    err = forecasts["actual"] - forecasts["forecast"]
    table = forecasts.assign(sq=(err / rms) ** 2, ab=np.abs(err) / mae)
    for lev in levels:
        table[f"coverage_{lev:g}"] = (
            (forecasts["actual"] >= forecasts[f"lower_{lev:g}"]) &
            (forecasts["actual"] <= forecasts[f"upper_{lev:g}"])).astype(float)
    groups = table.groupby(["model", "horizon"], sort=True)
    out = pd.DataFrame({"n": groups.size(),
                        "rmsse": np.sqrt(groups["sq"].mean()),
                        "mase": groups["ab"].mean()})
    for lev in levels:
        out[f"coverage_{lev:g}"] = groups[f"coverage_{lev:g}"].mean()
    return out
