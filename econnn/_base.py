"""The private base class of every econnn estimator.

:class:`_BaseNN` owns what all estimators share: data validation hooks,
seeding, standardisation, building and running the training engine, early
stopping, ``warm_start``/``partial_fit``, the device and the interface the
toolkit reads.  It knows no architecture: feed-forward logic lives in
:mod:`econnn._feedforward`, sequence networks in :mod:`econnn.timeseries`.
Subclasses supply what differs through a handful of hooks:

``_make_loss()``
    the loss / output link;
``_validate_fit_data(X, y, reset)``
    validated ``X`` and the target in training form;
``_build_body(n_features, n_outputs)``
    the torch module trained on standardised data;
``_score_training_units(mu, y)``
    the validation score (R^2, accuracy) recorded with early stopping.

The engine (:mod:`econnn.engine`) never reads the estimator: each fit builds
one frozen :class:`~econnn.engine._config.TrainingConfig` here
(:meth:`_BaseNN._training_config`) and hands it over with the data.
"""

import contextlib
import copy
import threading
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, _fit_context, is_classifier, \
    is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch.history import History

from ._devices import fits_on_device as _fits_on_device
from ._devices import resolve_device
from ._fitted import FittedModel
from ._member_splits import member_holdout, member_weights
from ._validation import validate_data
from .engine._backprop import backprop_for
from .engine._config import TrainingConfig
from .engine._data import TensorDataset
from .engine._networks import Standardized, draws_random_numbers
from .engine._scaling import (apply_in_chunks, standardize,
                              weighted_location_scale)
from .engine._likelihoods import with_loss_parameters
from .engine._members import per_member_validation
from .engine._training import build_net, run_training

_TORCH_DTYPES = {np.dtype(np.float32): torch.float32,
                 np.dtype(np.float64): torch.float64}


#: Fits touch torch's process-wide generator only while holding this lock:
#: building a network (its initialisation) always, training only when the
#: network draws random numbers (dropout, noise, custom modules).  Batch
#: order comes from a per-fit generator, so seeded fits running in threads
#: are reproducible and the common case still runs in parallel.
_GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def _global_rng(seed, device, needed=True):
    """Hold the lock, fork torch's generator and seed it (if ``needed``)."""
    if not needed:
        yield
        return
    fork = [device.index or 0] if device.type == "cuda" else []
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=fork):
        torch.manual_seed(seed)
        yield


class _BaseNN(BaseEstimator):
    """Shared machinery of econnn's estimators (not public)."""

    # ------------------------------------------------------------------ hooks
    def _make_loss(self):
        raise NotImplementedError

    def _validate_fit_data(self, X, y, reset):
        raise NotImplementedError

    def _score_training_units(self, mu, y):
        raise NotImplementedError

    def _build_body(self, n_features, n_outputs):
        raise NotImplementedError

    def _check_params(self):
        """Checks beyond ``_parameter_constraints`` (run at fit)."""

    def _adjust_sample_weight(self, w, Y):
        """Hook: combine sample weights with e.g. class weights."""
        return w

    def _n_network_outputs(self, Y):
        return Y.shape[1]

    def _start_is_epoch_zero(self):
        """Whether the starting weights compete in early stopping."""
        return False

    def _fit_start(self, data, weight_mean):
        """Hook: fit a new network's starting weights to all the rows
        (``data``, a TensorDataset with weights of mean one; the raw
        weights' mean is ``weight_mean``) before training."""

    def _initialize_output(self, body, Yt, w):
        """Start from the intercept-only GLM (mean of y, log prior odds)."""
        with np.errstate(over="ignore"):  # unrepresentable y: see
            bias = np.array(self._loss.initial_bias(Yt, w),  # _target_tensor
                            dtype=np.float32)
        if hasattr(body, "set_output_bias"):
            body.set_output_bias(torch.from_numpy(bias))
        elif isinstance(getattr(body, "output", None), torch.nn.Linear):
            with torch.no_grad():
                body.output.bias.copy_(torch.as_tensor(np.array(
                    np.broadcast_to(bias, body.output.bias.shape))))

    def _x_scaling(self, X, w):
        return weighted_location_scale(X, w, name="X")

    def _stratify_labels(self, Y):
        """Hook: labels to stratify the early-stopping split by, or None."""
        return None

    def _split_validation(self, Y, seed):
        """Train/validation indices for early stopping.

        scikit-learn's split: ``train_test_split`` with ``test_size=
        validation_fraction``, stratified where :meth:`_stratify_labels`
        says so, and at least 2 validation and 2 training samples.
        """
        n = Y.shape[0]
        too_small = ValueError(
            "The validation set is too small: early_stopping needs at least "
            f"2 validation and 2 training samples; got n_samples={n} with "
            f"validation_fraction={self.validation_fraction}. Increase "
            "validation_fraction or the size of your dataset.")
        if n < 4:
            raise too_small
        train_idx, valid_idx = train_test_split(
            np.arange(n), test_size=self.validation_fraction,
            random_state=seed, stratify=self._stratify_labels(Y))
        if len(valid_idx) < 2 or len(train_idx) < 2:
            raise too_small
        return train_idx, valid_idx

    def _member_holdout(self, Y, seed, n_members):
        """Each ensemble member's validation rows, ``(n, n_members)``
        bool (``validation_split='cv'``; :mod:`econnn._member_splits`)."""
        return member_holdout(Y.shape[0], n_members,
                              self.validation_fraction, seed,
                              labels=self._stratify_labels(Y))

    # ---------------------------------------------------------- configuration
    def _training_config(self, device):
        """The frozen :class:`TrainingConfig` of this fit: the one place
        where hyperparameters are read for the engine."""
        return TrainingConfig.from_params(
            self.get_params(deep=False), device=device,
            dtype=np.dtype(self.precision), name=type(self).__name__)

    # -------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental):
        first = not (hasattr(self, "net_") and (self.warm_start or
                                                 incremental))
        self._check_params()
        config = self._training_config(resolve_device(self.device))
        # whatever happens below -- bad data, divergence, Ctrl-C -- the
        # estimator is left exactly as it was before this call
        saved = self._snapshot(first)
        try:
            X, Y = self._validate_fit_data(X, y, reset=first)
            if X.shape[0] == 0:
                raise ValueError("Found array with 0 sample(s); at least 1 "
                                 "is required.")
            w = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                     ensure_non_negative=True)
            w = self._adjust_sample_weight(w, Y)
            if w.sum() <= 0:
                raise ValueError("Sample weights must contain at least one "
                                 "positive value; they sum to zero.")
            if first:
                self._loss = self._make_loss()
            self._loss.check_target(Y)
            rng = check_random_state(self.random_state)
            seed = int(rng.randint(np.iinfo(np.int32).max))
            if first:
                with _global_rng(seed, config.device):
                    self._init_model(X, Y, w, config)
            self._train(X, Y, w, seed, config, incremental)
        except BaseException:
            self._restore(saved)
            raise
        return self

    def _snapshot(self, first):
        """What :meth:`_restore` needs to undo a fit call."""
        state = dict(vars(self))
        if first:
            return state, None
        net = self.net_
        return state, (copy.deepcopy(self.module_.state_dict()),
                       copy.deepcopy(net.optimizer_.state_dict()),
                       copy.deepcopy(net.history))

    def _restore(self, saved):
        state, trained = saved
        if trained is not None:
            # the same module and optimizer objects, their old values
            module_state, optimizer_state, history = trained
            self.module_.load_state_dict(module_state)
            self.net_.optimizer_.load_state_dict(optimizer_state)
            self.net_.history_ = history
        vars(self).clear()
        vars(self).update(state)

    def _init_model(self, X, Y, w, config):
        """Scaling statistics, the network and the engine's net."""
        n_features = X.shape[-1]  # variables per time step for 3-D windows
        if self.standardize:
            x_loc, x_scale = self._x_scaling(X, w)
        else:
            x_loc, x_scale = np.zeros(n_features), np.ones(n_features)
        scaling = self._loss.target_scaling(Y, w) if self.standardize \
            else None
        self._y_loc, self._y_scale = (None, None) if scaling is None \
            else scaling
        self._train_dtype = config.dtype
        self._x_loc = np.asarray(x_loc, dtype=np.float64)
        self._x_scale = np.asarray(x_scale, dtype=np.float64)
        self._n_train_rows = X.shape[0]
        body = self._make_body(n_features, self._n_network_outputs(Y))
        self._initialize_output(body, self._target_in_training_units(Y), w)
        self.module_ = self._network_in_original_units(body, config)
        self.net_ = build_net(self.module_.body, self._loss, config)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None

    def _make_body(self, n_features, n_outputs):
        """The network that trains: ``_build_body``'s, with the loss's
        constants (a likelihood's scale, ordered thresholds) if any."""
        return with_loss_parameters(self._build_body(n_features, n_outputs),
                                    self._loss)

    def _network_in_original_units(self, body, config):
        """``body`` on the device, in the training dtype, wrapped to take
        and return original units (:class:`Standardized`)."""
        if self._y_loc is None:
            eta_loc, eta_scale = np.zeros(1), np.ones(1)
        else:
            eta_loc, eta_scale = self._loss.eta_scaling(self._y_loc,
                                                        self._y_scale)
        body = body.to(device=config.device,
                       dtype=_TORCH_DTYPES[config.dtype])
        # the maps to and from original units stay in float64
        x_loc, x_scale, eta_loc, eta_scale = (
            torch.as_tensor(np.asarray(a, dtype=np.float64),
                            device=config.device)
            for a in (self._x_loc, self._x_scale, eta_loc, eta_scale))
        return self._wrap_network(
            Standardized(body, x_loc, x_scale, eta_loc, eta_scale))

    def _wrap_network(self, network):
        """Hook: a wrapper around the network in original units."""
        return network

    def _target_in_training_units(self, Y):
        if self._y_loc is None:
            return Y
        return (Y - self._y_loc) / self._y_scale

    def _standardize_X(self, X):
        """X standardised in float64 arithmetic, in the training dtype."""
        return standardize(X, self._x_loc, self._x_scale, self._dtype())

    def _target_tensor(self, Y):
        Yt = self._target_in_training_units(Y)
        with np.errstate(over="ignore"):
            Yt = np.ascontiguousarray(Yt, dtype=self._dtype())
        if not np.isfinite(Yt).all():
            raise ValueError(
                f"y has values that {self._dtype()} cannot hold in the "
                "units the network trains in (after standardisation, if "
                "any). Rescale y, or fit with precision='float64'.")
        return torch.from_numpy(Yt)

    def _dtype(self):
        """The numpy dtype the network trains and predicts in."""
        return self._train_dtype

    def _train(self, X, Y, w, seed, config, incremental):
        Xs = self._standardize_X(X)
        Yt = self._target_tensor(Y)
        # equal weights are no weights: skips a product per batch
        wt = None if np.all(w == w[0]) else torch.from_numpy(
            (w / w.mean()).astype(self._dtype()))  # mean one
        body = self.module_.body
        per_member = per_member_validation(config, body) and not incremental
        if per_member:
            # every row trains, weighted per member (zero on its own
            # validation rows); the rows that validate some member validate
            holdout = self._member_holdout(Y, seed, body.n_members)
            wt, wv = (torch.from_numpy(a.astype(self._dtype())) for a in
                      member_weights(holdout, w))
            train_idx = np.arange(X.shape[0])
            valid_idx = np.flatnonzero(holdout.any(axis=1))
        elif config.early_stopping and not incremental:
            train_idx, valid_idx = self._split_validation(Y, seed)
        else:
            train_idx, valid_idx = np.arange(X.shape[0]), None

        device = config.device
        stream = not _fits_on_device(device, Xs)
        on = torch.device("cpu") if stream else device

        def dataset(idx, weights=wt):
            Xi = Xs[idx] if sp.issparse(Xs) else torch.from_numpy(
                np.ascontiguousarray(Xs[idx]) if len(idx) < Xs.shape[0]
                else Xs).to(on)
            ti = torch.from_numpy(idx)
            return TensorDataset(Xi, Yt[ti].to(on), None if weights is None
                                 else weights[ti].to(on))

        valid = None if valid_idx is None else \
            dataset(valid_idx, wv if per_member else wt)
        # refit: after the validation run, all the rows for its best epochs
        # (not with members validated apart: each trains on nearly all rows)
        full = dataset(np.arange(X.shape[0])) if (
            config.refit and valid is not None and not per_member) else None
        if not self.loss_curve_:  # a new network: its start, if any
            plain = None if np.all(w == w[0]) else torch.from_numpy(
                (w / w.mean()).astype(self._dtype()))
            self._fit_start(dataset(np.arange(X.shape[0]), plain),
                            float(w.mean()))
        with _global_rng(seed, device,
                         needed=draws_random_numbers(self.module_.body)):
            result = run_training(
                self.net_, config, dataset(train_idx), valid,
                generator=torch.Generator().manual_seed(seed),
                # schedules continue over all earlier epochs (n_iter_
                # counts only the last call's)
                epoch_offset=len(self.loss_curve_), incremental=incremental,
                scorer=self._scorer, weight_mean=float(w[train_idx].mean()),
                start_as_epoch_zero=(self.n_iter_ == 0 and
                                     self._start_is_epoch_zero()),
                batch_device=device if (stream or sp.issparse(Xs)) else None,
                full=full, full_weight_mean=float(w.mean()))
        self._record(result, incremental, config)

    def _record(self, result, incremental, config):
        """Fitted attributes from one run of the engine."""
        self.module_.eval()
        body = self.module_.body
        self._predict_path = (body, backprop_for(body))
        epochs = len(result.train_loss)
        # scikit-learn's semantics: n_iter_ counts the epochs of this call,
        # t_ and loss_curve_ accumulate over warm starts and partial_fit
        epochs_before = len(self.loss_curve_)
        self.n_iter_ = epochs
        self.t_ += epochs * result.n_train
        self._n_samples_trained = result.n_train
        if result.refit_train_loss is not None:
            self.t_ += len(result.refit_train_loss) * result.refit_n_train
            self._n_samples_trained = result.refit_n_train
        self.loss_curve_ = list(self.loss_curve_) + result.train_loss
        self.loss_ = self.loss_curve_[-1]
        # with early stopping the validation score decides (scikit-learn)
        self.best_loss_ = None if result.valid_loss else \
            min(self.loss_curve_)
        self.best_epoch_ = epochs_before + result.best_epoch
        if result.valid_loss:
            self.validation_scores_ = list(self.validation_scores_ or []) + \
                result.validation_scores
            self.validation_loss_curve_ = result.valid_loss
            if result.best_score is not None:  # members kept apart
                self.best_validation_score_ = result.best_score
            else:
                self.best_validation_score_ = result.start_score if \
                    result.best_epoch == 0 else result.validation_scores[
                        result.best_epoch - 1]
        else:
            self.best_validation_score_ = None
        if not incremental and not result.converged:
            limit = (f"max_fun={config.max_fun} loss evaluations" if
                     result.out_of_evaluations else
                     f"max_iter={config.max_iter} epochs")
            warnings.warn(
                f"{type(self).__name__}: reached {limit} without converging "
                f"(tol={config.tol}, "
                f"n_iter_no_change={config.n_iter_no_change}). Consider "
                f"increasing {limit.split('=')[0]}.", ConvergenceWarning)

    def _scorer(self, eta, y):
        """The validation score from the linear predictor (training
        units), for the engine."""
        with torch.no_grad():
            mu = self._loss.training_mean(eta)
        return self._score_training_units(mu, y)

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch pickles its module in a buffer of its own, so after
        # unpickling net_.module_ is a copy of module_.body: re-link them,
        # keeping the net's (its optimizer updates that one), so that
        # partial_fit and warm-start fit train the network that predicts
        net = self.__dict__.get("net_")
        module = self.__dict__.get("module_")
        if net is None or not isinstance(module, torch.nn.Module) or \
                not isinstance(getattr(net, "module_", None), torch.nn.Module):
            return
        for owner in module.modules():
            if isinstance(owner, Standardized) and \
                    owner.body is not net.module_:
                owner.body = net.module_
        if "_predict_path" in self.__dict__:
            self._predict_path = (net.module_, backprop_for(net.module_))

    # ------------------------------------------------------------ prediction
    def _validate_predict_X(self, X):
        check_is_fitted(self)
        # no cast to the network's precision here: standardisation happens
        # in float64 first (Standardized.to_body)
        return validate_data(self, X, accept_sparse="csr",
                             dtype=[np.float64, np.float32], reset=False)

    def _linear_predictor(self, X):
        """The linear predictor eta for validated X, a float64 tensor.

        The network runs in its own precision; standardisation and eta are
        computed in float64, so that inverse links, probabilities and
        residuals are computed in double precision.
        """
        module = self.module_
        # eval() walks and re-sets every submodule: a cost comparable to a
        # one-row forward pass, so only when something is in training mode
        body = module.body
        if module.training or body.training:
            module.eval()
        # the built-in MLP runs without per-layer module calls, which
        # dominate a one-row prediction
        fitted_body, backprop = getattr(self, "_predict_path", (None, None))
        if fitted_body is not body:  # module_ was replaced after fit
            backprop = backprop_for(body)
        if backprop is None:
            forward = module
        else:
            def forward(x):
                return module.from_body(backprop.predict(module.to_body(x)))
        return apply_in_chunks(forward, X, device=module.x_loc.device,
                               dtype=torch.float64)

    def _predict_mean(self, X):
        """Predicted mean (inverse link of eta) as a numpy array."""
        X = self._validate_predict_X(X)
        mu = self._loss.inverse_link(self._linear_predictor(X))
        return mu.cpu().numpy()

    # ------------------------------------------------------ toolkit interface
    def _fitted_model(self):
        """The :class:`~econnn._fitted.FittedModel` the toolkit reads."""
        check_is_fitted(self)
        kind = "classifier" if is_classifier(self) else (
            "regressor" if is_regressor(self) else "transformer")
        return FittedModel(
            name=type(self).__name__, kind=kind,
            network=self.module_, body=self.module_.body, loss=self._loss,
            precision=self._dtype(), n_features_in=self.n_features_in_,
            feature_names_in=getattr(self, "feature_names_in_", None),
            classes=getattr(self, "classes_", None),
            target_standardized=self._y_loc is not None,
            n_members=getattr(self, "n_ensemble_", 1),
            validate_X=self._validate_predict_X,
            objective_data=self._objective_data,
            likelihood_data=self._likelihood_data,
            loss_parameters=self._loss_parameters(),
            n_samples_trained=getattr(self, "_n_samples_trained", None))

    def _loss_parameters(self):
        """A likelihood's learned constants in original units, by name."""
        n_extra = getattr(self._loss, "n_extra", 0)
        if not n_extra:
            return {}
        module = self.module_
        with torch.no_grad():
            module.eval()
            eta = module(module.x_loc[None, :])
        extra = eta[0, eta.shape[1] - n_extra:].double().cpu()
        return self._loss.parameters(extra)

    def _likelihood_data(self, X, y):
        """Validated X and y in original units (class codes) for a loss's
        ``log_likelihood``."""
        X, Y = self._validate_fit_data(X, y, reset=False)
        for name in ("_y_raw", "_need_two_classes"):  # classifiers' state
            self.__dict__.pop(name, None)                # for fit only
        if sp.issparse(X):
            X = X.toarray()
        Yt = torch.as_tensor(np.asarray(Y))
        return X, Yt.double() if Yt.is_floating_point() else Yt

    def _objective_data(self, X, y, sample_weight=None):
        """Data in the units the network trained in, as float64 tensors."""
        X, Y = self._validate_fit_data(X, y, reset=False)
        w = _check_sample_weight(sample_weight, X, dtype=np.float64)
        w = self._adjust_sample_weight(w, Y)
        Xs = standardize(X, self._x_loc, self._x_scale, np.float64)
        if sp.issparse(Xs):
            Xs = Xs.toarray()
        Yt = self._target_tensor(Y)
        if Yt.is_floating_point():
            Yt = Yt.double()
        return torch.as_tensor(Xs), Yt, torch.as_tensor(w / w.mean())

    # ----------------------------------------------------------- persistence
    #: Fitted attributes that ``_set_state`` rebuilds from the others.
    _REBUILT_STATE = frozenset({"module_", "net_", "_loss", "_predict_path"})

    def _n_fitted_outputs(self):
        """Hook: ``_n_network_outputs`` of the fitted estimator."""
        return self._n_network_outputs(np.empty((0, self.n_outputs_)))

    def _get_state(self):
        """The fitted state as plain attributes and tensors.

        Used by :func:`econnn.save`; objects that the plain attributes
        determine (network, skorch net, loss) are left out and rebuilt by
        :meth:`_set_state`.  Adam/SGD moment buffers are kept, so training
        continues as it would have.
        """
        check_is_fitted(self)
        attrs = {k: v for k, v in vars(self).items()
                 if (k.startswith("_") or k.endswith("_"))
                 and k not in self._REBUILT_STATE}
        tensors = {f"network.{k}": v
                   for k, v in self.module_.state_dict().items()}
        optimizer = self.net_.optimizer_.state_dict()
        buffers = {f"optimizer.{i}.{name}": v
                   for i, state in optimizer["state"].items()
                   for name, v in state.items()}
        if all(isinstance(v, torch.Tensor) for v in buffers.values()):
            tensors.update(buffers)  # not L-BFGS's lists of past steps
            attrs["_optimizer_groups"] = optimizer["param_groups"]
        attrs["_history"] = [dict(row) for row in self.net_.history]
        # parameters held fixed in training (a linear skip fitted first)
        attrs["_frozen"] = [k for k, p in self.module_.named_parameters()
                            if not p.requires_grad]
        return attrs, tensors

    def _set_state(self, attrs, tensors, device):
        """Restore what :meth:`_get_state` returned, on ``device``."""
        attrs = dict(attrs)
        history = attrs.pop("_history")
        groups = attrs.pop("_optimizer_groups", None)
        frozen = set(attrs.pop("_frozen", ()))
        vars(self).update(attrs)
        self._loss = self._make_loss()
        body = self._make_body(len(self._x_loc), self._n_fitted_outputs())
        config = self._training_config(device)
        self.module_ = self._network_in_original_units(body, config)
        self.module_.load_state_dict(
            {k[len("network."):]: v for k, v in tensors.items()
             if k.startswith("network.")})
        for name, p in self.module_.named_parameters():
            p.requires_grad_(name not in frozen)
        self.module_.eval()
        self.net_ = build_net(self.module_.body, self._loss, config)
        self.net_.history = History(history)
        if groups is not None:
            state = {}
            for key, value in tensors.items():
                if key.startswith("optimizer."):
                    _, i, name = key.split(".", 2)
                    state.setdefault(int(i), {})[name] = value
            self.net_.optimizer_.load_state_dict(
                {"state": state, "param_groups": groups})
        self._predict_path = (self.module_.body,
                              backprop_for(self.module_.body))

    # --------------------------------------------------------------- report
    def summary(self, X=None, y=None, *, cv=None):
        """Summary of the fitted model: architecture, loss, training.

        Parameters
        ----------
        X, y : array-like, default=None
            Optional data on which the score is reported as well.
        cv : int, cross-validation generator or iterable, default=None
            With X and y, also the cross-validated score on them (the
            model refitted on each training fold), beside the in-sample
            score; as in :func:`sklearn.model_selection.cross_val_score`.

        Returns
        -------
        summary : econnn.Summary
            Tables and notes; ``print`` it, or let Jupyter render it.
        """
        from .inference._summary import estimator_summary

        return estimator_summary(self, X, y, cv=cv)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
