"""Training precision: float32 by default, float64 on request.

scikit-learn's checks that demand agreement to 1e-7 between results equal
in exact arithmetic (weighted vs repeated rows; predicting a subset or a
permutation) run on float64 configurations in ``test_common.py``; here the
same equivalences are asserted for the float32 defaults, at float32's
tolerance.
"""

import numpy as np
import pytest
import torch

from econnn import (AutoencoderTransformer, NNClassifier, NNRegressor,
                    SequenceForecaster, marginal_effects)


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(n)
    return X, y


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    if hasattr(est, "transform"):
        return est.transform(X)
    return est.predict(X)


# the plain MLP: no validation split (weighted and repeated rows cannot
# share one) and no GLM start (a float64 least-squares fit whose rounding
# the float32 network then amplifies past this tolerance)
_PLAIN = dict(early_stopping=False, linear_skip=False)
ESTIMATORS = [NNRegressor(max_iter=40, random_state=0, **_PLAIN),
              NNClassifier(max_iter=40, random_state=0, **_PLAIN),
              AutoencoderTransformer(n_components=2, max_iter=40,
                                     random_state=0),
              # the holdout splits windows by position: a weight of k and k
              # repeated windows hold out different windows
              SequenceForecaster(max_iter=20, holdout_fraction=0.0,
                                 random_state=0)]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_weights_equal_repeated_rows_at_float32_tolerance(est):
    X, y = _data()
    if isinstance(est, NNClassifier):
        y = (y > np.median(y)).astype(int)
    w = np.random.RandomState(1).randint(0, 3, len(y))
    weighted = est.__class__(**est.get_params()).fit(X, y, sample_weight=w)
    rep = np.repeat(np.arange(len(y)), w)
    repeated = est.__class__(**est.get_params()).fit(X[rep], y[rep])
    a, b = _outputs(weighted, X), _outputs(repeated, X)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_subsets_and_permutations_predict_alike_at_float32_tolerance(est):
    X, y = _data(60)
    if isinstance(est, NNClassifier):
        y = (y > np.median(y)).astype(int)
    est.fit(X, y)
    full = _outputs(est, X)
    perm = np.random.RandomState(0).permutation(len(X))
    tol = dict(rtol=1e-5, atol=1e-6 * np.abs(full).max())
    np.testing.assert_allclose(_outputs(est, X[perm]), full[perm], **tol)
    rows = np.vstack([_outputs(est, X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(rows, full.reshape(len(X), -1), **tol)


def test_float32_and_float64_training_learn_the_same_function():
    X, y = _data(300)
    single, double = (NNRegressor(max_iter=150, random_state=0,
                                  precision=p).fit(X, y)
                      for p in ("float32", "float64"))
    assert next(single.module_.parameters()).dtype == torch.float32
    assert next(double.module_.parameters()).dtype == torch.float64
    assert single.score(X, y) > 0.9
    # the same seed and data: trajectories agree to float32 rounding
    np.testing.assert_allclose(single.predict(X), double.predict(X),
                               atol=1e-3)


def test_float32_network_marginal_effects_are_float64_exact():
    # autograd runs on a float64 copy of the fitted network; numerical
    # differences use a step sized for float32 rounding: the two agree
    X, y = _data(200)
    model = NNRegressor(max_iter=60, random_state=0).fit(X, y)
    exact = marginal_effects(model, X, discrete=None)
    numerical = marginal_effects(model, X, discrete=None,
                                 derivative="numerical")
    np.testing.assert_allclose(exact["effect"], numerical["effect"],
                               rtol=1e-3, atol=1e-4)
    assert exact.loc["x0", "effect"] == pytest.approx(
        np.cos(X[:, 0]).mean(), abs=0.15)
