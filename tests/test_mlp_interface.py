"""scikit-learn's MLP attributes and rules: layer weights, partial_fit."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

from econnn import NNClassifier, NNRegressor

# scikit-learn's layout describes a plain MLP: no linear skip (whose
# weights coefs_ does not show) and, as in scikit-learn, no validation split
FAST = dict(hidden_layer_sizes=(6, 4), max_iter=20, activation="tanh",
            learning_rate="constant", learning_rate_init=0.01,
            precision="float64", random_state=0, linear_skip=False,
            early_stopping=False)


@pytest.fixture
def regression():
    X, y = make_regression(80, 3, noise=1.0, random_state=0)
    return X, y


def _forward(coefs, intercepts, X, activation=np.tanh):
    h = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        h = h @ W + b
        if i < len(coefs) - 1:
            h = activation(h)
    return h


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_layer_weights_are_the_network_in_the_units_it_sees(regression):
    X, y = regression
    raw = NNRegressor(**FAST, n_ensemble=1, standardize=False).fit(X, y)
    assert [c.shape for c in raw.coefs_] == [(3, 6), (6, 4), (4, 1)]
    assert [b.shape for b in raw.intercepts_] == [(6,), (4,), (1,)]
    assert raw.n_layers_ == 4
    np.testing.assert_allclose(
        _forward(raw.coefs_, raw.intercepts_, X).ravel(), raw.predict(X))

    # standardize=True: the weights act on standardised X and produce the
    # standardised target
    std = NNRegressor(**FAST, n_ensemble=1).fit(X, y)
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    out = _forward(std.coefs_, std.intercepts_, Xs).ravel()
    np.testing.assert_allclose(out * y.std() + y.mean(), std.predict(X),
                               rtol=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_ensemble_weights_are_stacked_over_members(regression):
    X, y = regression
    model = NNRegressor(**FAST, n_ensemble=3, standardize=False).fit(X, y)
    assert [c.shape for c in model.coefs_] == [(3, 3, 6), (3, 6, 4),
                                               (3, 4, 1)]
    assert [b.shape for b in model.intercepts_] == [(3, 6), (3, 4), (3, 1)]
    members = [_forward([c[k] for c in model.coefs_],
                        [b[k] for b in model.intercepts_], X)
               for k in range(3)]
    np.testing.assert_allclose(np.mean(members, axis=0).ravel(),
                               model.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_layer_weights_are_read_only_copies_and_settable(regression):
    X, y = regression
    model = NNRegressor(**FAST, n_ensemble=1, standardize=False).fit(X, y)
    with pytest.raises(ValueError, match="read-only"):
        model.coefs_[0][0, 0] = 1.0
    coefs = [np.zeros_like(c) for c in model.coefs_]
    intercepts = [np.full_like(b, 2.5) for b in model.intercepts_]
    model.coefs_, model.intercepts_ = coefs, intercepts
    np.testing.assert_allclose(model.predict(X), 2.5)
    with pytest.raises(ValueError, match="shape"):
        model.coefs_ = [c.T for c in coefs]
    with pytest.raises(ValueError, match="one per layer"):
        model.intercepts_ = intercepts[:1]


def test_layer_weights_before_fit_and_for_custom_modules(regression):
    X, y = regression
    assert not hasattr(NNRegressor(), "coefs_")
    assert not hasattr(NNRegressor(), "n_layers_")

    class Linear(torch.nn.Module):
        def __init__(self, n_features_in, n_outputs):
            super().__init__()
            self.lin = torch.nn.Linear(n_features_in, n_outputs)

        def forward(self, x):
            return self.lin(x)

    model = NNRegressor(module=Linear, max_iter=2, random_state=0)
    with pytest.warns(Warning):
        model.fit(X, y)
    with pytest.raises(AttributeError, match="custom module"):
        model.coefs_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_monotone_network_says_why_it_has_no_coefs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    model = NNRegressor(monotone={0: 1}, max_iter=2, random_state=0).fit(
        X, X[:, 0])
    with pytest.raises(AttributeError, match="monotone network"):
        model.coefs_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_int_hidden_layer_sizes_is_one_layer(regression):
    X, y = regression
    model = NNRegressor(**{**FAST, "hidden_layer_sizes": 5},
                        n_ensemble=1).fit(X, y)
    assert [c.shape for c in model.coefs_] == [(3, 5), (5, 1)]


@pytest.mark.parametrize("Est", [NNRegressor, NNClassifier])
def test_partial_fit_availability(Est):
    assert not hasattr(Est(solver="lbfgs", early_stopping=False),
                       "partial_fit")
    for solver in ("sgd", "adam", "adamw"):
        assert hasattr(Est(solver=solver, early_stopping=False),
                       "partial_fit")
    # the default stops early: partial_fit is hidden, with a clear reason
    assert not hasattr(Est(early_stopping=True), "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as info:
        Est(early_stopping=True).partial_fit
    assert "set early_stopping=False" in str(info.value.__cause__)


def test_loss_and_best_loss(regression):
    X, y = regression
    model = NNRegressor(**FAST, n_ensemble=1)
    with pytest.warns(Warning):
        model.fit(X, y)
    assert model.loss_ == model.loss_curve_[-1]
    assert model.best_loss_ == min(model.loss_curve_)
    model = NNRegressor(**{**FAST, "max_iter": 200, "early_stopping": True},
                        n_ensemble=1).fit(X, y)
    assert model.best_loss_ is None
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_max_fun_limits_lbfgs_evaluations(regression):
    X, y = regression
    model = NNRegressor(**{**FAST, "max_iter": 500}, solver="lbfgs",
                        n_ensemble=1, tol=0.0, max_fun=15)
    with pytest.warns(Warning, match="max_fun=15"):
        model.fit(X, y)
    assert model.net_.fun_evals_ <= 15
    assert 1 <= model.n_iter_ <= 15
    unlimited = NNRegressor(**{**FAST, "max_iter": 40}, solver="lbfgs",
                            n_ensemble=1, tol=0.0)
    with pytest.warns(Warning, match="max_iter=40"):
        unlimited.fit(X, y)
    assert unlimited.n_iter_ == 40


def test_lbfgs_stops_at_the_gradient_tolerance(regression):
    # tol is L-BFGS's gradient tolerance, as scikit-learn's gtol: a linear
    # model's loss is quadratic, so it converges in a few iterations
    X, y = regression
    model = NNRegressor(hidden_layer_sizes=(2,), activation="identity",
                        solver="lbfgs", alpha=0.0, max_iter=500, tol=1e-6,
                        standardize=False, n_ensemble=1,
                        precision="float64", random_state=0).fit(X, y)
    assert model.n_iter_ < 100
    assert model.score(X, y) > 0.99


def test_n_iter_no_change_is_exceeded_before_stopping(regression):
    # scikit-learn stops after n_iter_no_change + 1 epochs without a gain:
    # with tol=1e9 only the first epoch counts as one, so 1 + 4 epochs
    X, y = regression
    model = NNRegressor(**{**FAST, "max_iter": 500}, n_ensemble=1,
                        tol=1e9, n_iter_no_change=3).fit(X, y)
    assert model.n_iter_ == 5
    model = NNRegressor(**{**FAST, "max_iter": 30}, n_ensemble=1,
                        tol=1e9, n_iter_no_change=np.inf)
    with pytest.warns(Warning):
        model.fit(X, y)
    assert model.n_iter_ == 30
