"""Plots for fitted models; each returns a matplotlib figure.

matplotlib is an optional dependency (``pip install econnn[plot]``), so it
is imported when a plot is drawn, not when econnn is.
"""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._fitted import fitted_model, is_econnn

__all__ = ["plot_learning_curve", "plot_marginal_effects", "plot_effects_at"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_learning_curve(estimator, *, ax=None, log_scale=False):
    """Training (and validation) loss per epoch of a fitted network.

    Parameters
    ----------
    estimator : econnn estimator
        Fitted; with ``early_stopping=True`` the validation loss is drawn
        too.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure by default.
    log_scale : bool, default=False
        Whether the loss axis is logarithmic.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from econnn import NNRegressor, plot_learning_curve
    >>> from econnn.datasets import load_boston
    >>> X, y = load_boston(return_X_y=True)
    >>> model = NNRegressor(max_iter=20, random_state=0).fit(X, y)
    >>> fig = plot_learning_curve(model)
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:1]
    ['training']
    """
    check_is_fitted(estimator)
    fig, ax = _axes(ax, (6, 4))
    train = np.asarray(estimator.loss_curve_)
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, train, label="training")
    valid = getattr(estimator, "validation_loss_curve_", None)
    if getattr(estimator, "early_stopping", False) and valid is not None:
        ax.plot(epochs[-len(valid):], valid, label="validation")
    best = getattr(estimator, "best_epoch_", None)
    if best is not None:
        ax.axvline(best, color="grey", linestyle=":",
                   label=f"best epoch ({best})")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    # regression targets are standardised for training, class labels not
    scaled = is_econnn(estimator) and \
        fitted_model(estimator).target_standardized
    ax.set_ylabel("loss (standardised units)" if scaled else "loss")
    ax.set_title(f"{type(estimator).__name__} learning curve")
    ax.legend()
    return fig


def plot_marginal_effects(effects, *, ax=None, title=None):
    """Marginal effects with their confidence intervals (a coefficient plot).

    Parameters
    ----------
    effects : pandas.DataFrame or dict of str to DataFrame
        Output of :func:`econnn.marginal_effects`, or several by model
        name, drawn side by side for each feature.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure by default.
    title : str, default=None
        Title of the plot.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from econnn import plot_marginal_effects
    >>> me = pd.DataFrame({"effect": [1.0, -0.5], "ci_low": [0.8, -0.7],
    ...                    "ci_high": [1.2, -0.3]}, index=["x0", "x1"])
    >>> fig = plot_marginal_effects(me)
    >>> len(fig.axes)
    1
    """
    if isinstance(effects, pd.DataFrame):
        effects = {None: effects}
    if not effects:
        raise ValueError("effects is empty.")
    labels = []
    for frame in effects.values():
        for label in frame.index:
            label = " / ".join(map(str, label)) if isinstance(label, tuple) \
                else str(label)
            if label not in labels:
                labels.append(label)
    fig, ax = _axes(ax, (6, 0.5 + 0.5 * len(labels) * max(1, len(effects))
                         ** 0.5))
    n = len(effects)
    offsets = np.linspace(-0.2, 0.2, n) if n > 1 else [0.0]
    for offset, (name, frame) in zip(offsets, effects.items()):
        keys = [" / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
                for k in frame.index]
        pos = np.array([labels.index(k) for k in keys]) + offset
        eff = frame["effect"].to_numpy(float)
        low = frame.get("ci_low", pd.Series(np.nan, frame.index)).to_numpy(
            float)
        high = frame.get("ci_high", pd.Series(np.nan, frame.index)).to_numpy(
            float)
        err = np.vstack([eff - low, high - eff])
        ax.errorbar(eff, pos, xerr=np.where(np.isnan(err), 0, err),
                    fmt="o", capsize=3, label=name)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first feature on top
    method = next(iter(effects.values())).attrs.get("method", "dydx")
    ax.set_xlabel(f"marginal effect ({method}) with confidence interval")
    if title:
        ax.set_title(title)
    if n > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def plot_effects_at(effects, feature=None, *, ax=None, title=None):
    """An effect against the value of a regressor, with a confidence band.

    Draws the output of ``marginal_effects(..., at={'educ': grid})`` -- the
    average effect of ``feature`` when the ``at`` regressor is set to each
    grid value -- as a line with its pointwise ``1 - alpha`` interval
    (Stata's ``marginsplot``). With ``by`` groups (or several classes or
    outputs) each gets its own line.

    Parameters
    ----------
    effects : MarginalEffects
        Result of :func:`econnn.marginal_effects` with ``at`` a dict of one
        regressor and its values.
    feature : str, default=None
        The effect drawn; by default the ``at`` regressor's own effect if
        it was computed, else the first feature.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure by default.
    title : str, default=None
        Title of the plot.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from econnn import OLSRegressor, marginal_effects, plot_effects_at
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = X[:, 0] + rng.normal(size=200)
    >>> ols = OLSRegressor().fit(X, y)
    >>> me = marginal_effects(ols, X, at={"x1": [-1, 0, 1]}, y=y)
    >>> fig = plot_effects_at(me, "x0")
    >>> fig.axes[0].get_xlabel()
    'x1'
    """
    at = effects.attrs.get("at")
    if not isinstance(at, dict) or len(at) != 1:
        raise ValueError(
            "plot_effects_at needs marginal_effects(..., at={name: values}) "
            "with a single regressor.")
    (name, grid), = at.items()
    grid = np.atleast_1d(np.asarray(grid, dtype=float))
    features = list(effects.index.get_level_values("feature").unique())
    if feature is None:
        feature = name if name in features else features[0]
    if feature not in features:
        raise ValueError(f"No effect of {feature!r} in effects; they are "
                         f"{features}.")
    frame = effects.xs(feature, level="feature")
    labels = [f"{name}={_format(v)}" for v in grid]
    others = [lvl for lvl in frame.index.names if lvl != "at"]
    fig, ax = _axes(ax, (6, 4))
    lines = frame.groupby(level=others, sort=False) if others else \
        [(None, frame)]
    for key, part in lines:
        part = part.droplevel(others) if others else part
        part = part.loc[labels]
        label = None if key is None else " / ".join(
            map(str, key if isinstance(key, tuple) else (key,)))
        line, = ax.plot(grid, part["effect"].to_numpy(float), marker="o",
                        label=label)
        ax.fill_between(grid, part["ci_low"].to_numpy(float),
                        part["ci_high"].to_numpy(float), alpha=0.2,
                        color=line.get_color(), linewidth=0)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(name)
    method = effects.attrs.get("method", "dydx")
    ax.set_ylabel(f"effect of {feature} ({method})")
    if title:
        ax.set_title(title)
    if others and len(lines) > 1:
        ax.legend()
    return fig


def _format(value):
    return f"{value:g}"
