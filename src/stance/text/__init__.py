"""The text layer: from raw text to sentences, and what each sentence's words are.

Plain Python and numpy (no scikit-learn), on the label path:

- sentences: :func:`segment` (line breaks, then sentencex; bounded: over-long sentences are cut,
  :func:`bound_span`) and :func:`check_texts`;
- the codebook's step 1: :func:`exclusion_reason` (headings, questions, boilerplate, ...);
- whose words: :func:`quote_spans`, :func:`author_voice`, the word lists (:func:`lexicon`);
- cues: :func:`cue_vector` / :func:`cue_matrix` (attribution and loadedness), :func:`rule_decisions`;
- general resources: :func:`lexical_matrix` (VADER, TextBlob subjectivity), :func:`static_matrix`
  (static word vectors), :func:`resource_info`;
- speakers: :func:`find_speaker`;
- the result types: :class:`LabelledSentence` and :class:`Document`.
"""

from __future__ import annotations

from ._cues import CUE_DESCRIPTIONS, CUE_NAMES, STOP_CAPS, cue_matches, cue_matrix, cue_vector, rule_decisions, scan_lexicon
from ._document import Document, LabelledSentence
from ._exclusion import EXCLUSION_PATTERNS, exclusion_reason
from ._lexical import (
    LEXICAL_DESCRIPTIONS,
    LEXICAL_NAMES,
    author_word_ids,
    lexical_matrix,
    resource_info,
    static_dims,
    static_matrix,
    static_vectors,
    subjectivity,
    valence,
)
from ._sentences import CUT_REASON, MAX_SENTENCE_CHARS, SEGMENT_CHARS, Span, bound_span, check_texts, cut_point, segment
from ._speakers import find_speaker, speaker_agreement
from ._voice import WORD, author_voice, author_voice_lower, lexicon, names_and_descriptions, quote_spans

__all__ = [
    "segment", "Span", "check_texts", "bound_span", "cut_point", "MAX_SENTENCE_CHARS", "SEGMENT_CHARS", "CUT_REASON",
    "exclusion_reason", "EXCLUSION_PATTERNS",
    "WORD", "lexicon", "quote_spans", "author_voice", "author_voice_lower", "names_and_descriptions",
    "CUE_NAMES", "CUE_DESCRIPTIONS", "STOP_CAPS", "cue_vector", "cue_matrix", "cue_matches", "rule_decisions",
    "scan_lexicon",
    "LEXICAL_NAMES", "LEXICAL_DESCRIPTIONS", "lexical_matrix", "static_matrix", "static_dims", "static_vectors",
    "author_word_ids", "resource_info", "valence", "subjectivity",
    "find_speaker", "speaker_agreement",
    "Document", "LabelledSentence",
]
