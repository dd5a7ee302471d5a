"""fit_system: one VAR order for every equation, against statsmodels' VAR."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.api import VAR

from econnn import SequenceForecaster, fit_system, make_windows
from econnn.timeseries._linear import fit_autoregression
from econnn.timeseries._system import var_order_criteria

TINY = dict(hidden_size=2, max_iter=5, random_state=0)
CHOL = np.array([[1.0, 0.0], [0.5, 0.8]])
VAR1 = [np.array([[0.5, 0.2], [-0.3, 0.6]])]
VAR2 = [np.array([[0.4, 0.1], [0.0, 0.3]]),
        np.array([[0.3, 0.0], [-0.2, 0.4]])]


def simulate(coefs, n=400, seed=0):
    """A bivariate VAR with correlated shocks, after 50 periods of burn-in
    (the design of benchmarks/impulse_check.py)."""
    rng = np.random.default_rng(seed)
    y = np.zeros((n + 50, 2))
    for t in range(len(coefs), n + 50):
        y[t] = sum(a @ y[t - k - 1] for k, a in enumerate(coefs)) + \
            CHOL @ rng.standard_normal(2)
    return pd.DataFrame(y[50:], columns=["y1", "y2"], index=pd.period_range(
        "1920Q1", periods=n, freq="Q"))


@pytest.mark.parametrize("coefs, true_order", [(VAR1, 1), (VAR2, 2)])
def test_order_and_coefficients_are_statsmodels_var(coefs, true_order):
    data = simulate(coefs, n=200, seed=1)
    system = fit_system(SequenceForecaster(**TINY), data)
    lags = system["y1"].n_timesteps_
    assert lags == 9  # lags='auto' for quarterly data
    selection = VAR(data).select_order(lags)
    # the criterion at every order, not only its minimum
    X, _ = make_windows(data, lags=lags)
    np.testing.assert_allclose(
        var_order_criteria(X, data.to_numpy()[lags:]),
        selection.ics["aic"], rtol=0, atol=1e-10)
    order = selection.aic
    assert order == true_order
    for name, model in system.items():
        assert model.ar_order_ == order
        assert model.get_params()["ar_order"] == order
        # each equation's AR is statsmodels' VAR(p), on its whole sample
        ordered = data[[name] + [c for c in data if c != name]]
        params = VAR(ordered).fit(order).params.to_numpy()[:, 0]
        intercept, coef = model._ar
        np.testing.assert_allclose(intercept[0], params[0], atol=1e-8)
        np.testing.assert_allclose(coef[:, 0], params[1:], atol=1e-8)


def test_explicit_ar_order_is_kept():
    data = simulate(VAR1, n=120)
    system = fit_system(SequenceForecaster(ar_order=2, **TINY), data,
                        lags=3)
    assert [m.ar_order_ for m in system.values()] == [2, 2]
    assert [m.n_timesteps_ for m in system.values()] == [3, 3]
    system = fit_system(SequenceForecaster(ar_order=None, **TINY), data,
                        lags=3)
    assert [m.ar_order_ for m in system.values()] == [None, None]


def test_bad_input():
    data = simulate(VAR1, n=120)
    model = SequenceForecaster(**TINY)
    with pytest.raises(TypeError, match="DataFrame"):
        fit_system(model, data.to_numpy())
    with pytest.raises(TypeError, match="DataFrame"):
        fit_system(model, data["y1"])
    with pytest.raises(ValueError, match="two or more"):
        fit_system(model, data[["y1"]])
    gap = data.copy()
    gap.iloc[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit_system(model, gap)
    with pytest.raises(TypeError, match="indexed by time"):
        fit_system(model, data.reset_index(drop=True))
    with pytest.raises(TypeError, match="SequenceForecaster"):
        fit_system({"y1": model}, data)
    with pytest.raises(ValueError, match="known_future"):
        fit_system(SequenceForecaster(known_future=("y2",), **TINY), data)
    with pytest.raises(TypeError, match="sample_weight"):
        fit_system(model, data, sample_weight=np.ones(len(data)))
    with pytest.raises(ValueError, match="duplicate"):
        fit_system(model, data.set_axis(["y", "y"], axis=1))
    with pytest.raises(ValueError, match="singular"):
        fit_system(model, data.assign(y3=data["y1"] + data["y2"]))
    with pytest.raises(ValueError, match="lags"):
        fit_system(model, data, lags=0)


def test_impulse_response_on_defaults_within_statsmodels_band(against_var):
    """The issue's target on default windows (9 quarters) and default
    forecasters, at a seed where each equation's own AIC picks another
    model than the VAR(1) (order 5 for y2) and its responses leave
    statsmodels' band (benchmarks/impulse_check.py, seed 0)."""
    data = simulate(VAR1, n=400, seed=0)
    X, y = make_windows(data, target="y2")
    own_order = fit_autoregression(X, y.to_numpy()[:, None],
                                   np.ones(len(y)))[0]
    assert own_order == 5
    system = fit_system(SequenceForecaster(random_state=0), data)
    assert [m.ar_order_ for m in system.values()] == [1, 1]
    for shock, name, response, reference, half_band in against_var(
            system, data, steps=12, n_paths=1000):
        gap = np.abs(response - reference)
        assert (gap <= half_band).all(), (shock, name)


def test_benchmark_tiny_system(benchmark_script):
    table = benchmark_script("impulse_check").main(["--tiny", "--system"])
    assert len(table) == 4 and set(table["shock"]) == {"y1", "y2"}
    # seed 0: one order for both equations, the VAR's
    assert table["inside"].all()
