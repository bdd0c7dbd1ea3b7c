"""General resources as features: VADER, TextBlob subjectivity, static word vectors."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import stance.text


def test_resources_match_their_recorded_hashes_and_licences():
    info = stance.text.resource_info()
    assert set(info) == {"lexicons/vader.tsv", "lexicons/subjectivity.tsv", "static_vectors.npz"}
    for rel, meta in info.items():
        data = resources.files("stance").joinpath("data", *rel.split("/")).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"], rel
        assert meta["licence"] and meta["version"]


def test_loaded_wording_scores_above_neutral_wording():
    M = stance.text.lexical_matrix(["The council approved the budget on Tuesday.",
                          "The council's disastrous, cruel budget is a shameful failure."])
    names = list(stance.text.LEXICAL_NAMES)
    assert M[1, names.index("vader_negative")] > M[0, names.index("vader_negative")] == 0
    assert M[1, names.index("subjectivity_peak")] > M[0, names.index("subjectivity_peak")]
    assert M[1, names.index("vader_peak")] == pytest.approx(max(abs(stance.text.valence()[w]) for w in
                                                                 ("disastrous", "cruel", "shameful", "failure")) / 4)


def test_quoted_words_belong_to_the_source():
    M = stance.text.lexical_matrix(['“It is a disastrous, cruel budget,” the mayor said.'])
    assert M[0, list(stance.text.LEXICAL_NAMES).index("vader_negative")] == 0


def test_static_vectors_are_normalised_and_carry_meaning():
    S = stance.text.static_matrix(["terrible", "awful", "tuesday", "zzzqqq", ""])
    assert S.shape == (5, stance.text.static_dims())
    np.testing.assert_allclose(np.linalg.norm(S[:3], axis=1), 1.0)
    assert not S[3].any() and not S[4].any()
    assert S[0] @ S[1] > S[0] @ S[2]


def test_one_tokenisation_serves_both_blocks():
    texts = ["A shameful plan.", "", "The port reopened on Monday after a storm."]
    ids = stance.text.author_word_ids(texts)
    np.testing.assert_array_equal(stance.text.lexical_matrix(texts, ids), stance.text.lexical_matrix(texts))
    np.testing.assert_array_equal(stance.text.static_matrix(texts, ids), stance.text.static_matrix(texts))
    assert stance.text.lexical_matrix([]).shape == (0, len(stance.text.LEXICAL_NAMES))
