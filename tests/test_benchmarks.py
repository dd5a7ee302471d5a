"""The benchmark script's tiny mode keeps working (no timing asserts)."""

import importlib.util
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / \
    "run_benchmarks.py"


@pytest.fixture(scope="module")
def results():
    spec = importlib.util.spec_from_file_location("run_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(["--tiny"])


@pytest.mark.parametrize("scenario", [1, 2])
def test_training_tables_have_every_contender(results, scenario):
    rows = {r["contender"]: r for r in results[scenario]}
    assert set(rows) == {"econnn", "econnn (float64)", "scikit-learn",
                         "skorch", "torch loop"}
    for row in rows.values():
        for key in ("wall s", "cpu s", "ratio", "R2", "samples/s",
                    "% matmul"):
            assert math.isfinite(row[key]), (row["contender"], key)
        assert row["wall s"] > 0 and row["samples/s"] > 0
    assert rows["econnn"]["ratio"] == 1


def test_defaults_table(results):
    rows = {r["contender"]: r for r in results[3]}
    assert set(rows) == {"econnn", "econnn (n_ensemble=1)", "scikit-learn"}
    assert all(math.isfinite(r["R2"]) for r in rows.values())


def test_predict_table(results):
    rows = {r["contender"]: r for r in results[4]}
    assert len(rows) == 5
    assert all(r["1 row us"] > 0 and math.isfinite(r["rows/s"])
               for r in rows.values())


def test_memory_table(results):
    rows = {r["contender"]: r for r in results[5]}
    assert set(rows) == {"econnn", "scikit-learn"}
    assert all(r["input MB"] > 0 and math.isfinite(r["peak / input"])
               for r in rows.values())


def _load(name):
    path = SCRIPT.parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_likelihoods_benchmark_tiny():
    rows = _load("likelihoods").main(["--tiny"])
    assert [r["loss"] for r in rows] == [
        "tobit", "fractional_logit", "negative_binomial",
        "zero_inflated_poisson", "ordered_logit", "ordered_probit"]
    assert all(math.isfinite(r["linear"]) and math.isfinite(r["network"])
               for r in rows)


def test_monotone_benchmark_tiny():
    boston, simulated = _load("monotone").main(["--tiny"])
    rows = {r["model"]: r for r in boston}
    assert rows["monotone"]["violations (nox, rm, crim)"] == (0, 0, 0)
    assert all(math.isfinite(r["RMSE to truth"]) for r in simulated)


def test_forecast_benchmark_tiny_mode():
    """benchmarks/forecast_benchmark.py --tiny: two series, two origins."""
    table = _load("forecast_benchmark").main(["--tiny"])
    series = set(table.index.get_level_values("series"))
    assert series == {"realcons growth", "tbilrate"}
    models = set(table.index.get_level_values("model"))
    assert {"forecaster", "AR(AIC)", "ETS", "seasonal naive"} <= models
    assert all(math.isfinite(v) for v in table["rmse"])
