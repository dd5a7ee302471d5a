"""Optimisers, learning-rate schedules and penalties, by name.

Registries in the style of scikit-learn's ``ACTIVATIONS``: adding a solver or
a schedule is one line.  Each entry reads a
:class:`~econnn.engine._config.TrainingConfig`, never an estimator.
"""

import math

import torch

from ._networks import penalised_names, penalised_parameters

__all__ = ["SOLVERS", "LR_SCHEDULES", "FULL_BATCH", "LBFGS_MAX_EVAL",
           "optimizer_params",
           "set_weight_decay", "penalty"]


# ---------------------------------------------------------------- optimizers
def _adam(config):
    return torch.optim.Adam, dict(lr=config.learning_rate_init,
                                  betas=(config.beta_1, config.beta_2),
                                  eps=config.epsilon, foreach=True)


def _adamw(config):
    return torch.optim.AdamW, dict(lr=config.learning_rate_init,
                                   betas=(config.beta_1, config.beta_2),
                                   eps=config.epsilon, foreach=True)


def _sgd(config):
    nesterov = bool(config.nesterovs_momentum and config.momentum > 0)
    return torch.optim.SGD, dict(lr=config.learning_rate_init,
                                 momentum=config.momentum, nesterov=nesterov,
                                 foreach=True)


#: Loss evaluations an L-BFGS iteration may use (its line search included).
LBFGS_MAX_EVAL = 25


def _lbfgs(config):
    # max_eval must be set: torch's default, max_iter * 5 // 4 = 1, leaves
    # the line search no evaluations, so a rejected first step is a zero
    # step and, with the same history, every later one too. tol is the
    # gradient tolerance, as scikit-learn's gtol: a step that starts at
    # max |gradient| <= tol does nothing (and ends training)
    return torch.optim.LBFGS, dict(lr=1.0, max_iter=1,
                                   max_eval=LBFGS_MAX_EVAL,
                                   tolerance_grad=config.tol,
                                   history_size=20,
                                   line_search_fn="strong_wolfe")


#: Optimizers by name: ``f(config) -> (optimizer class, kwargs)``.
SOLVERS = {"adam": _adam, "sgd": _sgd, "lbfgs": _lbfgs, "adamw": _adamw}

#: Solvers whose L2 penalty is decoupled weight decay.
_DECOUPLED_DECAY = {"adamw"}
#: Solvers that take one full batch per step (their L2 is in the loss).
FULL_BATCH = {"lbfgs"}


# ------------------------------------------------------------------ schedules
def _constant(epoch, config):
    return 1.0


def _invscaling(epoch, config):
    return 1.0 / (epoch + 1) ** config.power_t


def _step(epoch, config):
    return 0.1 ** sum(epoch >= f * config.max_iter for f in (0.5, 0.75))


def _cosine(epoch, config):
    return 0.5 * (1 + math.cos(math.pi * epoch / config.max_iter))


#: Learning-rate multipliers by name: ``f(epoch, config) -> factor``;
#: 'adaptive' (``None``) is stateful and handled by the epoch monitor.
LR_SCHEDULES = {"constant": _constant, "invscaling": _invscaling,
                "adaptive": None, "step": _step, "cosine": _cosine}


# ------------------------------------------------------- skorch's optimizer
def optimizer_params(config, module):
    """skorch ``NeuralNet`` arguments that build the optimizer.

    Uses skorch's own ``optimizer__*`` routing: the penalised weights (see
    :func:`~econnn.engine._networks.penalised_names`) form parameter groups
    marked ``penalised=True``, so that :func:`set_weight_decay` finds them
    by that mark rather than by the order of the groups.  Gradient solvers
    use the fused kernel when every parameter allows it (on a small network
    the per-tensor ``foreach`` path costs about a quarter more per step).
    """
    opt_cls, kwargs = SOLVERS[config.solver](config)
    params = [p for p in module.parameters() if p.requires_grad]
    if kwargs.get("foreach") and all(
            p.is_floating_point() and p.device.type in ("cpu", "cuda")
            for p in params):
        kwargs = {**kwargs, "foreach": None, "fused": True}
    out = {"optimizer": opt_cls, "lr": kwargs.pop("lr")}
    out.update({f"optimizer__{k}": v for k, v in kwargs.items()})
    groups = []
    if config.solver not in FULL_BATCH:
        # names are exact fnmatch patterns: one group per weight tensor
        groups = [(name, {"weight_decay": 0.0, "penalised": True})
                  for name in penalised_names(module)]
    if config.feature_scaling and config.solver != "lbfgs":
        # the input scales of feature_scaling, at their own rate
        factor = float(config.feature_scaling)
        groups += [(name, {"lr": out["lr"] * factor, "lr_factor": factor})
                   for name, _ in module.named_parameters()
                   if name.endswith("feature_scale")]
    if groups:
        out["optimizer__param_groups"] = groups
    return out


def set_weight_decay(optimizer, config, batch_size):
    """Set the L2 penalty of the penalised groups for this run.

    With unit weights the penalty is scikit-learn's
    ``alpha / (2 * batch_size) * ||W||^2``, which for gradient solvers is
    exactly the weight decay ``alpha / batch_size`` (``alpha`` itself for
    the decoupled AdamW).  ``batch_size`` is the effective batch (rows
    times mean sample weight), so that a weight of k counts as k rows.
    """
    if config.solver in FULL_BATCH:
        return
    decay = config.alpha if config.solver in _DECOUPLED_DECAY else \
        config.alpha / batch_size
    for group in optimizer.param_groups:
        group["weight_decay"] = decay if group.get("penalised") else 0.0


def penalty(module, l1=0.0, l2=0.0):
    """``l1 * sum|W| + l2 / 2 * ||W||^2`` over the penalised weights."""
    if not (l1 or l2):
        return 0.0
    total = 0.0
    for p in penalised_parameters(module):
        if l1:
            total = total + l1 * p.abs().sum()
        if l2:
            total = total + 0.5 * l2 * p.square().sum()
    return total
