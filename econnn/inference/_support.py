"""Where the data support a marginal effect.

A derivative at a point is learned from data *near* that point with
*other* values of the regressor.  Where a regressor has a mass point with
nothing around it (crime1's months in prison: 95% of men at 0 months), a
network's slope there is an interpolation between few observations, and an
average effect over the sample can be driven by it.  For each regressor
differentiated, the diagnostic counts for every evaluation point the
observations within a bandwidth of it but not tied with it; a point with
fewer than ``max(10, 2% of n)`` such neighbours, or fewer than a tenth of
the observations tied with it (a mass point), is *thinly supported*.  A
feature is flagged when thinly supported points carry more than a fifth of
the average absolute unit effect.
"""

import warnings

import numpy as np
import pandas as pd

__all__ = ["support_diagnostic"]

#: Share of the effect that thinly supported points may carry unflagged.
FLAG_SHARE = 0.2
#: Untied neighbours a point needs per observation tied with it.
RELATIVE = 0.1


def _bandwidth(x):
    """Silverman's rule, widened to the spacing of populated values."""
    n = len(x)
    sd = np.std(x)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    spread = min(sd, iqr / 1.34) if iqr > 0 else sd
    h = 0.9 * spread * n ** -0.2
    values, counts = np.unique(x, return_counts=True)
    # spacing of the values that hold data (an integer regressor's nearest
    # other values are one unit away, whatever a few odd values do)
    populated = values[counts >= max(5, 0.01 * n)]
    if len(populated) > 1:
        h = max(h, np.median(np.diff(populated)))
    return h * (1 + 1e-9)


def neighbours(x, points):
    """Observations within the bandwidth of each point, ties excluded, and
    the observations tied with it."""
    xs = np.sort(x)
    h = _bandwidth(x)
    within = np.searchsorted(xs, points + h, "right") - \
        np.searchsorted(xs, points - h, "left")
    tied = np.searchsorted(xs, points, "right") - \
        np.searchsorted(xs, points, "left")
    return within - tied, tied


def thinly_supported(x, points):
    """Whether each point has too few untied neighbours: fewer than
    ``max(10, 2% of n)``, or fewer than a tenth of the observations tied
    with it (a mass point the slope is learned beside)."""
    near, tied = neighbours(x, points)
    return (near < max(10, 0.02 * len(x))) | (near < RELATIVE * tied)


def support_diagnostic(X, spec, units, names):
    """Per regressor differentiated: share of points thinly supported.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        The data.
    spec : EffectSpec
    units : list
        Unit effects by scenario then column, each (n_points, m).
    names : list of str

    Returns
    -------
    pandas.DataFrame
        Columns ``thin_share`` (weighted share of evaluation points thinly
        supported), ``thin_weight`` (their share of the mean absolute unit
        effect), ``flagged``; indexed by feature (and ``at`` value).
    """
    rows, index = [], []
    for scenario, effects in zip(spec.scenarios, units):
        w = spec.row_weights(scenario)[0]
        for j, kind, d in zip(spec.cols, spec.kinds, effects):
            if kind == "dummy":
                continue
            thin = thinly_supported(X[:, j], scenario.points[:, j])
            size = np.abs(d).mean(axis=1) * w
            total = size.sum()
            share = float(w[thin].sum())
            weight = float(size[thin].sum() / total) if total > 0 else share
            rows.append((share, weight, weight > FLAG_SHARE))
            index.append((scenario.label, names[j]))
    frame = pd.DataFrame(rows, columns=["thin_share", "thin_weight",
                                        "flagged"])
    if len(spec.scenarios) > 1:
        frame.index = pd.MultiIndex.from_tuples(index,
                                                names=["at", "feature"])
    else:
        frame.index = pd.Index([i[1] for i in index], name="feature")
    flagged = frame.index[frame["flagged"]]
    if len(flagged):
        labels = sorted({i[-1] if isinstance(i, tuple) else i
                         for i in flagged})
        warnings.warn(
            f"The effects of {', '.join(labels)} are driven by points where "
            "the data show little variation in that regressor (thin "
            "support): the network's slope there is an interpolation. See "
            "effects.attrs['support']; consider a discrete change "
            "(discrete=[...]) or effects at supported values (at=...).",
            UserWarning, stacklevel=3)
    return frame
