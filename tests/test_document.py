"""The shared data model: beads to rows, statuses, signatures."""

from __future__ import annotations

import pytest

from align.document import AlignedDocument, Bead, Sentence, Signature, Status


def test_bead_gold_format_matches_text_berg() -> None:
    assert Bead((3, 4), (5,)).gold_format() == "[3, 4]:[5]"
    assert Bead((), (2,)).gold_format() == "[]:[2]"
    assert Bead((7,), ()).gold_format() == "[7]:[]"


def test_from_beads_joins_sides_and_keeps_ids() -> None:
    src = [Sentence("Eins.", 0, 5, 0), Sentence("Zwei.", 6, 11, 0), Sentence("Drei.", 13, 18, 1)]
    tgt = [Sentence("One and two."), Sentence("Three."), Sentence("Extra.")]
    doc = AlignedDocument.from_beads("de", "en", src, tgt, [Bead((0, 1), (0,), 0.9), Bead((2,), (1,), 0.8), Bead((), (2,), 0.1)])
    assert [(p.source, p.target) for p in doc.pairs] == [
        ("Eins. Zwei.", "One and two."),
        ("Drei.", "Three."),
        ("", "Extra."),
    ]
    assert doc.pairs[0].src_ids == (0, 1) and doc.pairs[1].paragraph == 1
    assert doc.pairs[2].confidence == pytest.approx(0.1)
    assert all(p.status is Status.AUTOMATIC for p in doc.pairs)


@pytest.mark.parametrize(
    "raw, expected",
    [("confirmed", Status.CONFIRMED), ("Needs review", Status.NEEDS_REVIEW), ("", Status.AUTOMATIC), (None, Status.AUTOMATIC)],
)
def test_status_parse(raw, expected) -> None:
    assert Status.parse(raw) is expected


def test_status_parse_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        Status.parse("done-ish")


def test_signature_round_trip_ignores_unknown_keys() -> None:
    sig = Signature(version="0.1.0", method="translate", model="m", settings={"beam_size": 2})
    assert Signature.from_dict({**sig.as_dict(), "future": 1}) == sig


def test_settings_resolution_order(tmp_path) -> None:
    from align.settings import load_settings

    assert load_settings(env={"ALIGN_HOME": str(tmp_path)}).home == tmp_path
    assert load_settings(env={"HOME": "/h"}).home.as_posix() == "/h/.local/share/align-workbench"
    assert load_settings(env={"ALIGN_HOME": "/x"}, home=tmp_path / "y").store_path == tmp_path / "y" / "projects.sqlite3"
