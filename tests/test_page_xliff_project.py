"""An XLIFF file as a project of the page, without the browser (issue 24, items 2, 4 and 6): its
segments become rows (a real Okapi/OnTram XLIFF 1.2 with German sources and inline codes), the
fixture model pre-translates them with the source's tags placed, the project is saved and loaded
with its codes, a tag is moved in the grid, and the file written back holds the edit, the moved
tag and every other unit as pre-translated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from align.codes import Code, CodeKind
from align.document import Status

ONTRAM = "bench/xliff-dev/files/filters__xliff__src__test__resources__OnTramTest01.xlf"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
MOVED = "tropicana - The <1>travel agency</1>"  # the source has <1> around "tropicana"


@pytest.fixture(scope="module")
def pretranslated(tmp_path_factory, installed_settings, shared_dir):
    """The file kept as a project's source, its rows pre-translated by the fixture model."""
    from align.exchange.project import pretranslate_document
    from align.mt.translate import load_translator
    from align.ui.exchange import read_rows
    from align.words import WordAligner

    folder = tmp_path_factory.mktemp("xliff-project")
    kept = Path(shutil.copy(shared_dir / ONTRAM, folder / "OnTram.xlf"))
    doc = read_rows(kept, "xx", "yy")
    translator = load_translator(doc.src_lang, doc.tgt_lang, installed_settings)
    aligner = WordAligner(installed_settings.cache_dir, threads=2)
    return kept, doc, pretranslate_document(doc, translator=translator, aligner=aligner)


def test_the_rows_are_the_files_segments_in_its_languages(pretranslated):
    kept, doc, done = pretranslated
    assert (doc.src_lang, doc.tgt_lang, len(doc.pairs)) == ("de", "en", 88)  # de-DE, en-US in the file
    assert all(not p.target for p in doc.pairs)
    row = next(i for i, p in enumerate(doc.pairs) if p.source == "tropicana - Das Reisebüro")
    assert doc.pairs[row].src_codes == (Code("1", CodeKind.PAIRED, 0, 9),)
    placed = done.pairs[row]
    assert placed.target and placed.status is Status.NEEDS_REVIEW
    assert [(c.id, c.kind) for c in placed.tgt_codes] == [("1", CodeKind.PAIRED)]  # the tag placed, not dropped


def test_a_moved_tag_goes_through_the_store_into_the_written_file(pretranslated, tmp_path):
    from align.review.store import Store
    from align.ui.exchange import locked, written_file
    from align.ui.table import apply_cell_edits, editor_frame

    kept, _, done = pretranslated
    store = Store(tmp_path / "projects.db")
    project = store.create_project("OnTram", done)
    loaded = store.load(project)
    assert [p.tgt_codes for p in loaded.pairs] == [p.tgt_codes for p in done.pairs]  # the store keeps codes
    row = next(i for i, p in enumerate(loaded.pairs) if p.source == "tropicana - Das Reisebüro")
    shown = list(range(len(loaded.pairs)))
    assert editor_frame(loaded, [row], [()] * len(shown), set())["source"][0] == "<1>tropicana</1> - Das Reisebüro"
    edited = apply_cell_edits(loaded, shown, {row: {"target": MOVED}}, fixed=True, locked=locked(loaded)).doc
    store.apply(project, edited, "edit row", base=store.snapshot(project)[1])
    out = tmp_path / "OnTram.en.xlf"
    out.write_bytes(written_file(store.load(project), kept))
    units = {u.get("id"): u for u in etree.parse(str(out)).iterfind(".//x:trans-unit", NS)}
    target = units["36100"].find("x:target", NS)
    assert etree.tostring(target, encoding="unicode", with_tail=False).endswith(
        'tropicana - The <g id="0" ctype="bold">travel agency</g></target>'
    )
    assert target.get("state") != "needs-translation"
    from align.exchange import read_job

    written = read_job(out).segments()
    for i, (segment, pair) in enumerate(zip(written, done.pairs, strict=True)):
        if i != row:
            assert (segment.target, segment.target_codes) == (pair.target, pair.tgt_codes)
