"""A fitted PanelForecaster as plain data, for :func:`econnn.save`.

The pandas tables of a fitted panel model (``series_``, ``covariates_``,
``holdout_errors_``, ``ids_``) become dicts of lists and arrays -- periods
as strings with their frequency -- and are rebuilt exactly; the global
models (``forecasters_``) are stored by :mod:`econnn._persistence` as
nested estimators.
"""

import numpy as np
import pandas as pd

from ._linear import ErrorScales

__all__ = ["panel_state", "restore_panel_state"]

#: Fitted attributes held as pandas objects, and how each is converted.
_TABLES = ("series_", "covariates_", "holdout_errors_")


def index_to_data(index):
    """A pandas Index (flat or MultiIndex) as JSON-able data."""
    if isinstance(index, pd.MultiIndex):
        return {"levels": [index_to_data(index.get_level_values(i))
                           for i in range(index.nlevels)],
                "names": list(index.names)}
    if isinstance(index, pd.PeriodIndex):
        return {"period": [str(p) for p in index], "freq": index.freqstr,
                "name": index.name}
    if isinstance(index, pd.DatetimeIndex):
        return {"datetime": [t.isoformat() for t in index],
                "freq": index.freqstr, "name": index.name,
                "dtype": str(index.dtype)}
    return {"values": index.tolist(), "dtype": str(index.dtype),
            "name": index.name}


def index_from_data(data):
    if "levels" in data:
        return pd.MultiIndex.from_arrays(
            [index_from_data(level) for level in data["levels"]],
            names=data["names"])
    if "period" in data:
        return pd.PeriodIndex(data["period"], freq=data["freq"],
                              name=data["name"])
    if "datetime" in data:
        # the resolution (us, ns) too: files before it was stored have none
        out = pd.DatetimeIndex(data["datetime"], name=data["name"],
                               dtype=data.get("dtype"))
        return out if data["freq"] is None else pd.DatetimeIndex(
            out, freq=data["freq"])
    return pd.Index(data["values"], dtype=data["dtype"], name=data["name"])


def frame_to_data(frame):
    """A DataFrame as data: its index, columns and one entry per column
    (a numeric array, or a list for object columns such as p-values that
    may be None)."""
    columns = []
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if values.dtype.kind in "biuf":
            columns.append(values.to_numpy())
        else:
            columns.append({"dtype": str(values.dtype),
                            "list": values.tolist()})
    return {"index": index_to_data(frame.index),
            "columns": index_to_data(frame.columns), "values": columns}


def frame_from_data(data):
    index = index_from_data(data["index"])
    values = {}
    for i, v in enumerate(data["values"]):
        if isinstance(v, dict):
            v = pd.Series(v["list"], index=index, dtype=v["dtype"])
        else:
            v = pd.Series(np.asarray(v), index=index)
        values[i] = v
    frame = pd.DataFrame(values, index=index)
    frame.columns = index_from_data(data["columns"])
    return frame


def panel_state(model):
    """``model``'s fitted attributes as plain data (the fitted global
    models stay estimators: the caller stores them)."""
    attrs = {k: v for k, v in vars(model).items()
             if k.endswith("_") or k.startswith("_")}
    for name in _TABLES:
        if attrs[name] is not None:
            attrs[name] = frame_to_data(attrs[name])
    attrs["ids_"] = index_to_data(attrs["ids_"])
    attrs["error_scales_"] = {g: s.to_data()
                              for g, s in attrs["error_scales_"].items()}
    return attrs


def restore_panel_state(model, attrs):
    """Set the fitted attributes that :func:`panel_state` described."""
    attrs = dict(attrs)
    for name in _TABLES:
        if attrs[name] is not None:
            attrs[name] = frame_from_data(attrs[name])
    attrs["ids_"] = index_from_data(attrs["ids_"])
    attrs["error_scales_"] = {g: ErrorScales.from_data(s)
                              for g, s in attrs["error_scales_"].items()}
    vars(model).update(attrs)
