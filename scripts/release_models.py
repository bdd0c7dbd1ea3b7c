"""Build the published model files, their manifest entries and the Hub model card; upload a release (maintainers).

    python scripts/release_models.py --out dist/models [--models hybrid tfidf-lr rules wide accurate] [--write-manifest]
    python scripts/release_models.py --out dist/models --upload        # needs a Hub token (HF_TOKEN)

For each model: ``stance.train(name, seed=0, evaluate=True)`` (the card gets the
leave-one-document-out macro-F1 with its 95% interval; ``accurate``, a fine-tuned encoder that takes
about half an hour to train, is not cross-validated), then its figures on news about other topics
(the news set's test split, and the outside codebook set's test split when ``../shared/external`` is
there), saved as ``OUT/<name>-<version>.stance`` (data: JSON, numpy arrays and, for ``accurate``, the
ONNX network and its tokenizer; see stance.model), reloaded once as data as a check, then hashed.
``OUT/README.md`` is the Hub repository's model card. Prints the manifest entries as JSON;
``--write-manifest`` merges them into ``src/stance/data/registry.json`` in place, keeping its
``repo_id`` and ``revision``.

``--upload`` uploads OUT to the manifest's Hub repository (``--repo-id`` to change it) in one commit,
tags it ``v<version>``, and pins that commit as the manifest's ``revision``. It refuses unless every
file in OUT has the sha256 the manifest pins, so what users download is what the wheel checks. A
token is needed only here (``HF_TOKEN`` or ``hf auth login``); ``HF_ENDPOINT`` selects the Hub.

The output is deterministic: same code, data and library versions give the same bytes (attributes
holding memory addresses are dropped before saving). The card's ``trained`` time comes from
``SOURCE_DATE_EPOCH`` when set and is left empty otherwise, so rebuilding does not change the hashes.
Anyone can rebuild a release this way and use it with ``STANCE_MODELS_DIR=OUT``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "src" / "stance" / "data" / "registry.json"
DEFAULT_MODELS = ("hybrid", "tfidf-lr", "rules", "wide", "accurate")
REPO_ID = "stance-nlp/stance-models"
LICENCE = "MIT, like stance itself"
HEADLINE_KEYS = ("scheme", "documents", "sentences", "macro_f1", "macro_f1_ci95", "accuracy", "per_class_f1",
                 "other_topics")


def _training_data(card: dict[str, Any]) -> str:
    td = card.get("training_data") or {}
    if not isinstance(td, dict):
        return str(td)
    counts = td.get("label_counts") or {}
    parts = [str(td.get("source", "unknown source"))]
    if td.get("rows") is not None:
        parts.append(f"{td['rows']} sentences" + (
            f" ({', '.join(f'{k} {v}' for k, v in counts.items())})" if counts else ""))
    docs = (card.get("metrics") or {}).get("documents")
    if docs:
        parts.append(f"{docs} documents")
    if td.get("fingerprint"):
        parts.append(f"fingerprint {td['fingerprint']}")
    return "; ".join(parts)


def _drop_volatile(obj: Any, seen: set[int] | None = None) -> None:
    """Remove attributes that differ between identical fits (so the bytes are reproducible).

    scikit-learn's text vectorizers remember ``_stop_words_id = id(self.stop_words)``,
    a memory address, only to skip a repeated consistency check; without it the
    check simply runs again.
    """
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for v in obj.values():
            _drop_volatile(v, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _drop_volatile(v, seen)
    elif type(obj).__module__.split(".")[0] in ("sklearn", "stance") and hasattr(obj, "__dict__"):
        obj.__dict__.pop("_stop_words_id", None)
        for v in list(vars(obj).values()):
            _drop_volatile(v, seen)


WIDE_LICENCE = (
    "trained on the outside codebook set's dev labels, whose texts come from CheckThat! 2025 (CC BY-NC-SA 4.0) "
    "and BABE (GNU AGPL v3): non-commercial use, with attribution, derivatives shared alike; not relicensable "
    "as MIT")


_LODO: dict[str, dict[str, Any]] = {}  # leave-one-document-out summaries of this run, by recipe


def build(name: str, out: Path, external: Path | None = None) -> dict[str, Any]:
    """Train, save, reload and hash one model; return its manifest entry.

    ``wide`` is the default's recipe trained on the built-in data + the outside dev labels
    (needs the outside data, ``external``); every other name is a model of the ladder trained on
    the built-in data.
    """
    import stance
    from stance import evaluate
    from stance.hub import sha256sum
    from stance.training import builtin_data, lodo_summary, wide_data

    if name == "wide":
        from stance.recipes import DEFAULT_MODEL

        data = wide_data(external)
        model = stance.train(model=DEFAULT_MODEL, data=data, seed=0)
        model.card["metrics"] = _LODO.get(DEFAULT_MODEL) or lodo_summary(DEFAULT_MODEL, builtin_data(), seed=0)
        model.card["metrics"]["note"] = "corpus LODO of the default recipe; see experiments/README.md (topics) for wide"
        model.card["model"] = "wide"
        model.card["licence"] = WIDE_LICENCE
        model.card["description"] = ("the default's recipe trained on the default's data (the corpus, the news set, the "
                                     "constructed set) and the outside "
                                     "codebook set's dev labels (CheckThat!, BABE)")
    else:
        model = stance.train(model=name, seed=0, evaluate=name != "accurate")
        if model.card.get("metrics"):
            _LODO[name] = dict(model.card["metrics"])  # wide's card repeats the default recipe's corpus figures
    card = model.card
    card.setdefault("metrics", None)
    card["metrics"] = dict(card["metrics"] or {}) | {"other_topics": evaluate.other_topics(model, external)}
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        card["trained"] = None  # no clock in the bytes (with SOURCE_DATE_EPOCH, training stamped that time)
    if model.scoring is None or model.scoring["kind"] != "encoder":  # an encoder model keeps no estimator
        _drop_volatile(model.estimator)
    version = str(card.get("stance_version") or stance.__version__)
    path = out / f"{name}-{version}.stance"
    model.save(path, force=True)
    loaded = stance.load(path)  # as data: no unpickling
    if loaded.card.get("model") != name:
        raise SystemExit(f"{path}: reloaded card names model {loaded.card.get('model')!r}, not {name!r}")
    metrics = card.get("metrics") or {}
    return {
        "name": name,
        "version": version,
        "filename": path.name,
        "sha256": sha256sum(path),
        "size": path.stat().st_size,
        "sklearn_version": card.get("sklearn_version"),
        "labels": list(card.get("labels") or []),
        "metrics": {k: metrics[k] for k in HEADLINE_KEYS if k in metrics},
        "description": card.get("description", ""),
        "licence": card.get("licence", LICENCE),
        "training_data": _training_data(card),
    }


def merge(manifest: dict[str, Any], built: list[dict[str, Any]]) -> dict[str, Any]:
    """Manifest with ``built`` entries replacing same-named ones (repository and revision kept)."""
    models = [dict(m) for m in manifest.get("models", [])]
    index = {m["name"]: i for i, m in enumerate(models)}
    for e in built:
        if e["name"] in index:
            models[index[e["name"]]] = e
        else:
            index[e["name"]] = len(models)
            models.append(e)
    version = built[0]["version"] if built else "0"
    return {
        "format": 2,
        "repo_id": manifest.get("repo_id") or REPO_ID,
        "revision": manifest.get("revision") or f"v{version}",
        "uploaded": bool(manifest.get("uploaded", False)),
        **{k: v for k, v in manifest.items() if k not in ("format", "repo_id", "revision", "uploaded", "models",
                                                         "base_url")},
        "models": models,
    }


def hub_card(built: list[dict[str, Any]], repo_id: str) -> str:
    """The Hub repository's README.md: what each file is, its figures, sha256 and licence."""
    nc = any("non-commercial" in str(e.get("licence", "")) for e in built)
    lines = ["---", "license: other" if nc else "license: mit", "library_name: stance",
             "tags: [text-classification, news, stance, quotes]", "language: [en]", "---", "",
             f"# {repo_id}", "",
             "Models of [stance](https://pypi.org/project/stance/), which labels the sentences of news and advocacy "
             "texts as factual claim, attributed quote or loaded characterisation. Each file is data (JSON and "
             "numpy arrays in a zip; see `stance.artifact`): `stance.load(NAME)` downloads it and checks its sha256 "
             "against the manifest inside the installed package before use.", "",
             "| file | model | corpus LODO macro-F1 [95% CI] | other topics (news test / outside test) | sha256 | "
             "licence |", "|---|---|---|---|---|---|"]
    for e in built:
        m = e.get("metrics") or {}
        ci = m.get("macro_f1_ci95") or [float("nan")] * 2
        f1 = f"{m['macro_f1']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]" if "macro_f1" in m else "-"
        other = m.get("other_topics") or {}
        topics = " / ".join(f"{other[k]['macro_f1']:.3f}" if k in other else "-" for k in ("news_test", "outside_test"))
        lines.append(f"| `{e['filename']}` | {e['name']} | {f1} | {topics} | `{e['sha256']}` | {e.get('licence', '')} |")
    lines += ["", "Training data of each model is named on its card (`stance card NAME`)."]
    return "\n".join(lines) + "\n"


def upload(out: Path, manifest_path: Path, repo_id: str | None) -> str:
    """Upload OUT as one commit, tag it, pin it in the manifest; return the commit id."""
    from huggingface_hub import HfApi

    from stance.hub import endpoint, sha256sum

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    repo = repo_id or manifest["repo_id"]
    for e in manifest["models"]:
        f = out / e["filename"]
        if not f.is_file() or sha256sum(f) != e["sha256"]:
            raise SystemExit(f"{f}: missing, or not the file the manifest pins (sha256 {e['sha256']}); "
                             "build with --write-manifest first")
    api = HfApi(endpoint=endpoint())
    api.create_repo(repo, repo_type="model", exist_ok=True)
    version = manifest["models"][0]["version"]
    info = api.upload_folder(repo_id=repo, folder_path=out, commit_message=f"stance {version} models",
                             allow_patterns=["*.stance", "README.md"])
    api.create_tag(repo, tag=f"v{version}", revision=info.oid, exist_ok=True)
    manifest.update({"repo_id": repo, "revision": info.oid, "uploaded": True})
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return info.oid


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path, help="directory for the built artifacts")
    p.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), metavar="NAME",
                   help=f"models to build (default: {' '.join(DEFAULT_MODELS)})")
    p.add_argument("--write-manifest", action="store_true", help=f"update {MANIFEST.relative_to(ROOT)} in place")
    p.add_argument("--manifest", type=Path, default=MANIFEST, help=argparse.SUPPRESS)
    p.add_argument("--upload", action="store_true", help="upload OUT to the Hub repository and pin the commit "
                                                         "(needs a token; refuses files the manifest does not pin)")
    p.add_argument("--no-build", dest="build", action="store_false",
                   help="with --upload: upload what OUT already holds, without building")
    p.add_argument("--repo-id", help="Hub repository to upload to (default: the manifest's)")
    p.add_argument("--external", type=Path, help="outside data directory for wide (default: stance's default)")
    args = p.parse_args(argv)

    import stance.recipes

    unknown = [n for n in args.models if n not in stance.recipes.names() + ["wide"]]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(stance.recipes.names() + ['wide'])}")
    if not args.build and not args.upload:
        p.error("--no-build only makes sense with --upload")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.build:
        oid = upload(args.out, args.manifest, args.repo_id)
        print(f"uploaded {args.out} as commit {oid}; {args.manifest} pins it", file=sys.stderr)
        return 0
    built = []
    for name in args.models:
        e = build(name, args.out, args.external)
        m = e["metrics"]
        ci = m.get("macro_f1_ci95") or [float("nan")] * 2
        print(f"{e['filename']}: {e['size']} bytes, sha256 {e['sha256']}, LODO macro-F1 "
              f"{m.get('macro_f1', float('nan')):.3f} [{ci[0]:.3f}, {ci[1]:.3f}], other topics "
              f"{json.dumps(m.get('other_topics'))}", file=sys.stderr)
        built.append(e)
    current = json.loads(args.manifest.read_text(encoding="utf-8")) if args.manifest.exists() else {}
    merged = merge(current, built)
    (args.out / "README.md").write_text(hub_card(merged["models"], merged["repo_id"]), encoding="utf-8")
    print(json.dumps(built, indent=2, ensure_ascii=False))
    if args.write_manifest:
        args.manifest.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"updated {args.manifest}", file=sys.stderr)
    if args.upload:
        oid = upload(args.out, args.manifest, args.repo_id)
        print(f"uploaded {args.out} as commit {oid}; {args.manifest} pins it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
