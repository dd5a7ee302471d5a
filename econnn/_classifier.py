"""NNClassifier: a feed-forward network with a logistic or softmax link."""

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (check_classification_targets,
                                      type_of_target, unique_labels)

from . import _hyperparameters as hp
from ._feedforward import _FeedForwardNN
from ._mlp_interface import partial_fit_available
from ._validation import validate_data
from .engine._likelihoods import ORDERED_LOSSES, OrderedLoss
from .engine._losses import ClassificationLoss
from ._declaration import Param, estimator
from ._monotone import check_monotone

LOSS = Param(
    "loss",
    "log_loss",
    [StrOptions({"log_loss", *ORDERED_LOSSES})],
    "{'log_loss', 'ordered_logit', 'ordered_probit'}",
    """
    'log_loss': cross-entropy with a logistic (binary, multilabel) or
    softmax (multiclass) output. 'ordered_logit' / 'ordered_probit': the
    classes are ordered categories (ratings, education levels); the network
    computes one index and learned thresholds cut it into the categories,
    ``P(y <= k | x) = F(c_k - index(x))`` with ``F`` logistic or normal --
    the ordered logit/probit with ``hidden_layer_sizes=()``. The order is
    that of the sorted labels, or ``class_order``.
    """,
)

CLASS_ORDER = Param(
    "class_order",
    None,
    ["array-like", None],
    "array-like of shape (n_classes,) or None",
    """
    The labels from lowest to highest, for an ordered loss when sorting the
    labels does not order them (e.g. ``['low', 'medium', 'high']``);
    ``classes_`` follows it. None sorts the labels. Only used by the
    ordered losses.
    """,
)


CLASS_WEIGHT = Param(
    "class_weight",
    None,
    [dict, StrOptions({"balanced"}), None],
    "dict, 'balanced' or None",
    """
    Weights of the classes, multiplying ``sample_weight``: a dict
    ``{label: weight}``, or 'balanced' for weights inversely proportional to
    the class frequencies, ``n_samples / (n_classes * np.bincount(y))``.
    Not available for multilabel targets.
    """,
)


class _OrderedEncoder:
    """Labels to codes 0..K-1 in a given order (sorted labels by default)."""

    def __init__(self, order, y):
        labels = unique_labels(y)
        if order is None:
            self.classes_ = labels
            return
        order = np.asarray(order)
        if order.ndim != 1 or len(np.unique(order)) != len(order):
            raise ValueError(
                "class_order must list each label once; got "
                f"{order.tolist()!r}.")
        missing = np.setdiff1d(labels, order)
        if len(missing):
            raise ValueError(
                f"y contains labels missing from class_order: "
                f"{missing.tolist()!r}.")
        self.classes_ = order

    def transform(self, y):
        sorter = np.argsort(self.classes_, kind="stable")
        pos = np.searchsorted(self.classes_, y, sorter=sorter)
        return sorter[pos]


@estimator(hp.MLP_ARCHITECTURE + [LOSS, CLASS_ORDER, CLASS_WEIGHT, hp.DROPOUT,
            hp.BATCH_NORM, hp.N_ENSEMBLE, hp.LINEAR_SKIP, hp.SMOOTH_CLIP,
            hp.FEATURE_SCALING,
            hp.NUMERICAL_EMBEDDING, hp.EMBEDDING_SIZE, hp.EMBEDDING_SCALE,
            hp.MONOTONE,
            hp.VALIDATION_SPLIT, hp.REFIT, hp.EMA_DECAY,
            hp.EVEN_BATCHES, hp.MIN_BATCHES, hp.MODULE], hp.MLP_TRAINING,
           extra_kwargs=True)
class NNClassifier(ClassifierMixin, _FeedForwardNN):
    """Feed-forward neural network classifier.

    A multi-layer perceptron trained with PyTorch through skorch, with the
    interface of scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`.
    Binary targets use a logistic output (a logit model on learned
    features), multiclass targets a softmax (multinomial logit), and
    multilabel indicator targets one logistic output per label; all are
    trained by cross-entropy. Labels may be of any type.

    Parameters
    ----------
    {parameters}
    **module_kwargs
        ``module__*`` parameters passed to a custom ``module``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (label indices for multilabel targets).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    n_outputs_ : int
        Number of network outputs (1 for binary targets).
    n_ensemble_ : int
        Number of networks in the ensemble (``n_ensemble`` resolved).
    activation_ : str
        Activation of the hidden units (``activation`` resolved; built-in
        network).
    n_layers_ : int
        Number of layers, input and output included (built-in network).
    coefs_ : list of ndarray
        Weights of each layer, ``coefs_[i]`` of shape ``(fan_in, fan_out)``
        as in scikit-learn, acting on standardised inputs when
        ``standardize=True``; stacked ``(n_ensemble_, fan_in, fan_out)``
        for an ensemble. Read-only copies; assign a list of arrays to set
        the weights.
    intercepts_ : list of ndarray
        Biases of each layer, ``(fan_out,)`` (``(n_ensemble_, fan_out)``
        for an ensemble).
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` (1 after
        ``partial_fit``), as in scikit-learn.
    t_ : int
        Number of training samples seen by the optimizer, over all calls.
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        Training cross-entropy per epoch over all calls (excluding
        penalties; summed over labels for multilabel targets, as in
        scikit-learn).
    best_loss_ : float or None
        Smallest training loss; None with ``early_stopping=True`` (as in
        scikit-learn).
    best_epoch_ : int
        Epoch (1-based) with the best monitored loss.
    validation_scores_ : list of float or None
        Validation accuracy per epoch with early stopping, else None.
    validation_loss_curve_ : list of float
        Validation loss per epoch, with early stopping only.
    best_validation_score_ : float or None
        Validation accuracy of the kept weights, with early stopping.
    out_activation_ : str
        'logistic' or 'softmax'.
    module_ : torch.nn.Module
        The trained network in original units; returns the logits.
    net_ : econnn.engine._training.Net
        The skorch net that trained it.

    See Also
    --------
    NNRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP, same names.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from econnn import NNClassifier
    >>> X, y = make_moons(500, noise=0.1, random_state=0)
    >>> clf = NNClassifier(random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95          # the logit alone scores 0.88
    True

    With 200 rows the defaults keep the logit at 2 of 10 seeds of this
    data: early stopping's patience counts epochs, and an epoch of 160
    training rows is one step of Adam. ``min_batches=4`` cuts it into four
    steps, and the network learns the moons at all ten seeds:

    >>> X, y = make_moons(200, noise=0.1, random_state=0)
    >>> NNClassifier(random_state=0).fit(X, y).best_epoch_     # the logit
    0
    >>> clf = NNClassifier(min_batches=4, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
        """

    def _make_loss(self):
        if self._kind == "ordered":
            return OrderedLoss(ORDERED_LOSSES[self.loss],
                               len(self.classes_))
        return ClassificationLoss(self._kind, len(self.classes_))

    def _check_params(self):
        super()._check_params()
        check_monotone(self)
        if self.class_order is not None and \
                self.loss not in ORDERED_LOSSES:
            raise ValueError(
                "class_order is only used with an ordered loss "
                f"('ordered_logit', 'ordered_probit'); got loss={self.loss!r}.")


    def _validate_fit_data(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, accept_sparse="csr",
                             dtype=[np.float64, np.float32],
                             multi_output=self.loss
                             not in ORDERED_LOSSES)
        check_classification_targets(y)
        kind = {"binary": "binary", "multiclass": "multiclass",
                "multilabel-indicator": "multilabel"}.get(type_of_target(y))
        if kind is None:
            raise ValueError(
                f"{type(self).__name__} supports binary, multiclass and "
                f"multilabel-indicator targets; got {type_of_target(y)!r}.")
        classes = self.__dict__.pop("_partial_classes", None)
        ordered = self.loss in ORDERED_LOSSES
        if ordered and kind == "multilabel":
            raise ValueError(
                f"loss={self.loss!r} needs one ordered "
                "categorical target; "
                "got a multilabel indicator matrix.")
        if reset and ordered:
            self._encoder = _OrderedEncoder(
                self.class_order if classes is None
                else classes, y)
            self.classes_ = self._encoder.classes_
            self._check_two_classes()
            self._kind = kind = "ordered"
            self.out_activation_ = ORDERED_LOSSES[self.loss]
        elif reset:
            self._kind = kind
            if kind == "multilabel":
                self.classes_ = np.arange(y.shape[1])
            else:
                self._encoder = LabelEncoder().fit(
                    y if classes is None else classes)
                self.classes_ = self._encoder.classes_
                self._check_two_classes()
                # the number of classes, not this y, fixes the output layer
                # (partial_fit may see a subset of the classes first)
                self._kind = kind = "binary" if len(self.classes_) == 2 \
                    else "multiclass"
            self.out_activation_ = "softmax" if kind == "multiclass" else \
                "logistic"
        elif (kind == "multilabel") != (self._kind == "multilabel"):
            raise ValueError("y is of a different target type than in the "
                             "first call to fit/partial_fit.")
        elif self.warm_start and self._kind != "multilabel" and \
                set(unique_labels(y)) != set(self.classes_):
            # scikit-learn's rule and message
            raise ValueError(
                "warm_start can only be used where `y` has the same classes "
                "as in the previous call to fit. Previously got "
                f"{self.classes_}, `y` has {unique_labels(y)}")
        # a first fit needs two classes with positive weight; later
        # partial_fit batches (or a first one with `classes`) may hold one
        self._need_two_classes = reset and classes is None
        if self._kind == "multilabel":
            if self.class_weight is not None:
                raise ValueError("class_weight is not supported for "
                                 "multilabel targets.")
            Y = np.asarray(y, dtype=np.float64)
        else:
            unseen = np.setdiff1d(unique_labels(y), self.classes_)
            if len(unseen):
                raise ValueError(f"y contains labels not seen in the first "
                                 f"call to fit/partial_fit: {unseen!r}.")
            codes = self._encoder.transform(y)
            Y = codes.reshape(-1, 1).astype(np.float64) if \
                self._kind == "binary" else codes
        if reset:
            self.n_outputs_ = 1 if self._kind in ("binary", "ordered") else \
                len(self.classes_)
        self._y_raw = y  # for class weights
        return X, Y

    def _adjust_sample_weight(self, w, Y):
        y_raw, self._y_raw = self._y_raw, None
        if self.class_weight is not None:
            w = w * compute_sample_weight(self.class_weight, y_raw)
        need_two = self.__dict__.pop("_need_two_classes", True)
        if self._kind != "multilabel" and need_two:
            present = np.unique(np.asarray(Y).ravel()[w > 0])
            if len(present) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 "
                    "classes with positive weight, but only one class has "
                    "any.")
        return w

    def _stratify_labels(self, Y):
        # as scikit-learn: binary targets only (a stratified split of many
        # classes would refuse small validation sets)
        if self._kind == "binary":
            return self.classes_[np.asarray(Y).ravel().astype(int)]
        return None

    def _n_network_outputs(self, Y):
        return self.n_outputs_

    def _target_tensor(self, Y):
        if self._kind in ("multiclass", "ordered"):
            return torch.from_numpy(np.asarray(Y, dtype=np.int64))
        return super()._target_tensor(Y)

    def _check_two_classes(self):
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 "
                "classes, but the data contains only one class: "
                f"{self.classes_[0]!r}.")

    def _score_training_units(self, mu, y):
        if self._kind in ("multiclass", "ordered"):
            return float((mu.argmax(dim=1) == y).float().mean())
        return float(((mu > 0.5) == (y > 0.5)).float().mean())

    _REBUILT_STATE = _FeedForwardNN._REBUILT_STATE | {"_encoder"}

    def _set_state(self, attrs, tensors, device):
        if attrs["_kind"] != "multilabel":
            self._encoder = LabelEncoder()
            self._encoder.classes_ = attrs["classes_"]
        super()._set_state(attrs, tensors, device)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class in ``classes_`` (for multilabel
            targets, of each label independently).
        """
        p = self._predict_mean(X)
        if self._kind == "binary":
            p = np.hstack([1 - p, p])
        # probabilities that round to exactly 0 are floored at the smallest
        # normal float, so log(predict_proba) stays finite and agrees with
        # the (stably computed) predict_log_proba
        return np.maximum(p, np.finfo(p.dtype).tiny)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed stably.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class in ``classes_``.
        """
        eta = self._linear_predictor(self._validate_predict_X(X))
        if self._kind == "ordered":
            return np.log(np.maximum(self._loss.inverse_link(eta).cpu()
                                     .numpy(), np.finfo(np.float64).tiny))
        if self._kind == "multiclass":
            return torch.log_softmax(eta, dim=1).cpu().numpy()
        logp = torch.nn.functional.logsigmoid
        if self._kind == "binary":
            return torch.cat([logp(-eta), logp(eta)], dim=1).cpu().numpy()
        return logp(eta).cpu().numpy()

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (0/1 indicators for multilabel targets).
        """
        p = self._predict_mean(X)
        if self._kind == "multilabel":
            return (p > 0.5).astype(int)
        codes = p.argmax(axis=1) if self._kind in ("multiclass",
                                                   "ordered") else \
            (p[:, 0] > 0.5).astype(int)
        return self.classes_[codes]

    @available_if(partial_fit_available)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the network with one epoch over (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets.
        classes : array-like of shape (n_classes,), default=None
            All labels that will ever appear; needed on the first call
            unless its batch holds every class (not for multilabel
            targets). A batch may then hold any subset of them, even one
            class. Later calls may omit it; if given, it must be the same.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        if not hasattr(self, "net_"):
            if classes is not None:
                self._partial_classes = np.asarray(classes)
        elif classes is not None and not np.array_equal(
                unique_labels(classes), self.classes_):
            raise ValueError(
                f"classes={classes!r} is not the same as on the first call "
                f"to partial_fit/fit, was: {self.classes_!r}.")
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        ordered = self.loss in ORDERED_LOSSES
        monotone = getattr(self, "monotone", None)
        tags.classifier_tags.multi_label = not (ordered or monotone)
        # monotone constraints need binary (or ordered) targets
        tags.classifier_tags.multi_class = not monotone or ordered
        return tags
