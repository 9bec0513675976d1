"""Tag placement (align.words.tags) on the human word alignment of the dev gold: paired codes land
around the target words their source words are linked to, standalone codes after the counterpart
of the word before, and the result is always well formed (nesting kept, no overlap, no code lost)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from align.codes import Code, CodeKind, codes_from_markup, markup
from align.evaluate.words import GoldPair, read_gold
from align.words.model import Link, Word, WordAlignment
from align.words.tags import place_codes

GOLD = Path(__file__).parent / "data" / "wordalign" / "de-en.gold"


def spaced(tokens: tuple[str, ...]) -> tuple[str, tuple[Word, ...]]:
    """The tokens joined by spaces, with their spans."""
    words, at = [], 0
    for token in tokens:
        words.append(Word(token, at, at + len(token)))
        at += len(token) + 1
    return " ".join(tokens), tuple(words)


def gold_alignment(pair: GoldPair, links: set[tuple[int, int]] | frozenset[tuple[int, int]]) -> tuple[str, str, WordAlignment]:
    source, src_words = spaced(pair.src)
    target, tgt_words = spaced(pair.tgt)
    return source, target, WordAlignment(src_words, tgt_words, tuple(Link(i, j, 1.0) for i, j in sorted(links)))


@pytest.fixture(scope="module")
def gold() -> dict[str, GoldPair]:
    return {pair.id: pair for pair in read_gold(GOLD)}


def simple(text: str, tokens: list[tuple[str, ...]]) -> tuple[Word, ...]:
    """Words of ``text`` found left to right."""
    words, at = [], 0
    for (token,) in tokens:
        start = text.index(token, at)
        words.append(Word(token, start, start + len(token)))
        at = start + len(token)
    return tuple(words)


def alignment(source: str, target: str, links: list[tuple[int, int]]) -> WordAlignment:
    src = simple(source, [(w,) for w in source.replace(".", " .").split()])
    tgt = simple(target, [(w,) for w in target.replace(".", " .").split()])
    return WordAlignment(src, tgt, tuple(Link(i, j, 1.0) for i, j in sorted(links)))


def test_a_bold_compound_lands_on_its_two_word_rendering(gold):
    pair = gold["align-dev/001:9-10"]  # Lichtbildausweis -> photo ID card
    source, target, aligned = gold_alignment(pair, pair.sure)
    word = aligned.src_words[9]
    placed = place_codes(source, target, [Code("b", CodeKind.PAIRED, word.start, word.end)], aligned)
    assert markup(target, placed).startswith("The new election laws require voters to show a <b>photo ID card</b> and")


def test_reordered_verb_and_standalone_after_the_counterpart_of_the_word_before():
    source = "Der Kreml lehnt den Plan ab."
    target = "The Kremlin rejects the plan."
    # Der-The Kreml-Kremlin lehnt-rejects den-the Plan-plan ab-rejects .-.
    aligned = alignment(source, target, [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 2), (6, 5)])
    marked = "Der <i>Kreml</i><fn/> lehnt den <b>Plan</b> ab."
    plain, codes = codes_from_markup(marked)
    assert plain == source
    placed = place_codes(source, target, codes, aligned)
    assert markup(target, placed) == "The <i>Kremlin</i><fn/> rejects the <b>plan</b>."


def test_one_stray_link_does_not_stretch_the_code_over_the_sentence():
    source = "Das neue Gesetz gilt ab morgen für alle Bürger."
    target = "The new law applies from tomorrow to all citizens."
    links = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9)]
    aligned = alignment(source, target, [*links, (2, 8)])  # Gesetz - citizens: wrong and far
    plain, codes = codes_from_markup("Das neue <b>Gesetz</b> gilt ab morgen für alle Bürger.")
    assert (
        markup(target, place_codes(plain, target, codes, aligned)) == "The new <b>law</b> applies from tomorrow to all citizens."
    )


def scored(source: str, target: str, links: list[tuple[int, int, float]]) -> WordAlignment:
    """Like ``alignment``, with each link's score given."""
    plain = alignment(source, target, [])
    return WordAlignment(plain.src_words, plain.tgt_words, tuple(Link(i, j, s) for i, j, s in sorted(links)))


def test_a_code_does_not_stretch_over_a_word_that_renders_a_word_outside_it():
    source = "Das neue Gesetz gilt ab morgen."
    target = "The new law applies from tomorrow."
    links = [(0, 0, 0.9), (1, 1, 0.9), (2, 2, 0.9), (3, 3, 0.9), (4, 4, 0.9), (5, 5, 0.9), (6, 6, 0.9)]
    # Gesetz - from: a second, less sure link two words on; "applies" between renders "gilt"
    aligned = scored(source, target, [*links, (2, 4, 0.5)])
    plain, codes = codes_from_markup("Das neue <b>Gesetz</b> gilt ab morgen.")
    assert markup(target, place_codes(plain, target, codes, aligned)) == "The new <b>law</b> applies from tomorrow."


def test_an_edge_word_rendering_a_word_outside_more_surely_is_left_out():
    source = "Das neue Gesetz gilt ab morgen."
    target = "The new law applies from tomorrow."
    links = [(0, 0, 0.9), (1, 1, 0.9), (2, 2, 0.9), (3, 3, 0.9), (4, 4, 0.9), (5, 5, 0.9), (6, 6, 0.9)]
    aligned = scored(source, target, [*links, (2, 3, 0.5)])  # Gesetz - applies, less sure than gilt - applies
    plain, codes = codes_from_markup("Das <b>neue Gesetz</b> gilt ab morgen.")
    assert markup(target, place_codes(plain, target, codes, aligned)) == "The <b>new law</b> applies from tomorrow."


def test_an_unlinked_span_keeps_its_code_where_its_neighbour_went():
    source = "Er kam gestern leider nicht."
    target = "He did not come yesterday."
    # leider (unfortunately) is dropped by the translation
    aligned = alignment(source, target, [(0, 0), (1, 3), (2, 4), (4, 2), (5, 5)])
    plain, codes = codes_from_markup("Er kam gestern <b>leider</b> nicht.")
    placed = place_codes(plain, target, codes, aligned)
    assert [c.id for c in placed] == ["b"]
    assert markup(target, placed) == "He did not come yesterday<b></b>."


def test_nesting_is_kept_when_the_links_would_cross():
    source = "Sie las das sehr alte Buch."
    target = "She read the very old book."
    # "sehr" wrongly linked to "book": the inner code's span would leave its parent's
    aligned = alignment(source, target, [(0, 0), (1, 1), (2, 2), (3, 5), (4, 4), (5, 5), (6, 6)])
    plain, codes = codes_from_markup("Sie las <b>das <i>sehr</i> alte</b> Buch.")
    placed = place_codes(plain, target, codes, aligned)
    marked = markup(target, placed)
    again_plain, again = codes_from_markup(marked)
    assert again_plain == target and again == placed
    bold, italic = placed
    assert bold.start <= italic.start <= italic.end <= bold.end


def test_side_by_side_codes_never_overlap_on_the_target():
    source = "Rot und Grün"
    target = "red-green"  # one target word for both
    aligned = alignment(source, target, [(0, 0), (2, 0)])
    plain, codes = codes_from_markup("<a>Rot</a> und <b>Grün</b>")
    placed = place_codes(plain, target, codes, aligned)
    first, second = placed
    assert first.end <= second.start
    assert codes_from_markup(markup(target, placed)) == (target, placed)


def test_crossing_source_codes_are_refused():
    with pytest.raises(ValueError, match="cross"):
        place_codes(
            "ab cd",
            "ab cd",
            [Code("a", CodeKind.PAIRED, 0, 4), Code("b", CodeKind.PAIRED, 3, 5)],
            alignment("ab cd", "ab cd", [(0, 0), (1, 1)]),
        )


def test_random_codes_on_every_gold_pair_come_back_well_formed(gold):
    """Any nesting of codes over the gold's pairs, with half the links dropped: every code comes
    back once, in a form that reads back as the same codes (nested, ordered, inside the target)."""
    rng = random.Random(23)
    for pair in gold.values():
        links = {link for link in pair.sure if rng.random() < 0.5}
        source, target, aligned = gold_alignment(pair, links)
        codes = random_codes(rng, aligned.src_words)
        placed = place_codes(source, target, codes, aligned)
        assert sorted(c.id for c in placed) == sorted(c.id for c in codes)
        assert all(0 <= c.start <= c.end <= len(target) for c in placed)
        assert codes_from_markup(markup(target, placed)) == (target, placed), pair.id


def random_codes(rng: random.Random, words: tuple[Word, ...]) -> list[Code]:
    """Up to four codes as a document would hold them: nested or side by side spans of words, and
    points between words."""
    spans: list[tuple[int, int]] = []
    points: list[int] = []
    for _ in range(4):
        a = rng.randrange(len(words))
        b = min(len(words), a + rng.randint(1, 4))
        if rng.random() < 0.3:
            points.append(rng.randrange(len(words) + 1))
        elif (a, b) not in spans and all(b <= s or e <= a or s <= a < b <= e or a <= s < e <= b for s, e in spans):
            spans.append((a, b))
    pieces = []
    for k in range(len(words) + 1):
        tags = [f"</p{spans.index(sp)}>" for sp in sorted((sp for sp in spans if sp[1] == k), key=lambda sp: -sp[0])]
        tags += [f"<x{n}/>" for n, at in enumerate(points) if at == k]
        tags += [f"<p{spans.index(sp)}>" for sp in sorted((sp for sp in spans if sp[0] == k), key=lambda sp: -sp[1])]
        pieces.append("".join(tags) + (words[k].text if k < len(words) else ""))
    return list(codes_from_markup(" ".join(pieces[:-1]) + pieces[-1])[1])


def test_the_tags_bench_splits_the_gold_into_even_and_odd_pairs(gold):
    from devtools.bench.tags import cases_of, halves

    cases = cases_of(list(gold.values()))
    split = halves(cases)
    assert sorted(split["even"] + split["odd"]) == list(range(len(cases)))
    assert {cases[k].pair % 2 for k in split["even"]} == {0} and {cases[k].pair % 2 for k in split["odd"]} == {1}
    assert split["even"] and split["odd"]


def test_a_compound_takes_the_weakly_linked_rest_of_its_rendering():
    aligned = scored(
        "Sie wirken auf die Wahlbeteiligung.",
        "They impact voter turn-out.",
        [(0, 0, 0.9), (1, 1, 0.8), (4, 2, 0.82), (4, 3, 0.17), (5, 4, 0.9)],
    )
    plain, codes = codes_from_markup("Sie wirken auf die <b>Wahlbeteiligung</b>.")
    assert (
        markup("They impact voter turn-out.", place_codes(plain, "They impact voter turn-out.", codes, aligned))
        == "They impact <b>voter turn-out</b>."
    )


def test_a_weak_guess_on_a_short_function_word_stays_out():
    target = "He is one of the best."
    links = [(0, 0, 0.9), (1, 1, 0.9), (2, 2, 0.9), (2, 3, 0.2), (3, 4, 0.7), (4, 5, 0.9), (5, 6, 0.9)]
    plain, codes = codes_from_markup("Er ist <b>einer</b> der Besten.")
    placed = place_codes(plain, target, codes, scored(plain, target, links))
    assert markup(target, placed) == "He is <b>one</b> of the best."


def test_a_weakly_linked_word_another_source_word_renders_stays_out():
    target = "The Higgs field is a field."
    links = [(0, 0, 0.9), (1, 1, 0.8), (1, 2, 0.3), (4, 2, 0.5), (2, 3, 0.9), (3, 4, 0.9), (4, 5, 0.9), (5, 6, 0.9)]
    plain, codes = codes_from_markup("Das <b>Higgs-Feld</b> ist ein Feld.")
    placed = place_codes(plain, target, codes, scored(plain, target, links))
    assert markup(target, placed) == "The <b>Higgs</b> field is a field."
