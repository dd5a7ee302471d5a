"""Early stopping per ensemble member (cross-validated bagging).

With ``validation_split='cv'`` every member of an ensemble holds out its
own fold of the training rows: member ``m`` trains on the rows outside its
fold and is validated on the rows inside it, so that every row trains all
members but (at most) one and the average uses all the data, where a
shared validation split withholds the same rows from every member.

The engine sees this as weight matrices of shape ``(n_rows, n_members)``:
training weights over all the rows, zero on a member's validation rows (the
loss of member ``m`` uses column ``m``;
:class:`~econnn.engine._training.Criterion`), and validation weights over
the rows that validate some member, zero on its training rows
(:class:`MemberValidation`).  Each member's validation
loss is tracked, and each member's best epoch restored, on its own; training
stops when no member has improved for ``n_iter_no_change`` epochs.
"""

import numpy as np
import torch

__all__ = ["per_member_validation", "member_outputs", "copy_members",
           "MemberValidation"]


def per_member_validation(config, module):
    """Whether a run validates each member on its own rows.

    True for ``validation_split='cv'`` with early stopping and a network
    of two or more members (one network is validated as with a random
    split, on one fold).
    """
    return (config.early_stopping and config.validation_split == "cv"
            and getattr(module, "n_members", 1) > 1)


def member_outputs(module, X):
    """Each member's linear predictor, ``(n_members, n, n_outputs)``."""
    members = getattr(module, "members", None)
    return module(X).unsqueeze(0) if members is None else members(X)


def copy_members(target, source, which, n_members):
    """Copy members ``which`` of the state dict ``source`` into ``target``.

    Stacked per-member tensors -- weights ``(n_members, ...)``, batch-norm
    parameters and statistics ``(n_members * width,)`` -- are viewed as
    ``(n_members, -1)`` and the chosen rows copied; anything else (shared
    buffers, counters) is copied whole.
    """
    index = torch.as_tensor(np.flatnonzero(which))
    for name, value in source.items():
        kept = target[name]
        if value.dim() and value.shape[0] % n_members == 0:
            rows = kept.view(n_members, -1)
            rows.index_copy_(0, index.to(rows.device),
                             value.detach().reshape(n_members, -1)
                             .index_select(0, index.to(value.device)))
        else:
            kept.copy_(value.detach())


class MemberValidation:
    """Validation loss and score of each member on its own rows.

    Parameters
    ----------
    dataset : TensorDataset
        The rows that validate some member; ``dataset.w`` is ``(n_rows,
        n_members)``, the validation weight of each row for each member
        (zero where the member trains on the row).
    loss : econnn loss
        Supplies ``per_sample(eta, y)``.
    scorer : callable or None
        ``scorer(eta, y) -> float`` on a member's validation rows (linear
        predictor in training units).
    """

    def __init__(self, dataset, loss, scorer=None):
        self.dataset = dataset
        self.loss = loss
        self.scorer = scorer
        self.n_members = dataset.w.shape[1]

    def evaluate(self, net):
        """Per-member validation losses and scores, arrays ``(n_members,)``
        (scores None without a scorer), at the current weights."""
        module = net.module_
        net._set_training(False)
        totals, weights, etas, ys = 0.0, 0.0, [], []
        with torch.no_grad():
            for X, y, v in net.get_iterator(self.dataset, training=False):
                eta = member_outputs(module, X)
                k, n = eta.shape[:2]
                values = self.loss.per_sample(
                    eta.reshape(k * n, -1),
                    y.repeat((k,) + (1,) * (y.dim() - 1))).reshape(k, n)
                vt = v.t()
                totals = totals + (values * vt).sum(dim=1)
                weights = weights + vt.sum(dim=1)
                if self.scorer is not None:
                    etas.append(eta)
                    ys.append(y)
        losses = (totals / weights).double().cpu().numpy()
        if self.scorer is None:
            return losses, None
        eta, y = torch.cat(etas, dim=1), torch.cat(ys)
        rows = self.dataset.w.to(eta.device) > 0
        scores = np.array([self.scorer(eta[m][rows[:, m]], y[rows[:, m]])
                           for m in range(self.n_members)])
        return losses, scores
