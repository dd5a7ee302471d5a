"""Plots return figures with the expected content."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from econnn import (NNRegressor, OLSRegressor, marginal_effects,  # noqa: E402
                    plot_learning_curve, plot_marginal_effects)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 2))
    return X, X[:, 0] - 0.5 * X[:, 1] + 0.1 * rng.normal(size=150)


def test_learning_curve_with_validation_and_best_epoch():
    X, y = _data()
    model = NNRegressor(hidden_layer_sizes=(8,), early_stopping=True,
                        max_iter=40, random_state=0).fit(X, y)
    fig = plot_learning_curve(model, log_scale=True)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["training"].get_ydata(),
                               model.loss_curve_)
    np.testing.assert_allclose(lines["validation"].get_ydata(),
                               model.validation_loss_curve_)
    assert f"best epoch ({model.best_epoch_})" in lines
    assert ax.get_yscale() == "log"


def test_marginal_effect_plot_of_two_models():
    X, y = _data()
    ols = OLSRegressor().fit(X, y)
    net = NNRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                      random_state=0).fit(X, y)
    effects = {"OLS": marginal_effects(ols, X, y=y, n_boot=5,
                                       random_state=0),
               "network": marginal_effects(net, X)}
    fig = plot_marginal_effects(effects, title="AME")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x0", "x1"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "OLS", "network"]
    assert ax.get_title() == "AME"
