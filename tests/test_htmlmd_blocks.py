"""Markdown tables cell by cell and HTML text-bearing attributes (alt, title, ...) as blocks.

Sources are written as text; the aligned documents are what ``translate`` makes (a row per
segmented sentence) with targets "EN:" + source, so each cell's and attribute's expected text is
known exactly. Outputs are read back with the same reader (and BeautifulSoup for HTML).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from align.docout import write_translated
from align.document import AlignedDocument, Pair, Sentence
from align.text.readers import read_blocks, read_text
from align.text.segment import segment


def en(text: str) -> str:
    return "EN:" + text


def translated(source: Path, transform: Callable[[str], str] = en) -> AlignedDocument:
    """What ``translate`` makes of ``source``: a row per sentence, spans kept, target = transform(source)."""
    sentences = segment(read_text(source), "de")
    pairs = [
        Pair(source=s.text, target=transform(s.text), src_ids=(i,), tgt_ids=(i,), paragraph=s.paragraph)
        for i, s in enumerate(sentences)
    ]
    targets = [Sentence(p.target, paragraph=p.paragraph) for p in pairs]
    return AlignedDocument("de", "en", tuple(pairs), tuple(sentences), tuple(targets), name=source.name)


# ---- Markdown tables -------------------------------------------------------------------------------

TABLE = """Vor der Tabelle.

| Name | Wert | Notiz |
|:-----|-----:|:-----:|
| Umsatz gesamt | 5 Mio. Euro |  |
| Kosten | 3 Mio. Euro | Mit a \\| b darin |
> | Zitiert | Zelle |

Nach der Tabelle.
"""


def test_markdown_table_cells_are_blocks_of_their_own(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text(TABLE, encoding="utf-8")
    source = read_blocks(path)
    cells = [(source.text[b.start : b.end], b.kind) for b in source.blocks if b.kind == "cell"]
    assert cells == [
        ("Name", "cell"),
        ("Wert", "cell"),
        ("Notiz", "cell"),
        ("Umsatz gesamt", "cell"),
        ("5 Mio. Euro", "cell"),
        ("Kosten", "cell"),
        ("3 Mio. Euro", "cell"),
        ("Mit a | b darin", "cell"),
        ("Zitiert", "cell"),
        ("Zelle", "cell"),
    ]


def test_markdown_table_translated_cell_by_cell(tmp_path: Path) -> None:
    source, out = tmp_path / "t.md", tmp_path / "o.md"
    source.write_text(TABLE, encoding="utf-8")
    write_translated(translated(source), source, out)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[2:7] == [
        f"| {en('Name')} | {en('Wert')} | {en('Notiz')} |",
        "|:-----|-----:|:-----:|",
        f"| {en('Umsatz gesamt')} | {en('5 Mio. Euro')} |  |",
        f"| {en('Kosten')} | {en('3 Mio. Euro')} | {en('Mit a')} \\| b darin |",
        f"> | {en('Zitiert')} | {en('Zelle')} |",
    ]
    assert lines[0] == en("Vor der Tabelle.") and lines[-2] == en("Nach der Tabelle.")


def test_markdown_table_cell_left_alone_keeps_its_markup(tmp_path: Path) -> None:
    source, out = tmp_path / "t.md", tmp_path / "o.md"
    source.write_text("| **Fett** | Zwei |\n|---|---|\n", encoding="utf-8")
    write_translated(translated(source, lambda s: en(s) if s == "Zwei" else s), source, out)
    assert out.read_text(encoding="utf-8") == f"| **Fett** | {en('Zwei')} |\n|---|---|\n"


# ---- HTML attributes -------------------------------------------------------------------------------

PAGE = """<html><head><title>Seite</title></head><body>
<p title="Ein Hinweis &amp; mehr">Text vor dem Bild
<img src="a.png" alt="Ein &quot;Bild&quot; &amp; 'Foto' &lt;/p&gt;"> und danach.</p>
<p><abbr title="Gesellschaft mit beschränkter Haftung">GmbH</abbr> ist kurz.</p>
<form><input type="text" placeholder="Ihr Name"><input type="submit" value="Absenden">
<input type="hidden" value="geheim"><input type="text" value="Vorgabe"><img src="b.png" alt=""></form>
</body></html>"""


def test_html_alt_title_placeholder_and_button_values_are_blocks(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(PAGE, encoding="utf-8")
    assert read_text(path) == (
        "Seite\n\nText vor dem Bild und danach.\n\nEin Hinweis & mehr\n\nEin \"Bild\" & 'Foto' </p>\n\nGmbH ist kurz.\n\n"
        "Gesellschaft mit beschränkter Haftung\n\nIhr Name\n\nAbsenden\n"
    )
    kinds = [b.kind for b in read_blocks(path).blocks]
    assert kinds == ["title", "p", "@title", "@alt", "p", "@title", "@placeholder", "@value"]


def test_html_attributes_translated_in_place(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    source, out = tmp_path / "p.html", tmp_path / "o.html"
    source.write_text(PAGE, encoding="utf-8")
    write_translated(translated(source), source, out)
    soup = BeautifulSoup(out.read_bytes(), "lxml")
    assert soup.p is not None and soup.p["title"] == en("Ein Hinweis & mehr")
    assert soup.img is not None and soup.img["alt"] == en("Ein \"Bild\" & 'Foto' </p>") and soup.img["src"] == "a.png"
    assert soup.abbr is not None and soup.abbr["title"] == en("Gesellschaft mit beschränkter Haftung")
    inputs = soup.find_all("input")
    assert [i.get("placeholder") for i in inputs] == [en("Ihr Name"), None, None, None]
    assert [i.get("value") for i in inputs] == [None, en("Absenden"), "geheim", "Vorgabe"]
    assert b'</p>"' not in out.read_bytes() and b"</p>'" not in out.read_bytes()  # escaped in the attribute
    assert read_text(out) == "\n\n".join(en(b) for b in read_text(source).strip().split("\n\n")) + "\n"


def test_markdown_table_without_outer_pipes(tmp_path: Path) -> None:
    source, out = tmp_path / "t.md", tmp_path / "o.md"
    source.write_text("Name | Wert\n--- | :-:\nUmsatz | 5 Mio.\n\nText | mit Strich.\n", encoding="utf-8")
    assert read_text(source) == "Name\n\nWert\n\nUmsatz\n\n5 Mio.\n\nText | mit Strich.\n"  # no alignment row: no table
    write_translated(translated(source), source, out)
    assert out.read_text(encoding="utf-8").split("\n")[:3] == [
        f"{en('Name')} | {en('Wert')}",
        "--- | :-:",
        f"{en('Umsatz')} | {en('5 Mio.')}",
    ]
