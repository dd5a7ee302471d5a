"""econnn: neural networks for economists, as scikit-learn estimators."""

from ._classifier import NNClassifier
from ._forecaster import SequenceForecaster
from ._gradcheck import check_gradients
from ._regressor import NNRegressor
from ._training import TrainingDivergedError
from ._windows import make_windows

__version__ = "0.1.0"

__all__ = [
    "NNRegressor",
    "NNClassifier",
    "SequenceForecaster",
    "make_windows",
    "check_gradients",
    "TrainingDivergedError",
]
