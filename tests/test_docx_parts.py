"""Word documents translated in every part: headers and footers of every section, footnotes,
endnotes, text boxes (their ``mc:Fallback`` copy too), tables, content controls.

Real files from ``../shared/bench/docx-dev`` (made in Word) and real files built from them with a
footnote and a text box written into their XML as Word writes them. Targets are a deterministic
transform of the sources ("EN:" + source); outputs are read back with lxml straight from the ZIP,
not with the reader under test.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from align.docout import write_translated
from align.document import AlignedDocument, Pair, Sentence
from align.text.readers import read_text
from align.text.segment import segment

DOCX_DEV = Path(__file__).resolve().parents[2] / "shared" / "bench" / "docx-dev" / "files"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

needs_docx_dev = pytest.mark.skipif(not DOCX_DEV.is_dir(), reason="../shared/bench/docx-dev is not here")


def en(text: str) -> str:
    return "EN:" + text


def translated(source: Path, transform: Callable[[str], str] = en) -> AlignedDocument:
    """What ``translate`` makes of ``source``: a row per sentence, target = transform(source)."""
    sentences = segment(read_text(source), "de")
    pairs = tuple(Pair(source=s.text, target=transform(s.text), src_ids=(i,), tgt_ids=(i,)) for i, s in enumerate(sentences))
    return AlignedDocument("de", "en", pairs, tuple(sentences), tuple(Sentence(p.target) for p in pairs), name=source.name)


def part_paragraphs(path: Path, part: str) -> list[str]:
    """The text of each paragraph with text of one XML part, read straight from the ZIP."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(part))
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    return [t for t in texts if t.strip()]


def rewrite(source: Path, out: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """``source`` with some of its XML parts edited as text (the way another program writes them)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename in edits:
                data = edits[item.filename](data.decode("utf-8")).encode("utf-8")
            new.writestr(item, data)
    return out


def first_in_body(xml: str) -> Callable[[str], str]:
    return lambda text: re.sub(r"(<w:body[^>]*>)", lambda m: m.group(1) + xml, text, count=1)


FOOTNOTE = (
    '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
    '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> Die Quelle steht im Anhang.</w:t></w:r></w:p></w:footnote>'
)
FOOTNOTED = (
    "<w:p><w:r><w:t>Der Vertrag gilt ab heute</w:t></w:r>"
    '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
    '<w:r><w:t xml:space="preserve"> und endet nie.</w:t></w:r></w:p>'
)
TEXT_BOX = (
    '<w:p><w:r><w:t xml:space="preserve">Vor dem Kasten steht ein Satz.</w:t></w:r><w:r><mc:AlternateContent>'
    '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
    'relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
    '<wp:extent cx="914400" cy="457200"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="7" name="Textfeld 1"/><wp:cNvGraphicFramePr/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent>'
    "<w:p><w:r><w:t>Im Kasten steht der Hinweis.</w:t></w:r></w:p>"
    "</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
    '</mc:Choice><mc:Fallback><w:pict><v:shape id="Textfeld 1" style="width:72pt;height:36pt"><v:textbox>'
    "<w:txbxContent><w:p><w:r><w:t>Im Kasten steht der Hinweis.</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
)


@needs_docx_dev
@pytest.mark.parametrize(
    "name", ["hdr-header-footer.docx", "doc-odd-even-hdrs.docx", "sct-first-page-hdrftr.docx", "doc-add-section.docx"]
)
def test_docx_headers_and_footers_of_every_section_are_translated(tmp_path: Path, name: str) -> None:
    source, out = DOCX_DEV / name, tmp_path / "out.docx"
    with zipfile.ZipFile(source) as archive:
        parts = sorted(n for n in archive.namelist() if re.fullmatch(r"word/(header|footer)\d+\.xml", n))
    texts = {part: part_paragraphs(source, part) for part in parts}
    assert any(texts.values())
    write_translated(translated(source), source, out)
    for part, paragraphs in texts.items():
        got = part_paragraphs(out, part)
        assert len(got) == len(paragraphs)
        assert all(text.startswith("EN:") for text in got), (part, got)


@needs_docx_dev
def test_docx_footnote_and_text_box_are_read_once_and_translated(tmp_path: Path) -> None:
    source = rewrite(
        DOCX_DEV / "blk-paras-and-tables.docx",
        tmp_path / "in.docx",
        {
            "word/document.xml": first_in_body(FOOTNOTED + TEXT_BOX),
            "word/footnotes.xml": lambda t: t.replace("</w:footnotes>", FOOTNOTE + "</w:footnotes>"),
        },
    )
    text = read_text(source)
    assert text.count("Im Kasten steht der Hinweis.") == 1  # the fallback copy is not read again
    assert "Die Quelle steht im Anhang." in text
    assert text.index("Vor dem Kasten") < text.index("Im Kasten") < text.index("Die Quelle")  # a text box follows its anchor

    out = tmp_path / "out.docx"
    write_translated(translated(source), source, out)
    assert part_paragraphs(out, "word/footnotes.xml") == [en("Die Quelle steht im Anhang.")]
    with zipfile.ZipFile(out) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    [choice] = body.iter(f"{MC}Choice")
    [fallback] = body.iter(f"{MC}Fallback")
    for side in (choice, fallback):
        assert ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in side.iter(f"{W}p")] == [
            en("Im Kasten steht der Hinweis.")
        ]
    # the footnote's own mark and the reference in the body stay, once each
    assert len(list(notes.iter(f"{W}footnoteRef"))) == 1
    assert len(list(body.iter(f"{W}footnoteReference"))) == 1


def test_docx_with_text_only_in_a_header_is_not_refused(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Nur die Kopfzeile hat Text."
    source, out = tmp_path / "kopf.docx", tmp_path / "out.docx"
    document.save(str(source))
    assert read_text(source).strip() == "Nur die Kopfzeile hat Text."
    write_translated(translated(source), source, out)
    assert docx.Document(str(out)).sections[0].header.paragraphs[0].text == en("Nur die Kopfzeile hat Text.")


def test_docx_parts_come_after_the_body_in_a_stable_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Der Text des Körpers.")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Die Kopfzeile."
    section.footer.paragraphs[0].text = "Die Fußzeile."
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Die erste Kopfzeile."
    source = tmp_path / "teile.docx"
    document.save(str(source))
    text = read_text(source)
    order = [text.index(s) for s in ("Der Text des Körpers.", "Die Kopfzeile.", "Die erste Kopfzeile.", "Die Fußzeile.")]
    assert order == sorted(order)
    assert read_text(source) == text
    with zipfile.ZipFile(io.BytesIO(source.read_bytes())) as archive:
        assert {"word/header1.xml", "word/header2.xml"} <= set(archive.namelist())
