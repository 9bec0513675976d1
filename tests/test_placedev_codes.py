"""The code-placement dev set (tests/data/codes-dev) and its bench (``python -m devtools bench codes``):
real German sentences with bold words, italic words and links, their human translations with gold
target spans, the DOCX and HTML documents built from them, and the bench that places the codes with
the product's word aligner, through the document writer, and with the fixture model's attention."""

from __future__ import annotations

import json
import math

import pytest

from devtools.bench import attention, codes
from devtools.bench.codes import DEFAULT_GOLD, DEFAULT_SET, KINDS, read_set
from devtools.cli import main as devtools_main

STORED = DEFAULT_SET.parent / "documents"


@pytest.fixture(scope="module")
def items() -> list[codes.Item]:
    return read_set(DEFAULT_SET)


def test_the_dev_set_holds_over_a_hundred_codes_of_every_kind_in_docx_and_html(items):
    kinds = [(item.format, item.kinds[c.id]) for item in items for c in item.src_codes]
    assert len(kinds) >= 100
    for fmt in codes.FORMATS:
        for kind in KINDS:
            assert sum(k == (fmt, kind) for k in kinds) >= 8, (fmt, kind)
    assert any(item.gold_links for item in items) and any(not item.gold_links for item in items)


def test_every_gold_span_starts_and_ends_on_a_word_of_the_human_translation(items):
    from align.words.split import split_words

    for item in items:
        words = split_words(item.target)
        starts, ends = {w.start for w in words}, {w.end for w in words}
        for code in item.tgt_codes:
            assert code.start in starts and code.end in ends, (item.id, code)


def test_the_spans_of_gold_linked_sentences_are_where_the_word_gold_sure_links_put_them(items):
    alignments = codes.gold_alignments(items, [DEFAULT_GOLD])
    outcomes = codes.outcomes_of(items, codes.place_all(items, alignments))
    assert len(outcomes) == sum(len(i.src_codes) for i in items if i.gold_links) >= 80
    assert [o for o in outcomes if not o.exact] == []


def test_the_sentences_are_the_shared_human_translations(items, shared_dir):
    for item in items:
        folder, rest = item.id.split("/", 1)
        doc, lines = rest.split(":")
        src_line, tgt_line = (int(n) for n in lines.split("-"))
        src = (shared_dir / "bench" / folder / "src" / doc).read_text(encoding="utf-8").splitlines()[src_line]
        tgt = (shared_dir / "bench" / folder / "tgt" / doc).read_text(encoding="utf-8").splitlines()[tgt_line]
        assert (item.source, item.target) == (src, tgt), item.id


def spans_by_kind(item: codes.Item, side: str) -> dict[str, list[frozenset[int]]]:
    text, found = (item.source, item.src_codes) if side == "de" else (item.target, item.tgt_codes)
    out: dict[str, list[frozenset[int]]] = {kind: [] for kind in KINDS}
    for code in found:
        out[item.kinds[code.id]].append(codes.words_inside(text, code.start, code.end))
    return {kind: sorted(spans, key=min) for kind, spans in out.items()}


@pytest.mark.parametrize("where", ["stored", "written"])
def test_the_documents_read_back_give_every_code_on_its_words(items, where, tmp_path, capsys):
    folder = STORED
    if where == "written":
        folder = tmp_path / "docs"
        assert devtools_main(["bench", "codes", "--write-documents", str(folder)]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 2 * len(codes.documents_of(items))
    readers = {"docx": codes.read_docx, "html": codes.read_html}
    for name, index in codes.documents_of(items).items():
        fmt = items[index[0]].format
        for lang in ("de", "en"):
            paragraphs = readers[fmt](folder / f"{name}.{lang}.{fmt}")
            assert len(paragraphs) == len(index)
            for k, paragraph in zip(index, paragraphs, strict=True):
                assert codes.spans_read(paragraph) == spans_by_kind(items[k], lang), (items[k].id, lang)


def test_the_document_writer_keeps_the_words_of_the_human_translation(items, tmp_path):
    """Through ``write_translated`` (what export-doc runs) every paragraph reads back as its human
    translation, so the bench compares codes on the same words in DOCX and HTML."""
    report = codes.run_documents(items, tmp_path)
    assert report["paragraphs_changed"] == 0
    assert report["reader_check"]["exact"] == 1.0
    assert report["written"]["all"]["codes"] == sum(len(i.src_codes) for i in items)
    assert set(report["written"]["format"]) == set(codes.FORMATS)


def test_bench_codes_places_with_the_word_aligner_and_reports_kind_format_and_part(items, tmp_path, capsys):
    chosen = [i for i in items if i.id in ("align-dev/001:3-4", "align-dev/002:99-97", "align-dev/001:73-75")]
    lines = [
        line for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in {i.id for i in chosen}
    ]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    argv = ["bench", "codes", "--set", str(small), "--no-documents", "--cache", str(tmp_path / "models"), "--json", str(out)]
    assert devtools_main(argv) == 0
    shown = capsys.readouterr().out
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["codes"] == report["aligner"]["all"]["codes"] == 6
    assert set(report["aligner"]["format"]) == {"docx", "html"} and set(report["aligner"]["part"]) == {"gold-linked", "held-out"}
    assert report["gold_alignment"] == {"codes": 4, "exact": 1.0, "f1": 1.0}
    assert "word aligner (itermax) + place_codes: 6 codes, exact span" in shown
    assert len(report["failures"]) == round(6 * (1 - report["aligner"]["all"]["exact"]))


def test_the_fixture_model_attends_over_the_forced_human_translation(items, tmp_path):
    chosen = items[:2]
    matrices = attention.attention_matrices(chosen, attention.FIXTURE, tmp_path)
    for item, (src_spans, tgt_spans, rows, offset) in zip(chosen, matrices, strict=True):
        assert len(rows) >= len(tgt_spans) and len(rows[0]) >= len(src_spans) + offset
        assert all(math.isclose(sum(row), 1.0, abs_tol=1e-3) for row in rows[: len(tgt_spans)])
        assert "".join(item.target[a:b] for a, b in tgt_spans).strip() == item.target
        aligned = attention._alignment(item, (src_spans, tgt_spans, rows, offset), "emitted")
        assert len({link.tgt for link in aligned.links}) == len(aligned.links) == len(aligned.tgt_words)
        assert all(0 < link.score <= 1 for link in aligned.links)


def test_the_word_aligner_places_four_in_five_codes_of_the_dev_set_on_their_gold_words(tmp_path):
    items = codes.read_set(codes.DEFAULT_SET)
    aligner = codes.tag_aligner(tmp_path / "models", 2)
    figures = codes.breakdown(codes.outcomes_of(items, codes.place_all(items, codes.aligner_alignments(items, aligner))))
    assert figures["all"]["exact"] >= 0.80
    assert figures["part"]["held-out"]["exact"] >= 0.75
