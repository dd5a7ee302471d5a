"""Model comparison tables: cross-validated scores, one row per model."""

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_validate

from ._summary import _latex_escape

__all__ = ["compare_models", "ComparisonTable"]

_STATS = ["train_mean", "train_sd", "test_mean", "test_sd"]

#: Display names of scikit-learn scorers, in their natural sign (the
#: ``neg_`` prefix of a loss is dropped and its sign flipped back).
_NATURAL_NAMES = {
    "r2": "R^2",
    "explained_variance": "explained variance",
    "mean_squared_error": "MSE",
    "root_mean_squared_error": "RMSE",
    "mean_squared_log_error": "MSLE",
    "root_mean_squared_log_error": "RMSLE",
    "mean_absolute_error": "MAE",
    "median_absolute_error": "median AE",
    "mean_absolute_percentage_error": "MAPE",
    "max_error": "max error",
    "mean_poisson_deviance": "Poisson deviance",
    "mean_gamma_deviance": "gamma deviance",
    "log_loss": "log-loss",
    "brier_score": "Brier score",
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "roc_auc": "ROC AUC",
}


def _natural(scorer_name):
    """(display name, sign) of a scikit-learn scorer name."""
    if scorer_name.startswith("neg_"):
        base = scorer_name[len("neg_"):]
        return _NATURAL_NAMES.get(base, base), -1.0
    return _NATURAL_NAMES.get(scorer_name, scorer_name), 1.0


def _scorers(scoring):
    """Normalise ``scoring``: the argument for ``cross_validate`` and, per
    scorer, (key in its results, display name, sign)."""
    if isinstance(scoring, str):
        name, sign = _natural(scoring)
        return scoring, [("score", name, sign)]
    if callable(scoring):
        return scoring, [("score", getattr(scoring, "__name__", "score"),
                          1.0)]
    if isinstance(scoring, dict):
        specs = []
        for key, value in scoring.items():
            sign = -1.0 if isinstance(value, str) and \
                value.startswith("neg_") else 1.0
            name = key[len("neg_"):] if sign < 0 and \
                key.startswith("neg_") else key
            specs.append((key, name, sign))
        return dict(scoring), specs
    if isinstance(scoring, (list, tuple, set)) and all(
            isinstance(s, str) for s in scoring):
        scoring = list(dict.fromkeys(scoring))
        return scoring, [(s, *_natural(s)) for s in scoring]
    raise TypeError(
        "scoring must be a scorer name, a callable, a list of names or a "
        f"dict of name -> scorer; got {type(scoring).__name__}.")


def _latex_label(text):
    return _latex_escape(text).replace(r"R\textasciicircum{}2", "$R^2$")


class ComparisonTable(pd.DataFrame):
    """The result of :func:`compare_models`: a DataFrame that renders.

    One row per model. With one scorer the columns are ``train_mean``,
    ``train_sd``, ``test_mean``, ``test_sd`` (the score over the folds) and
    ``fit_time`` (mean seconds per fit); with several, the four score
    columns are repeated under each scorer's name (a column MultiIndex
    ``(scorer, statistic)``), then ``fit_time``. Scores are in their
    natural sign: scikit-learn's ``neg_mean_squared_error`` is reported as
    the (positive) MSE. The ``as_*`` methods render the scores as
    "mean (sd)", the layout of applied papers; ``to_latex`` is
    ``as_latex``, escaped for LaTeX.
    """

    @property
    def _constructor(self):
        return ComparisonTable

    def _metrics(self):
        if isinstance(self.columns, pd.MultiIndex):
            names = list(dict.fromkeys(
                c for c in self.columns.get_level_values(0)
                if c != "fit_time"))
            return [(n, self[n]) for n in names]
        return [(self.attrs.get("scoring", "score"), self)]

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
        cell = lambda m, s: f"{m:.{digits}f} ({s:.{digits}f})"  # noqa: E731
        out = pd.DataFrame(index=self.index)
        for name, frame in self._metrics():
            for part in ("train", "test"):
                out[f"{part} {name}"] = [
                    cell(m, s) for m, s in zip(frame[f"{part}_mean"],
                                               frame[f"{part}_sd"])]
        out["fit time (s)"] = [f"{t:.2f}" for t in
                               np.ravel(self["fit_time"])]
        out.index.name = "model"
        return pd.DataFrame(out)

    def as_markdown(self, digits=3):
        """Render as a markdown table (needs the ``tabulate`` package)."""
        return self.formatted(digits).to_markdown(disable_numparse=True)

    def as_latex(self, digits=3, caption=None, label=None):
        """Render as a LaTeX ``tabular``, every label escaped.

        Parameters
        ----------
        digits : int, default=3
            Decimals of the scores.
        caption : str, default=None
            With a caption (or a label) the tabular is wrapped in a
            ``table`` environment; the caption is escaped too.
        label : str, default=None
            ``\\label`` of the table (not escaped: a LaTeX key).

        Returns
        -------
        str
        """
        table = self.formatted(digits)
        table.index = [_latex_escape(i) for i in table.index]
        table.columns = [_latex_label(c) for c in table.columns]
        return table.to_latex(
            index_names=False, escape=False, label=label,
            column_format="l" + "r" * table.shape[1],
            caption=None if caption is None else _latex_escape(caption),
            position="htbp" if caption or label else None)

    def to_latex(self, buf=None, *, digits=3, caption=None, label=None):
        """Same as :meth:`as_latex` (escaped), optionally written to buf.

        Parameters
        ----------
        buf : str, path or file-like, default=None
            Where to write; None returns the string.
        digits, caption, label
            As in :meth:`as_latex`.
        """
        text = self.as_latex(digits, caption=caption, label=label)
        if buf is None:
            return text
        if hasattr(buf, "write"):
            buf.write(text)
        else:
            with open(buf, "w") as fh:
                fh.write(text)
        return None

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
    scoring : str, callable, list of str or dict, default='r2'
        One scikit-learn scorer, or several (a list of names, or a dict of
        name -> scorer). Losses that scikit-learn negates (``neg_*``) are
        reported in their natural sign under their natural name:
        ``'neg_mean_squared_error'`` as a positive 'MSE'.
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
        deviation over the folds (under each scorer's name when there are
        several) and the mean fit time; render it with ``as_markdown()``,
        ``as_latex(caption=...)`` or ``as_text()``.

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
    >>> table = compare_models({"OLS": LinearRegression()}, X, y, cv=5,
    ...                        scoring=["r2", "neg_mean_squared_error"])
    >>> print(round(table.loc["OLS", ("MSE", "train_mean")], 1))
    20.7
    """
    if not isinstance(models, dict) or not models:
        raise ValueError("models must be a non-empty dict of name -> "
                         f"estimator; got {type(models).__name__}.")
    scoring, specs = _scorers(scoring)
    if hasattr(cv, "__iter__") and not hasattr(cv, "split"):
        cv = list(cv)  # a generator of splits must serve every model
    rows = {}
    for name, model in models.items():
        res = cross_validate(model, X, y, cv=cv, scoring=scoring,
                             groups=groups, n_jobs=n_jobs, params=params,
                             return_train_score=True, error_score="raise")
        if len(res["fit_time"]) < 2:
            raise ValueError(
                "compare_models needs at least 2 folds for the standard "
                f"deviations; cv={cv!r} gave {len(res['fit_time'])}.")
        row = []
        for key, label, sign in specs:
            for part in ("train", "test"):
                bad = np.flatnonzero(~np.isfinite(res[f"{part}_{key}"]))
                if len(bad):
                    raise ValueError(
                        f"Model {name!r} has a non-finite {part} score "
                        f"({label}) on fold(s) {bad.tolist()} (e.g. R^2 of "
                        "a one-sample fold is undefined); use larger folds "
                        "or another scoring.")
            train, test = (sign * np.asarray(res[f"{part}_{key}"])
                           for part in ("train", "test"))
            row += [train.mean(), train.std(ddof=1), test.mean(),
                    test.std(ddof=1)]
        rows[name] = row + [np.mean(res["fit_time"])]
    if len(specs) == 1:
        columns = _STATS + ["fit_time"]
    else:
        columns = pd.MultiIndex.from_tuples(
            [(n, s) for _, n, _ in specs for s in _STATS] +
            [("fit_time", "")])
    table = ComparisonTable.from_dict(rows, orient="index")
    table.columns = columns
    table.index.name = "model"
    table.attrs["scoring"] = specs[0][1] if len(specs) == 1 else \
        [n for _, n, _ in specs]
    return table
