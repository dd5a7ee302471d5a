"""device='cuda' end to end (skipped without a GPU).

Every estimator trains on the GPU and agrees with the same fit on the CPU;
data too large for the GPU streams in batches; a model saved on the GPU
loads in a process that sees no GPU; the inference toolkit's parallel refits
run CUDA models in fresh worker processes.
"""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import r2_score

from econnn import (AutoencoderTransformer, ConvNetClassifier, NNClassifier,
                    NNRegressor, SequenceForecaster, load, make_windows,
                    marginal_effects, save)

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs a CUDA GPU")


def _data(n=400):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 5).astype(np.float32)
    y = (np.sin(2 * X[:, 0]) + X[:, 1] ** 2).astype(np.float32)
    return X, y


def _on_gpu(model):
    return next(model.module_.parameters()).device.type == "cuda"


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
    assert _on_gpu(model)
    pred = model.predict(X)
    assert isinstance(pred, np.ndarray)
    assert r2_score(y, pred) > 0.8


@needs_cuda
@pytest.mark.parametrize("params", [
    dict(),                                            # the defaults
    dict(n_ensemble=4, early_stopping=False),          # a larger ensemble
    dict(solver="lbfgs", hidden_layer_sizes=(16,), early_stopping=False),
    dict(precision="float64", early_stopping=False),
    dict(validation_split="cv", n_ensemble=3),       # per-member folds
], ids=["defaults", "ensemble", "lbfgs", "float64", "cv-bagging"])
def test_gpu_matches_cpu_closely(params):
    # the same batches in the same order (a GPU draws its own permutations)
    X, y = _data()
    kw = dict(max_iter=30, random_state=0, shuffle=False, **params)
    cpu = NNRegressor(**kw).fit(X, y).predict(X)
    gpu = NNRegressor(device="cuda", **kw).fit(X, y)
    assert _on_gpu(gpu)
    np.testing.assert_allclose(gpu.predict(X), cpu, atol=1e-2 * np.std(y))


@needs_cuda
def test_seeded_gpu_fits_repeat_exactly():
    X, y = _data()
    kw = dict(device="cuda", max_iter=20, random_state=3)
    first = NNRegressor(**kw).fit(X, y).predict(X)
    # other batch orders would differ by far more than rounding
    np.testing.assert_allclose(NNRegressor(**kw).fit(X, y).predict(X),
                               first, rtol=1e-6, atol=1e-6)


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
def test_partial_fit_continues_on_gpu():
    X, y = _data()
    model = NNRegressor(device="cuda", early_stopping=False,
                        learning_rate_init=0.01, random_state=0)
    for _ in range(40):
        model.partial_fit(X, y)
    assert _on_gpu(model) and model.score(X, y) > 0.8


@needs_cuda
def test_classifier_with_early_stopping_on_gpu():
    X, y = _data()
    y = (y > np.median(y)).astype(int)
    model = NNClassifier(device="cuda", max_iter=200, early_stopping=True,
                         learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.predict_proba(X).shape == (len(y), 2)


@needs_cuda
def test_convnet_learns_digits_on_gpu():
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = digits.images[:, None], digits.target
    clf = ConvNetClassifier(device="cuda", max_iter=15,
                            random_state=0).fit(X[:1000], y[:1000])
    assert _on_gpu(clf)
    assert clf.score(X[1000:], y[1000:]) > 0.9


@needs_cuda
def test_autoencoder_on_gpu_matches_cpu():
    rng = np.random.RandomState(0)
    F = rng.randn(300, 2)
    X = np.c_[F, F @ rng.randn(2, 4)] + 0.05 * rng.randn(300, 6)
    kw = dict(n_components=2, max_iter=40, random_state=0)
    cpu = AutoencoderTransformer(**kw).fit(X)
    gpu = AutoencoderTransformer(device="cuda", **kw).fit(X)
    assert _on_gpu(gpu)
    codes = gpu.transform(X)
    assert isinstance(codes, np.ndarray) and codes.shape == (300, 2)
    recon_gpu = gpu.inverse_transform(codes)
    recon_cpu = cpu.inverse_transform(cpu.transform(X))
    np.testing.assert_allclose(recon_gpu, recon_cpu, atol=0.05 * X.std())


@needs_cuda
def test_forecaster_on_gpu_matches_cpu():
    rng = np.random.default_rng(0)
    y = np.zeros(240)
    for t in range(1, 240):
        y[t] = 0.8 * y[t - 1] + rng.standard_normal()
    series = pd.Series(y, index=pd.period_range("1960Q1", periods=240,
                                                 freq="Q"))
    X, Y = make_windows(series, lags=4)
    kw = dict(cell="lstm", hidden_size=8, max_iter=30, random_state=0)
    cpu = SequenceForecaster(**kw).fit(X[:200], Y.iloc[:200])
    gpu = SequenceForecaster(device="cuda", **kw).fit(X[:200], Y.iloc[:200])
    assert _on_gpu(gpu)
    np.testing.assert_allclose(gpu.predict(X[200:]), cpu.predict(X[200:]),
                               atol=0.05 * np.std(y))
    fan = gpu.forecast(series.iloc[:204], steps=4, level=0.8)
    assert np.isfinite(np.asarray(fan, dtype=float)).all()


@needs_cuda
def test_gpu_model_loads_in_a_process_without_a_gpu(tmp_path):
    X, y = _data()
    gpu = NNRegressor(device="cuda", max_iter=5, random_state=0).fit(X, y)
    save(gpu, tmp_path / "m.safetensors")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "gpu.npy", gpu.predict(X))
    script = (
        "import numpy as np, sys, torch, econnn\n"
        "assert not torch.cuda.is_available()\n"
        "d = sys.argv[1]\n"
        "m = econnn.load(d + '/m.safetensors')\n"
        "p = m.predict(np.load(d + '/X.npy'))\n"
        "np.testing.assert_allclose(p, np.load(d + '/gpu.npy'), rtol=1e-5,"
        " atol=1e-6)\n")
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@needs_cuda
def test_bootstrap_refits_cuda_models_in_worker_processes():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 2)
    y = X @ [1.0, -2.0] + 0.1 * rng.randn(300)
    net = NNRegressor(hidden_layer_sizes=(8,), device="cuda", max_iter=50,
                      random_state=0).fit(X, y)
    # joblib's default backend starts fresh processes: each initialises
    # CUDA itself, where a forked child of this process could not
    me = marginal_effects(net, X, y=y, se="bootstrap", n_boot=4, n_jobs=2,
                          random_state=0)
    np.testing.assert_allclose(me["effect"], [1.0, -2.0], atol=0.1)
    assert (me["std_err"] > 0).all() and (me["std_err"] < 0.2).all()
