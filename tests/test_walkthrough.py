"""The issue-13 walk-through in a real browser: import a TMX, set a shared glossary, translate a
.docx with repeats, fix a sentence, apply it to its repeats, export the translated .docx; then
open the export with python-docx and compare it with the source's structure."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_memory_glossary_repeats_and_the_translated_docx(tmp_path):
    import docx

    from devtools import walkthrough

    if not walkthrough.CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    done = walkthrough.run(tmp_path / "shots")
    assert [p.name for p in done.screenshots] == [
        "01-memory.png",
        "02-glossary.png",
        "03-translated.png",
        "04-fixed.png",
        "05-propagated.png",
        "06-export.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in done.screenshots)
    source = docx.Document(str(walkthrough.source_docx(tmp_path / "source.docx")))
    exported = docx.Document(str(done.exported))
    # the same paragraphs and styles, the heading still a heading
    assert [p.style.name for p in exported.paragraphs] == [p.style.name for p in source.paragraphs]
    text = "\n".join(done.paragraphs)
    assert text.count(walkthrough.FIX) == 3  # the fix and its two repeats
    assert "In case of rain, the festival is cancelled." in text  # the memory's 100% match
    assert "Der Eintritt" not in text and "Fest" not in text  # nothing left in German
    # the bold sentence stayed bold
    assert done.bold == ["On Sunday there will be a festival on the bridge with music and food."]
    assert Path(done.exported).suffix == ".docx"
