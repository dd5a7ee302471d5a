"""Forecast US real GDP three years ahead with a fan chart, next to AR.

Log real GDP trends, so ``SequenceForecaster`` (``difference='auto'``)
finds a unit root and models quarterly changes from each window's last
value; the fan shows the 50%, 80% and 95% bands of 1000 bootstrapped paths.
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

from econnn import SequenceForecaster, make_windows  # noqa: E402

STEPS = 12
LEVELS = (0.5, 0.8, 0.95)


def main(path="macro_forecast.png"):
    data = sm.datasets.macrodata.load_pandas().data
    gdp = pd.Series(100 * np.log(data["realgdp"].to_numpy()),
                    index=pd.period_range("1959Q1", periods=len(data),
                                          freq="Q"),
                    name="log real GDP (x100)")

    X, y = make_windows(gdp, lags=8)
    model = SequenceForecaster(random_state=0).fit(X, y)
    fan = model.forecast(gdp, steps=STEPS, level=LEVELS)
    print(f"unit-root p-value {model.unit_root_pvalue_:.2f} -> "
          f"difference_={model.difference_}")

    order = ar_select_order(gdp.to_numpy(), maxlag=8, ic="aic", trend="ct")
    ar = AutoReg(gdp.to_numpy(), lags=order.ar_lags, trend="ct").fit()
    ar_pred = ar.get_prediction(start=len(gdp), end=len(gdp) + STEPS - 1)
    ar_band = ar_pred.conf_int(alpha=0.05)
    print(fan.round(2).to_string())

    recent = gdp.iloc[-40:]
    t_hist = recent.index.to_timestamp()
    t_fut = fan.index.to_timestamp()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(t_hist, recent, color="black", lw=1.5, label="observed")
    for level, alpha in zip(sorted(LEVELS, reverse=True), (0.15, 0.25, 0.4)):
        ax.fill_between(t_fut, fan[f"lower_{level:g}"],
                        fan[f"upper_{level:g}"], color="tab:blue",
                        alpha=alpha, lw=0, label=f"network {level:.0%}")
    ax.plot(t_fut, fan["forecast"], color="tab:blue", lw=2,
            label="SequenceForecaster (GRU)")
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
