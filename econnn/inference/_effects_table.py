"""The result of :func:`econnn.marginal_effects`: a frame that summarises.

:class:`MarginalEffects` is a :class:`pandas.DataFrame` shaped like
statsmodels' ``get_margeff().summary_frame()`` whose :meth:`summary`
builds the econnn :class:`~econnn.Summary` (one summary system): the
table, the settings, and notes on what was computed for each regressor,
how the standard errors were obtained and where the data support the
effects thinly.
"""

import numpy as np
import pandas as pd

from ._functionals import KINDS
from ._summary import Summary

__all__ = ["MarginalEffects"]

_EFFECT_NAMES = {"dydx": "dy/dx", "eyex": "d ln y / d ln x",
                 "dyex": "dy / d ln x", "eydx": "d ln y / dx"}
_AT_NAMES = {"overall": "average over the sample (AME)",
             "mean": "at the means of the regressors (MEM)",
             "median": "at the medians of the regressors"}


class MarginalEffects(pd.DataFrame):
    """Marginal effects with standard errors, z, p-values and intervals.

    A DataFrame (columns ``effect``, ``std_err``, ``z``, ``p_value``,
    ``ci_low``, ``ci_high``) whose ``attrs`` record how it was computed:
    ``method``, ``at``, ``by``, ``se`` (the standard-error method), ``kind``
    (per feature: 'derivative', 'dummy' or 'count'), ``n_boot``/``cv``,
    ``alpha``, ``clustered``, ``n_obs`` and ``support`` (the support
    diagnostic, a DataFrame). :meth:`summary` renders it for a paper.
    """

    @property
    def _constructor(self):
        return MarginalEffects

    def summary(self, title=None):
        """The effects as a :class:`~econnn.Summary`.

        Parameters
        ----------
        title : str, default=None
            Title; "Marginal effects" by default.

        Returns
        -------
        Summary
            Render with ``str()``, ``as_latex()``/``to_latex()`` or
            ``as_markdown()``/``to_markdown()``.
        """
        a = self.attrs
        alpha = a.get("alpha", 0.05)
        summary = Summary(title or "Marginal effects")
        at = a.get("at", "overall")
        summary.add_dict({
            "Model": a.get("model"),
            "Outcome": a.get("outcome"),
            "Effect": _EFFECT_NAMES.get(a.get("method"), a.get("method")),
            "Evaluated": _AT_NAMES.get(at, "at given values (margins, at())")
            if isinstance(at, str) else "at given values (margins, at())",
            "By": a.get("by"),
            "Standard errors": _se_text(a),
            "Observations": a.get("n_obs"),
        })
        low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        table = pd.DataFrame({
            _EFFECT_NAMES.get(a.get("method"), "effect"): self["effect"],
            "std err": self["std_err"], "z": self["z"],
            "P>|z|": self["p_value"], low: self["ci_low"],
            high: self["ci_high"]})
        table.index = [" / ".join(map(str, i)) if isinstance(i, tuple)
                       else str(i) for i in self.index]
        summary.add_table(table)
        for note in _notes(self):
            summary.add_note(note)
        return summary


def _se_text(attrs):
    se = attrs.get("se")
    clustered = ", clustered" if attrs.get("clustered") else ""
    if se == "influence":
        repeats = attrs.get("n_repeats") or 1
        splits = f", median of {repeats} splits" if repeats > 1 else ""
        return f"influence function, {attrs.get('cv')}-fold " \
               f"cross-fitting{splits}{clustered}"
    if se == "bootstrap":
        return f"bootstrap, {attrs.get('n_boot')} refits{clustered}"
    return "none"


def _notes(frame):
    a = frame.attrs
    notes = []
    kinds = a.get("kind", {})
    for kind, text in KINDS.items():
        cols = [name for name, k in kinds.items() if k == kind]
        if cols and (kind != "derivative" or len(cols) < len(kinds)):
            notes.append(f"{text.capitalize()} for: {', '.join(cols)}.")
    if kinds and all(k == "derivative" for k in kinds.values()):
        notes.append("Every effect is a derivative (no discrete "
                     "regressor treated as discrete).")
    se = a.get("se")
    if se == "influence":
        notes.append(
            "Effects are debiased, cross-fitted estimates: the model is "
            f"refitted on {a.get('cv')} folds, each fold's effects come "
            "from the fit that did not see it, plus the Riesz-representer "
            "correction; standard errors are the influence function's "
            "(Chernozhukov et al. 2022; Farrell, Liang & Misra 2021).")
        if (a.get("n_repeats") or 1) > 1:
            notes.append(
                f"The cross-fitting was repeated on {a['n_repeats']} random "
                "splits: effects are the median over splits, standard "
                "errors add each split's distance from it (Chernozhukov et "
                "al. 2018).")
        if not (isinstance(a.get("at"), str) and a.get("at") == "overall"):
            notes.append(
                "Effects at fixed values of a continuous regressor are not "
                "root-n estimable: their standard errors are series "
                "approximations (see docs/marginal_effects.md).")
    elif se == "bootstrap":
        notes.append("Standard errors: standard deviation of the effects "
                     f"over {a.get('n_boot')} refits on resampled data.")
    else:
        notes.append("No standard errors: pass y (and se=...).")
    if a.get("binary_class") is not None:
        notes.append(f"Effects on the probability of class "
                     f"{a['binary_class']!r}; those on the other class are "
                     "their negatives.")
    support = a.get("support")
    if isinstance(support, pd.DataFrame) and len(support):
        thin = support[support["flagged"]]
        for name, row in thin.iterrows():
            notes.append(
                f"Thin support for {name}: {row['thin_share']:.0%} of the "
                "evaluation points lie where the data show little "
                f"variation in {name} (they carry "
                f"{row['thin_weight']:.0%} of the effect).")
    return notes


def effects_frame(values, std_err, alpha, index):
    """The frame from effects and standard errors (flattened in order)."""
    from scipy import stats

    effect, se = values.ravel(), std_err.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = effect / se
    crit = stats.norm.ppf(1 - alpha / 2)
    return MarginalEffects({
        "effect": effect, "std_err": se, "z": z,
        "p_value": 2 * stats.norm.sf(np.abs(z)),
        "ci_low": effect - crit * se, "ci_high": effect + crit * se},
        index=index)
