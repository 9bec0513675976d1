"""An XLIFF file through the page in a real browser (Debian's Chromium; issue 24, "Done when"):
upload a real XLIFF 1.2 with German sources and inline codes (Okapi's OnTram test file), pre-
translate it with the fixture model, move a tag in the segment editor, export the file, and check
the download: the edit with its tag moved, every other unit as the project holds it, and
everything outside the targets as in the uploaded file. Saves docs/screenshots/xliff-upload.png,
xliff-tags.png and xliff-export.png (a 1280x800 viewport)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ONTRAM = "bench/xliff-dev/files/filters__xliff__src__test__resources__OnTramTest01.xlf"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
MOVED = "tropicana - The <1>travel agency</1>"  # the source: "<1>tropicana</1> - Das Reisebüro"
MAIN_UPLOAD = '[data-testid="stMain"] [data-testid="stFileUploaderDropzoneInput"]'
SHOTS = REPO / "docs" / "screenshots"


@pytest.fixture
def home(tmp_path, installed_settings, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    # no reload when a source file changes while the test runs (an edit in the checkout): a
    # reloaded module makes the page's state a new object, and the running task is forgotten
    monkeypatch.setenv("STREAMLIT_SERVER_FILE_WATCHER_TYPE", "none")
    home = tmp_path / "home"
    home.mkdir()
    os.symlink(installed_settings.packages_dir, home / "packages")
    return home


def without_targets(path: Path) -> bytes:
    """The file as canonical XML with every ``target`` element taken out (what must not change)."""
    tree = etree.parse(str(path))
    for target in tree.iterfind(".//x:target", NS):
        parent = target.getparent()
        previous = target.getprevious()
        if target.tail:  # keep the white space after it where it was
            if previous is not None:
                previous.tail = (previous.tail or "") + target.tail
            else:
                parent.text = (parent.text or "") + target.tail
        parent.remove(target)
    return etree.tostring(tree, method="c14n")


@pytest.mark.browser
@pytest.mark.slow
def test_an_xliff_goes_through_upload_pretranslation_a_moved_tag_and_export(home, shared_dir, tmp_path):
    from playwright.sync_api import sync_playwright

    from devtools.walkthrough import page_server

    upload = Path(shutil.copy(shared_dir / ONTRAM, tmp_path / "OnTram.xlf"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with page_server(home) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True).new_page()
            exported = walk(page, url, upload, tmp_path)
        except Exception:
            page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
            print((home / "streamlit.log").read_text(encoding="utf-8", errors="replace")[-3000:])
            raise
        finally:
            browser.close()
    check_export(home, upload, exported)


def walk(page, url: str, upload: Path, tmp_path: Path) -> Path:
    """Upload, pre-translate, move a tag in the segment editor, export; the downloaded file."""
    from playwright.sync_api import expect

    from devtools.walkthrough import idle

    page.goto(url)
    page.get_by_text("New project").first.wait_for(timeout=60_000)
    idle(page)
    page.get_by_text("Pre-translating an XLIFF or PO file", exact=True).click()
    idle(page)
    page.get_by_label("Project name").fill("OnTram")
    page.locator(MAIN_UPLOAD).first.set_input_files(str(upload))
    idle(page)
    page.get_by_text("OnTram.xlf").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "xliff-upload.png"))

    page.get_by_role("button", name="Pre-translate", exact=True).click()
    page.locator('[data-testid="data-grid-canvas"]').first.wait_for(timeout=300_000)
    idle(page)
    page.get_by_role("button", name="Next ▶", exact=True).click()  # row 2: "<1>tropicana</1> - Das Reisebüro"
    idle(page)
    page.get_by_text("Segment 2 of 88").first.wait_for(timeout=30_000)
    target = page.locator('textarea[aria-label="Target (en)"]')
    expect(target).to_have_count(1, timeout=30_000)  # the run that drew row 2 is over: no stale editor left
    target.fill(MOVED)
    page.get_by_role("button", name="Save", exact=True).click()
    idle(page)
    chips = page.locator('[data-testid="tagged-text"]')
    chips.first.wait_for(timeout=30_000)
    assert "travel agency" in chips.nth(1).inner_text()
    page.get_by_text("Segment 2 of 88").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.3)
    page.screenshot(path=str(SHOTS / "xliff-tags.png"))

    button = page.get_by_role("button", name="XLIFF", exact=True)
    button.evaluate("e => e.scrollIntoView({block: 'center'})")
    idle(page)
    with page.expect_download(timeout=120_000) as download:
        button.click()
    exported = tmp_path / "exported.xlf"
    download.value.save_as(exported)
    page.screenshot(path=str(SHOTS / "xliff-export.png"))
    return exported


def check_export(home: Path, upload: Path, exported: Path) -> None:
    """The download holds the moved tag, the project's other targets, and the file as uploaded
    outside its targets."""
    from align.exchange import read_job
    from align.review.store import open_store
    from align.settings import load_settings

    store = open_store(load_settings(home=home))
    (project,) = store.list_projects()
    rows = store.load(project.id).pairs
    units = {u.get("id"): u for u in etree.parse(str(exported)).iterfind(".//x:trans-unit", NS)}
    target = etree.tostring(units["36100"].find("x:target", NS), encoding="unicode", with_tail=False)
    assert target.endswith('tropicana - The <g id="0" ctype="bold">travel agency</g></target>'), target
    segments = read_job(exported).segments()
    assert len(segments) == len(rows) == 88
    for segment, pair in zip(segments, rows, strict=True):
        assert (segment.target, segment.target_codes) == (pair.target, pair.tgt_codes)
        assert pair.target  # every unit pre-translated
    assert without_targets(exported) == without_targets(upload)
