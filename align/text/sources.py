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
    the paragraphs the reader walked), ``lines`` (Markdown: first and last line, 0-based and
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
    decoded text with ``\\n`` newlines (Markdown, plain text), None (PDF). ``slots``: DOCX, one
    ``(paragraph element, runs)`` per paragraph the reader walked; HTML, the text nodes in the
    reader's order. ``newline`` is the file's own line end (``\\r\\n`` or ``\\n``), for
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
        drafts = _markdown_drafts(opened.document)
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

    def moved(position: int) -> int:
        return min(len(unicodedata.normalize("NFC", text[:position])), len(normal))

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
    western = _try_western(data)
    if western is not None:
        log.info("%s: decoded as cp1252", path)
        return fix(western)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{path}: unknown text encoding; re-save the file as UTF-8")
    log.info("%s: decoded as %s (charset-normalizer)", path, best.encoding)
    return fix(_check_controls(path, str(best)))


# ---- plain text and Markdown -------------------------------------------------------------------


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


_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_INLINE_MARK = re.compile(r"[*_~`\[!]")  # no inline markup without one of these


def _markdown_text(text: str) -> str:
    """Light Markdown stripping (see ``_markdown_drafts``): the blocks' texts, a blank line between."""
    return "\n\n".join(draft.text for draft in _markdown_drafts(text)) + "\n"


def _markdown_drafts(text: str) -> list[_Draft]:
    """Light Markdown stripping: text kept, markup dropped, paragraphs kept, each with its lines.

    Headings, list items, table rows and block quotes become paragraphs of their own; soft line
    breaks inside a paragraph become spaces (Markdown's own rule); emphasis, inline code, link
    and image syntax are reduced to their text; code blocks are kept as text, one paragraph each;
    horizontal rules and link definitions are dropped. Each draft records the lines of ``text``
    it came from and the block markup before its text (``prefix``), so a writer can replace the
    text and keep the markup; a table row's cells are its pieces.
    """
    stripped, line_spans = _strip_md_comments(text)
    drafts: list[_Draft] = []
    current: list[str] = []
    numbers: list[int] = []  # the lines (of ``stripped``) that went into ``current``
    shape: dict[str, Any] = {}  # kind, level, prefix, cells of the block being gathered
    in_fence = False

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
                block = _md_inline(joined) if not in_fence else joined
                lines = (line_spans[numbers[0]][0], line_spans[numbers[-1]][1])
                draft = _Draft(
                    block,
                    kind="code" if in_fence else shape.get("kind", "paragraph"),
                    level=shape.get("level", 0),
                    lines=lines,
                    prefix=shape.get("prefix", ""),
                )
                if shape.get("cells") is not None:
                    draft.pieces = _md_cell_pieces(shape["cells"], block)
                drafts.append(draft)
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
            add(matched.group(1), number, kind=kind, level=level, prefix=quote + line[: matched.start(1)])
            flush()
        elif line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            add(" ".join(c for c in cells if c), number, kind="table_row", prefix=quote, cells=cells)
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
    for match in (*_MD_HTML_COMMENT.finditer(text), None):
        end = match.start() if match else len(text)
        breaks.extend(range(line, line + text.count("\n", position, end)))
        line += text.count("\n", position, end)
        kept.append(text[position:end])
        if match:
            line += match.group().count("\n")
            position = match.end()
    stripped = "".join(kept)
    starts = [0, *(b + 1 for b in breaks)]
    ends = [*breaks, line]
    return stripped, list(zip(starts, ends, strict=True))


def _md_cell_pieces(cells: Sequence[str], row: str) -> list[tuple[int, int, int]]:
    """The spans of a table row's non-empty cells in the row's text (slot: the cell's position).

    When inline markup runs across cells (the row's text is not the cells' texts joined) the row
    is one piece in its first non-empty cell.
    """
    plain = not _MD_INLINE_MARK.search(row) and not any(_MD_INLINE_MARK.search(cell) for cell in cells)
    inline = [(k, " ".join(cell.split()) if plain else _md_inline(cell)) for k, cell in enumerate(cells) if cell]
    inline = [(k, cell) for k, cell in inline if cell]
    if not inline:
        return []
    if " ".join(cell for _, cell in inline) != row:
        return [(inline[0][0], 0, len(row))]
    pieces, offset = [], 0
    for k, cell in inline:
        pieces.append((k, offset, offset + len(cell)))
        offset += len(cell) + 1
    return pieces


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    for _ in range(2):
        text = _MD_EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


# ---- DOCX ----------------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ONE_LINE = re.compile(r"[ \t\u00a0]*[\n\r\v\t][ \t\u00a0]*")


def _docx_source(path: Path, data: bytes) -> tuple[Any, list[tuple[Any, list[Any]]], list[_Draft]]:
    """One paragraph per Word paragraph (and per table cell paragraph), in document order.

    Returns the python-docx document, for each paragraph walked its element and runs (the runs
    of its hyperlinks included, in order: python-docx's ``Paragraph.text`` is their text), and a
    draft per paragraph with text, whose pieces are its runs.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as err:
        raise InputError(f"{path}: is not a valid .docx file (the ZIP container is damaged)") from err
    if "word/document.xml" not in names:
        raise InputError(f"{path}: is a ZIP archive but not a Word .docx document")

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors, PackageNotFoundError
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({err})") from err

    slots: list[tuple[Any, list[Any]]] = []
    drafts: list[_Draft] = []
    try:
        style_names = {style.style_id: style.name or "" for style in document.styles}
    except Exception:  # a damaged styles part; the kinds are informational only
        style_names = {}
    for paragraph, in_table in docx_paragraphs(document):
        runs = docx_runs(paragraph)
        slots.append((paragraph, runs))
        texts = [run.text for run in runs]
        if "".join(texts).strip():
            kind, level = _docx_kind(style_names, paragraph, in_table)
            drafts.append(_squeezed_draft(texts, range(len(runs)), _ONE_LINE, kind=kind, level=level, slot=len(slots) - 1))
    return document, slots, drafts


def docx_paragraphs(document: Any) -> Iterator[tuple[Any, bool]]:
    """The paragraph elements of a Word document's body in reading order, each with "in a table".

    Table cells are walked row by row (a merged cell once), content controls (``w:sdt``) are
    entered; headers, footers, footnotes and text boxes are not part of the body's text.
    """
    from docx.table import Table

    def walk(parent: Any, in_table: bool) -> Iterator[tuple[Any, bool]]:
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                yield child, in_table
            elif tag == "tbl":
                table = Table(child, document)
                for row in table.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # merged cells repeat
                            continue
                        seen.add(id(cell._tc))
                        yield from walk(cell._tc, True)
            elif tag == "sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    yield from walk(content, in_table)

    yield from walk(document.element.body, False)


def docx_runs(paragraph: Any) -> list[Any]:
    """A paragraph element's runs whose text makes up python-docx's ``Paragraph.text``, in order."""
    runs: list[Any] = []
    for child in paragraph.xpath("w:r | w:hyperlink"):
        runs.extend(child.xpath("w:r") if child.tag == f"{_W}hyperlink" else [child])
    return runs


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

_HTML_BLOCKS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul body html title option legend".split()
)
_HTML_DROP = ("script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object")


_WHITESPACE = re.compile(r"\s+")


def _html_source(path: Path, data: bytes) -> tuple[Any, list[Any], list[_Draft]]:
    """Text of an HTML page: paragraphs, headings, list items and cells become paragraphs.

    Scripts, styles, the head (except the title) and comments are left out; ``<br>`` is a space.
    The encoding comes from a byte-order mark, the ``<meta charset>`` or detection (BeautifulSoup).
    Returns the parsed tree (untouched: a writer serialises it whole), the text nodes walked, in
    order, and a draft per paragraph whose pieces are its text nodes; a draft's kind is the
    innermost block element around its text (``p``, ``h1``, ``li``, ``td``, ...), ``title`` for
    the page's title.
    """
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse_binary(path, data)
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as err:  # lxml parser errors on badly broken input
        raise InputError(f"{path}: the HTML cannot be parsed ({err})") from err
    title = soup.title.get_text(" ", strip=True) if soup.title else ""

    nodes: list[Any] = []
    drafts: list[_Draft] = []
    current: list[tuple[str, int]] = []  # (text, its node's slot; -1 for a <br>)

    def flush(kind: str) -> None:
        draft = _squeezed_draft([t for t, _ in current], [slot for _, slot in current], _WHITESPACE, kind=kind)
        if draft.text:
            drafts.append(draft)
        current.clear()

    def walk(node: Tag, kind: str) -> None:
        for child in node.children:
            if isinstance(child, (Doctype, Declaration, ProcessingInstruction, Comment)):
                continue
            if isinstance(child, NavigableString):
                current.append((str(child), len(nodes)))
                nodes.append(child)
            elif isinstance(child, Tag):
                if child.name in _HTML_DROP:
                    continue
                if child.name == "br":
                    current.append((" ", -1))
                elif child.name in _HTML_BLOCKS:
                    flush(kind)
                    walk(child, child.name)
                    flush(child.name)
                else:
                    walk(child, kind)

    walk(soup, "document")
    flush("document")
    if title and (not drafts or drafts[0].text != title):
        drafts.insert(0, _Draft(title, kind="title"))
    return soup, nodes, drafts


# ---- PDF -----------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?:;\"'»«“”)]\s*$")


def _pdf_text(path: Path, data: bytes) -> str:
    """Text of a PDF's pages (pypdf); lines are rejoined into paragraphs.

    A PDF stores lines, not paragraphs: a line ending a sentence that is clearly shorter than the
    page's typical line ends a paragraph, a blank line always does, and a word hyphenated at a
    line end is joined ("Ver-\\nfahren" -> "Verfahren"). Scanned PDFs (images only) have no text.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as err:
                raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy") from err
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as err:
        raise InputError(f"{path}: the PDF is damaged and cannot be read ({err})") from err
    paragraphs: list[str] = []
    for page in pages:
        paragraphs.extend(_pdf_paragraphs(page))
    if not paragraphs:
        raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR first")
    return "\n\n".join(paragraphs) + "\n"


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
