"""Step 1 of the codebook: sentences that are not assertions are excluded.

Headings, questions, site boilerplate, calls to action, bare list items and
broken fragments are kept with a reason and never labelled. These are
transparent rules, not a model: :func:`exclusion_reason` returns the reason or
``None``. A document's first line is its headline and is labelled like any
other sentence when it asserts something (the codebook's example: "Peru
Official Declares Cuban Doctors Unfit to Treat COVID-19").

The patterns are generic web-page furniture (comment forms, share links,
"continue reading", bylines); how well they recover the corpus's hand-made
exclusions is reported by ``benchmarks/bench_labelling.py``.
"""

from __future__ import annotations

import re

__all__ = ["exclusion_reason", "EXCLUSION_PATTERNS"]

_BOILERPLATE = re.compile(
    r"^(leave a (reply|comment)|reply|share( this)?( article| post)?|print|email|tweet|"
    r"filed under|tags?|categor(y|ies)|posted (in|by|on)|related( posts| articles)?|"
    r"read more|continue reading|click here|subscribe|sign up|advertisement|"
    r"reproduce este art[ií]culo|comparte? (este|esta)|lee (también|más))\b"
    r"|your email address will not be published|required fields are marked"
    r"|all rights reserved|^©|^copyright\b|cookies? (policy|settings)|privacy policy"
    r"|coming soon|stay tuned|will be posted below|updates will follow",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"\bplease (contact|email|write to|call|donate|share|subscribe|sign|support|help|send)\b"
    r"|\b(contact|email) us\b|\bdonate (now|today)\b|\bsign the petition\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*([-•*▪◦–]|\d{1,3}[.)])\s+")
_TERMINAL = re.compile(r"[.!?…][\s”\"’'»)\]]*$")
_QUESTION = re.compile(r"\?[\s”\"’'»)\]]*$")
# The rules above that are regular expressions, by the reason they give (exclusion_reason's fast
# path decides exactly as these would; a test checks it).
EXCLUSION_PATTERNS: dict[str, re.Pattern[str]] = {"question": _QUESTION, "boilerplate": _BOILERPLATE,
                                                  "call to action": _CALL_TO_ACTION}
_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.UNICODE | re.DOTALL)

# Literal words without which the patterns above cannot match: a sentence with none of them skips
# the (slow, case-insensitive) searches. Same decisions, a fraction of the time.
_BOILERPLATE_STARTS = ("leave a ", "reply", "share", "print", "email", "tweet", "filed under", "tag", "categor",
                       "posted ", "related", "read more", "continue reading", "click here", "subscribe", "sign up",
                       "advertisement", "reproduce este", "compart", "lee ", "©", "copyright")
_BOILERPLATE_WORDS = ("your email address will not be published", "required fields are marked", "all rights reserved",
                      "cookie", "privacy policy", "coming soon", "stay tuned", "will be posted below",
                      "updates will follow")
_CALL_TO_ACTION_WORDS = ("please ", "contact us", "email us", "donate ", "sign the petition")


def exclusion_reason(sentence: str, *, whole_line: bool = True, first: bool = False) -> str | None:
    """Why ``sentence`` is not an assertion, or ``None`` when it should be labelled.

    ``whole_line``: the sentence is alone on its line (headings and list items
    are); ``first``: it is the first sentence of the document (the headline).
    """
    text = sentence.strip()
    if not _TWO_LETTERS.search(text):
        return "fragment: no words"
    if "?" in text and _QUESTION.search(text):
        return "question"
    lower = text.lower()
    if (lower.startswith(_BOILERPLATE_STARTS) or any(w in lower for w in _BOILERPLATE_WORDS)) \
            and _BOILERPLATE.search(text):
        return "boilerplate"
    if any(w in lower for w in _CALL_TO_ACTION_WORDS) and _CALL_TO_ACTION.search(text):
        return "call to action"
    terminated = bool(_TERMINAL.search(text))
    if whole_line and not terminated and _BULLET.match(text):
        return "list item: names a document or topic"
    if text[0].islower() and not first:
        return "fragment: starts mid-sentence"
    if text.endswith(":") and whole_line and len(text.split()) <= 8 and "," not in text:
        return "heading"
    if whole_line and not terminated and not first and len(text.split()) <= 15 and "," not in text:
        return "heading"
    return None
