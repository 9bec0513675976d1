"""HTML and Markdown translated with their inline markup: bold, italics, links, code, images.

The command line translates with the real fixture package (``python -m align translate``'s
``main()``), whose German sentences come out as known English; the word aligner places each
sentence's codes. Real inline markup comes from Okapi's extractions of HTML and Markdown pages in
``../shared/bench/xliff-dev`` (each unit's source with its native codes is a paragraph). Outputs
are checked with parsers that are not ours (BeautifulSoup; markdown-it for Markdown): per
paragraph, the count of each kind of inline element equals the source's, and the text reads as
the translation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from align.cli import main
from align.docout import write_translated
from align.document import AlignedDocument, Pair, Sentence
from align.text.readers import read_text
from align.text.segment import segment

#: Inline elements a paragraph's count is kept for (what a reader turns into codes).
INLINE_TAGS = ("a", "b", "strong", "i", "em", "u", "code", "sup", "sub", "span", "img", "br", "var", "cite", "font", "acronym")
BLOCK_TAGS = ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6")

FIXTURE = {
    "title": ("Neue Fahrradbrücke über die Elbe eröffnet", "New cycle bridge over the Elbe opens"),
    "opened": (
        "Nach drei Jahren Bauzeit ist die neue Fahrradbrücke in Dresden am Samstag eröffnet worden.",
        "After three years of construction, the new cycle bridge in Dresden was opened on Saturday.",
    ),
    "cost": (
        "Die Brücke ist 320 Meter lang und kostete 18,5 Millionen Euro.",
        "The bridge is 320 metres long and cost 18.5 million euros.",
    ),
    "info": (
        "Weitere Informationen gibt es auf der Internetseite der Stadt.",
        "Further information is available on the city's website.",
    ),
    "free": ("Der Eintritt ist frei.", "Admission is free."),
    "nobody": ("Verletzt wurde niemand.", "Nobody was injured."),
}


def en(key: str) -> str:
    return FIXTURE[key][1]


def translate_cli(home: Path, source: Path, out: Path) -> None:
    assert main(["--home", str(home), "translate", str(source), "-o", str(out), "--quiet"]) == 0


def html_counts(markup: str) -> list[Counter[str]]:
    """For each block element with text, the count of each inline element in it that holds text
    (an emptied element does not count) or is an image or a line break."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    blocks = [t for t in soup.find_all(BLOCK_TAGS) if t.get_text(strip=True) and not t.find(BLOCK_TAGS)]
    return [Counter(e.name for e in t.find_all(INLINE_TAGS) if e.name in ("img", "br") or e.get_text(strip=True)) for t in blocks]


def markdown_counts(text: str) -> list[Counter[str]]:
    """The same for Markdown, rendered by markdown-it (CommonMark with GitHub's tables)."""
    from markdown_it import MarkdownIt

    return html_counts(MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text))


# ---- through the command line, with the fixture package ---------------------------------------------

MARKDOWN = f"""# Neue **Fahrradbrücke** über die Elbe eröffnet

Nach drei Jahren Bauzeit ist die neue **Fahrradbrücke** in [Dresden](https://dresden.de) am Samstag eröffnet worden. \
Die Brücke ist `320` Meter lang und kostete *18,5 Millionen Euro*.

- Weitere Informationen gibt es auf der [Internetseite der Stadt](https://example.org/stadt "Die Stadt").
- **{FIXTURE["free"][0]}** {FIXTURE["nobody"][0]}

| Spalte | {FIXTURE["nobody"][0]} |
|:--|--:|
| Der Eintritt ist **frei**. | ![Bild](bild.png) |
"""


def test_markdown_keeps_bold_links_and_code_spans_through_translate(tmp_path: Path, installed_settings) -> None:
    source, out = tmp_path / "bericht.md", tmp_path / "report.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    translate_cli(installed_settings.home, source, out)
    result = out.read_text(encoding="utf-8")
    lines = result.split("\n")

    assert markdown_counts(result) == markdown_counts(MARKDOWN)  # per paragraph, each kind of markup kept
    blocks = read_text(out).split("\n\n")
    assert blocks[:4] == [en("title"), f"{en('opened')} {en('cost')}", en("info"), f"{en('free')} {en('nobody')}"]
    assert blocks[5:7] == [en("nobody"), en("free")]  # cell by cell ("Spalte" is no fixture sentence)
    assert "](https://dresden.de)" in lines[2] and "`320`" in lines[2]  # link target kept, code span verbatim
    assert '](https://example.org/stadt "Die Stadt")' in lines[4]
    assert lines[5] == f"- **{en('free')}** {en('nobody')}"  # a sentence all in bold stays bold
    assert lines[8] == "|:--|--:|"  # the alignment row stays (two dashes are enough for GitHub)
    assert lines[9].startswith("| Admission is **free**. | ![") and lines[9].endswith("](bild.png) |")


def test_html_keeps_inline_elements_through_translate(tmp_path: Path, installed_settings) -> None:
    from bs4 import BeautifulSoup

    page = (
        "<html><head><title>Bericht</title></head><body>"
        f'<h1>Neue <span class="ort">Fahrradbrücke</span> über die Elbe eröffnet</h1>'
        '<p>Nach drei Jahren Bauzeit ist die neue <b>Fahrradbrücke</b> in <a href="https://dresden.de" id="d">Dresden</a> '
        "am Samstag eröffnet worden.<br>Die Brücke ist <code>320</code> Meter lang und kostete "
        '<i>18,5 Millionen <img src="euro.png" alt="">Euro</i>.</p>'
        '<ul><li>Weitere Informationen gibt es auf der <a href="/stadt"><strong>Internetseite</strong> der Stadt</a>.</li></ul>'
        f'<p><img src="b.png" alt="{FIXTURE["title"][0]}" title="{FIXTURE["free"][0]}"></p>'
        "</body></html>"
    )
    source, out = tmp_path / "bericht.html", tmp_path / "report.html"
    source.write_text(page, encoding="utf-8")
    translate_cli(installed_settings.home, source, out)
    result = out.read_text(encoding="utf-8")

    assert html_counts(result) == html_counts(page)
    soup = BeautifulSoup(result, "lxml")
    assert [a["href"] for a in soup.find_all("a")] == ["https://dresden.de", "/stadt"]
    assert soup.find("a", id="d") is not None  # the id stays on the element
    code = soup.find("code")
    assert code is not None and code.get_text() == "320"
    assert soup.find("span", class_="ort") is not None
    images = soup.find_all("img")
    assert [i["src"] for i in images] == ["euro.png", "b.png"]
    assert images[1]["alt"] == en("title") and images[1]["title"] == en("free")
    assert read_text(out).split("\n\n")[1:3] == [en("title"), f"{en('opened')} {en('cost')}"]


# ---- real inline markup: Okapi's extractions of HTML and Markdown pages ----------------------------


def okapi_sources(shared: Path, kind: str) -> list[str]:
    """Each unit's source with its native codes (the page's own markup), for units with codes."""
    from lxml import etree

    ns = "{urn:oasis:names:tc:xliff:document:1.2}"
    sources = []
    for path in sorted((shared / "bench" / "xliff-dev" / "files").glob(f"XLIFF_PREV__{kind}__*.xliff")):
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError:
            continue  # one extraction is deliberately broken
        for unit in tree.iter(f"{ns}trans-unit"):
            source = unit.find(f"{ns}source")
            natives = [c for c in source.iter() if c is not source]
            if natives and all(c.tag in (f"{ns}bpt", f"{ns}ept", f"{ns}ph", f"{ns}it") for c in natives):
                sources.append("".join(source.itertext()))
    return sources


def prefixed(source: Path) -> AlignedDocument:
    """What ``translate`` makes of ``source`` with a machine that writes "EN:" + each sentence."""
    sentences = segment(read_text(source), "en")
    pairs = [
        Pair(source=s.text, target="EN:" + s.text, src_ids=(i,), tgt_ids=(i,), paragraph=s.paragraph)
        for i, s in enumerate(sentences)
    ]
    targets = [Sentence(p.target, paragraph=p.paragraph) for p in pairs]
    return AlignedDocument("en", "de", tuple(pairs), tuple(sentences), tuple(targets), name=source.name)


def expected(source: Path, transform: Callable[[str], str]) -> str:
    text = read_text(source)
    out, position = [], 0
    for s in segment(text, "en"):
        out += [text[position : s.start], transform(s.text)]
        position = s.end
    return "".join(out) + text[position:]


def test_okapi_html_units_keep_their_inline_elements(tmp_path: Path, shared_dir: Path) -> None:
    units = okapi_sources(shared_dir, "html")
    assert len(units) > 100
    page = "<html><body>" + "".join(f"<p>{unit}</p>\n" for unit in units) + "</body></html>"
    source, out = tmp_path / "okapi.html", tmp_path / "out.html"
    source.write_text(page, encoding="utf-8")
    write_translated(prefixed(source), source, out)
    assert read_text(out) == expected(source, lambda s: "EN:" + s)
    before, after = html_counts(source.read_text(encoding="utf-8")), html_counts(out.read_text(encoding="utf-8"))
    assert len(after) == len(before)
    assert [k for k, (b, a) in enumerate(zip(before, after, strict=True)) if a != b] == []


def test_okapi_markdown_units_keep_their_markup(tmp_path: Path, shared_dir: Path) -> None:
    units = [u for u in okapi_sources(shared_dir, "markdown") if "\n" not in u.strip() and not u.startswith((" ", "\t"))]
    assert len(units) > 40
    text = "".join(f"{unit.strip()}\n\n" for unit in units)
    source, out = tmp_path / "okapi.md", tmp_path / "out.md"
    source.write_text(text, encoding="utf-8")
    write_translated(prefixed(source), source, out)
    whole_code = {unit.strip()[1:-1].strip("`").strip() for unit in units if re.fullmatch(r"`[^`]+`|``[^`]+``", unit.strip())}
    assert "git status" in whole_code  # a block that is one code span is written as it was, never translated
    assert read_text(out) == expected(source, lambda s: s if s in whole_code else "EN:" + s)
    before, after = markdown_counts(text), markdown_counts(out.read_text(encoding="utf-8"))
    assert len(after) == len(before)
    assert [(k, b, a) for k, (b, a) in enumerate(zip(before, after, strict=True)) if a != b] == []


# ---- hostile input -----------------------------------------------------------------------------------


def test_deeply_nested_inline_elements_are_rebuilt_without_recursion(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    depth = 900  # under readers.HTML_DEEP: read and written, not refused
    page = "<p>Ein " + "<span>" * depth + "<b>fettes</b> Wort" + "</span>" * depth + " hier.</p>"
    source, out = tmp_path / "deep.html", tmp_path / "out.html"
    source.write_text(page, encoding="utf-8")
    write_translated(prefixed(source), source, out)
    assert read_text(out) == expected(source, lambda s: "EN:" + s)
    bold = BeautifulSoup(out.read_text(encoding="utf-8"), "lxml").find_all("b")
    assert [b.get_text() for b in bold] == ["fettes"]


def test_a_long_line_of_markup_is_read_and_written_in_linear_time(tmp_path: Path) -> None:
    line = "Ein **fettes** und _kursives_ Wort in `code` mit [Link](u). " * 300 + "snake_case_name " * 2000 + "_a " * 5000
    source, out = tmp_path / "long.md", tmp_path / "out.md"
    source.write_text(line + "\n", encoding="utf-8")
    write_translated(prefixed(source), source, out)
    written = out.read_text(encoding="utf-8")
    assert written.count("](u)") == 300 and written.count("`code`") == 300 and "snake_case_name" in written
