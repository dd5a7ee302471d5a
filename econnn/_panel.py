"""Early-stopping splits that respect panel structure.

With panel data (several rows per individual, firm or country) a random
validation split puts rows of the same individual on both sides: the
network is validated on individuals it has already seen, the validation
score overstates how it does on new ones, and early stopping stops late.
``validation_split='group'`` keeps all rows of a group (``groups`` passed to
``fit``) on one side; ``'time'`` validates on the last
``validation_fraction`` of the rows, in the order given (sort by time).
"""

import math

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

__all__ = ["SPLITS", "split_validation"]


def _time(n, fraction, seed, groups):
    n_valid = math.ceil(fraction * n)
    return np.arange(n - n_valid), np.arange(n - n_valid, n)


def _group(n, fraction, seed, groups):
    if groups is None:
        raise ValueError(
            "validation_split='group' needs the groups: pass fit(X, y, "
            "groups=...) (through a Pipeline or cross_validate, enable "
            "metadata routing and call set_fit_request(groups=True)).")
    if len(np.unique(groups)) < 2:
        raise ValueError(
            "validation_split='group' needs at least 2 groups; got 1.")
    split = GroupShuffleSplit(n_splits=1, test_size=fraction,
                              random_state=seed)
    return next(split.split(np.zeros(n), groups=groups))


#: Early-stopping splits by name (``'random'`` is the estimator's own).
SPLITS = {"time": _time, "group": _group}


def split_validation(kind, n, fraction, seed, groups=None):
    """Train and validation indices of a 'time' or 'group' split."""
    train_idx, valid_idx = SPLITS[kind](n, fraction, seed, groups)
    if len(valid_idx) < 2 or len(train_idx) < 2:
        raise ValueError(
            "The validation set is too small: early_stopping needs at least "
            f"2 validation and 2 training samples; got n_samples={n}: "
            f"{len(train_idx)} training and {len(valid_idx)} validation with"
            f" validation_split={kind!r}. Increase validation_fraction or "
            "the size of your dataset.")
    return np.asarray(train_idx), np.asarray(valid_idx)
