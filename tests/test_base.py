"""The shared base: faults leave the estimator as it was, seeding is
per fit (thread-safe), and no precision is lost between the data and the
network."""

import copy
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError

from econnn import (AutoencoderTransformer, NNClassifier, NNRegressor,
                    SequenceForecaster, TrainingDivergedError, make_windows)
from econnn.engine import _training

# warm starts and interrupts are about training state: the plain MLP, no
# validation split
FAST = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
            n_ensemble=1, linear_skip=False, early_stopping=False)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(120)
    return X, y


def _interrupt_after(monkeypatch, n_steps):
    """Make the training step raise KeyboardInterrupt after n_steps."""
    real = _training.Net.train_step
    calls = {"n": 0}

    def step(self, batch, **kw):
        calls["n"] += 1
        if calls["n"] > n_steps:
            raise KeyboardInterrupt
        return real(self, batch, **kw)

    monkeypatch.setattr(_training.Net, "train_step", step)


# ------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("n_steps", [0, 3])
def test_interrupt_propagates_and_leaves_unfitted(data, monkeypatch,
                                                  n_steps):
    X, y = data
    model = NNRegressor(**FAST)
    _interrupt_after(monkeypatch, n_steps)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert not hasattr(model, "net_") and not hasattr(model, "module_")
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_interrupt_leaves_fitted_model_exactly_as_before(data, monkeypatch,
                                                         how):
    X, y = data
    model = NNRegressor(**FAST, warm_start=how == "warm_start").fit(X, y)
    before = model.predict(X)
    attrs = {k: copy.deepcopy(v) for k, v in vars(model).items()
             if k.endswith("_") and k not in ("net_", "module_")}
    optimizer = copy.deepcopy(model.net_.optimizer_.state_dict())
    # partial_fit runs one epoch of one batch: interrupt its only step
    _interrupt_after(monkeypatch, 2 if how == "warm_start" else 0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y) if how == "warm_start" else model.partial_fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)
    for key, value in attrs.items():
        assert repr(getattr(model, key)) == repr(value), key
    after = model.net_.optimizer_.state_dict()
    for k, state in optimizer["state"].items():
        for name, tensor in state.items():
            torch.testing.assert_close(after["state"][k][name], tensor)
    # and training continues normally afterwards
    monkeypatch.undo()
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == len(attrs["loss_curve_"]) + 1


def test_diverged_continuation_restores_weights_and_optimizer(data):
    X, y = data
    model = NNRegressor(**FAST, warm_start=True, solver="sgd",
                        learning_rate_init=1e-3).fit(X, y)
    before = model.predict(X)
    model.set_params(learning_rate_init=1e12, max_iter=3)
    with pytest.raises(TrainingDivergedError):
        model.fit(X, y * 1e3)
    np.testing.assert_array_equal(model.predict(X), before)
    momentum = [s["momentum_buffer"] for s in
                model.net_.optimizer_.state_dict()["state"].values()]
    assert all(torch.isfinite(m).all() for m in momentum)
    # a later, sensible continuation trains normally
    model.set_params(learning_rate_init=1e-3, max_iter=5)
    model.fit(X, y)
    assert np.isfinite(model.predict(X)).all()


# ------------------------------------------------------------- seeding
@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_seeded_fits_in_threads_are_reproducible(data, dropout):
    X, y = data

    def fit(seed):
        return NNRegressor((16,), max_iter=8, dropout=dropout,
                           random_state=seed, n_ensemble=1).fit(
            X, y).predict(X)

    sequential = [fit(s) for s in range(4)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(fit, list(range(4)) * 2))
    for i, pred in enumerate(threaded):
        np.testing.assert_array_equal(pred, sequential[i % 4])


def test_fit_does_not_touch_global_torch_generator(data):
    X, y = data
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    NNRegressor(**FAST).fit(X, y)
    torch.testing.assert_close(torch.rand(3), expected)


# ----------------------------------------------------------- precision
def test_large_offset_column_keeps_precision():
    # a date in seconds: standardised in float64 before the float32 cast
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    shifted = X.copy()
    shifted[:, 0] += 1e8
    # no refit: a second run of training amplifies the 1e-8 rounding of
    # the standardised column past the tolerance below (chaotically, as
    # any change of the inputs would), which is not what this test is about
    params = dict(hidden_layer_sizes=(16,), max_iter=60, random_state=0,
                  n_ensemble=1, learning_rate_init=0.01, refit=False)
    plain = NNRegressor(**params).fit(X, y)
    moved = NNRegressor(**params).fit(shifted, y)
    assert moved.score(shifted, y) > 0.7  # (0.58 when cast before)
    np.testing.assert_allclose(moved.predict(shifted), plain.predict(X),
                               atol=1e-3)


@pytest.mark.parametrize("Est", [NNRegressor, NNClassifier])
def test_values_beyond_float32_raise_at_predict(data, Est):
    X, y = data
    model = Est(**FAST).fit(X, y if Est is NNRegressor else y > 0)
    bad = X[:3].copy()
    bad[0, 1] = 1e300
    with pytest.raises(ValueError, match="cannot hold"):
        model.predict(bad)
    # float64 precision holds them
    model64 = Est(**FAST, precision="float64").fit(
        X, y if Est is NNRegressor else y > 0)
    assert model64.predict(bad).shape == (3,)


def test_values_beyond_float32_raise_in_transform_and_forecast(data):
    X, _ = data
    ae = AutoencoderTransformer(n_components=2, max_iter=3,
                                random_state=0).fit(X)
    bad = X[:2].copy()
    bad[0, 0] = 1e300
    with pytest.raises(ValueError, match="cannot hold"):
        ae.transform(bad)
    with pytest.raises(ValueError, match="cannot hold"):
        ae.inverse_transform(np.full((1, 2), 1e300))

    series = pd.Series(np.sin(np.arange(80) / 4.0),
                       index=pd.period_range("2000Q1", periods=80, freq="Q"))
    Xw, yw = make_windows(series, lags=4)
    fc = SequenceForecaster(hidden_size=4, max_iter=3,
                            random_state=0).fit(Xw, yw)
    history = series.copy()
    history.iloc[-1] = 1e300
    with pytest.raises(ValueError, match="cannot hold"):
        fc.forecast(history, steps=2)


def test_target_in_huge_units_is_the_same_model(data):
    # squares of 1e300 overflow float64; the standard deviation does not
    X, y = data
    small = NNRegressor(**FAST).fit(X, y).predict(X)
    huge = NNRegressor(**FAST).fit(X, y * 1e300).predict(X)
    np.testing.assert_allclose(huge / 1e300, small, rtol=1e-6, atol=1e-9)


def test_target_scale_overflow_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="overflows float64"):
        NNRegressor(**FAST).fit(X, np.where(y > 0, 1.5e308, -1.5e308))
    with pytest.raises(ValueError, match="cannot hold"):
        NNRegressor(**FAST, standardize=False).fit(X, y * 1e300)
    with pytest.raises(ValueError, match="cannot hold"):
        NNRegressor(**FAST, standardize=False).fit(X * 1e39, y)


def test_unknown_device_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="device='gpu0'"):
        NNRegressor(**FAST, device="gpu0").fit(X, y)


# ---------------------------------------------------------- persistence
@pytest.mark.parametrize("how", ["pickle", "joblib"])
@pytest.mark.parametrize("Est", [NNRegressor, NNClassifier])
def test_restored_model_trains_the_network_that_predicts(Est, how, tmp_path):
    # regression: after a pickle/joblib round trip module_ and net_.module_
    # were two copies; partial_fit and warm-start fit trained the one that
    # does not predict (predictions stayed, loss_curve_ fell)
    X, y = make_classification(100, 4, random_state=0)
    if Est is NNRegressor:
        y = X @ np.array([1.0, -2.0, 0.5, 0.0])
    model = Est(max_iter=5, n_ensemble=1, learning_rate="constant",
                random_state=0, linear_skip=False, early_stopping=False)
    with pytest.warns(Warning):
        model.fit(X, y)
    if how == "pickle":
        restored = pickle.loads(pickle.dumps(model))
    else:
        joblib.dump(model, tmp_path / "m.joblib")
        restored = joblib.load(tmp_path / "m.joblib")
    assert restored.module_.body is restored.net_.module_
    before = restored.predict(X) if Est is NNRegressor else \
        restored.predict_proba(X)
    restored.partial_fit(X, y)
    after = restored.predict(X) if Est is NNRegressor else \
        restored.predict_proba(X)
    assert not np.allclose(before, after)
    # warm-start fit too, after a second round trip
    again = pickle.loads(pickle.dumps(restored))
    again.set_params(warm_start=True, max_iter=3)
    with pytest.warns(Warning):
        again.fit(X, y)
    later = again.predict(X) if Est is NNRegressor else \
        again.predict_proba(X)
    assert not np.allclose(after, later)


def test_read_only_arrays_are_used_without_torch_warnings():
    """joblib hands workers read-only memmaps; torch warns when it wraps a
    read-only array, so every entry point copies such data first."""
    from econnn import SequenceForecaster, make_windows, marginal_effects

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(80, 2))
    y = X @ [1.0, 2.0] + 0.1 * rng.normal(size=80)
    X.setflags(write=False)
    y.setflags(write=False)
    series = pd.Series(np.sin(np.arange(120) / 3) + 0.1 * rng.normal(size=120),
                       index=pd.period_range("2000Q1", periods=120, freq="Q"))
    windows, target = make_windows(series)
    windows.setflags(write=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not writable.*")
        model = NNRegressor(max_iter=50, precision="float64",
                            random_state=0).fit(X, y)
        table = marginal_effects(model, X, y=y)
        forecaster = SequenceForecaster(max_iter=20, precision="float64",
                                        random_state=0).fit(windows, target)
        forecaster.predict(windows)
    # and the answers are right: the effects of a linear design
    np.testing.assert_allclose(table["effect"], [1.0, 2.0], atol=0.25)
