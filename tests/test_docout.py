"""The translated document: targets written back in the source's own structure.

Inputs are real files built with the libraries that read them (python-docx, BeautifulSoup) or
written as text; the aligned documents are what ``translate`` makes (a row per segmented
sentence) with targets a deterministic transform of the sources ("EN:" + source), so every
expected output is known exactly. Outputs are opened with the same libraries and compared with
the inputs: structure kept, every target in its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.docout import OutputKindError, Unconfirmed, write_translated
from align.docout.compose import compose
from align.docout.placement import MismatchError
from align.document import AlignedDocument, Pair, Sentence, Status
from align.errors import AlignError
from align.text.readers import read_blocks, read_text
from align.text.segment import segment
from devtools.fuzz import pdf_from_objects


def en(text: str) -> str:
    return "EN:" + text


def translated(source: Path, transform: Callable[[str], str] = en, status: Status = Status.AUTOMATIC) -> AlignedDocument:
    """What ``translate`` makes of ``source``: a row per sentence, spans kept, target = transform(source)."""
    sentences = segment(read_text(source), "de")
    pairs = [
        Pair(source=s.text, target=transform(s.text), src_ids=(i,), tgt_ids=(i,), paragraph=s.paragraph, status=status)
        for i, s in enumerate(sentences)
    ]
    targets = [Sentence(p.target, paragraph=p.paragraph) for p in pairs]
    return AlignedDocument("de", "en", tuple(pairs), tuple(sentences), tuple(targets), name=source.name)


def expected_text(source: Path, transform: Callable[[str], str] = en) -> str:
    """The source's text with every sentence replaced by its transform (what the output must read as)."""
    text = read_text(source)
    out, position = [], 0
    for s in segment(text, "de"):
        out += [text[position : s.start], transform(s.text)]
        position = s.end
    return "".join(out) + text[position:]


# ---- DOCX ------------------------------------------------------------------------------------------


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Vertrag über die Lieferung", level=1)
    document.add_paragraph("Erster Absatz. Er hat zwei Sätze.")
    document.add_heading("Pflichten", level=2)
    document.add_paragraph("Erster Punkt der Liste.", style="List Bullet")
    document.add_paragraph("Zweiter Punkt der Liste.", style="List Bullet")
    para = document.add_paragraph("Vorher kommt ein Satz. ")
    para.add_run("Dieser Satz ist fett.").bold = True
    para.add_run(" Und dann ")
    para.add_run("kursiv").italic = True
    para.add_run(" mitten im Satz.")
    para = document.add_paragraph()
    para.add_run("Ganz kursiver Satz.").italic = True
    para.add_run(" Ein normaler Satz.")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"Zelle {r + 1} {c + 1}."
    document.add_paragraph("")
    document.add_paragraph("Nach der Tabelle.")
    document.save(str(path))


def docx_shape(path: Path) -> tuple[list[str], list[tuple[int, int]]]:
    import docx

    document = docx.Document(str(path))
    styles = [p.style.name if p.style is not None else "" for p in document.paragraphs]
    return styles, [(len(t.rows), len(t.columns)) for t in document.tables]


def formatted_runs(path: Path) -> dict[str, list[str]]:
    import docx

    runs = [r for p in docx.Document(str(path)).paragraphs for r in p.runs if r.text]
    return {"bold": [r.text for r in runs if r.bold], "italic": [r.text for r in runs if r.italic]}


def test_docx_keeps_paragraphs_styles_tables_and_formatted_runs(tmp_path: Path) -> None:
    import docx

    source, out = tmp_path / "vertrag.docx", tmp_path / "contract.docx"
    make_docx(source)
    doc = translated(source)
    assert write_translated(doc, source, out) == out

    assert docx_shape(out) == docx_shape(source)
    assert docx_shape(out)[0][:5] == ["Heading 1", "Normal", "Heading 2", "List Bullet", "List Bullet"]
    assert read_text(out) == expected_text(source)
    # a sentence inside one run keeps that run's formatting
    assert formatted_runs(out) == {"bold": [en("Dieser Satz ist fett.")], "italic": ["kursiv", en("Ganz kursiver Satz.")]}
    # a word of another formatting inside a sentence keeps it on its translation
    spanning = docx.Document(str(out)).paragraphs[5]
    assert [r.text for r in spanning.runs] == [
        en("Vorher kommt ein Satz.") + " ",
        en("Dieser Satz ist fett."),
        " EN:Und dann ",
        "kursiv",
        " mitten im Satz.",
    ]
    cells = [[c.text for c in row.cells] for row in docx.Document(str(out)).tables[0].rows]
    assert cells == [[en(f"Zelle {r} {c}.") for c in (1, 2, 3)] for r in (1, 2)]


def test_docx_paragraph_that_did_not_change_keeps_its_runs(tmp_path: Path) -> None:
    import docx

    source, out = tmp_path / "in.docx", tmp_path / "out.docx"
    document = docx.Document()
    para = document.add_paragraph()
    para.add_run("Nummer").bold = True
    para.add_run("\t4711")
    document.add_paragraph("Ein Satz.")
    document.save(str(source))
    write_translated(translated(source, lambda s: s if "4711" in s else en(s)), source, out)
    first = docx.Document(str(out)).paragraphs[0]
    assert [(r.text, r.bold) for r in first.runs] == [("Nummer", True), ("\t4711", None)]  # the tab stays
    assert docx.Document(str(out)).paragraphs[1].text == en("Ein Satz.")


def test_docx_run_text_replacement_keeps_page_breaks_and_properties(tmp_path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    source, out = tmp_path / "in.docx", tmp_path / "out.docx"
    document = docx.Document()
    run = document.add_paragraph().add_run("Satz vor dem Umbruch.")
    run.underline = True
    run.add_break(WD_BREAK.PAGE)
    document.save(str(source))
    write_translated(translated(source), source, out)
    run = docx.Document(str(out)).paragraphs[0].runs[0]
    assert run.text == en("Satz vor dem Umbruch.") and run.underline
    assert run._r.xpath("w:br[@w:type='page']")


# ---- Markdown --------------------------------------------------------------------------------------

MARKDOWN = """# Bericht über das Jahr

Ein **fetter** Satz mit [Link](https://example.org). Noch ein Satz
über zwei Zeilen.

## Ergebnisse

- Erster Punkt.
- Zweiter Punkt.
  1. Eingerückter Punkt.

> Ein Zitat hier.

| Name. | Wert. |
|:---|---:|
| Umsatz gesamt | 5 Mio. |

```
print('Code bleibt Code')
```

Untertitel
==========

Letzter Absatz.
"""


def headings(markdown: str) -> list[tuple[int, bool]]:
    return [(len(m.group(1)), bool(m.group(2).strip())) for m in re.finditer(r"(?m)^(#{1,6}) (.*)$", markdown)]


def test_markdown_keeps_headings_lists_quotes_tables_and_code(tmp_path: Path) -> None:
    source, out = tmp_path / "bericht.md", tmp_path / "report.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    write_translated(translated(source), source, out)
    result = out.read_text(encoding="utf-8")
    lines = result.split("\n")

    assert read_text(out) == expected_text(source)
    assert headings(result) == headings(MARKDOWN) == [(1, True), (2, True)]
    assert "# " + en("Bericht über das Jahr") in lines and "## " + en("Ergebnisse") in lines
    assert [line for line in lines if re.match(r"\s*(-|\d+\.) ", line)] == [
        "- " + en("Erster Punkt."),
        "- " + en("Zweiter Punkt."),
        "  1. " + en("Eingerückter Punkt."),
    ]
    assert "> " + en("Ein Zitat hier.") in lines
    # the table keeps its shape and alignment row; each cell is a block of its own, translated in its cell
    table = [line for line in lines if line.startswith("|")]
    assert table == [
        "| " + en("Name.") + " | " + en("Wert.") + " |",
        "|:---|---:|",
        "| " + en("Umsatz gesamt") + " | " + en("5 Mio.") + " |",
    ]
    assert lines[lines.index("==========") - 1] == en("Untertitel")  # the setext underline stays
    assert "```\n" + en("print('Code bleibt Code')") + "\n```" in result
    assert "\n\n" + en("Letzter Absatz.") + "\n" in result
    assert len(lines) == len(MARKDOWN.split("\n")) - 1  # the two-line paragraph is one line now


def test_markdown_block_that_did_not_change_keeps_its_markup(tmp_path: Path) -> None:
    source, out = tmp_path / "in.md", tmp_path / "out.md"
    source.write_text("Siehe **[Handbuch](https://example.org)**.\n\nZweiter Absatz.\n", encoding="utf-8")
    write_translated(translated(source, lambda s: en(s) if s.startswith("Zweiter") else s), source, out)
    assert out.read_text(encoding="utf-8") == "Siehe **[Handbuch](https://example.org)**.\n\n" + en("Zweiter Absatz.") + "\n"


def test_markdown_keeps_crlf_line_ends(tmp_path: Path) -> None:
    source, out = tmp_path / "in.md", tmp_path / "out.md"
    source.write_bytes(b"# Titel\r\n\r\nEin Satz.\r\n")
    write_translated(translated(source), source, out)
    assert out.read_bytes() == f"# {en('Titel')}\r\n\r\n{en('Ein Satz.')}\r\n".encode()


# ---- HTML ------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="windows-1252"><title>Jahresbericht</title>
<style>p { color: red }</style><script>var x = "<p>nicht</p>";</script></head>
<body>
<h1 class="title">Jahresbericht</h1>
<p id="intro">Erster Satz hier. <b>Ein fetter Satz.</b> Und <a href="/x">ein Link</a> im Satz.</p>
<ul><li>Erster Punkt.</li><li>Zweiter Punkt.</li></ul>
<table><tr><td>Zelle eins.</td><td data-x="1">Zelle zwei.</td></tr></table>
<!-- Kommentar -->
</body></html>"""


def tag_shape(path: Path) -> list[tuple[str, dict]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "lxml")
    return [(t.name, {k: v for k, v in t.attrs.items() if k != "charset"}) for t in soup.find_all(True)]


def test_html_replaces_text_inside_the_same_elements(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    source, out = tmp_path / "bericht.html", tmp_path / "report.html"
    source.write_bytes(PAGE.encode("cp1252"))
    write_translated(translated(source), source, out)

    assert tag_shape(out) == tag_shape(source)
    assert read_text(out) == expected_text(source)
    soup = BeautifulSoup(out.read_bytes(), "lxml")
    assert soup.title is not None and soup.title.string == en("Jahresbericht")  # the title follows its heading
    assert soup.h1 is not None and soup.h1.get_text() == en("Jahresbericht") and soup.h1["class"] == ["title"]
    assert [li.get_text() for li in soup.find_all("li")] == [en("Erster Punkt."), en("Zweiter Punkt.")]
    assert [td.get_text() for td in soup.find_all("td")] == [en("Zelle eins."), en("Zelle zwei.")]
    assert soup.b is not None and soup.b.get_text() == en("Ein fetter Satz.")  # a sentence inside <b> stays bold
    assert soup.a is not None and soup.a["href"] == "/x" and soup.a.get_text() == "ein Link"  # placed on its words
    assert soup.script is not None and soup.script.string == 'var x = "<p>nicht</p>";'
    assert b'charset="utf-8"' in out.read_bytes().lower()


def test_html_title_of_its_own_and_a_fragment(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    source, out = tmp_path / "seite.html", tmp_path / "page.html"
    source.write_text("<title>Eine Seite</title><p>Ein <i>kursives</i> Wort.</p>", encoding="utf-8")
    write_translated(translated(source), source, out)
    soup = BeautifulSoup(out.read_bytes(), "lxml")
    assert soup.title is not None and soup.title.string == en("Eine Seite")
    assert str(soup.p) == "<p>" + en("Ein") + " <i>kursives</i> Wort.</p>"


# ---- plain text ------------------------------------------------------------------------------------


def test_plain_text_keeps_paragraphs_line_breaks_and_bullets(tmp_path: Path) -> None:
    source, out = tmp_path / "brief.txt", tmp_path / "letter.txt"
    source.write_text("Betreff\n\nSatz eins. Satz zwei.\n\n\n- Punkt eins\n- Punkt zwei\n", encoding="utf-8")
    write_translated(translated(source, lambda s: "EN " + s.lstrip("- ")), source, out)
    assert out.read_text(encoding="utf-8") == "EN Betreff\n\nEN Satz eins. EN Satz zwei.\n\n\n- EN Punkt eins\n- EN Punkt zwei\n"


def test_any_source_can_be_written_as_plain_text(tmp_path: Path) -> None:
    source, out = tmp_path / "vertrag.docx", tmp_path / "contract.txt"
    make_docx(source)
    write_translated(translated(source), source, out)
    assert out.read_text(encoding="utf-8") == expected_text(source)


def test_a_pdf_is_written_as_a_new_docx_or_text_never_as_pdf(tmp_path: Path) -> None:
    import docx

    source = tmp_path / "scan.pdf"
    lines = ["Der Vertrag regelt die Lieferung von Waren und die Be-", "zahlung der Rechnungen innerhalb von dreissig Tagen nach"]
    source.write_bytes(_pdf([*lines, "Erhalt der Ware.", "", "Zweiter Absatz in einer Zeile."]))
    doc = translated(source)
    with pytest.raises(OutputKindError, match=r"out\.pdf: a PDF cannot be written; write the translation as \.docx or \.txt"):
        write_translated(doc, source, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    write_translated(doc, source, tmp_path / "out.docx")
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs]
    assert paragraphs == [en(p) for p in read_text(source).split("\n\n")[0:1]] + [en("Zweiter Absatz in einer Zeile.")]
    assert paragraphs[0].startswith(en("Der Vertrag regelt")) and "Bezahlung" in paragraphs[0]


@pytest.mark.parametrize(
    ("source_name", "out_name", "message"),
    [
        ("in.md", "out.docx", r"a md source \(.*in\.md\) cannot be written as \.docx; write \.md or \.txt"),
        ("in.docx", "out.html", r"a docx source .* cannot be written as \.html; write \.docx or \.txt"),
        ("in.txt", "out.csv", r"out\.csv: '\.csv' is not a document format; for .*in\.txt \(txt\) write \.txt"),
        ("in.txt", "out", r"it has no extension"),
    ],
)
def test_an_output_that_does_not_fit_the_source_is_refused(tmp_path: Path, source_name: str, out_name: str, message: str) -> None:
    source = tmp_path / source_name
    if source.suffix == ".docx":
        make_docx(source)
    else:
        source.write_text("# Titel\n\nEin Satz.\n", encoding="utf-8")
    with pytest.raises(OutputKindError, match=message):
        write_translated(translated(source), source, tmp_path / out_name)


# ---- rows: merges, insertions, review state --------------------------------------------------------

TEXT = "Titel des Briefes\n\nSatz eins. Satz zwei. Satz drei.\n\nLetzter Satz.\n"


def test_merged_and_inserted_rows_and_the_unconfirmed_setting(tmp_path: Path) -> None:
    source = tmp_path / "brief.txt"
    source.write_text(TEXT, encoding="utf-8")
    doc = translated(source)
    p = doc.pairs
    rows = (
        p[0].replace(status=Status.CONFIRMED, target="Letter title"),
        p[1].replace(source="Satz eins. Satz zwei.", target="Sentences one and two.", src_ids=(1, 2), status=Status.CONFIRMED),
        Pair(source="", target="An inserted sentence.", status=Status.CONFIRMED),  # typed: follows the row above
        p[3].replace(target=""),  # unconfirmed and empty
        p[4],  # unconfirmed machine translation
    )
    doc = doc.replace(pairs=rows)
    expected = {
        "mt": "Letter title\n\nSentences one and two. An inserted sentence.\n\nEN:Letzter Satz.\n",
        "source": "Letter title\n\nSentences one and two. An inserted sentence. Satz drei.\n\nLetzter Satz.\n",
        "marker": "Letter title\n\nSentences one and two. An inserted sentence. [untranslated: Satz drei.]\n\n"
        "[untranslated: Letzter Satz.]\n",
    }
    for setting, text in expected.items():
        out = write_translated(doc, source, tmp_path / f"{setting}.txt", unconfirmed=setting)
        assert out.read_text(encoding="utf-8") == text, setting
    assert Unconfirmed.parse("MARKER") is Unconfirmed.MARKER
    with pytest.raises(AlignError, match="unknown --unconfirmed setting 'later'; use one of source, mt, marker"):
        write_translated(doc, source, tmp_path / "x.txt", unconfirmed="later")


def test_a_row_inserted_before_all_others_goes_first_and_a_deleted_row_counts_as_untranslated(tmp_path: Path) -> None:
    source = tmp_path / "brief.txt"
    source.write_text(TEXT, encoding="utf-8")
    doc = translated(source)
    doc = doc.replace(pairs=(Pair(source="", target="Dear reader,"), *doc.pairs[:2], *doc.pairs[3:]))
    out = write_translated(doc, source, tmp_path / "out.txt")
    assert out.read_text(encoding="utf-8") == (
        "Dear reader, EN:Titel des Briefes\n\nEN:Satz eins. EN:Satz drei.\n\nEN:Letzter Satz.\n"
    )
    out = write_translated(doc, source, tmp_path / "out.txt", unconfirmed="source")
    expected = "Dear reader, Titel des Briefes\n\nSatz eins. Satz zwei. Satz drei.\n\nLetzter Satz.\n"
    assert out.read_text(encoding="utf-8") == expected  # the deleted row's sentence is back, in German


def test_a_document_from_another_source_is_refused(tmp_path: Path) -> None:
    source, other = tmp_path / "brief.txt", tmp_path / "anderer.txt"
    source.write_text(TEXT, encoding="utf-8")
    other.write_text("Ganz anderer Text. Mit anderen Sätzen. Und noch einer.\n\nUnd mehr. Viel mehr.\n", encoding="utf-8")
    doc = translated(source)
    with pytest.raises(
        MismatchError, match=r"brief\.txt: the source text of 5 of 5 rows .* differs from the sentences of .*anderer\.txt"
    ):
        write_translated(doc, other, tmp_path / "out.txt")
    with pytest.raises(MismatchError, match=r"row 6 names source sentence 5, but .* has 5 sentences"):
        write_translated(doc.replace(pairs=(*doc.pairs, Pair("x", "y", src_ids=(5,)))), source, tmp_path / "out.txt")
    bare = doc.replace(pairs=[Pair(p.source, p.target) for p in doc.pairs])  # a plain two-column file
    with pytest.raises(MismatchError, match=r"no row names its source sentences \(src_ids\)"):
        write_translated(bare, source, tmp_path / "out.txt")


def test_sentences_are_segmented_again_when_the_document_has_none(tmp_path: Path) -> None:
    """CSV, TSV, XLSX and TMX keep only the rows' sentence numbers; segmentation finds the spans again."""
    source = tmp_path / "brief.txt"
    source.write_text(TEXT, encoding="utf-8")
    doc = translated(source).replace(source_sentences=(), target_sentences=())
    out = write_translated(doc, source, tmp_path / "out.txt")
    assert out.read_text(encoding="utf-8") == expected_text(source)


def test_targets_without_spaces_between_sentences_for_chinese(tmp_path: Path) -> None:
    source = tmp_path / "brief.txt"
    source.write_text("Satz eins. Satz zwei.\n", encoding="utf-8")
    doc = translated(source, {"Satz eins.": "第一句。", "Satz zwei.": "第二句。"}.__getitem__).replace(tgt_lang="zh")
    assert write_translated(doc, source, tmp_path / "out.txt").read_text(encoding="utf-8") == "第一句。第二句。\n"


def test_compose_puts_a_sentence_in_the_piece_where_it_starts() -> None:
    text = "Aa. Bb cc. Dd."
    sentences = [Sentence("Aa.", 0, 3), Sentence("Bb cc.", 4, 10), Sentence("Dd.", 11, 14)]
    pieces = [(0, 6), (6, 14)]  # "Aa. Bb" | " cc. Dd."
    assert compose(text, pieces, list(zip(sentences, ["A.", "B.", "D."], strict=True)), " ") == ["A. B.", " D."]
    assert compose(text, pieces, list(zip(sentences, ["A.", "", "D."], strict=True)), " ") == ["A. ", "D."]
    assert compose(text, pieces, list(zip(sentences, ["", "", ""], strict=True)), " ") == ["", ""]


# ---- the block map ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["in.docx", "in.md", "in.html", "in.txt"])
def test_block_map_holds_every_sentence_and_its_pieces(tmp_path: Path, name: str) -> None:
    source = tmp_path / name
    if name.endswith(".docx"):
        make_docx(source)
    elif name.endswith(".md"):
        source.write_text(MARKDOWN, encoding="utf-8")
    elif name.endswith(".html"):
        source.write_bytes(PAGE.encode("cp1252"))
    else:
        source.write_text(TEXT, encoding="utf-8")
    mapped = read_blocks(source)
    assert mapped.text == read_text(source) and mapped.kind == source.suffix[1:]
    for sentence in segment(mapped.text, "de"):
        assert sum(b.start <= sentence.start and sentence.end <= b.end for b in mapped.blocks) == 1, sentence
    for block in mapped.blocks:
        ends = [block.start] + [e for p in block.pieces for e in (p.start, p.end)] + [block.end]
        assert ends == sorted(ends), block  # pieces in order, inside their block, not overlapping
        assert mapped.text[block.start : block.end].strip() == mapped.text[block.start : block.end] != ""


# ---- no text lost (hypothesis) ---------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=6).map(lambda words: " ".join(words).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
MARKUP = st.sampled_from(["", "# ", "## ", "- ", "1. ", "> "])


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[int], list[Status]]:
    """A text of paragraphs (each maybe with Markdown block markup), rows as merges of sentences, statuses."""
    paragraphs = draw(st.lists(st.tuples(MARKUP, PARAGRAPH), min_size=1, max_size=6))
    text = "\n\n".join(markup + paragraph for markup, paragraph in paragraphs) + "\n"
    return (
        text,
        draw(st.lists(st.integers(1, 3), min_size=1, max_size=40)),
        draw(st.lists(st.sampled_from(list(Status)), min_size=1)),
    )


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=documents())
def test_no_target_text_is_lost(tmp_path: Path, suffix: str, case: tuple[str, list[int], list[Status]]) -> None:
    text, group_sizes, statuses = case
    source = tmp_path / f"in{suffix}"
    source.write_text(text, encoding="utf-8")
    sentences = segment(read_text(source), "de")
    rows, start = [], 0
    for k, size in enumerate(group_sizes * len(sentences)):  # consecutive sentences merged into rows
        if start >= len(sentences):
            break
        ids = tuple(range(start, min(start + size, len(sentences))))
        status = statuses[k % len(statuses)]
        rows.append(Pair(" ".join(sentences[i].text for i in ids), f"Zq{k}x target {k}.", ids, ids, status=status))
        start += size
    doc = AlignedDocument("de", "en", tuple(rows), tuple(sentences))
    out = write_translated(doc, source, tmp_path / f"out{suffix}")
    written = read_blocks(out)
    position = 0
    for row in rows:  # every target, in row order
        position = written.text.index(row.target, position) + len(row.target)
    assert "Zq" not in written.text[position:]
    if suffix == ".md":
        assert [level for level, _ in headings(out.read_text(encoding="utf-8"))] == [level for level, _ in headings(text)]
        assert len(written.blocks) <= len(read_blocks(source).blocks)


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with Helvetica text lines (as in test_readers)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td", *(f"({line}) Tj T*" for line in lines), "ET"]
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_from_objects(objects)
