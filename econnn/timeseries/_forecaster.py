"""SequenceForecaster: recurrent and attention networks for time series."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._base import _BaseNN
from .._validation import validate_data
from ..engine._losses import REGRESSION_LOSSES, mean_r2
from ..engine._scaling import writable
from .._declaration import estimator
from ._holdout import hold_out, n_held_out
from ._linear import (ErrorScales, decide_difference, earlier_windows,
                      fit_autoregression, season_of_frequency,
                      window_series)
from ._networks import SEQUENCE_MODULES, Anchored, ARNested, relative_to_last
from ._parameters import (AR_ORDER, CELL, DIFFERENCE, HIDDEN_SIZE, HOLDOUT,
                          KNOWN_FUTURE, LINEAR_SKIP, NUM_LAYERS, SEASONAL_AR,
                          SEQUENCE_DROPOUT, TRAINING)
from ._recursion import RecursiveForecasting
from ._windows import check_history, series_record

__all__ = ["SequenceForecaster"]

@estimator([AR_ORDER, SEASONAL_AR, CELL, HIDDEN_SIZE, NUM_LAYERS,
            SEQUENCE_DROPOUT, LINEAR_SKIP, DIFFERENCE, KNOWN_FUTURE,
            HOLDOUT], TRAINING)
class SequenceForecaster(RecursiveForecasting, RegressorMixin,
                         _BaseNN):
    """Recurrent or attention network forecasting a time series.

    A scikit-learn regressor from windows of past observations to future
    values of a target series, trained with PyTorch through skorch on the
    same engine as :class:`NNRegressor`. ``X`` holds windows of shape
    (n_samples, n_timesteps, n_variables) -- variable 0 is the target --
    or (n_samples, n_timesteps) for a univariate series; ``y`` the target
    one period after each window, or ``horizon`` periods as columns for
    direct multi-step forecasts. :func:`make_windows` builds both from a
    pandas series, and :meth:`forecast` runs the fitted model forward from
    the end of a series, with conformal intervals from held-out errors.

    The forecast is an autoregression (order by AIC) plus the network
    trained on its residuals, weighted by how much it improves held-out
    forecasts (``gate_``): on a linear series the model is the AR, on a
    nonlinear one the network adds to it.

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
        Whether the model works in changes from each window's last value.
    stationarity_tests_ : dict
        ``{'adf_pvalue': float, 'kpss_pvalue': float}`` behind
        ``difference='auto'`` (None values when no test was run).
    ar_order_ : int or None
        Order of the nested autoregression, the number of lags it reads
        (None with ``ar_order=None``).
    ar_season_ : int or None
        The seasonal period ``m`` when the autoregression is one of the
        seasonal differences (``seasonal_ar=True``; its ``ar_order_ - m``
        coefficients on seasonal differences are written out as the
        AR(``ar_order_``) it is), else None.
    gate_ : float
        Weight in [0, 1] of the network's addition to the AR in one-step
        forecasts (``predict``, ``simulate``), from the held-out windows (1
        without a holdout, 0 when it was too short).
    step_gates_ : ndarray of shape (n_steps,)
        The weights of the network's addition at recursive steps 1, 2, ...
        of :meth:`forecast`'s point forecast (the last one beyond), from
        the held-out recursions; non-increasing, ``step_gates_[0] ==
        gate_``.
    holdout_errors_ : ndarray of shape (n_held_out, n_horizons) or None
        Forecast errors of the held-out fit per origin and horizon (NaN
        where not observed); None without a holdout.
    error_scales_ : ErrorScales or None
        The conformal interval model built from ``holdout_errors_``.
    residuals_ : ndarray of shape (n_samples, n_outputs_)
        In-sample forecast errors ``y - predict(X)`` of the training windows
        with positive weight (for intervals without a holdout).
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
    (``linear_skip``) nests a VAR; around it sits the least-squares AR
    (``ar_order``), so the network's part models the AR's residuals.
    Training minimises the squared error on standardised data; early
    stopping, when enabled, holds out the *last* ``validation_fraction`` of
    the windows (never a random subset, which would leak the future into
    training).

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

    @staticmethod
    def _check_target_columns(y):
        """Refuse a y whose columns are several variables, not horizons,
        and the windows of a panel."""
        if isinstance(getattr(y, "index", None), pd.MultiIndex):
            raise ValueError(
                "y is indexed by a MultiIndex: the windows of several series "
                "(a panel, as make_windows(panel) makes them). "
                "SequenceForecaster models one series; fit PanelForecaster "
                "to the panel for per-series scaling and differencing, or "
                "pass y.to_numpy() to pool the windows as one sample.")
        if not isinstance(y, pd.DataFrame) or y.shape[1] < 2:
            return
        horizons = [f"h{h}" for h in range(1, y.shape[1] + 1)]
        if list(map(str, y.columns)) != horizons:
            raise ValueError(
                f"y has columns {list(y.columns)}: the columns of a 2-D y "
                "are forecast horizons ('h1', ..., 'hH', as made by "
                "make_windows(..., horizon=H)), not several target "
                "variables. Forecasting several variables jointly is not "
                "supported; fit one forecaster per target (the others can "
                "be covariates in X).")

    def _check_windows(self, X, y, reset):
        """Validated windows (n, T, V) and targets (n, horizon), raw."""
        if reset:
            self._check_target_columns(y)
        X, y = validate_data(self, X, y, reset=reset, allow_nd=True,
                             dtype=[np.float64, np.float32],
                             multi_output=True, y_numeric=True)
        X = self._as_windows(X, reset)
        if reset:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y.astype(np.float64, copy=False)

    def _transform(self, X, Y):
        """Windows and targets in the form the model is fitted in."""
        if self.difference_:
            return relative_to_last(X), Y - X[:, -1, :1]
        return X, Y

    def _decide(self, X, Y, w):
        """Levels or changes, and the AR order: decided once per fit."""
        if self.difference == "auto":
            series = window_series(X, Y)
            target = Y[:, 0] if series is None else series[:, 0]
            difference, tests = decide_difference(
                target[np.isfinite(target)])
        else:
            difference = bool(self.difference)
            tests = {"adf_pvalue": None, "kpss_pvalue": None}
        order, season = self.ar_order, None
        candidates = self._seasonal_candidates(X) if self.seasonal_ar \
            else None
        if order == "auto":
            Xt, Yt = (relative_to_last(X), Y - X[:, -1, :1]) if difference \
                else (X, Y)
            order, _, _, season = fit_autoregression(Xt, Yt, w, "auto",
                                                     season=candidates)
        return {"difference": difference, "tests": tests, "ar_order": order,
                "ar_season": season}

    def _seasonal_candidates(self, X):
        """The period of the seasonal-difference candidates, or None with
        a warning naming why ``seasonal_ar=True`` cannot have them."""
        season = getattr(self, "_season", 1)
        why = None
        if self.ar_order != "auto":
            why = f"ar_order={self.ar_order!r} fixes the AR"
        elif season <= 1:
            why = ("the targets are not indexed by quarterly or monthly "
                   "periods (make_windows keeps the index of a series)")
        elif X.shape[2] > 1:
            why = "the windows hold covariates (univariate windows only)"
        elif X.shape[1] <= season:
            why = (f"the windows ({X.shape[1]} periods) are not longer "
                   f"than the seasonal period ({season})")
        if why is None:
            return season
        warnings.warn(f"seasonal_ar=True has no effect: {why}; the AR is "
                      "a plain one.", UserWarning, stacklevel=4)
        return None

    def _validate_fit_data(self, X, y, reset):
        X, Y = self._check_windows(X, y, reset)
        if reset:
            self.n_outputs_ = Y.shape[1]
            w = getattr(self, "_ar_weight", None)
            w = np.ones(len(X)) if w is None or len(w) != len(X) else w
            decision = getattr(self, "_decision", None) or \
                self._decide(X, Y, w)
            self.difference_ = decision["difference"]
            self.stationarity_tests_ = decision["tests"]
            Xt, Yt = self._transform(X, Y)
            self.ar_season_ = decision.get("ar_season")
            if decision["ar_order"] is None:
                self.ar_order_ = None
                self._ar = None
            else:
                self.ar_order_, *coefficients, _ = fit_autoregression(
                    *self._ar_sample(X, Y, Xt, Yt, w, decision["ar_order"]),
                    decision["ar_order"], season=self.ar_season_)
                self._ar = tuple(coefficients)
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} horizon(s) but {type(self).__name__} "
                f"was fitted with {self.n_outputs_}.")
        Xt, Yt = self._transform(X, Y)
        if self._ar is not None:
            # the network learns what the autoregression leaves
            intercept, coef = self._ar
            from ._linear import ar_design

            Yt = Yt - intercept - ar_design(Xt, self.ar_order_) @ coef
        return Xt, Yt

    def _ar_sample(self, X, Y, Xt, Yt, w, order):
        """The AR's estimation sample: the windows, and before them the
        observations too early for a window of their own (as ``AutoReg``
        and ``VAR`` estimate an AR(p) from the (p + 1)-th observation on),
        for the unweighted consecutive windows of one series."""
        early = earlier_windows(X, Y, order) if np.all(w == 1) else None
        if early is None:
            return Xt, Yt, w
        Xe, Ye = self._transform(*early)
        return (np.concatenate([Xe, Xt]), np.concatenate([Ye, Yt]),
                np.ones(len(Xe) + len(Xt)))

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
        if self._ar is not None:
            network = ARNested(network, *self._ar, order=self.ar_order_)
        return Anchored(network) if self.difference_ else network

    # econnn.save: the error scales are rebuilt from the held-out errors
    _REBUILT_STATE = _BaseNN._REBUILT_STATE | {"error_scales_"}

    def _get_state(self):
        attrs, tensors = super()._get_state()
        if self.error_scales_ is not None:
            attrs["_error_scale_factor"] = self.error_scales_.factor
        return attrs, tensors

    def _set_state(self, attrs, tensors, device):
        attrs = dict(attrs)
        factor = attrs.pop("_error_scale_factor", None)
        super()._set_state(attrs, tensors, device)
        self.error_scales_ = None if factor is None else ErrorScales(
            self.holdout_errors_, self.difference_, factor)

    def _nested(self):
        """The ARNested module, or None without an AR part."""
        inner = self.module_.inner if self.difference_ else self.module_
        return inner if isinstance(inner, ARNested) else None

    def _set_gate(self, gate, step_gates=None):
        """Set ``gate_`` (and the recursion's ``step_gates_``, by default
        the same gate at every step)."""
        self.gate_ = float(gate)
        self.step_gates_ = np.asarray(
            [gate] if step_gates is None else step_gates, dtype=np.float64)
        self._fill_gate(self.gate_)

    def _fill_gate(self, gate):
        nested = self._nested()
        if nested is not None:
            nested.gate.fill_(float(gate))

    def _components(self, X):
        """Forecasts of the AR part and the network's addition, separately."""
        nested = self._nested()
        device = self.module_.x_loc.device
        x = torch.as_tensor(writable(np.ascontiguousarray(X)), device=device,
                            dtype=nested.coef.dtype)
        anchor = 0.0
        if self.difference_:
            anchor = X[:, -1, :1]
            x = relative_to_last(x)
        self.module_.eval()
        with torch.no_grad():
            base = nested.linear(x).double().cpu().numpy() + anchor
            addition = nested.inner(x).double().cpu().numpy()
        return base, addition

    # ------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the autoregression and the network to windows and targets.

        With ``holdout_fraction > 0`` the model is first fitted without the
        most recent windows and tested on them (how much of the network to
        keep, the scale of the forecast errors per horizon), then fitted
        on all windows with the same decisions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_variables) or \
(n_samples, n_timesteps)
            Windows of past observations, oldest first; variable 0 is the
            target series. 2-D X is a univariate series.
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            The target in the period after each window (and the following
            ones, for direct multi-step forecasts). The columns of a 2-D y
            are horizons; a DataFrame whose columns are not named 'h1',
            ..., 'hH' (several target variables) is refused.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the windows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        decision = self.__dict__.pop("_handed_down", None)
        self._validate_params()
        Xw, Y = self._check_windows(X, y, reset=True)
        w = _check_sample_weight(sample_weight, Xw, dtype=np.float64,
                                 ensure_non_negative=True)
        self._record_series(y)
        n = len(Xw)
        if decision is None:
            decision = self._decide(Xw, Y, w)
        n_hold = n_held_out(n, self.holdout_fraction)
        held_out = None
        if n_hold:
            held_out = hold_out(self, Xw, Y, w, n - n_hold, decision)
        self._decision, self._ar_weight = decision, w
        try:
            super().fit(X, y, sample_weight=sample_weight)
        finally:
            del self._decision, self._ar_weight
        X, Y = self._check_windows(X, y, reset=False)
        gates = held_out[0] if held_out is not None else [
            1.0 if self.holdout_fraction == 0 or self.ar_order_ is None
            else 0.0]
        self._set_gate(gates[0], gates)
        residuals = Y - self._linear_predictor(X).cpu().numpy()
        positive = w > 0
        if held_out is not None:
            # the held-out period may be calmer than the sample: widen the
            # bands to the full-sample residual spread, never narrow them
            recent = positive & (np.arange(n) >= n - n_hold)
            factor = max(1.0, float(np.sqrt(
                np.mean(residuals[positive, 0] ** 2) /
                max(np.mean(residuals[recent, 0] ** 2), 1e-300))))
            self.holdout_errors_ = held_out[1]
            self.error_scales_ = ErrorScales(held_out[1], self.difference_,
                                             factor)
        else:
            self.holdout_errors_ = self.error_scales_ = None
        self.residuals_ = residuals[positive]
        return self

    def _record_series(self, y):
        """Check the windows against ``ar_order`` and ``known_future``;
        keep what ``y`` says of the series to check histories against."""
        if isinstance(self.ar_order, Integral) and \
                self.ar_order > self.n_timesteps_:
            raise ValueError(
                f"ar_order={self.ar_order} is longer than the windows "
                f"(n_timesteps={self.n_timesteps_}); make longer windows "
                "(make_windows(..., lags=...)) or use a smaller ar_order.")
        self._variables, self._frequency = series_record(
            y, self.n_variables_, self.known_future)
        self._season = season_of_frequency(
            None if self._frequency is None else self._frequency[1])

    def _check_history(self, frame, name="history"):
        """Refuse a history (target first) other than the windows' series."""
        check_history(frame, getattr(self, "_variables", None),
                      getattr(self, "_frequency", None),
                      type(self).__name__, name)

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags
