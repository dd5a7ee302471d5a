"""The ``monotone`` parameter of NNRegressor and NNClassifier."""

from .engine._monotone import MONOTONE_ACTIVATIONS, MonotoneMLP, monotone_signs

__all__ = ["check_monotone", "monotone_network"]

#: Losses whose prediction rises with every output of the network.
_MONOTONE_LOSSES = {
    "squared_error", "poisson", "gamma", "huber", "absolute_error",
    "quantile", "tobit", "fractional_logit", "negative_binomial",
    "log_loss", "ordered_logit", "ordered_probit"}


def check_monotone(est):
    """Refuse settings under which ``monotone`` cannot be guaranteed."""
    if not getattr(est, "monotone", None):
        return
    reason = None
    if est.module is not None:
        reason = "a custom module (only the built-in network is built " \
            "monotone)"
    elif est.activation != "auto" and \
            est.activation not in MONOTONE_ACTIVATIONS:
        reason = f"activation={est.activation!r}, which is not monotone " \
            f"(use one of {', '.join(map(repr, MONOTONE_ACTIVATIONS))})"
    elif est.batch_norm:
        reason = "batch_norm=True (its learned scales may be negative)"
    elif getattr(est, "numerical_embedding", None) is not None:
        reason = f"numerical_embedding={est.numerical_embedding!r} " \
            "(periodic features of an input are not monotone in it)"
    elif est.loss not in _MONOTONE_LOSSES:
        reason = f"loss={est.loss!r}, whose mean is not monotone in the " \
            "network's outputs (the inflation head lowers it)"
    if reason is not None:
        raise ValueError(f"monotone constraints are not available with "
                         f"{reason}.")


def monotone_network(est, n_features, n_outputs, n_members):
    """The built-in network of ``est``, monotone as ``est.monotone`` asks."""
    if getattr(est, "_kind", None) in ("multiclass", "multilabel"):
        raise ValueError(
            "Only binary classification is supported with monotone "
            "constraints (they constrain the positive class's probability),"
            f" or an ordered loss; the target is {est._kind}. For an ordered "
            "outcome use loss='ordered_logit'.")
    signs = monotone_signs(est.monotone, n_features,
                           getattr(est, "feature_names_in_", None))
    return MonotoneMLP(n_features, n_outputs, signs, n_members=n_members,
                       hidden_layer_sizes=tuple(est._hidden_layer_sizes()),
                       activation=est.activation_, dropout=est.dropout)
