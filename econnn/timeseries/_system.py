"""A system of forecasters around one VAR: one AR order for every equation.

Fitting one :class:`SequenceForecaster` per variable lets each equation
choose its own AR order by its own AIC; a VAR has one order, chosen by the
system's criterion. :func:`fit_system` chooses that order as statsmodels'
``VAR.select_order`` does and fits every equation with it, so that the
linear part of the system is the VAR and :func:`impulse_response` and
:func:`scenario` agree with statsmodels' on linear data.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._forecaster import SequenceForecaster
from ._linear import ar_design
from ._windows import arrange_series, make_windows

__all__ = ["fit_system"]


def var_order_criteria(X, Y):
    """Multivariate AIC of VAR(p) for p = 0, 1, ... on a common sample.

    The criterion of statsmodels' ``VARResults.info_criteria``,
    ``log det Sigma_p + 2 (p K^2 + K) / n`` with ``Sigma_p`` the maximum
    likelihood residual covariance of the VAR(p) with an intercept, every
    order estimated on the same ``n`` targets (the windows').

    Parameters
    ----------
    X : ndarray of shape (n, n_timesteps, K)
        Consecutive windows of the system's variables.
    Y : ndarray of shape (n, K)
        Every variable in the period after each window.

    Returns
    -------
    aic : ndarray
        The criterion for orders 0 to the window length, fewer when the
        sample is short: at least three windows per coefficient of an
        equation, as for one forecaster's own choice.
    """
    n, n_timesteps, K = X.shape
    if n <= K:
        raise ValueError(
            f"data gives {n} windows of {n_timesteps} periods, too few to "
            f"estimate the residual covariance of {K} variables: at least "
            f"{K + 1} are needed; use a longer sample or shorter windows.")
    largest = int(min(n_timesteps, max((n / 3 - 1) // K, 0)))
    aic = []
    for p in range(largest + 1):
        Z = np.column_stack([np.ones(n), ar_design(X, p)])
        coef, *_ = np.linalg.lstsq(Z, Y, rcond=None)
        resid = Y - Z @ coef
        sign, logdet = np.linalg.slogdet(resid.T @ resid / n)
        if sign <= 0:
            raise ValueError(
                f"The residual covariance of a VAR({p}) is singular: some "
                "of data's variables are constant or linear combinations "
                "of the others; drop them.")
        aic.append(logdet + 2 * (p * K ** 2 + K) / n)
    return np.array(aic)


def fit_system(forecaster, data, lags="auto"):
    """Fit one forecaster per variable, around a VAR of one common order.

    A clone of ``forecaster`` is fitted to each column of ``data`` on
    ``make_windows(data, lags=lags, target=column)`` (the other columns as
    covariates). With ``ar_order='auto'`` every equation gets the same AR
    order, the one the system's AIC chooses (as statsmodels'
    ``VAR(data).select_order(maxlags).aic`` with ``maxlags`` the window
    length), rather than each its own: the linear part of the system is
    then a VAR, and the networks add to its equations what it leaves.

    Parameters
    ----------
    forecaster : SequenceForecaster
        The unfitted template; its parameters are kept, except
        ``ar_order='auto'``, which becomes the system's order. An integer
        or None ``ar_order`` is used as given for every equation.
    data : pandas.DataFrame
        Two or more variables in time order, indexed by a PeriodIndex or a
        DatetimeIndex, without missing values.
    lags : int or 'auto', default='auto'
        Window length, as for :func:`make_windows`; the AR orders
        considered run from 0 to it.

    Returns
    -------
    system : dict of str to SequenceForecaster
        The fitted forecasters, keyed by column in ``data``'s order: what
        :func:`impulse_response` and :func:`scenario` take. The common
        order is each forecaster's ``ar_order_``.

    See Also
    --------
    impulse_response : Responses of the system to a shock.
    scenario : Forecasts of the system with a path imposed.
    statsmodels.tsa.vector_ar.var_model.VAR.select_order : The same
        criterion.

    Notes
    -----
    The order is chosen on the common sample of the windows (the targets
    after the first ``lags`` periods), where statsmodels' ``select_order``
    with ``maxlags=lags`` chooses it, by ``log det Sigma_p + 2 (p K^2 +
    K) / n`` for ``K`` variables and ``n`` targets (Lutkepohl 2005, 4.3).
    Each equation's AR is then estimated by least squares on every period
    from the ``(p + 1)``-th, so the coefficients are those of
    ``VAR(data).fit(p)``. The order is chosen on ``data`` as given (levels
    unless you difference them); a forecaster that models changes
    (``difference_``) fits its AR of that order to them. Sample weights
    and ``known_future`` covariates are not supported: in a system every
    variable is forecast and the criterion is unweighted.

    References
    ----------
    Lutkepohl, H. (2005). New Introduction to Multiple Time Series
    Analysis. Springer, section 4.3.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import SequenceForecaster, fit_system, impulse_response
    >>> rng = np.random.default_rng(0)
    >>> y = np.zeros((200, 2))
    >>> for t in range(1, 200):
    ...     y[t] = [[0.5, 0.2], [-0.3, 0.6]] @ y[t - 1] + rng.normal(size=2)
    >>> data = pd.DataFrame(y, columns=["gdp", "rate"], index=pd.period_range(
    ...     "1970Q1", periods=200, freq="Q"))
    >>> system = fit_system(SequenceForecaster(
    ...     hidden_size=2, max_iter=5, random_state=0), data)
    >>> {name: model.ar_order_ for name, model in system.items()}
    {'gdp': 1, 'rate': 1}
    >>> irf = impulse_response(system, data, "rate", steps=4, n_paths=200,
    ...                        random_state=0)
    >>> irf["response"].unstack().shape
    (5, 2)
    """
    if not isinstance(forecaster, SequenceForecaster):
        raise TypeError("forecaster must be a SequenceForecaster; got "
                        f"{type(forecaster).__name__}.")
    if forecaster.known_future:
        raise ValueError(
            f"forecaster has known_future={forecaster.known_future!r}; in "
            "a system every variable is forecast, none is known in "
            "advance.")
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame with one column "
                        "per variable of the system; got "
                        f"{type(data).__name__}.")
    frame = arrange_series(data)
    if frame.shape[1] < 2:
        raise ValueError(
            f"data has {frame.shape[1]} column; a system needs two or more "
            "variables (fit one forecaster on make_windows(data) for one).")
    X, _ = make_windows(frame, lags=lags)
    order = forecaster.ar_order
    if isinstance(order, str) and order == "auto":
        values = frame.to_numpy(dtype=np.float64)[X.shape[1]:]
        order = int(np.argmin(var_order_criteria(X, values)))
    return {name: clone(forecaster).set_params(ar_order=order).fit(
        *make_windows(frame, lags=X.shape[1], target=name))
        for name in frame.columns}
