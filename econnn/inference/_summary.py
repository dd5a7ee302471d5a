"""Summaries of fitted models: tables plus numbered notes.

One summary system for every econnn estimator, in the spirit of
statsmodels' ``iolib/summary.py``: :meth:`_BaseNN.summary` builds a
:class:`Summary` (it never prints); the object renders itself as text
(``str``), HTML (``_repr_html_``, used by Jupyter) and LaTeX
(``as_latex``).
"""

import html

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import check_cv, cross_val_score
from sklearn.utils.validation import check_is_fitted

from .._fitted import fitted_model
from ..engine._monotone import MonotoneMLP
from ..engine._networks import MLP, EnsembleMLP, count_parameters

__all__ = ["Summary", "estimator_summary", "check_summary_data"]

_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%",
                  "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                  "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_escape(text):
    return "".join(_LATEX_ESCAPES.get(c, c) for c in str(text))


def _fmt(value):
    """Format a cell: integers with separators, floats to 4 significant."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return f"{value:.4g}"
    return str(value)


class Summary:
    """A summary: a title, tables and numbered notes.

    Built by ``summary()`` methods; printing is left to the caller
    (``print(model.summary())``), and notebooks render it as HTML.

    Parameters
    ----------
    title : str, default=''
        Title shown above the tables.

    Attributes
    ----------
    tables : list of (str or None, pandas.DataFrame)
        The tables, each with an optional caption. Key/value tables have
        the keys as their index and a single column.
    notes : list of str
        Notes, rendered numbered ``[1]``, ``[2]``, ...

    Examples
    --------
    >>> from econnn import Summary
    >>> s = Summary("Demo")
    >>> s.add_dict({"Model": "OLS", "No. observations": 506})
    >>> s.add_note("Standard errors by bootstrap.")
    >>> print(s)  # doctest: +NORMALIZE_WHITESPACE
                  Demo
    ================================
    Model                        OLS
    No. observations             506
    ================================
    Notes:
    [1] Standard errors by bootstrap.
    """

    def __init__(self, title=""):
        self.title = title
        self.tables = []
        self.notes = []

    # ------------------------------------------------------------- building
    def add_dict(self, info, title=None):
        """Add a key/value table (e.g. model facts).

        Parameters
        ----------
        info : dict
            Row labels to values; ``None`` values are skipped.
        title : str, default=None
            Caption of the table.
        """
        rows = {k: _fmt(v) for k, v in info.items() if v is not None}
        frame = pd.DataFrame({"": list(rows.values())},
                             index=list(rows.keys()))
        self.tables.append((title, frame))

    def add_table(self, frame, title=None):
        """Add a table with a header row.

        Parameters
        ----------
        frame : pandas.DataFrame
            The table; its index becomes the first column.
        title : str, default=None
            Caption of the table.
        """
        self.tables.append((title, frame.map(_fmt)))

    def add_note(self, text):
        """Add a note (rendered numbered at the bottom)."""
        self.notes.append(str(text))

    # ------------------------------------------------------------ rendering
    @staticmethod
    def _is_key_value(frame):
        return list(frame.columns) == [""]

    def _text_rows(self, frame):
        """Rows of a table as lists of cells, the header first if any."""
        rows = [[str(i)] + [str(v) for v in row]
                for i, (_, row) in zip(frame.index, frame.iterrows())]
        if self._is_key_value(frame):
            return None, rows
        return [""] + [str(c) for c in frame.columns], rows

    def as_text(self):
        """The summary as plain text."""
        tables = [(title, *self._text_rows(frame))
                  for title, frame in self.tables]
        widths = []
        for _, header, rows in tables:
            cols = ([header] if header else []) + rows
            widths.append([max(len(r[j]) for r in cols)
                           for j in range(len(cols[0]))] if cols else [0])
        width = max([sum(w) + 2 * (len(w) - 1) for w in widths] +
                    [len(self.title), 32])
        out = [self.title.center(width).rstrip()] if self.title else []
        out.append("=" * width)
        for i, ((title, header, rows), w) in enumerate(zip(tables, widths)):
            if i:
                out.append("-" * width)
            if title:
                out.append(title)
            if header is None:
                # key/value rows are spread over the full width
                out.extend(k.ljust(width - len(v)) + v for k, v in rows)
                continue
            pad = width - (sum(w) + 2 * (len(w) - 1))
            fmt = lambda r: (r[0].ljust(w[0] + pad) + "".join(  # noqa: E731
                "  " + c.rjust(cw) for c, cw in zip(r[1:], w[1:])))
            out.append(fmt(header))
            out.append("-" * width)
            out.extend(fmt(r) for r in rows)
        out.append("=" * width)
        if self.notes:
            out.append("Notes:")
            out.extend(f"[{i}] {note}" for i, note in
                       enumerate(self.notes, 1))
        return "\n".join(out)

    def __str__(self):
        return self.as_text()

    def __repr__(self):
        return f"{type(self).__name__}\n\"\"\"\n{self.as_text()}\n\"\"\""

    def as_html(self):
        """The summary as an HTML fragment."""
        parts = []
        if self.title:
            parts.append(f"<h4>{html.escape(self.title)}</h4>")
        for title, frame in self.tables:
            header = not self._is_key_value(frame)
            table = frame.to_html(header=header, escape=True, border=0,
                                  classes="econnn-summary")
            if title:
                table = table.replace(
                    ">\n", f">\n  <caption>{html.escape(title)}</caption>\n",
                    1)
            parts.append(table)
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f"<p>Notes:</p><ol>{items}</ol>")
        return "\n".join(parts)

    def _repr_html_(self):
        return self.as_html()

    def as_latex(self):
        """The summary as a LaTeX ``table`` environment (booktabs rules)."""
        out = [r"\begin{table}", r"\centering"]
        if self.title:
            out.append(r"\caption{" + _latex_escape(self.title) + "}")
        for title, frame in self.tables:
            n = frame.shape[1]
            out.append(r"\begin{tabular}{l" + "r" * n + "}")
            out.append(r"\toprule")
            if title:
                out.append(r"\multicolumn{" + str(n + 1) + "}{l}{" +
                           _latex_escape(title) + r"} \\")
                out.append(r"\midrule")
            if not self._is_key_value(frame):
                out.append(" & ".join([""] + [_latex_escape(c) for c in
                                              frame.columns]) + r" \\")
                out.append(r"\midrule")
            for label, row in frame.iterrows():
                out.append(" & ".join([_latex_escape(label)] +
                                      [_latex_escape(v) for v in row]) +
                           r" \\")
            out.append(r"\bottomrule")
            out.append(r"\end{tabular}")
            out.append(r"\par\medskip")
        if self.notes:
            out.append(r"\begin{flushleft}\footnotesize")
            out.extend(f"[{i}] {_latex_escape(n)}" + r"\\"
                       for i, n in enumerate(self.notes, 1))
            out.append(r"\end{flushleft}")
        out.append(r"\end{table}")
        return "\n".join(out)


    def as_markdown(self):
        """The summary as markdown: pipe tables, then the numbered notes."""
        def cell(value):
            return str(value).replace("|", "\\|")

        out = [f"**{cell(self.title)}**", ""] if self.title else []
        for title, frame in self.tables:
            if title:
                out += [f"*{cell(title)}*", ""]
            if self._is_key_value(frame):
                header, rows = ["", ""], [[k, v] for k, v in
                                          zip(frame.index, frame[""])]
            else:
                header = [""] + list(frame.columns)
                rows = [[i] + list(row) for i, row in
                        zip(frame.index, frame.itertuples(index=False))]
            out.append("| " + " | ".join(cell(h) for h in header) + " |")
            out.append("|" + "|".join(["---"] + ["---:"] *
                                      (len(header) - 1)) + "|")
            out.extend("| " + " | ".join(cell(c) for c in r) + " |"
                       for r in rows)
            out.append("")
        if self.notes:
            out.append("Notes:")
            out.append("")
            out.extend(f"{i}. {cell(n)}" for i, n in
                       enumerate(self.notes, 1))
        return "\n".join(out).rstrip() + "\n"

    # pandas' spelling, so that a summary renders like a table would
    def to_latex(self):
        """The summary as LaTeX (same as :meth:`as_latex`)."""
        return self.as_latex()

    def to_markdown(self):
        """The summary as markdown (same as :meth:`as_markdown`)."""
        return self.as_markdown()


# ----------------------------------------------------------- estimator facts
def _architecture(est):
    """'13-64-64-1 (relu)' for the built-in MLP, else the module's class."""
    body = fitted_model(est).body
    # a likelihood's constants (sigma, thresholds) wrap the network
    body = getattr(body, "network", body)
    if isinstance(body, MLP):
        sizes = [est.n_features_in_] + [
            m.out_features for m in body.hidden
            if isinstance(m, torch.nn.Linear)] + [body.output.out_features]
        return "-".join(map(str, sizes)) + f" ({_activation(est)})" + \
            _embedding_note(body)
    if isinstance(body, (EnsembleMLP, MonotoneMLP)):  # stacked members
        sizes = [est.n_features_in_] + [w.shape[2] for w in body.weights]
        text = "-".join(map(str, sizes)) + f" ({_activation(est)})" + \
            _embedding_note(body)
        if isinstance(body, MonotoneMLP):
            text += ", monotone"
        if body.n_members > 1:
            text += f", ensemble of {body.n_members}"
        return text
    return type(body).__name__


def _embedding_note(body):
    """', periodic embedding (8 per input)' where the inputs are embedded."""
    embedding = getattr(body, "embedding", None)
    if embedding is None:
        return ""
    return f", {embedding.name} embedding ({embedding.size} per input)"


def _activation(est):
    """The activation the fitted network uses ('auto' resolved)."""
    return getattr(est, "activation_", getattr(est, "activation", "?"))


def _layers_table(module):
    """One row per parameterised leaf module: its type, shape and size."""
    rows = {}
    for name, sub in module.named_modules():
        own = list(sub.parameters(recurse=False))
        if not own:
            continue
        shapes = ", ".join("x".join(map(str, p.shape)) for p in own)
        rows[name or "(module)"] = {
            "type": type(sub).__name__, "parameters": shapes,
            "count": int(sum(p.numel() for p in own if p.requires_grad))}
    return pd.DataFrame.from_dict(rows, orient="index")


def _score_name(est):
    if is_classifier(est):
        return "accuracy"
    if is_regressor(est):
        return "R^2"
    return "score"


def _cross_validated(est, X, y, cv):
    """(mean, sd, number of folds, splitter) of the CV score on X, y."""
    model = clone(est)
    if "interval" in model.get_params():
        model.set_params(interval=None)  # intervals do not enter the score
    splitter = check_cv(cv, y, classifier=is_classifier(est))
    scores = cross_val_score(model, X, y, cv=splitter)
    return (float(np.mean(scores)), float(np.std(scores, ddof=1)),
            len(scores), splitter)


def check_summary_data(est, X, y):
    """Whether ``summary(X, y)`` reports a score; refuses half the data."""
    supervised = is_classifier(est) or is_regressor(est)
    if X is None and y is not None:
        raise ValueError("summary got y but no X; pass both to report the "
                         "score on them.")
    if supervised and X is not None and y is None:
        raise ValueError(f"summary got X but no y; {type(est).__name__}'s "
                         "score needs both.")
    return X is not None


def estimator_summary(est, X=None, y=None, cv=None):
    """Build the :class:`Summary` of a fitted econnn estimator.

    Parameters
    ----------
    est : _BaseNN
        A fitted estimator.
    X, y : array-like, default=None
        Optional data on which to report ``est.score(X, y)`` as well.
    cv : int, cross-validation generator or iterable, default=None
        With X and y: also report the cross-validated score on X, y (the
        estimator's parameters refitted on each training fold), beside
        the in-sample score. As in
        :func:`sklearn.model_selection.cross_val_score`.

    Returns
    -------
    Summary
    """
    if cv is not None and (X is None or y is None):
        raise ValueError("summary(cv=...) cross-validates on the data: pass "
                         "X and y as well.")
    check_is_fitted(est)
    fitted = fitted_model(est)
    loss = fitted.loss
    # n_iter_ counts the last call's epochs; loss_curve_ all of them
    epochs = len(est.loss_curve_)
    n_train = fitted.n_samples_trained
    if n_train is None:  # saved before the count was recorded
        n_train = est.t_ // epochs if epochs else None
    info = {
        "Model": type(est).__name__,
        "Architecture": _architecture(est),
        "Parameters": count_parameters(fitted.body),
        "Networks averaged": getattr(est, "n_ensemble_", 1),
        "Loss": loss.name,
        "Output link": getattr(loss, "link", None),
        "Solver": est.solver,
        "L2 penalty (alpha)": est.alpha,
        "L1 penalty": est.l1 if est.l1 else None,
        "Dropout": est.dropout if getattr(est, "dropout", 0) else None,
        "Learning rate": f"{est.learning_rate_init:g} ({est.learning_rate})",
        "Training samples": n_train,
        "Features": est.n_features_in_,
        "Epochs run": epochs,
        "Best epoch": est.best_epoch_,
        "Early stopping": bool(est.early_stopping),
        "Final training loss": float(est.loss_curve_[-1]),
        "Best training loss": float(np.min(est.loss_curve_)),
    }
    for name, value in fitted.loss_parameters.items():
        info[f"{loss.name} {name}"] = value
    score_name = _score_name(est)
    if est.early_stopping and est.best_validation_score_ is not None:
        info[f"Validation {score_name}"] = float(est.best_validation_score_)
        info["Validation loss (best)"] = float(
            np.min(est.validation_loss_curve_))
    if check_summary_data(est, X, y):
        info[f"{score_name} on given data"] = float(est.score(X, y))
    if cv is not None:
        cv_mean, cv_sd, n_folds, splitter = _cross_validated(est, X, y, cv)
        info[f"{score_name}, {n_folds}-fold CV"] = \
            f"{cv_mean:.4g} (sd {cv_sd:.2g})"
    summary = Summary(f"{type(est).__name__} results")
    summary.add_dict(info)
    summary.add_table(_layers_table(fitted.body), title="Layers")
    if est.standardize:
        scaled_target = fitted.target_standardized
        summary.add_note(
            "Inputs standardised internally" + (
                ", and the target: losses are in standardised units"
                if scaled_target else "") +
            "; predictions and marginal effects are in original units.")
    if est.early_stopping:
        refit = getattr(est, "refit", False) and est.best_epoch_ > 0
        summary.add_note(
            f"Early stopping on a {est.validation_fraction:.0%} validation "
            f"split; " + (
                f"the best epoch was {est.best_epoch_}, and the network was "
                f"then retrained on all the rows for {est.best_epoch_} "
                "epochs (refit=True)." if refit else
                f"the weights of epoch {est.best_epoch_} were kept."))
    elif est.n_iter_ >= est.max_iter:
        summary.add_note(
            f"Training stopped at max_iter={est.max_iter} epochs, possibly "
            "before convergence.")
    if cv is not None:
        summary.add_note(
            f"{score_name}, {n_folds}-fold CV: mean (sd) over the folds of "
            f"the given data ({type(splitter).__name__}), the model's "
            "parameters refitted on each training fold. The score on the "
            "given data is in-sample when they are the training data, and "
            "then overstates the fit to new data.")
    if fitted.loss_parameters:
        summary.add_note(
            f"The {loss.name} likelihood's own parameters ("
            f"{', '.join(fitted.loss_parameters)}) are learned with the "
            "network and reported in original units" + (
                ", averaged over the ensemble's members"
                if fitted.n_members > 1 else "") + ".")
    summary.add_note(
        "A network has no interpretable coefficients: use "
        "econnn.marginal_effects(model, X, y=y) for effects with "
        "standard errors.")
    return summary
