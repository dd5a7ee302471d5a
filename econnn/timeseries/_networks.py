"""Torch modules for sequences: recurrent and attention networks.

Every network maps a batch of windows ``(batch, time, features)`` to the
linear predictor ``(batch, horizon)``.  The recurrent ones are nonlinear
state-space models: the hidden state ``h_t = g(b + W h_{t-1} + U x_t)`` is
updated along the window and the forecast is read off the last state through
a linear output layer, ``y = c + V h_T``.
"""

import math
from functools import partial

import torch
from torch import nn

__all__ = ["RECURRENT_CELLS", "SEQUENCE_MODULES", "RecurrentNet",
           "TransformerNet", "Anchored", "ARNested", "relative_to_last"]

#: Recurrent layers by name; each takes ``(input_size, hidden_size,
#: num_layers, batch_first=True, dropout=...)``.
RECURRENT_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class _SequenceHead(nn.Module):
    """Output layer shared by the sequence networks.

    ``eta = output(dropout(summary)) [+ skip(window)]``: the linear ``skip``
    from the whole window to the outputs is an autoregressive (VAR) term, so
    the network nests the linear model and the hidden units learn the
    nonlinear remainder (the "highway" of LSTNet).
    """

    def _init_head(self, hidden_size, n_outputs, n_inputs, dropout,
                   linear_skip):
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output = nn.Linear(hidden_size, n_outputs)
        self.skip = nn.Linear(n_inputs, n_outputs, bias=False) \
            if linear_skip else None
        if self.skip is not None:
            # start from the pure nonlinear model; the AR part is learned
            nn.init.zeros_(self.skip.weight)

    def _head(self, summary, x):
        eta = self.output(self.dropout(summary))
        if self.skip is not None:
            eta = eta + self.skip(x.flatten(1))
        return eta


class RecurrentNet(_SequenceHead):
    """A recurrent network (Elman RNN, LSTM or GRU) with a linear output.

    Parameters
    ----------
    n_features_in : int
        Number of variables per time step.
    n_outputs : int
        Number of outputs (forecast horizons).
    n_timesteps : int
        Window length (needed by the linear skip term).
    cell : {'rnn', 'lstm', 'gru'}, default='gru'
        Key of :data:`RECURRENT_CELLS`.
    hidden_size : int, default=64
        Size of the hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    linear_skip : bool, default=True
        Whether to add a linear map from the window to the outputs.
    """

    def __init__(self, n_features_in, n_outputs, n_timesteps, cell="gru",
                 hidden_size=64, num_layers=1, dropout=0.0, linear_skip=True):
        super().__init__()
        # torch applies recurrent dropout only between layers (and warns
        # when there is a single one)
        self.rnn = RECURRENT_CELLS[cell](
            n_features_in, hidden_size, num_layers, batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0)
        self._init_head(hidden_size, n_outputs, n_timesteps * n_features_in,
                        dropout, linear_skip)

    def forward(self, x):
        states, _ = self.rnn(x)
        return self._head(states[:, -1], x)


def positional_encoding(n_timesteps, d_model):
    """Sinusoidal positional encoding of Vaswani et al. (2017)."""
    position = torch.arange(n_timesteps, dtype=torch.float64)[:, None]
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) *
                     (-math.log(10000.0) / d_model))
    enc = torch.zeros(n_timesteps, d_model, dtype=torch.float64)
    enc[:, 0::2] = torch.sin(position * freq)
    enc[:, 1::2] = torch.cos(position * freq)[:, :d_model // 2]
    return enc


class TransformerNet(_SequenceHead):
    """A transformer encoder over the window, read off at the last step.

    Each time step is embedded linearly, a sinusoidal positional encoding
    marks its place in the window, and ``num_layers`` self-attention layers
    let every step attend to every other; the output layer reads the
    representation of the most recent step.

    Parameters
    ----------
    n_features_in, n_outputs, n_timesteps : int
        As for :class:`RecurrentNet`.
    hidden_size : int, default=64
        Model width; the number of attention heads is the largest of 4, 2
        and 1 that divides it.
    num_layers : int, default=1
        Number of encoder layers.
    dropout : float, default=0.0
        Dropout inside the encoder layers and before the output layer.
    linear_skip : bool, default=True
        Whether to add a linear map from the window to the outputs.
    """

    def __init__(self, n_features_in, n_outputs, n_timesteps, hidden_size=64,
                 num_layers=1, dropout=0.0, linear_skip=True):
        super().__init__()
        n_heads = next(h for h in (4, 2, 1) if hidden_size % h == 0)
        self.embed = nn.Linear(n_features_in, hidden_size)
        self.register_buffer("position",
                             positional_encoding(n_timesteps, hidden_size)
                             .to(torch.get_default_dtype()))
        layer = nn.TransformerEncoderLayer(
            hidden_size, n_heads, dim_feedforward=2 * hidden_size,
            dropout=dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers,
                                             enable_nested_tensor=False)
        self._init_head(hidden_size, n_outputs, n_timesteps * n_features_in,
                        dropout, linear_skip)

    def forward(self, x):
        states = self.encoder(self.embed(x) + self.position)
        return self._head(states[:, -1], x)


#: Sequence networks by the ``cell`` name of :class:`SequenceForecaster`.
SEQUENCE_MODULES = {
    **{name: partial(RecurrentNet, cell=name) for name in RECURRENT_CELLS},
    "transformer": TransformerNet,
}


def relative_to_last(x):
    """Windows as changes from their last value, per variable.

    Works on numpy arrays and tensors of shape ``(n, time, features)``.
    """
    return x - x[:, -1:, :]


class _Wrapped(nn.Module):
    """A module around the standardised network ``inner``.

    The base estimator reads the device (``x_loc``) and the trained body
    through these properties, as on the network itself.
    """

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    @property
    def x_loc(self):
        return self.inner.x_loc

    @property
    def body(self):
        return self.inner.body


class Anchored(_Wrapped):
    """A network on changes, integrated back to levels.

    ``forward(x) = inner(x - x_T) + x_T[0]``: the inner network sees each
    window relative to its last value and predicts the change of the target
    (variable 0) from its last observed value, so forecasts of a trending
    series move with the level instead of reverting to the training range.

    Parameters
    ----------
    inner : torch.nn.Module
        Maps relative windows to the predicted changes (the
        :class:`~econnn.engine._networks.Standardized` network).
    """

    def forward(self, x):
        return self.inner(relative_to_last(x)) + x[:, -1, :1]


class ARNested(_Wrapped):
    """An autoregression plus a network trained on what it leaves.

    ``forward(x) = c + A z(x) + gate * inner(x)``, where ``z(x)`` stacks the
    last ``order`` rows of the window (most recent first) and ``c, A`` are
    the least-squares AR coefficients. The network was trained on the AR's
    residuals; ``gate`` in [0, 1] is how much of it the held-out windows
    support (0: the forecaster is exactly the AR).

    Parameters
    ----------
    inner : torch.nn.Module
        The network (a :class:`~econnn.engine._networks.Standardized`).
    intercept : array-like of shape (n_outputs,)
    coef : array-like of shape (order * n_variables, n_outputs)
    order : int
    gate : float, default=1.0
    """

    def __init__(self, inner, intercept, coef, order, gate=1.0):
        super().__init__(inner)
        dtype = inner.x_loc.dtype
        device = inner.x_loc.device
        self.order = int(order)
        self.register_buffer("intercept", torch.as_tensor(
            intercept, dtype=dtype, device=device))
        self.register_buffer("coef", torch.as_tensor(
            coef, dtype=dtype, device=device).reshape(-1, len(intercept)))
        self.register_buffer("gate", torch.tensor(float(gate), dtype=dtype,
                                                  device=device))

    def linear(self, x):
        """The AR part alone."""
        z = x.flip(1)[:, :self.order].reshape(x.shape[0], -1)
        return self.intercept + z @ self.coef

    def forward(self, x):
        out = self.linear(x)
        if float(self.gate) == 0.0:
            return out
        return out + self.gate * self.inner(x)
