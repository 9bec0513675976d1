"""DOCX output: the same document, paragraphs, styles and tables kept, runs refilled.

Every part the reader reads is written: the body (tables, content controls), headers and
footers of every section, footnotes, endnotes and text boxes (a text box's ``mc:Fallback`` copy
for older programs gets the translated ``mc:Choice``'s paragraphs). Each paragraph keeps its
style, numbering and runs; a changed paragraph's runs get their part of the new text.

Inline formatting: a sentence whose runs all look the same goes into the run where it starts. One
whose runs differ (bold, italic, underline, colour, a character style, a hyperlink, a field's
result, a footnote reference: ``run_keys``) gets its codes placed on the translation
(``align.docout.inline``); the paragraph's runs are then refilled in the translation's order
(``write_fragments``): each stretch goes into a run of its own look where the order allows (an
order-keeping match), else into a copy of that run (its properties, inside the same hyperlink);
a footnote reference run is moved, never copied; a field's result stays in its field where the
order allows (else its text goes beside it). Images, page breaks, fields' codes and everything
else in a run that is not text stay. Tabs and line breaks inside a changed paragraph become spaces.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Hashable, Sequence
from typing import Any

from align.docout.compose import Filled
from align.docout.inline import Fragment, Styled
from align.text.readers import Block, OpenedSource, docx_roots, docx_runs

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_TAGS = frozenset(f"{_W}{tag}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen", "ptab"))
#: A run's properties that do not change how it looks (spelling language, proofing marks).
_KEY_NOISE = frozenset(f"{_W}{tag}" for tag in ("lang", "noProof", "rFonts", "webHidden", "specVanish"))
#: Runs that are standalone codes: a footnote's or endnote's reference mark.
_MARKS = frozenset(f"{_W}{tag}" for tag in ("footnoteReference", "endnoteReference"))
_CONTENT = frozenset(
    f"{_W}{tag}" for tag in ("r", "hyperlink", "ins", "moveTo", "sdt", "fldSimple", "smartTag", "customXml", "dir", "bdo")
)


def render_docx(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """The source document with its changed paragraphs' runs refilled, as .docx bytes."""
    text = opened.source.text
    for block in filled:
        if not block.changed:
            continue
        paragraph = opened.slots[block.block.slot]
        runs = docx_runs(paragraph)
        if block.runs:
            write_fragments(paragraph, runs, block.block, block.runs, run_keys(runs))
            continue
        for piece, new in zip(block.block.pieces, block.pieces, strict=True):
            if new != text[piece.start : piece.end]:
                set_run_text(runs[piece.slot], new)
    mirror_fallbacks(opened.document)
    return _save(opened.document)


def docx_styled(opened: OpenedSource, block: Block) -> list[Styled]:
    """The block's runs as styled pieces for ``align.docout.inline``: its text runs with their
    ``run_key``, and a zero-width piece for each footnote or endnote reference mark, where it stands."""
    runs = docx_runs(opened.slots[block.slot])
    if len(runs) == 1:  # one run looks one way (and a lone mark is not in a sentence): nothing to place
        return [Styled(p.start, p.end, p.slot, 0) for p in block.pieces]
    keys = run_keys(runs)
    styled = [Styled(p.start, p.end, p.slot, keys[p.slot], _depth(keys[p.slot]), _levels(keys[p.slot])) for p in block.pieces]
    ends = {p.slot: p.end for p in block.pieces}
    at = block.start
    for slot, run in enumerate(runs):
        if slot in ends:
            at = ends[slot]
        elif any(child.tag in _MARKS for child in run):
            styled.append(Styled(at, at, slot, ("mark", slot)))
    return sorted(styled, key=lambda s: (s.start, s.end))


def _levels(key: Hashable) -> tuple[Hashable, ...]:
    """A run key as nested layers for ``inline``: what the run sits in (a hyperlink, a field),
    then its properties (bold inside a link is a code inside the link's code)."""
    if isinstance(key, tuple) and len(key) == 2:
        properties, chain = key
        return (chain, properties)
    return (key,)


def _depth(key: Hashable) -> int:
    """How much formatting a run key has: each element around the run (a hyperlink, a field)
    counts more than each property (bold)."""
    if isinstance(key, tuple) and len(key) == 2:
        properties, chain = key
        return 100 * len(chain) + len(properties)
    return 0


def run_keys(runs: Sequence[Any]) -> list[Hashable]:
    """Each run's formatting key: its properties (less those that do not show) and the chain of
    elements it sits in (a hyperlink with its target, a simple field); the result of a complex
    field (the runs between its ``begin`` and ``end`` marks) counts as one more element, the field."""
    keys: list[Hashable] = []
    depth = fields = 0
    for run in runs:
        field = (("field", fields),) if depth > 0 else ()
        for char in run.iter(f"{_W}fldChar"):
            kind = char.get(f"{_W}fldCharType")
            if kind == "begin":
                depth += 1
                fields += depth == 1
            elif kind == "end" and depth:
                depth -= 1
        keys.append((_properties(run), _chain_key(run) + field))
    return keys


def _properties(run: Any) -> tuple[Hashable, ...]:
    rpr = run.find(f"{_W}rPr")
    if rpr is None:
        return ()
    return tuple(sorted((_element_key(child) for child in rpr if child.tag not in _KEY_NOISE), key=repr))


def _element_key(element: Any) -> tuple[Hashable, ...]:
    """An element as plain data (tag, attributes, children), equal for elements that say the same."""
    return (element.tag, tuple(sorted(element.attrib.items())), tuple(_element_key(child) for child in element))


def _chain_key(run: Any) -> tuple[tuple[str, ...], ...]:
    chain: list[tuple[str, ...]] = []
    for element in _chain(run):
        if element.tag == f"{_W}hyperlink":
            chain.append((element.tag, element.get(_R_ID) or "", element.get(f"{_W}anchor") or ""))
        else:
            chain.append((element.tag,))
    return tuple(chain)


def _chain(run: Any) -> list[Any]:
    """The elements between a run and its paragraph, innermost first."""
    chain = []
    node = run.getparent()
    while node is not None and node.tag != f"{_W}p":
        chain.append(node)
        node = node.getparent()
    return chain


def write_fragments(
    paragraph: Any, runs: Sequence[Any], block: Block, fragments: Sequence[Fragment], keys: Sequence[Hashable]
) -> None:
    """Refill a paragraph's text runs with ``fragments`` (its new text in order; see the module doc).

    Consecutive fragments that look the same are one stretch. The stretches keep as many of the
    paragraph's own runs as an order-keeping match of their keys allows (a longest common
    subsequence); each other stretch goes into a copy of its run, after the stretch before it.
    """
    seq = [runs[p.slot] for p in block.pieces]  # the paragraph's text runs in document order
    key_of = {run: keys[p.slot] for run, p in zip(seq, block.pieces, strict=True)}
    stretches: list[tuple[Fragment, list[str]]] = []
    for fragment in fragments:
        if stretches and not fragment.standalone and not stretches[-1][0].standalone:
            if keys[stretches[-1][0].slot] == keys[fragment.slot]:
                stretches[-1][1].append(fragment.text)
                continue
        stretches.append((fragment, [fragment.text]))
    texts = [(k, keys[f.slot]) for k, (f, _) in enumerate(stretches) if not f.standalone]
    match = dict(_common(texts, [key_of[run] for run in seq]))
    written: dict[Any, str] = {}
    cursor: Any = None  # the last element placed
    for k, (fragment, parts) in enumerate(stretches):
        if fragment.standalone:
            mark = runs[fragment.slot]
            if cursor is not None and mark is not cursor:
                mark.getparent().remove(mark)
                _insert(mark, mark, cursor, paragraph, before=False)
            cursor = mark
            continue
        if k in match:
            run = seq[match[k]]
        elif cursor in written and not "".join(parts).strip():
            written[cursor] += "".join(parts)  # a space takes the look of the text before it
            continue
        else:
            run = _blank_copy(runs[fragment.slot])
            _insert(run, runs[fragment.slot], cursor if cursor is not None else seq[0], paragraph, before=cursor is None)
        written[run] = "".join(parts)
        cursor = run
    for run in [*seq, *(run for run in written if run not in key_of)]:  # the paragraph's runs, then the copies
        set_run_text(run, written.get(run, ""))


#: Above this many stretch-run pairs a paragraph's runs are matched greedily, not by the quadratic LCS.
_LCS_CELLS = 250_000


def _common(items: Sequence[tuple[int, Hashable]], keys: Sequence[Hashable]) -> list[tuple[int, int]]:
    """An order-keeping match of ``items`` (id, key) to positions of ``keys`` with equal keys, as
    long as possible: ``(id, position)`` pairs."""
    n, m = len(items), len(keys)
    if n * m > _LCS_CELLS:
        out, at = [], 0
        for ident, key in items:
            found = next((j for j in range(at, m) if keys[j] == key), None)
            if found is not None:
                out.append((ident, found))
                at = found + 1
        return out
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            table[a][b] = table[a + 1][b + 1] + 1 if items[a][1] == keys[b] else max(table[a + 1][b], table[a][b + 1])
    out, a, b = [], 0, 0
    while a < n and b < m:
        if items[a][1] == keys[b]:
            out.append((items[a][0], b))
            a, b = a + 1, b + 1
        elif table[a + 1][b] >= table[a][b + 1]:
            a += 1
        else:
            b += 1
    return out


def _blank_copy(run: Any) -> Any:
    """A new run with ``run``'s attributes and properties and nothing else."""
    from lxml import etree

    new = etree.Element(run.tag, attrib=dict(run.attrib), nsmap=run.nsmap)
    rpr = run.find(f"{_W}rPr")
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    return new


def _insert(run: Any, template: Any, anchor: Any, paragraph: Any, *, before: bool) -> None:
    """Put ``run`` next to ``anchor`` (after it, or before), inside copies of the elements
    ``template`` sits in (a hyperlink, a content control) that ``anchor`` is not inside already."""
    anchor_chain = [anchor, *_chain(anchor)]
    wrappers = []
    common = paragraph
    for element in _chain(template) if template is not run else []:  # a moved run takes no wrapper
        if element in anchor_chain:
            common = element
            break
        wrappers.append(element)
    child = anchor
    while child.getparent() is not common:
        child = child.getparent()
    if not before and child is not anchor:
        _split_after(anchor, child)
    outer = run
    for element in wrappers:  # innermost first
        if element.tag == f"{_W}fldSimple":
            continue  # a second field would show the field's result twice: the copy goes outside it
        shell = _shell(element)
        inner = shell.find(f"{_W}sdtContent") if element.tag == f"{_W}sdt" else shell
        (inner if inner is not None else shell).append(outer)
        outer = shell
    if before:
        child.addprevious(outer)
    else:
        child.addnext(outer)


#: Elements that may be cut in two around a run put between their runs (a hyperlink, a tracked
#: insertion); a content control or a simple field would be doubled.
_SPLITTABLE = frozenset(f"{_W}{tag}" for tag in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "dir", "bdo"))


def _split_after(anchor: Any, top: Any) -> None:
    """What follows ``anchor`` inside ``top`` (and the elements between) moved into copies of
    those elements after ``top``, so that a run put after ``top`` comes right after ``anchor``
    in reading order. Nothing moves when one of them cannot be cut in two."""
    node = anchor
    levels = []
    while node is not top:
        parent = node.getparent()
        if parent.tag not in _SPLITTABLE:
            return
        levels.append((node, parent))
        node = parent
    for node, parent in levels:  # innermost first: each level's tail goes after its parent
        following = list(node.itersiblings())
        if not following:
            continue
        shell = _shell(parent)
        for sibling in following:
            shell.append(sibling)
        parent.addnext(shell)


def _shell(element: Any) -> Any:
    """A copy of a container without its runs (a hyperlink's target, a content control's properties kept)."""
    from lxml import etree

    shell = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    for child in element:
        if child.tag == f"{_W}sdtContent":
            shell.append(etree.Element(child.tag, attrib=dict(child.attrib)))
        elif child.tag not in _CONTENT:
            shell.append(copy.deepcopy(child))
    return shell


def mirror_fallbacks(document: Any) -> None:
    """Each ``mc:AlternateContent`` whose choice and fallback hold as many text boxes: the
    fallback's text boxes get copies of the choice's paragraphs (translated; the reader read only those)."""
    for root in docx_roots(document):
        for alternate in list(root.iter(f"{_MC}AlternateContent")):
            choice, fallback = alternate.find(f"{_MC}Choice"), alternate.find(f"{_MC}Fallback")
            if choice is None or fallback is None:
                continue
            chosen, fallen = list(choice.iter(f"{_W}txbxContent")), list(fallback.iter(f"{_W}txbxContent"))
            if not chosen or len(chosen) != len(fallen):
                continue
            for box, old in zip(chosen, fallen, strict=True):
                for child in list(old):
                    old.remove(child)
                for child in box:
                    old.append(copy.deepcopy(child))


def render_new_docx(filled: Sequence[Filled]) -> bytes:
    """A new document with a Normal paragraph per block (for sources that cannot be written, PDF)."""
    import docx

    document = docx.Document()
    for block in filled:
        document.add_paragraph(block.text)
    return _save(document)


def set_run_text(run: Any, text: str) -> None:
    """Replace a run's text (``w:t``, tabs, line breaks) with ``text``; its properties and other content stay.

    A page or column break (text "") is not text and stays, as do drawings and field characters.
    """
    old = [child for child in run if child.tag == f"{_W}t" or (child.tag in _TEXT_TAGS and str(child))]
    index = run.index(old[0]) if old else len(run)
    for child in old:
        run.remove(child)
    if text:
        from docx.oxml import OxmlElement

        element = OxmlElement("w:t")
        element.text = text
        element.set(_XML_SPACE, "preserve")
        run.insert(index, element)


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
