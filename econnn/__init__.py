"""econnn: neural networks for economists, as scikit-learn estimators."""

from ._autoencoder import AutoencoderTransformer
from ._classifier import NNClassifier
from ._compare import ComparisonTable, compare_models
from ._effects import marginal_effects
from ._forecaster import SequenceForecaster
from ._gradcheck import check_gradients
from ._linear import LogitClassifier, OLSRegressor
from ._plots import plot_learning_curve, plot_marginal_effects
from ._regressor import NNRegressor
from ._summary import Summary
from ._training import TrainingDivergedError
from ._windows import make_windows

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
]
