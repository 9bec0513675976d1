"""What the segment editor's panels offer: memory matches with the differing words, inserting
one, repeats to apply a fix to, the glossary's terms; and the project's kept source file."""

from __future__ import annotations

from align.document import AlignedDocument, Bead, Sentence, Status
from align.glossary import Entry, Glossary
from align.review import edits
from align.review.sources import forget_source, keep_source, project_source
from align.tm import TranslationMemory, Unit
from align.ui.segment import glossary_lines, insert_suggestion, repeats, suggestions

SRC = [
    "Die Brücke ist 320 Meter lang.",
    "Der Eintritt ist frei.",
    "Die neue Fahrradbrücke ist offen.",
    "Der Eintritt ist frei.",
    "Der Eintritt ist frei.",
]
TGT = [
    "The bridge is 320 metres long.",
    "Admission free.",
    "The new bicycle bridge is open.",
    "Admission free.",
    "Entry is free.",
]


def doc() -> AlignedDocument:
    beads = [Bead((i,), (i,)) for i in range(len(SRC))]
    return AlignedDocument.from_beads("de", "en", [Sentence(s) for s in SRC], [Sentence(t) for t in TGT], beads)


def test_memory_matches_mark_the_differing_words_and_insert(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        tm.add([Unit("Die Brücke ist 420 Meter lang.", "The bridge is 420 metres long.", "de", "en")])
        found = suggestions(doc(), 0, tm)
    assert len(found) == 1 and 75 <= found[0].score < 100
    assert [text for text, differs in found[0].marked if differs] == ["420"]
    assert "".join(text for text, _ in found[0].marked) == "Die Brücke ist 420 Meter lang."
    new, label = insert_suggestion(doc(), 0, found[0])
    assert new.pairs[0].target == "The bridge is 420 metres long." and new.pairs[0].origin == found[0].origin
    assert new.pairs[0].status is Status.NEEDS_REVIEW and "TM" in label


def test_repeats_are_the_unconfirmed_rows_with_the_same_source():
    d = edits.confirm(doc(), [4])
    assert repeats(d, 1) == [3]  # row 5 is confirmed: a translator's final word is not overwritten
    fixed, changed = edits.propagate(edits.edit_text(d, 1, target="Admission is free."), 1)
    assert changed == [3] and fixed.pairs[3].target == "Admission is free." and fixed.pairs[4].target == "Entry is free."


def test_glossary_lines_say_which_terms_the_target_misses():
    glossary = Glossary((Entry.term("Fahrradbrücke", "cycle bridge"), Entry.term("Brücke", "bridge")), "de", "en")
    (line,) = glossary_lines(doc(), 2, glossary)
    assert line.source == "Fahrradbrücke" and line.targets == ("cycle bridge",) and "cycle bridge" in line.problem
    (ok,) = glossary_lines(doc(), 0, glossary)
    assert ok.source == "Brücke" and ok.problem == ""


def test_a_projects_source_file_is_kept_and_forgotten(tmp_path):
    class Settings:
        home = tmp_path

    assert project_source(Settings, 3) is None
    path = keep_source(Settings, 3, "../../Vertrag.docx", b"PK data")
    assert path.name == "Vertrag.docx" and path.parent.parent == tmp_path / "sources"
    assert project_source(Settings, 3) == path and path.read_bytes() == b"PK data"
    forget_source(Settings, 3)
    assert project_source(Settings, 3) is None


def test_kept_file_names_are_bounded_and_safe_on_windows_too(tmp_path):
    """A kept source is named from user content (an upload's name, or the project name for pasted
    text): any length, Windows device names and characters Windows refuses give a usable file."""
    from align.filenames import MAX_NAME_BYTES, safe_file_name

    class Settings:
        home = tmp_path

    long_name = "Vertrag über die Lieferung " * 12 + ".txt"  # 300+ characters, umlauts: 2 bytes each
    path = keep_source(Settings, 1, long_name, b"text")
    assert project_source(Settings, 1) == path and path.suffix == ".txt" and path.name.startswith("Vertrag über")
    assert len(path.name.encode("utf-8")) <= MAX_NAME_BYTES
    windows = {
        "CON": "_CON",
        "aux.txt": "_aux.txt",
        "Com1.docx": "_Com1.docx",
        'a<b>:"c"|d?*.md': "a_b___c__d__.md",
        "Bericht. . ": "Bericht",
        "Vertrag 1/2024.txt": "Vertrag 1_2024.txt",  # a project name, not a path
        "tab\there\n.txt": "tab_here_.txt",
        "...": "source.txt",
        "": "source.txt",
    }
    assert {name: safe_file_name(name, "source.txt") for name in windows} == windows
    assert keep_source(Settings, 2, "CON", b"x").name == "_CON"
    assert keep_source(Settings, 2, "C:\\Users\\x\\Vertrag.docx", b"x").name == "Vertrag.docx"  # an upload's path
    assert keep_source(Settings, 2, "../../etc/passwd", b"x") == tmp_path / "sources" / "2" / "passwd"
