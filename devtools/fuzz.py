"""Fuzzing every reader of the product with mutated real files (issue 20).

Each *reader* is one way the product reads a file a user hands it: the source documents
(``align.text.readers.open_source``: TXT, Markdown, HTML, DOCX, PDF), the aligned files
(``align.formats.read_aligned``: CSV, TSV, XLSX, TMX, JSONL), CAT tools' jobs
(``align.exchange.read_job``: XLIFF 1.2/2.0, PO; read, made rows, pseudo-translated and written
back, as ``pseudo``, ``convert`` and ``translate`` do), the translation memory's import
(``align.tm.importer.import_file``), glossary files (``align.glossary.files.read_glossary``) and
``.argosmodel`` packages (``align.mt.packages.install_from_path`` into a temporary data folder;
``package-load`` also loads the installed package and translates a sentence, as translating does).

The inputs are *seeds* (real files: the shared bench's Word documents and XLIFF files, the
samples, ``data/``, the shipped fixture package, and files the product writes itself: a small
document exported in every format, translated documents, a TMX export of a memory, a glossary
TSV) with one *mutation* each: bytes flipped, the file truncated, a chunk repeated until the file
is megabytes long, markup nested thousands deep, XML entities (a "billion laughs", an external
entity that points at a marker file), JSON numbers of thousands of digits, ZIP members rewritten,
re-compressed to inflate hugely, given a lying size, an unsupported compression method, a path
outside the archive, and PDF streams that inflate hugely or reference themselves.

Only the product's own errors (``align.errors.AlignError``) may come out of a reader. Every read
runs in a worker process whose address space is capped (``RLIMIT_AS``, 1.5 GiB by default), with a
time limit per input; a finding is any other exception (``MemoryError`` included), a timeout, a
dead worker, or the marker file's text showing up in what was read (an external entity resolved).
The peak resident memory of each read is measured (``VmHWM``, reset before each input).

``python -m devtools fuzz --per-reader N --seed S`` runs it by hand and prints a table (reader,
inputs tried, product errors, findings, max RSS) and each finding with the file kept for a repro
(``--save DIR``). The same mutations come out for the same seed, reader, index and seed files.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import random
import re

try:
    import resource
except ImportError:  # Windows: no memory cap for the worker
    resource = None  # type: ignore[assignment]
import shutil
import struct
import tempfile
import time
import traceback
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "bench"
MiB = 1 << 20
#: The marker an external entity would pull into a reader's result.
MARKER_TEXT = "ALIGN-FUZZ-MARKER-7f3a9c"


# ---- readers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """One way the product reads a user's file: ``family`` says which entry point, ``suffix`` what the
    input file is called, ``seeds`` which seed kind it starts from."""

    name: str
    family: str
    suffix: str
    seeds: str


READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("txt", "document", ".txt", "txt"),
        Reader("md", "document", ".md", "md"),
        Reader("html", "document", ".html", "html"),
        Reader("docx", "document", ".docx", "docx"),
        Reader("pdf", "document", ".pdf", "pdf"),
        Reader("csv", "aligned", ".csv", "csv"),
        Reader("tsv", "aligned", ".tsv", "tsv"),
        Reader("xlsx", "aligned", ".xlsx", "xlsx"),
        Reader("tmx", "aligned", ".tmx", "tmx"),
        Reader("jsonl", "aligned", ".jsonl", "jsonl"),
        Reader("xliff", "job", ".xlf", "xliff"),
        Reader("po", "job", ".po", "po"),
        Reader("tm-tmx", "tm", ".tmx", "tmx"),
        Reader("tm-csv", "tm", ".csv", "csv"),
        Reader("tm-tsv", "tm", ".tsv", "tsv"),
        Reader("tm-xlsx", "tm", ".xlsx", "xlsx"),
        Reader("tm-jsonl", "tm", ".jsonl", "jsonl"),
        Reader("glossary-csv", "glossary", ".csv", "glossary-csv"),
        Reader("glossary-tsv", "glossary", ".tsv", "glossary-tsv"),
        Reader("glossary-xlsx", "glossary", ".xlsx", "glossary-xlsx"),
        Reader("glossary-tbx", "glossary", ".tbx", "tbx"),
        Reader("package", "package", ".argosmodel", "argosmodel"),
        Reader("package-load", "package-load", ".argosmodel", "argosmodel"),
    )
}
#: Readers that prove the harness's own alarms ring (tests/test_fuzz_readers.py); never in a run by default.
CHECK_READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("check-memory", "check", ".txt", "txt"),
        Reader("check-timeout", "check", ".txt", "txt"),
        Reader("check-bug", "check", ".txt", "txt"),
        Reader("check-crash", "check", ".txt", "txt"),
        Reader("check-marker", "check", ".txt", "txt"),
    )
}
#: The library call behind each family, for a finding's repro (PATH: the saved input).
REPRO = {
    "document": "from align.text.readers import open_source; open_source(Path(PATH))",
    "aligned": "from align.formats import read_aligned; read_aligned(Path(PATH))",
    "job": "from align.exchange import read_job, write_job; from align.exchange.pseudo import pseudo_translate; "
    "job = read_job(Path(PATH)); pseudo_translate(job); write_job(job)",
    "tm": "from align.tm import TranslationMemory; from align.tm.importer import import_file; "
    "import_file(TranslationMemory(Path('tm.sqlite3')), Path(PATH))",
    "glossary": "from align.glossary.files import read_glossary; read_glossary(Path(PATH))",
    "package": "from align.mt.packages import install_from_path; from align.settings import load_settings; "
    "install_from_path(Path(PATH), load_settings(home='fuzz-home'))",
    "package-load": "python -m align --home fuzz-home models install --from PATH && "
    "python -m align --home fuzz-home translate some.txt -o out.csv",
}


def read_one(reader: Reader, path: Path, scratch: Path) -> str:
    """Read ``path`` the way ``reader`` does; return the text it read (searched for the marker).

    ``scratch`` is an empty folder the read may use (a data folder for the memory or a package).
    """
    family = reader.family
    if family == "document":
        from align.text.readers import open_source

        return open_source(path).source.text
    if family == "aligned":
        from align.formats import read_aligned

        return _pairs_text(read_aligned(path))
    if family == "job":
        return _job_text(path)
    if family == "tm":
        return _tm_text(path, scratch)
    if family == "glossary":
        from align.glossary.files import read_glossary

        return repr(read_glossary(path).entries)
    if family in ("package", "package-load"):
        return _package_text(path, scratch, load=family == "package-load")
    if family == "check":
        return _check(reader.name)
    raise ValueError(f"unknown reader family {family!r}")


def _pairs_text(doc: Any) -> str:
    return "\n".join(f"{p.source}\t{p.target}\t{p.note}\t{p.reasons}" for p in doc.pairs) + repr(doc.signature)


def _job_text(path: Path) -> str:
    """A job read, made rows, pseudo-translated and written back: what the job commands do."""
    from align.exchange import read_job, write_job
    from align.exchange.project import job_document
    from align.exchange.pseudo import pseudo_translate

    job = read_job(path)
    text = _pairs_text(job_document(job))
    pseudo_translate(job)
    return text + write_job(job).decode("utf-8", errors="replace")


def _tm_text(path: Path, scratch: Path) -> str:
    """Import into a fresh memory, then everything it holds as text."""
    from align.tm import TranslationMemory
    from align.tm.importer import import_file

    with TranslationMemory(scratch / "tm.sqlite3") as tm:
        import_file(tm, path)
    import sqlite3

    with sqlite3.connect(scratch / "tm.sqlite3") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%fts%'")]
        return "\n".join(repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"'))


def _package_text(path: Path, scratch: Path, *, load: bool) -> str:
    from align.mt.packages import install_from_path
    from align.settings import load_settings

    settings = load_settings(home=scratch / "home")
    package = install_from_path(path, settings)
    text = repr(package)
    if load:
        from align.mt.translate import TranslateOptions, Translator

        translator = Translator.load(package, TranslateOptions(threads=1, beam_size=1))
        text += "\n".join(translator.translate(["Auch der Verkehrsminister war gekommen."]))
    return text


def _check(name: str) -> str:
    """The harness's self-checks: each misbehaves the way a buggy reader would."""
    if name == "check-memory":
        hog = bytearray(8 << 30)  # more than any address-space cap the harness sets
        return str(len(hog))
    if name == "check-timeout":
        time.sleep(3600)
    if name == "check-bug":
        table: dict[str, str] = {}
        return table["missing"]  # a KeyError, as an unguarded reader raises
    if name == "check-crash":
        os.abort()
    return MARKER_TEXT


# ---- seeds ---------------------------------------------------------------------------------------

SEED_KINDS = (
    "txt",
    "md",
    "html",
    "docx",
    "pdf",
    "csv",
    "tsv",
    "xlsx",
    "tmx",
    "jsonl",
    "glossary-csv",
    "glossary-tsv",
    "glossary-xlsx",
    "tbx",
    "argosmodel",
    "xliff",
    "po",
)


def build_seeds(folder: Path, bench: Path | None = BENCH) -> dict[str, list[Path]]:
    """Write the seeds the product and this module make into ``folder``, and add the real files of
    ``data/`` and (when it exists) the shared bench; return the seed files by kind, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, list[Path]] = {kind: [] for kind in SEED_KINDS}
    _text_seeds(folder, seeds)
    _export_seeds(folder, seeds)
    _glossary_seeds(folder, seeds)
    _translated_seeds(folder, seeds)
    _job_seeds(folder, seeds)
    seeds["pdf"] += [
        _write(folder / "plain.pdf", pdf_bytes(_sample_lines())),
        _write(folder / "flate.pdf", pdf_bytes(_sample_lines(), flate=True)),
    ]
    seeds["argosmodel"].append(REPO / "data" / "models" / "translate-de_en-fixture.argosmodel")
    if bench is not None and bench.is_dir():
        _bench_seeds(bench, seeds)
    return {kind: sorted(paths) for kind, paths in seeds.items()}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sample_pairs() -> list[tuple[str, str]]:
    """German-English sentence pairs: the fixture model's training pairs (written for the project)."""
    from devtools.models import load_fixture_pairs

    return load_fixture_pairs()[:40]


def _sample_lines() -> list[str]:
    return [de for de, _ in _sample_pairs()[:12]]


def _text_seeds(folder: Path, seeds: dict[str, list[Path]]) -> None:
    text = (REPO / "data" / "sample.de.txt").read_text(encoding="utf-8")
    seeds["txt"] += [
        REPO / "data" / "sample.de.txt",
        _write(folder / "utf16.txt", text.encode("utf-16")),
        _write(folder / "cp1252.txt", text.replace("\n", "\r\n").encode("cp1252", errors="replace")),
    ]
    lines = _sample_lines()
    markdown = (
        f"# {lines[0]}\n\n{lines[1]} *{lines[2]}* [Link](https://example.com) `code`\n\n"
        f"- {lines[3]}\n- {lines[4]}\n  1. {lines[5]}\n\n> {lines[6]}\n\n| A | B |\n|---|---|\n| {lines[7]} | {lines[8]} |\n\n"
        f"```\n{lines[9]}\n```\n\n<!-- a comment -->\n{lines[10]}\n===\n\n[ref]: https://example.com\n"
    )
    seeds["md"].append(_write(folder / "sample.md", markdown.encode("utf-8")))
    body = "".join(f"<p>{line} <b>fett</b><br>weiter</p>\n" for line in lines[1:6])
    html = (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{lines[0]}</title><style>p{{}}</style></head>"
        f"<body><h1>{lines[0]}</h1>\n{body}<ul><li>{lines[6]}</li></ul><table><tr><td>{lines[7]}</td></tr></table>"
        f"<script>var x = '<p>';</script><!-- comment --></body></html>\n"
    )
    seeds["html"].append(_write(folder / "sample.html", html.encode("utf-8")))
    seeds["docx"].append(_docx_seed(folder / "sample.docx", lines))


def _docx_seed(path: Path, lines: Sequence[str]) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(lines[0], level=1)
    paragraph = document.add_paragraph(lines[1] + " ")
    paragraph.add_run(lines[2]).bold = True
    document.add_paragraph(lines[3], style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for k, cell in enumerate(c for row in table.rows for c in row.cells):
        cell.text = lines[4 + k]
    document.add_paragraph(lines[8] + "\t" + lines[9])
    document.save(str(path))
    return path


def _sample_document() -> Any:
    """A small aligned document with every column filled: statuses, merged rows, quality, reasons,
    origins, formula-like cells, notes."""
    from align.document import AlignedDocument, Origin, Pair, Signature, Status

    pairs = []
    for k, (de, en) in enumerate(_sample_pairs()[:10]):
        pairs.append(
            Pair(
                de if k != 3 else "=SUMME(A1) " + de,
                en if k != 5 else "- " + en,
                (k,),
                (k,),
                confidence=0.5 + k / 40,
                status=list(Status)[k % len(Status)],
                paragraph=k // 3,
                flags=("numbers",) if k % 4 == 0 else (),
                note="a | note\\" if k == 2 else "",
                quality=None if k % 3 == 0 else 0.3 + k / 20,
                reasons=("repeats 'the' 4 times", "numbers differ: 2 | 3") if k % 2 else (),
                origin=Origin.parse(["mt", "tm100", "tm101", "edited", ""][k % 5]),
            )
        )
    pairs.append(Pair("Zwei Sätze. In einer Zeile.", "Two sentences in one.", (10, 11), (10,)))
    return AlignedDocument("de", "en", tuple(pairs), name="sample", signature=Signature(method="translate", model="fixture"))


def _export_seeds(folder: Path, seeds: dict[str, list[Path]]) -> None:
    """The product's own exports of a small document, in every format; a TMX export of a memory."""
    from align.formats import FORMATS, to_bytes

    doc = _sample_document()
    for fmt in FORMATS:
        seeds[fmt].append(_write(folder / f"export.{fmt}", to_bytes(doc, fmt)))
    seeds["csv"].append(_write(folder / "two-columns.csv", "".join(f'"{d}","{e}"\r\n' for d, e in _sample_pairs()).encode()))
    from align.tm import TranslationMemory, export_tmx
    from align.tm.importer import import_file

    with tempfile.TemporaryDirectory() as tmp, TranslationMemory(Path(tmp) / "tm.sqlite3") as tm:
        import_file(tm, folder / "export.jsonl")
        export_tmx(tm, folder / "memory.tmx")
    seeds["tmx"].append(folder / "memory.tmx")


def _glossary_seeds(folder: Path, seeds: dict[str, list[Path]]) -> None:
    from align.glossary.tabular import glossary_to_tsv

    rows = [
        ("source", "target", "type", "note"),
        ("Fahrradbrücke", "cycle bridge; bike bridge", "term", "bridge"),
        ("Elbe", "", "do-not-translate", ""),
        ("", "bike lane", "forbidden", ""),
        ("Verkehrsminister", "transport minister", "", ""),
    ]
    seeds["glossary-csv"].append(_write(folder / "glossary.csv", "".join(",".join(row) + "\n" for row in rows).encode()))
    tsv = folder / "glossary-plain.tsv"
    tsv.write_text("".join(f"{row[0]}\t{row[1]}\n" for row in rows[1:]), encoding="utf-8", newline="\n")
    seeds["glossary-tsv"].append(tsv)
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(str(folder / "glossary.xlsx"))
    seeds["glossary-xlsx"].append(folder / "glossary.xlsx")
    seeds["tbx"] += [_write(folder / "basic.tbx", TBX_BASIC.encode()), _write(folder / "core.tbx", TBX_2019.encode())]
    from align.glossary.files import read_glossary

    glossary = read_glossary(folder / "glossary.csv")
    seeds["glossary-tsv"].append(_write(folder / "glossary.tsv", glossary_to_tsv(glossary)))


def _translated_seeds(folder: Path, seeds: dict[str, list[Path]]) -> None:
    """Translated documents the product writes (``align.docout``) from the Markdown, HTML and DOCX seeds."""
    from align.docout import write_translated
    from align.document import AlignedDocument, Pair
    from align.text.readers import read_text
    from align.text.segment import segment

    for kind in ("md", "html", "docx"):
        source = seeds[kind][0]
        sentences = segment(read_text(source), "de")
        pairs = tuple(Pair(s.text, f"Translated sentence {k}.", (k,), (k,)) for k, s in enumerate(sentences))
        doc = AlignedDocument("de", "en", pairs, tuple(sentences))
        seeds[kind].append(write_translated(doc, source, folder / f"translated.{kind}"))


JOB_XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:mq="MQXliff">
<file original="a.docx" source-language="de" target-language="en" datatype="x-docx"><body>
<trans-unit id="1" mq:status="NotStarted"><source>Klicken Sie <g id="1" ctype="bold">hier</g><x id="2"/>.</source></trans-unit>
<trans-unit id="2"><source>Eins. Zwei.</source>
<seg-source><mrk mid="0" mtype="seg">Eins.</mrk> <mrk mid="1" mtype="seg"><bpt id="3">&lt;i&gt;</bpt>Zwei<ept
 id="3">&lt;/i&gt;</ept>.</mrk></seg-source>
<target state="translated"><mrk mid="0" mtype="seg">One.</mrk></target><note>Two sentences</note></trans-unit>
<group translate="no"><trans-unit id="3"><source>ACME</source></trans-unit></group>
</body></file></xliff>
"""
JOB_XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="de" trgLang="en"><file id="f1">
<unit id="u1"><notes><note>Menu</note></notes><segment id="s1" state="final"><source>Öffne <pc id="1">die</pc></source>
<target>Open <pc id="1">the</pc></target></segment><ignorable><source> </source></ignorable>
<segment id="s2"><source>Datei<ph id="2"/> <sc id="3"/>jetzt<ec startRef="3"/></source></segment></unit>
</file></xliff>
"""
JOB_PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: main.c:3
#, c-format
msgid "Öffne %s in {name}"
msgstr ""

msgid "Eine Datei"
msgid_plural "%d Dateien"
msgstr[0] "One file"
msgstr[1] ""

#~ msgid "Alt"
#~ msgstr "Old"
"""


def _job_seeds(folder: Path, seeds: dict[str, list[Path]]) -> None:
    """Small jobs of every kind the exchange reads: XLIFF 1.2 (memoQ's namespace, segments, codes,
    a locked group), XLIFF 2.0, PO in UTF-8 and UTF-16."""
    seeds["xliff"] += [_write(folder / "job12.xlf", JOB_XLIFF12.encode()), _write(folder / "job20.xlf", JOB_XLIFF20.encode())]
    seeds["po"] += [_write(folder / "job.po", JOB_PO.encode()), _write(folder / "job16.po", JOB_PO.encode("utf-16"))]


def _bench_seeds(bench: Path, seeds: dict[str, list[Path]]) -> None:
    """Real files of the shared bench: Word documents, XLIFF (XML for the TMX and TBX readers), texts."""
    seeds["docx"] += sorted((bench / "docx-dev" / "files").glob("*.docx"))
    xliff = sorted((bench / "xliff-dev" / "files").glob("*"), key=lambda p: (p.stat().st_size, p.name))
    small = [p for p in xliff if p.stat().st_size < 20_000][:: max(1, len(xliff) // 12)][:6]
    seeds["tmx"] += small
    seeds["tbx"] += small[:3]
    seeds["xliff"] += small
    seeds["txt"] += sorted((bench / "sbd-dev").glob("00[1-3].txt")) + sorted((bench / "align-sample" / "src").glob("*"))
    samples = bench.parent / "samples"
    seeds["txt"] += sorted(samples.glob("*.de.txt")) if samples.is_dir() else []


TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>written by hand</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="definition">a bridge for bicycles</descrip>
      <langSet xml:lang="de-DE">
        <tig><term>Fahrradbrücke</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="en-GB">
        <tig><term>cycle bridge</term></tig>
        <tig><term>bike bridge</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      </langSet>
    </termEntry>
    <termEntry id="c3">
      <langSet xml:lang="en"><ntig><termGrp><term>bike lane</term>
        <termNote type="administrativeStatus">forbidden</termNote></termGrp></ntig></langSet>
    </termEntry>
  </body></text>
</martif>
"""
TBX_2019 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:basic="http://www.tbxinfo.net/ns/basic">
  <tbxHeader><fileDesc><sourceDesc><p>by hand</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="1">
      <langSec xml:lang="de"><termSec><term>Radweg</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>cycle path</term></termSec>
        <termSec><term>bike lane</term><basic:administrativeStatus>forbidden</basic:administrativeStatus></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def pdf_bytes(lines: Sequence[str], *, flate: bool = False, pages: int = 1, raw_content: bytes | None = None) -> bytes:
    """A PDF of Helvetica text lines on ``pages`` pages (WinAnsi), xref offsets computed;
    ``flate`` compresses the content streams; ``raw_content`` replaces the first page's stream."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    content = raw_content if raw_content is not None else "\n".join(ops).encode("cp1252", errors="replace")
    stream = zlib.compress(content, 9) if flate else content
    kids = " ".join(f"{3 + 2 * k} 0 R" for k in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()]
    font = 3 + 2 * pages
    for k in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * k} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        header = b"<< /Length %d%s >>\nstream\n" % (len(stream), b" /Filter /FlateDecode" if flate else b"")
        objects.append(header + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    return pdf_from_objects(objects)


def pdf_from_objects(objects: Sequence[bytes]) -> bytes:
    """Objects 1..n into a PDF file with a correct cross-reference table (object 1 the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- mutations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a mutation may use: the marker file an external entity points at, and the size an
    inflating mutation grows a file (or a ZIP member, or a PDF stream) to."""

    marker: Path
    inflate: int = 32 * MiB


Mutation = Callable[[random.Random, bytes, Context], bytes]
_JUNK = (
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"<",
    b"&",
    b'"',
    b"\r",
    b"\x1b[0m",
)


def flip(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A few bytes XOR-ed with random values."""
    out = bytearray(data or b"\x00")
    for _ in range(rng.choice((1, 2, 4, 16, 64))):
        out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Cut at a random point (or cut a chunk out of the middle)."""
    cut = rng.randrange(max(1, len(data)))
    if rng.random() < 0.3:
        return data[:cut] + data[cut + rng.randint(1, 4096) :]
    return data[:cut]


def insert_junk(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Invalid UTF-8, byte-order marks, NULs, markup characters at random points."""
    out = data
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(_JUNK) * rng.choice((1, 3, 100)) + out[at:]
    return out


def repeat_chunk(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A chunk of the file repeated until the file is megabytes long."""
    if not data:
        return b"x" * ctx.inflate
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 200)]
    count = rng.randint(ctx.inflate // 8, ctx.inflate) // len(chunk)
    return data[:start] + chunk * count + data[start:]


def long_line(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """One line (a word, or words without a sentence end) of megabytes at a line boundary."""
    ends = [m.end() for m in re.finditer(rb"\n", data[:1_000_000])] or [0]
    at = rng.choice(ends)
    size = rng.randint(ctx.inflate // 16, ctx.inflate // 2)
    line = b"x" * size if rng.random() < 0.5 else (b"Wort und " * (size // 9))
    return data[:at] + line + data[at:]


_BAITS = (
    b"*",
    b"_",
    b"[",
    b"`",
    b"<!--",
    b"| ",
    b"> ",
    b"- ",
    b"\\",
    b"(",
    b"&#",
    b"*a",
    b"[a](",
    b"<a ",
    b"]",
    b"\t",
    b"\r",
    b'"',
)


def regex_bait(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Long runs of markup characters: what makes a backtracking pattern take quadratic time or more."""
    at = rng.randrange(len(data) + 1)
    bait = rng.choice(_BAITS) * rng.choice((1_000, 10_000, 100_000))
    return data[:at] + bait + b" x" + data[at:]


def nest_text(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Nesting thousands deep in the file's own syntax: Markdown quotes and lists, HTML elements,
    JSON arrays (also placed where a reader expects an object's value)."""
    depth = rng.choice((1_000, 10_000, 100_000))
    style = rng.randrange(5)
    if style == 0:
        nested = b"> " * depth + b"x\n"
    elif style == 1:
        nested = b"".join(b"  " * min(k, 2000) + b"- x\n" for k in range(min(depth, 5000)))
    elif style == 2:
        nested = b"<div>" * depth + b"x" + b"</div>" * depth
    elif style == 3:
        nested = b"[" * depth + b"]" * depth + b"\n"
    else:
        nested = b'{"type": "pair", "source": ' + b"[" * depth + b"]" * depth + b', "target": "x"}\n'
    lines = data.split(b"\n")
    at = rng.randrange(len(lines) + 1)
    return b"\n".join([*lines[:at], nested, *lines[at:]])


def json_values(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A value of a JSON line replaced by one of another type, a number of thousands of digits,
    NaN, a huge float or a string of a million characters."""
    lines = data.split(b"\n")
    candidates = [k for k, line in enumerate(lines) if line.strip().startswith(b"{")]
    if not candidates:
        return flip(rng, data, ctx)
    k = rng.choice(candidates)
    try:
        record = json.loads(lines[k])
    except ValueError:
        return flip(rng, data, ctx)
    if not isinstance(record, dict) or not record:
        return flip(rng, data, ctx)
    key = rng.choice(sorted(record))
    replacement = rng.choice(
        ("NaN", "1e999", "-0", "9" * 5000, "[]", "{}", "null", "true", '"' + "x" * 1_000_000 + '"', '"\\ud800"')
    )
    record[key] = "@@VALUE@@"
    lines[k] = json.dumps(record).replace('"@@VALUE@@"', replacement).encode()
    return b"\n".join(lines)


def csv_quotes(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Unbalanced quotes, a field of megabytes, or a row of a hundred thousand columns."""
    style = rng.randrange(3)
    at = rng.randrange(len(data) + 1)
    if style == 0:
        return data[:at] + b'"' + data[at:]
    if style == 1:
        return data[:at] + b'"' + b"y" * rng.randint(200_000, ctx.inflate // 4) + b'"' + data[at:]
    return data[:at] + rng.choice((b",", b"\t", b";")) * 100_000 + b"\n" + data[at:]


# -- XML --------------------------------------------------------------------------------------------

_START_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)(?:\s[^<>]*)?(?<!/)>")


def _text_points(data: bytes) -> list[int]:
    """Offsets just after a start tag (inside an element's content); the start when there are none."""
    return [m.end() for m in _START_TAG.finditer(data[:2_000_000])] or [0]


def _with_doctype(data: bytes, subset: bytes) -> bytes:
    """``data`` with a DOCTYPE holding ``subset`` after the XML declaration (an old DOCTYPE goes)."""
    data = re.sub(rb"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", b"", data, count=1, flags=re.S)
    match = _START_TAG.search(data)
    root = match.group(1) if match else b"root"
    declaration = re.match(rb"\s*(\xef\xbb\xbf)?<\?xml[^>]*\?>", data)
    at = declaration.end() if declaration else 0
    return data[:at] + b"\n<!DOCTYPE " + root + b" [" + subset + b"]>\n" + data[at:]


def xml_nest(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Elements nested thousands deep inside an element of the file."""
    depth = rng.choice((300, 3_000, 30_000, 300_000))
    name = rng.choice((b"hi", b"sub", b"seg", b"tu", b"span", b"div", b"w:r", b"langSet", b"x"))
    at = rng.choice(_text_points(data))
    return data[:at] + (b"<" + name + b">") * depth + b"x" + (b"</" + name + b">") * depth + data[at:]


def xml_entities(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Entities: a billion laughs, a quadratic blow-up, an external entity to the marker file (in text,
    in an attribute, as a parameter entity)."""
    style = rng.randrange(5)
    marker = ctx.marker.as_uri().encode()
    if style == 0:
        subset = b'<!ENTITY e0 "lol">' + b"".join(b'<!ENTITY e%d "%s">' % (k, b"&e%d;" % (k - 1) * 10) for k in range(1, 10))
        reference = b"&e9;"
    elif style == 1:
        subset = b'<!ENTITY big "' + b"x" * 100_000 + b'">'
        reference = b"&big;" * 20_000
    elif style == 2:
        subset = b'<!ENTITY ext SYSTEM "' + marker + b'">'
        reference = b"&ext;"
    elif style == 3:
        subset = b'<!ENTITY % ext SYSTEM "' + marker + b'"> %ext;'
        reference = b""
    else:
        subset = b'<!ENTITY ext SYSTEM "' + marker + b'"><!ENTITY int "intern">'
        reference = b"&int;&ext;&undefined;"
    out = _with_doctype(data, subset)
    at = rng.choice(_text_points(out)[1:] or [len(out)])
    return out[:at] + reference + out[at:]


def xml_encoding(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """The declared encoding changed (to a wrong, odd or unknown one), or the bytes transcoded
    without changing the declaration."""
    style = rng.randrange(3)
    declaration = re.compile(rb"<\?xml[^>]*\?>")
    if style == 0:
        new = (
            b'<?xml version="1.0" encoding="'
            + rng.choice((b"UTF-16", b"EBCDIC-US", b"ISO-2022-JP", b"bogus", b"UTF-32"))
            + b'"?>'
        )
        return declaration.sub(new, data, count=1) if declaration.search(data) else new + data
    if style == 1:
        try:
            return data.decode("utf-8").encode(rng.choice(("utf-16-le", "utf-16", "utf-32", "cp1252")))
        except (UnicodeError, LookupError):
            return data
    return b"\xef\xbb\xbf\xff\xfe" + data


# -- ZIP --------------------------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info, archive.read(info)) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
        return None


def _zip(members: Sequence[tuple[zipfile.ZipInfo | str, bytes]], level: int = 6) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        warnings.simplefilter("ignore", UserWarning)  # a doubled member name is the mutation
        for info, content in members:
            name = info if isinstance(info, str) else info.filename
            fresh = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            fresh.compress_type = zipfile.ZIP_DEFLATED
            if not isinstance(info, str):
                fresh.external_attr = info.external_attr
            archive.writestr(fresh, content)
    return out.getvalue()


def _pick_member(rng: random.Random, members: list[tuple[zipfile.ZipInfo, bytes]]) -> int:
    """A member, preferring XML and JSON parts (what the readers parse)."""
    parsed = [k for k, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels", ".json"))]
    return rng.choice(parsed) if parsed and rng.random() < 0.8 else rng.randrange(len(members))


def zip_member(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """One member's content mutated (bytes, XML or JSON mutations), the archive rewritten validly."""
    members = _members(data)
    if not members:
        return flip(rng, data, ctx)
    k = _pick_member(rng, members)
    info, content = members[k]
    choices: list[Mutation] = [flip, truncate, insert_junk]
    if info.filename.endswith((".xml", ".rels")):
        choices += [xml_nest, xml_entities, xml_encoding, xml_nest, xml_entities]
    if info.filename.endswith(".json"):
        choices += [json_values, nest_text, json_values]
    members[k] = (info, rng.choice(choices)(rng, content, ctx))
    return _zip(members)


def zip_bomb(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A member grown hugely with content that compresses extremely well (whitespace inside an XML
    part, or many empty elements), compressed again: megabytes in, hundreds of megabytes out."""
    members = _members(data)
    if not members:
        return repeat_chunk(rng, data, ctx)
    k = _pick_member(rng, members)
    info, content = members[k]
    at = content.rfind(b"</") if b"</" in content else len(content)
    size = rng.choice((ctx.inflate, 4 * ctx.inflate))
    filler = b" " if rng.random() < 0.5 else rng.choice((b"<w:p/>", b"<row/>", b"<x/>", b"<p/>"))
    members[k] = (info, content[:at] + filler * (size // len(filler)) + content[at:])
    return _zip(members, level=9)


_LETTERS = bytes(ord("a") + n % 10 for n in range(256))  # any byte -> one of ten letters
_DENSE = {
    b"w:body": b"<w:p><w:r><w:t>%s</w:t></w:r></w:p>",
    b"sheetData": b'<row><c t="inlineStr"><is><t>%s</t></is></c></row>',
}


def zip_dense(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A part grown with many small, slightly different elements (Word paragraphs, sheet rows):
    compressed about 15 times, under any ratio limit, but a tree of millions of nodes once parsed."""
    members = _members(data)
    if not members:
        return repeat_chunk(rng, data, ctx)
    for k, (info, content) in enumerate(members):
        for container, unit in _DENSE.items():
            at = content.find(b"<" + container)
            if at >= 0 and info.filename.endswith(".xml"):
                at = content.index(b">", at) + 1
                count = rng.randint(ctx.inflate // 2, ctx.inflate) // len(unit % b"abc")
                letters = rng.randbytes(3 * count).translate(_LETTERS)
                grown = b"".join(unit % letters[3 * n : 3 * n + 3] for n in range(count))
                members[k] = (info, content[:at] + grown + content[at:])
                return _zip(members, level=9)
    return zip_bomb(rng, data, ctx)


def zip_structure(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """The archive itself: a member dropped or doubled, ten thousand more members, a path outside
    the archive, an absolute path, a symbolic link."""
    found = _members(data)
    if not found:
        return truncate(rng, data, ctx)
    members: list[tuple[zipfile.ZipInfo | str, bytes]] = list(found)
    style = rng.randrange(6)
    k = rng.randrange(len(found))
    top = found[0][0].filename.split("/")[0]
    if style == 0:
        del members[k]
    elif style == 1:
        members.append((found[k][0].filename, b"<other/>"))
    elif style == 2:
        members += [(f"{top}/many/{n}.txt", b"") for n in range(10_050)]
    elif style in (3, 4):
        members.append((rng.choice(("../../escaped.txt", "/tmp/absolute.txt", f"{top}/../../up.txt", "..\\back.txt")), b"x"))
    else:
        link = zipfile.ZipInfo(f"{top}/link", date_time=(2024, 1, 1, 0, 0, 0))
        link.external_attr = (0o120777 << 16) | 0x10
        members.append((link, b"/etc/passwd"))
    return _zip(members)


def zip_headers(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A member's headers lie: a wrong declared size, an unsupported compression method, the
    encryption flag, a wrong CRC (data left as it is)."""
    out = bytearray(data)
    centrals = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
    locals_ = [m.start() for m in re.finditer(rb"PK\x03\x04", data)]
    if not centrals:
        return flip(rng, data, ctx)
    central = rng.choice(centrals)
    style = rng.randrange(4)
    if style == 0:  # uncompressed size (central directory offset 24)
        out[central + 24 : central + 28] = struct.pack("<I", rng.choice((0, 1, 0xFFFFFFFF, 1 << 31, 10)))
    elif style == 1:  # compression method (offset 10 central, 8 local): deflate64, bzip2, lzma, AES, unknown
        method = struct.pack("<H", rng.choice((9, 12, 14, 99, 77)))
        out[central + 10 : central + 12] = method
        for local in locals_:
            out[local + 8 : local + 10] = method
    elif style == 2:  # general purpose flag: encrypted
        out[central + 8] |= 1
        for local in locals_:
            out[local + 6] |= 1
    else:  # CRC-32
        out[central + 16 : central + 20] = struct.pack("<I", rng.getrandbits(32))
    return bytes(out)


# -- PDF --------------------------------------------------------------------------------------------


def pdf_bomb(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """A page whose FlateDecode content stream inflates to hundreds of megabytes."""
    size = rng.choice((ctx.inflate, 4 * ctx.inflate))
    compressor = zlib.compressobj(9)
    chunk = b"BT /F1 11 Tf 72 760 Td (x) Tj ET\n" if rng.random() < 0.5 else b" " * 65536
    parts = [compressor.compress(chunk * (MiB // len(chunk))) for _ in range(size // MiB)]
    stream = b"".join(parts) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def pdf_structure(rng: random.Random, data: bytes, ctx: Context) -> bytes:
    """Self-referencing page trees, arrays nested thousands deep, lying lengths and counts, a
    cross-reference table that points nowhere."""
    style = rng.randrange(6)
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    content = b"BT /F1 11 Tf 72 760 Td (Ein Satz.) Tj ET"
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    if style == 0:
        pages = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"  # the tree contains itself
    elif style == 1:
        depth = rng.choice((1_000, 10_000, 100_000))
        page = page.replace(b"/MediaBox [0 0 612 792]", b"/MediaBox " + b"[" * depth + b"]" * depth)
    elif style == 2:
        stream = stream.replace(b"/Length %d" % len(content), b"/Length " + rng.choice((b"-1", b"99999999999", b"6 0 R", b"/x")))
    elif style == 3:
        pages = b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>"
    elif style == 4:
        page = page.replace(b"/Parent 2 0 R", b"/Parent 3 0 R")  # its own parent
    else:
        out = pdf_from_objects([b"<< /Type /Catalog /Pages 2 0 R >>", pages, page, stream, font])
        return out.replace(b"startxref\n", b"startxref\n9" + b"9" * rng.randint(1, 30))
    return pdf_from_objects([b"<< /Type /Catalog /Pages 2 0 R >>", pages, page, stream, font])


# -- which mutations for which seed ------------------------------------------------------------------

_BYTES: tuple[Mutation, ...] = (flip, truncate, insert_junk, repeat_chunk)
MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "txt": (*_BYTES, long_line, regex_bait, nest_text),
    "md": (*_BYTES, long_line, regex_bait, nest_text, nest_text),
    "html": (*_BYTES, long_line, regex_bait, nest_text, xml_entities, xml_nest),
    "csv": (*_BYTES, long_line, csv_quotes, csv_quotes, regex_bait),
    "tsv": (*_BYTES, long_line, csv_quotes, csv_quotes, regex_bait),
    "jsonl": (*_BYTES, long_line, json_values, json_values, nest_text, nest_text),
    "tmx": (*_BYTES, xml_nest, xml_entities, xml_entities, xml_encoding, long_line),
    "tbx": (*_BYTES, xml_nest, xml_entities, xml_entities, xml_encoding),
    "xliff": (*_BYTES, xml_nest, xml_entities, xml_entities, xml_encoding, long_line),
    "po": (*_BYTES, long_line, regex_bait, nest_text),
    "docx": (flip, truncate, zip_member, zip_member, zip_member, zip_bomb, zip_dense, zip_structure, zip_headers),
    "xlsx": (flip, truncate, zip_member, zip_member, zip_member, zip_bomb, zip_dense, zip_structure, zip_headers),
    "argosmodel": (flip, truncate, zip_member, zip_member, zip_bomb, zip_structure, zip_structure, zip_headers),
    "pdf": (flip, truncate, insert_junk, pdf_bomb, pdf_structure, pdf_structure),
}
MUTATIONS["glossary-csv"] = MUTATIONS["csv"]
MUTATIONS["glossary-tsv"] = MUTATIONS["tsv"]
MUTATIONS["glossary-xlsx"] = MUTATIONS["xlsx"]


@dataclass(frozen=True)
class Input:
    """One mutated input: which reader, its number, the seed file and the mutation."""

    reader: Reader
    index: int
    seed: Path
    mutation: str
    data: bytes


def mutated_inputs(reader: Reader, count: int, seed: int, seeds: dict[str, list[Path]], ctx: Context) -> Iterator[Input]:
    """``count`` inputs for ``reader``: input ``i`` depends only on (seed, reader, i) and the seed files."""
    pool = seeds.get(reader.seeds) or []
    if not pool:
        raise ValueError(f"no seed files of kind {reader.seeds!r} for reader {reader.name}")
    mutations = MUTATIONS.get(reader.seeds, _BYTES)
    for index in range(count):
        rng = random.Random(f"{seed}:{reader.name}:{index}")
        source = rng.choice(pool)
        mutation = rng.choice(mutations)
        data = mutation(rng, source.read_bytes(), ctx)
        yield Input(reader, index, source, mutation.__name__, data)


# ---- the worker ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one read did: ``ok`` (read), ``error`` (a product error), ``finding`` (anything else)."""

    kind: str
    error: str = ""  # the exception's type
    message: str = ""  # its first line
    where: str = ""  # the innermost product frame, and the innermost frame, of its traceback
    rss_mb: float = 0.0
    seconds: float = 0.0
    unnamed: bool = False  # a product error whose message is not one line naming the file


def _status(key: str) -> int:
    """A field of /proc/self/status in kB (VmHWM: peak resident memory)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:  # not Linux: no figure
        pass
    return 0


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux: writing 5 to clear_refs), so each read gets its own peak."""
    try:
        with open("/proc/self/clear_refs", "wb") as handle:
            handle.write(b"5")
    except OSError:
        pass


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return ""
    ours = [f for f in frames if "/align/" in f.filename]

    def short(frame: traceback.FrameSummary) -> str:
        parts = Path(frame.filename).parts
        return "/".join(parts[-2:]) + f":{frame.lineno}"

    inner = short(frames[-1])
    return f"{short(ours[-1])} ({inner})" if ours and ours[-1] is not frames[-1] else inner


def attempt(reader: Reader, path: Path, scratch: Path) -> Outcome:
    """Read one input in this process and classify what happened."""
    from align.errors import AlignError

    _reset_peak()
    started = time.perf_counter()
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        text = read_one(reader, path, scratch)
        outcome = Outcome("finding", "MarkerLeaked", "an external entity was resolved") if MARKER_TEXT in text else Outcome("ok")
    except AlignError as err:
        message = str(err)
        outcome = Outcome("error", type(err).__name__, _first_line(message), unnamed=path.name not in message or "\n" in message)
    except MemoryError as err:
        outcome = Outcome("finding", "MemoryError", "the address-space cap was reached", _where(err))
    except Exception as err:  # every other exception is what the fuzzer looks for
        outcome = Outcome("finding", type(err).__name__, _first_line(str(err)), _where(err))
    outcome.seconds = time.perf_counter() - started
    outcome.rss_mb = _status("VmHWM") / 1024
    shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def _first_line(text: str) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line[:200] + ("…" if len(line) > 200 else "")


def _serve(conn: Connection, memory_bytes: int, scratch: str) -> None:
    """The worker: cap the address space, then read each (reader, path) the parent sends."""
    import logging

    logging.disable(logging.CRITICAL)  # readers and their libraries log what they skip; the parent reports
    warnings.simplefilter("ignore")
    if memory_bytes and resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone
            return
        if task is None:
            return
        name, path = task
        reader = READERS.get(name) or CHECK_READERS[name]
        conn.send(attempt(reader, Path(path), Path(scratch)))


# ---- the parent ------------------------------------------------------------------------------------


@dataclass
class Finding:
    """A read that did something other than read or raise a product error."""

    reader: str
    index: int
    seed: str
    mutation: str
    error: str
    message: str
    where: str
    saved: str = ""

    def describe(self) -> str:
        place = f" at {self.where}" if self.where else ""
        saved = f"\n    input: {self.saved}" if self.saved else ""
        return f"{self.reader} #{self.index} ({self.mutation} of {self.seed}): {self.error}: {self.message}{place}{saved}"


@dataclass
class ReaderReport:
    """One reader's run: inputs tried, how many read, how many were product errors, the findings."""

    reader: str
    tried: int = 0
    ok: int = 0
    errors: int = 0
    findings: list[Finding] = field(default_factory=list)
    max_rss_mb: float = 0.0
    seconds: float = 0.0
    slowest: float = 0.0
    unnamed: list[str] = field(default_factory=list)  # product errors not naming the file in one line

    def describe(self) -> str:
        return "\n".join(f.describe() for f in self.findings) or f"{self.reader}: no findings"


class Fuzzer:
    """Runs mutated inputs through a capped worker process; restarts it after a timeout, a death
    or a ``MemoryError``. Use as a context manager."""

    def __init__(
        self,
        scratch: Path,
        *,
        memory_mb: int = 1536,
        timeout: float = 30.0,
        inflate_mb: int = 32,
        bench: Path | None = BENCH,
        save: Path | None = None,
    ) -> None:
        self.scratch = Path(scratch)
        self.memory_bytes = memory_mb * MiB
        self.timeout = timeout
        self.save = save
        self.scratch.mkdir(parents=True, exist_ok=True)
        marker = self.scratch / "marker.txt"
        marker.write_text(MARKER_TEXT, encoding="ascii", newline="\n")
        self.context = Context(marker=marker, inflate=inflate_mb * MiB)
        self.seeds = build_seeds(self.scratch / "seeds", bench)
        self._spawn = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None

    def __enter__(self) -> Fuzzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (politely, then by force)."""
        if self._process is None:
            return
        try:
            assert self._conn is not None
            self._conn.send(None)
            self._process.join(5)
        except (OSError, BrokenPipeError):
            pass
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._process = self._conn = None

    def _worker(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            parent, child = self._spawn.Pipe()
            work = str(self.scratch / "work")
            self._process = self._spawn.Process(target=_serve, args=(child, self.memory_bytes, work), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
        assert self._conn is not None
        return self._conn

    def _kill(self) -> int | None:
        self._process.kill()
        self._process.join()
        code = self._process.exitcode
        self._process = self._conn = None
        return code

    def read(self, reader: Reader, path: Path, timeout: float | None = None) -> Outcome:
        """One input through the worker, with the time limit (``timeout`` or the fuzzer's)."""
        limit = self.timeout if timeout is None else timeout
        conn = self._worker()
        conn.send((reader.name, str(path)))
        try:
            if conn.poll(limit):
                outcome: Outcome = conn.recv()
                if outcome.error == "MemoryError":
                    self._kill()  # a process that ran out of memory may be in any state
                return outcome
        except (EOFError, OSError):
            self._process.join(5)
            code = self._process.exitcode
            self._process = self._conn = None
            return Outcome("finding", "WorkerDied", f"the worker process ended with exit code {code}")
        self._kill()
        return Outcome("finding", "Timeout", f"no result after {limit:.0f} s", seconds=limit)

    def run_reader(self, name: str, count: int, seed: int, *, timeout: float | None = None) -> ReaderReport:
        """``count`` mutated inputs through reader ``name`` (``timeout``: per input, else the fuzzer's)."""
        reader = READERS.get(name) or CHECK_READERS[name]
        report = ReaderReport(name)
        started = time.perf_counter()
        inputs = self.scratch / "inputs"
        inputs.mkdir(exist_ok=True)
        for item in mutated_inputs(reader, count, seed, self.seeds, self.context):
            path = inputs / f"{name}-{item.index}{reader.suffix}"
            path.write_bytes(item.data)
            outcome = self.read(reader, path, timeout)
            self._count(report, item, outcome, path)
            path.unlink(missing_ok=True)
        report.seconds = time.perf_counter() - started
        return report

    def _count(self, report: ReaderReport, item: Input, outcome: Outcome, path: Path) -> None:
        report.tried += 1
        report.max_rss_mb = max(report.max_rss_mb, outcome.rss_mb)
        report.slowest = max(report.slowest, outcome.seconds)
        if outcome.kind == "ok":
            report.ok += 1
        elif outcome.kind == "error":
            report.errors += 1
            if outcome.unnamed:
                report.unnamed.append(f"{item.mutation} of {item.seed.name}: {outcome.error}: {outcome.message}")
        else:
            saved = ""
            if self.save is not None:
                self.save.mkdir(parents=True, exist_ok=True)
                target = self.save / f"{report.reader}-{item.index}-{item.mutation}{item.reader.suffix}"
                shutil.copyfile(path, target)
                saved = str(target)
            report.findings.append(
                Finding(
                    report.reader, item.index, item.seed.name, item.mutation, outcome.error, outcome.message, outcome.where, saved
                )
            )


# ---- the command --------------------------------------------------------------------------------


def format_table(reports: Sequence[ReaderReport]) -> str:
    """The reader table and, below it, the findings grouped by reader, error and place."""
    columns = ("tried", 6), ("read", 6), ("errors", 7), ("unnamed", 8), ("findings", 9), ("max RSS MB", 11), ("slowest s", 10)
    head = f"{'reader':<15}" + "".join(f" {name:>{width}}" for name, width in columns)
    lines = [head, "-" * len(head)]
    for r in reports:
        lines.append(
            f"{r.reader:<15} {r.tried:>6} {r.ok:>6} {r.errors:>7} {len(r.unnamed):>8} {len(r.findings):>9} "
            f"{r.max_rss_mb:>11.0f} {r.slowest:>10.1f}"
        )
    lines.append("(errors: the product's own; unnamed: of those, messages not naming the file in one line)")
    for r in reports:
        for example in dict.fromkeys(r.unnamed[:3]):
            lines.append(f"  unnamed {r.reader}: {example}")
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for r in reports:
        for f in r.findings:
            groups.setdefault((f.reader, f.error, f.where), []).append(f)
    if groups:
        lines.append("\nfindings (reader, exception, place: count, first input):")
    for (reader, error, where), found in groups.items():
        first = found[0]
        lines.append(f"  {reader}: {error} at {where or '?'}: {len(found)}x, e.g. {first.describe()}")
        family = (READERS.get(reader) or CHECK_READERS[reader]).family
        if first.saved and family in REPRO:
            lines.append(f"    repro: {REPRO[family].replace('PATH', repr(first.saved))}")
    return "\n".join(lines)


def run(
    readers: Sequence[str],
    per_reader: int,
    seed: int,
    *,
    memory_mb: int = 1536,
    timeout: float = 30.0,
    inflate_mb: int = 32,
    bench: Path | None = BENCH,
    save: Path | None = None,
    progress: Callable[[ReaderReport], None] | None = None,
) -> list[ReaderReport]:
    """Fuzz each reader with ``per_reader`` inputs; ``progress`` hears each finished reader."""
    reports = []
    with tempfile.TemporaryDirectory(prefix="align-fuzz-") as tmp:
        fuzzer = Fuzzer(Path(tmp), memory_mb=memory_mb, timeout=timeout, inflate_mb=inflate_mb, bench=bench, save=save)
        with fuzzer:
            for name in readers:
                report = fuzzer.run_reader(name, per_reader, seed)
                reports.append(report)
                if progress is not None:
                    progress(report)
    return reports
