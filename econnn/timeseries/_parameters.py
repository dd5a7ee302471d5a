"""Hyperparameters of SequenceForecaster and PanelForecaster, declared once."""

from numbers import Integral, Real

from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _hyperparameters as hp
from .._declaration import Param
from ._networks import SEQUENCE_MODULES

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
    16,
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
    value and the model predicts the target's change from its last
    observed value, which is added back. Forecasts of a trending
    (integrated) series then follow the level beyond the training range
    rather than flattening out. 'auto' decides once per fit with two unit-root
    tests on the target series: changes only when the augmented
    Dickey-Fuller test does not reject a unit root *and* the KPSS test
    rejects stationarity, both at 5% (levels with fewer than 50 windows,
    or when the tests disagree). The decision and both p-values are kept
    in ``difference_`` and ``stationarity_tests_``.
    """,
)

AR_ORDER = Param(
    "ar_order",
    "auto",
    [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left"), None],
    "'auto', int or None",
    """
    Order of the autoregression the network is nested around: the forecast
    is ``AR(window) + gate * network(window)``, where the network is
    trained on the AR's residuals. 'auto' chooses the order by AIC from 0
    to the window length (the last rows of every variable enter; with
    windows of two years, seasonal lags are among the candidates; with
    ``seasonal_ar=True``, ARs of the seasonal differences too); an
    integer fixes it; None drops the AR and the network models the target
    alone.
    """,
)

SEASONAL_AR = Param(
    "seasonal_ar",
    False,
    ["boolean"],
    "bool",
    """
    Whether ``ar_order='auto'`` also considers, for quarterly and monthly
    series (the period read from the targets' PeriodIndex or
    DatetimeIndex, as :func:`make_windows` makes them) with univariate
    windows, ARs of the seasonal differences: ``(1 - L^m) y_t = c +
    sum_{i<=p} phi_i (1 - L^m) y_{t-i}`` with ``m`` 4 or 12, the seasonal
    unit root imposed rather than estimated, as in a seasonal ARIMA. The
    AIC chooses among them and the unrestricted ARs on the same windows;
    the choice is in ``ar_season_``.
    """,
)

KNOWN_FUTURE = Param(
    "known_future",
    None,
    [list, tuple, None],
    "tuple of str or None",
    """
    Covariates whose future values are known when forecasting, entered in
    the windows ``horizon`` periods ahead (``make_windows(...,
    known_future=...)``, with the same columns). :meth:`forecast` then
    reads their values in the forecast periods from ``exog_future``.
    """,
)

HOLDOUT = Param(
    "holdout_fraction",
    0.25,
    [Interval(Real, 0, 0.5, closed="both")],
    "float",
    """
    Share of the windows, the most recent ones, on which a first fit of the
    model is tested before the final fit on all of them. The held-out
    forecast errors decide how much of the network to keep (``gate_``, 0
    when the network does not improve on the AR out of sample; one weight
    per recursive step of a multi-step forecast, ``step_gates_``) and
    calibrate the prediction intervals, per horizon (``error_scales_``).
    0 skips this: the network is kept in full and intervals come from
    in-sample residuals. With fewer than 10 held-out or 20 remaining windows
    the holdout is skipped and the model is the AR alone (``gate_=0``).
    """,
)


#: Training defaults that differ from NNRegressor's: the network only models
#: what the AR leaves, so a few hundred windows are trained in full batches
#: (one step per epoch, a few seconds per fit on one core) at a larger rate.
TRAINING = hp.with_defaults(hp.TRAINING, learning_rate_init=1e-2)


# -------------------------------------------------------- PanelForecaster
FORECASTER = Param(
    "forecaster",
    None,
    [HasMethods(["fit", "forecast"]), None],
    "SequenceForecaster or None",
    """
    The global model's configuration (unfitted; cloned at fit). None means
    ``SequenceForecaster()`` with its defaults. Its ``difference`` is
    applied per series ('auto': ADF and KPSS on each series), its
    ``holdout_fraction`` is the share of each series' most recent windows
    held out, its ``ar_order`` is the order of the pooled AR (an ARX with
    covariates), and its ``known_future`` names the covariates whose
    future values are known.
    """,
)

PANEL_LAGS = Param(
    "lags",
    "auto",
    [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "int or 'auto'",
    """
    Window length, as for :func:`make_windows`; 'auto' is chosen on the
    shortest series.
    """,
)

PANEL_HORIZON = Param(
    "horizon",
    1,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Number of future periods forecast directly from each window (later
    periods are forecast recursively).
    """,
)

ID_COLUMN = Param(
    "id_column",
    None,
    [str, None],
    "str or None",
    """
    Column of the panel holding the series id, when the panel is indexed
    by period alone; None: the panel is indexed by a (series id, period)
    MultiIndex.
    """,
)

POOLED_AR = Param(
    "pooled_ar",
    True,
    ["boolean"],
    "bool",
    """
    Whether the linear part is one AR for all series (on the per-series
    standardised data: a panel AR with a fixed effect per series and common
    slopes, the forecaster's ``ar_order``) or an AR per series (order by
    AIC per series). The network is pooled either way, trained on what the
    AR leaves. A pooled AR borrows strength across short series with
    common dynamics; an AR per series suits series of different
    persistence (rates beside growth rates), and makes the model with the
    network gated off exactly the per-series AR.
    """,
)

PANEL_TARGET = Param(
    "target",
    None,
    [str, None],
    "str or None",
    """
    Column of the panel to forecast, as for :func:`make_windows`; None
    means the first column. The other columns are covariates: their lags
    enter every window (standardised per series, differenced with the
    target), and those named in the forecaster's ``known_future`` enter
    ``horizon`` periods ahead, read from ``exog_future`` at forecast time.
    """,
)

PANEL = [FORECASTER, PANEL_LAGS, PANEL_HORIZON, ID_COLUMN, POOLED_AR,
         PANEL_TARGET]
