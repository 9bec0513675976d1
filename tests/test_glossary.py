"""Glossaries: import of CSV, TSV, XLSX and TBX files, and the per-row checks on real sentences."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from align.document import Pair
from align.errors import FormatError, InputError
from align.glossary import (
    FORBIDDEN_TERM,
    MISSING_TERM,
    NOT_VERBATIM,
    Entry,
    Glossary,
    Kind,
    choose_hypothesis,
    glossary_findings,
    glossary_hits,
    glossary_to_tsv,
    load_glossaries,
    merge_glossaries,
    read_glossary,
    row_findings,
    shared_glossary_paths,
)
from align.quality.estimate import quality_findings
from align.text.segment import segment

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ---- import ------------------------------------------------------------------------------------------
def test_csv_with_header_reads_kinds_alternatives_notes_and_origins(tmp_path):
    path = write(
        tmp_path / "terms.csv",
        "Source,Target,Type,Note\n"
        "Fahrradbrücke,cycle bridge; bike bridge,,client's term\n"
        "Elbe,,do not translate,a river\n"
        "Radweg,bike lane,forbidden,\n"
        "\n"
        "# a comment row\n"
        "Oberbürgermeisterin,mayor,preferred,\n",
    )
    glossary = read_glossary(path, "de", "en")
    assert (glossary.src_lang, glossary.tgt_lang, glossary.name) == ("de", "en", "terms.csv")
    assert [(e.source, e.targets, e.kind) for e in glossary.entries] == [
        ("Fahrradbrücke", ("cycle bridge", "bike bridge"), Kind.TERM),
        ("Elbe", ("Elbe",), Kind.DO_NOT_TRANSLATE),
        ("Radweg", ("bike lane",), Kind.FORBIDDEN),
        ("Oberbürgermeisterin", ("mayor",), Kind.TERM),
    ]
    assert glossary.entries[0].note == "client's term"
    assert glossary.entries[0].origin == f"{path}, line 2"
    assert glossary.entries[3].origin == f"{path}, line 7"


def test_csv_with_semicolons_and_language_headers_in_any_order(tmp_path):
    path = write(
        tmp_path / "excel.csv", "Kommentar;EN;DE\nfrom the style guide;cyclists;Radfahrer\n;tram;Straßenbahn\n", "cp1252"
    )
    glossary = read_glossary(path, "de", "en")
    assert [(e.source, e.targets, e.note) for e in glossary.entries] == [
        ("Radfahrer", ("cyclists",), "from the style guide"),
        ("Straßenbahn", ("tram",), ""),
    ]


def test_tsv_without_header_is_source_then_target(tmp_path):
    path = write(
        tmp_path / "plain.tsv", "Fahrradbrücke\tcycle bridge\textra column\nVerein der Anwohner\tresidents' association\n"
    )
    glossary = read_glossary(path, "de", "en")
    assert [(e.source, e.targets, e.kind) for e in glossary.entries] == [
        ("Fahrradbrücke", ("cycle bridge",), Kind.TERM),
        ("Verein der Anwohner", ("residents' association",), Kind.TERM),
    ]


def test_xlsx_with_a_glossary_sheet_and_german_headers(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["this sheet is not the glossary"])
    sheet = book.create_sheet("Glossary")
    sheet.append(["Deutsch", "Englisch", "Typ", "Anmerkung"])
    sheet.append(["Fahrradbrücke", "cycle bridge", "term", None])
    sheet.append([None, None, None, None])
    sheet.append(["Dresden", None, "DNT", "city"])
    sheet.append(["", "bike lane", "deprecated", None])
    book.save(tmp_path / "terms.xlsx")
    glossary = read_glossary(tmp_path / "terms.xlsx", "de", "en")
    assert [(e.source, e.targets, e.kind, e.note) for e in glossary.entries] == [
        ("Fahrradbrücke", ("cycle bridge",), Kind.TERM, ""),
        ("Dresden", ("Dresden",), Kind.DO_NOT_TRANSLATE, "city"),
        ("", ("bike lane",), Kind.FORBIDDEN, ""),
    ]
    assert glossary.entries[2].origin.endswith("sheet 'Glossary', row 5")


TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>written by hand</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="definition">a bridge for bicycles</descrip>
      <langSet xml:lang="de-DE">
        <tig><term>Fahrradbrücke</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>Radbrücke</term></tig>
      </langSet>
      <langSet xml:lang="en-GB">
        <tig><term>cycle bridge</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>bike bridge</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="fr"><tig><term>passerelle cyclable</term></tig></langSet>
    </termEntry>
    <termEntry id="c2">
      <langSet xml:lang="fr"><tig><term>piste cyclable</term></tig></langSet>
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
    <conceptEntry id="2">
      <langSec xml:lang="de"><termSec><term>Verkehrsminister</term></termSec></langSec>
      <langSec xml:lang="en"><termSec><term>transport minister</term>
        <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_basic_termentry_langset_tig(tmp_path):
    glossary = read_glossary(write(tmp_path / "basic.tbx", TBX_BASIC), "de", "en")
    assert [(e.source, e.targets, e.kind) for e in glossary.entries] == [
        ("Fahrradbrücke", ("cycle bridge",), Kind.TERM),
        ("Fahrradbrücke", ("bike bridge",), Kind.FORBIDDEN),
        ("Radbrücke", ("cycle bridge",), Kind.TERM),
        ("Radbrücke", ("bike bridge",), Kind.FORBIDDEN),
        ("", ("bike lane",), Kind.FORBIDDEN),
    ]
    assert glossary.entries[0].note == "a bridge for bicycles"
    assert glossary.entries[0].origin == f"{tmp_path / 'basic.tbx'}, line 5"


def test_tbx_2019_conceptentry_langsec_termsec_dct_style(tmp_path):
    glossary = read_glossary(write(tmp_path / "core.tbx", TBX_2019), "de", "en")
    assert [(e.source, e.targets, e.kind) for e in glossary.entries] == [
        ("Radweg", ("cycle path",), Kind.TERM),
        ("Radweg", ("bike lane",), Kind.FORBIDDEN),
        ("Verkehrsminister", ("transport minister",), Kind.TERM),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.csv",
            "source,target,type\nBrücke,bridge,term\nRadweg,bike lane,maybe\n",
            r"bad\.csv, line 3: unknown entry type 'maybe'",
        ),
        ("bad.csv", 'source,target\nBrücke,"bridge\n', r"bad\.csv, line \d: malformed CSV"),
        ("bad.csv", "source,target,type\n,bridge,term\n", r"bad\.csv, line 2: target term 'bridge' has no source term"),
        ("bad.csv", "source,target,type\nRadweg,,forbidden\n", r"bad\.csv, line 2: a forbidden entry needs"),
        ("bad.tsv", "fr\ten\tnote\npiste\tlane\t\n", r"bad\.tsv, line 1: the header names no source \(de\) column"),
        ("bad.tsv", "just one column\n", r"bad\.tsv, line 1: expected two columns"),
        ("bad.tbx", "<martif><text><body>\n<termEntry>\n</body></text></martif>", r"bad\.tbx, line 3: not well-formed XML"),
        ("bad.tbx", "<html>\n<body/></html>", r"bad\.tbx, line 1: not a TBX file \(root element <html>"),
        ("bad.tbx", "<martif><text><body><termEntry>\n<langSet><tig><term>x</term></tig></langSet>", r"line \d: not well-formed"),
        (
            "bad.tbx",
            "<martif><text><body><termEntry>\n<langSet><tig><term>x</term></tig></langSet></termEntry></body></text></martif>",
            r"bad\.tbx, line 2: <langSet> has no xml:lang",
        ),
        (
            "bad.tbx",
            '<martif><text><body><termEntry><langSet xml:lang="de">\n<tig><term> </term></tig></langSet>'
            "</termEntry></body></text></martif>",
            r"bad\.tbx, line 2: empty <term>",
        ),
        (
            "fr.tbx",
            '<martif><text><body><termEntry><langSet xml:lang="fr"><tig><term>pont</term></tig></langSet>'
            "</termEntry></body></text></martif>",
            r"fr\.tbx: no de->en terms \(languages in the file: fr\)",
        ),
    ],
)
def test_bad_input_names_file_and_line(tmp_path, name, content, message):
    with pytest.raises(FormatError, match=message):
        read_glossary(write(tmp_path / name, content), "de", "en")


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match=r"cannot read a glossary from \.docx"):
        read_glossary(write(tmp_path / "terms.docx", "x"))
    with pytest.raises(InputError, match="file not found"):
        read_glossary(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_glossary(write(tmp_path / "broken.xlsx", "not a zip"))


def test_a_term_without_its_target_yet_is_skipped_with_a_warning(tmp_path, caplog):
    path = write(tmp_path / "draft.csv", "source,target\nBrücke,bridge\nBaustelle,\n")
    glossary = read_glossary(path, "de", "en")
    assert [e.source for e in glossary.entries] == ["Brücke"]
    assert f"1 term(s) have no target term yet and were skipped: {path}, line 3" in caplog.text


def test_thousands_of_terms_without_a_target_give_one_warning_for_the_file(tmp_path, caplog):
    rows = "".join(f"Begriff{k},\n" for k in range(3000))
    path = write(tmp_path / "entwurf.csv", "source,target\nBrücke,bridge\n" + rows)
    with caplog.at_level(logging.WARNING, logger="align.glossary"):
        glossary = read_glossary(path, "de", "en")
    assert [e.source for e in glossary.entries] == ["Brücke"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"3000 term(s) have no target term yet and were skipped: {path}, line 3; ")
    assert warnings[0].endswith(", ...")


def test_tsv_written_reads_back_the_same_entries(tmp_path):
    glossary = Glossary(
        (
            Entry.term("Fahrradbrücke", "cycle bridge", "bike bridge", note="note\twith a tab"),
            Entry.keep('"Elbe"'),
            Entry.forbidden("bike lane", source="Radweg"),
            Entry.forbidden("kilometers"),
        ),
        "de",
        "en",
    )
    path = tmp_path / "project.tsv"
    path.write_bytes(glossary_to_tsv(glossary))
    again = read_glossary(path, "de", "en")
    assert [(e.source, e.targets, e.kind) for e in again.entries] == [(e.source, e.targets, e.kind) for e in glossary.entries]
    assert again.entries[0].note == "note\twith a tab"


def test_shared_glossary_then_call_glossaries_override_its_terms(tmp_path, settings):
    assert shared_glossary_paths(settings) == [] and load_glossaries(settings=settings) is None
    settings.home.mkdir(parents=True)
    write(settings.home / "glossary.csv", "source,target,type\nBrücke,bridge,term\nRadweg,bike lane,forbidden\n")
    project = write(tmp_path / "project.tsv", "source\ttarget\nbrücke\tviaduct\nBaustelle\tconstruction site\n")
    glossary = load_glossaries([project], settings=settings, src_lang="de", tgt_lang="en")
    assert glossary is not None and glossary.name == "glossary.csv + project.tsv"
    assert [(e.source, e.targets) for e in glossary.entries] == [
        ("Radweg", ("bike lane",)),
        ("brücke", ("viaduct",)),
        ("Baustelle", ("construction site",)),
    ]
    only_call = load_glossaries([project], settings=settings, shared=False)
    assert only_call is not None and [e.source for e in only_call.entries] == ["brücke", "Baustelle"]
    with pytest.raises(ValueError, match="is for de->fr"):
        merge_glossaries([glossary, Glossary((), "de", "fr", "french")])


# ---- checks on real sentences ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample() -> tuple[list[str], list[str]]:
    """The sentences of the demo texts (German and its English translation)."""
    de = [s.text for s in segment((REPO / "data" / "sample.de.txt").read_text(encoding="utf-8"), "de")]
    en = [s.text for s in segment((REPO / "data" / "sample.en.txt").read_text(encoding="utf-8"), "en")]
    return de, en


def sentence(sentences: list[str], word: str) -> str:
    [found] = [s for s in sentences if word in s]
    return found


GLOSSARY = Glossary(
    (
        Entry.term("Fahrradbrücke", "cycle bridge"),
        Entry.term("Radfahrer", "cyclist"),
        Entry.term("Verein", "club"),
        Entry.term("Verein der Anwohner", "residents' association"),
        Entry.term("Brücken", "bridge"),
        Entry.keep("Elbe"),
        Entry.forbidden("bikers", source="Radfahrer"),
        Entry.forbidden("kilometers"),
    ),
    "de",
    "en",
)


def test_inflected_terms_are_found_on_both_sides(sample):
    de, en = sample
    source, target = sentence(de, "Nach drei Jahren"), sentence(en, "After three years")
    assert [h.entry.source for h in glossary_hits(source, GLOSSARY)] == ["Fahrradbrücke"]
    assert row_findings(source, target, GLOSSARY) == []
    # the plural on both sides: "Fahrradbrücken" hits the entry, "cycle bridges" uses its term
    plural = source.replace("die neue Fahrradbrücke", "die neuen Fahrradbrücken")
    hit = glossary_hits(plural, GLOSSARY)[0]
    assert plural[hit.start : hit.end] == "Fahrradbrücken"
    assert row_findings(plural, target.replace("the new cycle bridge", "the new cycle bridges"), GLOSSARY) == []
    # "cyclists" uses the glossary's "cyclist"; "Brücke" finds the entry written "Brücken"
    detour_de, detour_en = sentence(de, "Umweg"), sentence(en, "detour")
    assert row_findings(detour_de, detour_en, GLOSSARY) == []
    bridge_de, bridge_en = sentence(de, "320 Meter"), sentence(en, "320 metres")
    assert [h.entry.source for h in glossary_hits(bridge_de, GLOSSARY)] == ["Brücken"]
    assert row_findings(bridge_de, bridge_en, GLOSSARY) == []


def test_a_missing_term_is_flagged_in_words(sample):
    de, en = sample
    source, target = sentence(de, "Nach drei Jahren"), sentence(en, "After three years")
    [finding] = row_findings(source, target.replace("cycle bridge", "bike bridge"), GLOSSARY)
    assert finding.check == MISSING_TERM
    assert finding.reason == "term 'Fahrradbrücke' -> 'cycle bridge' not used"
    assert source[slice(*finding.source_span)] == "Fahrradbrücke" and finding.target_span is None


def test_multi_word_terms_and_the_longest_match(sample):
    de, en = sample
    source, target = sentence(de, "Verein der Anwohner"), sentence(en, "residents' association")
    # "Verein" -> "club" gives way to "Verein der Anwohner" at the same place
    assert [h.entry.source for h in glossary_hits(source, GLOSSARY)] == ["Verein der Anwohner"]
    assert row_findings(source, target, GLOSSARY) == []
    # alone, "des Vereins" (genitive) is the entry "Verein", and "the association" does not use "club"
    other_de, other_en = sentence(de, "des Vereins"), sentence(en, "according to the association")
    [finding] = row_findings(other_de, other_en, GLOSSARY)
    assert finding.reason == "term 'Verein' -> 'club' not used"
    assert row_findings(other_de, other_en.replace("the association", "the club"), GLOSSARY) == []


def test_forbidden_terms_with_and_without_a_source_term(sample):
    de, en = sample
    source, target = sentence(de, "Umweg"), sentence(en, "detour")
    assert target == "Until now, cyclists had to make a detour of almost four kilometres, but that is now over."
    bad = target.replace("cyclists", "bikers").replace("kilometres", "kilometers")
    findings = row_findings(source, bad, GLOSSARY)
    assert [(f.check, f.reason) for f in findings] == [
        (MISSING_TERM, "term 'Radfahrer' -> 'cyclist' not used"),
        (FORBIDDEN_TERM, "forbidden term 'bikers' used"),
        (FORBIDDEN_TERM, "forbidden term 'kilometers' used"),
    ]
    assert bad[slice(*findings[1].target_span)] == "bikers"
    # a forbidden term tied to a source term is not flagged where that source term is absent
    assert row_findings("Das ist jetzt vorbei.", "The bikers are gone.", GLOSSARY) == []
    # one without a source term is flagged in every row
    assert [f.reason for f in row_findings("Das ist jetzt vorbei.", "Four kilometers.", GLOSSARY)] == [
        "forbidden term 'kilometers' used"
    ]


def test_do_not_translate_must_stay_verbatim(sample):
    de, en = sample
    source, target = sentence(de, "Rund 2.500"), sentence(en, "Around 2,500")
    assert "Elbe" in source and row_findings(source, target, GLOSSARY) == []
    for changed in (target.replace("the Elbe", "the river"), target.replace("Elbe", "ELBE"), target.replace("Elbe", "Elbestadt")):
        [finding] = row_findings(source, changed, GLOSSARY)
        assert (finding.check, finding.reason) == (NOT_VERBATIM, "'Elbe' not kept verbatim (do not translate)")


def test_empty_target_and_pairs_and_quality_findings(sample):
    de, en = sample
    source = sentence(de, "Nach drei Jahren")
    assert row_findings(source, "  ", GLOSSARY) == []
    pair = Pair(source=source, target="After three years, the new bridge opened.")
    [finding] = glossary_findings(pair, GLOSSARY, "de", "en")
    assert finding.entry == GLOSSARY.entries[0]
    [quality] = quality_findings(pair.source, pair.target, GLOSSARY, "de", "en")
    assert (quality.signal, quality.reason) == ("glossary", finding.reason) and quality.evidence >= 1.0


def test_languages_without_a_stemmer_match_words_or_characters():
    swahili = Glossary((Entry.term("daraja", "bridge"),), "sw", "en")
    assert [h.entry.source for h in glossary_hits("Daraja jipya la baiskeli", swahili)] == ["daraja"]
    assert glossary_hits("madaraja mapya", swahili) == []  # no stemmer: whole words only
    japanese = Glossary((Entry.term("自転車橋", "cycle bridge"),), "ja", "en")
    [hit] = glossary_hits("新しい自転車橋が開通した。", japanese)
    assert (hit.start, hit.end) == (3, 7)
    assert [f.check for f in row_findings("新しい自転車橋", "A new bridge", japanese)] == [MISSING_TERM]


def test_choose_hypothesis_most_terms_then_score():
    glossary = Glossary(
        (
            Entry.term("Brücke", "bridge"),
            Entry.term("Fahrrad", "bicycle"),
            Entry.keep("Elbe"),
            Entry.forbidden("bike", source="Fahrrad"),
        ),
        "de",
        "en",
    )
    index = glossary.index()
    hits = glossary_hits("Eine Brücke für das Fahrrad über die Elbe", glossary)
    assert len(hits) == 3 + 1  # Brücke, Fahrrad (term and forbidden), Elbe
    hypotheses = [
        "A bridge for the bike over the river",  # bridge, bike (forbidden): 0
        "A bridge for the bicycle over the elbe",  # bridge, bicycle: 2
        "A viaduct for bicycles over the Elbe",  # bicycle, Elbe: 2, lower score
        "A bridges for the bicycle over the Elbe",  # all three: 3, lowest score
    ]
    assert choose_hypothesis(hypotheses, [-0.1, -0.2, -0.3, -0.9], hits, index) == 3
    assert choose_hypothesis(hypotheses[:3], [-0.1, -0.3, -0.2], hits, index) == 2  # a tie: the model's score
    assert choose_hypothesis(hypotheses[:3], [-0.1, -0.2, -0.2], hits, index) == 1  # equal scores: the first
    assert choose_hypothesis(hypotheses, [-0.1, -0.2, -0.3, -0.9], [], index) == 0  # no hits: the model's best


def test_a_shared_glossary_for_other_languages_does_not_block_a_pair(tmp_path, settings, caplog):
    from align.glossary import OtherLanguages

    settings.home.mkdir(parents=True)
    write(settings.home / "glossary.tbx", TBX_2019)
    assert len(load_glossaries(settings=settings, src_lang="de", tgt_lang="en") or ()) == 3
    assert load_glossaries(settings=settings, src_lang="de", tgt_lang="fr") is None
    assert "shared glossary left out for de->fr" in caplog.text
    named = write(tmp_path / "de-en.tsv", "de\ten\nBrücke\tbridge\n")
    with pytest.raises(OtherLanguages, match=r"de-en\.tsv, line 1: the header names no target \(fr\) column"):
        load_glossaries([named], settings=settings, src_lang="de", tgt_lang="fr")
