"""Saving and loading fitted estimators as data, without pickle.

``pickle`` (and ``joblib``) store an estimator as instructions to rebuild
it, and loading a pickle runs whatever code those instructions name: a
model file from someone else is a program.  :func:`save` writes a fitted
econnn estimator as data only, in one `safetensors
<https://huggingface.co/docs/safetensors>`_ file:

* the network weights (and the optimizer's moment estimates, so that
  ``warm_start``/``partial_fit`` continue as they would have), and the
  numeric fitted arrays, as tensors;
* the class name, the hyperparameters and the other fitted attributes as
  JSON in the file's header, with the econnn and torch versions and a
  SHA-256 checksum of the whole content.

:func:`load` parses the header, checks the checksum and versions, looks the
class up among econnn's own estimators (never by an import path taken from
the file) and rebuilds the network from the hyperparameters before copying
the weights in.  Nothing in the file is executed; a file that is not an
econnn model, or was changed after saving, is refused with a ``ValueError``.
"""

import hashlib
import io
import json
import os
import struct
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["save", "load"]

_FORMAT = "econnn-model"
#: 2: the monotone network stores its non-negative layers at an ordinary
#: scale and shrinks them in the forward pass (format 1 stored them shrunk)
_FORMAT_VERSION = 2
_META_KEY = "econnn"

def _registered():
    """The estimator classes :func:`load` may build, by name."""
    from ._autoencoder import AutoencoderTransformer
    from ._classifier import NNClassifier
    from ._convnet import ConvNetClassifier, ConvNetRegressor
    from ._regressor import NNRegressor
    from .timeseries._combination import ForecastCombination
    from .timeseries._forecaster import SequenceForecaster
    from .timeseries._panel import PanelForecaster

    return {cls.__name__: cls for cls in (
        NNRegressor, NNClassifier, AutoencoderTransformer,
        SequenceForecaster, ConvNetRegressor, ConvNetClassifier,
        PanelForecaster, ForecastCombination)}


def _members():
    """The forecast-combination members :func:`load` may build, by name:
    plain objects whose state is data (``to_data``/``from_data``)."""
    from .timeseries._members import MEMBERS

    return MEMBERS


def _member_name(value):
    """``value``'s name in :func:`_members`, or None (a subclass is code)."""
    return next((name for name, cls in _members().items()
                 if type(value) is cls), None)


# ------------------------------------------------------------------ encoding
def _encode(value, where, tensors):
    """``value`` as JSON-able data; numeric arrays go to ``tensors``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        if value.dtype.kind not in "biufU":
            raise TypeError(f"{where}: cannot store a {value.dtype} scalar.")
        return {"__scalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.dtype):
        return {"__dtype__": value.str}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            # numbered: a tuple or list may hold several arrays
            key = f"attr.{len(tensors)}.{where}"
            # a copy: pandas hands out read-only views, which torch warns of
            tensors[key] = torch.from_numpy(np.array(value, order="C"))
            return {"__array__": key}
        if value.dtype.kind in "UO":  # labels, feature names
            return {"__ndarray__": [_encode(v, where, tensors)
                                    for v in value.ravel().tolist()],
                    "dtype": value.dtype.str, "shape": list(value.shape)}
    elif isinstance(value, tuple):
        # each item gets its own path: arrays are stored under it
        return {"__tuple__": [_encode(v, f"{where}[{i}]", tensors)
                              for i, v in enumerate(value)]}
    elif isinstance(value, list):
        return [_encode(v, f"{where}[{i}]", tensors)
                for i, v in enumerate(value)]
    elif isinstance(value, dict):
        return {"__dict__": [[_encode(k, f"{where}<key{i}>", tensors),
                              _encode(v, f"{where}[{i}]", tensors)]
                             for i, (k, v) in enumerate(value.items())]}
    elif isinstance(value, BaseEstimator) and \
            type(value).__name__ in _registered():
        return _encode_estimator(value, where, tensors)
    elif _member_name(value) is not None:
        return {"__member__": _member_name(value),
                "data": _encode_all(value.to_data(), where, tensors)}
    elif isinstance(value, type) and where.startswith("params."):
        raise TypeError(
            f"{where} is a class ({value.__module__}.{value.__qualname__}): "
            "code, which econnn.save does not store. Save a model with a "
            "custom module with pickle or joblib (and load such files only "
            "from sources you trust).")
    raise TypeError(f"{where}: econnn.save cannot store a "
                    f"{type(value).__name__} as data.")


def _encode_estimator(estimator, where, tensors):
    """An econnn estimator held by another (a panel's global models, its
    configuration): class name and hyperparameters, and when fitted its
    fitted attributes, its tensors stored under ``where``."""
    entry = {"__estimator__": type(estimator).__name__,
             "params": _encode_all(estimator.get_params(deep=False),
                                   f"{where}.params", tensors)}
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return entry
    attrs, state = estimator._get_state()
    entry["attributes"] = _encode_all(attrs, f"{where}.attributes", tensors)
    entry["tensors"] = f"{where}."
    for key, value in state.items():
        tensors[f"{where}.{key}"] = value.detach()
    return entry


def _decode_estimator(value, tensors, device):
    cls = _registered().get(value["__estimator__"])
    if cls is None:
        raise ValueError(f"the header holds a {value['__estimator__']!r}, "
                         "not an econnn estimator that econnn.load can "
                         "build.")
    estimator = cls(**{k: _decode(v, tensors, device)
                       for k, v in value["params"].items()})
    if "attributes" in value:
        attrs = {k: _decode(v, tensors, device)
                 for k, v in value["attributes"].items()}
        prefix = value["tensors"]
        state = {k[len(prefix):]: tensors.pop(k) for k in list(tensors)
                 if k.startswith(prefix)}
        estimator._set_state(attrs, state, device)
    return estimator


def _decode(value, tensors, device=None):
    if isinstance(value, list):
        return [_decode(v, tensors, device) for v in value]
    if not isinstance(value, dict):
        return value
    (tag, payload), *rest = value.items()
    if tag == "__estimator__":
        return _decode_estimator(value, tensors, device)
    if tag == "__member__":
        if payload not in _members():
            raise ValueError(f"the header holds a member {payload!r}, not "
                             "one that econnn.load can build.")
        return _members()[payload].from_data(
            {k: _decode(v, tensors, device)
             for k, v in value["data"].items()})
    if tag == "__tuple__":
        return tuple(_decode(v, tensors, device) for v in payload)
    if tag == "__dict__":
        return {_decode(k, tensors, device): _decode(v, tensors, device)
                for k, v in payload}
    if tag == "__array__":
        return tensors.pop(payload).numpy()
    if tag == "__ndarray__":
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "UO":
            raise ValueError(f"unexpected array dtype {dtype} in the header")
        out = np.empty(len(payload), dtype=dtype)
        out[:] = [_decode(v, tensors, device) for v in payload]
        return out.reshape(value["shape"])
    if tag == "__scalar__":
        return np.dtype(value["dtype"]).type(payload)
    if tag == "__dtype__":
        return np.dtype(payload)
    raise ValueError(f"unknown entry {tag!r} in the header")


def _checksum(header, tensors):
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    for key in sorted(tensors):
        t = tensors[key]
        digest.update(f"{key}:{t.dtype}:{tuple(t.shape)}".encode())
        digest.update(t.contiguous().reshape(-1).view(torch.uint8).numpy()
                      .tobytes())
    return digest.hexdigest()


def _versions():
    from . import __version__

    return {"econnn": __version__, "torch": torch.__version__}


# -------------------------------------------------------------------- public
def save(estimator, path):
    """Save a fitted econnn estimator to a file, as data (no pickle).

    Parameters
    ----------
    estimator : econnn estimator
        A fitted :class:`NNRegressor`, :class:`NNClassifier`,
        :class:`AutoencoderTransformer`, :class:`SequenceForecaster`,
        :class:`ConvNetRegressor`, :class:`ConvNetClassifier` (with a
        built-in network; a custom ``module`` class is code and is
        refused), :class:`PanelForecaster` (its global models are stored
        as nested estimators, its tables as data) or
        :class:`ForecastCombination` (its forecaster nested, its built-in
        classical members by name with their specification and parameters;
        a member object of another class is code and is refused).
    path : str, os.PathLike or binary file object
        File to write, conventionally ``*.safetensors``, or an object with
        a ``write`` method (``open(..., "wb")``, ``io.BytesIO``) that the
        file's bytes are written to.

    Raises
    ------
    TypeError
        If ``estimator`` is not an econnn estimator, or holds something
        that is not data (a custom ``module`` class or combination
        member).
    sklearn.exceptions.NotFittedError
        If it is not fitted.

    See Also
    --------
    load : The inverse.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from econnn import NNRegressor, save, load
    >>> X = np.random.RandomState(0).normal(size=(50, 2))
    >>> model = NNRegressor(max_iter=5, random_state=0).fit(X, X[:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> np.array_equal(load(path).predict(X), model.predict(X))
    True
    """
    from safetensors.torch import save_file

    name = type(estimator).__name__
    if name not in _registered():
        raise TypeError(
            "econnn.save stores a fitted econnn network estimator ("
            f"{', '.join(_registered())}), not a {name}; save that with "
            "pickle or joblib, and load such files only from sources you "
            "trust.")
    check_is_fitted(estimator)
    attrs, state = estimator._get_state()
    tensors = {}
    params = _encode_all(estimator.get_params(deep=False), "params", tensors)
    try:
        attributes = _encode_all(attrs, "attributes", tensors)
    except TypeError as exc:
        raise TypeError(
            f"{exc} econnn.save stores an estimator's built-in networks and "
            "plain fitted values only; save this one with pickle or joblib "
            "(and load such files only from sources you trust).") from None
    header = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "versions": _versions(),
        "class": name,
        "params": params,
        "attributes": attributes,
    }
    for key, value in state.items():
        tensors[key] = value.detach()
    # where the networks were trained (arrays of fitted values are numpy)
    header["device"] = next((t.device.type for k, t in tensors.items()
                             if not k.startswith("attr.")), "cpu")
    # safetensors refuses tensors sharing memory; the checksum reads bytes
    tensors = {k: t.cpu().contiguous().clone() for k, t in tensors.items()}
    header["sha256"] = _checksum(header, tensors)
    metadata = {"format": _FORMAT, _META_KEY: json.dumps(header)}
    if hasattr(path, "write"):
        from safetensors.torch import save as to_bytes

        if isinstance(path, io.TextIOBase):
            raise TypeError(
                "econnn.save writes bytes: open the file in binary mode "
                "('wb'), not text mode.")
        path.write(to_bytes(tensors, metadata=metadata))
    else:
        save_file(tensors, os.fspath(path), metadata=metadata)


def _name(path):
    """How messages name a file: its path, or a file object's name."""
    if hasattr(path, "read") or hasattr(path, "write"):
        return str(getattr(path, "name", f"<{type(path).__name__}>"))
    return os.fspath(path)


def _from_bytes(data):
    """Metadata and tensors of a safetensors file held in memory (the
    format: an 8-byte little-endian header length, a JSON header whose
    ``__metadata__`` entry is the string metadata, then the data)."""
    from safetensors.torch import load as from_bytes

    if len(data) < 8:
        raise ValueError("it is shorter than a safetensors header")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise ValueError("its header length exceeds the file")
    metadata = json.loads(data[8:8 + length]).get("__metadata__")
    return metadata, from_bytes(data)


def _encode_all(mapping, where, tensors):
    return {k: _encode(v, f"{where}.{k}", tensors) for k, v in mapping.items()}


def _read(path):
    """Header and tensors of an econnn file; ValueError for anything else."""
    from safetensors import safe_open

    refused = (f"{_name(path)!r} is not an econnn model file; "
               "econnn.load reads only files written by econnn.save (it "
               "never unpickles)")
    try:
        if hasattr(path, "read"):
            data = path.read()
            if not isinstance(data, bytes):
                raise ValueError("a file object opened in binary mode "
                                 "('rb') is needed, not a text one")
            metadata, tensors = _from_bytes(data)
        else:
            with safe_open(os.fspath(path), framework="pt",
                           device="cpu") as f:
                metadata = f.metadata()
                tensors = {k: f.get_tensor(k) for k in f.keys()}
        metadata = metadata if isinstance(metadata, dict) else {}
    except (OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{refused}: {exc}") from None
    except Exception as exc:  # safetensors' own error for a bad header
        raise ValueError(f"{refused}: {exc}") from None
    if metadata.get("format") != _FORMAT or _META_KEY not in metadata:
        raise ValueError(f"{refused}: it has no econnn header.")
    try:
        header = json.loads(metadata[_META_KEY])
        checksum = header.pop("sha256")
    except (ValueError, KeyError, AttributeError):
        raise ValueError(f"{refused}: its header is damaged.") from None
    if _checksum(header, tensors) != checksum:
        raise ValueError(
            f"{_name(path)!r} was modified after it was saved (its "
            "SHA-256 checksum does not match its content); refusing to load "
            "it.")
    return header, tensors


def load(path, device=None):
    """Load an estimator written by :func:`save`.

    Parameters
    ----------
    path : str, os.PathLike or binary file object
        The file, or an object with a ``read`` method returning its bytes
        (``open(..., "rb")``, ``io.BytesIO``).
    device : str or torch.device, default=None
        Where to put the network. ``None``: the device it was trained on
        if it is available here (a model trained on a GPU loads onto the
        CPU of a machine without one), else the CPU.

    Returns
    -------
    estimator : econnn estimator
        The fitted estimator, with the saved hyperparameters; its
        predictions equal the saved estimator's.

    Raises
    ------
    ValueError
        If the file is not an econnn model file, was modified after
        saving, or was written by a newer file format.

    Warns
    -----
    UserWarning
        If it was saved with another version of econnn or torch.

    Notes
    -----
    The file is read as data: JSON and tensors.  The estimator class is
    looked up among econnn's own estimators by name and rebuilt from the
    stored hyperparameters; no code stored in the file runs.  The
    ``device`` *parameter* of the loaded estimator keeps its saved value,
    so that ``get_params`` round-trips; only the fitted network moves.
    """
    header, tensors = _read(path)
    if header.get("format") != _FORMAT:
        raise ValueError(f"{_name(path)!r}: unknown format "
                         f"{header.get('format')!r}.")
    if header.get("format_version", 0) > _FORMAT_VERSION:
        raise ValueError(
            f"{_name(path)!r} was written in econnn file format "
            f"{header['format_version']}, newer than this econnn reads "
            f"({_FORMAT_VERSION}); upgrade econnn.")
    if header.get("format_version", 0) < 2 and \
            header.get("params", {}).get("monotone") is not None:
        raise ValueError(
            f"{_name(path)!r} holds a monotone network saved in econnn "
            "file format 1, whose weights this econnn would read at another "
            "scale (different predictions); refit the model and save it "
            "again.")
    saved, here = header.get("versions", {}), _versions()
    for package in ("econnn", "torch"):
        if saved.get(package) != here[package]:
            warnings.warn(
                f"{_name(path)!r} was saved with {package} "
                f"{saved.get(package)}; this is {package} {here[package]}. "
                "Check its predictions.", UserWarning, stacklevel=2)
    cls = _registered().get(header.get("class"))
    if cls is None:
        raise ValueError(f"{_name(path)!r} holds a "
                         f"{header.get('class')!r}, not an econnn estimator "
                         "that econnn.load can build.")
    if device is None:
        device = header.get("device", "cpu")
        if device == "cuda" and not torch.cuda.is_available():
            device = "cpu"
    device = torch.device(device)
    params = {k: _decode(v, tensors, device)
              for k, v in header["params"].items()}
    attrs = {k: _decode(v, tensors, device)
             for k, v in header["attributes"].items()}
    estimator = cls(**params)
    estimator._set_state(attrs, tensors, device)
    return estimator
