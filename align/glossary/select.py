"""Choosing among a model's n-best translations the one that follows the glossary best.

CTranslate2 returns several hypotheses per sentence with their (length-normalised) log
probabilities. A hypothesis earns a point for each of the row's term pairs whose target term it
uses and each do-not-translate term it keeps verbatim, and loses one for each forbidden term it
uses; the most points win, ties go to the model's score. So the glossary only ever promotes a
translation the model itself proposed: nothing is pasted into a sentence, which keeps the output
fluent, and when no hypothesis follows the glossary the model's best stands and the row's check
says what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

from align.glossary.checks import Hit
from align.glossary.model import Kind
from align.glossary.terms import GlossaryIndex, find_sequence, tokens, verbatim_spans


def glossary_points(text: str, hits: Sequence[Hit], index: GlossaryIndex) -> int:
    """Terms used and kept verbatim minus forbidden terms used, for one candidate translation."""
    words = tokens(text, index.tgt_lang)
    points = 0
    seen = set()
    for hit in hits:
        entry = hit.entry
        if entry in seen:
            continue
        seen.add(entry)
        if entry.kind is Kind.TERM:
            points += any(find_sequence(key, words) for key in hit.indexed.target_keys)
        elif entry.kind is Kind.DO_NOT_TRANSLATE:
            points += any(verbatim_spans(t, text, index.tgt_lang) for t in entry.targets)
        else:
            points -= any(find_sequence(key, words) for key in hit.indexed.target_keys)
    for indexed in index.unconditional:
        points -= any(find_sequence(key, words) for key in indexed.target_keys)
    return points


def choose_hypothesis(hypotheses: Sequence[str], scores: Sequence[float], hits: Sequence[Hit], index: GlossaryIndex) -> int:
    """The position of the hypothesis with the most glossary points, the model's score breaking
    ties (the first on equal scores). 0 when there are no hits: the model's best."""
    if not hits or len(hypotheses) < 2:
        return 0
    ranked = [
        (glossary_points(text, hits, index), scores[i] if i < len(scores) else float("-inf"), -i)
        for i, text in enumerate(hypotheses)
    ]
    return -max(ranked)[2]
