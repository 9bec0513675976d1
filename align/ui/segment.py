"""The segment editor beside the grid: one row at a time, whole sentences, the target editable.

The grid cuts every sentence to one line; a translator reading a long German sentence wants it
whole, with its English under it, and moves through the document with "Confirm and next". These
functions decide what the panel shows and where "next" goes; ``app.py`` draws them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.document import AlignedDocument, Origin, OriginKind, Status
from align.exchange.project import LOCKED
from align.review import edits
from align.ui.table import row_label, row_notes
from align.ui.tags import edit_target, shown_source, shown_target

if TYPE_CHECKING:
    from align.glossary import Glossary
    from align.tm import TranslationMemory
    from align.tm.text import Word
    from align.words.model import Word as WordSpan
    from align.words.model import WordAlignment

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
        source=shown_source(pair),
        target=shown_target(pair),
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
    new = edit_target(doc, row, target)
    changed = new is not doc
    new = edits.confirm(new, [row])
    return new, f"{'edit and ' if changed else ''}confirm row {row + 1}"


def save_target(doc: AlignedDocument, row: int, target: str) -> tuple[AlignedDocument, str] | None:
    """The row with ``target`` typed in, unconfirmed; None when nothing changed."""
    new = edit_target(doc, row, target)
    return None if new is doc else (new, f"edit row {row + 1}")


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
    pairs[row] = pairs[row].replace(origin=suggestion.origin, tgt_codes=())  # the memory holds plain text: tags to add
    return new.replace(pairs=pairs), f"insert TM {suggestion.score}% into row {row + 1}"


def repeats(doc: AlignedDocument, row: int) -> list[int]:
    """Other unconfirmed rows with the same source (what "apply to repeats" would change); a row
    its XLIFF or PO file locks is none."""
    key = " ".join(doc.pairs[row].source.split())
    if not key:
        return []
    return [
        i
        for i, pair in enumerate(doc.pairs)
        if i != row and pair.status is not Status.CONFIRMED and LOCKED not in pair.flags and " ".join(pair.source.split()) == key
    ]


def propagate_target(doc: AlignedDocument, row: int) -> tuple[AlignedDocument, list[int]]:
    """``edits.propagate`` of the row's target (and tags) to its ``repeats``; a row its XLIFF or
    PO file locks keeps what it had."""
    new, changed = edits.propagate(doc, row)
    pairs, kept = list(new.pairs), []
    for i in changed:
        if LOCKED in doc.pairs[i].flags:
            pairs[i] = doc.pairs[i]
        else:
            kept.append(i)
    return (new.replace(pairs=pairs) if kept else doc), kept


@dataclass(frozen=True)
class TermLine:
    """A glossary term of the segment's source: the entry and what the check found."""

    source: str
    targets: tuple[str, ...]
    kind: str
    problem: str  # "" when the target follows the glossary
    rendered: str = ""  # the target words the term's words are linked to ("" without an alignment)
    start: int = 0  # the term's first occurrence in the source
    end: int = 0


def glossary_lines(doc: AlignedDocument, row: int, glossary: Glossary, alignment: WordAlignment | None = None) -> list[TermLine]:
    """The glossary entries whose source term occurs in the row, with any finding on the target;
    with the row's word alignment, the words that rendered each term, and the findings judged there."""
    from align.glossary import glossary_findings, glossary_hits
    from align.glossary.rendered import rendering

    pair = doc.pairs[row]
    problems = {f.entry: f.reason for f in glossary_findings(pair, glossary, doc.src_lang, doc.tgt_lang, alignment)}
    lines: list[TermLine] = []
    seen: set[object] = set()
    for hit in glossary_hits(pair.source, glossary, doc.src_lang, doc.tgt_lang):
        if hit.entry in seen:
            continue
        seen.add(hit.entry)
        found = rendering(alignment, pair.target, hit.start, hit.end) if alignment is not None else None
        entry = hit.entry
        line = TermLine(
            entry.source,
            entry.targets,
            entry.kind.value,
            problems.get(entry, ""),
            found.text if found else "",
            hit.start,
            hit.end,
        )
        lines.append(line)
    return lines


def term_marks(lines: Sequence[TermLine]) -> list[TermMark]:
    """The glossary lines as chips of the word-links view ("Bundestag → Bundestag")."""
    return [
        TermMark(f"{line.source} → {' / '.join(line.targets)}", line.start, line.end) for line in lines if line.end > line.start
    ]


# ---- word links: which words of the other side render the word pointed at ------------------------
#: The highlight of a word's counterparts (and the outline of the word pointed at): translucent,
#: so it reads on the light and the dark theme alike.
LINK_CSS = (
    ".wa{line-height:1.9;white-space:pre-wrap}"
    ".wa .wa-side{margin:.1rem 0 .5rem 0}"
    ".wa .wa-label{font-size:.8rem;opacity:.7}"
    ".wa .w{border-radius:3px;cursor:pointer}"
    ".wa .w:hover,.wa .w:focus{outline:2px solid rgba(230,160,0,.9);outline-offset:1px}"
    ".wa .term{border:1px solid rgba(128,128,128,.5);border-radius:4px;padding:0 .3rem;margin-right:.3rem;cursor:pointer}"
)
HIGHLIGHT = "background-color:rgba(255,190,0,.45)"


@dataclass(frozen=True)
class TermMark:
    """A glossary term of the segment's source for the word-links view: what its chip says and the
    term's character span in the source."""

    label: str
    start: int
    end: int


def word_links_html(source: str, target: str, alignment: WordAlignment, terms: Sequence[TermMark] = ()) -> str:
    """Both sides of a segment as words one can point at (hover, or Tab to focus): the words of the
    other side linked to it light up; pointing at a glossary term's chip lights up the term and
    the words that rendered it. CSS only (``:has``), so it works in ``st.html`` without script.

    Every word gets its own class (``s3``, ``t5``) and its partners' (``t-of-s3`` on the target
    words linked to source word 3); one rule per word lights the partners of the word pointed at.
    """
    term_of_src: dict[int, list[int]] = {}
    term_of_tgt: dict[int, list[int]] = {}
    for g, term in enumerate(terms):
        words = [i for i, w in enumerate(alignment.src_words) if w.start < term.end and term.start < w.end]
        for i in words:
            term_of_src.setdefault(i, []).append(g)
            for j in alignment.targets_of(i):
                term_of_tgt.setdefault(j, []).append(g)
    src = _linked_words(source, alignment.src_words, "s", "t", lambda i: alignment.targets_of(i), term_of_src)
    tgt = _linked_words(target, alignment.tgt_words, "t", "s", lambda j: alignment.sources_of(j), term_of_tgt)
    rules = [f".wa:has(.s{i}:hover) .t-of-s{i},.wa:has(.s{i}:focus) .t-of-s{i}" for i in range(len(alignment.src_words))]
    rules += [f".wa:has(.t{j}:hover) .s-of-t{j},.wa:has(.t{j}:focus) .s-of-t{j}" for j in range(len(alignment.tgt_words))]
    rules += [f".wa:has(.g{g}:hover) .g-of-g{g},.wa:has(.g{g}:focus) .g-of-g{g}" for g in range(len(terms))]
    style = LINK_CSS + "".join(f"{rule}{{{HIGHLIGHT}}}" for rule in rules)
    chips = "".join(f'<span class="term g{g}" tabindex="0">{html.escape(t.label)}</span>' for g, t in enumerate(terms))
    parts = [
        f"<style>{style}</style>",
        '<div class="wa" data-testid="word-links">',
        f'<div class="wa-side wa-src">{src}</div>',
        f'<div class="wa-side wa-tgt">{tgt}</div>',
        f'<div class="wa-terms"><span class="wa-label">Glossary: </span>{chips}</div>' if terms else "",
        "</div>",
    ]
    return "".join(parts)


def _linked_words(
    text: str,
    words: Sequence[WordSpan],
    own: str,
    other: str,
    partners: Callable[[int], Sequence[int]],
    terms: dict[int, list[int]],
) -> str:
    """``text`` with each word in a span carrying its own class, its partners' and its terms'."""
    out: list[str] = []
    at = 0
    for k, word in enumerate(words):
        classes = ["w", f"{own}{k}", *(f"{own}-of-{other}{p}" for p in partners(k)), *(f"g-of-g{g}" for g in terms.get(k, ()))]
        out.append(html.escape(text[at : word.start]))
        out.append(f'<span class="{" ".join(classes)}" tabindex="0">{html.escape(text[word.start : word.end])}</span>')
        at = word.end
    out.append(html.escape(text[at:]))
    return "".join(out)
