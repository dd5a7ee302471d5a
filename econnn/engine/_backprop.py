"""Closed-form back-propagation for the built-in MLP.

On small networks a training step is dominated by fixed per-operation
costs, not arithmetic: autograd records a graph node for every operation
in the forward pass and walks it back, which on a 13-64-64-1 network with
batches of 32 costs more than the matrix products themselves.  For the
built-in :class:`~econnn.engine._networks.MLP` and
:class:`~econnn.engine._networks.EnsembleMLP` (linear layers and ReLU, leaky ReLU,
ELU, tanh, logistic or identity activations; no dropout, batch
normalisation or numerical embedding) the gradients are a few (batched)
matrix products, written out here as scikit-learn's ``MLPRegressor``
does; any other network keeps autograd.

The loss's derivative with respect to the linear predictor comes from a
closed form where one is registered (:data:`ETA_GRADIENTS`) and from
autograd on the (cheap) loss alone otherwise, so every loss is supported.
"""

from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from ._losses import SquaredError
from ._networks import MLP, EnsembleMLP, smooth_clip

__all__ = ["ACTIVATION_GRADIENTS", "ETA_GRADIENTS", "MLPBackprop",
           "EnsembleBackprop", "FusedAdamStep", "backprop_for"]


def _relu(grad, out):
    # the kernel autograd itself uses, in place (``grad`` is always a fresh
    # product): ``grad * (out > 0)`` is 3x slower, and a new output costs
    # its allocation and first touch on large batches
    return torch.ops.aten.threshold_backward.grad_input(grad, out, 0,
                                                        grad_input=grad)


def _leaky_relu_grad(grad, out, slope):
    return torch.where(out > 0, grad, grad * slope)


def _elu_grad(grad, out, alpha):
    # below zero elu(z) = alpha (e^z - 1), whose slope is out + alpha
    return torch.where(out > 0, grad, grad * (out + alpha))


def _tanh(grad, out):
    # one fused kernel, in place: grad * (1 - out^2) as written costs two
    # temporaries the size of the layer
    return torch.ops.aten.tanh_backward.grad_input(grad, out,
                                                   grad_input=grad)


def _sigmoid(grad, out):
    return torch.ops.aten.sigmoid_backward.grad_input(grad, out,
                                                      grad_input=grad)


def _identity(z, out=None):
    return z


# module-level functions and partials (not lambdas), so that a fitted
# estimator holding an MLPBackprop pickles
def _relu_pair(layer):
    return torch.relu_, _relu


def _leaky_relu_pair(layer):
    slope = layer.negative_slope
    return (partial(F.leaky_relu_, negative_slope=slope),
            partial(_leaky_relu_grad, slope=slope))


def _elu_pair(layer):
    return (partial(F.elu_, alpha=layer.alpha),
            partial(_elu_grad, alpha=layer.alpha))


def _tanh_pair(layer):
    return torch.tanh_, _tanh


def _sigmoid_pair(layer):
    return torch.sigmoid_, _sigmoid


def _identity_pair(layer):
    return _identity, _identity


#: Activation layer type -> ``f(layer) -> (forward_, grad)``: an in-place
#: forward, and the gradient with respect to the activation's input
#: computed from its *output* (so pre-activations need not be kept).
ACTIVATION_GRADIENTS = {
    nn.ReLU: _relu_pair,
    nn.LeakyReLU: _leaky_relu_pair,
    nn.ELU: _elu_pair,
    nn.Tanh: _tanh_pair,
    nn.Sigmoid: _sigmoid_pair,
    nn.Identity: _identity_pair,
}


def _squared_error(loss, eta, y, w):
    # eta is (n, n_outputs), or (n_members, n, n_outputs) for an ensemble,
    # whose objective is the sum of its members' mean losses
    resid = eta - y
    value = resid.square().mean(dim=-1)
    scale = 1.0 / (resid.shape[-2] * resid.shape[-1])
    if w is None:
        return 0.5 * value.mean(dim=-1).sum(), resid.mul_(scale)
    if w.dim() == 2:  # (n, n_members): each member's own row weights
        w = w.t()
    return (0.5 * (value * w).mean(dim=-1).sum(),
            resid.mul_(w[..., None] * scale))


#: Loss type -> ``f(loss, eta, y, w) -> (objective, d objective / d eta)``,
#: for ``eta`` of shape ``(n, n_outputs)`` or ``(n_members, n, n_outputs)``
#: with the objective :class:`~econnn.engine._training.Criterion` computes.
ETA_GRADIENTS = {SquaredError: _squared_error}


def _autograd_eta_gradient(criterion, eta, y, w):
    eta = eta.detach().requires_grad_()
    with torch.enable_grad():
        value = criterion(eta, y, w)
        (grad,) = torch.autograd.grad(value, eta)
    return value.detach(), grad


def _activation_pairs(activations):
    """``(forward_, grad)`` per activation layer, or None if one has none."""
    pairs = []
    for act in activations:
        make = ACTIVATION_GRADIENTS.get(type(act))
        if make is None:
            return None
        pairs.append(make(act))
    return pairs


def _all_trainable(params):
    return all(p is not None and p.requires_grad for p in params)


def _clip_of(module):
    """The module's :func:`smooth_clip` location and scale, or None."""
    if module.clip_loc is None:
        return None
    return module.clip_loc, module.clip_scale


class MLPBackprop:
    """Gradients of an :class:`~econnn.engine._networks.MLP` without autograd.

    Use :func:`backprop_for` (or :meth:`for_module`), which returns None
    when the network has a layer without a registered closed form
    (dropout, batch normalisation, GELU, a numerical embedding, or any
    custom module).

    Parameters
    ----------
    weights, biases : list of torch.Tensor
        The network's affine layers, input to output.
    activations : list of (callable, callable)
        ``(forward_, grad)`` of the activation after each hidden layer, as
        in :data:`ACTIVATION_GRADIENTS`.
    skip : torch.Tensor or None
        The linear skip's weights.
    clip : (torch.Tensor, torch.Tensor) or None
        Location and scale of the inputs' smooth clipping (the hidden
        layers see ``smooth_clip(X, *clip)``, the skip ``X``).
    scale : torch.Tensor or None
        The trainable input scales of ``feature_scaling`` (the hidden
        layers see the clipped inputs times ``scale``).
    """

    def __init__(self, weights, biases, activations, skip=None, clip=None,
                 scale=None):
        self.weights = weights
        self.biases = biases
        self.skip = skip
        self.clip = clip
        self.scale = scale
        self.forwards = [f for f, _ in activations]
        self.grads = [g for _, g in activations]

    @classmethod
    def for_module(cls, module):
        """A :class:`MLPBackprop` for ``module``, or None if not eligible."""
        if type(module) is not MLP or module.embedding is not None:
            return None
        layers = list(module.hidden)
        linears, activations = layers[0::2], layers[1::2]
        if len(linears) != len(activations) or not all(
                type(lin) is nn.Linear for lin in linears):
            return None
        pairs = _activation_pairs(activations)
        linears = linears + [module.output]
        weights = [lin.weight for lin in linears]
        biases = [lin.bias for lin in linears]
        if pairs is None or not _all_trainable(weights + biases):
            return None
        return cls(weights, biases, pairs, module.skip_weight,
                   _clip_of(module), module.feature_scale)

    # one affine layer and its gradients; weights are (out, in)
    def _affine(self, i, a):
        return torch.addmm(self.biases[i], a, self.weights[i].t())

    def _affine_grads(self, i, a, grad, inputs=True):
        """Set layer ``i``'s ``.grad``; return d loss / d its input (None
        unless ``inputs``)."""
        weight = self.weights[i]
        weight.grad = torch.mm(grad.t(), a)
        self.biases[i].grad = grad.sum(dim=0)
        return torch.mm(grad, weight) if inputs else None

    def _skip(self, eta, X):
        return torch.addmm(eta, X, self.skip.t())

    def _skip_grad(self, X, grad):
        return torch.mm(grad.t(), X)

    def _scale_grad(self, unscaled, grad):
        """d loss / d ``scale`` from d loss / d the scaled input."""
        return (grad * unscaled).sum(dim=0)

    def _unscaled(self, X):
        """What the hidden layers see before ``scale``."""
        return X if self.clip is None else smooth_clip(X, *self.clip)

    def forward(self, X):
        """Linear predictor and each layer's input, without a graph."""
        inputs = []
        a = self._unscaled(X)
        if self.scale is not None:
            a = a * self.scale
        for i, act in enumerate(self.forwards):
            inputs.append(a)
            a = act(self._affine(i, a))
        inputs.append(a)
        eta = self._affine(len(self.forwards), a)
        if self.skip is not None:
            eta = self._skip(eta, X)
        return eta, inputs

    def predict(self, X):
        """The network's output in evaluation mode."""
        return self.forward(X)[0]

    def accumulate(self, X, y, w, criterion, l1=0.0):
        """Set each parameter's ``.grad`` for one batch; return the loss.

        Parameters
        ----------
        X, y, w : torch.Tensor
            The batch (``w`` may be None).
        criterion : econnn.engine._training.Criterion
            The weighted mean loss.
        l1 : float, default=0.0
            Coefficient of ``sum|W|`` over the weight matrices.

        Returns
        -------
        loss : torch.Tensor
            The batch objective (loss plus L1 penalty), detached.
        """
        with torch.no_grad():
            eta, inputs = self.forward(X)
            closed = ETA_GRADIENTS.get(type(criterion.loss))
            if closed is not None:
                loss, grad = closed(criterion.loss, eta, y, w)
            else:
                loss, grad = _autograd_eta_gradient(criterion, eta, y, w)
            if self.skip is not None and self.skip.requires_grad:
                self.skip.grad = self._skip_grad(X, grad)
            scaled = self.scale is not None and self.scale.requires_grad
            for i in range(len(self.weights) - 1, -1, -1):
                a = inputs[i]
                grad = self._affine_grads(i, a, grad, i > 0 or scaled)
                if i:
                    grad = self.grads[i - 1](grad, a)
            if scaled:
                self.scale.grad = self._scale_grad(self._unscaled(X), grad)
            if l1:
                for weight in self.weights:
                    weight.grad.add_(weight.sign(), alpha=l1)
                    loss = loss + l1 * weight.abs().sum()
        return loss


class EnsembleBackprop(MLPBackprop):
    """Gradients of an :class:`~econnn.engine._networks.EnsembleMLP` without autograd.

    The same computation as :class:`MLPBackprop` for every member at once:
    weights are ``(n_members, in, out)`` and each product is a batched one.
    The first layer's input, the batch shared by all members, is multiplied
    by all members' weights in one matrix product.
    """

    @classmethod
    def for_module(cls, module):
        """An :class:`EnsembleBackprop` for ``module``, or None."""
        if (type(module) is not EnsembleMLP or module.norms is not None
                or module.dropout is not None
                or module.embedding is not None):
            return None
        n_hidden = len(module.weights) - 1
        pairs = _activation_pairs([module.activation] * n_hidden)
        weights, biases = list(module.weights), list(module.biases)
        if pairs is None or not _all_trainable(weights + biases):
            return None
        return cls(weights, biases, pairs, module.skip_weight,
                   _clip_of(module), module.feature_scale)

    def _skip(self, eta, X):
        return eta + torch.matmul(X, self.skip)

    def _skip_grad(self, X, grad):
        return torch.matmul(X.t(), grad)

    def _affine(self, i, a):
        weight, bias = self.weights[i], self.biases[i]
        if a.dim() == 2:  # (n, in) shared by the members
            return torch.matmul(a, weight).add_(bias)
        return torch.baddbmm(bias, a, weight)

    def _affine_grads(self, i, a, grad, inputs=True):
        weight = self.weights[i]
        weight.grad = torch.matmul(a.transpose(-1, -2), grad)
        self.biases[i].grad = grad.sum(dim=1, keepdim=True)
        return torch.bmm(grad, weight.transpose(1, 2)) if inputs else None

    def _scale_grad(self, unscaled, grad):
        # grad (n_members, n, n_features), unscaled (n, n_features)
        return (grad * unscaled).sum(dim=1, keepdim=True)

    def predict(self, X):
        return self.forward(X)[0].mean(dim=0)


def backprop_for(module):
    """The closed-form backprop for ``module``, or None (use autograd)."""
    for cls in (MLPBackprop, EnsembleBackprop):
        backprop = cls.for_module(module)
        if backprop is not None:
            return backprop
    return None


class FusedAdamStep:
    """Adam/AdamW's fused update without ``Optimizer.step``'s wrapper.

    ``torch.optim.Adam(fused=True).step()`` spends about three times as long
    in Python (profiling context, grad-mode switch, regrouping tensors by
    device and dtype) as in its one kernel call per parameter group.  This
    calls the same kernel (``torch._fused_adam_`` / ``_fused_adamw_``) on
    the optimizer's own state, so results, ``state_dict`` and warm starts are
    unchanged.  The first step, which creates the state, goes through
    ``optimizer.step()``; so does every step when the kernel is missing.

    Parameters
    ----------
    optimizer : torch.optim.Adam or torch.optim.AdamW
        Built with ``fused=True`` (see :meth:`for_optimizer`).
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.kernel = (torch._fused_adamw_ if optimizer.defaults.get(
            "decoupled_weight_decay") or isinstance(
                optimizer, torch.optim.AdamW) else torch._fused_adam_)
        self.groups = None

    @classmethod
    def for_optimizer(cls, optimizer):
        """A :class:`FusedAdamStep`, or None when it would not be exact."""
        d = optimizer.defaults
        if (type(optimizer) not in (torch.optim.Adam, torch.optim.AdamW)
                or not d.get("fused") or d.get("amsgrad")
                or d.get("maximize") or d.get("capturable")
                or d.get("differentiable")
                or not hasattr(torch, "_fused_adamw_")):
            return None
        return cls(optimizer)

    def _collect(self):
        # groups with the same settings are one kernel call: the engine
        # gives each penalised weight its own group (skorch's param_groups
        # match names), but sets lr and weight decay alike for all of them
        opt, merged = self.optimizer, {}
        for group in opt.param_groups:
            params = group["params"]
            states = [opt.state.get(p, {}) for p in params]
            if not all("step" in s for s in states) or isinstance(
                    group["lr"], torch.Tensor):
                return None
            key = (bool(group.get("penalised")), group["lr"],
                   group["weight_decay"], tuple(group["betas"]),
                   group["eps"])
            _, *lists = merged.setdefault(key, (group, [], [], [], []))
            for target, values in zip(lists, (
                    params, [s["exp_avg"] for s in states],
                    [s["exp_avg_sq"] for s in states],
                    [s["step"] for s in states])):
                target.extend(values)
        return list(merged.values())

    def step(self):
        """One update with the gradients in each parameter's ``.grad``."""
        if self.groups is None:
            self.groups = self._collect()
            if self.groups is None:
                self.optimizer.step()
                return
        for group, params, exp_avgs, exp_avg_sqs, steps in self.groups:
            if not params:
                continue
            beta1, beta2 = group["betas"]
            torch._foreach_add_(steps, 1)
            self.kernel(params, [p.grad for p in params], exp_avgs,
                        exp_avg_sqs, [], steps, amsgrad=False,
                        lr=group["lr"], beta1=beta1, beta2=beta2,
                        weight_decay=group["weight_decay"],
                        eps=group["eps"], maximize=False)
