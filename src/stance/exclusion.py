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

__all__ = ["exclusion_reason"]

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
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def exclusion_reason(sentence: str, *, whole_line: bool = True, first: bool = False) -> str | None:
    """Why ``sentence`` is not an assertion, or ``None`` when it should be labelled.

    ``whole_line``: the sentence is alone on its line (headings and list items
    are); ``first``: it is the first sentence of the document (the headline).
    """
    text = sentence.strip()
    letters = len(_LETTER.findall(text))
    if letters < 2:
        return "fragment: no words"
    if _QUESTION.search(text):
        return "question"
    if _BOILERPLATE.search(text):
        return "boilerplate"
    if _CALL_TO_ACTION.search(text):
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
