"""validation_split='cv': each ensemble member validated on its own fold."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from econnn import NNClassifier, NNRegressor
from econnn._member_splits import member_holdout, member_weights


# ------------------------------------------------------------------ folds
@pytest.mark.parametrize("n_members, fraction, n_folds",
                         [(2, 0.2, 5), (3, 0.2, 5), (5, 0.2, 5),
                          (10, 0.2, 10), (2, 0.5, 2), (1, 0.25, 4)])
def test_holdout_is_disjoint_folds_of_the_right_size(n_members, fraction,
                                                     n_folds):
    n = 103
    holdout = member_holdout(n, n_members, fraction, seed=0)
    assert holdout.shape == (n, n_members)
    assert holdout.sum(axis=1).max() <= 1  # a row validates one member
    sizes = holdout.sum(axis=0)
    assert sizes.min() >= n // n_folds and sizes.max() <= -(-n // n_folds)
    # every row trains all members but at most one
    assert ((~holdout).sum(axis=1) >= n_members - 1).all()


def test_holdout_is_reproducible_and_random():
    a = member_holdout(50, 3, 0.2, seed=1)
    np.testing.assert_array_equal(a, member_holdout(50, 3, 0.2, seed=1))
    assert not np.array_equal(a, member_holdout(50, 3, 0.2, seed=2))
    assert not np.array_equal(a[:, 0], np.arange(50) < 10)  # shuffled


def test_holdout_stratifies_by_class():
    labels = np.r_[np.zeros(80), np.ones(20)]
    holdout = member_holdout(100, 5, 0.2, seed=0, labels=labels)
    for m in range(5):
        assert labels[holdout[:, m]].sum() == 4  # 20 / 5 positives each


def test_holdout_refuses_too_few_rows():
    with pytest.raises(ValueError, match="validation_split='cv'"):
        member_holdout(9, 5, 0.2, seed=0)
    # with fewer members, fewer folds of at least 2 rows
    assert member_holdout(6, 2, 0.2, seed=0).sum(axis=0).tolist() == [2, 2]


def test_weights_exclude_each_members_validation_rows():
    holdout = member_holdout(40, 2, 0.2, seed=0)
    w = np.random.default_rng(0).uniform(0.5, 2.0, 40)
    train, valid = member_weights(holdout, w)
    assert np.all(train[holdout] == 0) and np.all(valid[~holdout] == 0)
    np.testing.assert_allclose(train.mean(axis=0), 1.0)
    # within a member's training rows, proportional to the sample weights
    for m in range(2):
        rows = ~holdout[:, m]
        np.testing.assert_allclose(train[rows, m] / w[rows],
                                   train[rows, m][0] / w[rows][0])
    np.testing.assert_allclose(valid[holdout], np.broadcast_to(
        w[:, None], holdout.shape)[holdout])


def test_zero_weight_validation_fold_falls_back_to_the_rows():
    holdout = member_holdout(20, 2, 0.2, seed=0)
    w = np.where(holdout[:, 0], 0.0, 1.0)
    train, valid = member_weights(holdout, w)
    np.testing.assert_array_equal(valid[:, 0], holdout[:, 0])
    assert np.all(train[holdout[:, 0], 1] == 0)  # zero weight: no training


# ------------------------------------------------------------- estimators
def _friedman(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 5))
    y = (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2
         + 10 * X[:, 3] + 5 * X[:, 4] + rng.normal(size=n))
    return X, y


def test_learns_a_nonlinear_function_beyond_the_linear_model():
    X, y = _friedman(400, 0)
    X_test, y_test = _friedman(400, 1)
    model = NNRegressor(validation_split="cv", n_ensemble=3,
                        random_state=0).fit(X, y)
    linear = LinearRegression().fit(X, y)
    r2 = r2_score(y_test, model.predict(X_test))
    assert r2 > 0.85
    assert r2 > r2_score(y_test, linear.predict(X_test)) + 0.05
    assert model.n_ensemble_ == 3
    assert model.best_validation_score_ > 0.8


def test_classifier_learns_with_member_folds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.4).astype(int)  # a circle
    model = NNClassifier(validation_split="cv", n_ensemble=3,
                         random_state=0).fit(X, y)
    X_test = rng.normal(size=(300, 2))
    y_test = (X_test[:, 0] ** 2 + X_test[:, 1] ** 2 > 1.4).astype(int)
    assert model.score(X_test, y_test) > 0.85  # a logit scores ~0.5


def test_linear_data_keeps_every_member_at_the_glm():
    # each member starts at the GLM of all rows, which competes as its
    # epoch 0: with no nonlinearity to find, the fit stays close to OLS
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=200)
    model = NNRegressor(validation_split="cv", n_ensemble=3,
                        random_state=0).fit(X, y)
    ols = LinearRegression().fit(X, y).predict(X)
    assert np.abs(model.predict(X) - ols).max() < 0.1 * y.std()


def test_reproducible_with_random_state():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(150, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2  # far from linear
    params = dict(validation_split="cv", n_ensemble=2, max_iter=40)
    a = NNRegressor(random_state=3, **params).fit(X, y).predict(X)
    b = NNRegressor(random_state=3, **params).fit(X, y).predict(X)
    c = NNRegressor(random_state=4, **params).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_zero_weight_rows_do_not_train_the_members():
    X, y = _friedman(150, 0)
    w = np.ones(150)
    w[:30] = 0.0
    y_bad = y.copy()
    y_bad[:30] = 1e3  # outliers that must not matter at weight zero
    params = dict(validation_split="cv", n_ensemble=2, max_iter=30,
                  random_state=0)
    clean = NNRegressor(**params).fit(X, y, sample_weight=w).predict(X)
    dirty = NNRegressor(**params).fit(X, y_bad, sample_weight=w).predict(X)
    # the target's standardisation sees weighted moments only, so the
    # fits agree up to float32 rounding
    np.testing.assert_allclose(clean, dirty, rtol=1e-3, atol=1e-3)


def test_one_network_is_validated_on_one_fold():
    X, y = _friedman(100, 0)
    model = NNRegressor(validation_split="cv", n_ensemble=1, max_iter=20,
                        random_state=0).fit(X, y)
    assert model.n_ensemble_ == 1 and model.validation_scores_


def test_warm_start_continues_with_member_folds():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(150, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    # no weight averaging: 15 epochs of cosine-annealed steps, averaged,
    # do not leave the GLM start on these data
    model = NNRegressor(validation_split="cv", n_ensemble=2, max_iter=15,
                        n_iter_no_change=1000, warm_start=True,
                        ema_decay=0.0, random_state=0).fit(X, y)
    first = model.score(X, y)
    model.fit(X, y)
    assert len(model.loss_curve_) == 30 and len(model.validation_scores_) \
        == 30
    assert model.score(X, y) > first


def test_cv_bagging_keeps_a_monotone_network_monotone():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = np.tanh(X[:, 0]) + 0.3 * X[:, 1] ** 2 + 0.1 * rng.normal(size=400)
    model = NNRegressor(monotone={0: 1}, validation_split="cv", n_ensemble=3,
                        max_iter=100, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8
    A = rng.normal(size=(20_000, 3))
    B = A.copy()
    B[:, 0] += np.abs(rng.normal(size=20_000))
    assert not (model.predict(B) < model.predict(A) - 1e-6).any()
