"""SequenceForecaster: recurrent and attention networks for time series."""

import math
import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .. import _hyperparameters as hp
from .._base import _BaseNN
from ..engine._losses import REGRESSION_LOSSES, mean_r2
from .._declaration import Param, estimator
from .._regressor import NNRegressor
from .._validation import check_numeric, validate_data
from ._networks import SEQUENCE_MODULES, Anchored, relative_to_last
from ._windows import _check_count, arrange_series

__all__ = ["SequenceForecaster"]

#: Below this many windows the Dickey-Fuller test has little power (it would
#: "find" unit roots in most short stationary samples), so
#: ``difference='auto'`` keeps the levels.
_MIN_UNIT_ROOT_SAMPLES = 50
_UNIT_ROOT_LEVEL = 0.05

CELL = Param(
    "cell",
    "gru",
    [StrOptions(set(SEQUENCE_MODULES))],
    "{" + ", ".join(repr(c) for c in SEQUENCE_MODULES) + "}",
    """
    The network read along each window: 'rnn' (Elman), 'lstm' (long
    short-term memory), 'gru' (gated recurrent unit) or 'transformer' (a
    self-attention encoder with sinusoidal positional encoding).
    """,
)

HIDDEN_SIZE = Param(
    "hidden_size",
    64,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Size of the hidden state (the transformer's model width).
    """,
)

NUM_LAYERS = Param(
    "num_layers",
    1,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Number of stacked recurrent (or encoder) layers.
    """,
)

SEQUENCE_DROPOUT = Param(
    "dropout",
    0.0,
    [Interval(Real, 0, 1, closed="left")],
    "float",
    """
    Dropout probability between stacked layers, inside transformer layers
    and before the output layer. Not applied at prediction.
    """,
)

LINEAR_SKIP = Param(
    "linear_skip",
    True,
    ["boolean"],
    "bool",
    """
    Whether to add a linear map from the whole window to the forecast, an
    autoregressive (VAR) term, so that the network nests the linear
    time-series model and its hidden units learn the nonlinear remainder.
    """,
)

DIFFERENCE = Param(
    "difference",
    "auto",
    [StrOptions({"auto"}), "boolean"],
    "'auto' or bool",
    """
    Whether to model changes: each window is taken relative to its last
    value and the network predicts the target's change from its last
    observed value, which is added back. Forecasts of a trending
    (integrated) series then follow the level beyond the training range
    rather than flattening out. 'auto' decides with an augmented
    Dickey-Fuller test (:func:`statsmodels.tsa.stattools.adfuller`, lag
    order by AIC) on the target in sample order: changes when a unit root
    is not rejected at the 5% level (levels with fewer than 50 windows).
    """,
)


#: Training defaults that differ from NNRegressor's, chosen on the
#: benchmarks of docs/forecasting.md: a few hundred windows need more
#: optimizer steps per epoch than batches of 200 give.
_TRAINING = [replace(p, default=64) if p.name == "batch_size" else p
             for p in hp.TRAINING]


def _check_levels(level):
    levels = np.atleast_1d(np.asarray(level, dtype=np.float64))
    if levels.ndim != 1 or levels.size == 0 or \
            not ((levels > 0) & (levels < 1)).all():
        raise ValueError("level must be a probability in (0, 1) or a "
                         f"sequence of them, e.g. 0.9; got {level!r}.")
    return levels


def _future_index(index, steps):
    """The ``steps`` periods after a time index, with its frequency."""
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=steps, freq=index.freq)
    freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
    if freq is None:
        raise ValueError(
            "Cannot infer the frequency of history's DatetimeIndex; give it "
            "one, e.g. history.asfreq('QS'), or use a PeriodIndex.")
    return pd.date_range(index[-1], periods=steps + 1, freq=freq)[1:]


@estimator([CELL, HIDDEN_SIZE, NUM_LAYERS, SEQUENCE_DROPOUT, LINEAR_SKIP,
            DIFFERENCE], _TRAINING)
class SequenceForecaster(RegressorMixin, _BaseNN):
    """Recurrent or attention network forecasting a time series.

    A scikit-learn regressor from windows of past observations to future
    values of a target series, trained with PyTorch through skorch on the
    same engine as :class:`NNRegressor`. ``X`` holds windows of shape
    (n_samples, n_timesteps, n_variables) -- variable 0 is the target --
    or (n_samples, n_timesteps) for a univariate series; ``y`` the target
    one period after each window, or ``horizon`` periods as columns for
    direct multi-step forecasts. :func:`make_windows` builds both from a
    pandas series, and :meth:`forecast` runs the fitted model forward from
    the end of a series, with bootstrapped intervals.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of X seen during fit (time steps for windows).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X is a DataFrame with string column names.
    n_timesteps_ : int
        Window length.
    n_variables_ : int
        Number of variables per time step (1 for 2-D X).
    n_outputs_ : int
        Number of forecast horizons (columns of y).
    difference_ : bool
        Whether the network models changes from each window's last value.
    unit_root_pvalue_ : float or None
        p-value of the augmented Dickey-Fuller test behind
        ``difference='auto'``, None when no test was run.
    residuals_ : ndarray of shape (n_samples, n_outputs_)
        In-sample forecast errors ``y - predict(X)`` of the training windows
        with positive weight, resampled by :meth:`forecast` for intervals.
    n_iter_ : int
        Number of epochs run by the last call to ``fit``, as in
        scikit-learn (``loss_curve_`` holds all of them).
    t_ : int
        Number of training samples seen by the optimizer.
    loss_curve_ : list of float
        Training loss per epoch (standardised units).
    best_loss_ : float or None
        Smallest training loss; None with ``early_stopping=True``.
    best_epoch_ : int
        Epoch (1-based) with the best monitored loss.
    validation_scores_ : list of float or None
        Validation R^2 (of the modelled changes when ``difference_``) per
        epoch with early stopping, else None.
    validation_loss_curve_ : list of float
        Validation loss per epoch, with early stopping only.
    best_validation_score_ : float or None
        Validation R^2 of the kept weights, with early stopping.
    module_ : torch.nn.Module
        The trained network in original units: ``module_(X)`` maps raw
        windows (a float tensor of shape (n, n_timesteps, n_variables)) to
        the forecasts.
    net_ : econnn.engine._training.Net
        The skorch net that trained the network.

    See Also
    --------
    make_windows : Build ``X`` and ``y`` from a pandas series.
    NNRegressor : Feed-forward network on a flat feature vector.
    statsmodels.tsa.ar_model.AutoReg : The linear autoregression.

    Notes
    -----
    A recurrent network is a nonlinear state-space model: reading window
    ``x_1, ..., x_T`` it updates a hidden state
    ``h_t = g(b + W h_{t-1} + U x_t)`` (gated in the LSTM and GRU) and
    forecasts ``y = c + V h_T + A vec(x)``, where the linear term ``A``
    (``linear_skip``) nests the VAR. Training minimises the squared error
    on standardised data; early stopping, when enabled, holds out the
    *last* ``validation_fraction`` of the windows (never a random subset,
    which would leak the future into training).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from econnn import SequenceForecaster, make_windows
    >>> t = np.arange(120)
    >>> y = pd.Series(np.sin(t / 4), index=pd.period_range(
    ...     "1990-01", periods=120, freq="M"))
    >>> X, target = make_windows(y, lags=8)
    >>> model = SequenceForecaster(hidden_size=8, max_iter=30,
    ...                            random_state=0).fit(X, target)
    >>> model.forecast(y, steps=3).index.freqstr
    'M'
    """

    def _make_loss(self):
        return REGRESSION_LOSSES["squared_error"]()

    # ------------------------------------------------------------------ data
    def _as_windows(self, X, reset):
        """2-D X as univariate windows; check the number of variables."""
        if X.ndim == 2:
            X = X[:, :, None]
        elif X.ndim != 3:
            raise ValueError(
                "X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, "
                f"n_timesteps, n_variables); got {X.ndim} dimensions.")
        if X.shape[1] == 0 or X.shape[2] == 0:
            raise ValueError(f"X has windows of shape {X.shape[1:]}; at "
                             "least one time step and one variable are "
                             "required.")
        if reset:
            self.n_timesteps_, self.n_variables_ = X.shape[1:]
        elif X.shape[2] != self.n_variables_:
            raise ValueError(
                f"X has {X.shape[2]} variable(s) per time step, but "
                f"{type(self).__name__} was fitted with {self.n_variables_}.")
        return X

    def _check_windows(self, X, y, reset):
        """Validated windows (n, T, V) and targets (n, horizon), raw."""
        X, y = validate_data(self, X, y, reset=reset, allow_nd=True,
                             dtype=[np.float64, np.float32],
                             multi_output=True, y_numeric=True)
        X = self._as_windows(X, reset)
        if reset:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y.astype(np.float64, copy=False)

    def _decide_difference(self, y):
        if self.difference != "auto":
            return bool(self.difference), None
        if len(y) < _MIN_UNIT_ROOT_SAMPLES or np.ptp(y) == 0:
            return False, None
        # imported here: statsmodels is slow to import and only needed here
        from statsmodels.tsa.stattools import adfuller

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pvalue = float(adfuller(y, regression="c", autolag="AIC")[1])
        return pvalue > _UNIT_ROOT_LEVEL, pvalue

    def _validate_fit_data(self, X, y, reset):
        X, Y = self._check_windows(X, y, reset)
        if reset:
            self.n_outputs_ = Y.shape[1]
            self.difference_, self.unit_root_pvalue_ = \
                self._decide_difference(Y[:, 0])
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} horizon(s) but {type(self).__name__} "
                f"was fitted with {self.n_outputs_}.")
        if self.difference_:
            # the network is trained on changes; Anchored adds levels back
            return relative_to_last(X), Y - X[:, -1, :1]
        return X, Y

    def _score_training_units(self, mu, y):
        return mean_r2(mu, y)

    def _validate_predict_X(self, X):
        check_is_fitted(self)
        # float64 until standardised: no precision lost before the network
        X = validate_data(self, X, reset=False, allow_nd=True,
                          dtype=[np.float64, np.float32])
        return self._as_windows(X, reset=False)

    # ------------------------------------------------------- base overrides
    def _x_scaling(self, X, w):
        # one location and scale per variable, pooled over samples and time
        n, n_timesteps, n_variables = X.shape
        return super()._x_scaling(X.reshape(n * n_timesteps, n_variables),
                                  np.repeat(w, n_timesteps))

    def _split_validation(self, y, seed):
        """The last ``validation_fraction`` of the windows, in time order."""
        n = y.shape[0]
        n_valid = int(round(self.validation_fraction * n))
        if n_valid < 1 or n - n_valid < 2:
            raise ValueError(
                "early_stopping needs at least 1 validation and 2 training "
                f"samples; got n_samples = {n} with validation_fraction="
                f"{self.validation_fraction}.")
        return np.arange(n - n_valid), np.arange(n - n_valid, n)

    def _build_body(self, n_features, n_outputs):
        return SEQUENCE_MODULES[self.cell](
            n_features, n_outputs, n_timesteps=self.n_timesteps_,
            hidden_size=self.hidden_size, num_layers=self.num_layers,
            dropout=self.dropout, linear_skip=self.linear_skip)

    def _wrap_network(self, network):
        return Anchored(network) if self.difference_ else network

    # ------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the network to windows and their targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_variables) or \
(n_samples, n_timesteps)
            Windows of past observations, oldest first; variable 0 is the
            target series. 2-D X is a univariate series.
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            The target in the period after each window (and the following
            ones, for direct multi-step forecasts).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the windows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        super().fit(X, y, sample_weight=sample_weight)
        X, Y = self._check_windows(X, y, reset=False)
        residuals = Y - self._linear_predictor(X).cpu().numpy()
        if sample_weight is not None:
            residuals = residuals[np.asarray(sample_weight) > 0]
        self.residuals_ = residuals
        return self

    def predict(self, X):
        """Forecast the target after each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_variables) or \
(n_samples, n_timesteps)
            Windows of past observations.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, horizon)
            Forecasts in the units of y.
        """
        mu = self._predict_mean(X)
        return mu.ravel() if self._y_1d else mu

    def forecast(self, history, steps, exog_future=None, level=None,
                 n_paths=1000, target=None):
        """Forecast the periods after the end of a series.

        The first ``n_outputs_`` periods come directly from the last window
        of ``history``; later ones recursively, feeding forecasts back in
        as if observed.

        Parameters
        ----------
        history : pandas.Series or pandas.DataFrame
            The series up to the forecast origin, indexed by a PeriodIndex or
            a DatetimeIndex with a frequency, with at least
            ``n_timesteps_`` rows; laid out as for :func:`make_windows`.
        steps : int
            Number of periods to forecast.
        exog_future : pandas.DataFrame or None, default=None
            Future values of the covariates (history's other columns), one
            row per future period in order; needed when a multivariate
            model forecasts beyond its horizon ``n_outputs_``.
        level : float or sequence of float or None, default=None
            Coverage of prediction intervals, e.g. 0.9 or (0.5, 0.8, 0.95)
            for a fan chart. The bands are quantiles of ``n_paths``
            simulated paths that add resampled in-sample residuals
            (``residuals_``) to each forecast step, so later steps carry the
            uncertainty of earlier ones. In-sample residuals understate
            out-of-sample errors when the network overfits.
        n_paths : int, default=1000
            Number of simulated paths for the intervals.
        target : str or None, default=None
            Column of a DataFrame history to forecast; None means the first.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            Indexed by the ``steps`` future periods. Without ``level`` a
            Series of point forecasts; with it a DataFrame with column
            ``'forecast'`` and columns ``'lower_<level>'`` and
            ``'upper_<level>'`` for each level.
        """
        check_is_fitted(self)
        steps = _check_count(steps, "steps")
        n_paths = _check_count(n_paths, "n_paths")
        levels = None if level is None else _check_levels(level)
        frame = arrange_series(history, target, name="history")
        if frame.shape[1] != self.n_variables_:
            raise ValueError(
                f"history has {frame.shape[1]} variable(s), but "
                f"{type(self).__name__} was fitted with {self.n_variables_}.")
        if len(frame) < self.n_timesteps_:
            raise ValueError(
                f"history has {len(frame)} periods, fewer than the "
                f"n_timesteps_={self.n_timesteps_} of a window.")
        index = _future_index(frame.index, steps)
        n_blocks = math.ceil(steps / self.n_outputs_)
        exog = self._future_covariates(frame, exog_future, n_blocks)
        window = frame.to_numpy(dtype=np.float64, copy=True)[
            -self.n_timesteps_:]

        point = self._recurse(window[None], exog, n_blocks)[0, :steps]
        name = frame.columns[0]
        if levels is None:
            return pd.Series(point, index=index, name=name)
        rng = check_random_state(self.random_state)
        residuals = self.residuals_

        def shock():
            return residuals[rng.randint(len(residuals), size=n_paths)]

        paths = self._recurse(np.repeat(window[None], n_paths, axis=0),
                              exog, n_blocks, shock)[:, :steps]
        out = {"forecast": point}
        for lev in levels:
            lo, hi = np.quantile(paths, [(1 - lev) / 2, (1 + lev) / 2],
                                 axis=0)
            out[f"lower_{lev:g}"], out[f"upper_{lev:g}"] = lo, hi
        return pd.DataFrame(out, index=index).rename_axis(index.name)

    def _future_covariates(self, frame, exog_future, n_blocks):
        """Covariate rows appended between forecast blocks, or None."""
        needed = (n_blocks - 1) * self.n_outputs_
        if self.n_variables_ == 1 or needed == 0:
            return None
        covariates = list(frame.columns[1:])
        if exog_future is None:
            raise ValueError(
                f"Forecasting more than {self.n_outputs_} period(s) with "
                "covariates needs their future values: pass exog_future with "
                f"columns {covariates} and at least {needed} rows.")
        if not isinstance(exog_future, pd.DataFrame):
            exog_future = np.asarray(exog_future)
            if exog_future.ndim != 2 or \
                    exog_future.shape[1] != len(covariates):
                raise ValueError(
                    f"exog_future must have one column per covariate "
                    f"{covariates}; got shape {exog_future.shape}.")
            exog_future = pd.DataFrame(exog_future, columns=covariates)
        check_numeric(exog_future, "exog_future")
        missing = [c for c in covariates if c not in exog_future.columns]
        if missing:
            raise ValueError(f"exog_future lacks the covariate column(s) "
                             f"{missing}.")
        if len(exog_future) < needed:
            raise ValueError(f"exog_future has {len(exog_future)} rows; at "
                             f"least {needed} are needed.")
        exog = exog_future[covariates].to_numpy(dtype=np.float64)[:needed]
        if not np.isfinite(exog).all():
            raise ValueError("exog_future contains NaN or infinite values.")
        return exog

    def _recurse(self, windows, exog, n_blocks, shock=None):
        """Run the network forward ``n_blocks`` times from ``windows``.

        Each block forecasts ``n_outputs_`` periods (plus a resampled
        residual row from ``shock()``); they are appended to the windows,
        with the covariates' future rows, to forecast the next block.
        """
        horizon, blocks = self.n_outputs_, []
        for b in range(n_blocks):
            block = self._linear_predictor(windows).cpu().numpy()
            if shock is not None:
                block = block + shock()
            blocks.append(block)
            if b == n_blocks - 1:
                break
            new = np.empty((len(windows), horizon, self.n_variables_),
                           dtype=windows.dtype)
            new[:, :, 0] = block
            if exog is not None:
                new[:, :, 1:] = exog[b * horizon:(b + 1) * horizon]
            windows = np.concatenate([windows, new], axis=1)[
                :, -self.n_timesteps_:]
        return np.concatenate(blocks, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags
