"""Weight averaging over epochs (``ema_decay``).

The network that validation, early stopping and prediction see is an
exponential moving average of the weights the optimizer trains; the
training loop (:meth:`econnn.engine._training.Net.run_single_epoch`) puts
the trained weights back before each training epoch and the average after
it.
"""

import torch

__all__ = ["WeightAverage"]


class WeightAverage:
    """An exponential moving average of the weights over epochs.

    After each training epoch the average moves towards the trained
    weights, ``avg <- decay * avg + (1 - decay) * w``, and the module then
    holds the average (what validation, early stopping and prediction
    see) until the next training epoch puts the trained weights back.
    The average starts at the starting weights.

    Parameters
    ----------
    module : torch.nn.Module
        The network; its parameters are averaged in place.
    decay : float
        Weight of the old average at each update, in [0, 1).
    """

    def __init__(self, module, decay):
        self.decay = decay
        self.params = list(module.parameters())
        self.average = [p.detach().clone() for p in self.params]
        self.trained = None

    def train_weights(self):
        """Put the trained (not averaged) weights back, to train on."""
        if self.trained is not None:
            with torch.no_grad():
                torch._foreach_copy_(self.params, self.trained)

    def update(self):
        """Average in the weights of the epoch just trained; the module
        then holds the average."""
        with torch.no_grad():
            self.trained = [p.detach().clone() for p in self.params]
            torch._foreach_lerp_(self.average, self.trained,
                                 1.0 - self.decay)
            torch._foreach_copy_(self.params, self.average)
