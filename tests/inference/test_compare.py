"""compare_models: the cross-validated comparison table."""

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
    assert cell in markdown and "test neg_mean_squared_error" in markdown
    assert markdown.splitlines()[1].startswith("|:")
    latex = table.as_latex(digits=2)
    assert r"\begin{tabular}" in latex
    assert f"{row['test_mean']:.2f} ({row['test_sd']:.2f})" in latex
    assert cell in table.as_text()
    # still a DataFrame: slicing keeps the class and its renderings
    assert isinstance(table.iloc[:1], ComparisonTable)


def test_bad_models_argument():
    X, y = _data()
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_models([OLSRegressor()], X, y)
