"""econnn.to_onnx: the exported graph predicts as the estimator does."""

import numpy as np
import pytest

from econnn import AutoencoderTransformer, NNClassifier, NNRegressor, to_onnx

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")


def _data(n=120):
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(n, 4)) * [1, 10, 100, 0.1] + [0, 50, -300, 2])
    y = X[:, 0] + np.sin(X[:, 1] / 10) + 0.01 * X[:, 2]
    return X.astype(np.float32), y


def _run(path, X):
    session = ort.InferenceSession(str(path))
    return session.run(None, {"X": X})


@pytest.mark.parametrize("model", [
    NNRegressor(max_iter=20, random_state=0),  # two-network ensemble
    NNRegressor(hidden_layer_sizes=(8, 8), batch_norm=True, dropout=0.2,
                n_ensemble=1, max_iter=20, random_state=0),
    NNRegressor(numerical_embedding="pbld", embedding_size=3, max_iter=20,
                random_state=0),
], ids=["ensemble", "batchnorm-dropout", "embedding"])
def test_regressor_matches_predict(model, tmp_path):
    X, y = _data()
    Y = np.c_[np.exp(y / 10), 3 + np.exp(-y / 10)]  # two positive targets
    model.set_params(loss="poisson").fit(X, Y)
    (pred,) = _run(to_onnx(model, tmp_path / "m.onnx"), X)
    assert pred.shape == (len(X), 2) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-5, atol=1e-5)
    (one,) = _run(tmp_path / "m.onnx", X[:1])  # any number of rows
    np.testing.assert_allclose(one, model.predict(X[:1]), rtol=1e-5,
                               atol=1e-5)


def test_float64_model_exports_in_float64(tmp_path):
    X, y = _data()
    model = NNRegressor(precision="float64", max_iter=20,
                        random_state=0).fit(X.astype(np.float64), y)
    (pred,) = _run(to_onnx(model, tmp_path / "m.onnx"), X.astype(np.float64))
    assert pred.dtype == np.float64
    np.testing.assert_allclose(pred[:, 0], model.predict(X), rtol=1e-10,
                               atol=1e-10)


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_classifier_matches_predict_proba(target, tmp_path):
    X, y = _data()
    if target == "binary":
        labels = np.where(y > 0, "up", "down")
    elif target == "multiclass":
        labels = np.array(["a", "b", "c"])[np.digitize(y, [-0.5, 0.5])]
    else:
        labels = np.c_[y > 0, X[:, 1] > 50].astype(int)
    model = NNClassifier(max_iter=30, random_state=0).fit(X, labels)
    label, proba = _run(to_onnx(model, tmp_path / "m.onnx"), X)
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5,
                               atol=1e-5)
    if target == "multilabel":
        np.testing.assert_array_equal(label, model.predict(X))
    else:
        np.testing.assert_array_equal(model.classes_[label], model.predict(X))


def test_only_feed_forward_estimators(tmp_path):
    X, _ = _data()
    model = AutoencoderTransformer(max_iter=2).fit(X)
    with pytest.raises(TypeError, match="to_onnx exports"):
        to_onnx(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_convnet_matches_predict(kind, tmp_path):
    from sklearn.datasets import load_digits

    from econnn import ConvNetClassifier, ConvNetRegressor

    digits = load_digits()
    X, y = digits.images[:300, None].astype(np.float32), digits.target[:300]
    flat = X.reshape(len(X), -1)
    if kind == "classifier":
        model = ConvNetClassifier(max_iter=3, random_state=0).fit(X, y)
        label, proba = _run(to_onnx(model, tmp_path / "m.onnx"), flat)
        np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_array_equal(model.classes_[label], model.predict(X))
    else:
        model = ConvNetRegressor(max_iter=3, random_state=0).fit(X, y * 1.0)
        (pred,) = _run(to_onnx(model, tmp_path / "m.onnx"), flat)
        np.testing.assert_allclose(pred.ravel(), model.predict(X), rtol=1e-5,
                                   atol=1e-5)
