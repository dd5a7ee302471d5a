"""The lecture notes' worked examples, and checking backprop numerically."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

from econnn import NNClassifier, NNRegressor, check_gradients
from econnn.engine._networks import MLP


def test_two_two_one_relu_network():
    # x = (20, 3); w1..w6 = (-0.2, 1, -0.5, 0.3, -1, 0); biases (1, -0.2, 0.5)
    net = MLP(2, 1, hidden_layer_sizes=(2,), activation="relu").double()
    with torch.no_grad():
        net.hidden[0].weight.copy_(torch.tensor([[-0.2, 1.0], [-0.5, 0.3]]))
        net.hidden[0].bias.copy_(torch.tensor([1.0, -0.2]))
        net.output.weight.copy_(torch.tensor([[-1.0, 0.0]]))
        net.output.bias.copy_(torch.tensor([0.5]))
    x = torch.tensor([[20.0, 3.0]], dtype=torch.float64)
    hidden = net.hidden(x)
    np.testing.assert_allclose(hidden.detach().numpy(), [[0.0, 0.0]])
    np.testing.assert_allclose(net(x).item(), 0.5)


class SigmoidNeuron(torch.nn.Module):
    """y_hat = sigmoid(w x + b), the notes' single neuron."""

    def __init__(self, w0=0.5, b0=0.0):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([w0], dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.tensor([b0], dtype=torch.float64))

    def forward(self, x):
        return torch.sigmoid(self.w * x + self.b)


def test_sigmoid_neuron_forward_gradient_and_sgd_step():
    x, y = torch.tensor([2.0], dtype=torch.float64), 1.0
    neuron = SigmoidNeuron()
    y_hat = neuron(x)
    loss = 0.5 * (y - y_hat) ** 2
    loss.backward()
    assert y_hat.item() == pytest.approx(0.731, abs=5e-4)
    assert loss.item() == pytest.approx(0.036, abs=5e-4)
    assert neuron.w.grad.item() == pytest.approx(-0.106, abs=5e-4)

    # the same step through the estimator: plain SGD, lr 0.1, one epoch;
    # the bias is frozen at b = 0 as in the notes
    class FrozenBias(SigmoidNeuron):
        def __init__(self):
            super().__init__()
            self.b.requires_grad_(False)

    model = NNRegressor(module=FrozenBias, solver="sgd", momentum=0.0,
                        early_stopping=False, ema_decay=0.0,  # the raw step
                        learning_rate_init=0.1, alpha=0.0, batch_size=1,
                        max_iter=1, standardize=False, shuffle=False,
                        precision="float64")
    model.fit(np.array([[2.0]]), np.array([1.0]))
    w = model.module_.body.w.item()
    assert round(w, 2) == 0.51  # the notes' figure
    assert w == pytest.approx(0.5 - 0.1 * neuron.w.grad.item(), rel=1e-12)


@pytest.mark.parametrize("params", [
    dict(hidden_layer_sizes=(8, 4), activation="tanh"),
    dict(hidden_layer_sizes=(8,), activation="logistic", alpha=0.5, l1=0.1),
    dict(hidden_layer_sizes=(6,), activation="gelu", loss="poisson"),
])
def test_check_gradients_regressor(params):
    X, y = make_regression(60, 3, random_state=0)
    if params.get("loss") == "poisson":
        y = np.random.RandomState(0).poisson(np.exp(X[:, 0] / 2))
    # the plain MLP: a default network restored to its GLM start has
    # hidden-layer gradients of exactly zero, whose relative error is noise
    model = NNRegressor(max_iter=3, random_state=0, linear_skip=False,
                        early_stopping=False, **params).fit(X, y)
    result = check_gradients(model, X, y, n_checks=40)
    n_params = sum(p.numel() for p in model.module_.body.parameters())
    assert len(result) == min(40, n_params)
    assert result.attrs["max_rel_error"] < 1e-5


def test_check_gradients_classifier_multiclass():
    X, y = make_classification(80, 4, n_classes=3, n_informative=3,
                               n_redundant=0, random_state=0)
    model = NNClassifier((5,), activation="tanh", max_iter=3,
                         random_state=0, linear_skip=False,
                         early_stopping=False).fit(X, y)
    assert check_gradients(model, X, y).attrs["max_rel_error"] < 1e-5


def test_check_gradients_detects_a_wrong_gradient():
    class WrongBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.tanh(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (1 - torch.tanh(x) ** 2) * 1.5  # off by 50%

    class Buggy(torch.nn.Module):
        def __init__(self, n_features_in, n_outputs):
            super().__init__()
            self.hidden = torch.nn.Linear(n_features_in, 4)
            self.out = torch.nn.Linear(4, n_outputs)

        def forward(self, x):
            return self.out(WrongBackward.apply(self.hidden(x)))

    X, y = make_regression(50, 3, random_state=0)
    model = NNRegressor(module=Buggy, max_iter=2, random_state=0).fit(X, y)
    result = check_gradients(model, X, y)
    assert result.attrs["max_rel_error"] > 0.1
