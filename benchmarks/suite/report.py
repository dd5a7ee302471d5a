"""Tables of the defaults suite from its fold records."""

import numpy as np
import pandas as pd

__all__ = ["summarise", "markdown_report", "paired_difference"]

METRIC = {"regression": "R^2", "classification": "log-loss",
          "count": "Poisson dev."}
BASELINE = "linear"


def paired_difference(d, n_splits):
    """Mean of the paired fold differences and its corrected SE.

    Nadeau and Bengio's correction: ``var(mean) = (1/J + 1/(K-1)) var(d)``
    for ``J`` folds of K-fold CV (test/train size ratio ``1/(K-1)``).
    """
    d = np.asarray(d, dtype=float)
    if len(d) < 2:
        return float(d.mean()), float("nan")
    var = d.var(ddof=1)
    return float(d.mean()), float(np.sqrt((1 / len(d) + 1 / (n_splits - 1))
                                          * var))


def summarise(records):
    """One row per (task, contender): mean scores, skill diff vs linear."""
    df = pd.DataFrame(records)
    rows = []
    for (task, name), g in df.groupby(["task", "contender"], sort=False):
        base = df[(df.task == task) & (df.contender == BASELINE)]
        row = {"task": task, "kind": g.kind.iloc[0], "contender": name,
               "n": int(g.n.iloc[0]), "p": int(g.p.iloc[0]),
               "folds": len(g), "score": g.score.mean(),
               "skill": g.skill.mean(),
               "accuracy": g["accuracy"].mean() if "accuracy" in g else
               np.nan,
               "fit_cpu": g.fit_cpu.median()}
        if len(base):
            m = g.merge(base, on="fold", suffixes=("", "_b"))
            row["diff"], row["se"] = paired_difference(
                m.skill - m.skill_b, int(g.n_splits.iloc[0]))
            row["se_naive"] = float((m.skill - m.skill_b).std(ddof=1) /
                                    np.sqrt(len(m))) if len(m) > 1 else \
                np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out["rank"] = out.groupby("task").skill.rank(ascending=False)
    return out


def _fmt(x, digits=3):
    return "" if pd.isna(x) else f"{x:.{digits}f}"


def markdown_report(records, order=None):
    """Per-task scores, differences vs linear, and the summary table."""
    s = summarise(records)
    tasks = list(dict.fromkeys(s.task))
    names = order or list(dict.fromkeys(s.contender))
    cell = {(r.task, r.contender): r for r in s.itertuples()}
    lines = ["### Scores (mean over folds)", "",
             "| task | n | p | metric | " + " | ".join(names) + " |",
             "|---|---|---|---|" + "---|" * len(names)]
    for t in tasks:
        first = next(cell[t, c] for c in names if (t, c) in cell)
        vals = [_fmt(cell[t, c].score) if (t, c) in cell else "—"
                for c in names]
        lines.append(f"| {t} | {first.n} | {first.p} | {METRIC[first.kind]}"
                     f" | " + " | ".join(vals) + " |")
        if first.kind == "classification":
            vals = [_fmt(cell[t, c].accuracy) if (t, c) in cell else "—"
                    for c in names]
            lines.append(f"| {t} | | | accuracy | " + " | ".join(vals) +
                         " |")
    others = [c for c in names if c != BASELINE]
    lines += ["", "### Skill difference vs the linear model (SE)", "",
              "Skill: R^2, McFadden pseudo-R^2 or deviance D^2; positive is "
              "better than linear. `*`: worse than linear by more than one "
              "SE.", "",
              "| task | " + " | ".join(others) + " |",
              "|---|" + "---|" * len(others)]
    for t in tasks:
        vals = []
        for c in others:
            r = cell.get((t, c))
            if r is None or pd.isna(getattr(r, "diff", np.nan)):
                vals.append("—")
                continue
            flag = "*" if r.diff < -r.se else ""
            vals.append(f"{r.diff:+.3f} ({r.se:.3f}){flag}")
        lines.append(f"| {t} | " + " | ".join(vals) + " |")
    lines += ["", "### Summary", "",
              "Mean rank among the contenders run on each task (1 = best). "
              "Time ratio: median over tasks of the per-task ratio of "
              "median fit CPU times.", "",
              "| contender | tasks | mean skill | mean diff vs linear | "
              "worse than linear by > 1 SE | ahead of sklearn MLP | "
              "mean rank | median fit CPU s | time vs sklearn MLP |",
              "|---|---|---|---|---|---|---|---|---|"]
    mlp = s[s.contender == "sklearn MLP"].set_index("task").fit_cpu
    mlp_skill = s[s.contender == "sklearn MLP"].set_index("task").skill
    for c in names:
        g = s[s.contender == c]
        worse = int((g["diff"] < -g["se"]).sum()) if "diff" in g else 0
        common = g.task[g.task.isin(mlp.index)]
        ratio = np.median(g.set_index("task").fit_cpu[common] /
                          mlp[common]) if len(common) else np.nan
        gs = g.set_index("task").skill
        both = gs.index.intersection(mlp_skill.index)
        ahead = f"{int((gs[both] > mlp_skill[both]).sum())}/{len(both)}" \
            if c != "sklearn MLP" else ""
        lines.append(
            f"| {c} | {len(g)} | {_fmt(g.skill.mean())} | "
            f"{_fmt(g['diff'].mean()) if 'diff' in g else ''} | {worse} | "
            f"{ahead} | {_fmt(g['rank'].mean(), 2)} | "
            f"{_fmt(g.fit_cpu.median(), 2)} | {_fmt(ratio, 2)} |")
    lines += _subset_table(s, "RealMLP-TD", names)
    return "\n".join(lines) + "\n"


def _subset_table(s, ref, names):
    """Every contender on the tasks ``ref`` ran: mean score, time ratio."""
    tasks = list(s.task[s.contender == ref])
    if not tasks:
        return []
    sub = s[s.task.isin(tasks)]
    ref_rows = sub[sub.contender == ref].set_index("task")
    out = ["", f"### On the {len(tasks)} tasks {ref} ran", "",
           "Mean R^2 (regression), accuracy (classification) and skill over "
           f"those tasks; time ratio = median over tasks of fit CPU / {ref}'s.",
           "", "| contender | tasks | mean R^2 / accuracy | mean skill | "
           f"median fit CPU s | time vs {ref} |", "|---|---|---|---|---|---|"]
    for c in [c for c in names if c in set(sub.contender)]:
        g = sub[sub.contender == c].set_index("task")
        common = g.index.intersection(ref_rows.index)
        if len(common) < len(tasks):
            continue
        g = g.loc[common]
        headline = np.where(g.kind == "regression", g.score, g.accuracy)
        headline = headline[g.kind.to_numpy() != "count"]
        ratio = np.median(g.fit_cpu / ref_rows.fit_cpu[common])
        out.append(f"| {c} | {len(g)} | {_fmt(np.mean(headline))} | "
                   f"{_fmt(g.skill.mean())} | {_fmt(g.fit_cpu.median(), 2)} "
                   f"| {_fmt(ratio, 3)} |")
    return out
