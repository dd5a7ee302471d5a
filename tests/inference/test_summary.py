"""summary(): one Summary object for every estimator, rendered three ways."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from econnn import NNClassifier, NNRegressor, Summary

# Tests of training mechanics pin the plain MLP (no linear skip, no
# validation split) or the earlier early-stopping settings they were written
# for; the defaults themselves are tested in test_training_engine.py and
# measured in benchmarks/suite.
PLAIN = dict(linear_skip=False, early_stopping=False)
PLAIN_ES = dict(linear_skip=False, validation_fraction=0.1,
                n_iter_no_change=10)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 3))
    return X, X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=120)


def test_regressor_summary_reports_architecture_and_training(capsys):
    X, y = _data()
    model = NNRegressor(**PLAIN_ES, hidden_layer_sizes=(8, 4), early_stopping=True,
                        max_iter=30, random_state=0).fit(X, y)
    summary = model.summary(X, y)
    assert capsys.readouterr().out == ""  # it never prints by itself
    assert isinstance(summary, Summary)
    text = str(summary)
    n_params = sum(p.numel() for p in model.module_.parameters())
    assert n_params == model.n_ensemble_ * (3 * 8 + 8 + 8 * 4 + 4 + 4 + 1)
    info = summary.tables[0][1].iloc[:, 0]
    assert info["Architecture"] == \
        f"3-8-4-1 (tanh), ensemble of {model.n_ensemble_}"
    assert info["Parameters"] == f"{n_params:,}"
    assert info["Epochs run"] == str(model.n_iter_)
    assert info["Best epoch"] == str(model.best_epoch_)
    assert info["Early stopping"] == "yes"
    assert float(info["Validation R^2"]) == pytest.approx(
        model.best_validation_score_, abs=1e-3)
    assert float(info["R^2 on given data"]) == pytest.approx(
        model.score(X, y), abs=1e-3)
    assert "squared_error" in text and "Notes:" in text
    assert model.best_epoch_ > 0 and (
        f"the best epoch was {model.best_epoch_}, and the network was then "
        f"retrained on all the rows for {model.best_epoch_} epochs") in text
    layers = summary.tables[1][1]
    assert layers["count"].str.replace(",", "").astype(int).sum() == n_params
    # the final weights were retrained on every row, not the 90% split
    assert info["Training samples"] == str(len(X))
    no_refit = NNRegressor(**PLAIN_ES, hidden_layer_sizes=(8, 4),
                           refit=False, max_iter=30, random_state=0).fit(X, y)
    info = no_refit.summary().tables[0][1].iloc[:, 0]
    assert info["Training samples"] == str(len(X) - 12)  # 10% held out


def test_classifier_summary_and_renderings():
    X, y = _data(1)
    clf = NNClassifier(**PLAIN, hidden_layer_sizes=(5,), max_iter=20,
                       random_state=0).fit(X, y > 0)
    summary = clf.summary()
    info = summary.tables[0][1].iloc[:, 0]
    assert info["Loss"] == "log_loss" and info["Output link"] == "logit"
    assert "Training stopped at max_iter=20" in str(summary)
    html = summary._repr_html_()
    assert html.count("<table") == 2 and "<caption>Layers</caption>" in html
    latex = summary.as_latex()
    assert latex.count(r"\begin{tabular}") == 2
    assert r"log\_loss" in latex  # escaped
    assert "NNClassifier results" in repr(summary)


class Quadratic(torch.nn.Module):
    def __init__(self, n_features_in, n_outputs):
        super().__init__()
        self.linear = torch.nn.Linear(n_features_in, n_outputs)

    def forward(self, x):
        return self.linear(x ** 2)


def test_custom_module_summary_names_the_module():
    X, y = _data(2)
    model = NNRegressor(module=Quadratic, max_iter=5,
                        random_state=0).fit(X, y)
    info = model.summary().tables[0][1].iloc[:, 0]
    assert info["Architecture"] == "Quadratic"
    assert info["Parameters"] == "4"


def test_summary_needs_a_fitted_model():
    with pytest.raises(NotFittedError):
        NNRegressor().summary()


def test_summary_text_layout():
    import pandas as pd

    s = Summary("T")
    s.add_dict({"a": 1.23456, "skipped": None, "flag": True})
    s.add_table(pd.DataFrame({"coef": [1.0, -2.5]}, index=["x", "z"]),
                title="Coefficients")
    s.add_note("first")
    lines = str(s).splitlines()
    assert lines[1] == "=" * len(lines[1])
    assert lines[2].startswith("a") and lines[2].endswith("1.235")
    assert "skipped" not in str(s)
    assert lines[3].endswith("yes")
    assert "Coefficients" in lines and lines[-1] == "[1] first"
    body = [line for line in lines[1:-2] if line != "Coefficients"]
    assert len({len(line) for line in body}) == 1  # one width


def test_summary_reports_cross_validated_fit_beside_in_sample():
    from sklearn.model_selection import KFold, cross_val_score

    X, y = _data(3)
    params = dict(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=200,
                  alpha=0.0, n_ensemble=1, random_state=0)
    model = NNRegressor(**params).fit(X, y)
    cv = KFold(4, shuffle=True, random_state=0)
    summary = model.summary(X, y, cv=cv)
    info = summary.tables[0][1].iloc[:, 0]
    ref = cross_val_score(NNRegressor(**params), X, y, cv=cv)
    assert info["R^2, 4-fold CV"] == \
        f"{ref.mean():.4g} (sd {ref.std(ddof=1):.2g})"
    # an unpenalised network fits its training data better than new data
    in_sample = float(info["R^2 on given data"])
    assert in_sample > ref.mean() + 0.01
    assert "4-fold CV: mean (sd) over the folds" in str(summary)
    assert "overstates" in str(summary)
    # an int is scikit-learn's KFold (StratifiedKFold for a classifier)
    clf = NNClassifier(hidden_layer_sizes=(4,), max_iter=10,
                       random_state=0).fit(X, y > 0)
    text = str(clf.summary(X, y > 0, cv=3))
    assert "accuracy, 3-fold CV" in text and "StratifiedKFold" in text
    with pytest.raises(ValueError, match="pass X and y"):
        model.summary(cv=5)
