"""The baseline ladder: scikit-learn's estimator contract, fitting, determinism."""

import pickle

import numpy as np
import pytest
from conftest import corpus_data
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict
from sklearn.utils import estimator_checks as ec

import stance.recipes

BASELINES = stance.recipes.names(optional=False)


@pytest.fixture(scope="module")
def data():
    """The corpus alone (~160 sentences, five documents): the estimator contract holds whatever the data,
    and each recipe fits it in about a second (the shipped ~14k rows take a minute for hybrid)."""
    td = corpus_data()
    return td.texts, np.asarray(td.labels, dtype=object), td.groups


def test_registry_lists_the_ladder():
    assert BASELINES == ["majority", "rules", "tfidf-lr", "tfidf-svm", "nb", "hybrid", "embed"]
    assert stance.recipes.names() == BASELINES + ["accurate"]  # every model a user can train by name
    assert stance.recipes.OPTIONAL == {"accurate"}
    with pytest.raises(ValueError, match="hybird.*Did you mean hybrid"):
        stance.recipes.make("hybird")


# scikit-learn's API checks that apply to text estimators (its data-based checks
# feed numeric arrays, which a sentence classifier rejects by design).
API_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_valid_tag_types",
]


def _leaf_estimators(est):
    yield est
    for v in est.get_params(deep=True).values():
        if hasattr(v, "get_params") and hasattr(v, "fit"):
            yield v


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("check", API_CHECKS)
def test_sklearn_api_checks(name, check):
    for est in _leaf_estimators(stance.recipes.make(name)):
        fn = getattr(ec, check, None)
        if fn is None:
            pytest.skip(f"{check} not in this scikit-learn")
        if check == "check_valid_tag_types":
            fn(type(est).__name__, est)
        else:
            fn(type(est).__name__, est)


@pytest.mark.parametrize("name", BASELINES)
def test_fit_predict_clone_pickle_deterministic(name, data):
    X, y, _ = data
    est = stance.recipes.make(name, seed=0).fit(X, y)
    pred = est.predict(X[:40])
    assert set(pred) <= {"claim", "quote", "loaded"}
    P = est.predict_proba(X[:40])
    assert P.shape == (40, len(est.classes_)) and np.allclose(P.sum(axis=1), 1)
    again = clone(stance.recipes.make(name, seed=0)).fit(X, y)
    assert np.array_equal(again.predict_proba(X[:40]), P)
    assert np.array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X[:40]), P)


def test_cross_val_and_grid_search_work(data):
    X, y, groups = data
    pred = cross_val_predict(stance.recipes.make("hybrid"), X, y, groups=groups, cv=GroupKFold(3))
    assert len(pred) == len(y)
    gs = GridSearchCV(stance.recipes.make("hybrid"), {"clf__C": [1.0, 3.0]}, cv=GroupKFold(3), scoring="f1_macro")
    gs.fit(X, y, groups=groups)
    assert gs.best_params_["clf__C"] in (1.0, 3.0)


def test_make_passes_params_and_seed():
    est = stance.recipes.make("tfidf-svm", seed=7, clf__estimator__C=2.0)
    params = est.get_params()
    assert params["clf__estimator__C"] == 2.0
    assert params["clf__estimator__random_state"] == 7


def test_hybrid_learns_nothing_outside_fit(data):
    """The vocabulary comes from the training fold alone."""
    X, y, groups = data
    test_doc = groups[0]
    train_idx = [i for i, g in enumerate(groups) if g != test_doc]
    est = stance.recipes.make("hybrid").fit([X[i] for i in train_idx], y[train_idx])
    vec = est.named_steps["features"].transformer_list[0][1]
    analyze = vec.build_analyzer()
    seen = {t for i in train_idx for t in analyze(X[i])}
    only_in_test = {t for i, g in enumerate(groups) if g == test_doc for t in analyze(X[i])} - seen
    assert only_in_test, "the held-out document should have n-grams of its own"
    assert not only_in_test & set(vec.vocabulary_)
    assert set(vec.vocabulary_) == seen


