"""compare_models: the cross-validated comparison table."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.model_selection import KFold, cross_validate

from econnn import (ComparisonTable, NNRegressor, OLSRegressor,
                    compare_models)


def _data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(150, 2)), columns=["a", "b"])
    y = X["a"] + np.sin(2 * X["b"]) + 0.1 * rng.normal(size=150)
    return X, y


def test_table_matches_cross_validate_on_shared_folds():
    X, y = _data()
    cv = KFold(5, shuffle=True, random_state=0)
    models = {"mean": DummyRegressor(), "OLS": OLSRegressor(),
              "network": NNRegressor(hidden_layer_sizes=(16,),
                                     solver="lbfgs", max_iter=100,
                                     random_state=0)}
    table = compare_models(models, X, y, cv=cv)
    assert isinstance(table, ComparisonTable)
    assert list(table.index) == ["mean", "OLS", "network"]
    ref = cross_validate(OLSRegressor(), X, y, cv=cv,
                         return_train_score=True)
    assert table.loc["OLS", "test_mean"] == pytest.approx(
        ref["test_score"].mean())
    assert table.loc["OLS", "train_sd"] == pytest.approx(
        ref["train_score"].std(ddof=1))
    # the network captures the sine that OLS misses
    assert table.loc["network", "test_mean"] > \
        table.loc["OLS", "test_mean"] + 0.1
    assert table.loc["network", "test_mean"] > 0.8
    assert table.loc["mean", "train_mean"] == pytest.approx(0)
    assert (table["fit_time"] > 0).all()


def test_renderings_show_mean_and_sd():
    X, y = _data()
    table = compare_models({"OLS": OLSRegressor()}, X, y, cv=3,
                           scoring="neg_mean_squared_error")
    row = table.loc["OLS"]
    cell = f"{row['test_mean']:.3f} ({row['test_sd']:.3f})"
    markdown = table.as_markdown()
    assert cell in markdown and "test MSE" in markdown
    assert markdown.splitlines()[1].startswith("|:")
    latex = table.as_latex(digits=2)
    assert r"\begin{tabular}" in latex
    assert f"{row['test_mean']:.2f} ({row['test_sd']:.2f})" in latex
    assert cell in table.as_text()
    # still a DataFrame: slicing keeps the class and its renderings
    assert isinstance(table.iloc[:1], ComparisonTable)


def _unescaped(latex, char):
    """Occurrences of char not preceded by a backslash."""
    return re.findall(r"(?<!\\)" + re.escape(char), latex)


def test_latex_is_escaped_and_takes_a_caption(tmp_path):
    X, y = _data()
    models = {"ols_levels": OLSRegressor(), "net_50%": DummyRegressor(),
              "a&b #1": DummyRegressor()}
    table = compare_models(models, X, y, cv=3)
    latex = table.to_latex(caption="CV R^2 of log_wage models & 95% bands",
                           label="tab:cv_r2")
    body = latex.replace(r"\label{tab:cv_r2}", "")
    for char in ("_", "%", "#", "^"):
        assert not _unescaped(body.replace("$R^2$", ""), char), char
    rows = [r for r in latex.splitlines() if r.endswith(r"\\")]
    # 4 columns: model, train, test, fit time -> 3 unescaped & per row
    assert all(len(_unescaped(r, "&")) == 3 for r in rows)
    assert r"ols\_levels" in latex and r"net\_50\%" in latex
    assert r"a\&b \#1" in latex
    assert r"\caption{CV R\textasciicircum{}2 of log\_wage models \& " \
        r"95\% bands}" in latex
    assert r"\label{tab:cv_r2}" in latex and "train $R^2$" in latex
    assert latex.count(r"\begin{") == latex.count(r"\end{") == 2
    assert table.as_latex() == table.to_latex()
    assert r"\begin{table}" not in table.to_latex()
    path = tmp_path / "table.tex"
    table.to_latex(path, caption="x")
    assert path.read_text() == table.as_latex(caption="x")


def test_several_scorers_in_natural_sign():
    X, y = _data()
    cv = KFold(4, shuffle=True, random_state=0)
    scoring = ["r2", "neg_mean_squared_error", "neg_mean_absolute_error"]
    table = compare_models({"OLS": OLSRegressor()}, X, y, cv=cv,
                           scoring=scoring)
    ref = cross_validate(OLSRegressor(), X, y, cv=cv, scoring=scoring,
                         return_train_score=True)
    assert list(table.columns.get_level_values(0).unique()) == \
        ["R^2", "MSE", "MAE", "fit_time"]
    mse = table.loc["OLS", ("MSE", "test_mean")]
    assert mse > 0
    assert mse == pytest.approx(-ref["test_neg_mean_squared_error"].mean())
    assert table.loc["OLS", ("MAE", "train_sd")] == pytest.approx(
        ref["train_neg_mean_absolute_error"].std(ddof=1))
    assert table.loc["OLS", ("R^2", "test_mean")] == pytest.approx(
        ref["test_r2"].mean())
    text = table.as_markdown()
    for name in ("test R^2", "train MSE", "test MAE", "fit time"):
        assert name in text
    assert f"{mse:.3f}" in text
    # a dict names the scorers; neg_ losses are still flipped
    named = compare_models({"OLS": OLSRegressor()}, X, y, cv=cv,
                           scoring={"fit": "r2",
                                    "squared error": "neg_mean_squared_error"})
    assert named.loc["OLS", ("squared error", "test_mean")] == \
        pytest.approx(mse)
    with pytest.raises(TypeError, match="scoring must be"):
        compare_models({"OLS": OLSRegressor()}, X, y, scoring=3)


def test_bad_models_argument():
    X, y = _data()
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_models([OLSRegressor()], X, y)
