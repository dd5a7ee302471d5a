"""Training data as tensors, and the mini-batches drawn from them.

skorch's default path builds a ``DataLoader`` over a per-sample
``__getitem__``; on small networks that costs more than the arithmetic.
Here the data is converted once to tensors on the target device and batched
by slicing a permutation.
"""

import contextlib
import math

import scipy.sparse as sp
import torch
from torch.utils.data import Dataset

__all__ = ["TensorDataset", "BatchIterator", "intra_op_threads"]


# ----------------------------------------------------------------------- data
#: Datasets up to this size are shuffled by one gather per epoch (a copy);
#: larger ones gather each batch, so training never holds a second copy.
#: Streamed data (held on the host for a GPU) always goes batch by batch.
_PERMUTE_ONCE_BYTES = 16 * 2 ** 20

#: Below this many floating-point operations per step, one thread is
#: faster: splitting a small matrix product costs more in synchronisation
#: than it saves, and on a busy machine waiting for a descheduled thread
#: makes a step ten times slower.
_SINGLE_THREAD_FLOPS = 10e6


@contextlib.contextmanager
def intra_op_threads(module, batch_size, device):
    """Run small-network CPU training on one thread, restored afterwards.

    Small means under ``_SINGLE_THREAD_FLOPS`` per step and network: an
    ensemble's batched products are as small per member as one network's,
    and splitting them over threads costs more than it saves.
    """
    n_params = sum(p.numel() for p in module.parameters())
    n_params /= getattr(module, "n_members", 1)
    old = torch.get_num_threads()
    # forward + backward ~ 6 flops per parameter and sample
    single = device.type == "cpu" and old > 1 and \
        6 * batch_size * n_params < _SINGLE_THREAD_FLOPS
    if single:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if single:
            torch.set_num_threads(old)


class TensorDataset(Dataset):
    """Training data held as tensors (or a scipy CSR matrix for sparse X).

    Parameters
    ----------
    X : torch.Tensor or scipy.sparse.csr_matrix
        Inputs, already standardised and of the training dtype.
    y : torch.Tensor
        Targets in training units.
    w : torch.Tensor or None
        Sample weights normalised to mean one, or None.
    """

    def __init__(self, X, y, w=None):
        self.X, self.y, self.w = X, y, w

    def __len__(self):
        return self.y.shape[0]

    def nbytes(self):
        """Size of the dense data in bytes (infinite for sparse X)."""
        if sp.issparse(self.X):
            return math.inf
        return sum(t.numel() * t.element_size() for t in (self.X, self.y,
                                                          self.w)
                   if t is not None)

    def __getitem__(self, i):
        return self.take(torch.as_tensor([i]))

    def take(self, idx, device=None, dtype=None):
        """Rows ``idx`` as a batch ``(X, y, w)`` on ``device``."""
        if sp.issparse(self.X):
            X = torch.from_numpy(self.X[idx.numpy()].toarray()).to(dtype)
        else:
            X = self.X.index_select(0, idx.to(self.X.device))
        y = self.y.index_select(0, idx.to(self.y.device))
        w = None if self.w is None else self.w.index_select(
            0, idx.to(self.w.device))
        if device is not None:
            X, y = X.to(device, non_blocking=True), y.to(device,
                                                         non_blocking=True)
            w = None if w is None else w.to(device, non_blocking=True)
        return X, y, w

    def slice(self, start, stop, device=None, dtype=None):
        """Rows ``start:stop`` as a batch, without copying dense data."""
        if sp.issparse(self.X):
            return self.take(torch.arange(start, stop), device, dtype)
        X, y = self.X[start:stop], self.y[start:stop]
        w = None if self.w is None else self.w[start:stop]
        if device is not None:
            X, y = X.to(device, non_blocking=True), y.to(device,
                                                         non_blocking=True)
            w = None if w is None else w.to(device, non_blocking=True)
        return X, y, w


class BatchIterator:
    """Mini-batches of a :class:`TensorDataset` by slicing a permutation.

    Parameters
    ----------
    dataset : TensorDataset
    batch_size : int
    shuffle : bool, default=False
    generator : torch.Generator or None
        Source of the permutations (seeded from ``random_state``).
    device : torch.device or None
        Where batches go when the dataset stays on the host (streaming).
    dtype : torch.dtype or None
        dtype of densified sparse batches.
    min_last : int, default=1
        A trailing batch smaller than this joins the previous one (batch
        normalisation cannot use a batch of one sample).
    even : bool, default=False
        Whether the epoch is cut into ``ceil(n / batch_size)`` batches of
        nearly equal size (differing by at most one row) instead of full
        batches and a remainder, which may be a handful of rows.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None,
                 device=None, dtype=None, min_last=1, even=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = device
        self.dtype = dtype
        self.min_last = min_last
        self.even = even

    def _bounds(self):
        n, bs = len(self.dataset), self.batch_size
        if self.even:
            k = -(-n // bs)
            starts = [i * n // k for i in range(k)]
        else:
            starts = list(range(0, n, bs))
        if len(starts) > 1 and n - starts[-1] < self.min_last:
            starts.pop()
        return zip(starts, starts[1:] + [n])

    def __len__(self):
        return len(list(self._bounds()))

    def _permutation(self):
        """A random order of the rows, drawn on the device training runs on.

        On a GPU, drawing ten million indices on the host takes longer than
        an epoch of a large network's steps there, so the permutation is
        drawn on the GPU by a generator seeded from ``self.generator``:
        reproducible for a given seed and device, but not the CPU's order.
        It moves to where the rows are indexed: it stays on the GPU for
        resident data (no per-batch copies of indices) and goes to the host
        for streamed or sparse data.
        """
        ds = self.dataset
        home = ds.y.device
        device = self.device if self.device is not None else home
        if device.type == "cpu":
            return torch.randperm(len(ds), generator=self.generator)
        generator = None
        if self.generator is not None:
            seed = torch.randint(2 ** 62, (), generator=self.generator)
            generator = torch.Generator(device=device).manual_seed(int(seed))
        perm = torch.randperm(len(ds), generator=generator, device=device)
        return perm.cpu() if sp.issparse(ds.X) else perm.to(home)

    def __iter__(self):
        ds = self.dataset
        if not self.shuffle:
            for start, stop in self._bounds():
                yield ds.slice(start, stop, self.device, self.dtype)
            return
        perm = self._permutation()
        if self.device is None and ds.nbytes() <= _PERMUTE_ONCE_BYTES:
            # one gather per epoch, then free slices: on small data the
            # per-batch gathers (three per batch) cost more than the copy
            X, y, w = ds.take(perm, self.device, self.dtype)
            for start, stop in self._bounds():
                yield (X[start:stop], y[start:stop],
                       None if w is None else w[start:stop])
            return
        for start, stop in self._bounds():
            yield ds.take(perm[start:stop], self.device, self.dtype)
