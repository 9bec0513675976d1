"""Issue 24's first room on small hand-written files: what the model reads (codes, targets, states,
notes, locks), pseudo-translation as a pure function, PO through translate-toolkit, hostile files
as one-line errors, and ``python -m align pseudo`` end to end."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from align.cli import main
from align.codes import CodeKind, codes_from_markup, markup
from align.errors import FormatError, InputError
from align.exchange import MAX_BYTES, Kind, State, read_job, set_target, write_job
from align.exchange.pseudo import GROWTH, pseudo_text, pseudo_translate

X12 = 'xmlns="urn:oasis:names:tc:xliff:document:1.2"'
X20 = 'xmlns="urn:oasis:names:tc:xliff:document:2.0"'


def xliff12(body: str, extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" {X12} {extra}>\n'
        '<file original="a.txt" source-language="en" target-language="de" datatype="plaintext">'
        f"<body>\n{body}\n</body></file>\n</xliff>\n"
    )


def xliff20(body: str) -> str:
    return (
        f'<?xml version="1.0"?>\n<xliff version="2.0" {X20} srcLang="en" trgLang="de"><file id="f1">\n{body}\n</file></xliff>\n'
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pseudo_file(tmp_path: Path, path: Path) -> bytes:
    out = tmp_path / f"out-{path.name}"
    assert main(["pseudo", str(path), "-o", str(out)]) == 0
    return out.read_bytes()


# ---- the model ----------------------------------------------------------------------------------
def test_xliff12_inline_codes_are_read_as_paired_and_standalone_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.xlf",
        xliff12(
            '<trans-unit id="1"><source>Press <g id="1" ctype="bold">Save <x id="2"/>now</g> or '
            '<bpt id="3">&lt;i&gt;</bpt>quit<ept id="3">&lt;/i&gt;</ept><ph id="4">{0}</ph>.</source></trans-unit>'
        ),
    )
    segment = read_job(path).segments()[0]
    assert segment.source == "Press Save now or quit."
    assert markup(segment.source, segment.codes) == "Press <1>Save <2/>now</1> or <3>quit</3><4/>."
    assert [c.kind for c in segment.codes] == [CodeKind.PAIRED, CodeKind.STANDALONE, CodeKind.PAIRED, CodeKind.STANDALONE]


def test_codes_that_cross_are_read_as_standalone_halves_and_written_back_in_place(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cross.xlf",
        xliff12(
            '<trans-unit id="1"><source>a <bpt id="1">[</bpt>b <bpt id="2">(</bpt>c<ept id="1">]</ept> '
            'd<ept id="2">)</ept></source></trans-unit>'
        ),
    )
    segment = read_job(path).segments()[0]
    assert markup(segment.source, segment.codes) == "a <1/>b <2>c<3/> d</2>"  # bpt 1 and ept 1 cross bpt/ept 2
    written = pseudo_file(tmp_path, path)
    target = etree.fromstring(written).find(".//{*}target")
    assert [(etree.QName(e).localname, e.get("id")) for e in target] == [("bpt", "1"), ("bpt", "2"), ("ept", "1"), ("ept", "2")]


def test_segmented_xliff12_reads_each_mrk_with_its_target_and_state(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "seg.xlf",
        xliff12(
            '<trans-unit id="tu1"><source>One. Two.</source>'
            '<seg-source><mrk mid="0" mtype="seg">One.</mrk> <mrk mid="1" mtype="seg">Two.</mrk></seg-source>'
            '<target state="signed-off"><mrk mid="0" mtype="seg">Eins.</mrk> <mrk mid="1" mtype="seg"></mrk></target>'
            "<note>Short sentences.</note></trans-unit>"
        ),
    )
    job = read_job(path)
    assert [(s.id, s.source, s.target) for s in job.segments()] == [("0", "One.", "Eins."), ("1", "Two.", "")]
    assert job.units[0].notes == ("Short sentences.",)
    assert job.segments()[0].state is State.REVIEWED
    set_target(job.segments()[1], "Zwei.", (), State.DRAFT)
    target = etree.fromstring(write_job(job)).find(".//{*}target")
    assert "".join(target.itertext()) == "Eins. Zwei."  # the unchanged segment keeps its target
    assert target.get("state") == "needs-review-translation"


def test_locked_units_are_read_only_and_left_as_they_were(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "locked.xlf",
        xliff12(
            '<group translate="no"><trans-unit id="1"><source>Logo</source></trans-unit></group>'
            '<trans-unit id="2" mq:locked="locked"><source>ACME</source></trans-unit>'
            '<trans-unit id="3"><source>Open</source></trans-unit>',
            extra='xmlns:mq="MQXliff"',
        ),
    )
    job = read_job(path)
    assert [s.translatable for s in job.segments()] == [False, False, True]
    with pytest.raises(ValueError, match="locked"):
        set_target(job.segments()[0], "x", (), State.DRAFT)
    root = etree.fromstring(pseudo_file(tmp_path, path))
    assert [unit.find("{*}target") is not None for unit in root.iter("{*}trans-unit")] == [False, False, True]


def test_xliff20_segments_notes_states_and_codes_across_segments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two.xlf",
        xliff20(
            '<unit id="u1"><notes><note>Menu entry</note></notes>'
            '<segment id="s1" state="final"><source>Open <sc id="1"/>the</source><target>Öffne <sc id="1"/>die</target></segment>'
            "<ignorable><source> </source></ignorable>"
            '<segment id="s2"><source>file<ec startRef="1"/> <pc id="2">now</pc><ph id="3"/></source></segment></unit>'
            '<unit id="u2" translate="no"><segment><source>ACME</source></segment></unit>'
        ),
    )
    job = read_job(path)
    assert job.kind is Kind.XLIFF20 and job.units[0].notes == ("Menu entry",)
    first, second, locked = job.segments()
    assert (first.state, first.target, second.state, locked.translatable) == (State.FINAL, "Öffne die", State.NEW, False)
    assert markup(second.source, second.codes) == "file<1/> <2>now</2><3/>"  # ec without its sc here: standalone
    root = etree.fromstring(pseudo_file(tmp_path, path))
    segments = list(root.iter("{*}segment"))
    assert [s.get("state") for s in segments] == ["translated", "translated", None]
    assert [(etree.QName(e).localname, e.get("startRef") or e.get("id")) for e in segments[1].find("{*}target")] == [
        ("ec", "1"),
        ("pc", "2"),
        ("ph", "3"),
    ]


def test_sdlxliff_locked_segment_and_states(tmp_path: Path) -> None:
    sdl = 'xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0"'
    path = write(
        tmp_path,
        "a.sdlxliff",
        xliff12(
            '<trans-unit id="t1"><source>A. B.</source><seg-source><mrk mtype="seg" mid="1">A.</mrk> '
            '<mrk mtype="seg" mid="2">B.</mrk></seg-source><sdl:seg-defs><sdl:seg id="1" conf="Translated"/>'
            '<sdl:seg id="2" locked="true" conf="ApprovedSignOff"/></sdl:seg-defs></trans-unit>',
            extra=sdl,
        ),
    )
    job = read_job(path)
    assert job.kind is Kind.SDLXLIFF
    assert [(s.translatable, s.state) for s in job.segments()] == [(True, State.TRANSLATED), (False, State.FINAL)]
    root = etree.fromstring(pseudo_file(tmp_path, path))
    confs = [seg.get("conf") for seg in root.iter("{http://sdl.com/FileTypes/SdlXliff/1.0}seg")]
    assert confs == ["Draft", "ApprovedSignOff"]


# ---- pseudo-translation -------------------------------------------------------------------------
def test_pseudo_text_is_accented_about_30_percent_longer_with_codes_on_the_same_letters() -> None:
    source, codes = codes_from_markup("Click <1>Save file</1> to keep<2/> your work before closing the window.")
    text, moved = pseudo_text(source, codes)
    assert text.isascii() is False and not any(c in text for c in "aeiou")
    assert len(source) * (1 + GROWTH) <= len(text) <= len(source) * (1 + GROWTH) + 4
    assert markup(text, moved).startswith("[Çĺĩçķ <1>Šàṽē ƒĩĺē</1> ţŏ ķēēƥ<2/> ")
    assert pseudo_text("  ", ()) == ("  ", ())


def test_pseudo_translate_marks_every_translatable_segment_a_draft(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.xlf", xliff12('<trans-unit id="1"><source>Hello</source><target state="final">Hallo</target></trans-unit>')
    )
    job = read_job(path)
    assert pseudo_translate(job) == 1
    assert job.segments()[0].state is State.DRAFT
    again = read_job(write(tmp_path, "b.xlf", write_job(job).decode()))
    assert again.segments()[0].target == "[Ĥēĺĺŏ ~]" and again.segments()[0].state is State.DRAFT


# ---- PO -----------------------------------------------------------------------------------------
PO = r"""# German translation.
#
msgid ""
msgstr ""
"Project-Id-Version: demo 1.0\n"
"Language: pl\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

#. Shown in the title bar
#: src/main.c:12
#, c-format
msgid "Open %s in a new window"
msgstr ""

#, python-brace-format
msgid "Hello {name}, you have a very long message that goes on and on and on beyond seventy-eight columns"
msgstr "Hallo {name}"

msgid "One file"
msgid_plural "%d files"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""

#~ msgid "Old"
#~ msgstr "Alt"
"""


def _outside_msgstr(text: str) -> list[str]:
    """The lines of a PO file but its msgstr blocks and flag comments."""
    kept, in_msgstr = [], False
    for line in text.splitlines():
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if not in_msgstr and not line.startswith("#,"):
            kept.append(line)
    return kept


def test_po_entries_are_units_with_placeholders_as_codes_and_plural_forms(tmp_path: Path) -> None:
    job = read_job(write(tmp_path, "de.po", PO))
    assert job.kind is Kind.PO
    first, hello, *plural, old = job.segments()
    assert markup(first.source, first.codes) == "Open <1/> in a new window"
    assert job.units[0].notes == ("Shown in the title bar",)
    assert (hello.target, hello.state) == ("Hallo ", State.TRANSLATED)
    assert [s.source for s in plural] == ["One file", " files", " files"]  # nplurals=3
    assert not old.translatable


def test_po_pseudo_keeps_placeholders_and_every_other_line(tmp_path: Path) -> None:
    path = write(tmp_path, "de.po", PO)
    written = pseudo_file(tmp_path, path).decode()
    assert _outside_msgstr(written) == _outside_msgstr(PO)  # the long msgid keeps its one line
    assert 'msgstr "[Ŏƥēñ %s ĩñ à ñēŵ ŵĩñđŏŵ ~~~~]"' in written and 'msgstr[2] "[%d ƒĩĺēš ~]"' in written
    assert sum("fuzzy" in line for line in written.splitlines() if line.startswith("#,")) == 3 and '#~ msgstr "Alt"' in written
    if shutil.which("msgfmt"):
        check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(tmp_path / "out-de.po")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


# ---- hostile files ------------------------------------------------------------------------------
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(8))
    + f']>\n<xliff version="1.2" {X12}><file original="a" source-language="en" datatype="plaintext"><body>'
    + '<trans-unit id="1"><source>&i;</source></trans-unit></body></file></xliff>'
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<xliff version="1.2" {X12}><file original="a" source-language="en" datatype="plaintext"><body>'
    '<trans-unit id="1"><source>&x;</source></trans-unit></body></file></xliff>'
)
DEEP = xliff12('<trans-unit id="1"><source>' + '<g id="1">' * 300 + "deep" + "</g>" * 300 + "</source></trans-unit>")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BILLION_LAUGHS, "entity bomb"),
        (EXTERNAL, "not defined"),
        (DEEP, "nested deeper"),
        (xliff12('<trans-unit id="1"><source>cut off'), "not well-formed"),
        ('<?xml version="1.0"?><html><body>hi</body></html>', "not an XLIFF file"),
        ('<xliff version="3.0"/>', "XLIFF version 3.0"),
        (xliff12('<trans-unit id="1"><target>no source</target></trans-unit>'), "has no <source>"),
        ("Just some words\nin a text file.\n", "neither XLIFF nor PO"),
    ],
    ids=["billion-laughs", "external-entity", "deep", "malformed", "html", "version", "no-source", "text"],
)
def test_hostile_or_foreign_files_are_one_line_format_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    path = write(tmp_path, "job.xlf", text)
    with pytest.raises(FormatError, match=says):
        read_job(path)
    assert main(["pseudo", str(path), "-o", str(tmp_path / "out.xlf")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and says in err
    assert not (tmp_path / "out.xlf").exists()


def test_a_broken_po_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = write(tmp_path, "de.po", 'msgid "open\nmsgstr ""\n')
    with pytest.raises(FormatError, match=r"de\.po: not a readable PO file") as err:
        read_job(path)
    assert "\n" not in str(err.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlf"
    with path.open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match="split the job"):
        read_job(path)


def test_pseudo_help_names_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["pseudo", "--help"])
    out = capsys.readouterr().out
    assert "XLIFF 1.2 or 2.0" in out and "PO" in out and "30%" in out
