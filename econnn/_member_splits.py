"""``validation_split='cv'``: every ensemble member holds out its own fold.

Cross-validated bagging.  The training rows are cut at random into
``K = max(n_members, round(1 / validation_fraction))`` folds (stratified by
class for classifiers where every class fills every fold); member ``m`` is
validated on fold ``m`` and trained on the rest.  With two to five members
and ``validation_fraction=0.2`` each member holds out a fifth of the rows,
as with a shared split, but not the same fifth: every row trains all
members but at most one, and the ensemble's average has seen all the data.
The engine receives the folds as weights (:mod:`econnn.engine._members`).
"""

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

__all__ = ["member_holdout", "member_weights"]


def member_holdout(n, n_members, fraction, seed, labels=None):
    """Each member's validation rows.

    Parameters
    ----------
    n : int
        Number of training rows.
    n_members : int
        Members of the ensemble.
    fraction : float
        ``validation_fraction``: the folds number
        ``max(n_members, round(1 / fraction))`` (fewer where that would
        leave a fold under 2 rows, down to ``n_members``).
    seed : int
        Seed of the random folds.
    labels : ndarray of shape (n,) or None
        Classes to stratify the folds by (ignored when a class has fewer
        rows than there are folds).

    Returns
    -------
    holdout : ndarray of bool, shape (n, n_members)
        ``holdout[i, m]``: row ``i`` validates member ``m`` (and does not
        train it).
    """
    # fewer, larger folds on tiny data (at least 2 rows each)
    n_folds = max(n_members, 2, min(int(round(1 / fraction)), n // 2))
    if n < 2 * n_folds:
        raise ValueError(
            "The validation set is too small: validation_split='cv' needs "
            f"at least 2 rows in each of its {n_folds} folds; got "
            f"n_samples={n}. Use fewer ensemble members, a larger "
            "validation_fraction or another validation_split.")
    cv = KFold(n_folds, shuffle=True, random_state=seed)
    if labels is not None:
        _, counts = np.unique(labels, return_counts=True)
        if counts.min() >= n_folds:
            cv = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    fold = np.empty(n, dtype=int)
    for k, (_, valid) in enumerate(cv.split(np.zeros((n, 1)), labels)):
        fold[valid] = k
    return fold[:, None] == np.arange(n_members)[None, :]


def member_weights(holdout, w):
    """Training and validation weights per member, ``(n, n_members)``.

    A member's training weights are the sample weights on its training
    rows, zero on its validation rows, scaled to mean one over all rows,
    so that its mean loss over a batch estimates its weighted mean loss
    over its own training rows (the gradient it would get trained alone).
    Its validation weights are the sample weights on its validation rows
    (the rows' indicator, if those weights are all zero).
    """
    w = np.asarray(w, dtype=np.float64)[:, None]
    train = np.where(holdout, 0.0, w)
    share = train.mean(axis=0)
    if np.any(share <= 0):
        m = int(np.flatnonzero(share <= 0)[0])
        raise ValueError(
            f"Ensemble member {m} has no training row of positive weight "
            "under validation_split='cv'; use another validation_split.")
    valid = np.where(holdout, w, 0.0)
    empty = valid.sum(axis=0) <= 0
    valid[:, empty] = holdout[:, empty]
    return train / share, valid
