"""Word links in the segment editor: each word of either side can be pointed at and its
counterparts light up (CSS ``:has`` rules, no script), glossary terms too; checked on the HTML and
in a real browser (Debian's Chromium), which also saves docs/screenshots/word-links.png."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from align.document import AlignedDocument, Pair
from align.glossary import Entry, Glossary, Kind
from align.ui.segment import TermMark, glossary_lines, term_marks, word_links_html
from align.words.model import Link, Word, WordAlignment

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SOURCE = "Der Vertrag ersetzt das <alte> Abkommen."
TARGET = "The treaty replaces the <old> agreement."


def words(text: str, tokens: list[str]) -> tuple[Word, ...]:
    found, at = [], 0
    for token in tokens:
        start = text.index(token, at)
        found.append(Word(token, start, start + len(token)))
        at = start + len(token)
    return tuple(found)


@pytest.fixture
def aligned() -> WordAlignment:
    src = words(SOURCE, ["Der", "Vertrag", "ersetzt", "das", "<", "alte", ">", "Abkommen", "."])
    tgt = words(TARGET, ["The", "treaty", "replaces", "the", "<", "old", ">", "agreement", "."])
    return WordAlignment(src, tgt, tuple(Link(i, i, 0.9) for i in range(9)))


def spans(markup: str) -> dict[str, list[str]]:
    """Word text -> its classes, from the view's spans."""
    return {m[2]: m[1].split() for m in re.finditer(r'<span class="([^"]+)" tabindex="0">([^<]*)</span>', markup)}


def test_each_word_carries_its_partners_classes_and_one_rule_lights_them(aligned):
    markup = word_links_html(SOURCE, TARGET, aligned)
    classes = spans(markup)
    assert "t-of-s7" in classes["agreement"] and "s-of-t7" in classes["Abkommen"]
    assert ".wa:has(.s7:hover) .t-of-s7" in markup and ".wa:has(.t7:focus) .s-of-t7" in markup
    assert "&lt;alte&gt;" not in markup and "&lt;" in markup  # user text escaped, word by word
    assert "<alte>" not in markup


def test_a_glossary_chip_lights_the_words_that_rendered_the_term(aligned):
    doc = AlignedDocument("de", "en", (Pair(SOURCE, TARGET),))
    glossary = Glossary((Entry("Abkommen", ("treaty",), Kind.TERM),), "de", "en")
    (line,) = glossary_lines(doc, 0, glossary, aligned)
    assert line.rendered == "agreement"
    assert line.problem == "term 'Abkommen' -> 'treaty' rendered as 'agreement'"
    markup = word_links_html(SOURCE, TARGET, aligned, term_marks([line]))
    assert term_marks([line]) == [TermMark("Abkommen → treaty", SOURCE.index("Abkommen"), SOURCE.index("Abkommen") + 8)]
    assert "g-of-g0" in spans(markup)["agreement"] and ".wa:has(.g0:hover) .g-of-g0" in markup


def test_the_toggle_starts_on_once_the_word_aligner_is_prepared(tmp_path):
    from align.ui.panels.segment import word_aligner_ready
    from align.words import WordAligner

    assert not word_aligner_ready(str(tmp_path))
    WordAligner(tmp_path, threads=2).align("Das ist gut.", "That is good.")
    assert word_aligner_ready(str(tmp_path))


@pytest.fixture
def server(tmp_path, installed_settings):
    from devtools.walkthrough import page_server

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    home = tmp_path / "home"
    home.mkdir()
    os.symlink(installed_settings.packages_dir, home / "packages")
    with page_server(home) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_pointing_at_a_word_lights_its_counterpart_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    from devtools.models import load_fixture_pairs
    from devtools.walkthrough import idle

    source = next(de for de, _ in load_fixture_pairs() if de.startswith("Die Brücke ist 320 Meter"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(server)
            page.get_by_text("New project").first.wait_for(timeout=60_000)
            page.get_by_label("Project name").fill("Links")
            area = page.get_by_label("Source text")
            area.fill(source)
            area.press("Tab")
            idle(page)
            page.get_by_role("button", name="Translate", exact=True).click()
            toggle = page.get_by_text("Word links", exact=True).first
            toggle.wait_for(timeout=180_000)
            idle(page)
            toggle.click()  # off in a fresh data folder: the first use prepares the word aligner
            view = page.locator('[data-testid="word-links"]').first
            view.wait_for(timeout=180_000)
            idle(page)
            bridge = view.locator(".wa-src .w", has_text="Brücke").first
            partner = "t-of-" + bridge.get_attribute("class").split()[1]  # s1 -> t-of-s1
            counterpart = view.locator(f".wa-tgt .{partner}")
            assert counterpart.all_inner_texts() == ["bridge"]
            unlit = counterpart.first.evaluate("e => getComputedStyle(e).backgroundColor")
            bridge.hover()
            time.sleep(0.3)
            lit = counterpart.first.evaluate("e => getComputedStyle(e).backgroundColor")
            assert unlit != lit and lit.startswith("rgba(255, 190, 0")
            shots = REPO / "docs" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            # the segment editor from its heading to the word links, "Brücke" pointed at
            top = page.get_by_text("Segment 1 of 1").first.bounding_box()
            box = view.bounding_box()
            clip = {
                "x": box["x"] - 12,
                "y": top["y"] - 12,
                "width": box["width"] + 24,
                "height": box["y"] + box["height"] - top["y"] + 24,
            }
            page.screenshot(path=str(shots / "word-links.png"), clip=clip)
            page.mouse.move(0, 0)
            time.sleep(0.3)
            assert counterpart.first.evaluate("e => getComputedStyle(e).backgroundColor") == unlit
        finally:
            browser.close()
