"""Choose econnn's defaults by leave-one-data-set-out (LODO) validation.

    python -m benchmarks.suite.select [RESULTS.jsonl ...] [--candidates A B]

Every candidate setting is a contender in the suite's results (an econnn
variant run with ``python -m benchmarks.suite --label NAME --set ...``).
For each task in turn, the candidate with the best mean skill on the
*other* tasks is chosen and scored on the left-out task: the LODO score
estimates how the selection procedure does on a data set it never saw, so
it is not flattered by choosing the best of many candidates on the same
data.  The candidate chosen on all tasks is the one to ship; its in-suite
score is in-sample to the selection.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .report import summarise

HERE = Path(__file__).resolve().parent / "results"


def load(paths, max_fold=None):
    """Fold records from JSON-lines files (folds below ``max_fold`` only)."""
    records = []
    for path in paths:
        if not Path(path).exists():
            continue
        with open(path) as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    if max_fold is not None:
        records = [r for r in records if r["fold"] < max_fold]
    return records


def lodo(summary, candidates):
    """Per left-out task: the candidate chosen without it, and its skill."""
    skill = summary.pivot(index="task", columns="contender",
                          values="skill")[candidates].dropna()
    rows = []
    for task in skill.index:
        others = skill.drop(index=task).mean()
        chosen = others.idxmax()
        rows.append({"task": task, "chosen": chosen,
                     "lodo skill": skill.loc[task, chosen],
                     "best in hindsight": skill.loc[task].max()})
    return pd.DataFrame(rows).set_index("task"), skill.mean().idxmax()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="*",
                        default=[HERE / "suite.jsonl",
                                 HERE / "variants.jsonl"])
    parser.add_argument("--candidates", nargs="*",
                        help="contenders to choose among (default: all "
                        "econnn variants)")
    parser.add_argument("--folds", type=int, default=5,
                        help="compare on the first FOLDS folds (those every "
                        "candidate has)")
    args = parser.parse_args(argv)
    summary = summarise(load(args.results, args.folds))
    fixed = {"linear", "sklearn MLP", "HGB", "RealMLP-TD"}
    candidates = args.candidates or [c for c in dict.fromkeys(
        summary.contender) if c not in fixed]
    table, final = lodo(summary, candidates)
    skill = summary.pivot(index="task", columns="contender", values="skill")
    for ref in ("linear", "sklearn MLP"):
        if ref in skill:
            table[f"vs {ref}"] = table["lodo skill"] - skill[ref]
    print("Mean skill per candidate (in-sample to the suite):")
    print(skill[candidates].mean().sort_values(ascending=False).round(4)
          .to_string())
    print("\nLeave-one-data-set-out choice:")
    print(table.round(4).to_markdown())
    print(f"\nLODO mean skill {table['lodo skill'].mean():.4f}; "
          f"chosen on all tasks: {final}")
    return table, final


if __name__ == "__main__":
    main()
