"""Markdown output: the source file with each block's lines replaced, its block markup kept.

A heading keeps its ``#`` marks (or its ``===`` underline), a list item its bullet or number and
indentation, a quote its ``>``, a table row its pipes and alignment row, and every cell (a block
of its own) its own text. A block whose text changed is written on one line with its inline
markup: each stretch of the new text goes inside the marks (emphasis, a link with its target, an
image with its address) of the stretch of the source it took the place of (``markdown_styled``
describes a block for ``align.docout.inline``, which places a sentence's marks on its translation
with the word aligner); a code span is written as it was, never translated. A block that did not
change keeps its lines as they were. Everything that is not a block (rules, link definitions,
fences, blank lines, comments outside blocks) stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from align.docout.compose import Filled
from align.docout.html import BASE, sentence_styled, word_end
from align.docout.inline import Styled
from align.text.readers import Block, MdMark, MdSpan, OpenedSource, md_table_cells

__all__ = ["inline_text", "markdown_styled", "render_markdown", "sentence_styled"]

#: Marks whose delimiters must touch the text they hold (CommonMark's flanking rule): whitespace
#: at a stretch's edge goes outside them, and one around nothing is dropped.
_TIGHT = frozenset({"emphasis", "link"})


def render_markdown(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """UTF-8 Markdown with the source file's line ends."""
    lines: list[str] = str(opened.document).split("\n")
    texts = {id(block): inline_text(opened, block) for block in filled if block.changed}
    replaced: dict[int, tuple[int, list[str]]] = {}
    for number, cells in _changed_cells(filled).items():
        replaced[number] = (number, [_table_row(lines[number], [(c.block, texts[id(c)]) for c in cells])])
    for block in filled:
        if block.changed and block.block.kind != "cell":
            first, last = block.block.lines
            replaced[first] = (last, [block.block.prefix + texts[id(block)]])
    out: list[str] = []
    number = 0
    while number < len(lines):
        if number in replaced:
            last, new = replaced[number]
            out.extend(new)
            number = last + 1
        else:
            out.append(lines[number])
            number += 1
    return opened.newline.join(out).encode("utf-8")


def markdown_styled(opened: OpenedSource, block: Block) -> list[Styled]:
    """The block's stretches of text as styled pieces for ``align.docout.inline``: each keyed by
    the marks around it; an empty stretch with marks (an image without alternative text) a
    zero-width piece where it stands (``html.sentence_styled`` adjusts them for each sentence)."""
    if not block.pieces:
        return []
    spans: list[MdSpan] = opened.slots
    piece_at = {piece.slot: piece for piece in block.pieces}
    styled: list[Styled] = []
    for slot in _group(spans, block):
        piece = piece_at.get(slot)
        if piece is not None:
            styled.append(Styled(piece.start, piece.end, slot, spans[slot].marks))
        elif spans[slot].marks and not spans[slot].text.strip():
            at = word_end(opened.source.text, styled[-1]) if styled else block.start
            styled.append(Styled(at, at, slot, ("item", slot)))
    return styled


def inline_text(opened: OpenedSource, filled: Filled) -> str:
    """A changed block's new text with its inline markup (see the module doc)."""
    block = filled.block
    if not block.pieces:
        return filled.text
    spans: list[MdSpan] = opened.slots
    group = _group(spans, block)
    if filled.runs:
        items = [(f.text, f.slot) for f in filled.runs]
        seen = {f.slot for f in filled.runs}
        items += [("", slot) for slot in group if slot not in seen and spans[slot].marks and not spans[slot].text.strip()]
    else:
        new = {piece.slot: text for piece, text in zip(block.pieces, filled.pieces, strict=True)}
        items = [(new.get(slot, ""), slot) for slot in group]
    return _written(_spaces_between([(text, () if slot == BASE else spans[slot].marks) for text, slot in items]))


def _group(spans: Sequence[MdSpan], block: Block) -> range:
    """The slots of the stretches of ``block``'s text (consecutive, empty ones at its ends included)."""
    first, last = block.pieces[0].slot, block.pieces[-1].slot
    group = spans[first].group
    while first > 0 and spans[first - 1].group == group:
        first -= 1
    while last + 1 < len(spans) and spans[last + 1].group == group:
        last += 1
    return range(first, last + 1)


def _spaces_between(items: list[tuple[str, tuple[MdMark, ...]]]) -> list[tuple[str, tuple[MdMark, ...]]]:
    """A stretch of whitespace between two stretches goes in the marks both of them are in (the
    space between a link's two words does not end the link)."""
    out = list(items)
    for k in range(1, len(out) - 1):
        text, marks = out[k]
        if text and not text.strip():
            before, after = out[k - 1][1], out[k + 1][1]
            common = 0
            while common < min(len(before), len(after)) and before[common] == after[common]:
                common += 1
            out[k] = (text, before[:common])
    return out


def _written(items: Sequence[tuple[str, tuple[MdMark, ...]]]) -> str:
    """Stretches of new text, each inside its marks, as Markdown: marks shared by neighbours are
    opened once; a code span is written as it was, once."""
    out: list[str | MdMark] = []
    stack: list[MdMark] = []
    written: set[int] = set()  # code spans already written

    def move_to(chain: Sequence[MdMark]) -> None:
        common = 0
        while common < min(len(stack), len(chain)) and stack[common] == chain[common]:
            common += 1
        while len(stack) > common:
            _close(out, stack.pop())
        for mark in chain[common:]:
            stack.append(mark)
            if mark.kind != "code" or mark.serial not in written:
                out.append(mark)
                written.add(mark.serial)

    for text, chain in items:
        move_to(chain)
        if text and not any(mark.kind == "code" for mark in chain):
            _text(out, text)
    move_to(())
    return "".join(part if isinstance(part, str) else part.opening for part in out)


def _text(out: list[str | MdMark], text: str) -> None:
    """Append ``text``; whitespace right after a tight opening mark goes before it."""
    if out and isinstance(out[-1], MdMark) and out[-1].kind in _TIGHT:
        lead = text[: len(text) - len(text.lstrip())]
        if lead:
            out.insert(len(out) - 1, lead)
            text = text[len(lead) :]
    if text:
        out.append(text)


def _close(out: list[str | MdMark], mark: MdMark) -> None:
    """Append ``mark``'s closing; whitespace before a tight one goes after it, and a tight mark
    around nothing is dropped."""
    if mark.kind == "code":
        return
    if mark.kind in _TIGHT:
        if out and out[-1] is mark:
            out.pop()
            return
        trail = ""
        if out and isinstance(out[-1], str):
            body = out[-1].rstrip()
            trail = out[-1][len(body) :]
            out[-1] = body
        out.append(mark.closing)
        if trail:
            out.append(trail)
        return
    out.append(mark.closing)


def _changed_cells(filled: Sequence[Filled]) -> dict[int, list[Filled]]:
    """The changed table cells, by the line of their row."""
    rows: dict[int, list[Filled]] = {}
    for block in filled:
        if block.changed and block.block.kind == "cell":
            rows.setdefault(block.block.lines[0], []).append(block)
    return rows


def _table_row(line: str, cells: Sequence[tuple[Block, str]]) -> str:
    """The row's line with the changed cells' texts replaced (``|`` escaped; the spaces around a
    cell's text as they were), the rest as it was."""
    prefix = cells[0][0].prefix
    kept = prefix if line.startswith(prefix) else ""
    body = line[len(kept) :]
    spans = md_table_cells(body)
    for block, text in sorted(cells, key=lambda cell: cell[0].slot, reverse=True):
        if 0 <= block.slot < len(spans):
            start, end = spans[block.slot]
            raw = body[start:end]
            lead = raw[: len(raw) - len(raw.lstrip())] if raw.strip() else " "
            trail = raw[len(raw.rstrip()) :] if raw.strip() else " "
            body = body[:start] + lead + text.replace("|", "\\|") + trail + body[end:]
    return kept + body
