"""The tables of ``docs/defaults.md`` from the stored fold results.

    python -m benchmarks.suite.tables              # the suite
    python -m benchmarks.suite.tables --heldout    # the held-out data sets

Reads ``results/*.jsonl`` (written by the commands in ``docs/defaults.md``)
and names the contenders as the docs do: ``econnn`` is the current
defaults, run into ``results/defaults.jsonl`` (23 Nov 2026, with the
linear model), and the
defaults before this study are ``econnn (old defaults)``.  The previous
defaults (the candidate ``p30v2``, without refit, equal batches or weight
averaging) are left out; ``select`` and ``variants.jsonl`` keep them.
The held-out tables read ``results/heldout_defaults.jsonl`` likewise.
"""

import argparse
from pathlib import Path

from .report import markdown_report
from .select import load

HERE = Path(__file__).resolve().parent / "results"
FIXED = ("linear", "sklearn MLP", "HGB", "RealMLP-TD")
#: ``python -m benchmarks.suite --contenders econnn linear --results`` this
#: file (23 Nov 2026): the shipped defaults, and OLS on standardised columns
#: (``suite.jsonl``'s rows of both are older: earlier defaults, and OLS on
#: raw columns, truncated by scipy on hprice3)
CURRENT = HERE / "defaults.jsonl"
HELDOUT_CURRENT = HERE / "heldout_defaults.jsonl"
RERUN = ("econnn", "linear")
ORDER = ["linear", "econnn", "econnn (old defaults)", "sklearn MLP", "HGB",
         "RealMLP-TD"]
#: the first study ran econnn's old defaults under the name 'econnn' on
#: these tasks (before the defaults changed)
_OLD_AS_ECONNN = {"card", "htv", "beauty", "hprice3", "sleep75", "econmath",
                  "vote1", "boston"}


def _name(contender, task, current):
    """The docs' name of a stored contender, or None to leave it out."""
    if current:
        return contender if contender in RERUN else None
    if contender == "econnn":
        # suite.jsonl's rows after the switch are earlier defaults again
        return "econnn (old defaults)" if task in _OLD_AS_ECONNN else None
    if contender == "linear":
        return None
    if contender in FIXED or contender == "econnn (old defaults)":
        return contender
    return None


def final_records(folds=5, heldout=False):
    if heldout:
        current = HELDOUT_CURRENT
        paths = (HERE / "heldout.jsonl", HERE / "heldout_401k_gpa.jsonl",
                 current)
    else:
        current = CURRENT
        paths = (HERE / "suite.jsonl", HERE / "old.jsonl", current,
                 HERE / "realmlp.jsonl")
    records = []
    for path in paths:
        for rec in load([path], folds):
            name = _name(rec["contender"], rec["task"], path == current)
            if name is not None:
                records.append({**rec, "contender": name})
    # a task some contender has not finished (RealMLP-TD, stopped for
    # CPU) is left out of that contender's rows
    count = {}
    for rec in records:
        key = (rec["task"], rec["contender"])
        count[key] = count.get(key, 0) + 1
    return [r for r in records if count[r["task"], r["contender"]] >= folds]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", action="store_true",
                        help="the held-out data sets instead of the suite")
    args = parser.parse_args(argv)
    records = final_records(heldout=args.heldout)
    present = {rec["contender"] for rec in records}
    text = markdown_report(records,
                           order=[c for c in ORDER if c in present])
    print(text)
    return text


if __name__ == "__main__":
    main()
