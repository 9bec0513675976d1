"""The review check "tags": a row whose target does not hold exactly its source's codes is flagged."""

from __future__ import annotations

from align.codes import Code, CodeKind
from align.document import AlignedDocument, Pair
from align.review import checks

P, S = CodeKind.PAIRED, CodeKind.STANDALONE
BOLD_AND_BREAK = (Code("1", P, 4, 8), Code("2", S, 13, 13))


def test_a_target_missing_a_code_is_flagged_tags_with_the_reason_in_words():
    pair = Pair("Ein fettes Wort.", "A bold word.", src_codes=BOLD_AND_BREAK, tgt_codes=(Code("1", P, 2, 6),))
    assert checks.TAGS in checks.pair_flags(pair)
    assert checks.LABELS[checks.TAGS] == "tags differ"
    assert checks.tag_problems(pair) == ("missing code <2/>",)


def test_a_target_with_the_sources_codes_anywhere_is_not_flagged():
    pair = Pair("Ein fettes Wort.", "A bold word.", src_codes=BOLD_AND_BREAK, tgt_codes=(Code("2", S, 0, 0), Code("1", P, 2, 6)))
    assert checks.pair_flags(pair) == ()
    assert checks.tag_problems(pair) == ()


def test_an_extra_or_changed_code_is_flagged():
    extra = Pair("Wort.", "Word.", tgt_codes=(Code("3", S, 0, 0),))
    changed = Pair("Wort.", "Word.", src_codes=(Code("1", P, 0, 4),), tgt_codes=(Code("1", S, 0, 0),))
    assert checks.check_pairs([extra, changed]) == [(checks.TAGS,), (checks.TAGS,)]


def test_an_untranslated_row_is_empty_not_tags():
    pair = Pair("Ein fettes Wort.", "", src_codes=BOLD_AND_BREAK)
    assert checks.pair_flags(pair) == (checks.EMPTY_TARGET,)


def test_with_flags_sets_tags_on_the_document():
    doc = AlignedDocument("de", "en", (Pair("Wort.", "Word.", src_codes=(Code("1", S, 0, 0),)), Pair("Wort.", "Word.")))
    assert [p.flags for p in checks.with_flags(doc).pairs] == [(checks.TAGS,), ()]
