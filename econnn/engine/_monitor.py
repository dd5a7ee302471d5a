"""The once-per-epoch logic of a training run, in one skorch callback.

:class:`EpochMonitor` applies the learning-rate schedule, checks for
divergence, scores the validation rows, decides convergence and early
stopping (per ensemble member with cross-validated bagging), keeps and
restores the best weights, and drives the progress bar.  It ends a run by
raising :class:`StopTraining`; :func:`~econnn.engine._training.run_training`
catches it.
"""

import numpy as np
import torch
from skorch.callbacks import Callback

from ._members import copy_members
from ._optim import LBFGS_MAX_EVAL, LR_SCHEDULES

__all__ = ["TrainingDivergedError", "StopTraining", "EpochMonitor"]

class TrainingDivergedError(ValueError, FloatingPointError):
    """Raised when the training loss becomes NaN or infinite."""


class StopTraining(Exception):
    """Raised by :class:`EpochMonitor` to end the epoch loop (converged)."""


#: L-BFGS stops when an iteration lowers the loss by less than this share of
#: it: scipy's default ``ftol`` (``factr=1e7`` times the machine epsilon),
#: which scikit-learn's MLP uses.
_LBFGS_FTOL = 1e7 * np.finfo(float).eps



class EpochMonitor(Callback):
    """Everything econnn does once per epoch.

    * learning-rate schedule (``config.learning_rate``);
    * NaN/inf check on the losses: raises :class:`TrainingDivergedError`;
    * validation score (R^2 or accuracy) for ``validation_scores_``;
    * convergence: stop when the monitored loss (validation loss with early
      stopping, training loss otherwise) has not improved by ``tol`` for
      more than ``n_iter_no_change`` epochs ('adaptive' divides the rate by
      5 instead and stops below 1e-6), as scikit-learn; L-BFGS stops as
      scikit-learn's (scipy's): when max |gradient| <= ``tol`` or an
      iteration lowers the loss by less than ``_LBFGS_FTOL`` of itself;
    * L-BFGS's budget of ``max_fun`` loss evaluations;
    * keeping and, with early stopping, restoring the best weights;
    * with ``members`` (cross-validated bagging), all of this per ensemble
      member: each member's validation loss on its own rows, its own best
      epoch restored; training stops when no member has improved for
      ``n_iter_no_change`` epochs;
    * the tqdm progress bar when ``verbose``.

    Parameters
    ----------
    config : TrainingConfig
        The hyperparameters of the run.
    scorer : callable or None
        ``scorer(eta, y) -> float`` for the validation score, from the
        linear predictor in training units.
    epoch_offset : int, default=0
        Epochs already run (``warm_start``/``partial_fit``).
    stop : bool, default=True
        Whether convergence may stop training (False for ``partial_fit``).
    members : MemberValidation or None
        Validates each member on its own rows (instead of skorch's
        validation split).
    """

    def __init__(self, config, scorer=None, epoch_offset=0, stop=True,
                 members=None):
        self.config = config
        self.scorer = scorer
        self.epoch_offset = epoch_offset
        self.stop = stop
        self.members = members

    def initialize(self):
        k = 1 if self.members is None else self.members.n_members
        self.best_loss_ = np.full(k, np.inf)
        self.best_epochs_ = np.full(k, -1)
        self.best_state_ = None
        self.best_score_ = None
        self.start_score_ = None
        self.no_improvement_ = 0
        self.lr_factor_ = 1.0
        self.validation_scores_ = []
        self.converged_ = False
        self.out_of_evaluations_ = False
        self.pbar_ = None
        return self

    def start_from_current(self, net, dataset_valid):
        """Count the current weights as epoch 0 of early stopping.

        Their validation loss becomes the one to beat, and they are what
        ``on_train_end`` restores if no epoch beats it: a network started
        at the GLM (``linear_skip``) then ends no worse than the GLM on the
        validation data.
        """
        if self.members is not None:
            self.best_loss_, scores = self.members.evaluate(net)
            self.start_score_ = None if scores is None else \
                float(scores.mean())
        else:
            net._set_training(False)
            total, count = 0.0, 0
            with torch.no_grad():
                for batch in net.get_iterator(dataset_valid,
                                              training=False):
                    n = batch[1].shape[0]
                    total += float(net.validation_step(batch)) * n
                    count += n
            self.best_loss_ = np.array([total / count])
            self.start_score_ = self._score(net, dataset_valid)
        self.best_epochs_[:] = 0
        self.best_state_ = {k: v.detach().clone() for k, v in
                            net.module_.state_dict().items()}

    @property
    def best_epoch_(self):
        """The latest epoch whose weights (of some member) are kept."""
        epoch = int(self.best_epochs_.max())
        return None if epoch < 0 else epoch

    def _score(self, net, dataset):
        """The scorer's value for the network's (averaged) output."""
        if self.scorer is None:
            return None
        net._set_training(False)
        etas, ys = [], []
        with torch.no_grad():
            for X, y, _ in net.get_iterator(dataset, training=False):
                etas.append(net.module_(X))
                ys.append(y)
        return self.scorer(torch.cat(etas), torch.cat(ys))

    def _keep(self, net, which):
        """Keep the current weights of the members ``which`` (a mask)."""
        state = net.module_.state_dict()
        if self.best_state_ is None or which.all():
            self.best_state_ = {k: v.detach().clone() for k, v in
                                state.items()}
        else:
            copy_members(self.best_state_, state, which, len(which))

    def on_train_begin(self, net, **kwargs):
        net.fun_evals_ = 0
        self.lbfgs_iterations_ = self._lbfgs_iterations(net)
        self.previous_train_loss_ = None
        if self.config.verbose:
            from tqdm.auto import tqdm

            self.pbar_ = tqdm(total=self.config.max_iter, unit="epoch",
                              desc=self.config.name, leave=False)

    def on_epoch_begin(self, net, **kwargs):
        schedule = LR_SCHEDULES[self.config.learning_rate]
        epoch = self.epoch_offset + len(net.history) - 1
        factor = self.lr_factor_ if schedule is None else schedule(
            epoch, self.config)
        if isinstance(net.optimizer_, torch.optim.LBFGS):
            # the last iteration may use only what is left of max_fun
            left = self.config.max_fun - net.fun_evals_
            for group in net.optimizer_.param_groups:
                group["max_eval"] = max(1, min(LBFGS_MAX_EVAL, left))
                group["tolerance_grad"] = self.config.tol
        else:
            self._set_lr(net, factor)

    def _set_lr(self, net, factor):
        for group in net.optimizer_.param_groups:
            group["lr"] = self.config.learning_rate_init * factor * \
                group.get("lr_factor", 1.0)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None,
                     **kwargs):
        config, row = self.config, net.history[-1]
        epoch = len(net.history)
        validating = dataset_valid is not None or self.members is not None
        if self.members is not None:
            losses, scores = self.members.evaluate(net)
            net.history.record("valid_loss", float(losses.mean()))
            if scores is not None:
                self.validation_scores_.append(float(scores.mean()))
                net.history.record("valid_score", float(scores.mean()))
        for key in ("train_loss", "valid_loss"):
            if key in row and not np.isfinite(row[key]):
                raise TrainingDivergedError(
                    f"Training diverged: the {key.replace('_', ' ')} became "
                    f"{row[key]} at epoch {epoch}. Try a lower "
                    f"learning_rate_init (now {config.learning_rate_init:g}), "
                    "max_grad_norm, or standardize=True."
                )
        if self.members is not None:
            loss = losses
        else:
            if dataset_valid is not None and self.scorer is not None:
                score = self._score(net, dataset_valid)
                self.validation_scores_.append(score)
                net.history.record("valid_score", score)
            loss = np.array([row["valid_loss" if validating else
                                 "train_loss"]])
        better = loss < self.best_loss_
        if better.any():
            self.best_epochs_[better] = epoch
            if validating:
                self._keep(net, better)
        # improving: some member by tol (the only one, without members)
        if np.any(loss <= self.best_loss_ - config.tol):
            self.no_improvement_ = 0
        else:
            self.no_improvement_ += 1
        self.best_loss_ = np.minimum(self.best_loss_, loss)
        if self.pbar_ is not None:
            self.pbar_.update(1)
            self.pbar_.set_postfix({k: f"{row[k]:.4g}" for k in
                                    ("train_loss", "valid_loss") if k in row})
        if not self.stop:
            return
        if isinstance(net.optimizer_, torch.optim.LBFGS):
            self.converged_ = self._lbfgs_converged(net, row["train_loss"]) \
                or (validating and
                    self.no_improvement_ > config.n_iter_no_change)
            self.out_of_evaluations_ = not self.converged_ and \
                net.fun_evals_ >= config.max_fun
        elif config.learning_rate == "adaptive":
            if self.no_improvement_ >= 2:
                self.lr_factor_ /= 5
                self.no_improvement_ = 0
                self._set_lr(net, self.lr_factor_)
            if config.learning_rate_init * self.lr_factor_ < 1e-6:
                self.converged_ = True
        elif self.no_improvement_ > config.n_iter_no_change:
            self.converged_ = True
        if self.converged_ or self.out_of_evaluations_:
            raise StopTraining

    @staticmethod
    def _lbfgs_iterations(net):
        """Iterations torch's L-BFGS has taken (it skips converged steps)."""
        opt = net.optimizer_
        if not isinstance(opt, torch.optim.LBFGS):
            return 0
        return opt.state[opt.param_groups[0]["params"][0]].get("n_iter", 0)

    def _lbfgs_converged(self, net, loss):
        iterations = self._lbfgs_iterations(net)
        # no iteration: the step began at max |gradient| <= tol
        stalled = iterations == self.lbfgs_iterations_
        self.lbfgs_iterations_ = iterations
        previous, self.previous_train_loss_ = self.previous_train_loss_, loss
        if previous is None:
            return stalled
        return stalled or previous - loss <= _LBFGS_FTOL * max(
            abs(previous), abs(loss), 1.0)

    def on_train_end(self, net, **kwargs):
        self.close()
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
            if self.members is not None:
                # members kept at different epochs: score them as kept
                _, scores = self.members.evaluate(net)
                self.best_score_ = None if scores is None else \
                    float(scores.mean())

    def close(self):
        """Close the progress bar (also after an interrupted run)."""
        if self.pbar_ is not None:
            self.pbar_.close()
            self.pbar_ = None
