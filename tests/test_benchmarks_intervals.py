"""benchmarks/intervals.py: its tiny mode runs and its tables add up."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "intervals.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("intervals_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_suite_data_sets_load_without_leakage(bench):
    X, y = bench.load("card")
    assert "wage" not in X and "lwage" not in X and "id" not in X
    assert not X.isna().any().any() and len(X) == len(y) > 2000
    X, y = bench.load("fertil2")
    assert "ceb" not in X and y.name == "children"


def test_tiny_run(bench, tmp_path):
    out = tmp_path / "tiny.md"
    records, table, ratios = bench.main(["--tiny", "--out", str(out),
                                         "--datasets", "boston"])
    econnn = records[records.library == "econnn"]
    assert set(econnn.method) == {"split", "cv+", "cqr"}
    assert set(econnn.nominal) == {0.9, 0.95}
    assert econnn.split.nunique() == 2
    assert econnn.coverage.between(0, 1).all()
    assert (econnn.width > 0).all()
    # the table is the mean over splits of the records
    row = table[(table.method == "cv+") & (table.nominal == 0.9)].iloc[0]
    sub = econnn[(econnn.method == "cv+") & (econnn.nominal == 0.9)]
    assert row.coverage == pytest.approx(sub.coverage.mean())
    assert row.se == pytest.approx(sub.coverage.std(ddof=1) / np.sqrt(2))
    text = out.read_text()
    assert "Held-out coverage" in text
    if importlib.util.find_spec("mapie") is None:
        assert ratios is None
    else:
        assert "Against MAPIE" in text and len(ratios) == 4
