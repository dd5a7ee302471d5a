"""AutoencoderTransformer: against PCA, and as a scikit-learn transformer."""

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import subspace_angles
from sklearn.datasets import make_s_curve
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from econnn import AutoencoderTransformer, NNRegressor

# Settings under which the linear autoencoder reaches PCA's optimum: with
# Adam, small batches for many steps, then a cosine-annealed rate to settle;
# L-BFGS gets there directly.
LINEAR = dict(hidden_layer_sizes=(), activation="identity", alpha=0.0,
              learning_rate_init=0.01, batch_size=32, learning_rate="cosine",
              max_iter=100, tol=0.0)
LINEAR_LBFGS = dict(hidden_layer_sizes=(), activation="identity", alpha=0.0,
                    solver="lbfgs", max_iter=200, tol=1e-7)


def factor_data(seed=0, n=400):
    """Eight features with distinct principal variances, random rotation."""
    rng = np.random.RandomState(seed)
    sd = np.array([5, 4, 3, 1.5, 1, 0.7, 0.5, 0.3])
    rotation, _ = np.linalg.qr(rng.randn(8, 8))
    return (rng.randn(n, 8) * sd) @ rotation.T + 3 * rng.randn(8)


def s_curve_10d(seed=0, n=1000, noise=0.05):
    """scikit-learn's S-curve rotated into 10 dimensions, plus noise."""
    rng = np.random.RandomState(seed)
    S, _ = make_s_curve(n, noise=noise, random_state=seed)
    basis, _ = np.linalg.qr(rng.randn(10, 3))
    return S @ basis.T + noise * rng.randn(n, 10)


def pca_mse(Z, k):
    pca = PCA(k).fit(Z)
    return ((Z - pca.inverse_transform(pca.transform(Z))) ** 2).mean(), pca


@pytest.mark.parametrize("seed, params", [(0, LINEAR), (1, LINEAR),
                                          (2, LINEAR_LBFGS)])
def test_linear_autoencoder_spans_pca_subspace(seed, params):
    X = factor_data(seed)
    Z = StandardScaler().fit_transform(X)
    mse, pca = pca_mse(Z, 3)
    ae = AutoencoderTransformer(n_components=3, random_state=seed,
                                **params).fit(X)
    # the reconstructions of a linear autoencoder lie in its subspace
    recon = StandardScaler().fit(X).transform(
        ae.inverse_transform(ae.transform(X)))
    basis = np.linalg.svd(recon - recon.mean(axis=0),
                          full_matrices=False)[2][:3].T
    angle = np.degrees(subspace_angles(basis, pca.components_.T)).max()
    assert angle < 3
    assert ae.reconstruction_error_ < 1.02 * mse
    assert ae.reconstruction_error_ == pytest.approx(
        ((Z - recon) ** 2).mean(), rel=1e-6)
    # same total share of variance as PCA's
    assert ae.explained_variance_ratio_.sum() == pytest.approx(
        pca.explained_variance_ratio_.sum(), abs=0.01)


def test_nonlinear_autoencoder_beats_pca_on_s_curve():
    X = s_curve_10d()
    mse, _ = pca_mse(StandardScaler().fit_transform(X), 2)
    ae = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(64,),
                                learning_rate_init=0.01, batch_size=64,
                                learning_rate="cosine", max_iter=150, tol=0.0,
                                random_state=0).fit(X)
    assert ae.reconstruction_error_ < 0.7 * mse
    assert -ae.score(X) == pytest.approx(ae.reconstruction_error_)


def test_explained_variance_and_score():
    X = factor_data()
    ae = AutoencoderTransformer(n_components=3, random_state=0,
                                **LINEAR).fit(X)
    evr = ae.explained_variance_ratio_
    assert evr.shape == (3,) and np.all(evr > 0.05)
    # overall share = 1 - error / total variance (8 standardised features)
    assert evr.sum() == pytest.approx(1 - ae.reconstruction_error_)
    assert ae.score(X) == pytest.approx(-ae.reconstruction_error_)
    # the greedy order: no other unit reconstructs more on its own than
    # the first component
    Z = (X - ae._x_loc) / ae._x_scale
    codes = ae.transform(X)
    mean = codes.mean(axis=0)
    shares = []
    for j in range(3):
        one = np.tile(mean, (len(X), 1))
        one[:, j] = codes[:, j]
        recon = (ae.inverse_transform(one) - ae._x_loc) / ae._x_scale
        shares.append(1 - ((Z - recon) ** 2).sum() / (Z ** 2).sum())
    assert shares[0] == pytest.approx(evr[0]) and shares[0] == max(shares)


def test_transform_inverse_transform_and_module():
    import torch

    X = factor_data(n=60)
    ae = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(8, 4),
                                decoder_layer_sizes=(6,), max_iter=20,
                                random_state=0).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (60, 2)
    recon = ae.inverse_transform(codes)
    with torch.no_grad():
        direct = ae.module_(torch.as_tensor(X, dtype=torch.float32)).numpy()
    # transform standardises in float64, module_ in float32
    np.testing.assert_allclose(recon, direct, rtol=1e-5, atol=1e-5)
    widths = [m.out_features for m in ae.module_.body.decoder.modules()
              if isinstance(m, torch.nn.Linear)]
    assert widths == [6, 8]
    np.testing.assert_allclose(ae.fit_transform(X), codes)
    # outputs keep the input's dtype, whatever the training precision
    assert codes.dtype == np.float64
    assert ae.transform(X.astype(np.float32)).dtype == np.float32
    assert ae.inverse_transform(codes.astype(np.float32)).dtype == np.float32


def test_denoising_and_dropout():
    X = factor_data()
    ae = AutoencoderTransformer(n_components=3, noise=0.3, dropout=0.1,
                                learning_rate_init=0.01, max_iter=60,
                                random_state=0).fit(X)
    # no noise or dropout at transform: deterministic
    np.testing.assert_array_equal(ae.transform(X), ae.transform(X))
    assert ae.explained_variance_ratio_.sum() > 0.7
    plain = AutoencoderTransformer(n_components=3, learning_rate_init=0.01,
                                   max_iter=60, random_state=0).fit(X)
    assert not np.allclose(ae.transform(X), plain.transform(X))


def test_early_stopping_records_validation_share():
    X = factor_data()
    ae = AutoencoderTransformer(n_components=3, early_stopping=True,
                                learning_rate_init=0.01, max_iter=100,
                                random_state=0).fit(X)
    assert len(ae.validation_scores_) == ae.n_iter_
    assert ae.best_validation_score_ > 0.7


def test_feature_names_and_pandas_output():
    X = pd.DataFrame(factor_data(n=50), columns=[f"x{i}" for i in range(8)],
                     index=range(100, 150))
    ae = AutoencoderTransformer(n_components=2, max_iter=5,
                                random_state=0).set_output(transform="pandas")
    out = ae.fit_transform(X)
    assert list(out.columns) == ["autoencoder0", "autoencoder1"]
    assert list(out.index) == list(X.index)
    assert list(ae.get_feature_names_out()) == ["autoencoder0",
                                                "autoencoder1"]


def test_pipeline_and_grid_search():
    rng = np.random.RandomState(0)
    factors = rng.randn(300, 2)
    X = factors @ rng.randn(2, 8) + 0.1 * rng.randn(300, 8)
    y = factors @ np.array([1.0, -2.0]) + 0.1 * rng.randn(300)
    ae = AutoencoderTransformer(n_components=2, **{**LINEAR, "max_iter": 40},
                                random_state=0)
    ols = make_pipeline(ae, LinearRegression()).fit(X, y)
    assert ols.score(X, y) > 0.95
    nn = make_pipeline(ae, NNRegressor(hidden_layer_sizes=(8,), max_iter=50,
                                       activation="relu",
                                       learning_rate="constant",
                                       learning_rate_init=0.01,
                                       random_state=0)).fit(X, y)
    assert nn.score(X, y) > 0.9
    # two factors: the held-out reconstruction needs two components
    search = GridSearchCV(ae, {"n_components": [1, 2]}, cv=3).fit(X)
    assert search.best_params_ == {"n_components": 2}
    one, two = search.cv_results_["mean_test_score"]
    assert two > one + 0.2


def test_errors():
    X = factor_data(n=30)
    with pytest.raises(NotFittedError):
        AutoencoderTransformer().transform(X)
    with pytest.raises(ValueError, match="n_components=9 must be at most"):
        AutoencoderTransformer(n_components=9).fit(X)
    with pytest.raises(ValueError, match="hidden_layer_sizes must"):
        AutoencoderTransformer(hidden_layer_sizes=(4, 0)).fit(X)
    ae = AutoencoderTransformer(max_iter=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="3 columns but"):
        ae.inverse_transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="features"):
        ae.transform(X[:, :5])
