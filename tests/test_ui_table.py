"""The review table's quality view as plain functions (``align.ui.table``, ``align.ui.actions``):
bands and labels of estimated rows, reasons instead of the checks' flags, the worst-first order,
the threshold filter, paging over the new order, and re-translate re-estimating its rows."""

from __future__ import annotations

from align.document import AlignedDocument, Pair, Signature, Status
from align.review import edits
from align.review.checks import check_pairs
from align.ui.actions import Context, apply_action, estimator
from align.ui.table import (
    BAND_COLOURS,
    WORST_FIRST,
    ViewFilter,
    editor_frame,
    flagged_count,
    has_estimate,
    page_slice,
    row_band,
    row_label,
    row_notes,
    style_frame,
    visible_rows,
    worst_first,
)

# what translate_text stores when it estimated without an embedder or package (text signals only)
TEXT_ONLY = {
    "used": ["repetition", "untranslated", "numbers", "codes", "truncation", "negation", "length"],
    "left_out": {"similarity": "no sentence embedder given", "clause": "no sentence embedder given", "model": "no package"},
    "calibration": {},
}


def estimated_doc(qualities, reasons=None) -> AlignedDocument:
    """A translated document whose rows have these estimates (None: edited since)."""
    reasons = reasons or {}
    pairs = [
        Pair(f"Satz {i}.", f"Sentence {i}.", (i,), (i,), quality=q, reasons=tuple(reasons.get(i, ())))
        for i, q in enumerate(qualities)
    ]
    return AlignedDocument("de", "en", tuple(pairs), signature=Signature(method="translate", settings={"quality": TEXT_ONLY}))


def test_estimated_rows_show_quality_bands_readable_without_colour():
    assert row_label(Pair("a", "b", quality=0.62), True) == "62% check"
    assert row_label(Pair("a", "b", quality=0.95), True) == "95% good"
    assert row_label(Pair("a", "b", quality=0.2), True) == "20% poor"
    assert row_label(Pair("a", "b", quality=0.899), True) == "89% check"  # never "90% check"
    assert row_label(Pair("a", "b", quality=0.9), True) == "90% good"
    assert row_label(Pair("a", "b", quality=0.29), True) == "29% poor"  # no float artefact (28.999...)
    assert row_label(Pair("a", "b", quality=0.62, status=Status.CONFIRMED), True) == "✓ 62%"
    # a translated row's confidence (1.0 by construction) is never shown as "100% high"
    assert row_label(Pair("a", "b", confidence=1.0), True) == "edited"
    assert row_label(Pair("a", "b", confidence=1.0, status=Status.CONFIRMED), True) == "✓"
    # documents without an estimate (aligned) keep the confidence bands
    assert row_label(Pair("a", "b", confidence=0.85), False) == "85% high"
    assert row_label(Pair("a", "b", confidence=0.3, status=Status.CONFIRMED), False) == "✓ 30%"
    assert [row_band(Pair("a", "b", quality=q)) for q in (0.95, 0.6, 0.1)] == ["good", "check", "poor"]
    assert BAND_COLOURS["good"] == BAND_COLOURS["high"] and BAND_COLOURS["poor"] == BAND_COLOURS["low"]


def test_has_estimate():
    assert has_estimate(estimated_doc([None, None]))  # the signature says so
    assert has_estimate(AlignedDocument("de", "en", (Pair("a", "b", quality=0.5),)))  # a file with estimates
    assert not has_estimate(AlignedDocument("de", "en", (Pair("a", "b"),)))


def test_reasons_replace_the_checks_flags_on_estimated_rows():
    pairs = (
        Pair("Sechs 2.700 Leute.", "Six 270 people.", quality=0.2, reasons=("numbers differ: 2.700 vs 270",)),
        Pair("Sechs 2.700 Leute.", "Six 270 people."),  # edited since the estimate: the checks speak
        Pair("Gut.", "Good.", quality=0.97),
    )
    doc = AlignedDocument("de", "en", pairs, signature=Signature(settings={"quality": TEXT_ONLY}))
    flags = check_pairs(doc.pairs, "de", "en")
    assert flags[0] == flags[1] == ("numbers",)
    assert row_notes(pairs[0], flags[0]) == ("numbers differ: 2.700 vs 270",)  # not said twice
    assert row_notes(pairs[1], flags[1]) == ("numbers differ",)
    assert row_notes(pairs[2], flags[2]) == ()
    assert flagged_count(doc, flags) == 2
    frame = editor_frame(doc, [0, 1, 2], flags, set())
    assert list(frame["band"]) == ["20% poor", "edited", "97% good"]
    assert list(frame["flags"]) == ["numbers differ: 2.700 vs 270", "numbers differ", ""]
    assert visible_rows(doc, flags, ViewFilter(flagged=True)) == [0, 1]
    styles = style_frame(frame, doc, [0, 1, 2]).to_html()
    assert BAND_COLOURS["poor"] in styles and BAND_COLOURS["edited"] in styles and BAND_COLOURS["good"] in styles


def test_worst_first_is_stable_and_puts_unestimated_rows_last():
    doc = estimated_doc([0.9, None, 0.3, 0.6, 0.3, None, 0.99])
    flags = [()] * 7
    assert worst_first(doc, range(7)) == [2, 4, 3, 0, 6, 1, 5]
    assert visible_rows(doc, flags, ViewFilter(order=WORST_FIRST)) == [2, 4, 3, 0, 6, 1, 5]
    assert visible_rows(doc, flags, ViewFilter()) == list(range(7))  # document order by default
    # filters first, then the order
    doc = edits.confirm(doc, [4])
    assert visible_rows(doc, flags, ViewFilter(order=WORST_FIRST, unconfirmed=True)) == [2, 3, 0, 6, 1, 5]


def test_threshold_filter_shows_rows_below_it_only():
    doc = estimated_doc([0.9, None, 0.3, 0.6, 0.5, 0.49])
    flags = [()] * 6
    assert visible_rows(doc, flags, ViewFilter(below=0.5)) == [2, 5]
    assert visible_rows(doc, flags, ViewFilter(below=0.9)) == [2, 3, 4, 5]
    assert visible_rows(doc, flags, ViewFilter(below=0.9, order=WORST_FIRST)) == [2, 5, 4, 3]
    assert visible_rows(doc, flags, ViewFilter(below=None)) == list(range(6))
    # "low only" on an estimated document: below the green band, edited rows not
    assert visible_rows(doc, flags, ViewFilter(low_confidence=True)) == [2, 3, 4, 5]


def test_paging_follows_the_worst_first_order():
    qualities = [round(1 - i / 250, 4) for i in range(250)]  # row 249 is the worst
    doc = estimated_doc(qualities)
    rows = visible_rows(doc, [()] * 250, ViewFilter(order=WORST_FIRST))
    assert page_slice(rows, 1) == list(range(249, 149, -1))
    assert page_slice(rows, 3) == list(range(49, -1, -1))


def test_retranslate_estimates_the_new_target_against_the_stored_norms():
    doc = estimated_doc([0.1, 0.95], {0: ("stale reason",)})
    calls = []

    def estimate(d, rows):
        calls.append(rows)
        return estimator(None, None)(d, rows)

    loop = "the salad the salad the salad the salad the salad"
    context = Context(translate=lambda texts: [loop for _ in texts], estimate=estimate)
    result = apply_action(doc, "retranslate", [0], context)
    assert calls == [[0]]
    pair = result.doc.pairs[0]
    assert pair.target == loop and pair.status is Status.NEEDS_REVIEW
    assert pair.quality is not None and pair.quality < 0.5
    assert any("repeats" in r for r in pair.reasons) and "stale reason" not in pair.reasons
    assert result.doc.pairs[1] == doc.pairs[1]
    assert result.doc.signature == doc.signature  # the document's estimate record stays

    fine = apply_action(doc, "retranslate", [0], Context(translate=lambda texts: ["Sentence 0."], estimate=estimate))
    assert fine.doc.pairs[0].quality is not None and fine.doc.pairs[0].quality >= 0.9 and fine.doc.pairs[0].reasons == ()


def test_retranslate_without_an_estimate_leaves_rows_unestimated():
    doc = AlignedDocument("de", "en", (Pair("Satz.", "wrong", confidence=0.4),))  # an aligned document
    result = apply_action(doc, "retranslate", [0], Context(translate=lambda texts: ["Sentence."], estimate=estimator(None, None)))
    assert result.doc.pairs[0].target == "Sentence." and result.doc.pairs[0].quality is None
    assert result.doc.signature.settings.quality is None


def test_estimator_keeps_left_out_signals_out(monkeypatch):
    import align.quality

    seen = {}

    def fake(doc, *, embedder=None, translator=None, rows=None, progress=None):
        seen.update(embedder=embedder, translator=translator, rows=rows)
        return doc

    monkeypatch.setattr(align.quality, "with_estimates", fake, raising=False)
    embedder, translator = object(), object()
    estimate = estimator(embedder, translator)  # type: ignore[arg-type]
    estimate(estimated_doc([0.5]), [0])
    assert seen == {"embedder": None, "translator": None, "rows": [0]}  # as the stored estimate did
    full = estimated_doc([0.5])
    full = full.replace(signature=Signature(settings={"quality": {**TEXT_ONLY, "left_out": {}}}))
    estimate(full, [0])
    assert seen == {"embedder": embedder, "translator": translator, "rows": [0]}
