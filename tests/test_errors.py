"""Bad input and faults get clear scikit-learn style errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from econnn import NNClassifier, NNRegressor, TrainingDivergedError

ESTIMATORS = [NNRegressor, NNClassifier]


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_in_X(Est, bad, data):
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        Est(max_iter=2).fit(X, y)
    model = Est(max_iter=2).fit(data[0], y)
    with pytest.raises(ValueError, match="Input X contains"):
        model.predict(X)


def test_nan_in_y(data):
    X, y = data
    y = y.astype(float)
    y[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        NNRegressor().fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_wrong_feature_count_at_predict(Est, data):
    X, y = data
    model = Est(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* 3 features"):
        model.predict(X[:, :2])


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_empty_data(Est):
    with pytest.raises(ValueError, match="0 sample"):
        Est().fit(np.empty((0, 3)), np.empty(0))


def test_one_class_only(data):
    X, _ = data
    with pytest.raises(ValueError, match="only one class"):
        NNClassifier().fit(X, np.ones(len(X)))


def test_continuous_target_for_classifier(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        NNClassifier().fit(X, np.linspace(0, 1, len(X)))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_numeric_columns(Est, data):
    X, y = data
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        region=["north", "south"] * 30)
    with pytest.raises(ValueError, match="Column .region. of X holds non-numeric"):
        Est().fit(frame, y)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_before_fit(Est, data):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Est().predict(data[0])


@pytest.mark.parametrize("params, message", [
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
    (dict(activation="swish"), "activation"),
    (dict(solver="rmsprop"), "solver"),
    (dict(learning_rate_init=0.0), "learning_rate_init"),
    (dict(dropout=1.0), "dropout"),
    (dict(batch_size=0), "batch_size"),
])
def test_invalid_parameters(params, message, data):
    X, y = data
    with pytest.raises(ValueError, match=message):
        NNRegressor(**params).fit(X, y)


def test_divergence_stops_with_clear_error(data):
    X, y = data
    model = NNRegressor(solver="sgd", learning_rate_init=1e6, momentum=0.0,
                        activation="relu", learning_rate="constant",
                        standardize=False, max_iter=50)
    with pytest.raises(TrainingDivergedError,
                       match="diverged.*lower learning_rate_init"):
        model.fit(X * 100, y * 1e3)
    assert not hasattr(model, "net_")  # no garbage model left behind
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_early_stopping_needs_enough_samples():
    X = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match="validation"):
        NNRegressor(early_stopping=True, validation_fraction=0.1).fit(
            X, [1.0, 2.0, 3.0])


def test_negative_sample_weight(data):
    X, y = data
    w = np.ones(len(y))
    w[0] = -1
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        NNRegressor().fit(X, y, sample_weight=w)
