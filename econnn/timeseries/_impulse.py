"""Impulse responses and conditional scenarios of a system of forecasters.

A system is one :class:`SequenceForecaster` per variable of a multivariate
series, each fitted on ``make_windows(history, target=name)`` windows (the
other variables as covariates). The system is simulated jointly, one period
at a time: every variable's one-step forecast from the current windows plus
a residual *vector* resampled from the forecasters' one-step residuals at
common dates, so the contemporaneous correlation of the shocks is kept.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._forecaster import SequenceForecaster
from ._windows import (_check_count, _check_levels, _future_index,
                       arrange_series, make_windows)

__all__ = ["impulse_response", "scenario"]

#: Fewer common residual dates than this cannot represent the shocks.
_MIN_RESIDUALS = 10


class _System:
    """Validated forecasters, the origin's state and the residual vectors."""

    def __init__(self, forecasters, history):
        if not isinstance(forecasters, dict) or not forecasters:
            raise TypeError(
                "forecasters must be a non-empty dict mapping each variable "
                "(column of history) to a SequenceForecaster fitted on "
                "make_windows(history, target=variable); got "
                f"{type(forecasters).__name__}.")
        frame = arrange_series(history, name="history")
        names = list(frame.columns)
        if set(forecasters) != set(names):
            raise ValueError(
                f"forecasters has keys {list(forecasters)} but history has "
                f"columns {names}: the system needs one forecaster per "
                "variable, keyed by its column name.")
        for name in names:
            model = forecasters[name]
            if not isinstance(model, SequenceForecaster):
                raise TypeError(
                    f"forecasters[{name!r}] must be a SequenceForecaster; "
                    f"got {type(model).__name__}.")
            check_is_fitted(model)
            if model.n_variables_ != len(names):
                raise ValueError(
                    f"forecasters[{name!r}] was fitted with "
                    f"{model.n_variables_} variable(s) but history has "
                    f"{len(names)}: fit every forecaster on windows of all "
                    "the system's variables.")
            if model.n_outputs_ != 1:
                raise ValueError(
                    f"forecasters[{name!r}] forecasts {model.n_outputs_} "
                    "horizons directly; the system is simulated one period "
                    "at a time, so fit it with horizon=1 windows.")
            model._check_history(frame[[name] + [
                c for c in names if c != name]], f"history (target {name!r})")
            if model.known_future:
                raise ValueError(
                    f"forecasters[{name!r}] has known_future="
                    f"{model.known_future!r}; in a system every variable is "
                    "forecast, none is known in advance.")
        self.models = [forecasters[name] for name in names]
        self.names = names
        self.lags = max(m.n_timesteps_ for m in self.models)
        if len(frame) <= self.lags + _MIN_RESIDUALS:
            raise ValueError(
                f"history has {len(frame)} periods; at least "
                f"{self.lags + _MIN_RESIDUALS + 1} are needed for the "
                "windows and the residuals the shocks are drawn from.")
        self.index = frame.index
        self.state = frame.to_numpy(dtype=np.float64)[-self.lags:]
        self.residuals = self._residuals(frame)
        # second moments, not the covariance: it is the covariance of the
        # draws, which come in +- pairs
        self.sigma = self.residuals.T @ self.residuals / len(self.residuals)

    def _residuals(self, frame):
        """One-step residual vectors at the dates all windows share."""
        errors = []
        for name, model in zip(self.names, self.models):
            X, y = make_windows(frame, lags=model.n_timesteps_, target=name)
            errors.append(y - model.predict(X))
        return pd.concat(errors, axis=1, join="inner").to_numpy()

    def variable(self, name, argument):
        if name not in self.names:
            raise ValueError(f"{argument}={name!r} is not a variable of the "
                             f"system; variables are {self.names}.")
        return self.names.index(name)

    def step(self, states):
        """One-step forecasts of every variable from ``states``.

        ``states`` has shape (n_paths, lags, n_variables) in history's
        column order; forecaster ``i`` sees its target first, the others in
        that order, as :func:`make_windows` lays them out.
        """
        out = np.empty((len(states), len(self.models)))
        for i, model in enumerate(self.models):
            order = [i] + [k for k in range(len(self.models)) if k != i]
            windows = states[:, -model.n_timesteps_:, order]
            out[:, i] = model.predict(np.ascontiguousarray(windows))
        return out

    def draw(self, rng, n_paths, steps):
        """Residual vectors, (steps, n_paths, n_variables), in +- pairs.

        Antithetic pairs make the shocks' mean exactly zero in every
        period, so that a linear system's mean path is its forecast.
        """
        half = self.residuals[rng.randint(len(self.residuals),
                                          size=(steps, n_paths // 2))]
        return np.concatenate([half, -half], axis=1)

    def run(self, shocks, fixed=None):
        """Paths (n_paths, steps, n_variables) driven by ``shocks``.

        ``fixed`` maps a variable's position to imposed values per period
        (NaN where free); in those periods its shock is the one the imposed
        value implies and the other shocks are moved by their regression
        on them (the residual covariance), keeping their drawn deviations.
        """
        n_steps, n_paths, _ = shocks.shape
        states = np.repeat(self.state[None], n_paths, axis=0)
        paths = np.empty((n_paths, n_steps, len(self.names)))
        for h in range(n_steps):
            mean = self.step(states)
            u = shocks[h]
            imposed = [j for j, v in (fixed or {}).items()
                       if np.isfinite(v[h])]
            if imposed:
                # E[u | u_S = implied]: the drawn u moved by its regression
                implied = np.array([fixed[j][h] for j in imposed]) - \
                    mean[:, imposed]
                slope = np.linalg.solve(self.sigma[np.ix_(imposed, imposed)],
                                        self.sigma[imposed])
                u = u + (implied - u[:, imposed]) @ slope
                u[:, imposed] = implied
            paths[:, h] = mean + u
            states = np.concatenate([states[:, 1:], paths[:, h:h + 1]],
                                    axis=1)
        return paths


def _check_paths(n_paths, levels):
    if isinstance(n_paths, bool) or not isinstance(n_paths, Integral) or \
            n_paths < 2 or n_paths % 2:
        raise ValueError("n_paths must be an even integer >= 2 (the shocks "
                         f"are drawn in +- pairs); got {n_paths!r}.")
    # as SequenceForecaster.forecast: 10 / p paths for a tail probability p
    tail = (1 - float(np.max(levels))) / 2
    needed = 2 * int(np.ceil(round(5 / tail, 6)))
    if n_paths < needed:
        raise ValueError(f"n_paths={n_paths} is too few simulated paths for "
                         f"a {np.max(levels):g} band; use at least {needed}.")
    return int(n_paths)


def _tidy(values, bands, levels, index, names, first):
    """A (period, variable) x (first, lower_<l>, upper_<l>) DataFrame."""
    rows = pd.MultiIndex.from_product([index, names],
                                      names=[index.name or "period",
                                             "variable"])
    out = {first: values.ravel()}
    for i, level in enumerate(levels):
        out[f"lower_{level:g}"] = bands[2 * i].ravel()
        out[f"upper_{level:g}"] = bands[2 * i + 1].ravel()
    return pd.DataFrame(out, index=rows)


def _band_probs(levels):
    return np.array([p for lev in levels
                     for p in ((1 - lev) / 2, (1 + lev) / 2)])


def impulse_response(forecasters, history, shock, size=None, steps=12,
                     n_paths=1000, level=0.9, random_state=None):
    """Generalised impulse responses of a system of forecasters.

    The response of every variable, ``h = 0, ..., steps`` periods after a
    shock of ``size`` to ``shock`` in the period after ``history`` ends,
    against the path without it (Koop, Pesaran and Potter 1996): the mean
    over simulated futures of the shocked path minus the unshocked one,
    both driven by the same drawn residuals. The other variables are
    shocked too, by their expectation given the shock,
    ``Sigma[i, j] / Sigma[j, j] * size`` (Pesaran and Shin 1998), with
    ``Sigma`` the covariance of the one-step residuals.

    Parameters
    ----------
    forecasters : dict of str to SequenceForecaster
        One fitted forecaster per column of ``history``, keyed by that
        column, each fitted on ``make_windows(history, target=column)``
        windows with ``horizon=1`` (the other columns as covariates; window
        lengths may differ), as :func:`fit_system` returns them.
    history : pandas.DataFrame
        The system's variables up to the origin, indexed by a PeriodIndex or
        a DatetimeIndex with a frequency; the one-step residuals the shocks
        are drawn from are computed on it (usually the training sample).
    shock : str
        The variable shocked.
    size : float or None, default=None
        Size of the shock in the variable's units; None means one standard
        deviation of its one-step residuals. Responses of a nonlinear
        system are not proportional to ``size``: compare several.
    steps : int, default=12
        Number of periods after the impact period.
    n_paths : int, default=1000
        Number of simulated futures; even (drawn in +- pairs).
    level : float or sequence of float, default=0.9
        Central probability of the bands.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws of residuals.

    Returns
    -------
    response : pandas.DataFrame
        Indexed by (horizon, variable); column ``'response'`` (mean
        difference of the shocked and unshocked paths) and, for each level,
        ``'lower_<level>'`` and ``'upper_<level>'``: quantiles of the
        path-by-path differences. The band measures how the response varies
        with the shocks that follow (the nonlinearity of the system); it is
        not a confidence band for the estimated models -- for a linear
        system every path has the same difference and the band is the
        response itself.

    See Also
    --------
    fit_system : Fit the forecasters around a VAR of one order.
    scenario : Forecasts with one variable's path imposed.
    statsmodels.tsa.vector_ar.irf.IRAnalysis : Impulse responses of a VAR.

    Notes
    -----
    The shocked paths add ``delta = Sigma e_j size / Sigma_jj`` to the
    residual vector drawn for the impact period. For a linear system this
    gives the generalised impulse response ``Psi_h Sigma e_j / sqrt(
    Sigma_jj)`` (for a one-s.d. shock) exactly, which equals the
    orthogonalised (Cholesky) response with ``j`` ordered first. For a
    nonlinear one the response depends on the origin (``history``), the
    size and the sign of the shock. The residuals are in-sample: a network
    that fits the training sample closely makes them, and so the default
    one-s.d. shock, smaller than the out-of-sample errors; pass ``size``
    (e.g. from ``error_scales_``) to fix the shock's size yourself.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import SequenceForecaster, impulse_response, make_windows
    >>> rng = np.random.default_rng(0)
    >>> y = np.zeros((200, 2))
    >>> for t in range(1, 200):
    ...     y[t] = [[0.5, 0.2], [-0.3, 0.6]] @ y[t - 1] + rng.normal(size=2)
    >>> data = pd.DataFrame(y, columns=["gdp", "rate"], index=pd.period_range(
    ...     "1970Q1", periods=200, freq="Q"))
    >>> system = {name: SequenceForecaster(
    ...     ar_order=1, hidden_size=2, max_iter=5, random_state=0).fit(
    ...     *make_windows(data, lags=1, target=name)) for name in data}
    >>> irf = impulse_response(system, data, "rate", steps=4, n_paths=200,
    ...                        random_state=0)
    >>> irf["response"].unstack().shape
    (5, 2)
    >>> list(irf.columns)
    ['response', 'lower_0.9', 'upper_0.9']

    References
    ----------
    Koop, G., Pesaran, M. H. and Potter, S. M. (1996). Impulse response
    analysis in nonlinear multivariate models. Journal of Econometrics,
    74(1), 119-147.

    Pesaran, H. H. and Shin, Y. (1998). Generalized impulse response
    analysis in linear multivariate models. Economics Letters, 58(1),
    17-29.
    """
    system = _System(forecasters, history)
    j = system.variable(shock, "shock")
    if size is None:
        size = float(np.sqrt(system.sigma[j, j]))
    elif isinstance(size, bool) or not isinstance(size, Real) or \
            not np.isfinite(size) or size == 0:
        raise ValueError(f"size must be a finite non-zero number; got "
                         f"{size!r}.")
    steps = _check_count(steps, "steps", minimum=0)
    levels = _check_levels(level)
    n_paths = _check_paths(n_paths, levels)
    if system.sigma[j, j] <= 0:
        raise ValueError(f"{shock!r} has no residual variance to scale a "
                         "shock by.")
    rng = check_random_state(random_state)
    shocks = system.draw(rng, n_paths, steps + 1)
    delta = system.sigma[:, j] * (float(size) / system.sigma[j, j])
    shocked = shocks.copy()
    shocked[0] += delta
    both = system.run(np.concatenate([shocked, shocks], axis=1))
    difference = both[:n_paths] - both[n_paths:]
    bands = np.quantile(difference, _band_probs(levels), axis=0)
    horizon = pd.RangeIndex(steps + 1, name="horizon")
    return _tidy(difference.mean(axis=0), bands, levels, horizon,
                 system.names, "response")


def scenario(forecasters, history, path, steps=None, n_paths=1000,
             level=0.9, random_state=None):
    """Forecasts of a system with one or more variables' paths imposed.

    Every period, an imposed variable takes its given value; its shock is
    the one that value implies, and the other variables' shocks are moved
    by their regression on it (the residual covariance), keeping the rest
    of their drawn residual. So a path above the forecast for an interest
    rate also moves the shocks correlated with it, as observing it would.

    Parameters
    ----------
    forecasters, history
        As for :func:`impulse_response`.
    path : dict of str to array-like
        Imposed values of one or more variables in the periods after
        ``history``, one per period from the first; NaN leaves a period
        free.
    steps : int or None, default=None
        Number of periods forecast; None means the longest path. After its
        path ends a variable is forecast freely.
    n_paths, level, random_state
        As for :func:`impulse_response`.

    Returns
    -------
    scenario : pandas.DataFrame
        Indexed by (period, variable), the periods after ``history``;
        column ``'forecast'`` (mean of the simulated paths) and, for each
        level, ``'lower_<level>'`` and ``'upper_<level>'`` (their
        quantiles: prediction bands given the scenario).

    See Also
    --------
    fit_system : Fit the forecasters around a VAR of one order.
    impulse_response : Responses to a one-period shock.

    Notes
    -----
    The conditioning runs forward: an imposed value informs the shocks of
    its own period, not (as in the smoother of Waggoner and Zha, 1999)
    those of earlier periods that later imposed values also reflect. The
    bands are from in-sample residuals and understate out-of-sample
    uncertainty.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import SequenceForecaster, make_windows, scenario
    >>> rng = np.random.default_rng(0)
    >>> data = pd.DataFrame(rng.normal(size=(100, 2)).cumsum(axis=0) / 5,
    ...                     columns=["gdp", "rate"], index=pd.period_range(
    ...                         "1990Q1", periods=100, freq="Q"))
    >>> system = {name: SequenceForecaster(
    ...     ar_order=1, hidden_size=2, max_iter=5, random_state=0).fit(
    ...     *make_windows(data, lags=1, target=name)) for name in data}
    >>> path = scenario(system, data, {"rate": [1.0, 1.0]}, n_paths=200,
    ...                 random_state=0)
    >>> path.xs("rate", level="variable")["forecast"].tolist()
    [1.0, 1.0]
    """
    system = _System(forecasters, history)
    if not isinstance(path, dict) or not path:
        raise TypeError("path must be a non-empty dict mapping a variable "
                        "to its imposed values; got "
                        f"{type(path).__name__}.")
    values = {}
    for name, given in path.items():
        j = system.variable(name, "path")
        index = getattr(given, "index", None)
        if isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex)) and \
                len(index) and not index.equals(
                    _future_index(system.index, len(index))):
            raise ValueError(
                f"path[{name!r}] is indexed from {index[0]}; imposed values "
                "start in the period after history's end, "
                f"{_future_index(system.index, 1)[0]}.")
        try:
            given = np.asarray(given, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"path[{name!r}] must hold numbers (NaN for a "
                             f"free period); got {exc}.") from None
        if given.ndim > 1:
            raise ValueError(f"path[{name!r}] must be one value per period; "
                             f"got shape {given.shape}.")
        given = given.ravel()
        if given.size == 0 or np.isinf(given).any():
            raise ValueError(f"path[{name!r}] must hold finite values (NaN "
                             "for a free period); got "
                             f"{given.size} values with infinities or none.")
        values[j] = given
    longest = max(len(v) for v in values.values())
    steps = longest if steps is None else _check_count(steps, "steps")
    if steps < longest:
        raise ValueError(f"steps={steps} is shorter than the imposed path "
                         f"({longest} periods).")
    fixed = {j: np.concatenate([v, np.full(steps - len(v), np.nan)])
             for j, v in values.items()}
    levels = _check_levels(level)
    n_paths = _check_paths(n_paths, levels)
    rng = check_random_state(random_state)
    paths = system.run(system.draw(rng, n_paths, steps), fixed)
    bands = np.quantile(paths, _band_probs(levels), axis=0)
    index = _future_index(system.index, steps)
    return _tidy(paths.mean(axis=0), bands, levels, index, system.names,
                 "forecast")
