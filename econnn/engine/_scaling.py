"""Standardisation and chunked evaluation, written once.

Every estimator trains on standardised inputs (and, for most losses,
targets) and reports in original units.  The location/scale statistics, the
map into the network's precision and the chunked forward pass at predict
time all live here, so that training and every predict/transform/forecast
path treat the data identically: arithmetic in float64, one cast into the
training dtype at the end, and a clear error when a value cannot be held.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.sparsefuncs import mean_variance_axis

__all__ = ["PREDICT_CHUNK", "weighted_location_scale",
           "robust_location_scale", "weighted_quantiles", "standardize",
           "apply_in_chunks", "writable"]

#: Rows per block when predicting or computing statistics: bounds the extra
#: memory to a few megabytes whatever the number of rows.
PREDICT_CHUNK = 65536


def weighted_location_scale(A, w, *, name="X", chunk=PREDICT_CHUNK):
    """Weighted column means and standard deviations, a block at a time.

    Parameters
    ----------
    A : ndarray of shape (n_samples,) or (n_samples, n_columns), or sparse
        The data (float arithmetic is float64 whatever its dtype).
    w : ndarray of shape (n_samples,)
        Non-negative weights with a positive sum.
    name : str, default='X'
        What ``A`` is called in error messages.
    chunk : int, default=PREDICT_CHUNK
        Rows per block.

    Returns
    -------
    loc, scale : ndarray of shape (n_columns,) (scalars' shape for 1-D A)
        A constant column (spread below 1e-12 of its level) gets scale 1,
        so it is shifted but never divided by zero. Sparse data gets
        location 0 (zeros stay zeros) and its standard deviations. Units
        are free: squares are summed relative to a column's largest
        deviation wherever they would underflow or overflow.

    Raises
    ------
    ValueError
        If the spread of a column overflows float64 (values of both
        signs near 1e308), which no standardisation could represent.
    """
    if sp.issparse(A):
        A = sp.csr_matrix(A, dtype=np.float64)
        _, var = mean_variance_axis(A, axis=0, weights=w)
        redo = ~np.isfinite(var) | (var < 1e-280)
        if redo.any():
            # variances relative to the columns' largest |value|, where the
            # squares underflowed or overflowed
            unit = np.asarray(abs(A).max(axis=0).todense()).ravel()
            unit = np.where(redo & (unit > 0) & np.isfinite(unit), unit, 1.0)
            _, rel = mean_variance_axis(A @ sp.diags(1.0 / unit), axis=0,
                                        weights=w)
            var = np.where(redo, rel, var)
        else:
            unit = 1.0
        loc = np.zeros(A.shape[1])
        with np.errstate(over="ignore"):
            scale = unit * np.sqrt(var)
    else:
        one_d = A.ndim == 1
        A2 = A.reshape(-1, 1) if one_d else A
        total = w.sum()
        loc = np.zeros(A2.shape[1])
        for start in range(0, A2.shape[0], chunk):
            block = np.asarray(A2[start:start + chunk], dtype=np.float64)
            loc += w[start:start + chunk] @ block
        loc /= total
        var = _weighted_sum_of_squares(A2, w, loc, chunk)
        # squares underflow below ~1e-154 and overflow above ~1e154: where
        # that happened, sum the squares of the deviations relative to the
        # largest one (a second pass, for those columns only)
        redo = ~np.isfinite(var) | (var < 1e-280)
        if redo.any():
            big = np.zeros(redo.sum())
            for start in range(0, A2.shape[0], chunk):
                block = np.asarray(A2[start:start + chunk, redo],
                                   dtype=np.float64)
                big = np.maximum(big, np.abs(block - loc[redo]).max(
                    axis=0, initial=0.0))
            unit = np.where(big > 0, big, 1.0)
            var[redo] = 0.0
            scale_redo = unit * np.sqrt(_weighted_sum_of_squares(
                A2[:, redo], w, loc[redo], chunk, unit) / total)
        with np.errstate(over="ignore", invalid="ignore"):
            scale = np.sqrt(var / total)
        if redo.any():
            scale[redo] = scale_redo
        if one_d:
            loc, scale = loc[0], scale[0]
    if not (np.all(np.isfinite(loc)) and np.all(np.isfinite(scale))):
        raise ValueError(
            f"{name} has values whose spread overflows float64 (the "
            f"standard deviation of a column is not finite; largest "
            f"|value| {np.max(np.abs(A.data if sp.issparse(A) else A)):.3g})."
            f" Rescale {name} (e.g. divide it by a power of ten) before "
            "fitting.")
    # relative to the column's level only: a column in tiny units (1e-20)
    # varies, a constant one has a spread of rounding error
    keep = (scale > 0) & (scale > 1e-12 * np.abs(loc))
    return loc, np.where(keep, scale, 1.0)


def _weighted_sum_of_squares(A, w, loc, chunk, unit=1.0):
    """``w @ ((A - loc) / unit) ** 2`` per column, a block at a time."""
    total = np.zeros(A.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, A.shape[0], chunk):
            dev = (np.asarray(A[start:start + chunk], dtype=np.float64)
                   - loc) / unit
            total += w[start:start + chunk] @ (dev * dev)
    return total


def robust_location_scale(A, w):
    """Weighted median and normal-consistent IQR of each column of ``A``.

    The location and scale of :func:`~econnn.engine._networks.smooth_clip`
    (RealMLP's robust scaling): the median, and the interquartile range
    divided by 1.349 (the standard deviation for normal data). A column
    with no spread between its quartiles (a rare dummy) gets scale 1: in
    standardised units, its standard deviation.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_features)
        Data (standardised).
    w : ndarray of shape (n_samples,)
        Non-negative sample weights.

    Returns
    -------
    loc, scale : ndarray of shape (n_features,)
    """
    q25, q50, q75 = weighted_quantiles(A, w, (0.25, 0.5, 0.75))
    scale = (q75 - q25) / 1.349
    return q50, np.where(scale > 0, scale, 1.0)


def weighted_quantiles(A, w, probabilities):
    """Per column of ``A``, the smallest value whose cumulative weight
    share reaches each probability (a weight of k counts as k rows).

    Returns
    -------
    list of ndarray of shape (n_features,), one per probability
    """
    A = np.asarray(A, dtype=np.float64)
    order = np.argsort(A, axis=0, kind="stable")
    sorted_A = np.take_along_axis(A, order, axis=0)
    cum = np.cumsum(np.asarray(w, dtype=np.float64)[order], axis=0)
    cum /= cum[-1]
    return [sorted_A[np.minimum((cum < q).sum(axis=0), len(A) - 1),
                     np.arange(A.shape[1])] for q in probabilities]


def standardize(A, loc, scale, dtype, *, name="X", chunk=PREDICT_CHUNK):
    """``(A - loc) / scale`` computed in float64, stored in ``dtype``.

    The subtraction happens before any cast, so a column far from zero (a
    date in seconds, income in cents) keeps its precision in float32.

    Parameters
    ----------
    A : ndarray or sparse matrix
        Raw data; sparse data is only scaled (its ``loc`` is zero).
    loc, scale : ndarray
        From :func:`weighted_location_scale`.
    dtype : numpy dtype
        The network's precision.
    name : str, default='X'
        What ``A`` is called in error messages.

    Raises
    ------
    ValueError
        If a standardised value is beyond what ``dtype`` can hold.
    """
    dtype = np.dtype(dtype)
    if sp.issparse(A):
        out = sp.csr_matrix(A.multiply(1 / np.asarray(scale)[None, :]),
                            dtype=dtype)
        values = out.data
    else:
        out = np.empty(A.shape, dtype=dtype)
        # a block of rows at a time in float64, then one cast: raw values
        # beyond the training precision (1e39 in float32) are fine as long
        # as their standardised values are not
        with np.errstate(over="ignore"):
            for start in range(0, A.shape[0], chunk):
                block = np.asarray(A[start:start + chunk], dtype=np.float64)
                out[start:start + chunk] = (block - loc) / scale
        values = out
    if values.size and not np.isfinite(values).all():
        limit = np.finfo(dtype).max
        raise ValueError(
            f"{name} has values that {dtype} cannot hold after "
            f"standardisation (beyond {limit:.3g}); the network runs in "
            f"precision={dtype.name!r}. Rescale {name}, or pass "
            "precision='float64'.")
    return out


def apply_in_chunks(fn, A, *, device=None, dtype=None, chunk=PREDICT_CHUNK):
    """``fn`` applied to row blocks of ``A`` without gradients, concatenated.

    ``A`` (a numpy array, sparse matrix or tensor) is moved to ``device``
    and ``dtype`` a block at a time; read-only arrays (joblib's memmaps)
    are copied per block, since torch warns when it wraps them.
    """
    out = []
    with torch.no_grad():
        for start in range(0, max(A.shape[0], 1), chunk):
            block = A[start:start + chunk]
            if sp.issparse(block):
                block = block.toarray()
            out.append(fn(torch.as_tensor(writable(block), device=device,
                                          dtype=dtype)))
    return out[0] if len(out) == 1 else torch.cat(out)


def writable(A):
    """``A``, or a copy of it where it is a read-only array (a memmap, or
    data a caller froze): torch warns when it wraps one."""
    if isinstance(A, np.ndarray) and not A.flags.writeable:
        return A.copy()
    return A
