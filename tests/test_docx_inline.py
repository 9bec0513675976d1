"""Run formatting through translation: a bold word, a link, a footnote mark of a Word sentence
land on their translation (``align.docout.inline`` + the word aligner + the Word writer).

Real documents (python-docx builds them; ``../shared/bench/docx-dev`` has Word's own), the real
word aligner, the real bench measure; outputs are read back with python-docx and lxml.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from align.codes import Code, CodeKind
from align.docout import write_translated
from align.docout.inline import Coded, Fragment, Styled, fragments, sentence_codes
from align.document import AlignedDocument, Pair, Sentence
from align.text.readers import read_text
from align.text.segment import segment

REPO = Path(__file__).resolve().parents[1]
DOCX_DEV = REPO.parent / "shared" / "bench" / "docx-dev" / "files"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def rows(source: Path, targets: dict[str, str]) -> AlignedDocument:
    """A row per sentence of ``source``, its target from ``targets`` (the source where missing)."""
    sentences = segment(read_text(source), "de")
    pairs = tuple(
        Pair(source=s.text, target=targets.get(s.text, s.text), src_ids=(i,), tgt_ids=(i,)) for i, s in enumerate(sentences)
    )
    return AlignedDocument("de", "en", pairs, tuple(sentences), tuple(Sentence(p.target) for p in pairs), name=source.name)


def test_sentence_codes_mark_what_differs_from_the_plain_text() -> None:
    # "Der Vertrag gilt heute¹." : plain, bold "heute", a footnote mark after it
    styled = [
        Styled(0, 17, 0, "plain"),
        Styled(17, 22, 1, "bold", depth=1),
        Styled(22, 22, 2, "mark"),
        Styled(22, 23, 3, "plain"),
    ]
    coded = sentence_codes(0, 23, styled, "Der Vertrag gilt heute.")
    assert coded == Coded((Code("1", CodeKind.PAIRED, 17, 22), Code("2", CodeKind.STANDALONE, 22, 22)), (1, 2), 0)
    # a link over most of the sentence is still the code, the plain words around it are not
    link = [Styled(0, 4, 0, "plain"), Styled(4, 20, 1, "link", depth=100), Styled(20, 21, 2, "plain")]
    assert sentence_codes(0, 21, link, "Die Seite der Firma .").codes == (Code("1", CodeKind.PAIRED, 4, 20),)  # type: ignore[union-attr]
    assert sentence_codes(0, 10, [Styled(0, 10, 0, "plain")], "Ein Satz. ") is None  # one look: no codes, no cost


def test_fragments_follow_the_target_order() -> None:
    coded = Coded((Code("1", CodeKind.PAIRED, 17, 22), Code("2", CodeKind.STANDALONE, 22, 22)), (1, 2), 0)
    placed = (Code("1", CodeKind.PAIRED, 0, 5), Code("2", CodeKind.STANDALONE, 5, 5))
    assert fragments("Today the contract holds.", placed, coded) == (
        Fragment("Today", 1),
        Fragment("", 2, standalone=True),
        Fragment(" the contract holds.", 0),
    )


def make_formatted(path: Path) -> None:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    paragraph = document.add_paragraph("Der Vertrag ist ")
    paragraph.add_run("heute").bold = True
    paragraph.add_run(" gültig, siehe ")
    rel = document.part.relate_to("https://example.com/agb", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "die Bedingungen"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    paragraph.add_run(".")
    document.add_paragraph("Ein schlichter Satz ohne Formatierung.")
    document.save(str(path))


@pytest.fixture(scope="module")
def aligner(tmp_path_factory: pytest.TempPathFactory):
    from align.words import WordAligner

    return WordAligner(models_dir=tmp_path_factory.mktemp("word-models"), threads=2)


def test_docx_bold_word_and_link_land_on_their_translation(tmp_path: Path, aligner) -> None:
    import docx

    source, out = tmp_path / "vertrag.docx", tmp_path / "contract.docx"
    make_formatted(source)
    targets = {
        "Der Vertrag ist heute gültig, siehe die Bedingungen.": "The contract is valid today, see the conditions.",
        "Ein schlichter Satz ohne Formatierung.": "A plain sentence without formatting.",
    }
    write_translated(rows(source, targets), source, out, aligner=aligner)

    paragraph = docx.Document(str(out)).paragraphs[0]
    assert paragraph.text == "The contract is valid today, see the conditions."
    bold = [r.text for r in paragraph.runs if r.bold and r.text.strip()]
    assert bold == ["today"]
    links = list(paragraph._p.iter(f"{W}hyperlink"))
    assert len(links) == 1
    assert "".join(t.text for t in links[0].iter(f"{W}t")).strip() == "the conditions"
    assert docx.Document(str(out)).paragraphs[1].text == "A plain sentence without formatting."


def test_docx_sentence_whose_runs_look_alike_needs_no_aligner(tmp_path: Path) -> None:
    """A document without inline formatting costs nothing extra: no aligner is loaded for it."""
    import docx

    document = docx.Document()
    document.add_paragraph("Erster Satz.")
    run_split = document.add_paragraph("Zweiter ")
    run_split.add_run("Satz in zwei Läufen.")
    source, out = tmp_path / "schlicht.docx", tmp_path / "out.docx"
    document.save(str(source))

    class Refuses:
        options = None

        def __getattr__(self, name: str) -> None:
            raise AssertionError("the aligner was used")

    write_translated(
        rows(source, {"Erster Satz.": "First sentence.", "Zweiter Satz in zwei Läufen.": "Second one."}),
        source,
        out,
        aligner=Refuses(),
    )  # type: ignore[arg-type]
    assert [p.text for p in docx.Document(str(out)).paragraphs] == ["First sentence.", "Second one."]


@pytest.mark.skipif(not DOCX_DEV.is_dir(), reason="../shared/bench/docx-dev is not here")
def test_docx_dev_every_paragraph_translated_with_its_codes(tmp_path: Path) -> None:
    """The bench's measure on Word's own files, pseudo-translated: (a) and (b) at 100%."""
    from devtools.bench.docx import measure, pseudo_translator

    translate, placer = pseudo_translator()
    results = [measure(path, translate, placer, None, None) for path in sorted(DOCX_DEV.glob("*.docx"))]
    failures = [f"{r.name}: {line}" for r in results for line in ([r.refused] if r.refused else []) + r.failures]
    assert not failures
    assert sum(r.paragraphs for r in results) >= 190


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_docx_of_2000_tiny_paragraphs_stays_small(tmp_path: Path) -> None:
    """Read, pseudo-translated with its codes, written: peak memory of the whole process (Linux)."""
    import docx

    document = docx.Document()
    for n in range(2000):
        paragraph = document.add_paragraph(f"Satz {n}. ")
        if n % 3 == 0:
            paragraph.add_run("fett").bold = True
            paragraph.add_run(" und mehr.")
    source = tmp_path / "klein.docx"
    document.save(str(source))
    script = textwrap.dedent(
        f"""
        import re
        from pathlib import Path
        from align.docout import write_translated
        from align.document import AlignedDocument, Pair, Sentence
        from align.exchange.pseudo import pseudo_text
        from align.text.readers import read_text
        from align.text.segment import segment

        source = Path({str(source)!r})
        sentences = segment(read_text(source), "de")
        targets = [pseudo_text(s.text, ())[0] for s in sentences]
        numbered = enumerate(zip(sentences, targets))
        pairs = tuple(Pair(source=s.text, target=t, src_ids=(i,), tgt_ids=(i,)) for i, (s, t) in numbered)
        doc = AlignedDocument("de", "en", pairs, tuple(sentences), tuple(Sentence(p.target) for p in pairs))
        write_translated(doc, source, source.with_name("out.docx"), placer=lambda s, t, c: pseudo_text(s, c)[1])
        # VmHWM: this program's own peak (ru_maxrss would count pytest's, inherited through fork and exec)
        print(int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    peak_mb = int(done.stdout.split()[-1])
    assert peak_mb < 200, peak_mb
    out = docx.Document(str(tmp_path / "out.docx"))
    assert len(out.paragraphs) == 2000
    assert sum(1 for p in out.paragraphs for r in p.runs if r.bold and r.text.strip()) == 667


def add_runs(paragraph, *runs: str) -> None:  # noqa: ANN001
    """Runs written as Word writes them: ``"t:text"``, ``"b:text"`` (bold), ``"fld:begin"``, ``"instr: PAGE "``."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for spec in runs:
        kind, value = spec.split(":", 1)
        body = {
            "t": f'<w:t xml:space="preserve">{value}</w:t>',
            "b": f'<w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{value}</w:t>',
            "fld": f'<w:fldChar w:fldCharType="{value}"/>',
            "instr": f'<w:instrText xml:space="preserve">{value}</w:instrText>',
        }[kind]
        paragraph._p.append(parse_xml(f"<w:r {ns}>{body}</w:r>"))


def test_docx_pseudo_keeps_a_field_and_a_bold_word_in_one_sentence(tmp_path: Path) -> None:
    """A page number field and a bold word in one footer sentence: both stay, the field's result
    inside the field, every paragraph of every part pseudo-translated."""
    import docx

    from align.docout import write_pseudo
    from align.exchange.pseudo import pseudo_text
    from align.text.readers import docx_paragraphs
    from devtools.bench.docx import code_counts, paragraph_text

    document = docx.Document()
    add_runs(document.add_paragraph(), "t:Der Text ist ", "b:wichtig", "t: und lang.")
    footer = document.sections[0].footer.paragraphs[0]
    add_runs(
        footer, "t:Seite ", "fld:begin", "instr: PAGE ", "fld:separate", "t:1", "fld:end", "t: von ", "b:vielen", "t: Seiten."
    )
    source, out = tmp_path / "feld.docx", tmp_path / "out.docx"
    document.save(str(source))

    assert write_pseudo(source, out, pseudo_text)[1] == 2
    before = [(paragraph_text(p), code_counts(p)) for p, _ in docx_paragraphs(docx.Document(str(source)))]
    after = [(paragraph_text(p), code_counts(p)) for p, _ in docx_paragraphs(docx.Document(str(out)))]
    assert [counts for _, counts in after] == [counts for _, counts in before]
    assert [counts["field"] for _, counts in before] == [0, 1]
    assert all(new != old and new.startswith("[") for (old, _), (new, _) in zip(before, after, strict=True))
    [page] = [p for p, _ in docx_paragraphs(docx.Document(str(out))) if p.find(f".//{W}instrText") is not None]
    texts = [("".join(t.text for t in r.iter(f"{W}t")), r.find(f"{W}rPr/{W}b") is not None) for r in page.iter(f"{W}r")]
    assert ("1", False) in texts  # the field's result stays in the field (Word updates it)
    assert [t for t, bold in texts if bold and t] == ["ṽĩēĺēñ"]


def linked_paragraph(path: Path) -> None:
    """ "Sehen Sie <link>die <b>neue</b> Seite</link> im Netz." as Word writes it."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    paragraph = document.add_paragraph()
    rel = document.part.relate_to("https://example.com", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    add_runs(paragraph, "t:Sehen Sie ")
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    ns += 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink {ns} r:id="{rel}"><w:r><w:t xml:space="preserve">die </w:t></w:r>'
            '<w:r><w:rPr><w:b/></w:rPr><w:t>neue</w:t></w:r><w:r><w:t xml:space="preserve"> Seite</w:t></w:r></w:hyperlink>'
        )
    )
    add_runs(paragraph, "t: im Netz.")
    document.save(str(path))


def body_text(path: Path) -> str:
    """The first paragraph's text in the order of its XML (what Word shows)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    first = next(root.iter(f"{W}p"))
    return "".join(t.text or "" for t in first.iter(f"{W}t"))


def test_docx_spaces_between_formatted_parts_of_a_link_stay_inside_it(tmp_path: Path) -> None:
    from align.docout import write_pseudo
    from align.exchange.pseudo import pseudo_text

    source, out = tmp_path / "link.docx", tmp_path / "out.docx"
    linked_paragraph(source)
    write_pseudo(source, out, pseudo_text)
    assert body_text(out) == pseudo_text("Sehen Sie die neue Seite im Netz.", ())[0]
    links = list(docx_root(out).iter(f"{W}hyperlink"))
    assert ["".join(t.text or "" for t in link.iter(f"{W}t")) for link in links] == ["đĩē ñēūē Šēĩţē"]


def test_docx_link_with_a_bold_word_inside_is_one_code_and_stays_one_link(tmp_path: Path) -> None:
    """The link is a code with the bold word's code inside it: the translation's word order
    cannot scatter the link's parts, and the paragraph reads in the translation's order."""
    from align.codes import Code, CodeKind

    source, out = tmp_path / "link.docx", tmp_path / "out.docx"
    linked_paragraph(source)
    target = "See the very new page online."

    def placer(_source: str, _target: str, codes: tuple[Code, ...]) -> tuple[Code, ...]:
        assert [(c.start, c.end) for c in codes] == [(10, 24), (14, 18)]  # the link, "neue" inside it
        return (Code("1", CodeKind.PAIRED, 4, 21), Code("2", CodeKind.PAIRED, 13, 16))

    write_translated(rows(source, {"Sehen Sie die neue Seite im Netz.": target}), source, out, placer=placer)
    assert body_text(out) == target
    links = ["".join(t.text or "" for t in link.iter(f"{W}t")) for link in docx_root(out).iter(f"{W}hyperlink")]
    assert links == ["the very new page"]
    bold = [r for r in docx_root(out).iter(f"{W}r") if r.find(f"{W}rPr/{W}b") is not None]
    assert ["".join(t.text or "" for t in r.iter(f"{W}t")) for r in bold] == ["new"]


def docx_root(path: Path):  # noqa: ANN201
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def test_docx_merged_row_keeps_the_formatting_of_both_sentences(tmp_path: Path) -> None:
    """A row the translator merged from two sentences goes where its first sentence was: the bold
    word of the second sentence is placed on the row's text too, not dropped with its place."""
    import docx

    source, out = tmp_path / "merged.docx", tmp_path / "out.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("Der Vertrag ist ")
    paragraph.add_run("heute").bold = True
    paragraph.add_run(" gültig. Die Frist endet ")
    paragraph.add_run("morgen").italic = True
    paragraph.add_run(".")
    document.save(str(source))
    sentences = segment(read_text(source), "de")
    assert len(sentences) == 2
    target = "The contract is valid today, and the deadline ends tomorrow."
    pair = Pair(source=" ".join(s.text for s in sentences), target=target, src_ids=(0, 1), tgt_ids=(0,))
    doc = AlignedDocument("de", "en", (pair,), tuple(sentences), (Sentence(target),), name=source.name)
    write_translated(doc, source, out)
    runs = docx.Document(str(out)).paragraphs[0].runs
    assert "".join(r.text for r in runs) == target
    assert [r.text for r in runs if r.bold] == ["today"]
    assert [r.text for r in runs if r.italic] == ["tomorrow"]
