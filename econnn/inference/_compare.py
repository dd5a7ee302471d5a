"""Model comparison tables: cross-validated scores, one row per model."""

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_validate

__all__ = ["compare_models", "ComparisonTable"]

_NUMERIC = ["train_mean", "train_sd", "test_mean", "test_sd", "fit_time"]


class ComparisonTable(pd.DataFrame):
    """The result of :func:`compare_models`: a DataFrame that renders.

    Columns ``train_mean``, ``train_sd``, ``test_mean``, ``test_sd`` (the
    score over the folds) and ``fit_time`` (mean seconds per fit), one row
    per model. The ``as_*`` methods render the scores as "mean (sd)", the
    layout of applied papers.
    """

    @property
    def _constructor(self):
        return ComparisonTable

    def formatted(self, digits=3):
        """The table as strings: "mean (sd)" cells and fit time.

        Parameters
        ----------
        digits : int, default=3
            Decimals of the scores.

        Returns
        -------
        pandas.DataFrame
        """
        scoring = self.attrs.get("scoring", "score")
        cell = lambda m, s: f"{m:.{digits}f} ({s:.{digits}f})"  # noqa: E731
        out = pd.DataFrame(index=self.index)
        out[f"train {scoring}"] = [cell(m, s) for m, s in
                                   zip(self["train_mean"], self["train_sd"])]
        out[f"test {scoring}"] = [cell(m, s) for m, s in
                                  zip(self["test_mean"], self["test_sd"])]
        out["fit time (s)"] = [f"{t:.2f}" for t in self["fit_time"]]
        out.index.name = "model"
        return pd.DataFrame(out)

    def as_markdown(self, digits=3):
        """Render as a markdown table (needs the ``tabulate`` package)."""
        return self.formatted(digits).to_markdown(disable_numparse=True)

    def as_latex(self, digits=3):
        """Render as a LaTeX ``tabular``."""
        return self.formatted(digits).to_latex(index_names=False)

    def as_text(self, digits=3):
        """Render as plain text."""
        return self.formatted(digits).to_string()


def compare_models(models, X, y, *, cv=10, scoring="r2", groups=None,
                   n_jobs=None, params=None):
    """Cross-validate several models on the same folds and tabulate them.

    Parameters
    ----------
    models : dict of str to estimator
        Models by row label; each is cloned for every fold.
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,)
        Target.
    cv : int, cross-validation generator or iterable, default=10
        As in :func:`sklearn.model_selection.cross_validate`. An int means
        (Stratified)KFold without shuffling; pass e.g.
        ``KFold(10, shuffle=True, random_state=0)`` for shuffled folds.
        A generator with a fixed ``random_state`` gives every model the
        same folds.
    scoring : str or callable, default='r2'
        One scikit-learn scorer.
    groups : array-like of shape (n_samples,), default=None
        Group labels for group-wise splitters.
    n_jobs : int, default=None
        Folds fitted in parallel.
    params : dict, default=None
        Fit parameters (e.g. ``sample_weight``) passed to every model.

    Returns
    -------
    table : ComparisonTable
        One row per model: training and test score mean and standard
        deviation over the folds and the mean fit time; render it with
        ``as_markdown()``, ``as_latex()`` or ``as_text()``.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.dummy import DummyRegressor
    >>> from econnn import compare_models
    >>> from econnn.datasets import load_boston
    >>> X, y = load_boston(return_X_y=True)
    >>> table = compare_models({"mean": DummyRegressor(),
    ...                         "OLS": LinearRegression()}, X, y, cv=5)
    >>> print(round(table.loc["OLS", "train_mean"], 2))
    0.75
    """
    if not isinstance(models, dict) or not models:
        raise ValueError("models must be a non-empty dict of name -> "
                         f"estimator; got {type(models).__name__}.")
    if hasattr(cv, "__iter__") and not hasattr(cv, "split"):
        cv = list(cv)  # a generator of splits must serve every model
    rows = {}
    for name, model in models.items():
        res = cross_validate(model, X, y, cv=cv, scoring=scoring,
                             groups=groups, n_jobs=n_jobs, params=params,
                             return_train_score=True, error_score="raise")
        if len(res["test_score"]) < 2:
            raise ValueError(
                "compare_models needs at least 2 folds for the standard "
                f"deviations; cv={cv!r} gave {len(res['test_score'])}.")
        for part in ("train", "test"):
            bad = np.flatnonzero(~np.isfinite(res[f"{part}_score"]))
            if len(bad):
                raise ValueError(
                    f"Model {name!r} has a non-finite {part} score on "
                    f"fold(s) {bad.tolist()} ({scoring!r}; e.g. R^2 of a "
                    "one-sample fold is undefined); use larger folds or "
                    "another scoring.")
        rows[name] = [np.mean(res["train_score"]),
                      np.std(res["train_score"], ddof=1),
                      np.mean(res["test_score"]),
                      np.std(res["test_score"], ddof=1),
                      np.mean(res["fit_time"])]
    table = ComparisonTable.from_dict(rows, orient="index",
                                      columns=_NUMERIC)
    table.index.name = "model"
    table.attrs["scoring"] = scoring if isinstance(scoring, str) else \
        getattr(scoring, "__name__", "score")
    return table
