"""The segment editor beside the grid: one row at a time, whole sentences, the target editable.

The grid cuts every sentence to one line; a translator reading a long German sentence wants it
whole, with its English under it, and moves through the document with "Confirm and next". These
functions decide what the panel shows and where "next" goes; ``app.py`` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.document import AlignedDocument, Origin, OriginKind, Status
from align.review import edits
from align.ui.table import row_label, row_notes

if TYPE_CHECKING:
    from align.glossary import Glossary
    from align.tm import TranslationMemory
    from align.tm.text import Word

ORIGIN_LABELS = {
    OriginKind.ALIGNED: "aligned or imported",
    OriginKind.MACHINE: "machine translation",
    OriginKind.EDITED: "edited",
}
MEMORY_LABELS = {101: "TM 101% (same context)", 100: "TM 100%"}


def origin_label(origin: Origin) -> str:
    """Where a target came from, in words: "TM 87% (fuzzy match)" for a fuzzy match inserted; a
    code this version does not know as it is."""
    if origin.kind is OriginKind.MEMORY and origin.match is not None:
        return MEMORY_LABELS.get(origin.match, f"TM {origin.match}% (fuzzy match)")
    return ORIGIN_LABELS.get(origin.kind, str(origin))


@dataclass(frozen=True)
class SegmentView:
    """What the panel shows for one row."""

    row: int  # position in the document
    position: int  # 1-based place in the current view's order
    of: int  # rows in the current view
    source: str
    target: str
    status: Status
    band: str  # "62% check", "✓ 85%", ...
    notes: tuple[str, ...]  # the quality estimate's reasons, or the checks' flags
    origin: str


def current_row(rows: Sequence[int], wanted: int | None) -> int | None:
    """The row the panel shows: ``wanted`` while it is in view, else the first row in view."""
    if not rows:
        return None
    return wanted if wanted in rows else rows[0]


def segment_view(
    doc: AlignedDocument, row: int, rows: Sequence[int], flags: Sequence[str], estimated: bool = False
) -> SegmentView:
    """The panel's content for ``row`` of the view ``rows`` (in their display order)."""
    pair = doc.pairs[row]
    return SegmentView(
        row=row,
        position=rows.index(row) + 1 if row in rows else 0,
        of=len(rows),
        source=pair.source,
        target=pair.target,
        status=pair.status,
        band=row_label(pair, estimated),
        notes=row_notes(pair, flags),
        origin=origin_label(pair.origin),
    )


def step(rows: Sequence[int], row: int, by: int) -> int:
    """The row ``by`` places from ``row`` in the view's order (staying at either end)."""
    if row not in rows:
        return rows[0] if rows else row
    at = min(max(rows.index(row) + by, 0), len(rows) - 1)
    return rows[at]


def next_to_review(doc: AlignedDocument, rows: Sequence[int], row: int) -> int:
    """After confirming ``row``: the next unconfirmed row after it in the view (wrapping round),
    or ``row`` itself when every row in view is confirmed."""
    if row not in rows:
        return rows[0] if rows else row
    at = rows.index(row)
    for k in range(1, len(rows) + 1):
        candidate = rows[(at + k) % len(rows)]
        if doc.pairs[candidate].status is not Status.CONFIRMED:
            return candidate
    return row


def confirm_with(doc: AlignedDocument, row: int, target: str) -> tuple[AlignedDocument, str]:
    """The row with ``target`` typed in (when it changed) and confirmed; and the undo label."""
    new = doc
    changed = target != doc.pairs[row].target
    if changed:
        new = edits.edit_text(new, row, target=target)
    new = edits.confirm(new, [row])
    return new, f"{'edit and ' if changed else ''}confirm row {row + 1}"


def save_target(doc: AlignedDocument, row: int, target: str) -> tuple[AlignedDocument, str] | None:
    """The row with ``target`` typed in, unconfirmed; None when nothing changed."""
    if target == doc.pairs[row].target:
        return None
    return edits.edit_text(doc, row, target=target), f"edit row {row + 1}"


# ---- what the panels beside the segment offer ---------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """A translation-memory match for the segment: its percentage, the unit's source with the
    words that differ from the segment's source marked, and the target to insert."""

    score: int
    source: str
    marked: tuple[tuple[str, bool], ...]  # (text, differs) pieces of the unit's source
    target: str
    origin: Origin  # the Pair.origin the row gets when it is inserted (tm87)


def neighbours(doc: AlignedDocument, row: int) -> tuple[str, str]:
    """The sources before and after ``row`` (for 101% context matches)."""
    before = doc.pairs[row - 1].source if row > 0 else ""
    after = doc.pairs[row + 1].source if row + 1 < len(doc.pairs) else ""
    return before, after


def suggestions(doc: AlignedDocument, row: int, tm: TranslationMemory, limit: int = 3) -> list[Suggestion]:
    """The memory's best matches for the row's source (75% and up), best first."""
    previous, following = neighbours(doc, row)
    found = tm.lookup(doc.pairs[row].source, doc.src_lang, doc.tgt_lang, previous=previous, following=following, limit=limit)
    return [Suggestion(m.score, m.unit.source, _marked(m.unit.source, m.differing()), m.unit.target, m.origin) for m in found]


def _marked(text: str, words: Sequence[Word]) -> tuple[tuple[str, bool], ...]:
    pieces: list[tuple[str, bool]] = []
    at = 0
    for word in sorted(words, key=lambda w: w.start):
        if word.start > at:
            pieces.append((text[at : word.start], False))
        pieces.append((text[word.start : word.end], True))
        at = word.end
    if at < len(text):
        pieces.append((text[at:], False))
    return tuple(pieces)


def insert_suggestion(doc: AlignedDocument, row: int, suggestion: Suggestion) -> tuple[AlignedDocument, str]:
    """The row with the match's target (origin "tmNN", needs review) and the undo label."""
    new = edits.edit_text(doc, row, target=suggestion.target)
    pairs = list(new.pairs)
    pairs[row] = pairs[row].replace(origin=suggestion.origin)
    return new.replace(pairs=pairs), f"insert TM {suggestion.score}% into row {row + 1}"


def repeats(doc: AlignedDocument, row: int) -> list[int]:
    """Other unconfirmed rows with the same source (what "apply to repeats" would change)."""
    key = " ".join(doc.pairs[row].source.split())
    if not key:
        return []
    return [
        i
        for i, pair in enumerate(doc.pairs)
        if i != row and pair.status is not Status.CONFIRMED and " ".join(pair.source.split()) == key
    ]


@dataclass(frozen=True)
class TermLine:
    """A glossary term of the segment's source: the entry and what the check found."""

    source: str
    targets: tuple[str, ...]
    kind: str
    problem: str  # "" when the target follows the glossary


def glossary_lines(doc: AlignedDocument, row: int, glossary: Glossary) -> list[TermLine]:
    """The glossary entries whose source term occurs in the row, with any finding on the target."""
    from align.glossary import glossary_findings, glossary_hits

    pair = doc.pairs[row]
    problems = {f.entry: f.reason for f in glossary_findings(pair, glossary, doc.src_lang, doc.tgt_lang)}
    lines: list[TermLine] = []
    for entry in dict.fromkeys(hit.entry for hit in glossary_hits(pair.source, glossary, doc.src_lang, doc.tgt_lang)):
        lines.append(TermLine(entry.source, entry.targets, entry.kind.value, problems.get(entry, "")))
    return lines
