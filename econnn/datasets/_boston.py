"""The Boston hedonic housing data (Harrison and Rubinfeld, 1978)."""

from importlib import resources

import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_boston"]

DESCR = """\
Boston hedonic housing data
===========================

506 census tracts of the Boston Standard Metropolitan Statistical Area in
1970, as used by Harrison and Rubinfeld (1978) to estimate the demand for
clean air (the marginal willingness to pay for lower nitric-oxide
concentrations) from house prices. Distributed as the data set ``Boston`` of
R's MASS package, from which this copy is taken.

Target
------
medv     median value of owner-occupied homes, in $1000s

Regressors
----------
crim     per-capita crime rate by town
zn       share of residential land zoned for lots over 25,000 sq. ft.
indus    share of non-retail business acres per town
chas     Charles River dummy (1 if the tract bounds the river)
nox      nitric-oxide concentration (parts per 10 million)
rm       average number of rooms per dwelling
age      share of owner-occupied units built before 1940
dis      weighted distance to five Boston employment centres
rad      index of accessibility to radial highways
tax      full-value property-tax rate per $10,000
ptratio  pupil-teacher ratio by town
black    1000 (Bk - 0.63)^2, Bk the proportion of Black residents by town
lstat    percentage of lower-status population

About the variable ``black``
----------------------------
Harrison and Rubinfeld entered ``1000 (Bk - 0.63)^2`` on the assumption that
racial self-segregation affects house prices, with a parabolic form that
makes prices fall as the Black share rises above 63%. The variable is built
on that assumption, it is not invertible (Bk cannot be recovered from it),
and it is the reason scikit-learn removed this data set in version 1.2.
econnn ships the data so that the original study can be reproduced and
examined; ``load_boston(drop_black=True)`` removes the column, and analyses
that do not replicate the 1978 specification should do so.

Known issues
------------
The median values are censored at $50,000 (16 tracts with medv == 50).

Reference
---------
Harrison, D. and Rubinfeld, D. L. (1978). Hedonic housing prices and the
demand for clean air. Journal of Environmental Economics and Management
5(1), 81-102.
"""


def load_boston(*, return_X_y=False, drop_black=False):
    """Load the Boston hedonic housing data (506 tracts, 13 regressors).

    Read the notes in ``DESCR`` before use: the column ``black`` encodes an
    assumption of racial self-segregation, which is why scikit-learn removed
    this data set; pass ``drop_black=True`` to leave it out.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(X, y)``: a DataFrame of regressors and the Series
        ``medv``.
    drop_black : bool, default=False
        Whether to leave out the column ``black``.

    Returns
    -------
    data : sklearn.utils.Bunch
        With ``data`` (DataFrame), ``target`` (Series ``medv``), ``frame``
        (both), ``feature_names`` and ``DESCR``.
    (X, y) : tuple of (DataFrame, Series)
        If ``return_X_y`` is True.

    References
    ----------
    Harrison, D. and Rubinfeld, D. L. (1978). Hedonic housing prices and the
    demand for clean air. Journal of Environmental Economics and Management
    5(1), 81-102.

    Examples
    --------
    >>> from econnn.datasets import load_boston
    >>> X, y = load_boston(return_X_y=True)
    >>> X.shape, y.name
    ((506, 13), 'medv')
    >>> load_boston(return_X_y=True, drop_black=True)[0].shape
    (506, 12)
    """
    path = resources.files("econnn.datasets") / "data" / "boston.csv"
    with resources.as_file(path) as csv:
        frame = pd.read_csv(csv)
    frame["chas"] = frame["chas"].astype(int)
    if drop_black:
        frame = frame.drop(columns="black")
    X, y = frame.drop(columns="medv"), frame["medv"]
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, frame=frame,
                 feature_names=list(X.columns), DESCR=DESCR)
