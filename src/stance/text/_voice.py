"""Whose words are these: quoted passages, the author's own voice, and the word lists.

Quoted material is found by :func:`quote_spans`; :func:`author_voice` removes it, leaving the words
the author writes in their own voice. Plain Python (no numpy, no scikit-learn), on the label path.
The word lists live in ``stance/data/lexicons/*.txt``; each file says where it came from.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["WORD", "lexicon", "quote_spans", "author_voice", "author_voice_lower", "names_and_descriptions"]

# A double-quoted span: opening “ " „ up to the next closing mark (or the end of the
# sentence, for a quotation that runs on). A single-quoted span: ‘...’ or '...' not
# touching letters on the outside, so apostrophes (Cuba’s, don't) never open one.
_QUOTE = re.compile(
    r"[“\"„]([^“”\"]*)(?:[”\"“]|$)"
    r"|(?<![\w’'])[‘']([^‘’'\n]{1,80}?)[’'](?![\w])"
)
WORD = re.compile(r"(?u)\b\w[\w’'-]*\b")

@lru_cache(maxsize=None)
def lexicon(name: str) -> tuple[str, ...]:
    """Entries of ``data/lexicons/<name>.txt`` (comments and blanks dropped)."""
    text = resources.files("stance").joinpath("data", "lexicons", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def _may_quote(text: str) -> bool:
    return "“" in text or '"' in text or "„" in text or "‘" in text or "'" in text


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (marks included) of the quoted passages of ``text``."""
    if not _may_quote(text):
        return []
    return [m.span() for m in _QUOTE.finditer(text) if m.end() - m.start() > 2]


def author_voice(text: str, placeholder: str = " ") -> str:
    """``text`` with every quoted passage replaced by ``placeholder``."""
    if not _may_quote(text):
        return text
    return _QUOTE.sub(lambda m: placeholder if m.end() - m.start() > 2 else m.group(), text)


def author_voice_lower(text: str) -> str:
    """Preprocessor for word n-grams: the author's own words, lower-cased.

    Quoted passages become the token ``qqquote`` so that "a quotation stood
    here" is itself a feature, but the quoted words are not.
    """
    return author_voice(text, " qqquote ").lower()


def names_and_descriptions(table: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The feature names of a (name, description) table in order, and the descriptions by name."""
    return tuple(n for n, _ in table), dict(table)
