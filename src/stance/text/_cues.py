"""Linguistic cue features: who is speaking, and whose words are loaded.

Plain Python + numpy (no scikit-learn import), on the label path. Loadedness cues are counted on
the author's own voice only (:func:`stance.text.author_voice`), attribution cues on the whole
sentence; :func:`rule_decisions` is the codebook's procedure over them.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterable

import numpy as np

from ._voice import WORD, author_voice, lexicon, names_and_descriptions, quote_spans

__all__ = ["scan_lexicon", "refine_hits", "STOP_CAPS", "CUE_NAMES", "CUE_DESCRIPTIONS", "cue_vector", "cue_matrix", "cue_matches",
           "rule_decisions"]

_CAP = re.compile(r"^[A-ZÁÉÍÓÚÑ][\w’'.-]*$")
_NOT_SUPERLATIVE = {"interest", "est", "request", "protest", "honest", "forest", "latest", "arrest", "west",
                     "modest", "contest", "suggest", "harvest", "manifest", "invest", "digest", "guest",
                     "rest", "test", "nest", "chest", "quest", "interest"}
_SCANNED = (
    ("attribution", "attribution_phrases"),
    ("verbs", "speech_verbs"),
    ("hedge", "hedges"),
    ("pejorative", "pejorative_labels"),
    ("evaluative", "evaluative"),
    ("intensifier", "intensifiers"),
)
_GROUPS = tuple(g for g, _ in _SCANNED)
STOP_CAPS = {"He", "She", "They", "We", "I", "You", "His", "Her", "Their", "The", "A", "An", "In", "On", "At", "For", "But", "And", "However", "Also", "This", "That",
              "These", "Those", "It", "Its", "As", "If", "While", "When", "After", "Since", "According",
              "Recently", "Finally", "Then", "There", "Some", "Many", "Most", "What", "How", "Why"}


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern[str]:
    words = sorted(lexicon(name), key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=None)
def _quote_verb_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    verbs = _pattern("speech_verbs").pattern
    return (
        re.compile(r"[”\"’']\s*,?\s*(?:[A-Z][\w’'.-]*\s+){0,4}?" + verbs),
        re.compile(r"[,”\"]\s*" + verbs + r"\s+(?:the\s+)?[A-Z]"),
    )


# (name, description a journalist can read)
_CUES: tuple[tuple[str, str], ...] = (
    ("has_quote", "the sentence contains quotation marks"),
    ("quoted_share", "share of the sentence inside quotation marks"),
    ("opens_with_quote", "the sentence opens with a quotation"),
    ("speech_verb", "a speech or communication verb outside the quotation marks (said, told, warned...)"),
    ("attribution_phrase", "an attribution phrase such as 'according to'"),
    ("named_speaker", "a named speaker next to a speech verb"),
    ("pronoun_speaker", "a pronoun speaker next to a speech verb (he said, she says)"),
    ("quote_then_verb", "a quotation followed by its speaker (“...,” X said)"),
    ("evaluative", "evaluative or emotive words in the author's own voice"),
    ("pejorative_label", "pejorative labels for people or governments in the author's own voice (regime, far-left...)"),
    ("intensifier", "intensifiers in the author's own voice (simply, nothing less than, in reality...)"),
    ("scare_quote", "a short quoted phrase inside the author's own sentence (scare quotes)"),
    ("hedge", "a bare hedge with no source (reportedly, allegedly)"),
    ("superlative", "superlatives in the author's own voice (worst, most...)"),
    ("exclamation", "an exclamation mark"),
    ("number", "numbers, dates or amounts (checkable details)"),
    ("length", "sentence length (log of the word count)"),
    # appended later: attribution without a speech verb (models compiled before them read only the first 17)
    ("source_finding", "a study, survey, poll, report or data as the source of a finding (a survey found, data show)"),
    ("holds_view", "a source's belief, fear or feeling that something is so (is convinced that, fear that), "
                   "not the author's own (I / we believe that)"),
    ("headline_attribution", "a headline of the form 'Name: statement'"),
    ("no_comment", "a source that did not comment (declined to comment, did not respond to a request for comment): "
                   "an action of the source, a claim"),
)


CUE_NAMES, CUE_DESCRIPTIONS = names_and_descriptions(_CUES)
_IDX = {n: i for i, n in enumerate(CUE_NAMES)}


_SPEAKER_NOUNS = frozenset(
    "official officials minister ministry government department spokesperson spokesman spokeswoman "
    "president report reports organization organisation agency group authorities newspaper journalist "
    "ambassador secretary council councilor councillor embassy office account statement".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred "
    "thousand million billion percent dozen january february march april may june july august september "
    "october november december".split()
)
_SUPERLATIVE_WORDS = frozenset("most least best worst".split())
_PRONOUNS = frozenset("he she they it we i".split())
_DIGIT = re.compile(r"\d")
_SOURCE_FINDING = re.compile(
    r"\b(?:stud(?:y|ies)|surveys?|polls?|polling|reports?|research|data|figures|analys[ie]s|audits?|reviews?|statistics"
    r"|estimates|findings|investigations?|census|paper|experts|scientists|researchers|economists|analysts)\b"
    r"[^.;:!?]{0,80}?\b(?:found|finds?|shows?|showed|shown|suggests?|suggested|indicates?|indicated|concluded|concludes"
    r"|reveals?|revealed|estimates?|estimated|predicts?|predicted|projects?|projected|warns?|warned)\b")
_HOLDS_VIEW = re.compile(
    r"\b(?:is|are|was|were|remains?|remained|feels?|felt|grew|growing|became|becoming)\s+(?:\w+ly\s+)?"
    r"(?:convinced|confident|worried|concerned|afraid|angry|furious|adamant|certain|sure|hopeful|skeptical|sceptical"
    r"|optimistic|pessimistic|alarmed|upset|frustrated|fearful|unhappy|pleased|disappointed|determined|outraged"
    r"|incensed|dismayed|anxious|nervous|insistent|doubtful|unconvinced)\s+(?:that|about|over|by)\b"
    r"|\b(?:believes?|believed|fears?|feared|hopes?|hoped|thinks?|doubts?|doubted|insists?|maintains?|argues?|contends?"
    r"|suspects?|suspected|worr(?:y|ies|ied))\s+that\b"
    r"|\bin\s+(?:the\s+)?(?:\w+['’]s?\s+|his\s+|her\s+|their\s+|its\s+)?(?:view|opinion|eyes|words)\b"
    r"|\bpoints?\s+of\s+view\s+of\b")
_FIRST_PERSON = re.compile(r"\b(?:i|we)\s+(?:\w+\s+){0,2}$")


def _others_view(voice_lower: str) -> bool:
    """A view someone else holds (codebook 5a, stance frames); the author's own (I / we believe that) is not."""
    return any(not _FIRST_PERSON.search(voice_lower[max(0, m.start() - 40):m.start()])
               for m in _HOLDS_VIEW.finditer(voice_lower))


# Words one of which must stand in the sentence for the two patterns above to match (a cheap
# gate, so most sentences skip the regular expressions).
_FINDING_WORDS = frozenset(
    "found find finds show shows showed shown suggest suggests suggested indicate indicates indicated concluded "
    "concludes reveal reveals revealed estimate estimates estimated predict predicts predicted project projects "
    "projected warn warns warned".split())
_VIEW_WORDS = frozenset(
    "convinced confident worried concerned afraid angry furious adamant certain sure hopeful skeptical sceptical "
    "optimistic pessimistic alarmed upset frustrated fearful unhappy pleased disappointed determined outraged "
    "incensed dismayed anxious nervous insistent doubtful unconvinced believe believes believed fear fears feared "
    "hope hopes hoped think thinks doubt doubts doubted insist insists maintain maintains argue argues contend "
    "contends suspect suspects suspected worry worries worried view opinion eyes words".split())
# Codebook 5e: declining to comment, not answering, being unavailable for comment is what the source did,
# not what it said. "said it would not comment on X" carries content and stays a quote, so "would" is left out.
_NO_COMMENT = re.compile(
    r"\b(?:declined?|declines|refused?|refuses|refusing|declining)\s+(?:to\s+)?(?:immediately\s+)?(?:comment|respond)"
    r"|\bno\s+(?:immediate\s+)?comment\b"
    r"|\b(?:did|does|do|has|have|had|could)(?:\s+not|n[’']t)\s+(?:yet\s+|immediately\s+)?(?:comment(?:ed)?\b"
    r"|(?:respond(?:ed)?|replied|reply|answer(?:ed)?)\s+to\s+[^.;:!?]{0,40}?\b(?:requests?|questions?|inquir\w*|queries|"
    r"emails?|calls?|messages?|comment)\b|return(?:ed)?\s+(?:\w+\s+){0,2}(?:calls?|emails?|messages?|requests?))"
    r"|\bcould\s+not\s+(?:immediately\s+)?be\s+reached\b"
    r"|\b(?:was|were|is|are)\s+(?:not\s+|un)available\s+for\s+comment")
_NO_COMMENT_HINTS = ("comment", "respon", "repl", "answer", "return", "reach")
_HEADLINE_ATTRIBUTION = re.compile(r"^\s*[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,5}:\s+\S")
_POSSESSIVE = re.compile(r"[’']s?$")


@lru_cache(maxsize=None)
def _phrase_table() -> tuple[dict[str, str], dict[str, int], dict[str, frozenset[str]]]:
    """Lower-cased phrase -> lexicon group; first word -> longest phrase it starts (in words);
    first word -> the second words of the multi-word phrases it starts."""
    table: dict[str, str] = {}
    longest: dict[str, int] = {}
    seconds: dict[str, set[str]] = {}
    for group, name in _SCANNED:
        for entry in lexicon(name):
            words = entry.split()
            key = " ".join(words)
            table.setdefault(key, group)
            longest[words[0]] = max(longest.get(words[0], 1), len(words))
            if len(words) > 1:
                seconds.setdefault(words[0], set()).add(words[1])
    return table, longest, {w: frozenset(s) for w, s in seconds.items()}


def scan_lexicon(words: list[str]) -> list[tuple[int, int, str]]:
    """Greedy longest-match lexicon hits over lower-cased words: (start, end, group)."""
    table, longest, seconds = _phrase_table()
    hits: list[tuple[int, int, str]] = []
    n = len(words)
    get = table.get
    nxt = 0  # the first position not covered by an earlier hit
    for i in [i for i, w in enumerate(words) if w in longest or "’" in w or "'" in w]:
        if i < nxt:
            continue
        w = words[i]
        k_max = longest.get(w, 1)
        if k_max > 1 and i + 1 < n and words[i + 1] in seconds.get(w, ()):
            matched = False
            for k in range(k_max if k_max < n - i else n - i, 1, -1):
                group = get(" ".join(words[i : i + k]))
                if group is not None:
                    hits.append((i, i + k, group))
                    nxt = i + k
                    matched = True
                    break
            if matched:
                continue
        group = get(w)
        if group is None and ("'" in w or "’" in w):
            group = get(_POSSESSIVE.sub("", w))
        if group is not None:
            hits.append((i, i + 1, group))
            nxt = i + 1
    return hits


_DETERMINERS = frozenset(
    "the a an this that these those its his her their our my your each every no whose new latest".split()
)
_BE = frozenset("is are was were be been being".split())
# Passive reporting verbs with no agent are bare hedges ("are estimated", "is believed"): by the
# codebook they name no source. With "by" after them they attribute ("estimated by the UN").
_PASSIVE_HEDGES = frozenset(
    "said believed estimated reported alleged considered thought expected claimed rumored rumoured".split()
)
_IRREGULAR_PARTICIPLES = frozenset("said told written thought".split())
# Verbs that report speech only in some senses: "continued to coordinate" and "posted to a
# clinic" report nothing.
_NOT_BEFORE_TO = frozenset("continue continues continued posted".split())


def refine_hits(hits: list[tuple[int, int, str]], lower: list[str], tokens: list[str]) -> list[tuple[int, int, str]]:
    """Correct speech-verb hits that are not reporting verbs in context.

    * a capitalised word inside a name ("the United States", "State Department") in a
      sentence that is not in title case is not a verb;
    * a verb form after a determiner is a noun ("the report", "a claim", "the state");
    * an agentless passive of a reporting verb names no source: a bare hedge ("are estimated",
      "is believed") or no attribution at all ("was published in May"); with an agent ("have
      been described as ... by human rights organizations") it still attributes;
    * "continued to ...", "posted to ..." report nothing.
    """
    if not any(g == "verbs" for _, _, g in hits):
        return hits
    n = len(lower)
    title_case = None  # computed only when a capitalised verb form needs it
    out = []
    for i, j, group in hits:
        if group == "verbs":
            prev = lower[i - 1] if i > 0 else ""
            nxt = lower[j] if j < n else ""
            tok = tokens[i]
            if i > 0 and tok[:1].isupper() and tokens[i - 1][:1].isupper():
                if title_case is None:
                    title_case = sum(1 for t in tokens if t[:1].isupper()) > 0.6 * max(n, 1)
                if not title_case:
                    continue
            if prev in _DETERMINERS:
                continue
            if j == i + 1 and lower[i] in _NOT_BEFORE_TO and nxt == "to":
                continue
            if prev in _BE and j == i + 1 and "by" not in lower[j : j + 6] and (lower[i].endswith("ed") or lower[i] in _IRREGULAR_PARTICIPLES):
                # an agentless passive names no source: a bare hedge ("are estimated") or no
                # attribution at all ("the report was published in May")
                if lower[i] in _PASSIVE_HEDGES:
                    out.append((i, j, "hedge"))
                continue
        out.append((i, j, group))
    return out


def _tokens_like(voice: str, lower: list[str]) -> list[str]:
    """The original-case tokens matching ``lower`` (lower-casing rarely changes token boundaries)."""
    tokens = WORD.findall(voice)
    return tokens if len(tokens) == len(lower) else lower


def _named_speaker(tokens: list[str], lower: list[str], verb_positions: list[int]) -> bool:
    n = len(tokens)
    for v in verb_positions:
        for j in (*range(max(0, v - 5), v), *range(v + 1, min(n, v + 4))):
            if lower[j] in _SPEAKER_NOUNS:
                return True
            tok = tokens[j]
            if tok[:1].isupper() and tok not in STOP_CAPS and _CAP.match(tok):
                return True
    return False


def cue_vector(text: str) -> list[float]:
    """The cue features of one sentence, in the order of :data:`CUE_NAMES`."""
    if not isinstance(text, str):
        raise TypeError(f"expected a string, got {type(text).__name__}")
    n_chars = max(len(text), 1)
    spans = quote_spans(text)
    quoted_chars = sum(e - s for s, e in spans)
    voice = author_voice(text) if spans else text
    voice_lower = voice.lower()
    lower = WORD.findall(voice_lower)
    counts = dict.fromkeys(_GROUPS, 0)
    hits = scan_lexicon(lower)
    for _, _, group in hits:
        counts[group] += 1
    tokens = None
    verb_positions = []
    if counts["verbs"]:
        tokens = _tokens_like(voice, lower)
        hits = refine_hits(hits, lower, tokens)
        counts = dict.fromkeys(_GROUPS, 0)
        for i, _, group in hits:
            counts[group] += 1
            if group == "verbs":
                verb_positions.append(i)
    n_verbs = counts["verbs"]
    pronoun_speaker = any(i > 0 and lower[i - 1] in _PRONOUNS for i in verb_positions)
    # A short quoted phrase in the author's own sentence is a scare quote; a short
    # quotation introduced by a speech verb or "according to" is just a quote.
    short_quotes = 0 if (n_verbs or counts["attribution"]) else sum(
        1 for s, e in spans if len(text[s + 1 : e - 1].split()) <= 3 and (e - s) < 0.5 * n_chars
    )
    stripped = text.lstrip()
    quote_then_verb = False
    if spans and n_verbs:
        after_quote, inverted = _quote_verb_patterns()
        quote_then_verb = bool(after_quote.search(text) or inverted.search(text))
    superlatives = sum(
        1 for w in lower if w in _SUPERLATIVE_WORDS or (w[-3:] == "est" and len(w) > 5 and w not in _NOT_SUPERLATIVE)
    ) if ("est" in voice_lower or "most" in voice_lower or "worst" in voice_lower) else 0
    number = bool(_DIGIT.search(voice)) or not _NUMBER_WORDS.isdisjoint(lower)
    n_words = len(WORD.findall(text)) if spans else len(lower)
    return [
        1.0 if spans else 0.0,
        quoted_chars / n_chars,
        1.0 if stripped[:1] in "“\"‘'" and spans and spans[0][0] == len(text) - len(stripped) else 0.0,
        float(min(n_verbs, 3)),
        float(min(counts["attribution"], 2)),
        1.0 if n_verbs and _named_speaker(tokens, lower, verb_positions) else 0.0,
        1.0 if pronoun_speaker else 0.0,
        1.0 if quote_then_verb else 0.0,
        float(min(counts["evaluative"], 3)),
        float(min(counts["pejorative"], 3)),
        float(min(counts["intensifier"], 3)),
        float(min(short_quotes, 2)),
        1.0 if counts["hedge"] else 0.0,
        float(min(superlatives, 2)),
        1.0 if "!" in text else 0.0,
        1.0 if number else 0.0,
        math.log1p(n_words) / 4.0,
        1.0 if not _FINDING_WORDS.isdisjoint(lower) and _SOURCE_FINDING.search(voice_lower) else 0.0,
        1.0 if not _VIEW_WORDS.isdisjoint(lower) and _others_view(voice_lower) else 0.0,
        1.0 if ":" in text and _HEADLINE_ATTRIBUTION.match(text) else 0.0,
        1.0 if any(h in voice_lower for h in _NO_COMMENT_HINTS) and _NO_COMMENT.search(voice_lower) else 0.0,
    ]


def cue_matrix(texts: Iterable[str]) -> np.ndarray:
    """Cue features for many sentences: a float array of shape (n, len(CUE_NAMES))."""
    rows = [cue_vector(t) for t in texts]
    if not rows:
        return np.zeros((0, len(CUE_NAMES)))
    return np.asarray(rows, dtype=np.float64)


def rule_decisions(M: np.ndarray, min_loaded_cues: int = 1) -> np.ndarray:
    """The codebook's procedure on a cue matrix: 0 claim, 1 quote, 2 loaded per row.

    Loaded wording in the author's voice (evaluative words, pejorative labels,
    scare quotes: at least ``min_loaded_cues``) wins over attribution
    (quotation marks, a speech verb, an attribution phrase), which wins over claim.
    """
    if len(M) == 0:
        return np.zeros(0, dtype=int)
    loaded = M[:, _IDX["evaluative"]] + M[:, _IDX["pejorative_label"]] + M[:, _IDX["scare_quote"]]
    quote = (M[:, _IDX["has_quote"]] > 0) | (M[:, _IDX["speech_verb"]] > 0) | (M[:, _IDX["attribution_phrase"]] > 0)
    if M.shape[1] > _IDX["holds_view"]:  # a group's or person's view that something is so: a stance frame (5a)
        quote |= M[:, _IDX["holds_view"]] > 0
    if M.shape[1] > _IDX["no_comment"]:  # not commenting is an action of the source (codebook 5e), a claim
        quote &= ~((M[:, _IDX["no_comment"]] > 0) & (M[:, _IDX["has_quote"]] == 0))
    out = np.zeros(len(M), dtype=int)
    out[quote] = 1
    out[loaded >= min_loaded_cues] = 2
    return out


def cue_matches(text: str) -> dict[str, list[str]]:
    """The words behind the lexicon cues of ``text``, by cue name (for explanations)."""
    spans = quote_spans(text)
    tokens = WORD.findall(author_voice(text) if spans else text)
    lower = [t.lower() for t in tokens]
    names = {"verbs": "speech_verb", "attribution": "attribution_phrase", "evaluative": "evaluative",
             "pejorative": "pejorative_label", "intensifier": "intensifier", "hedge": "hedge"}
    out: dict[str, list[str]] = {}
    for i, j, group in refine_hits(scan_lexicon(lower), lower, tokens):
        out.setdefault(names[group], [])
        phrase = " ".join(tokens[i:j])
        if phrase not in out[names[group]]:
            out[names[group]].append(phrase)
    if spans:
        out["quotation"] = [text[s:e] for s, e in spans]
    return out
