"""Panel-aware early stopping (econnn/_panel.py): validation_split."""

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from econnn import NNClassifier, NNRegressor
from econnn._panel import split_validation


def panel(n_individuals=40, n_periods=10, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n_individuals, 3))
    alpha = rng.normal(size=n_individuals)
    ids = np.repeat(np.arange(n_individuals), n_periods)
    w = rng.normal(size=(len(ids), 2))
    X = np.column_stack([z[ids], w])
    y = np.sin(2 * w[:, 0]) + w[:, 1] + alpha[ids] + \
        0.3 * rng.normal(size=len(ids))
    return X, y, ids


def test_group_split_keeps_each_group_on_one_side():
    groups = np.repeat(np.arange(30), 7)
    train, valid = split_validation("group", len(groups), 0.2, 0, groups)
    assert not set(groups[train]) & set(groups[valid])
    assert len(set(groups[valid])) == 6  # 20% of the groups
    assert sorted(np.concatenate([train, valid])) == list(range(210))


def test_time_split_validates_on_the_last_rows():
    train, valid = split_validation("time", 50, 0.1, 0)
    assert list(valid) == list(range(45, 50))
    assert list(train) == list(range(45))


def test_random_split_overstates_and_group_split_does_not_much():
    # a network memorises individual effects from time-invariant
    # characteristics: validated on seen individuals (random split) it
    # looks far better than it does on new ones
    X, y, groups = panel(100, 10, seed=0)
    X_new, y_new, _ = panel(200, 10, seed=1)
    gaps = {}
    for split in ("random", "group"):
        model = NNRegressor(early_stopping=True, validation_split=split,
                            validation_fraction=0.2, max_iter=500,
                            n_iter_no_change=20, n_ensemble=1,
                            random_state=0).fit(X, y, groups=groups)
        gaps[split] = model.best_validation_score_ - model.score(X_new,
                                                                 y_new)
    assert gaps["random"] > 0.4
    assert gaps["group"] < gaps["random"] - 0.3


def test_groups_are_checked():
    X, y, groups = panel()
    with pytest.raises(ValueError, match="needs the groups"):
        NNRegressor(early_stopping=True, validation_split="group",
                    max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        NNRegressor(max_iter=2).fit(X, y, groups=groups[:-1])
    with pytest.raises(ValueError, match="at least 2 groups"):
        NNRegressor(early_stopping=True, validation_split="group",
                    max_iter=2).fit(X, y, groups=np.zeros(len(y)))
    with pytest.raises(ValueError, match="validation_split"):
        NNRegressor(validation_split="individual", max_iter=2).fit(X, y)


def test_groups_are_routed_through_pipelines_and_cross_validate():
    X, y, groups = panel()
    with sklearn.config_context(enable_metadata_routing=True):
        model = NNRegressor(early_stopping=True, validation_split="group",
                            max_iter=5, random_state=0)
        model.set_fit_request(groups=True, sample_weight=False)
        pipe = make_pipeline(StandardScaler(), model)
        result = cross_validate(pipe, X, y, cv=GroupKFold(3),
                                params={"groups": groups},
                                return_estimator=True)
        assert np.all(np.isfinite(result["test_score"]))
        # without the request, the group split has no groups to use
        plain = make_pipeline(StandardScaler(), NNRegressor(
            early_stopping=True, validation_split="group", max_iter=5))
        with pytest.raises(ValueError, match="needs the groups"):
            plain.fit(X, y)


def test_classifier_takes_groups_too():
    X, y, groups = panel()
    model = NNClassifier(early_stopping=True, validation_split="group",
                         max_iter=5, random_state=0)
    model.fit(X, y > 0, groups=groups)
    assert model.best_validation_score_ is not None


def test_marginal_effects_bootstrap_passes_clusters_to_the_group_split():
    from econnn import marginal_effects

    X, y, groups = panel(20, 5)
    model = NNRegressor(hidden_layer_sizes=(8,), early_stopping=True,
                        validation_split="group", validation_fraction=0.2,
                        max_iter=5, random_state=0).fit(X, y, groups=groups)
    effects = marginal_effects(model, X, y=y, groups=groups, n_boot=3,
                               random_state=0)
    assert np.all(np.isfinite(effects["std_err"])) and \
        np.all(effects["std_err"] > 0)
