"""Word documents translated whole: is every paragraph of every part translated, and does every
kind of inline formatting survive?

    python -m devtools bench docx [--files DIR] [--mode pseudo|fixture] [--package FILE] [--json PATH] [--keep DIR]

Each ``.docx`` of ``--files`` (default: ``../shared/bench/docx-dev/files``) is read, segmented and
translated, and written back with ``align.docout.render_translated``:

* ``pseudo`` (default): every sentence becomes its pseudo-translation (``align.exchange.pseudo``:
  accented, framed, 30% longer), its codes moved with it: every paragraph that went through
  translation must differ from its source, so (a) measures exactly what was left out;
* ``fixture``: the shipped fixture model (``--package``) translates, the product's word aligner places
  the codes. A paragraph whose sentences the model echoed unchanged counts as translated.

Per paragraph with text, in every part (body, tables, headers, footers, footnotes, endnotes, text
boxes: ``align.text.readers.docx_paragraphs``, which the output has the same of):

(a) translated: its output text differs from its source's (or, ``fixture``, every sentence of it
    was echoed). Target >= 99%.
(b) the count of each kind of code equals the source's: stretches of consecutive text runs that are
    bold, italic, underlined, in one hyperlink, in one character style (runs without a letter or
    digit do not count: a space, or a pseudo-translation's frame, may take any formatting);
    footnote and endnote references; fields. Target 100%.

A file refused by the reader counts as a failure unless its parts hold no text at all. The paragraphs
and files that fail are listed.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FILES = REPO.parent / "shared" / "bench" / "docx-dev" / "files"
FIXTURE = REPO / "data" / "models" / "translate-de_en-fixture.argosmodel"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OFF = frozenset({"0", "false", "off", "none"})

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    name: str
    paragraphs: int = 0
    translated: int = 0
    codes_equal: int = 0
    refused: str = ""
    failures: list[str] = field(default_factory=list)


def code_counts(paragraph: Any) -> Counter[str]:
    """The codes of a paragraph by kind (see the module doc)."""
    from align.text.readers import docx_runs

    counts: Counter[str] = Counter()
    last: dict[str, Any] = {}
    for run in docx_runs(paragraph):
        counts["footnote"] += sum(1 for _ in run.iter(f"{_W}footnoteReference", f"{_W}endnoteReference"))
        counts["field"] += sum(1 for c in run.iter(f"{_W}fldChar") if c.get(f"{_W}fldCharType") == "begin")
        if not any(c.isalnum() for t in run.iter(f"{_W}t") for c in t.text or ""):
            continue  # a space or a pseudo-translation's bracket takes any formatting
        for kind, value in _looks(run).items():
            if value is not None and value != last.get(kind):
                counts[kind] += 1
            last[kind] = value
    counts["field"] += sum(1 for _ in paragraph.iter(f"{_W}fldSimple"))
    return +counts


def _looks(run: Any) -> dict[str, Any]:
    """A run's value of each kind of formatting (None: not formatted so)."""
    rpr = run.find(f"{_W}rPr")

    def on(tag: str) -> bool | None:
        element = rpr.find(f"{_W}{tag}") if rpr is not None else None
        if element is None:
            return None
        return True if element.get(f"{_W}val", "true").lower() not in _OFF else None

    style = rpr.find(f"{_W}rStyle") if rpr is not None else None
    link = run.getparent()
    while link is not None and link.tag not in (f"{_W}hyperlink", f"{_W}p"):
        link = link.getparent()
    target = (link.get(_R_ID) or "", link.get(f"{_W}anchor") or "") if link is not None and link.tag == f"{_W}hyperlink" else None
    looks = {
        "bold": on("b"),
        "italic": on("i"),
        "underline": on("u"),
        "style": style.get(f"{_W}val") if style is not None else None,
    }
    # formatting in two hyperlinks is two codes, as it is in HTML or XLIFF
    return {"hyperlink": target, **{kind: (value, target) if value is not None else None for kind, value in looks.items()}}


def paragraph_text(paragraph: Any) -> str:
    from align.text.readers import docx_runs

    return re.sub(r"\s+", " ", "".join(run.text for run in docx_runs(paragraph))).strip()


def has_text(data: bytes) -> bool:
    """Does any XML part of a Word file hold text in ``w:t``?"""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml") and re.search(rb"<w:t(?: [^>]*)?>[^<]*\S", archive.read(name)):
                return True
    return False


def pseudo_translator() -> tuple[Callable[[Sequence[str]], list[str]], Any]:
    from align.exchange.pseudo import pseudo_text

    def placer(source: str, target: str, codes: tuple[Any, ...]) -> tuple[Any, ...]:
        return pseudo_text(source, codes)[1]

    return (lambda texts: [pseudo_text(t, ())[0] for t in texts]), placer


def measure(
    path: Path,
    translate: Callable[[Sequence[str]], list[str]],
    placer: Any,
    aligner: Any,
    keep: Path | None,
    made: Path | None = None,
) -> FileResult:
    """One file through reading, translation and writing, measured (see the module doc); with
    ``made``, the translated file of that name there is measured instead of one written now."""
    import docx

    from align.docout import render_translated
    from align.document import AlignedDocument, Pair, Sentence
    from align.errors import AlignError
    from align.text.readers import _load_notes_as_xml, docx_paragraphs, open_source
    from align.text.segment import segment

    result = FileResult(path.name)
    try:
        text = open_source(path).source.text
    except AlignError as error:
        if has_text(path.read_bytes()):
            result.refused = str(error)
        return result
    sentences = segment(text, "de")
    targets = translate([s.text for s in sentences])
    pairs = tuple(
        Pair(source=s.text, target=t, src_ids=(i,), tgt_ids=(i,), paragraph=s.paragraph)
        for i, (s, t) in enumerate(zip(sentences, targets, strict=True))
    )
    doc = AlignedDocument("de", "en", pairs, tuple(sentences), tuple(Sentence(t) for t in targets), name=path.name)
    data = (made / path.name).read_bytes() if made else render_translated(doc, path, "docx", aligner=aligner, placer=placer)
    if keep is not None:
        (keep / path.name).write_bytes(data)
    echoed = {s.text for s, t in zip(sentences, targets, strict=True) if s.text == t}
    _load_notes_as_xml()
    source, output = docx.Document(str(path)), docx.Document(io.BytesIO(data))
    for n, ((before, _), (after, _)) in enumerate(zip(docx_paragraphs(source), docx_paragraphs(output), strict=True)):
        old = paragraph_text(before)
        if not old:
            continue
        result.paragraphs += 1
        new = paragraph_text(after)
        inside = [s.text for s in segment(old, "de")]
        if new != old or (inside and all(s in echoed for s in inside)):
            result.translated += 1
        else:
            result.failures.append(f"paragraph {n} not translated: {old[:60]!r}")
        want, got = code_counts(before), code_counts(after)
        if want == got:
            result.codes_equal += 1
        else:
            result.failures.append(f"paragraph {n} codes {dict(want)} -> {dict(got)}: {old[:50]!r}")
    return result


def fixture_translator(package: Path, home: Path) -> tuple[Callable[[Sequence[str]], list[str]], Any]:
    from align.mt.packages import install_from_path
    from align.mt.translate import load_translator
    from align.settings import load_settings
    from align.words.aligner import WordAligner

    settings = load_settings(home=home)
    install_from_path(package, settings)
    translator = load_translator("de", "en", settings)

    def translate(texts: Sequence[str]) -> list[str]:
        return translator.translate(list(texts)) if texts else []

    return translate, WordAligner(settings.cache_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench docx", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=Path, default=DEFAULT_FILES, help="folder of .docx files (default %(default)s)")
    parser.add_argument("--mode", choices=("pseudo", "fixture"), default="pseudo")
    parser.add_argument("--package", type=Path, default=FIXTURE, help="the de->en package for --mode fixture")
    parser.add_argument("--json", type=Path, help="write the figures and failures here")
    parser.add_argument("--keep", type=Path, help="write each translated file into this folder")
    parser.add_argument("--made", type=Path, help="measure the translated files of this folder (another version's --keep)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    files = sorted(args.files.glob("*.docx"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-docx-") as scratch:
        aligner = None
        if args.mode == "pseudo":
            translate, placer = pseudo_translator()
        else:
            translate, aligner = fixture_translator(args.package, Path(scratch))
            placer = None
        results = [measure(path, translate, placer, aligner, args.keep, args.made) for path in files]
    paragraphs = sum(r.paragraphs for r in results)
    translated = sum(r.translated for r in results)
    equal = sum(r.codes_equal for r in results)
    refused = [r for r in results if r.refused]
    print(f"{len(files)} files ({args.mode}), {paragraphs} paragraphs with text, {len(refused)} files with text refused")
    print(f"(a) translated: {translated}/{paragraphs} = {translated / max(paragraphs, 1):.1%} (target >= 99%)")
    print(f"(b) codes per kind equal: {equal}/{paragraphs} = {equal / max(paragraphs, 1):.1%} (target 100%)")
    for r in results:
        for line in ([f"refused: {r.refused}"] if r.refused else []) + r.failures:
            print(f"  {r.name}: {line}")
    if args.json:
        figures = {
            "mode": args.mode,
            "files": len(files),
            "paragraphs": paragraphs,
            "translated": translated,
            "codes_equal": equal,
        }
        args.json.write_text(
            json.dumps({**figures, "results": [asdict(r) for r in results]}, indent=1), encoding="utf-8", newline="\n"
        )
    return 0
