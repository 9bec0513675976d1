"""Inline codes on the page: a row's codes shown as numbered tags in its text, and a typed text
with tags read back into plain text and codes.

The grid and the segment editor show a row that has codes in its tagged form (``<1>bold</1>``,
``<2/>``: ``align.codes``); the translator moves a tag by moving it in the typed target. A typed
target is checked against the source's codes before it is saved: a tag that does not parse (a
closing tag without its opening one, a tag left open), a tag the source does not have, one of
the wrong kind or one typed twice is refused with a message that says which, since such a target
cannot be written back into the job file; a source tag left out is kept as typed (a translator
may drop a tag on purpose) and the review checks flag the row. Nothing is ever stripped silently.

A row without codes on either side is plain text, so "a <b> c" typed there stays as typed.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from align.codes import Code, code_problems, markup, tagged, untagged
from align.document import AlignedDocument, Pair
from align.review.edits import EditError

if TYPE_CHECKING:
    pass


class TagError(EditError):
    """A typed text's tags cannot be saved (they do not parse, or the source has no such tag)."""


def has_tags(pair: Pair) -> bool:
    """Whether the row is shown and edited in its tagged form."""
    return bool(pair.src_codes or pair.tgt_codes)


def shown_source(pair: Pair) -> str:
    """The source as the page shows it: tagged where the row has codes."""
    return _tagged(pair.source, pair.src_codes) if has_tags(pair) else pair.source


def shown_target(pair: Pair) -> str:
    """The target as the page shows it (and the translator edits it): tagged where the row has codes."""
    return _tagged(pair.target, pair.tgt_codes) if has_tags(pair) else pair.target


def _tagged(text: str, codes: Sequence[Code]) -> str:
    """``align.codes.tagged``; codes it cannot write as numbered tags (an id that is not a number,
    from a file of another tool) are shown as ``markup`` writes them rather than not at all."""
    try:
        return tagged(text, codes)
    except ValueError:
        return markup(text, codes)


def tag_names(codes: Sequence[Code]) -> str:
    """The tags of ``codes`` as the translator types them: "<1>…</1>, <2/>"."""
    return ", ".join(f"<{c.id}>…</{c.id}>" if c.paired else f"<{c.id}/>" for c in codes) or "none"


def read_tagged(typed: str, src_codes: Sequence[Code], row: int) -> tuple[str, tuple[Code, ...]]:
    """The plain text and codes of a typed target of row ``row`` (0-based), checked against the
    source's codes: tags that do not balance, and a tag the source does not have (or has once,
    or of the other kind), are a ``TagError`` in ``code_problems``' words; a source tag left out
    is not (the review checks flag it)."""
    where = f"row {row + 1}"
    try:
        plain, codes = untagged(typed)
    except ValueError as err:
        raise TagError(f"{where}: the tags do not balance ({err}); type the source's tags: {tag_names(src_codes)}") from None
    extra = Counter((c.id, c.kind) for c in codes) - Counter((c.id, c.kind) for c in src_codes)
    if extra:
        problems = "; ".join(code_problems(src_codes, codes))
        raise TagError(f"{where}: {problems}; the source's tags are {tag_names(src_codes)}")
    return plain, codes


def edit_target(doc: AlignedDocument, row: int, typed: str) -> AlignedDocument:
    """``doc`` with the typed target of ``row``: plain text as typed in a row without codes, the
    tagged form read back (``read_tagged``) in one with codes. A change of text or of a tag's
    place makes the row the translator's edit (needs review, no estimate); the same text with the
    same tags is no change."""
    from align.review import edits

    pair = doc.pairs[row] if 0 <= row < len(doc.pairs) else None
    if pair is None or not has_tags(pair):
        return edits.edit_text(doc, row, target=typed)
    plain, codes = read_tagged(typed, pair.src_codes, row)
    return edits.edit_text(doc, row, target=plain, tgt_codes=codes)


def edit_source(doc: AlignedDocument, row: int, typed: str) -> AlignedDocument:
    """``doc`` with the typed source of ``row``: in a row with codes, its tags read back (they
    must balance; the source's tags are what the target's are checked against)."""
    from align.review import edits

    pair = doc.pairs[row] if 0 <= row < len(doc.pairs) else None
    if pair is None or not has_tags(pair):
        return edits.edit_text(doc, row, source=typed)
    try:
        plain, codes = untagged(typed)
    except ValueError as err:
        raise TagError(f"row {row + 1}: the source's tags do not balance ({err}); keep each <n> with its </n>") from None
    return edits.edit_text(doc, row, source=plain, src_codes=codes)


def chips_html(text: str, codes: Sequence[Code]) -> str:
    """``text`` with its codes as small numbered chips (HTML for ``st.html``; the text escaped),
    for reading a tagged segment at a glance."""
    pieces = []
    for part in _tag_split(markup(text, codes)):
        if part.startswith("<") and part.endswith(">") and part in _tags_of(codes):
            pieces.append(f'<span class="chip" title="tag {html.escape(part)}">{html.escape(_chip(part))}</span>')
        else:
            pieces.append(html.escape(part))
    return f'<div class="tagged" data-testid="tagged-text">{"".join(pieces)}</div>{CHIP_STYLE}'


CHIP_STYLE = (
    "<style>.tagged{line-height:1.7}.tagged .chip{display:inline-block;padding:0 .35em;margin:0 .1em;"
    "border-radius:.6em;background:#7b61ff;color:#fff;font-size:.75em;font-weight:600;vertical-align:.1em}</style>"
)


def _tags_of(codes: Sequence[Code]) -> set[str]:
    tags = set()
    for c in codes:
        tags |= {f"<{c.id}>", f"</{c.id}>"} if c.paired else {f"<{c.id}/>"}
    return tags


def _tag_split(marked: str) -> list[str]:
    """The tagged text in pieces: each tag alone, the text between them."""
    return [part for part in re.split(r"(</?[\w.-]+/?>)", marked) if part]


def _chip(tag: str) -> str:
    """What a chip says: ❬1 opens tag 1, 1❭ closes it, ⟨2⟩ is the single tag 2."""
    name = tag.strip("</>")
    if tag.startswith("</"):
        return f"{name}❭"
    if tag.endswith("/>"):
        return f"⟨{name}⟩"
    return f"❬{name}"
