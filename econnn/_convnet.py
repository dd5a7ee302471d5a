"""ConvNetRegressor and ConvNetClassifier: convolutional networks for grids.

The estimators are the feed-forward ones with a convolutional body: the same
losses and links, training engine, standardisation, early stopping, sample
weights, ``partial_fit`` and toolkit.  What differs is the input -- grids
of shape ``(n_samples, channels, height, width)``, or flat rows with an
``input_shape`` -- and the network (:class:`~econnn.engine._convnets.ConvNet`,
LeNet-5 by default).
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions

from . import _hyperparameters as hp
from ._classifier import CLASS_ORDER, CLASS_WEIGHT, NNClassifier
from ._classifier import LOSS as CLASSIFIER_LOSS
from ._declaration import Param, estimator
from ._regressor import CENSORING, LOSS, QUANTILE, NNRegressor
from .engine._convnets import POOLING, ConvNet

__all__ = ["ConvNetRegressor", "ConvNetClassifier"]

INPUT_SHAPE = Param(
    "input_shape",
    None,
    ["array-like", None],
    "tuple of int or None",
    """
    Shape of one grid, ``(channels, height, width)`` or ``(height, width)``
    (one channel), for X given as flat rows of ``channels * height *
    width`` values in C order (e.g. ``images.reshape(n, -1)``). None: X's
    own shape when it is 3-D ``(n, height, width)`` or 4-D ``(n, channels,
    height, width)``; flat rows are then read as one row of pixels,
    ``(1, 1, n_features)``.
    """,
)

CONV_CHANNELS = Param(
    "conv_channels",
    (16, 32),
    ["array-like"],
    "tuple of int",
    """
    Output channels (feature maps) of each convolution block; each block is
    a convolution, the activation and a 2 x 2 pooling; ``()`` for no
    convolutions (then the network is an MLP). LeNet-5 has (6, 16); the
    default's wider maps reach 0.987 rather than 0.982 five-fold CV
    accuracy on scikit-learn's digits (docs/convnet.md).
    """,
)

KERNEL_SIZE = Param(
    "kernel_size",
    5,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Side of the square convolution kernels (zero padding keeps the size of
    the grid).
    """,
)

POOLING_PARAM = Param(
    "pooling",
    "max",
    [StrOptions(set(POOLING))],
    "{" + ", ".join(repr(p) for p in POOLING) + "}",
    """
    Pooling after each convolution: the maximum or the average of each
    2 x 2 window; each halves the height and width (rounding up).
    """,
)

#: LeNet-5's layout: two convolution blocks, then dense layers of 120 and 84
#: units.
CONV_ARCHITECTURE = [INPUT_SHAPE, CONV_CHANNELS, KERNEL_SIZE,
                     POOLING_PARAM] + hp.with_defaults(
    [hp.HIDDEN_LAYER_SIZES, hp.ACTIVATION, hp.DROPOUT],
    hidden_layer_sizes=(120, 84))
CONV_TRAINING = hp.with_defaults(hp.TRAINING, learning_rate_init=3e-3,
                                 learning_rate="cosine", max_iter=100,
                                 batch_size=32)


class _ConvNetMixin:
    """Grid inputs and the convolutional body (before the NN estimator)."""

    # no custom ``module``: the built-in network's initial output bias
    module = None

    def _grid_shape(self, shape):
        """``(channels, height, width)`` of X of ``shape``; checks it."""
        if len(shape) in (3, 4):
            grid = tuple(shape[1:]) if len(shape) == 4 else (1, *shape[1:])
        elif self.input_shape is None:
            grid = (1, 1, shape[1])
        else:
            grid = tuple(int(s) for s in self.input_shape)
            grid = (1, *grid) if len(grid) == 2 else grid
            if len(grid) != 3 or min(grid) < 1:
                raise ValueError(
                    "input_shape must be (channels, height, width) or "
                    f"(height, width) of positive sizes; got "
                    f"{self.input_shape!r}.")
            if int(np.prod(grid)) != shape[1]:
                raise ValueError(
                    f"input_shape={self.input_shape!r} holds "
                    f"{int(np.prod(grid))} values, but X has {shape[1]} "
                    "features.")
        if len(shape) in (3, 4) and self.input_shape is not None and \
                np.prod(self.input_shape) != np.prod(grid):
            raise ValueError(
                f"X has grids of shape {grid}, which does not match "
                f"input_shape={self.input_shape!r}.")
        return grid

    def _flat(self, X, reset):
        """X as rows; grids are flattened in C order."""
        if sp.issparse(X):
            raise TypeError(
                f"{type(self).__name__} needs dense grids; got a sparse "
                "matrix. Convert it with X.toarray().")
        ndim = getattr(X, "ndim", None)
        if ndim is None:
            X = np.asarray(X)
            ndim = X.ndim
        if ndim not in (3, 4):
            return X
        grid = self._grid_shape(X.shape)
        if not reset and grid != getattr(self, "input_shape_", grid):
            raise ValueError(
                f"X has grids of shape {grid}, but {type(self).__name__} "
                f"was fitted on grids of shape {self.input_shape_}.")
        return X.reshape(X.shape[0], -1)

    def _validate_fit_data(self, X, y, reset):
        shape = np.shape(X) if getattr(X, "ndim", 2) != 2 else None
        X = self._flat(X, reset)
        X, Y = super()._validate_fit_data(X, y, reset)
        if reset:
            self.input_shape_ = self._grid_shape(shape or X.shape)
        return X, Y

    def _validate_predict_X(self, X):
        return super()._validate_predict_X(self._flat(X, reset=False))

    def _x_scaling(self, X, w):
        # one location and scale per channel, pooled over the grid (as the
        # forecaster pools over time): per-pixel statistics would blow up
        # the pixels that are almost always blank
        channels, height, width = self.input_shape_
        cells = height * width
        pixels = X.reshape(X.shape[0], channels, cells).transpose(0, 2, 1)
        loc, scale = super()._x_scaling(pixels.reshape(-1, channels),
                                        np.repeat(w, cells))
        return np.repeat(loc, cells), np.repeat(scale, cells)

    def _check_params(self):
        if self.monotone:
            raise ValueError(
                "monotone constraints are not available for convolutional "
                "networks (only the feed-forward network is built "
                "monotone); got monotone={!r}.".format(self.monotone))
        super()._check_params()
        channels = np.atleast_1d(np.asarray(self.conv_channels,
                                            dtype=object))
        if channels.size and not all(
                isinstance(c, Integral) and not isinstance(c, bool) and c >= 1
                for c in channels):
            raise ValueError("conv_channels must be positive integers, got "
                             f"{self.conv_channels!r}.")

    def _has_linear_skip(self):
        # no GLM on raw pixels: the convolutions are the model
        return False

    def _is_glm(self):
        # without hidden layers, still convolutions before the output
        return False

    def _build_body(self, n_features, n_outputs):
        return ConvNet(self.input_shape_, n_outputs,
                       conv_channels=tuple(int(c) for c in np.atleast_1d(
                           self.conv_channels)),
                       kernel_size=self.kernel_size, pooling=self.pooling,
                       hidden_layer_sizes=self._hidden_layer_sizes(),
                       activation=self.activation, dropout=self.dropout)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False  # convolutions need the dense grid
        return tags


@estimator(CONV_ARCHITECTURE + [LOSS, QUANTILE, CENSORING, hp.MONOTONE,
                               hp.VALIDATION_SPLIT],
           CONV_TRAINING, hp.INTERVALS)
class ConvNetRegressor(_ConvNetMixin, NNRegressor):
    """Convolutional neural network regressor for grid data.

    Convolution and pooling layers read the grid -- an image, a raster of
    night-time lights, a map of prices -- so that a local pattern is
    recognised wherever it appears, with few weights; dense layers and the
    output link follow, as in :class:`NNRegressor`. The default is LeNet-5's
    layout (two blocks of 5 x 5 convolutions, each followed by ReLU and
    2 x 2 max pooling, then 120 and 84 dense units), with 16 and 32
    channels rather than LeNet's 6 and 16.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(channels, height, width)`` of the grids.
    n_features_in_ : int
        Number of values per sample, ``channels * height * width``.
    n_outputs_ : int
        Number of targets.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float
        Smallest training loss.
    validation_scores_ : list of float or None
        Validation R^2 per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Validation R^2 of the kept weights, with early stopping.
    module_ : torch.nn.Module
        The trained network in original units, on flat rows.

    See Also
    --------
    ConvNetClassifier : The classification counterpart.
    NNRegressor : The feed-forward network, for tabular data.

    Notes
    -----
    Each pixel is standardised like any other feature. Inputs may be grids
    ``(n, channels, height, width)`` (or ``(n, height, width)``) or flat
    rows with ``input_shape``; predictions accept the same form.

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y. and Haffner, P. (1998).
    Gradient-based learning applied to document recognition. Proceedings
    of the IEEE, 86(11), 2278-2324.

    Examples
    --------
    >>> import numpy as np
    >>> from econnn import ConvNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> grids = rng.normal(size=(64, 1, 6, 6))
    >>> y = grids[:, 0, 2:4, 2:4].sum(axis=(1, 2))
    >>> model = ConvNetRegressor(max_iter=5, random_state=0).fit(grids, y)
    >>> model.predict(grids[:2]).shape
    (2,)
    """


@estimator(CONV_ARCHITECTURE + [CLASSIFIER_LOSS, CLASS_ORDER, CLASS_WEIGHT,
                               hp.MONOTONE, hp.VALIDATION_SPLIT],
           CONV_TRAINING)
class ConvNetClassifier(_ConvNetMixin, NNClassifier):
    """Convolutional neural network classifier for grid data.

    Convolution and pooling layers read the grid -- an image, a raster, a
    map -- so that a local pattern is recognised wherever it appears, with
    few weights; dense layers and a logistic or softmax output follow, as
    in :class:`NNClassifier`. The default is LeNet-5's layout (two blocks of
    5 x 5 convolutions, each followed by ReLU and 2 x 2 max pooling, then
    120 and 84 dense units), with 16 and 32 channels rather than LeNet's 6
    and 16.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    input_shape_ : tuple of int
        ``(channels, height, width)`` of the grids.
    n_features_in_ : int
        Number of values per sample, ``channels * height * width``.
    n_outputs_ : int
        Number of network outputs (1 for binary targets).
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Training cross-entropy per epoch.
    best_loss_ : float
        Smallest training loss.
    validation_scores_ : list of float or None
        Validation accuracy per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Validation accuracy of the kept weights, with early stopping.
    module_ : torch.nn.Module
        The trained network in original units, on flat rows; returns logits.

    See Also
    --------
    ConvNetRegressor : The regression counterpart.
    NNClassifier : The feed-forward network, for tabular data.

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y. and Haffner, P. (1998).
    Gradient-based learning applied to document recognition. Proceedings
    of the IEEE, 86(11), 2278-2324.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from econnn import ConvNetClassifier
    >>> digits = load_digits()
    >>> X = digits.images[:300, None]  # (n, 1, 8, 8)
    >>> clf = ConvNetClassifier(max_iter=10, random_state=0)
    >>> clf.fit(X, digits.target[:300]).score(X, digits.target[:300]) > 0.9
    True
    """
