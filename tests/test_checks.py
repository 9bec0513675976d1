"""Row flags: number conventions, empty and untranslated targets, the robust length norm."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from align.document import AlignedDocument, Pair
from align.review import checks


@pytest.mark.parametrize(
    "source, target",
    [
        ("Es kamen 2.700 Menschen.", "2,700 people came."),
        ("Es kamen 2.700 Menschen.", "2700 people came."),
        ("Der Zins liegt bei 3,5 %.", "The rate is 3.5%."),
        ("Umsatz: 1.234.567,89 Euro", "Revenue: 1,234,567.89 euros"),
        ("Kapitel 5 und 6", "chapters 6 and 5"),
        ("Am 3. Mai", "On 3 May"),
        ("Ohne Zahlen.", "Without numbers."),
    ],
)
def test_numbers_that_mean_the_same_match(source, target):
    assert checks.numbers_match(source, target, "de", "en")
    assert checks.NUMBERS not in checks.pair_flags(Pair(source, target), src_lang="de", tgt_lang="en")


@pytest.mark.parametrize(
    "source, target",
    [
        ("Es kamen 2.700 Menschen.", "2.7 people came."),  # 2.700 is 2700 in German text
        ("Im Jahr 2020", "In 2021"),
        ("Kapitel 5 und 6", "chapter 5"),
        ("Seite 3", "page 3 of 4"),
    ],
)
def test_numbers_that_differ_are_flagged(source, target):
    assert checks.NUMBERS in checks.pair_flags(Pair(source, target), src_lang="de", tgt_lang="en")


def test_without_languages_every_reading_counts():
    assert checks.numbers_match("2.700", "2.7")
    assert checks.number_values("3,5") == [frozenset({checks.Decimal("3.5")})]


@given(st.integers(min_value=1000, max_value=10**9))
def test_german_and_english_grouping_of_any_integer_match(n):
    german = f"{n:,}".replace(",", ".")
    english = f"{n:,}"
    assert checks.numbers_match(german, english, "de", "en")
    assert checks.numbers_match(german, str(n), "de", "en")


def test_empty_and_untranslated_targets():
    assert checks.pair_flags(Pair("Ein Satz.", "  ")) == (checks.EMPTY_TARGET,)
    assert checks.UNTRANSLATED in checks.pair_flags(Pair("Ein Satz.", "ein  satz."))
    assert checks.pair_flags(Pair("2024", "2024")) == ()  # digits only: nothing to translate
    assert checks.pair_flags(Pair("", "")) == ()


def _doc(pairs: list[Pair]) -> AlignedDocument:
    return AlignedDocument("de", "en", pairs=tuple(pairs))


def test_length_norm_follows_the_document_not_a_constant():
    # A document whose targets are all about twice as long: that is its norm, nothing is flagged...
    long_targets = [Pair(f"Satz Nummer {i} hier.", f"This is the sentence with the number {i} here, twice.") for i in range(20)]
    assert not any(checks.LENGTH in f for f in checks.check_pairs(long_targets))
    # ...but a row whose target is as long as its source stands out in it.
    odd = long_targets + [Pair("Ein ganz normaler Satz hier.", "A quite normal sentence.")]
    flags = checks.check_pairs(odd)
    assert checks.LENGTH in flags[-1]
    assert sum(checks.LENGTH in f for f in flags) == 1


def test_length_needs_enough_rows():
    few = [Pair("Kurz.", "This target is very very much longer than its source.")] * 3
    assert not any(checks.LENGTH in f for f in checks.check_pairs(few))


def test_with_flags_sets_pair_flags():
    doc = _doc([Pair("Es sind 5.", "There are 6."), Pair("Gut.", "Good.")])
    flagged = checks.with_flags(doc)
    assert flagged.pairs[0].flags == (checks.NUMBERS,)
    assert flagged.pairs[1].flags == ()
