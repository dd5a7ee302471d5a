"""The private base class of every econnn estimator.

:class:`_BaseNN` owns what the estimators share: parameter and data
validation, seeding, standardisation, building and running the skorch net,
early stopping, ``warm_start``/``partial_fit`` and the device.  Subclasses
supply only what differs, through a handful of hooks:

``_make_loss()``
    the loss / output link;
``_validate_fit_data(X, y, reset)``
    validated ``X`` and the target in training form;
``_build_body(n_features, n_outputs)``
    the torch module trained on standardised data (default: the MLP or the
    user's ``module``);
``_score_training_units(mu, y)``
    the validation score (R^2, accuracy) recorded with early stopping.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._fitted import FittedModel
from ._validation import validate_data
from .engine._backprop import backprop_for
from .engine._networks import MLP, EnsembleMLP, Standardized, build_user_module
from .inference._summary import estimator_summary
from .engine._training import (BatchIterator, Criterion, EpochMonitor, Net,
                        TensorDataset, intra_op_threads, make_optimizer,
                        make_param_groups)
from .engine._training import _FULL_BATCH

_EXTRA_PREFIX = "module__"
_TORCH_DTYPES = {np.dtype(np.float32): torch.float32,
                 np.dtype(np.float64): torch.float64}
_PREDICT_CHUNK = 65536


def resolve_device(device):
    """Turn the ``device`` parameter into a :class:`torch.device`."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', "
            f"'cuda:<index>' or 'auto' ({exc}).") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on "
            "this machine; use device='cpu' or 'auto'."
        )
    if dev.type == "meta":
        raise ValueError("device='meta' holds no data and cannot train; use "
                         "'cpu', 'cuda' or 'auto'.")
    try:  # an index beyond the devices present, a backend not built in
        torch.empty(0, device=dev)
    except (RuntimeError, AssertionError) as exc:
        raise ValueError(f"device={device!r} is not available on this "
                         f"machine: {exc}") from None
    return dev


def _fits_on_device(device, *arrays):
    """Whether the arrays fit comfortably (half the free memory) on a GPU."""
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    need = sum(a.data.nbytes if sp.issparse(a) else a.nbytes for a in arrays)
    return need < 0.5 * free


def _weighted_mean_std(X, w, chunk=_PREDICT_CHUNK):
    """Column means and standard deviations, a block of rows at a time.

    ``np.average`` on the whole array would hold three temporaries of X's
    size (the deviations, their squares, the weighted squares); blocks keep
    the extra memory to a few megabytes whatever the number of rows.
    """
    total = w.sum()
    loc = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], chunk):
        loc += w[start:start + chunk] @ X[start:start + chunk]
    loc /= total
    var = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], chunk):
        dev = X[start:start + chunk] - loc
        var += w[start:start + chunk] @ (dev * dev)
    return loc, np.sqrt(var / total)


class _BaseNN(BaseEstimator):
    """Shared machinery of econnn's estimators (not public)."""

    # ------------------------------------------------------------ parameters
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

    def _check_params(self):
        """Checks beyond ``_parameter_constraints`` (run at fit)."""
        sizes = getattr(self, "hidden_layer_sizes", ())
        sizes = np.atleast_1d(np.asarray(sizes if sizes is not None else ()))
        if sizes.size and (sizes.dtype.kind not in "iu" or np.any(sizes < 1)):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}.")
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

    # ------------------------------------------------------------------ hooks
    def _make_loss(self):
        raise NotImplementedError

    def _validate_fit_data(self, X, y, reset):
        raise NotImplementedError

    def _score_training_units(self, mu, y):
        raise NotImplementedError

    def _build_body(self, n_features, n_outputs):
        if self.module is not None:
            self.n_ensemble_ = 1
            return build_user_module(self.module, n_features, n_outputs,
                                     {k[len(_EXTRA_PREFIX):]: v for k, v in
                                      self._extra_params().items()})
        layers = dict(hidden_layer_sizes=tuple(self.hidden_layer_sizes),
                      activation=self.activation, dropout=self.dropout,
                      batch_norm=self.batch_norm)
        members = self.n_ensemble_ = self._ensemble_size()
        if members > 1:
            return EnsembleMLP(n_features, n_outputs, members, **layers)
        return MLP(n_features, n_outputs, **layers)

    def _ensemble_size(self):
        members = getattr(self, "n_ensemble", 1)
        if members == "auto":
            return int(np.clip(100_000 // self._n_train_rows, 1, 2))
        return members

    def _split_validation(self, y, seed):
        """Train/validation indices for early stopping (random split)."""
        n = y.shape[0]
        n_valid = int(round(self.validation_fraction * n))
        if n_valid < 1 or n - n_valid < 2:
            raise ValueError(
                f"early_stopping needs at least 1 validation and 2 training "
                f"samples; got n_samples={n} with validation_fraction="
                f"{self.validation_fraction}."
            )
        return train_test_split(np.arange(n), test_size=n_valid,
                                random_state=seed)

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
        before = set(vars(self))
        device = resolve_device(self.device)
        X, Y = self._validate_fit_data(X, y, reset=first)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s); at least 1 is "
                             "required.")
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
        fork = [device.index or 0] if device.type == "cuda" else []
        state = None if first else {
            k: v.detach().clone()
            for k, v in self.module_.state_dict().items()}
        try:
            with torch.random.fork_rng(devices=fork):
                torch.manual_seed(seed)
                if first:
                    self._init_model(X, Y, w, device)
                self._train(X, Y, w, seed, device, incremental)
        except BaseException:
            # never leave a half-trained (e.g. diverged) model behind: a
            # failed first fit leaves the estimator unfitted, a failed
            # continuation restores the previous weights
            if first:
                for name in set(vars(self)) - before:
                    if name.endswith("_"):
                        delattr(self, name)
            else:
                self.module_.load_state_dict(state)
            raise
        return self

    def _adjust_sample_weight(self, w, Y):
        """Hook: combine sample weights with e.g. class weights."""
        return w

    def _init_model(self, X, Y, w, device):
        """Scaling statistics, the network and the skorch net."""
        dtype = self._train_dtype = np.dtype(self.precision)
        n_features = X.shape[-1]  # variables per time step for 3-D windows
        if self.standardize:
            x_loc, x_scale = self._x_scaling(X, w)
        else:
            x_loc, x_scale = np.zeros(n_features), np.ones(n_features)
        scaling = self._loss.target_scaling(Y, w) if self.standardize \
            else None
        if scaling is None:
            y_loc = y_scale = None
            eta_loc, eta_scale = np.zeros(1), np.ones(1)
        else:
            y_loc, y_scale = scaling
            eta_loc, eta_scale = self._loss.eta_scaling(y_loc, y_scale)
        # float64 always: the input is standardised before its conversion
        self._x_loc = x_loc.astype(np.float64)
        self._x_scale = x_scale.astype(np.float64)
        self._y_loc, self._y_scale = y_loc, y_scale

        self._n_train_rows = X.shape[0]
        n_outputs = self._n_network_outputs(Y)
        body = self._build_body(n_features, n_outputs)
        if getattr(self, "module", None) is None:
            # start from the intercept-only GLM (mean of y, log prior odds)
            bias = np.array(self._loss.initial_bias(
                self._target_in_training_units(Y), w), dtype=np.float32)
            if hasattr(body, "set_output_bias"):
                body.set_output_bias(torch.from_numpy(bias))
            elif hasattr(body, "output"):
                with torch.no_grad():
                    body.output.bias.copy_(torch.as_tensor(np.array(
                        np.broadcast_to(bias, body.output.bias.shape))))
        body = body.to(device=device, dtype=_TORCH_DTYPES[np.dtype(dtype)])
        x_loc, x_scale, eta_loc, eta_scale = (
            torch.as_tensor(np.asarray(a, dtype=dtype), device=device)
            for a in (self._x_loc, self._x_scale, eta_loc, eta_scale))
        self.module_ = Standardized(body, x_loc, x_scale, eta_loc, eta_scale)
        self.net_ = Net(
            module=body,
            criterion=Criterion,
            criterion__loss=self._loss,
            iterator_train=BatchIterator,
            iterator_valid=BatchIterator,
            dataset=TensorDataset,
            train_split=None,
            max_epochs=self.max_iter,
            warm_start=True,
            device=device,
            l1=0.0,
            l2=0.0,
            max_grad_norm=self.max_grad_norm,
        )
        self.net_.initialize()
        # the optimizer is built here rather than by skorch, so that weights
        # and biases get their own parameter groups (penalties)
        self.net_.optimizer_ = make_optimizer(self, body)
        self.net_.optimizer = type(self.net_.optimizer_)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None

    def _x_scaling(self, X, w):
        if sp.issparse(X):
            _, var = mean_variance_axis(X, axis=0, weights=w)
            loc = np.zeros(X.shape[1])
            scale = np.sqrt(var)
        else:
            loc, scale = _weighted_mean_std(X, w)
        # constant columns are left alone rather than divided by zero
        return loc, np.where(scale > 1e-12 * np.maximum(1, np.abs(loc)),
                             scale, 1.0)

    def _n_network_outputs(self, Y):
        return Y.shape[1]

    def _target_in_training_units(self, Y):
        if self._y_loc is None:
            return Y
        return (Y - self._y_loc) / self._y_scale

    def _standardize_X(self, X):
        """X standardised (in float64 arithmetic), in the training dtype."""
        dtype = self._dtype()
        if sp.issparse(X):
            return sp.csr_matrix(X.multiply(1 / self._x_scale[None, :]),
                                 dtype=dtype)
        # element by element in float64, written straight into the
        # training dtype: no full-size float64 temporary
        Xs = np.empty(X.shape, dtype=dtype)
        np.subtract(X, self._x_loc, out=Xs, casting="same_kind")
        np.divide(Xs, self._x_scale, out=Xs, casting="same_kind")
        return Xs

    def _target_tensor(self, Y):
        Yt = self._target_in_training_units(Y)
        return torch.from_numpy(np.ascontiguousarray(Yt, dtype=self._dtype()))

    def _dtype(self):
        """The numpy dtype the network trains and predicts in."""
        return self._train_dtype

    def _train(self, X, Y, w, seed, device, incremental):
        net, dtype = self.net_, self._dtype()
        Xs = self._standardize_X(X)
        Yt = self._target_tensor(Y)
        # equal weights are no weights: skips a product per batch
        wt = None if np.all(w == w[0]) else torch.from_numpy(
            (w / w.mean()).astype(dtype))  # mean one
        if self.early_stopping and not incremental:
            train_idx, valid_idx = self._split_validation(Y, seed)
        else:
            train_idx, valid_idx = np.arange(X.shape[0]), None

        stream = not _fits_on_device(device, Xs)
        on = torch.device("cpu") if stream else device

        def dataset(idx):
            Xi = Xs[idx] if sp.issparse(Xs) else torch.from_numpy(
                np.ascontiguousarray(Xs[idx]) if len(idx) < Xs.shape[0]
                else Xs).to(on)
            ti = torch.from_numpy(idx)
            return TensorDataset(Xi, Yt[ti].to(on),
                                 None if wt is None else wt[ti].to(on))

        ds_train = dataset(train_idx)
        ds_valid = None if valid_idx is None else dataset(valid_idx)
        n_train = len(ds_train)
        if self.solver in _FULL_BATCH:
            batch_size = n_train
        elif self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            batch_size = min(self.batch_size, n_train)

        batch_norm = getattr(self, "batch_norm", False)
        if batch_norm and n_train < 2:
            raise ValueError(
                "batch_norm=True needs at least 2 samples per batch; got "
                f"{n_train} training sample{'s' if n_train != 1 else ''} "
                "(n_samples = 1).")
        generator = torch.Generator().manual_seed(seed)
        batch_device = device if (stream or sp.issparse(Xs)) else None
        torch_dtype = _TORCH_DTYPES[np.dtype(dtype)]
        # plain per-call settings: set directly, since skorch's set_params
        # on an initialized net re-initializes components
        vars(net).update(
            iterator_train__batch_size=batch_size,
            iterator_train__shuffle=self.shuffle,
            iterator_train__generator=generator,
            iterator_train__device=batch_device,
            iterator_train__dtype=torch_dtype,
            iterator_train__min_last=2 if batch_norm else 1,
            iterator_valid__batch_size=_PREDICT_CHUNK,
            iterator_valid__device=batch_device,
            iterator_valid__dtype=torch_dtype,
            train_split=None if ds_valid is None else (
                lambda ds, y=None, **kw: (ds, ds_valid)),
        )
        # Penalties are per effective sample, so that a weight of k counts
        # as k samples: with unit weights this is scikit-learn's
        # alpha / (2 * batch_size) * ||W||^2. L2 enters as weight decay
        # (L-BFGS: in the loss); L1 always in the loss.
        w_mean = float(w[train_idx].mean())
        effective_batch = batch_size * w_mean
        for group, new in zip(net.optimizer_.param_groups,
                              make_param_groups(net.module_, self,
                                                effective_batch)):
            group["weight_decay"] = new.get("weight_decay", 0.0)
        net.l1 = self.l1 / effective_batch
        net.l2 = self.alpha / (n_train * w_mean) if \
            self.solver in _FULL_BATCH else 0.0
        net.max_grad_norm = self.max_grad_norm

        monitor = EpochMonitor(
            self, scorer=None if ds_valid is None else self._scorer,
            epoch_offset=self.n_iter_, stop=not incremental)
        net.callbacks = [("monitor", monitor)]
        net.initialize_callbacks()
        net.history.clear()
        net.max_epochs = 1 if incremental else self.max_iter
        try:
            with intra_op_threads(net.module_, batch_size, device):
                net.partial_fit(ds_train)
        finally:
            # drop what only this call needs, so the net pickles
            vars(net).update(train_split=None, iterator_train__generator=None)
        self.module_.eval()
        body = getattr(self.module_, "body", None)
        self._predict_path = (body, backprop_for(body))

        history = net.history
        self.n_iter_ += len(history)
        self.t_ += len(history) * n_train
        self.loss_curve_ = list(self.loss_curve_) + list(
            history[:, "train_loss"])
        self.best_loss_ = min(self.loss_curve_)
        self.best_epoch_ = (self.n_iter_ - len(history) +
                            (monitor.best_epoch_ or len(history)))
        if ds_valid is not None:
            self.validation_scores_ = list(self.validation_scores_ or []) + \
                monitor.validation_scores_
            self.validation_loss_curve_ = list(history[:, "valid_loss"])
            self.best_validation_score_ = monitor.validation_scores_[
                monitor.best_epoch_ - 1]
        else:
            self.best_validation_score_ = None
        if not incremental and not monitor.converged_:
            warnings.warn(
                f"{type(self).__name__}: reached max_iter={self.max_iter} "
                "epochs without converging (tol="
                f"{self.tol}, n_iter_no_change={self.n_iter_no_change}). "
                "Consider increasing max_iter.", ConvergenceWarning)

    def _scorer(self, module, dataset):
        with torch.no_grad():
            module.eval()
            eta = module(dataset.X if not sp.issparse(dataset.X) else
                         torch.from_numpy(dataset.X.toarray()).to(
                             dataset.y.device))
            mu = self._loss.inverse_link(eta)
        return self._score_training_units(mu, dataset.y)

    # ------------------------------------------------------------ prediction
    def _validate_predict_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, accept_sparse="csr", dtype=self._dtype(),
                             reset=False)

    def _linear_predictor(self, X):
        """The linear predictor eta for validated X, a float64 tensor.

        The network runs in its own precision; eta is returned in float64 so
        that inverse links, probabilities and residuals are computed in
        double precision.
        """
        device = self.module_.x_loc.device
        dtype = _TORCH_DTYPES[self._dtype()]
        module = self.module_
        # eval() walks and re-sets every submodule: a cost comparable to a
        # one-row forward pass, so only when something is in training mode
        body = getattr(module, "body", None)
        if module.training or getattr(body, "training", False):
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
                z = (x - module.x_loc) / module.x_scale
                return torch.addcmul(module.eta_loc, backprop.predict(z),
                                     module.eta_scale)
        out = []
        with torch.no_grad():
            for start in range(0, X.shape[0], _PREDICT_CHUNK):
                chunk = X[start:start + _PREDICT_CHUNK]
                if sp.issparse(chunk):
                    chunk = chunk.toarray()
                elif not chunk.flags.writeable:
                    # read-only input (memmaps from joblib, CV): torch
                    # warns on wrapping it, though nothing is written
                    chunk = chunk.copy()
                out.append(forward(torch.as_tensor(chunk, device=device,
                                                   dtype=dtype)))
        eta = out[0] if len(out) == 1 else torch.cat(out)
        return eta.to(torch.float64)

    def _predict_mean(self, X):
        """Predicted mean (inverse link of eta) as a numpy array."""
        X = self._validate_predict_X(X)
        mu = self._loss.inverse_link(self._linear_predictor(X))
        return mu.cpu().numpy()

    # ------------------------------------------------------ toolkit interface
    def _fitted_model(self):
        """The :class:`~econnn._fitted.FittedModel` the toolkit reads."""
        check_is_fitted(self)
        from sklearn.base import is_classifier, is_regressor

        kind = "classifier" if is_classifier(self) else (
            "regressor" if is_regressor(self) else "transformer")
        return FittedModel(
            name=type(self).__name__, kind=getattr(self, "_kind", kind),
            network=self.module_, body=self.module_.body, loss=self._loss,
            precision=self._dtype(), n_features_in=self.n_features_in_,
            feature_names_in=getattr(self, "feature_names_in_", None),
            classes=getattr(self, "classes_", None),
            target_standardized=self._y_loc is not None,
            n_members=getattr(self, "n_ensemble_", 1),
            validate_X=self._validate_predict_X,
            objective_data=self._objective_data)

    def _objective_data(self, X, y, sample_weight=None):
        """Data in the units the network trained in, as float64 tensors."""
        X, Y = self._validate_fit_data(X, y, reset=False)
        w = _check_sample_weight(sample_weight, X, dtype=np.float64)
        w = self._adjust_sample_weight(w, Y)
        Xs = self._standardize_X(X)
        if hasattr(Xs, "toarray"):
            Xs = Xs.toarray()
        Xt = torch.as_tensor(np.asarray(Xs, dtype=np.float64))
        Yt = self._target_tensor(Y)
        if Yt.is_floating_point():
            Yt = Yt.double()
        return Xt, Yt, torch.as_tensor(w / w.mean())

    # --------------------------------------------------------------- report
    def summary(self, X=None, y=None):
        """Summary of the fitted model: architecture, loss, training.

        Parameters
        ----------
        X, y : array-like, default=None
            Optional data on which the score is reported as well.

        Returns
        -------
        summary : econnn.Summary
            Tables and notes; ``print`` it, or let Jupyter render it.
        """
        return estimator_summary(self, X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
