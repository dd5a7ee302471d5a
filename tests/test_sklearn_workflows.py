"""The estimators in real scikit-learn workflows."""

import pickle

import joblib
import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import StackingRegressor
from sklearn.inspection import PartialDependenceDisplay, permutation_importance
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from econnn import NNClassifier, NNRegressor

matplotlib.use("Agg")

FAST = dict(hidden_layer_sizes=(16,), max_iter=40, learning_rate_init=0.01,
            random_state=0)


@pytest.fixture
def reg_data():
    return make_regression(200, 4, noise=2.0, random_state=0)


@pytest.fixture
def clf_data():
    return make_classification(200, 4, random_state=0)


def test_clone_and_nested_set_params(reg_data):
    pipe = make_pipeline(StandardScaler(), NNRegressor(**FAST))
    pipe.set_params(nnregressor__alpha=0.5, nnregressor__activation="tanh")
    cloned = clone(pipe)
    assert cloned.get_params()["nnregressor__alpha"] == 0.5
    assert cloned.get_params()["nnregressor__activation"] == "tanh"
    cloned.fit(*reg_data)
    assert not hasattr(pipe[-1], "module_")  # the original stays unfitted


def test_column_transformer_with_categorical_column():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({
        "income": rng.lognormal(10, 0.5, 300),
        "age": rng.randint(20, 70, 300),
        "region": rng.choice(["north", "south", "west"], 300),
    })
    effect = frame["region"].map({"north": 0.0, "south": 2.0, "west": -1.0})
    y = np.log(frame["income"]) + 0.05 * frame["age"] + effect
    pre = ColumnTransformer([
        ("num", "passthrough", ["income", "age"]),
        ("cat", OneHotEncoder(), ["region"]),
    ])
    model = make_pipeline(pre, NNRegressor(**FAST)).fit(frame, y)
    assert model.score(frame, y) > 0.9


def test_grid_search_parallel(reg_data):
    X, y = reg_data
    search = GridSearchCV(NNRegressor(**FAST),
                          {"alpha": [1e-4, 1.0], "hidden_layer_sizes": [(8,),
                                                                      (16,)]},
                          cv=3, n_jobs=2).fit(X, y)
    assert search.best_score_ > 0.8
    assert set(search.best_params_) == {"alpha", "hidden_layer_sizes"}


def test_cross_validate(reg_data):
    X, y = reg_data
    result = cross_validate(NNRegressor(**FAST), X, y,
                            cv=KFold(3, shuffle=True, random_state=0))
    assert np.all(result["test_score"] > 0.8)


def test_transformed_target_regressor(reg_data):
    X, y = reg_data
    y = np.exp(y / 200)
    model = TransformedTargetRegressor(NNRegressor(**FAST), func=np.log,
                                       inverse_func=np.exp).fit(X, y)
    assert model.regressor_.predict(X[:5]).shape == (5,)
    assert model.score(X, y) > 0.8


def test_stacking_regressor(reg_data):
    X, y = reg_data
    stack = StackingRegressor([("nn", NNRegressor(**FAST)),
                               ("ols", LinearRegression())],
                              final_estimator=Ridge(), cv=3).fit(X, y)
    assert stack.score(X, y) > 0.9


def test_calibrated_classifier(clf_data):
    X, y = clf_data
    calibrated = CalibratedClassifierCV(NNClassifier(**FAST), cv=3).fit(X, y)
    proba = calibrated.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert calibrated.score(X, y) > 0.85


def test_permutation_importance_finds_the_relevant_feature():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = 3 * X[:, 1] + 0.1 * rng.normal(size=300)
    model = NNRegressor(**FAST).fit(X, y)
    result = permutation_importance(model, X, y, n_repeats=3, random_state=0)
    assert np.argmax(result.importances_mean) == 1


@pytest.mark.parametrize("Est, data", [(NNRegressor, "reg_data"),
                                       (NNClassifier, "clf_data")])
def test_partial_dependence_display(Est, data, request):
    X, y = request.getfixturevalue(data)
    model = Est(**FAST).fit(X, y)
    display = PartialDependenceDisplay.from_estimator(model, X, [0, 1])
    assert len(display.pd_results) == 2


@pytest.mark.parametrize("Est, data", [(NNRegressor, "reg_data"),
                                       (NNClassifier, "clf_data")])
def test_pickle_and_joblib_round_trips(Est, data, request, tmp_path):
    X, y = request.getfixturevalue(data)
    model = Est(**FAST).fit(X, y)
    method = "predict_proba" if Est is NNClassifier else "predict"
    expected = getattr(model, method)(X)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(getattr(restored, method)(X), expected)
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(getattr(loaded, method)(X), expected)
    # a restored model can keep training
    loaded.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert loaded.n_iter_ == 2
    assert len(loaded.loss_curve_) == len(model.loss_curve_) + 2
    # ... and the training changes the model that predicts
    assert not np.allclose(getattr(loaded, method)(X), expected)


def test_dataframe_feature_names_checked(reg_data):
    X, y = reg_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    model = NNRegressor(**FAST).fit(frame, y)
    assert list(model.feature_names_in_) == list("abcd")
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[list("dcba")])
