"""``stance models`` and ``stance download``: the published pretrained models.

``add_parsers(subparsers)`` adds both subcommands to an argparse subparsers
object; each handler takes the parsed Namespace and returns an exit code.
Errors are ``stance.errors.RegistryError`` (unknown name, checksum, download)
or ``stance.errors.UsageError``, each with a one-line message.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from stance.errors import UsageError

__all__ = ["add_parsers", "models_command", "download_command", "card_command"]


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def _f1(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "-"


def _topics(other: dict[str, Any]) -> str:
    """``0.812 / 0.701``: macro-F1 on the news set's test split and the outside codebook set's test split."""
    return " / ".join(_f1((other.get(k) or {}).get("macro_f1")) for k in ("news_test", "outside_test"))


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def models_command(args: argparse.Namespace) -> int:
    """List every model a user can load or train by name (:func:`stance.loading.catalogue`)."""
    from stance.hub import WITHOUT_NETWORK, catalogue, default_registry, endpoint

    listing = catalogue()
    if args.json:
        print(json.dumps(listing, indent=2, ensure_ascii=False))
        return 0
    reg = default_registry()
    rows = [["NAME", "MODEL", "SIZE", "CORPUS (LODO)", "OTHER TOPICS (news test / outside test)", "NEEDS"]]
    for d in (d for d in listing if d["kind"] == "shipped"):
        rows.append([d["name"], d["model"], _size(d["size"]), _f1(d["corpus_lodo"]), _topics(d["other_topics"]),
                     (d["needs"] or "-") + ("" if d["available"] else " (not installed)")])
    print("Shipped inside the package (offline; stance.load() is the default, stance.load(\"accurate\") the other):")
    print(_table(rows))
    rows = [["NAME", "VERSION", "SIZE", "MACRO-F1 (LODO, 95% CI)", "OTHER TOPICS", "CACHED", "PATH"]]
    for d in (d for d in listing if d["kind"] == "published"):
        rows.append([d["name"], d["version"], _size(d.get("size")), d["headline"],
                     _topics((d.get("metrics") or {}).get("other_topics") or {}),
                     d["cache_state"] + (f" ({d['cache_advice']})" if d["cache_advice"] else ""), d["path"]])
    print()
    print(f"Published models (stance download NAME, or stance.load(NAME)), from {endpoint()}/{reg.repo_id} "
          f"at revision {reg.revision}:")
    print(_table(rows))
    if not reg.uploaded:
        print(f"(this release is not on the Hub yet, not uploaded: use HF_ENDPOINT=URL (a mirror that holds the "
              f"release), {WITHOUT_NETWORK}; see README, Published models)")
    print(f"cache: {reg.cache}  (set STANCE_HOME to move it)")
    rows = [["NAME", "NEEDS", "HERE", "WHAT"]]
    for d in (d for d in listing if d["kind"] == "ladder"):
        rows.append([d["name"] + (" (default)" if d["default"] else ""), d["needs"] or "-",
                     "yes" if d["available"] else "no", d["description"]])
    print("\nModels of the ladder (stance-train --model NAME; embed also loads by name, trained on first use):")
    print(_table(rows))
    return 0


def download_command(args: argparse.Namespace) -> int:
    """Download model ``args.name`` into the cache (again with ``--force``)."""
    from stance import hub

    reg = hub.default_registry()
    e = reg.entry(args.name)  # UnknownModelError with suggestions
    if hub.is_offline():
        raise UsageError(f"cannot download model {e.name!r}: offline mode is on "
                        "(STANCE_OFFLINE or HF_HUB_OFFLINE is set); unset it to download")
    if not args.force and reg.is_cached(e.name):
        print(f"{e.name} {e.version} is already here at {reg.local_path(e.name)} "
              "(checksum verified; --force downloads it again)")
        return 0
    path = reg.fetch(e.name, offline=False, force=args.force)
    print(f"downloaded {e.name} {e.version} ({_size(e.size)}, sha256 verified) to {path}")
    return 0


def card_command(args: argparse.Namespace) -> int:
    """Print the card of a model file (or a published name, or the shipped default) and what the file holds."""
    from stance.hub import model_file
    from stance.model import read

    path = model_file(args.model)
    content = read(path, trusted=args.trust)
    info = {"path": str(path), "format_version": content.format_version,
            "data_only_scoring": content.scoring is not None,
            "pickled_estimator": content.estimator is not None, "card": content.card}
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


_MODELS_DESCRIPTION = (
    "List the published pretrained models: version, download size, headline leave-one-document-out macro-F1 "
    "with its 95%% interval, and whether a verified copy is in the local cache (STANCE_HOME, else the user "
    "cache directory).")
_DOWNLOAD_DESCRIPTION = (
    "Download a published model into the local cache; the file is kept only if its sha256 matches the manifest "
    "shipped with stance. Downloads come from the Hugging Face Hub repository the manifest names, at the revision "
    "it pins; HF_ENDPOINT selects a mirror, STANCE_MODELS_DIR a local folder of release files instead. Until the "
    "manifest says the release is uploaded, only a mirror can serve it. A download gives up when "
    "STANCE_DOWNLOAD_TIMEOUT seconds (60) pass without progress.")


def add_parsers(subparsers: Any) -> None:
    """Add ``models`` and ``download`` to an argparse subparsers object."""
    m = subparsers.add_parser("models", help="list the published pretrained models and whether they are cached",
                              description=_MODELS_DESCRIPTION)
    m.add_argument("--json", action="store_true", help="print machine-readable JSON")
    m.set_defaults(func=models_command)

    c = subparsers.add_parser("card", help="print a model file's card and what the file holds",
                              description="Print the model card inside a model file (a path, a published name, or "
                                          "'default'), with its format version and whether it needs unpickling. "
                                          "Reads the file as data: nothing inside it runs.")
    c.add_argument("model", metavar="PATH|NAME", nargs="?", help="model file or published name (default: the shipped model)")
    c.add_argument("--trust", action="store_true", help="also read an old pickle-format file (runs code from it)")
    c.set_defaults(func=card_command)

    d = subparsers.add_parser("download", help="download a published model into the cache and verify its checksum",
                              description=_DOWNLOAD_DESCRIPTION)
    d.add_argument("name", metavar="NAME", help="model name (see `stance models`)")
    d.add_argument("--force", action="store_true", help="download again even if a verified copy is cached")
    d.set_defaults(func=download_command)
