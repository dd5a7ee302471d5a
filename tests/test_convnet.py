"""ConvNetRegressor / ConvNetClassifier: grids in, the usual estimator out."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone

from econnn import ConvNetClassifier, ConvNetRegressor, NNRegressor
from econnn.engine._convnets import ConvNet


def _lights(n, size=8, seed=0):
    """Night-light rasters: a lit town centre plus scattered lights.

    ``y`` is the centre's brightness (agglomeration), not the total light:
    the scattered lights add as much light again, independently, so the
    sum of the pixels says little. The centre is a 3 x 3 block anywhere on
    the grid -- a local pattern, wherever it is: what convolutions share
    weights for.
    """
    rng = np.random.RandomState(seed)
    grids = 0.2 * rng.normal(size=(n, 1, size, size))
    rows, cols = rng.randint(0, size - 2, size=(2, n))
    level, scattered = rng.uniform(1, 3, size=(2, n))
    for i in range(n):
        grids[i, 0, rows[i]:rows[i] + 3, cols[i]:cols[i] + 3] += level[i]
        spots = rng.choice(size * size, 9, replace=False)
        grids[i, 0].flat[spots] += scattered[i]
    return grids, level


def test_grid_and_flat_inputs_give_the_same_model():
    grids, y = _lights(120)
    kw = dict(max_iter=5, random_state=0, conv_channels=(4,),
              hidden_layer_sizes=(8,))
    a = ConvNetRegressor(**kw).fit(grids, y)
    b = ConvNetRegressor(input_shape=(8, 8), **kw).fit(
        grids.reshape(120, -1), y)
    c = ConvNetRegressor(**kw).fit(grids[:, 0], y)  # (n, height, width)
    assert a.input_shape_ == b.input_shape_ == c.input_shape_ == (1, 8, 8)
    assert a.n_features_in_ == 64
    np.testing.assert_array_equal(a.predict(grids), b.predict(
        grids.reshape(120, -1)))
    np.testing.assert_array_equal(a.predict(grids), c.predict(grids[:, 0]))
    np.testing.assert_array_equal(a.predict(grids),
                                  a.predict(grids.reshape(120, -1)))


def test_bad_shapes_are_clear_errors():
    grids, y = _lights(20)
    with pytest.raises(ValueError, match="holds 63 values"):
        ConvNetRegressor(input_shape=(7, 9), max_iter=1).fit(
            grids.reshape(20, -1), y)
    with pytest.raises(ValueError, match="does not match input_shape"):
        ConvNetRegressor(input_shape=(4, 4), max_iter=1).fit(grids, y)
    model = ConvNetRegressor(max_iter=1).fit(grids, y)
    with pytest.raises(ValueError, match="fitted on grids of shape"):
        model.predict(grids.reshape(20, 1, 4, 16))
    with pytest.raises(TypeError, match="dense grids"):
        ConvNetRegressor(max_iter=1).fit(sp.csr_matrix(grids.reshape(20, -1)),
                                         y)
    with pytest.raises(ValueError, match="conv_channels"):
        ConvNetRegressor(conv_channels=(0,), max_iter=1).fit(grids, y)


@pytest.mark.parametrize("pooling", ["max", "avg"])
def test_lenet_layout(pooling):
    net = ConvNet((1, 32, 32), 10, pooling=pooling)  # LeNet-5's own input
    convs = [m for m in net.features if isinstance(m, type(net.features[0]))]
    assert [c.out_channels for c in convs] == [6, 16]
    assert all(c.kernel_size == (5, 5) for c in convs)
    # 32 -> 16 -> 8 after two poolings, 16 channels, then 120 and 84 units
    assert net.head.hidden[0].in_features == 16 * 8 * 8
    assert [m.out_features for m in net.head.hidden
            if hasattr(m, "out_features")] == [120, 84]
    assert net(torch.zeros(3, 32 * 32)).shape == (3, 10)


def test_convnet_beats_flat_network_on_shifted_patterns():
    X, y = _lights(600)
    Xt, yt = _lights(300, seed=1)
    conv = ConvNetRegressor(max_iter=40, random_state=0).fit(X, y)
    flat = NNRegressor(random_state=0).fit(X.reshape(600, -1), y)
    r2_conv = conv.score(Xt, yt)
    r2_flat = flat.score(Xt.reshape(300, -1), yt)
    assert r2_conv > 0.6
    assert r2_conv > r2_flat + 0.1


def test_classifier_learns_digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = digits.images[:, None], digits.target
    clf = ConvNetClassifier(max_iter=15, random_state=0).fit(X[:1000],
                                                            y[:1000])
    assert clf.score(X[1000:], y[1000:]) > 0.9
    assert clf.predict_proba(X[1000:1003]).shape == (3, 10)
    assert clone(clf).get_params() == clf.get_params()


def test_benchmark_tiny():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "convnet.py"
    spec = importlib.util.spec_from_file_location("convnet_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.main(["--tiny"])
    assert {r["model"] for r in out["digits"]} == {"ConvNetClassifier()",
                                                   "NNClassifier()"}
    assert all(np.isfinite(r["R2"]) for r in out["lights"])
