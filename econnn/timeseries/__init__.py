"""Time series: windows, sequence networks and the forecaster."""

from ._backtest import BacktestResult, backtest
from ._combination import ForecastCombination
from ._forecaster import SequenceForecaster
from ._impulse import impulse_response, scenario
from ._panel import PanelForecaster
from ._plot import plot_forecast
from ._system import fit_system
from ._windows import make_windows

__all__ = ["SequenceForecaster", "PanelForecaster", "ForecastCombination",
           "make_windows", "backtest", "BacktestResult", "plot_forecast",
           "impulse_response", "scenario", "fit_system"]
