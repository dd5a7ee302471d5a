"""econnn: neural networks for economists, as scikit-learn estimators."""

from ._autoencoder import AutoencoderTransformer
from ._classifier import NNClassifier
from ._gradcheck import check_gradients
from ._regressor import NNRegressor
from ._training import TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "NNRegressor",
    "NNClassifier",
    "AutoencoderTransformer",
    "check_gradients",
    "TrainingDivergedError",
]
