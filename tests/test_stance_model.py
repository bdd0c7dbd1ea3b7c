"""StanceModel: compiled inference, label_text, explain, persistence, the shipped default."""

import json
import pickle

import numpy as np
import pytest
from conftest import SENTENCES, corpus_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stance
from stance.training import builtin_data


def test_predict_validates_input(hybrid):
    with pytest.raises(TypeError, match="single string"):
        hybrid.predict("one sentence")
    with pytest.raises(TypeError, match="sentence 1 is int"):
        hybrid.predict(["ok", 3])
    assert hybrid.predict([]).shape == (0,)
    assert hybrid.predict_proba([]).shape == (0, 3)


def test_same_data_and_seed_same_model(hybrid):
    again = stance.train("hybrid", data=builtin_data(constructed=False, news=False), seed=0)  # read afresh
    X = corpus_data().texts + SENTENCES
    assert np.array_equal(again.predict_proba(X), hybrid.predict_proba(X))
    assert again.card["training_data"]["fingerprint"] == hybrid.card["training_data"]["fingerprint"]


def test_label_text_offsets_exclusions_speakers(default):
    text = (
        "Cuba Sends Doctors to Peru\n\n"
        "Working Conditions\n"
        "Cuba sent 27 doctors to Peru in June. "
        "“We are proud of our doctors,” Health Minister José Portal said. "
        "What happens next?\n"
        "Leave a Reply\n"
    )
    doc = default.label_text(text)
    for s in doc.sentences:
        assert text[s.start : s.end] == s.text
    by_text = {s.text: s for s in doc.sentences}
    assert by_text["Working Conditions"].label == "excluded" and by_text["Working Conditions"].reason == "heading"
    assert by_text["What happens next?"].reason == "question"
    assert by_text["Leave a Reply"].reason == "boilerplate"
    assert by_text["Cuba Sends Doctors to Peru"].label != "excluded"  # the headline is a sentence
    q = by_text["“We are proud of our doctors,” Health Minister José Portal said."]
    assert q.label == "quote" and q.speaker == "Health Minister José Portal"
    assert abs(sum(q.probabilities.values()) - 1) < 1e-9
    assert doc.summary["labelled"] + doc.summary["excluded"] == len(doc.sentences)
    assert doc.summary["speakers"] == ["Health Minister José Portal"]
    assert json.dumps(doc.to_dict())


def test_label_text_offset_shift(default):
    doc = default.label_text("Cuba sent doctors.", offset=100, headline=False)
    assert (doc.sentences[0].start, doc.sentences[0].end) == (100, 118)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_label_text_never_raises_and_offsets_slice_back(text):
    doc = _DEFAULT.label_text(text)
    for s in doc.sentences:
        assert text[s.start : s.end] == s.text
        assert s.label in ("claim", "quote", "loaded", "excluded")


_DEFAULT = stance.load()


def test_very_long_sentence(default):
    text = "word " * 20000 + "end."
    doc = default.label_text(text)
    assert doc.sentences and all(text[s.start : s.end] == s.text for s in doc.sentences)


def test_explain_names_the_loaded_words(default):
    ex = default.explain("The Castro regime cynically exploits its slave doctors.", k=5)
    assert 1 <= len(ex) <= 5
    assert all(e["weight"] > 0 and e["description"] for e in ex)
    assert [e["weight"] for e in ex] == sorted((e["weight"] for e in ex), reverse=True)
    assert any("regime" in e["description"] for e in ex)
    quote = default.explain('"We are proud," the minister said.', label="quote")
    assert any(e["feature"] in ("speech_verb", "has_quote", "opens_with_quote", "quote_then_verb") for e in quote)
    with pytest.raises(ValueError, match="unknown label"):
        default.explain("x", label="opinion")


def test_explain_for_uncompiled_and_rules_models(trained_nb, trained_rules):
    nb = trained_nb.model
    assert nb.explain("The Castro regime exploits slave doctors.", k=3)
    rules = trained_rules.model
    ex = rules.explain("The Castro regime exploits slave doctors.")
    assert ex[0]["feature"] in ("pejorative_label", "evaluative")


def test_model_pickles(default):
    again = pickle.loads(pickle.dumps(default))
    assert np.array_equal(again.predict_proba(SENTENCES), default.predict_proba(SENTENCES))


def test_default_reads_the_general_resources_with_numpy_alone(default):
    from stance.model import CompiledModel

    kinds = [b["type"] for b in default.scoring["blocks"]]
    assert {"tfidf", "cues", "rules", "lexical", "static"} <= set(kinds)
    assert set(default.card["resources"]) == {"lexicons/vader.tsv", "lexicons/subjectivity.tsv", "static_vectors.npz"}
    ex = default.explain("The council's disastrous, shameful plan gutted the bus service.", k=20)
    # static vector dimensions are summed into one item, never listed one by one
    assert all(not (e["feature"].startswith("d") and e["feature"][1:].isdigit()) for e in ex)
    # a model compiled before the attribution cues were appended still scores: its cue block is read narrower
    spec = dict(default.scoring, blocks=[dict(b) for b in default.scoring["blocks"]])
    ci = kinds.index("cues")
    start = sum(b["size"] for b in spec["blocks"][:ci])
    extra = spec["blocks"][ci]["size"] - 17
    spec["blocks"][ci]["size"] = 17
    spec["coef"] = np.delete(default.scoring["coef"], range(start + 17, start + 17 + extra), axis=1)
    P = CompiledModel(spec).predict_proba(SENTENCES)
    assert P.shape == (len(SENTENCES), 3) and np.allclose(P.sum(axis=1), 1.0)
