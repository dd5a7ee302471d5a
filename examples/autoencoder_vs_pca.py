"""A composite index of US economic activity: autoencoder vs first PC.

Eight quarterly indicators from statsmodels' US macro data (1959-2009):
growth of real GDP, consumption, investment, government spending and
disposable income, and the changes in unemployment, the T-bill rate and
inflation. Each is summarised into one index, by its first principal
component and by a one-component autoencoder (one tanh hidden layer each
side), and the two indices are plotted with NBER recessions shaded.

Run from the repository root::

    OMP_NUM_THREADS=1 python examples/autoencoder_vs_pca.py

which saves the plot to ``autoencoder_vs_pca.png`` (``--output`` to change).
"""

import argparse
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from statsmodels.datasets import macrodata  # noqa: E402

from econnn import AutoencoderTransformer  # noqa: E402

# NBER business-cycle peaks and troughs within the sample (quarters)
RECESSIONS = [("1960Q2", "1961Q1"), ("1969Q4", "1970Q4"),
              ("1973Q4", "1975Q1"), ("1980Q1", "1980Q3"),
              ("1981Q3", "1982Q4"), ("1990Q3", "1991Q1"),
              ("2001Q1", "2001Q4"), ("2007Q4", "2009Q2")]


def indicators():
    """Stationary transformations of the macro series, indexed by quarter."""
    data = macrodata.load_pandas().data
    data.index = pd.PeriodIndex.from_fields(
        year=data["year"].astype(int), quarter=data["quarter"].astype(int),
        freq="Q")
    growth = 400 * np.log(data[["realgdp", "realcons", "realinv",
                                "realgovt", "realdpi"]]).diff()
    changes = data[["unemp", "tbilrate", "infl"]].diff()
    return pd.concat([growth, changes], axis=1).dropna()


def standardise_sign(index, reference):
    """Unit variance, signed to correlate positively with the reference."""
    index = (index - index.mean()) / index.std()
    return index if np.corrcoef(index, reference)[0, 1] >= 0 else -index


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default="autoencoder_vs_pca.png")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    X = indicators()
    pca = make_pipeline(StandardScaler(), PCA(n_components=1))
    autoencoder = AutoencoderTransformer(
        n_components=1, hidden_layer_sizes=(16,), activation="tanh",
        learning_rate_init=0.01, batch_size=32, max_iter=300, alpha=1e-3,
        random_state=0)

    # out of sample first: fit to 1959-1996, reconstruct 1997-2009
    train, test = X.loc[:"1996Q4"], X.loc["1997Q1":]
    pca.fit(train)
    autoencoder.fit(train)
    scaled = pca[0].transform(test)
    pca_mse = ((scaled - pca[-1].inverse_transform(
        pca[-1].transform(scaled))) ** 2).mean()
    print(f"held-out reconstruction error ({len(test)} quarters, "
          f"standardised units): PC1 {pca_mse:.3f}, "
          f"autoencoder {-autoencoder.score(test):.3f}")

    pca.fit(X)
    autoencoder.fit(X)

    gdp = X["realgdp"].to_numpy()
    pc1 = standardise_sign(pca.transform(X)[:, 0], gdp)
    ae1 = standardise_sign(autoencoder.transform(X)[:, 0], gdp)
    pca_share = pca[-1].explained_variance_ratio_[0]
    ae_share = autoencoder.explained_variance_ratio_[0]

    print(f"quarters: {len(X)}, indicators: {X.shape[1]}")
    print(f"variance reconstructed in sample: PC1 {pca_share:.3f}, "
          f"autoencoder {ae_share:.3f}")
    print(f"correlation of the two indices: {np.corrcoef(pc1, ae1)[0, 1]:.3f}")
    print(f"correlation with GDP growth: PC1 {np.corrcoef(pc1, gdp)[0, 1]:.3f}"
          f", autoencoder {np.corrcoef(ae1, gdp)[0, 1]:.3f}")

    dates = X.index.to_timestamp()
    fig, ax = plt.subplots(figsize=(9, 4))
    for start, end in RECESSIONS:
        ax.axvspan(pd.Period(start).to_timestamp(),
                   pd.Period(end).to_timestamp(how="end"), color="0.85",
                   lw=0)
    ax.plot(dates, pc1, lw=1.2, label=f"first principal component "
            f"({pca_share:.0%} of variance)")
    ax.plot(dates, ae1, lw=1.2, label=f"autoencoder, 1 component "
            f"({ae_share:.0%} of variance)")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("index (standard deviations)")
    ax.set_title("Composite index of US activity, 8 quarterly indicators "
                 "(NBER recessions shaded)")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"saved {args.output}")


if __name__ == "__main__":
    main()
