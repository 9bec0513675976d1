"""Every feature at once on generated documents (issue 20: the crash came from combining features).

Hypothesis writes documents (TXT in three encodings, Markdown, HTML, DOCX) of fixture sentences,
mixed scripts, numbers, URLs, punctuation-only and empty segments, odd whitespace and, in some
of them, one segment of more than 512 tokens. Each goes through the real command line's
``batch`` and ``translate`` (``main()`` in-process, the shipped fixture package, a real glossary
file, a translation memory filled by ``tm import``) with the quality estimate, the glossary, the
memory, each pair format and the translated document switched on and off. What must hold: no
traceback (exit code 0), every non-space character of the source appears in order in the source
column of every pair file (read back with the product's own readers), the translated document
is written and readable, and the switches do what they say (machine rows are estimated exactly
when the estimate is on; memory rows appear only with the memory on).

"The source" is the text a reader takes from the file; for TXT, DOCX and HTML that is exactly the
generated text (compared without whitespace, after NFC), for Markdown it is what ``read_text``
leaves once the markup is stripped (stripping markup is the reader's job, not a loss).

CI runs the derandomised profile ``combination-ci`` (a fixed set of examples, the long ones among
them, about a minute on two cores); ``ALIGN_COMBINATION_PROFILE=combination-explore`` runs 200
random examples by hand.
"""

from __future__ import annotations

import os
import random
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings

from align.cli import main
from align.document import AlignedDocument, Pair
from align.formats import FORMATS, read_aligned, to_bytes
from align.text.readers import read_text
from devtools.models import load_fixture_pairs

pytestmark = pytest.mark.slow

FIXTURE_PAIRS = load_fixture_pairs()
#: The memory holds the first half of the fixture pairs, so some generated sentences are 100%/101% matches.
MEMORY_PAIRS = FIXTURE_PAIRS[: len(FIXTURE_PAIRS) // 2]
MEMORY_SOURCES = {de for de, _ in MEMORY_PAIRS}

hsettings.register_profile(
    "combination-ci",
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    # capsys is drained by every run(), so sharing it between examples is safe
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
hsettings.register_profile(
    "combination-explore", parent=hsettings.get_profile("combination-ci"), max_examples=200, derandomize=False
)
PROFILE = hsettings.get_profile(os.environ.get("ALIGN_COMBINATION_PROFILE", "combination-ci"))

# ---- generated documents ---------------------------------------------------------------------------

LATIN = "abcdefghijklmnopqrstuvwxyzäöüßÄÖÜABCXYZéèçñ"
OTHER_SCRIPTS = (
    "абвгдежзийЖЯ" + "αβγδεζηθΩ" + "中文漢字日本語" + "العربية" + "עברית" + "हिन्दी" + "한국어" + "😀🚲" + "\u0301\u0308"
)
WORD = st.text(alphabet=st.sampled_from(LATIN + OTHER_SCRIPTS), min_size=1, max_size=12)
NUMBERS = st.sampled_from(
    ["2.700", "3,5", "21.30 Uhr", "-12", "+49 (0)30 123456", "1/2", "½", "10 %", "1e-5", "٣٤٥", "①", "0,000001", "2024-02-29"]
) | st.integers(-(10**12), 10**12).map(str)
URLS = st.sampled_from(
    [
        "https://example.com/pfad?x=1&y=ä#top",
        "www.beispiel.de",
        "info@beispiel.de",
        "C:\\Temp\\datei.txt",
        "ftp://h.example/x_y-z",
        "https://de.wikipedia.org/wiki/Elbe_(Fluss)",
    ]
)
FORMULA = st.sampled_from(["=SUMME(A1:A3)", "@user", "+1", "- Punkt", "=1+2"])
PUNCTUATION = st.sampled_from(["…", "—", "?!", "***", "...", "„“", "«»", "(", ")", "§ 3", "•"])
#: Between segments of a paragraph: spaces of every kind, a line break (TXT keeps it inside the paragraph).
INNER_SPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\n", "\r\n", "\u2028", "\u202f"])
PARAGRAPH_BREAK = st.sampled_from(["\n\n", "\n\n\n\n", "\n \n", "\r\n\r\n", "\n\t\n"])
EMPTY = st.sampled_from(["", " ", "\t", "\u00a0", "\u3000 "])


def _sentence(words: list[str], end: str) -> str:
    return " ".join(words) + end


SEGMENT = st.one_of(
    st.sampled_from([de for de, _ in FIXTURE_PAIRS]),
    st.builds(_sentence, st.lists(WORD, min_size=1, max_size=10), st.sampled_from([".", "!", "?", "", ":", ";"])),
    st.builds(_sentence, st.lists(WORD | NUMBERS, min_size=1, max_size=6), st.sampled_from([".", ""])),
    st.builds(_sentence, st.lists(WORD | URLS, min_size=1, max_size=5), st.sampled_from([".", ""])),
    FORMULA,
    PUNCTUATION,
    EMPTY,
)
LONG_KINDS = ("words", "commas", "one-word")


def long_segment(kind: str, seed: int) -> str:
    """A segment of more than 512 SentencePiece tokens: at least 600 words (every word is at least
    one token), with no sentence end inside; or one 4,000-character word without any space."""
    rng = random.Random(seed)
    alphabet = LATIN + OTHER_SCRIPTS

    def word() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))

    if kind == "one-word":
        return "".join(rng.choice(alphabet) for _ in range(4000))
    words = [word() for _ in range(rng.randint(600, 900))]
    if kind == "commas":
        words = [w + "," if i % 17 == 16 else w for i, w in enumerate(words)]
    return " ".join(words) + "."


@dataclass(frozen=True)
class Case:
    """One generated document and the features switched on for it."""

    kind: str  # txt, md, html, docx
    paragraphs: tuple[str, ...]
    paragraph_break: str
    encoding: str  # of a .txt file
    estimate: bool
    glossary: str  # "", "csv" or "tbx"
    tm: bool
    formats: tuple[str, ...]  # what batch writes
    document: bool  # translate writes the translated document (else a pair file)
    pair_format: str  # translate's pair format when not ``document``


@st.composite
def paragraphs(draw: st.DrawFn) -> tuple[str, ...]:
    """Paragraphs of segments joined by odd whitespace; maybe one long segment; at least one character."""
    drawn: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        segments = draw(st.lists(SEGMENT, min_size=1, max_size=6))
        spaces = draw(st.lists(INNER_SPACE, min_size=len(segments), max_size=len(segments)))
        drawn.append("".join(segment + space for segment, space in zip(segments, spaces, strict=True)).rstrip(" "))
    if draw(st.integers(0, 3)) == 0:
        where = draw(st.integers(0, len(drawn) - 1))
        drawn[where] += " " + long_segment(draw(st.sampled_from(LONG_KINDS)), draw(st.integers(0, 2**16)))
    if not any(p.strip() for p in drawn):
        drawn.append("Ende.")
    return tuple(drawn)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    return Case(
        kind=draw(st.sampled_from(["txt", "md", "html", "docx"])),
        paragraphs=draw(paragraphs()),
        paragraph_break=draw(PARAGRAPH_BREAK),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
        estimate=draw(st.booleans()),
        glossary=draw(st.sampled_from(["", "csv", "tbx"])),
        tm=draw(st.booleans()),
        formats=tuple(sorted(draw(st.sets(st.sampled_from(FORMATS), min_size=1)))),
        document=draw(st.booleans()),
        pair_format=draw(st.sampled_from(FORMATS)),
    )


def _long_case(kind: str, long_kind: str, fmt: str) -> Case:
    """A fixed example with every feature on and one long segment between fixture sentences."""
    memory_sentence, new_sentence = MEMORY_PAIRS[3][0], FIXTURE_PAIRS[-2][0]
    text = f"{memory_sentence} Die Fahrradbrücke über die Elbe, 2.700 m lang. {long_segment(long_kind, 7)} {new_sentence}"
    return Case(kind, (text, MEMORY_PAIRS[4][0], "\u3000"), "\n\n", "utf-8", True, "csv", True, FORMATS, True, fmt)


# ---- the data folder: package, memory, glossaries -------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, fixture_package_file: Path) -> dict[str, Path]:
    """A data folder of its own (the session's shared one must not get a memory) with the fixture
    package installed and half the fixture pairs imported into its memory; a CSV and a TBX glossary."""
    root = tmp_path_factory.mktemp("combination")
    home = root / "home"
    assert main(["--home", str(home), "models", "install", "--from", str(fixture_package_file)]) == 0
    pairs = tuple(Pair(de, en, (i,), (i,)) for i, (de, en) in enumerate(MEMORY_PAIRS))
    memory = root / "memory.tmx"
    memory.write_bytes(to_bytes(AlignedDocument("de", "en", pairs, name="memory"), "tmx"))
    assert main(["--home", str(home), "tm", "import", str(memory), "--quiet"]) == 0
    glossary_csv = root / "glossary.csv"
    glossary_csv.write_text(
        "source,target,type\nFahrradbrücke,cycle bridge;bike bridge,term\nElbe,,do-not-translate\n,bike lane,forbidden\n"
        "Verkehrsminister,transport minister,\n",
        encoding="utf-8",
    )
    glossary_tbx = root / "glossary.tbx"
    glossary_tbx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="en"><text><body>\n'
        '<termEntry><langSet xml:lang="de"><tig><term>Fahrradbrücke</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>cycle bridge</term></tig><tig><term>bike lane</term>'
        '<termNote type="administrativeStatus">forbidden</termNote></tig></langSet></termEntry>\n'
        '<termEntry><langSet xml:lang="de"><tig><term>Bauzeit</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>construction</term></tig></langSet></termEntry>\n'
        "</body></text></martif>\n",
        encoding="utf-8",
    )
    return {"home": home, "csv": glossary_csv, "tbx": glossary_tbx}


# ---- writing the document, checking the outputs ------------------------------------------------------


def write_input(case: Case, folder: Path) -> tuple[Path, str]:
    """Write the case's document; return its path and the source text it holds (see the module doc)."""
    text = case.paragraph_break.join(case.paragraphs) + "\n"
    path = folder / f"doc.{case.kind}"
    if case.kind == "txt":
        path.write_bytes(text.encode(case.encoding))
    elif case.kind == "md":
        path.write_text(text, encoding="utf-8")
    elif case.kind == "html":
        body = "".join(f"<p>{escape(p)}</p>\n" for p in case.paragraphs)
        path.write_text(
            f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'></head><body>\n{body}</body></html>\n", encoding="utf-8"
        )
    else:
        import docx

        document = docx.Document()
        for paragraph in case.paragraphs:
            document.add_paragraph(paragraph)
        document.save(str(path))
    return path, read_text(path) if case.kind == "md" else text


def visible(text: str) -> str:
    """The text's characters without whitespace, after NFC (how the product normalises text)."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace())


def assert_kept_in_order(source: str, column: list[str], where: str) -> None:
    """Every non-space character of ``source`` appears, in order, in the joined ``column``."""
    expected = visible(source)
    got = "".join(visible(cell) for cell in column)
    position = 0
    for k, char in enumerate(expected):
        found = got.find(char, position)
        if found < 0:
            raise AssertionError(
                f"{where}: source character {k} {char!r} is missing; source around it: {expected[max(0, k - 30) : k + 30]!r}; "
                f"output after the last match: {got[position : position + 60]!r}"
            )
        position = found + 1


def assert_features_applied(case: Case, pairs: Sequence[Pair], where: str) -> None:
    """The switches did what they say: machine rows are estimated exactly when the estimate is on;
    memory rows appear only with the memory on, and do when a paragraph is a sentence it holds."""
    machine = [pair for pair in pairs if pair.origin == "mt"]
    if case.estimate:
        assert any(pair.quality is not None for pair in machine) or not machine, f"{where}: estimate on, no row estimated"
    else:
        assert all(pair.quality is None for pair in pairs), f"{where}: estimate off, yet a row has a quality"
    recalled = [pair for pair in pairs if pair.origin in ("tm100", "tm101")]
    if not case.tm:
        assert not recalled, f"{where}: memory off, yet rows came from it"
    elif MEMORY_SOURCES.intersection(p.strip() for p in case.paragraphs):
        assert recalled, f"{where}: memory on and a paragraph is one of its sentences, yet no row came from it"


def feature_flags(case: Case, workspace: dict[str, Path]) -> list[str]:
    flags = ["--quiet", "--threads", "1", "--estimate" if case.estimate else "--no-estimate", "--tm" if case.tm else "--no-tm"]
    flags += ["--glossary", str(workspace[case.glossary])] if case.glossary else ["--no-glossary"]
    return flags


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, f"{' '.join(argv)} exited {code}:\n{captured.out}\n{captured.err}"
    assert "Traceback" not in captured.err and "unexpected error" not in captured.err + captured.out, captured.err


# ---- the test ---------------------------------------------------------------------------------------


@PROFILE
@given(case=cases())
@example(case=_long_case("txt", "words", "tmx"))
@example(case=_long_case("docx", "commas", "xlsx"))
@example(case=_long_case("md", "one-word", "jsonl"))
@example(case=_long_case("html", "words", "csv"))
def test_features_combined_lose_no_source_text(
    case: Case, workspace: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(workspace["home"])]
    flags = feature_flags(case, workspace)
    with tempfile.TemporaryDirectory(prefix="combination-") as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        source, text = write_input(case, folder / "in")

        run([*home, "batch", str(folder / "in"), str(folder / "out"), "--formats", ",".join(case.formats), *flags], capsys)
        for fmt in case.formats:
            written = read_aligned(folder / "out" / f"doc.{fmt}")
            assert_kept_in_order(text, [pair.source for pair in written.pairs], f"batch {fmt}")
            assert_features_applied(case, written.pairs, f"batch {fmt}")

        if not case.document:
            out = folder / f"translated.{case.pair_format}"
            run([*home, "translate", str(source), "-o", str(out), *flags], capsys)
            pairs = read_aligned(out).pairs
            assert_kept_in_order(text, [pair.source for pair in pairs], f"translate {case.pair_format}")
            assert_features_applied(case, pairs, f"translate {case.pair_format}")
            return
        out = folder / f"translated.{case.kind}"
        if case.kind == "txt":  # the translated .txt comes from the pairs (translate's .txt is the TSV table)
            aligned = folder / "out" / f"doc.{case.formats[0]}"
            run([*home, "export-doc", str(aligned), str(source), "-o", str(out)], capsys)
        else:
            run([*home, "translate", str(source), "-o", str(out), *flags], capsys)
        assert out.is_file() and read_text(out).strip(), f"the translated document {out.name} is missing or empty"
