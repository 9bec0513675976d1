"""The translation memory: match bands, differing words, imports from real files of other tools,
re-import idempotence, TMX export against the DTD, statistics, and both word indexes."""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from align.document import AlignedDocument, Bead, Sentence, Status
from align.errors import FormatError, InputError
from align.formats import write_document
from align.mt.langcodes import base_lang
from align.tm import TranslationMemory, Unit, differing_words, export_tmx, import_file
from align.tm import index as tm_index
from align.tm.match import fuzzy_score
from align.tm.text import normalise

DTD = Path(__file__).resolve().parents[1] / "align" / "resources" / "tmx14.dtd"

CONTRACT = [
    ("Der Mietvertrag beginnt am 1. März 2024.", "The lease begins on 1 March 2024."),
    ("Die Miete beträgt 850 Euro im Monat.", "The rent is 850 euros a month."),
    ("Die Kaution beträgt drei Monatsmieten.", "The deposit is three months' rent."),
    ("Haustiere sind nicht erlaubt.", "Pets are not allowed."),
    ("Der Vermieter repariert die Heizung.", "The landlord repairs the heating."),
]


def units(pairs=CONTRACT, **extra) -> list[Unit]:
    """Units of one document: each with its neighbours' sources as context."""
    out = []
    for i, (de, en) in enumerate(pairs):
        previous = pairs[i - 1][0] if i > 0 else ""
        following = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        out.append(Unit(de, en, "de", "en", previous, following, **extra))
    return out


@pytest.fixture
def tm(tmp_path: Path):
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        yield memory


# ---- text ------------------------------------------------------------------------------------------
def test_normal_form_and_language_codes():
    assert normalise("  Gro\u0308\u00dfe\u00a0 Tür\r\n ab ") == "Größe Tür ab"  # NFC, NBSP and line breaks folded
    assert [base_lang(c) for c in ("de-DE", "de_AT", "EN-gb", "fr", "pt-BR")] == ["de", "de", "en", "fr", "pt"]


# ---- bands -----------------------------------------------------------------------------------------
def test_101_100_and_fuzzy_bands(tm):
    tm.add(units(origin="csv"))
    de, en = CONTRACT[1]
    [match] = tm.lookup(de, "de", "en", previous=CONTRACT[0][0], following=CONTRACT[2][0])
    assert (match.score, match.origin, match.unit.target, match.exact) == (101, "tm101", en, True)
    [match] = tm.lookup(de, "de", "en", previous="Ein anderer Satz.", following=CONTRACT[2][0])
    assert (match.score, match.origin) == (100, "tm100")
    # whitespace and Unicode composition are no difference
    assert tm.lookup(" Die Miete  beträgt 850 Euro\u00a0im Monat. ", "de-DE", "en-US")[0].score == 100

    near = "Die Miete beträgt 900 Euro im Monat."
    [match] = tm.lookup(near, "de", "en")
    assert match.score == math.floor(fuzz.ratio(near, de)) and 75 <= match.score < 100
    assert match.origin == f"tm{match.score}" and not match.exact
    assert [w.word for w in match.differing()] == ["850"]

    assert tm.lookup("die miete beträgt 850 euro im monat.", "de", "en")[0].score == 99  # case only
    assert tm.lookup("Der Hund bellt die ganze Nacht laut.", "de", "en") == []  # nothing near 75%
    assert tm.lookup(de, "de", "fr") == []  # another language pair
    assert tm.exact(near, "de", "en") is None
    assert tm.exact(de, "de", "en", previous=CONTRACT[0][0], following=CONTRACT[2][0]).score == 101


def test_lookup_ranks_best_first_and_prefers_the_newest_of_equal_matches(tm):
    tm.add([Unit("Das Haus ist alt.", "The house is old.", "de", "en")])
    tm.add([Unit("Das Haus ist alt.", "The building is old.", "de", "en")])
    tm.add([Unit("Das Haus ist sehr alt.", "The house is very old.", "de", "en")])
    matches = tm.lookup("Das Haus ist alt.", "de", "en")
    assert [m.score for m in matches][:2] == [100, 100] and 75 <= matches[2].score < 100
    assert matches[0].unit.target == "The building is old."  # the unit added last, updated_at ties broken by id
    assert len(tm.lookup("Das Haus ist alt.", "de", "en", limit=1)) == 1


def test_differing_words_marks_replaced_and_missing_words_with_their_spans():
    tm_source = "Der Mieter zahlt die Miete bis zum 3. Werktag."
    marked = differing_words("Der Mieter zahlt die Nebenkosten  bis zum 5. Werktag.", tm_source)
    assert [w.word for w in marked] == ["Miete", "3"]
    assert all(tm_source[w.start : w.end] == w.word for w in marked)
    assert differing_words("Gro\u0308ße Tür", "Größe Tür") == ()  # composition is no difference
    assert [w.word for w in differing_words("Der Mieter zahlt.", "Der Mieter zahlt pünktlich.")] == ["pünktlich"]
    assert differing_words(tm_source, tm_source) == ()


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_differing_words_spans_point_into_the_unit_source(query, tm_source):
    stored = normalise(tm_source)  # the unit's source as the memory keeps it
    for word in differing_words(query, tm_source):
        assert stored[word.start : word.end] == word.word
    assert differing_words(tm_source, tm_source) == ()
    assert differing_words(stored, tm_source) == ()


@hsettings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_fuzzy_score_is_100_only_for_the_same_text(a, b):
    a, b = normalise(a), normalise(b)
    points = fuzzy_score(a, b)
    assert (points == 100) == (a == b)
    assert 0 <= points <= 100
    assert points == fuzzy_score(b, a)


def test_common_words_only_query_still_finds_its_match(tm, monkeypatch):
    """A sentence of common words only (its rarest word is over the postings budget) is looked up by
    the intersection of its rarest words."""
    tm.add(units())
    monkeypatch.setattr(tm_index, "POSTINGS_BUDGET", 0)
    assert tm.lookup("Die Miete beträgt 850 Euro im Monat!", "de", "en")[0].unit.target == CONTRACT[1][1]


def test_both_word_indexes_give_the_same_matches(tmp_path):
    queries = [
        "Die Miete beträgt 900 Euro im Monat.",
        "Haustiere sind leider nicht erlaubt.",
        "Der Vermieter repariert das Dach.",
    ]
    found = {}
    for kind in ("fts5", "postings"):
        with TranslationMemory(tmp_path / f"{kind}.sqlite3", index=kind) as memory:
            assert memory.index == kind
            memory.add(units())
            found[kind] = [[(m.score, m.unit.target) for m in memory.lookup(q, "de", "en")] for q in queries]
    assert found["fts5"] == found["postings"] and all(found["fts5"])


def test_an_existing_memory_keeps_its_index(tmp_path):
    TranslationMemory(tmp_path / "tm.sqlite3", index="postings").close()
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        assert memory.index == "postings"


# ---- adding and importing ---------------------------------------------------------------------------
def test_same_unit_again_updates_instead_of_doubling(tm):
    first = tm.add(units(origin="csv"))
    again = tm.add(units(origin="tmx"))
    assert (first.added, first.updated, again.added, again.updated) == (5, 0, 0, 5)
    assert tm.count() == 5 and tm.count("de-DE", "en") == 5 and tm.count("de", "fr") == 0
    assert {u.origin for u in tm.units()} == {"tmx"}
    other = tm.add([Unit(CONTRACT[0][0], "The tenancy starts on 1 March 2024.", "de", "en")])
    assert other.added == 1 and tm.count() == 6  # another target is another unit
    assert tm.add([Unit("Nur Quelle.", "  ", "de", "en")]).skipped == 1


OTHER_TOOL_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="SomeCAT" creationtoolversion="12.1" segtype="sentence" o-tmf="SomeCAT TM"
          adminlang="en-US" srclang="de-DE" datatype="rtf"/>
  <body>
    <tu tuid="a1" creationdate="20210304T050607Z">
      <tuv xml:lang="de-DE"><seg>Klicken Sie auf <bpt i="1" type="bold">{\\b </bpt>Speichern<ept i="1">}</ept>.</seg></tuv>
      <tuv xml:lang="en-GB"><seg>Click <bpt i="1" type="bold">{\\b </bpt>Save<ept i="1">}</ept>.</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Cliquez sur <bpt i="1">{\\b </bpt>Enregistrer<ept i="1">}</ept>.</seg></tuv>
    </tu>
    <tu>
      <prop type="x-context-pre">Öffnen Sie das Menü.</prop>
      <prop type="x-context-post">Fertig.</prop>
      <tuv lang="DE-DE"><seg>Das Fenster   schließt sich.</seg></tuv>
      <tuv lang="EN-US"><seg>The window <ph x="1">&lt;br/&gt;</ph>closes.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="de-DE"><seg>Nur eine Sprache.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="de-DE"><seg>Drücken Sie <hi type="b">OK</hi>.</seg></tuv>
      <tuv xml:lang="en-GB"><seg>Press <hi type="b">OK</hi>.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_tmx_from_another_tool(tm, tmp_path, caplog):
    path = tmp_path / "other.tmx"
    path.write_text(OTHER_TOOL_TMX, encoding="utf-8")
    reports: list[tuple[int, int | None]] = []
    with caplog.at_level(logging.WARNING):
        result = import_file(tm, path, progress=lambda done, total: reports.append((done, total)))
    assert (result.added, result.updated, result.skipped) == (4, 0, 1)  # the one-language tu is left out
    assert "skipped 1 translation unit" in caplog.text
    assert reports[-1] == (path.stat().st_size, path.stat().st_size)
    got = {(u.src_lang, u.tgt_lang, u.source, u.target) for u in tm.units()}
    assert got == {
        ("de", "en", "Klicken Sie auf Speichern.", "Click Save."),
        ("de", "fr", "Klicken Sie auf Speichern.", "Cliquez sur Enregistrer."),
        ("de", "en", "Das Fenster schließt sich.", "The window closes."),
        ("de", "en", "Drücken Sie OK.", "Press OK."),
    }
    window = next(u for u in tm.units() if u.source.startswith("Das Fenster"))
    assert (window.prev_source, window.next_source, window.origin, window.file) == (
        "Öffnen Sie das Menü.",
        "Fertig.",
        "tmx",
        "other.tmx",
    )
    click = next(u for u in tm.units("de", "en") if u.source.startswith("Klicken"))
    assert click.created_at == "2021-03-04T05:06:07+00:00"
    assert (click.prev_source, click.next_source) == ("", "Das Fenster schließt sich.")  # the next tu's source
    assert (
        tm.lookup("Das Fenster schließt sich.", "de", "en", previous="Öffnen Sie das Menü.", following="Fertig.")[0].score == 101
    )

    only_en = TranslationMemory(tmp_path / "en.sqlite3")
    assert import_file(only_en, path, tgt_lang="en").added == 3  # --tgt picks one language
    reverse = TranslationMemory(tmp_path / "reverse.sqlite3")
    import_file(reverse, path, src_lang="en", tgt_lang="de")  # an en->de memory serves de->en and back
    assert reverse.lookup("Press OK.", "en", "de")[0].unit.target == "Drücken Sie OK."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '<?xml version="1.0"?>\n<tmx version="1.4">\n<body>\n<tu><tuv xml:lang="de"><seg>a</tuv></tu>',
            "line 4: not well-formed XML",
        ),
        ('<?xml version="1.0"?>\n<xliff version="1.2"><file/></xliff>', "line 2: root element is <xliff>, not <tmx>"),
    ],
)
def test_bad_tmx_is_an_error_naming_file_and_line(tm, tmp_path, content, message):
    path = tmp_path / "bad.tmx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=rf"^{path}, {message}"):
        import_file(tm, path)


def test_csv_tsv_and_xlsx_files_import(tm, tmp_path):
    from openpyxl import Workbook

    plain = tmp_path / "glossar.csv"  # a two-column sheet saved by a spreadsheet, no header
    with open(plain, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*CONTRACT[:3], ("Leere Übersetzung.", "")])
    result = import_file(tm, plain)
    assert (result.added, result.skipped) == (3, 1)
    assert {u.origin for u in tm.units()} == {"csv"}

    book = Workbook()  # another tool's workbook: a header row naming the columns
    book.active.append(["Source", "Target", "Comment"])
    book.active.append([CONTRACT[3][0], CONTRACT[3][1], "ok"])
    book.save(tmp_path / "sheet.xlsx")
    assert import_file(tm, tmp_path / "sheet.xlsx").added == 1

    (tmp_path / "pairs.tsv").write_text(f"{CONTRACT[4][0]}\t{CONTRACT[4][1]}\n", encoding="utf-8")
    assert import_file(tm, tmp_path / "pairs.tsv", src_lang="de", tgt_lang="en").added == 1
    assert tm.count("de", "en") == 5

    doc = document(CONTRACT, name="vertrag")  # the workbench's own export: every row with both sides
    written = write_document(doc, tmp_path / "vertrag.xlsx")
    again = import_file(tm, written)
    assert (again.added, again.updated) == (0, 5)


def test_bad_inputs_name_the_file(tm, tmp_path):
    with pytest.raises(InputError, match="cannot import .docx"):
        import_file(tm, tmp_path / "x.docx")
    with pytest.raises(InputError, match="not found"):
        import_file(tm, tmp_path / "missing.tmx")
    bad = tmp_path / "bad.csv"
    bad.write_text('source,target\n"unclosed,x\n', encoding="utf-8")
    with pytest.raises(FormatError, match=rf"^{bad}, line"):
        import_file(tm, bad)


# ---- export and statistics ---------------------------------------------------------------------------
def test_export_is_valid_tmx_and_imports_back_the_same(tm, tmp_path):
    from lxml import etree

    tm.add(units(origin="project", project="Mietvertrag", file="vertrag.docx"))
    tm.add([Unit("Bonjour.", "Hello.", "fr", "en", origin="tmx")])
    out = tmp_path / "out.tmx"
    assert export_tmx(tm, out) == 6
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(etree.parse(str(out))), dtd.error_log.filter_from_errors()
    assert 'srclang="*all*"' in out.read_text(encoding="utf-8")

    assert export_tmx(tm, tmp_path / "de.tmx", src_lang="de", tgt_lang="en") == 5
    assert dtd.validate(etree.parse(str(tmp_path / "de.tmx")))
    with TranslationMemory(tmp_path / "copy.sqlite3", index="postings") as copy:
        assert import_file(copy, tmp_path / "de.tmx").added == 5

        def key(u: Unit):
            return (u.source, u.target, u.prev_source, u.next_source, u.origin, u.project, u.file, u.created_at)

        assert sorted(map(key, copy.units())) == sorted(map(key, tm.units("de", "en")))


def test_stats(tm):
    tm.add(units(origin="csv"))
    tm.add([Unit("Bonjour.", "Hello.", "fr", "en", origin="project")])
    stats = tm.stats()
    assert (stats.units, stats.pairs, stats.origins) == (6, {("de", "en"): 5, ("fr", "en"): 1}, {"csv": 5, "project": 1})
    assert stats.size_bytes > 0 and stats.index in ("fts5", "postings")
    text = stats.format()
    assert "de->en\t5" in text and "project\t1" in text


def document(pairs, name: str = "doc") -> AlignedDocument:
    src = [Sentence(de) for de, _ in pairs]
    tgt = [Sentence(en) for _, en in pairs]
    beads = [Bead((i,), (i,)) for i in range(len(pairs))]
    return AlignedDocument.from_beads("de", "en", src, tgt, beads, name=name)


def test_a_big_import_is_written_in_batches_with_one_unit_per_source_target(tm):
    many = [Unit(f"Satz Nummer {i} im Vertrag.", f"Sentence number {i} in the contract.", "de", "en") for i in range(1200)]
    result = tm.add(many + many[:10], batch=500)
    assert (result.added, result.updated, tm.count()) == (1200, 10, 1200)
    assert tm.lookup("Satz Nummer 1017 im Vertrag.", "de", "en")[0].score == 100
    assert tm.lookup("Satz Nummer 1017 im Mietvertrag.", "de", "en")[0].unit.source == "Satz Nummer 1017 im Vertrag."


def test_confirmed_statuses_are_what_add_confirmed_takes(tm):
    from align.tm import add_confirmed

    doc = document(CONTRACT, name="vertrag.txt")
    doc = doc.replace(pairs=[p.replace(status=Status.CONFIRMED) if i in (1, 2) else p for i, p in enumerate(doc.pairs)])
    result = add_confirmed(tm, doc, project="Mietvertrag")
    assert result.added == 2
    [first, second] = list(tm.units())
    assert (first.source, first.prev_source, first.next_source) == (CONTRACT[1][0], CONTRACT[0][0], CONTRACT[2][0])
    assert (first.origin, first.project, first.file) == ("project", "Mietvertrag", "vertrag.txt")
    assert second.source == CONTRACT[2][0]
