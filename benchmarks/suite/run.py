"""Run the defaults benchmark suite: repeated K-fold CV of every contender.

    python -m benchmarks.suite                       # the full suite
    python -m benchmarks.suite --tiny                # seconds, for the tests
    python -m benchmarks.suite --heldout             # issue 11's held-out data
    python -m benchmarks.suite --heldout2            # the second held-out set
    python -m benchmarks.suite --heldout3            # the third held-out set
    python -m benchmarks.suite --contenders econnn --label new \\
        --set n_ensemble=1 early_stopping=True       # a variant of econnn

Scores per fold: R^2 (regression), log-loss and accuracy (classification),
mean Poisson deviance (counts), and for every task a *skill* on a common
scale, ``1 - loss / loss of the training-fold mean`` (R^2 itself,
McFadden's pseudo-R^2 for log-loss, the deviance D^2 for counts), which the
averages and ranks use.  Differences with the linear model are paired over
folds; their standard errors use Nadeau and Bengio's correction for the
overlap of training sets in (repeated) K-fold CV,
``sqrt((1/J + n_test/n_train) * var(d))`` over the ``J`` folds.  Fit time is
the process CPU time of ``fit`` (one thread), which is steadier than wall
time on a shared machine.

Results are appended to a JSON-lines file (``--results``) one fold at a
time, and folds already there are not rerun, so a run can be resumed and
variants added to earlier results.
"""

import argparse
import ast
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (accuracy_score, log_loss, mean_poisson_deviance,
                             r2_score)
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

from .contenders import CONTENDERS, econnn_factory, pytabkit_available
from .data import HELDOUT_SETS, TASKS, load_task
from .report import markdown_report

DEFAULT_RESULTS = Path(__file__).resolve().parent / "results" / "suite.jsonl"
TINY_TASKS = ("vote1", "affairs (any)", "smoke")


def _parse_set(items):
    params = {}
    for item in items or ():
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def fold_scores(kind, y_train, y_test, model, X_test):
    """The scores of one fitted model on one test fold."""
    if kind == "regression":
        pred = model.predict(X_test)
        return {"score": r2_score(y_test, pred),
                "skill": r2_score(y_test, pred)}
    if kind == "classification":
        proba = model.predict_proba(X_test)
        p = np.clip(proba[:, 1], 1e-12, 1 - 1e-12)
        prior = np.clip(y_train.mean(), 1e-12, 1 - 1e-12)
        loss = log_loss(y_test, p, labels=[0, 1])
        null = log_loss(y_test, np.full(len(y_test), prior), labels=[0, 1])
        return {"score": loss, "skill": 1 - loss / null,
                "accuracy": accuracy_score(y_test, p > 0.5)}
    mu = np.clip(np.ravel(model.predict(X_test)), 1e-8, None)
    dev = mean_poisson_deviance(y_test, mu)
    null = mean_poisson_deviance(y_test, np.full(len(y_test),
                                                 y_train.mean()))
    return {"score": dev, "skill": 1 - dev / null}


def splits(task, y, n_splits, n_repeats):
    cls = RepeatedStratifiedKFold if task.kind == "classification" else \
        RepeatedKFold
    cv = cls(n_splits=n_splits, n_repeats=n_repeats, random_state=0)
    return list(cv.split(np.zeros(len(y)), y))


def _load(path):
    if path is None or not Path(path).exists():
        return []
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run(tasks, contenders, n_splits, n_repeats, max_rows, results=None,
        log=print):
    """Fit and score every (task, contender, fold) not yet in ``results``."""
    records = _load(results)
    done = {(r["task"], r["contender"], r["fold"]) for r in records}
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    for task in tasks:
        X, y = load_task(task, max_rows=max_rows)
        Xv = X.to_numpy(dtype=float)
        folds = splits(task, y, n_splits, n_repeats)
        for name, factory in contenders.items():
            template = factory(task.kind, 0)
            if template is None:
                continue
            for i, (train, test) in enumerate(folds):
                if (task.name, name, i) in done:
                    continue
                model = clone(template).set_params(
                    **{k: i for k in template.get_params()
                       if k.endswith("random_state")})
                cpu, wall = time.process_time(), time.perf_counter()
                model.fit(Xv[train], y[train])
                cpu = time.process_time() - cpu
                wall = time.perf_counter() - wall
                rec = {"task": task.name, "kind": task.kind,
                       "contender": name, "fold": i, "n": len(y),
                       "p": X.shape[1], "n_splits": n_splits,
                       "fit_cpu": cpu, "fit_wall": wall,
                       **fold_scores(task.kind, y[train], y[test], model,
                                     Xv[test])}
                records.append(rec)
                if results is not None:
                    Path(results).parent.mkdir(parents=True, exist_ok=True)
                    with open(results, "a") as fh:
                        fh.write(json.dumps(rec) + "\n")
            log(f"{task.name:14s} {name:24s} done")
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true",
                        help="three small tasks, 2 folds, for the tests")
    parser.add_argument("--tasks", nargs="*", help="task names (default all)")
    held_out = parser.add_mutually_exclusive_group()
    for name in HELDOUT_SETS:
        held_out.add_argument(
            f"--{name}", dest="held_out", action="store_const", const=name,
            help=f"the held-out set {name.upper()} instead of the suite")
    parser.add_argument("--contenders", nargs="*",
                        help=f"of {sorted(CONTENDERS)} (default all)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--max-rows", type=int, default=3100)
    parser.add_argument("--results", default=str(DEFAULT_RESULTS),
                        help="JSON-lines file of fold results ('' = none)")
    parser.add_argument("--label", help="name of an econnn variant")
    parser.add_argument("--set", nargs="*", metavar="PARAM=VALUE",
                        help="econnn parameters of the variant --label")
    parser.add_argument("--markdown", help="write the tables to this file")
    args = parser.parse_args(argv)

    contenders = dict(CONTENDERS)
    if not pytabkit_available():
        print("pytabkit not installed: RealMLP-TD skipped")
        contenders.pop("RealMLP-TD")
    tasks = HELDOUT_SETS[args.held_out] if args.held_out else TASKS
    if args.tiny:
        tasks = [t for t in TASKS if t.name in TINY_TASKS]
        args.folds, args.repeats, args.max_rows = 2, 1, 300
        args.results = ""
        contenders.pop("RealMLP-TD", None)
        contenders["econnn"] = econnn_factory(max_iter=30)
    if args.label:
        contenders[args.label] = econnn_factory(**_parse_set(args.set))
    if args.contenders is not None:
        wanted = list(args.contenders) + ([args.label] if args.label and
                                          args.label not in
                                          args.contenders else [])
        contenders = {k: contenders[k] for k in wanted if k in contenders}
    if args.tasks:
        tasks = [t for t in tasks if t.name in args.tasks]
    records = run(tasks, contenders, args.folds, args.repeats,
                  args.max_rows, results=args.results or None,
                  log=(lambda *a: None) if args.tiny else print)
    text = markdown_report(records)
    if args.markdown:
        Path(args.markdown).write_text(text)
    if not args.tiny:
        print(text)
    return records


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
