"""Tags on the page (issue 24, item 2): a row's codes show as numbered tags in the grid and the
segment editor, a typed target moves them, and a target whose tags cannot be written back is
refused with a message that says why, never stripped."""

from __future__ import annotations

import pytest

from align.codes import Code, CodeKind
from align.document import AlignedDocument, OriginKind, Pair, Status
from align.review.checks import check_pairs, tag_problems
from align.review.edits import EditError
from align.ui.segment import confirm_with, save_target
from align.ui.table import apply_cell_edits, editor_frame
from align.ui.tags import chips_html

BOLD = Code("1", CodeKind.PAIRED, 0, 9)  # "tropicana" in bold
BREAK = Code("2", CodeKind.STANDALONE, 12, 12)
SOURCE = "tropicana - Das Reisebüro"
TARGET = "tropicana - The travel agency"


@pytest.fixture
def doc() -> AlignedDocument:
    tagged = Pair(SOURCE, TARGET, src_codes=(BOLD, BREAK), tgt_codes=(BOLD, BREAK), status=Status.AUTOMATIC)
    plain = Pair("Ein <alter> Satz.", "An <old> sentence.")
    return AlignedDocument("de", "en", (tagged, plain))


def test_the_grid_shows_a_rows_codes_as_numbered_tags(doc):
    frame = editor_frame(doc, [0, 1], [(), ()], set())
    assert frame["source"].tolist() == ["<1>tropicana</1> - <2/>Das Reisebüro", "Ein <alter> Satz."]
    assert frame["target"].tolist()[0] == "<1>tropicana</1> - <2/>The travel agency"


def test_moving_a_tag_in_the_grid_moves_the_code_and_makes_the_row_an_edit(doc):
    typed = "tropicana - <2/>The <1>travel agency</1>"
    result = apply_cell_edits(doc, [0, 1], {0: {"target": typed}})
    pair = result.doc.pairs[0]
    assert pair.target == TARGET
    assert pair.tgt_codes == (Code("2", CodeKind.STANDALONE, 12, 12), Code("1", CodeKind.PAIRED, 16, 29))
    assert (pair.status, pair.origin.kind, result.changed_rows) == (Status.NEEDS_REVIEW, OriginKind.EDITED, (0,))
    assert editor_frame(result.doc, [0], [()], set())["target"][0] == typed


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("<1>tropicana - <2/>The travel agency", "do not balance"),
        ("tropicana</1> - <2/>The travel agency", "do not balance"),
        ("<1>tropicana</1> - <2/><3/>The travel agency", "extra code <3/>"),
        ("<1>tropicana</1> - <2>The</2> travel agency", "code <2/> is standalone in the source, paired (<2>) in the target"),
        ("<1>tropicana</1> - <2/>The <2/>travel agency", "extra code <2/>"),
    ],
)
def test_a_target_whose_tags_cannot_be_written_back_is_refused_not_stripped(doc, typed, says):
    with pytest.raises(EditError, match="row 1") as err:
        apply_cell_edits(doc, [0, 1], {0: {"target": typed}})
    assert says in str(err.value) and "<1>…</1>, <2/>" in str(err.value)


def test_a_left_out_tag_is_kept_as_typed_and_flagged(doc):
    result = apply_cell_edits(doc, [0, 1], {0: {"target": "<1>tropicana</1> - The travel agency"}})
    assert result.doc.pairs[0].tgt_codes == (BOLD,)
    assert "tags" in check_pairs(result.doc.pairs, "de", "en")[0]
    assert tag_problems(result.doc.pairs[0]) == ("missing code <2/>",)


def test_a_row_without_codes_keeps_angle_brackets_as_text(doc):
    result = apply_cell_edits(doc, [0, 1], {1: {"target": "An <ancient> sentence."}})
    assert (result.doc.pairs[1].target, result.doc.pairs[1].tgt_codes) == ("An <ancient> sentence.", ())


def test_the_segment_editor_saves_and_confirms_a_moved_tag(doc):
    saved, label = save_target(doc, 0, "<2/>tropicana - <1>The</1> travel agency")
    assert saved.pairs[0].tgt_codes == (Code("2", CodeKind.STANDALONE, 0, 0), Code("1", CodeKind.PAIRED, 12, 15))
    assert label == "edit row 1"
    confirmed, label = confirm_with(doc, 0, "<1>tropicana</1> - <2/>The travel agency")
    assert confirmed.pairs[0].status is Status.CONFIRMED and label == "confirm row 1"  # the same tags: no edit
    with pytest.raises(EditError, match="do not balance"):
        confirm_with(doc, 0, "<1>tropicana - The travel agency")


def test_the_segment_editor_shows_tags_as_chips_and_escapes_the_text():
    chips = chips_html("a <b> & c", (Code("1", CodeKind.PAIRED, 0, 1),))
    assert chips.count('class="chip"') == 2 and "❬1" in chips and "1❭" in chips
    assert "&lt;b&gt; &amp; c" in chips and "<b>" not in chips
