"""econnn.save / econnn.load: data-only model files, safe to load."""

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import econnn
from econnn import (AutoencoderTransformer, ConvNetClassifier, NNClassifier,
                    NNRegressor, SequenceForecaster, load, save)
from econnn._persistence import _checksum, _read

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=80)
    return X, y


def _configurations():
    """(name, fitted estimator, X, method) for each estimator family."""
    X, y = _data()
    frame = pd.DataFrame(X, columns=["income", "age", "educ", "tenure"])
    words = np.array(["low", "mid", "high"])[np.digitize(y, [-1, 0.5])]
    kw = dict(max_iter=5, random_state=0)
    windows = np.cumsum(np.random.RandomState(1).normal(size=(80, 6)),
                        axis=1)
    return [
        ("ensemble-frame", NNRegressor(**kw).fit(frame, y), frame, "predict"),
        ("poisson-2out-f64", NNRegressor(
            hidden_layer_sizes=(8,), loss="poisson", n_ensemble=3,
            precision="float64", **kw).fit(X, np.exp(np.c_[y, -y] / 4)),
         X, "predict"),
        ("quantile-sgd-bn", NNRegressor(
            loss="quantile", quantile=0.9, solver="sgd", batch_norm=True,
            batch_size=20, early_stopping=True, max_iter=8,
            random_state=0).fit(X, y), X, "predict"),
        ("labels-weighted", NNClassifier(
            class_weight={"low": 2.0, "mid": 1.0, "high": 1.0},
            **kw).fit(X, words), X, "predict_proba"),
        ("binary-lbfgs", NNClassifier(solver="lbfgs", n_ensemble=1,
                                      **kw).fit(X, y > 0),
         X, "predict_proba"),
        ("multilabel", NNClassifier(**kw).fit(X, np.c_[y > 0, X[:, 2] > 0]),
         X, "predict_proba"),
        # likelihoods learn constants (sigma, thresholds) inside the network
        ("tobit", NNRegressor(loss="tobit", **kw).fit(X, np.clip(y, 0, None)),
         X, "predict"),
        ("ordered-logit", NNClassifier(loss="ordered_logit", **kw).fit(
            X, np.digitize(y, [-1, 0.5])), X, "predict_proba"),
        ("monotone", NNRegressor(monotone={0: 1}, **kw).fit(X, y), X,
         "predict"),
        ("autoencoder", AutoencoderTransformer(n_components=2, **kw).fit(X),
         X, "transform"),
        ("forecaster-lstm-differenced", SequenceForecaster(
            cell="lstm", hidden_size=8, difference=True, **kw).fit(
                windows[:, :5], windows[:, 5]), windows[:, :5], "predict"),
        ("convnet-grids", ConvNetClassifier(
            conv_channels=(4,), hidden_layer_sizes=(8,), **kw).fit(
                X.reshape(80, 1, 2, 2), words), X.reshape(80, 1, 2, 2),
         "predict_proba"),
        ("forecaster-transformer", SequenceForecaster(
            cell="transformer", hidden_size=8, **kw).fit(
                windows[:, :5], windows[:, 5]), windows[:, :5], "predict"),
    ]


def test_fresh_process_predicts_identically(tmp_path):
    configs = _configurations()
    for name, est, X, method in configs:
        save(est, tmp_path / f"{name}.safetensors")
        np.save(tmp_path / f"{name}.X.npy", np.asarray(X))
    # a new interpreter: nothing cached from the fitting process
    script = textwrap.dedent("""
        import sys, numpy as np, pandas as pd, econnn
        folder = sys.argv[1]
        for name, method in zip(sys.argv[2::2], sys.argv[3::2]):
            est = econnn.load(f"{folder}/{name}.safetensors")
            X = np.load(f"{folder}/{name}.X.npy")
            if hasattr(est, "feature_names_in_"):
                X = pd.DataFrame(X, columns=est.feature_names_in_)
            np.save(f"{folder}/{name}.out.npy", getattr(est, method)(X))
    """)
    args = [a for name, _, _, method in configs for a in (name, method)]
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-c", script, str(tmp_path), *args],
                   check=True, env=env, timeout=300)
    for name, est, X, method in configs:
        expected = getattr(est, method)(X)
        np.testing.assert_array_equal(
            np.load(tmp_path / f"{name}.out.npy"), expected, err_msg=name)


def test_loaded_estimator_keeps_parameters_and_attributes(tmp_path):
    for name, est, X, method in _configurations():
        path = tmp_path / "m.safetensors"
        save(est, path)
        loaded = load(path)
        assert type(loaded) is type(est)
        assert loaded.get_params() == est.get_params(), name
        for attr in ("n_features_in_", "n_iter_", "loss_curve_",
                     "best_loss_", "classes_", "feature_names_in_",
                     "explained_variance_ratio_", "residuals_"):
            if hasattr(est, attr):
                np.testing.assert_array_equal(getattr(loaded, attr),
                                              getattr(est, attr))
        assert list(loaded.net_.history[:, "train_loss"]) == \
            list(est.net_.history[:, "train_loss"])
        # the toolkit sees the same model
        assert str(loaded.summary()) == str(est.summary())


def test_training_continues_as_without_saving(tmp_path):
    X, y = _data()
    # partial_fit below: no validation split
    kw = dict(max_iter=5, warm_start=True, random_state=0,
              early_stopping=False)
    a = NNRegressor(**kw).fit(X, y)
    save(a, tmp_path / "m.safetensors")
    b = load(tmp_path / "m.safetensors")
    a.partial_fit(X, y)
    b.partial_fit(X, y)  # Adam's moment estimates were saved as well
    np.testing.assert_array_equal(b.predict(X), a.predict(X))
    assert b.n_iter_ == a.n_iter_ and b.t_ == a.t_


def test_loads_onto_the_requested_device(tmp_path):
    X, y = _data()
    save(NNRegressor(max_iter=2).fit(X, y), tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors", device="cpu")
    assert loaded.module_.x_loc.device.type == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_model_loads_on_cpu(tmp_path):
    X, y = _data()
    gpu = NNRegressor(device="cuda", max_iter=5, random_state=0).fit(X, y)
    save(gpu, tmp_path / "m.safetensors")
    cpu = load(tmp_path / "m.safetensors", device="cpu")
    assert cpu.module_.x_loc.device.type == "cpu"
    np.testing.assert_allclose(cpu.predict(X), gpu.predict(X), rtol=1e-5,
                               atol=1e-6)


class _Payload:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_disguised_as_model_runs_no_code(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ValueError, match="not an econnn model file"):
        load(path)
    torch.save({"x": _Payload(str(marker))}, tmp_path / "torch.safetensors")
    with pytest.raises(ValueError, match="not an econnn model file"):
        load(tmp_path / "torch.safetensors")
    assert not marker.exists()
    # the pickle does run code when unpickled: the test would notice
    pickle.loads(path.read_bytes()).close()
    assert marker.exists()


def _rewrite(path, edit, rehash=True):
    """Write path back with its header edited by ``edit``."""
    with safe_open(path, framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        header = json.loads(f.metadata()["econnn"])
    checksum = header.pop("sha256")
    edit(header, tensors)
    header["sha256"] = _checksum(header, tensors) if rehash else checksum
    save_file(tensors, path, metadata={"format": "econnn-model",
                                       "econnn": json.dumps(header)})


def test_tampered_files_are_refused(tmp_path):
    X, y = _data()
    path = str(tmp_path / "m.safetensors")
    model = NNRegressor(max_iter=2).fit(X, y)

    def weights(header, tensors):
        key = next(k for k in tensors if k.startswith("network."))
        tensors[key] = tensors[key] + 1

    save(model, path)
    _rewrite(path, weights, rehash=False)
    with pytest.raises(ValueError, match="modified after it was saved"):
        load(path)

    def header_only(header, tensors):
        header["params"]["alpha"] = 1.0

    save(model, path)
    _rewrite(path, header_only, rehash=False)
    with pytest.raises(ValueError, match="modified after it was saved"):
        load(path)

    def foreign_class(header, tensors):
        header["class"] = "os.system"

    save(model, path)
    _rewrite(path, foreign_class)
    with pytest.raises(ValueError, match="not an econnn estimator"):
        load(path)

    def unknown_tag(header, tensors):
        header["params"]["alpha"] = {"__reduce__": ["os.system", "ls"]}

    save(model, path)
    _rewrite(path, unknown_tag)
    with pytest.raises(ValueError, match="unknown entry"):
        load(path)

    save_file({"w": torch.zeros(2)}, path)  # a safetensors file, not ours
    with pytest.raises(ValueError, match="no econnn header"):
        load(path)
    with open(path, "wb") as f:
        f.write(b"\x00" * 7)
    with pytest.raises(ValueError, match="not an econnn model file"):
        load(path)


def test_file_objects(tmp_path):
    """A binary file object or an in-memory buffer stores what a path
    does (the byte order of safetensors' metadata may differ between
    saves); text mode, short and foreign bytes are refused clearly."""
    X, y = _data()
    model = NNRegressor(max_iter=3, random_state=0).fit(X, y)
    buffer = io.BytesIO()
    save(model, buffer)
    path = tmp_path / "m.safetensors"
    save(model, path)
    buffer.seek(0)
    (header, tensors), (header_path, tensors_path) = _read(buffer), \
        _read(path)
    assert header == header_path and tensors.keys() == tensors_path.keys()
    assert all(torch.equal(tensors[k], tensors_path[k]) for k in tensors)
    buffer.seek(0)
    np.testing.assert_array_equal(load(buffer).predict(X), model.predict(X))
    with open(path, "rb") as f:
        np.testing.assert_array_equal(load(f).predict(X), model.predict(X))
    with open(tmp_path / "t.safetensors", "w") as f:
        with pytest.raises(TypeError, match="binary mode"):
            save(model, f)
    with open(path, "r", encoding="latin-1") as f:
        with pytest.raises(ValueError, match="binary mode"):
            load(f)
    with pytest.raises(ValueError, match="not an econnn model file"):
        load(io.BytesIO(b"\x00" * 7))
    with pytest.raises(ValueError, match="not an econnn model file"):
        load(io.BytesIO(b"\xff" * 64))
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    with pytest.raises(ValueError, match="modified after it was saved"):
        load(io.BytesIO(bytes(data)))


def test_newer_format_and_other_versions(tmp_path):
    X, y = _data()
    path = str(tmp_path / "m.safetensors")
    model = NNRegressor(max_iter=2).fit(X, y)
    save(model, path)
    _rewrite(path, lambda h, t: h["versions"].update(econnn="0.0.1"))
    with pytest.warns(UserWarning, match="saved with econnn 0.0.1"):
        loaded = load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    _rewrite(path, lambda h, t: h.update(format_version=99))
    with pytest.raises(ValueError, match="upgrade econnn"):
        load(path)


def test_monotone_network_of_format_1_is_refused(tmp_path):
    # format 1 stored the monotone network's non-negative layers shrunk
    X, y = _data()
    path = str(tmp_path / "m.safetensors")
    save(NNRegressor(monotone={0: 1}, max_iter=2).fit(X, y), path)
    _rewrite(path, lambda h, t: h.update(format_version=1))
    with pytest.raises(ValueError, match="monotone network.*format 1"):
        load(path)
    plain = str(tmp_path / "plain.safetensors")
    model = NNRegressor(max_iter=2).fit(X, y)
    save(model, plain)
    _rewrite(plain, lambda h, t: h.update(format_version=1))
    np.testing.assert_array_equal(load(plain).predict(X), model.predict(X))


def test_what_cannot_be_saved(tmp_path):
    X, y = _data()
    path = tmp_path / "m.safetensors"
    with pytest.raises(NotFittedError):
        save(NNRegressor(), path)
    with pytest.raises(TypeError, match="econnn network estimator"):
        save(make_pipeline(StandardScaler(), NNRegressor()), path)

    class Custom(torch.nn.Module):
        def __init__(self, n_features_in, n_outputs):
            super().__init__()
            self.linear = torch.nn.Linear(n_features_in, n_outputs)

        def forward(self, x):
            return self.linear(x)

    model = NNRegressor(module=Custom, max_iter=2).fit(X, y)
    with pytest.raises(TypeError, match="code, which econnn.save does not"):
        save(model, path)
    model = NNRegressor(interval="split", max_iter=2).fit(X, y)
    with pytest.raises(TypeError, match="intervals_.*pickle or joblib"):
        save(model, path)
    assert not path.exists()


def test_pipeline_recipe(tmp_path):
    """Pipelines: the econnn step with econnn.save, the rest with skops."""
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    pipe = make_pipeline(StandardScaler(), NNRegressor(max_iter=3)).fit(X, y)
    save(pipe[-1], tmp_path / "network.safetensors")
    sio.dump(pipe[:-1], tmp_path / "preprocessing.skops")

    restored = make_pipeline(
        *sio.load(tmp_path / "preprocessing.skops", trusted=[]),
        load(tmp_path / "network.safetensors"))
    np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))


def test_skops_cannot_store_the_network():
    """Documented: skops.io does not serialise torch tensors."""
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NNRegressor(max_iter=2).fit(X, y)
    with pytest.raises(Exception):
        sio.dumps(model)


def test_exported():
    assert econnn.save is save and econnn.load is load
    assert {"save", "load"} <= set(econnn.__all__)


@pytest.mark.parametrize("kind", ["regressor", "differenced-forecaster"])
def test_pickled_estimator_keeps_training_the_weights_it_predicts_with(kind):
    # skorch pickles its module separately from the estimator's module_;
    # before the fix, training after unpickling changed a copy
    X, y = _data()
    if kind == "regressor":
        model = NNRegressor(max_iter=3, warm_start=True, random_state=0)
    else:
        X = np.cumsum(X, axis=1)
        y = X[:, -1] + 0.1
        model = SequenceForecaster(hidden_size=4, difference=True,
                                   max_iter=3, warm_start=True,
                                   random_state=0)
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.module_.body is restored.net_.module_
    model.fit(X, y)
    restored.fit(X, y)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


# --------------------------------------------------- ForecastCombination
def _annual(n=48):
    """An AR(1)-like annual series: the combination's members fit fast."""
    e = np.random.default_rng(0).standard_normal(n + 20)
    return pd.Series(np.convolve(e, 0.6 ** np.arange(20))[20:n + 20],
                     index=pd.period_range("1950", periods=n, freq="Y"),
                     name="y")


def _quarterly():
    """A seasonal quarterly series: ETS chooses additive seasonality."""
    y = _annual(56).to_numpy() + np.tile([1.0, -1.0, 0.5, 0.0], 14)
    return pd.Series(y, index=pd.period_range("1990Q1", periods=56,
                                              freq="Q"), name="q")


@pytest.fixture(scope="module")
def combination():
    from econnn import ForecastCombination

    y = _annual()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=5 does not converge
        model = ForecastCombination(SequenceForecaster(
            hidden_size=4, max_iter=5, random_state=0)).fit(y)
    return y, model


def _assert_same_forecasts(loaded, model, y):
    longer = pd.concat([y, pd.Series(
        [0.3, -0.2], index=pd.period_range(y.index[-1] + 1, periods=2),
        name=y.name)])
    for history in (None, y.iloc[:-3], longer):
        expected = model.forecast(history, 14, level=(0.8, 0.95),
                                  quantiles=(0.1, 0.5))
        pd.testing.assert_frame_equal(
            loaded.forecast(history, 14, level=(0.8, 0.95),
                            quantiles=(0.1, 0.5)),
            expected, check_exact=False, rtol=0, atol=1e-10)
        pd.testing.assert_series_equal(
            loaded.forecast(history, 3), model.forecast(history, 3),
            check_exact=False, rtol=0, atol=1e-10)


def test_forecast_combination_round_trips(tmp_path, combination):
    y, model = combination
    path = tmp_path / "combination.safetensors"
    save(model, path)
    loaded = load(path)
    assert list(loaded.members_) == ["econnn", "ETS", "ARIMA"]
    assert loaded.members_["econnn"] is loaded.forecaster_
    arima = loaded.members_["ARIMA"]
    assert arima.spec_ == model.members_["ARIMA"].spec_
    np.testing.assert_array_equal(arima.params_,
                                  model.members_["ARIMA"].params_)
    pd.testing.assert_frame_equal(loaded.weights_, model.weights_,
                                  check_exact=True)
    np.testing.assert_array_equal(loaded.holdout_errors_,
                                  model.holdout_errors_)
    _assert_same_forecasts(loaded, model, y)

    # a member is built from econnn's registry by name, nothing else
    def rename(header, tensors):
        text = json.dumps(header)
        assert '"__member__": "arima"' in text
        header.update(json.loads(text.replace('"__member__": "arima"',
                                              '"__member__": "evil"')))

    _rewrite(str(path), rename)
    with pytest.raises(ValueError, match="member 'evil'"):
        load(path)
    # refitted, the loaded model is the saved one fitted again
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded.fit(y)
    _assert_same_forecasts(loaded, model, y)


def test_forecast_combination_after_set_params_and_clone(tmp_path,
                                                        combination):
    from sklearn.base import clone

    from econnn.timeseries._members import ARIMAMember, ETSMember

    _, model = combination
    y = _quarterly()
    path = tmp_path / "ets.safetensors"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ets = clone(model).set_params(members=("ets",), kappa=2.0,
                                      forecaster__hidden_size=3).fit(y)
    save(ets, path)
    loaded = load(path)
    assert list(loaded.weights_.columns) == ["econnn", "ETS"]
    assert loaded.members_["ETS"].spec_["seasonal_periods"] == 4
    _assert_same_forecasts(loaded, ets, y)
    assert clone(loaded).get_params()["forecaster__hidden_size"] == 3
    # built-in member objects as parameters are stored as data too
    objects = clone(ets).set_params(
        members=(ETSMember(), ARIMAMember(max_models=4)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objects.fit(y)
    save(objects, path)
    loaded = load(path)
    ets_member, arima_member = loaded.get_params()["members"]
    assert type(ets_member) is ETSMember
    assert arima_member.max_models == 4
    assert loaded.members_["ARIMA"].n_models_ <= 4
    _assert_same_forecasts(loaded, objects, y)
    _assert_same_forecasts(pickle.loads(pickle.dumps(objects)), objects, y)


class Naive:
    """A member of the user's own: code, which econnn.save refuses."""

    name = "naive"

    def fit(self, y, m):
        return self

    def forecast(self, y, steps):
        return np.repeat(y[-1], steps)


def test_forecast_combination_refusals(tmp_path):
    from econnn import ForecastCombination

    path = tmp_path / "m.safetensors"
    with pytest.raises(NotFittedError):
        save(ForecastCombination(), path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ForecastCombination(SequenceForecaster(
            hidden_size=4, max_iter=2, random_state=0),
            members=(Naive(),)).fit(_annual())
    with pytest.raises(TypeError, match="Naive.*built-in members.*pickle "
                                        "or joblib"):
        save(model, path)
    assert not path.exists()
    # pickle stores it (code included)
    restored = pickle.loads(pickle.dumps(model))
    pd.testing.assert_series_equal(restored.forecast(None, 3),
                                   model.forecast(None, 3))
