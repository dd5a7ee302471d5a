"""The hyperparameters of econnn's estimators, each declared once.

Names and meanings follow scikit-learn's ``MLPRegressor``/``MLPClassifier``
wherever a counterpart exists.  Architecture parameters are listed first;
:data:`TRAINING` holds those every estimator shares.
"""

import dataclasses
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .engine._embeddings import EMBEDDINGS
from .engine._networks import ACTIVATIONS
from ._declaration import Param
from .engine._optim import LR_SCHEDULES, SOLVERS
from .inference._intervals import INTERVAL_METHODS

HIDDEN_LAYER_SIZES = Param(
    "hidden_layer_sizes",
    (64, 64),
    ["array-like", Interval(Integral, 1, None, closed="left")],
    "array-like of shape (n_layers,) or int",
    """
    The ith element is the number of units in the ith hidden layer; an int
    ``n`` means one hidden layer of ``n`` units, ``(n,)``.
    """,
)

ACTIVATION = Param(
    "activation",
    "relu",
    [StrOptions(set(ACTIVATIONS))],
    "{" + ", ".join(repr(a) for a in ACTIVATIONS) + "}",
    """
    Activation of the hidden layers. Weights are initialised to suit it:
    He (Kaiming) initialisation for the ReLU family, Xavier (Glorot)
    otherwise.
    """,
)

DROPOUT = Param(
    "dropout",
    0.0,
    [Interval(Real, 0, 1, closed="left")],
    "float",
    """
    Probability of zeroing a hidden unit during training (dropout
    regularisation). Not applied at prediction.
    """,
)

BATCH_NORM = Param(
    "batch_norm",
    False,
    ["boolean"],
    "bool",
    """
    Whether to add batch normalisation after each hidden linear layer.
    """,
)

N_ENSEMBLE = Param(
    "n_ensemble",
    "auto",
    [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "int or 'auto'",
    """
    Number of networks in a deep ensemble. Each member starts from its own
    random initialisation and is trained on its own loss (on the same
    batches); predictions average their linear predictors. On small data a
    single network's results depend noticeably on its random
    initialisation, their average much less: on the Boston data the
    seed-to-seed range of 10-fold CV R^2 is 0.857-0.879 for one network,
    0.867-0.880 for two, 0.871-0.877 for three and 0.873-0.877 for ten,
    with means 0.866 for one and 0.873-0.875 for two or more. Members are
    computed together with batched matrix products and cost about one
    network's time each. 'auto' uses ``clip(100_000 // n_samples, 1, 2)``
    members: two up to 50,000 samples, where the pair costs about what
    scikit-learn's MLP takes for one float64 network, and a single network
    above, where one network is already stable. With ``monotone``
    constraints 'auto' uses ``clip(200_000 // n_samples, 1, 4)`` members
    (four up to 50,000 samples): a monotone network is not started at the
    GLM, and its fits vary more from seed to seed. Use 1
    for a single network, as scikit-learn's MLP.
    Ignored with a custom ``module``.
    """,
)

LINEAR_SKIP = Param(
    "linear_skip",
    True,
    ["boolean"],
    "bool",
    """
    Whether the network is the generalised linear model plus a learned
    nonlinear part: a linear map from the inputs to the linear predictor
    is added to the MLP's output, so the network nests OLS (squared
    error), logit (classification) and Poisson regression. The linear part
    is fitted first, as that GLM on all the training rows (least squares;
    a logit with a ridge of one unit on the standardised inputs; a Poisson
    regression with a ridge of ``1 / n_samples``), and then held fixed;
    the MLP, whose output layer starts at zero, learns the remainder.
    With ``early_stopping`` the GLM competes as epoch 0, so the network
    departs from the linear model only as far as held-out data supports.
    The econometric likelihoods' classical models (Tobit, fractional
    logit, negative binomial, zero-inflated Poisson, ordered
    logit/probit) are fitted the same way, by full-batch L-BFGS on the
    loss, its own constants (Tobit's sigma, the thresholds, ...) and the
    intercept while the MLP's output is still zero, with the L2 penalty
    ``alpha`` on the slopes; the linear map is then held fixed too. The
    gamma, Huber, absolute and quantile losses (and sparse input too large
    to densify for least squares) train the linear part with the network,
    from zero. Use False for scikit-learn's plain MLP. Without hidden
    layers the network is the loss's classical model itself: with True
    it starts at that model's fit (by L-BFGS for every loss without a
    closed form) and trains on from there, early stopping keeping the
    start unless an epoch beats it; with False it starts at random, as
    scikit-learn's. Ignored with a custom ``module`` and with
    ``monotone`` constraints.
    """,
)


SMOOTH_CLIP = Param(
    "smooth_clip",
    False,
    ["boolean"],
    "bool",
    """
    Whether the hidden layers see the inputs robustly scaled and smoothly
    clipped, as in RealMLP (Holzmueller et al. 2024): each standardised
    input is centred at its median, divided by its interquartile range
    over 1.349, and mapped by ``z / sqrt(1 + (z / 3)^2)``, which leaves
    typical values almost unchanged and bounds outliers by +-3, so a few
    extreme incomes or wealth levels do not saturate the hidden units. The
    linear skip keeps the standardised inputs, so the network still nests
    the GLM. Sparse input is only clipped (centre 0, scale 1). Ignored with
    a custom ``module``, with ``monotone`` constraints and without hidden
    layers.
    """,
)


FEATURE_SCALING = Param(
    "feature_scaling",
    None,
    [Interval(Real, 0, None, closed="neither"), None],
    "float or None",
    """
    None: the hidden layers see the (standardised) inputs as they are. A
    float: each input is multiplied by a trainable factor of its own
    before the hidden layers (RealMLP's scaling layer, Holzmueller et al.
    2024; after ``smooth_clip``, if on), started at 1, not penalised,
    and trained at ``feature_scaling`` times the learning rate (RealMLP
    uses 6), so the network can learn which inputs matter to its
    nonlinear part. The linear skip keeps the standardised inputs, so the
    network still starts at the GLM. Each ensemble member has its own
    factors; with ``n_ensemble`` above 1 it does not combine with
    ``numerical_embedding``. Tried as a default and not adopted
    (``docs/defaults.md``). Ignored with a custom ``module``, with
    ``monotone`` constraints and without hidden layers; with
    ``solver='lbfgs'`` the factors train at the network's rate.
    """,
)

NUMERICAL_EMBEDDING = Param(
    "numerical_embedding",
    None,
    [StrOptions(set(EMBEDDINGS)), None],
    "{None, " + ", ".join(repr(e) for e in EMBEDDINGS) + "}",
    """
    How the hidden layers see each input. None: as a number (after
    ``smooth_clip``, if on). 'periodic': embedded as a vector, the PLR
    embedding of Gorishniy, Rubachev and Babenko (2022), "On embeddings
    for numerical features in tabular deep learning": the standardised
    input ``x_j`` becomes ``relu(V_j [cos(2 pi c_j x_j), sin(2 pi c_j
    x_j)] + b_j)``, with ``embedding_size`` trainable frequencies ``c_j``
    started at draws from ``N(0, embedding_scale^2)`` and a trainable
    linear map ``V_j`` of the input's own, giving ``embedding_size``
    values per input. 'pbld': RealMLP's variant (Holzmueller et al.
    2024), ``[x_j, V_j cos(2 pi (c_j x_j + a_j)) + b_j]`` with trainable
    phases ``a_j``, no ReLU, and the input itself kept as the first of
    its ``embedding_size`` values (at least 2). Periodic features let the
    network fit sharp or repeated changes along one input that a plain
    MLP needs many units to approximate. Only the nonlinear part is
    embedded: the linear skip keeps the standardised inputs, so the
    network still starts at the GLM; each ensemble member has its own
    embedding. Frequencies and phases are not penalised by ``alpha``.
    Trained with autograd, so a fit takes longer; ``coefs_`` and
    ``intercepts_`` describe the layers after the embedding (the first
    takes ``n_features * embedding_size`` inputs). Not adopted as a
    default: on the Boston data it lowered the 10-fold R^2
    (``docs/defaults.md``). Not available with ``monotone`` constraints
    (periodic features are not monotone); ignored with a custom
    ``module``.
    """,
)


EMBEDDING_SIZE = Param(
    "embedding_size",
    8,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    Number of frequencies per input of the ``numerical_embedding``, and
    the number of values each input is embedded as. Unused without an
    embedding.
    """,
)


EMBEDDING_SCALE = Param(
    "embedding_scale",
    0.1,
    [Interval(Real, 0, None, closed="neither")],
    "float",
    """
    Standard deviation ``sigma`` of the initial frequencies of the
    ``numerical_embedding``, in cycles per standard deviation of the input:
    small values start from smooth, nearly linear features, large ones
    from features that oscillate within the data's range (Gorishniy et
    al. tune it between 0.01 and 100; it is the embedding's most
    important setting). Unused without an embedding.
    """,
)


MONOTONE = Param(
    "monotone",
    None,
    [dict, None],
    "dict or None",
    """
    Shape constraints: ``{feature: +1 or -1}`` makes the prediction
    non-decreasing (+1) or non-increasing (-1) in each listed feature, given
    by name (DataFrame input) or column index, e.g.
    ``{'price': -1, 'income': +1}``. Guaranteed by construction for any
    weights (constrained monotonic networks, Runje & Shankaranarayana
    2023): sign-constrained weights on the listed inputs, non-negative
    weights in later layers, and for convex activations (relu, leaky_relu,
    elu) each hidden layer mixes the activation with its point reflection
    so that concave and S-shaped relations remain learnable. Holds for the
    mean of every monotone link (identity, log, logit, Tobit), through the
    internal standardisation (positive scales) and the ensemble (an average
    of monotone networks). Not with ``activation='gelu'`` (not monotone),
    ``batch_norm`` or a custom ``module``; for classifiers, binary
    (probability of the positive class) and ordered losses (every
    ``P(y > k)``) only.
    """,
)

VALIDATION_SPLIT = Param(
    "validation_split",
    "random",
    [StrOptions({"random", "group", "time", "cv"})],
    "{'random', 'group', 'time', 'cv'}",
    """
    How ``early_stopping`` holds out its validation rows: 'random' (as
    scikit-learn), 'group' (whole groups -- individuals, firms -- given by
    ``fit(X, y, groups=...)``, so that panel data is validated on unseen
    individuals), 'time' (the last ``validation_fraction`` of the rows in
    the order given, for data sorted by time) or 'cv' (cross-validated
    bagging: the rows are cut at random into ``max(n_ensemble_,
    round(1 / validation_fraction))`` folds and each ensemble member is
    validated on its own fold and trained on the others, with its own best
    epoch restored; training stops when no member has improved for
    ``n_iter_no_change`` epochs. Every row then trains all members but at
    most one. A single network is validated on one random fold). On the
    Boston data (10-fold CV R^2, seeds 0-4) 'cv' raises the mean from
    0.844 to 0.856 with two members (0.859 with three or five) at 1.4x
    the fit time (about 2x, 3.5x); on the 14 tasks of the defaults suite it
    ties with 'random' (mean skill 0.338 against 0.339,
    docs/defaults.md), so 'random' stays the default.
    """,
)

REFIT = Param(
    "refit",
    True,
    ["boolean"],
    "bool",
    """
    With ``early_stopping``, whether to train the network again on all the
    training rows once the held-out rows have chosen the number of epochs
    (as ``GridSearchCV(refit=True)`` refits the chosen model on all the
    data): the network goes back to its starting weights and is trained on
    the training and validation rows together for the best epoch's number
    of epochs, with the same learning-rate schedule and no stopping rule,
    so the rows held out to choose the epoch train the network too. When
    the starting weights win (best epoch 0: the GLM of ``linear_skip``)
    they are kept and nothing is retrained, so where the network stays
    linear it costs nothing. ``best_epoch_``, ``n_iter_``, ``loss_curve_``
    and the validation attributes describe the validation run. Ignored by
    an ensemble with ``validation_split='cv'``, whose members each train on
    all the rows but their own fold already. With ``even_batches`` and
    ``ema_decay`` (the defaults) it raises the Boston data's 10-fold CV R^2
    from 0.843 to 0.867 (mean of seeds 0-4) and was chosen by
    leave-one-data-set-out validation on the defaults suite
    (docs/defaults.md). False keeps the early-stopped network, as
    scikit-learn.
    """,
)

EVEN_BATCHES = Param(
    "even_batches",
    True,
    ["boolean"],
    "bool",
    """
    Whether each epoch is cut into ``ceil(n_samples / batch_size)``
    mini-batches of nearly equal size instead of full batches and a
    remainder (scikit-learn's way, ``False``). A remainder of a few rows --
    4 when 404 rows meet ``batch_size=200`` -- gets a full Adam step from
    the gradient of those few rows, whose noise the network then has to
    unlearn; on the Boston data's 5-fold CV this alone made ``refit`` lose
    0.03 R^2 instead of gaining 0.01.
    """,
)

MIN_BATCHES = Param(
    "min_batches",
    1,
    [Interval(Integral, 1, None, closed="left")],
    "int",
    """
    With ``batch_size='auto'``, the number of mini-batches (optimizer steps)
    an epoch is cut into at least, as long as each keeps 32 rows: 'auto'
    then means ``min(200, n, max(32, ceil(n / min_batches)))`` for ``n``
    training rows. Early stopping's patience and ``max_iter`` count epochs,
    and with 200-row batches small data get few steps: 160 training rows
    make one step an epoch. On 200 rows of two moons the defaults keep the
    logit at 2 of 10 seeds, ``min_batches=4`` at none (accuracy on new
    draws 0.974 against 0.997 on average). On the defaults suite 4 and 8
    change only Boston and hprice3 (each at one fold of 15: one gained,
    one lost) and do not win leave-one-data-set-out validation
    (docs/defaults.md), so 1, scikit-learn's ``min(200, n)``, is the
    default. Ignored with an integer ``batch_size`` and by 'lbfgs'.
    """,
)

EMA_DECAY = Param(
    "ema_decay",
    0.9,
    [Interval(Real, 0, 1, closed="left")],
    "float",
    """
    Weight averaging: with ``ema_decay > 0`` the network used for
    validation (early stopping) and prediction is an exponential moving
    average of the trained weights over epochs, ``avg = ema_decay * avg +
    (1 - ema_decay) * w`` after each epoch, started at the starting
    weights (a horizon of about ``1 / (1 - ema_decay)`` epochs); the
    optimizer keeps training the raw weights. Averaging smooths the
    epoch-to-epoch noise of the weights, so the epoch early stopping picks
    is less a matter of luck. Not used by ``solver='lbfgs'``, whose
    full-batch iterations converge to the optimum itself, nor by
    ``partial_fit``. 0 uses the trained weights themselves, as
    scikit-learn.
    """,
)

MODULE = Param(
    "module",
    None,
    [type, None],
    "torch.nn.Module subclass or None",
    """
    Your own architecture, used instead of the built-in MLP. It is
    instantiated at fit time as ``module(n_features_in=..., n_outputs=...,
    **module_kwargs)`` -- each of the first two only if its ``__init__``
    accepts it -- where ``module_kwargs`` are the estimator's ``module__*``
    parameters (e.g. ``module__width=32``), which ``get_params``,
    ``set_params``, ``clone`` and grid search all handle. ``forward`` must
    return the linear predictor (before the output link) of shape
    ``(n_samples, n_outputs)``.
    """,
)

_METHODS = "{" + ", ".join(repr(m) for m in INTERVAL_METHODS) + "}"

#: Conformal prediction intervals, learned at fit (``predict_interval``).
INTERVALS = [
    Param(
        "interval",
        None,
        [StrOptions(set(INTERVAL_METHODS)), tuple, list, None],
        _METHODS + ", tuple of them or None",
        """
        Conformal prediction intervals to learn at fit, for
        ``predict_interval``: 'split' (split conformal; one extra network
        trained on ``1 - interval_fraction`` of the data), 'cv+' (CV+ of
        Barber et al. 2021; ``interval_cv`` extra networks, each trained
        without one fold), 'cqr' (conformalised quantile regression of
        Romano et al. 2019; two extra networks with the quantile loss,
        intervals that adapt to heteroskedasticity), several of them as a
        tuple, or None. The point prediction ``predict`` is unaffected: the
        main network is always trained on all the data. Intervals cover a
        new draw with probability at least the nominal coverage on average
        over samples (marginal, finite-sample coverage when rows are
        exchangeable; CV+ guarantees ``2 * coverage - 1`` in the worst
        case). See docs/intervals.md.
        """,
    ),
    Param(
        "interval_cv",
        5,
        [Interval(Integral, 2, None, closed="left")],
        "int",
        """
        Number of folds of ``interval='cv+'``.
        """,
    ),
    Param(
        "interval_fraction",
        0.25,
        [Interval(Real, 0, 1, closed="neither")],
        "float",
        """
        Share of the data held out for calibration by ``interval='split'``
        and ``'cqr'``.
        """,
    ),
    Param(
        "interval_coverage",
        0.9,
        [Interval(Real, 0, 1, closed="neither")],
        "float",
        """
        Default coverage of ``predict_interval``; 'cqr' trains its quantile
        networks at levels ``(1 -+ interval_coverage) / 2`` (other
        coverages remain valid, if wider than necessary).
        """,
    ),
]

_SOLVER_DOC = """
    Optimizer. 'adam', 'sgd' and 'lbfgs' as in scikit-learn; 'adamw' is Adam
    with decoupled weight decay (then ``alpha`` is the decay rate). 'lbfgs'
    is full-batch and runs one L-BFGS iteration (with strong-Wolfe line
    search) per epoch.
"""

TRAINING = [
    Param(
        "solver",
        "adam",
        [StrOptions(set(SOLVERS))],
        "{" + ", ".join(repr(s) for s in SOLVERS) + "}",
        _SOLVER_DOC,
    ),
    Param(
        "alpha",
        1e-4,
        [Interval(Real, 0, None, closed="left")],
        "float",
        """
        Strength of the L2 penalty on the weights (not the biases), added to
        the loss as ``alpha / (2 * batch_size) * ||W||^2`` as in
        scikit-learn. Computed in the standardised units when
        ``standardize=True``.
        """,
    ),
    Param(
        "l1",
        0.0,
        [Interval(Real, 0, None, closed="left")],
        "float",
        """
        Strength of the L1 (lasso) penalty on the weights, added to the loss
        as ``l1 / batch_size * sum(|W|)``.
        """,
    ),
    Param(
        "batch_size",
        "auto",
        [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "int or 'auto'",
        """
        Mini-batch size. 'auto' is ``min(200, n_samples)`` (smaller with
        ``min_batches > 1``, where an estimator has it). Ignored by
        'lbfgs', which uses the whole sample.
        """,
    ),
    Param(
        "learning_rate",
        "constant",
        [StrOptions(set(LR_SCHEDULES))],
        "{" + ", ".join(repr(s) for s in LR_SCHEDULES) + "}",
        """
        Learning-rate schedule over epochs, for every solver but 'lbfgs':
        'constant'; 'invscaling' divides ``learning_rate_init`` by
        ``epoch ** power_t``; 'adaptive' divides the rate by 5 each time the
        loss fails to improve by ``tol`` for two epochs (training stops
        once it falls below 1e-6); 'step' divides it by 10 at 50% and 75%
        of ``max_iter``; 'cosine' anneals it to zero over ``max_iter``.
        """,
    ),
    Param(
        "learning_rate_init",
        1e-3,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        """
        Initial learning rate (step size).
        """,
    ),
    Param(
        "power_t",
        0.5,
        [Interval(Real, None, None, closed="neither")],
        "float",
        """
        Exponent of the 'invscaling' schedule.
        """,
    ),
    Param(
        "max_iter",
        200,
        [Interval(Integral, 1, None, closed="left")],
        "int",
        """
        Maximum number of epochs (passes over the training data); for
        'lbfgs', the maximum number of iterations.
        """,
    ),
    Param(
        "shuffle",
        True,
        ["boolean"],
        "bool",
        """
        Whether to shuffle the samples at every epoch.
        """,
    ),
    Param(
        "random_state",
        None,
        ["random_state"],
        "int, RandomState instance or None",
        """
        Seeds weight initialisation, shuffling, dropout and the validation
        split. Pass an int for reproducible fits; the global torch random
        state is left untouched.
        """,
    ),
    Param(
        "tol",
        1e-4,
        [Interval(Real, 0, None, closed="left")],
        "float",
        """
        Convergence tolerance: training stops when the loss (or the
        validation loss, with early stopping) has not improved by at least
        ``tol`` for more than ``n_iter_no_change`` consecutive epochs. For
        'lbfgs' it is the gradient tolerance, as in scikit-learn: training
        stops when max |gradient| <= ``tol`` (or when an iteration lowers
        the loss by less than scipy's default ``ftol``, 2.2e-9 of itself).
        """,
    ),
    Param(
        "verbose",
        False,
        ["verbose"],
        "bool or int",
        """
        Whether to show a progress bar over epochs with the current losses.
        """,
    ),
    Param(
        "warm_start",
        False,
        ["boolean"],
        "bool",
        """
        When True, ``fit`` continues from the previous solution instead of
        re-initialising the weights.
        """,
    ),
    Param(
        "momentum",
        0.9,
        [Interval(Real, 0, 1, closed="both")],
        "float",
        """
        Momentum of 'sgd'.
        """,
    ),
    Param(
        "nesterovs_momentum",
        True,
        ["boolean"],
        "bool",
        """
        Whether 'sgd' uses Nesterov's momentum.
        """,
    ),
    Param(
        "early_stopping",
        False,
        ["boolean"],
        "bool",
        """
        Whether to hold out ``validation_fraction`` of the training data and
        stop when the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs. The weights of the best epoch are
        restored at the end.
        """,
    ),
    Param(
        "validation_fraction",
        0.1,
        [Interval(Real, 0, 1, closed="neither")],
        "float",
        """
        Share of the training data held out for early stopping.
        """,
    ),
    Param(
        "beta_1",
        0.9,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        """
        Decay rate of Adam's first-moment estimate.
        """,
    ),
    Param(
        "beta_2",
        0.999,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        """
        Decay rate of Adam's second-moment estimate.
        """,
    ),
    Param(
        "epsilon",
        1e-8,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        """
        Numerical-stability constant of Adam.
        """,
    ),
    Param(
        "n_iter_no_change",
        10,
        [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "int or np.inf",
        """
        Training stops once the loss has failed to improve by ``tol`` for
        more than ``n_iter_no_change`` consecutive epochs, as in
        scikit-learn; ``np.inf`` never stops before ``max_iter``.
        """,
    ),
    Param(
        "max_fun",
        15000,
        [Interval(Integral, 1, None, closed="left")],
        "int",
        """
        Only used with ``solver='lbfgs'``: the maximum number of loss
        function evaluations (line-search steps included). Training stops,
        with a ``ConvergenceWarning``, when either ``max_iter`` iterations
        or ``max_fun`` evaluations are reached.
        """,
    ),
    Param(
        "max_grad_norm",
        None,
        [Interval(Real, 0, None, closed="neither"), None],
        "float or None",
        """
        If set, gradients are clipped to this global L2 norm before each
        step (guards against exploding gradients, e.g. in recurrent nets).
        """,
    ),
    Param(
        "standardize",
        True,
        ["boolean"],
        "bool",
        """
        Whether to standardise the inputs (and the target, for regression)
        internally. Predictions, marginal effects and ``module_`` are in the
        original units, so the estimator can be used on raw data like a
        linear model.
        """,
    ),
    Param(
        "device",
        "cpu",
        [StrOptions({"cpu", "cuda", "auto"}), str],
        "{'cpu', 'cuda', 'auto'} or str",
        """
        Torch device to train on. 'auto' uses CUDA when available. With
        'cuda' the training data is moved to the GPU once if it fits in
        memory, otherwise batches are streamed.
        """,
    ),
    Param(
        "precision",
        "float32",
        [StrOptions({"float32", "float64"})],
        "{'float32', 'float64'}",
        """
        Floating-point precision of the network's weights and of the
        training arithmetic, whatever the input's dtype. 'float32', the
        PyTorch convention, trains about twice as fast as 'float64' on a
        CPU (far more on a GPU). Input is standardised in float64 before
        conversion, and predictions (the linear predictor, then the inverse
        link) are returned in float64; :func:`econnn.marginal_effects`
        differentiates a float64 copy of the fitted network.
        'float64' trains in double precision, as scikit-learn's MLP does on
        float64 input.
        """,
    ),
]


def with_defaults(params, **defaults):
    """The same parameters with some defaults changed (for one estimator)."""
    unknown = set(defaults) - {p.name for p in params}
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    return [dataclasses.replace(p, default=defaults[p.name])
            if p.name in defaults else p for p in params]


#: Defaults of the feed-forward estimators. tanh units and a cosine-annealed
#: rate were chosen on the Boston hedonic data (smooth units extrapolate
#: less wildly to outlying tracts); a monotone network's 'auto' units are
#: relu from 400 rows on (tanh below) and its 'auto' ensemble four networks
#: (docs/structure.md, checked on data held out from those choices). The
#: rest was chosen by leave-one-data-set-out validation on the defaults
#: suite of 13 economics data sets (docs/defaults.md): the network is the
#: GLM plus a nonlinear part (``linear_skip``), trained with a fifth of
#: the data held out and stopped 30 epochs after the held-out loss last
#: improved, the GLM itself competing as epoch 0 -- on noisy data (wage
#: equations) it stays the GLM,
#: on data with real nonlinearity (Boston) it trains on, and is then
#: retrained on all the rows for the chosen number of epochs (``refit``),
#: in equal mini-batches (``even_batches``), its weights averaged over
#: epochs (``ema_decay``); those three are declared with their defaults
#: above.
MLP_ARCHITECTURE = [HIDDEN_LAYER_SIZES, dataclasses.replace(
    ACTIVATION, default="auto",
    constraints=[StrOptions({"auto", *ACTIVATIONS})],
    type="{'auto', " + ", ".join(repr(a) for a in ACTIVATIONS) + "}",
    doc=ACTIVATION.doc.rstrip() + """
    'auto' (the default) is 'tanh'. With ``monotone`` constraints it is
    'tanh' below 400 training rows and 'relu' from 400 on, whose monotone
    network mixes convex, concave and bounded units: with four members
    (``n_ensemble='auto'``) relu units fitted better than tanh units on
    the seven regression data sets of 400 rows or more it was tried on, and
    worse on the smaller ones (321 rows, a 100-row simulated S-shaped
    truth, and three data sets of 88-177 rows held out from the choice of
    the rule; ``docs/structure.md``). The activation used is
    ``activation_``.
""")]
MLP_TRAINING = with_defaults(TRAINING, learning_rate="cosine",
                             learning_rate_init=3e-3, early_stopping=True,
                             validation_fraction=0.2, n_iter_no_change=30)
