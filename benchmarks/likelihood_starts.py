"""Every loss with default settings, with and without hidden layers.

A sweep for garbage: for each of econnn's losses, ``NNRegressor`` (or
``NNClassifier`` for the ordered models) with every setting at its
default except the loss and ``hidden_layer_sizes``, fitted on 400
simulated rows whose mean is driven by the first of five regressors and
scored on 400 new rows: the correlation of the predictions with that
regressor (regression; about 0.85-1 for a model that learned it), or the
accuracy (ordered models). Found that networks without hidden layers
(the classical models) were left near their random start (fixed 23 Nov
2026, docs/structure.md).

    python benchmarks/likelihood_starts.py
"""

import time
import warnings

import numpy as np

from econnn import NNClassifier, NNRegressor

TARGETS = {
    "squared_error": lambda X, r: X[:, 0] + 0.5 * r.randn(len(X)),
    "huber": lambda X, r: X[:, 0] + 0.5 * r.standard_t(2, len(X)),
    "absolute_error": lambda X, r: X[:, 0] + 0.5 * r.standard_t(2, len(X)),
    "quantile": lambda X, r: X[:, 0] + 0.5 * r.randn(len(X)),
    "poisson": lambda X, r: r.poisson(np.exp(0.5 * X[:, 0])).astype(float),
    "gamma": lambda X, r: r.gamma(2.0, np.exp(0.5 * X[:, 0]) / 2.0),
    "tobit": lambda X, r: np.maximum(X[:, 0] + 0.5 * r.randn(len(X)), 0),
    "negative_binomial": lambda X, r: r.negative_binomial(
        2, 2 / (2 + np.exp(0.5 * X[:, 0]))).astype(float),
    "zero_inflated_poisson": lambda X, r: (r.rand(len(X)) > 0.3) * r.poisson(
        np.exp(0.5 * X[:, 0])).astype(float),
    "fractional_logit": lambda X, r: 1 / (1 + np.exp(
        -X[:, 0] - 0.3 * r.randn(len(X)))),
}
LAYERS = [(), (16,), (64, 64)]


def main():
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X, Xt = rng.randn(400, 5), rng.randn(400, 5)
    print("| loss | hidden layers | score on new rows | fit s |")
    print("|---|---|---|---|")
    for loss, target in TARGETS.items():
        r = np.random.RandomState(1)
        y, _ = target(X, r), target(Xt, r)
        extra = {"censoring": (0, None)} if loss == "tobit" else {}
        for layers in LAYERS:
            start = time.process_time()
            model = NNRegressor(loss=loss, hidden_layer_sizes=layers,
                                random_state=0, **extra).fit(X, y)
            score = np.corrcoef(model.predict(Xt), Xt[:, 0])[0, 1]
            print(f"| {loss} | {layers} | corr {score:.3f} | "
                  f"{time.process_time() - start:.2f} |")
    y = np.digitize(X[:, 0] + 0.3 * rng.randn(400), [-0.5, 0.5])
    yt = np.digitize(Xt[:, 0], [-0.5, 0.5])
    for loss in ("ordered_logit", "ordered_probit"):
        for layers in LAYERS:
            start = time.process_time()
            model = NNClassifier(loss=loss, hidden_layer_sizes=layers,
                                 random_state=0).fit(X, y)
            print(f"| {loss} | {layers} | accuracy {model.score(Xt, yt):.3f}"
                  f" | {time.process_time() - start:.2f} |")


if __name__ == "__main__":
    main()
