"""Compare forecaster configurations on the cached development suite.

Reads what ``forecast_benchmark.py`` cached (classical forecasts and the
forecaster's under each ``--tag``) and prints, per configuration, the
suite's targets: median RMSE over the best classical model, the worst cells,
cells over 1.25x best classical and 1.1x AR(AIC), and the mean coverage of
the 80% and 95% bands at h = 1 and h = H. Then the leave-one-series-out
choice: for every series, the configuration with the best score on the
*other* series (mean log RMSE ratio to the best classical model, over both
horizons), and that configuration's figures on the series left out.

    python benchmarks/forecast_compare.py default gate
    python benchmarks/forecast_compare.py --refits 4 default gate both

A tag may name fallbacks, ``both+gate``: series missing under ``both`` are
read from ``gate`` (for a change that affects only some series).
``--heldout`` reads what ``forecast_benchmark.py --heldout`` cached (the
held-out series, never used for any choice), ``--heldout2`` the second
held-out set's (``forecast_heldout2.py``):

    python benchmarks/forecast_compare.py --heldout default
    python benchmarks/forecast_compare.py --heldout2 gate4 comb4

``--classical`` adds each classical model alone as a column (the AR's
bands are statsmodels'; the others' are not scored). ``--average-seeds
0 1 2`` adds, for each tag, the point forecasts averaged over those
seeds' runs (an ensemble of whole forecasters; its bands are not
scored):

    python benchmarks/forecast_compare.py --refits 4 gate4 --average-seeds 0 1 2
"""

import argparse
import glob
import os

import numpy as np
import pandas as pd

LEVELS = (0.8, 0.95)
#: the benchmark's sets of series -> the suffix of their cache keys
SERIES_SETS = {"suite": "", "heldout": "_heldout", "heldout2": "_heldout2"}
CLASSICAL = ("AR(AIC)", "ARIMA", "ETS", "seasonal naive")


def load(folder, key, tag, seed):
    """Forecast rows of every series under ``tag`` (with fallbacks)."""
    frames = {}
    for part in reversed(tag.split("+")):
        for path in glob.glob(f"{folder}/econnn_{part}_{key}_seed{seed}/"
                              "*.pkl"):
            frames[os.path.basename(path)] = path
    out = {}
    for name, path in sorted(frames.items()):
        classical = f"{folder}/classical_{key}/{name}"
        if not os.path.exists(classical):
            continue
        ours, _, fits = pd.read_pickle(path)
        rows, _ = pd.read_pickle(classical)
        out[name[:-4]] = (ours, rows, fits)
    return out


def horizon_cells(ours, rows, model="forecaster"):
    """RMSE of ``model`` over the best classical model and over AR(AIC)
    at h = 1 and h = H, and its coverage (NaN where it has no bands)."""
    both = pd.concat([ours, rows], ignore_index=True)
    H = int(both["horizon"].max())
    cells = {}
    for h in (1, H):
        part = both[both["horizon"] == h]
        rmse = part.groupby("model").apply(
            lambda g: np.sqrt(np.mean((g["actual"] - g["forecast"]) ** 2)),
            include_groups=False)
        mine = part[part["model"] == model]
        cov = {lev: float(np.mean((mine["actual"] >= mine[f"lower_{lev:g}"])
                                  & (mine["actual"] <= mine[
                                      f"upper_{lev:g}"])))
               if f"lower_{lev:g}" in mine and mine[f"lower_{lev:g}"]
               .notna().all() else np.nan for lev in LEVELS}
        best = min(rmse[m] for m in CLASSICAL if m in rmse)
        cells[h] = {"h": h, "best": rmse[model] / best,
                    "ar": rmse[model] / rmse["AR(AIC)"],
                    "cov80": cov[0.8], "cov95": cov[0.95], "first": h == 1}
    return list(cells.values())


def average_seeds(folder, key, tag, seeds):
    """``load``'s data for ``tag`` with each forecast the mean of the
    ``seeds``' runs (the series every seed has); bands dropped."""
    runs = [load(folder, key, tag, seed) for seed in seeds]
    out = {}
    for name in set.intersection(*(set(run) for run in runs)):
        ours, rows, fits = runs[0][name]
        forecasts = [run[name][0] for run in runs]
        if not all(f[["horizon", "actual"]].equals(ours[["horizon", "actual"]])
                   for f in forecasts):
            raise ValueError(f"{name}: the seeds' runs forecast different "
                             "origins or horizons")
        ours = ours.copy()
        ours["forecast"] = np.mean([f["forecast"].to_numpy()
                                    for f in forecasts], axis=0)
        for column in ours.columns:
            if column.startswith(("lower_", "upper_")):
                ours[column] = np.nan
        out[name] = (ours, rows, fits)
    return dict(sorted(out.items()))


def table(data, model="forecaster"):
    """One row per (series, h): ratios and coverage of ``model``."""
    out = []
    for name, (ours, rows, _) in data.items():
        for cell in horizon_cells(ours, rows, model):
            out.append({"series": name, **cell})
    return pd.DataFrame(out)


def summary(cells):
    """The suite's targets for one configuration."""
    first, last = cells[cells["first"]], cells[~cells["first"]]
    worst = cells.sort_values("best", ascending=False).head(3)
    return {
        "median/best": cells["best"].median(),
        "mean log/best": np.log(cells["best"]).mean(),
        ">1.25 best": int((cells["best"] > 1.25).sum()),
        ">1.1 AR": int((cells["ar"] > 1.1).sum()),
        "max/AR": cells["ar"].max(),
        "cov80 h1": first["cov80"].mean(), "cov95 h1": first["cov95"].mean(),
        "cov80 hH": last["cov80"].mean(), "cov95 hH": last["cov95"].mean(),
        "below nominal-10": ", ".join(
            f"{r.series} h={r.h} {r.cov80:.2f}/{r.cov95:.2f}"
            for r in cells[(cells["cov80"] < 0.7) | (cells["cov95"] < 0.85)]
            .itertuples()),
        "worst": ", ".join(f"{r.series} h={r.h} {r.best:.3f}"
                           for r in worst.itertuples()),
    }


def add_cache_arguments(parser, heldout_help="read what "
                        "forecast_benchmark.py --heldout cached"):
    """The arguments that say which cached benchmark run to read."""
    parser.add_argument("--cache", default="benchmarks/results/"
                        "forecast_cache")
    parser.add_argument("--refits", type=int, default=4)
    parser.add_argument("--step", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true",
                        help="read what forecast_benchmark.py --tiny cached")
    add_series_set_arguments(parser, heldout_help)


def add_series_set_arguments(parser, heldout_help="the held-out series "
                             "(forecast_heldout.py)"):
    """``--heldout`` / ``--heldout2``: which set of series, as
    ``args.series_set`` (a key of ``SERIES_SETS``; 'suite' without)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--heldout", dest="series_set", action="store_const",
                       const="heldout", default="suite", help=heldout_help)
    group.add_argument("--heldout2", dest="series_set",
                       action="store_const", const="heldout2",
                       help="the second held-out set (forecast_heldout2.py)"
                       " instead")


def cache_key(args):
    """The cache key of the run that :func:`add_cache_arguments` name."""
    return f"r{args.refits}_s{args.step}" + ("_tiny" if args.tiny else "") \
        + SERIES_SETS[args.series_set]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tags", nargs="+")
    parser.add_argument("--bands", action="store_true",
                        help="compare band rules (RULES) on the first tag")
    parser.add_argument("--classical", action="store_true",
                        help="also score each classical model alone (from "
                        "the first tag's cache) against the same targets")
    parser.add_argument("--average-seeds", type=int, nargs="+",
                        metavar="SEED", help="also score each tag's point "
                        "forecasts averaged over these seeds' runs")
    add_cache_arguments(parser)
    args = parser.parse_args(argv)
    key = cache_key(args)
    if args.bands:
        return compare_bands(load(args.cache, key, args.tags[0], args.seed))
    cells = {tag: table(load(args.cache, key, tag, args.seed))
             for tag in args.tags}
    if args.average_seeds:
        label = " ".join(map(str, args.average_seeds))
        cells.update({f"{tag} mean of seeds {label}": table(average_seeds(
            args.cache, key, tag, args.average_seeds)) for tag in args.tags})
    if args.classical:
        data = load(args.cache, key, args.tags[0], args.seed)
        cells.update({m: table(data, m) for m in CLASSICAL})
    common = set.intersection(*(set(c["series"]) for c in cells.values()))
    cells = {t: c[c["series"].isin(common)] for t, c in cells.items()}
    pd.set_option("display.width", 200)
    print(f"{len(common)} series in common\n")
    summaries = pd.DataFrame({t: summary(c) for t, c in cells.items()})
    if args.classical:
        # a row per model; the per-series lists would not fit
        print(summaries.drop(["below nominal-10", "worst"]).T.to_string(
            float_format=lambda v: f"{v:.3f}"))
        return cells
    print(summaries.to_string(float_format=lambda v: f"{v:.3f}"))
    if len(args.tags) < 2:
        return cells
    loo = leave_one_series_out(cells)
    print("\nLeft-out figures (each series with the configuration chosen "
          "without it):")
    print(pd.Series(summary(loo)).to_string())
    return cells


def leave_one_series_out(cells, verbose=True):
    """For every series, the configuration (key of ``cells``, each a
    ``table``) with the lowest mean log ratio to the best classical model
    on the *other* series, and its cells on the series left out (column
    ``pick``)."""
    if verbose:
        print("\nLeave one series out: the configuration with the lowest "
              "mean log ratio to the best classical on the other series")
    picks = []
    series = set.intersection(*(set(c["series"]) for c in cells.values()))
    for name in sorted(series):
        scores = {t: np.log(c.loc[c["series"] != name, "best"]).mean()
                  for t, c in cells.items()}
        pick = min(scores, key=scores.get)
        left = cells[pick][cells[pick]["series"] == name]
        picks.append(left.assign(pick=pick))
        if verbose:
            print(f"  {name}: {pick} -> " + ", ".join(
                f"h={r.h} {r.best:.3f}/best {r.ar:.3f}/AR" for r in
                left.itertuples()))
    return pd.concat(picks)


# ------------------------------------------------- band rules, offline
def _conformal(abs_z, coverage):
    """The ceil((n + 1) c)-th smallest of ``abs_z`` (the largest if beyond)."""
    z = np.sort(abs_z[np.isfinite(abs_z)])
    rank = int(np.ceil((len(z) + 1) * coverage)) - 1
    return z[min(max(rank, 0), len(z) - 1)]


def _rms_scale(errors, factor, monotone=True):
    scale = np.sqrt(np.nanmean(errors ** 2, axis=0))
    if monotone:
        scale = np.maximum.accumulate(scale)
    return scale * factor


def rule_pooled(errors, factor, h, coverage, monotone=True):
    """The bands until 22 Nov 2026: RMS scale per horizon (non-decreasing),
    widened by ``factor``; the conformal quantile of |z| pooled over
    horizons."""
    keep = np.isfinite(errors).sum(axis=0) >= 3
    errors = errors[:, :np.argmin(keep) if not keep.all() else None]
    scale = _rms_scale(errors, 1.0, monotone)
    q = _conformal(np.abs(errors / scale).ravel(), coverage)
    k = min(h, len(scale)) - 1
    return scale[k] * factor * q


def rule_per_horizon(errors, factor, h, coverage):
    """|errors| at horizon h alone: conformal quantile, times factor."""
    k = min(h, errors.shape[1]) - 1
    e = np.abs(errors[:, k])
    return _conformal(e, coverage) * factor


def rule_pooled_nofactor(errors, factor, h, coverage):
    """The current bands without the widening to the full-sample spread."""
    return rule_pooled(errors, 1.0, h, coverage)


def rule_mae_pooled(errors, factor, h, coverage):
    """Scale by the mean absolute error per horizon (non-decreasing), the
    shape pooled as in 'pooled'."""
    keep = np.isfinite(errors).sum(axis=0) >= 3
    errors = errors[:, :np.argmin(keep) if not keep.all() else None]
    scale = np.maximum.accumulate(np.nanmean(np.abs(errors), axis=0))
    q = _conformal(np.abs(errors / scale).ravel(), coverage)
    return scale[min(h, len(scale)) - 1] * factor * q


def rule_neighbours(errors, factor, h, coverage, monotone=True):
    """RMS scale per horizon; the shape pooled over horizons h-1..h+1."""
    keep = np.isfinite(errors).sum(axis=0) >= 3
    errors = errors[:, :np.argmin(keep) if not keep.all() else None]
    scale = _rms_scale(errors, 1.0, monotone)
    k = min(h, len(scale)) - 1
    z = errors[:, max(k - 1, 0):k + 2] / scale[max(k - 1, 0):k + 2]
    return scale[k] * factor * _conformal(np.abs(z).ravel(), coverage)


def _trim(errors):
    """The horizons up to the first with fewer than 3 errors."""
    keep = np.isfinite(errors).sum(axis=0) >= 3
    return errors[:, :np.argmin(keep) if not keep.all() else None]


def _half_scale(errors):
    """RMS per horizon, non-decreasing; NaN from the first horizon with
    fewer than 3 errors on."""
    counts = np.isfinite(errors).sum(axis=0)
    last = int(np.argmin(counts >= 3)) if not (counts >= 3).all() \
        else len(counts)
    scale = np.full(errors.shape[1], np.nan)
    if last:
        scale[:last] = _rms_scale(errors[:, :last], 1.0)
    return scale


def cross_abs_z(errors):
    """|error| of each half of the held-out origins over the *other* half's
    scale (split conformal: scale and quantiles from different data)."""
    first, second = np.array_split(errors, [len(errors) // 2])
    with np.errstate(invalid="ignore"):
        return np.abs(np.vstack([first / _half_scale(second),
                                 second / _half_scale(first)]))


def weighted_conformal(values, weights, coverage):
    """Smallest value whose cumulative weight share reaches
    ``coverage (1 + 1 / n_eff)`` (the ceil((n + 1) c)-th smallest with
    equal weights; the largest when beyond)."""
    order = np.argsort(values)
    values, weights = values[order], weights[order] / weights[order].sum()
    n_eff = 1.0 / np.sum(weights ** 2)
    index = np.searchsorted(np.cumsum(weights),
                            coverage * (n_eff + 1) / n_eff - 1e-12)
    return values[min(index, len(values) - 1)]


def horizon_quantile(abs_z, h, coverage, power):
    """Conformal quantile of ``abs_z`` (origins x horizons) at horizon h,
    the errors of horizon j weighted ``(min(j, h) / max(j, h)) ** power``
    (``power=0``: pooled over horizons)."""
    finite = np.isfinite(abs_z)
    j = np.broadcast_to(np.arange(1, abs_z.shape[1] + 1),
                        abs_z.shape)[finite]
    h = min(h, abs_z.shape[1])
    weights = (np.minimum(j, h) / np.maximum(j, h)) ** power
    return weighted_conformal(abs_z[finite], weights, coverage)


def make_rule(cross=False, power=0, widen=1.0):
    """A band rule: RMS scale per horizon (non-decreasing) times
    ``factor ** widen``, times the horizon-weighted conformal quantile of
    the standardised errors -- each half's over the other half's scale
    with ``cross``, over their own horizon's scale without."""
    def rule(errors, factor, h, coverage):
        errors = _trim(errors)
        scale = _rms_scale(errors, 1.0)
        abs_z = cross_abs_z(errors) if cross else np.abs(errors / scale)
        k = min(h, len(scale))
        return scale[k - 1] * (factor ** widen) * horizon_quantile(
            abs_z, k, coverage, power)
    return rule


#: the rule tried as the default on 22 Nov 2026 (commit 5847f7c) and not
#: adopted: cross-standardised, weighted towards horizon h, no widening
rule_cross = make_rule(cross=True, power=2, widen=0.0)

RULES = {"pooled": rule_pooled, "per-horizon": rule_per_horizon,
         "pooled, no factor": rule_pooled_nofactor,
         "MAE-scaled pooled": rule_mae_pooled,
         "neighbours": rule_neighbours,
         "pooled, free scale": lambda *a: rule_pooled(*a, monotone=False),
         "neighbours, free scale":
             lambda *a: rule_neighbours(*a, monotone=False),
         # 22 Nov 2026 (issue 14): widening to the power 1/2, shape
         # weighted towards horizon h, cross-standardised halves
         "pooled, widened^0.5": make_rule(widen=0.5),
         "horizon^2": make_rule(power=2),
         "horizon^4": make_rule(power=4),
         "horizon^4, widened^0.5": make_rule(power=4, widen=0.5),
         "cross, pooled, unwidened": make_rule(cross=True, widen=0.0),
         "cross, horizon^2, unwidened": rule_cross,
         "cross, horizon^4, unwidened": make_rule(cross=True, power=4,
                                                  widen=0.0),
         "cross, horizon^2, widened^0.5": make_rule(cross=True, power=2,
                                                    widen=0.5),
         "cross, horizon^2, widened": make_rule(cross=True, power=2)}


def recompute(ours, fits, rule):
    """The forecaster's rows with bands from ``rule``."""
    out = ours.copy()
    for lev in LEVELS:
        half = np.array([
            rule(fits[int(r)]["holdout_errors"], fits[int(r)]["factor"],
                 int(h), lev) for r, h in zip(out["refit"], out["horizon"])])
        out[f"lower_{lev:g}"] = out["forecast"] - half
        out[f"upper_{lev:g}"] = out["forecast"] + half
    return out


def coverage_table(data, rule):
    """Coverage per series at h = 1 and h = H with bands from ``rule``."""
    out = []
    for name, (ours, _, fits) in data.items():
        mine = recompute(ours[ours["model"] == "forecaster"], fits, rule)
        H = int(mine["horizon"].max())
        for h in (1, H):
            part = mine[mine["horizon"] == h]
            out.append({"series": name, "first": h == 1, **{
                f"cov{lev:g}": float(np.mean(
                    (part["actual"] >= part[f"lower_{lev:g}"]) &
                    (part["actual"] <= part[f"upper_{lev:g}"])))
                for lev in LEVELS}})
    return pd.DataFrame(out)


def coverage_summary(cov):
    first, last = cov[cov["first"]], cov[~cov["first"]]
    return {"cov80 h1": first["cov0.8"].mean(),
            "cov95 h1": first["cov0.95"].mean(),
            "cov80 hH": last["cov0.8"].mean(),
            "cov95 hH": last["cov0.95"].mean(),
            "series < nominal-10": ", ".join(sorted(set(
                cov.loc[(cov["cov0.8"] < 0.7) | (cov["cov0.95"] < 0.85),
                        "series"])))}


def _miss(cov):
    """Squared distance of the four mean coverages from nominal."""
    s = coverage_summary(cov)
    return sum((s[f"cov{k} {h}"] - int(k) / 100) ** 2
               for k in ("80", "95") for h in ("h1", "hH"))


def compare_bands(data):
    """Every rule of RULES on the same forecasts, and the LOO choice."""
    tables = {r: coverage_table(data, rule) for r, rule in RULES.items()}
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 90)
    print(pd.DataFrame({r: coverage_summary(t) for r, t in tables.items()})
          .T.to_string(float_format=lambda v: f"{v:.3f}"))
    picks = []
    for name in sorted(data):
        miss = {r: _miss(t[t["series"] != name]) for r, t in tables.items()}
        pick = min(miss, key=miss.get)
        picks.append(tables[pick][tables[pick]["series"] == name].assign(
            pick=pick))
    loo = pd.concat(picks)
    print("\nLeft-out coverage (each series with the rule chosen on the "
          "others):", dict(loo.groupby("series")["pick"].first()))
    print(pd.Series(coverage_summary(loo)).to_string())
    return tables


if __name__ == "__main__":
    main()
