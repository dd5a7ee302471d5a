"""Torch modules: activations, the feed-forward network and its wrapper."""

import inspect

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "MLP", "Standardized", "build_user_module"]

#: Hidden-layer activations by name: (module class, initialisation).
#: ``He`` (Kaiming) initialisation keeps the variance of ReLU-type layers
#: stable; ``Xavier`` (Glorot) suits symmetric, saturating activations.
ACTIVATIONS = {
    "relu": (nn.ReLU, "he"),
    "leaky_relu": (nn.LeakyReLU, "he"),
    "elu": (nn.ELU, "he"),
    "gelu": (nn.GELU, "he"),
    "tanh": (nn.Tanh, "xavier"),
    "logistic": (nn.Sigmoid, "xavier"),
    "identity": (nn.Identity, "xavier"),
}

_KAIMING_NONLINEARITY = {"leaky_relu": "leaky_relu"}


def init_linear(layer, activation):
    """Initialise a linear layer for the activation that follows it."""
    scheme = ACTIVATIONS[activation][1]
    if scheme == "he":
        nonlinearity = _KAIMING_NONLINEARITY.get(activation, "relu")
        nn.init.kaiming_uniform_(layer.weight, a=0.01 if nonlinearity ==
                                 "leaky_relu" else 0, nonlinearity=nonlinearity)
    else:
        gain = nn.init.calculate_gain("tanh" if activation == "tanh" else
                                      "linear")
        nn.init.xavier_uniform_(layer.weight, gain=gain)
    nn.init.zeros_(layer.bias)


class MLP(nn.Module):
    """Feed-forward network returning the linear predictor.

    ``x -> [Linear -> (BatchNorm) -> activation -> (Dropout)] * L -> Linear``.
    The last layer is the GLM on the learned features: its output goes
    through the loss's inverse link to give the prediction.

    Parameters
    ----------
    n_features_in : int
        Number of inputs.
    n_outputs : int
        Number of outputs (linear predictors).
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Widths of the hidden layers; empty for a GLM.
    activation : str, default='relu'
        Key of :data:`ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Whether to normalise each hidden layer's pre-activations.
    """

    def __init__(self, n_features_in, n_outputs, hidden_layer_sizes=(64, 64),
                 activation="relu", dropout=0.0, batch_norm=False):
        super().__init__()
        act_cls = ACTIVATIONS[activation][0]
        layers = []
        width = n_features_in
        for size in hidden_layer_sizes:
            linear = nn.Linear(width, size)
            init_linear(linear, activation)
            layers.append(linear)
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(act_cls())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, n_outputs)
        init_linear(self.output, "identity")

    def forward(self, x):
        return self.output(self.hidden(x))


class Standardized(nn.Module):
    """A network seen in the data's original units.

    Training runs on standardised inputs and targets (``body``); this wrapper
    applies the same affine maps around it, so ``module_(X_raw)`` returns
    the linear predictor in original units and autograd derivatives with
    respect to its input are marginal effects in original units.

    Parameters
    ----------
    body : torch.nn.Module
        The trained network, standardised inputs to standardised linear
        predictor.
    x_loc, x_scale : torch.Tensor of shape (n_features,)
        ``body`` sees ``(x - x_loc) / x_scale``.
    eta_loc, eta_scale : torch.Tensor of shape (n_outputs,)
        The linear predictor in original units is
        ``body(...) * eta_scale + eta_loc``.
    """

    def __init__(self, body, x_loc, x_scale, eta_loc, eta_scale):
        super().__init__()
        self.body = body
        self.register_buffer("x_loc", x_loc)
        self.register_buffer("x_scale", x_scale)
        self.register_buffer("eta_loc", eta_loc)
        self.register_buffer("eta_scale", eta_scale)

    def forward(self, x):
        return self.body((x - self.x_loc) / self.x_scale) * self.eta_scale + \
            self.eta_loc


def build_user_module(module_cls, n_features_in, n_outputs, kwargs):
    """Instantiate a user's module class, passing the sizes it accepts."""
    params = inspect.signature(module_cls).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    sizes = {"n_features_in": n_features_in, "n_outputs": n_outputs}
    for name, value in sizes.items():
        if (takes_any or name in params) and name not in kwargs:
            kwargs = {name: value, **kwargs}
    module = module_cls(**kwargs)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"module must be a torch.nn.Module subclass; {module_cls!r} "
            f"built a {type(module).__name__}."
        )
    return module


def count_parameters(module):
    """Number of trainable parameters of a module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def to_device_dtype(tensor_like, device, dtype):
    """Move a tensor-like to a device and floating dtype."""
    return torch.as_tensor(tensor_like, device=device, dtype=dtype)
