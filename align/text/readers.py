"""Source documents -> text: what segmentation reads, and where each part of it came from.

``read_text`` turns any supported input (plain text in any common encoding, Markdown, DOCX,
HTML, PDF) into one string whose paragraphs are separated by a blank line, which is what
segmentation keys on. Aligned documents (our exports) are read by ``align.formats``.

``read_blocks`` returns the same string with its *block map*: for each block of the source (a
Word paragraph or cell paragraph, a Markdown heading, list item or table row, an HTML element's
text) its span in the string and the pieces a writer can replace (Word runs, HTML text nodes,
Markdown table cells). ``open_source`` adds the parsed document the map points into, for the
writers of ``align.docout`` that put a translation back in the source's own structure. All three
build the text the same way, so a sentence's span from ``segment(read_text(path))`` is a span in
``read_blocks(path).text``.

Every failure a user can fix is an ``InputError`` naming the file.
"""

from __future__ import annotations

import bisect
import codecs
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from align.errors import InputError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
DOCX_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
#: Every suffix ``read_text`` accepts; the batch script picks input files by these.
SUPPORTED_TEXT_SUFFIXES = frozenset(TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES) - {""}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", None),  # only a bitmap if NUL bytes follow; checked by the NUL test
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office (.doc/.xls) file; save it as .docx"),
    (b"\x7fELF", "a program"),
    (b"MZ", None),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_WESTERN_MAX_NON_ASCII = 0.3


# ---- public API --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of a block's text that a writer replaces as one unit.

    ``start``/``end`` are offsets into :attr:`SourceText.text`. ``slot`` says which unit of the
    parsed source it is: a Word run (its position among the paragraph's runs, hyperlink runs
    included), an HTML text node (its position among all text nodes the reader walked), a
    Markdown table cell (its position in the row).
    """

    start: int
    end: int
    slot: int


@dataclass(frozen=True)
class Block:
    """One block of the source: a paragraph, heading, list item, table cell or row, title.

    ``start``/``end`` span its text in :attr:`SourceText.text`; blocks are separated by a blank
    line there, so every sentence of ``segment`` lies inside one block. ``kind`` names what it
    was (``paragraph``, ``heading``, ``list_item``, ``cell``, ``table_row``, ``quote``, ``code``,
    ``title``, or an HTML tag name such as ``p``, ``li``, ``td``, ``h2``), ``level`` a heading's
    level. Where the block sits in the source: ``slot`` (DOCX: the paragraph's position among
    the paragraphs with text the reader walked), ``lines`` (Markdown: first and last line, 0-based and
    inclusive, in the decoded file) and ``prefix`` (Markdown: the markup kept before the text,
    such as ``"## "``, ``"- "`` or ``"> "``). ``pieces`` are empty where the block is written
    as a whole (plain text, PDF, most Markdown).
    """

    start: int
    end: int
    kind: str = "paragraph"
    level: int = 0
    slot: int = -1
    lines: tuple[int, int] = (-1, -1)
    prefix: str = ""
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class SourceText:
    """The text segmentation reads (as ``read_text`` returns it) and its block map.

    ``kind`` is the source format: ``txt``, ``md``, ``html``, ``docx`` or ``pdf``.
    """

    text: str
    blocks: tuple[Block, ...]
    kind: str


@dataclass
class OpenedSource:
    """A source file parsed for writing: its :class:`SourceText` and what the blocks point into.

    ``document``: the python-docx ``Document`` (DOCX), the ``BeautifulSoup`` tree (HTML), the
    decoded text with ``\\n`` newlines (Markdown, plain text), None (PDF). ``slots``: DOCX, the element
    of each paragraph with text (its runs: ``docx_runs``); HTML, the text nodes and the
    ``HtmlAttribute``s read, in the reader's order. ``newline`` is the file's own line end (``\\r\\n`` or ``\\n``), for
    writers of text formats. Not frozen: the DOCX and HTML writers edit ``document`` in place.
    """

    path: Path
    source: SourceText
    document: Any = None
    slots: list[Any] = field(default_factory=list)
    newline: str = "\n"


def read_text(path: Path) -> str:
    """Return the text of ``path`` with paragraphs separated by one blank line.

    The format comes from the content where it is unambiguous (PDF and ZIP signatures) and from
    the extension otherwise. Newlines become ``\\n`` and the text is NFC-normalised (so a
    decomposed "u + combining diaeresis" from macOS matches a typed "ü"). Raises ``InputError``
    for a missing file, a folder, an empty or whitespace-only file, a binary file, an unknown
    encoding, or a corrupt DOCX/PDF.
    """
    return read_blocks(path).text


def read_blocks(path: Path) -> SourceText:
    """``read_text``'s text with the block map that ties it back to the source's structure."""
    return open_source(path).source


def source_kind(path: Path, data: bytes | None = None) -> str:
    """``pdf``, ``docx``, ``html``, ``md`` or ``txt``: by content where it is unambiguous, else by suffix."""
    path = Path(path)
    data = data or b""
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF-") or suffix in PDF_SUFFIXES:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or suffix in DOCX_SUFFIXES:
        return "docx"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "md"
    return "txt"


def open_source(path: Path) -> OpenedSource:
    """Read and parse ``path``: the text ``read_text`` returns, its block map and the parsed source.

    Raises ``InputError`` as ``read_text`` does.
    """
    path = Path(path)
    data = read_bytes(path)
    kind = source_kind(path, data)
    newline = "\r\n" if b"\r\n" in data[:65536] else "\n"
    opened = OpenedSource(path=path, source=SourceText("", (), kind), newline=newline)
    drafts: list[_Draft] | None = None
    if kind == "pdf":
        text = _pdf_text(path, data)
    elif kind == "docx":
        opened.document, opened.slots, drafts = _docx_source(path, data)
    elif kind == "html":
        opened.document, opened.slots, drafts = _html_source(path, data)
    elif kind == "md":
        opened.document = decode_text(path, data)
        drafts = _markdown_drafts(opened.document, opened.slots)
    else:
        opened.document = decode_text(path, data)
        text = _plain_text(opened.document)
    if drafts is not None:
        text, blocks = _assemble(drafts)
    else:
        text = unicodedata.normalize("NFC", text)
        blocks = _paragraph_blocks(text)
    normal = unicodedata.normalize("NFC", text)
    if normal != text:  # cannot happen: each block is normalised on its own; kept as a guard
        log.warning("%s: the text changed under whole-text normalisation; block offsets are approximate", path)
        text = normal
    if not text.strip():
        raise InputError(f"{path}: no text found in the file")
    opened.source = SourceText(text, blocks, kind)
    return opened


# ---- block maps ----------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A block before the blocks are joined: its text, and its pieces' spans in that text."""

    text: str
    kind: str = "paragraph"
    level: int = 0
    slot: int = -1
    lines: tuple[int, int] = (-1, -1)
    prefix: str = ""
    pieces: list[tuple[int, int, int]] = field(default_factory=list)  # (slot, start, end) in ``text``


def _assemble(drafts: Sequence[_Draft]) -> tuple[str, tuple[Block, ...]]:
    """Join the drafts' texts with a blank line (each NFC-normalised, piece spans moved with it).

    A draft with an empty text still takes its place in the join, as the readers always did, but
    makes no block.
    """
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for draft in drafts:
        text, spans = _nfc([(s, e) for _, s, e in draft.pieces], draft.text)
        if parts:
            offset += 2
        parts.append(text)
        if text:
            pieces = tuple(
                Piece(offset + s, offset + e, slot) for (slot, _, _), (s, e) in zip(draft.pieces, spans, strict=True) if e > s
            )
            blocks.append(
                Block(offset, offset + len(text), draft.kind, draft.level, draft.slot, draft.lines, draft.prefix, pieces)
            )
        offset += len(text)
    return "\n\n".join(parts) + "\n", tuple(blocks)


def _paragraph_blocks(text: str) -> tuple[Block, ...]:
    """Plain text and PDF: a block per paragraph as segmentation sees it (blank-line separated)."""
    from align.text.segment import split_paragraphs

    return tuple(Block(start, end) for start, end in split_paragraphs(text))


def _nfc(spans: Sequence[tuple[int, int]], text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFC-normalise ``text`` and move ``spans`` with it (a composed pair counts where it starts)."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(spans)
    normal = unicodedata.normalize("NFC", text)
    # NFC never reaches across a character below U+0080 (no composition ends in one, and the
    # reordering of combining marks stops at it), so the length of a normalised prefix is that of
    # the stretches before it plus the normalised part of its own stretch (one word at most): linear
    # in the text, where normalising every span's whole prefix was quadratic (a paragraph of
    # thousands of runs or HTML text nodes took minutes).
    cuts = [0, *(k for k in range(1, len(text)) if text[k] < "\x80")]
    before = [0]
    for start, end in zip(cuts, [*cuts[1:], len(text)], strict=True):
        before.append(before[-1] + len(unicodedata.normalize("NFC", text[start:end])))

    def moved(position: int) -> int:
        k = bisect.bisect_right(cuts, position) - 1
        return min(before[k] + len(unicodedata.normalize("NFC", text[cuts[k] : position])), len(normal))

    return normal, [(moved(s), moved(e)) for s, e in spans]


def _squeeze(raw: str, pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """``pattern.sub(" ", raw).strip()``, with the offset in ``raw`` of every character it keeps."""
    out: list[str] = []
    origin: list[int] = []
    position = 0
    for match in pattern.finditer(raw):
        out.append(raw[position : match.start()])
        origin.extend(range(position, match.start()))
        out.append(" ")
        origin.append(match.start())
        position = match.end()
    out.append(raw[position:])
    origin.extend(range(position, len(raw)))
    text = "".join(out)
    low = len(text) - len(text.lstrip())
    high = len(text.rstrip())
    if high <= low:
        return "", []
    return text[low:high], origin[low:high]


def _spans_of(origin: Sequence[int], bounds: Sequence[int]) -> list[tuple[int, int]]:
    """Where each raw piece ``[bounds[k], bounds[k + 1])`` landed in the squeezed text."""
    return [(bisect.bisect_left(origin, bounds[k]), bisect.bisect_left(origin, bounds[k + 1])) for k in range(len(bounds) - 1)]


def _squeezed_draft(texts: Sequence[str], slots: Sequence[int], pattern: re.Pattern[str], **where: Any) -> _Draft:
    """A draft from raw pieces (``texts``, each with its slot; -1: not writable) squeezed by ``pattern``."""
    bounds = [0]
    for text in texts:
        bounds.append(bounds[-1] + len(text))
    squeezed, origin = _squeeze("".join(texts), pattern)
    pieces = [(slot, s, e) for slot, (s, e) in zip(slots, _spans_of(origin, bounds), strict=True) if slot >= 0 and e > s]
    return _Draft(squeezed, pieces=pieces, **where)


def decode_text(path: Path, data: bytes, *, newlines: bool = True) -> str:
    """Decode the bytes of a text file, detecting the encoding; newlines become ``\\n`` if ``newlines``.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; then strict UTF-8; then Windows-1252
    when the result looks like Western text (letters beyond ASCII are a minority, as in German,
    French or English; Latin-1 is a subset for printable text); otherwise charset-normalizer's
    best guess. Binary content (NUL bytes, control characters, known file signatures) is refused.
    """
    fix = _newlines if newlines else (lambda text: text)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return fix(data.decode(encoding))
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{path}: starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {err.start}); re-save it as UTF-8"
                ) from err
    _refuse_binary(path, data)
    try:
        return fix(_check_controls(path, data.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    encoding, text = _guess_legacy(path, data)
    log.info("%s: decoded as %s", path, encoding)
    return fix(_check_controls(path, text))


def _guess_legacy(path: Path, data: bytes) -> tuple[str, str]:
    """``(encoding, text)`` of bytes that are not UTF-8: Windows-1252 for Western text, else
    charset-normalizer's best guess; ``InputError`` when there is none."""
    western = _try_western(data)
    if western is not None:
        return "cp1252", western
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{path}: unknown text encoding; re-save the file as UTF-8")
    return best.encoding, str(best)


# ---- plain text and Markdown -------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    """An exception's message on one line (parsers' messages may hold line breaks)."""
    return " ".join(str(err).split())


def read_bytes(path: Path) -> bytes:
    """The bytes of a non-empty file; ``InputError`` (naming it) for anything else."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read the file ({err.strerror or err})") from err
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    return data


def _refuse_binary(path: Path, data: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if what and data.startswith(magic):
            raise InputError(f"{path}: is {what}, not a text file")
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: is a binary file (contains NUL bytes), not text; UTF-16 text needs a byte-order mark")


def _check_controls(path: Path, text: str) -> str:
    found = _CONTROL.findall(text[:65536])
    if len(found) > max(2, len(text[:65536]) // 1000):
        raise InputError(f"{path}: looks like a binary file (control characters), not text")
    return text


def _try_western(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    letters = [c for c in text if c.isalpha()]
    non_ascii = sum(1 for c in letters if ord(c) > 127)
    if not letters or non_ascii / len(letters) > _WESTERN_MAX_NON_ASCII:
        return None
    return text


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain_text(text: str) -> str:
    """Plain text stays as it is apart from trailing spaces on lines and at the ends."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


# The Markdown patterns take time linear in the line, whatever it holds: adjacent repeats that
# could trade characters are possessive (``*+``), and a span cannot hold the character that ends
# it. (Lazy spans such as ``\[([^\]]*)\]`` or ``(.+?)\1`` rescanned the rest of the line from
# every ``[`` or ``_``: a 60 kB line of ``_a `` took over a minute.)
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")  # the closing #s: _md_heading_text
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_LIST = re.compile(r"^\s*+(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*+\1){2,}+\s*+$")
#: A table's alignment row: cells of dashes, maybe with colons, and a pipe (GitHub: one dash will do).
_MD_TABLE_RULE = re.compile(r"^(?=[^|]*+\|)\s*+\|?\s*+:?-++:?\s*+(?:\|\s*+:?-++:?\s*+)*+\|?\s*+$")
_MD_URL = r"\((?:[^()]|\([^()]*\))*+\)"  # "(url)", one level of parentheses inside
_MD_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
#: Inline markup, leftmost first (at one place: a code span in one or two backticks, an image, a
#: link, then emphasis). An underscore only delimits emphasis at a word's edge (``snake_case_name``
#: is text, as in CommonMark).
_MD_INLINE = re.compile(
    r"``(?P<code2>(?:[^`]|`(?!`))++)``(?!`)|(?<!`)`(?P<code>[^`]++)`(?!`)"
    r"|!\[(?P<image>[^\[\]]*)\](?P<image_to>" + _MD_URL + r")"
    r"|\[(?P<link>[^\[\]]+)\](?P<link_to>" + _MD_URL + r"|\[[^\[\]]*\])"
    r"|\*\*(?=\S)(?P<strong>(?:[^*]|\*(?!\*))+?)(?<=\S)\*\*"
    r"|(?<!\w)__(?=\S)(?P<strong_u>(?:[^_]|_(?!_))+?)(?<=\S)__(?!\w)"
    r"|~~(?=\S)(?P<strike>(?:[^~]|~(?!~))+?)(?<=\S)~~"
    r"|\*(?=\S)(?P<em>[^*]+?)(?<=\S)\*"
    r"|(?<!\w)_(?=\S)(?P<em_u>[^_]+?)(?<=\S)_(?!\w)"
)
_MD_DELIMITERS = {"strong": "**", "strong_u": "__", "strike": "~~", "em": "*", "em_u": "_"}
#: How deep inline markup nests before the rest is read as text (``***[a](b)***`` is 3 deep).
MD_NESTING = 4
_MD_CELL_BAR = re.compile(r"(?<!\\)\|")  # a table's cell boundary: a pipe not escaped


@dataclass(frozen=True)
class MdMark:
    """Inline Markdown markup around a stretch of text: emphasis (``**``, ``_``, ``~~``...), a link
    (``[``...``](url)`` or ``][ref]``), an image (``![``...``](url)``: its text is the alternative
    text) or a code span (``opening``: the span as written; a writer writes it as it was, never
    translated). ``serial`` tells marks apart: equal marks are the same markup of the file."""

    kind: str
    opening: str
    closing: str
    serial: int


@dataclass(frozen=True)
class MdSpan:
    """A stretch of a Markdown block's text with the marks around it, outermost first: what a
    Markdown block's piece's slot points to. ``group`` numbers the block it is in: a block's spans
    are consecutive slots, empty ones included (an image without alternative text)."""

    group: int
    marks: tuple[MdMark, ...]
    text: str


def _md_spans(text: str, serials: Iterator[int], marks: tuple[MdMark, ...] = ()) -> list[tuple[tuple[MdMark, ...], str]]:
    """``text`` cut into stretches of plain text, each with the inline marks around it."""
    out: list[tuple[tuple[MdMark, ...], str]] = []
    position = 0
    for match in _MD_INLINE.finditer(text):
        if match.start() > position:
            out.append((marks, text[position : match.start()]))
        position = match.end()
        kind = next(name for name in ("code2", "code", "image", "link", *_MD_DELIMITERS) if match.group(name) is not None)
        inner = match.group(kind)
        if kind.startswith("code"):
            mark = MdMark("code", match.group(0), "", next(serials))
        elif kind == "image":
            mark = MdMark("image", "![", "]" + match.group("image_to"), next(serials))
        elif kind == "link":
            mark = MdMark("link", "[", "]" + match.group("link_to"), next(serials))
        else:
            mark = MdMark("emphasis", _MD_DELIMITERS[kind], _MD_DELIMITERS[kind], next(serials))
        if mark.kind in ("code", "image") or len(marks) + 1 >= MD_NESTING:
            out.append(((*marks, mark), inner))
        else:
            out.extend(_md_spans(inner, serials, (*marks, mark)) or [((*marks, mark), "")])
    if position < len(text):
        out.append((marks, text[position:]))
    return out


def _md_inline_draft(text: str, group: int, spans: list[MdSpan] | None, serials: Iterator[int], **where: Any) -> _Draft:
    """A Markdown block's draft: ``text`` without its inline markup, whitespace squeezed; with
    ``spans`` (the slots), a piece per stretch of text, each stretch added to ``spans``."""
    stretches = _md_spans(text, serials)
    if spans is None:
        return _squeezed_draft([t for _, t in stretches], [-1] * len(stretches), _WHITESPACE, **where)
    first = len(spans)
    spans.extend(MdSpan(group, marks, part) for marks, part in stretches)
    return _squeezed_draft([t for _, t in stretches], range(first, len(spans)), _WHITESPACE, **where)


def _markdown_text(text: str) -> str:
    """Light Markdown stripping (see ``_markdown_drafts``): the blocks' texts, a blank line between."""
    return "\n\n".join(draft.text for draft in _markdown_drafts(text)) + "\n"


def _markdown_drafts(text: str, spans: list[MdSpan] | None = None) -> list[_Draft]:
    """Light Markdown stripping: text kept, markup dropped, paragraphs kept, each with its lines.

    Headings, list items, table rows and block quotes become paragraphs of their own; soft line
    breaks inside a paragraph become spaces (Markdown's own rule); emphasis, inline code, link
    and image syntax are reduced to their text; code blocks are kept as text, one paragraph each;
    horizontal rules and link definitions are dropped. Each draft records the lines of ``text``
    it came from and the block markup before its text (``prefix``), so a writer can replace the
    text and keep the markup; each cell of a table row is a block of its own (``cell``, its slot
    the cell's position in the row, see ``md_table_cells``). With ``spans``, each draft's pieces
    are its stretches of text with their inline markup (``MdSpan``, appended to ``spans``; a
    piece's slot is its index there).
    """
    stripped, line_spans = _strip_md_comments(text)
    drafts: list[_Draft] = []
    current: list[str] = []
    numbers: list[int] = []  # the lines (of ``stripped``) that went into ``current``
    shape: dict[str, Any] = {}  # kind, level, prefix, slot of the block being gathered
    tables = _md_table_lines([_MD_QUOTE.sub("", line) for line in stripped.split("\n")])
    in_fence = False
    serials = itertools.count()

    def add(line: str, number: int, **kind: Any) -> None:
        if not current:
            shape.clear()
            shape.update(kind)
        current.append(line)
        numbers.append(number)

    def flush(**override: Any) -> None:
        if current:
            joined = " ".join(part.strip() for part in current if part.strip())
            if joined:
                shape.update(override)
                where = {
                    "kind": "code" if in_fence else shape.get("kind", "paragraph"),
                    "level": shape.get("level", 0),
                    "slot": shape.get("slot", -1),
                    "lines": (line_spans[numbers[0]][0], line_spans[numbers[-1]][1]),
                    "prefix": shape.get("prefix", ""),
                }
                if in_fence:
                    drafts.append(_Draft(joined, **where))
                else:
                    drafts.append(_md_inline_draft(joined, len(drafts), spans, serials, **where))
            current.clear()
            numbers.clear()

    for number, line in enumerate(stripped.split("\n")):
        if _MD_FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            add(line, number)
            continue
        if not line.strip() or _MD_RULE.match(line) or _MD_LINK_DEF.match(line) or _MD_TABLE_RULE.match(line):
            flush()
            continue
        if (setext := _MD_SETEXT.match(line)) and current:
            flush(kind="heading", level=1 if setext.group(1).startswith("=") else 2)
            continue
        quoted = _MD_QUOTE.sub("", line)
        quote = line[: len(line) - len(quoted)]
        line = quoted
        heading = _MD_HEADING.match(line)
        item = _MD_LIST.match(line)
        if matched := heading or item:
            flush()
            level = len(line.lstrip().split(None, 1)[0]) if heading else 0
            kind = "heading" if heading else "list_item"
            inner = _md_heading_text(matched.group(1)) if heading else matched.group(1)
            add(inner, number, kind=kind, level=level, prefix=quote + line[: matched.start(1)])
            flush()
        elif number in tables:
            flush()
            for slot, (start, end) in enumerate(md_table_cells(line)):
                add(line[start:end].replace("\\|", "|"), number, kind="cell", prefix=quote, slot=slot)
                flush()
        else:
            add(line, number, kind="quote" if quote else "paragraph", prefix=quote + line[: len(line) - len(line.lstrip())])
    flush()
    return drafts


def _strip_md_comments(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without HTML comments, and for each of its lines the lines of ``text`` it spans.

    A comment over several lines joins the text before and after it into one line, which then
    spans all of them (first and last, inclusive).
    """
    kept: list[str] = []
    breaks: list[int] = []  # for each newline kept, the line of ``text`` it ends
    position = 0
    line = 0
    for comment in (*_md_comments(text), None):
        end = comment[0] if comment else len(text)
        breaks.extend(range(line, line + text.count("\n", position, end)))
        line += text.count("\n", position, end)
        kept.append(text[position:end])
        if comment:
            line += text.count("\n", *comment)
            position = comment[1]
    stripped = "".join(kept)
    starts = [0, *(b + 1 for b in breaks)]
    ends = [*breaks, line]
    return stripped, list(zip(starts, ends, strict=True))


def _md_comments(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``text``'s HTML comments, ``<!--`` to the next ``-->`` (``str.find``: a lazy
    regex rescanned the rest of the text from every ``<!--`` that is never closed)."""
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            return
        position = end + 3
        yield start, position


def _md_heading_text(text: str) -> str:
    """A heading's text without its closing ``#`` sequence (only one set off by a space, as in
    CommonMark: "C#" keeps its "#")."""
    text = text.rstrip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1].isspace()) else text


def _md_table_lines(lines: Sequence[str]) -> set[int]:
    """The numbers of the lines that are table rows (GitHub's tables): a line that opens with ``|``,
    and a header row with pipes but without the opening one (its next line the alignment row, with
    a pipe) and the rows with a pipe that follow it up to the next line without one."""
    rows = {number for number, line in enumerate(lines) if line.lstrip().startswith("|")}
    for number, line in enumerate(lines[1:], start=1):
        if _MD_TABLE_RULE.match(line) and _MD_CELL_BAR.search(lines[number - 1]):
            rows.add(number - 1)
            following = number + 1
            while following < len(lines) and _MD_CELL_BAR.search(lines[following]) and lines[following].strip():
                rows.add(following)
                following += 1
    return rows


def md_table_cells(row: str) -> list[tuple[int, int]]:
    """The spans in ``row`` (a table row's line, any quote marks removed) of its cells' raw text:
    between its pipes, the opening and closing pipe not counted; ``\\|`` is no pipe (it stands for
    ``|`` in a cell's text). The Markdown reader and writer split rows with it alone."""
    bars = [match.start() for match in _MD_CELL_BAR.finditer(row)]
    low, high = len(row) - len(row.lstrip()), len(row.rstrip())
    if bars and bars[0] == low:
        low, bars = low + 1, bars[1:]
    if bars and bars[-1] == high - 1:
        high, bars = high - 1, bars[:-1]
    return list(zip([low, *(bar + 1 for bar in bars)], [*bars, high], strict=True))


# ---- DOCX ----------------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ONE_LINE = re.compile(r"[ \t\u00a0]*[\n\r\v\t][ \t\u00a0]*")


_P = f"{_W}p"
_R = f"{_W}r"
_TBL = f"{_W}tbl"
_TXBX = f"{_W}txbxContent"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
#: Parts with text besides the body, in the order their paragraphs follow the body's (content type suffix).
DOCX_TEXT_PARTS = ("header", "footer", "footnotes", "endnotes")
_CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
#: Where the body's paragraphs are: tables (rows, cells), block content controls, custom XML.
_BLOCK_CONTAINERS = frozenset(
    f"{_W}{tag}" for tag in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml", "footnote", "endnote", "txbxContent")
)
#: Where a paragraph's runs are: hyperlinks, tracked insertions and moves, content controls, simple
#: fields, smart tags, custom XML, bidirectional embeddings. Deleted runs (w:del, w:moveFrom) are not text.
_RUN_CONTAINERS = frozenset(
    f"{_W}{tag}"
    for tag in ("hyperlink", "ins", "moveTo", "sdt", "sdtContent", "fldSimple", "smartTag", "customXml", "dir", "bdo")
)


def _docx_source(path: Path, data: bytes) -> tuple[Any, list[Any], list[_Draft]]:
    """One paragraph per Word paragraph (and per table cell paragraph), in document order.

    Returns the python-docx document, the element of each paragraph with text, and a draft per
    such paragraph, whose pieces are its runs (their positions in ``docx_runs``). The ZIP is
    checked against ``OFFICE_LIMITS`` before anything is inflated (a zip bomb is an ``InputError``,
    not gigabytes of memory); the XML parser python-docx configures neither fetches external
    entities nor expands nested ones past libxml2's limits (a "billion laughs" is a parse error).
    """
    import io
    import zipfile

    from align.archive import OFFICE_LIMITS, check_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, path, OFFICE_LIMITS)
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise InputError(f"{path}: is not a valid .docx file (the ZIP container is damaged)") from err
    if "word/document.xml" not in names:
        raise InputError(f"{path}: is a ZIP archive but not a Word .docx document")

    import docx

    _load_notes_as_xml()
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors, PackageNotFoundError
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({_one_line(err)})") from err
    _inline_xml_nodes(path, document)

    slots: list[Any] = []
    drafts: list[_Draft] = []
    try:
        style_names = {style.style_id: style.name or "" for style in document.styles}
    except Exception:  # a damaged styles part; the kinds are informational only
        style_names = {}
    for paragraph, in_table in docx_paragraphs(document):
        runs = docx_runs(paragraph)
        texts = [docx_run_text(run) for run in runs]
        if "".join(texts).strip():
            slots.append(paragraph)  # only these: a document of many small paragraphs holds no more than it must
            kind, level = _docx_kind(style_names, paragraph, in_table)
            drafts.append(_squeezed_draft(texts, range(len(runs)), _ONE_LINE, kind=kind, level=level, slot=len(slots) - 1))
    return document, slots, drafts


def _inline_xml_nodes(path: Path, document: Any) -> None:
    """Entity references, comments and processing instructions in the document's XML -> plain text.

    Word never writes them (it refuses a DTD), other programs and attackers do. python-docx parses
    with ``resolve_entities=False``: a reference stays a node and the text after it is that node's
    tail, so a ``w:t``'s text stopped at it (the rest of the run was lost), and python-docx saved
    the reference without its declaration (a document nothing opens). An internal entity whose
    value is plain text becomes that text; any other (external, nested, undeclared) is left out
    with a warning, its value never fetched. A comment or processing instruction is left out and
    the text after it kept. Every XML part is done, since python-docx saves them all.
    """
    from lxml import etree

    unresolved: set[str] = set()
    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        values = _entity_values(root)
        for node in list(root.iter(etree.Entity, etree.Comment, etree.ProcessingInstruction)):
            text = ""
            if isinstance(node, etree._Entity):
                text = values.get(node.name, "")
                if node.name not in values:
                    unresolved.add(node.name)
            _replace_with_text(node, text)
    if unresolved:
        names = ", ".join(f"&{name};" for name in sorted(unresolved))
        log.warning("%s: XML entities without a plain-text value in the file (%s) are left out", path, names)


def _entity_values(root: Any) -> dict[str, str]:
    """The internal entities declared in the DTD of ``root``'s document whose value is plain text."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return {}
    return {
        entity.name: entity.content
        for entity in dtd.iterentities()
        if entity.content is not None and entity.system_url is None and not set(entity.content) & set("&<%")
    }


def _replace_with_text(node: Any, text: str) -> None:
    """Remove ``node`` from its element, ``text`` and the node's tail (the text after it) kept in its place."""
    parent = node.getparent()
    if parent is None:
        return
    kept = text + (node.tail or "")
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + kept
    else:
        parent.text = (parent.text or "") + kept
    parent.remove(node)


def _load_notes_as_xml() -> None:
    """Have python-docx load footnotes and endnotes as XML parts (it keeps them as bytes), so their
    paragraphs can be read and written like a header's; its safe parser reads them. Idempotent."""
    from docx.opc.part import PartFactory, XmlPart

    for name in ("footnotes", "endnotes"):
        PartFactory.part_type_for.setdefault(f"{_CT_WML}{name}+xml", XmlPart)


def docx_roots(document: Any) -> list[Any]:
    """The XML roots with text, in reading order: the body, then headers, footers, footnotes and
    endnotes (each kind by part number: header1, header2, ..., header10), each part once whatever
    number of sections refer to it. A main part without a body (a damaged file) adds none."""
    roots = []
    body = document.element.find(f"{_W}body")
    if body is not None:
        roots.append(body)
    parts = []
    for part in document.part.package.iter_parts():
        kind = str(getattr(part, "content_type", "")).removeprefix(_CT_WML).removesuffix("+xml")
        element = getattr(part, "element", None)
        if kind in DOCX_TEXT_PARTS and element is not None:
            number = re.findall(r"\d+", str(part.partname))
            parts.append((DOCX_TEXT_PARTS.index(kind), int(number[-1]) if number else 0, str(part.partname), element))
    return roots + [element for *_, element in sorted(parts, key=lambda item: item[:3])]


def docx_paragraphs(document: Any) -> Iterator[tuple[Any, bool]]:
    """The paragraph elements of a Word document in reading order, each with "in a table".

    The body, then the other parts (``docx_roots``). Walks the XML as stored: tables row by row and
    cell by cell (a merged cell is one ``w:tc``; the cells that continue a vertical merge below it
    are empty ones of their own), content controls (``w:sdt``), custom XML, footnotes and endnotes
    entered; a text box's paragraphs (``w:txbxContent``, nested ones too) follow the paragraph that
    anchors it. A text box inside ``mc:Fallback`` is the same text as its ``mc:Choice`` for older
    programs: not read (the writer copies the translated choice into it). python-docx's table model
    gave a vertically merged cell again in every row it spans, and raised on (or skipped) cells with
    malformed spans.
    """
    for root in docx_roots(document):
        stack: list[tuple[Iterator[Any], bool]] = [(root.iterchildren(), False)]
        while stack:
            children, in_table = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
            elif child.tag == _P:
                yield child, in_table
                boxes = docx_text_boxes(child)
                if boxes:
                    stack.append((itertools.chain.from_iterable(box.iterchildren() for box in boxes), False))
            elif child.tag in _BLOCK_CONTAINERS:
                stack.append((child.iterchildren(), in_table or child.tag == _TBL))


def docx_text_boxes(paragraph: Any) -> list[Any]:
    """The text boxes (``w:txbxContent``) anchored in ``paragraph``'s own runs, not in a nested
    text box's paragraph and not in an ``mc:Fallback``."""
    boxes = []
    for box in paragraph.iter(_TXBX):
        node = box.getparent()
        while node is not None and node is not paragraph and node.tag not in (_P, _FALLBACK):
            node = node.getparent()
        if node is paragraph:
            boxes.append(box)
    return boxes


def docx_runs(paragraph: Any) -> list[Any]:
    """A paragraph element's runs in order: its own and those inside ``_RUN_CONTAINERS``.

    python-docx's ``Paragraph.text`` has only those of hyperlinks: the text of tracked insertions,
    inline content controls, simple fields (a page number) and smart tags was lost.
    """
    runs: list[Any] = []
    stack: list[Iterator[Any]] = [paragraph.iterchildren()]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == _R:
            runs.append(child)
        elif child.tag in _RUN_CONTAINERS:
            stack.append(child.iterchildren())
    return runs


def docx_run_text(run: Any) -> str:
    """A run's text as python-docx's ``CT_R.text`` gives it (text, tabs, line breaks, non-breaking
    hyphens; a page break is no text), without its per-run XPath query (most of the time of
    reading a document of many small runs)."""
    return "".join(str(child) for child in run if child.tag in _RUN_TEXT_TAGS)


_RUN_TEXT_TAGS = frozenset(f"{_W}{tag}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen", "ptab"))


def _docx_kind(names: dict[str, str], paragraph: Any, in_table: bool) -> tuple[str, int]:
    """``heading`` (with its level; a Title is level 0), ``list_item``, ``cell`` or ``paragraph``.

    ``names`` maps style ids to style names (``Heading1`` -> ``Heading 1``).
    """
    name = names.get(paragraph.style or "", "")
    if name == "Title":
        return "heading", 0
    if heading := re.fullmatch(r"Heading (\d)", name):
        return "heading", int(heading.group(1))
    if name.startswith("List") or paragraph.find(f"{_W}pPr/{_W}numPr") is not None:
        return "list_item", 0
    return ("cell" if in_table else "paragraph"), 0


# ---- HTML ----------------------------------------------------------------------------------------

#: Elements whose text is a block of its own (the writers find a block's element by them).
HTML_BLOCKS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul body html title option legend".split()
)
#: Elements whose content is not text (kept as they are; inside a sentence, a standalone code).
HTML_DROP = frozenset(("script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"))


_WHITESPACE = re.compile(r"\s+")
#: Python codecs that are no web page's charset: a page that names one is read as if it named none.
#: BeautifulSoup re-links a misnested element by walking the open elements down and up, so its time
#: grows with (elements x nesting depth): a 232 KB page of unclosed tables and stray end tags took
#: 20 s, a 3.4 MB one hours. Real pages nest a few dozen deep (browsers flatten beyond 512); a page
#: nested deeper than ``HTML_DEEP`` whose product passes ``HTML_NESTING_WORK`` is refused instead.
HTML_DEEP = 1_000
HTML_NESTING_WORK = 50_000_000


class _NestingDepth:
    """An lxml parser target that only counts: the deepest nesting and the number of elements,
    from the same parser events BeautifulSoup builds its tree from (a C-speed pass)."""

    def __init__(self) -> None:
        self.depth = self.deepest = self.elements = 0

    def start(self, tag: str, attrib: Any) -> None:
        self.depth += 1
        self.elements += 1
        self.deepest = max(self.deepest, self.depth)

    def end(self, tag: str) -> None:
        self.depth -= 1

    def data(self, text: str) -> None:
        pass

    def comment(self, text: str) -> None:
        pass

    def close(self) -> tuple[int, int]:
        return self.deepest, self.elements


def _check_html_nesting(path: Path, markup: str) -> None:
    """Refuse a page whose nesting would make parsing take minutes (``HTML_NESTING_WORK``)."""
    from lxml import etree

    parser = etree.HTMLParser(target=_NestingDepth())
    try:
        parser.feed(markup)
        deepest, elements = parser.close()
    except etree.LxmlError:
        return  # the real parse reports what is wrong
    if deepest > HTML_DEEP and deepest * elements > HTML_NESTING_WORK:
        raise InputError(
            f"{path}: the HTML nests {deepest:,} elements deep ({elements:,} elements; real pages nest a few dozen "
            "deep); it looks broken or hostile and is refused: open and re-save it in a browser or editor"
        )


_PYTHON_ONLY_CODECS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"})
#: Attributes whose value a reader sees as text, on any element: a tooltip, an accessible name.
_HTML_TEXT_ATTRIBUTES = ("title", "aria-label")
#: Attributes that are text only on some elements: an image's alternative text, a field's hint,
#: a button's caption (``value`` of other inputs is data: a hidden field, a default entry).
_HTML_ELEMENT_ATTRIBUTES = {
    "img": ("alt",),
    "area": ("alt",),
    "input": ("alt", "placeholder", "value"),
    "textarea": ("placeholder",),
}
_HTML_BUTTON_INPUTS = frozenset({"button", "submit", "reset"})


@dataclass(frozen=True)
class HtmlAttribute:
    """An attribute of an HTML element that the reader read as a block of its own (``alt``,
    ``title``, ...): where a writer puts its translation."""

    element: Any
    name: str


def _html_text_attributes(tag: Any) -> list[str]:
    """The names of ``tag``'s attributes that hold text for a reader, in a fixed order."""
    names = [*_HTML_TEXT_ATTRIBUTES, *_HTML_ELEMENT_ATTRIBUTES.get(tag.name, ())]
    if tag.name == "input":
        kind = str(tag.get("type") or "text").strip().lower()
        names = [n for n in names if (n != "value" or kind in _HTML_BUTTON_INPUTS) and (n != "alt" or kind == "image")]
    return [name for name in names if isinstance(tag.get(name), str) and tag[name].strip()]


def _html_source(path: Path, data: bytes) -> tuple[Any, list[Any], list[_Draft]]:
    """Text of an HTML page: paragraphs, headings, list items and cells become paragraphs.

    Scripts, styles, the head (except the title) and comments are left out; ``<br>`` is a space.
    Text-bearing attributes (``title`` and ``aria-label`` of any element, ``alt`` of images,
    ``placeholder`` of fields, ``value`` of buttons) are blocks of their own (kind ``@`` + the
    attribute's name, its one piece an ``HtmlAttribute`` among the slots), after the block that
    holds their element. The encoding: see ``_html_markup``.

    Returns the parsed tree (untouched: a writer serialises it whole), the slots (the text nodes,
    comments and inline elements walked, and the ``HtmlAttribute``s, in document order) and a
    draft per paragraph whose pieces are its text nodes; a draft's kind is the innermost block
    element around its text (``p``, ``h1``, ``li``, ``td``, ...), ``title`` for the page's title.
    Elements nest to any depth (the walk keeps its own stack: a page of thousands of nested
    ``<span>`` is not a RecursionError).
    """
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse_binary(path, data)
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    markup = _html_markup(path, data)
    _check_html_nesting(path, markup)
    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as err:  # lxml parser errors on badly broken input
        raise InputError(f"{path}: the HTML cannot be parsed ({_one_line(err)})") from err
    title = soup.title.get_text(" ", strip=True) if soup.title else ""

    nodes: list[Any] = []
    drafts: list[_Draft] = []
    current: list[tuple[str, int]] = []  # (text, its node's slot; -1 for a <br>)
    attributes: list[HtmlAttribute] = []  # read after the block they are in

    def flush(kind: str) -> None:
        draft = _squeezed_draft([t for t, _ in current], [slot for _, slot in current], _WHITESPACE, kind=kind)
        if draft.text:
            drafts.append(draft)
        current.clear()
        for attribute in attributes:
            value = str(attribute.element[attribute.name])
            drafts.append(_squeezed_draft([value], [len(nodes)], _WHITESPACE, kind="@" + attribute.name))
            nodes.append(attribute)
        attributes.clear()

    def read_attributes(tag: Any) -> None:
        attributes.extend(HtmlAttribute(tag, name) for name in _html_text_attributes(tag))

    # Each open element: its children still to walk, the block kind around them, and the kind to
    # flush with when it closes (a block element's own name; None for inline elements).
    stack: list[tuple[Iterator[Any], str, str | None]] = [(iter(soup.children), "document", None)]
    while stack:
        children, kind, closes = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if closes is not None:
                flush(closes)
        elif isinstance(child, (Doctype, Declaration, ProcessingInstruction)):
            continue
        elif isinstance(child, Comment):
            nodes.append(child)
        elif isinstance(child, NavigableString):
            current.append((str(child), len(nodes)))
            nodes.append(child)
        elif isinstance(child, Tag) and child.name in HTML_BLOCKS:
            flush(kind)
            read_attributes(child)
            stack.append((iter(child.children), child.name, child.name))
        elif isinstance(child, Tag):
            nodes.append(child)
            if child.name == "br":
                current.append((" ", -1))
            elif child.name not in HTML_DROP:
                read_attributes(child)
                stack.append((iter(child.children), kind, None))
    flush("document")
    if title and (not drafts or drafts[0].text != title):
        drafts.insert(0, _Draft(title, kind="title"))
    return soup, nodes, drafts


def _html_markup(path: Path, data: bytes) -> str:
    """The page's characters: its bytes decoded by what they are, not only by what the page declares.

    A byte-order mark decides. Bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the page
    declares: an editor that re-saved a page as UTF-8 often kept its ``<meta charset="iso-8859-1">``
    and a browser then shows "PrÃ¼fung", but a translator needs the text (text in a legacy encoding
    is practically never valid UTF-8). Other bytes are in the declared encoding if they decode in
    it, else in the encoding ``decode_text`` would guess. A declaration that the bytes contradict is
    a warning naming the encoding used. As in browsers, ``iso-8859-1`` and ``ascii`` mean
    Windows-1252, and a declared UTF-16 or UTF-32 without a byte-order mark means UTF-8.
    """
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return decode_text(path, data, newlines=False)
    label, declared = _declared_html_encoding(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if data.isascii() and declared:  # ASCII: the declaration decides (ISO-2022-JP is ASCII bytes)
            try:
                return data.decode(declared)
            except UnicodeError:
                return text
        if declared not in (None, "utf-8"):
            log.warning("%s: declares the encoding %s, but its text is UTF-8; read as UTF-8", path, label)
        return text
    if declared not in (None, "utf-8"):
        try:
            return data.decode(declared)
        except UnicodeError:
            pass
    used, text = _guess_legacy(path, data)
    if declared:
        log.warning("%s: declares the encoding %s, but its text is not in it; read as %s", path, label, used)
    else:
        log.info("%s: decoded as %s", path, used)
    return text


def _declared_html_encoding(data: bytes) -> tuple[str, str | None]:
    """The encoding a page's ``<meta charset>`` (or XML declaration) names, as written, and the
    Python codec a browser would read it with; None for none, or one Python does not know."""
    from bs4.dammit import EncodingDetector

    label = EncodingDetector.find_declared_encoding(data, is_html=True) or ""
    try:
        name: str | None = codecs.lookup(label).name if label else None
        if name:
            "a".encode(name)  # LookupError for Python's bytes-to-bytes codecs (base64, zlib, rot13)
    except (LookupError, ValueError, UnicodeError):
        name = None
    if name in _PYTHON_ONLY_CODECS:
        name = None
    elif name in ("iso8859-1", "ascii"):
        name = "cp1252"
    elif name and name.startswith(("utf-16", "utf-32")):
        name = "utf-8"
    return label, name


# ---- PDF -----------------------------------------------------------------------------------------

#: How much a PDF may draw, in inflated content-stream bytes: ``PDF_DRAWING_RATIO`` times the
#: file's size, and ``PDF_DRAWING_MIN`` always. pypdf parses each drawing instruction in Python
#: (seconds per megabyte of real page content: devtools/RESULTS.md, "Figures cited by the code"),
#: so a few kilobytes that inflate to megabytes of instructions would hold a processor for
#: minutes; real documents draw about their own size (fonts and images are the rest of the file),
#: text-only ones a few times it.
PDF_DRAWING_RATIO = 20
PDF_DRAWING_MIN = 2 << 20
_SENTENCE_END = re.compile(r"[.!?:;\"'»«“”)]\s*$")


def _pdf_text(path: Path, data: bytes) -> str:
    """Text of a PDF's pages (pypdf); lines are rejoined into paragraphs.

    A PDF stores lines, not paragraphs: a line ending a sentence that is clearly shorter than the
    page's typical line ends a paragraph, a blank line always does, and a word hyphenated at a
    line end is joined ("Ver-\\nfahren" -> "Verfahren"). Scanned PDFs (images only) have no text.
    """
    paragraphs: list[str] = []
    for page in _pdf_pages(path, data):
        paragraphs.extend(_pdf_paragraphs(page))
    if not paragraphs:
        raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR first")
    return "\n\n".join(paragraphs) + "\n"


def _pdf_pages(path: Path, data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it; whatever pypdf raises on a damaged or hostile file
    (its own errors, its limits on what a stream may inflate to, nesting past Python's recursion
    limit, a decoder that is not installed) is one ``InputError`` naming the file."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, DeprecationError, LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _pdf_decrypt(path, reader)
        _pdf_check_drawing(path, reader, len(data))
        return [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except LimitReachedError as err:
        raise InputError(
            f"{path}: the PDF is past the PDF reader's limits ({_one_line(err)}): damaged, or a decompression bomb"
        ) from None
    except RecursionError:
        raise InputError(f"{path}: the PDF's objects nest too deeply to read; damaged, or made to crash readers") from None
    except DependencyError as err:
        raise InputError(
            f"{path}: the PDF needs a decoder that is not installed ({_one_line(err)}); print it to a new PDF"
        ) from None
    except (
        (PyPdfError, DeprecationError, NotImplementedError)
        + (ValueError, KeyError, TypeError, AttributeError)
        + (
            IndexError,
            OSError,
            ArithmeticError,
        )
    ) as err:  # NotImplementedError, DeprecationError: a filter name pypdf does not know (/FlaXeDecode, /Fl)
        raise InputError(f"{path}: the PDF is damaged and cannot be read ({_one_line(err)})") from err


def _pdf_check_drawing(path: Path, reader: Any, size: int) -> None:
    """Refuse a PDF whose pages draw more than ``PDF_DRAWING_RATIO`` times its size (see there)."""
    budget = max(PDF_DRAWING_MIN, PDF_DRAWING_RATIO * size)
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        total += _pdf_page_drawing(page)
        if total > budget:
            raise InputError(
                f"{path}: by page {number} the PDF inflates to over {budget / (1 << 20):.0f} MB of drawing instructions, "
                f"more than {PDF_DRAWING_RATIO} times its size; a decompression bomb (or a drawing, not a text): refusing it"
            )


def _pdf_page_drawing(page: Any) -> int:
    """The inflated size of what text extraction parses for ``page``: its content streams and the
    form XObjects it draws (counted again on every page that draws them, as extraction does)."""
    from pypdf.generic import DictionaryObject, StreamObject

    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    for ref in xobjects.values() if isinstance(xobjects, DictionaryObject) else ():
        xobject = ref.get_object()
        if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
            size += len(xobject.get_data())
    return size


def _pdf_decrypt(path: Path, reader: Any) -> None:
    """Open a PDF encrypted with an empty user password (only printing or copying restricted)."""
    from pypdf import PasswordType

    try:
        opened = reader.decrypt("")
    except Exception as err:  # an unknown algorithm, or AES without the cryptography package
        raise InputError(f"{path}: the PDF is encrypted ({_one_line(err)}); save an unprotected copy") from err
    if opened == PasswordType.NOT_DECRYPTED:
        raise InputError(f"{path}: the PDF is protected by a password; save an unprotected copy")


def _pdf_paragraphs(page: str) -> list[str]:
    lines = [line.strip() for line in _newlines(page).split("\n")]
    widths = sorted(len(line) for line in lines if line)
    typical = widths[int(len(widths) * 0.8)] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and len(current) > 1 and current[-2].isalpha() and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        if _SENTENCE_END.search(line) and len(line) < 0.8 * typical:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
