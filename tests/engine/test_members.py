"""Early stopping per ensemble member (econnn.engine._members)."""

import numpy as np
import pytest
import torch

from econnn._member_splits import member_holdout, member_weights
from econnn.engine._backprop import EnsembleBackprop
from econnn.engine._config import TrainingConfig
from econnn.engine._data import TensorDataset
from econnn.engine._losses import REGRESSION_LOSSES
from econnn.engine._members import (MemberValidation, copy_members,
                                    per_member_validation)
from econnn.engine._networks import EnsembleMLP
from econnn.engine._training import (Criterion, _BatchPlan, build_net,
                                     run_training)


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(n)
    return (torch.as_tensor(X), torch.as_tensor((y - y.mean())[:, None]))


def _grads(module):
    return {k: p.grad.clone() for k, p in module.named_parameters()}


@pytest.mark.parametrize("loss", ["squared_error", "huber"])
@pytest.mark.parametrize("closed_form", [False, True])
def test_member_gradient_ignores_its_validation_rows(loss, closed_form):
    # a member's gradient under the (n, n_members) weights is the gradient
    # of its own mean loss over its training rows, as if trained alone
    X, y = _data()
    holdout = member_holdout(len(y), 2, 0.2, seed=0)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    train, _ = member_weights(holdout, w)
    torch.manual_seed(0)
    net = EnsembleMLP(3, 1, 2, (6,), activation="tanh").double()
    crit = Criterion(REGRESSION_LOSSES[loss]())
    if closed_form:
        EnsembleBackprop.for_module(net).accumulate(
            X, y, torch.as_tensor(train), crit)
    else:
        crit(net(X), y, torch.as_tensor(train)).backward()
    together = _grads(net)
    for m in range(2):
        net.zero_grad()
        rows = torch.as_tensor(~holdout[:, m])
        wm = torch.as_tensor(w)[rows]
        eta = net.members(X[rows])[m]
        own = (crit.loss.per_sample(eta, y[rows]) * wm).sum() / wm.sum()
        own.backward()
        for name, p in net.named_parameters():
            torch.testing.assert_close(together[name][m], p.grad[m])
    # the validation rows' targets do not enter at all
    y_moved = y.clone()
    y_moved[torch.as_tensor(holdout[:, 0])] += 100.0
    net.zero_grad()
    crit(net(X), y_moved, torch.as_tensor(train)).backward()
    for name, p in net.named_parameters():
        torch.testing.assert_close(together[name][0], p.grad[0])


def test_copy_members_copies_only_the_chosen_members():
    torch.manual_seed(0)
    a = EnsembleMLP(3, 1, 3, (4,), batch_norm=True)
    b = EnsembleMLP(3, 1, 3, (4,), batch_norm=True)
    a(torch.randn(8, 3))  # update batch-norm statistics of a
    target = {k: v.clone() for k, v in b.state_dict().items()}
    copy_members(target, a.state_dict(), np.array([False, True, False]), 3)
    for name, value in a.state_dict().items():
        if not value.dim():
            continue
        got = target[name].view(3, -1)
        np.testing.assert_array_equal(got[1], value.view(3, -1)[1])
        for m in (0, 2):
            np.testing.assert_array_equal(
                got[m], b.state_dict()[name].view(3, -1)[m])


def _evaluate(net, valid, scorer=None):
    """Per-member validation outside a run (which sets the batch plan)."""
    net.batch_plan_ = _BatchPlan(batch_size=1, shuffle=False, generator=None,
                                 device=None, dtype=torch.float32,
                                 min_last=1)
    return MemberValidation(valid, net.criterion_.loss, scorer).evaluate(net)


def _member_run(max_iter=60, n_iter_no_change=10, n_members=3):
    X, y = _data(150)
    X, y = X.float(), y.float()
    holdout = member_holdout(len(y), n_members, 0.2, seed=0)
    train_w, valid_w = (torch.as_tensor(a, dtype=torch.float32)
                        for a in member_weights(holdout, np.ones(len(y))))
    config = TrainingConfig(learning_rate_init=0.03, max_iter=max_iter,
                            early_stopping=True, validation_split="cv",
                            n_iter_no_change=n_iter_no_change)
    torch.manual_seed(0)
    module = EnsembleMLP(3, 1, n_members, (32, 32))
    assert per_member_validation(config, module)
    net = build_net(module, REGRESSION_LOSSES["squared_error"](), config)
    valid = TensorDataset(X, y, valid_w)
    result = run_training(net, config, TensorDataset(X, y, train_w), valid,
                          generator=torch.Generator().manual_seed(0))
    return net, valid, result


def test_each_member_is_restored_to_its_own_best_epoch():
    net, valid, result = _member_run()
    monitor = dict(net.callbacks)["monitor"]
    losses, _ = _evaluate(net, valid)
    # every member ends at the lowest validation loss it reached
    np.testing.assert_allclose(losses, monitor.best_loss_, rtol=1e-5)
    assert len(result.member_best_epochs) == 3
    assert result.best_epoch == max(result.member_best_epochs)
    assert len(set(result.member_best_epochs)) > 1  # not one shared epoch
    assert len(result.valid_loss) == len(result.train_loss)


def test_stops_when_no_member_improves():
    net, _, result = _member_run(max_iter=500, n_iter_no_change=5)
    assert result.converged
    assert len(result.train_loss) < 500
    # a member improved within the last n_iter_no_change + 1 epochs ...
    # ... before the stop: the latest kept epoch is close to the end
    assert len(result.train_loss) - result.best_epoch <= 6 + 5


def test_validation_scores_are_the_members_mean():
    X, y = _data(60)
    X, y = X.float(), y.float()
    holdout = member_holdout(60, 2, 0.2, seed=0)
    _, valid_w = member_weights(holdout, np.ones(60))
    torch.manual_seed(0)
    net = build_net(EnsembleMLP(3, 1, 2, (8,)),
                    REGRESSION_LOSSES["squared_error"](),
                    TrainingConfig())
    def mse(eta, y):
        return float(((eta - y) ** 2).mean())

    valid = TensorDataset(X, y, torch.as_tensor(valid_w,
                                                dtype=torch.float32))
    losses, scores = _evaluate(net, valid, mse)
    with torch.no_grad():
        eta = net.module_.members(X)
    for m in range(2):
        rows = torch.as_tensor(holdout[:, m])
        assert scores[m] == pytest.approx(mse(eta[m][rows], y[rows]),
                                          rel=1e-5)
        assert losses[m] == pytest.approx(scores[m] / 2, rel=1e-5)
