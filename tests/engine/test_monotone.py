"""Monotonicity constraints by construction (engine/_monotone.py)."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import r2_score

from econnn import NNClassifier, NNRegressor
from econnn.engine._monotone import (MONOTONE_ACTIVATIONS, MonotoneMLP,
                                     _ConvexConcaveMix)
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
    assert model.n_ensemble_ == 4  # through the ensemble's average
    assert violations(model.predict, X, 0, +1) == 0
    assert violations(model.predict, X, 1, -1) == 0


def test_auto_activation_and_members_of_a_monotone_network():
    X, y = _data(n=400)
    plain = NNRegressor(max_iter=2, random_state=0).fit(X, y)
    assert (plain.activation_, plain.n_ensemble_) == ("tanh", 2)
    mono = NNRegressor(monotone={0: 1}, max_iter=2, random_state=0).fit(X, y)
    assert (mono.activation_, mono.n_ensemble_) == ("relu", 4)
    # below 400 rows the monotone network keeps smooth tanh units
    small = NNRegressor(monotone={0: 1}, max_iter=2, random_state=0).fit(
        X[:399], y[:399])
    assert (small.activation_, small.n_ensemble_) == ("tanh", 4)
    assert isinstance(small.module_.body.activation, torch.nn.Tanh)
    # relu's monotone layers mix convex, concave and bounded units
    assert isinstance(mono.module_.body.activation, _ConvexConcaveMix)
    assert "(relu), monotone, ensemble of 4" in str(mono.summary())
    # what the user sets is kept
    mine = NNRegressor(monotone={0: 1}, activation="tanh", n_ensemble=1,
                       max_iter=2, random_state=0).fit(X, y)
    assert (mine.activation_, mine.n_ensemble_) == ("tanh", 1)
    assert isinstance(mine.module_.body.activation, torch.nn.Tanh)
    clf = NNClassifier(monotone={0: 1}, max_iter=2, random_state=0).fit(
        X, y > np.median(y))
    assert (clf.activation_, clf.n_ensemble_) == ("relu", 4)


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


def test_nonnegative_layers_are_shrunk_in_the_forward_pass():
    # the 1/sqrt(fan_in) shrink lives in the forward pass: the stored
    # parameters keep an ordinary layer's scale (|W| ~ 0.15-0.2 here, not
    # ~0.02), so that Adam's steps are as large relative to them as in an
    # unconstrained network
    torch.manual_seed(0)
    net = MonotoneMLP(4, 1, [1, -1, 0, 0], hidden_layer_sizes=(64, 64),
                      activation="tanh")
    for i in (1, 2):
        stored = net.weights[i]
        expected = stored.abs() / np.sqrt(stored.shape[1])
        assert torch.equal(net.effective_weight(i), expected)
        assert stored.abs().mean() > 0.1
    # the first layer: signs on the constrained inputs, free elsewhere
    first = net.effective_weight(0)
    assert (first[:, 0] >= 0).all() and (first[:, 1] <= 0).all()
    assert torch.equal(first[:, 2:], net.weights[0][:, 2:])


def test_learns_a_monotone_truth_with_a_free_input():
    # rising in x0, falling in x1, a free wave in x2 whose size depends on
    # x0: the default monotone network recovers it on held-out rows
    def truth(X):
        return (np.tanh(2 * X[:, 0]) - X[:, 1] ** 3 / 3
                + np.sin(2 * X[:, 2]) * (1 + 0.5 * X[:, 0].clip(0)))

    rng = np.random.default_rng(0)
    X = rng.uniform(-1.5, 1.5, size=(600, 3))
    y = truth(X) + 0.2 * rng.normal(size=600)
    model = NNRegressor(monotone={0: 1, 1: -1}, random_state=0)
    model.fit(X[:400], y[:400])
    assert r2_score(truth(X[400:]), model.predict(X[400:])) > 0.9
    assert violations(model.predict, X, 0, +1) == 0
    assert violations(model.predict, X, 1, -1) == 0


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
