"""impulse_response and scenario: against statsmodels' VAR and by hand."""

import copy

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.api import VAR

from econnn import (SequenceForecaster, impulse_response, make_windows,
                    scenario)

SMALL = dict(hidden_size=4, max_iter=20, random_state=0)
A = np.array([[0.5, 0.2], [-0.3, 0.6]])
CHOL = np.array([[1.0, 0.0], [0.5, 0.8]])


def var1(n=400, seed=0):
    """A bivariate VAR(1) with correlated shocks."""
    rng = np.random.default_rng(seed)
    y = np.zeros((n, 2))
    for t in range(1, n):
        y[t] = A @ y[t - 1] + CHOL @ rng.standard_normal(2)
    return pd.DataFrame(y, columns=["y1", "y2"], index=pd.period_range(
        "1900Q1", periods=n, freq="Q"))


def fit_system(data, lags=2, **params):
    return {name: SequenceForecaster(**{**SMALL, **params}).fit(
        *make_windows(data, lags=lags, target=name)) for name in data}


@pytest.fixture(scope="module")
def data():
    return var1()


@pytest.fixture(scope="module")
def system(data):
    """Default forecasters (AR order by AIC, network gated by a holdout)."""
    return fit_system(data)


@pytest.fixture(scope="module")
def linear(data):
    """Forecasters that are exactly statsmodels' VAR(1): same sample
    (windows of 1 lag), AR(1), the network's share set to zero."""
    models = fit_system(data, lags=1, ar_order=1)
    for model in models.values():
        model._set_gate(0.0)
    return models


def test_generalised_response_within_statsmodels_band(data, system,
                                                      against_var):
    """The target: at every horizon, for a shock to either variable, the
    response is within statsmodels' 95% band of its generalised response
    (the orthogonalised response with the shocked variable first)."""
    for shock, name, response, reference, band in against_var(
            system, data, steps=10, n_paths=400):
        assert np.all(np.abs(response - reference) <= band), (shock, name)
        if name == shock:
            # one standard deviation (statsmodels': degrees-of-freedom
            # corrected)
            assert response[0] == pytest.approx(reference[0], rel=0.01)


def test_linear_system_gives_the_var_generalised_response(data, linear):
    """Known answer: Psi_h Sigma e_j / sqrt(Sigma_jj), statsmodels' Psi_h
    and (maximum-likelihood) Sigma, for any shock size, with a band that
    collapses to the response."""
    res = VAR(data).fit(1)
    sigma = np.asarray(res.sigma_u_mle)
    psi = res.irf(6).irfs
    for j, shock in enumerate(data):
        expected = psi @ sigma[:, j] / np.sqrt(sigma[j, j])
        ours = impulse_response(linear, data, shock, steps=6, n_paths=200,
                                level=(0.5, 0.9), random_state=1)
        np.testing.assert_allclose(
            ours["response"].unstack()[list(data)].to_numpy(), expected,
            atol=1e-5)
        np.testing.assert_allclose(ours["lower_0.9"], ours["response"],
                                   atol=1e-6)
        doubled = impulse_response(linear, data, shock, size=-2 * np.sqrt(
            sigma[j, j]), steps=6, n_paths=200, random_state=2)
        np.testing.assert_allclose(doubled["response"],
                                   -2 * ours["response"], atol=1e-5)


def test_scenario_matches_the_conditional_var_forecast(data, linear):
    """Known answer: y1 imposed, y2's mean is the VAR forecast plus the
    regression of its shock on the shock y1's path implies, recursively."""
    res = VAR(data).fit(1)
    c, coef = res.params.to_numpy()[0], res.params.to_numpy()[1:].T
    sigma = np.asarray(res.sigma_u_mle)
    imposed = [1.0, -0.5, 0.25]
    ours = scenario(linear, data, {"y1": imposed}, steps=4, n_paths=400,
                    random_state=0)
    y, expected = data.to_numpy()[-1], []
    for h in range(4):
        mean = c + coef @ y
        if h < len(imposed):
            mean = mean + sigma[:, 0] / sigma[0, 0] * (imposed[h] - mean[0])
        expected.append(mean)
        y = mean
    forecast = ours["forecast"].unstack()[list(data)].to_numpy()
    np.testing.assert_allclose(forecast, np.array(expected), atol=1e-5)
    assert list(ours.index.get_level_values(0).unique().astype(str)) == \
        ["2000Q1", "2000Q2", "2000Q3", "2000Q4"]
    y1 = ours.xs("y1", level="variable")
    np.testing.assert_allclose(y1["lower_0.9"].iloc[:3], imposed)
    y2 = ours.xs("y2", level="variable")
    assert (y2["upper_0.9"] - y2["lower_0.9"] > 1).all()
    # y1 is free after its path: a band opens
    assert y1["upper_0.9"].iloc[3] - y1["lower_0.9"].iloc[3] > 1


def test_random_state_reproduces_the_simulation(data, system):
    # the network kept (half of it, for y1) makes the response path-specific
    system = copy.deepcopy(system)
    system["y1"]._set_gate(0.5)
    first = impulse_response(system, data, "y2", steps=4, n_paths=200,
                             random_state=3)
    again = impulse_response(system, data, "y2", steps=4, n_paths=200,
                             random_state=3)
    other = impulse_response(system, data, "y2", steps=4, n_paths=200,
                             random_state=4)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["lower_0.9"], other["lower_0.9"])
    a = scenario(system, data, {"y2": [0.0, np.nan, 1.0]}, n_paths=200,
                 random_state=5)
    b = scenario(system, data, {"y2": [0.0, np.nan, 1.0]}, n_paths=200,
                 random_state=5)
    pd.testing.assert_frame_equal(a, b)


def test_input_errors(data, system):
    with pytest.raises(TypeError, match="non-empty dict"):
        impulse_response([system["y1"]], data, "y1")
    with pytest.raises(ValueError, match="one forecaster per"):
        impulse_response({"y1": system["y1"]}, data, "y1")
    with pytest.raises(TypeError, match="must be a SequenceForecaster"):
        impulse_response({**system, "y2": "model"}, data, "y1")
    with pytest.raises(ValueError, match="not a variable"):
        impulse_response(system, data, "y3")
    with pytest.raises(ValueError, match="size must be"):
        impulse_response(system, data, "y1", size=0)
    with pytest.raises(ValueError, match="even integer"):
        impulse_response(system, data, "y1", n_paths=401)
    with pytest.raises(ValueError, match="too few simulated paths"):
        impulse_response(system, data, "y1", n_paths=20, level=0.95)
    with pytest.raises(ValueError, match="fewer|at least"):
        impulse_response(system, data.iloc[:8], "y1")
    three = data.assign(y3=0.5 * data["y1"])
    with pytest.raises(ValueError, match="fitted with 2 variable"):
        impulse_response({**system, "y3": system["y1"]}, three, "y1")
    X, y = make_windows(data, lags=2, horizon=2, target="y1")
    direct = SequenceForecaster(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="horizon=1"):
        impulse_response({**system, "y1": direct}, data, "y1")
    with pytest.raises(ValueError, match="not a variable"):
        scenario(system, data, {"y3": [1.0]})
    with pytest.raises(TypeError, match="path must be"):
        scenario(system, data, [1.0, 2.0])
    with pytest.raises(ValueError, match="shorter than"):
        scenario(system, data, {"y1": [1.0, 2.0]}, steps=1)
    with pytest.raises(ValueError, match="finite"):
        scenario(system, data, {"y1": [np.inf]})
    unfitted = copy.deepcopy(system)
    unfitted["y1"] = SequenceForecaster()
    with pytest.raises(Exception, match="not fitted"):
        impulse_response(unfitted, data, "y1")


def test_multivariate_forecaster_holds_out_with_covariates(data):
    """Regression: the held-out recursion of a forecaster with covariates
    read the (unknown, NaN) covariates after the series ended and failed."""
    X, y = make_windows(data, lags=2, horizon=2, target="y2")
    model = SequenceForecaster(**SMALL).fit(X, y)
    errors = model.holdout_errors_
    assert np.isfinite(errors[:, 0]).all()
    assert np.isnan(errors[-1, 2:]).all()


def test_benchmark_tiny(benchmark_script):
    table = benchmark_script("impulse_check").main(["--tiny"])
    assert len(table) == 4 and set(table["shock"]) == {"y1", "y2"}
    assert np.isfinite(table["max_diff_over_band"]).all()


def test_nonlinear_system_responds_asymmetrically():
    """A shock to y1 persists when it is positive (coefficient 0.9) and
    dies out when it is negative (-0.1): the network's share makes the
    responses to +-1 asymmetric, where a linear system's are exactly
    opposite, and the band over paths no longer collapses."""
    rng = np.random.default_rng(0)
    y = np.zeros((400, 2))
    for t in range(1, 400):
        e = 0.5 * rng.standard_normal(2)
        y[t, 0] = 0.9 * max(y[t - 1, 0], 0) - 0.1 * min(y[t - 1, 0], 0) + e[0]
        y[t, 1] = 0.5 * y[t - 1, 1] + 0.5 * y[t - 1, 0] + e[1]
    data = pd.DataFrame(y, columns=["y1", "y2"], index=pd.period_range(
        "1900Q1", periods=400, freq="Q"))
    # the network kept in full (no holdout): this checks the simulation of
    # a nonlinear system, not how much of the network a holdout keeps
    system = fit_system(data, hidden_size=16, max_iter=200,
                        holdout_fraction=0)
    origin = data.iloc[:-2]                 # y1 near 0 at the origin
    assert abs(origin["y1"].iloc[-1]) < 0.3
    up, down = (impulse_response(system, origin, "y1", size=size, steps=3,
                                 n_paths=400, random_state=0)
                for size in (1.0, -1.0))
    asymmetry = (up["response"] + down["response"]).xs("y1",
                                                       level="variable")
    assert asymmetry.iloc[0] == pytest.approx(0.0)
    assert (asymmetry.iloc[1:] > 0.1).all()
    band = (up["upper_0.9"] - up["lower_0.9"]).xs("y1", level="variable")
    assert (band.iloc[1:] > 0.1).all()
