"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from econnn import (AutoencoderTransformer, NNClassifier, NNRegressor,
                    SequenceForecaster)

# Each estimator is checked with its defaults and with non-default
# architecture, loss and optimizer settings. Dropout, class_weight and
# batch normalisation are tested separately: random dropout masks, class
# frequencies and (unweighted) batch statistics legitimately differ between
# weighted and repeated data in check_sample_weight_equivalence.
ESTIMATORS = [
    NNRegressor(),
    NNRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="sgd",
                learning_rate="adaptive", learning_rate_init=0.01),
    NNRegressor(hidden_layer_sizes=(32, 32), loss="huber", l1=1e-4,
                max_grad_norm=5.0, learning_rate="cosine"),
    NNClassifier(),
    NNClassifier(hidden_layer_sizes=(16,), activation="gelu", solver="adamw",
                 learning_rate_init=0.01),
    # L-BFGS on a single network, as scikit-learn's MLP: with an ensemble one
    # line search serves all members and float rounding between weighted and
    # repeated sparse data grows past check_sample_weight_equivalence's 1e-7
    NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                 n_ensemble=1),
    AutoencoderTransformer(),
    AutoencoderTransformer(n_components=1, hidden_layer_sizes=(),
                           activation="identity", solver="sgd",
                           learning_rate_init=0.01),
    # 2-D X is a batch of univariate windows (n_samples, n_timesteps)
    SequenceForecaster(),
    SequenceForecaster(cell="lstm", hidden_size=8, num_layers=2,
                       linear_skip=False, difference=False,
                       learning_rate_init=0.01),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
