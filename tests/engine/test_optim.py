"""solver='lbfgs' (the optimiser registry): progress after a rejected trial step."""

import numpy as np

from econnn import NNRegressor


def test_lbfgs_does_not_stall():
    # With torch's default max_eval (1 for one iteration per epoch) the
    # line search had no evaluations: the loss froze at epoch 3 here
    # (R^2 0.26).
    rng = np.random.RandomState(0)
    X = rng.randn(400, 8)
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(400)
    model = NNRegressor(hidden_layer_sizes=(16,), solver="lbfgs",
                        max_iter=200, alpha=0.0, random_state=0).fit(X, y)
    assert model.n_iter_ > 20
    assert model.score(X, y) > 0.9
