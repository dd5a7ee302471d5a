"""econnn against scikit-learn, skorch and a hand-written PyTorch loop.

Every contender runs in this one process, on the same data, with the same
architecture, epochs, batch size, optimizer (Adam) and learning rate, and
cross-validation folds are interleaved (fold 1 for every contender, then
fold 2, ...) so that load from other jobs on a shared machine falls on all
of them alike.  Each scenario prints a markdown table.

Scenarios (issue 3)::

    1  Boston, 10-fold CV, 13-64-64-1 ReLU, Adam, 200 epochs, batch 32
    2  200,000 x 20 synthetic regression, 20-256-256-1, batch 512, 3 epochs
    3  NNRegressor() defaults vs MLPRegressor() in a scaling pipeline
    4  predict latency, one row and 100,000 rows
    5  peak memory of fitting a 1,000,000 x 20 float64 DataFrame

Usage::

    OMP_NUM_THREADS=1 python benchmarks/run_benchmarks.py            # full
    python benchmarks/run_benchmarks.py --tiny                       # smoke
    python benchmarks/run_benchmarks.py --scenarios 1 4 --out t.md

Columns: ``wall s`` and ``cpu s`` (process CPU time: on a busy machine the
steadier of the two), ``ratio`` (wall time over econnn's; < 1 is faster than
econnn), ``R2`` (mean out-of-fold R^2, or test R^2), ``samples/s``
(training samples processed per wall second, epochs included), ``% matmul``
(training FLOPs -- 6 per weight and sample for the forward and backward
pass -- per second, as a share of this machine's measured float32 matrix
product rate) and ``peak MB`` (largest rise of the resident set size during
the run, sampled every 2 ms).
"""

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import threading
import time
import warnings

import numpy as np

# The contenders' imports are below the argument parsing of ``main`` only in
# the sense of cost: they are cheap compared with any scenario.
import sklearn
import skorch
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import econnn
from econnn import NNRegressor
from econnn.datasets import load_boston

CONTENDERS = ["econnn", "scikit-learn", "skorch", "torch loop"]


# ---------------------------------------------------------------- measuring
def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Largest rise of the resident set size while the block runs."""

    def __init__(self, interval=0.002):
        self.interval = interval
        self.peak = 0

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes() - self.start)
            time.sleep(self.interval)

    def __enter__(self):
        gc.collect()
        self.start = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes() - self.start)


class Record:
    """Accumulated wall time, CPU time, peak memory and scores."""

    def __init__(self):
        self.wall = self.cpu = 0.0
        self.peak = 0
        self.scores = []

    def run(self, fn, *args):
        with PeakRSS() as mem:
            w0, c0 = time.perf_counter(), time.process_time()
            out = fn(*args)
            self.wall += time.perf_counter() - w0
            self.cpu += time.process_time() - c0
        self.peak = max(self.peak, mem.peak)
        return out


def matmul_gflops(n=2048, repeats=10):
    """Best float32 matrix-product rate of this machine, in GFLOP/s."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9


def machine():
    """A one-paragraph description of the machine and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs, torch threads "
            f"{torch.get_num_threads()} (OMP_NUM_THREADS="
            f"{os.environ.get('OMP_NUM_THREADS', 'unset')}); Python "
            f"{platform.python_version()}, torch {torch.__version__}, "
            f"scikit-learn {sklearn.__version__}, skorch "
            f"{skorch.__version__}, econnn {econnn.__version__}")


# --------------------------------------------------------------- contenders
def _torch_mlp(n_in, hidden, seed):
    torch.manual_seed(seed)
    layers, width = [], n_in
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def _n_weights(n_in, hidden):
    sizes = [n_in, *hidden, 1]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def fit_econnn(cfg, X, y, seed, precision="float32"):
    # one network, like every other contender (the default 'auto' trains a
    # deep ensemble of two on small data)
    return NNRegressor(hidden_layer_sizes=cfg["hidden"], activation="relu",
                       learning_rate="constant", n_ensemble=1,
                       batch_size=cfg["batch"], max_iter=cfg["epochs"],
                       learning_rate_init=cfg["lr"], alpha=0.0, tol=0.0,
                       n_iter_no_change=cfg["epochs"] + 1,
                       precision=precision, random_state=seed).fit(X, y)


def fit_econnn64(cfg, X, y, seed):
    return fit_econnn(cfg, X, y, seed, precision="float64")


def fit_sklearn(cfg, X, y, seed):
    return MLPRegressor(hidden_layer_sizes=cfg["hidden"], solver="adam",
                        batch_size=cfg["batch"], max_iter=cfg["epochs"],
                        learning_rate_init=cfg["lr"], alpha=0.0, tol=0.0,
                        n_iter_no_change=cfg["epochs"] + 1,
                        random_state=seed).fit(X, y)


class _SkorchModel:
    def __init__(self, net):
        self.net = net

    def predict(self, X):
        return self.net.predict(np.asarray(X, dtype=np.float32)).ravel()


def fit_skorch(cfg, X, y, seed):
    from skorch import NeuralNetRegressor

    module = _torch_mlp(X.shape[1], cfg["hidden"], seed)
    net = NeuralNetRegressor(module, optimizer=torch.optim.Adam, lr=cfg["lr"],
                             batch_size=cfg["batch"],
                             max_epochs=cfg["epochs"], train_split=None,
                             iterator_train__shuffle=True, verbose=0)
    net.fit(X.astype(np.float32), y.astype(np.float32).reshape(-1, 1))
    return _SkorchModel(net)


class _TorchModel:
    def __init__(self, module):
        self.module = module

    def predict(self, X):
        with torch.no_grad():
            return self.module(torch.from_numpy(
                np.asarray(X, dtype=np.float32))).numpy().ravel()


def fit_torch(cfg, X, y, seed):
    """The loop a PyTorch user writes: permute, slice, step."""
    model = _torch_mlp(X.shape[1], cfg["hidden"], seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    Xt = torch.from_numpy(np.asarray(X, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
    n, bs = len(Xt), cfg["batch"]
    for _ in range(cfg["epochs"]):
        perm = torch.randperm(n)
        for start in range(0, n, bs):
            idx = perm[start:start + bs]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return _TorchModel(model.eval())


FITTERS = {"econnn": fit_econnn, "econnn (float64)": fit_econnn64,
           "scikit-learn": fit_sklearn, "skorch": fit_skorch,
           "torch loop": fit_torch}


# ----------------------------------------------------------------- tables
def table(title, rows, columns, note=None):
    """A markdown table; ``rows`` are dicts keyed by ``columns``."""
    def fmt(v):
        if isinstance(v, str):
            return v
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            return "-"
        if isinstance(v, (int, np.integer)) or abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
    lines = [f"### {title}", ""]
    if note:
        lines += [note, ""]
    lines += ["| " + " | ".join(columns) + " |",
              "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in columns) + " |"
              for r in rows]
    return "\n".join(lines) + "\n"


TRAIN_COLUMNS = ["contender", "wall s", "cpu s", "ratio", "R2", "samples/s",
                 "% matmul", "peak MB"]


def _train_rows(records, samples, flops_per_sample, gflops):
    base = records["econnn"].wall
    rows = []
    for name, rec in records.items():
        rate = samples / rec.wall
        rows.append({"contender": name, "wall s": rec.wall, "cpu s": rec.cpu,
                     "ratio": rec.wall / base,
                     "R2": float(np.mean(rec.scores)),
                     "samples/s": rate,
                     "% matmul": 100 * rate * flops_per_sample / gflops / 1e9,
                     "peak MB": rec.peak / 2 ** 20})
    return rows


def _warm_up(names, cfg, X, y):
    # the first torch optimizer of a process imports torch._dynamo (~1.5 s);
    # keep that out of every contender's time
    small = dict(cfg, epochs=1, batch=min(cfg["batch"], 64))
    for name in names:
        FITTERS[name](small, X[:64], y[:64], 0)


# -------------------------------------------------------------- scenarios
def scenario_small(tiny, gflops):
    """(1) Boston, 10-fold CV, the same network for every contender."""
    X, y = load_boston(return_X_y=True)
    X, y = X.to_numpy(np.float64), y.to_numpy(np.float64)
    cfg = dict(hidden=(64, 64), batch=32, epochs=200, lr=1e-3)
    n_folds = 10
    if tiny:
        cfg["epochs"], n_folds = 2, 2
    names = ["econnn", "econnn (float64)", "scikit-learn", "skorch",
             "torch loop"]
    _warm_up(names, cfg, X.astype(np.float32), y.astype(np.float32))
    records = {name: Record() for name in names}
    samples = 0
    for fold, (tr, te) in enumerate(KFold(n_folds, shuffle=True,
                                          random_state=0).split(X)):
        # every contender gets the same standardised data; float32 except
        # the one row that shows econnn's float64 path
        xs, ys = StandardScaler().fit(X[tr]), StandardScaler().fit(
            y[tr, None])
        X64, Xte64 = xs.transform(X[tr]), xs.transform(X[te])
        y64 = ys.transform(y[tr, None]).ravel()
        yte = ys.transform(y[te, None]).ravel()
        samples += len(tr) * cfg["epochs"]
        for name in names:
            dtype = np.float64 if "float64" in name else np.float32
            Xtr, Xte = X64.astype(dtype), Xte64.astype(dtype)
            rec = records[name]
            model = rec.run(FITTERS[name], cfg, Xtr, y64.astype(dtype), fold)
            rec.scores.append(r2_score(yte, model.predict(Xte)))
    rows = _train_rows(records, samples, 6 * _n_weights(13, cfg["hidden"]),
                       gflops)
    note = (f"{n_folds}-fold CV (`KFold({n_folds}, shuffle=True, "
            f"random_state=0)`), 13-{'-'.join(map(str, cfg['hidden']))}-1 "
            f"ReLU, Adam lr={cfg['lr']}, {cfg['epochs']} epochs, batch "
            f"{cfg['batch']}, no L2, no early stopping; R2 out of fold.")
    return table("1. Small data: Boston", rows, TRAIN_COLUMNS, note), rows


def scenario_scale(tiny, gflops):
    """(2) Throughput on 200,000 x 20 synthetic data."""
    n, n_test = (2_000, 500) if tiny else (200_000, 20_000)
    X, y = make_friedman1(n + n_test, n_features=20, noise=1.0,
                          random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    cfg = dict(hidden=(256, 256), batch=512, epochs=3, lr=1e-3)
    if tiny:
        cfg["hidden"], cfg["epochs"] = (32, 32), 1
    names = ["econnn", "econnn (float64)", "scikit-learn", "skorch",
             "torch loop"]
    Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]
    _warm_up(names, cfg, Xtr.astype(np.float32), ytr.astype(np.float32))
    # best of `repeats` interleaved runs: on a shared machine the fastest
    # run is the one least disturbed by other jobs
    repeats = 1 if tiny else 2
    best = {}
    for _ in range(repeats):
        for name in names:
            dtype = np.float64 if "float64" in name else np.float32
            rec = Record()
            model = rec.run(FITTERS[name], cfg, Xtr.astype(dtype),
                            ytr.astype(dtype), 0)
            rec.scores.append(r2_score(yte, model.predict(
                Xte.astype(dtype))))
            if name not in best or rec.wall < best[name].wall:
                rec.peak = max(rec.peak, best[name].peak if name in best
                               else 0)
                best[name] = rec
    records = {name: best[name] for name in names}
    rows = _train_rows(records, n * cfg["epochs"],
                       6 * _n_weights(20, cfg["hidden"]), gflops)
    note = (f"make_friedman1, {n:,} x 20 (test {n_test:,}), "
            f"20-{'-'.join(map(str, cfg['hidden']))}-1 ReLU, Adam "
            f"lr={cfg['lr']}, batch {cfg['batch']}, {cfg['epochs']} epochs; "
            f"R2 on the test rows; best of {repeats} interleaved runs.")
    return table("2. Scale: synthetic regression", rows, TRAIN_COLUMNS,
                 note), rows


def scenario_defaults(tiny, gflops):
    """(3) Defaults against what a careful scikit-learn user writes."""
    X, y = load_boston(return_X_y=True)
    n_folds, kw = (2, dict(max_iter=5)) if tiny else (10, {})
    models = {
        "econnn": lambda: NNRegressor(random_state=0, **kw),
        # the default on 506 rows is a two-network ensemble; one network
        # shows what the ensemble costs and brings
        "econnn (n_ensemble=1)": lambda: NNRegressor(random_state=0,
                                                     n_ensemble=1, **kw),
        "scikit-learn": lambda: TransformedTargetRegressor(
            make_pipeline(StandardScaler(),
                          MLPRegressor(random_state=0, **kw)),
            transformer=StandardScaler()),
    }
    # pay the process's one-off costs (torch's first optimizer imports
    # torch._dynamo, ~1.5 s) outside the timings
    for make in models.values():
        make().fit(X.iloc[:40], y.iloc[:40])
    records = {name: Record() for name in models}
    for tr, te in KFold(n_folds, shuffle=True, random_state=0).split(X):
        for name, make in models.items():
            rec = records[name]
            model = rec.run(make().fit, X.iloc[tr], y.iloc[tr])
            rec.scores.append(r2_score(y.iloc[te], model.predict(X.iloc[te])))
    base = records["econnn"].wall
    rows = [{"contender": name, "wall s": r.wall, "cpu s": r.cpu,
             "ratio": r.wall / base, "R2": float(np.mean(r.scores)),
             "peak MB": r.peak / 2 ** 20} for name, r in records.items()]
    note = ("`NNRegressor(random_state=0)` (and with `n_ensemble=1`) on "
            "the raw DataFrame vs "
            "`TransformedTargetRegressor(make_pipeline(StandardScaler(), "
            "MLPRegressor(random_state=0)), transformer=StandardScaler())`; "
            f"{n_folds}-fold CV, both with their own default stopping rule.")
    return table("3. Defaults", rows, ["contender", "wall s", "cpu s",
                                       "ratio", "R2", "peak MB"], note), rows


def _latency(predict, X, repeats):
    predict(X)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        predict(X)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def scenario_predict(tiny, gflops):
    """(4) Predict latency on one row and on many rows."""
    X, y = load_boston(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = ((y - y.mean()) / y.std()).to_numpy()
    n_big, repeats = (1_000, 5) if tiny else (100_000, 20)
    cfg = dict(hidden=(64, 64), batch=32, epochs=2, lr=1e-3)
    big = np.tile(X, (n_big // len(X) + 1, 1))[:n_big]
    rows = []
    base_one = base_big = None
    for name in ["econnn", "econnn (float64)", "scikit-learn",
                 "skorch", "torch loop"]:
        dtype = np.float64 if "float64" in name else np.float32
        model = FITTERS[name](cfg, X.astype(dtype), y.astype(dtype), 0)
        one = _latency(model.predict, X[:1].astype(dtype),
                       20 if tiny else 2000)
        many = _latency(model.predict, big.astype(dtype), repeats)
        if base_one is None:
            base_one, base_big = one, many
        rows.append({"contender": name, "1 row us": one * 1e6,
                     "ratio 1 row": one / base_one,
                     f"{n_big:,} rows ms": many * 1e3,
                     "ratio rows": many / base_big,
                     "rows/s": n_big / many})
    note = ("Median wall time of `predict` on a fitted 13-64-64-1 network "
            f"(float32 unless noted); {n_big:,} rows are Boston tiled.")
    cols = ["contender", "1 row us", "ratio 1 row", f"{n_big:,} rows ms",
            "ratio rows", "rows/s"]
    return table("4. Predict latency", rows, cols, note), rows


_MEMORY_CHILD = r"""
import gc, json, sys, threading, time, warnings
import numpy as np, pandas as pd
sys.path.insert(0, {root!r})
from run_benchmarks import PeakRSS
from econnn import NNRegressor
from sklearn.neural_network import MLPRegressor
warnings.simplefilter("ignore")
n, which = {n}, {which!r}
kw = dict(hidden_layer_sizes=(64, 64), activation="relu", batch_size=512,
          max_iter=1, random_state=0)
make = NNRegressor if which == "econnn" else MLPRegressor
# one-off costs of a process (torch's first optimizer imports torch._dynamo,
# ~90 MB) are not the data's: pay them before the baseline
make(**kw).fit(np.zeros((8, 20)), np.arange(8.0))
rng = np.random.default_rng(0)
df = pd.DataFrame(rng.standard_normal((n, 20)),
                  columns=[f"x{{i}}" for i in range(20)])
y = df["x0"].to_numpy() - 0.5 * df["x1"].to_numpy()
nbytes = int(df.memory_usage(index=False).sum())
gc.collect()
model = make(**kw)
with PeakRSS() as mem:
    t0 = time.perf_counter()
    model.fit(df, y)
    wall = time.perf_counter() - t0
print(json.dumps(dict(nbytes=nbytes, peak=mem.peak, wall=wall)))
"""


def scenario_memory(tiny, gflops):
    """(5) Peak memory of fitting a large float64 DataFrame."""
    n = 20_000 if tiny else 1_000_000
    root = os.path.dirname(os.path.abspath(__file__))
    rows = []
    for which in ["econnn", "scikit-learn"]:
        code = _MEMORY_CHILD.format(root=root, n=n, which=which)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [os.path.dirname(root)] + sys.path))
        out = subprocess.run([sys.executable, "-c", code], env=env,
                             capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({"contender": which, "input MB": res["nbytes"] / 2 ** 20,
                     "peak MB": res["peak"] / 2 ** 20,
                     "peak / input": res["peak"] / res["nbytes"],
                     "wall s": res["wall"]})
    note = (f"A fresh process per contender builds a {n:,} x 20 float64 "
            "DataFrame, then fits one epoch (64-64, batch 512); peak is the "
            "largest rise of the resident set size over the level after "
            "the DataFrame was built (and after a warm-up fit on 8 rows, "
            "which pays the process's one-off import costs).")
    cols = ["contender", "input MB", "peak MB", "peak / input", "wall s"]
    return table("5. Memory", rows, cols, note), rows


SCENARIOS = {1: scenario_small, 2: scenario_scale, 3: scenario_defaults,
             4: scenario_predict, 5: scenario_memory}


def main(argv=None):
    """Run the scenarios, print their tables, return ``{n: rows}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true",
                        help="seconds-long smoke run on tiny data")
    parser.add_argument("--scenarios", type=int, nargs="+",
                        default=sorted(SCENARIOS), choices=sorted(SCENARIOS))
    parser.add_argument("--out", help="also write the tables to this file")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    gflops = matmul_gflops(256 if args.tiny else 2048)
    header = (f"Machine: {machine()}.\n\nMeasured float32 matmul rate: "
              f"{gflops:.1f} GFLOP/s.\n")
    print(header, flush=True)
    texts, results = [header], {}
    for key in args.scenarios:
        text, rows = SCENARIOS[key](args.tiny, gflops)
        print(text, flush=True)
        texts.append(text)
        results[key] = rows
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(texts))
    return results


if __name__ == "__main__":
    main()
