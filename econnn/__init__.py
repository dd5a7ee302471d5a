"""econnn: neural networks for economists, as scikit-learn estimators."""

from ._autoencoder import AutoencoderTransformer
from ._classifier import NNClassifier
from ._convnet import ConvNetClassifier, ConvNetRegressor
from .inference._compare import ComparisonTable, compare_models
from .inference._effects import marginal_effects
from .timeseries._forecaster import SequenceForecaster
from .inference._gradcheck import check_gradients
from .inference._likelihood import log_likelihood, predict_components
from ._baselines import LogitClassifier, OLSRegressor
from .inference._effects_table import MarginalEffects
from .inference._plots import (plot_effects_at, plot_learning_curve,
                               plot_marginal_effects)
from ._regressor import NNRegressor
from ._persistence import load, save
from ._onnx import to_onnx
from .inference._summary import Summary
from .engine._monitor import TrainingDivergedError
from .timeseries._windows import make_windows
from .timeseries._backtest import BacktestResult, backtest
from .timeseries._plot import plot_forecast
from .timeseries._impulse import impulse_response, scenario
from .timeseries._system import fit_system
from .timeseries._panel import PanelForecaster
from .timeseries._combination import ForecastCombination

__version__ = "0.1.0"

__all__ = [
    "NNRegressor",
    "NNClassifier",
    "AutoencoderTransformer",
    "ConvNetRegressor",
    "ConvNetClassifier",
    "SequenceForecaster",
    "PanelForecaster",
    "ForecastCombination",
    "make_windows",
    "backtest",
    "BacktestResult",
    "plot_forecast",
    "impulse_response",
    "scenario",
    "fit_system",
    "save",
    "load",
    "to_onnx",
    "check_gradients",
    "TrainingDivergedError",
    "marginal_effects",
    "log_likelihood",
    "predict_components",
    "OLSRegressor",
    "LogitClassifier",
    "Summary",
    "compare_models",
    "ComparisonTable",
    "plot_learning_curve",
    "plot_marginal_effects",
    "plot_effects_at",
    "MarginalEffects",
]
