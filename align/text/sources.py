"""Source documents -> text: what segmentation reads.

``read_text`` turns any supported input (plain text in any common encoding, Markdown, DOCX,
HTML, PDF) into one string whose paragraphs are separated by a blank line, which is what
segmentation keys on. Aligned documents (our exports) are read by ``align.formats``.

Every failure a user can fix is an ``InputError`` naming the file.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from pathlib import Path

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


def read_text(path: Path) -> str:
    """Return the text of ``path`` with paragraphs separated by one blank line.

    The format comes from the content where it is unambiguous (PDF and ZIP signatures) and from
    the extension otherwise. Newlines become ``\\n`` and the text is NFC-normalised (so a
    decomposed "u + combining diaeresis" from macOS matches a typed "ü"). Raises ``InputError``
    for a missing file, a folder, an empty or whitespace-only file, a binary file, an unknown
    encoding, or a corrupt DOCX/PDF.
    """
    path = Path(path)
    data = read_bytes(path)
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF-") or suffix in PDF_SUFFIXES:
        text = _pdf_text(path, data)
    elif data.startswith(b"PK\x03\x04") or suffix in DOCX_SUFFIXES:
        text = _docx_text(path, data)
    elif suffix in HTML_SUFFIXES:
        text = _html_text(path, data)
    elif suffix in MARKDOWN_SUFFIXES:
        text = _markdown_text(decode_text(path, data))
    else:
        text = _plain_text(decode_text(path, data))
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise InputError(f"{path}: no text found in the file")
    return text


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


def _markdown_text(text: str) -> str:
    """Light Markdown stripping: text kept, markup dropped, paragraphs kept.

    Headings, list items, table rows and block quotes become paragraphs of their own; soft line
    breaks inside a paragraph become spaces (Markdown's own rule); emphasis, inline code, link
    and image syntax are reduced to their text; code blocks are kept as text, one paragraph each;
    horizontal rules and link definitions are dropped.
    """
    text = _MD_HTML_COMMENT.sub("", text)
    paragraphs: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            joined = " ".join(part.strip() for part in current if part.strip())
            if joined:
                paragraphs.append(_md_inline(joined) if not in_fence else joined)
            current.clear()

    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            current.append(line)
            continue
        if not line.strip() or _MD_RULE.match(line) or _MD_LINK_DEF.match(line) or _MD_TABLE_RULE.match(line):
            flush()
            continue
        if _MD_SETEXT.match(line) and current:
            flush()
            continue
        line = _MD_QUOTE.sub("", line)
        heading = _MD_HEADING.match(line)
        item = _MD_LIST.match(line)
        if matched := heading or item:
            flush()
            current.append(matched.group(1))
            flush()
        elif line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            current.append(" ".join(c for c in cells if c))
            flush()
        else:
            current.append(line)
    flush()
    return "\n\n".join(paragraphs) + "\n"


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    for _ in range(2):
        text = _MD_EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


# ---- DOCX ----------------------------------------------------------------------------------------


def _docx_text(path: Path, data: bytes) -> str:
    """One paragraph per Word paragraph (and per table cell paragraph), in document order."""
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
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors, PackageNotFoundError
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({err})") from err

    paragraphs: list[str] = []

    def walk(parent) -> None:
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                text = Paragraph(child, document).text
                if text.strip():
                    paragraphs.append(_one_line(text))
            elif tag == "tbl":
                table = Table(child, document)
                for row in table.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # merged cells repeat
                            continue
                        seen.add(id(cell._tc))
                        walk(cell._tc)
            elif tag == "sdt":
                content = child.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent")
                if content is not None:
                    walk(content)

    walk(document.element.body)
    return "\n\n".join(paragraphs) + "\n"


def _one_line(text: str) -> str:
    """A paragraph's line breaks and tabs become spaces: a paragraph is one unit for segmentation."""
    return re.sub(r"[ \t\u00a0]*[\n\r\v\t][ \t\u00a0]*", " ", text).strip()


# ---- HTML ----------------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul body html title option legend".split()
)
_HTML_DROP = ("script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object")


def _html_text(path: Path, data: bytes) -> str:
    """Text of an HTML page: paragraphs, headings, list items and cells become paragraphs.

    Scripts, styles, the head (except the title) and comments are dropped; ``<br>`` is a space.
    The encoding comes from a byte-order mark, the ``<meta charset>`` or detection (BeautifulSoup).
    """
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse_binary(path, data)
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as err:  # lxml parser errors on badly broken input
        raise InputError(f"{path}: the HTML cannot be parsed ({err})") from err
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()

    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        if text:
            paragraphs.append(text)
        current.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Doctype, Declaration, ProcessingInstruction, Comment)):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    current.append(" ")
                elif child.name in _HTML_BLOCKS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(soup)
    flush()
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs) + "\n"


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
