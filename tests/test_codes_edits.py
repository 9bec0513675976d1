"""Merge, split, shift and edit keep a row's inline codes with their words (a tag is never dropped
or left at an old offset), so the check "tags" stays quiet on rows that only moved."""

from __future__ import annotations

from align.codes import tagged, untagged
from align.document import AlignedDocument, Origin, Pair
from align.review.checks import tag_problems
from align.review.edits import edit_text, merge_next, shift_target, split_row


def row(source: str, target: str) -> Pair:
    src, src_codes = untagged(source)
    tgt, tgt_codes = untagged(target)
    return Pair(src, tgt, src_codes=src_codes, tgt_codes=tgt_codes, origin=Origin.parse("mt"))


def shown(pair: Pair) -> tuple[str, str]:
    return tagged(pair.source, pair.src_codes), tagged(pair.target, pair.tgt_codes)


DOC = AlignedDocument(
    "de",
    "en",
    (
        row("Das ist <1>gut</1>.", "That is <1>good</1>."),
        row("Siehe <2/>Seite <3>drei</3>.", "See <2/>page <3>three</3>."),
        row("Ende.", "End."),
    ),
)


def test_a_merged_row_keeps_both_rows_tags_after_the_first_text():
    merged = merge_next(DOC, 0).pairs[0]
    assert shown(merged) == (
        "Das ist <1>gut</1>. Siehe <2/>Seite <3>drei</3>.",
        "That is <1>good</1>. See <2/>page <3>three</3>.",
    )
    assert tag_problems(merged) == ()


def test_a_split_row_gives_each_part_its_tags_and_a_tag_across_the_cut_to_both():
    doc = merge_next(DOC, 0)
    upper, lower = split_row(doc, 0).pairs[:2]
    assert shown(upper) == ("Das ist <1>gut</1>.", "That is <1>good</1>.")
    assert shown(lower) == ("Siehe <2/>Seite <3>drei</3>.", "See <2/>page <3>three</3>.")
    text = DOC.pairs[1].target
    upper, lower = split_row(DOC, 1, src_at=len(DOC.pairs[1].source), tgt_at=text.index("three") + 2).pairs[1:3]
    assert shown(upper)[1] == "See <2/>page <3>th</3>"
    assert shown(lower)[1] == "<3>ree</3>."


def test_a_shifted_target_takes_its_tags_along():
    shifted = shift_target(DOC, 1, -1).pairs[0]
    assert shown(shifted)[1] == "That is <1>good</1>. See <2/>page <3>three</3>."


def test_moving_a_tag_in_the_editor_is_an_edit_of_the_target():
    target, codes = untagged("That is good <1>now</1>.")
    edited = edit_text(DOC, 0, target=target, tgt_codes=codes).pairs[0]
    assert shown(edited)[1] == "That is good <1>now</1>."
    assert edited.origin == Origin.edited()
    assert tag_problems(edited) == ()
    moved_only = edit_text(DOC, 0, target=DOC.pairs[0].target, tgt_codes=untagged("<1>That</1> is good.")[1]).pairs[0]
    assert moved_only.origin == Origin.edited() and moved_only.tgt_codes != DOC.pairs[0].tgt_codes


def test_a_target_copied_to_its_repeats_takes_its_tags_where_the_source_has_the_same_ones():
    from align.review.edits import propagate

    doc = AlignedDocument(
        "de",
        "en",
        (
            row("Das ist <1>gut</1>.", "That is <1>good</1>."),
            row("Das ist <1>gut</1>.", "It <1>is</1> good."),
            row("Das ist gut.", ""),
        ),
    )
    new, changed = propagate(doc, 0)
    assert changed == [1, 2]
    assert shown(new.pairs[1])[1] == "That is <1>good</1>."
    assert new.pairs[2].target == "That is good." and new.pairs[2].tgt_codes == ()
