"""Fixtures shared by the time-series tests."""

import pytest
from statsmodels.tsa.api import VAR

from econnn import impulse_response


@pytest.fixture
def against_var():
    """A comparison of a system's generalised impulse responses with
    statsmodels' VAR(1) orthogonalised ones (the shocked variable ordered
    first): for every shock and variable, ``(shock, variable, response,
    reference, half_band)`` with the asymptotic 95% half-band."""
    def compare(system, data, steps, n_paths):
        rows = []
        for shock in data:
            ours = impulse_response(system, data, shock, steps=steps,
                                    n_paths=n_paths, random_state=0)
            ordered = data[[shock] + [c for c in data if c != shock]]
            irf = VAR(ordered).fit(1).irf(steps)
            se = irf.stderr(orth=True)
            for i, name in enumerate(ordered):
                response = ours["response"].xs(name, level="variable")
                rows.append((shock, name, response.to_numpy(),
                             irf.orth_irfs[:, i, 0], 1.96 * se[:, i, 0]))
        return rows

    return compare
