"""Export of fitted feed-forward estimators to ONNX.

The exported graph is the whole prediction: standardisation of the inputs,
the network, the rescaling of its output and the inverse link, so that an
ONNX runtime (in a web service, a database, another language) reproduces
``predict``/``predict_proba`` from raw inputs with no Python around it.
"""

import copy
import os
import warnings

import numpy as np
import torch
from torch import nn

from ._fitted import fitted_model

__all__ = ["to_onnx"]

#: Estimators whose fitted network maps a row of raw inputs to a prediction.
_EXPORTABLE = ("NNRegressor", "NNClassifier", "ConvNetRegressor",
               "ConvNetClassifier")


class _Prediction(nn.Module):
    """Raw inputs to predictions: the network, then the inverse link.

    Regressors output the predicted mean, ``(n_samples, n_outputs)``.
    Classifiers output the class index (``classes_[label]`` is the predicted
    class; 0/1 indicators for multilabel targets) and the probabilities,
    ``(n_samples, n_classes)``, as ``predict`` and ``predict_proba``.
    """

    def __init__(self, network, loss, kind):
        super().__init__()
        self.network = network
        self.loss = loss
        self.kind = kind

    def forward(self, x):
        # Standardized's own forward, without its finiteness check (a
        # data-dependent branch, which a graph cannot hold): the maps in
        # the buffers' precision (float64), the body in its own
        net = self.network
        z = ((x.to(net.x_loc.dtype) - net.x_loc) / net.x_scale).to(
            net.body_dtype())
        mean = self.loss.inverse_link(net.from_body(net.body(z))).to(x.dtype)
        if self.kind == "regressor":
            return mean
        if self.kind == "binary":
            proba = torch.cat([1 - mean, mean], dim=1)
            return proba.argmax(dim=1), proba
        if self.kind == "multiclass":
            return mean.argmax(dim=1), mean
        return (mean > 0.5).to(torch.int64), mean  # multilabel


def to_onnx(estimator, path, *, opset_version=None):
    """Export a fitted feed-forward estimator to an ONNX file.

    Parameters
    ----------
    estimator : NNRegressor, NNClassifier, ConvNetRegressor or ConvNetClassifier
        The fitted estimator (a built-in or custom network).
    path : str or os.PathLike
        File to write, conventionally ``*.onnx``.
    opset_version : int, default=None
        ONNX operator set; ``None`` lets torch choose.

    Returns
    -------
    path : str
        The file written.

    Notes
    -----
    The graph takes one input ``X``, raw (unstandardised) rows of shape
    ``(n_samples, n_features_in_)`` in the estimator's ``precision``
    (float32 by default), with any number of rows; for a ConvNet, each
    grid flattened to a row, ``X.reshape(len(X), -1)`` (the graph restores
    ``input_shape_`` inside). A regressor's graph has
    one output, ``predictions`` of shape ``(n_samples, n_outputs)`` (its
    ``predict`` returns a 1-D array for a 1-D target). A classifier's has
    two: ``label``, the index of the predicted class in ``classes_`` (or
    0/1 label indicators for multilabel targets), and ``probabilities``,
    as ``predict_proba``. Input standardisation, the target's rescaling and
    the output link are inside the graph; the class labels themselves are
    not (map ``label`` through ``classes_``). Requires the ``onnx`` and
    ``onnxscript`` packages (torch's exporter).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from econnn import NNRegressor, to_onnx
    >>> X = np.random.RandomState(0).normal(size=(50, 2)).astype("float32")
    >>> model = NNRegressor(max_iter=5, random_state=0).fit(X, X[:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.onnx")
    >>> to_onnx(model, path)  # doctest: +SKIP
    >>> import onnxruntime  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(path)  # doctest: +SKIP
    >>> session.run(None, {"X": X})[0].shape  # doctest: +SKIP
    (50, 1)
    """
    info = fitted_model(estimator)
    if info.name not in _EXPORTABLE:
        raise TypeError(
            f"to_onnx exports {', '.join(_EXPORTABLE)}; got {info.name}.")
    if info.classes is None:
        kind, outputs = "regressor", ["predictions"]
    else:
        kind, outputs = info.loss.kind, ["label", "probabilities"]
    network = copy.deepcopy(info.network).cpu().eval()
    graph = _Prediction(network, info.loss, kind).eval()
    dtype = torch.float64 if info.precision == np.float64 else torch.float32
    example = torch.zeros(2, info.n_features_in, dtype=dtype)
    path = os.fspath(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's progress chatter
        torch.onnx.export(
            graph, (example,), path, input_names=["X"],
            output_names=outputs, opset_version=opset_version,
            dynamic_shapes={"x": {0: torch.export.Dim("n_samples")}},
            verbose=False)
    return path
