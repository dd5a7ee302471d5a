"""Bad input to the estimators: a clear error naming the problem, or a
correct result.

Every case below feeds one public entry point of an estimator
(``fit``, ``predict``, ``predict_proba``, ``transform``,
``inverse_transform``, ``score``, ``partial_fit``; NNRegressor,
NNClassifier, AutoencoderTransformer, SequenceForecaster, OLSRegressor,
LogitClassifier) one kind of bad input -- NaN/inf, empty, one row, huge and
tiny values, constant columns, non-numeric/nullable/sparse/3-D data, wrong,
renamed or reordered columns, bad labels, bad ``sample_weight`` or ``y``
lengths, out-of-range parameters, unknown devices -- and asserts either a
scikit-learn style ``ValueError``/``TypeError`` whose message names the
problem, or a correct result (finite, of the right shape, and where it
matters equal to a reference). Never a torch/pandas internal error
(``RuntimeError``, ``KeyError``, ``IndexError``, ``ZeroDivisionError``...)
and never NaN returned silently. The toolkit's entry points are in
``test_bad_input_toolkit.py``.
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
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError

from econnn import (AutoencoderTransformer, LogitClassifier, NNClassifier,
                    NNRegressor, OLSRegressor, SequenceForecaster)

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow])

RNG = np.random.RandomState(0)
N = 40
X = RNG.normal(size=(N, 3))
Y_REG = X @ [1.0, -1.0, 0.5] + 0.1 * RNG.normal(size=N)
Y_CLF = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
COLS = ["a", "b", "c"]
FRAME = pd.DataFrame(X, columns=COLS)
W = np.ones(N)
WINDOWS = RNG.normal(size=(N, 4, 2))
W_Y = WINDOWS[:, -1, 0] + 0.1 * RNG.normal(size=N)

FAST = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
            n_ensemble=1, early_stopping=False)
MAKERS = {
    "reg": lambda **kw: NNRegressor(**{**FAST, **kw}),
    "clf": lambda **kw: NNClassifier(**{**FAST, **kw}),
    "ae": lambda **kw: AutoencoderTransformer(
        **{"n_components": 2, "hidden_layer_sizes": (4,), "max_iter": 3,
           "random_state": 0, **kw}),
    "fc": lambda **kw: SequenceForecaster(
        **{"hidden_size": 4, "max_iter": 3, "random_state": 0, **kw}),
    "ols": lambda **kw: OLSRegressor(**kw),
    "logit": lambda **kw: LogitClassifier(**kw),
}
TARGET = {"reg": Y_REG, "clf": Y_CLF, "ae": None, "ols": Y_REG,
          "logit": Y_CLF}
NN = ["reg", "clf", "ae"]            # the 2-D network estimators
TABULAR = ["reg", "clf", "ae", "ols", "logit"]
SUPERVISED = ["reg", "clf", "ols", "logit"]


@functools.cache
def fitted(kind, frame=False):
    """A fitted estimator (shared: cases must not modify it)."""
    if kind == "fc":
        return MAKERS["fc"]().fit(WINDOWS, W_Y)
    return MAKERS[kind]().fit(FRAME if frame else X, TARGET[kind])


def fit(kind, X_, y_="default", **fit_kw):
    y_ = TARGET[kind] if isinstance(y_, str) and y_ == "default" else y_
    return MAKERS[kind]().fit(X_, y_, **fit_kw)


def output(kind, est, X_):
    """What the estimator makes of X (its main output method)."""
    if kind == "ae":
        return est.transform(X_)
    if kind in ("clf", "logit"):
        return est.predict_proba(X_)
    return est.predict(X_)


# ----------------------------------------------------------------- checks
def finite(result):
    values = np.asarray(result, dtype=np.float64)
    assert np.isfinite(values).all(), f"non-finite result: {values!r}"
    return values


def fitted_ok(kind, X_check=X):
    """The fit returned a model whose output on X_check is finite."""
    def check(est):
        out = finite(output(kind, est, X_check))
        assert out.shape[0] == np.shape(X_check)[0]
    return check


def shape_ok(shape):
    def check(result):
        assert finite(result).shape == shape
    return check


def close_to(reference, rtol=1e-3, atol=1e-3):
    def check(result):
        np.testing.assert_allclose(finite(result), reference(), rtol=rtol,
                                   atol=atol)
    return check


def not_nan(result):
    assert not np.isnan(result).any(), result


def labels(result):
    assert set(np.unique(result)) <= {"no", "yes"}, result


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
NO_FEATURES = error(r"0 feature\(s\)")
DIM3 = error("Found array with dim 3|Expected 2D")
DIM1 = error("Expected 2D array")
LENGTHS = error("inconsistent numbers of samples")
WIDTH = error(r"X has 2 features, but \w+ is expecting 3 features")
RENAMED = error("feature names should match")
REORDERED = error("Feature names must be in the same order")
SW_LENGTH = error(r"sample_weight.shape == \(\d+,\), expected \(40,\)")
SW_NEGATIVE = error("Negative values in data passed to `sample_weight`")
SW_ZERO = error("at least one non-zero|sum to zero|positive weight")
SW_NAN = error("Input sample_weight contains NaN")
SW_INF = error("Input sample_weight contains infinity")
CATEGORICAL = error("'c'.*categorical", TypeError)
DATES = error("'c'.*(date|time)", TypeError)
STRINGS = error("'c'.*non-numeric|could not convert string")


def with_col(values, frame=FRAME):
    return frame.assign(c=values)


def nan_at(A, value=np.nan):
    A = np.array(A, dtype=np.float64)
    A[3, 1] = value
    return A


# ------------------------------------------------------------------ fit
for k in TABULAR:
    add(f"{k}-fit-nan", lambda k=k: fit(k, nan_at(X)), NAN)
    add(f"{k}-fit-inf", lambda k=k: fit(k, nan_at(X, np.inf)), INF)
    add(f"{k}-fit--inf", lambda k=k: fit(k, nan_at(X, -np.inf)), INF)
    add(f"{k}-fit-empty", lambda k=k: fit(
        k, X[:0], None if TARGET[k] is None else TARGET[k][:0]), EMPTY)
    add(f"{k}-fit-no-columns", lambda k=k: fit(k, X[:, :0]), NO_FEATURES)
    add(f"{k}-fit-3d", lambda k=k: fit(k, X.reshape(N, 3, 1)), DIM3)
    add(f"{k}-fit-1d", lambda k=k: fit(k, X[:, 0]), DIM1)
    add(f"{k}-fit-list-of-strings", lambda k=k: fit(
        k, [["a", "b", "c"]] * N), STRINGS)
    add(f"{k}-fit-categorical-strings", lambda k=k: fit(
        k, with_col(pd.Categorical(["u", "v"] * (N // 2)))), CATEGORICAL)
    add(f"{k}-fit-categorical-numbers", lambda k=k: fit(
        k, with_col(pd.Categorical([1.0, 2.0] * (N // 2)))), CATEGORICAL)
    add(f"{k}-fit-object-strings", lambda k=k: fit(
        k, with_col(["north", "south"] * (N // 2))), STRINGS)
    add(f"{k}-fit-datetime", lambda k=k: fit(
        k, with_col(pd.date_range("2000", periods=N))), DATES)
    add(f"{k}-fit-datetime-tz", lambda k=k: fit(
        k, with_col(pd.date_range("2000", periods=N, tz="UTC"))), DATES)
    add(f"{k}-fit-timedelta", lambda k=k: fit(
        k, with_col(pd.to_timedelta(np.arange(N), unit="D"))), DATES)
    add(f"{k}-fit-datetime-ndarray", lambda k=k: fit(
        k, np.array(["2000-01-01"] * N * 3, dtype="datetime64[D]").reshape(
            N, 3)), error("date|time", TypeError))
    add(f"{k}-fit-Int64-NA", lambda k=k: fit(
        k, with_col(pd.array([1, None] + [2, 3] * (N // 2 - 1),
                             dtype="Int64"))), NAN)
    add(f"{k}-fit-Float64-NA", lambda k=k: fit(
        k, with_col(pd.array([1.5, None] + [2.0, 3.0] * (N // 2 - 1),
                             dtype="Float64"))), NAN)
    add(f"{k}-fit-Int64", lambda k=k: fit(
        k, with_col(pd.array(np.arange(N) % 5, dtype="Int64"))),
        ok(fitted_ok(k, with_col(np.arange(N) % 5))))
    add(f"{k}-fit-Float64", lambda k=k: fit(
        k, with_col(pd.array(X[:, 2], dtype="Float64"))),
        ok(fitted_ok(k, FRAME)))
    add(f"{k}-fit-bool-column", lambda k=k: fit(
        k, with_col(X[:, 2] > 0)), ok(fitted_ok(k, with_col(X[:, 2] > 0))))
    add(f"{k}-fit-object-numbers", lambda k=k: fit(
        k, X.astype(object)), ok(fitted_ok(k)))
    add(f"{k}-fit-y-short", lambda k=k: fit(k, X[:-1]) if k != "ae" else
        MAKERS[k]().fit(X, sample_weight=W[:-1]),
        LENGTHS if k != "ae" else SW_LENGTH)
    add(f"{k}-fit-sw-short", lambda k=k: fit(k, X, sample_weight=W[:-1]),
        SW_LENGTH)
    add(f"{k}-fit-sw-negative", lambda k=k: fit(
        k, X, sample_weight=np.r_[-1.0, W[1:]]), SW_NEGATIVE)
    add(f"{k}-fit-sw-nan", lambda k=k: fit(
        k, X, sample_weight=np.r_[np.nan, W[1:]]), SW_NAN)
    add(f"{k}-fit-sw-inf", lambda k=k: fit(
        k, X, sample_weight=np.r_[np.inf, W[1:]]), SW_INF)
    add(f"{k}-fit-sw-2d", lambda k=k: fit(
        k, X, sample_weight=np.ones((N, 2))), error("1D|1-D|shape"))
    add(f"{k}-fit-sw-strings", lambda k=k: fit(
        k, X, sample_weight=["1"] * (N - 1) + ["a"]),
        error("could not convert|sample_weight"))
    add(f"{k}-fit-sw-zeros", lambda k=k: fit(k, X, sample_weight=0 * W),
        SW_ZERO)
    add(f"{k}-fit-sw-some-zeros", lambda k=k: fit(
        k, X, sample_weight=np.r_[np.zeros(5), W[5:]]), ok(fitted_ok(k)))
    add(f"{k}-fit-constant-column", lambda k=k: fit(
        k, with_col(1.0)), ok(fitted_ok(k, with_col(1.0))))
    add(f"{k}-fit-tiny-values", lambda k=k: fit(k, X * 1e-300),
        ok(fitted_ok(k, X * 1e-300)))

# the networks on one row, huge values and sparse input
for k in NN:
    add(f"{k}-fit-one-row", lambda k=k: fit(
        k, X[:1], None if TARGET[k] is None else TARGET[k][:1]),
        error("only one class") if k == "clf" else ok(fitted_ok(k, X[:1])))
    # squares of such values overflow float64, their spread does not: the
    # same model as on X, in other units
    add(f"{k}-fit-huge-1e300", lambda k=k: output(
        k, fit(k, X * 1e300), X * 1e300), ok(close_to(
            lambda k=k: output(k, fitted(k), X), rtol=1e-4, atol=1e-4)))
    add(f"{k}-fit-beyond-float32", lambda k=k: fit(k, X * 1e39),
        ok(fitted_ok(k, X * 1e39)))
    add(f"{k}-fit-sparse-nan", lambda k=k: fit(
        k, sp.csr_matrix(nan_at(X))),
        NAN if k != "ae" else error("[Ss]parse", TypeError))
for k in ("reg", "clf"):
    add(f"{k}-fit-sparse-csc", lambda k=k: fit(k, sp.csc_matrix(X)),
        ok(fitted_ok(k)))
    add(f"{k}-fit-sparse-coo", lambda k=k: fit(k, sp.coo_matrix(X)),
        ok(fitted_ok(k)))
add("ae-fit-sparse", lambda: fit("ae", sp.csr_matrix(X)),
    error("[Ss]parse", TypeError))
add("ols-fit-sparse", lambda: fit("ols", sp.csr_matrix(X)),
    error("[Ss]parse", TypeError))
# fewer rows than coefficients: the minimum-norm solution, as scikit-learn
add("ols-fit-one-row", lambda: fit("ols", X[:1], Y_REG[:1]),
    ok(fitted_ok("ols")))
add("ols-fit-log-target-negative", lambda: OLSRegressor(
    log_target=True).fit(X, Y_REG), error("log_target=True requires y > 0"))
add("ols-fit-y-strings", lambda: fit("ols", X, ["a"] * N),
    error("could not convert|numeric"))
add("ols-fit-cov-type-unknown", lambda: OLSRegressor(
    cov_type="bogus").fit(X, Y_REG), error("cov_type"))

# targets of the regressors
for k in ("reg", "ols"):
    add(f"{k}-fit-y-nan", lambda k=k: fit(k, X, np.r_[np.nan, Y_REG[1:]]),
        error("Input y contains NaN"))
    add(f"{k}-fit-y-inf", lambda k=k: fit(k, X, np.r_[np.inf, Y_REG[1:]]),
        error("Input y contains infinity"))
    add(f"{k}-fit-y-strings", lambda k=k: fit(k, X, ["a"] * N),
        error("could not convert|numeric"))
    add(f"{k}-fit-y-Float64-NA", lambda k=k: fit(k, X, pd.array(
        [None] + list(Y_REG[1:]), dtype="Float64")),
        error("Input y contains NaN"))
    add(f"{k}-fit-y-constant", lambda k=k: MAKERS[k](**(
        dict(solver="lbfgs", max_iter=30) if k == "reg" else {})).fit(
            X, np.ones(N)), ok(lambda est: close_to(
                lambda: np.ones(N), atol=1e-3)(est.predict(X))))
for big in (1e39, 1e300):         # beyond float32; squares overflow
    add(f"reg-fit-y-times-{big:g}", lambda big=big: fit(
        "reg", X, Y_REG * big).predict(X) / big, ok(close_to(
            lambda: fitted("reg").predict(X), rtol=1e-3, atol=1e-3)))
add("reg-fit-y-spread-overflows", lambda: fit(
    "reg", X, np.where(Y_REG > 0, 1.5e308, -1.5e308)),
    error("overflows float64.*Rescale y"))
# a change of units is not a change of model: columns in tiny units are
# not constant (the scaling's threshold is absolute below |mean| = 1)
for scale in (1e-20, 1e-300):
    add(f"reg-fit-tiny-units-{scale:g}", lambda scale=scale: fit(
        "reg", X * scale).predict(X * scale), ok(close_to(
            lambda: fitted("reg").predict(X), rtol=1e-4, atol=1e-4)))
add("reg-fit-y-3d", lambda: fit("reg", X, Y_REG.reshape(N, 1, 1)),
    error("y|dim"))
add("reg-fit-poisson-negative-y", lambda: NNRegressor(
    loss="poisson", **FAST).fit(X, Y_REG), error("poisson|non-negative|y"))
add("reg-fit-gamma-zero-y", lambda: NNRegressor(
    loss="gamma", **FAST).fit(X, np.abs(Y_REG) * (np.arange(N) > 0)),
    error("gamma|positive|y"))
add("reg-fit-unscaled-overflow", lambda: NNRegressor(
    standardize=False, activation="relu", linear_skip=False,
    **FAST).fit(X * 1e30, Y_REG),
    error("overflow|too large|scale"))

# labels of the classifiers
for k in ("clf", "logit"):
    add(f"{k}-fit-one-class", lambda k=k: fit(k, X, np.ones(N)),
        error("class"))
    add(f"{k}-fit-continuous-labels", lambda k=k: fit(
        k, X, np.linspace(0, 1, N)), error("Unknown label type"))
    add(f"{k}-fit-nan-label", lambda k=k: fit(
        k, X, np.r_[np.nan, np.arange(N - 1) % 2]),
        error("Input y contains NaN|Unknown label"))
    add(f"{k}-fit-none-label", lambda k=k: fit(
        k, X, np.array([None] + ["a", "b"] * (N // 2 - 1) + ["a"],
                       dtype=object)), error("label|None|NaN", (ValueError,
                                                                TypeError)))
    add(f"{k}-fit-mixed-labels", lambda k=k: fit(
        k, X, np.array([1, "a"] * (N // 2), dtype=object)),
        error("Mix of label input types|label"))
    add(f"{k}-fit-y-short", lambda k=k: fit(k, X, Y_CLF[:-1]), LENGTHS)
    add(f"{k}-fit-y-2d-strings", lambda k=k: fit(
        k, X, np.c_[Y_CLF, Y_CLF]), error("multiclass-multioutput|1d "
                                          "array"))
    add(f"{k}-fit-boolean-labels", lambda k=k: fit(k, X, X[:, 0] > 0),
        ok(lambda est: (finite(est.predict_proba(X)),
                        np.testing.assert_array_equal(est.classes_,
                                                      [False, True]))))
    add(f"{k}-fit-one-class-weighted", lambda k=k: fit(
        k, X, Y_CLF, sample_weight=(Y_CLF == "yes").astype(float)),
        error("class|positive|perfect|separation"))
add("logit-fit-multiclass", lambda: fit("logit", X, np.arange(N) % 3),
    error("binary"))
add("clf-fit-multiclass", lambda: fit("clf", X, np.arange(N) % 3),
    ok(lambda est: shape_ok((N, 3))(est.predict_proba(X))))
add("clf-fit-multilabel", lambda: fit("clf", X, np.c_[X[:, :2] > 0]),
    ok(lambda est: shape_ok((N, 2))(est.predict_proba(X))))
add("clf-fit-class-weight-unknown-label", lambda: NNClassifier(
    class_weight={"maybe": 2.0}, **FAST).fit(X, Y_CLF),
    error("class_weight|maybe|label"))
add("clf-fit-class-weight-multilabel", lambda: NNClassifier(
    class_weight="balanced", **FAST).fit(X, np.c_[X[:, :2] > 0]),
    error("class_weight"))

# ------------------------------------------------------- out-of-range params
BAD_PARAMS = {
    "reg": [("hidden_layer_sizes", (0,)), ("hidden_layer_sizes", (-3,)),
            ("hidden_layer_sizes", (2.5,)), ("hidden_layer_sizes", "big"),
            ("activation", "swish"), ("solver", "rmsprop"),
            ("alpha", -1.0), ("l1", -1.0), ("batch_size", 0),
            ("learning_rate", "fast"), ("learning_rate_init", 0.0),
            ("learning_rate_init", np.nan), ("max_iter", 0),
            ("max_iter", 2.5), ("tol", -1.0), ("momentum", 1.5),
            ("validation_fraction", 1.0), ("validation_fraction", 0.0),
            ("beta_1", 1.0), ("beta_2", -0.1), ("epsilon", 0.0),
            ("n_iter_no_change", 0), ("max_grad_norm", 0.0),
            ("precision", "float16"), ("dropout", 1.0), ("dropout", -0.1),
            ("n_ensemble", 0), ("random_state", "seed"), ("loss", "mse"),
            ("quantile", 1.5), ("module", 3), ("standardize", "yes")],
    "clf": [("class_weight", "bogus"), ("hidden_layer_sizes", (0,)),
            ("solver", "newton")],
    "ae": [("n_components", 0), ("noise", -1.0),
           ("decoder_layer_sizes", (0,)), ("hidden_layer_sizes", (-1,))],
    "fc": [("cell", "tcn"), ("hidden_size", 0), ("num_layers", 0),
           ("difference", "maybe"), ("dropout", 1.0)],
    "ols": [("retransformation", "exact"), ("fit_intercept", "yes")],
    "logit": [("fit_intercept", 2), ("cov_type", 3)],
}
for k, items in BAD_PARAMS.items():
    for name, value in items:
        add(f"{k}-param-{name}={value!r}", lambda k=k, name=name,
            value=value: MAKERS[k](**{name: value}).fit(
                *((WINDOWS, W_Y) if k == "fc" else (X, TARGET[k]))),
            error(name))
add("reg-param-unknown-kwarg", lambda: NNRegressor(foo=1, **FAST).fit(
    X, Y_REG), error("foo"))
add("reg-param-module-kwarg-without-module", lambda: NNRegressor(
    module__width=3, **FAST).fit(X, Y_REG), error("module__width"))
add("ae-param-n-components-above-width", lambda: MAKERS["ae"](
    n_components=5).fit(X), error("n_components=5"))
add("reg-param-early-stopping-too-few-rows", lambda: NNRegressor(
    **{**FAST, "early_stopping": True}).fit(X[:3], Y_REG[:3]),
    error("validation"))
add("reg-param-batch-norm-one-row", lambda: NNRegressor(
    batch_norm=True, **FAST).fit(X[:1], Y_REG[:1]), error("batch_norm"))
add("reg-param-hidden-layer-sizes-int", lambda: NNRegressor(
    **{**FAST, "hidden_layer_sizes": 4}).fit(X, Y_REG),
    ok(fitted_ok("reg")))

# unknown devices: a clear ValueError, never torch's RuntimeError
for device in ["banana", "CPU", "gpu", "cuda:99", "meta", "mps",
               "cpu:x", ""]:
    add(f"reg-device-{device!r}", lambda device=device: NNRegressor(
        device=device, **FAST).fit(X, Y_REG), error("device"))
add("fc-device-banana", lambda: MAKERS["fc"](device="banana").fit(
    WINDOWS, W_Y), error("device"))
add("ae-device-banana", lambda: MAKERS["ae"](device="banana").fit(X),
    error("device"))


# ------------------------------------------------ predict / transform / score
METHODS = {"reg": ["predict", "score"],
           "clf": ["predict", "predict_proba", "predict_log_proba", "score"],
           "ae": ["transform", "score"],
           "ols": ["predict", "score"],
           "logit": ["predict", "predict_proba", "score"]}


def predicting(k, method, X_, frame=False):
    """The fitted k's ``method`` applied to X_ (score: with its y)."""
    f = getattr(fitted(k, frame), method)
    if method == "score" and k != "ae":
        return f(X_, TARGET[k][:len(X_)])
    return f(X_)


for k in TABULAR:
    for method in METHODS[k]:
        def call(X_, k=k, method=method, frame=False):
            return predicting(k, method, X_, frame)
        km = f"{k}-{method}"
        add(f"{km}-nan", lambda call=call: call(nan_at(X)), NAN)
        add(f"{km}-inf", lambda call=call: call(nan_at(X, np.inf)), INF)
        add(f"{km}-empty", lambda call=call: call(X[:0]), EMPTY)
        add(f"{km}-narrow", lambda call=call: call(X[:, :2]), WIDTH)
        add(f"{km}-wide", lambda call=call: call(np.c_[X, X]),
            error(r"X has 6 features, but \w+ is expecting 3"))
        add(f"{km}-3d", lambda call=call: call(X.reshape(N, 3, 1)), DIM3)
        add(f"{km}-1d", lambda call=call: call(X[:, 0]), DIM1)
        add(f"{km}-renamed", lambda call=call: call(
            FRAME.set_axis(["a", "b", "z"], axis=1), frame=True), RENAMED)
        add(f"{km}-reordered", lambda call=call: call(
            FRAME[["c", "a", "b"]], frame=True), REORDERED)
        add(f"{km}-strings", lambda call=call: call(
            with_col(["x"] * N)), STRINGS)
        add(f"{km}-categorical", lambda call=call: call(
            with_col(pd.Categorical([1.0, 2.0] * (N // 2))), frame=True),
            CATEGORICAL)
        add(f"{km}-datetime", lambda call=call: call(
            with_col(pd.date_range("2000", periods=N)), frame=True), DATES)
        add(f"{km}-Float64-NA", lambda call=call: call(with_col(pd.array(
            [None] + list(X[1:, 2]), dtype="Float64")), frame=True), NAN)
        good = ok(labels) if km in ("clf-predict", "logit-predict") else \
            ok(finite)
        if k in ("ols", "logit"):
            # float64 models hold 1e300 inputs (an R^2 of -inf is a score)
            add(f"{km}-huge", lambda call=call: call(X * 1e300),
                ok(not_nan) if method == "score" else good)
        else:
            add(f"{km}-huge", lambda call=call: call(X * 1e300),
                error("too large|float32|range|precision|infinity"))
        if method != "score":
            add(f"{km}-one-row", lambda call=call: call(X[:1]), good)
            add(f"{km}-frame-when-fitted-on-array", lambda call=call:
                call(FRAME), good)
            add(f"{km}-array-when-fitted-on-frame", lambda call=call:
                call(X, frame=True), good)
            add(f"{km}-Int64", lambda call=call: call(
                with_col(pd.array(np.arange(N) % 3, dtype="Int64")),
                frame=True), good)
            add(f"{km}-tiny", lambda call=call: call(X * 1e-300), good)
            add(f"{km}-constant-column", lambda call=call: call(
                with_col(5.0)), good)

# predictions that must not lose precision (standardised in float64 first)
SHIFT = np.array([1e8, 0.0, 0.0])
# (1e8 + x in float64 keeps x to ~1e-8 only, and early stopping amplifies
# that; cast to float32 before standardising, the error was of order one)
add("reg-predict-shifted-1e8", lambda: fit("reg", X + SHIFT).predict(
    X + SHIFT), ok(close_to(lambda: fitted("reg").predict(X), rtol=1e-3,
                            atol=1e-3)))
add("reg-predict-beyond-float32", lambda: fit("reg", X * 1e39).predict(
    X * 1e39), ok(close_to(lambda: fitted("reg").predict(X), rtol=1e-4,
                           atol=1e-4)))
add("ae-transform-beyond-float32", lambda: fitted("ae").transform(
    X * 1e39), error("too large|float32|range|precision"))
add("reg-predict-sparse", lambda: fitted("reg").predict(sp.csr_matrix(X)),
    ok(close_to(lambda: fitted("reg").predict(X), rtol=1e-6)))
add("clf-predict-proba-sparse-coo", lambda: fitted("clf").predict_proba(
    sp.coo_matrix(X)), ok(close_to(lambda: fitted("clf").predict_proba(X),
                                   rtol=1e-6)))
add("ae-transform-sparse", lambda: fitted("ae").transform(sp.csr_matrix(X)),
    error("[Ss]parse", TypeError))
add("ols-predict-sparse", lambda: fitted("ols").predict(sp.csr_matrix(X)),
    error("[Ss]parse", TypeError))
for k in TABULAR:
    add(f"{k}-predict-not-fitted", lambda k=k: output(k, MAKERS[k](), X),
        error("not fitted", NotFittedError))

# score: bad y and sample_weight
for k in SUPERVISED:
    add(f"{k}-score-y-short", lambda k=k: fitted(k).score(X, TARGET[k][:-1]),
        LENGTHS)
    add(f"{k}-score-sw-short", lambda k=k: fitted(k).score(
        X, TARGET[k], sample_weight=W[:-1]), error("sample_weight|length|"
                                                   "inconsistent"))
    add(f"{k}-score-sw-nan", lambda k=k: fitted(k).score(
        X, TARGET[k], sample_weight=np.r_[np.nan, W[1:]]),
        error("sample_weight.*NaN|NaN"))
    add(f"{k}-score-sw-zeros", lambda k=k: fitted(k).score(
        X, TARGET[k], sample_weight=0 * W), SW_ZERO)
add("reg-score-y-nan", lambda: fitted("reg").score(X, np.r_[np.nan,
                                                           Y_REG[1:]]),
    error("Input (y|contains) .*NaN"))
add("clf-score-unseen-labels", lambda: fitted("clf").score(
    X, np.array(["maybe"] * N)), ok(lambda s: np.testing.assert_equal(s, 0)))
add("ae-score-sw-short", lambda: fitted("ae").score(
    X, sample_weight=W[:-1]), error("sample_weight|length|inconsistent"))
add("ae-score-sw-nan", lambda: fitted("ae").score(
    X, sample_weight=np.r_[np.nan, W[1:]]), error("sample_weight.*NaN|NaN"))
add("ae-score-sw-zeros", lambda: fitted("ae").score(
    X, sample_weight=0 * W), SW_ZERO)
add("ae-score-sw-negative", lambda: fitted("ae").score(
    X, sample_weight=-W), error("Negative values"))

# ------------------------------------------------------- inverse_transform
for name, Z, expect in [
        ("nan", lambda: nan_at(np.zeros((N, 2))), NAN),
        ("inf", lambda: nan_at(np.zeros((N, 2)), np.inf), INF),
        ("empty", lambda: np.zeros((0, 2)), EMPTY),
        ("wide", lambda: np.zeros((N, 3)), error("3 columns.*n_components_"
                                                 "=2")),
        ("1d", lambda: np.zeros(2), DIM1),
        ("3d", lambda: np.zeros((N, 2, 1)), DIM3),
        ("strings", lambda: np.full((N, 2), "x"), STRINGS),
        ("huge", lambda: np.full((N, 2), 1e300),
         error("too large|float32|range|precision|infinity")),
        ("one-row", lambda: np.zeros((1, 2)), ok(shape_ok((1, 3)))),
        ("frame", lambda: pd.DataFrame(np.zeros((N, 2)), columns=[
            "autoencoder0", "autoencoder1"]), ok(shape_ok((N, 3)))),
        ("sparse", lambda: sp.csr_matrix(np.zeros((N, 2))),
         error("[Ss]parse", TypeError)),
]:
    add(f"ae-inverse_transform-{name}", lambda Z=Z: fitted(
        "ae").inverse_transform(Z()), expect)
add("ae-inverse_transform-roundtrip", lambda: fitted(
    "ae").inverse_transform(fitted("ae").transform(X)), ok(shape_ok((N, 3))))


# ----------------------------------------------------------- partial_fit
def partial(k, *batches, **first_kw):
    est = MAKERS[k]()
    for i, (X_, y_) in enumerate(batches):
        est.partial_fit(X_, y_, **(first_kw if i == 0 else {}))
    return est


for k in ("reg", "clf"):
    kw = {"classes": ["no", "yes"]} if k == "clf" else {}
    y = TARGET[k]
    add(f"{k}-partial_fit-nan", lambda k=k, y=y, kw=kw: partial(
        k, (nan_at(X), y), **kw), NAN)
    add(f"{k}-partial_fit-narrower-second-batch", lambda k=k, y=y, kw=kw:
        partial(k, (X, y), (X[:, :2], y), **kw), WIDTH)
    add(f"{k}-partial_fit-renamed-second-batch", lambda k=k, y=y, kw=kw:
        partial(k, (FRAME, y), (FRAME.set_axis(["a", "b", "z"], axis=1),
                                y), **kw), RENAMED)
    add(f"{k}-partial_fit-y-short", lambda k=k, y=y, kw=kw: partial(
        k, (X, y[:-1]), **kw), LENGTHS)
    add(f"{k}-partial_fit-sw-zeros", lambda k=k, y=y, kw=kw: MAKERS[k]()
        .partial_fit(X, y, sample_weight=0 * W, **kw), SW_ZERO)
    add(f"{k}-partial_fit-empty-second-batch", lambda k=k, y=y, kw=kw:
        partial(k, (X, y), (X[:0], y[:0]), **kw), EMPTY)
    add(f"{k}-partial_fit-one-row-second-batch", lambda k=k, y=y, kw=kw:
        partial(k, (X, y), (X[:1], y[:1]), **kw), ok(fitted_ok(k)))
add("clf-partial_fit-unseen-label", lambda: partial(
    "clf", (X, Y_CLF), (X, np.array(["maybe"] * N)), classes=["no", "yes"]),
    error("labels not seen|maybe"))
add("clf-partial_fit-classes-missing-label", lambda: partial(
    "clf", (X, Y_CLF), classes=["no", "perhaps"]),
    error("not.*classes|classes|labels"))
add("clf-partial_fit-one-class-batch", lambda: partial(
    "clf", (X, Y_CLF), (X[Y_CLF == "yes"], Y_CLF[Y_CLF == "yes"]),
    classes=["no", "yes"]), ok(fitted_ok("clf")))
add("clf-partial_fit-first-batch-one-class", lambda: partial(
    "clf", (X[Y_CLF == "yes"], Y_CLF[Y_CLF == "yes"]), (X, Y_CLF),
    classes=["no", "yes"]), ok(fitted_ok("clf")))
add("clf-partial_fit-first-batch-one-class-no-classes", lambda: partial(
    "clf", (X[Y_CLF == "yes"], Y_CLF[Y_CLF == "yes"])),
    error("only one class"))
add("reg-partial_fit-more-outputs", lambda: partial(
    "reg", (X, Y_REG), (X, np.c_[Y_REG, Y_REG])), error("output"))


# ------------------------------------------------------- SequenceForecaster
FC = [
    ("fit-4d", lambda: fit("fc", WINDOWS[..., None], W_Y),
     error("2-D|3-D|dim")),
    ("fit-1d", lambda: fit("fc", WINDOWS[:, 0, 0], W_Y), DIM1),
    ("fit-nan", lambda: fit("fc", np.where(WINDOWS > 2, np.nan, WINDOWS),
                            W_Y), NAN),
    ("fit-no-timesteps", lambda: fit("fc", WINDOWS[:, :0], W_Y),
     error(r"0 feature\(s\)|time step")),
    ("fit-no-variables", lambda: fit("fc", WINDOWS[:, :, :0], W_Y),
     error("variable|0 feature")),
    ("fit-empty", lambda: fit("fc", WINDOWS[:0], W_Y[:0]), EMPTY),
    ("fit-y-short", lambda: fit("fc", WINDOWS, W_Y[:-1]), LENGTHS),
    ("fit-y-nan", lambda: fit("fc", WINDOWS, np.r_[np.nan, W_Y[1:]]),
     error("Input y contains NaN")),
    ("fit-sparse", lambda: fit("fc", sp.csr_matrix(WINDOWS[:, :, 0]), W_Y),
     error("[Ss]parse", TypeError)),
    ("fit-sw-zeros", lambda: fit("fc", WINDOWS, W_Y, sample_weight=0 * W),
     SW_ZERO),
    ("fit-2d-univariate", lambda: fit("fc", WINDOWS[:, :, 0], W_Y),
     ok(lambda est: shape_ok((N,))(est.predict(WINDOWS[:, :, 0])))),
    ("fit-one-window", lambda: fit("fc", WINDOWS[:1], W_Y[:1]),
     ok(lambda est: shape_ok((1,))(est.predict(WINDOWS[:1])))),
    ("fit-beyond-float32", lambda: fit("fc", WINDOWS * 1e39, W_Y * 1e39),
     ok(lambda est: finite(est.predict(WINDOWS * 1e39)))),
    ("predict-nan", lambda: fitted("fc").predict(nan_at(WINDOWS[:, :, 0])),
     NAN),
    ("predict-other-timesteps", lambda: fitted("fc").predict(
        WINDOWS[:, :3]), error(r"3 features, but \w+ is expecting 4")),
    ("predict-other-variables", lambda: fitted("fc").predict(
        WINDOWS[:, :, :1]), error("1 variable")),
    ("predict-4d", lambda: fitted("fc").predict(WINDOWS[..., None]),
     error("2-D|3-D|dim")),
    ("predict-empty", lambda: fitted("fc").predict(WINDOWS[:0]), EMPTY),
    # with the network kept, float32 cannot hold the scaled windows: refused
    ("predict-huge", lambda: MAKERS["fc"](holdout_fraction=0).fit(
        WINDOWS, W_Y).predict(WINDOWS * 1e300),
     error("too large|float32|range|precision|infinity")),
    # with the network gated out (gate_ 0 here) the forecast is the AR's,
    # linear and in float64: the right answer, of the windows' size
    ("predict-huge-ar-alone", lambda: fitted("fc").predict(WINDOWS * 1e300),
     ok(lambda out: np.testing.assert_allclose(
         finite(out), 1e300 * (fitted("fc").predict(WINDOWS)
                               - fitted("fc").predict(0 * WINDOWS)),
         rtol=1e-6))),
    ("predict-one-window", lambda: fitted("fc").predict(WINDOWS[:1]),
     ok(shape_ok((1,)))),
    ("score-y-short", lambda: fitted("fc").score(WINDOWS, W_Y[:-1]),
     LENGTHS),
    ("device-cuda:99", lambda: MAKERS["fc"](device="cuda:99").fit(
        WINDOWS, W_Y), error("device")),
]
for name, call, expect in FC:
    add(f"fc-{name}", call, expect)


@pytest.mark.parametrize("call, expect", CASES)
def test_bad_input(call, expect):
    kind, *rest = expect
    if kind == "error":
        exc, pattern = rest
        with pytest.raises(exc, match=pattern):
            call()
    else:
        with warnings.catch_warnings():
            # "X has feature names, but ... fitted without" and the like
            warnings.simplefilter("ignore", UserWarning)
            result = call()
        rest[0](result)


# ------------------------------------------------------- property-based
def _clear_error(exc):
    """Whether exc is a scikit-learn style error naming the problem."""
    return type(exc) in (ValueError, TypeError) or isinstance(
        exc, NotFittedError) or type(exc).__module__.startswith("sklearn")


FLOATS = st.one_of(st.floats(-1e30, 1e30), st.sampled_from(
    [np.nan, np.inf, -np.inf, 0.0, 1e-300, -5e-324]))
HUGE = st.one_of(FLOATS, st.floats(allow_nan=False, allow_infinity=False,
                                   min_value=1e30), st.floats(
    allow_nan=False, allow_infinity=False, max_value=-1e30))
SHAPES = st.tuples(st.integers(0, 6), st.integers(0, 3))
SMALL_ARRAYS = hnp.arrays(np.float64, SHAPES, elements=FLOATS)


def _outcome(call):
    """('error', message) for a clear error, ('ok', result) otherwise."""
    try:
        return "ok", call()
    except (ValueError, TypeError) as exc:
        assert _clear_error(exc), f"internal error {exc!r}"
        assert str(exc), "error without a message"
        return "error", str(exc)


@SETTINGS
@given(A=SMALL_ARRAYS)
def test_property_predict_any_array(A):
    """predict on any float array: a clear error or finite predictions."""
    for k in ("reg", "clf", "ae"):
        kind, result = _outcome(lambda: output(k, fitted(k), A))
        if kind == "ok":
            assert A.shape[1] == 3 and A.shape[0] > 0
            assert finite(result).shape[0] == A.shape[0]
        else:
            # valid shapes and finite values are never refused
            assert not (A.size and A.shape[1] == 3 and
                        np.isfinite(A).all()), result


@SETTINGS
@given(A=hnp.arrays(np.float64, st.just((3, 3)), elements=HUGE))
def test_property_predict_huge_values(A):
    """Values the float32 network cannot hold: a clear error, never NaN."""
    for k in ("reg", "clf", "ae"):
        kind, result = _outcome(lambda: output(k, fitted(k), A))
        if kind == "ok":
            finite(result)
        else:
            assert re.search("too large|float32|range|precision|infinity|"
                             "NaN", result), result


@SETTINGS
@given(A=SMALL_ARRAYS, y=hnp.arrays(np.float64, st.integers(0, 6),
                                    elements=FLOATS))
def test_property_fit_any_data(A, y):
    """fit on any small data: a clear error or a model predicting finitely."""
    est = MAKERS["reg"](max_iter=2)
    kind, result = _outcome(lambda: est.fit(A, y))
    if kind == "ok":
        finite(est.predict(A))
    else:
        assert ("NaN" in result or "infinity" in result or
                "sample" in result or "feature" in result or
                "overflow" in result or "diverged" in result or
                "too large" in result), result


@SETTINGS
@given(w=hnp.arrays(np.float64, st.integers(38, 41), elements=st.one_of(
    st.floats(-1, 10), st.sampled_from([0.0, np.nan, np.inf]))))
def test_property_sample_weight(w):
    """Any weights: a clear error or a finite fit that ignores zero rows."""
    est = MAKERS["reg"](max_iter=2)
    kind, result = _outcome(lambda: est.fit(X, Y_REG, sample_weight=w))
    if kind == "ok":
        assert len(w) == N and (w >= 0).all() and w.sum() > 0
        finite(est.predict(X))
    else:
        assert "sample_weight" in result or "eights" in result, result


LABELS = st.lists(st.one_of(st.sampled_from(["a", "b", None]),
                            st.integers(0, 2), st.floats(0, 1)),
                  min_size=N, max_size=N)


@SETTINGS
@given(labels=LABELS)
def test_property_labels(labels):
    """Any label list: a clear error or a classifier over its classes."""
    y = np.array(labels, dtype=object)
    for k in ("clf", "logit"):
        est = MAKERS[k](max_iter=2) if k == "clf" else MAKERS[k]()
        kind, result = _outcome(lambda: est.fit(X, y))
        if kind == "ok":
            proba = finite(est.predict_proba(X))
            assert proba.shape == (N, len(est.classes_))
            np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
