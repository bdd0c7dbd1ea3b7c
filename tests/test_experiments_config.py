"""The experiment configs parse, name known models and variants, and outside-data experiments skip cleanly.

Needs neither ../shared/external nor the embed extra, and fits no model: a few seconds.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import stance.recipes

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
CONFIGS = EXPERIMENTS / "configs"


@pytest.fixture
def plotting():
    """experiments/run.py refuses to run without matplotlib (the plot extra)."""
    pytest.importorskip("matplotlib", reason="experiments/run.py needs the plot extra")


@pytest.fixture(scope="module")
def run():
    name = "stance_experiments_run"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / "run.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


@pytest.fixture
def external():
    """The outside data directory; the test is skipped without it."""
    from stance.corpora import default_external

    path = default_external()
    if not (path / "babe").is_dir():
        pytest.skip(f"outside data not found at {path}")
    return path


def _smoke(run, tmp_path, name, replacements, external=None):
    """Run a copy of configs/<name>.toml with ``replacements`` (each must be found) into tmp_path;
    returns the results dict, the results.json text and the README text."""
    import json

    text = (CONFIGS / f"{name}.toml").read_text(encoding="utf-8")
    for a, b in replacements:
        assert a in text, a
        text = text.replace(a, b)
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / f"{name}.toml").write_text(text, encoding="utf-8")
    results, readme = tmp_path / "results", tmp_path / "README.md"
    assert run.main(["--only", name], configs_dir=configs, results_dir=results, readme=readme,
                    external=external) == 0
    raw = (results / name / "results.json").read_text(encoding="utf-8")
    return json.loads(raw), raw, readme.read_text(encoding="utf-8")


def test_every_config_parses_and_names_known_models(run):
    cfgs = run.load_configs(CONFIGS)
    assert len(cfgs) == len(list(CONFIGS.glob("*.toml"))) >= 1
    known = stance.recipes.names()
    ideas = run.load_ideas()
    for cfg in cfgs:
        assert cfg["models"], cfg["_file"]
        assert set(cfg["models"]) <= set(known), cfg["_file"]
        aux = [a["name"] for a in cfg.get("auxiliary", [])]
        for v in cfg.get("variants", []):
            base, extra = ideas.parse_variant(v)
            assert base in cfg["models"] and base in known, (cfg["_file"], v)
            assert set(extra) <= set(ideas.BUILTIN_IDEAS) | set(aux), (cfg["_file"], v)
            assert ideas.check_variant(v, cfg["models"], aux) is None


def test_generalise_config_lists_the_variants(run):
    cfg = run.load_config(CONFIGS / "generalise.toml")
    ideas = run.load_ideas()
    bases = {ideas.parse_variant(v)[0] for v in cfg["variants"]}
    # every base model is itself a variant, so each idea has a base to be compared with
    assert bases == {"hybrid"} and bases <= set(cfg["variants"])
    used = {i for v in cfg["variants"] for i in ideas.parse_variant(v)[1]}
    assert used == {"lexicon", "checkthat", "babe"}
    assert cfg["seeds"][0] == 0 and cfg["bootstrap"] == 1000 and cfg["cv"] == "lodo"
    aux = {a["name"]: a for a in cfg["auxiliary"]}
    assert aux["babe"]["scored_as"] == "babe" and aux["babe"]["group_column"] == "outlet"
    assert {a["licence"] for a in aux.values()} == {"CC BY-NC-SA 4.0", "GNU AGPL v3"}


@pytest.mark.parametrize(
    "variants, message",
    [(["hybrid+nosuchidea"], "unknown idea"), (["nosuchmodel"], "unknown model"), (["hybrid+"], "bad variant")],
)
def test_unknown_variants_are_refused(run, tmp_path, variants, message):
    text = (CONFIGS / "generalise.toml").read_text(encoding="utf-8")
    start = text.index("variants = [")
    end = text.index("]", start) + 1
    bad = text[:start] + "variants = [" + ", ".join(f'"{v}"' for v in variants) + "]" + text[end:]
    (tmp_path / "generalise.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(run.ConfigError, match=message):
        run.load_config(tmp_path / "generalise.toml")


def test_outside_experiments_skip_cleanly_without_external_data(run, tmp_path, capsys, plotting):
    outside = [c["name"] for c in run.load_configs(CONFIGS) if "outside" in c]
    assert "outside" in outside and "generalise" in outside
    results, readme = tmp_path / "results", tmp_path / "README.md"
    argv = [x for n in outside for x in ("--only", n)]
    code = run.main(argv, results_dir=results, readme=readme, external=tmp_path / "no-such-dir")
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("skipped: outside data directory") == len(outside)
    assert not results.exists() or not any(results.rglob("*"))  # nothing written for a skipped experiment
    text = readme.read_text(encoding="utf-8")
    for n in outside:
        section = text.split(f"## {n}\n", 1)[1].split("\n## ", 1)[0]
        assert "**Skipped on the last run:**" in section and "is absent" in section


def test_lexicon_feature_shape_when_available(run):
    ideas = run.load_ideas()
    if ideas.lexicon_path() is None:
        pytest.skip("textblob (and its en-sentiment.xml) is not installed; the lexicon variant is skipped")
    X = ideas.SubjectivityLexicon().fit(["x"]).transform(
        ["A terrible, awful decision.", 'He called it "terrible".', "The meeting is on Tuesday.", ""])
    assert X.shape == (4, 3)
    assert X[0, 0] >= 1 and X[0, 1] >= 0.6 and X[0, 2] > 0
    assert (X[1:] == 0).all()  # quoted words are not the author's voice


def _fake_external(root: Path) -> None:
    """Tiny made-up stand-ins for the outside data, in their formats (no real sentence)."""
    ct = root / "checkthat-subjectivity-en"
    ct.mkdir(parents=True)
    rows = [("The council met on Tuesday to approve the budget.", "OBJ"),
            ("This shameful and disastrous plan is a disgrace.", "SUBJ"),
            ("The report lists 40 new schools.", "OBJ"),
            ("A truly appalling waste of everyone's money.", "SUBJ")]
    for name in ("train_en.tsv", "dev_en.tsv"):
        (ct / name).write_text("sentence_id\tsentence\tlabel\n" + "".join(
            f"{name}-{i}\t{s} ({name} {i})\t{y}\n" for i, (s, y) in enumerate(rows)), encoding="utf-8")
    (ct / "test_en_labeled.tsv").write_text("sentence\tlabel\tsentence_id\n" + "".join(
        f"{s} (test {i})\t{y}\tt{i}\n" for i, (s, y) in enumerate(rows)), encoding="utf-8")
    babe = root / "babe"
    babe.mkdir()
    lines = ["text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words"]
    for i in range(12):
        s, y = rows[i % 4]
        lines.append(f"{s} (outlet {i % 3}, {i});x;outlet{i % 3};t;t;{'Biased' if y == 'SUBJ' else 'Non-biased'};x;[]")
    lines.append("Nobody agreed on this one.;x;outlet0;t;t;No agreement;x;[]")
    (babe / "final_labels_SG2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_generalise_runs_end_to_end_on_tiny_fake_data(run, tmp_path, monkeypatch, capsys, plotting):
    ideas = run.load_ideas()
    monkeypatch.setattr(ideas, "lexicon_path", lambda: None)  # as if textblob were absent
    text = (CONFIGS / "generalise.toml").read_text(encoding="utf-8").replace("folds = 5", "folds = 3")
    start = text.index("variants = [")
    text = text[:start] + 'variants = ["hybrid", "hybrid+lexicon", "hybrid+babe"]' + text[text.index("]", start) + 1:]
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "generalise.toml").write_text(text, encoding="utf-8")
    ext = tmp_path / "external"
    _fake_external(ext)
    results, readme = tmp_path / "results", tmp_path / "README.md"
    code = run.main(["--only", "generalise"], configs_dir=tmp_path / "configs", results_dir=results, readme=readme,
                    external=ext)
    assert code == 0
    out = capsys.readouterr().out
    assert "hybrid+lexicon: skipped" in out
    import json

    res = json.loads((results / "generalise" / "results.json").read_text(encoding="utf-8"))
    assert set(res["variants"]) == {"hybrid", "hybrid+babe"}
    assert set(res["skipped_variants"]) == {"hybrid+lexicon"}
    hb = res["variants"]["hybrid+babe"]
    assert "GroupKFold" in hb["outside"]["babe"]["scheme"] and "GroupKFold" not in hb["outside"]["checkthat-en-test"]["scheme"]
    assert hb["outside"]["babe"]["n"] == 12 and res["outside_data"]["babe"]["dropped"] == {"No agreement": 1}
    assert 0 <= hb["lodo"]["macro_f1"] <= 1 and "lodo_vs_base" in hb
    written = (results / "generalise" / "results.json").read_text(encoding="utf-8") + \
        (results / "generalise" / "report.md").read_text(encoding="utf-8") + readme.read_text(encoding="utf-8")
    for s in ("shameful", "council", "Nobody agreed"):
        assert s not in written  # aggregate figures only
    assert "never the default" in readme.read_text(encoding="utf-8")


def test_ranking_figures_match_a_brute_force_threshold_sweep(run):
    import numpy as np
    from sklearn.metrics import f1_score, roc_auc_score

    ideas = run.load_ideas()
    rng = np.random.default_rng(0)
    gold = np.where(rng.random(200) < 0.3, "loaded", "not-loaded")
    score = np.round(rng.random(200) * 0.5 + (gold == "loaded") * 0.3, 2)  # ties on purpose
    r = ideas.ranking_figures(gold, score)
    y = gold == "loaded"
    best = max(f1_score(y, score >= t, average="macro") for t in np.unique(score))
    assert r["auc"] == pytest.approx(roc_auc_score(y, score))
    assert r["ceiling_macro_f1"] == pytest.approx(best)
    assert 0 < r["ceiling_loaded_share"] <= 1
    assert ideas.ranking_figures(["loaded"] * 3, [0.1, 0.2, 0.3])["auc"] is None


def test_topics_config_has_what_the_experiment_needs(run):
    cfg = run.load_config(CONFIGS / "topics.toml")
    assert cfg["kind"] == "topics" and cfg["default"] == stance.recipes.DEFAULT_MODEL and cfg["wide"] is True
    assert set(stance.recipes.names()) <= set(cfg["models"])
    # the default's curve over the news set's train rows (0 = the corpus and the constructed set alone)
    assert cfg["learning_curve"] == [0, 1000, 2000, 4000, 8000, "all"]
    assert cfg["present_params"] == {"clf__C": 0.3} and cfg["present_constructed_weight"] == 0.05
    babe = [d for d in cfg["outside"]["data"] if d["name"] == "babe"][0]
    assert babe["leave_out_labelled"] is True  # no model is scored on a row of the labelled set
    assert not any("test_en_labeled" in d["path"] and d.get("leave_out_labelled") for d in cfg["outside"]["data"])


@pytest.mark.slow
def test_topics_smoke_run_writes_aggregates_only(run, tmp_path, external, plotting):
    """A one-model-pair topics run end to end; skipped without the outside data."""
    res, raw, readme = _smoke(run, tmp_path, "topics", [
        ('models = ["majority", "rules", "tfidf-lr", "tfidf-svm", "nb", "hybrid", "embed", "accurate"]', 'models = ["majority", "rules"]'),
        ("wide = true", "wide = false"), ('learning_curve = [0, 1000, 2000, 4000, 8000, "all"]', "learning_curve = []"),
        ("bootstrap = 1000", "bootstrap = 20"), ('default = "hybrid"', 'default = "rules"'),
        ('present_params = { "clf__C" = 0.3 }', "present_params = {}")], external)
    assert set(res["models"]) == {"majority", "rules"}
    assert res["sets"]["outside test"]["n"] >= 300 and res["sets"]["news test"]["n"] >= 1500
    assert 0.0 <= res["models"]["rules"]["sets"]["outside test"]["macro_f1"] <= 1.0
    assert {"news test: wikinews", "checkthat-test", "babe"} <= set(res["models"]["rules"]["sets"])
    assert "present default" in {c["b"] for c in res["comparisons"]}
    # no outside sentence is written anywhere: compare against every outside text
    from stance.corpora import outside_records

    assert not any(r["text"][:40] in raw + readme for r in outside_records(external=external) if len(r["text"]) >= 40)
    assert "## topics" in readme


def test_adapt_config_has_what_the_experiment_needs(run):
    cfg = run.load_config(CONFIGS / "adapt.toml")
    assert cfg["kind"] == "adapt" and cfg["default"] == stance.recipes.DEFAULT_MODEL
    assert cfg["sizes"] == [0, 25, 50, 100, 200] and len(cfg["seeds"]) >= 3
    assert not set(cfg["seeds"]) & set(cfg["selection_seeds"])
    # outside dev (where the default was tuned) is never the held-out side
    assert {(s["set"], s["heldout"]) for s in cfg["scenarios"]} == {("news", "heldout"), ("vaccines", "heldout"),
                                                                     ("outside", "test")}


def test_adapt_config_errors_name_the_scenario(run, tmp_path):
    text = (CONFIGS / "adapt.toml").read_text(encoding="utf-8").replace('heldout = "test"', 'heldout = "dev"')
    (tmp_path / "adapt.toml").write_text(text, encoding="utf-8")
    with pytest.raises(run.ConfigError, match="news on many topics.*two splits"):
        run.load_config(tmp_path / "adapt.toml")


@pytest.mark.slow
def test_adapt_smoke_run_writes_aggregates_only(run, tmp_path, external, plotting):
    """A small adapt run end to end (tfidf-lr, two sizes); skipped without the outside data."""
    from stance.corpora import outside_records

    res, raw, readme = _smoke(run, tmp_path, "adapt", [
        ('default = "hybrid"', 'default = "tfidf-lr"'), ("sizes = [0, 25, 50, 100, 200]", "sizes = [0, 25]"),
        ("weights = [1, 2, 4, 8, 16]", "weights = [1, 3]"), ("selection_seeds = [100, 101, 102]", "selection_seeds = [100]"),
        ("seeds = [0, 1, 2, 3, 4]", "seeds = [0, 1]"), ("bootstrap = 1000", "bootstrap = 20"),
        # the immigration block's scenario runs like the others; left out here to keep the smoke run short
        ('[[scenarios]]\nname = "one topic in press releases (immigration)"\nset = "news"\npool = "pool"\n'
         'heldout = "heldout"\n', "")], external)
    assert [c["weight"] for c in res["weight_selection"]["candidates"]] == [1, 3]
    assert [s["set"] for s in res["scenarios"]] == ["vaccines", "outside"]
    for sc in res["scenarios"]:
        points = {(p["rows"], p["strategy"]): p for p in sc["curve"]}
        assert set(points) == {(0, "none (the shipped default)"), (25, "random"), (25, "uncertain")}
        assert len(points[(25, "random")]["macro_f1_by_seed"]) == 2
        assert len(points[(25, "uncertain")]["macro_f1_by_seed"]) == 1
        base = points[(0, "none (the shipped default)")]["macro_f1"]
        for k in ("random", "uncertain"):
            g = points[(25, k)]["gain"]["macro_f1_difference"]
            assert g == pytest.approx(points[(25, k)]["macro_f1"] - base)
    texts = [r["text"] for r in outside_records(external=external) + outside_records(external=external, name="vaccines")]
    assert not any(t[:40] in raw + readme for t in texts if len(t) >= 40)
    assert "## adapt" in readme


def test_cv_smoke_run_writes_results_report_and_readme(run, tmp_path, plotting):
    """A one-model cross-validation experiment (the kind of baselines-lodo) end to end."""
    import json

    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "smoke.toml").write_text(
        'name = "smoke"\norder = 1\ndescription = "smoke"\nmodels = ["majority"]\ncv = "lodo"\nseeds = [0]\n'
        "bootstrap = 20\nlearning_curve = false\n", encoding="utf-8")
    results, readme = tmp_path / "results", tmp_path / "README.md"
    assert run.main(["--only", "smoke"], configs_dir=configs, results_dir=results, readme=readme) == 0
    res = json.loads((results / "smoke" / "results.json").read_text(encoding="utf-8"))
    assert res["ranking"] == ["majority"] and res["cv"]["scheme"] == "lodo"
    assert 0.0 < res["models"]["majority"]["macro_f1"] < 0.5  # the floor: one label for everything
    assert (results / "smoke" / "report.md").is_file() and "## smoke" in readme.read_text(encoding="utf-8")


def test_outside_smoke_run_scores_one_model_on_aggregates_only(run, tmp_path, external, plotting):
    """A one-model outside experiment end to end; skipped without the outside data."""
    res, _, _ = _smoke(run, tmp_path, "outside", [
        ('models = ["majority", "rules", "tfidf-lr", "tfidf-svm", "nb", "hybrid"]', 'models = ["rules"]'),
        ("shipped = true", "shipped = false"), ("bootstrap = 2000", "bootstrap = 20")], external)
    assert {e["model"] for e in res["evaluations"]} == {"rules"}
    assert {e["dataset"] for e in res["evaluations"]} == {"checkthat-en-test", "babe"}
    assert all(0.0 <= e["metrics"]["macro_f1"] <= 1.0 for e in res["evaluations"])
    assert not (tmp_path / "results" / "outside" / "errors.csv").exists()  # no per-sentence rows of others' data


def test_run_refuses_without_matplotlib_and_changes_nothing(run, tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    results, readme = tmp_path / "results", tmp_path / "README.md"
    readme.write_text("kept\n", encoding="utf-8")
    assert run.main(["--only", "baselines-lodo"], results_dir=results, readme=readme) == 2
    assert "need matplotlib" in capsys.readouterr().err
    assert not results.exists() and readme.read_text(encoding="utf-8") == "kept\n"
