"""The glossary check through the word alignment: it names the target words that rendered a term
and flags a term rendered otherwise even when the glossary's target word is elsewhere in the
sentence; without an alignment it behaves as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.evaluate.words import read_gold
from align.glossary import MISSING_TERM, Entry, Glossary, Kind, row_findings
from align.glossary.rendered import rendering
from align.words import WordAligner
from align.words.model import Link, Word, WordAlignment

GOLD = Path(__file__).parent / "data" / "wordalign" / "de-en.gold"


def glossary(*entries: tuple[str, str]) -> Glossary:
    return Glossary(tuple(Entry(src, (tgt,), Kind.TERM) for src, tgt in entries))


def spaced(tokens: tuple[str, ...]) -> tuple[str, tuple[Word, ...]]:
    words, at = [], 0
    for token in tokens:
        words.append(Word(token, at, at + len(token)))
        at += len(token) + 1
    return " ".join(tokens), tuple(words)


@pytest.fixture(scope="module")
def aligner(tmp_path_factory) -> WordAligner:
    return WordAligner(models_dir=tmp_path_factory.mktemp("word-models"), threads=2)


def test_a_missing_term_names_its_rendering_through_the_human_alignment():
    pair = next(p for p in read_gold(GOLD) if p.id == "align-dev/001:3-4")  # Wahlbeteiligung -> voter turn-out
    source, src_words = spaced(pair.src)
    target, tgt_words = spaced(pair.tgt)
    aligned = WordAlignment(src_words, tgt_words, tuple(Link(i, j, 1.0) for i, j in sorted(pair.sure)))
    entries = glossary(("Wahlbeteiligung", "turnout"))
    (before,) = row_findings(source, target, entries, "de", "en")
    (after,) = row_findings(source, target, entries, "de", "en", alignment=aligned)
    assert before.reason == "term 'Wahlbeteiligung' -> 'turnout' not used"
    assert after.check == MISSING_TERM
    assert after.reason == "term 'Wahlbeteiligung' -> 'turnout' not used (rendered as 'voter turn-out')"
    assert after.target_span is not None and target[slice(*after.target_span)] == "voter turn-out"


def test_a_term_rendered_otherwise_is_flagged_though_its_target_is_elsewhere(aligner):
    source = "Der Vertrag ersetzt das alte Abkommen."
    target = "The treaty replaces the old agreement."
    entries = glossary(("Abkommen", "treaty"))
    assert row_findings(source, target, entries, "de", "en") == []  # "treaty" is somewhere: passed before
    (finding,) = row_findings(source, target, entries, "de", "en", alignment=aligner.align(source, target))
    assert finding.reason == "term 'Abkommen' -> 'treaty' rendered as 'agreement'"


def test_a_term_rendered_as_the_glossary_says_passes(aligner):
    source = "Der Bundestag hat das Gesetz gestern beschlossen."
    target = "The Bundestag passed the law yesterday."
    entries = glossary(("Bundestag", "Bundestag"), ("Gesetz", "law"))
    aligned = aligner.align(source, target)
    assert row_findings(source, target, entries, "de", "en", alignment=aligned) == []
    found = rendering(aligned, target, source.index("Gesetz"), source.index("Gesetz") + len("Gesetz"))
    assert found is not None and found.text == "law"


def test_without_links_for_the_term_the_old_check_stands():
    source = "Das Abkommen gilt."
    target = "The treaty applies."
    src = (Word("Das", 0, 3), Word("Abkommen", 4, 12), Word("gilt", 13, 17), Word(".", 17, 18))
    tgt = (Word("The", 0, 3), Word("treaty", 4, 10), Word("applies", 11, 18), Word(".", 18, 19))
    unlinked = WordAlignment(src, tgt, (Link(0, 0, 0.9), Link(2, 2, 0.9), Link(3, 3, 0.9)))
    assert row_findings(source, target, glossary(("Abkommen", "treaty")), "de", "en", alignment=unlinked) == []
    weak = WordAlignment(src, tgt, (Link(1, 2, 0.2),))  # a guess does not overrule the term found
    assert row_findings(source, target, glossary(("Abkommen", "treaty")), "de", "en", alignment=weak) == []


def test_the_estimate_judges_a_term_where_it_was_rendered(aligner):
    from align.quality import estimate_rows

    sources = ["Der Vertrag ersetzt das alte Abkommen.", "Das Wetter war gut."]
    targets = ["The treaty replaces the old agreement.", "The weather was good."]
    report = estimate_rows(
        sources, targets, src_lang="de", tgt_lang="en", glossary=glossary(("Abkommen", "treaty")), aligner=aligner
    )
    assert "term 'Abkommen' -> 'treaty' rendered as 'agreement'" in report.estimates[0].reasons
    assert report.estimates[1].reasons == ()
