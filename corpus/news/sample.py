"""Draw the news set from ../shared/news with a fixed seed, copy it here and segment it.

What this script writes (all under corpus/news/):

- ``texts/<doc id>.txt``: each drawn document's text, copied from its source (press releases,
  Wikinews articles and speeches with their title as the first line; GUM's Wikinews documents with
  one of GUM's sentences per line; a Current Events day as one paragraph per event summary, the
  links reduced to their text and the outlet citations moved to ``documents.jsonl``);
- ``documents.jsonl``: one row per document: id, source, genre, title, url, date, licence, the
  source's own fields (member and party; president), the ``split`` and the ``wave`` that drew it;
- ``sentences.jsonl``: every sentence of every document, segmented by ``stance.text.segment`` (as
  ``stance label`` segments), with offsets into the text and the link of an exact repeat to its
  first occurrence, like ``corpus/sentences.jsonl``;
- ``wnc.jsonl``: every pair of the Wiki Neutrality Corpus sample, both sides as separate rows (the
  pair ``wnc-<train|test>-NNNN``, the side, the sample's own split, the text as it comes: lower-cased
  and tokenised), in a seeded shuffled order with ids ``wnc-0001`` ... that say nothing of the side
  (so a labeller reading them blind cannot tell an edit's before from its after), and
  ``NOTICE-wikipedia-wnc.md``.

How documents are drawn. Each source's candidates are ordered once with ``random.Random(SEED)``:
shuffled, then dealt round-robin over strata (Wikinews and Current Events: the month; press
releases: party, chamber and year, at most one release per member until every member has one;
speeches: the president), so that a prefix of the order spreads over topics, years, outlets and
parties. Documents outside a length window are skipped (the window is in ``SOURCES``). A wave
takes documents from the front of each source's order until the wave's sentence target for that
source is reached; a later wave continues the same order, so earlier draws never change.

Splits. Wave 1 is split by document, once: within each source (and genre), the drawn documents
are shuffled with the seed, then test takes documents until it holds at least 17% of the source's
sentences, dev until 15%, and the rest is train. Documents of later waves (chosen by the learning
curve) are train. The one-topic block (press releases on immigration and the border) is drawn
apart, never from the general press-release order, and split into ``pool`` and ``heldout``.

Run from the repository root: ``python corpus/news/sample.py [--shared ../shared/news]``.
It rewrites the files above; the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "src"))

SEED = 20261207

LICENCES = {
    "wikinews": ("CC BY 2.5", "https://creativecommons.org/licenses/by/2.5/"),
    "current-events": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "congress": ("Public domain (17 U.S.C. 105)", "https://www.law.cornell.edu/uscode/text/17/105"),
    "speeches": ("Public domain (17 U.S.C. 105)", "https://www.law.cornell.edu/uscode/text/17/105"),
}

# Per source: (id prefix, fewest and most sentences a drawn document may have).
SOURCES = {
    "wikinews": ("wn", 5, 90),
    "current-events": ("ce", 5, 40),
    "congress": ("pr", 4, 60),
    "speeches": ("sp", 60, 260),
}

# Sentence targets per wave and source (all sentences of a drawn document count, excluded ones too).
# Wave 1 is the floor with a margin for exclusions; later waves follow the learning curve
# (experiments/topics.py, "news curve"): each line says which source's rows helped most.
WAVES = [
    {"wikinews": 3600, "congress": 3400, "speeches": 2300, "current-events": 1700},
    # wave 2, after the first 12,000 decisions: `python experiments/news.py --sources` found speeches' train
    # rows worth most per row on news dev (+0.022 macro-F1 per 1,000 rows; Wikinews +0.006, press releases
    # +0.004, Current Events +0.008) and the press releases and Wikinews short of their floors.
    {"speeches": 2100, "congress": 550, "wikinews": 350},
]

# The one-topic block: press releases whose title names immigration or the border.
BLOCK_TOPIC = "immigration"
BLOCK_TITLE = re.compile(r"\b(immigra\w*|border|asylum|migrants?|deportation\w*|DACA|Dreamers)\b", re.I)
# Sentences drawn for the block, per wave (wave 2 brought its labelled rows above 1,200).
BLOCK_WAVES = (1300, 300)
BLOCK_HELDOUT_SHARE = 0.5


# ----------------------------------------------------------------------------- reading the sources

def _wikinews(shared: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    out = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with (shared / "wikinews" / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out.append({
                    "source": "wikinews", "genre": "article", "title": row["title"].strip(),
                    "url": row["url"], "date": row["date"], "stratum": row["date"][:7],
                    "text": row["title"].strip() + "\n\n" + row["text"].strip() + "\n",
                    "origin": f"wikinews/{name}",
                })
    for path in sorted((shared / "gum-wikinews").glob("*.conllu")):
        meta, lines = {}, []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# meta::"):
                key, _, value = line[len("# meta::"):].partition(" = ")
                meta[key] = value
            elif line.startswith("# text = "):
                lines.append(line[len("# text = "):].strip())
        genre = "interview" if "_interview_" in path.name else "article"
        out.append({
            "source": "wikinews", "genre": genre, "title": meta.get("title", "").strip(),
            "url": meta.get("sourceURL"), "date": meta.get("dateCreated"),
            "stratum": (meta.get("dateCreated") or "")[:7], "text": "\n".join(lines) + "\n",
            "origin": f"gum-wikinews/{path.name}",
        })
    return out


def _strip_links(line: str) -> tuple[str, list[str]]:
    """Markdown links to their text; outlet citations ``[(Reuters)](url)`` removed and returned."""
    out: list[str] = []
    cites: list[str] = []
    i = 0
    while i < len(line):
        close = line.find("](", i) if line[i] == "[" else -1
        if close < 0:
            out.append(line[i])
            i += 1
            continue
        j, depth, quoted = close + 2, 1, False
        while j < len(line) and depth:
            c = line[j]
            if c == '"':
                quoted = not quoted
            elif not quoted and c == "(":
                depth += 1
            elif not quoted and c == ")":
                depth -= 1
            j += 1
        text = line[i + 1:close]
        if text.startswith("(") and text.endswith(")"):
            cites.append(line[close + 2:j - 1].split(' "')[0])
            while out and out[-1] == " ":
                out.pop()
        else:
            out.append(text)
        i = j
    return "".join(out), cites


def _current_events(shared: Path) -> list[dict]:
    out = []
    for path in sorted((shared / "current-events").glob("*-index.md")):
        day = path.name[:10]
        events, cites = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            body = line.strip()
            if not body.startswith("* ") or "[(" not in body:
                continue
            text, found = _strip_links(body[2:])
            text = re.sub(r"\*([^*\n]+)\*", r"\1", text)
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                events.append(text)
                cites.append(found)
        if not events:
            continue
        out.append({
            "source": "current-events", "genre": "summary", "title": f"Current events, {day}",
            "url": f"https://en.wikipedia.org/wiki/Portal:Current_events/{day}", "date": day,
            "stratum": day[:7], "text": "\n\n".join(events) + "\n", "citations": cites,
            "origin": f"current-events/{path.name}",
        })
    return out


def _congress(shared: Path) -> list[dict]:
    out = []
    with gzip.open(shared / "congress" / "press_releases.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            member = row.get("member")
            if not member or not (row.get("text") or "").strip():
                continue
            title = (row.get("title") or "").strip()
            out.append({
                "source": "congress", "genre": "press release", "title": title, "url": row["url"],
                "date": row["date"], "member": member,
                "stratum": (member["party"], member["chamber"], row["date"][:4]),
                "text": (title + "\n\n" if title else "") + row["text"].strip() + "\n",
                "origin": "congress/press_releases.jsonl.gz",
            })
    return out


def _speeches(shared: Path) -> list[dict]:
    out = []
    for path in sorted((shared / "speeches").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        first, _, rest = raw.partition("\n")
        president = first.removeprefix("President:").strip()
        slug = path.stem[11:]
        title = slug.replace("-", " ").capitalize()
        out.append({
            "source": "speeches", "genre": "speech", "title": title,
            "url": "https://millercenter.org/the-presidency/presidential-speeches", "date": path.stem[:10],
            "president": president, "stratum": president, "text": rest.strip() + "\n",
            "origin": f"speeches/{path.name}",
        })
    return out


READERS = {"wikinews": _wikinews, "current-events": _current_events, "congress": _congress,
           "speeches": _speeches}


# ----------------------------------------------------------------------------- ordering and drawing

def _key(doc: dict) -> str:
    return hashlib.sha256((doc["origin"] + "\0" + (doc.get("url") or "") + "\0" + doc["text"])
                          .encode("utf-8")).hexdigest()


def order(docs: list[dict], rng: random.Random, *, one_per_member: bool = False) -> list[dict]:
    """Shuffle, then deal round-robin over strata (in a shuffled order of strata)."""
    docs = sorted(docs, key=_key)
    rng.shuffle(docs)
    strata: dict = defaultdict(list)
    for d in docs:
        strata[d["stratum"]].append(d)
    names = sorted(strata, key=str)
    rng.shuffle(names)
    dealt, seen_members = [], set()
    queues = {n: list(strata[n]) for n in names}
    deferred: list[dict] = []
    while any(queues.values()):
        for n in names:
            q = queues[n]
            while q:
                d = q.pop(0)
                if one_per_member and d["member"]["name"] in seen_members:
                    deferred.append(d)
                    continue
                if one_per_member:
                    seen_members.add(d["member"]["name"])
                dealt.append(d)
                break
    return dealt + deferred


def n_sentences(text: str) -> int:
    from stance.text import segment

    return len(segment(text))


def draw(candidates: list[dict], target: int, lo: int, hi: int, start: int = 0) -> tuple[list[dict], int]:
    """Documents from ``candidates[start:]`` within the length window until ``target`` sentences."""
    taken, total, i = [], 0, start
    while total < target and i < len(candidates):
        d = candidates[i]
        i += 1
        n = n_sentences(d["text"])
        if lo <= n <= hi:
            d["n_sentences"] = n
            taken.append(d)
            total += n
    return taken, i


def split_wave(docs: list[dict], rng: random.Random) -> None:
    groups: dict = defaultdict(list)
    for d in docs:
        groups[(d["source"], d["genre"])].append(d)
    for key in sorted(groups):
        group = sorted(groups[key], key=_key)
        rng.shuffle(group)
        total = sum(d["n_sentences"] for d in group)
        test = dev = 0
        for d in group:
            if test < 0.17 * total:
                d["split"], test = "test", test + d["n_sentences"]
            elif dev < 0.15 * total:
                d["split"], dev = "dev", dev + d["n_sentences"]
            else:
                d["split"] = "train"


# ----------------------------------------------------------------------------- writing

NOTICES = {
    "wikinews": (
        "Wikinews articles and interviews (`wn-*` documents).\n\n"
        "Source: Wikinews, https://en.wikinews.org, copied from vanatteveldt/wikinews "
        "(commit 347254178bf3) and from the GUM corpus, amir-zeldes/gum (commit 72ce5ac14978, folder dep/, "
        "genres news and interview only). Each document's url in documents.jsonl names its article.\n\n"
        "Licence: Creative Commons Attribution 2.5 (CC BY 2.5), "
        "https://creativecommons.org/licenses/by/2.5/. The text is copied unchanged except that the "
        "article's title is set as its first line (GUM documents: one of GUM's sentences per line).\n"
    ),
    "current-events": (
        "Wikipedia Current Events summaries (`ce-*` documents).\n\n"
        "Source: Wikipedia, Portal:Current events, https://en.wikipedia.org/wiki/Portal:Current_events, "
        "copied from fordred/wikinews (commit 0441f5273b87, folder docs/_posts/). Each document's url names "
        "its day.\n\n"
        "Licence: Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0), "
        "https://creativecommons.org/licenses/by-sa/4.0/. Changes: each day's event summaries are set one per "
        "paragraph, wiki links are reduced to their text, and the outlet citations are moved to "
        "documents.jsonl (`citations`). These texts, and the labels that accompany them, are redistributed "
        "under CC BY-SA 4.0.\n"
    ),
    "congress": (
        "Press releases of members of the US Congress (`pr-*` documents).\n\n"
        "Source: the members' official .gov websites, copied from dwillis/congress-press "
        "(commit 46d3cbc65898, folder data/). Each document's url names its release.\n\n"
        "Licence: public domain in the United States: works of US federal officials prepared as part of "
        "their official duties (17 U.S.C. 105). The text is copied unchanged, with the release's title set as "
        "its first line.\n"
    ),
    "wikipedia-wnc": (
        "Wikipedia sentences before and after an edit that removed non-neutral wording (`wnc.jsonl`).\n\n"
        "Source: the Wiki Neutrality Corpus (Pryzant et al., AAAI 2020), a sample copied from "
        "rpryzant/neutralizing-bias (commit b7b42e71d211, folder baselines/test_data/: pre/post.train, "
        "pre/post.test). The sentences are Wikipedia's, lower-cased and tokenised by that corpus.\n\n"
        "Licence: Creative Commons Attribution-ShareAlike (CC BY-SA), the licence of Wikipedia's text, "
        "https://creativecommons.org/licenses/by-sa/4.0/. These sentences, and the labels that accompany "
        "them, are redistributed under CC BY-SA.\n"
    ),
    "speeches": (
        "US presidential speeches, 1933-2020 (`sp-*` documents).\n\n"
        "Source: transcripts of the Miller Center (University of Virginia), "
        "https://millercenter.org/the-presidency/presidential-speeches, copied from "
        "kfogel/presidential-speeches (commit a4c8b38eeba4, folder data/).\n\n"
        "Licence: public domain in the United States: works of US federal officials prepared as part of "
        "their official duties (17 U.S.C. 105), as that repository's LICENSE.md states for the speeches. "
        "The text is copied unchanged without its first line (`President: NAME`, kept in documents.jsonl).\n"
    ),
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "news")
    args = ap.parse_args(argv)
    from stance.text import segment

    rng = random.Random(SEED)
    pools = {name: READERS[name](args.shared) for name in SOURCES}

    block_candidates = [d for d in pools["congress"] if BLOCK_TITLE.search(d["title"])]
    block_keys = {_key(d) for d in block_candidates}
    pools["congress"] = [d for d in pools["congress"] if _key(d) not in block_keys]

    ordered = {name: order(pools[name], rng, one_per_member=(name == "congress")) for name in SOURCES}
    block_order = order(block_candidates, rng)

    drawn: list[dict] = []
    position = {name: 0 for name in SOURCES}
    for wave_no, wave in enumerate(WAVES, 1):
        wave_docs = []
        for name in SOURCES:
            _, lo, hi = SOURCES[name]
            docs, position[name] = draw(ordered[name], wave.get(name, 0), lo, hi, position[name])
            for d in docs:
                d["wave"] = wave_no
            wave_docs += docs
        if wave_no == 1:
            split_wave(wave_docs, rng)
        else:
            for d in wave_docs:
                d["split"] = "train"
        drawn += wave_docs

    block, at = draw(block_order, BLOCK_WAVES[0], *SOURCES["congress"][1:])
    block_rng = random.Random(SEED + 1)
    shuffled = sorted(block, key=_key)
    block_rng.shuffle(shuffled)
    held = 0
    total = sum(d["n_sentences"] for d in block)
    for d in shuffled:
        if held < BLOCK_HELDOUT_SHARE * total:
            d["split"], held = "heldout", held + d["n_sentences"]
        else:
            d["split"] = "pool"
        d["wave"] = 1
    sizes = {"heldout": held, "pool": total - held}
    for wave_no, target in enumerate(BLOCK_WAVES[1:], 2):  # later waves: each document to the smaller side
        more, at = draw(block_order, target, *SOURCES["congress"][1:], start=at)
        for d in more:
            d["split"] = min(sizes, key=lambda k: (sizes[k], k))
            sizes[d["split"]] += d["n_sentences"]
            d["wave"] = wave_no
        block += more
    for d in block:
        d["block"] = BLOCK_TOPIC

    counters: dict = defaultdict(int)
    texts_dir = HERE / "texts"
    texts_dir.mkdir(exist_ok=True)
    for old in texts_dir.glob("*.txt"):
        old.unlink()
    doc_rows, sent_rows, first = [], [], {}
    # wave by wave (each wave's general documents, then its block documents), so that a later wave
    # never changes an earlier document's id or which sentence a repeat points to
    for d in sorted(drawn + block, key=lambda d: (d["wave"], bool(d.get("block")))):
        prefix = "tb" if d.get("block") else SOURCES[d["source"]][0]
        counters[prefix] += 1
        doc_id = f"{prefix}-{counters[prefix]:04d}"
        (texts_dir / f"{doc_id}.txt").write_text(d["text"], encoding="utf-8", newline="\n")
        licence, licence_url = LICENCES[d["source"]]
        row = {"id": doc_id, "file": f"texts/{doc_id}.txt", "source": d["source"], "genre": d["genre"],
               "title": d["title"], "url": d["url"], "date": d["date"], "licence": licence,
               "licence_url": licence_url, "split": d["split"], "wave": d["wave"],
               "block": d.get("block"), "origin": d["origin"]}
        if "member" in d:
            row["member"] = d["member"]
        if "president" in d:
            row["president"] = d["president"]
        if "citations" in d:
            row["citations"] = d["citations"]
        doc_rows.append(row)
        for i, span in enumerate(segment(d["text"]), 1):
            sid = f"{doc_id}-{i:03d}"
            f = first.setdefault(span.text, sid)
            sent_rows.append({"id": sid, "doc_id": doc_id, "start": span.start, "end": span.end,
                              "text": span.text, "duplicate_of": None if f == sid else f,
                              "boundary": "sentencex"})

    for name, rows in (("documents.jsonl", doc_rows), ("sentences.jsonl", sent_rows)):
        with (HERE / name).open("w", encoding="utf-8", newline="\n") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    wnc_rows = []
    for part in ("train", "test"):
        pre = (args.shared / "wnc-sample" / f"pre.{part}").read_text(encoding="utf-8").splitlines()
        post = (args.shared / "wnc-sample" / f"post.{part}").read_text(encoding="utf-8").splitlines()
        for n, (before, after) in enumerate(zip(pre, post), 1):
            for side, text in (("pre", before), ("post", after)):
                wnc_rows.append({"pair": f"wnc-{part}-{n:04d}", "side": side, "source_split": part,
                                 "text": text.strip()})
    random.Random(SEED).shuffle(wnc_rows)
    wnc_rows = [{"id": f"wnc-{i:04d}", **r} for i, r in enumerate(wnc_rows, 1)]
    with (HERE / "wnc.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for r in wnc_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for source, notice in NOTICES.items():
        (HERE / f"NOTICE-{source}.md").write_text(notice, encoding="utf-8", newline="\n")

    summary: dict = defaultdict(lambda: defaultdict(int))
    for r in doc_rows:
        n = sum(1 for s in sent_rows if s["doc_id"] == r["id"])
        summary[(r["source"], r["genre"], r["block"] or "")][r["split"]] += n
    for key in sorted(summary):
        print(key, dict(summary[key]), sum(summary[key].values()))
    print(len(doc_rows), "documents,", len(sent_rows), "sentences")


if __name__ == "__main__":
    main()
