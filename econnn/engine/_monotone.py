"""Networks monotone in chosen inputs, by construction.

The constrained monotonic networks of Runje & Shankaranarayana (ICML 2023):

* the first layer's weights on an input constrained to rise are
  non-negative (``|W|``), on one constrained to fall non-positive
  (``-|W|``); other inputs' weights are free;
* every later layer's weights are non-negative;
* every activation is non-decreasing.

A composition of non-decreasing maps is non-decreasing, so the output is
non-decreasing in each rising input and non-increasing in each falling one,
for any weights: the constraint cannot be violated by training, rounding
aside.  Non-negative weights with a convex activation alone (ReLU) would
make the network convex in the inputs, and so unable to fit a concave or
S-shaped relation; the paper's remedy, used here, splits each hidden layer
into three groups of units: the convex activation ``rho``, its point
reflection ``-rho(-x)`` (concave) and a bounded mix of the two, with which
the network approximates any monotone function.  Bounded monotone
activations (tanh, logistic) are used as they are, and 'identity' gives a
linear model with sign-constrained coefficients.
"""

import torch
from torch import nn

from ._networks import ACTIVATIONS, init_linear

__all__ = ["MonotoneMLP", "MONOTONE_ACTIVATIONS", "monotone_signs"]


def _convex(name):
    return {"relu": torch.relu,
            "leaky_relu": nn.functional.leaky_relu,
            "elu": nn.functional.elu}[name]


class _ConvexConcaveMix(nn.Module):
    """Runje & Shankaranarayana's activation for a convex ``rho``.

    A third of the units use ``rho``, a third ``-rho(-x)`` and the rest
    ``rho(x + 1) - rho(1)`` below zero and ``rho(1) - rho(1 - x)`` above
    (bounded, S-shaped). All three are non-decreasing.
    """

    #: relative numbers of convex, concave and bounded units
    shares = (1, 1, 1)

    def __init__(self, name):
        super().__init__()
        self.name = name

    def forward(self, h):
        rho = _convex(self.name)
        width = h.shape[-1]
        total = sum(self.shares)
        k1 = round(width * self.shares[0] / total)
        k2 = k1 + round(width * self.shares[1] / total)
        convex, concave, mixed = h[..., :k1], h[..., k1:k2], h[..., k2:]
        one = torch.ones((), dtype=h.dtype, device=h.device)
        rho1 = rho(one)
        mixed = torch.where(mixed < 0, rho(mixed + 1) - rho1,
                            rho1 - rho(1 - mixed))
        return torch.cat([rho(convex), -rho(-concave), mixed], dim=-1)


#: Activations allowed in a monotone network: ``name -> module factory``.
#: GELU is not monotone (it dips below zero), so it is not offered.
MONOTONE_ACTIVATIONS = {
    "relu": lambda: _ConvexConcaveMix("relu"),
    "leaky_relu": lambda: _ConvexConcaveMix("leaky_relu"),
    "elu": lambda: _ConvexConcaveMix("elu"),
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
}


def _stacked_layer(n_members, fan_in, fan_out, activation):
    """Weights ``(n_members, fan_in, fan_out)`` and zero biases, each
    member initialised as a linear layer followed by ``activation``."""
    weight = torch.empty(n_members, fan_in, fan_out)
    for k in range(n_members):
        layer = nn.Linear(fan_in, fan_out)
        init_linear(layer, activation if activation in ACTIVATIONS
                    else "identity")
        weight[k] = layer.weight.detach().T
    return (nn.Parameter(weight),
            nn.Parameter(torch.zeros(n_members, 1, fan_out)))


class MonotoneMLP(nn.Module):
    """A feed-forward network (or ensemble) monotone in chosen inputs.

    Parameters
    ----------
    n_features_in, n_outputs : int
        Input and output widths.
    signs : sequence of {-1, 0, 1}
        Per input: non-increasing (-1), unconstrained (0), non-decreasing
        (+1). Every output is monotone in the same directions.
    n_members : int, default=1
        Networks in the ensemble; their outputs are averaged in evaluation
        mode (an average of monotone functions is monotone).
    hidden_layer_sizes : tuple of int, default=(64, 64)
    activation : str, default='relu'
        Key of :data:`MONOTONE_ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout after each hidden activation (a non-negative rescaling in
        training, the identity in evaluation: monotonicity is kept).
    """

    def __init__(self, n_features_in, n_outputs, signs, n_members=1,
                 hidden_layer_sizes=(64, 64), activation="relu",
                 dropout=0.0):
        super().__init__()
        self.n_members = n_members
        signs = torch.as_tensor(signs, dtype=torch.float32)
        constrained = torch.nonzero(signs != 0).ravel()
        free = torch.nonzero(signs == 0).ravel()
        self.register_buffer("constrained", constrained)
        self.register_buffer("free", free)
        widths = list(hidden_layer_sizes)
        # unconstrained inputs first pass through their own free layer (the
        # paper's type-2 architecture): with non-negative weights after
        # the first layer, a plain first layer leaves them little room
        n_embed = widths[0] if widths and len(free) else 0
        if n_embed:
            self.weights_free, self.biases_free = _stacked_layer(
                n_members, len(free), n_embed, activation)
            self.free_activation = ACTIVATIONS[activation][0]()
        n_in = len(constrained) + (n_embed if n_embed else len(free))
        stack_signs = torch.cat([signs[constrained],
                                 torch.zeros(n_in - len(constrained))])
        self.register_buffer("signs", stack_signs)
        widths = [n_in, *widths, n_outputs]
        acts = [activation] * len(hidden_layer_sizes) + ["identity"]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out, act in zip(widths, widths[1:], acts):
            weight, bias = _stacked_layer(n_members, fan_in, fan_out, act)
            self.weights.append(weight)
            self.biases.append(bias)
        self.activation = MONOTONE_ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None

    def effective_weight(self, i):
        """Layer ``i``'s weights with the sign constraints applied.

        Layers after the first use ``|W| / sqrt(fan_in)``. Non-negative
        weights add their inputs' common part coherently (``fan_in *
        E|w|`` instead of the ``sqrt(fan_in)`` of signed weights, which
        blows the output up by ~7 per layer at width 64), and the factor
        compensates. It is applied here, in the forward pass, rather than
        to the stored parameter (the "equalised learning rate" of Karras
        et al. 2018): Adam's steps have about the same size whatever a
        parameter's scale, so parameters stored ``sqrt(fan_in)`` times
        smaller than an ordinary layer's would move that much faster
        relative to their size. Stored shrunk, the network overfitted in
        its first epochs and early stopping ended many fits after 10-30
        epochs (Boston 10-fold CV R^2 0.803 that way, 0.821 this way;
        ``docs/structure.md``, section 2).
        """
        weight = self.weights[i]
        if i:
            return weight.abs() * weight.shape[1] ** -0.5
        signs = self.signs.to(weight.dtype)[None, :, None]
        return torch.where(signs != 0, signs * weight.abs(), weight)

    def forward(self, x):
        h = self.members(x)
        return h if self.training else h.mean(dim=0)

    def members(self, x):
        """Every member's output, ``(n_members, n_samples, n_outputs)``."""
        n = x.shape[0]

        def stack(z):
            return z.unsqueeze(0).expand(self.n_members, n, z.shape[1])

        h = stack(x.index_select(1, self.constrained))
        if len(self.free):
            u = stack(x.index_select(1, self.free))
            if hasattr(self, "weights_free"):
                u = self.free_activation(torch.baddbmm(
                    self.biases_free, u, self.weights_free))
            h = torch.cat([h, u], dim=2)
        last = len(self.weights) - 1
        for i, bias in enumerate(self.biases):
            h = torch.baddbmm(bias, h, self.effective_weight(i))
            if i == last:
                break
            h = self.activation(h)
            if self.dropout is not None:
                h = self.dropout(h)
        return h

    def set_output_bias(self, bias):
        with torch.no_grad():
            self.biases[-1].copy_(torch.as_tensor(bias).expand_as(
                self.biases[-1]))


def monotone_signs(monotone, n_features, feature_names=None):
    """The ``monotone`` parameter as one sign (-1, 0, 1) per input.

    Parameters
    ----------
    monotone : dict
        ``{feature: +1 or -1}``, features by name (when fitted on a
        DataFrame) or column index.
    n_features : int
    feature_names : ndarray of str or None

    Raises
    ------
    ValueError
        For unknown features, a feature given twice, or signs other than
        +1 and -1.
    """
    signs = [0] * n_features
    names = [] if feature_names is None else list(map(str, feature_names))
    for key, sign in monotone.items():
        if isinstance(key, str):
            if key not in names:
                known = ", ".join(names) if names else \
                    "X has no column names; use column indices"
                raise ValueError(
                    f"monotone names feature {key!r}, which is not among "
                    f"the input columns ({known}).")
            j = names.index(key)
        elif isinstance(key, (int,)) or hasattr(key, "__index__"):
            j = int(key)
            if not -n_features <= j < n_features:
                raise ValueError(
                    f"monotone refers to column {j}, but X has "
                    f"{n_features} column(s).")
            j %= n_features
        else:
            raise ValueError(
                "monotone keys must be feature names or column indices; "
                f"got {key!r}.")
        if isinstance(sign, bool) or sign not in (-1, 1):
            raise ValueError(
                f"monotone[{key!r}] must be +1 (increasing) or -1 "
                f"(decreasing); got {sign!r}.")
        if signs[j]:
            raise ValueError(f"monotone constrains column {j} twice.")
        signs[j] = int(sign)
    return signs
