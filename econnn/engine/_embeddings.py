"""Numerical embeddings of the inputs the hidden layers see.

Gorishniy, Rubachev and Babenko (2022), "On embeddings for numerical
features in tabular deep learning": an MLP fed each scalar input expanded
into a vector of periodic features fits functions with sharp or repeated
changes along one input that a plain MLP, whose first layer only sees
``w x + b``, needs many units and epochs to approximate. Their PLR
embedding (periodic, linear, ReLU) maps input ``j`` to

``relu(V_j [cos(2 pi c_j x_j), sin(2 pi c_j x_j)] + b_j)``

with ``k`` trainable frequencies ``c_j`` drawn from ``N(0, sigma^2)`` and
a per-feature linear map ``V_j`` (``2k -> d``); the ``p`` embeddings are
concatenated, ``p * d`` values per row. RealMLP (Holzmueller et al. 2024)
uses a variant, PBLD (periodic with a phase, linear, DenseNet-style):
``[x_j, V_j cos(2 pi (c_j x_j + a_j)) + b_j]``, no ReLU, the input itself
kept as the first of its ``d`` values.

The modules here keep a leading member axis, so that
:class:`~econnn.engine._networks.EnsembleMLP` gives each member its own
frequencies and maps and evaluates them in one batched product; the
single :class:`~econnn.engine._networks.MLP` uses one member.
"""

import math

import torch
from torch import nn

__all__ = ["EMBEDDINGS", "PeriodicEmbedding", "PBLDEmbedding",
           "build_embedding"]


class PeriodicEmbedding(nn.Module):
    """PLR embeddings of every input, for ``n_members`` networks at once.

    Parameters
    ----------
    n_features : int
        Number of inputs ``p``.
    n_members : int
        Number of independent embeddings (ensemble members).
    size : int, default=8
        Frequencies per input ``k`` and output width per input ``d``.
    scale : float, default=0.1
        Standard deviation ``sigma`` of the initial frequencies, in cycles
        per unit of the (standardised) input.

    Notes
    -----
    ``forward`` maps ``(n, p)`` to ``(n_members, n, p * size)``.
    The frequencies are named ``frequencies`` (not ``weight``) so that the
    L2 penalty leaves them alone (see
    :func:`~econnn.engine._networks.penalised_names`): shrinking them
    toward zero would make every embedding constant.
    """

    #: Its key in :data:`EMBEDDINGS`.
    name = "periodic"

    def __init__(self, n_features, n_members, size=8, scale=0.1):
        super().__init__()
        self.size = size
        self.frequencies = nn.Parameter(
            torch.randn(n_members, n_features, size) * scale)
        n_in, n_out = self._map_widths()
        # per-feature linear maps, initialised as torch's nn.Linear
        bound = 1 / math.sqrt(n_in)
        self.weight = nn.Parameter(torch.empty(
            n_members, n_features, n_in, n_out).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(
            n_members, 1, n_features, n_out).uniform_(-bound, bound))

    def _map_widths(self):
        """Input and output widths of the per-feature linear map."""
        return 2 * self.size, self.size

    @property
    def n_features_out(self):
        """Width of the embedded row, ``p * size``."""
        return self.frequencies.shape[1] * self.size

    def _periodic(self, x):
        # (n, p) -> angles (M, n, p, k) -> features (M, n, p, 2k)
        angle = (2 * math.pi) * x.unsqueeze(-1) * self.frequencies[:, None]
        return torch.cat([torch.cos(angle), torch.sin(angle)], dim=-1)

    def _linear(self, periodic):
        # each feature its own map: (M, n, p, i) x (M, p, i, o)
        return torch.einsum("mnpi,mpio->mnpo", periodic,
                            self.weight) + self.bias

    def forward(self, x):
        return torch.relu(self._linear(self._periodic(x))).flatten(
            start_dim=2)


class PBLDEmbedding(PeriodicEmbedding):
    """RealMLP's PBLD embeddings: ``[x_j, V_j cos(2 pi (c_j x_j + a_j)) +
    b_j]``.

    Parameters as :class:`PeriodicEmbedding`; ``size`` (at least 2) is
    still the output width per input, of which the first value is the
    input itself. The phases ``a_j`` start uniform on ``[-1, 1]``
    (RealMLP's), are named ``phases`` and are not penalised.
    """

    name = "pbld"

    def __init__(self, n_features, n_members, size=8, scale=0.1):
        if size < 2:
            raise ValueError(
                "numerical_embedding='pbld' keeps the input as the first of "
                f"its embedding_size values and needs at least 2; got {size}.")
        super().__init__(n_features, n_members, size, scale)
        self.phases = nn.Parameter(
            torch.empty_like(self.frequencies).uniform_(-1, 1))

    def _map_widths(self):
        return self.size, self.size - 1

    def _periodic(self, x):
        turns = x.unsqueeze(-1) * self.frequencies[:, None] + \
            self.phases[:, None]
        return torch.cos((2 * math.pi) * turns)

    def forward(self, x):
        out = self._linear(self._periodic(x))
        raw = x.unsqueeze(-1).expand(out.shape[0], *x.shape, 1)
        return torch.cat([raw, out], dim=-1).flatten(start_dim=2)


#: Embedding name -> module class taking ``(n_features, n_members,
#: size, scale)``; each class carries its key as ``name``.
EMBEDDINGS = {cls.name: cls for cls in (PeriodicEmbedding, PBLDEmbedding)}


def build_embedding(name, n_features, n_members, size, scale):
    """The embedding registered as ``name``, or None for ``name=None``."""
    if name is None:
        return None
    return EMBEDDINGS[name](n_features, n_members, size=size, scale=scale)
