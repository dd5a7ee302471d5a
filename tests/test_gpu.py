"""device='cuda': resident and streamed training (skipped without a GPU)."""

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score

from econnn import NNClassifier, NNRegressor

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs a CUDA GPU")


def _data(n=400):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 5).astype(np.float32)
    y = (np.sin(2 * X[:, 0]) + X[:, 1] ** 2).astype(np.float32)
    return X, y


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_gpu_is_a_clear_error():
    X, y = _data(20)
    with pytest.raises(ValueError, match="CUDA is not available"):
        NNRegressor(device="cuda", max_iter=1).fit(X, y)


@needs_cuda
def test_regressor_trains_on_gpu():
    X, y = _data()
    model = NNRegressor(device="cuda", max_iter=100, random_state=0)
    model.fit(X, y)
    assert model.module_.x_loc.device.type == "cuda"
    assert next(model.module_.parameters()).device.type == "cuda"
    pred = model.predict(X)
    assert isinstance(pred, np.ndarray)
    assert r2_score(y, pred) > 0.8


@needs_cuda
def test_gpu_matches_cpu_closely():
    X, y = _data()
    kw = dict(max_iter=30, random_state=0)
    cpu = NNRegressor(**kw).fit(X, y).predict(X)
    gpu = NNRegressor(device="cuda", **kw).fit(X, y).predict(X)
    np.testing.assert_allclose(gpu, cpu, atol=1e-2 * np.std(y))


@needs_cuda
def test_streaming_batches_match_resident_data(monkeypatch):
    X, y = _data()
    kw = dict(device="cuda", max_iter=10, random_state=0)
    resident = NNRegressor(**kw).fit(X, y)
    monkeypatch.setattr("econnn._base._fits_on_device", lambda *a: False)
    streamed = NNRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(streamed.predict(X), resident.predict(X),
                               rtol=1e-5, atol=1e-5)


@needs_cuda
def test_classifier_with_early_stopping_on_gpu():
    X, y = _data()
    y = (y > np.median(y)).astype(int)
    model = NNClassifier(device="cuda", max_iter=50, early_stopping=True,
                         random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8
    assert model.predict_proba(X).shape == (len(y), 2)
