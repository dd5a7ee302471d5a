"""Bad input to the toolkit: a clear error naming the problem, or a correct
result.

The companion of ``test_bad_input.py`` (the estimators) for
``marginal_effects``, ``compare_models``, ``check_gradients``,
``summary``, ``make_windows`` and ``SequenceForecaster.forecast``: each case
asserts a scikit-learn style ``ValueError``/``TypeError`` whose message
names the problem, or a finite, correct result -- never an internal error
or NaN returned silently.
"""

import functools
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import LeaveOneOut, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from econnn import (AutoencoderTransformer, LogitClassifier, NNClassifier,
                    NNRegressor, OLSRegressor, SequenceForecaster,
                    check_gradients, compare_models, make_windows,
                    marginal_effects)

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow])

RNG = np.random.RandomState(1)
N = 30
X = RNG.normal(size=(N, 3))
Y = X @ [1.0, -1.0, 0.5] + 0.1 * RNG.normal(size=N)
# not separable: the logit's probabilities stay inside (0, 1)
LABELS = np.where(X[:, 0] + RNG.logistic(size=N) > 0, "yes", "no")
COLS = ["a", "b", "c"]
FRAME = pd.DataFrame(X, columns=COLS)
W = np.ones(N)
FAST = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
            n_ensemble=1, early_stopping=False)

T = 40
PERIODS = pd.period_range("2000Q1", periods=T, freq="Q")
SERIES = pd.DataFrame({"gdp": np.cumsum(RNG.normal(size=T)),
                       "rate": RNG.normal(size=T)}, index=PERIODS)


@functools.cache
def fitted(kind):
    """A fitted model (shared: cases must not modify it)."""
    if kind == "reg":
        return NNRegressor(**FAST).fit(FRAME, Y)
    if kind == "reg-array":
        return NNRegressor(**FAST).fit(X, Y)
    if kind == "clf":
        return NNClassifier(**FAST).fit(FRAME, LABELS)
    if kind == "ae":
        return AutoencoderTransformer(n_components=2, hidden_layer_sizes=(4,),
                                      max_iter=3, random_state=0).fit(FRAME)
    if kind == "ols":
        return OLSRegressor().fit(FRAME, Y)
    if kind == "logit":
        return LogitClassifier().fit(FRAME, LABELS)
    if kind == "pipe":
        return make_pipeline(StandardScaler(), NNRegressor(**FAST)).fit(
            FRAME, Y)
    if kind == "fc":
        Xw, yw = make_windows(SERIES[["gdp"]], lags=4)
        return SequenceForecaster(hidden_size=4, max_iter=3,
                                  random_state=0).fit(Xw, yw)
    if kind == "fc-multi":
        Xw, yw = make_windows(SERIES, lags=4)
        return SequenceForecaster(hidden_size=4, max_iter=3,
                                  random_state=0).fit(Xw, yw)
    raise KeyError(kind)


# ----------------------------------------------------------------- checks
def finite(result):
    values = np.asarray(result, dtype=np.float64)
    assert np.isfinite(values).all(), f"non-finite result: {values!r}"
    return values


def effects_ok(n_features=3, with_se=False):
    def check(frame):
        finite(frame["effect"])
        assert len(frame) % n_features == 0
        if with_se:
            finite(frame[["std_err", "ci_low", "ci_high"]])
    return check


def error(pattern, exc=ValueError):
    return ("error", exc, pattern)


def ok(check=finite):
    return ("ok", check)


CASES = []


def add(case_id, call, expect):
    CASES.append(pytest.param(call, expect, id=case_id))


NAN = error("Input X contains NaN")
INF = error("Input X contains infinity")
EMPTY = error(r"0 sample\(s\)")
LENGTHS = error("inconsistent numbers of samples")
WIDTH = error(r"X has 2 features, but \w+ is expecting 3 features")
RENAMED = error("feature names should match")
REORDERED = error("Feature names must be in the same order")
SW_LENGTH = error(r"sample_weight.shape == \(\d+,\), expected \(30,\)")
SW_NEGATIVE = error("Negative values in data passed to `sample_weight`")
SW_ZERO = error("at least one non-zero")
SW_NAN = error("Input sample_weight contains NaN")
CATEGORICAL = error("'c'.*categorical", TypeError)
DATES = error("'c'.*(date|time)", TypeError)
STRINGS = error("'c'.*non-numeric")


def with_col(values, frame=FRAME):
    return frame.assign(c=values)


def nan_at(A, value=np.nan):
    A = np.array(A, dtype=np.float64)
    A[3, 1] = value
    return A


# -------------------------------------------------------- marginal_effects
def me(kind, X_=FRAME, **kw):
    return marginal_effects(fitted(kind), X_, **kw)


for k in ("reg", "clf", "ols", "logit", "pipe"):
    add(f"me-{k}-renamed", lambda k=k: me(
        k, FRAME.set_axis(["a", "b", "z"], axis=1)), RENAMED)
    add(f"me-{k}-reordered", lambda k=k: me(k, FRAME[["c", "a", "b"]]),
        REORDERED)
    add(f"me-{k}-narrow", lambda k=k: me(k, X[:, :2]), WIDTH)
    add(f"me-{k}-wide", lambda k=k: me(k, np.c_[X, X]),
        error(r"X has 6 features, but \w+ is expecting 3"))
    add(f"me-{k}-nan", lambda k=k: me(k, nan_at(FRAME)), NAN)
    add(f"me-{k}-inf", lambda k=k: me(k, nan_at(FRAME, np.inf)), INF)
    add(f"me-{k}-empty", lambda k=k: me(k, FRAME.iloc[:0]), EMPTY)
    add(f"me-{k}-3d", lambda k=k: me(k, X.reshape(N, 3, 1)),
        error("dim 3|2-dimensional|2D"))
    add(f"me-{k}-1d", lambda k=k: me(k, X[:, 0]), error("2D|2-dim"))
    add(f"me-{k}-sparse", lambda k=k: me(k, sp.csr_matrix(X)),
        error("dense"))
    add(f"me-{k}-categorical", lambda k=k: me(k, with_col(pd.Categorical(
        [1.0, 2.0] * (N // 2)))), CATEGORICAL)
    add(f"me-{k}-datetime", lambda k=k: me(k, with_col(pd.date_range(
        "2000", periods=N))), DATES)
    add(f"me-{k}-strings", lambda k=k: me(k, with_col(["x"] * N)), STRINGS)
    add(f"me-{k}-Float64-NA", lambda k=k: me(k, with_col(pd.array(
        [None] + list(X[1:, 2]), dtype="Float64"))), NAN)
    add(f"me-{k}-sw-nan", lambda k=k: me(
        k, sample_weight=np.r_[np.nan, W[1:]]), SW_NAN)
    add(f"me-{k}-sw-zero", lambda k=k: me(k, sample_weight=0 * W), SW_ZERO)
    add(f"me-{k}-sw-negative", lambda k=k: me(
        k, sample_weight=np.r_[-1.0, W[1:]]), SW_NEGATIVE)
    add(f"me-{k}-sw-short", lambda k=k: me(k, sample_weight=W[:-1]),
        SW_LENGTH)
    add(f"me-{k}-one-row", lambda k=k: me(k, FRAME.iloc[:1]),
        ok(effects_ok()))
    add(f"me-{k}-constant-column", lambda k=k: me(k, with_col(1.0)),
        ok(effects_ok()))
    add(f"me-{k}-sw-some-zeros", lambda k=k: me(
        k, sample_weight=np.r_[np.zeros(5), W[5:]]), ok(effects_ok()))
    add(f"me-{k}-Int64", lambda k=k: me(k, with_col(pd.array(
        np.arange(N) % 3, dtype="Int64"))), ok(effects_ok()))
    add(f"me-{k}-eyex", lambda k=k: me(k, method="eyex", discrete=None),
        ok(effects_ok()))
y_of = {"reg": Y, "ols": Y, "clf": LABELS}
for k in ("reg", "ols", "clf"):
    y = y_of[k]
    add(f"me-{k}-y-short", lambda k=k, y=y: me(k, y=y[:-1], n_boot=2),
        LENGTHS)
    add(f"me-{k}-y-short-no-bootstrap", lambda k=k, y=y: me(k, y=y[:-1]),
        LENGTHS)
    add(f"me-{k}-n-boot-without-y", lambda k=k: me(k, n_boot=2),
        error("n_boot=2 needs the training target y"))
    add(f"me-{k}-groups-short", lambda k=k, y=y: me(
        k, y=y, groups=np.arange(N - 1) % 3, n_boot=2), LENGTHS)
    add(f"me-{k}-groups-missing", lambda k=k, y=y: me(
        k, y=y, groups=[None] + [1, 2] * (N // 2 - 1) + [1], n_boot=2),
        error("groups contains missing"))
    add(f"me-{k}-groups-one-cluster", lambda k=k, y=y: me(
        k, y=y, groups=np.ones(N), n_boot=2), error("at least 2 clusters"))
    add(f"me-{k}-groups-2d", lambda k=k, y=y: me(
        k, y=y, groups=np.ones((N, 2)), n_boot=2),
        error("groups must be 1-dimensional"))
    add(f"me-{k}-bootstrap", lambda k=k, y=y: me(
        k, y=y, n_boot=2, random_state=0, groups=np.arange(N) % 5),
        ok(effects_ok(with_se=True)))
add("me-reg-y-nan", lambda: me("reg", y=np.r_[np.nan, Y[1:]], n_boot=2),
    error("Input y contains NaN"))
for name, kw, pattern in [
        ("n-boot-1", dict(n_boot=1, y=Y), "n_boot"),
        ("n-boot-negative", dict(n_boot=-1), "n_boot"),
        ("n-boot-float", dict(n_boot=2.5, y=Y), "n_boot"),
        ("n-boot-bool", dict(n_boot=True, y=Y), "n_boot"),
        ("alpha-0", dict(alpha=0), "alpha"),
        ("alpha-1.5", dict(alpha=1.5), "alpha"),
        ("alpha-nan", dict(alpha=np.nan), "alpha"),
        ("at", dict(at="mode"), "at must"),
        ("method", dict(method="dy"), "method"),
        ("derivative", dict(derivative="exact"), "derivative"),
        ("feature-unknown", dict(features=["z"]), "Unknown feature"),
        ("feature-out-of-range", dict(features=[3]), "out of range"),
        ("feature-negative", dict(features=[-1]), "out of range"),
        ("discrete-unknown", dict(discrete=["z"]), "Unknown feature")]:
    add(f"me-reg-{name}", lambda kw=kw: me("reg", **kw), error(pattern))
add("me-ae", lambda: me("ae"), error("regressor or classifier",
                                     TypeError))
add("me-pca", lambda: marginal_effects(PCA(2).fit(X), X),
    error("regressor or classifier", TypeError))
add("me-not-fitted", lambda: marginal_effects(NNRegressor(), X),
    error("not fitted", NotFittedError))
add("me-ols-autograd", lambda: me("ols", derivative="autograd"),
    error("econnn estimator"))
add("me-reg-huge", lambda: me("reg", FRAME * 1e300),
    error("too large|float32|range|precision|infinity"))
add("me-eyex-zero-prediction", lambda: marginal_effects(OLSRegressor(
    fit_intercept=False).fit(X, np.zeros(N)), X, method="eyex"),
    error("exactly 0"))
add("me-reg-array-frame-input", lambda: marginal_effects(
    fitted("reg-array"), FRAME), ok(effects_ok()))
add("me-reg-tiny", lambda: me("reg", FRAME * 1e-300), ok(effects_ok()))
add("me-reg-matches-predict-validation", lambda: me(
    "reg", FRAME.set_axis(["a", "b", "z"], axis=1)), RENAMED)

# ---------------------------------------------------------- compare_models
MODELS = {"mean": DummyRegressor(), "OLS": OLSRegressor()}
for name, call, expect in [
        ("not-dict", lambda: compare_models([OLSRegressor()], X, Y),
         error("models must be a non-empty dict")),
        ("empty", lambda: compare_models({}, X, Y),
         error("models must be a non-empty dict")),
        ("not-estimator", lambda: compare_models({"x": "ols"}, X, Y, cv=2),
         error("clone|estimator", TypeError)),
        ("nan", lambda: compare_models(MODELS, nan_at(X), Y, cv=2), NAN),
        ("y-short", lambda: compare_models(MODELS, X, Y[:-1], cv=2),
         LENGTHS),
        ("cv-1", lambda: compare_models(MODELS, X, Y, cv=1),
         error("n_splits|cv")),
        ("cv-too-many", lambda: compare_models(MODELS, X, Y, cv=N + 1),
         error("n_splits|number of samples")),
        ("one-split", lambda: compare_models(MODELS, X, Y, cv=ShuffleSplit(
            1, random_state=0)), error("at least 2 folds")),
        ("leave-one-out-r2", lambda: compare_models(MODELS, X, Y,
                                                    cv=LeaveOneOut()),
         error("non-finite test score")),
        ("scoring", lambda: compare_models(MODELS, X, Y, cv=2,
                                           scoring="bogus"),
         error("scoring|bogus")),
        ("groups-short", lambda: compare_models(
            MODELS, X, Y, cv=2, groups=np.arange(N - 1)), LENGTHS),
        ("sw-short", lambda: compare_models(
            {"OLS": OLSRegressor()}, X, Y, cv=2,
            params={"sample_weight": W[:-1]}),
         error("sample_weight|inconsistent|length")),
        ("categorical", lambda: compare_models(
            {"net": NNRegressor(**FAST)}, with_col(pd.Categorical(
                ["u", "v"] * (N // 2))), Y, cv=2), CATEGORICAL),
        ("network-and-ols", lambda: compare_models(
            {"net": NNRegressor(**FAST), "OLS": OLSRegressor()}, FRAME, Y,
            cv=2), ok(lambda t: finite(t.to_numpy()))),
]:
    add(f"compare-{name}", call, expect)


# --------------------------------------------------------- check_gradients
def grads(kind="reg", X_=FRAME, y="auto", **kw):
    y = {"reg": Y, "clf": LABELS, "ae": None}[kind] if \
        isinstance(y, str) else y
    return check_gradients(fitted(kind), X_, y, **kw)


def grads_ok(result):
    assert len(result) > 0
    finite(result[["backprop", "numerical"]])
    assert result.attrs["max_rel_error"] < 1e-3


for name, kw, pattern in [
        ("n-checks-0", dict(n_checks=0), "n_checks"),
        ("n-checks-negative", dict(n_checks=-2), "n_checks"),
        ("n-checks-float", dict(n_checks=2.5), "n_checks"),
        ("eps-0", dict(eps=0.0), "eps"),
        ("eps-negative", dict(eps=-1e-6), "eps"),
        ("eps-nan", dict(eps=np.nan), "eps"),
        ("eps-inf", dict(eps=np.inf), "eps"),
        ("sw-zero", dict(sample_weight=0 * W), "at least one non-zero"),
        ("sw-negative", dict(sample_weight=-W), "Negative values"),
        ("sw-nan", dict(sample_weight=np.r_[np.nan, W[1:]]),
         "sample_weight contains NaN"),
        ("sw-short", dict(sample_weight=W[:-1]), "sample_weight.shape"),
        ("y-short", dict(y=Y[:-1]), "inconsistent numbers of samples"),
        ("y-nan", dict(y=np.r_[np.nan, Y[1:]]), "Input y contains NaN"),
        ("x-nan", dict(X_=nan_at(FRAME)), "Input X contains NaN"),
        ("renamed", dict(X_=FRAME.set_axis(["a", "b", "z"], axis=1)),
         "feature names should match"),
        ("narrow", dict(X_=X[:, :2]), "X has 2 features")]:
    add(f"gradcheck-{name}", lambda kw=kw: grads(**kw), error(pattern))
add("gradcheck-clf-unseen-label", lambda: grads(
    "clf", y=np.array(["maybe"] * N)), error("labels not seen"))
add("gradcheck-ols", lambda: check_gradients(fitted("ols"), X, Y),
    error("econnn network estimator", TypeError))
add("gradcheck-not-fitted", lambda: check_gradients(NNRegressor(), X, Y),
    error("not fitted", NotFittedError))
add("gradcheck-ae", lambda: grads("ae"), ok(grads_ok))
add("gradcheck-one-row", lambda: grads(X_=FRAME.iloc[:1], y=Y[:1]),
    ok(grads_ok))
add("gradcheck-n-checks-above-size", lambda: grads(n_checks=10 ** 6),
    ok(grads_ok))
add("gradcheck-forecaster", lambda: check_gradients(
    fitted("fc"), *make_windows(SERIES[["gdp"]], lags=4)), ok(grads_ok))


# ----------------------------------------------------------------- summary
def text_has(pattern):
    def check(summary):
        assert re.search(pattern, str(summary)), str(summary)
    return check


for name, call, expect in [
        ("reg-x-without-y", lambda: fitted("reg").summary(FRAME),
         error("X but no y")),
        ("reg-y-without-x", lambda: fitted("reg").summary(y=Y),
         error("y but no X")),
        ("reg-y-short", lambda: fitted("reg").summary(FRAME, Y[:-1]),
         LENGTHS),
        ("reg-nan", lambda: fitted("reg").summary(nan_at(FRAME), Y), NAN),
        ("reg-renamed", lambda: fitted("reg").summary(
            FRAME.set_axis(["a", "b", "z"], axis=1), Y), RENAMED),
        ("reg-ok", lambda: fitted("reg").summary(FRAME, Y),
         ok(text_has(r"R\^2 on given data\s+-?\d"))),
        ("clf-ok", lambda: fitted("clf").summary(FRAME, LABELS),
         ok(text_has(r"accuracy on given data\s+\d"))),
        ("ae-x-alone", lambda: fitted("ae").summary(FRAME),
         ok(text_has(r"score on given data\s+-?\d"))),
        ("fc-ok", lambda: fitted("fc").summary(
            *make_windows(SERIES[["gdp"]], lags=4)),
         ok(text_has(r"R\^2 on given data"))),
        ("ols-x-y", lambda: fitted("ols").summary(FRAME, Y),
         ok(text_has(r"R\^2 on the given data: \d"))),
        ("ols-x-without-y", lambda: fitted("ols").summary(FRAME),
         error("X but no y")),
        ("ols-renamed", lambda: fitted("ols").summary(
            FRAME.set_axis(["a", "b", "z"], axis=1), Y), RENAMED),
        ("logit-x-y", lambda: fitted("logit").summary(FRAME, LABELS),
         ok(text_has(r"Accuracy on the given data: \d"))),
        ("logit-alpha", lambda: fitted("logit").summary(alpha=0.1),
         ok(text_has(r"0\.05"))),
        ("not-fitted", lambda: NNRegressor().summary(),
         error("not fitted", NotFittedError)),
        ("ols-not-fitted", lambda: OLSRegressor().summary(),
         error("not fitted", NotFittedError)),
]:
    add(f"summary-{name}", call, expect)


# ------------------------------------------------------------ make_windows
def frame_with(**columns):
    return SERIES.assign(**columns)


for name, call, expect in [
        ("datetime-column", lambda: make_windows(frame_with(
            c=pd.date_range("2000", periods=T)), lags=2), DATES),
        ("timedelta-column", lambda: make_windows(frame_with(
            c=pd.to_timedelta(np.arange(T), unit="D")), lags=2), DATES),
        ("categorical-column", lambda: make_windows(frame_with(
            c=pd.Categorical([1, 2] * (T // 2))), lags=2), CATEGORICAL),
        ("string-column", lambda: make_windows(frame_with(
            c=["x"] * T), lags=2), STRINGS),
        ("Int64-NA", lambda: make_windows(frame_with(c=pd.array(
            [None] + [1] * (T - 1), dtype="Int64")), lags=2),
         error("NaN or infinite")),
        ("nan", lambda: make_windows(frame_with(
            c=np.r_[np.nan, np.ones(T - 1)]), lags=2),
         error("NaN or infinite")),
        ("duplicate-timestamps", lambda: make_windows(SERIES.set_axis(
            PERIODS[[0] + list(range(T - 1))]), lags=2),
         error("duplicate timestamps")),
        ("duplicate-dates", lambda: make_windows(SERIES.set_axis(
            pd.DatetimeIndex(["2000-01-01"] * 2 + list(pd.date_range(
                "2000-02-01", periods=T - 2, freq="MS")))), lags=2),
         error("duplicate timestamps")),
        ("missing-period", lambda: make_windows(SERIES.drop(PERIODS[5]),
                                                lags=2),
         error("missing periods between 2001Q1 and 2001Q3")),
        ("NaT-index", lambda: make_windows(SERIES.set_axis(pd.DatetimeIndex(
            [pd.NaT] + list(pd.date_range("2000", periods=T - 1)))), lags=2),
         error("NaT")),
        ("unsorted", lambda: make_windows(SERIES.iloc[::-1], lags=2),
         error("sorted by time")),
        ("integer-index", lambda: make_windows(SERIES.reset_index(drop=True),
                                               lags=2),
         error("indexed by time", TypeError)),
        ("ndarray", lambda: make_windows(SERIES.to_numpy(), lags=2),
         error("Series or DataFrame", TypeError)),
        ("lags-0", lambda: make_windows(SERIES, lags=0), error("lags")),
        ("lags-float", lambda: make_windows(SERIES, lags=2.5),
         error("lags")),
        ("lags-bool", lambda: make_windows(SERIES, lags=True),
         error("lags")),
        ("horizon-0", lambda: make_windows(SERIES, lags=2, horizon=0),
         error("horizon")),
        ("too-short", lambda: make_windows(SERIES, lags=T),
         error("fewer than lags \\+ horizon")),
        ("empty", lambda: make_windows(SERIES.iloc[:0], lags=1),
         error("fewer than lags")),
        ("no-columns", lambda: make_windows(SERIES[[]], lags=1),
         error("no columns")),
        ("target-missing", lambda: make_windows(SERIES, lags=2,
                                                target="cpi"),
         error("target='cpi' is not a column")),
        ("series-target-mismatch", lambda: make_windows(
            SERIES["gdp"], lags=2, target="rate"), error("target='rate'")),
        ("bool-column", lambda: make_windows(frame_with(
            c=np.arange(T) % 2 == 0), lags=2),
         ok(lambda r: finite(r[0]))),
        ("huge-values", lambda: make_windows(SERIES * 1e300, lags=2),
         ok(lambda r: finite(r[0]))),
        ("Int64", lambda: make_windows(frame_with(c=pd.array(
            np.arange(T), dtype="Int64")), lags=2),
         ok(lambda r: np.testing.assert_array_equal(r[0][0, :, 2], [0, 1]))),
        ("tz-aware-index", lambda: make_windows(SERIES.set_axis(
            pd.date_range("2000", periods=T, freq="D", tz="UTC")), lags=2),
         ok(lambda r: finite(r[0]))),
]:
    add(f"windows-{name}", call, expect)


# ---------------------------------------------------------------- forecast
def fc(history=SERIES[["gdp"]], steps=3, kind="fc", **kw):
    return fitted(kind).forecast(history, steps, **kw)


for name, call, expect in [
        ("steps-0", lambda: fc(steps=0), error("steps")),
        ("steps-float", lambda: fc(steps=2.5), error("steps")),
        ("n-paths-0", lambda: fc(level=0.9, n_paths=0), error("n_paths")),
        ("level-0", lambda: fc(level=0.0), error("level")),
        ("level-1", lambda: fc(level=1.0), error("level")),
        ("level-nan", lambda: fc(level=np.nan), error("level")),
        ("level-empty", lambda: fc(level=[]), error("level")),
        ("history-short", lambda: fc(SERIES[["gdp"]].iloc[:3]),
         error("fewer than the n_timesteps_=4")),
        ("history-wrong-variables", lambda: fc(SERIES),
         error("history has 2 variable")),
        ("history-nan", lambda: fc(SERIES[["gdp"]].assign(
            gdp=np.r_[np.ones(T - 1), np.nan])), error("NaN or infinite")),
        ("history-not-time-indexed", lambda: fc(
            SERIES[["gdp"]].reset_index(drop=True)),
         error("indexed by time", TypeError)),
        ("history-duplicates", lambda: fc(SERIES[["gdp"]].set_axis(
            PERIODS[[0] + list(range(T - 1))])),
         error("duplicate timestamps")),
        ("history-datetime-column", lambda: fc(SERIES[["gdp"]].assign(
            gdp=pd.date_range("2000", periods=T))), error("date", TypeError)),
        ("history-no-frequency", lambda: fc(SERIES[["gdp"]].iloc[:5]
                                            .set_axis(pd.DatetimeIndex(
                                                ["2000-01-01", "2000-01-03",
                                                 "2000-01-04", "2000-01-09",
                                                 "2000-01-10"]))),
         error("frequency")),
        ("exog-missing", lambda: fc(SERIES, steps=3, kind="fc-multi"),
         error("needs their future values")),
        ("exog-short", lambda: fc(SERIES, steps=3, kind="fc-multi",
                                  exog_future=pd.DataFrame({"rate": [0.0]})),
         error("need at least 2")),
        ("exog-nan", lambda: fc(SERIES, steps=3, kind="fc-multi",
                                exog_future=pd.DataFrame(
                                    {"rate": [0.0, np.nan]})),
         error("exog_future contains NaN")),
        ("exog-wrong-width", lambda: fc(SERIES, steps=3, kind="fc-multi",
                                        exog_future=np.zeros((2, 3))),
         error("one column per covariate")),
        ("exog-wrong-column", lambda: fc(SERIES, steps=3, kind="fc-multi",
                                         exog_future=pd.DataFrame(
                                             {"cpi": [0.0, 1.0]})),
         error("lacks the covariate")),
        ("exog-datetime", lambda: fc(SERIES, steps=3, kind="fc-multi",
                                     exog_future=pd.DataFrame(
                                         {"rate": pd.date_range(
                                             "2000", periods=2)})),
         error("'rate'.*date", TypeError)),
        ("n-paths-too-few", lambda: fc(level=0.9, n_paths=20),
         error("too few simulated paths")),
        ("ok-intervals", lambda: fc(level=(0.5, 0.9), n_paths=250),
         ok(lambda r: finite(r.to_numpy()))),
        ("ok-multi-with-exog", lambda: fc(
            SERIES, steps=3, kind="fc-multi",
            exog_future=np.zeros((2, 1))), ok()),
        ("history-beyond-float32-result", lambda: fitted("fc").forecast(
            SERIES[["gdp"]] * 1e39, 2), ok()),
]:
    add(f"forecast-{name}", call, expect)


@pytest.mark.parametrize("call, expect", CASES)
def test_bad_input(call, expect):
    kind, *rest = expect
    if kind == "error":
        exc, pattern = rest
        with pytest.raises(exc, match=pattern):
            call()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
        rest[0](result)


# ------------------------------------------------------- property-based
COLUMN_KINDS = st.sampled_from(["float", "int", "bool", "Int64", "Float64NA",
                                "nan", "inf", "datetime", "category",
                                "string", "object-numbers", "huge"])


def _column(kind, n, rng):
    values = rng.normal(size=n)
    return {
        "float": values, "int": np.arange(n), "bool": values > 0,
        "Int64": pd.array(np.arange(n), dtype="Int64"),
        "Float64NA": pd.array([None] + list(values[1:]), dtype="Float64"),
        "nan": np.r_[np.nan, values[1:]],
        "inf": np.r_[values[:-1], np.inf],
        "datetime": pd.date_range("2000", periods=n),
        "category": pd.Categorical(np.arange(n) % 2),
        "string": ["x"] * n,
        "object-numbers": values.astype(object),
        "huge": values * 1e300}[kind]


def _clear(exc):
    assert type(exc) in (ValueError, TypeError), f"internal error {exc!r}"
    assert str(exc)


@SETTINGS
@given(kinds=st.lists(COLUMN_KINDS, min_size=1, max_size=3),
       n=st.integers(0, 12), lags=st.integers(1, 4),
       horizon=st.integers(1, 2), seed=st.integers(0, 3))
def test_property_make_windows(kinds, n, lags, horizon, seed):
    """Any frame: a clear error, or windows that are the data's rows."""
    rng = np.random.RandomState(seed)
    data = pd.DataFrame({f"v{i}": _column(k, n, rng)
                         for i, k in enumerate(kinds)},
                        index=pd.period_range("2000", periods=n, freq="M"))
    try:
        Xw, yw = make_windows(data, lags=lags, horizon=horizon)
    except (ValueError, TypeError) as exc:
        _clear(exc)
        return
    values = data.to_numpy(dtype=np.float64)
    assert np.isfinite(Xw).all()
    assert Xw.shape == (n - lags - horizon + 1, lags, len(kinds))
    np.testing.assert_array_equal(Xw[0], values[:lags])
    np.testing.assert_array_equal(np.asarray(yw).reshape(len(Xw), -1)[0],
                                  values[lags:lags + horizon, 0])


@SETTINGS
@given(kinds=st.lists(COLUMN_KINDS, min_size=3, max_size=3),
       n=st.integers(0, 6), seed=st.integers(0, 3),
       weighted=st.booleans())
def test_property_marginal_effects(kinds, n, seed, weighted):
    """Any evaluation frame: a clear error, or finite effects."""
    rng = np.random.RandomState(seed)
    data = pd.DataFrame({c: _column(k, n, rng)
                         for c, k in zip(COLS, kinds)})
    weights = rng.uniform(0, 2, size=n) if weighted else None
    for kind in ("reg", "clf", "ols"):
        try:
            effects = me(kind, data, sample_weight=weights)
        except (ValueError, TypeError) as exc:
            _clear(exc)
            continue
        finite(effects["effect"])
