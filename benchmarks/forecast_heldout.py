"""Held-out series for the forecast benchmark: not used for any choice.

The forecaster's defaults were chosen on the development suite
(``forecast_benchmark.suite``). These nine series, from packages already
installed (statsmodels and pmdarima), were never looked at while choosing
anything; ``forecast_benchmark.py --heldout`` runs the same protocol on
them. The series, their transformations and the cut of the long monthly
series were fixed before any result on them was seen, by the development
suite's rules:

* trending macro levels enter as growth rates, ``400 * diff(log)``
  (annualised percent), as realcons/realinv/m1/realdpi do there;
* rates and series without a trend stay in levels (as the T-bill rate,
  sunspots, ausbeer, austres, woolyrnq, wineind do there);
* logs only where a level is multiplicative (lynx and air passengers there;
  here the share price, whose log changes are its returns);
* monthly series keep their last 240 months (20 years; the development
  suite's monthly series have 144 and 176), so that ``auto_arima`` with
  m = 12 stays affordable and the monthly series are of the family's size.
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm

MONTHS = 240  # monthly series: the last 20 years


def _quarterly(values, start):
    return pd.Series(np.asarray(values, dtype=float),
                     index=pd.period_range(start, periods=len(values),
                                           freq="Q"))


def _monthly(series):
    """A monthly Series with a PeriodIndex, its last ``MONTHS`` values."""
    series = series.iloc[-MONTHS:]
    return pd.Series(series.to_numpy(dtype=float),
                     index=pd.period_range(series.index[0].strftime("%Y-%m"),
                                           periods=len(series), freq="M"))


def heldout():
    """name -> series (PeriodIndex), the held-out set."""
    out = {}
    # Nile flow at Aswan, annual 1871-1970: no trend (a level shift in
    # 1898), so levels, as sunspots.
    nile = sm.datasets.nile.load_pandas().data
    out["nile"] = pd.Series(nile["volume"].to_numpy(dtype=float),
                            index=pd.period_range("1871", periods=len(nile),
                                                  freq="Y"))
    macro = sm.datasets.macrodata.load_pandas().data
    # US unemployment rate, quarterly: a rate, so levels (as the T-bill rate).
    out["unemp"] = _quarterly(macro["unemp"], "1959Q1")
    # US CPI inflation (annualised quarterly): already a rate of change, so
    # levels; the first value (1959Q1, 0.00) is a placeholder, not a
    # measurement (there is no 1958Q4 CPI in the data), so it is dropped.
    out["infl"] = _quarterly(macro["infl"].iloc[1:], "1959Q2")
    # US real government spending: a trending level, so its growth rate.
    out["realgovt growth"] = _quarterly(
        400 * np.diff(np.log(macro["realgovt"].to_numpy())), "1959Q2")
    german = sm.datasets.interest_inflation.load_pandas().data
    # German inflation (change in the log GDP deflator, 1972Q2-1998Q4):
    # a rate of change with a seasonal pattern, so levels, annualised x400.
    out["german inflation"] = _quarterly(400 * german["Dp"], "1972Q2")
    # German long-term interest rate: a rate, so levels (x100, percent).
    out["german rate"] = _quarterly(100 * german["R"], "1972Q2")
    # Mauna Loa CO2, weekly: monthly means (the last 240 months have no
    # missing week-months); trending with a seasonal cycle of constant
    # amplitude, so levels, not logs (additive, as austres/wineind).
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean()
    out["co2"] = _monthly(co2)
    # El Nino sea surface temperature, monthly 1950-2010 (a year per row):
    # no trend, a seasonal cycle, so levels.
    nino = sm.datasets.elnino.load_pandas().data
    temps = nino.drop(columns="YEAR").to_numpy(dtype=float).ravel()
    out["elnino"] = _monthly(pd.Series(temps, index=pd.date_range(
        f"{int(nino['YEAR'].iloc[0])}-01", periods=len(temps), freq="MS")))
    try:
        import pmdarima.datasets as pd_data
    except ImportError:  # the bench extra is not installed
        return out
    # Microsoft share price, daily: month-end closes (the last, partial
    # month dropped); a multiplicative trending level, so monthly log
    # returns, 100 * diff(log).
    msft = pd_data.load_msft()
    close = pd.Series(msft["Close"].to_numpy(dtype=float),
                      index=pd.to_datetime(msft["Date"]))
    month_end = close.resample("MS").last().iloc[:-1]
    out["msft returns"] = _monthly(
        100 * np.log(month_end).diff().dropna())
    return out
