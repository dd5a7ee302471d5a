"""The training loop: skorch's ``NeuralNet`` fed from in-memory tensors.

The engine's boundary is :func:`build_net` and :func:`run_training`: they
take a torch module, a loss, data as :class:`~econnn.engine._data.TensorDataset`
and one frozen :class:`~econnn.engine._config.TrainingConfig`, and return a
:class:`TrainingResult` of plain values.  Nothing here reads an estimator.

Inside, the loss is accumulated on the device and read once per epoch
(:class:`Net`), and all per-epoch logic -- schedules, convergence, early
stopping with best-weight restore, divergence checks, the progress bar --
lives in one callback (:class:`~econnn.engine._monitor.EpochMonitor`).
Training stops through :class:`~econnn.engine._monitor.StopTraining`; a
``KeyboardInterrupt`` is the user's and propagates.
"""

import copy
from dataclasses import dataclass
from typing import List, Optional

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer
from skorch.helper import predefined_split

from ._backprop import FusedAdamStep, backprop_for
from ._data import BatchIterator, intra_op_threads
from ._averaging import WeightAverage
from ._members import MemberValidation, per_member_validation
from ._monitor import EpochMonitor, StopTraining
from ._optim import (FULL_BATCH, optimizer_params, penalty,
                     set_weight_decay)
from ._scaling import PREDICT_CHUNK

__all__ = ["Criterion", "Net", "TrainingResult", "build_net",
           "run_training"]



@dataclass
class _BatchPlan:
    """How one run draws its batches (set on the net for that run only)."""

    batch_size: int
    shuffle: bool
    generator: Optional[torch.Generator]
    device: Optional[torch.device]
    dtype: torch.dtype
    min_last: int
    even: bool = False


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
            # w of shape (n, n_members) weighs each member's rows apart
            # (cross-validated bagging: zero on its validation rows)
            members = eta.shape[0]
            eta = eta.reshape(-1, eta.shape[-1])
            y = y.repeat((members,) + (1,) * (y.dim() - 1))
            w = None if w is None else (w.t().reshape(-1) if w.dim() == 2
                                        else w.repeat(members))
        elif w is not None and w.dim() == 2:
            w = w.mean(dim=1)  # the members' average, seen as one network
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

    def objective(self, batch):
        X, y, w = batch
        eta = self.module_(X)
        return self.criterion_(eta, y, w) + penalty(self.module_, self.l1,
                                                    self.l2)

    def get_iterator(self, dataset, training=False):
        # skorch's documented hook: batches follow the plan run_training
        # set for this run, instead of iterator_* attributes
        plan = self.batch_plan_
        if training:
            return BatchIterator(dataset, plan.batch_size,
                                 shuffle=plan.shuffle,
                                 generator=plan.generator,
                                 device=plan.device, dtype=plan.dtype,
                                 min_last=plan.min_last, even=plan.even)
        return BatchIterator(dataset, PREDICT_CHUNK, device=plan.device,
                             dtype=plan.dtype)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        # as skorch's, except that only StopTraining ends the loop quietly:
        # skorch swallows KeyboardInterrupt, which must reach the user
        if not self.initialized_:
            self.initialize()
        self.notify("on_train_begin", X=X, y=y)
        try:
            self.fit_loop(X, y, _routing_method="partial_fit", **fit_params)
        except StopTraining:
            pass
        self.notify("on_train_end", X=X, y=y)
        return self

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
                self.fun_evals_ = getattr(self, "fun_evals_", 0) + 1
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
        average = getattr(self, "average_", None) if training else None
        if average is not None:
            average.train_weights()
        total, count = 0.0, 0
        with torch.set_grad_enabled(training):
            for batch in iterator:
                loss = step_fn(batch)
                n = batch[1].shape[0]
                total = total + loss * n
                count += n
        if average is not None:
            average.update()
        self.history.record(prefix + "_loss", float(total / count))



# -------------------------------------------------------------- the boundary
@dataclass
class TrainingResult:
    """What one run of :func:`run_training` produced, as plain values.

    Attributes
    ----------
    train_loss, valid_loss : list of float
        Per-epoch mean losses (``valid_loss`` empty without validation).
    validation_scores : list of float
        Per-epoch validation scores (R^2, accuracy), if a scorer was given.
    best_epoch : int
        The epoch (1-based, within this run) whose weights were kept with
        validation, or the epoch of the lowest training loss.
    converged : bool
        Whether the convergence criterion stopped the run.
    out_of_evaluations : bool
        Whether L-BFGS's ``max_fun`` budget stopped the run.
    n_train : int
        Training rows (without the validation split).
    start_score : float or None
        Validation score of the starting weights, when they competed as
        epoch 0 (``best_epoch`` is 0 if they were kept).
    member_best_epochs : list of int or None
        With validation per member, the epoch each member was restored to
        (``best_epoch`` is the latest of them).
    best_score : float or None
        With validation per member, the mean of the members' validation
        scores at the weights they were restored to.
    refit_train_loss : list of float or None
        Per-epoch training losses of the refit on all the rows
        (``config.refit``), None when there was none (best epoch 0).
    refit_n_train : int
        Rows the refit trained on (0 without a refit).
    """

    train_loss: List[float]
    valid_loss: List[float]
    validation_scores: List[float]
    best_epoch: int
    converged: bool
    n_train: int
    out_of_evaluations: bool = False
    start_score: Optional[float] = None
    member_best_epochs: Optional[List[int]] = None
    best_score: Optional[float] = None
    refit_train_loss: Optional[List[float]] = None
    refit_n_train: int = 0


def build_net(module, loss, config):
    """A skorch :class:`Net` around ``module``, with its optimizer built.

    Parameters
    ----------
    module : torch.nn.Module
        The network, on ``config.device`` in ``config.dtype`` already.
    loss : econnn loss
        Supplies ``per_sample(eta, y)``; see :mod:`econnn.engine._losses`.
    config : TrainingConfig

    Returns
    -------
    net : Net
        Initialised; ``net.optimizer_`` holds the optimizer state that
        warm starts continue from.
    """
    net = Net(module=module, criterion=Criterion, criterion__loss=loss,
              train_split=None, max_epochs=config.max_iter, warm_start=True,
              device=config.device, **optimizer_params(config, module))
    net.initialize()
    return net


#: scikit-learn's 'auto' batch size, ``min(200, n)``.
MAX_AUTO_BATCH = 200
#: The smallest batch ``min_batches`` cuts an epoch into.
MIN_AUTO_BATCH = 32


def resolve_batch_size(config, n_train):
    """Rows per mini-batch for ``n_train`` training rows.

    'auto' is scikit-learn's ``min(200, n_train)``, made smaller when
    ``config.min_batches`` asks for more steps per epoch, but not below
    :data:`MIN_AUTO_BATCH` rows.
    """
    if config.solver in FULL_BATCH:
        return n_train
    if config.batch_size == "auto":
        at_least = max(MIN_AUTO_BATCH, -(-n_train // config.min_batches))
        return min(MAX_AUTO_BATCH, n_train, at_least)
    return min(config.batch_size, n_train)


def _check_initial_loss(net, train, plan):
    """Refuse data whose loss is not finite before any training step.

    Then the data, not the optimisation, overflow the network's precision
    (e.g. raw values of 1e30 with ``standardize=False``): a different
    problem from divergence, with a different remedy.
    """
    X, y, w = train.slice(0, min(len(train), PREDICT_CHUNK), plan.device,
                          plan.dtype)
    module = net.module_
    training = module.training
    module.eval()  # no dropout, no update of batch-norm statistics
    try:
        with torch.no_grad():
            loss = net.criterion_(module(X), y, w)
    finally:
        module.train(training)
    if not bool(torch.isfinite(loss)):
        raise ValueError(
            f"The loss is {float(loss)} at the current weights, before any "
            f"training step: the data overflow the network's precision "
            f"({plan.dtype}). Use standardize=True, rescale X or y, or "
            "precision='float64'.")


def run_training(net, config, train, valid=None, *, generator=None,
                 epoch_offset=0, incremental=False, scorer=None,
                 weight_mean=1.0, batch_device=None,
                 start_as_epoch_zero=False, full=None, full_weight_mean=1.0):
    """Train ``net`` on ``train`` for one run (a fit, or a partial_fit step).

    Parameters
    ----------
    net : Net
        From :func:`build_net`; trained in place.
    config : TrainingConfig
    train, valid : TensorDataset
        Training data, and the validation data for early stopping.  With
        validation per member (:func:`~econnn.engine._members.
        per_member_validation`) ``train`` holds all the rows and
        ``valid`` those that validate some member, and their weights are
        ``(n_rows, n_members)``: each member's training and validation
        weights.
    generator : torch.Generator, default=None
        Source of the batch permutations (seeded per fit).
    epoch_offset : int, default=0
        Epochs run before (schedules continue from there).
    incremental : bool, default=False
        One epoch, no convergence stop (``partial_fit``).
    scorer : callable, default=None
        ``scorer(eta, y) -> float``, the validation score from the linear
        predictor in training units.
    weight_mean : float, default=1.0
        Mean sample weight of the training rows: penalties are per
        effective sample.
    batch_device : torch.device, default=None
        Where batches go when the data stays on the host (streaming, or
        sparse inputs densified per batch).
    start_as_epoch_zero : bool, default=False
        With validation data, whether the starting weights compete as epoch
        0: they are restored unless a later epoch beats their validation
        loss (a network started at the GLM ends no worse than it there).
    full : TensorDataset, default=None
        All the rows (training and validation), for ``config.refit``: once
        early stopping has chosen the best epoch on ``valid``, the starting
        weights and optimizer state are restored and the network is
        trained on ``full`` for that many epochs (the learning-rate
        schedule replayed, no stopping rule), so that the rows held out to
        choose the epoch also train the network.  When the starting
        weights won (best epoch 0: the GLM, with ``start_as_epoch_zero``)
        they are kept and nothing is retrained.
    full_weight_mean : float, default=1.0
        Mean sample weight of the rows of ``full``.

    Returns
    -------
    TrainingResult
    """
    refit = (config.refit and full is not None and valid is not None
             and not incremental)
    start = _training_state(net) if refit else None
    result = _run(net, config, train, valid, generator=generator,
                  epoch_offset=epoch_offset, incremental=incremental,
                  scorer=scorer, weight_mean=weight_mean,
                  batch_device=batch_device,
                  start_as_epoch_zero=start_as_epoch_zero)
    if refit and result.best_epoch > 0:
        # the same number of epochs, not of optimizer steps, on the larger
        # data, the schedule replayed (on Boston's 10-fold CV, seeds 0-4,
        # the same number of steps scored 0.003 lower, and annealing the
        # rate to zero over the refit's epochs 0.008 lower)
        _load_training_state(net, start)
        again = _run(net, config, full, None, generator=generator,
                     epoch_offset=epoch_offset, scorer=None,
                     weight_mean=full_weight_mean,
                     batch_device=batch_device, epochs=result.best_epoch)
        result.refit_train_loss = again.train_loss
        result.refit_n_train = again.n_train
    return result


def _training_state(net):
    """Copies of the module's and the optimizer's state."""
    return (copy.deepcopy(net.module_.state_dict()),
            copy.deepcopy(net.optimizer_.state_dict()))


def _load_training_state(net, state):
    module_state, optimizer_state = state
    net.module_.load_state_dict(module_state)
    net.optimizer_.load_state_dict(optimizer_state)


def _run(net, config, train, valid=None, *, generator=None,
         epoch_offset=0, incremental=False, scorer=None, weight_mean=1.0,
         batch_device=None, start_as_epoch_zero=False, epochs=None):
    """One run of the epoch loop (:func:`run_training` without the refit).

    ``epochs``, if given, runs exactly that many epochs with no stopping
    rule (the refit).
    """
    n_train = len(train)
    batch_size = resolve_batch_size(config, n_train)
    batch_norm = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                     for m in net.module_.modules())
    if batch_norm and n_train < 2:
        raise ValueError(
            "batch_norm=True needs at least 2 samples per batch; got "
            f"{n_train} training sample{'s' if n_train != 1 else ''}.")
    # Penalties are per effective sample, so that a weight of k counts as k
    # samples. L2 enters as weight decay (L-BFGS: in the loss); L1 always
    # in the loss.
    effective_batch = batch_size * weight_mean
    set_weight_decay(net.optimizer_, config, effective_batch)
    net.set_params(
        l1=config.l1 / effective_batch,
        l2=config.alpha / (n_train * weight_mean)
        if config.solver in FULL_BATCH else 0.0,
        max_grad_norm=config.max_grad_norm,
        max_epochs=1 if incremental else (
            config.max_iter if epochs is None else epochs),
        train_split=None if valid is None else predefined_split(valid))
    net.batch_plan_ = _BatchPlan(
        batch_size=batch_size, shuffle=config.shuffle, generator=generator,
        device=batch_device, dtype=_TORCH_DTYPES[np.dtype(config.dtype)],
        min_last=2 if batch_norm else 1, even=config.even_batches)
    _check_initial_loss(net, train, net.batch_plan_)
    members = None
    if valid is not None and per_member_validation(config, net.module_):
        # each member validated on its own rows, by the monitor
        members = MemberValidation(valid, net.criterion_.loss, scorer)
        net.set_params(train_split=None)
    monitor = EpochMonitor(
        config,
        scorer=None if valid is None else scorer, epoch_offset=epoch_offset,
        stop=not incremental and epochs is None, members=members)
    net.callbacks = [("monitor", monitor)]
    net.initialize_callbacks()
    net.history.clear()
    # L-BFGS converges to the optimum itself: its iterates are not averaged
    net.average_ = WeightAverage(net.module_, config.ema_decay) if (
        config.ema_decay and not incremental
        and config.solver not in FULL_BATCH) else None
    try:
        if start_as_epoch_zero and valid is not None:
            monitor.start_from_current(net, valid)
        with intra_op_threads(net.module_, batch_size, config.device):
            net.partial_fit(train)
    finally:
        monitor.close()
        # drop what only this run needs, so the net pickles small
        net.set_params(train_split=None)
        net.batch_plan_ = None
        net.average_ = None
    history = net.history
    valid_loss = list(history[:, "valid_loss"]) if valid is not None else []
    return TrainingResult(
        train_loss=list(history[:, "train_loss"]), valid_loss=valid_loss,
        validation_scores=list(monitor.validation_scores_),
        best_epoch=len(history) if monitor.best_epoch_ is None else
        monitor.best_epoch_,
        converged=monitor.converged_ or epochs is not None,
        n_train=n_train,
        out_of_evaluations=monitor.out_of_evaluations_,
        start_score=monitor.start_score_,
        member_best_epochs=None if members is None else [
            int(e) if e >= 0 else len(history)
            for e in monitor.best_epochs_],
        best_score=monitor.best_score_)


_TORCH_DTYPES = {np.dtype(np.float32): torch.float32,
                 np.dtype(np.float64): torch.float64}
