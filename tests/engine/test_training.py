"""The fast training path: closed-form backprop, fused Adam, threads, data."""

import numpy as np
import scipy.sparse
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from econnn import NNClassifier, NNRegressor
from econnn.engine._backprop import (EnsembleBackprop, FusedAdamStep,
                                     MLPBackprop, backprop_for)
from econnn.engine._config import TrainingConfig
from econnn.engine._data import BatchIterator, TensorDataset, intra_op_threads
from econnn.engine._losses import REGRESSION_LOSSES
from econnn.engine._networks import (MLP, EnsembleMLP, penalised_names,
                                     penalised_parameters)
from econnn.engine._scaling import weighted_location_scale
from econnn.engine._training import (Criterion, build_net, resolve_batch_size,
                                     run_training)


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(n)
    return X, y


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic",
                                        "leaky_relu", "elu", "identity"])
@pytest.mark.parametrize("loss", ["squared_error", "huber", "poisson"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("members", [None, 3])
def test_backprop_gradients_match_autograd(activation, loss, weighted,
                                           members):
    torch.manual_seed(0)
    if members is None:
        mlp, kind = MLP(3, 2, (5, 4), activation=activation), MLPBackprop
    else:
        mlp = EnsembleMLP(3, 2, members, (5, 4), activation=activation)
        kind = EnsembleBackprop
    mlp = mlp.double()
    crit = Criterion(REGRESSION_LOSSES[loss]())
    X = torch.randn(7, 3, dtype=torch.float64)
    y = torch.rand(7, 2, dtype=torch.float64) * 2
    w = torch.rand(7, dtype=torch.float64) + 0.5 if weighted else None
    l1 = 0.01

    backprop = backprop_for(mlp)
    assert type(backprop) is kind
    loss_fast = backprop.accumulate(X, y, w, crit, l1=l1)
    fast = [p.grad.clone() for p in mlp.parameters()]

    for p in mlp.parameters():
        p.grad = None
    weights = [p for p in mlp.parameters() if p.dim() >= 2]
    loss_ref = crit(mlp(X), y, w) + l1 * sum(p.abs().sum() for p in weights)
    loss_ref.backward()
    assert torch.allclose(loss_fast, loss_ref.detach(), atol=1e-12)
    for got, p in zip(fast, mlp.parameters()):
        assert got.shape == p.grad.shape
        assert torch.allclose(got, p.grad, atol=1e-12)
    # and the evaluation-mode output (the ensemble's mean) for predict
    mlp.eval()
    assert torch.allclose(backprop.predict(X), mlp(X), atol=1e-12)


@pytest.mark.parametrize("module", [
    MLP(3, 1, (4,), dropout=0.2), MLP(3, 1, (4,), batch_norm=True),
    MLP(3, 1, (4,), activation="gelu"),
    EnsembleMLP(3, 1, 2, (4,), dropout=0.2),
    EnsembleMLP(3, 1, 2, (4,), batch_norm=True),
    EnsembleMLP(3, 1, 2, (4,), activation="gelu"),
    torch.nn.Sequential(torch.nn.Linear(3, 1))])
def test_backprop_declines_what_it_cannot_do(module):
    assert backprop_for(module) is None


@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW])
def test_fused_step_matches_optimizer_step(cls):
    torch.manual_seed(0)
    a = MLP(3, 1, (4,))
    b = MLP(3, 1, (4,))
    b.load_state_dict(a.state_dict())
    opts = []
    for net in (a, b):
        groups = [{"params": [net.hidden[0].weight, net.output.weight],
                   "weight_decay": 0.1},
                  {"params": [net.hidden[0].bias, net.output.bias],
                   "weight_decay": 0.0}]
        opts.append(cls(groups, lr=0.05, fused=True))
    fused = FusedAdamStep.for_optimizer(opts[1])
    assert fused is not None
    X = torch.randn(8, 3)
    for _ in range(4):
        for net, step in ((a, opts[0].step), (b, fused.step)):
            for p in net.parameters():
                p.grad = None
            net(X).square().mean().backward()
            step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert torch.equal(opts[0].state[a.output.bias]["step"],
                       opts[1].state[b.output.bias]["step"])


def test_fused_step_declines_other_optimizers():
    p = [torch.nn.Parameter(torch.zeros(2))]
    assert FusedAdamStep.for_optimizer(torch.optim.SGD(p, lr=0.1)) is None
    assert FusedAdamStep.for_optimizer(
        torch.optim.Adam(p, foreach=True)) is None
    assert FusedAdamStep.for_optimizer(
        torch.optim.Adam(p, fused=True, amsgrad=True)) is None


def _fit_without_fast_path(est, X, y, monkeypatch):
    with monkeypatch.context() as m:
        for cls in (MLPBackprop, EnsembleBackprop):
            m.setattr(cls, "for_module", classmethod(lambda c, mod: None))
        m.setattr(FusedAdamStep, "for_optimizer",
                  classmethod(lambda c, opt: None))
        return est.fit(X, y)


@pytest.mark.parametrize("params", [
    dict(activation="relu", learning_rate="constant"),
    dict(activation="relu", learning_rate="constant", n_ensemble=1),
    dict(activation="tanh", l1=1e-3, batch_size=16),
    dict(activation="tanh", n_ensemble=1),
    dict(solver="adamw", alpha=0.1), dict(solver="sgd", max_grad_norm=1.0),
    dict(loss="huber")])
def test_fast_path_fits_like_autograd(params, monkeypatch):
    X, y = _data()
    # in float64, so that agreement to 1e-10 tests the arithmetic
    kw = dict(max_iter=30, random_state=0, precision="float64", **params)
    fast = NNRegressor(**kw).fit(X, y)
    slow = _fit_without_fast_path(NNRegressor(**kw), X, y, monkeypatch)
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_,
                               rtol=1e-10)
    np.testing.assert_allclose(fast.predict(X), slow.predict(X), rtol=1e-9,
                               atol=1e-9)
    if params.get("activation") == "relu":
        assert r2_score(y, fast.predict(X)) > 0.6


def test_classifier_fast_path_fits_like_autograd(monkeypatch):
    X, y = _data()
    y = (y > np.median(y)).astype(int)
    # without a validation split: early stopping turns 1e-15 differences
    # into a different restored epoch
    kw = dict(max_iter=60, random_state=0, precision="float64",
              early_stopping=False, linear_skip=False)
    fast = NNClassifier(**kw).fit(X, y)
    slow = _fit_without_fast_path(NNClassifier(**kw), X, y, monkeypatch)
    np.testing.assert_allclose(fast.predict_proba(X), slow.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    assert fast.score(X, y) > 0.8


def test_predict_fast_path_matches_module():
    X, y = _data()
    model = NNRegressor(max_iter=10, random_state=0,
                        precision="float64").fit(X, y)
    with torch.no_grad():
        ref = model.module_(torch.as_tensor(X)).numpy().ravel()
    np.testing.assert_allclose(model.predict(X), ref, rtol=1e-12)


def test_fit_restores_thread_count():
    X, y = _data(60)
    old = torch.get_num_threads()
    NNRegressor(max_iter=2, random_state=0).fit(X, y)
    assert torch.get_num_threads() == old


def test_small_networks_train_on_one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        small, big = MLP(13, 1, (64, 64)), MLP(20, 1, (256, 256))
        with intra_op_threads(small, 32, torch.device("cpu")):
            assert torch.get_num_threads() == 1
        with intra_op_threads(big, 512, torch.device("cpu")):
            assert torch.get_num_threads() == 2
        # an ensemble's products are as small per member as one network's
        ensemble = EnsembleMLP(13, 1, 3, (64, 64))
        with intra_op_threads(ensemble, 200, torch.device("cpu")):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(old)


@pytest.mark.parametrize("weights", [False, True])
def test_gather_once_per_epoch_gives_the_same_batches(weights, monkeypatch):
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(50, 3, generator=g), torch.randn(50, 1, generator=g)
    w = torch.rand(50, generator=g) if weights else None
    ds = TensorDataset(X, y, w)

    def batches():
        it = BatchIterator(ds, 16, shuffle=True,
                           generator=torch.Generator().manual_seed(1))
        return list(it)

    once = batches()
    monkeypatch.setattr("econnn.engine._data._PERMUTE_ONCE_BYTES", 0)
    per_batch = batches()
    assert [b[0].shape[0] for b in once] == [16, 16, 16, 2]
    for a, b in zip(once, per_batch):
        for s, t in zip(a, b):
            assert (s is None and t is None) or torch.equal(s, t)


def test_equal_weights_are_no_weights():
    X, y = _data()
    # alpha=0: with a penalty, weights of 3 count as 3x the data
    a = NNRegressor(max_iter=10, alpha=0.0, random_state=0).fit(X, y)
    b = NNRegressor(max_iter=10, alpha=0.0, random_state=0).fit(
        X, y, sample_weight=np.full(len(y), 3.0))
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-12)


def test_weighted_mean_std_matches_numpy():
    rng = np.random.RandomState(0)
    X = rng.randn(1000, 3) * [1, 10, 100] + [5, -5, 0]
    w = rng.rand(1000)
    loc, scale = weighted_location_scale(X, w, chunk=128)
    ref = np.average(X, axis=0, weights=w)
    np.testing.assert_allclose(loc, ref, rtol=1e-12)
    np.testing.assert_allclose(
        scale, np.sqrt(np.average((X - ref) ** 2, axis=0, weights=w)),
        rtol=1e-12)


@pytest.mark.parametrize("units", [1e-300, 1e-160, 1e160, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_weighted_std_is_free_of_units(units, sparse):
    # squares of these values underflow or overflow float64
    rng = np.random.RandomState(0)
    X = np.abs(rng.randn(200, 3)) * [1, 10, 100]
    X[:, 2] = 0.0 if sparse else 7.0              # a constant column
    w = rng.rand(200)
    A = scipy.sparse.csr_matrix(X * units) if sparse else X * units
    loc, scale = weighted_location_scale(A, w, chunk=64)
    ref_loc, ref_scale = weighted_location_scale(
        scipy.sparse.csr_matrix(X) if sparse else X, w)
    np.testing.assert_allclose(loc / units, ref_loc, rtol=1e-12)
    np.testing.assert_allclose(scale[:2] / units, ref_scale[:2], rtol=1e-12)
    assert scale[2] == 1.0


def test_streamed_batches_fit_like_resident_data(monkeypatch):
    # the GPU fallback path (data kept on the host, batches moved one at a
    # time), exercised on the CPU
    X, y = _data()
    kw = dict(max_iter=10, random_state=0)
    resident = NNRegressor(**kw).fit(X, y)
    monkeypatch.setattr("econnn._base._fits_on_device", lambda *a: False)
    streamed = NNRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(streamed.predict(X), resident.predict(X),
                               rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu", "tanh",
                                        "logistic", "identity"])
def test_fitted_estimators_pickle_with_every_activation(activation):
    import pickle

    X, y = _data(60)
    model = NNRegressor(activation=activation, max_iter=3,
                        random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.predict(X), model.predict(X),
                               rtol=1e-12)


def test_penalties_skip_every_bias():
    # the ensemble's stacked biases are 3-d tensors: still not weights
    ens = EnsembleMLP(3, 1, 2, (4, 5))
    assert [p.shape for p in penalised_parameters(ens)] == [
        (2, 3, 4), (2, 4, 5), (2, 5, 1)]
    mlp = MLP(3, 1, (4,))
    assert penalised_parameters(mlp) == [mlp.hidden[0].weight,
                                         mlp.output.weight]


@pytest.mark.parametrize("members", [1, 3])
@pytest.mark.parametrize("solver", ["adam", "sgd", "adamw"])
def test_optimizer_groups_come_from_skorch_by_mark(members, solver):
    # pins the skorch API the engine relies on: optimizer__param_groups
    # builds the groups, and weight decay reaches exactly the penalised
    # weights (found by their mark, not by the order of the groups)
    X, y = _data(80)
    model = NNRegressor((6, 5), solver=solver, alpha=0.3, max_iter=2,
                        batch_size=20, n_ensemble=members,
                        random_state=0).fit(X, y)
    net = model.net_
    assert net.optimizer__param_groups, "groups not set through skorch"
    weights = {id(p) for p in penalised_parameters(net.module_)}
    decay = 0.3 if solver == "adamw" else 0.3 / 20
    seen = set()
    for group in net.optimizer_.param_groups:
        for p in group["params"]:
            seen.add(id(p))
            expected = decay if id(p) in weights else 0.0
            assert group["weight_decay"] == pytest.approx(expected)
            assert bool(group.get("penalised")) == (id(p) in weights)
    assert seen == {id(p) for p in net.module_.parameters()}


def test_engine_runs_from_a_config_without_an_estimator():
    X, y = _data(200)
    Xt = torch.as_tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    yt = torch.as_tensor(((y - y.mean()) / y.std())[:, None],
                         dtype=torch.float32)
    config = TrainingConfig(learning_rate_init=0.01, max_iter=40, tol=0.0,
                            n_iter_no_change=1000)
    torch.manual_seed(0)
    net = build_net(MLP(4, 1, (16,)), REGRESSION_LOSSES["squared_error"](),
                    config)
    result = run_training(net, config, TensorDataset(Xt, yt),
                          generator=torch.Generator().manual_seed(0))
    assert len(result.train_loss) == 40 and not result.converged
    assert result.train_loss[-1] < 0.5 * result.train_loss[0]


def test_multilabel_loss_sums_over_labels():
    # scikit-learn's multilabel log-loss: the binary log-losses summed over
    # labels, averaged over samples (so alpha and the learning rate mean
    # what they mean there)
    from sklearn.datasets import make_multilabel_classification

    X, y = make_multilabel_classification(n_samples=30, n_classes=4,
                                          random_state=0,
                                          return_indicator=True)
    clf = NNClassifier(solver="sgd", hidden_layer_sizes=(5,), batch_size=30,
                       early_stopping=False,
                       shuffle=False, alpha=0.0, n_ensemble=1,
                       precision="float64", random_state=0)
    clf.partial_fit(X, y)
    before = clf.predict_proba(X)
    clf.partial_fit(X, y)  # one full batch: its loss is at `before`
    expected = -np.mean(np.sum(y * np.log(before) +
                               (1 - y) * np.log(1 - before), axis=1))
    np.testing.assert_allclose(clf.loss_curve_[-1], expected, rtol=1e-10)
    assert clf.loss_ == clf.loss_curve_[-1]


def test_first_batch_without_a_class_starts_from_a_uniform_output():
    # a first partial_fit batch of one class must not set the output bias
    # to log(1e-6) for the others, which later batches could barely undo
    from econnn.engine._losses import ClassificationLoss

    binary = ClassificationLoss("binary", 2)
    np.testing.assert_array_equal(
        binary.initial_bias(np.zeros((4, 1)), np.ones(4)), [0.0])
    multi = ClassificationLoss("multiclass", 3)
    np.testing.assert_array_equal(
        multi.initial_bias(np.array([0, 0, 1]), np.ones(3)), np.zeros(3))
    np.testing.assert_allclose(
        multi.initial_bias(np.array([0, 1, 2, 2]), np.ones(4)),
        np.log([1, 1, 2]) - np.log([1, 1, 2]).mean())


@pytest.mark.parametrize("members", [None, 3])
@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("clip", [False, True])
@pytest.mark.parametrize("scaled", [False, True])
def test_backprop_with_linear_skip_matches_autograd(members, frozen, clip,
                                                    scaled):
    # scaled: feature_scaling's trainable input scales (their gradient too)
    torch.manual_seed(0)
    if members is None:
        mlp = MLP(3, 2, (5,), activation="tanh", linear_skip=True,
                  smooth_clip=clip, feature_scaling=scaled)
    else:
        mlp = EnsembleMLP(3, 2, members, (5,), activation="tanh",
                          linear_skip=True, smooth_clip=clip,
                          feature_scaling=scaled)
    mlp = mlp.double()
    if clip:
        mlp.set_input_clip(torch.randn(3), torch.rand(3) + 0.5)
    with torch.no_grad():  # away from the zero start, so every term counts
        for p in mlp.parameters():
            p.copy_(torch.randn_like(p))
    mlp.skip_weight.requires_grad_(not frozen)
    crit = Criterion(REGRESSION_LOSSES["squared_error"]())
    X = 5 * torch.randn(7, 3, dtype=torch.float64)  # some beyond the clip
    y = torch.randn(7, 2, dtype=torch.float64)
    backprop = backprop_for(mlp)
    assert backprop is not None
    loss_fast = backprop.accumulate(X, y, None, crit)
    fast = {n: None if p.grad is None else p.grad.clone()
            for n, p in mlp.named_parameters()}
    for p in mlp.parameters():
        p.grad = None
    loss_ref = crit(mlp(X), y, None)
    loss_ref.backward()
    assert torch.allclose(loss_fast, loss_ref.detach(), atol=1e-12)
    for name, p in mlp.named_parameters():
        if frozen and name == "skip_weight":
            assert fast[name] is None and p.grad is None
        else:
            assert torch.allclose(fast[name], p.grad, atol=1e-12), name
    mlp.eval()
    assert torch.allclose(backprop.predict(X), mlp(X), atol=1e-12)


def test_linear_skip_starts_at_the_glm():
    """Before any real training step the network is OLS / logit / Poisson."""
    from sklearn.linear_model import (LinearRegression, LogisticRegression,
                                      PoissonRegressor)
    from sklearn.preprocessing import StandardScaler

    X, y = _data(200)
    frozen = dict(linear_skip=True, max_iter=1, learning_rate_init=1e-12,
                  n_ensemble=2, random_state=0, precision="float64")
    ols = LinearRegression().fit(X, y)
    net = NNRegressor(**frozen).fit(X, y)
    np.testing.assert_allclose(net.predict(X), ols.predict(X), atol=1e-6)
    assert not net.module_.body.skip_weight.requires_grad

    Xs = StandardScaler().fit_transform(X)
    yc = (y > np.median(y)).astype(int)
    logit = LogisticRegression().fit(Xs, yc)
    clf = NNClassifier(**frozen).fit(X, yc)
    np.testing.assert_allclose(clf.predict_proba(X), logit.predict_proba(Xs),
                               atol=1e-5)

    counts = np.random.RandomState(0).poisson(np.exp(0.5 * X[:, 0]))
    glm = PoissonRegressor(alpha=1 / 200, max_iter=300).fit(Xs, counts)
    pois = NNRegressor(loss="poisson", **frozen).fit(X, counts)
    # the tiny ridge acts on y / mean(y) in the network: not quite the same
    np.testing.assert_allclose(pois.predict(X), glm.predict(Xs), rtol=2e-3)


@pytest.mark.parametrize("members", [1, 2])
def test_a_network_without_hidden_layers_is_the_fitted_glm(members):
    """``hidden_layer_sizes=()`` is a GLM: with ``linear_skip`` (the
    default) it starts at the GLM's fit and early stopping keeps it unless
    an epoch beats it, so it is OLS (and within Adam's last steps of the
    logit); from a random start, as scikit-learn's, 200 epochs of Adam at
    the default rate leave it far from OLS."""
    from sklearn.linear_model import LinearRegression, LogisticRegression

    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = X[:, 0] + np.sin(2 * X[:, 1])
    glm = dict(hidden_layer_sizes=(), n_ensemble=members, random_state=0)
    ols = LinearRegression().fit(X, y)
    net = NNRegressor(**glm).fit(X, y)
    np.testing.assert_allclose(net.predict(X), ols.predict(X), atol=1e-4)
    assert net.best_epoch_ == 0
    yc = (y > 0).astype(int)
    logit = LogisticRegression(C=1e6).fit(X, yc)
    clf = NNClassifier(**glm).fit(X, yc)
    np.testing.assert_allclose(clf.predict_proba(X), logit.predict_proba(X),
                               atol=0.05)
    with pytest.warns(ConvergenceWarning):
        unstarted = NNRegressor(linear_skip=False, **glm).fit(X, y)
    assert unstarted.score(X, y) < ols.score(X, y) - 0.2


def test_the_glm_start_survives_an_outlying_code():
    """A 0/1 regressor coded 666 on two rows (a missing-value code) has a
    standard deviation of about 30, so on the standardised scale its real
    effect needs a coefficient near 100, which a ridge on standardised
    inputs shrank (probabilities up to 0.58 from the logit's); measured
    per robust spread, the start stays within 0.01 of the logit, and a
    clean regressor, a normal one and a rare dummy keep their scale."""
    from sklearn.linear_model import LogisticRegression

    from econnn.engine._glm import _robust_factor

    rng = np.random.RandomState(0)
    n = 1000
    good = (rng.uniform(size=n) < 0.9).astype(float)
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-2.0 + 3.5 * good + 0.5 * x)))
    y = (rng.uniform(size=n) < p).astype(int)
    good[:2] = 666.0
    X = np.c_[good, x]
    clf = NNClassifier(max_iter=1, learning_rate_init=1e-12,
                       random_state=0, precision="float64").fit(X, y)
    logit = LogisticRegression(C=np.inf, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1],
                               logit.predict_proba(X)[:, 1], atol=0.01)

    rare = (np.arange(n) < 3).astype(float)
    Z = np.c_[good, x, rare]
    factor = _robust_factor((Z - Z.mean(0)) / Z.std(0), np.ones(n))
    np.testing.assert_allclose(factor[1:], 1.0)
    clean_sd = good[2:].std()
    assert factor[0] == pytest.approx(good.std() / clean_sd, rel=0.05)


def test_refit_keeps_the_glm_when_it_wins():
    """On a linear design the GLM wins epoch 0 and the refit costs nothing:
    the network is OLS on all the rows."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.randn(200)
    model = NNRegressor(refit=True, precision="float64",
                        random_state=0).fit(X, y)
    assert model.best_epoch_ == 0
    # only the validation run's epochs were spent (160 training rows)
    assert model.t_ == model.n_iter_ * 160
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.predict(X), ols.predict(X), atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_retrains_on_all_rows_for_the_best_epochs():
    """With a nonlinear signal the validation run picks epoch e > 0; the
    refit then trains on all the rows for e epochs and predicts better on
    held-out data than the network kept from the validation run."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (1200, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.3 * rng.randn(1200)
    X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]
    params = dict(hidden_layer_sizes=(32,), n_ensemble=1, max_iter=60,
                  batch_size=32, learning_rate_init=0.01, random_state=0)
    plain = NNRegressor(refit=False, **params).fit(X_train, y_train)
    refit = NNRegressor(refit=True, **params).fit(X_train, y_train)
    # the validation runs are the same run
    assert refit.best_epoch_ == plain.best_epoch_ > 0
    assert refit.n_iter_ == plain.n_iter_
    assert refit.validation_scores_ == plain.validation_scores_
    assert refit.t_ == plain.t_ + refit.best_epoch_ * 200
    assert (r2_score(y_test, refit.predict(X_test))
            > r2_score(y_test, plain.predict(X_test)) + 0.02)
    assert "retrained on all the rows" in str(refit.summary())


def test_refit_leaves_cross_validated_bagging_alone():
    """With members validated on their own folds every member trains on
    all the rows but its fold already: refit changes nothing."""
    X, y = _data(150)
    params = dict(validation_split="cv", n_ensemble=2, max_iter=60,
                  ema_decay=0.0, random_state=0)
    a = NNRegressor(refit=False, **params).fit(X, y)
    b = NNRegressor(refit=True, **params).fit(X, y)
    assert a.best_epoch_ > 0
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_ema_averages_the_trained_weights_over_epochs():
    """The optimizer's trajectory is the plain one; the network is its
    moving average: after k epochs ``avg_k = d * avg_{k-1} + (1 - d) *
    w_k``."""
    X, y = _data(150)
    params = dict(hidden_layer_sizes=(8,), n_ensemble=1, linear_skip=False,
                  early_stopping=False, learning_rate="constant",
                  n_iter_no_change=np.inf, precision="float64",
                  random_state=0)
    d = 0.7

    def weights(max_iter, ema_decay):
        model = NNRegressor(max_iter=max_iter, ema_decay=ema_decay,
                            **params).fit(X, y)
        return torch.cat([p.detach().ravel()
                          for p in model.module_.body.parameters()])

    plain3, avg2, avg3 = weights(3, 0.0), weights(2, d), weights(3, d)
    assert not torch.allclose(avg3, plain3)
    torch.testing.assert_close(avg3, d * avg2 + (1 - d) * plain3)


def test_robust_location_scale_is_median_and_iqr():
    from econnn.engine._scaling import robust_location_scale

    rng = np.random.RandomState(0)
    A = np.column_stack([rng.standard_t(2, 401), rng.exponential(size=401),
                         (rng.rand(401) < 0.1).astype(float)])
    loc, scale = robust_location_scale(A, np.ones(401))
    q25, q50, q75 = np.percentile(A, [25, 50, 75], axis=0,
                                  method="inverted_cdf")
    np.testing.assert_allclose(loc, q50)
    # the rare dummy has no interquartile spread: scale 1
    np.testing.assert_allclose(scale, [(q75[0] - q25[0]) / 1.349,
                                       (q75[1] - q25[1]) / 1.349, 1.0])
    # a weight of k counts as k copies of the row
    w = rng.randint(0, 4, 401)
    np.testing.assert_allclose(
        robust_location_scale(A, w),
        robust_location_scale(np.repeat(A, w, axis=0), np.ones(w.sum())))


def test_smooth_clip_resolves_a_heavy_tailed_regressor():
    """Standardised by its standard deviation, a heavy-tailed regressor
    packs most rows into a sliver near zero (here the sd is 27, the
    interquartile range 1.6); robust scaling spreads them, so a nonlinear
    effect in the bulk is learned better, while the linear skip still sees
    the standardised regressor (the GLM start is unchanged)."""
    from econnn.engine._networks import smooth_clip

    rng = np.random.RandomState(1)
    X = rng.standard_t(1.5, (1500, 2))
    y = 0.2 * X[:, 0] + np.tanh(2 * X[:, 0]) + 0.2 * rng.randn(1500)
    params = dict(n_ensemble=1, max_iter=60, random_state=0)
    plain = NNRegressor(**params).fit(X[:500], y[:500])
    clipped = NNRegressor(smooth_clip=True, **params).fit(X[:500], y[:500])
    body = clipped.module_.body
    np.testing.assert_allclose(body.skip_weight.detach().numpy(),
                               plain.module_.body.skip_weight.detach()
                               .numpy(), rtol=1e-4)
    Xs = torch.as_tensor((X[:500] - clipped._x_loc) / clipped._x_scale)
    seen = smooth_clip(Xs, body.clip_loc.double(), body.clip_scale.double())
    assert float(seen.abs().max()) < 3
    assert (r2_score(y[500:], clipped.predict(X[500:]))
            > r2_score(y[500:], plain.predict(X[500:])) + 0.02)


def test_even_batches_cut_the_epoch_into_equal_parts():
    g = torch.Generator().manual_seed(0)
    ds = TensorDataset(torch.randn(404, 2, generator=g),
                       torch.randn(404, 1, generator=g))
    sizes = [[b[1].shape[0] for b in BatchIterator(ds, 200, even=even)]
             for even in (False, True)]
    assert sizes == [[200, 200, 4], [134, 135, 135]]
    rows = torch.cat([b[1] for b in BatchIterator(
        ds, 200, shuffle=True, even=True,
        generator=torch.Generator().manual_seed(1))])
    assert torch.equal(rows.sort(dim=0).values, ds.y.sort(dim=0).values)


@pytest.mark.parametrize("n, same", [(400, True), (404, False)])
def test_even_batches_reach_the_estimator(n, same):
    """Where the rows divide into full batches nothing changes; where a
    remainder of 4 rows would be a batch, the fit differs."""
    X, y = _data(n)
    params = dict(batch_size=200, max_iter=5, early_stopping=False,
                  linear_skip=False, random_state=0)
    a = NNRegressor(even_batches=False, **params).fit(X, y).predict(X)
    b = NNRegressor(even_batches=True, **params).fit(X, y).predict(X)
    assert np.array_equal(a, b) == same


@pytest.mark.parametrize("n, min_batches, size", [
    (364, 1, 200), (364, 4, 91), (364, 8, 46),
    (364, 64, 32),   # not below 32 rows
    (20, 8, 20),     # nor above the data
    (3000, 8, 200),  # nor above scikit-learn's 200
])
def test_min_batches_resolves_auto_batch_size(n, min_batches, size):
    config = TrainingConfig(min_batches=min_batches)
    assert resolve_batch_size(config, n) == size
    # an integer batch size and full-batch L-BFGS ignore it
    assert resolve_batch_size(TrainingConfig(batch_size=100,
                                             min_batches=min_batches),
                              n) == min(100, n)
    assert resolve_batch_size(TrainingConfig(solver="lbfgs",
                                             min_batches=min_batches),
                              n) == n


@pytest.mark.parametrize("min_batches, steps", [(1, 2), (4, 4), (8, 8),
                                                (64, 12)])
def test_min_batches_sets_the_steps_per_epoch(min_batches, steps):
    """364 rows: 2 Adam steps an epoch with scikit-learn's 200-row batches,
    ``min_batches`` of them with smaller ones, 12 at the 32-row floor."""
    X, y = _data(364)
    est = NNRegressor(min_batches=min_batches, max_iter=3,
                      early_stopping=False, random_state=0).fit(X, y)
    counts = {int(s["step"]) for s in est.net_.optimizer_.state.values()}
    assert counts == {3 * steps}


def test_min_batches_lets_small_data_leave_the_logit():
    """200 rows of two moons: with one Adam step per 160-row epoch the
    held-out loss stops improving before the network has moved, and the
    defaults keep the logit (seed 0 of this data); four steps per epoch
    learn the moons."""
    from sklearn.datasets import make_moons
    X, y = make_moons(200, noise=0.1, random_state=0)
    X_test, y_test = make_moons(2000, noise=0.1, random_state=1)
    kept = NNClassifier(random_state=0).fit(X, y)
    assert kept.best_epoch_ == 0
    assert kept.score(X_test, y_test) < 0.9
    learned = NNClassifier(min_batches=4, random_state=0).fit(X, y)
    assert learned.best_epoch_ > 0
    assert learned.score(X_test, y_test) > 0.98


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_feature_scaling_learns_which_inputs_the_nonlinear_part_needs():
    """RealMLP's scaling layer: per-input factors started at 1, trained
    faster than the weights and not penalised; the input the nonlinear
    part needs gains weight over the noise inputs, the GLM start (the
    linear skip) is unchanged, and the factors' optimizer group runs at
    ``feature_scaling`` times the learning rate."""
    rng = np.random.RandomState(0)
    X = rng.randn(800, 6)
    y = X[:, 1] + np.sin(2 * X[:, 0]) + 0.3 * rng.randn(800)
    params = dict(max_iter=80, random_state=0)
    plain = NNRegressor(**params).fit(X[:600], y[:600])
    scaled = NNRegressor(feature_scaling=6.0, **params).fit(X[:600], y[:600])
    body = scaled.module_.body
    factors = body.feature_scale.detach().numpy().reshape(2, 6)
    assert np.all(factors[:, 0] > factors[:, 2:].max(axis=1))
    np.testing.assert_allclose(body.skip_weight.detach().numpy(),
                               plain.module_.body.skip_weight.detach()
                               .numpy(), rtol=1e-4)
    # here it pays: 0.92 against 0.83
    assert (r2_score(y[600:], scaled.predict(X[600:]))
            > r2_score(y[600:], plain.predict(X[600:])) + 0.05)
    lrs = {group["lr_factor"] for group in scaled.net_.optimizer_.param_groups
           if "lr_factor" in group}
    assert lrs == {6.0}
    assert not [name for name in penalised_names(scaled.net_.module_)
                if "feature_scale" in name]


def test_feature_scaling_refuses_an_embedded_ensemble():
    X, y = np.random.RandomState(0).randn(50, 3), np.arange(50.0)
    with pytest.raises(ValueError, match="feature_scaling and "
                       "numerical_embedding do not combine"):
        NNRegressor(feature_scaling=1.0, numerical_embedding="pbld",
                    n_ensemble=2, max_iter=2).fit(X, y)
    one = NNRegressor(feature_scaling=1.0, numerical_embedding="pbld",
                      n_ensemble=1, max_iter=2).fit(X, y)
    assert one.module_.body.feature_scale.shape == (3,)
