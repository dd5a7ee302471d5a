"""The training configuration: everything the engine reads, in one object.

An estimator builds one frozen :class:`TrainingConfig` per fit from its
hyperparameters and hands it to the engine with the data.  The engine never
reads an estimator, so renaming a hyperparameter touches one place
(``_BaseNN._training_config``), and the engine can be driven without an
estimator at all (tests, benchmarks).
"""

from dataclasses import dataclass, fields
from typing import Optional, Union

import numpy as np
import torch

__all__ = ["TrainingConfig"]


@dataclass(frozen=True)
class TrainingConfig:
    """Plain values that govern one training run.

    The field names are scikit-learn's ``MLPRegressor`` hyperparameters where
    one exists; see the estimators' docstrings for their meaning.

    Attributes
    ----------
    solver : str
        Key of :data:`econnn.engine._training.SOLVERS`.
    learning_rate : str
        Key of :data:`econnn.engine._training.LR_SCHEDULES`.
    validation_split : str
        'cv' validates each ensemble member on its own rows
        (:mod:`econnn.engine._members`); the others are one split shared
        by all members, made by the estimator.
    refit : bool
        With early stopping, whether the network is trained again from its
        starting weights on all the rows for the chosen number of epochs
        (:func:`econnn.engine._training.run_training`'s ``full``).
    min_batches : int
        With ``batch_size='auto'``, the least number of batches an epoch is
        cut into, while they keep :data:`~econnn.engine._training.
        MIN_AUTO_BATCH` rows (:func:`~econnn.engine._training.
        resolve_batch_size`); 1 is scikit-learn's ``min(200, n)``.
    feature_scaling : float or None
        Learning rate of the input scales of ``feature_scaling``
        (parameters named ``*feature_scale``) relative to the network's;
        None when the network has none.
    ema_decay : float
        Decay per epoch of the moving average of the weights that
        validation and prediction use (:class:`econnn.engine._averaging.
        WeightAverage`); 0 trains without it.
    device : torch.device
        Where the network trains.
    dtype : numpy.dtype
        The network's precision.
    name : str
        Label of the progress bar (the estimator's class name).
    """

    solver: str = "adam"
    learning_rate_init: float = 1e-3
    learning_rate: str = "constant"
    power_t: float = 0.5
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 1e-4
    l1: float = 0.0
    max_iter: int = 200
    max_fun: int = 15000
    tol: float = 1e-4
    n_iter_no_change: float = 10
    batch_size: Union[int, str] = "auto"
    even_batches: bool = False
    min_batches: int = 1
    shuffle: bool = True
    early_stopping: bool = False
    validation_fraction: float = 0.1
    validation_split: str = "random"
    refit: bool = False
    ema_decay: float = 0.0
    feature_scaling: Optional[float] = None
    max_grad_norm: Optional[float] = None
    verbose: Union[bool, int] = False
    device: torch.device = torch.device("cpu")
    dtype: np.dtype = np.dtype(np.float32)
    name: str = "model"

    @classmethod
    def from_params(cls, params, **overrides):
        """The configuration from a dict of hyperparameters.

        Keys that are not fields are ignored (an estimator's parameters
        include architecture and data settings the engine does not need);
        fields that are absent keep their defaults.
        """
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in params.items() if k in names}
        values.update(overrides)
        return cls(**values)
