"""NNRegressor and NNClassifier: learning, losses, inputs and options."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.datasets import make_classification, make_moons, make_regression
from sklearn.metrics import r2_score

from econnn import NNClassifier, NNRegressor

# Tests of training mechanics pin the plain MLP (no linear skip, no
# validation split) or the earlier early-stopping settings they were written
# for; the defaults themselves are tested in test_training_engine.py and
# measured in benchmarks/suite.
PLAIN = dict(linear_skip=False, early_stopping=False)
PLAIN_ES = dict(linear_skip=False, validation_fraction=0.1,
                n_iter_no_change=10)


@pytest.fixture
def regression():
    X, y = make_regression(300, 5, noise=5.0, random_state=0)
    return X, y


def test_regressor_learns_nonlinear_function():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (400, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    model = NNRegressor(max_iter=300, learning_rate_init=0.01,
                        random_state=0).fit(X[:300], y[:300])
    assert model.score(X[300:], y[300:]) > 0.9


def test_standardize_makes_raw_units_work():
    # a target in the millions and features of very different scales
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(0, 1e4, 300), rng.normal(0, 1e-3, 300)])
    y = 3e2 * X[:, 0] + 5e8 * X[:, 1] + 1e6
    model = NNRegressor((16,), activation="relu", learning_rate="constant",
                        max_iter=200, learning_rate_init=0.01,
                        random_state=0).fit(X, y)
    assert model.score(X, y) > 0.98
    assert abs(model.predict(X).mean() - 1e6) < 1e5


@pytest.mark.parametrize("loss, out_activation, dgp", [
    ("poisson", "exp", lambda eta, rng: rng.poisson(np.exp(eta))),
    ("gamma", "exp", lambda eta, rng: rng.gamma(5.0, np.exp(eta) / 5.0)),
])
def test_log_link_losses_recover_conditional_mean(loss, out_activation, dgp):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (2000, 2))
    eta = 1.0 + 0.8 * X[:, 0] - 0.5 * X[:, 1]
    y = dgp(eta, rng).astype(float)
    model = NNRegressor((16,), loss=loss, max_iter=100,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.out_activation_ == out_activation  # scikit-learn's name
    pred = model.predict(X)
    assert np.all(pred > 0)
    # close to the true conditional mean exp(eta)
    assert r2_score(np.exp(eta), pred) > 0.95


@pytest.mark.parametrize("q", [0.1, 0.9])
def test_quantile_loss_coverage(q):
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, (2000, 1))
    y = X[:, 0] + rng.normal(0, 0.3, 2000)
    model = NNRegressor((16,), loss="quantile", quantile=q, max_iter=100,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    coverage = np.mean(y <= model.predict(X))
    assert abs(coverage - q) < 0.04


def test_absolute_and_huber_are_robust_to_outliers():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (500, 1))
    y = 2 * X[:, 0] + rng.normal(0, 0.1, 500)
    y[:25] += 50  # gross outliers
    grid = np.linspace(-0.9, 0.9, 50)[:, None]
    errors = {}
    for loss in ("squared_error", "absolute_error", "huber"):
        model = NNRegressor((16,), loss=loss, max_iter=150,
                            learning_rate_init=0.01, random_state=0).fit(X, y)
        errors[loss] = np.abs(model.predict(grid) - 2 * grid[:, 0]).mean()
    assert errors["absolute_error"] < errors["squared_error"] / 3
    assert errors["huber"] < errors["squared_error"] / 3


def test_poisson_rejects_negative_targets(regression):
    X, y = regression
    with pytest.raises(ValueError, match="poisson.*y >= 0"):
        NNRegressor(loss="poisson").fit(X, y)


def test_multioutput_regression():
    X, y = make_regression(300, 4, n_targets=3, noise=1.0, random_state=0)
    model = NNRegressor(max_iter=150, learning_rate_init=0.01,
                        random_state=0).fit(X, y)
    assert model.predict(X).shape == (300, 3)
    assert model.n_outputs_ == 3
    assert model.score(X, y) > 0.95


def test_sparse_input_matches_dense(regression):
    X, y = regression
    Xs = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    params = dict(max_iter=30, random_state=0, standardize=False)
    dense = NNRegressor(**params).fit(Xs.toarray(), y)
    sparse = NNRegressor(**params).fit(Xs, y)
    np.testing.assert_allclose(sparse.predict(Xs), dense.predict(Xs.toarray()),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_precision_sets_the_network_dtype_not_the_input(regression,
                                                       input_dtype):
    X, y = regression
    X = X.astype(input_dtype)
    model = NNRegressor(max_iter=5, random_state=0).fit(X, y)
    assert next(model.module_.parameters()).dtype == torch.float32
    assert model.predict(X).dtype == np.float64
    model64 = NNRegressor(max_iter=5, random_state=0,
                          precision="float64").fit(X, y)
    assert next(model64.module_.parameters()).dtype == torch.float64
    assert model64.predict(X).dtype == np.float64


def test_same_random_state_same_predictions_and_global_rng_untouched(
        regression):
    X, y = regression
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = NNRegressor(max_iter=20, dropout=0.1, random_state=7).fit(X, y)
    after = torch.rand(1)
    b = NNRegressor(max_iter=20, dropout=0.1, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert before == after  # fitting did not consume the global torch RNG
    c = NNRegressor(max_iter=20, dropout=0.1, random_state=8).fit(X, y)
    assert not np.allclose(a.predict(X), c.predict(X))


def test_sample_weight_zero_equals_dropping(regression):
    X, y = regression
    w = np.ones(len(y))
    w[::3] = 0
    params = dict(max_iter=20, random_state=0, shuffle=False,
                  batch_size=1000, precision="float64")
    weighted = NNRegressor(**PLAIN, **params).fit(X, y, sample_weight=w)
    dropped = NNRegressor(**PLAIN, **params).fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(weighted.predict(X), dropped.predict(X),
                               rtol=1e-6, atol=1e-8)


def test_early_stopping_restores_best_weights(regression):
    X, y = regression
    model = NNRegressor((128, 128), linear_skip=False, validation_fraction=0.1,
                        early_stopping=True, max_iter=300,
                        learning_rate_init=0.01, n_iter_no_change=5,
                        random_state=0).fit(X, y)
    assert model.n_iter_ < 300
    assert model.best_epoch_ <= model.n_iter_
    assert len(model.validation_scores_) == model.n_iter_
    best = int(np.argmin(model.validation_loss_curve_))
    assert model.best_epoch_ == best + 1
    assert model.best_validation_score_ == model.validation_scores_[best]
    assert model.best_validation_score_ > 0.9


def test_no_early_stopping_attributes(regression):
    X, y = regression
    model = NNRegressor(**PLAIN, max_iter=5, random_state=0).fit(X, y)
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert len(model.loss_curve_) == model.n_iter_ == 5


def test_training_loss_decreases(regression):
    X, y = regression
    model = NNRegressor(**PLAIN, max_iter=30, random_state=0).fit(X, y)
    assert model.loss_curve_[-1] < 0.2 * model.loss_curve_[0]


@pytest.mark.parametrize("solver", ["adam", "adamw", "sgd", "lbfgs"])
def test_every_solver_learns(solver, regression):
    X, y = regression
    model = NNRegressor((16,), solver=solver, max_iter=100,
                        learning_rate="constant",
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.95


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive",
                                      "step", "cosine"])
def test_learning_rate_schedules(schedule, regression):
    X, y = regression
    model = NNRegressor((16,), **PLAIN, solver="sgd", learning_rate=schedule,
                        learning_rate_init=0.01, max_iter=60,
                        random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8
    lr = model.net_.optimizer_.param_groups[0]["lr"]
    if schedule == "constant":
        assert lr == 0.01
    elif schedule in ("invscaling", "step", "cosine"):
        assert lr < 0.01


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic",
                                        "identity", "leaky_relu", "elu",
                                        "gelu"])
def test_activations(activation, regression):
    X, y = regression
    model = NNRegressor((16,), activation=activation, max_iter=60,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9


def test_l1_penalty_shrinks_weights(regression):
    X, y = regression
    plain = NNRegressor((16,), **PLAIN, n_ensemble=1, max_iter=50,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    lasso = NNRegressor((16,), **PLAIN, n_ensemble=1, l1=2000.0, max_iter=50,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    w_plain = plain.module_.body.hidden[0].weight.abs().sum()
    w_lasso = lasso.module_.body.hidden[0].weight.abs().sum()
    assert w_lasso < 0.5 * w_plain


def test_dropout_and_batch_norm_layers_present_and_learn(regression):
    X, y = regression
    model = NNRegressor((32, 32), dropout=0.1, batch_norm=True, max_iter=60,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    kinds = {type(m).__name__ for m in model.module_.modules()}
    assert {"Dropout", "BatchNorm1d"} <= kinds
    assert model.score(X, y) > 0.9
    # prediction is deterministic (evaluation mode)
    np.testing.assert_array_equal(model.predict(X), model.predict(X))


def test_warm_start_and_partial_fit_continue(regression):
    X, y = regression
    model = NNRegressor(**PLAIN, max_iter=5, warm_start=True, random_state=0)
    model.fit(X, y)
    first = model.predict(X)
    model.fit(X, y)
    # scikit-learn's semantics: n_iter_ counts the last call's epochs,
    # loss_curve_ and t_ all of them
    assert model.n_iter_ == 5
    assert len(model.loss_curve_) == 10
    assert model.t_ == 10 * X.shape[0]
    assert not np.allclose(first, model.predict(X))

    inc = NNRegressor(**PLAIN, random_state=0)
    for _ in range(20):
        inc.partial_fit(X, y)
    assert inc.n_iter_ == 1
    assert len(inc.loss_curve_) == 20
    assert inc.score(X, y) > 0.9


def test_custom_module_with_pass_through_parameters(regression):
    class Net(torch.nn.Module):
        def __init__(self, n_features_in, n_outputs, width=4):
            super().__init__()
            self.width = width
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(n_features_in, width), torch.nn.Tanh(),
                torch.nn.Linear(width, n_outputs))

        def forward(self, x):
            return self.layers(x)

    X, y = regression
    model = NNRegressor(module=Net, module__width=8, max_iter=100,
                        learning_rate_init=0.01, random_state=0)
    assert model.get_params()["module__width"] == 8
    model.set_params(module__width=12)
    model.fit(X, y)
    assert model.module_.body.width == 12
    assert model.score(X, y) > 0.95


def test_unknown_pass_through_parameter_is_an_error(regression):
    X, y = regression
    with pytest.raises(ValueError, match="module=None"):
        NNRegressor(module__width=3).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter 'hiden'"):
        NNRegressor(hiden=3).fit(X, y)


def test_verbose_shows_progress_bar(regression, capsys):
    X, y = regression
    NNRegressor(max_iter=3, verbose=True, random_state=0).fit(X, y)
    assert "epoch" in capsys.readouterr().err


def test_cuda_unavailable_is_a_clear_error(regression):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available")
    X, y = regression
    with pytest.raises(ValueError, match="CUDA is not available"):
        NNRegressor(device="cuda").fit(X, y)
    assert NNRegressor(device="auto", max_iter=2).fit(X, y).module_.x_loc \
        .device.type == "cpu"


# ----------------------------------------------------------------- classifier
def test_binary_classifier_moons():
    X, y = make_moons(400, noise=0.15, random_state=0)
    clf = NNClassifier((16,), max_iter=300, learning_rate_init=0.01,
                       random_state=0).fit(X[:300], y[:300])
    assert clf.score(X[300:], y[300:]) > 0.95
    proba = clf.predict_proba(X[300:])
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[300:])), proba,
                               rtol=1e-10)


def test_multiclass_string_labels_and_dataframe():
    X, y = make_classification(400, 6, n_informative=4, n_classes=3,
                               random_state=0)
    labels = np.array(["low", "mid", "high"])[y]
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    clf = NNClassifier(**PLAIN, max_iter=100, learning_rate_init=0.01,
                       random_state=0).fit(X, labels)
    assert set(clf.classes_) == {"low", "mid", "high"}
    assert list(clf.feature_names_in_) == list(X.columns)
    assert clf.score(X, labels) > 0.9
    assert set(clf.predict(X)) <= set(clf.classes_)
    assert clf.predict_proba(X).shape == (400, 3)
    assert clf.out_activation_ == "softmax"


def test_multilabel_indicator():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    clf = NNClassifier((16,), max_iter=150, learning_rate_init=0.01,
                       random_state=0).fit(X, Y)
    assert clf.predict(X).shape == (400, 2)
    assert clf.predict_proba(X).shape == (400, 2)
    assert (clf.predict(X) == Y).mean() > 0.95


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(600, 4, weights=[0.95], flip_y=0.05,
                               class_sep=0.5, random_state=0)
    plain = NNClassifier((16,), max_iter=60, random_state=0).fit(X, y)
    balanced = NNClassifier((16,), class_weight="balanced", max_iter=60,
                            random_state=0).fit(X, y)
    recall = lambda m: (m.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain) + 0.1


def test_class_weight_dict_equals_sample_weight():
    X, y = make_classification(200, 4, random_state=0)
    params = dict(max_iter=10, random_state=0)
    a = NNClassifier(class_weight={0: 1.0, 1: 3.0}, **params).fit(X, y)
    b = NNClassifier(**params).fit(X, y, sample_weight=np.where(y == 1, 3., 1))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_classifier_partial_fit_needs_all_classes_up_front():
    X, y = make_classification(300, 4, n_classes=3, n_informative=3,
                               n_redundant=0, random_state=0)
    clf = NNClassifier(learning_rate_init=0.01, random_state=0,
                       early_stopping=False)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    for _ in range(30):
        clf.partial_fit(X, y)
    assert list(clf.classes_) == [0, 1, 2]
    assert clf.score(X, y) > 0.8
    with pytest.raises(ValueError, match="labels not seen"):
        NNClassifier(early_stopping=False).partial_fit(
            X[y < 2], y[y < 2]).partial_fit(X, y)


def test_classifier_partial_fit_accepts_one_class_batches():
    # regression: any later batch of one class was refused, even with
    # `classes=` given on the first call
    X, y = make_classification(200, 4, n_classes=3, n_informative=3,
                               n_redundant=0, random_state=0)
    clf = NNClassifier(learning_rate_init=0.01, n_ensemble=1,
                       early_stopping=False,
                       random_state=0)
    clf.partial_fit(X[y == 0][:10], y[y == 0][:10], classes=[0, 1, 2])
    for _ in range(20):
        for label in (0, 1, 2):
            clf.partial_fit(X[y == label], y[y == label])
    assert clf.score(X, y) > 0.7
    # a different `classes` later is refused, as in scikit-learn
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X[:5], y[:5], classes=[0, 1])
    # fit itself still needs two classes
    with pytest.raises(ValueError, match="at least 2 classes"):
        NNClassifier().fit(X[y == 0], y[y == 0])


def test_warm_start_refit_on_other_classes_is_refused():
    X, y = make_classification(120, 4, n_classes=3, n_informative=3,
                               n_redundant=0, random_state=0)
    clf = NNClassifier(max_iter=3, warm_start=True, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X, np.where(y == 2, 1, y))
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X, np.where(y == 2, 7, y))


# ------------------------------------------------------------------- ensemble
def test_ensemble_size_auto_rule():
    rng = np.random.RandomState(0)
    for n, members in [(300, 2), (40_000, 2), (120_000, 1)]:
        X = rng.normal(size=(n, 2))
        model = NNRegressor((4,), max_iter=1, random_state=0).fit(X, X[:, 0])
        assert model.n_ensemble_ == members
    model = NNRegressor((4,), n_ensemble=5, max_iter=1).fit(X[:50], X[:50, 0])
    assert model.n_ensemble_ == 5


def test_ensemble_predicts_the_mean_of_its_members(regression):
    X, y = regression
    model = NNRegressor((8,), **PLAIN, n_ensemble=4, max_iter=20,
                        random_state=0).fit(X, y)
    body = model.module_.body
    Xs = torch.as_tensor(model._standardize_X(X))
    with torch.no_grad():
        body.train()
        members = body(Xs)
        body.eval()
    assert members.shape == (4, len(X), 1)
    # members start from their own initialisation and stay different
    assert members.std(dim=0).mean() > 1e-3
    eta = members.mean(dim=0) * model.module_.eta_scale + \
        model.module_.eta_loc
    np.testing.assert_allclose(model.predict(X), eta[:, 0].numpy(),
                               rtol=1e-5, atol=1e-6 * np.abs(y).max())


def test_each_ensemble_member_trains_as_if_alone():
    """One SGD step moves every member exactly as it would move alone."""
    from econnn.engine._losses import SquaredError
    from econnn.engine._networks import MLP, EnsembleMLP
    from econnn.engine._training import Criterion

    torch.manual_seed(0)
    X, y = torch.randn(32, 3), torch.randn(32, 1)
    ensemble = EnsembleMLP(3, 1, 3, hidden_layer_sizes=(5,),
                           activation="tanh")
    single = MLP(3, 1, hidden_layer_sizes=(5,), activation="tanh")
    with torch.no_grad():  # member 1's weights into the single network
        single.hidden[0].weight.copy_(ensemble.weights[0][1].T)
        single.hidden[0].bias.copy_(ensemble.biases[0][1, 0])
        single.output.weight.copy_(ensemble.weights[1][1].T)
        single.output.bias.copy_(ensemble.biases[1][1, 0])
    criterion = Criterion(SquaredError())
    for net in (ensemble, single):
        optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
        criterion(net(X), y).backward()
        optimizer.step()
    torch.testing.assert_close(ensemble.weights[0][1].T,
                               single.hidden[0].weight)
    torch.testing.assert_close(ensemble.weights[1][1].T, single.output.weight)


def test_ensemble_reduces_seed_dependence():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (150, 3))
    y = np.sin(2 * X[:, 0]) * X[:, 1] + 0.3 * rng.normal(size=150)
    grid = rng.uniform(-2, 2, (200, 3))

    def spread(members):
        preds = [NNRegressor((16,), **PLAIN, n_ensemble=members, max_iter=60,
                             random_state=seed).fit(X, y).predict(grid)
                 for seed in range(4)]
        return np.std(preds, axis=0).mean()

    assert spread(8) < 0.6 * spread(1)


def test_predict_on_read_only_input_is_silent(regression):
    import warnings

    X, y = regression
    model = NNRegressor((8,), max_iter=3, random_state=0).fit(X, y)
    frozen = X.copy()
    frozen.setflags(write=False)  # as joblib memmaps in CV are
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(model.predict(frozen), model.predict(X))
