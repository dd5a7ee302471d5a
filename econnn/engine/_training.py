"""The training engine: skorch's fit loop fed from in-memory tensors.

skorch's default path builds a ``DataLoader`` over a per-sample
``__getitem__``, records every batch's loss with a host sync and notifies
every callback per batch; on small networks that bookkeeping costs more than
the arithmetic.  Here the data is converted once to tensors on the target
device and batched by slicing a permutation (:class:`BatchIterator`, plugged
in through skorch's ``dataset`` / ``iterator_train`` hooks), the loss is
accumulated on the device and read once per epoch (:class:`Net`), and all
per-epoch logic -- schedules, convergence, early stopping with best-weight
restore, divergence checks, the progress bar -- lives in one callback
(:class:`EpochMonitor`).
"""

import contextlib
import math

import numpy as np
import scipy.sparse as sp
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer
from torch.utils.data import Dataset

from ._backprop import FusedAdamStep, backprop_for
from ._networks import penalised_parameters

__all__ = ["SOLVERS", "LR_SCHEDULES", "TensorDataset", "BatchIterator",
           "Net", "EpochMonitor", "TrainingDivergedError"]


class TrainingDivergedError(ValueError, FloatingPointError):
    """Raised when the training loss becomes NaN or infinite."""


# ---------------------------------------------------------------- optimizers
def _adam(est):
    return torch.optim.Adam, dict(lr=est.learning_rate_init,
                                  betas=(est.beta_1, est.beta_2),
                                  eps=est.epsilon, foreach=True)


def _adamw(est):
    return torch.optim.AdamW, dict(lr=est.learning_rate_init,
                                   betas=(est.beta_1, est.beta_2),
                                   eps=est.epsilon, foreach=True)


def _sgd(est):
    nesterov = bool(est.nesterovs_momentum and est.momentum > 0)
    return torch.optim.SGD, dict(lr=est.learning_rate_init,
                                 momentum=est.momentum, nesterov=nesterov,
                                 foreach=True)


def _lbfgs(est):
    # max_eval must be set: torch's default, max_iter * 5 // 4 = 1, leaves
    # the line search no evaluations, so a rejected first step is a zero
    # step and, with the same history, every later one too
    return torch.optim.LBFGS, dict(lr=1.0, max_iter=1, max_eval=25,
                                   history_size=20,
                                   line_search_fn="strong_wolfe")


#: Optimizers by name: ``f(estimator) -> (optimizer class, kwargs)``.
SOLVERS = {"adam": _adam, "sgd": _sgd, "lbfgs": _lbfgs, "adamw": _adamw}

#: Solvers whose L2 penalty is decoupled weight decay or full-batch.
_DECOUPLED_DECAY = {"adamw"}
_FULL_BATCH = {"lbfgs"}


# ------------------------------------------------------------------ schedules
def _constant(epoch, est):
    return 1.0


def _invscaling(epoch, est):
    return 1.0 / (epoch + 1) ** est.power_t


def _step(epoch, est):
    return 0.1 ** sum(epoch >= f * est.max_iter for f in (0.5, 0.75))


def _cosine(epoch, est):
    return 0.5 * (1 + math.cos(math.pi * epoch / est.max_iter))


#: Learning-rate multipliers by name: ``f(epoch, estimator) -> factor``;
#: 'adaptive' (``None``) is stateful and handled by :class:`EpochMonitor`.
LR_SCHEDULES = {"constant": _constant, "invscaling": _invscaling,
                "adaptive": None, "step": _step, "cosine": _cosine}


def make_param_groups(module, est, batch_size):
    """Split parameters into weights (penalised) and the rest.

    Weights are those of :func:`~econnn.engine._networks.penalised_parameters`;
    biases and normalisation scales are not penalised, as in
    scikit-learn.  For gradient solvers the L2 penalty
    ``alpha / (2 * batch_size) * ||W||^2`` enters as the exactly equivalent
    weight decay ``alpha / batch_size``.
    """
    params = [p for p in module.parameters() if p.requires_grad]
    if est.solver in _FULL_BATCH:
        # L-BFGS takes a single group; its penalty is in the loss
        return [{"params": params}]
    weights = penalised_parameters(module)
    chosen = set(map(id, weights))
    others = [p for p in params if id(p) not in chosen]
    if est.solver in _DECOUPLED_DECAY:
        decay = est.alpha
    else:
        decay = est.alpha / batch_size
    return [{"params": weights, "weight_decay": decay},
            {"params": others, "weight_decay": 0.0}]


def make_optimizer(est, module):
    """The optimizer of ``est.solver`` over ``module``'s parameter groups.

    Gradient solvers use the fused kernel (one call updates every tensor of
    a group) when the parameters allow it: on a small network the
    per-tensor ``foreach`` path costs about a quarter more per step.
    """
    opt_cls, kwargs = SOLVERS[est.solver](est)
    params = [p for p in module.parameters() if p.requires_grad]
    if kwargs.get("foreach") and all(
            p.is_floating_point() and p.device.type in ("cpu", "cuda")
            for p in params):
        kwargs = {**kwargs, "foreach": None, "fused": True}
    return opt_cls(make_param_groups(module, est, 1), **kwargs)


# ----------------------------------------------------------------------- data
#: Datasets up to this size are shuffled by one gather per epoch (a copy);
#: larger ones gather each batch, so training never holds a second copy.
#: Streamed data (held on the host for a GPU) always goes batch by batch.
_PERMUTE_ONCE_BYTES = 16 * 2 ** 20

#: Below this many floating-point operations per step, one thread is
#: faster: splitting a small matrix product costs more in synchronisation
#: than it saves, and on a busy machine waiting for a descheduled thread
#: makes a step ten times slower.
_SINGLE_THREAD_FLOPS = 10e6


@contextlib.contextmanager
def intra_op_threads(module, batch_size, device):
    """Run small-network CPU training on one thread, restored afterwards.

    Small means under ``_SINGLE_THREAD_FLOPS`` per step and network: an
    ensemble's batched products are as small per member as one network's,
    and splitting them over threads costs more than it saves.
    """
    n_params = sum(p.numel() for p in module.parameters())
    n_params /= getattr(module, "n_members", 1)
    old = torch.get_num_threads()
    # forward + backward ~ 6 flops per parameter and sample
    single = device.type == "cpu" and old > 1 and \
        6 * batch_size * n_params < _SINGLE_THREAD_FLOPS
    if single:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if single:
            torch.set_num_threads(old)


class TensorDataset(Dataset):
    """Training data held as tensors (or a scipy CSR matrix for sparse X).

    Parameters
    ----------
    X : torch.Tensor or scipy.sparse.csr_matrix
        Inputs, already standardised and of the training dtype.
    y : torch.Tensor
        Targets in training units.
    w : torch.Tensor or None
        Sample weights normalised to mean one, or None.
    """

    def __init__(self, X, y, w=None):
        self.X, self.y, self.w = X, y, w

    def __len__(self):
        return self.y.shape[0]

    def nbytes(self):
        """Size of the dense data in bytes (infinite for sparse X)."""
        if sp.issparse(self.X):
            return math.inf
        return sum(t.numel() * t.element_size() for t in (self.X, self.y,
                                                          self.w)
                   if t is not None)

    def __getitem__(self, i):
        return self.take(torch.as_tensor([i]))

    def take(self, idx, device=None, dtype=None):
        """Rows ``idx`` as a batch ``(X, y, w)`` on ``device``."""
        if sp.issparse(self.X):
            X = torch.from_numpy(self.X[idx.numpy()].toarray()).to(dtype)
        else:
            X = self.X.index_select(0, idx.to(self.X.device))
        y = self.y.index_select(0, idx.to(self.y.device))
        w = None if self.w is None else self.w.index_select(
            0, idx.to(self.w.device))
        if device is not None:
            X, y = X.to(device, non_blocking=True), y.to(device,
                                                         non_blocking=True)
            w = None if w is None else w.to(device, non_blocking=True)
        return X, y, w

    def slice(self, start, stop, device=None, dtype=None):
        """Rows ``start:stop`` as a batch, without copying dense data."""
        if sp.issparse(self.X):
            return self.take(torch.arange(start, stop), device, dtype)
        X, y = self.X[start:stop], self.y[start:stop]
        w = None if self.w is None else self.w[start:stop]
        if device is not None:
            X, y = X.to(device, non_blocking=True), y.to(device,
                                                         non_blocking=True)
            w = None if w is None else w.to(device, non_blocking=True)
        return X, y, w


class BatchIterator:
    """Mini-batches of a :class:`TensorDataset` by slicing a permutation.

    Parameters
    ----------
    dataset : TensorDataset
    batch_size : int
    shuffle : bool, default=False
    generator : torch.Generator or None
        Source of the permutations (seeded from ``random_state``).
    device : torch.device or None
        Where batches go when the dataset stays on the host (streaming).
    dtype : torch.dtype or None
        dtype of densified sparse batches.
    min_last : int, default=1
        A trailing batch smaller than this joins the previous one (batch
        normalisation cannot use a batch of one sample).
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None,
                 device=None, dtype=None, min_last=1):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = device
        self.dtype = dtype
        self.min_last = min_last

    def _bounds(self):
        n, bs = len(self.dataset), self.batch_size
        starts = list(range(0, n, bs))
        if len(starts) > 1 and n - starts[-1] < self.min_last:
            starts.pop()
        return zip(starts, starts[1:] + [n])

    def __len__(self):
        return len(list(self._bounds()))

    def __iter__(self):
        ds = self.dataset
        if not self.shuffle:
            for start, stop in self._bounds():
                yield ds.slice(start, stop, self.device, self.dtype)
            return
        perm = torch.randperm(len(ds), generator=self.generator)
        if self.device is None and ds.nbytes() <= _PERMUTE_ONCE_BYTES:
            # one gather per epoch, then free slices: on small data the
            # per-batch gathers (three per batch) cost more than the copy
            X, y, w = ds.take(perm, self.device, self.dtype)
            for start, stop in self._bounds():
                yield (X[start:stop], y[start:stop],
                       None if w is None else w[start:stop])
            return
        for start, stop in self._bounds():
            yield ds.take(perm[start:stop], self.device, self.dtype)


# ------------------------------------------------------------------------ net
class Criterion(torch.nn.Module):
    """Weighted mean of a loss's per-sample values."""

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def forward(self, eta, y, w=None):
        members = 1
        if eta.dim() == 3:
            # an ensemble's members, (n_members, n, n_outputs): the SUM of
            # their own mean losses, so that each member gets exactly the
            # gradient it would get alone (a mean would divide SGD's step
            # by n_members); Net reports the loss per member
            members = eta.shape[0]
            eta = eta.reshape(-1, eta.shape[-1])
            y = y.repeat((members,) + (1,) * (y.dim() - 1))
            w = None if w is None else w.repeat(members)
        values = self.loss.per_sample(eta, y)
        if w is not None:
            values = values * w
        return values.mean() * members


class Net(NeuralNet):
    """skorch net with a lean training step for in-memory tensors.

    Differences from :class:`skorch.NeuralNet`: batches are ``(X, y, w)``
    tuples with optional sample weights; penalties that are not weight decay
    (L1; L2 for full-batch L-BFGS) are added to the loss; gradients can be
    clipped; the epoch loss is accumulated on the device and synchronised
    once per epoch rather than once per batch; per-batch callback
    notifications are skipped (econnn's callbacks work per epoch).

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`.
    l1, l2 : float, default=0.0
        Coefficients of ``sum|W|`` and ``0.5 * ||W||^2`` added to the loss.
    max_grad_norm : float or None, default=None
        Global gradient-norm clipping threshold.
    """

    def __init__(self, *args, l1=0.0, l2=0.0, max_grad_norm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.max_grad_norm = max_grad_norm

    @property
    def _default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def penalty(self):
        if not (self.l1 or self.l2):
            return 0.0
        total = 0.0
        for p in penalised_parameters(self.module_):
            if self.l1:
                total = total + self.l1 * p.abs().sum()
            if self.l2:
                total = total + 0.5 * self.l2 * p.square().sum()
        return total

    def objective(self, batch):
        X, y, w = batch
        eta = self.module_(X)
        return self.criterion_(eta, y, w) + self.penalty()

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # built per fit (not pickled): None when the module needs autograd
        self.backprop_ = backprop_for(self.module_) if not (
            self.l2 or isinstance(self.optimizer_, torch.optim.LBFGS)) \
            else None
        fused = FusedAdamStep.for_optimizer(self.optimizer_)
        self.optimizer_step_ = self.optimizer_.step if fused is None else \
            fused.step
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            self.backprop_ = self.optimizer_step_ = None

    def train_step(self, batch, **fit_params):
        optimizer = self.optimizer_
        if isinstance(optimizer, torch.optim.LBFGS):
            def closure():
                optimizer.zero_grad(set_to_none=True)
                loss = self.objective(batch)
                loss.backward()
                return loss
            return optimizer.step(closure).detach() / self._members()
        if getattr(self, "backprop_", None) is not None:
            # assigns every .grad, so no zero_grad is needed
            loss = self.backprop_.accumulate(*batch, self.criterion_, self.l1)
        else:
            optimizer.zero_grad(set_to_none=True)
            loss = self.objective(batch)
            loss.backward()
            loss = loss.detach()
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.module_.parameters(),
                                           self.max_grad_norm, foreach=True)
        step = getattr(self, "optimizer_step_", None) or optimizer.step
        step()
        return loss / self._members()

    def _members(self):
        return getattr(self.module_, "n_members", 1)

    def validation_step(self, batch, **fit_params):
        X, y, w = batch
        eta = self.module_(X)
        return self.criterion_(eta, y, w).detach()

    def _set_training(self, training=True):
        # module.train() walks and re-sets every submodule, a cost on the
        # scale of a small network's step, though it rarely changes anything
        if (self.module_.training != training
                or self.criterion_.training != training):
            super()._set_training(training)

    def run_single_epoch(self, iterator, training, prefix, step_fn,
                         **fit_params):
        if iterator is None:
            return
        self._set_training(training)
        total, count = 0.0, 0
        with torch.set_grad_enabled(training):
            for batch in iterator:
                loss = step_fn(batch)
                n = batch[1].shape[0]
                total = total + loss * n
                count += n
        self.history.record(prefix + "_loss", float(total / count))


# ------------------------------------------------------------------ callbacks
class EpochMonitor(Callback):
    """Everything econnn does once per epoch.

    * learning-rate schedule (``est.learning_rate``);
    * NaN/inf check on the losses: raises :class:`TrainingDivergedError`;
    * validation score (R^2 or accuracy) for ``validation_scores_``;
    * convergence: stop when the monitored loss (validation loss with early
      stopping, training loss otherwise) has not improved by ``tol`` for
      ``n_iter_no_change`` epochs ('adaptive' divides the rate by 5 instead
      and stops below 1e-6);
    * keeping and, with early stopping, restoring the best weights;
    * the tqdm progress bar when ``verbose``.

    Parameters
    ----------
    est : econnn estimator
        Supplies the hyperparameters (read, never modified).
    scorer : callable or None
        ``scorer(module, dataset) -> float`` for the validation score.
    epoch_offset : int, default=0
        Epochs already run (``warm_start``/``partial_fit``).
    stop : bool, default=True
        Whether convergence may stop training (False for ``partial_fit``).
    """

    def __init__(self, est, scorer=None, epoch_offset=0, stop=True):
        self.est = est
        self.scorer = scorer
        self.epoch_offset = epoch_offset
        self.stop = stop

    def initialize(self):
        self.best_loss_ = np.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.start_score_ = None
        self.no_improvement_ = 0
        self.lr_factor_ = 1.0
        self.validation_scores_ = []
        self.converged_ = False
        self.pbar_ = None
        return self

    def start_from_current(self, net, dataset_valid):
        """Count the current weights as epoch 0 of early stopping.

        Their validation loss becomes the one to beat, and they are what
        ``on_train_end`` restores if no epoch beats it: a network started
        at the GLM (``linear_skip``) then ends no worse than the GLM on the
        validation data.
        """
        net._set_training(False)
        total, count = 0.0, 0
        with torch.no_grad():
            for batch in net.get_iterator(dataset_valid, training=False):
                n = batch[1].shape[0]
                total += float(net.validation_step(batch)) * n
                count += n
        self.best_loss_ = total / count
        self.best_epoch_ = 0
        self.best_state_ = {k: v.detach().clone() for k, v in
                            net.module_.state_dict().items()}
        self.start_score_ = None if self.scorer is None else self.scorer(
            net.module_, dataset_valid)

    def on_train_begin(self, net, **kwargs):
        if self.est.verbose:
            from tqdm.auto import tqdm

            self.pbar_ = tqdm(total=self.est.max_iter, unit="epoch",
                              desc=type(self.est).__name__, leave=False)

    def on_epoch_begin(self, net, **kwargs):
        schedule = LR_SCHEDULES[self.est.learning_rate]
        epoch = self.epoch_offset + len(net.history) - 1
        factor = self.lr_factor_ if schedule is None else schedule(
            epoch, self.est)
        if not isinstance(net.optimizer_, torch.optim.LBFGS):
            for group in net.optimizer_.param_groups:
                group["lr"] = self.est.learning_rate_init * factor

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None,
                     **kwargs):
        est, row = self.est, net.history[-1]
        epoch = len(net.history)
        monitored = "valid_loss" if dataset_valid is not None else \
            "train_loss"
        for key in ("train_loss", "valid_loss"):
            if key in row and not np.isfinite(row[key]):
                raise TrainingDivergedError(
                    f"Training diverged: the {key.replace('_', ' ')} became "
                    f"{row[key]} at epoch {epoch}. Try a lower "
                    f"learning_rate_init (now {est.learning_rate_init:g}), "
                    "max_grad_norm, or standardize=True."
                )
        if dataset_valid is not None and self.scorer is not None:
            score = self.scorer(net.module_, dataset_valid)
            self.validation_scores_.append(score)
            net.history.record("valid_score", score)
        loss = row[monitored]
        if loss < self.best_loss_:
            self.best_epoch_ = epoch
            if dataset_valid is not None:
                self.best_state_ = {k: v.detach().clone() for k, v in
                                    net.module_.state_dict().items()}
        if loss > self.best_loss_ - est.tol:
            self.no_improvement_ += 1
        else:
            self.no_improvement_ = 0
        self.best_loss_ = min(self.best_loss_, loss)
        if self.pbar_ is not None:
            self.pbar_.update(1)
            self.pbar_.set_postfix({k: f"{row[k]:.4g}" for k in
                                    ("train_loss", "valid_loss") if k in row})
        if not self.stop:
            return
        if est.learning_rate == "adaptive":
            if self.no_improvement_ >= 2:
                self.lr_factor_ /= 5
                self.no_improvement_ = 0
            if est.learning_rate_init * self.lr_factor_ < 1e-6:
                self.converged_ = True
        elif self.no_improvement_ >= est.n_iter_no_change:
            self.converged_ = True
        if self.converged_:
            raise KeyboardInterrupt  # skorch's way to end the fit loop

    def on_train_end(self, net, **kwargs):
        if self.pbar_ is not None:
            self.pbar_.close()
            self.pbar_ = None
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
