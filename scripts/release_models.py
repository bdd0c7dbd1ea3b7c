"""Build the published model artifacts and their manifest entries (maintainers).

    python scripts/release_models.py --out dist/models [--models hybrid tfidf-lr rules wide] [--write-manifest]

For each model: ``stance.train(name, seed=0, evaluate=True)`` (the card gets the
leave-one-document-out macro-F1 with its 95% interval), saved as
``OUT/<name>-<version>.joblib`` (plus its ``.card.json``), reloaded once as a
check, then hashed. Prints the manifest entries as JSON; ``--write-manifest``
merges them into ``src/stance/data/registry.json`` in place, keeping its
``base_url`` and each entry's ``url`` template. Upload the ``.joblib`` files to
the ``base_url`` location under the same file names.

The output is deterministic: same code, data and library versions give the
same bytes (attributes holding memory addresses are dropped before saving). The card's ``trained`` time comes from ``SOURCE_DATE_EPOCH`` when
set and is left empty otherwise, so rebuilding does not change the hashes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "src" / "stance" / "data" / "registry.json"
DEFAULT_MODELS = ("hybrid", "tfidf-lr", "rules", "wide")
PLACEHOLDER_BASE_URL = "https://example.invalid/stance/models"
URL_TEMPLATE = "{base_url}/{filename}"
LICENCE = "MIT, like stance itself"
HEADLINE_KEYS = ("scheme", "documents", "sentences", "macro_f1", "macro_f1_ci95", "accuracy", "per_class_f1")


def _trained_stamp() -> str | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat()


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


def build(name: str, out: Path, external: Path | None = None) -> dict[str, Any]:
    """Train, save, reload and hash one model; return its manifest entry.

    ``wide`` is the default's recipe trained on the built-in data + the outside dev labels
    (needs the outside data, ``external``); every other name is a model of the ladder trained on
    the built-in data.
    """
    import stance
    from stance.registry import sha256sum
    from stance.training import builtin_data, lodo_summary, wide_data

    if name == "wide":
        from stance.models import DEFAULT_MODEL

        data = wide_data(external)
        model = stance.train(model=DEFAULT_MODEL, data=data, seed=0)
        model.card["metrics"] = lodo_summary(DEFAULT_MODEL, builtin_data(), seed=0)
        model.card["metrics"]["note"] = "corpus LODO of the default recipe; see experiments/README.md (topics) for wide"
        model.card["model"] = "wide"
        model.card["licence"] = WIDE_LICENCE
        model.card["description"] = ("the default's recipe trained on the corpus, the constructed set and the outside "
                                     "codebook set's dev labels (CheckThat!, BABE)")
    else:
        model = stance.train(model=name, seed=0, evaluate=True)
    card = model.card
    card["trained"] = _trained_stamp()
    _drop_volatile(model.estimator)
    version = str(card.get("stance_version") or stance.__version__)
    path = out / f"{name}-{version}.joblib"
    model.save(path, force=True)
    loaded = stance.load(path)
    if loaded.card.get("model") != name:
        raise SystemExit(f"{path}: reloaded card names model {loaded.card.get('model')!r}, not {name!r}")
    metrics = card.get("metrics") or {}
    return {
        "name": name,
        "version": version,
        "filename": path.name,
        "url": URL_TEMPLATE,
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
    """Manifest with ``built`` entries replacing same-named ones (url templates kept)."""
    models = [dict(m) for m in manifest.get("models", [])]
    index = {m["name"]: i for i, m in enumerate(models)}
    for e in built:
        if e["name"] in index:
            old = models[index[e["name"]]]
            models[index[e["name"]]] = {**e, "url": old.get("url") or e["url"]}
        else:
            index[e["name"]] = len(models)
            models.append(e)
    return {
        "format": manifest.get("format", 1),
        "base_url": manifest.get("base_url") or PLACEHOLDER_BASE_URL,
        **{k: v for k, v in manifest.items() if k not in ("format", "base_url", "models")},
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path, help="directory for the built artifacts")
    p.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), metavar="NAME",
                   help=f"models to build (default: {' '.join(DEFAULT_MODELS)})")
    p.add_argument("--write-manifest", action="store_true", help=f"update {MANIFEST.relative_to(ROOT)} in place")
    p.add_argument("--manifest", type=Path, default=MANIFEST, help=argparse.SUPPRESS)
    p.add_argument("--external", type=Path, help="outside data directory for wide (default: stance's default)")
    args = p.parse_args(argv)

    from stance import models as ladder

    unknown = [n for n in args.models if n not in ladder.names() + ["wide"]]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(ladder.names() + ['wide'])}")
    args.out.mkdir(parents=True, exist_ok=True)
    built = []
    for name in args.models:
        e = build(name, args.out, args.external)
        m = e["metrics"]
        ci = m.get("macro_f1_ci95") or [float("nan")] * 2
        print(f"{e['filename']}: {e['size']} bytes, sha256 {e['sha256']}, LODO macro-F1 "
              f"{m.get('macro_f1', float('nan')):.3f} [{ci[0]:.3f}, {ci[1]:.3f}]", file=sys.stderr)
        built.append(e)
    print(json.dumps(built, indent=2, ensure_ascii=False))
    if args.write_manifest:
        current = json.loads(args.manifest.read_text(encoding="utf-8")) if args.manifest.exists() else {}
        text = json.dumps(merge(current, built), indent=2, ensure_ascii=False) + "\n"
        args.manifest.write_text(text, encoding="utf-8")
        print(f"updated {args.manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
