"""HTML output: the same page, the text of each block replaced inside its own elements.

Tags, attributes, the head, scripts and styles stay. A changed block whose sentences are in one
formatting each gets its new text in its own text nodes (a sentence goes into the node where it
starts: inside ``<b>`` when it started in bold, the rest of it in other nodes is emptied). A
sentence with inline elements inside (``<b>``, ``<a href>``, ``<span class>``, ``<code>``,
``<sup>``, an ``<img>`` or ``<br>`` in the text) has them placed on its translation
(``align.docout.inline`` with the word aligner; ``html_styled`` describes a block's text nodes
and elements for it); its block's inline content is then rebuilt in the translation's order, each
stretch inside copies of the elements it came from (an element split by the new word order
appears more than once, its ``id`` only on the first), each image, line break or script moved,
never copied. The title follows its block; an attribute read as a block (``alt``, ``title``,
``placeholder``, a button's ``value``) gets its translation. The page is written as UTF-8 and its
``<meta charset>`` says so. The reader folds whitespace, so a changed ``<pre>`` block comes back
on one line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

from align.docout.compose import Filled
from align.docout.inline import Fragment, Styled
from align.text.readers import HTML_BLOCKS, Block, HtmlAttribute, OpenedSource

#: The slot of a block's own level: no inline element (or Markdown mark) at all (``sentence_styled``).
BASE = -2


def render_html(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """The source page with its changed blocks' text replaced, as UTF-8 bytes."""
    soup = opened.document
    text = opened.source.text
    if soup.title is not None and filled and filled[0].block.kind != "title":
        title = unicodedata.normalize("NFC", soup.title.get_text(" ", strip=True))
        first = filled[0]
        if first.changed and title == text[first.block.start : first.block.end]:
            _set_title(soup, first.text)  # the title was read once, as the first block's text
    for block in filled:  # attributes first: a rebuilt block copies its elements' attributes
        if block.changed and block.block.kind.startswith("@"):
            _set_attribute(opened, block)
    for block in filled:
        if not block.changed or block.block.kind.startswith("@"):
            continue
        if block.block.kind == "title":
            _set_title(soup, block.text)
            continue
        if block.runs and _rebuild(opened, block):
            continue
        for piece, new in zip(block.block.pieces, block.pieces, strict=True):
            if new == text[piece.start : piece.end]:
                continue
            node = opened.slots[piece.slot]
            node.replace_with(type(node)(_with_edges(str(node), new)))
    data: bytes = soup.encode("utf-8")
    return data


def html_styled(opened: OpenedSource, block: Block) -> list[Styled]:
    """The block's text nodes as styled pieces for ``align.docout.inline``, each keyed by the
    inline elements around it, and a zero-width piece for each element without text in it (an
    image, a line break, a script, an empty anchor) and each comment, where it stands
    (``word_end``); ``sentence_styled`` adjusts them for each sentence. Empty
    when the block is not plain inline content of one element (then it is written as before)."""
    extent = _extent(opened, block)
    if extent is None:
        return []
    container, _ = extent
    styled: list[Styled] = []
    for item, slot, piece in _items(opened, block, extent):
        if piece is None:
            at = word_end(opened.source.text, styled[-1]) if styled else block.start
            styled.append(Styled(at, at, slot, ("item", slot)))
        else:
            styled.append(Styled(piece.start, piece.end, slot, _key(item, container)))
    return styled


def word_end(text: str, piece: Styled) -> int:
    """Where a standalone item after ``piece`` stands: right after its last word (a line break or
    an image after "Satz. " belongs to the sentence before, not at the start of the next one)."""
    return piece.start + len(text[piece.start : piece.end].rstrip()) if not piece.standalone else piece.end


def sentence_styled(styled: Sequence[Styled], start: int, end: int) -> list[Styled]:
    """A block's ``styled`` pieces (keys: chains of elements or marks, outermost first) for its
    sentence ``[start, end)``: when the sentence's text is in more than one chain, a piece over the
    sentence goes first whose key is the chain all of it shares (``BASE`` when that is none, and
    no piece has it). ``inline.sentence_codes`` takes the key over most characters (the first on a
    tie) as the sentence's main formatting, which the words a translation adds outside every placed
    code take: so those words stay outside the elements only part of the source was in. (Without
    it a sentence mostly in ``<code>`` puts the rest of its translation in ``<code>`` too, and the
    paragraph has more code elements than its source.) A sentence in one chain throughout is left
    as it is: it keeps its formatting whole, without codes."""
    inside = [piece for piece in styled if not piece.standalone and piece.start < end and piece.end > start]
    keys = [piece.key for piece in inside if isinstance(piece.key, tuple)]
    if len(set(keys)) < 2 or len(keys) < len(inside):
        return list(styled)
    shared = keys[0]
    for key in keys[1:]:
        common = 0
        while common < min(len(shared), len(key)) and shared[common] == key[common]:
            common += 1
        shared = shared[:common]
    slot = next((piece.slot for piece in inside if piece.key == shared), BASE if shared == () else None)
    return list(styled) if slot is None else [Styled(start, end, slot, shared), *styled]


# ---- the extent of a block -------------------------------------------------------------------------


def _extent(opened: OpenedSource, block: Block) -> tuple[Any, list[Any]] | None:
    """The element holding ``block``'s text and the run of its children that hold it (from the
    one with the first text node to the one with the last), or None when there is none such."""
    if not block.pieces or block.kind == "title" or block.kind.startswith("@"):
        return None
    nodes = [opened.slots[piece.slot] for piece in block.pieces]
    container = _container(nodes[0])
    if container is None or any(_container(node) is not container for node in nodes[1:]):
        return None
    node, last = _top(nodes[0], container), _top(nodes[-1], container)
    tops = [node]
    while node is not last:  # siblings, not the container's whole list: pages of many blocks stay linear
        node = node.next_sibling
        if node is None:
            return None
        tops.append(node)
    return container, tops


def _container(node: Any) -> Any:
    """The nearest element around ``node`` that makes blocks (or the page itself)."""
    parent = node.parent
    while parent is not None and parent.parent is not None and parent.name not in HTML_BLOCKS:
        parent = parent.parent
    return parent


def _top(node: Any, container: Any) -> Any:
    while node.parent is not container:
        node = node.parent
    return node


def _items(opened: OpenedSource, block: Block, extent: tuple[Any, list[Any]]) -> Iterator[tuple[Any, int, Any]]:
    """The block's text nodes and standalone items in document order: ``(node, slot, piece)``,
    piece None for a standalone item; whitespace between them is left out (an item the reader
    did not record, which cannot happen, too)."""
    container, tops = extent
    pieces = {id(opened.slots[piece.slot]): piece for piece in block.pieces}
    carriers = _carriers([opened.slots[piece.slot] for piece in block.pieces], container)
    finder = _SlotFinder(opened.slots, block.pieces[0].slot, tops[0])
    stack: list[Iterator[Any]] = [iter(tops)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        piece = pieces.get(id(item))
        if piece is not None:
            finder.cursor = piece.slot
            yield item, piece.slot, piece
        elif id(item) in carriers:
            stack.append(iter(item.children))
        elif _standalone(item):
            slot = finder.find(item)
            if slot is not None:
                yield item, slot, None


def _carriers(nodes: Sequence[Any], container: Any) -> set[int]:
    """The elements (ids) between ``container`` and the text nodes: those the walk goes into."""
    carriers: set[int] = set()
    for node in nodes:
        parent = node.parent
        while parent is not container and id(parent) not in carriers:
            carriers.add(id(parent))
            parent = parent.parent
    return carriers


def _standalone(item: Any) -> bool:
    """An element without the block's text in it, or a comment: moved whole, never copied."""
    from bs4 import Comment, Tag

    return isinstance(item, (Tag, Comment))


class _SlotFinder:
    """Finds an element's slot: the reader recorded the block's elements in document order near
    its text nodes' slots, so a search from the last slot found is short."""

    def __init__(self, slots: Sequence[Any], first_piece: int, first_top: Any) -> None:
        self.slots = slots
        start = first_piece
        while start > 0 and slots[start] is not first_top:  # an element is recorded before its text
            start -= 1
        self.cursor = start if slots[start] is first_top else first_piece

    def find(self, item: Any) -> int | None:
        for k in range(self.cursor + 1, len(self.slots)):
            if self.slots[k] is item:
                self.cursor = k
                return k
        return None


def _key(node: Any, container: Any) -> Hashable:
    """A text node's formatting: the inline elements around it (each itself, not its look)."""
    return tuple(id(element) for element in _chain(node, container))


def _chain(node: Any, container: Any) -> list[Any]:
    """The elements between ``container`` and ``node``, outermost first."""
    chain = []
    parent = node.parent
    while parent is not None and parent is not container:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


# ---- rebuilding a block's inline content -----------------------------------------------------------


def _rebuild(opened: OpenedSource, filled: Filled) -> bool:
    """Replace the block's inline content by its fragments (see the module doc); False when the
    block cannot be rebuilt (then its text nodes are refilled as before)."""
    extent = _extent(opened, filled.block)
    if extent is None:
        return False
    container, tops = extent
    standalone = [item for item, _, piece in _items(opened, filled.block, extent) if piece is None]
    plan = _spaces_between([(fragment, _fragment_chain(opened, fragment, container)) for fragment in filled.runs])
    soup = opened.document
    marker = soup.new_string("")
    tops[0].insert_before(marker)
    built = _build(soup, plan, opened.slots)
    moved = {id(opened.slots[fragment.slot]) for fragment, _ in plan if fragment.standalone}
    built += [item.extract() for item in standalone if id(item) not in moved]
    for top in tops:
        if top.parent is container:
            top.extract()
    for node in reversed(built):
        marker.insert_after(node)
    marker.extract()
    return True


def _fragment_chain(opened: OpenedSource, fragment: Fragment, container: Any) -> list[Any]:
    return [] if fragment.slot == BASE else _chain(opened.slots[fragment.slot], container)


def _spaces_between(plan: list[tuple[Fragment, list[Any]]]) -> list[tuple[Fragment, list[Any]]]:
    """A stretch of whitespace between two stretches goes in the elements both of them are in (the
    space between a link's two words does not end the link)."""
    out = list(plan)
    for k in range(1, len(out) - 1):
        fragment, _ = out[k]
        if fragment.standalone or fragment.text.strip():
            continue
        before, after = out[k - 1][1], out[k + 1][1]
        common = 0
        while common < min(len(before), len(after)) and before[common] is after[common]:
            common += 1
        out[k] = (fragment, before[:common])
    return out


def _build(soup: Any, plan: Sequence[tuple[Fragment, list[Any]]], slots: Sequence[Any]) -> list[Any]:
    """The new top-level nodes: each fragment's text inside copies of its chain of elements,
    neighbours sharing the elements they share; a standalone fragment's item moved in."""
    roots: list[Any] = []
    stack: list[tuple[Any, Any]] = []  # (source element, its copy)
    copied: set[int] = set()
    for fragment, chain in plan:
        if not fragment.text and not fragment.standalone:
            continue
        common = 0
        while common < min(len(stack), len(chain)) and stack[common][0] is chain[common]:
            common += 1
        del stack[common:]
        for element in chain[common:]:
            copy = _shell(soup, element, first=id(element) not in copied)
            copied.add(id(element))
            (stack[-1][1].append(copy) if stack else roots.append(copy))
            stack.append((element, copy))
        node = slots[fragment.slot].extract() if fragment.standalone else soup.new_string(fragment.text)
        (stack[-1][1].append(node) if stack else roots.append(node))
    return roots


def _shell(soup: Any, element: Any, *, first: bool) -> Any:
    """An empty copy of ``element`` (its name and attributes; its ``id`` only on the first copy)."""
    attrs = {name: (list(value) if isinstance(value, list) else value) for name, value in element.attrs.items()}
    if not first:
        attrs.pop("id", None)
    return soup.new_tag(element.name, attrs=attrs)


# ---- titles, attributes, text nodes ----------------------------------------------------------------


def _set_attribute(opened: OpenedSource, block: Filled) -> None:
    """An attribute read as a block (``alt``, ``title``, ...) gets the block's new text (the
    serialiser escapes it)."""
    for piece in block.block.pieces:
        attribute = opened.slots[piece.slot]
        if isinstance(attribute, HtmlAttribute):
            attribute.element[attribute.name] = block.text


def _set_title(soup: Any, text: str) -> None:
    if soup.title is not None:
        soup.title.string = text


def _with_edges(old: str, new: str) -> str:
    """``new`` with ``old``'s leading and trailing whitespace where ``new`` has none (inline spacing)."""
    if not new:
        return " " if old[:1].isspace() or old[-1:].isspace() else ""
    lead = old[: len(old) - len(old.lstrip())] if not new[:1].isspace() else ""
    trail = old[len(old.rstrip()) :] if not new[-1:].isspace() else ""
    return lead + new + trail
