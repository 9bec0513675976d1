"""Editor operations: exact semantics on small tables, and invariants over random edit sequences."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.document import AlignedDocument, Bead, Sentence, Status
from align.review import edits
from align.review.edits import EditError


def make_doc(src: list[str], tgt: list[str]) -> AlignedDocument:
    """Row i pairs src[i] with tgt[i]; an empty string (or a missing one) is an empty cell."""
    n = max(len(src), len(tgt))
    cols = [src + [""] * (n - len(src)), tgt + [""] * (n - len(tgt))]
    ids: list[list[tuple[int, ...]]] = [[], []]
    sentences: list[list[Sentence]] = [[], []]
    for side in (0, 1):
        for text in cols[side]:
            if text:
                ids[side].append((len(sentences[side]),))
                sentences[side].append(Sentence(text))
            else:
                ids[side].append(())
    beads = [Bead(src=ids[0][i], tgt=ids[1][i], confidence=0.9) for i in range(n)]
    return AlignedDocument.from_beads("de", "en", sentences[0], sentences[1], beads, name="t")


def rows(doc: AlignedDocument) -> list[tuple[str, str]]:
    return [(p.source, p.target) for p in doc.pairs]


def squash(texts) -> str:
    return re.sub(r"\s+", "", "".join(texts))


def test_merge_both_joins_rows_and_ids():
    doc = make_doc(["A1.", "B2.", "C3."], ["a1.", "b2.", "c3."])
    out = edits.merge_next(doc, 0)
    assert rows(out) == [("A1. B2.", "a1. b2."), ("C3.", "c3.")]
    assert out.pairs[0].src_ids == (0, 1) and out.pairs[0].tgt_ids == (0, 1)
    assert out.pairs[0].status is Status.NEEDS_REVIEW
    assert doc.pairs[0].source == "A1."  # the input is untouched


def test_merge_source_side_pulls_the_column_up_to_the_next_gap():
    # German has two sentences where English has one: the classic 2:1 fix.
    doc = make_doc(["A.", "B.", "C.", "D."], ["ab.", "c.", "d."])
    out = edits.merge_next(doc, 0, side="source")
    assert rows(out) == [("A. B.", "ab."), ("C.", "c."), ("D.", "d.")]
    assert [p.src_ids for p in out.pairs] == [(0, 1), (2,), (3,)]


def test_merge_target_side_stops_at_a_gap():
    doc = make_doc(["A.", "B.", "C.", "D."], ["a.", "b.", "", "d."])
    out = edits.merge_next(doc, 0, side="target")
    # the target run below row 1 ends at the empty cell of row 2; row 3 keeps its pair
    assert rows(out) == [("A.", "a. b."), ("B.", ""), ("C.", ""), ("D.", "d.")]


def test_shift_target_down_consumes_the_first_gap():
    doc = make_doc(["A.", "X.", "B.", "C."], ["a.", "b.", "", "c."])
    out = edits.shift_target(doc, 1, +1)
    assert rows(out) == [("A.", "a."), ("X.", ""), ("B.", "b."), ("C.", "c.")]


def test_shift_target_down_without_a_gap_appends_a_row():
    doc = make_doc(["A.", "B."], ["a.", "b."])
    out = edits.shift_target(doc, 0, +1)
    assert rows(out) == [("A.", ""), ("B.", "a."), ("", "b.")]
    assert out.pairs[2].status is Status.NEEDS_REVIEW


def test_shift_target_up_fills_the_row_above_and_leaves_a_gap_at_the_block_end():
    doc = make_doc(["A.", "B.", "C.", "D."], ["", "a.", "b.", ""])
    out = edits.shift_target(doc, 1, -1)
    assert rows(out) == [("A.", "a."), ("B.", "b."), ("C.", ""), ("D.", "")]


def test_shift_down_then_up_restores_a_gapless_table():
    doc = make_doc(["A.", "B.", "C."], ["a.", "b.", "c."])
    there = edits.shift_target(doc, 0, +1)
    back = edits.shift_target(there, 1, -1)
    assert rows(back) == rows(doc)


def test_shift_up_on_first_row_is_a_named_error():
    with pytest.raises(EditError, match="first row"):
        edits.shift_target(make_doc(["A."], ["a."]), 0, -1)


def test_merge_last_row_is_a_named_error():
    with pytest.raises(EditError, match="last row"):
        edits.merge_next(make_doc(["A.", "B."], ["a.", "b."]), 1)


def test_split_at_cursor_positions_and_ids_follow_the_text():
    doc = edits.merge_next(make_doc(["Eins.", "Zwei."], ["One.", "Two."]), 0)
    out = edits.split_row(doc, 0, src_at=5, tgt_at=4)
    assert rows(out) == [("Eins.", "One."), ("Zwei.", "Two.")]
    assert [p.src_ids for p in out.pairs] == [(0,), (1,)]
    assert [p.tgt_ids for p in out.pairs] == [(0,), (1,)]


def test_split_target_at_end_moves_only_the_source_tail_down():
    doc = make_doc(["Eins. Zwei."], ["One. Two."])
    out = edits.split_row(doc, 0, src_at=5, tgt_at=len("One. Two."))
    assert rows(out) == [("Eins.", "One. Two."), ("Zwei.", "")]


def test_split_at_sentence_boundary_uses_the_segmenter():
    pytest.importorskip("align.text.segment")
    doc = make_doc(["Der Hund bellt. Die Katze schläft."], ["The dog barks. The cat sleeps."])
    out = edits.split_row(doc, 0)
    assert rows(out) == [("Der Hund bellt.", "The dog barks."), ("Die Katze schläft.", "The cat sleeps.")]


def test_insert_delete_edit_and_confirm():
    doc = make_doc(["A.", "B."], ["a.", "b."])
    doc = edits.insert_row(doc, 1)
    assert rows(doc) == [("A.", "a."), ("", ""), ("B.", "b.")]
    doc = edits.edit_text(doc, 1, source="Neu.", target="New.")
    assert doc.pairs[1].source == "Neu." and doc.pairs[1].status is Status.NEEDS_REVIEW
    doc = edits.confirm(doc, [0, 1])
    assert [p.status for p in doc.pairs] == [Status.CONFIRMED, Status.CONFIRMED, Status.AUTOMATIC]
    doc = edits.delete_rows(doc, [0, 2])
    assert rows(doc) == [("Neu.", "New.")]
    assert edits.edit_text(doc, 0, target="New.") is doc  # no change, same document


def test_set_status_accepts_loose_spelling():
    doc = edits.set_status(make_doc(["A."], ["a."]), [0], "needs review")
    assert doc.pairs[0].status is Status.NEEDS_REVIEW


def estimated(doc: AlignedDocument) -> AlignedDocument:
    """Every row with its own quality estimate (row i: 0.1 * (i + 1)) and a reason naming it."""
    return doc.replace(pairs=[p.replace(quality=0.1 * (i + 1), reasons=(f"row {i}", "ü | x")) for i, p in enumerate(doc.pairs)])


def qualities(doc: AlignedDocument) -> list[float | None]:
    return [p.quality for p in doc.pairs]


def test_an_edited_text_drops_its_quality_estimate_and_only_its_own():
    doc = estimated(make_doc(["A.", "B.", "C."], ["a.", "b.", "c."]))
    out = edits.edit_text(doc, 1, target="b!")
    assert qualities(out) == [0.1, None, pytest.approx(0.3)]
    assert out.pairs[1].reasons == () and out.pairs[0].reasons == ("row 0", "ü | x")
    assert qualities(edits.edit_text(doc, 1, source="B!")) == [0.1, None, pytest.approx(0.3)]
    assert edits.edit_text(doc, 1, target="b.") is doc  # the same text: nothing changes


def test_status_changes_keep_the_estimate():
    doc = estimated(make_doc(["A.", "B."], ["a.", "b."]))
    out = edits.set_status(edits.confirm(doc, [0, 1]), [1], "needs review")
    assert [(p.quality, p.reasons) for p in out.pairs] == [(p.quality, p.reasons) for p in doc.pairs]


def test_merge_split_and_shift_drop_the_estimate_of_rows_whose_text_changed():
    doc = estimated(make_doc(["A.", "B.", "C.", "D."], ["a.", "b.", "c.", ""]))
    assert qualities(edits.merge_next(doc, 1)) == [0.1, None, pytest.approx(0.4)]
    # one column: rows 1-2 get new sources ("B. C.", "D."); row 3, empty on both sides, goes
    assert qualities(edits.merge_next(doc, 1, side="source")) == [0.1, None, None]
    # shift down at row 1: targets of rows 1-3 move (row 3's empty cell is consumed), row 0 stays
    assert qualities(edits.shift_target(doc, 1, +1)) == [0.1, None, None, None]
    split = edits.split_row(edits.merge_next(doc, 0), 0, src_at=2, tgt_at=2)
    assert qualities(split) == [None, None, pytest.approx(0.3), pytest.approx(0.4)]
    # a cut at the end leaves the upper row's text as it was: it keeps its estimate
    whole = edits.split_row(doc, 0, src_at=2, tgt_at=2)
    assert [(p.source, p.target, p.quality) for p in whole.pairs[:2]] == [("A.", "a.", 0.1), ("", "", None)]


# ---- invariants over random sequences of edits -----------------------------------------------
words = st.text(alphabet="abcXYZ äß", min_size=0, max_size=8)

op = st.one_of(
    st.tuples(st.just("merge"), st.integers(0, 30), st.sampled_from(["both", "source", "target"])),
    st.tuples(st.just("shift"), st.integers(0, 30), st.sampled_from([-1, 1])),
    st.tuples(st.just("split"), st.integers(0, 30), st.floats(0, 1), st.floats(0, 1)),
    st.tuples(st.just("insert"), st.integers(0, 30)),
)


def apply(doc: AlignedDocument, step) -> AlignedDocument:
    kind, row = step[0], step[1]
    if not doc.pairs:
        return doc
    row = row % len(doc.pairs)
    try:
        if kind == "merge":
            return edits.merge_next(doc, row, step[2])
        if kind == "shift":
            return edits.shift_target(doc, row, step[2])
        if kind == "split":
            p = doc.pairs[row]
            return edits.split_row(doc, row, src_at=int(step[2] * len(p.source)), tgt_at=int(step[3] * len(p.target)))
        return edits.insert_row(doc, row)
    except EditError:
        return doc


@hsettings(max_examples=150, deadline=None)
@given(
    src=st.lists(words, min_size=1, max_size=8),
    tgt=st.lists(words, min_size=1, max_size=8),
    steps=st.lists(op, max_size=12),
)
def test_no_text_lost_or_duplicated_and_ids_stay_in_order(src, tgt, steps):
    doc = estimated(make_doc(src, tgt))
    texts = {p.quality: (p.source, p.target) for p in doc.pairs}
    start_src = squash(p.source for p in doc.pairs)
    start_tgt = squash(p.target for p in doc.pairs)
    for step in steps:
        doc = apply(doc, step)
        assert squash(p.source for p in doc.pairs) == start_src
        assert squash(p.target for p in doc.pairs) == start_tgt
        # every sentence id is in exactly one row, in the original order
        assert [i for p in doc.pairs for i in p.src_ids] == list(range(len(doc.source_sentences)))
        assert [i for p in doc.pairs for i in p.tgt_ids] == list(range(len(doc.target_sentences)))
        # an estimate stays only on the very text it was made for
        assert all(texts[p.quality] == (p.source, p.target) for p in doc.pairs if p.quality is not None)


# ---- merging the edit of a stale copy ---------------------------------------------------------------
def test_rebase_merges_edits_of_different_rows_only():
    """Another tab saved first: an edit of other rows is carried onto the newest version; an edit
    of the same row, or any change of the row count on either side, is not merged (None)."""
    base = make_doc(["Eins.", "Zwei.", "Drei."], ["One.", "Two.", "Three."])
    theirs = edits.edit_text(base, 0, target="One!")
    mine = edits.confirm(edits.edit_text(base, 2, target="Three!"), [2])
    merged = edits.rebase(base, mine, theirs)
    assert merged is not None and rows(merged) == [("Eins.", "One!"), ("Zwei.", "Two."), ("Drei.", "Three!")]
    assert merged.pairs[2].status is Status.CONFIRMED and merged.pairs[0] == theirs.pairs[0]
    assert edits.rebase(base, edits.confirm(base, [0]), theirs) is None  # the same row: confirming text never seen
    assert edits.rebase(base, edits.delete_rows(base, [2]), theirs) is None  # rows moved: positions differ
    assert edits.rebase(base, mine, edits.insert_row(base, 0)) is None
    assert edits.rebase(base, edits.edit_text(base, 0, target="One!"), theirs) == theirs  # the same edit twice
    signed = theirs.replace(name="renamed")  # a change beside the rows, on one side only, is kept
    assert edits.rebase(base, mine, signed) == merged.replace(name="renamed")
    assert edits.rebase(base, mine.replace(name="mine"), signed) is None  # on both sides, differently
