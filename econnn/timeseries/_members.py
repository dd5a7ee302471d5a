"""Classical members of a forecast combination: ETS and an automatic ARIMA.

Both are statsmodels models with one small interface, so that
:class:`ForecastCombination` treats them alike and a new member is one
class and one line in :data:`MEMBERS`:

* ``fit(y, m)`` chooses the specification and estimates it on ``y`` (a 1-D
  array in time order, ``m`` the seasonal period: 4, 12 or 1) and returns
  the member;
* ``forecast(y, steps)`` forecasts ``steps`` periods after the end of
  ``y`` with the fitted parameters held fixed (``y`` is filtered, not
  refitted: it may be the estimation sample or a longer one).

Their fitted state is data -- the chosen specification (``spec_``, the
statsmodels model's arguments) and its parameters (``params_``) -- so
:func:`econnn.save` stores a fitted member by its name in :data:`MEMBERS`
and :meth:`~PlainData.to_data`, and rebuilds it with ``from_data``.
"""

import itertools
import warnings

import numpy as np

from ._linear import UNIT_ROOT_LEVEL, PlainData

__all__ = ["ETSMember", "ARIMAMember", "MEMBERS", "seasonal_strength",
           "kpss_differences"]

#: Seasonal differencing when the seasonal strength exceeds this
#: (Wang, Smith and Hyndman 2006; R's ``forecast::nsdiffs``).
SEASONAL_STRENGTH = 0.64


class ETSMember(PlainData):
    """Exponential smoothing (statsmodels' ``ETSModel``), chosen by AIC.

    Additive errors; no trend or a damped additive trend; no seasonality or
    additive seasonality of period ``m`` (only when ``m > 1`` and the sample
    holds more than two cycles and two periods). The specification with the
    lowest AIC is kept.

    Attributes
    ----------
    spec_ : dict
        The chosen ``ETSModel`` arguments.
    params_ : ndarray
        Its estimated parameters.
    aic_ : float
    """

    name = "ETS"

    def fit(self, y, m):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = np.asarray(y, dtype=np.float64)
        seasonals = [None, "add"] if m > 1 and len(y) > 2 * m + 2 else [None]
        best = None
        for trend, seasonal in itertools.product((None, "add"), seasonals):
            spec = dict(error="add", trend=trend,
                        damped_trend=trend is not None, seasonal=seasonal,
                        seasonal_periods=m if seasonal else None)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = ETSModel(y, **spec).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue  # a specification that cannot be estimated
            if np.isfinite(res.aic) and (best is None or res.aic < best[0]):
                best = (float(res.aic), spec, np.asarray(res.params))
        if best is None:
            raise ValueError("no ETS specification could be estimated on "
                             f"{len(y)} observations.")
        self.aic_, self.spec_, self.params_ = best
        return self

    def forecast(self, y, steps):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        res = ETSModel(np.asarray(y, dtype=np.float64),
                       **self.spec_).smooth(self.params_)
        return np.asarray(res.forecast(steps), dtype=np.float64)


def seasonal_strength(y, m):
    """Strength of seasonality in [0, 1]: ``1 - var(R) / var(S + R)``.

    ``S`` and ``R`` are the seasonal and remainder components of a robust
    STL decomposition of period ``m`` (Wang, Smith and Hyndman 2006).
    """
    from statsmodels.tsa.seasonal import STL

    res = STL(np.asarray(y, dtype=np.float64), period=m, robust=True).fit()
    remainder, seasonal = np.asarray(res.resid), np.asarray(res.seasonal)
    total = np.var(remainder + seasonal)
    return float(max(0.0, 1.0 - np.var(remainder) / total)) if total > 0 \
        else 0.0


def kpss_differences(y, max_d):
    """Number of differences (at most ``max_d``) after which the KPSS test
    (constant, 5%) no longer rejects stationarity."""
    from statsmodels.tsa.stattools import kpss

    y = np.asarray(y, dtype=np.float64)
    for d in range(max_d):
        if len(y) < 10 or np.ptp(y) == 0:
            return d
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # p-value outside the table
            pvalue = kpss(y, regression="c", nlags="auto")[1]
        if pvalue >= UNIT_ROOT_LEVEL:
            return d
        y = np.diff(y)
    return max_d


class ARIMAMember(PlainData):
    """Seasonal ARIMA with the orders searched automatically (statsmodels).

    The search follows Hyndman and Khandakar (2008), bounded:

    * ``D`` (seasonal difference, quarterly and monthly data with at least
      three cycles): 1 when the seasonal strength of an STL decomposition
      exceeds 0.64, else 0; ``d`` (0 to 2, at most 1 when ``D = 1``): the
      number of differences after which KPSS (5%) stops rejecting
      stationarity, counted on the seasonally differenced series;
    * a constant when ``d + D = 0``, a drift when ``d + D = 1``, neither
      when ``d + D = 2``;
    * stepwise over ``p, q`` in 0..3 and ``P, Q`` in 0..1 by AICc: start
      from (2, 2)(1, 1), (0, 0)(0, 0), (1, 0)(1, 0) and (0, 1)(0, 1), then
      move to the best neighbour (one of ``p, q, P, Q`` up or down by one,
      or ``p`` and ``q`` together) while the AICc falls, fitting at most
      ``max_models`` models (statsmodels' ``ARIMA``, state-space maximum
      likelihood). A quarterly fit takes about 1-2 s, a monthly one 3-10 s.

    Parameters
    ----------
    max_models : int, default=30
        Most models fitted in one search.

    Attributes
    ----------
    order_, seasonal_order_ : tuple
        The chosen (p, d, q) and (P, D, Q, m).
    trend_ : str
        'c', 't' (drift) or 'n'.
    aicc_ : float
    spec_ : dict
        The chosen ``ARIMA`` arguments (``order``, ``seasonal_order``,
        ``trend``).
    params_ : ndarray
        Its estimated parameters.
    n_models_ : int
        Models fitted by the search.
    """

    name = "ARIMA"
    max_p = max_q = 3
    max_P = max_Q = 1

    def __init__(self, max_models=30):
        self.max_models = max_models

    def fit(self, y, m):
        y = np.asarray(y, dtype=np.float64)
        seasonal = m > 1 and len(y) >= 3 * m
        D = int(seasonal and seasonal_strength(y, m) > SEASONAL_STRENGTH)
        z = y[m:] - y[:-m] if D else y
        d = kpss_differences(z, 1 if D else 2)
        self.trend_ = {0: "c", 1: "t"}.get(d + D, "n")
        self._d, self._D, self._m = d, D, m if seasonal else 0
        fitted = {}
        starts = [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
        best = None
        for orders in starts:
            best = self._better(y, orders, fitted, best)
        moves = [(1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 0, 0), (0, 0, 1, 0),
                 (0, 0, 0, 1)]
        improved = True
        while improved and len(fitted) < self.max_models:
            improved, current = False, best
            for move, sign in itertools.product(moves, (1, -1)):
                orders = tuple(b + sign * s for b, s in zip(best[1], move))
                best = self._better(y, orders, fitted, best)
                if len(fitted) >= self.max_models:
                    break
            improved = best[1] != current[1]
        if best is None or not np.isfinite(best[0]):
            raise ValueError("no ARIMA model could be estimated on "
                             f"{len(y)} observations.")
        self.aicc_, orders, result = best
        p, q, P, Q = orders
        self.order_ = (p, d, q)
        self.seasonal_order_ = (P, D, Q, self._m)
        self.spec_ = dict(order=self.order_,
                          seasonal_order=self.seasonal_order_,
                          trend=self.trend_)
        self.params_ = np.asarray(result.params, dtype=np.float64)
        self.n_models_ = len(fitted)
        del self._d, self._D, self._m
        return self

    def _valid(self, orders):
        p, q, P, Q = orders
        if self._m == 0 and (P or Q):
            return False
        return 0 <= p <= self.max_p and 0 <= q <= self.max_q and \
            0 <= P <= self.max_P and 0 <= Q <= self.max_Q

    def _better(self, y, orders, fitted, best):
        """``best`` or the model of ``orders`` if its AICc is lower."""
        if self._m == 0:
            orders = orders[:2] + (0, 0)
        if orders in fitted or not self._valid(orders):
            return best
        result = fitted[orders] = self._estimate(y, orders)
        aicc = np.inf if result is None else float(result.aicc)
        if best is None or aicc < best[0]:
            return (aicc, orders, result)
        return best

    def _estimate(self, y, orders):
        from statsmodels.tsa.arima.model import ARIMA

        p, q, P, Q = orders
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ARIMA(y, order=(p, self._d, q),
                             seasonal_order=(P, self._D, Q, self._m),
                             trend=self.trend_).fit()
        except (ValueError, np.linalg.LinAlgError):
            return None  # not estimable (e.g. too short for the orders)

    def forecast(self, y, steps):
        from statsmodels.tsa.arima.model import ARIMA

        # what ARIMAResults.apply does (the same forecasts to the bit),
        # from the specification and parameters alone
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ARIMA(np.asarray(y, dtype=np.float64), **self.spec_).filter(
                self.params_, cov_type="none")
            return np.asarray(res.forecast(steps), dtype=np.float64)


#: Classical members by name: ``ForecastCombination(members=...)``.
MEMBERS = {"ets": ETSMember, "arima": ARIMAMember}
