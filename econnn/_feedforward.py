"""What the feed-forward estimators share: the MLP, ensembles, custom modules.

:class:`_FeedForwardNN` sits between :class:`~econnn._base._BaseNN` and
:class:`~econnn.NNRegressor` / :class:`~econnn.NNClassifier` (scikit-learn's
``BaseMultilayerPerceptron`` plays this part for its MLPs): it knows the
architecture parameters (``hidden_layer_sizes``, ``activation``,
``dropout``, ``batch_norm``, ``n_ensemble``, ``linear_skip``,
``smooth_clip``, ``numerical_embedding``) and the ``module`` /
``module__*`` pass-through for a user's own network, so the base needs to
know none of them; scikit-learn's layer attributes (``coefs_``,
``intercepts_``, ``n_layers_``) come from
:class:`~econnn._mlp_interface.LayerWeightsMixin`.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils.validation import check_consistent_length

from ._base import _BaseNN
from .engine._glm import fit_glm, has_closed_form_start, start_at_glm
from .engine._likelihoods import Likelihood
from .engine._networks import linear_part_names
from ._mlp_interface import LayerWeightsMixin
from ._monotone import monotone_network
from ._panel import split_validation
from .engine._networks import MLP, EnsembleMLP, build_user_module
from .engine._scaling import robust_location_scale

_EXTRA_PREFIX = "module__"

#: From this many training rows on, ``activation='auto'`` gives a monotone
#: network relu units (the convex/concave/bounded mix) instead of tanh: relu
#: fitted better on the seven data sets of 455-3,700 rows it was compared on,
#: tanh on those of 80-290 rows (docs/structure.md, "The monotone default").
_MONOTONE_RELU_FROM = 400


class _FeedForwardNN(LayerWeightsMixin, _BaseNN):
    """Shared machinery of the feed-forward estimators (not public)."""

    # ----------------------------------------------- module__* pass-through
    def _set_extra_params(self, kwargs):
        # stored as given; checked in fit (scikit-learn: no validation here)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _extra_params(self):
        """Parameters passed through ``**kwargs`` (e.g. ``module__width``)."""
        named = {p.name for p in self._params}
        return {k: v for k, v in vars(self).items()
                if k not in named and not k.startswith("_")
                and not k.endswith("_")}

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        named = {p.name for p in self._params}
        extra = {k: params.pop(k) for k in list(params)
                 if k not in named and "__" not in k or
                 k.startswith(_EXTRA_PREFIX)}
        self._set_extra_params(extra)
        return super().set_params(**params)

    # ------------------------------------------------------------- checks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, groups=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k counts like k copies of the
            sample.
        groups : array-like of shape (n_samples,), default=None
            Group (individual, firm) of each row, for
            ``validation_split='group'``; otherwise unused.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_with_groups(X, y, sample_weight, groups)

    def _fit_with_groups(self, X, y, sample_weight, groups):
        """``_fit`` with the groups the early-stopping split may use."""
        if groups is not None:
            groups = np.asarray(groups)
            check_consistent_length(X, groups)
            self._fit_groups = groups
        try:
            return self._fit(X, y, sample_weight, incremental=False)
        finally:
            self.__dict__.pop("_fit_groups", None)

    def _split_validation(self, Y, seed):
        groups = self.__dict__.pop("_fit_groups", None)
        split = self.validation_split
        if split == "random":
            return super()._split_validation(Y, seed)
        if split == "cv":  # one network: validated on one random fold
            valid = self._member_holdout(Y, seed, 1)[:, 0]
            return np.flatnonzero(~valid), np.flatnonzero(valid)
        return split_validation(split, Y.shape[0],
                                self.validation_fraction, seed, groups)

    def _hidden_layer_sizes(self):
        """``hidden_layer_sizes`` as a tuple (an int is one layer)."""
        sizes = self.hidden_layer_sizes
        sizes = np.atleast_1d(np.asarray(sizes if sizes is not None else (),
                                         dtype=object))
        if sizes.size and not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                and s >= 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}.")
        return tuple(int(s) for s in sizes)

    def _check_params(self):
        self._hidden_layer_sizes()
        for key in self._extra_params():
            if not key.startswith(_EXTRA_PREFIX):
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}; "
                    f"only '{_EXTRA_PREFIX}*' parameters are passed through "
                    "(to a custom module).")
            if self.module is None:
                raise ValueError(
                    f"Parameter {key!r} is meant for a custom module, but "
                    "module=None (the built-in MLP takes no such "
                    "parameters).")

    # ------------------------------------------------------------ network
    def _build_body(self, n_features, n_outputs):
        if self.module is not None:
            self.n_ensemble_ = 1
            return build_user_module(self.module, n_features, n_outputs,
                                     {k[len(_EXTRA_PREFIX):]: v for k, v in
                                      self._extra_params().items()})
        self.activation_ = self._activation()
        layers = dict(hidden_layer_sizes=self._hidden_layer_sizes(),
                      activation=self.activation_, dropout=self.dropout,
                      batch_norm=self.batch_norm,
                      linear_skip=self._has_linear_skip(),
                      smooth_clip=self._has_smooth_clip(),
                      feature_scaling=self._has_feature_scaling(),
                      **self._embedding())
        members = self.n_ensemble_ = self._ensemble_size()
        if getattr(self, "monotone", None):
            return monotone_network(self, n_features, n_outputs, members)
        if members > 1:
            return EnsembleMLP(n_features, n_outputs, members, **layers)
        return MLP(n_features, n_outputs, **layers)

    def _activation(self):
        """The hidden units' activation: ``'auto'`` is tanh, or for a
        monotone network fitted on at least :data:`_MONOTONE_RELU_FROM` rows
        relu (the convex/concave/bounded mix)."""
        if self.activation != "auto":
            return self.activation
        if getattr(self, "monotone", None) and \
                self._n_train_rows >= _MONOTONE_RELU_FROM:
            return "relu"
        return "tanh"

    def _ensemble_size(self):
        if self.n_ensemble == "auto":
            if getattr(self, "monotone", None):
                return int(np.clip(200_000 // self._n_train_rows, 1, 4))
            return int(np.clip(100_000 // self._n_train_rows, 1, 2))
        return self.n_ensemble

    def _init_model(self, X, Y, w, config):
        super()._init_model(X, Y, w, config)
        if self._has_smooth_clip() and not sp.issparse(X):
            Xs = (X - self._x_loc) / self._x_scale
            self.module_.body.set_input_clip(
                *robust_location_scale(Xs, w))
        self._glm_started = None  # no GLM part
        if self._has_linear_skip() or self._is_glm():
            # the GLM of all training rows, validation rows included: the
            # nonlinear part must then beat its in-sample fit there.
            # Standardised in float64: in float32 exactly collinear columns
            # become near-collinear and least squares explodes on them.
            Xs = sp.csr_matrix(X.multiply(1 / self._x_scale[None, :])) \
                if sp.issparse(X) else (X - self._x_loc) / self._x_scale
            self._glm_started = start_at_glm(
                self.module_.body, self._loss, Xs,
                self._target_in_training_units(Y), w)

    def _embedding(self):
        """The network's ``numerical_embedding`` arguments."""
        # estimators built on this class without the parameter (ConvNet*)
        name = getattr(self, "numerical_embedding", None)
        if name is None:
            return {}
        return dict(numerical_embedding=name,
                    embedding_size=self.embedding_size,
                    embedding_scale=self.embedding_scale)

    def _has_feature_scaling(self):
        # estimators built on this class without the parameter (ConvNet*)
        return (self.module is None
                and getattr(self, "feature_scaling", None) is not None
                and not self.monotone
                and len(self._hidden_layer_sizes()) > 0)

    def _has_smooth_clip(self):
        # estimators built on this class without the parameter (ConvNet*)
        return (self.module is None and getattr(self, "smooth_clip", False)
                and not self.monotone
                and len(self._hidden_layer_sizes()) > 0)

    def _has_linear_skip(self):
        # without hidden layers the network is the GLM already; monotone
        # networks have their own constrained architecture (no skip)
        return (self.module is None and self.linear_skip
                and not self.monotone
                and len(self._hidden_layer_sizes()) > 0)

    def _is_glm(self):
        """Whether the built-in network has no hidden layers and, with
        ``linear_skip``, starts at the fitted GLM (it is one)."""
        return (self.module is None and self.linear_skip
                and not self.monotone
                and len(self._hidden_layer_sizes()) == 0)

    def _start_is_epoch_zero(self):
        # a network started at the GLM keeps it unless an epoch beats it
        return self._has_linear_skip() or self._is_glm()

    def _fit_start(self, data, weight_mean):
        # a loss without a closed-form GLM start: a network without hidden
        # layers (the classical model) is fitted by L-BFGS whatever the
        # loss; with hidden layers, an econometric likelihood's (Tobit,
        # ordered logit, negative binomial, ...) linear skip is, and then
        # frozen as a closed-form start. The robust and gamma losses keep a
        # skip trained with the network from zero: started at the linear
        # quantile regression, CQR's bands followed a nonlinear noise scale
        # less (test_network_intervals_cover_held_out_data_and_cqr_adapts:
        # correlation 0.89 -> 0.54). A closed-form start that failed
        # (sparse input too large to densify) trains its skip from zero.
        if getattr(self, "_glm_started", None) is not False or \
                has_closed_form_start(self._loss):
            return
        body = self.module_.body
        if self._is_glm():
            fit_glm(body, self._loss, data, self.alpha, weight_mean)
        elif isinstance(self._loss, Likelihood) and fit_glm(
                body, self._loss, data, self.alpha, weight_mean,
                only=linear_part_names(body)):
            for name, p in body.named_parameters():
                if name.endswith("skip_weight"):
                    p.requires_grad_(False)

    def _initialize_output(self, body, Yt, w):
        if self.module is None:  # a user's module is left as built
            super()._initialize_output(body, Yt, w)
