"""Marginal effects as linear functionals of the fitted function.

Every number :func:`econnn.marginal_effects` reports is a weighted average,
over evaluation points, of a *unit effect* of the fitted function ``f`` at
each point: its derivative in one regressor, or a discrete change.  This
module builds the evaluation points (a :class:`Scenario` per ``at``
setting), the weights (one vector per ``by`` group) and computes the unit
effects -- of the fitted model, and, for the influence-function standard
errors, of the basis functions of the Riesz representer (the same
operator applied to another function, linearised where the effect is
nonlinear in ``f``).

Anything with ``values(X) -> (n, m)`` and ``gradient(X, cols) -> (n, m,
len(cols))`` is a function here: the predictors of
:mod:`econnn.inference._predictors` and :class:`PolynomialBasis` alike.
"""

from dataclasses import dataclass
from itertools import combinations_with_replacement, product
from numbers import Integral, Real

import numpy as np

__all__ = ["KINDS", "Scenario", "EffectSpec", "feature_kinds",
           "build_scenarios", "group_weights", "unit_primitives", "combine",
           "linearize", "plugin_values", "PolynomialBasis"]

#: What each kind of regressor's effect is (recorded in the result).
KINDS = {
    "derivative": "derivative df/dx",
    "dummy": "discrete change f(1) - f(0)",
    "count": "centred difference [f(x+1) - f(x-1)] / 2",
}


def _is_dummy(x):
    values = np.unique(x)
    return len(values) == 2 and np.isin(values, (0, 1)).all()


def _is_count(x):
    return bool(np.all(x == np.round(x)) and np.all(x >= 0) and
                np.var(x) > 0 and not _is_dummy(x))


def feature_kinds(X, cols, discrete, count):
    """'derivative', 'dummy' or 'count' per column (statsmodels' rules).

    With ``discrete='auto'`` 0/1 columns are dummies and, with
    ``count=True``, non-negative integer columns counts, as in
    statsmodels' ``get_margeff(dummy=True, count=True)``; everything else
    is differentiated.  A list names the discrete columns; of those the
    0/1 ones are dummies and the others counts.
    """
    kinds = []
    for j in cols:
        x = X[:, j]
        if discrete is None or discrete is False:
            kind = "derivative"
        elif discrete == "auto":
            kind = "dummy" if _is_dummy(x) else (
                "count" if count and _is_count(x) else "derivative")
        elif j in discrete:
            # a named 0/1 column is a dummy even if one value is absent
            kind = "dummy" if np.isin(x, (0, 1)).all() else "count"
        else:
            kind = "derivative"
        kinds.append(kind)
    return kinds


@dataclass
class Scenario:
    """Evaluation points of one ``at`` setting.

    Attributes
    ----------
    label : str or None
        ``'educ=8'`` for ``at={'educ': [8, ...]}``, None otherwise.
    points : ndarray of shape (n_points, n_features)
    aligned : bool
        Whether point i is sample row i (possibly with some columns set to
        fixed values); then the effect averages over the sample and its
        sampling variation enters the standard error.
    """

    label: object
    points: np.ndarray
    aligned: bool


@dataclass
class EffectSpec:
    """Everything that defines the reported effects, for any fitted f.

    Effects are indexed (scenario, group, column, output).
    """

    cols: list
    kinds: list
    method: str
    scenarios: list
    group_labels: list          # [None] without ``by``
    group_weights: np.ndarray   # (n_groups, n_samples), rows sum to 1
    weights: np.ndarray         # (n_samples,) population weights, sum 1

    @property
    def shape(self):
        return (len(self.scenarios), len(self.group_labels), len(self.cols))

    def row_weights(self, scenario):
        """(n_groups, n_points) averaging weights over a scenario's points."""
        if scenario.aligned:
            return self.group_weights
        return np.ones((1, len(scenario.points)))


def _format_value(value):
    return f"{value:g}" if isinstance(value, Real) else str(value)


def build_scenarios(X, at, names, resolve):
    """Scenarios of ``at``: 'overall', 'mean', 'median' or a dict."""
    if isinstance(at, str):
        if at == "mean":
            return [Scenario(None, X.mean(axis=0, keepdims=True), False)]
        if at == "median":
            return [Scenario(None, np.median(X, axis=0, keepdims=True),
                             False)]
        return [Scenario(None, X, True)]
    keys = list(at)
    cols = resolve(keys, names)
    grids = []
    for key in keys:
        values = np.atleast_1d(np.asarray(at[key], dtype=object))
        if values.ndim != 1 or not len(values) or not all(
                isinstance(v, Real) and np.isfinite(v) for v in values):
            raise ValueError(
                f"at[{key!r}] must be a finite number or a non-empty list "
                f"of finite numbers; got {at[key]!r}.")
        grids.append([float(v) for v in values])
    scenarios = []
    for combo in product(*grids):
        points = X.copy()
        points[:, cols] = combo
        label = ", ".join(f"{names[j]}={_format_value(v)}"
                          for j, v in zip(cols, combo))
        scenarios.append(Scenario(label, points, True))
    return scenarios


def group_weights(labels, weights):
    """(levels, (n_levels, n) weights): the population weights within each
    group, normalised to sum to one."""
    if labels is None:
        return [None], weights[None, :] / weights.sum()
    levels, codes = np.unique(labels, return_inverse=True)
    W = np.zeros((len(levels), len(labels)))
    W[codes, np.arange(len(labels))] = weights
    totals = W.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("Every `by` group needs positive total weight.")
    return list(levels), W / totals


# ------------------------------------------------------------- unit effects
def unit_primitives(func, points, cols, kinds):
    """Evaluations of ``func`` that the unit effects are made of.

    Returns ``(f, parts)``: ``f`` the values at the points, ``parts`` one
    entry per column, ``('d', df/dx_j)`` or ``('c', f(hi), f(lo), c)``.
    """
    f = func.values(points)
    derivative = [j for j, k in zip(cols, kinds) if k == "derivative"]
    grads = func.gradient(points, derivative) if derivative else None
    parts = []
    for j, kind in zip(cols, kinds):
        if kind == "derivative":
            parts.append(("d", grads[:, :, derivative.index(j)]))
            continue
        hi, lo = points.copy(), points.copy()
        if kind == "dummy":
            hi[:, j], lo[:, j], scale = 1.0, 0.0, 1.0
        else:  # count: statsmodels' centred difference
            hi[:, j] += 1.0
            lo[:, j] -= 1.0
            scale = 0.5
        parts.append(("c", func.values(hi), func.values(lo), scale))
    return f, parts


def combine(f, part, method, xj):
    """Unit effects (n_points, m) of one column from its primitives."""
    if method.startswith("ey"):
        # a derivative is divided by the prediction (undefined at 0); a
        # discrete change takes logs (undefined at 0 and below)
        bad = (f == 0) if part[0] == "d" else np.minimum(part[1], part[2]) <= 0
        if np.any(bad):
            raise ValueError(
                f"method={method!r} divides by the prediction (or takes its "
                "log), which is exactly 0 (or, for a discrete change, not "
                f"positive) at {int(np.sum(bad))} evaluation point(s): the "
                "elasticity is undefined there. Use method='dydx' or "
                "'dyex'.")
    if part[0] == "d":
        d = part[1] / f if method.startswith("ey") else part[1]
    else:
        _, hi, lo, scale = part
        # statsmodels' discrete effects on the log scale: log differences
        d = scale * (np.log(hi) - np.log(lo) if method.startswith("ey")
                     else hi - lo)
    if method.endswith("ex"):
        d = d * xj[:, None]
    return d


def linearize(part_b, method, xj):
    """The unit-effect operator applied to each basis function:
    (n_points, 1, n_terms). Defined for the effects linear in f
    ('dydx', 'dyex'), the ones with influence-function standard errors."""
    if part_b[0] == "d":
        d = part_b[1]
    else:
        _, hb, lb, scale = part_b
        d = scale * (hb - lb)
    if method == "dyex":
        d = d * xj[:, None]
    return d[:, None, :]


def scenario_effects(func, spec, scenario):
    """Unit effects of ``func`` at a scenario's points, one (n_points, m)
    array per column."""
    f, parts = unit_primitives(func, scenario.points, spec.cols, spec.kinds)
    return [combine(f, part, spec.method, scenario.points[:, j])
            for j, part in zip(spec.cols, parts)]


def plugin_values(func, spec):
    """Plug-in effects of ``func``: array (n_scen, n_groups, n_cols, m),
    and the unit effects by scenario (for the support diagnostic)."""
    out, units = [], []
    for scenario in spec.scenarios:
        effects = scenario_effects(func, spec, scenario)
        W = spec.row_weights(scenario)
        out.append(np.stack([W @ d for d in effects], axis=1))
        units.append(effects)
    return np.stack(out), units


# ------------------------------------------------------- the Riesz basis
class PolynomialBasis:
    """Polynomials of the standardised regressors up to a degree.

    The dictionary in which the Riesz representer of an effect is
    approximated (Chernozhukov, Newey & Singh 2022).  0/1 columns enter
    with power at most one.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Sample that fixes the centring and scaling.
    degree : int
    """

    def __init__(self, X, degree):
        self.loc = X.mean(axis=0)
        scale = X.std(axis=0)
        self.keep = np.flatnonzero(scale > 0)
        self.scale = np.where(scale > 0, scale, 1.0)
        binary = {j for j in self.keep if _is_dummy(X[:, j])}
        powers = [np.zeros(X.shape[1], dtype=int)]
        for d in range(1, degree + 1):
            for combo in combinations_with_replacement(self.keep, d):
                p = np.bincount(combo, minlength=X.shape[1])
                if all(p[j] <= 1 for j in binary):
                    powers.append(p)
        self.powers = np.array(powers)

    @staticmethod
    def n_terms(X, degree):
        """Number of terms without building the basis (for capping)."""
        from math import comb
        p = int(np.sum(X.std(axis=0) > 0))
        return comb(p + degree, degree)

    def _z(self, X):
        return (X - self.loc) / self.scale

    def values(self, X):
        z = self._z(X)
        return np.prod(z[:, None, :] ** self.powers[None], axis=2)

    def gradient(self, X, cols):
        z = self._z(X)
        out = []
        for j in cols:
            p = self.powers[:, j]
            lowered = self.powers.copy()
            lowered[:, j] = np.maximum(p - 1, 0)
            g = p * np.prod(z[:, None, :] ** lowered[None], axis=2)
            out.append(g / self.scale[j])
        return np.stack(out, axis=2)


def check_at(at, allowed):
    if isinstance(at, str):
        if at not in allowed:
            raise ValueError(f"at must be one of {allowed} or a dict of "
                             f"feature values; got {at!r}.")
    elif not isinstance(at, dict) or not at:
        raise ValueError(f"at must be one of {allowed} or a non-empty dict "
                         f"of feature values; got {at!r}.")


def check_positive_int(value, name, minimum=0):
    if not isinstance(value, Integral) or isinstance(value, bool) or \
            value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got "
                         f"{value!r}.")
