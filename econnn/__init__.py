"""econnn: neural networks for economists, as scikit-learn estimators."""

from ._autoencoder import AutoencoderTransformer
from ._classifier import NNClassifier
from .inference._compare import ComparisonTable, compare_models
from .inference._effects import marginal_effects
from .timeseries._forecaster import SequenceForecaster
from .inference._gradcheck import check_gradients
from ._baselines import LogitClassifier, OLSRegressor
from .inference._effects_table import MarginalEffects
from .inference._plots import (plot_effects_at, plot_learning_curve,
                               plot_marginal_effects)
from ._regressor import NNRegressor
from .inference._summary import Summary
from .engine._training import TrainingDivergedError
from .timeseries._windows import make_windows

__version__ = "0.1.0"

__all__ = [
    "NNRegressor",
    "NNClassifier",
    "AutoencoderTransformer",
    "SequenceForecaster",
    "make_windows",
    "check_gradients",
    "TrainingDivergedError",
    "marginal_effects",
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
