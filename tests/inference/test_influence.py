"""se='influence': cross-fitted debiased effects and their standard errors.

For a correctly specified linear model the influence-function standard
error of an average marginal effect must agree with the textbook one
(OLS' robust standard error, statsmodels' delta-method ``get_margeff``);
the coverage of networks' intervals is measured by
``benchmarks/coverage.py`` (docs/marginal_effects.md).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from econnn import (LogitClassifier, NNClassifier, NNRegressor,
                    OLSRegressor, marginal_effects)


def _linear(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 1] += 0.5 * X[:, 0]  # correlated regressors
    X[:, 2] = rng.random(n) < 1 / (1 + np.exp(-X[:, 0]))  # dummy
    y = 1 + X @ [1.5, -0.5, 1.0] + rng.normal(size=n) * (1 + 0.5 * X[:, 2])
    return X, y


def test_ols_influence_se_is_the_robust_ols_se():
    X, y = _linear()
    me = marginal_effects(OLSRegressor().fit(X, y), X, y=y, random_state=0)
    assert me.attrs["se"] == "influence" and me.attrs["cv"] == 5
    ref = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HC1")
    np.testing.assert_allclose(me["effect"], ref.params[1:], atol=0.02)
    np.testing.assert_allclose(me["std_err"], ref.bse[1:], rtol=0.12)


def test_logit_influence_se_matches_statsmodels_delta_method():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1500, 2))
    y = (rng.random(1500) < 1 / (1 + np.exp(-(0.3 + X @ [1.0, -0.7])))) \
        .astype(int)
    me = marginal_effects(LogitClassifier().fit(X, y), X, y=y,
                          random_state=0)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0).get_margeff()
    np.testing.assert_allclose(me["effect"], ref.margeff, atol=0.01)
    np.testing.assert_allclose(me["std_err"], ref.margeff_se, rtol=0.15)


def test_network_intervals_cover_and_naive_spread_would_not():
    X, y = _linear(600, seed=2)
    net = NNRegressor(hidden_layer_sizes=(8,), solver="lbfgs", alpha=0.1,
                      max_iter=100, random_state=0).fit(X, y)
    me = marginal_effects(net, X, y=y, random_state=0)
    truth = np.array([1.5, -0.5, 1.0])
    assert ((me["ci_low"] < truth) & (truth < me["ci_high"])).all()
    ols_se = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HC1").bse[1:]
    assert ((me["std_err"] > 0.7 * ols_se) &
            (me["std_err"] < 1.5 * ols_se)).all()
    # the plug-in effects of the fitted model are kept for reference
    assert me.attrs["plugin_effect"].shape == (1, 1, 3, 1)


def test_influence_se_is_clustered_by_groups():
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(40), 10)
    x = rng.normal(size=40)[groups]
    y = 1 + x + rng.normal(size=40)[groups] + 0.1 * rng.normal(size=400)
    X = pd.DataFrame({"x": x})
    ols = OLSRegressor().fit(X, y)
    iid = marginal_effects(ols, X, y=y, random_state=0)
    clustered = marginal_effects(ols, X, y=y, groups=groups, random_state=0)
    assert clustered.attrs["clustered"] and not iid.attrs["clustered"]
    assert clustered.loc["x", "std_err"] > 2 * iid.loc["x", "std_err"]
    ref = sm.OLS(y, sm.add_constant(x)).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    assert clustered.loc["x", "std_err"] == pytest.approx(ref.bse[1],
                                                          rel=0.2)


def test_multiclass_influence_effects_sum_to_zero_over_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = np.digitize(X[:, 0] + 0.5 * rng.normal(size=400), [-0.5, 0.5])
    clf = NNClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                       random_state=0).fit(X, y)
    me = marginal_effects(clf, X, y=y, cv=3, random_state=0)
    totals = me["effect"].groupby(level="feature").sum()
    np.testing.assert_allclose(totals, 0, atol=1e-10)
    assert (me["std_err"] > 0).all() and np.isfinite(me["std_err"]).all()


def test_influence_is_reproducible_and_parallel_safe():
    X, y = _linear(300)
    ols = OLSRegressor().fit(X, y)
    serial = marginal_effects(ols, X, y=y, random_state=3)
    parallel = marginal_effects(ols, X, y=y, random_state=3, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_influence_needs_a_conditional_mean():
    X, y = _linear(200)
    model = NNRegressor(loss="quantile", hidden_layer_sizes=(4,),
                        max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="conditional mean"):
        marginal_effects(model, X, y=y, se="influence")


def test_elasticities_are_left_to_the_bootstrap():
    X, y = _linear(200)
    ols = OLSRegressor().fit(X, y)
    with pytest.raises(ValueError, match="se='bootstrap'"):
        marginal_effects(ols, X, y=y, method="eyex")
    # a log-scale effect needs positive predictions
    positive = OLSRegressor().fit(X, y + 50)
    boot = marginal_effects(positive, X, y=y + 50, method="eydx", n_boot=3,
                            random_state=0)
    assert boot.attrs["se"] == "bootstrap"
    # dy/d ln x is linear in the prediction: x times the derivative, whose
    # average for OLS is the coefficient times the regressor's mean
    X, y = _linear(2000)
    ols = OLSRegressor().fit(X, y)
    dyex = marginal_effects(ols, X, y=y, method="dyex", discrete=None,
                            random_state=0)
    plugin = ols.coef_ * X.mean(axis=0)
    assert (np.abs(dyex["effect"] - plugin) < 2 * dyex["std_err"]).all()


def test_median_over_splits_adds_the_spread_between_splits():
    from econnn.inference._effects import median_over_splits

    effects = np.array([[1.0], [2.0], [4.0]])
    std_errs = np.array([[0.3], [0.4], [0.5]])
    effect, std_err = median_over_splits(effects, std_errs)
    assert effect.tolist() == [2.0]
    # sqrt(0.09 + 1), sqrt(0.16 + 0), sqrt(0.25 + 4): the median is 1.044
    np.testing.assert_allclose(std_err, [np.sqrt(1.09)])
    one = median_over_splits(effects[:1], std_errs[:1])
    assert one[0].tolist() == [1.0] and one[1].tolist() == [0.3]


def test_repeated_crossfitting_is_steadier_than_one_split():
    from econnn import OLSRegressor, marginal_effects

    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = X @ [1.0, -0.5] + rng.normal(size=400)
    ols = OLSRegressor().fit(X, y)
    single = [marginal_effects(ols, X, y=y, random_state=s)["effect"].iloc[0]
              for s in range(4)]
    repeated = [marginal_effects(ols, X, y=y, n_repeats=5, random_state=s)
                for s in range(4)]
    assert repeated[0].attrs["n_repeats"] == 5
    assert "median of 5 splits" in repeated[0].summary().as_text()
    spread = np.ptp([r["effect"].iloc[0] for r in repeated])
    assert spread < np.ptp(single)
    # the standard error is at least the median split's own
    assert (repeated[0]["std_err"] > 0).all()
    with pytest.raises(ValueError, match="n_repeats"):
        marginal_effects(ols, X, y=y, n_repeats=0)
