"""Issue 24, items 4 and 6 (the library): a CAT tool's job as rows of the review table
(``job_document``), the rows back into the job (``apply_document``) with only targets and states
changed, pre-translation with the memory and the fixture model with tags placed by the word aligner
(``pretranslate_document``), memoQ's and Trados's states, and UTF-16 PO files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from align.codes import Code, CodeKind, markup
from align.document import Origin, OriginKind, Status
from align.errors import InputError
from align.exchange import State, read_job, write_job
from align.exchange.project import (
    LOCKED,
    apply_document,
    job_document,
    locked_rows,
    pretranslate_document,
)
from align.mt.packages import find_package
from align.mt.translate import TranslateOptions, Translator
from align.settings import load_settings
from align.tm import TranslationMemory, Unit, tm_path
from align.words import WordAligner

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "xliff-dev" / "files"
X12 = 'xmlns="urn:oasis:names:tc:xliff:document:1.2"'
MQ = 'xmlns:mq="MQXliff"'


def xliff12(body: str, extra: str = "", source: str = "de", target: str = "en") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" {X12} {extra}>\n'
        f'<file original="a.txt" source-language="{source}" target-language="{target}" datatype="plaintext">'
        f"<body>\n{body}\n</body></file>\n</xliff>\n"
    )


JOB = xliff12(
    '<trans-unit id="1"><source>Klicken Sie auf <g id="1" ctype="bold">Speichern</g>.</source>'
    '<target state="final">Click <g id="1" ctype="bold">Save</g>.</target><note>Button</note></trans-unit>\n'
    '<trans-unit id="2"><source>Das Haus<x id="1"/> ist groß.</source></trans-unit>\n'
    '<trans-unit id="3" translate="no"><source>ACME</source><target>ACME</target></trans-unit>\n'
    '<trans-unit id="4"><source>Eins. Zwei.</source><seg-source><mrk mid="0" mtype="seg">Eins.</mrk> '
    '<mrk mid="1" mtype="seg">Zwei.</mrk></seg-source>'
    '<target state="needs-review-translation"><mrk mid="0" mtype="seg">One.</mrk> <mrk mid="1" mtype="seg"></mrk></target>'
    "</trans-unit>"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def canonical_without(data: bytes, unit_id: str) -> bytes:
    """Canonical XML of a file without one trans-unit's target (and its state): the rest must stay."""
    root = etree.fromstring(data)
    for unit in root.iter("{*}trans-unit"):
        if unit.get("id") == unit_id:
            for target in unit.findall("{*}target"):
                unit.remove(target)
    return etree.canonicalize(root).encode()


# ---- the job as rows ----------------------------------------------------------------------------
def test_each_segment_is_a_row_with_its_codes_state_lock_and_id(tmp_path: Path) -> None:
    doc = job_document(read_job(write(tmp_path, "job.xlf", JOB)))
    assert (doc.src_lang, doc.tgt_lang, doc.name) == ("de", "en", "job.xlf")
    rows = doc.pairs
    assert [markup(p.source, p.src_codes) for p in rows] == [
        "Klicken Sie auf <1>Speichern</1>.",
        "Das Haus<1/> ist groß.",
        "ACME",
        "Eins.",
        "Zwei.",
    ]
    assert markup(rows[0].target, rows[0].tgt_codes) == "Click <1>Save</1>."
    assert [p.status for p in rows] == [
        Status.CONFIRMED,  # final
        Status.AUTOMATIC,  # no target
        Status.CONFIRMED,  # a target without a state counts as translated
        Status.NEEDS_REVIEW,  # needs-review-translation
        Status.NEEDS_REVIEW,
    ]
    assert [p.src_ids for p in rows] == [(0,), (1,), (2,), (3,), (4,)]
    assert [p.note for p in rows] == ["1 | Button", "2", "3", "4 #0", "4 #1"]
    assert [LOCKED in p.flags for p in rows] == [False, False, True, False, False]
    assert locked_rows(doc) == {2}
    assert [p.paragraph for p in rows] == [0, 1, 2, 3, 3]  # a unit's segments share a paragraph


def test_rows_put_back_unchanged_change_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "job.xlf", JOB)
    job = read_job(path)
    assert apply_document(job, job_document(job)) == 0
    assert not any(segment.changed for segment in job.segments())
    assert etree.canonicalize(etree.fromstring(write_job(job))) == etree.canonicalize(etree.fromstring(path.read_bytes()))


def test_an_edited_row_changes_its_target_and_state_only(tmp_path: Path) -> None:
    path = write(tmp_path, "job.xlf", JOB)
    job = read_job(path)
    doc = job_document(job)
    moved = doc.pairs[0].replace(target="Click Save.", tgt_codes=(Code("1", CodeKind.PAIRED, 0, 5),), status=Status.CONFIRMED)
    filled = doc.pairs[1].replace(target="The house is big.", tgt_codes=(Code("1", CodeKind.STANDALONE, 9, 9),))
    assert apply_document(job, doc.replace(pairs=[moved, filled, *doc.pairs[2:]])) == 2
    written = write_job(job)
    root = etree.fromstring(written)
    targets = {unit.get("id"): unit.find("{*}target") for unit in root.iter("{*}trans-unit")}
    assert etree.tostring(targets["1"], encoding=str, with_tail=False).endswith(
        '><g id="1" ctype="bold">Click</g> Save.</target>'
    )
    assert targets["1"].get("state") == "translated"
    assert etree.tostring(targets["2"], encoding=str, with_tail=False).endswith('>The house<x id="1"/> is big.</target>')
    assert targets["2"].get("state") == "needs-review-translation"  # not confirmed: a draft
    for unit_id in ("3", "4"):
        assert etree.tostring(targets[unit_id]) == etree.tostring(
            next(u for u in etree.fromstring(path.read_bytes()).iter("{*}trans-unit") if u.get("id") == unit_id).find("{*}target")
        )
    unchanged = etree.fromstring(path.read_bytes())
    for unit in (*root.iter("{*}trans-unit"), *unchanged.iter("{*}trans-unit")):
        if unit.get("id") in ("1", "2") and unit.find("{*}target") is not None:
            unit.remove(unit.find("{*}target"))
    assert etree.canonicalize(root) == etree.canonicalize(unchanged)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            lambda doc: [doc.pairs[0].replace(source="Anderer Text."), *doc.pairs[1:]],
            r"row 1: its source is not that of segment 1",
        ),
        (lambda doc: [doc.pairs[0].replace(src_ids=(99,)), *doc.pairs[1:]], r"row 1: names segment 100, but job\.xlf has 5"),
        (lambda doc: [doc.pairs[0].replace(src_ids=(0, 1)), *doc.pairs[1:]], r"row 1: names 2 segments"),
        (
            lambda doc: [*doc.pairs[:2], doc.pairs[2].replace(target="Acme Inc."), *doc.pairs[3:]],
            r"row 3 \(segment 3\): the segment is locked",
        ),
        (
            lambda doc: [
                doc.pairs[0].replace(tgt_codes=(*doc.pairs[0].tgt_codes, Code("7", CodeKind.STANDALONE, 0, 0))),
                *doc.pairs[1:],
            ],
            r"row 1 \(segment 1\): tag <7/> is not in the source",
        ),
        (
            lambda doc: [
                doc.pairs[0],
                doc.pairs[1].replace(target="The house.", tgt_codes=(Code("1", CodeKind.PAIRED, 0, 3),)),
                *doc.pairs[2:],
            ],
            r"row 2 \(segment 2\): tag 1 is standalone in the source, not paired",
        ),
        (
            lambda doc: [doc.pairs[0].replace(tgt_codes=(Code("1", CodeKind.PAIRED, 4, 99),)), *doc.pairs[1:]],
            r"row 1 \(segment 1\): unbalanced tags",
        ),
        (
            lambda doc: [doc.pairs[0].replace(src_codes=()), *doc.pairs[1:]],
            r"row 1: its source's tags are not those of segment 1",
        ),
        (lambda doc: [doc.pairs[1], doc.pairs[1].replace(target="x")], r"rows 1 and 2: both are segment 2"),
    ],
    ids=["other-source", "no-such-segment", "merged", "locked", "extra-tag", "kind", "unbalanced", "lost-tags", "twice"],
)
def test_rows_that_do_not_fit_the_job_are_refused_in_one_line_and_change_nothing(tmp_path: Path, change, says: str) -> None:
    path = write(tmp_path, "job.xlf", JOB)
    job = read_job(path)
    doc = job_document(job)
    edited = doc.pairs[1].replace(target="The house is big.", tgt_codes=(Code("1", CodeKind.STANDALONE, 9, 9),))
    doc = doc.replace(pairs=[doc.pairs[0], edited, *doc.pairs[2:]], name="rows.csv")
    with pytest.raises(InputError, match=says) as err:
        apply_document(job, doc.replace(pairs=change(doc)))
    assert "\n" not in str(err.value) and str(err.value).startswith("rows.csv, row")
    assert not any(segment.changed for segment in job.segments())


# ---- memoQ and Trados states --------------------------------------------------------------------
MEMOQ = xliff12(
    '<trans-unit id="1" mq:status="NotStarted"><source>Haus</source><target/></trans-unit>\n'
    '<trans-unit id="2" mq:status="ManuallyConfirmed"><source>Baum</source><target>Tree</target></trans-unit>\n'
    '<trans-unit id="3" mq:status="Edited"><source>Hund</source><target>Dgo</target></trans-unit>\n'
    '<trans-unit id="4" mq:status="Reviewer1Confirmed" mq:locked="locked">'
    "<source>ACME</source><target>ACME</target></trans-unit>",
    extra=MQ,
)


def test_memoq_status_is_read_and_written_back_with_the_target(tmp_path: Path) -> None:
    path = write(tmp_path, "job.mqxliff", MEMOQ)
    job = read_job(path)
    assert [s.state for s in job.segments()] == [State.NEW, State.TRANSLATED, State.DRAFT, State.REVIEWED]
    doc = job_document(job)
    assert [p.status for p in doc.pairs] == [Status.AUTOMATIC, Status.CONFIRMED, Status.NEEDS_REVIEW, Status.CONFIRMED]
    rows = [
        doc.pairs[0].replace(target="House"),
        doc.pairs[1],
        doc.pairs[2].replace(target="Dog", status=Status.CONFIRMED),
        doc.pairs[3],
    ]
    assert apply_document(job, doc.replace(pairs=rows)) == 2
    root = etree.fromstring(write_job(job))
    status = [unit.get("{MQXliff}status") for unit in root.iter("{*}trans-unit")]
    assert status == ["Pretranslated", "ManuallyConfirmed", "ManuallyConfirmed", "Reviewer1Confirmed"]


def test_trados_confirmation_levels_follow_the_rows(tmp_path: Path) -> None:
    sdl = 'xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0"'
    path = write(
        tmp_path,
        "a.sdlxliff",
        xliff12(
            '<trans-unit id="t1"><source>A. B.</source><seg-source><mrk mtype="seg" mid="1">A.</mrk> '
            '<mrk mtype="seg" mid="2">B.</mrk></seg-source><sdl:seg-defs><sdl:seg id="1"/>'
            '<sdl:seg id="2" conf="Draft"/></sdl:seg-defs></trans-unit>',
            extra=sdl,
        ),
    )
    job = read_job(path)
    doc = job_document(job)
    rows = [doc.pairs[0].replace(target="Ah.", status=Status.CONFIRMED), doc.pairs[1].replace(target="Be.")]
    assert apply_document(job, doc.replace(pairs=rows)) == 2
    root = etree.fromstring(write_job(job))
    assert [seg.get("conf") for seg in root.iter("{http://sdl.com/FileTypes/SdlXliff/1.0}seg")] == ["Translated", "Draft"]


# ---- PO in UTF-16 -------------------------------------------------------------------------------
PO16 = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-16\\n"
"Language: en\\n"

#: main.c:3
msgid "Öffne %s"
msgstr ""

msgid "Schließen"
msgstr "Close"
"""


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_po_file_is_read_and_written_back_in_utf16(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "de.po"
    path.write_bytes(PO16.encode(encoding))
    job = read_job(path)
    doc = job_document(job)
    assert [(p.source, p.target, p.note) for p in doc.pairs] == [("Öffne ", "", "entry 1"), ("Schließen", "Close", "entry 2")]
    rows = [doc.pairs[0].replace(target="Open ", tgt_codes=(Code("1", CodeKind.STANDALONE, 5, 5),)), doc.pairs[1]]
    assert apply_document(job, doc.replace(pairs=rows)) == 1
    written = write_job(job)
    assert written.startswith(PO16.encode(encoding)[:2])  # the same byte order (mark)
    text = written.decode(encoding)
    assert text == PO16.replace('msgid "Öffne %s"\nmsgstr ""', 'msgid "Öffne %s"\nmsgstr "Open %s"').replace(
        '#: main.c:3\nmsgid "Öffne', '#: main.c:3\n#, fuzzy\nmsgid "Öffne'
    )


# ---- pre-translation ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def translator(installed_settings) -> Translator:
    return Translator.load(find_package("de", "en", installed_settings), TranslateOptions(threads=2, beam_size=1))


@pytest.fixture(scope="module")
def aligner(installed_settings) -> WordAligner:
    return WordAligner(installed_settings.cache_dir, threads=2)


GERMAN = sorted(BENCH.glob("*Balancing__*.xlf")) if BENCH.is_dir() else []


@pytest.mark.skipif(not GERMAN, reason="bench/xliff-dev is not here")
def test_pretranslation_gives_every_unlocked_segment_a_target_with_every_source_tag(tmp_path: Path, translator, aligner) -> None:
    for path in GERMAN:
        job = read_job(path)
        doc = job_document(job, src_lang="de", tgt_lang="en")
        emptied = doc.replace(pairs=[p.replace(target="", tgt_codes=()) for p in doc.pairs])
        done = pretranslate_document(emptied, translator=translator, aligner=aligner)
        for before, after in zip(emptied.pairs, done.pairs, strict=True):
            if LOCKED in before.flags:
                assert after == before
                continue
            assert after.target.strip(), (path.name, before.note)
            assert after.status is Status.NEEDS_REVIEW
            assert sorted((c.id, c.kind) for c in after.tgt_codes) == sorted((c.id, c.kind) for c in before.src_codes)
            markup(after.target, after.tgt_codes)  # well-formed
        assert apply_document(job, done) == sum(LOCKED not in p.flags for p in done.pairs)
        again = job_document(read_job(write(tmp_path, path.name, write_job(job).decode("utf-8"))))
        assert [(p.target, p.tgt_codes) for p in again.pairs] == [(p.target, p.tgt_codes) for p in done.pairs]


def test_the_memory_comes_before_the_machine_and_rows_with_targets_stay(tmp_path: Path, translator, aligner) -> None:
    settings = load_settings(home=tmp_path / "home")
    memory = TranslationMemory(tm_path(settings))
    memory.add([Unit("Das Haus ist groß.", "The house is large (memory).", "de", "en")])
    job = read_job(write(tmp_path, "job.xlf", JOB))
    doc = job_document(job)
    done = pretranslate_document(doc, memory=memory, translator=translator, aligner=aligner)
    memory.close()
    first, house, acme, one, two = done.pairs
    assert (first, acme, one) == (doc.pairs[0], doc.pairs[2], doc.pairs[3])  # a target, locked, a draft with a target
    assert house.target == "The house is large (memory)." and house.origin.kind is OriginKind.MEMORY
    assert house.origin == Origin.memory(100) and [c.id for c in house.tgt_codes] == ["1"]
    assert two.target and two.origin == Origin.machine() and two.status is Status.NEEDS_REVIEW
    assert apply_document(job, done) == 2


def test_a_placeholder_between_spaces_keeps_a_space_on_each_side(tmp_path: Path, translator, aligner) -> None:
    """A PO placeholder is a code between two spaces; the machine's plain text has one space there,
    and the code placed after a word must not glue to it ("house%s is")."""
    path = tmp_path / "de.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Das Haus %s ist groß."\nmsgstr ""\n\nmsgid "%d Dateien"\nmsgstr ""\n\nmsgid "Datei %s"\nmsgstr ""\n',
        encoding="utf-8",
    )
    settings = load_settings(home=tmp_path / "home")
    memory = TranslationMemory(tm_path(settings))
    memory.add(
        [
            Unit("Das Haus ist groß.", "The house is big.", "de", "en"),
            Unit("Dateien", "files", "de", "en"),
            Unit("Datei", "file", "de", "en"),
        ]
    )
    job = read_job(path)
    done = pretranslate_document(job_document(job, src_lang="de", tgt_lang="en"), memory=memory, aligner=aligner)
    memory.close()
    assert [markup(p.target, p.tgt_codes) for p in done.pairs] == ["The house <1/> is big.", "<1/> files", "file <1/>"]
    apply_document(job, done)
    assert 'msgstr "The house %s is big."' in write_job(job).decode("utf-8")


def test_a_po_file_past_the_po_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """translate-toolkit's store takes about 100 times a PO file's size: a 17 MB catalogue is refused."""
    from align.exchange import MAX_PO_BYTES

    entry = b'msgid "Ein Satz"\nmsgstr ""\n\n'
    path = tmp_path / "huge.po"
    path.write_bytes(entry * (MAX_PO_BYTES // len(entry) + 1))
    with pytest.raises(InputError, match=r"huge\.po: 16\.0 MB is more than the 16 MB a PO file may have") as err:
        read_job(path)
    assert "\n" not in str(err.value)


def test_fuzzy_matches_are_inserted_only_when_asked(tmp_path: Path, translator, aligner) -> None:
    settings = load_settings(home=tmp_path / "home")
    memory = TranslationMemory(tm_path(settings))
    memory.add([Unit("Das Haus ist sehr groß.", "The house is very big.", "de", "en")])
    job = read_job(write(tmp_path, "job.xlf", JOB))
    doc = job_document(job)
    plain = pretranslate_document(doc, memory=memory, translator=translator, aligner=aligner)
    fuzzy = pretranslate_document(doc, memory=memory, translator=translator, aligner=aligner, fuzzy=80)
    memory.close()
    assert plain.pairs[1].origin == Origin.machine()  # "Das Haus ist groß." has no exact match
    assert fuzzy.pairs[1].origin.kind is OriginKind.MEMORY and 80 <= (fuzzy.pairs[1].origin.match or 0) < 100
    assert fuzzy.pairs[1].target == "The house is very big." and fuzzy.pairs[1].status is Status.NEEDS_REVIEW


def test_a_row_says_where_the_files_target_came_from(tmp_path: Path) -> None:
    sdl = 'xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0"'
    path = write(
        tmp_path,
        "a.sdlxliff",
        xliff12(
            '<trans-unit id="t1"><source>A. B. C.</source><seg-source><mrk mtype="seg" mid="1">A.</mrk> '
            '<mrk mtype="seg" mid="2">B.</mrk> <mrk mtype="seg" mid="3">C.</mrk></seg-source><target><mrk mtype="seg" '
            'mid="1">Ah.</mrk> <mrk mtype="seg" mid="2">Be.</mrk> <mrk mtype="seg" mid="3">Ce.</mrk></target>'
            '<sdl:seg-defs><sdl:seg id="1" conf="Draft" origin="tm" percent="98"/><sdl:seg id="2" origin="mt"/>'
            '<sdl:seg id="3" conf="Translated" origin="interactive"/></sdl:seg-defs></trans-unit>',
            extra=sdl,
        ),
    )
    assert [str(p.origin) for p in job_document(read_job(path)).pairs] == ["tm98", "mt", "edited"]
    plain = write(
        tmp_path,
        "b.xlf",
        xliff12(
            '<trans-unit id="1"><source>Ja</source><target state-qualifier="exact-match">Yes</target></trans-unit>'
            '<trans-unit id="2"><source>Nein</source><target state-qualifier="leveraged-mt">No</target></trans-unit>'
            '<trans-unit id="3"><source>Vielleicht</source></trans-unit>'
        ),
    )
    assert [str(p.origin) for p in job_document(read_job(plain)).pairs] == ["tm100", "mt", ""]
