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


def test_coverage_study_tiny_run():
    path = SCRIPT.parent / "coverage.py"
    spec = importlib.util.spec_from_file_location("coverage_study", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(["--tiny"])
    influence = table[table["method"] == "influence"]
    assert set(influence["design"]) == set(module.DESIGNS)
    assert set(influence["target"]) == {"x0", "d"}
    assert (influence["mean SE"] > 0).all()
    assert table["coverage"].between(0, 1).all()
    assert set(table["method"]) == {"influence", "naive plug-in",
                                    "bootstrap"}
    # the true effects: closed form, or Monte Carlo for logit and Poisson
    assert module.truth("nonlinear")["x0"] == pytest.approx(0.6065, abs=1e-4)
    assert 0 < module.truth("logit")["x0"] < 0.25
