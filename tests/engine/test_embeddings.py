"""Numerical embeddings of the inputs (``numerical_embedding='periodic'``)."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler

from econnn import NNClassifier, NNRegressor
from econnn.engine._backprop import backprop_for
from econnn.engine._embeddings import PBLDEmbedding, PeriodicEmbedding
from econnn.engine._networks import MLP, EnsembleMLP, penalised_names

EMBED = dict(numerical_embedding="periodic")


def test_periodic_embedding_shapes_and_formula():
    torch.manual_seed(0)
    emb = PeriodicEmbedding(3, 2, size=4, scale=0.5).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    out = emb(x)
    assert out.shape == (2, 5, 3 * 4) and emb.n_features_out == 12
    # member 1, row 2, input 1 by hand: relu(V [cos, sin](2 pi c x) + b)
    c = emb.frequencies[1, 1]
    angle = 2 * np.pi * c * x[2, 1]
    feats = torch.cat([torch.cos(angle), torch.sin(angle)])
    expected = torch.relu(feats @ emb.weight[1, 1] + emb.bias[1, 0, 1])
    torch.testing.assert_close(out[1, 2, 4:8], expected)
    # each member draws its own frequencies, at the asked scale
    assert not torch.equal(emb.frequencies[0], emb.frequencies[1])
    big = PeriodicEmbedding(50, 1, size=40, scale=0.5)
    assert abs(big.frequencies.std().item() - 0.5) < 0.03


def test_networks_with_embedding_shapes():
    torch.manual_seed(0)
    x = torch.randn(6, 3)
    mlp = MLP(3, 2, (5,), linear_skip=True, **EMBED, embedding_size=4)
    assert mlp.hidden[0].in_features == 12
    assert mlp(x).shape == (6, 2)
    ens = EnsembleMLP(3, 2, 4, (5,), linear_skip=True, **EMBED,
                      embedding_size=4)
    assert ens.weights[0].shape == (4, 12, 5)
    assert ens.embedding.frequencies.shape == (4, 3, 4)
    assert ens.members(x).shape == (4, 6, 2)
    ens.eval()
    assert ens(x).shape == (6, 2)
    # autograd trains it: the closed-form backprop declines
    assert backprop_for(mlp) is None and backprop_for(ens) is None
    # the frequencies are not weight-decayed; the embedding's maps are
    names = penalised_names(ens)
    assert "embedding.weight" in names
    assert "embedding.frequencies" not in names


def _periodic_data(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, np.sin(2 * np.pi * X[:, 0]) + 0.1 * rng.normal(size=n)


def test_periodic_embedding_learns_a_high_frequency_function():
    """Four cycles of a sine over one input's range, 300 rows: the plain
    MLP (same training) barely leaves the GLM, the embedded one fits it."""
    X, y = _periodic_data(300, 0)
    X_test, y_test = _periodic_data(1000, 1)
    common = dict(hidden_layer_sizes=(32,), n_ensemble=1, max_iter=150,
                  random_state=0)
    plain = NNRegressor(**common).fit(X, y)
    embedded = NNRegressor(**common, **EMBED, embedding_scale=1.0).fit(X, y)
    assert plain.score(X_test, y_test) < 0.3
    assert embedded.score(X_test, y_test) > 0.8


@pytest.mark.parametrize("kind", ["periodic", "pbld"])
@pytest.mark.parametrize("members", [1, 2])
def test_embedded_network_starts_at_the_glm(members, kind):
    """Epoch 0 is still OLS / logit: only the nonlinear part is embedded,
    and its output layer starts at zero."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + np.sin(3 * X[:, 0]) + rng.normal(size=200)
    frozen = dict(max_iter=1, learning_rate_init=1e-12, n_ensemble=members,
                  random_state=0, precision="float64",
                  numerical_embedding=kind)
    net = NNRegressor(**frozen).fit(X, y)
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(net.predict(X), ols.predict(X), atol=1e-6)
    assert net.module_.body.embedding is not None

    yc = (y > np.median(y)).astype(int)
    Xs = StandardScaler().fit_transform(X)
    clf = NNClassifier(**frozen).fit(X, yc)
    np.testing.assert_allclose(clf.predict_proba(X),
                               LogisticRegression().fit(Xs, yc)
                               .predict_proba(Xs), atol=1e-5)


@pytest.mark.parametrize("kind", ["periodic", "pbld"])
def test_embedding_accepts_sparse_input(kind):
    X, y = _periodic_data(100, 0)
    model = NNRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
                        numerical_embedding=kind).fit(sp.csr_matrix(X), y)
    assert np.isfinite(model.predict(sp.csr_matrix(X))).all()


def test_embedding_is_refused_with_monotone_constraints():
    X, y = _periodic_data(50, 0)
    with pytest.raises(ValueError, match="numerical_embedding='periodic'"):
        NNRegressor(monotone={0: 1}, **EMBED).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(numerical_embedding="fourier"), "numerical_embedding"),
    (dict(embedding_size=0), "embedding_size"),
    (dict(embedding_scale=0.0), "embedding_scale"),
])
def test_bad_embedding_parameters_are_refused(params, match):
    X, y = _periodic_data(50, 0)
    with pytest.raises(ValueError, match=match):
        NNRegressor(**params).fit(X, y)


def test_summary_names_the_embedding():
    X, y = _periodic_data(60, 0)
    model = NNRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                        embedding_size=3, **EMBED).fit(X, y)
    assert "periodic embedding (3 per input)" in str(model.summary())


def test_pbld_embedding_keeps_the_input_first():
    torch.manual_seed(0)
    emb = PBLDEmbedding(3, 2, size=4, scale=0.5).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    out = emb(x)
    assert out.shape == (2, 5, 12)
    # per input: [x_j, V_j cos(2 pi (c_j x_j + a_j)) + b_j]
    torch.testing.assert_close(out[:, :, 0::4], x.expand(2, 5, 3))
    turns = emb.frequencies[0, 2] * x[1, 2] + emb.phases[0, 2]
    expected = torch.cos(2 * np.pi * turns) @ emb.weight[0, 2] + \
        emb.bias[0, 0, 2]
    torch.testing.assert_close(out[0, 1, 9:12], expected)
    assert "embedding.phases" not in penalised_names(
        EnsembleMLP(3, 1, 2, (4,), numerical_embedding="pbld"))
    with pytest.raises(ValueError, match="at least 2"):
        NNRegressor(numerical_embedding="pbld", embedding_size=1).fit(
            *_periodic_data(30, 0))


def test_pbld_embedding_learns_a_high_frequency_function():
    X, y = _periodic_data(300, 0)
    X_test, y_test = _periodic_data(1000, 1)
    model = NNRegressor(hidden_layer_sizes=(32,), n_ensemble=1, max_iter=150,
                        random_state=0, numerical_embedding="pbld",
                        embedding_scale=1.0).fit(X, y)
    assert model.score(X_test, y_test) > 0.8


def test_embedded_model_pickles_and_predicts_the_same():
    import pickle
    X, y = _periodic_data(80, 0)
    model = NNRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
                        **EMBED).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
