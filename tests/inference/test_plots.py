"""Plots return figures with the expected content."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import pytest  # noqa: E402

from econnn import (NNRegressor, OLSRegressor, marginal_effects,  # noqa: E402
                    plot_effects_at, plot_learning_curve,
                    plot_marginal_effects)


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


def test_effects_at_plot_draws_each_group_with_its_band():
    X, y = _data()
    X = np.column_stack([X, (X[:, 1] > 0).astype(float)])
    ols = OLSRegressor().fit(X, y)
    grid = [-1.0, 0.0, 1.0]
    me = marginal_effects(ols, X, at={"x0": grid}, by="x2", y=y,
                          random_state=0)
    fig = plot_effects_at(me, "x1")
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [line.get_label() for line in lines] == ["0", "1"]
    for line, g in zip(lines, (0, 1)):
        np.testing.assert_allclose(line.get_xdata(), grid)
        expected = me.xs("x1", level="feature").xs(g, level="x2")
        np.testing.assert_allclose(line.get_ydata(), expected["effect"])
    assert len(ax.collections) == 2  # one band per group
    assert ax.get_xlabel() == "x0" and "x1" in ax.get_ylabel()
    with pytest.raises(ValueError, match="at=\\{name: values\\}"):
        plot_effects_at(marginal_effects(ols, X))
