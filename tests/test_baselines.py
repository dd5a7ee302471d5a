"""The statsmodels baselines: estimates, retransformation, sklearn API."""

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from econnn import LogitClassifier, OLSRegressor


@parametrize_with_checks([OLSRegressor(), OLSRegressor(log_target=True),
                          LogitClassifier()])
def test_sklearn_compatible_linear(estimator, check):
    check(estimator)


def _data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return rng, X


def test_ols_matches_sklearn_and_predicts_levels():
    rng, X = _data()
    y = 1 + X @ [0.5, -1.0, 0.0] + rng.normal(scale=0.3, size=len(X))
    ols = OLSRegressor().fit(X, y)
    ref = LinearRegression().fit(X, y)
    np.testing.assert_allclose(ols.coef_, ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(ols.predict(X), ref.predict(X), rtol=1e-10)
    assert "OLS Regression Results" in str(ols.summary())


@pytest.mark.parametrize("retransformation", ["smearing", "normal"])
def test_log_target_retransformation(retransformation):
    rng, X = _data(1)
    y = np.exp(1 + X @ [0.3, -0.2, 0.1] + rng.normal(scale=0.5,
                                                     size=len(X)))
    ols = OLSRegressor(log_target=True,
                       retransformation=retransformation).fit(X, y)
    res = sm.OLS(np.log(y), sm.add_constant(X)).fit()
    np.testing.assert_allclose(ols.coef_, res.params[1:], rtol=1e-10)
    factor = (np.mean(np.exp(res.resid)) if retransformation == "smearing"
              else np.exp(res.scale / 2))
    np.testing.assert_allclose(ols.predict(X),
                               np.exp(res.fittedvalues) * factor)
    # both corrections are close to exp(sigma^2 / 2) = 1.13 here
    assert 1.05 < ols.smearing_factor_ < 1.25
    # the level predictions are unbiased on average, unlike exp(x'b)
    assert abs(ols.predict(X).mean() / y.mean() - 1) < 0.05
    assert abs(np.exp(res.fittedvalues).mean() / y.mean() - 1) > 0.08
    assert "log(y)" in str(ols.summary())


def test_log_target_needs_positive_y():
    _, X = _data()
    with pytest.raises(ValueError, match="y > 0"):
        OLSRegressor(log_target=True).fit(X, X[:, 0])


def test_logit_matches_unpenalised_logistic_regression():
    rng, X = _data(2, 500)
    y = np.where(rng.random(500) < 1 / (1 + np.exp(-X @ [1.0, -1.0, 0.5])),
                 "yes", "no")
    logit = LogitClassifier().fit(X, y)
    ref = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(logit.coef_, ref.coef_[0], rtol=1e-4)
    np.testing.assert_allclose(logit.predict_proba(X), ref.predict_proba(X),
                               atol=1e-5)
    assert list(logit.classes_) == ["no", "yes"]
    assert "Binomial" in str(logit.summary(xname=["c", "a", "b", "d"]))


def test_linear_baselines_in_pipelines_and_cv():
    rng, X = _data(3)
    y = X[:, 0] + rng.normal(scale=0.5, size=len(X))
    scores = cross_val_score(make_pipeline(StandardScaler(), OLSRegressor()),
                             X, y, cv=3)
    assert scores.mean() > 0.7
    with pytest.raises(ValueError, match="binary"):
        LogitClassifier().fit(X, np.arange(len(X)) % 3)


def test_summaries_label_the_target_cleanly():
    import pandas as pd

    rng, X = _data(4)
    frame = pd.DataFrame(X, columns=["educ", "exper", "age"])
    inlf = pd.Series((X[:, 0] + rng.normal(size=len(X)) > 0).astype(np.int64),
                     name="inlf")
    text = str(LogitClassifier().fit(frame, inlf).summary())
    assert "P(inlf = 1)" in text and "np.int64" not in text
    assert "P(y = 1)" in str(LogitClassifier().fit(X, inlf.values).summary())
    assert "P(y = True)" in str(LogitClassifier().fit(X, inlf.values > 0)
                                .summary())
    wage = pd.Series(np.exp(1 + 0.1 * X[:, 0]), name="wage")
    assert "log(wage)" in str(OLSRegressor(log_target=True).fit(
        frame, wage).summary())
    text = str(OLSRegressor().fit(frame, wage).summary())
    assert "Dep. Variable:                   wage" in text
    assert "educ" in text and "x1" not in text
