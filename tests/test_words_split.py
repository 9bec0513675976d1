"""The word aligner's word splitting: the dev gold's tokenisation, with spans into the sentence."""

from __future__ import annotations

import pytest

from align.words import Word, split_words
from align.words.split import glued


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Der Kreml lehnt es ab.", ["Der", "Kreml", "lehnt", "es", "ab", "."]),
        ("Lee Seong-kweun told Seoul's reporters", ["Lee", "Seong-kweun", "told", "Seoul's", "reporters"]),
        ("„Die Ukraine ist bereit“, schrieb er.", ["„", "Die", "Ukraine", "ist", "bereit", "“", ",", "schrieb", "er", "."]),
        (
            "3.000 Soldaten, 12:30 Uhr, 2,5 % am 1.12.",
            ["3.000", "Soldaten", ",", "12:30", "Uhr", ",", "2,5", "%", "am", "1.12", "."],
        ),
        ("Kim Jong Un’s soldiers", ["Kim", "Jong", "Un’s", "soldiers"]),
        ("  ", []),
    ],
)
def test_split_words_follows_the_gold_tokenisation(text, words):
    assert [w.text for w in split_words(text)] == words


def test_every_word_carries_its_span():
    text = "Russland hat Berichte nicht dementiert, wonach…"
    for word in split_words(text):
        assert text[word.start : word.end] == word.text


def test_pretokenized_splits_at_spaces_only():
    text = "Der  Kreml-Chef lehnt's ab ."
    assert split_words(text, pretokenized=True) == (
        Word("Der", 0, 3),
        Word("Kreml-Chef", 5, 15),
        Word("lehnt's", 16, 23),
        Word("ab", 24, 26),
        Word(".", 27, 28),
    )


def test_glued_marks_words_without_a_space_before():
    assert glued(split_words("in der Ukraine.")) == [False, False, False, True]


def test_alignment_helpers_map_spans_and_links():
    from align.words import Link, WordAlignment

    src, tgt = "Die Grenzregion Kursk", "the Kursk border region"
    alignment = WordAlignment(
        split_words(src), split_words(tgt), (Link(0, 0, 0.9), Link(1, 2, 0.5), Link(1, 3, 0.9), Link(2, 1, 0.99))
    )
    assert alignment.pharaoh() == "0-0 1-2 1-3 2-1"
    assert alignment.src_words_in(src.index("Grenz"), src.index("Grenz") + 5) == (1,)
    assert alignment.src_words_in(0, len(src)) == (0, 1, 2)
    assert alignment.targets_of(1) == (2, 3) and alignment.sources_of(3) == (1,)
    start, end = alignment.tgt_span_of([1])  # type: ignore[misc]
    assert tgt[start:end] == "border region"
    assert alignment.tgt_span_of([]) is None
    assert alignment.tgt_words_in(4, 9) == (1,)
    assert alignment.unaligned_src() == () and alignment.unaligned_tgt() == ()
