"""Forecast US real GDP three years ahead with a fan chart, next to AR.

Log real GDP trends, so ``SequenceForecaster`` (``difference='auto'``:
ADF does not reject a unit root and KPSS rejects stationarity) models
quarterly changes, an AR(AIC) in changes plus a network on what it leaves;
the fan shows the 50%, 80% and 95% conformal bands (held-out errors per
horizon), drawn by ``plot_forecast``.
The linear benchmark is statsmodels' AutoReg with a linear trend and the
lag order chosen by AIC, with its analytical 95% band.

Run from the repository root::

    python examples/macro_forecast.py [output.png]
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from statsmodels.tsa.ar_model import AutoReg, ar_select_order  # noqa: E402

from econnn import SequenceForecaster, make_windows, plot_forecast  # noqa

STEPS = 12
LEVELS = (0.5, 0.8, 0.95)


def main(path="macro_forecast.png"):
    data = sm.datasets.macrodata.load_pandas().data
    gdp = pd.Series(100 * np.log(data["realgdp"].to_numpy()),
                    index=pd.period_range("1959Q1", periods=len(data),
                                          freq="Q"),
                    name="log real GDP (x100)")

    X, y = make_windows(gdp)  # lags='auto': 9 quarters
    model = SequenceForecaster(random_state=0).fit(X, y)
    fan = model.forecast(gdp, steps=STEPS, level=LEVELS)
    tests = model.stationarity_tests_
    print(f"ADF p-value {tests['adf_pvalue']:.2f}, KPSS p-value "
          f"{tests['kpss_pvalue']:.2f} -> difference_={model.difference_}; "
          f"AR order {model.ar_order_}, gate_ {model.gate_:.2f}")

    order = ar_select_order(gdp.to_numpy(), maxlag=8, ic="aic", trend="ct")
    ar = AutoReg(gdp.to_numpy(), lags=order.ar_lags, trend="ct").fit()
    ar_pred = ar.get_prediction(start=len(gdp), end=len(gdp) + STEPS - 1)
    ar_band = ar_pred.conf_int(alpha=0.05)
    print(fan.round(2).to_string())

    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_forecast(gdp, fan, ax=ax, n_history=40)
    t_fut = fan.index.to_timestamp()
    ax.plot(t_fut, ar_pred.predicted_mean, color="tab:red", ls="--", lw=2,
            label=f"AutoReg({max(order.ar_lags)}) + trend")
    ax.plot(t_fut, ar_band[:, 0], color="tab:red", ls=":", lw=1)
    ax.plot(t_fut, ar_band[:, 1], color="tab:red", ls=":", lw=1,
            label="AutoReg 95%")
    ax.set_title("US real GDP: 12-quarter forecast from 2009Q3")
    ax.set_ylabel(gdp.name)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
