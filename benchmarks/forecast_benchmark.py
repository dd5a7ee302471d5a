"""SequenceForecaster against AR, ARIMA, ETS and seasonal naive, rolling origins.

Protocol (docs/forecasting_evidence.md): twelve packaged series (statsmodels
and pmdarima); the origins are the last 20% of each series; every model
forecasts 1 to H periods from each origin (H = 4 quarterly, 12 monthly, 5
otherwise) and is refitted every ``refit_every`` origins (between refits the
last fit forecasts from the longer history with fixed parameters). The
forecaster runs with its defaults through :func:`econnn.backtest`, which also
fits AutoReg with the order by AIC; ARIMA is pmdarima's ``auto_arima``
(seasonal for monthly/quarterly data), ETS statsmodels' ``ETSModel`` with the
additive specification (trend none/damped, seasonal none/additive) chosen by
AIC.

Run from the repository root (``pip install -e .[bench]`` for pmdarima)::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/forecast_benchmark.py --refits 4

The classical models' forecasts (the slow part: auto_arima) are cached per
series in ``--cache`` (default ``benchmarks/results/forecast_cache/``,
git-ignored), keyed by ``--refits`` and ``--step``; a rerun recomputes only
the forecaster (its forecasts and the gate, AR order and differencing of
every refit are saved there too, under ``--tag``). ``--only`` and
``--leave-out`` select series; ``--set name=value`` changes a forecaster
parameter (for comparing configurations). ``--tiny`` runs two short series
with two origins (a smoke test; cached only with an explicit ``--cache``).
``--combination`` evaluates :class:`econnn.ForecastCombination` (the
forecaster, with any ``--set`` parameters, combined with statsmodels' ETS
and an ARIMA order search, ``--kappa``) in the forecaster's place, under
its own ``--tag``; the cached classical forecasts stay the comparison.
``--heldout`` runs the same protocol on the held-out series of
``forecast_heldout.py`` instead (never used for any choice; cached under
keys ending in ``_heldout``), ``--heldout2`` on the second held-out set of
``forecast_heldout2.py`` (keys ending in ``_heldout2``).
"""

import argparse
import ast
import importlib.util
import math
import os
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econnn import ForecastCombination, SequenceForecaster, backtest

TEST_SHARE = 0.2
CACHE = "benchmarks/results/forecast_cache"
LEVELS = (0.8, 0.95)


# ------------------------------------------------------------------- data
def _quarterly(values, start):
    return pd.Series(np.asarray(values, dtype=float),
                     index=pd.period_range(start, periods=len(values),
                                           freq="Q"))


def suite():
    """name -> series (PeriodIndex)."""
    d = sm.datasets.macrodata.load_pandas().data
    out = {}
    for col in ("realcons", "realinv", "m1", "realdpi"):
        out[f"{col} growth"] = _quarterly(
            400 * np.diff(np.log(d[col].to_numpy())), "1959Q2")
    out["tbilrate"] = _quarterly(d["tbilrate"], "1959Q1")
    sun = sm.datasets.sunspots.load_pandas().data
    out["sunspots"] = pd.Series(sun["SUNACTIVITY"].to_numpy(),
                                index=pd.period_range(
                                    "1700", periods=len(sun), freq="Y"))
    try:
        import pmdarima.datasets as pd_data
    except ImportError:  # the bench extra is not installed
        return out
    beer = pd_data.load_ausbeer(as_series=False)
    out["ausbeer"] = _quarterly(beer[np.isfinite(beer)], "1956Q1")
    out["austres"] = _quarterly(pd_data.load_austres(), "1971Q2")
    out["woolyrnq"] = _quarterly(pd_data.load_woolyrnq(), "1965Q1")
    lynx = pd_data.load_lynx(as_series=False)
    out["lynx (log)"] = pd.Series(np.log(lynx), index=pd.period_range(
        "1821", periods=len(lynx), freq="Y"))
    wine = pd_data.load_wineind(as_series=False)
    out["wineind"] = pd.Series(wine, index=pd.period_range(
        "1980-01", periods=len(wine), freq="M"))
    air = pd_data.load_airpassengers(as_series=False)
    out["airpassengers (log)"] = pd.Series(np.log(air), index=pd.period_range(
        "1949-01", periods=len(air), freq="M"))
    return out


def _held_out_set(name):
    """name -> series of the held-out set ``forecast_{name}.py`` defines
    (its function ``name``)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        f"forecast_{name}.py")
    spec = importlib.util.spec_from_file_location(f"forecast_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)()


def heldout():
    """name -> series of the held-out set (``forecast_heldout.py``)."""
    return _held_out_set("heldout")


def heldout2():
    """name -> series of the second held-out set (``forecast_heldout2.py``)."""
    return _held_out_set("heldout2")


#: ``--heldout``/``--heldout2``: each set of series, its loader, the suffix
#: of its cache keys and its two series for ``--tiny``
SERIES_SETS = {
    "suite": (suite, "", ("realcons growth", "tbilrate")),
    "heldout": (heldout, "_heldout", ("nile", "infl")),
    "heldout2": (heldout2, "_heldout2", ("gfr", "realgdp growth"))}


def horizon_of(series):
    freq = series.index.freqstr[0]
    return {"Q": 4, "M": 12}.get(freq, 5), {"Q": 4, "M": 12}.get(freq, 1)


# -------------------------------------------------------------- baselines
class Arima:
    name = "ARIMA"

    #: pmdarima's search limits; ``--tiny`` narrows them (plumbing only)
    search = {}

    def __init__(self, m):
        self.m = m

    def fit(self, y):
        import pmdarima

        self.model = pmdarima.auto_arima(
            y, m=self.m, seasonal=self.m > 1, suppress_warnings=True,
            error_action="ignore", stepwise=True, **self.search)
        return self

    def forecast(self, y, steps):
        res = self.model.arima_res_.apply(np.asarray(y))
        pred = res.get_forecast(steps)
        bands = {}
        for lev in LEVELS:
            ci = np.asarray(pred.conf_int(alpha=1 - lev))
            bands[f"lower_{lev:g}"], bands[f"upper_{lev:g}"] = ci[:, 0], \
                ci[:, 1]
        return np.asarray(pred.predicted_mean), bands


class TinyArima(Arima):
    """auto_arima over orders up to one (``--tiny``: its runs check the
    plumbing, and the full search is three quarters of their time)."""

    search = dict(start_p=1, start_q=1, max_p=1, max_q=1, max_P=1, max_Q=1)


class Ets:
    name = "ETS"

    def __init__(self, m):
        self.m = m

    def fit(self, y):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        best = None
        seasonals = [None, "add"] if self.m > 1 and len(y) > 2 * self.m + 2 \
            else [None]
        for trend in (None, "add"):
            for seasonal in seasonals:
                spec = dict(error="add", trend=trend,
                            damped_trend=trend is not None,
                            seasonal=seasonal,
                            seasonal_periods=self.m if seasonal else None)
                try:
                    res = ETSModel(np.asarray(y), **spec).fit(disp=False)
                except Exception:  # noqa: BLE001 - a failed spec is skipped
                    continue
                if best is None or res.aic < best[0]:
                    best = (res.aic, spec, res.params)
        self.spec, self.params = best[1], best[2]
        return self

    def forecast(self, y, steps):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        res = ETSModel(np.asarray(y), **self.spec).smooth(self.params)
        return np.asarray(res.forecast(steps)), {}


class SeasonalNaive:
    name = "seasonal naive"

    def __init__(self, m):
        self.m = m

    def fit(self, y):
        return self

    def forecast(self, y, steps):
        y = np.asarray(y)
        h = np.arange(1, steps + 1)
        return y[len(y) - 1 + h - self.m * np.ceil(h / self.m).astype(int)], {}


def classical(series, horizon, m, origins, refit_every, models):
    """Forecast rows of the classical models at the backtest's origins."""
    values = series.to_numpy()
    rows, times = [], {}
    for cls in models:
        model, fit_s, fc_s = cls(m), [], []
        for k, end in enumerate(origins):
            if k % refit_every == 0:
                start = time.perf_counter()
                model.fit(values[:end])
                fit_s.append(time.perf_counter() - start)
            steps = min(horizon, len(values) - end)
            start = time.perf_counter()
            point, bands = model.forecast(values[:end], horizon)
            fc_s.append(time.perf_counter() - start)
            for h in range(1, steps + 1):
                row = {"model": model.name, "horizon": h,
                       "actual": values[end + h - 1],
                       "forecast": point[h - 1]}
                row.update({c: v[h - 1] for c, v in bands.items()})
                rows.append(row)
        times[model.name] = (np.median(fit_s), np.median(fc_s))
    return pd.DataFrame(rows), times


# ---------------------------------------------------------------- running
class _Recorded(SequenceForecaster):
    """The forecaster, noting each refit's decisions in ``FITS``."""

    def fit(self, X, y, sample_weight=None):
        inner = "_handed_down" in self.__dict__  # the held-out fit
        super().fit(X, y, sample_weight=sample_weight)
        if inner:
            return self
        scales = self.error_scales_
        FITS.append({"n_windows": len(X), "gate": self.gate_,
                     "step_gates": getattr(self, "step_gates_", None),
                     "tests": self.stationarity_tests_,
                     "ar_order": self.ar_order_,
                     "ar_season": self.ar_season_,
                     "difference": self.difference_,
                     "holdout_errors": self.holdout_errors_,
                     "factor": None if scales is None else scales.factor,
                     "residuals": self.residuals_})
        return self


FITS = []


class _RecordedCombination(ForecastCombination):
    """The combination, noting each refit's weights, members and the
    forecaster's decisions in ``FITS`` (the same keys as ``_Recorded``)."""

    def fit(self, X, y=None):
        super().fit(X, y)
        inner = self.forecaster_
        arima = self.members_.get("ARIMA")
        ets = self.members_.get("ETS")
        FITS.append({"n_windows": len(inner.residuals_),
                     "gate": inner.gate_, "step_gates": inner.step_gates_,
                     "tests": inner.stationarity_tests_,
                     "ar_order": inner.ar_order_,
                     "ar_season": inner.ar_season_,
                     "difference": inner.difference_,
                     "holdout_errors": self.holdout_errors_,
                     "factor": self.error_scales_.factor,
                     "residuals": inner.residuals_,
                     "weights": self.weights_,
                     "arima": None if arima is None else
                     (arima.order_, arima.seasonal_order_, arima.trend_),
                     "ets": None if ets is None else
                     (ets.spec_["trend"], ets.spec_["seasonal"])})
        return self


def design(series, args):
    """Horizon, seasonal period, origins and refit interval of a series."""
    horizon, m = horizon_of(series)
    n_test = int(math.ceil(TEST_SHARE * len(series)))
    origins = list(range(len(series) - n_test, len(series), args.step))
    if args.tiny:
        origins = origins[-2 - horizon:-horizon]
    refit_every = max(1, math.ceil(len(origins) / args.refits))
    return horizon, m, origins, refit_every


def evaluate_econnn(series, args):
    """The forecaster's forecast rows, seconds per refit and refit notes."""
    horizon, _, origins, refit_every = design(series, args)
    params = dict(random_state=args.seed, max_iter=20 if args.tiny else 200)
    params.update(args.params)
    forecaster = _Recorded(**params)
    if args.combination:
        forecaster = _RecordedCombination(SequenceForecaster(**params),
                                          kappa=args.kappa)
    FITS.clear()
    start = time.perf_counter()
    result = backtest(forecaster, series, horizon,
                      test_size=len(series) - origins[0], step=args.step,
                      refit_every=refit_every, level=LEVELS)
    seconds = (time.perf_counter() - start) / math.ceil(
        len(origins) / refit_every)
    rows = result.forecasts.drop(columns=["period"])
    # which refit made each forecast (for recomputing bands offline)
    order = {o: k for k, o in enumerate(rows["origin"].unique())}
    rows["refit"] = rows["origin"].map(order) // refit_every
    return rows.drop(columns=["origin"]), seconds, list(FITS)


def evaluate_classical(series, args):
    """Forecast rows and (fit, forecast) seconds of the classical models."""
    horizon, m, origins, refit_every = design(series, args)
    models = [SeasonalNaive, Ets]
    try:
        import pmdarima  # noqa: F401
        models.insert(0, TinyArima if args.tiny else Arima)
    except ImportError:
        pass
    return classical(series, horizon, m, origins, refit_every, models)


def _cached(path, compute, reuse=True):
    """``compute()``, stored at ``path`` (None: no cache) and reused."""
    if path is not None and reuse and os.path.exists(path):
        return pd.read_pickle(path)
    result = compute()
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pd.to_pickle(result, path)
    return result


def evaluate(name, series, args):
    """Forecast rows of every model on one series, with timings."""
    horizon, _, origins, refit_every = design(series, args)
    slug = name.replace(" ", "_").replace("(", "").replace(")", "")
    key = f"r{args.refits}_s{args.step}" + ("_tiny" if args.tiny else "") \
        + SERIES_SETS[args.series_set][1]
    folder = None if args.cache is None else args.cache
    classical_path = None if folder is None else \
        f"{folder}/classical_{key}/{slug}.pkl"
    econnn_path = None if folder is None else \
        f"{folder}/econnn_{args.tag}_{key}_seed{args.seed}/{slug}.pkl"
    rows, times = _cached(classical_path,
                          lambda: evaluate_classical(series, args))
    ours, seconds, fits = _cached(econnn_path,
                                  lambda: evaluate_econnn(series, args),
                                  reuse=args.reuse)
    forecasts = pd.concat([ours, rows], ignore_index=True)
    forecasts["series"] = name
    times = dict(times)
    times["econnn"] = (seconds, np.nan)  # fit + forecasts per refit
    return forecasts, times, horizon, len(origins), refit_every, fits


def cells(forecasts):
    """RMSE and coverage per series, model and horizon."""
    def score(g):
        err = g["actual"] - g["forecast"]
        out = {"rmse": np.sqrt(np.mean(err ** 2)), "n": len(g)}
        for lev in LEVELS:
            col = f"lower_{lev:g}"
            out[f"cov{lev:g}"] = np.mean(
                (g["actual"] >= g[col]) & (g["actual"] <= g[
                    f"upper_{lev:g}"])) if g[col].notna().all() else np.nan
        return pd.Series(out)

    return forecasts.groupby(["series", "model", "horizon"]).apply(
        score, include_groups=False)


def report(all_forecasts, meta):
    table = cells(all_forecasts)
    lines = ["| series | h | AR | ARIMA | ETS | snaive | econnn | "
             "econnn / best classical | econnn / AR | cov80 | cov95 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    ratios, ratios_ar, cov = [], [], []
    for name, (horizon, n_origins, refit_every) in meta.items():
        for h in (1, horizon):
            row = table.loc[name].xs(h, level="horizon")
            rm = row["rmse"]
            classic = [m for m in ("AR(AIC)", "ARIMA", "ETS",
                                   "seasonal naive") if m in rm]
            best = min(rm[m] for m in classic)
            r_best = rm["forecaster"] / best
            r_ar = rm["forecaster"] / rm["AR(AIC)"]
            ratios.append(r_best)
            ratios_ar.append(r_ar)
            c80, c95 = row.loc["forecaster", "cov0.8"], \
                row.loc["forecaster", "cov0.95"]
            cov.append((name, h == 1, c80, c95))
            fmt = " | ".join(f"{rm[m]:.3f}" if m in rm else "-" for m in
                             ("AR(AIC)", "ARIMA", "ETS", "seasonal naive",
                              "forecaster"))
            lines.append(f"| {name} | {h} | {fmt} | {r_best:.3f} | "
                         f"{r_ar:.3f} | {c80:.2f} | {c95:.2f} |")
    print("\n".join(lines))
    ratios, ratios_ar = np.array(ratios), np.array(ratios_ar)
    print(f"\nRMSE / best classical: median {np.median(ratios):.3f}, max "
          f"{ratios.max():.3f}, cells <= 1: {(ratios <= 1).sum()} of "
          f"{len(ratios)}; / AR(AIC): median {np.median(ratios_ar):.3f}, "
          f"max {ratios_ar.max():.3f}")
    cov = pd.DataFrame(cov, columns=["series", "h1", "cov80", "cov95"])
    for h1, label in ((True, "h = 1"), (False, "h = H")):
        part = cov[cov.h1 == h1]
        print(f"coverage {label}: mean 80% {part.cov80.mean():.3f} (min "
              f"{part.cov80.min():.2f}), mean 95% {part.cov95.mean():.3f} "
              f"(min {part.cov95.min():.2f})")
    ar = table.xs("AR(AIC)", level="model")
    for h1, label in ((True, "h = 1"), (False, "h = H")):
        sel = [ar.loc[(n, 1 if h1 else meta[n][0])] for n in meta]
        print(f"AR(AIC) coverage {label}: 80% "
              f"{np.mean([s['cov0.8'] for s in sel]):.3f}, 95% "
              f"{np.mean([s['cov0.95'] for s in sel]):.3f}")
    return table


def _note(fit):
    """gate (first/last step gate), AR order, and changes/levels ratio."""
    gates = fit.get("step_gates")
    text = f"gate {fit['gate']:.2f}"
    if gates is not None and len(gates) > 1:
        text += f"/{gates[-1]:.2f}"
    text += f" AR({fit['ar_order']})" + (" diff" if fit["difference"]
                                         else "")
    ratio = (fit.get("tests") or {}).get("holdout_mse_ratio")
    text += "" if ratio is None else f" c/l {ratio:.2f}"
    if fit.get("weights") is not None:  # a combination: weights at h=1
        text += " w " + "/".join(f"{v:.2f}" for v in fit["weights"].iloc[0])
        if fit.get("arima"):
            order, seasonal, _ = fit["arima"]
            text += f" ARIMA{order}{seasonal[:3] if seasonal[3] else ''}"
    return text


def _parameter(text):
    name, _, value = text.partition("=")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a plain string, e.g. cell=lstm
    return name, value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--heldout", dest="series_set", action="store_const",
                       const="heldout", default="suite",
                       help="the held-out series (forecast_heldout.py) "
                       "instead of the development suite")
    group.add_argument("--heldout2", dest="series_set",
                       action="store_const", const="heldout2",
                       help="the second held-out set (forecast_heldout2.py)"
                       " instead")
    parser.add_argument("--refits", type=int, default=6,
                        help="refits per series (origins share the rest)")
    parser.add_argument("--step", type=int, default=1,
                        help="periods between origins")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None,
                        help="folder caching each series' forecasts "
                        f"(default {CACHE}; none with --tiny); 'none' for "
                        "no cache")
    parser.add_argument("--tag", default="default",
                        help="name of the forecaster's configuration in "
                        "the cache")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the forecaster's cached forecasts too")
    parser.add_argument("--set", dest="params", action="append",
                        default=[], type=_parameter, metavar="NAME=VALUE",
                        help="a forecaster parameter (repeatable)")
    parser.add_argument("--combination", action="store_true",
                        help="evaluate ForecastCombination (the forecaster "
                        "with --set parameters, ETS and ARIMA) as the "
                        "forecaster; give it its own --tag")
    parser.add_argument("--kappa", type=float, default=5.0,
                        help="the combination's shrinkage (--combination)")
    parser.add_argument("--only", default=None,
                        help="comma-separated series names")
    parser.add_argument("--leave-out", default=None,
                        help="series to leave out (comma-separated)")
    args = parser.parse_args(argv)
    args.params = dict(args.params)
    if args.combination and args.tag == "default":
        parser.error("--combination needs its own --tag (e.g. --tag comb)")
    if args.cache is None and not args.tiny:
        args.cache = CACHE
    if args.cache is not None and args.cache.lower() == "none":
        args.cache = None
    warnings.filterwarnings("ignore")
    load, _, tiny = SERIES_SETS[args.series_set]
    data = load()
    if args.tiny:
        data = {k: data[k] for k in tiny}
    if args.only:
        unknown = set(args.only.split(",")) - set(data)
        if unknown:
            parser.error(f"unknown series {sorted(unknown)}; the suite has "
                         f"{sorted(data)}")
        data = {k: data[k] for k in args.only.split(",")}
    if args.leave_out:
        data = {k: v for k, v in data.items()
                if k not in args.leave_out.split(",")}
    start = time.perf_counter()
    frames, meta, timing = [], {}, {}
    for name, series in data.items():
        t0 = time.perf_counter()
        forecasts, times, horizon, n_origins, refit_every, fits = evaluate(
            name, series, args)
        frames.append(forecasts)
        meta[name] = (horizon, n_origins, refit_every)
        timing[name] = times
        notes = ", ".join(_note(f) for f in fits)
        print(f"{name}: n={len(series)}, {n_origins} origins, refit every "
              f"{refit_every}, H={horizon} "
              f"({time.perf_counter() - t0:.0f} s) [{notes}]", flush=True)
    all_forecasts = pd.concat(frames, ignore_index=True)
    table = report(all_forecasts, meta)
    print("\nMedian seconds per fit [per forecast] (econnn: backtest time "
          "per refit, its forecasts included):")
    for name, times in timing.items():
        print(f"| {name} | " + " | ".join(
            f"{k} {v[0]:.2f}" + ("" if np.isnan(v[1]) else f" [{v[1]:.3f}]")
            for k, v in times.items()) + " |")
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    return table


if __name__ == "__main__":
    main()
