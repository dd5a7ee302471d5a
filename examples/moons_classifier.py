"""Two moons with a 2-16-2 network: the notes' PyTorch example, with econnn.

The notes build a network with 2 inputs, one hidden layer of 16 ReLU units
and 2 outputs in plain PyTorch and write the training loop by hand. With
:class:`econnn.NNClassifier` the same model is one line; for two classes it
uses a single logistic output, which is the same model as two softmax
outputs (the softmax of two logits depends only on their difference). The
script prints the test accuracy and draws the decision boundary to
``out/moons_boundary.png``; it runs in a few seconds::

    python examples/moons_classifier.py
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from econnn import NNClassifier, plot_learning_curve  # noqa: E402


def main(out="out", random_state=0):
    out = Path(out)
    out.mkdir(exist_ok=True)
    X, y = make_moons(1000, noise=0.2, random_state=random_state)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=random_state)
    clf = NNClassifier(hidden_layer_sizes=(16,), activation="relu",
                       n_ensemble=1, learning_rate="constant",
                       learning_rate_init=0.01, max_iter=300,
                       early_stopping=True, n_iter_no_change=20,
                       random_state=random_state).fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    print(clf.summary())
    print(f"\ntest accuracy: {accuracy:.3f}")

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - 0.5,
                                     X[:, 0].max() + 0.5, 300),
                         np.linspace(X[:, 1].min() - 0.5,
                                     X[:, 1].max() + 0.5, 300))
    proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1]
    contour = left.contourf(xx, yy, proba.reshape(xx.shape), levels=20,
                            cmap="RdBu_r", alpha=0.7)
    left.contour(xx, yy, proba.reshape(xx.shape), levels=[0.5],
                 colors="black")
    left.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu_r",
                 edgecolor="k", s=15)
    fig.colorbar(contour, ax=left, label="P(y = 1)")
    left.set_title(f"2-16-2 network, test accuracy {accuracy:.3f}")
    plot_learning_curve(clf, ax=right)
    fig.tight_layout()
    fig.savefig(out / "moons_boundary.png", dpi=120)
    print(f"wrote {out / 'moons_boundary.png'}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="output folder")
    main(out=parser.parse_args().out)
