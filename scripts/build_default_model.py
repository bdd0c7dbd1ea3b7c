"""Rebuild the default model shipped in the package (maintainers).

    python scripts/build_default_model.py [--force]

Trains ``hybrid`` on the shipped training data (the corpus, the news set's train split, the
Wikipedia neutrality pairs and the constructed set) with seed 0, puts its leave-one-document-out
summary and its figures on news about other topics (news test, outside test) in the model card, and
writes
``src/stance/data/models/default.stance`` (the card is inside; ``stance card`` shows it). Run it
after any change to the labels, the features or the model, and commit the file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import stance
from stance import evaluate
from stance.model import DEFAULT_PATH
from stance.training import lodo_summary, read_data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--force", action="store_true", help="overwrite the existing default model")
    p.add_argument("--external", type=Path, help="the outside data, for the card's other-topics figures "
                                                 "(default ../shared/external)")
    args = p.parse_args(argv)
    if DEFAULT_PATH.exists() and not args.force:
        print(f"{DEFAULT_PATH} exists; pass --force to rebuild it", file=sys.stderr)
        return 2
    model = stance.train("hybrid", seed=0)
    model.card["metrics"] = lodo_summary("hybrid", read_data(), seed=0)
    model.card["metrics"]["other_topics"] = evaluate.other_topics(model, args.external)
    model.card["default"] = True
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        model.card["trained"] = None  # no clock in the bytes: rebuilding gives the same file
    DEFAULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    model.save(DEFAULT_PATH, force=True)
    m = model.card["metrics"]
    print(f"wrote {DEFAULT_PATH} ({DEFAULT_PATH.stat().st_size / 1e6:.2f} MB); LODO macro-F1 {m['macro_f1']:.3f} "
          f"[{m['macro_f1_ci95'][0]:.3f}, {m['macro_f1_ci95'][1]:.3f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
