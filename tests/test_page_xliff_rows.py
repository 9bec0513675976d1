"""The rows of an XLIFF or PO project on the page (issue 24, item 4): they are the file's segments,
so the toolbar does not merge, split, insert, delete or move them, and a locked segment (``translate
="no"``, a locked SDL or memoQ segment) is read-only in the grid, the segment editor and the actions."""

from __future__ import annotations

import pytest

from align.document import AlignedDocument, Pair, Status
from align.review.edits import EditError
from align.ui.actions import Context, apply_action
from align.ui.table import apply_cell_edits


@pytest.fixture
def doc() -> AlignedDocument:
    pairs = (Pair("Eins.", "One."), Pair("Zwei.", "Two.", status=Status.CONFIRMED), Pair("Drei.", ""))
    return AlignedDocument("de", "en", pairs)


FIXED = Context(fixed=True, locked=frozenset({1}))


@pytest.mark.parametrize(
    "action", ["merge", "merge_source", "merge_target", "split", "insert", "delete", "shift_up", "shift_down"]
)
def test_the_rows_of_a_file_keep_their_place(doc, action):
    with pytest.raises(EditError, match="segments of its XLIFF or PO file"):
        apply_action(doc, action, [0], FIXED)
    assert apply_action(doc, action if action != "shift_up" else "shift_down", [0], Context()).doc != doc  # others can


def test_actions_leave_locked_rows_alone(doc):
    result = apply_action(
        doc,
        "retranslate",
        [0, 1, 2],
        Context(translate=lambda texts: [t.upper() for t in texts], fixed=True, locked=frozenset({1})),
    )
    assert [p.target for p in result.doc.pairs] == ["EINS.", "Two.", "DREI."]
    with pytest.raises(EditError, match="row 2 is locked"):
        apply_action(doc, "confirm", [1], FIXED)


def test_a_locked_row_refuses_grid_edits(doc):
    with pytest.raises(EditError, match="row 2 is locked"):
        apply_cell_edits(doc, [0, 1, 2], {1: {"target": "2."}}, locked=frozenset({1}))
    with pytest.raises(EditError, match="row 2 is locked"):
        apply_cell_edits(doc, [0, 1, 2], {1: {"status": "needs review"}}, locked=frozenset({1}))
    ticked = apply_cell_edits(doc, [0, 1, 2], {1: {"sel": True}, 0: {"target": "1."}}, locked=frozenset({1}))
    assert ticked.select == (1,) and ticked.doc.pairs[0].target == "1."


def test_the_source_of_a_file_row_is_not_edited(doc):
    with pytest.raises(EditError, match="source"):
        apply_cell_edits(doc, [0, 1, 2], {0: {"source": "Ein."}}, fixed=True)


def test_retranslate_places_the_source_tags_on_the_new_target(tmp_path):
    from functools import partial

    from align.codes import Code, CodeKind
    from align.words import WordAligner
    from align.words.tags import place_rows_codes

    source = "Das Haus ist sehr alt."
    doc = AlignedDocument(
        "de",
        "en",
        (
            Pair(
                source,
                "The house is very old.",
                tgt_codes=(Code("1", CodeKind.PAIRED, 4, 9),),
                src_codes=(Code("1", CodeKind.PAIRED, 4, 8),),
            ),
        ),
    )
    translate = lambda texts: ["The building is very old." for _ in texts]  # noqa: E731
    bare = apply_action(doc, "retranslate", [0], Context(translate=translate))
    assert bare.doc.pairs[0].tgt_codes == ()  # never the old target's offsets on a new text
    place = partial(place_rows_codes, aligner=WordAligner(tmp_path, threads=2))
    placed = apply_action(doc, "retranslate", [0], Context(translate=translate, place=place)).doc.pairs[0]
    assert placed.tgt_codes == (Code("1", CodeKind.PAIRED, 4, 12),)  # "Haus" -> "building"


def test_a_pretranslated_row_without_an_estimate_says_mt_not_100_percent_high():
    from align.document import Origin
    from align.ui.table import BAND_COLOURS, row_band, row_label

    machine = Pair("Eins.", "One.", origin=Origin.machine())
    assert (row_label(machine), row_band(machine)) == ("MT", "machine") and "machine" in BAND_COLOURS
    assert row_label(machine.replace(status=Status.CONFIRMED)) == "✓ MT"
    assert row_label(machine, True) == "edited"  # an estimated document's row without its estimate, as before
    assert row_label(Pair("a", "b", confidence=0.85)) == "85% high"  # aligned rows keep their confidence
