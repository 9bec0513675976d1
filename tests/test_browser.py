"""End to end in a real browser: `streamlit run app.py` driven through Debian's Chromium.

Paste German text, translate it with the fixture package, edit a target cell, merge two rows,
confirm one, reload the page and find the edits, export CSV and read the downloaded file.
The table is a canvas grid: cells are clicked by position (rows are 35 px high) and read from
the grid's accessibility table (``glide-cell-<column>-<row>``).
"""

from __future__ import annotations

import csv
import io
import os
import socket
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ROW_HEIGHT = 35
COLUMNS = {"sel": 0, "row": 1, "source": 2, "target": 3, "band": 4, "status": 5, "flags": 6}
WIDTHS = [36, 40, 170, 170, 72, 100, 100]  # align.ui.panels.editor.COLUMN_WIDTHS (beside the segment editor), in column order


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path, installed_settings):
    """A running page on a free port over a fresh data folder that sees the fixture package."""
    from devtools.walkthrough import page_server

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    home = tmp_path / "home"
    home.mkdir()
    os.symlink(installed_settings.packages_dir, home / "packages")
    with page_server(home) as url:
        yield url, home


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1100}, accept_downloads=True)
            yield context.new_page()
        finally:
            browser.close()


def idle(page, timeout: float = 60) -> None:
    from devtools.walkthrough import idle as wait

    wait(page, timeout)


def cell_text(page, column: str, row: int) -> str:
    return page.locator(f'[data-testid="glide-cell-{COLUMNS[column]}-{row}"]').first.inner_text()


def grid_rows(page) -> int:
    return int(page.locator('table[role="grid"]').first.get_attribute("aria-rowcount")) - 1


def click_cell(page, column: str, row: int) -> None:
    """Click the middle of a cell: columns have the pixel widths the page configures, rows are
    35 px high below a 35 px header."""
    box = page.locator('[data-testid="data-grid-canvas"]').first.bounding_box()
    index = COLUMNS[column]
    x = box["x"] + sum(WIDTHS[:index]) + WIDTHS[index] / 2
    y = box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
    page.mouse.click(x, y)


def test_translate_edit_merge_confirm_reload_export(server, page, tmp_path):
    from devtools.models import load_fixture_pairs

    url, home = server
    pairs = [(de, en) for de, en in load_fixture_pairs() if de.endswith(".")][:4]
    page.goto(url)
    page.get_by_text("New project").first.wait_for(timeout=60_000)

    # paste German text and translate
    page.get_by_label("Project name").fill("Browser")
    area = page.get_by_label("Source text")
    area.fill(" ".join(de for de, _ in pairs))
    area.press("Tab")
    idle(page)
    page.get_by_role("button", name="Translate", exact=True).click()
    page.locator('[data-testid="data-grid-canvas"]').first.wait_for(timeout=120_000)
    idle(page)
    assert grid_rows(page) == len(pairs)
    assert [cell_text(page, "target", r) for r in range(len(pairs))] == [en for _, en in pairs]
    # the quality estimate's band, not the translation's meaningless "100% high" confidence
    assert all(cell_text(page, "band", r).endswith((" good", " check", " poor")) for r in range(len(pairs)))
    shots = Path(os.environ.get("ALIGN_SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(shots / "translated.png"), full_page=True)

    page.get_by_text("worst first").first.wait_for(timeout=10_000)  # the review order of an estimate

    # edit the first target in place
    click_cell(page, "target", 0)
    time.sleep(0.3)
    page.keyboard.press("Enter")  # open the cell editor
    time.sleep(0.3)
    page.keyboard.press("Control+A")
    page.keyboard.type("Edited in the browser.")
    time.sleep(0.5)
    page.keyboard.press("Enter")  # commit: the page saves it
    idle(page)
    assert cell_text(page, "target", 0) == "Edited in the browser."

    # tick row 2 and merge it with row 3
    click_cell(page, "sel", 1)
    idle(page)
    page.get_by_role("button", name="Merge ↓", exact=True).click()
    idle(page)
    assert grid_rows(page) == len(pairs) - 1
    assert cell_text(page, "source", 1) == f"{pairs[1][0]} {pairs[2][0]}"

    # tick row 1 and confirm it
    click_cell(page, "sel", 0)
    idle(page)
    page.get_by_role("button", name="Confirm", exact=True).click()
    idle(page)
    assert cell_text(page, "status", 0) == "confirmed"
    assert cell_text(page, "status", 1) == "needs review"  # the merge cleared its tick

    # a reload shows the same state
    page.reload()
    page.locator('[data-testid="data-grid-canvas"]').first.wait_for(timeout=60_000)
    idle(page)
    assert grid_rows(page) == len(pairs) - 1
    assert cell_text(page, "target", 0) == "Edited in the browser."
    assert cell_text(page, "status", 0) == "confirmed"
    assert cell_text(page, "target", 1) == f"{pairs[1][1]} {pairs[2][1]}"

    page.screenshot(path=str(shots / "after-reload.png"), full_page=True)

    # the segment editor: whole sentences beside the grid; go to the third row, fix its target and
    # press Ctrl+Enter: the row is confirmed and the editor moves on to the next unconfirmed row
    panel = page.get_by_text("Segment 1 of 3", exact=False).first
    panel.wait_for(timeout=10_000)
    page.get_by_role("button", name="Next ▶", exact=True).click()
    idle(page)
    page.get_by_role("button", name="Next ▶", exact=True).click()
    idle(page)
    page.get_by_text("Segment 3 of 3", exact=False).first.wait_for(timeout=10_000)
    assert page.get_by_text(pairs[3][0], exact=True).count() >= 1  # the whole source sentence, as text
    target = page.get_by_label("Target (en)", exact=True)
    assert target.input_value() == pairs[3][1]
    target.fill("Fixed in the segment editor.")
    target.press("Control+Enter")
    idle(page)
    assert cell_text(page, "target", 2) == "Fixed in the segment editor."
    assert cell_text(page, "status", 2) == "confirmed"
    page.get_by_text("Segment 2 of 3", exact=False).first.wait_for(timeout=10_000)  # the next unconfirmed row
    page.screenshot(path=str(shots / "segment-editor.png"), full_page=True)

    # export CSV and read the downloaded file
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    expected = ["Edited in the browser.", f"{pairs[1][1]} {pairs[2][1]}", "Fixed in the segment editor."]
    assert [r["target"] for r in rows] == expected
    assert [r["status"] for r in rows] == ["confirmed", "needs_review", "confirmed"]
