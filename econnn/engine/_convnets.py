"""Convolutional networks for grids: images, rasters, maps.

A convolution applies one small kernel at every position of the grid, so a
pattern (an edge, a lit town centre) is detected wherever it appears with
the same few weights; pooling then summarises each neighbourhood, making
the features coarser and less sensitive to small shifts.  LeNet-5 (LeCun et
al. 1998) alternates the two and ends with dense layers: it is the default
here.
"""

import math

import torch
from torch import nn

from ._networks import ACTIVATIONS, MLP, init_linear

__all__ = ["POOLING", "ConvNet"]

#: Pooling layers by name: 2 x 2 windows (1 along a dimension of size 1).
POOLING = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


class ConvNet(nn.Module):
    """Convolution and pooling blocks, then a feed-forward head.

    ``x -> [Conv2d -> activation -> pool] * L -> flatten -> MLP``. Inputs
    are flat rows (standardised pixel by pixel, like any other feature) that
    the network reshapes to ``input_shape``; convolutions are zero-padded
    to keep the grid's size, and each pooling halves it (rounding up).

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, height, width)`` of one grid.
    n_outputs : int
        Number of outputs (linear predictors).
    conv_channels : tuple of int, default=(6, 16)
        Output channels of each convolution block.
    kernel_size : int, default=5
        Side of the square convolution kernels.
    pooling : {'max', 'avg'}, default='max'
        Pooling after each convolution.
    hidden_layer_sizes : tuple of int, default=(120, 84)
        Dense layers after the convolution blocks.
    activation : str, default='relu'
        Key of :data:`~econnn.engine._networks.ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability after each dense hidden layer.
    """

    def __init__(self, input_shape, n_outputs, conv_channels=(6, 16),
                 kernel_size=5, pooling="max", hidden_layer_sizes=(120, 84),
                 activation="relu", dropout=0.0):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        channels, height, width = self.input_shape
        layers = []
        for out in conv_channels:
            conv = nn.Conv2d(channels, out, kernel_size, padding="same")
            init_linear(conv, activation)
            window = (min(2, height), min(2, width))
            layers += [conv, ACTIVATIONS[activation][0](),
                       POOLING[pooling](window, ceil_mode=True)]
            channels = out
            height, width = math.ceil(height / window[0]), \
                math.ceil(width / window[1])
        self.features = nn.Sequential(*layers)
        self.head = MLP(channels * height * width, n_outputs,
                        hidden_layer_sizes=hidden_layer_sizes,
                        activation=activation, dropout=dropout)

    def forward(self, x):
        grids = x.reshape(x.shape[0], *self.input_shape)
        return self.head(torch.flatten(self.features(grids), 1))

    def set_output_bias(self, bias):
        self.head.set_output_bias(bias)
