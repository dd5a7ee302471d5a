"""Input checks that scikit-learn's ``validate_data`` leaves out.

scikit-learn converts whatever numpy can cast to float: a categorical
column becomes its category values (codes read as quantities), a date
becomes nanoseconds since 1970 (9.47e17 for the year 2000), and a column
of words fails with numpy's "could not convert string to float" without
saying which column. econnn's estimators and tools refuse such columns
first, naming them, then hand over to scikit-learn.
"""

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data as _sklearn_validate_data

__all__ = ["check_numeric", "validate_data"]

_ENCODE = ("encode it as numbers first, e.g. with "
           "sklearn.preprocessing.OneHotEncoder or pandas.get_dummies")


def _is_temporal(dtype):
    return (isinstance(dtype, (pd.DatetimeTZDtype, pd.PeriodDtype)) or
            getattr(dtype, "kind", None) in ("M", "m"))


def _check_column(values, label, dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        raise TypeError(
            f"{label} is categorical; econnn's networks read numbers as "
            f"quantities, so {_ENCODE}.")
    if _is_temporal(dtype):
        raise TypeError(
            f"{label} holds dates or times (dtype {dtype}); convert it to a "
            "number first (e.g. a year, or days since a reference date).")
    if isinstance(dtype, pd.IntervalDtype):
        raise TypeError(f"{label} holds intervals (dtype {dtype}); convert "
                        "it to numbers first (e.g. their midpoints).")
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        series = pd.Series(np.asarray(values, dtype=object).ravel())
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna() & series.notna()
        if bad.any():
            raise ValueError(
                f"{label} holds non-numeric values (e.g. "
                f"{series[bad].iloc[0]!r}); {_ENCODE}.")


def check_numeric(data, name="X"):
    """Refuse categorical, date/time and non-numeric text data.

    Parameters
    ----------
    data : object
        A DataFrame, Series or array (anything else is left to
        scikit-learn's checks).
    name : str, default='X'
        The argument's name, for the messages.

    Raises
    ------
    TypeError
        For categorical, date, time or interval columns.
    ValueError
        For text that is not a number.
    """
    if isinstance(data, pd.DataFrame):
        for column, dtype in data.dtypes.items():
            if dtype != np.float64:  # the common case costs one comparison
                _check_column(data[column], f"Column {column!r} of {name}",
                              dtype)
    elif isinstance(data, (pd.Series, pd.Index)):
        _check_column(data, name, data.dtype)
    elif isinstance(data, np.ndarray):
        if data.dtype.kind in "mM":
            _check_column(data, name, data.dtype)


def _check_target(y):
    """Refuse a numeric target given as categories, dates or words."""
    if isinstance(y, (pd.DataFrame, pd.Series)):
        check_numeric(y, "y")
    elif isinstance(y, (list, tuple, np.ndarray)):
        values = np.asarray(y)
        if values.dtype.kind in "OUSmM":
            _check_column(values, "y", values.dtype if values.dtype.kind
                          in "mM" else np.dtype(object))


def validate_data(estimator, X="no_validation", y="no_validation",
                  **kwargs):
    """:func:`sklearn.utils.validation.validate_data`, after
    :func:`check_numeric` on ``X`` (and on ``y`` when it must be numeric).
    """
    check_numeric(X, "X")
    if kwargs.get("y_numeric"):
        _check_target(y)
    return _sklearn_validate_data(estimator, X, y, **kwargs)
