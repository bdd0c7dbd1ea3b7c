"""Who is quoted: the speaker of a quote, as the sentence names it.

Found from the attribution pattern, in this order:

1. "according to X" -> X (up to the next comma or full stop);
2. "X said / told / warned / declared ..." -> the noun phrase before the
   first speech verb outside quotation marks (back to the previous comma,
   quotation or the start of the sentence);
3. "“...,” said X" -> the noun phrase after the verb;
4. "... described as ... by X" -> X.

A pronoun ("he said") gives ``None``: the codebook records a speaker only where
the sentence itself names one. :func:`speaker_agreement` measures these rules
against the corpus's ``speaker`` annotations.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from ._cues import STOP_CAPS, refine_hits, scan_lexicon
from ._voice import WORD, lexicon, quote_spans

__all__ = ["find_speaker", "speaker_agreement"]

_PRONOUNS = frozenset("he she they it we i you this that these those who which".split())
_SKIP_BEFORE_VERB = frozenset(
    "has have had also publicly repeatedly recently once later then would will did does do had been "
    "already even first previously had has just still openly directly not never n't could can cannot "
    "may might should must to declined refused failed".split()
)
_CUT_BEFORE = re.compile(r"[;:–—“”\"]")
_CUT_AFTER = re.compile(r"[,;:!?“”\"(–—]|\.(?=\s+[A-Z]|\s*$)| that | on | in a | in an | via | during | at a ")
_BY = re.compile(r"\b(described|called|labell?ed|branded|characteri[sz]ed|denounced|critici[sz]ed)\b.*\bby (.+)$",
                 re.IGNORECASE)


def _tokens_outside_quotes(text: str) -> list[tuple[int, int, str]]:
    tokens = [(*m.span(), m.group()) for m in WORD.finditer(text)]
    spans = quote_spans(text)  # from one finditer: sorted and disjoint
    if not spans:
        return tokens
    out, j, n = [], 0, len(spans)
    for t in tokens:
        while j < n and spans[j][1] <= t[0]:
            j += 1
        if j == n or t[0] < spans[j][0]:
            out.append(t)
    return out


def _clean(phrase: str | None) -> str | None:
    if not phrase:
        return None
    words = phrase.strip(" ,.;:'’\"“”").split()
    while words and words[-1].lower() in _SKIP_BEFORE_VERB or (words and words[-1].lower().endswith("ly")
                                                               and words[-1][0].islower()):
        words.pop()
    while words and words[0].lower() in ("that", "and", "but", "however", "so", "also"):
        words.pop(0)
    if not words or len(words) > 20:
        return None
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return None
    if words[0].lower() in _PRONOUNS and len(words) <= 2:
        return None
    return " ".join(words)


def _name_like(segment: str) -> bool:
    words = segment.split()
    if not words or words[0] in STOP_CAPS or words[0].endswith("ly") or any(c.isdigit() for c in segment):
        return False
    return len(words) <= 6 and all(w[:1].isupper() for w in words if w not in ("of", "de", "la", "the"))


def _before(text: str, pos: int) -> str:
    """The noun phrase before a verb: back to the previous comma, quotation or the start.

    An appositive is skipped back to the name it describes ("Ambassador Carlos
    Trujillo, Permanent Representative of ..., said" -> the name).
    """
    head = text[:pos]
    cuts = [m.end() for m in _CUT_BEFORE.finditer(head)]
    clause = head[cuts[-1]:] if cuts else head
    parts = [p for p in clause.split(",")]
    while len(parts) > 1 and _clean(parts[-1]) is None and not any(
        w.lower() in _PRONOUNS for w in parts[-1].split()
    ):
        parts.pop()
    candidate = parts[-1]
    if len(parts) > 1 and _name_like(parts[-2].strip()) and (
        len(candidate.split()) > 4 or candidate.strip()[:1].islower()
    ):
        return parts[-2]
    return candidate


def _after(text: str, pos: int) -> str:
    tail = text[pos:]
    m = _CUT_AFTER.search(tail)
    return tail[: m.start()] if m else tail


@lru_cache(maxsize=1)
def _speech_verbs() -> frozenset[str]:
    return frozenset(w for w in lexicon("speech_verbs") if " " not in w)


def find_speaker(sentence: str) -> str | None:
    """The speaker the sentence names for what it reports, or ``None``."""
    if not isinstance(sentence, str) or not sentence.strip():
        return None
    toks = _tokens_outside_quotes(sentence)
    lower = [t[2].lower() for t in toks]
    hits = refine_hits(scan_lexicon(lower), lower, [t[2] for t in toks])  # nouns and bare passives are no verbs
    for i, j, group in hits:
        if group == "attribution" and toks[i][2].lower() == "according":
            found = _clean(_after(sentence, toks[j - 1][1]))
            if found:
                return found
    m = _BY.search(sentence) if "by " in sentence.lower() else None  # the pattern needs "by "
    if m:
        found = _clean(_after(m.group(2), 0))
        if found:
            return found
    title_case = sum(1 for t in toks if t[2][:1].isupper()) > 0.6 * max(len(toks), 1)
    verbs = _speech_verbs()
    for i, j, group in hits:
        # a speech verb, or an attribution phrase that starts with one ("said in a statement", "told reporters")
        if group != "verbs" and not (group == "attribution" and toks[i][2].lower() in verbs):
            continue
        word = toks[i][2]
        if word[:1].isupper() and i > 0 and toks[i - 1][2][:1].isupper() and not title_case:
            continue  # "The United States", "State Department": part of a name
        if j < len(toks) and toks[j][2].lower() == "by":
            continue  # a participle ("published by"): not the main verb
        before = _before(sentence, toks[i][0])
        if before.strip():
            return _clean(before)
        return _clean(_after(sentence, toks[j - 1][1]))
    return None


def _norm(s: str) -> str:
    s = " ".join(s.lower().replace("’", "'").split())
    return s[4:] if s.startswith("the ") else s


def speaker_agreement(pairs: Iterable[tuple[str, str | None]]) -> dict[str, float | int]:
    """Compare :func:`find_speaker` with annotations: ``pairs`` of (sentence, gold speaker).

    ``exact``: same string (case, spacing and a leading "the" ignored);
    ``partial``: one contains the other; ``null_correct``: both are null.
    Rates are over all quotes and over quotes whose gold speaker is named.
    """
    n = named = exact = partial = null_ok = found_when_null = 0
    for sentence, gold in pairs:
        n += 1
        pred = find_speaker(sentence)
        if gold is None:
            null_ok += pred is None
            found_when_null += pred is not None
            continue
        named += 1
        if pred is None:
            continue
        a, b = _norm(pred), _norm(gold)
        exact += a == b
        partial += a == b or a in b or b in a
    return {
        "quotes": n,
        "named": named,
        "exact": exact,
        "partial": partial,
        "exact_rate": exact / named if named else 0.0,
        "partial_rate": partial / named if named else 0.0,
        "null_gold": n - named,
        "null_correct": null_ok,
        "overall_exact_or_null_rate": (exact + null_ok) / n if n else 0.0,
    }
