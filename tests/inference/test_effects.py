"""marginal_effects: known answers, statsmodels' get_margeff, pipelines."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (FunctionTransformer, MinMaxScaler,
                                   RobustScaler, StandardScaler)

from econnn import (LogitClassifier, NNClassifier, NNRegressor,
                    OLSRegressor, marginal_effects)

BETA = np.array([1.5, -0.5, 1.0])  # the last regressor is a dummy


def _linear_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 2] = rng.random(n) < 0.4
    y = 1 + X @ BETA + rng.normal(scale=0.5, size=n)
    return X, y


def _logit_data(n=600, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 2] = rng.random(n) < 0.5
    p = 1 / (1 + np.exp(-(0.3 + X @ [1.0, -1.0, 0.5])))
    return X, (rng.random(n) < p).astype(int)


def _small_net(**kw):
    return NNRegressor(hidden_layer_sizes=(8,), solver="lbfgs", alpha=0.1,
                       max_iter=100, random_state=0, **kw)


def test_ame_recovers_linear_coefficients_with_covering_intervals():
    X, y = _linear_data()
    net = _small_net().fit(X, y)
    me = marginal_effects(net, X, y=y, n_boot=8, random_state=0)
    assert list(me.columns) == ["effect", "std_err", "z", "p_value",
                                "ci_low", "ci_high"]
    assert list(me.index) == ["x0", "x1", "x2"]
    np.testing.assert_allclose(me["effect"], BETA, atol=0.1)
    assert (me["std_err"] > 0).all() and (me["std_err"] < 0.2).all()
    assert ((me["ci_low"] < BETA) & (BETA < me["ci_high"])).all()
    assert (me["p_value"] < 1e-6).all()


def test_without_bootstrap_the_uncertainty_columns_are_nan():
    X, y = _linear_data(200)
    net = _small_net().fit(X, y)
    me = marginal_effects(net, X, features=["x1"])
    assert me.index.tolist() == ["x1"]
    assert me[["std_err", "z", "p_value", "ci_low", "ci_high"]].isna().all(
        axis=None)
    # the bootstrap refits, so n_boot without y is refused, not ignored
    with pytest.raises(ValueError, match="needs the training target y"):
        marginal_effects(net, X, features=[1], n_boot=3)


def _statsmodels_logit(X, y):
    return sm.Logit(y, sm.add_constant(X)).fit(disp=0)


@pytest.mark.parametrize("at, method", [("overall", "dydx"),
                                        ("mean", "eyex"),
                                        ("median", "dyex"),
                                        ("overall", "eydx")])
def test_logit_network_without_hidden_layer_is_statsmodels_logit(at, method):
    X, y = _logit_data()
    # with no hidden layer and no penalty the network is the logit model
    clf = NNClassifier(early_stopping=False, hidden_layer_sizes=(), solver="lbfgs", alpha=0.0,
                       max_iter=100, tol=1e-10, random_state=0).fit(X, y)
    me = marginal_effects(clf, X, at=at, method=method, discrete=None)
    ref = _statsmodels_logit(X, y).get_margeff(at=at, method=method)
    # a binary classifier reports the effects on P(y = 1) once
    assert me.index.tolist() == ["x0", "x1", "x2"]
    assert me.attrs["binary_class"] == 1
    np.testing.assert_allclose(me["effect"], ref.margeff, atol=2e-4)


def test_dummy_effects_match_statsmodels_and_numerical_path():
    X, y = _logit_data()
    ref = _statsmodels_logit(X, y).get_margeff(dummy=True)
    logit = LogitClassifier().fit(X, y)  # numerical derivatives
    me = marginal_effects(logit, X)
    np.testing.assert_allclose(me["effect"], ref.margeff, atol=1e-6)
    assert me.attrs["kind"] == {"x0": "derivative", "x1": "derivative",
                                "x2": "dummy"}


def test_logit_network_close_to_statsmodels():
    X, y = _logit_data()
    clf = NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", alpha=1.0,
                       max_iter=60, random_state=0).fit(X, y)
    me = marginal_effects(clf, X)
    ref = _statsmodels_logit(X, y).get_margeff(dummy=True)
    np.testing.assert_allclose(me["effect"], ref.margeff, atol=0.03)


def test_multiclass_effects_sum_to_zero_over_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = np.digitize(X[:, 0] + 0.5 * rng.normal(size=300), [-0.5, 0.5])
    clf = NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                       random_state=0).fit(X, y)
    me = marginal_effects(clf, X)
    assert me.index.names == ["class", "feature"]
    totals = me["effect"].groupby(level="feature").sum()
    np.testing.assert_allclose(totals, 0, atol=1e-10)
    # x0 moves mass from class 0 to class 2
    assert me.loc[(0, "x0"), "effect"] < -0.1
    assert me.loc[(2, "x0"), "effect"] > 0.1


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(),
                                    StandardScaler(with_mean=False),
                                    RobustScaler(with_centering=False)])
def test_pipeline_with_affine_steps_is_differentiated_in_raw_units(scaler):
    X, y = _linear_data(200)
    X[:, 0] = 100 + 50 * X[:, 0]  # rescaled: the true effect is 1.5 / 50
    pipe = make_pipeline(scaler, _small_net()).fit(X, y)
    exact = marginal_effects(pipe, X, discrete=None)
    numerical = marginal_effects(pipe, X, discrete=None,
                                 derivative="numerical")
    np.testing.assert_allclose(exact["effect"], numerical["effect"],
                               rtol=1e-4)
    assert abs(exact.loc["x0", "effect"] - 1.5 / 50) < 0.005


def test_non_differentiable_step_raises_clear_error():
    X, y = _linear_data(200)
    pipe = make_pipeline(FunctionTransformer(np.tanh), _small_net()).fit(X, y)
    with pytest.raises(ValueError, match="cannot differentiate through the "
                                         "pipeline step FunctionTransformer"):
        marginal_effects(pipe, X)
    assert np.isfinite(marginal_effects(pipe, X, derivative="numerical")[
        "effect"]).all()


def test_log_linear_elasticities_and_count_effects():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=400), rng.poisson(3, size=400)])
    y = np.exp(0.5 + 0.2 * X[:, 0] - 0.1 * X[:, 1] +
               rng.normal(scale=0.3, size=400))
    ols = OLSRegressor(log_target=True).fit(X, y)
    semi = marginal_effects(ols, X, method="eydx", discrete=None)
    np.testing.assert_allclose(semi["effect"], ols.coef_, rtol=1e-6)
    # a count regressor is differentiated by default (statsmodels' rule)
    me = marginal_effects(ols, X, features=[1])
    assert me.attrs["kind"] == {"x1": "derivative"}
    np.testing.assert_allclose(me["effect"].iloc[0],
                               np.mean(ols.predict(X) * ols.coef_[1]),
                               rtol=1e-6)
    # count=True: statsmodels' centred difference [f(x+1) - f(x-1)] / 2
    count = marginal_effects(ols, X, features=[1], count=True)
    assert count.attrs["kind"] == {"x1": "count"}
    expected = np.mean(ols.predict(X) * (np.exp(ols.coef_[1]) -
                                         np.exp(-ols.coef_[1])) / 2)
    np.testing.assert_allclose(count["effect"].iloc[0], expected,
                               rtol=1e-10)


def test_clustered_bootstrap_widens_intervals_under_cluster_shocks():
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(40), 10)
    x = rng.normal(size=40)[groups]  # a regressor varying between clusters
    y = 1 + x + rng.normal(size=40)[groups] + 0.1 * rng.normal(size=400)
    X = pd.DataFrame({"x": x})
    ols = OLSRegressor().fit(X, y)
    iid = marginal_effects(ols, X, y=y, n_boot=60, random_state=0)
    clustered = marginal_effects(ols, X, y=y, groups=groups, n_boot=60,
                                 random_state=0)
    assert clustered.attrs["clustered"] and not iid.attrs["clustered"]
    assert clustered.loc["x", "std_err"] > 2 * iid.loc["x", "std_err"]


def test_bad_arguments():
    X, y = _linear_data(100)
    ols = OLSRegressor().fit(X, y)
    for kwargs, match in [(dict(method="dy"), "method"),
                          (dict(at="mode"), "at must"),
                          (dict(features=["nope"]), "Unknown feature"),
                          (dict(features=[7]), "out of range"),
                          (dict(n_boot=-1), "n_boot"),
                          (dict(se="delta"), "se must"),
                          (dict(se="influence"), "needs the training"),
                          (dict(at={"x0": "high"}), "finite number"),
                          (dict(by=np.arange(3)), "group labels"),
                          (dict(at="mean", by="x2", y=y), "by needs"),
                          (dict(derivative="autograd"), "econnn estimator")]:
        with pytest.raises(ValueError, match=match):
            marginal_effects(ols, X, **kwargs)
    with pytest.raises(ValueError, match="features"):
        marginal_effects(ols, X[:, :2])


def test_bootstrap_is_reproducible_and_parallel_safe():
    X, y = _linear_data(150)
    ols = OLSRegressor().fit(X, y)
    serial = marginal_effects(ols, X, y=y, n_boot=6, random_state=3)
    parallel = marginal_effects(ols, X, y=y, n_boot=6, random_state=3,
                                n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    other = marginal_effects(ols, X, y=y, n_boot=6, random_state=4)
    assert not np.allclose(serial["std_err"], other["std_err"])
    # the normal-approximation columns follow from effect and std_err
    np.testing.assert_allclose(serial["z"],
                               serial["effect"] / serial["std_err"])
    np.testing.assert_allclose(serial["ci_high"] - serial["ci_low"],
                               2 * 1.959964 * serial["std_err"], rtol=1e-6)


def test_effects_at_values_are_statsmodels_atexog():
    # Stata's margins, at(): x0 set to each value for every row
    X, y = _logit_data()
    logit = LogitClassifier().fit(X, y)
    me = marginal_effects(logit, X, at={"x0": [-1.0, 1.5]}, discrete=None)
    assert me.index.names == ["at", "feature"]
    res = _statsmodels_logit(X, y)
    for value in (-1.0, 1.5):
        ref = res.get_margeff(atexog={1: value})  # column 0 is the constant
        np.testing.assert_allclose(me.loc[f"x0={value:g}", "effect"],
                                   ref.margeff, atol=1e-6)


def test_effects_by_group_average_within_the_group():
    X, y = _linear_data(300)
    y = y + 2 * X[:, 0] * X[:, 2]  # the slope of x0 is 1.5, or 3.5 if x2
    net = _small_net().fit(X, y)
    by_column = marginal_effects(net, X, by="x2")
    assert by_column.index.names == ["x2", "feature"]
    assert by_column.index.get_level_values("x2").unique().tolist() == [0, 1]
    for g in (0, 1):
        subset = marginal_effects(net, X[X[:, 2] == g], discrete=[2])
        np.testing.assert_allclose(by_column.loc[g, "effect"],
                                   subset["effect"], rtol=1e-10)
    assert by_column.loc[(0, "x0"), "effect"] == pytest.approx(1.5, abs=0.3)
    assert by_column.loc[(1, "x0"), "effect"] == pytest.approx(3.5, abs=0.3)
    labels = pd.Series(np.where(X[:, 2] == 1, "b", "a"), name="arm")
    by_labels = marginal_effects(net, X, by=labels)
    assert by_labels.index.names == ["arm", "feature"]
    np.testing.assert_allclose(by_labels["effect"], by_column["effect"])
    # with y the groups get influence-function standard errors
    se = marginal_effects(net, X, by="x2", y=y, cv=3, random_state=0)
    assert (se["std_err"] > 0).all()
    assert se.loc[(1, "x0"), "ci_low"] < 3.5 < se.loc[(1, "x0"), "ci_high"]


def test_support_diagnostic_warns_for_a_mass_point():
    # crime1's months in prison: 95% at zero, the slope learned elsewhere
    rng = np.random.default_rng(0)
    n = 1000
    months = np.where(rng.random(n) < 0.95, 0,
                      rng.integers(4, 13, size=n)).astype(float)
    x = rng.normal(size=n)
    kids = rng.poisson(1.5, size=n).astype(float)  # integers, well spread
    y = x + 0.1 * months + 0.2 * kids + rng.normal(size=n)
    X = pd.DataFrame({"x": x, "months": months, "kids": kids})
    ols = OLSRegressor().fit(X, y)
    with pytest.warns(UserWarning, match="months are driven by points"):
        me = marginal_effects(ols, X)
    support = me.attrs["support"]
    assert support.loc["months", "flagged"]
    assert support.loc["months", "thin_share"] > 0.9
    assert not support.loc["x", "flagged"]
    assert support.loc["x", "thin_share"] < 0.1
    assert not support.loc["kids", "flagged"]
    assert "Thin support for months" in str(me.summary())


def test_summary_renders_latex_and_markdown_with_notes():
    X, y = _logit_data()
    X = pd.DataFrame(X, columns=["log_wage", "age_sq", "union_member"])
    me = marginal_effects(LogitClassifier().fit(X, y), X, y=y,
                          random_state=0)
    summary = me.summary()
    latex = summary.to_latex()
    assert r"log\_wage" in latex and "log_wage" not in latex
    assert r"Discrete change f(1) - f(0) for: union\_member" in latex
    markdown = summary.to_markdown()
    assert "| log_wage |" in markdown and "influence function" in markdown
    assert "P(y = 1)" in str(summary) and "np.int64" not in str(summary)
    # a statsmodels-style frame, and still a DataFrame after selection
    assert isinstance(me.loc[["age_sq"]], type(me))
