"""Translating with a glossary, with the real fixture package: the translator picks, among its own
n-best hypotheses, the one that uses the glossary's terms.

Which hypotheses rank below the best is not fixed across CPUs (the fixture is checked for its best
output only), so every test reads the n-best list at test time and derives the glossary from it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from align import cli
from align.glossary import Entry, Glossary, glossary_hits, row_findings
from align.glossary.terms import tokens
from align.mt.packages import find_package, install_from_path
from align.mt.translate import TranslateOptions, TranslateStats, Translator
from align.pipeline import translate_text
from devtools.models import load_fixture_pairs


@pytest.fixture(scope="module")
def translator(installed_settings) -> Translator:
    return Translator.load(find_package("de", "en", installed_settings), TranslateOptions(threads=2))


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    return load_fixture_pairs()


def glossary_from_runner_up(source: str, hypotheses: list[tuple[str, float]]) -> tuple[Glossary, str] | None:
    """A term pair whose target is a word of a lower hypothesis that the best one lacks (compared by
    stem, as the glossary compares), and the first hypothesis carrying it; None when the n best
    share all their words."""
    best = {t.key for t in tokens(hypotheses[0][0], "en")}
    for text, _score in hypotheses[1:]:
        new = [t for t in tokens(text, "en") if t.key not in best]
        if new:
            word = text[new[0].start : new[0].end]
            source_word = max((source[t.start : t.end] for t in tokens(source, "de")), key=len)
            return Glossary((Entry.term(source_word, word),), "de", "en", "derived"), text
    return None


def test_the_glossary_chooses_the_hypothesis_that_uses_its_term(translator, pairs):
    chosen = 0
    for source, expected in pairs[:40]:
        hypotheses = translator.n_best([source], 4)[0]
        assert len(hypotheses) == 4 and [s for _, s in hypotheses] == sorted((s for _, s in hypotheses), reverse=True)
        derived = glossary_from_runner_up(source, hypotheses)
        if derived is None:
            continue
        glossary, wanted = derived
        [out] = translator.translate([source], glossary=glossary)
        assert out == wanted, (source, glossary.entries[0], hypotheses)
        assert out != hypotheses[0][0]
        assert row_findings(source, out, glossary) == []
        assert [f.reason for f in row_findings(source, hypotheses[0][0], glossary)] == [
            f"term '{glossary.entries[0].source}' -> '{glossary.entries[0].targets[0]}' not used"
        ]
        # without the glossary the model's best (beam 2) stands: the fixture's training target
        assert translator.translate([source]) == [expected]
        chosen += 1
    assert chosen >= 10, "the fixture's n-best lists should differ in words for most sentences"


def test_num_hypotheses_two_to_four(translator, pairs):
    source = pairs[1][0]
    for n in (2, 3, 4):
        hypotheses = translator.n_best([source], n)[0]
        assert len(hypotheses) == n
        derived = glossary_from_runner_up(source, hypotheses)
        if derived is not None:
            glossary, wanted = derived
            narrow = Translator.load(translator.package, TranslateOptions(threads=2, glossary_hypotheses=n))
            assert narrow.translate([source], glossary=glossary) == [wanted]


def test_rows_without_glossary_terms_decode_as_without_a_glossary(translator, pairs):
    hypotheses = translator.n_best([pairs[1][0]], 4)[0]
    derived = glossary_from_runner_up(pairs[1][0], hypotheses)
    assert derived is not None
    glossary, wanted = derived
    others = [(s, e) for s, e in pairs[2:] if not glossary_hits(s, glossary)][:11]  # rows without the term
    sources = [others[0][0], pairs[1][0], *(s for s, _ in others[1:])]
    expected = [others[0][1], pairs[1][1], *(e for _, e in others[1:])]
    stats = TranslateStats()
    done: list[tuple[int, int | None]] = []
    out = translator.translate(["", *sources], progress=lambda d, t: done.append((d, t)), stats=stats, glossary=glossary)
    assert out == ["", expected[0], wanted, *expected[2:]]
    assert done[-1] == (13, 13) and stats.sentences == 13 and stats.pieces == 12
    # no glossary, an empty one, or one whose terms are in no row: the plain translation
    plain = translator.translate(sources)
    assert plain == expected
    assert translator.translate(sources, glossary=Glossary((), "de", "en")) == plain
    assert translator.translate(sources, glossary=Glossary((Entry.term("Zugspitze", "peak"),), "de", "en")) == plain


def test_do_not_translate_terms_the_best_keeps_stay(translator, pairs):
    source, expected = next((s, e) for s, e in pairs if "Elbe" in s and "Elbe" in e)
    glossary = Glossary((Entry.keep("Elbe"), Entry.forbidden("river", source="Elbe")), "de", "en")
    [out] = translator.translate([source], glossary=glossary)
    assert "Elbe" in out and "river" not in out
    assert row_findings(source, out, glossary) == []


def test_long_sentences_are_still_split_and_joined(translator, pairs):
    small = Translator.load(translator.package, TranslateOptions(threads=2, max_piece_tokens=30))
    sources = [s for s, _ in pairs[:6]]
    long = " ".join(sources)
    glossary = Glossary((Entry.term("Fahrradbrücke", "cycle bridge"), Entry.keep("Elbe")), "de", "en")
    stats = TranslateStats()
    [out] = small.translate([long], stats=stats, glossary=glossary)
    assert stats.pieces > 1
    assert row_findings(long, out, glossary) == []


def test_translate_text_records_the_glossary_in_the_signature(translator, pairs):
    source = pairs[1][0]
    glossary, wanted = glossary_from_runner_up(source, translator.n_best([source], 4)[0]) or pytest.fail("no runner-up")
    doc = translate_text(f"{pairs[0][0]}\n\n{source}", translator, estimate=False, glossary=glossary)
    assert [p.target for p in doc.pairs] == [pairs[0][1], wanted]
    described = doc.signature.settings.details["glossary"]
    assert described["entries"] == 1 and described["name"] == "derived" and len(described["sha256"]) == 16
    plain = translate_text(source, translator, estimate=False)
    assert "glossary" not in plain.signature.settings.details


@pytest.fixture
def home_with_package(tmp_path, fixture_package_file):
    """A data folder of its own (the test writes its shared glossary there)."""
    from align.settings import load_settings

    settings = load_settings(home=tmp_path / "home")
    install_from_path(fixture_package_file, settings)
    return settings


def read_targets(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["target"] for row in csv.DictReader(handle)]


def test_cli_translate_with_glossary_files_and_shared_glossary(tmp_path, home_with_package, translator, pairs, capsys):
    source = pairs[1][0]
    glossary, wanted = glossary_from_runner_up(source, translator.n_best([source], 4)[0]) or pytest.fail("no runner-up")
    entry = glossary.entries[0]
    text = tmp_path / "in.txt"
    text.write_text(source + "\n", encoding="utf-8")
    terms = tmp_path / "terms.tsv"
    terms.write_text(f"de\ten\n{entry.source}\t{entry.targets[0]}\n", encoding="utf-8")
    home = str(home_with_package.home)

    def run(*extra: str) -> list[str]:
        out = tmp_path / "out.csv"
        assert cli.main(["--home", home, "translate", str(text), "-o", str(out), "--quiet", "--no-estimate", *extra]) == 0
        return read_targets(out)

    assert run() == [pairs[1][1]]
    assert run("--glossary", str(terms)) == [wanted]
    (home_with_package.home / "glossary.tsv").write_bytes(terms.read_bytes())  # the shared glossary
    assert run() == [wanted]
    assert run("--no-glossary") == [pairs[1][1]]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--home", home, "translate", str(text), "-o", "x.csv", "--glossary", str(terms), "--no-glossary"])
    assert exit_info.value.code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,type\nBrücke,bridge,sometimes\n", encoding="utf-8")
    assert cli.main(["--home", home, "translate", str(text), "-o", str(tmp_path / "o.csv"), "--glossary", str(bad)]) == 1
    assert f"error: {bad}, line 2: unknown entry type 'sometimes'" in capsys.readouterr().err


def test_cli_batch_with_glossary(tmp_path, home_with_package, translator, pairs):
    source = pairs[1][0]
    glossary, wanted = glossary_from_runner_up(source, translator.n_best([source], 4)[0]) or pytest.fail("no runner-up")
    entry = glossary.entries[0]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(source + "\n", encoding="utf-8")
    terms = tmp_path / "terms.csv"
    terms.write_text(f"source,target\n{entry.source},{entry.targets[0]}\n", encoding="utf-8")
    home = str(home_with_package.home)
    args = ["--home", home, "batch", str(tmp_path / "in"), str(tmp_path / "out"), "--formats", "csv", "--quiet", "--no-estimate"]
    assert cli.main([*args, "--glossary", str(terms)]) == 0
    assert read_targets(tmp_path / "out" / "a.csv") == [wanted]
    # another glossary (here: none) is another output: the manifest does not skip the file
    assert cli.main([*args, "--no-glossary"]) == 0
    assert read_targets(tmp_path / "out" / "a.csv") == [pairs[1][1]]
