"""Torch modules: activations, the feed-forward network and its wrapper."""

import inspect

import torch
from torch import nn

from ._embeddings import build_embedding

__all__ = ["ACTIVATIONS", "MLP", "EnsembleMLP", "Standardized",
           "build_user_module"]

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


def smooth_clip(x, loc, scale):
    """Robust scaling and smooth clipping of inputs (RealMLP's).

    ``z / sqrt(1 + (z / 3)^2)`` with ``z = (x - loc) / scale``: the
    identity near the centre, bounded by +-3 for outliers, smooth
    throughout (so marginal effects exist everywhere).
    """
    z = (x - loc) / scale
    return z * torch.rsqrt(1 + (z / 3) ** 2)


def _add_input_clip(module, n_features_in, on):
    """Buffers of :func:`smooth_clip` (None when ``on`` is False)."""
    if on:
        module.register_buffer("clip_loc", torch.zeros(n_features_in))
        module.register_buffer("clip_scale", torch.ones(n_features_in))
    else:
        module.clip_loc = module.clip_scale = None


def _set_input_clip(module, loc, scale):
    with torch.no_grad():
        module.clip_loc.copy_(torch.as_tensor(loc))
        module.clip_scale.copy_(torch.as_tensor(scale))


def _nonlinear_input(module, x):
    """What the hidden layers see: ``x``, or its :func:`smooth_clip`."""
    if module.clip_loc is None:
        return x
    return smooth_clip(x, module.clip_loc, module.clip_scale)


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
    linear_skip : bool, default=False
        Whether to add a linear map of the input to the output
        (``skip_weight``, no bias): the network is then a GLM plus a
        learned nonlinear part, so it nests OLS, logit and Poisson
        regression. The nonlinear part's output layer starts at zero, so
        training starts from the linear model (see :meth:`set_linear`).
    smooth_clip : bool, default=False
        Whether the hidden layers see the inputs robustly scaled and
        smoothly clipped (:func:`smooth_clip`, with the location and scale
        set by :meth:`set_input_clip`); the linear skip sees them as given.
    numerical_embedding : {None, 'periodic', 'pbld'}, default=None
        Key of :data:`~econnn.engine._embeddings.EMBEDDINGS`: the hidden
        layers see each input (after any clipping) embedded as
        ``embedding_size`` values (``embedding``); the linear skip sees
        the inputs as given.
    embedding_size : int, default=8
        Frequencies and output width per input of the embedding.
    embedding_scale : float, default=0.1
        Standard deviation of the embedding's initial frequencies.
    feature_scaling : bool, default=False
        Whether the hidden layers see each input multiplied by a trainable
        factor of its own (``feature_scale``, started at 1, after any
        clipping; RealMLP's scaling layer); the linear skip sees the
        inputs as given.
    """

    def __init__(self, n_features_in, n_outputs, hidden_layer_sizes=(64, 64),
                 activation="relu", dropout=0.0, batch_norm=False,
                 linear_skip=False, smooth_clip=False,
                 numerical_embedding=None, embedding_size=8,
                 embedding_scale=0.1, feature_scaling=False):
        super().__init__()
        _add_input_clip(self, n_features_in, smooth_clip)
        self.feature_scale = nn.Parameter(torch.ones(n_features_in)) \
            if feature_scaling else None
        self.embedding = build_embedding(numerical_embedding, n_features_in,
                                         1, embedding_size, embedding_scale)
        act_cls = ACTIVATIONS[activation][0]
        layers = []
        width = n_features_in if self.embedding is None else \
            self.embedding.n_features_out
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
        self.skip_weight = None
        if linear_skip:
            nn.init.zeros_(self.output.weight)
            self.skip_weight = nn.Parameter(torch.zeros(n_outputs,
                                                        n_features_in))

    def forward(self, x):
        h = _nonlinear_input(self, x)
        if self.feature_scale is not None:
            h = h * self.feature_scale
        if self.embedding is not None:
            h = self.embedding(h)[0]
        out = self.output(self.hidden(h))
        if self.skip_weight is not None:
            out = torch.addmm(out, x, self.skip_weight.t())
        return out

    def set_input_clip(self, loc, scale):
        """Location and scale of :func:`smooth_clip`, (n_features,) each."""
        _set_input_clip(self, loc, scale)

    def set_linear(self, coef):
        """Set the linear skip to ``coef``, shape (n_outputs, n_features)."""
        with torch.no_grad():
            self.skip_weight.copy_(torch.as_tensor(coef))

    def set_output_bias(self, bias):
        with torch.no_grad():
            self.output.bias.copy_(torch.as_tensor(bias).expand_as(
                self.output.bias))

    def set_output_layer(self, coef, intercept):
        """Set the output layer of a network without hidden layers (a
        GLM) to ``coef`` (n_outputs, n_features) and ``intercept``."""
        with torch.no_grad():
            self.output.weight.copy_(torch.as_tensor(coef))
        self.set_output_bias(torch.as_tensor(intercept))


class EnsembleMLP(nn.Module):
    """``n_members`` independent MLPs, evaluated together.

    A deep ensemble: members share the architecture but start from their own
    random initialisation and each is trained on its own loss; the
    prediction averages their linear predictors. Averaging removes most of
    the dependence of a single network on its random initialisation (on
    the Boston data, the seed-to-seed spread of CV R^2). The weights of all
    members are stacked so that each layer is one batched matrix product
    (``baddbmm``): per step, the ensemble launches as many kernels as a
    single network.

    In training mode ``forward`` returns the members' outputs, shape
    ``(n_members, n_samples, n_outputs)`` (the criterion averages their
    losses); in evaluation mode their mean, ``(n_samples, n_outputs)``.

    Parameters
    ----------
    n_features_in, n_outputs : int
        Input and output widths.
    n_members : int
        Number of networks.
    hidden_layer_sizes, activation, dropout, batch_norm, linear_skip, \
smooth_clip, numerical_embedding, embedding_size, embedding_scale, \
feature_scaling
        As for :class:`MLP`, per member (each member has its own skip,
        ``skip_weight`` of shape ``(n_members, n_features, n_outputs)``,
        its own input scale, ``feature_scale`` of shape ``(n_members, 1,
        n_features)``, and its own embedding's frequencies and maps,
        stacked along their first axis; the input clipping is shared). An
        embedding sees the inputs unscaled: ``feature_scaling`` and
        ``numerical_embedding`` do not combine in an ensemble.
    """

    def __init__(self, n_features_in, n_outputs, n_members,
                 hidden_layer_sizes=(64, 64), activation="relu", dropout=0.0,
                 batch_norm=False, linear_skip=False, smooth_clip=False,
                 numerical_embedding=None, embedding_size=8,
                 embedding_scale=0.1, feature_scaling=False):
        super().__init__()
        if feature_scaling and numerical_embedding is not None:
            raise ValueError(
                "feature_scaling and numerical_embedding do not combine in "
                "an ensemble of networks; use one of them, or n_ensemble=1.")
        _add_input_clip(self, n_features_in, smooth_clip)
        self.feature_scale = nn.Parameter(
            torch.ones(n_members, 1, n_features_in)) if feature_scaling \
            else None
        self.n_members = n_members
        self.embedding = build_embedding(numerical_embedding, n_features_in,
                                         n_members, embedding_size,
                                         embedding_scale)
        width_in = n_features_in if self.embedding is None else \
            self.embedding.n_features_out
        widths = [width_in, *hidden_layer_sizes, n_outputs]
        acts = [activation] * len(hidden_layer_sizes) + ["identity"]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out, act in zip(widths, widths[1:], acts):
            weight = torch.empty(n_members, fan_in, fan_out)
            for k in range(n_members):
                layer = nn.Linear(fan_in, fan_out)
                init_linear(layer, act)
                weight[k] = layer.weight.detach().T
            self.weights.append(nn.Parameter(weight))
            self.biases.append(nn.Parameter(torch.zeros(n_members, 1,
                                                        fan_out)))
        # one BatchNorm1d over all members' units normalises each unit of
        # each member with its own statistics
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(n_members * size) for size in hidden_layer_sizes
        ) if batch_norm else None
        self.activation = ACTIVATIONS[activation][0]()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.skip_weight = None
        if linear_skip:
            with torch.no_grad():
                self.weights[-1].zero_()
            self.skip_weight = nn.Parameter(torch.zeros(
                n_members, n_features_in, n_outputs))

    def forward(self, x):
        h = self.members(x)
        return h if self.training else h.mean(dim=0)

    def members(self, x):
        """Every member's output, ``(n_members, n_samples, n_outputs)``."""
        n = x.shape[0]
        h = _nonlinear_input(self, x)
        if self.feature_scale is not None:
            h = h * self.feature_scale        # (n_members, n, n_features)
        elif self.embedding is None:
            h = h.unsqueeze(0).expand(self.n_members, n, x.shape[1])
        else:
            h = self.embedding(h)
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, weight)
            if i == last:
                if self.skip_weight is not None:
                    h = h + torch.matmul(x, self.skip_weight)
                break
            if self.norms is not None:
                width = h.shape[2]
                h = self.norms[i](h.transpose(0, 1).reshape(n, -1)).reshape(
                    n, self.n_members, width).transpose(0, 1)
            h = self.activation(h)
            if self.dropout is not None:
                h = self.dropout(h)
        return h

    def set_input_clip(self, loc, scale):
        """Location and scale of :func:`smooth_clip`, (n_features,) each."""
        _set_input_clip(self, loc, scale)

    def set_linear(self, coef):
        """Set every member's linear skip to ``coef``, (n_outputs, n_features)."""
        with torch.no_grad():
            self.skip_weight.copy_(torch.as_tensor(coef).t().expand_as(
                self.skip_weight))

    def set_output_bias(self, bias):
        with torch.no_grad():
            self.biases[-1].copy_(torch.as_tensor(bias).expand_as(
                self.biases[-1]))

    def set_output_layer(self, coef, intercept):
        """Set every member's output layer, without hidden layers (a GLM),
        to ``coef`` (n_outputs, n_features) and ``intercept``."""
        with torch.no_grad():
            self.weights[-1].copy_(torch.as_tensor(coef).t().expand_as(
                self.weights[-1]))
        self.set_output_bias(torch.as_tensor(intercept))


class Standardized(nn.Module):
    """A network seen in the data's original units.

    Training runs on standardised inputs and targets (``body``); this wrapper
    applies the same affine maps around it, so ``module_(X_raw)`` returns
    the linear predictor in original units and autograd derivatives with
    respect to its input are marginal effects in original units.

    The maps are computed in the precision of the buffers (float64 by
    default) and only the standardised values are cast to the body's
    precision: a column far from zero (a date in seconds, income in cents)
    keeps its precision when the network runs in float32.

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

    def body_dtype(self):
        """The precision the body computes in."""
        for tensor in self.body.parameters():
            return tensor.dtype
        return self.x_loc.dtype

    def to_body(self, x):
        """Standardised ``x`` in the body's precision.

        Raises ``ValueError`` if a value cannot be held in that precision.
        """
        z = ((x.to(self.x_loc.dtype) - self.x_loc) / self.x_scale).to(
            self.body_dtype())
        if not bool(torch.isfinite(z).all()):
            raise ValueError(
                f"X has values that {z.dtype} cannot hold after "
                "standardisation; the network runs in that precision. "
                "Rescale X, or fit with precision='float64'.")
        return z

    def from_body(self, out):
        """The body's output mapped back to original units."""
        return out.to(self.eta_loc.dtype) * self.eta_scale + self.eta_loc

    def forward(self, x):
        return self.from_body(self.body(self.to_body(x)))


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


def penalised_names(module):
    """Names of the trainable weights that L1/L2 penalties apply to.

    Weights are the parameters of two or more dimensions (linear, recurrent
    and convolution kernels), except biases: :class:`EnsembleMLP` stacks
    its members' biases as ``(n_members, 1, width)`` tensors, named
    ``biases.<layer>``.  Biases and normalisation scales are not penalised,
    as in scikit-learn; nor is the linear skip (``skip_weight``), which
    starts at the fitted GLM and should stay free to match it; nor are the
    frequencies and phases of a numerical embedding (shrinking the
    frequencies to zero would make the embedding constant), nor the input
    scales of ``feature_scaling``.
    """
    out = []
    for name, p in module.named_parameters():
        leaf = next(part for part in reversed(name.split("."))
                    if not part.isdigit())
        if p.requires_grad and p.dim() >= 2 and not leaf.startswith(
                ("bias", "skip", "frequencies", "phases", "feature_scale")):
            out.append(name)
    return out


def linear_part_names(module):
    """Names of the parameters of the GLM inside a network with a linear
    skip: the skip, the output layer's bias and a likelihood's constants
    (``extra``). While the hidden part's output layer is zero they are the
    whole model."""
    names = [name for name, _ in module.named_parameters()]
    last = max((int(n.split(".")[-1]) for n in names
                if n.split(".")[-2:-1] == ["biases"]), default=None)
    return [n for n in names if n.endswith(("skip_weight", "output.bias"))
            or n.split(".")[0] == "extra"
            or (last is not None and n.endswith(f"biases.{last}"))]


def penalised_parameters(module):
    """The parameters named by :func:`penalised_names`."""
    named = dict(module.named_parameters())
    return [named[name] for name in penalised_names(module)]


def count_parameters(module):
    """Number of trainable parameters of a module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def to_device_dtype(tensor_like, device, dtype):
    """Move a tensor-like to a device and floating dtype."""
    return torch.as_tensor(tensor_like, device=device, dtype=dtype)


def draws_random_numbers(module):
    """Whether training ``module`` draws from torch's global generator.

    True for dropout, recurrent dropout and input noise, and for any module
    not defined by torch or econnn (a user's module may do anything).
    """
    for m in module.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0:
            return True
        if isinstance(m, nn.RNNBase) and m.dropout > 0:
            return True
        if getattr(m, "noise", 0) > 0:
            return True
        if not type(m).__module__.startswith(("torch.", "econnn.")):
            return True
    return False
