"""Inline codes on a human translation: does bold, italic or a link around a German phrase land on
the English words that render it?

    python -m devtools bench codes [--set FILE] [--threads 2] [--cache DIR] [--no-documents] [--attention] [--json PATH]
    python -m devtools bench codes --write-documents DIR     (the set's DOCX and HTML files, German and gold English)

The dev set (``tests/data/codes-dev/codes-dev.jsonl``, its README says how it was made) holds real
German sentences with bold words, italic words and links, each with its human English translation
and the gold target span of every code, both written as ``align.codes.markup`` writes them
(``<1>...</1>``). Every code is placed on the human translation and compared with its gold span by
the target words it holds (the words wholly inside it, split as ``align.words.split`` splits them):
**exact** when they are the gold span's words, and the word-overlap F1 (0 for a code placed around
nothing). Figures per kind of code, per document format, and per part of the set (sentences of the
word-alignment gold, whose spans were checked against its links, and held-out sentences outside it).

1. **Placement** (always): the product's path, ``WordAligner`` (method ``tags.METHOD``) and
   ``tags.place_codes``. With the gold alignment's sure links instead (sentences of the
   word-alignment gold only) for a ceiling: how far the annotated spans follow the gold links.
2. **Documents** (unless ``--no-documents``): each group of sentences is a small DOCX or HTML
   document (its ``format``), written with the human translation as confirmed rows through the
   writer ``export-doc`` uses (``align.docout.write_translated``); the bold, italic and link spans
   are read back from the written file and matched with the gold spans of their kind in the same
   paragraph (a document does not number its codes). The gold English documents read back the same
   way are the reader's check (1.0 when the reading is right).
3. **Attention** (``--attention``): ``devtools.bench.attention`` places the codes with the fixture
   MT model's cross-attention over the forced human translation instead of the word aligner.

Target (issue 24): exact >= 0.80.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from align.codes import Code
    from align.document import AlignedDocument
    from align.evaluate.words import GoldPair
    from align.words.aligner import WordAligner
    from align.words.model import WordAlignment

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SET = REPO / "tests" / "data" / "codes-dev" / "codes-dev.jsonl"
DEFAULT_GOLD = REPO / "tests" / "data" / "wordalign" / "de-en.gold"
KINDS = ("bold", "italic", "link")
FORMATS = ("docx", "html")
#: Misplaced codes of the documents listed in the report (more go to --json only).
MAX_SHOWN = 40
#: Where the dev set's links point (one address per code, so a link read back names its code).
LINK_BASE = "https://example.org/codes-dev/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One sentence pair of the dev set: plain texts, the codes of each side, what each code is."""

    id: str
    document: str
    format: str
    gold_links: bool
    kinds: Mapping[str, str]
    source: str
    target: str
    src_codes: tuple[Code, ...]
    tgt_codes: tuple[Code, ...]


@dataclass(frozen=True)
class Outcome:
    """One code of one item: the target words of its gold span and of where it was placed."""

    item: int
    code: str
    kind: str
    format: str
    gold_links: bool
    expected: frozenset[int]
    got: frozenset[int]

    @property
    def exact(self) -> bool:
        return self.got == self.expected

    @property
    def f1(self) -> float:
        return 2 * len(self.got & self.expected) / (len(self.got) + len(self.expected))


@dataclass(frozen=True)
class Figures:
    codes: int
    exact: float
    f1: float


# ---- the dev set ---------------------------------------------------------------------------------
def read_set(path: Path) -> list[Item]:
    """The items of a dev set file (one JSON object a line); ValueError names a line that does not
    fit (its markup unbalanced, a code without a kind, codes that differ between the sides)."""
    from align.codes import codes_from_markup

    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        source, src_codes = codes_from_markup(record["source_marked"])
        target, tgt_codes = codes_from_markup(record["target_marked"])
        ids = sorted(c.id for c in src_codes)
        if ids != sorted(c.id for c in tgt_codes) or ids != sorted(record["kinds"]):
            raise ValueError(f"{path}:{number}: the source's codes, the target's and the kinds must name the same ids")
        if record["format"] not in FORMATS or not set(record["kinds"].values()) <= set(KINDS):
            raise ValueError(f"{path}:{number}: format must be one of {FORMATS}, kinds one of {KINDS}")
        items.append(
            Item(
                record["id"],
                record["document"],
                record["format"],
                bool(record["gold_links"]),
                dict(record["kinds"]),
                source,
                target,
                src_codes,
                tgt_codes,
            )
        )
    return items


def words_inside(text: str, start: int, end: int) -> frozenset[int]:
    """Indices of the words of ``text`` wholly inside ``[start, end)``."""
    from align.words.split import split_words

    return frozenset(k for k, w in enumerate(split_words(text)) if start <= w.start and w.end <= end and start < end)


def expected_words(item: Item) -> dict[str, frozenset[int]]:
    """Each code's gold target words."""
    return {c.id: words_inside(item.target, c.start, c.end) for c in item.tgt_codes}


# ---- scoring -------------------------------------------------------------------------------------
def outcomes_of(items: Sequence[Item], placed: Sequence[Sequence[Code] | None]) -> list[Outcome]:
    """One outcome per code of each item placed (``None``: the item is left out)."""
    out = []
    for k, (item, codes) in enumerate(zip(items, placed, strict=True)):
        if codes is None:
            continue
        by_id = {c.id: c for c in codes}
        for code_id, expected in expected_words(item).items():
            code = by_id.get(code_id)
            got = words_inside(item.target, code.start, code.end) if code is not None else frozenset()
            out.append(Outcome(k, code_id, item.kinds[code_id], item.format, item.gold_links, expected, got))
    return out


def figures(outcomes: Sequence[Outcome]) -> Figures:
    n = max(len(outcomes), 1)
    return Figures(len(outcomes), sum(o.exact for o in outcomes) / n, sum(o.f1 for o in outcomes) / n)


def breakdown(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """All codes, then by kind, by document format and by part of the set."""
    groups: dict[str, dict[str, list[Outcome]]] = {
        "kind": defaultdict(list),
        "format": defaultdict(list),
        "part": defaultdict(list),
    }
    for o in outcomes:
        groups["kind"][o.kind].append(o)
        groups["format"][o.format].append(o)
        groups["part"]["gold-linked" if o.gold_links else "held-out"].append(o)
    return {
        "all": asdict(figures(outcomes)),
        **{name: {key: asdict(figures(found)) for key, found in sorted(group.items())} for name, group in groups.items()},
    }


# ---- placement through a word alignment -----------------------------------------------------------
def place_all(items: Sequence[Item], alignments: Sequence[WordAlignment | None]) -> list[tuple[Code, ...] | None]:
    """Each item's source codes placed on its target with ``tags.place_codes``."""
    from align.words.tags import place_codes

    return [
        None if a is None else place_codes(item.source, item.target, item.src_codes, a)
        for item, a in zip(items, alignments, strict=True)
    ]


def tag_aligner(models: Path, threads: int) -> WordAligner:
    """The product's word aligner with tag placement's method (``tags.METHOD``)."""
    from align.words import WordAligner, WordAlignOptions
    from align.words.tags import METHOD

    return WordAligner(models_dir=models, threads=threads, options=WordAlignOptions(method=METHOD))


def aligner_alignments(items: Sequence[Item], aligner: WordAligner) -> list[WordAlignment]:
    """The word alignment of every pair, in one batch."""
    return list(aligner.align_pairs([(item.source, item.target) for item in items]))


def gold_alignments(items: Sequence[Item], gold_paths: Sequence[Path]) -> list[WordAlignment | None]:
    """The word-alignment gold's sure links for the items it holds (None for the others)."""
    from align.evaluate.words import read_golds

    gold = {pair.id: pair for pair in read_golds(gold_paths)}
    return [_gold_alignment(item, gold[item.id]) if item.id in gold else None for item in items]


def _gold_alignment(item: Item, pair: GoldPair) -> WordAlignment:
    from align.words.model import Link, WordAlignment
    from align.words.split import split_words

    src, tgt = split_words(item.source), split_words(item.target)
    if tuple(w.text for w in src) != pair.src or tuple(w.text for w in tgt) != pair.tgt:
        raise ValueError(f"{item.id}: the dev set's sentences are not the word-alignment gold's")
    return WordAlignment(tuple(src), tuple(tgt), tuple(Link(i, j, 1.0) for i, j in sorted(pair.sure)))


# ---- the documents -------------------------------------------------------------------------------
def link_url(item: Item, code_id: str) -> str:
    return f"{LINK_BASE}{item.id.replace(':', '/')}/{code_id}"


def pieces(text: str, codes: Sequence[Code]) -> Iterator[tuple[str, list[Code]]]:
    """``text`` cut where a paired code starts or ends: each piece with the codes around it."""
    cuts = sorted({0, len(text), *(c.start for c in codes), *(c.end for c in codes)})
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a < b:
            yield text[a:b], [c for c in codes if c.paired and c.start <= a and b <= c.end]


def docx_bytes(items: Sequence[Item], side: str) -> bytes:
    """A DOCX with a paragraph per item (``side``: source or target), its codes as direct bold or
    italic run formatting and external hyperlinks."""
    import io

    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    for item in items:
        text, codes = (item.source, item.src_codes) if side == "source" else (item.target, item.tgt_codes)
        paragraph = document.add_paragraph()._p
        holder, holder_link = paragraph, ""
        for piece, active in pieces(text, codes):
            kinds = {item.kinds[c.id]: c for c in active}
            link = link_url(item, kinds["link"].id) if "link" in kinds else ""
            if link != holder_link:
                holder, holder_link = paragraph, link
                if link:
                    holder = OxmlElement("w:hyperlink")
                    holder.set(qn("r:id"), document.part.relate_to(link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
                    paragraph.append(holder)
            run, properties, t = OxmlElement("w:r"), OxmlElement("w:rPr"), OxmlElement("w:t")
            for kind, tag in (("bold", "w:b"), ("italic", "w:i")):
                if kind in kinds:
                    properties.append(OxmlElement(tag))
            if link:
                underline = OxmlElement("w:u")
                underline.set(qn("w:val"), "single")
                properties.append(underline)
            t.text = piece
            t.set(qn("xml:space"), "preserve")
            run.extend([properties, t] if len(properties) else [t])
            holder.append(run)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_TAG = re.compile(r"<(/?)([\w.-]+)(/?)>")


def html_text(items: Sequence[Item], side: str, lang: str) -> str:
    """An HTML page with a ``<p>`` per item: ``<b>``, ``<i>`` and ``<a href>`` for its codes."""
    from align.codes import markup

    body = []
    for item in items:
        text, codes = (item.source, item.src_codes) if side == "source" else (item.target, item.tgt_codes)
        body.append(f"<p>{_html_inline(item, markup(text, codes))}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"></head>\n<body>\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _html_inline(item: Item, marked: str) -> str:
    out, at = [], 0
    for match in _TAG.finditer(marked):
        out.append(html.escape(marked[at : match.start()], quote=False))
        at = match.end()
        closing, code_id = match.group(1), match.group(2)
        kind = item.kinds[code_id]
        name = {"bold": "b", "italic": "i", "link": "a"}[kind]
        if closing:
            out.append(f"</{name}>")
        else:
            out.append(f'<a href="{html.escape(link_url(item, code_id))}">' if kind == "link" else f"<{name}>")
    out.append(html.escape(marked[at:], quote=False))
    return "".join(out)


def documents_of(items: Sequence[Item]) -> dict[str, list[int]]:
    """Item indices by document, in the set's order."""
    found: dict[str, list[int]] = defaultdict(list)
    for k, item in enumerate(items):
        found[item.document].append(k)
    return dict(found)


def write_documents(items: Sequence[Item], folder: Path) -> list[Path]:
    """Each document of the set as ``NAME.de.FORMAT`` (source) and ``NAME.en.FORMAT`` (gold target)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, index in documents_of(items).items():
        group = [items[k] for k in index]
        kind = group[0].format
        for side, lang in (("source", "de"), ("target", "en")):
            path = folder / f"{name}.{lang}.{kind}"
            if kind == "docx":
                path.write_bytes(docx_bytes(group, side))
            else:
                path.write_text(html_text(group, side, lang), encoding="utf-8", newline="\n")
            written.append(path)
    return written


# ---- reading spans back --------------------------------------------------------------------------
#: A paragraph read back: its text and, per character, (bold, italic, link address).
Styled = tuple[str, list[tuple[bool, bool, str]]]


def read_docx(path: Path) -> list[Styled]:
    """Each body paragraph's text with its characters' direct bold, italic and hyperlink."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    rels = document.part.rels
    out = []
    for paragraph in document.paragraphs:
        text: list[str] = []
        marks: list[tuple[bool, bool, str]] = []
        for run in paragraph._p.iter(qn("w:r")):
            piece = "".join(_run_text(child, qn) for child in run)
            link = _hyperlink_of(run, qn)
            url = rels[link].target_ref if link and link in rels else ""
            mark = (_switched(run, "w:b", qn), _switched(run, "w:i", qn), url)
            text.append(piece)
            marks += [mark] * len(piece)
        out.append(("".join(text), marks))
    return out


def _run_text(child: Any, qn: Any) -> str:
    if child.tag == qn("w:t"):
        return child.text or ""
    return {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}.get(child.tag, "")


def _switched(run: Any, tag: str, qn: Any) -> bool:
    properties = run.find(qn("w:rPr"))
    element = None if properties is None else properties.find(qn(tag))
    return element is not None and element.get(qn("w:val"), "true").lower() not in ("0", "false", "off")


def _hyperlink_of(run: Any, qn: Any) -> str:
    parent = run.getparent()
    while parent is not None and parent.tag != qn("w:p"):
        if parent.tag == qn("w:hyperlink"):
            return str(parent.get(qn("r:id"), ""))
        parent = parent.getparent()
    return ""


def read_html(path: Path) -> list[Styled]:
    """Each ``<p>``'s text with its characters' bold (b, strong), italic (i, em) and link (a href)."""
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import Comment

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    out = []
    for paragraph in soup.find_all("p"):
        text: list[str] = []
        marks: list[tuple[bool, bool, str]] = []
        for node in paragraph.descendants:
            if not isinstance(node, NavigableString) or isinstance(node, Comment):
                continue
            names = {parent.name for parent in node.parents if parent is not paragraph and paragraph in parent.parents}
            anchor = node.find_parent("a")
            url = str(anchor.get("href", "")) if anchor is not None and paragraph in anchor.parents else ""
            mark = (bool(names & {"b", "strong"}), bool(names & {"i", "em"}), url)
            text.append(str(node))
            marks += [mark] * len(node)
        out.append(("".join(text), marks))
    return out


def spans_read(styled: Styled) -> dict[str, list[frozenset[int]]]:
    """The paragraph's spans per kind as word indices: runs of consecutive words wholly bold, wholly
    italic, or wholly inside one link."""
    from align.words.split import split_words

    text, marks = styled
    per_word = []
    for word in split_words(text):
        chars = marks[word.start : word.end]
        urls = {m[2] for m in chars}
        per_word.append(
            {"bold": all(m[0] for m in chars), "italic": all(m[1] for m in chars), "link": urls.pop() if len(urls) == 1 else ""}
        )
    found: dict[str, list[frozenset[int]]] = {}
    for kind in KINDS:
        runs: list[list[int]] = []
        for k, value in enumerate(per_word):
            if not value[kind]:
                continue
            if runs and runs[-1][-1] == k - 1 and per_word[k - 1][kind] == value[kind]:
                runs[-1].append(k)
            else:
                runs.append([k])
        found[kind] = [frozenset(run) for run in runs]
    return found


def document_outcomes(items: Sequence[Item], index: Sequence[int], styled: Sequence[Styled]) -> tuple[list[Outcome], int]:
    """Outcomes of a document's items from its paragraphs read back, and how many paragraphs' words
    differ from the target (their codes count as lost). A gold span is met exactly when a span of
    its kind read back holds its words; its F1 is its best overlap with one of them."""
    from align.words.split import split_words

    out: list[Outcome] = []
    changed = 0
    paragraphs = list(styled) + [("", [])] * max(0, len(index) - len(styled))
    for k, paragraph in zip(index, paragraphs, strict=False):
        item = items[k]
        same = [w.text for w in split_words(paragraph[0])] == [w.text for w in split_words(item.target)]
        changed += not same
        read = spans_read(paragraph) if same else {kind: [] for kind in KINDS}
        for code_id, expected in expected_words(item).items():
            kind = item.kinds[code_id]
            touching = [span for span in read[kind] if span & expected]
            got = expected if expected in touching else max(touching, key=lambda s: len(s & expected), default=frozenset())
            out.append(Outcome(k, code_id, kind, item.format, item.gold_links, expected, got))
    return out, changed


def rows_for(source_path: Path, items: Sequence[Item]) -> AlignedDocument:
    """The rows ``translate`` would give the document, with the human translations as confirmed
    targets: a row per paragraph, naming the sentences the segmenter finds in it."""
    from align.document import AlignedDocument, Pair, Status
    from align.text.readers import open_source
    from align.text.segment import segment

    source = open_source(source_path).source
    sentences = segment(source.text, "de")
    blocks = [b for b in source.blocks if source.text[b.start : b.end].strip()]
    if len(blocks) != len(items):
        raise ValueError(f"{source_path}: the reader found {len(blocks)} blocks for {len(items)} sentences")
    pairs = []
    for block, item in zip(blocks, items, strict=True):
        ids = tuple(n for n, s in enumerate(sentences) if block.start <= s.start and s.end <= block.end)
        text = " ".join(sentences[n].text for n in ids)
        pairs.append(Pair(source=text, target=item.target, src_ids=ids, status=Status.CONFIRMED))
    return AlignedDocument(
        src_lang="de", tgt_lang="en", pairs=tuple(pairs), source_sentences=tuple(sentences), name=source_path.name
    )


def run_documents(items: Sequence[Item], scratch: Path, aligner: WordAligner | None = None) -> dict[str, Any]:
    """Every document written through ``write_translated`` with the human translations (its codes
    placed with ``aligner``; None: the writer's own), read back; and the gold English documents
    read back (the reader's check)."""
    from align.docout import write_translated

    written: list[Outcome] = []
    check: list[Outcome] = []
    changed = 0
    readers = {"docx": read_docx, "html": read_html}
    write_documents(items, scratch)
    for name, index in documents_of(items).items():
        group = [items[k] for k in index]
        kind = group[0].format
        source, gold = scratch / f"{name}.de.{kind}", scratch / f"{name}.en.{kind}"
        out = write_translated(rows_for(source, group), source, scratch / f"{name}.out.{kind}", aligner=aligner)
        found, lost = document_outcomes(items, index, readers[kind](out))
        written += found
        changed += lost
        check += document_outcomes(items, index, readers[kind](gold))[0]
    return {
        "written": breakdown(written),
        "lost": sum(not o.got for o in written),
        "paragraphs_changed": changed,
        "reader_check": asdict(figures(check)),
        "failures": [_failure(items, o) for o in written if not o.exact],
    }


# ---- the command ---------------------------------------------------------------------------------
def run(
    set_path: Path, gold_paths: Sequence[Path], threads: int, models: Path, documents: bool, attention: bool
) -> dict[str, Any]:
    items = read_set(set_path)
    started = time.perf_counter()
    aligner = tag_aligner(models, threads)
    predicted = outcomes_of(items, place_all(items, aligner_alignments(items, aligner)))
    align_s = time.perf_counter() - started
    ceiling = outcomes_of(items, place_all(items, gold_alignments(items, gold_paths)))
    from align.words.tags import METHOD

    report: dict[str, Any] = {
        "set": str(set_path),
        "items": len(items),
        "codes": sum(len(i.src_codes) for i in items),
        "codes_by_kind": dict(sorted(Counter(k for i in items for k in i.kinds.values()).items())),
        "method": METHOD,
        "aligner": breakdown(predicted),
        "gold_alignment": asdict(figures(ceiling)),
        "align_s": align_s,
        "failures": [_failure(items, o) for o in predicted if not o.exact],
    }
    if documents:
        with tempfile.TemporaryDirectory(prefix="bench-codes-docs-") as scratch:
            report["documents"] = run_documents(items, Path(scratch), aligner)
    if attention:
        from devtools.bench.attention import attention_report

        report["attention"] = attention_report(items, predicted)
    return report


def _failure(items: Sequence[Item], o: Outcome) -> str:
    from align.words.split import split_words

    words = [w.text for w in split_words(items[o.item].target)]
    shown = [" ".join(words[k] for k in sorted(s)) or "(nothing)" for s in (o.expected, o.got)]
    return f"{items[o.item].id} <{o.code}> {o.kind}: gold [{shown[0]}], placed [{shown[1]}]"


def format_breakdown(name: str, b: Mapping[str, Any]) -> list[str]:
    a = b["all"]
    lines = [f"{name}: {a['codes']} codes, exact span {a['exact']:.3f}, word F1 {a['f1']:.3f} (target: exact >= 0.80)"]
    for group in ("kind", "format", "part"):
        shown = "; ".join(f"{key} {f['codes']}: exact {f['exact']:.3f}, F1 {f['f1']:.3f}" for key, f in b[group].items())
        lines.append(f"  by {group}: {shown}")
    return lines


def format_report(report: Mapping[str, Any]) -> str:
    g = report["gold_alignment"]
    lines = [
        f"dev set {report['set']}: {report['items']} sentence pairs, {report['codes']} codes "
        f"({', '.join(f'{k} {v}' for k, v in report['codes_by_kind'].items())})",
        *format_breakdown(f"word aligner ({report['method']}) + place_codes", report["aligner"]),
        f"gold word alignment (sure links) + place_codes, gold-linked sentences: {g['codes']} codes, exact {g['exact']:.3f}, "
        f"F1 {g['f1']:.3f} (how far the annotated spans follow the gold links)",
        f"aligning the pairs {report['align_s']:.1f} s",
    ]
    if "documents" in report:
        d = report["documents"]
        lines += format_breakdown(
            "documents written (write_translated, human translation as rows), spans read back", d["written"]
        )
        c = d["reader_check"]
        lines.append(
            f"  paragraphs whose words changed: {d['paragraphs_changed']}; "
            f"the gold English documents read back: exact {c['exact']:.3f} "
            f"of {c['codes']} (the reader's check)"
        )
        lines.append(f"  codes lost (no span of their kind on a word of their gold span): {d['lost']}")
        if len(d["failures"]) <= MAX_SHOWN:
            lines += [f"  misplaced in the document: {line}" for line in d["failures"]]
        else:
            lines.append(f"  {len(d['failures'])} codes misplaced in the documents: listed in --json")
    if "attention" in report:
        from devtools.bench.attention import format_attention

        lines += format_attention(report["attention"])
    lines.append(f"codes the word aligner misplaces ({len(report['failures'])}):")
    lines += [f"  {line}" for line in report["failures"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench codes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="dev set (default %(default)s)")
    parser.add_argument("--gold", nargs="+", type=Path, default=[DEFAULT_GOLD], help="word-alignment gold (default %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="encoder threads (default %(default)s)")
    parser.add_argument("--cache", type=Path, help="models folder kept between runs (default: a temporary one)")
    parser.add_argument("--no-documents", action="store_true", help="place on the text only; write no DOCX or HTML")
    parser.add_argument("--attention", action="store_true", help="also place with the fixture model's attention")
    parser.add_argument("--write-documents", type=Path, metavar="DIR", help="only write the set's documents to DIR")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.write_documents:
        for path in write_documents(read_set(args.set), args.write_documents):
            print(path)  # noqa: T201 - a script's output
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-codes-") as scratch:
        report = run(args.set, args.gold, args.threads, args.cache or Path(scratch), not args.no_documents, args.attention)
    print(format_report(report))  # noqa: T201 - a script's output
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8", newline="\n")
    return 0
