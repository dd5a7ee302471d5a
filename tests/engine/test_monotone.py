"""Monotonicity constraints by construction (engine/_monotone.py)."""

import numpy as np
import pandas as pd
import pytest

from econnn import NNClassifier, NNRegressor
from econnn.engine._monotone import MONOTONE_ACTIVATIONS
from econnn.engine._optim import SOLVERS

N_PAIRS = 100_000


def _data(n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 5.0, 0.1, 1.0] + [0, 10, 0, 0]
    # the truth is NOT monotone in the constrained columns, so the
    # constraint has to hold against the data
    y = np.sin(2 * X[:, 0]) - 0.2 * (X[:, 1] - 10) ** 2 + X[:, 3]
    return X, y + 0.3 * rng.normal(size=n)


def violations(predict, X, column, sign, seed=0):
    """Pairs differing only in ``column`` where the prediction moves
    against ``sign`` (pairs drawn well beyond the data's range)."""
    rng = np.random.default_rng(seed)
    base = X[rng.integers(len(X), size=N_PAIRS)].copy()
    lo, hi = X[:, column].min(), X[:, column].max()
    span = hi - lo
    a, b = rng.uniform(lo - span, hi + span, size=(2, N_PAIRS))
    low, high = base.copy(), base.copy()
    low[:, column], high[:, column] = np.minimum(a, b), np.maximum(a, b)
    p_low, p_high = predict(low), predict(high)
    return int(np.sum(sign * (p_high - p_low) < 0))


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("activation", sorted(MONOTONE_ACTIVATIONS))
def test_zero_violations_for_every_activation_and_solver(activation,
                                                         solver):
    X, y = _data()
    model = NNRegressor(hidden_layer_sizes=(16, 16), activation=activation,
                        solver=solver, monotone={0: 1, 1: -1}, max_iter=15,
                        learning_rate_init=0.01,
                        random_state=0).fit(X, y)
    assert model.n_ensemble_ == 2  # through the ensemble's average
    assert violations(model.predict, X, 0, +1) == 0
    assert violations(model.predict, X, 1, -1) == 0


@pytest.mark.parametrize("loss", ["poisson", "tobit", "negative_binomial"])
def test_monotone_mean_under_other_links(loss):
    X, y = _data()
    y = np.round(np.exp(y / 4)) if loss != "tobit" else np.maximum(y, 0)
    model = NNRegressor(hidden_layer_sizes=(16,), loss=loss,
                        monotone={2: -1}, max_iter=20,
                        random_state=0).fit(X, y)
    assert violations(model.predict, X, 2, -1) == 0


def test_by_name_on_a_dataframe_and_in_original_units():
    X, y = _data()
    frame = pd.DataFrame(X, columns=["price", "income", "tiny", "z"])
    model = NNRegressor(hidden_layer_sizes=(16,), max_iter=20,
                        monotone={"price": -1, "income": 1},
                        random_state=0).fit(frame, y)

    def predict(A):
        return model.predict(pd.DataFrame(A, columns=frame.columns))

    # 'tiny' has scale 0.1: standardisation divides by a positive scale
    assert violations(predict, X, 0, -1) == 0
    assert violations(predict, X, 1, +1) == 0


@pytest.mark.parametrize("loss", ["log_loss", "ordered_logit"])
def test_classifier_probability_is_monotone(loss):
    X, y = _data()
    labels = (y > 0).astype(int) if loss == "log_loss" else \
        np.digitize(y, [-2, 0, 1])
    model = NNClassifier(hidden_layer_sizes=(16,), loss=loss, max_iter=20,
                         monotone={3: 1}, random_state=0).fit(X, labels)

    def p_above(A, k):
        return model.predict_proba(A)[:, k:].sum(axis=1)

    for k in range(1, len(model.classes_)):
        assert violations(lambda A: p_above(A, k), X, 3, +1) == 0


def test_constraint_improves_fit_to_a_monotone_truth():
    # an S-shaped response (adoption, a threshold) with flat ends and noise:
    # trained to the end, the unconstrained network wiggles on the plateaus
    truth = lambda x: 1 / (1 + np.exp(-5 * (x - 1)))  # noqa: E731
    grid = np.linspace(0, 2, 200)[:, None]
    errors = {True: [], False: []}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = rng.uniform(0, 2, size=(100, 1))
        y = truth(X[:, 0]) + 0.5 * rng.normal(size=100)
        for constrained in (True, False):
            # both plain MLPs (monotone networks have no linear skip), so
            # the comparison isolates the constraint
            model = NNRegressor(max_iter=500, tol=0, learning_rate_init=0.01,
                                random_state=seed, linear_skip=False,
                                early_stopping=False,
                                monotone={0: 1} if constrained else None)
            model.fit(X, y)
            errors[constrained].append(np.sqrt(np.mean(
                (model.predict(grid) - truth(grid[:, 0])) ** 2)))
    assert np.mean(errors[True]) < 0.9 * np.mean(errors[False])


@pytest.mark.parametrize("params, match", [
    (dict(monotone={"nope": 1}), "not among the input columns"),
    (dict(monotone={7: 1}), "X has 4 column"),
    (dict(monotone={0: 2}), r"must be \+1 \(increasing\) or -1"),
    (dict(monotone={0: True}), r"must be \+1"),
    (dict(monotone={0: 1, -4: 1}), "twice"),
    (dict(monotone={0: 1}, activation="gelu"), "not monotone"),
    (dict(monotone={0: 1}, batch_norm=True), "batch_norm"),
    (dict(monotone={0: 1}, loss="zero_inflated_poisson"), "inflation"),
])
def test_bad_monotone_settings_are_refused(params, match):
    X, y = _data()
    if params.get("loss") == "zero_inflated_poisson":
        y = np.round(np.exp(y / 4))
    with pytest.raises(ValueError, match=match):
        NNRegressor(max_iter=2, **params).fit(X, y)


def test_multiclass_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="Only binary classification"):
        NNClassifier(max_iter=2, monotone={0: 1}).fit(
            X, np.digitize(y, [-2, 0, 1]))


# --------------------------------------------------------- the linear skip
def test_sign_bounded_glm_matches_bounded_least_squares():
    from scipy.optimize import lsq_linear

    from econnn.engine._glm import glm_start
    from econnn.engine._losses import SquaredError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    X[:, 1] += 0.9 * X[:, 0]  # correlated, so the bound moves the others
    y = X @ [1.0, 0.5, -1.0, 0.3] + 0.5 * rng.normal(size=200)
    w = rng.uniform(0.5, 2.0, size=200)
    signs = [0, -1, 1, 0]  # column 1 should fall, column 2 rise: both bind
    coef, intercept = glm_start(SquaredError(), X, y, w, signs=signs)
    # reference: weighted bounded least squares on centred data
    sw = np.sqrt(w)
    xm, ym = w @ X / w.sum(), w @ y / w.sum()
    ref = lsq_linear((X - xm) * sw[:, None], (y - ym) * sw,
                     bounds=([-np.inf, -np.inf, 0, -np.inf],
                             [np.inf, 0, np.inf, np.inf]), tol=1e-12)
    np.testing.assert_allclose(coef[0], ref.x, atol=1e-6)
    np.testing.assert_allclose(intercept[0], ym - ref.x @ xm, atol=1e-6)
    assert coef[0, 1] == 0 and coef[0, 2] == 0
    # bounds that do not bind give the unconstrained GLM
    free = glm_start(SquaredError(), X, y, w)
    loose = glm_start(SquaredError(), X, y, w, signs=[1, 0, -1, 0])
    np.testing.assert_allclose(loose[0], free[0])


def test_start_is_the_sign_bounded_glm_and_never_violates():
    # OLS gives column 0 the wrong sign (-1) for the constraint (+1): a
    # start carrying it would break monotonicity; the network must not, at
    # the start (epoch 0) or after training
    from econnn.engine._glm import glm_start
    from econnn.engine._losses import SquaredError

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = -X[:, 0] + np.sin(2 * X[:, 1]) + X[:, 2] + 0.2 * rng.normal(size=300)
    common = dict(hidden_layer_sizes=(16, 16), monotone={0: 1},
                  learning_rate_init=0.01, random_state=0)
    Xs = (X - X.mean(0)) / X.std(0)
    coef, _ = glm_start(SquaredError(), Xs, (y - y.mean()) / y.std(),
                        np.ones(300), signs=[1, 0, 0])
    assert coef[0, 0] == 0  # the bound binds
    # one epoch that cannot learn: the start wins and is restored
    start = NNRegressor(max_iter=1, **{**common, "learning_rate_init": 1e-9})
    start.fit(X, y)
    body = start.module_.body
    assert start.best_epoch_ == 0 and bool(body.at_start)
    np.testing.assert_allclose(body.start_linear[0, :, 0].numpy(), coef[0],
                               rtol=1e-4, atol=1e-7)
    model = NNRegressor(max_iter=30, early_stopping=False, **common).fit(
        X, y)
    # the linear term was dropped for training
    assert not bool(model.module_.body.at_start)
    for fitted in (start, model):
        assert violations(fitted.predict, X, 0, +1) == 0


def test_skip_reproduces_the_linear_fit_when_the_truth_is_linear():
    # the truth is linear and respects the constraints: the start (the
    # sign-bounded GLM, here OLS) wins epoch 0 and the network is OLS
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(2)
    X = rng.normal(size=(800, 5))
    y = X @ [0.5, -1.0, 2.0, 1.0, -0.5] + 0.5 * rng.normal(size=800)
    train, test = slice(0, 600), slice(600, None)
    model = NNRegressor(monotone={0: 1, 1: -1}, random_state=0).fit(
        X[train], y[train])
    ols = LinearRegression().fit(X[train], y[train])
    assert model.best_epoch_ == 0
    np.testing.assert_allclose(model.predict(X[test]),
                               ols.predict(X[test]), atol=0.05)
    # (without the linear start: 0.0076 below OLS in R^2)
    assert model.score(X[test], y[test]) > ols.score(X[test], y[test]) - \
        0.001


def test_all_inputs_constrained_have_no_skip():
    X, y = _data()
    model = NNRegressor(hidden_layer_sizes=(8,), max_iter=5,
                        monotone={0: 1, 1: -1, 2: 1, 3: 1},
                        random_state=0).fit(X, y)
    assert model.module_.body.start_linear.shape == (2, 4, 1)
    assert violations(model.predict, X, 1, -1) == 0


@pytest.mark.parametrize("kind", ["logit", "poisson"])
def test_sign_bounded_glm_drops_a_binding_column(kind):
    # a bound that binds holds its coefficient at 0, and the rest is the
    # same GLM (with the same ridge) fitted without that column
    from sklearn.linear_model import LogisticRegression, PoissonRegressor

    from econnn.engine._glm import glm_start
    from econnn.engine._losses import ClassificationLoss, Poisson

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    eta = 0.3 + X @ [0.8, -0.6, 0.4]
    if kind == "logit":
        loss, y = ClassificationLoss("binary", 2), (
            rng.uniform(size=400) < 1 / (1 + np.exp(-eta))).astype(float)
        ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000)
    else:
        loss, y = Poisson(), rng.poisson(np.exp(eta)).astype(float)
        ref = PoissonRegressor(alpha=1 / 400, tol=1e-10, max_iter=1000)
    w = np.ones(400)
    coef, intercept = glm_start(loss, X, y, w, signs=[0, 1, 0])
    ref.fit(X[:, [0, 2]], y)
    assert coef[0, 1] == 0
    np.testing.assert_allclose(coef[0, [0, 2]], ref.coef_.ravel(), atol=1e-4)
    np.testing.assert_allclose(intercept[0], np.ravel(ref.intercept_)[0],
                               atol=1e-4)
