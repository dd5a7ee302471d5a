"""plot_forecast: fan charts on PeriodIndex and DatetimeIndex."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from econnn import SequenceForecaster, make_windows, plot_forecast  # noqa: E402


@pytest.mark.parametrize("kind", ["period", "datetime"])
def test_fan_chart(kind):
    rng = np.random.default_rng(0)
    index = pd.period_range("1990Q1", periods=120, freq="Q")
    if kind == "datetime":
        index = index.to_timestamp(how="start").to_series().asfreq(
            "QS").index
    series = pd.Series(np.cumsum(rng.standard_normal(120)) * 0.1 +
                       np.sin(np.arange(120) / 3), index=index, name="gdp")
    model = SequenceForecaster(hidden_size=8, max_iter=20,
                               random_state=0).fit(*make_windows(series))
    fc = model.forecast(series, steps=8, level=(0.5, 0.8, 0.95))
    ax = plot_forecast(series, fc, n_history=40, title="fan")
    assert len(ax.collections) == 3  # one shaded band per level
    lines = ax.get_lines()
    assert len(lines[0].get_xdata()) == 40 and len(lines[-1].get_xdata()) == 9
    # the forecast line starts at the last observation, ends 8 periods on
    x_end = matplotlib.dates.date2num(pd.Timestamp(
        fc.index[-1].start_time if kind == "period" else fc.index[-1]))
    assert matplotlib.dates.date2num(lines[-1].get_xdata()[-1]) == x_end
    assert ax.get_title() == "fan"
    plt.close("all")
    # a point forecast (a Series) is drawn without bands
    ax = plot_forecast(series, model.forecast(series, steps=4))
    assert len(ax.collections) == 0
    plt.close("all")


def test_errors():
    series = pd.Series(np.arange(5.0))
    with pytest.raises(TypeError, match="PeriodIndex"):
        plot_forecast(series, series.rename("forecast"))
    with pytest.raises(ValueError, match="'forecast' column"):
        plot_forecast(series, pd.DataFrame({"x": [1.0]}))
    plt.close("all")
