"""The translated document from the command line: ``translate IN.docx -o OUT.docx`` with the real
fixture package, and ``export-doc`` from aligned files this tool wrote and from a page project."""

from __future__ import annotations

from pathlib import Path

import pytest

from align import cli
from align.document import AlignedDocument, Pair, Sentence, Status
from align.formats import read_aligned, write_document
from align.pipeline import translate_file
from align.text.readers import read_text
from align.text.segment import segment

TITLE = ("Neue Fahrradbrücke über die Elbe eröffnet", "New cycle bridge over the Elbe opens")


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    """Fixture pairs whose German is one plain sentence: the package translates them exactly."""
    from devtools.models import load_fixture_pairs

    return [(de, en) for de, en in load_fixture_pairs() if de.endswith(".") and "." not in de[:-1]]


def make_docx(path: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """A report of fixture sentences; returns (style, German, English) per paragraph, table last."""
    import docx

    blocks = [
        ("Heading 1", *TITLE),
        ("Normal", " ".join(de for de, _ in pairs[0:2]), " ".join(en for _, en in pairs[0:2])),
        ("List Bullet", *pairs[2]),
        ("List Bullet", *pairs[3]),
    ]
    document = docx.Document()
    for style, german, _ in blocks:
        document.add_paragraph(german, style=style)
    document.paragraphs[1].runs[0].bold = True
    table = document.add_table(rows=1, cols=2)
    for cell, (de, en) in zip(table.rows[0].cells, pairs[4:6], strict=True):
        cell.text = de
        blocks.append(("cell", de, en))
    document.save(str(path))
    return blocks


def test_translate_writes_the_translated_docx(tmp_path: Path, installed_settings, pairs) -> None:
    import docx

    source = tmp_path / "bericht.docx"
    blocks = make_docx(source, pairs)
    out = translate_file(source, tmp_path / "report.docx", settings=installed_settings)
    document = docx.Document(str(out))
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    assert paragraphs == [(style, en) for style, _, en in blocks[:4]]
    assert document.paragraphs[1].runs[0].bold  # the paragraph's one run stays bold
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [[en for _, _, en in blocks[4:]]]


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_translate_writes_markdown_and_html_in_their_structure(tmp_path: Path, installed_settings, pairs, suffix: str) -> None:
    german = [TITLE[0], pairs[0][0], pairs[1][0]]
    if suffix == ".md":
        text = f"# {german[0]}\n\n- {german[1]}\n- {german[2]}\n"
        expected = f"# {TITLE[1]}\n\n- {pairs[0][1]}\n- {pairs[1][1]}\n"
    else:
        text = f"<html><body><h1>{german[0]}</h1><ul><li>{german[1]}</li><li>{german[2]}</li></ul></body></html>"
        expected = f"<h1>{TITLE[1]}</h1><ul><li>{pairs[0][1]}</li><li>{pairs[1][1]}</li></ul>"
    source = tmp_path / f"in{suffix}"
    source.write_text(text, encoding="utf-8")
    out = translate_file(source, tmp_path / f"out{suffix}", settings=installed_settings)
    assert expected in out.read_text(encoding="utf-8")


def test_translate_txt_output_is_still_the_pair_table(tmp_path: Path, installed_settings, pairs) -> None:
    source = tmp_path / "in.txt"
    source.write_text(pairs[0][0] + "\n", encoding="utf-8")
    out = translate_file(source, tmp_path / "out.txt", settings=installed_settings)
    assert [(p.source, p.target) for p in read_aligned(out).pairs] == [pairs[0]]


def test_translate_refuses_an_output_that_does_not_fit_before_loading_a_model(tmp_path: Path, settings, capsys) -> None:
    source = tmp_path / "in.md"
    source.write_text("# Titel\n", encoding="utf-8")
    code = cli.main(["--home", str(settings.home), "translate", str(source), "-o", str(tmp_path / "out.docx")])
    assert code == cli.EXIT_ERROR  # no package is installed in ``settings``: the format check came first
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'out.docx'}: unknown output format 'docx' for {source} (md); "
        "use one of csv, tsv, xlsx, jsonl, tmx for sentence pairs, or .md for the translated document\n"
    )
    assert not (tmp_path / "out.docx").exists()


# ---- export-doc ------------------------------------------------------------------------------------

SOURCE = "# Bericht\n\nErster Satz. Zweiter Satz.\n\n- Ein Punkt.\n"


def reviewed(source: Path) -> AlignedDocument:
    """A reviewed translation of ``SOURCE``: the heading and one sentence confirmed."""
    sentences = segment(read_text(source), "de")
    targets = {"Bericht": "Report", "Erster Satz.": "First sentence.", "Zweiter Satz.": "Second sentence.", "Ein Punkt.": ""}
    confirmed = {"Bericht", "Erster Satz."}
    pairs = [
        Pair(s.text, targets[s.text], (i,), (i,), status=Status.CONFIRMED if s.text in confirmed else Status.AUTOMATIC)
        for i, s in enumerate(sentences)
    ]
    targets_ = [Sentence(p.target) for p in pairs]
    return AlignedDocument("de", "en", tuple(pairs), tuple(sentences), tuple(targets_), name="bericht")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "tmx", "jsonl"])
def test_export_doc_from_an_aligned_file(tmp_path: Path, settings, capsys, fmt: str) -> None:
    source = tmp_path / "bericht.md"
    source.write_text(SOURCE, encoding="utf-8")
    aligned = write_document(reviewed(source), tmp_path / f"bericht.{fmt}")
    out = tmp_path / "report.md"
    argv = ["--home", str(settings.home), "export-doc", str(aligned), str(source), "-o", str(out), "--unconfirmed", "marker"]
    assert cli.main(argv) == cli.EXIT_OK
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8") == (
        "# Report\n\nFirst sentence. [untranslated: Zweiter Satz.]\n\n- [untranslated: Ein Punkt.]\n"
    )


def test_export_doc_from_a_page_project(tmp_path: Path, settings, capsys) -> None:
    from align.review.store import open_store

    source = tmp_path / "bericht.md"
    source.write_text(SOURCE, encoding="utf-8")
    with open_store(settings) as store:
        number = store.create_project("Bericht März", reviewed(source))
        store.create_project("doppelt", reviewed(source))
        store.create_project("doppelt", reviewed(source))
    out = tmp_path / "report.txt"
    for name in ("Bericht März", str(number)):
        argv = ["--home", str(settings.home), "export-doc", name, str(source), "-o", str(out), "--unconfirmed", "source"]
        assert cli.main(argv) == cli.EXIT_OK
        assert out.read_text(encoding="utf-8") == "Report\n\nFirst sentence. Zweiter Satz.\n\nEin Punkt.\n"
    assert cli.main(["--home", str(settings.home), "export-doc", "doppelt", str(source), "-o", str(out)]) == cli.EXIT_ERROR
    assert "doppelt: 2 projects have this name" in capsys.readouterr().err


def test_export_doc_errors_are_one_line(tmp_path: Path, settings, capsys) -> None:
    source = tmp_path / "bericht.md"
    source.write_text(SOURCE, encoding="utf-8")
    missing = str(tmp_path / "nope.csv")
    assert cli.main(["--home", str(settings.home), "export-doc", missing, str(source), "-o", str(tmp_path / "o.md")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {missing}: file not found")
    aligned = write_document(reviewed(source), tmp_path / "bericht.jsonl")
    assert cli.main(["--home", str(settings.home), "export-doc", str(aligned), str(source), "-o", str(tmp_path / "o.pdf")]) == 1
    assert "o.pdf: a PDF cannot be written; write the translation as .md or .txt" in capsys.readouterr().err
