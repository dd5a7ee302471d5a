"""How the Boston NOX effect moves with the seed, with one or more splits.

For seeds 0-4, fits the example's default network and the log-linear OLS
(``examples/boston_hedonic.py``) with ``random_state=seed`` and computes the
average marginal effect of NOX with the default, cross-fitted influence
standard errors, the cross-fitting repeated on ``--n-repeats`` splits.
Figures: docs/boston.md, "How stable the figure is".

Usage::

    python benchmarks/boston_effect_seeds.py --n-repeats 1
    python benchmarks/boston_effect_seeds.py --n-repeats 5
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import boston_hedonic  # noqa: E402
from econnn import marginal_effects  # noqa: E402
from econnn.datasets import load_boston  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-repeats", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=range(5))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    X, y = load_boston(return_X_y=True)
    for name in (boston_hedonic.NETWORK,
                 "OLS, Harrison-Rubinfeld log-linear"):
        rows = []
        for seed in args.seeds:
            model = boston_hedonic.make_models(seed)[name].fit(X, y)
            me = marginal_effects(model, X, features=["nox"], y=y,
                                  n_repeats=args.n_repeats,
                                  derivative="numerical", random_state=seed)
            rows.append((me["effect"].iloc[0], me["std_err"].iloc[0]))
            print(f"{name}, seed {seed}: effect {rows[-1][0]:.2f} "
                  f"(s.e. {rows[-1][1]:.2f})", flush=True)
        e = np.array(rows)
        print(f"{name}: sd over seeds {e[:, 0].std(ddof=1):.2f}, mean s.e. "
              f"{e[:, 1].mean():.2f}\n", flush=True)


if __name__ == "__main__":
    main()
