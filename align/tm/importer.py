"""Units into the memory: TMX from any tool (streamed), the workbench's aligned-document formats,
and the confirmed rows of a review project.

TMX files can be large (a memory exported from a CAT tool holds hundreds of thousands of units),
so they are streamed with lxml's ``iterparse`` and each ``tu`` is dropped once read: memory stays
flat and progress is the share of the file's bytes read. What other tools write is accepted:

* languages from ``xml:lang`` (TMX 1.4) or ``lang`` (TMX 1.1), variants reduced to the language
  (``de-DE`` -> ``de``); the source side is ``src_lang`` when given (an en->de memory serves
  de->en too), else the header's ``srclang``, else (``*all*`` or none) the first ``tuv``; every
  other language of a ``tu`` gives a unit (only ``tgt_lang`` when given);
* ``seg`` with inline markup: the text of ``hi``/``sub`` is kept, native codes (``bpt``, ``ept``,
  ``ph``, ``it``, ``ut``) are dropped, as ``align.formats.tmx`` reads them;
* context: ``x-context-pre`` / ``x-context-post`` props (memoQ, MyMemory) on the ``tu`` or the
  source ``tuv``; without them, the sources of the neighbouring ``tu`` elements (a document's TMX
  lists its sentences in order; in a TM export they are unrelated, which only makes a 101%
  match unlikely, never wrong);
* ``x-align-project`` / ``x-align-file`` / ``x-align-tm-origin`` props written by ``export_tmx``
  restore where a unit came from.

CSV and TSV files are streamed too (``align.formats.delimited.stream_pairs``: a few rows in memory
at a time, whatever the file's size); XLSX and JSONL are read with ``align.formats.read_aligned``.
Either way a file the workbench exported, or a plain two-column sheet, imports: every row with
both sides becomes a unit, its neighbours' sources the context. Malformed input is a
``FormatError`` naming the file and line. Characters XML cannot hold (NUL and other control
characters) are not kept in the memory (``align.tm.text.normalise``): a warning names the lines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from align.document import AlignedDocument, Pair, Status
from align.errors import FormatError, InputError
from align.formats.cells import XML_INVALID, describe
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET, base_lang
from align.progress import Progress
from align.tm.match import Unit
from align.tm.memory import AddResult, TranslationMemory
from align.tm.tmxmeta import CONTEXT_POST, CONTEXT_PRE, FILE_PROP, ORIGIN_PROP, PROJECT_PROP, iso_date

log = logging.getLogger(__name__)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The suffixes ``import_file`` reads.
IMPORT_SUFFIXES = (".tmx", ".csv", ".tsv", ".tab", ".txt", ".xlsx", ".jsonl", ".ndjson")


def import_file(
    tm: TranslationMemory,
    path: Path,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    progress: Progress | None = None,
) -> AddResult:
    """Add the units of a TMX, CSV, TSV, XLSX or JSONL file to ``tm``.

    TMX names its own languages (``src_lang``/``tgt_lang``, when given, choose among them); the
    other formats take them from the file where it has them (XLSX and JSONL written by the
    workbench), else from ``src_lang``/``tgt_lang`` (default: the default pair).
    ``progress(done, total)`` hears bytes read (TMX) or rows added.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        kind = suffix or "a file without extension"
        raise InputError(f"{path}: cannot import {kind} into the memory; use one of {', '.join(IMPORT_SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"{path}: file not found" if not path.exists() else f"{path}: is not a file")
    if suffix == ".tmx":
        reader = TmxUnits(path, src_lang=src_lang, tgt_lang=tgt_lang, progress=progress)
        result = tm.add(reader)
        result = AddResult(result.added, result.updated, result.skipped + reader.skipped)
    elif _origin(path) in ("csv", "tsv"):
        result = _import_delimited(tm, path, src_lang or DEFAULT_SOURCE, tgt_lang or DEFAULT_TARGET, progress)
    else:
        from align.formats import read_aligned

        doc = read_aligned(path, src_lang=src_lang or DEFAULT_SOURCE, tgt_lang=tgt_lang or DEFAULT_TARGET)
        _warn_removed(path, "row", [i + 1 for i, p in enumerate(doc.pairs) if _holds_invalid(p)])
        rows = [i for i, p in enumerate(doc.pairs) if p.source.strip() and p.target.strip()]
        result = tm.add(_counted(document_units(doc, rows, origin=_origin(path), file=path.name), len(rows), progress))
        result = AddResult(result.added, result.updated, result.skipped + len(doc.pairs) - len(rows))
    log.info("%s: %d unit(s) added, %d updated, %d left out (a side empty)", path, result.added, result.updated, result.skipped)
    return result


def add_confirmed(
    tm: TranslationMemory, doc: AlignedDocument, rows: Sequence[int] | None = None, *, project: str = ""
) -> AddResult:
    """Add the confirmed rows of a review project (``rows`` only, when given) to ``tm``, with their
    neighbours in the document as context; rows with an empty side are left out."""
    candidates = range(len(doc.pairs)) if rows is None else rows
    chosen = [
        i
        for i in candidates
        if 0 <= i < len(doc.pairs)
        and doc.pairs[i].status is Status.CONFIRMED
        and doc.pairs[i].source.strip()
        and doc.pairs[i].target.strip()
    ]
    return tm.add(document_units(doc, chosen, origin="project", project=project, file=doc.name))


def document_units(
    doc: AlignedDocument, rows: Sequence[int], *, origin: str, project: str = "", file: str = ""
) -> Iterator[Unit]:
    """Units of a document's rows, each with the sources of the rows before and after it."""
    pairs = doc.pairs
    for i in rows:
        yield Unit(
            source=pairs[i].source,
            target=pairs[i].target,
            src_lang=doc.src_lang,
            tgt_lang=doc.tgt_lang,
            prev_source=pairs[i - 1].source if i > 0 else "",
            next_source=pairs[i + 1].source if i + 1 < len(pairs) else "",
            origin=origin,
            project=project,
            file=file,
        )


def _import_delimited(tm: TranslationMemory, path: Path, src_lang: str, tgt_lang: str, progress: Progress | None) -> AddResult:
    """Stream a CSV or TSV file into ``tm``: its rows are read while the memory writes them."""
    from align.formats.cells import unneutralise
    from align.formats.delimited import stream_pairs

    origin = _origin(path)
    lines, pairs = stream_pairs(path, origin, unneutralise)
    removed: list[int] = []
    one_sided = 0

    def units() -> Iterator[Unit]:
        nonlocal one_sided
        for done, (previous, (line, pair), following) in enumerate(_neighbours(pairs), start=1):
            if _holds_invalid(pair):
                removed.append(line)
            if progress is not None and done % 1000 == 0:
                progress(lines.position, lines.total)
            if not (pair.source.strip() and pair.target.strip()):
                one_sided += 1
                continue
            yield Unit(pair.source, pair.target, src_lang, tgt_lang, previous, following, origin=origin, file=path.name)

    result = tm.add(units())
    if progress is not None:
        progress(lines.total, lines.total)
    _warn_removed(path, "line", removed)
    return AddResult(result.added, result.updated, result.skipped + one_sided)


def _neighbours(pairs: Iterable[tuple[int, Pair]]) -> Iterator[tuple[str, tuple[int, Pair], str]]:
    """Each (line, pair) with the sources of the pairs before and after it ("" at either end)."""
    previous = ""
    waiting: tuple[int, Pair] | None = None
    for item in pairs:
        if waiting is not None:
            yield previous, waiting, item[1].source
            previous = waiting[1].source
        waiting = item
    if waiting is not None:
        yield previous, waiting, ""


def _holds_invalid(pair: Pair) -> bool:
    return bool(XML_INVALID.search(pair.source) or XML_INVALID.search(pair.target))


def _warn_removed(path: Path, noun: str, numbers: Sequence[int]) -> None:
    if numbers:
        log.warning(
            "%s: control characters XML cannot hold (NUL and the like) removed from %s: the memory keeps text only",
            path,
            describe(noun, numbers),
        )


def _origin(path: Path) -> str:
    from align.formats import ALIGNED_SUFFIXES

    return ALIGNED_SUFFIXES.get(path.suffix.lower(), path.suffix.lower().lstrip("."))


def _counted(units: Iterator[Unit], total: int, progress: Progress | None) -> Iterator[Unit]:
    for done, unit in enumerate(units, start=1):
        yield unit
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)


# ---- TMX -------------------------------------------------------------------------------------------
class _Reading:
    """A TMX ``tu`` as read: its language variants, props and creation date."""

    def __init__(self, variants: list[tuple[str, str, dict[str, str]]], props: dict[str, str], created: str) -> None:
        self.variants = variants  # (base language, text, the tuv's props)
        self.props = props
        self.created = created  # ISO 8601, from the tu's creationdate ("" without one)


class TmxUnits:
    """The units of a TMX file, streamed (module doc); ``skipped`` counts the ``tu`` elements that
    gave none (no source text, or no other language), once iterated. Bad XML is a ``FormatError``
    with the line."""

    def __init__(
        self, path: Path, *, src_lang: str | None = None, tgt_lang: str | None = None, progress: Progress | None = None
    ) -> None:
        self.path = Path(path)
        self.src_lang = base_lang(src_lang) if src_lang else ""
        self.tgt_lang = base_lang(tgt_lang) if tgt_lang else None
        self.progress = progress
        self.skipped = 0

    def __iter__(self) -> Iterator[Unit]:
        from lxml import etree

        from align.formats.xmlsafe import PARSER_OPTIONS, syntax_error

        path, total = self.path, self.path.stat().st_size
        src = ""
        waiting: _Reading | None = None  # a tu waits for the next one: its source is the context
        previous = ""
        reported = 0  # bytes read at the last progress report (lxml reads the file in chunks)
        with open(path, "rb") as handle:
            events = etree.iterparse(handle, events=("start", "end"), **PARSER_OPTIONS)
            try:
                for event, element in events:
                    tag = element.tag if isinstance(element.tag, str) else ""
                    if event == "start":
                        if element.getparent() is None and tag != "tmx":
                            raise FormatError(f"{path}, line {element.sourceline}: root element is <{tag}>, not <tmx>")
                        continue
                    if tag == "header":
                        declared = element.get("srclang") or ""
                        src = self.src_lang or (base_lang(declared) if declared and declared != "*all*" else "")
                    elif tag == "tu":
                        reading = _read_tu(element)
                        _drop(element)
                        position = min(handle.tell(), total)
                        if self.progress is not None and position > reported:
                            self.progress(position, total)
                            reported = position
                        src = src or (reading.variants[0][0] if reading.variants else "")
                        source = _source_of(reading, src)
                        if source is None:
                            self.skipped += 1
                            continue
                        if waiting is not None:
                            yield from self._units(waiting, src, previous, source)
                            previous = _source_of(waiting, src) or ""
                        waiting = reading
            except etree.XMLSyntaxError as err:
                raise syntax_error(path, err) from None
        if waiting is not None:
            yield from self._units(waiting, src, previous, "")
        if self.progress is not None:
            self.progress(total, total)
        if self.skipped:
            log.warning("%s: skipped %d translation unit(s) with no %s text or no translation", path, self.skipped, src)

    def _units(self, reading: _Reading, src: str, previous: str, following: str) -> list[Unit]:
        """The units of one ``tu``: its source with each other language (or ``tgt_lang`` only)."""
        source_props = next((props for lang, _, props in reading.variants if lang == src), {})
        props = {**reading.props, **source_props}
        if CONTEXT_PRE in props or CONTEXT_POST in props:
            previous, following = props.get(CONTEXT_PRE, ""), props.get(CONTEXT_POST, "")
        units: dict[str, Unit] = {}
        for lang, text, _ in reading.variants:
            if lang == src or lang in units or not text.strip() or (self.tgt_lang and lang != self.tgt_lang):
                continue
            units[lang] = Unit(
                source=_source_of(reading, src) or "",
                target=text,
                src_lang=src,
                tgt_lang=lang,
                prev_source=previous,
                next_source=following,
                origin=props.get(ORIGIN_PROP) or "tmx",
                project=props.get(PROJECT_PROP, ""),
                file=props.get(FILE_PROP) or self.path.name,
                created_at=reading.created,
            )
        self.skipped += not units
        return list(units.values())


def _read_tu(tu: Any) -> _Reading:
    from align.formats.tmx import seg_text

    variants = []
    for tuv in tu.iterfind("tuv"):
        lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
        variants.append((base_lang(lang), seg_text(tuv), _props(tuv)))
    return _Reading(variants, _props(tu), iso_date(tu.get("creationdate") or ""))


def _props(element: Any) -> dict[str, str]:
    return {p.get("type", ""): p.text or "" for p in element.iterfind("prop")}


def _drop(element: Any) -> None:
    """Free a read ``tu`` and the siblings before it (iterparse keeps the tree otherwise)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _source_of(reading: _Reading, src: str) -> str | None:
    return next((text for lang, text, _ in reading.variants if lang == src and text.strip()), None)


def confirmed_sink(path: Path) -> Callable[[AlignedDocument, Sequence[int], str], None]:
    """What the review store calls when rows become confirmed (``Store(on_confirmed=...)``): add
    them to the memory at ``path``. The edit is saved already; a memory that cannot be written is
    a warning in the log, not a failed edit."""

    def add(doc: AlignedDocument, rows: Sequence[int], project: str) -> None:
        from align.errors import AlignError

        try:
            with TranslationMemory(path) as tm:
                result = add_confirmed(tm, doc, rows, project=project)
        except AlignError as err:
            log.warning("confirmed rows of %r were saved but not added to the translation memory: %s", project, err)
            return
        log.info("translation memory: %d confirmed row(s) of %r added, %d updated", result.added, result.updated, project)

    return add
