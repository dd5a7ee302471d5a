"""Forecast combination, offline: the forecaster averaged with ETS and ARIMA.

Reads what ``forecast_benchmark.py`` cached (the classical models' forecasts
and the forecaster's under ``--tag``, by default ``arfull``, the default
since 22 Nov 2026) through ``forecast_compare.load`` and scores combined
point forecasts per cell (series x horizon h = 1 and h = H) with the
suite's targets: median RMSE ratio to the best classical model of the cell
(AR(AIC), ARIMA, ETS, seasonal naive; chosen after the fact), mean log
ratio, cells over 1.25x best classical and over 1.1x AR(AIC). The rules
(``RULES``):

- ``econnn``: the forecaster alone (the reference);
- ``mean(econnn, ETS)``, ``mean(econnn, ARIMA)``,
  ``mean(econnn, ETS, ARIMA)``: equal weights;
- ``inverse MSE, kappa=k``: econnn, ETS and ARIMA weighted at each origin
  by the inverse of their mean squared error at the same horizon over the
  forecasts already realised then (origin j at horizon h is realised at
  origin k when j + h <= k; nothing later is read), shrunk towards equal
  weights by ``n / (n + k)`` with n the number of those errors (equal
  weights while n = 0).

The choice among the rules is made on the development series by leaving
one series out (``forecast_compare.leave_one_series_out``: the rule with
the lowest mean log ratio on the other eleven). The chosen rule is then
run once on the held-out series::

    python benchmarks/forecast_combination.py --refits 4
    python benchmarks/forecast_combination.py --refits 4 --heldout \\
        --rule "inverse MSE, kappa=5"

``--supplementary`` adds rules scored on the development series only and
never chosen from (``SUPPLEMENTARY``: without ARIMA, the slow member).

Point forecasts only: a combination's bands are not scored here.
"""

import argparse
import importlib.util
import os

import numpy as np
import pandas as pd


def _compare():
    """``forecast_compare.py`` beside this file (benchmarks/ is no
    package)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "forecast_compare.py")
    spec = importlib.util.spec_from_file_location("forecast_compare", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare = _compare()
MEMBERS = ("forecaster", "ETS", "ARIMA")
TARGETS = ("median/best", "mean log/best", ">1.25 best", ">1.1 AR",
           "max/AR", "worst")


def wide(ours, rows):
    """Forecasts of every model side by side: index (origin, horizon),
    a column per model and ``actual``. Origins are numbered in the order
    the rows were written (each origin's rows start at horizon 1)."""
    parts = []
    for _, group in pd.concat([ours, rows], ignore_index=True).groupby(
            "model", sort=False):
        origin = (group["horizon"] == 1).cumsum() - 1
        parts.append(group.assign(origin=origin.to_numpy()))
    long = pd.concat(parts, ignore_index=True)
    actual = long.groupby(["origin", "horizon"])["actual"]
    if not np.allclose(actual.min(), actual.max()):
        raise ValueError("the models' rows do not line up by origin")
    out = long.pivot(index=["origin", "horizon"], columns="model",
                     values="forecast")
    out["actual"] = actual.first()
    return out


def equal_weights(members):
    """The rule: the plain mean of ``members``' forecasts."""
    return lambda frame: frame[list(members)].mean(axis=1)


def past_weights(errors, h, kappa):
    """Weights per origin (rows) of the members (columns) at horizon ``h``,
    from ``errors`` (origins x members, origin j's forecast errors at h):
    at origin k only the errors of origins j <= k - h (realised by then)
    are used; inverse mean squared error, shrunk towards equal weights by
    n / (n + kappa), equal weights while n = 0."""
    errors = np.asarray(errors, dtype=float)
    n_origins, n_members = errors.shape
    equal = np.full(n_members, 1.0 / n_members)
    weights = np.tile(equal, (n_origins, 1))
    for k in range(n_origins):
        past = errors[:max(k - h + 1, 0)]
        if not len(past):
            continue
        inverse = 1.0 / np.maximum(np.mean(past ** 2, axis=0), 1e-300)
        share = len(past) / (len(past) + kappa)
        weights[k] = share * inverse / inverse.sum() + (1 - share) * equal
    return weights


def inverse_mse(members, kappa):
    """The rule: ``past_weights`` at each horizon."""
    def rule(frame):
        out = pd.Series(np.nan, index=frame.index)
        for h, part in frame.groupby(level="horizon"):
            forecasts = part[list(members)].to_numpy()
            errors = part[["actual"]].to_numpy() - forecasts
            weights = past_weights(errors, int(h), kappa)
            out[part.index] = np.sum(weights * forecasts, axis=1)
        return out
    rule.members, rule.kappa = tuple(members), kappa
    return rule


def last_weights(data, rule):
    """An inverse-MSE rule's weights at the last origin of every series
    with a forecast at h = 1 and at h = H."""
    out = {}
    for name, (ours, rows, _) in data.items():
        frame = wide(ours, rows)
        H = int(frame.index.get_level_values("horizon").max())
        for h in (1, H):
            part = frame.xs(h, level="horizon")
            errors = part[["actual"]].to_numpy() - part[
                list(rule.members)].to_numpy()
            out[f"{name} h={h}"] = past_weights(errors, h, rule.kappa)[-1]
    return pd.DataFrame(out, index=rule.members).T


RULES = {"econnn": equal_weights(["forecaster"]),
         "mean(econnn, ETS)": equal_weights(["forecaster", "ETS"]),
         "mean(econnn, ARIMA)": equal_weights(["forecaster", "ARIMA"]),
         "mean(econnn, ETS, ARIMA)": equal_weights(MEMBERS),
         "inverse MSE, kappa=5": inverse_mse(MEMBERS, 5),
         "inverse MSE, kappa=20": inverse_mse(MEMBERS, 20)}

#: scored with --supplementary on the development series only, never among
#: the rules chosen from: what a combination without auto_arima (pmdarima,
#: the slow member, not a dependency of econnn) would give
SUPPLEMENTARY = {"inverse MSE (econnn, ETS), kappa=5":
                 inverse_mse(["forecaster", "ETS"], 5)}


def combined(ours, rows, rule):
    """The forecaster's rows with ``rule``'s point forecasts (no bands),
    AR(AIC)'s rows as they were, for ``forecast_compare.horizon_cells``."""
    frame = wide(ours, rows)
    point = rule(frame)
    out = []
    for model, values in (("forecaster", point),
                          ("AR(AIC)", frame["AR(AIC)"])):
        out.append(pd.DataFrame({
            "model": model, "horizon": frame.index.get_level_values(
                "horizon"), "actual": frame["actual"].to_numpy(),
            "forecast": values.to_numpy(),
            **{f"{side}_{lev:g}": np.nan for side in ("lower", "upper")
               for lev in compare.LEVELS}}))
    return pd.concat(out, ignore_index=True)


def table(data, rule):
    """``forecast_compare.table`` for ``rule``'s combined forecasts."""
    return compare.table({name: (combined(ours, rows, rule), rows, fits)
                          for name, (ours, rows, fits) in data.items()})


def timings(folder, key, tag, seed):
    """Median over series of the cached seconds: (fit, forecast) per
    classical model, fit and forecasts per refit for the forecaster."""
    out = {}
    for path in sorted(os.listdir(f"{folder}/classical_{key}")):
        _, times = pd.read_pickle(f"{folder}/classical_{key}/{path}")
        mine = f"{folder}/econnn_{tag}_{key}_seed{seed}/{path}"
        if os.path.exists(mine):
            times = {**times, "econnn": (pd.read_pickle(mine)[1], np.nan)}
        out[path[:-4]] = {f"{m} {part}": t[i] for m, t in times.items()
                          for i, part in enumerate(("fit s", "forecast s"))}
    return pd.DataFrame(out).T


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="arfull")
    compare.add_cache_arguments(
        parser, heldout_help="the held-out series: only --rule (and econnn "
        "alone, for reference)")
    parser.add_argument("--supplementary", action="store_true",
                        help="also score SUPPLEMENTARY (development series; "
                        "not chosen from)")
    parser.add_argument("--rule", choices=list(RULES),
                        help="with --heldout(2): the rule chosen on the "
                        "development series")
    args = parser.parse_args(argv)
    key = compare.cache_key(args)
    held_out = args.series_set != "suite"
    data = compare.load(args.cache, key, args.tag, args.seed)
    if not data:
        raise ValueError(f"nothing cached under {args.cache} for {key}, "
                         f"tag {args.tag!r}")
    if held_out and args.rule is None:
        parser.error("a held-out set needs the --rule chosen on the development "
                     "series")
    names = [args.rule, "econnn"] if held_out else list(RULES)
    rules = {**RULES, **SUPPLEMENTARY}
    cells = {name: table(data, rules[name]) for name in dict.fromkeys(names)}
    extra = {name: table(data, rule) for name, rule in SUPPLEMENTARY.items()
             } if args.supplementary and not held_out else {}
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 120)
    print(f"{len(data)} series, tag {args.tag!r}, key {key}\n")
    summaries = pd.DataFrame({name: {k: compare.summary(c)[k]
                                     for k in TARGETS}
                              for name, c in {**cells, **extra}.items()})
    print(summaries.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nPer cell, RMSE / best classical (and / AR):")
    per_cell = pd.DataFrame({
        name: [f"{r.best:.3f} ({r.ar:.3f})" for r in c.itertuples()]
        for name, c in cells.items()},
        index=[f"{r.series} h={r.h}" for r in
               next(iter(cells.values())).itertuples()])
    print(per_cell.to_string())
    print("\nSeconds (median over series; classical: per fit and per "
          "forecast; econnn: per refit, its forecasts included):")
    print(timings(args.cache, key, args.tag, args.seed).median().to_string(
        float_format=lambda v: f"{v:.3f}"))
    for name in cells:
        if hasattr(rules[name], "kappa"):
            print(f"\nWeights of {name} at each series' last origin:")
            print(last_weights(data, rules[name]).to_string(
                float_format=lambda v: f"{v:.2f}"))
    if held_out or len(cells) < 2:
        return cells
    loo = compare.leave_one_series_out(cells)
    print("\nLeft-out figures (each series with the rule chosen without "
          "it):")
    print(pd.Series({k: compare.summary(loo)[k] for k in TARGETS})
          .to_string())
    return cells


if __name__ == "__main__":
    main()
