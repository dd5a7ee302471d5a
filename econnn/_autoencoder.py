"""AutoencoderTransformer: the nonlinear principal component analysis.

An autoencoder maps the inputs through a narrow bottleneck (the encoder) and
back (the decoder), trained to reproduce its input.  The bottleneck units are
the components: ``transform`` returns them, ``inverse_transform`` maps them
back to the data.  With no hidden layers and the identity activation the
network is linear and its optimal reconstructions are those of PCA (Baldi
and Hornik, 1989); hidden layers make the encoder and decoder nonlinear.

Training reuses :class:`~econnn._base._BaseNN` unchanged: the data ``X`` is
also the target, fitted by squared error in standardised units.
"""

from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (_check_feature_names_in,
                                      _check_sample_weight, check_is_fitted)
from torch import nn

from . import _hyperparameters as hp
from ._base import _BaseNN
from .engine._scaling import apply_in_chunks, weighted_location_scale
from .engine._losses import SquaredError
from .engine._networks import MLP
from ._declaration import Param, estimator
from ._validation import check_numeric, validate_data

__all__ = ["AutoencoderTransformer"]

N_COMPONENTS = Param(
    "n_components",
    2,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Width of the bottleneck: the number of components ``transform`` returns.
    At most ``n_features``.
    """,
)

HIDDEN_LAYER_SIZES = replace(
    hp.HIDDEN_LAYER_SIZES,
    default=(32,),
    doc="""
    Widths of the encoder's hidden layers, from the input towards the
    bottleneck. ``()`` makes the encoder a single linear map; with
    ``activation='identity'`` the whole autoencoder is then linear and spans
    the principal component subspace.
    """,
)

DECODER_LAYER_SIZES = Param(
    "decoder_layer_sizes",
    None,
    ["array-like", None],
    "array-like of shape (n_layers,) or None",
    """
    Widths of the decoder's hidden layers, from the bottleneck towards the
    output. None mirrors the encoder (``hidden_layer_sizes`` reversed).
    """,
)

NOISE = Param(
    "noise",
    0.0,
    [Interval(Real, 0, None, closed="left")],
    "float",
    """
    Standard deviation of the Gaussian noise added to the inputs during
    training (a denoising autoencoder), in standardised units when
    ``standardize=True``: 0.1 is a tenth of each feature's standard
    deviation. The target stays the clean input; no noise at transform.
    """,
)


class Autoencoder(nn.Module):
    """Encoder and decoder MLPs joined at a linear bottleneck.

    Parameters
    ----------
    n_features_in : int
        Number of inputs (and outputs).
    n_components : int
        Width of the bottleneck.
    encoder_sizes, decoder_sizes : tuple of int
        Hidden-layer widths of the encoder and the decoder.
    activation : str
        Key of :data:`econnn.engine._networks.ACTIVATIONS`.
    dropout : float
        Dropout probability after each hidden activation.
    noise : float
        Standard deviation of the Gaussian input noise in training mode.
    """

    def __init__(self, n_features_in, n_components, encoder_sizes,
                 decoder_sizes, activation, dropout=0.0, noise=0.0):
        super().__init__()
        self.noise = noise
        self.encoder = MLP(n_features_in, n_components, encoder_sizes,
                           activation=activation, dropout=dropout)
        self.decoder = MLP(n_components, n_features_in, decoder_sizes,
                           activation=activation, dropout=dropout)

    def forward(self, x):
        if self.training and self.noise > 0:
            x = x + self.noise * torch.randn_like(x)
        return self.decoder(self.encoder(x))


class _ReconstructionError(SquaredError):
    """Squared error of the reconstructed inputs.

    The target is ``X`` itself, so it is standardised exactly as the
    inputs are (:func:`~econnn.engine._scaling.weighted_location_scale`
    for both): the network learns a map from standardised ``X`` to
    standardised ``X``, and a constant column, which
    is left unscaled, is zero in the target as in the input.
    """

    def target_scaling(self, y, w):
        return weighted_location_scale(y, w, name="X")


@estimator([N_COMPONENTS, HIDDEN_LAYER_SIZES, DECODER_LAYER_SIZES,
            replace(hp.ACTIVATION, default="tanh"), hp.DROPOUT, NOISE],
           hp.TRAINING)
class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin,
                             TransformerMixin, _BaseNN):
    """Under-complete autoencoder: nonlinear principal components.

    A neural network is trained to reproduce its input through a bottleneck
    of ``n_components`` units; ``transform`` returns the bottleneck values,
    which summarise the features as principal components do, and
    ``inverse_transform`` maps them back. With ``hidden_layer_sizes=()`` and
    ``activation='identity'`` it is a linear autoencoder, whose components
    span the same subspace as PCA's first ``n_components`` (in a different
    basis); with hidden layers it finds a curved low-dimensional surface.
    It has :class:`~sklearn.decomposition.PCA`'s interface
    (``explained_variance_ratio_``, ``inverse_transform``, ``score``), and
    the training parameters of :class:`NNRegressor`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    n_components_ : int
        Number of components (``n_components``).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Share of the total variance reconstructed that each component adds,
        in order; components are ordered so that each adds the most (see
        Notes). ``explained_variance_ratio_.sum()`` is the share of the
        total variance reconstructed with all components and
        ``np.cumsum(explained_variance_ratio_)`` the share as components
        are added, as with PCA.
    reconstruction_error_ : float
        Mean squared reconstruction error on the training data (weighted by
        ``sample_weight``), per sample and feature, in the standardised
        units the network is trained in (original units with
        ``standardize=False``).
    component_order_ : ndarray of shape (n_components_,)
        Bottleneck unit of ``module_.body.encoder`` behind each returned
        component.
    n_iter_ : int
        Number of epochs run by the last call to ``fit``, as in
        scikit-learn (``loss_curve_`` holds all of them).
    loss_curve_ : list of float
        Training loss (half the mean squared error, standardised units) per
        epoch.
    best_loss_ : float or None
        Smallest training loss; None with ``early_stopping=True``.
    best_epoch_ : int
        Epoch (1-based) with the best monitored loss.
    validation_scores_ : list of float or None
        Validation share of variance reconstructed per epoch with early
        stopping, else None.
    best_validation_score_ : float or None
        Validation share of the kept weights, with early stopping.
    module_ : torch.nn.Module
        The trained network in original units: ``module_(X)`` is the
        reconstruction of ``X``. ``module_.body`` has the ``encoder`` and
        ``decoder`` trained on standardised data.
    net_ : econnn.engine._training.Net
        The skorch net that trained ``module_.body``.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    NNRegressor : Shares the training parameters.

    Notes
    -----
    With standardised features ``z`` (of variance one), the encoder ``f``
    and the decoder ``g``, the network minimises
    ``mean ||z - g(f(z))||^2``: the nonlinear version of PCA's problem.
    ``explained_variance_ratio_`` uses PCA's measure, the share of the total
    variance ``sum_j Var(z_j)`` reproduced, ``1 - SSE / SST``. The share of
    the first ``k`` components is that of the reconstruction with those
    components at their values and the others held at their training mean;
    components are ordered greedily, each being the one that raises this
    share most. For a linear autoencoder the total equals PCA's
    ``explained_variance_ratio_.sum()`` at the optimum, but the split across
    components differs: the components are a rotation of PCA's, neither
    orthogonal nor ordered by variance. Like PCA's, the sign and scale of a
    component are arbitrary. Ordering costs ``n_components *
    (n_components + 1) / 2`` passes of the decoder over the training data
    at the end of ``fit``.

    References
    ----------
    Baldi, P. and Hornik, K. (1989). Neural networks and principal component
    analysis: learning from examples without local minima. *Neural
    Networks*, 2(1), 53-58.

    Kramer, M. A. (1991). Nonlinear principal component analysis using
    autoassociative neural networks. *AIChE Journal*, 37(2), 233-243.

    Examples
    --------
    >>> from econnn import AutoencoderTransformer
    >>> from econnn.datasets import load_boston
    >>> X, _ = load_boston(return_X_y=True)
    >>> ae = AutoencoderTransformer(n_components=2, max_iter=20,
    ...                             random_state=0)
    >>> ae.fit_transform(X).shape
    (506, 2)
    >>> ae.get_feature_names_out()
    array(['autoencoder0', 'autoencoder1'], dtype=object)
    """

    # ------------------------------------------------------------ base hooks
    def _make_loss(self):
        return _ReconstructionError()

    def _validate_fit_data(self, X, y, reset):
        X = validate_data(self, X, reset=reset,
                          dtype=[np.float64, np.float32])
        if self.n_components > X.shape[1]:
            raise ValueError(
                f"n_components={self.n_components} must be at most the "
                f"number of features, but X has n_features={X.shape[1]}.")
        return X, X.astype(np.float64)

    def _build_body(self, n_features, n_outputs):
        encoder = self._layer_sizes("hidden_layer_sizes",
                                    self.hidden_layer_sizes)
        decoder = encoder[::-1] if self.decoder_layer_sizes is None else \
            self._layer_sizes("decoder_layer_sizes",
                              self.decoder_layer_sizes)
        return Autoencoder(n_features, self.n_components, encoder, decoder,
                           self.activation, self.dropout, self.noise)

    def _n_fitted_outputs(self):
        return self.n_features_in_

    @staticmethod
    def _layer_sizes(name, sizes):
        sizes = tuple(sizes)
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
            raise ValueError(f"{name} must contain positive integers; got "
                             f"{sizes!r}.")
        return tuple(int(s) for s in sizes)

    def _score_training_units(self, mu, y):
        # share of variance reconstructed, as PCA's explained variance
        resid = (y - mu).square().sum()
        total = (y - y.mean(dim=0)).square().sum()
        return float(1 - resid / total) if total > 0 else 0.0

    # -------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Fit the autoencoder to X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for the scikit-learn interface.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k counts like k copies of the
            sample.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        super().fit(X, None, sample_weight)
        X = validate_data(self, X, reset=False,
                          dtype=[np.float64, np.float32])
        w = _check_sample_weight(sample_weight, X, dtype=np.float64)
        self._order_components(X, w)
        return self

    def _order_components(self, X, w):
        """Order the components and measure the variance they reconstruct."""
        self.n_components_ = self.n_components
        Z = self._std(X)
        codes = self._encode(Z)
        mean = torch.as_tensor(np.average(codes.cpu().numpy(), axis=0,
                                          weights=w), dtype=codes.dtype,
                               device=codes.device)
        Zt = torch.as_tensor(Z, device=codes.device)
        wt = torch.as_tensor(w / w.sum(), dtype=Zt.dtype, device=Zt.device)
        total = float(wt @ (Zt - wt @ Zt).square().sum(dim=1))

        def share(active):
            inputs = mean.expand_as(codes).clone()
            inputs[:, active] = codes[:, active]
            recon = self._chunked(self.module_.body.decoder, inputs)
            resid = (Zt - recon).square().sum(dim=1)
            return 1 - float(wt @ resid) / total if total > 0 else 0.0

        order, shares = [], []
        remaining = list(range(self.n_components))
        while remaining:
            gains = [share(order + [j]) for j in remaining]
            best = int(np.argmax(gains))
            order.append(remaining.pop(best))
            shares.append(gains[best])
        self.component_order_ = np.array(order)
        self.explained_variance_ratio_ = np.diff(np.r_[0.0, shares])
        self.reconstruction_error_ = (1 - shares[-1]) * total / X.shape[1]

    # ------------------------------------------------------------- network
    def _std(self, X):
        return self._standardize_X(X)

    def _chunked(self, fn, A):
        """``fn`` (a part of the network) applied to rows of ``A``."""
        self.module_.eval()
        return apply_in_chunks(fn, A, device=self.module_.x_loc.device)

    def _encode(self, Z):
        """Raw bottleneck units (network order) of standardised data."""
        return self._chunked(self.module_.body.encoder, Z)

    # ---------------------------------------------------------- transforms
    def transform(self, X):
        """Encode X into its components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The bottleneck values, ordered as ``explained_variance_ratio_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False,
                          dtype=[np.float64, np.float32])
        codes = self._encode(self._std(X)).cpu().numpy()
        return codes[:, self.component_order_].astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Decode components back to the data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Components, as returned by ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstruction in the units of the training data.
        """
        check_is_fitted(self)
        check_numeric(X)
        X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} columns but {type(self).__name__} has "
                f"n_components_={self.n_components_}.")
        codes = np.empty(X.shape, dtype=self._dtype())
        with np.errstate(over="ignore"):
            codes[:, self.component_order_] = X
        if not np.isfinite(codes).all():
            raise ValueError(
                f"X has values that {self._dtype()} cannot hold; the network "
                "runs in that precision.")
        module = self.module_
        recon = self._chunked(module.body.decoder, codes).double()
        recon = recon * module.eta_scale.double() + module.eta_loc.double()
        return recon.cpu().numpy().astype(X.dtype, copy=False)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean squared reconstruction error.

        The error is per sample and feature in the standardised units the
        network is trained in (original units with ``standardize=False``),
        so larger is better and grid search can choose ``n_components``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``-mean((z - z_hat) ** 2)`` for standardised data ``z``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False,
                          dtype=[np.float64, np.float32])
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            if not sample_weight.sum() > 0:
                raise ValueError("Sample weights must contain at least one "
                                 "non-zero number.")
        Z = self._std(X)
        recon = self._chunked(self.module_.body, Z).double().cpu().numpy()
        errors = ((Z - recon) ** 2).mean(axis=1)
        return -float(np.average(errors, weights=sample_weight))

    def get_feature_names_out(self, input_features=None):
        """Names of the components: 'autoencoder0', 'autoencoder1', ...

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Component names.
        """
        check_is_fitted(self, "n_components_")
        _check_feature_names_in(self, input_features, generate_names=False)
        return np.asarray([f"autoencoder{i}" for i in
                           range(self.n_components_)], dtype=object)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
