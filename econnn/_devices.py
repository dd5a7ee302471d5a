"""Where a network runs: the ``device`` parameter, GPU memory, GPUs per task.

Three small functions the estimators and the inference toolkit share:
:func:`resolve_device` turns the ``device`` hyperparameter into a
:class:`torch.device` (with an error that names the problem),
:func:`fits_on_device` decides whether training data can live on the GPU for
the whole fit, and :func:`spread_over_gpus` gives the *k*-th of many parallel
fits (bootstrap draws, cross-fitting folds) its own GPU where several exist.
"""

import scipy.sparse as sp
import torch

__all__ = ["resolve_device", "fits_on_device", "spread_over_gpus"]


def resolve_device(device):
    """Turn the ``device`` parameter into a :class:`torch.device`."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', "
            "'cuda:<index>' or 'auto'.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on "
            "this machine; use device='cpu' or 'auto'.")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={device!r} is not supported; use 'cpu', "
                         "'cuda' or 'auto'.")
    try:  # an index beyond the devices present, a backend not built in
        torch.empty(0, device=dev)
    except (RuntimeError, AssertionError) as exc:
        raise ValueError(f"device={device!r} is not available on this "
                         f"machine: {exc}") from None
    return dev


def fits_on_device(device, *arrays):
    """Whether the arrays fit comfortably (half the free memory) on a GPU."""
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    need = sum(a.data.nbytes if sp.issparse(a) else a.nbytes for a in arrays)
    return need < 0.5 * free


def spread_over_gpus(estimator, task, n_gpus=None):
    """Pin the ``task``-th of many parallel fits to GPU ``task mod n_gpus``.

    An estimator (or every step of a Pipeline) whose ``device`` is ``'cuda'``
    or ``'auto'`` would put every parallel fit on ``cuda:0``; with several
    GPUs this sets ``device='cuda:<task mod n_gpus>'`` instead, so ``n_jobs``
    workers share the GPUs round-robin, one GPU per worker when ``n_jobs``
    equals the number of GPUs. A device with an index (``'cuda:1'``), the
    CPU, or a machine with fewer than two GPUs leaves ``estimator`` as it is.

    Parameters
    ----------
    estimator : estimator
        An unfitted clone; modified in place.
    task : int
        The fit's position among the parallel fits.
    n_gpus : int, default=None
        Number of GPUs; ``torch.cuda.device_count()`` when None.

    Returns
    -------
    estimator : estimator
        The same object.
    """
    if n_gpus is None:
        n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if n_gpus < 2:
        return estimator
    spread = {key: f"cuda:{task % n_gpus}"
              for key, value in estimator.get_params().items()
              if (key == "device" or key.endswith("__device"))
              and value in ("cuda", "auto")}
    return estimator.set_params(**spread)
